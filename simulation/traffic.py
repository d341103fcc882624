"""Traffic generation: the paper's critical and ML flows, plus a profile's explicit flows.

Section 4.1 of the paper, per fog node (FN):
- FN <-> cloud: a periodic critical request (1400 B) and reply (5000 B), 400 ms;
- FN <-> two neighbours: request (1400 B) and reply (4000 B), each exchange with
  a period drawn from {200, 300, 400} ms;
- ML: a request (1200 B) and a reply carrying the method's per-round data, 1 s.

All random choices (neighbour periods, then start offsets, in flow order) come
from one `random.Random(seed)`, so a (profile, N, method, seed) names exactly
one traffic pattern, and the draws for the critical flows do not depend on
the ML method: the no-ML baseline and each method see the same critical traffic.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from simulation import units
from simulation.scenario import Flow, MlPayload, TrafficClass
from simulation.tomlfields import Section
from simulation.topology import fog_name

#: ML methods a profile can simulate; "none" is the no-ML baseline.
METHODS: tuple[str, ...] = ("none", "cc", "fl", "fcddt")
ML_DIRECTIONS: tuple[str, ...] = ("paper", "measured")

PayloadLookup = Callable[[str], MlPayload]


@dataclass
class FlowDraft:
    """A flow before its start offset is drawn (offset None = draw one)."""

    name: str
    cls: TrafficClass
    src: str
    dst: str
    period_ps: int
    size_bytes: int
    offset_ps: int | None = None
    #: Name of another draft; when set, the offset is that flow's offset + `after_ps`.
    after: str | None = None
    after_ps: int = 0
    #: The profile field this flow comes from, for error messages.
    origin: str = ""


def neighbours(i: int, fog_nodes: int, count: int) -> list[int]:
    """The `count` nearest fog nodes of FN i on a ring: i+1, i-1, i+2, i-2, ...

    Fewer when the ring is too small (an FN is never its own neighbour, and a
    neighbour is listed once).
    """
    out: list[int] = []
    step = 1
    while len(out) < count and step <= fog_nodes // 2 + 1:
        for j in ((i + step) % fog_nodes, (i - step) % fog_nodes):
            if j != i and j not in out and len(out) < count:
                out.append(j)
        step += 1
    return out


def _size(section: Section, key: str, default: int) -> int:
    return section.integer(key, default, minimum=1)


def _reply_after(section: Section) -> int | None:
    """`reply_after = "random"` (independent offset) or a time after the request."""
    value = section.raw("reply_after", "random")
    if value == "random":
        return None
    ps = section.quantity("reply_after", units.parse_time_ps)
    if ps < 0:
        raise section.error("reply_after", "must not be negative")
    return ps


def cloud_exchange(section: Section, fog_nodes: int) -> list[FlowDraft]:
    """Each FN sends a critical request to the cloud; the cloud replies."""
    if not section.typed("enabled", bool, True):
        section.reject_unknown()
        return []
    req = _size(section, "request_bytes", 1400)
    rep = _size(section, "reply_bytes", 5000)
    period = section.time_ps("period", "400ms")
    after = _reply_after(section)
    section.reject_unknown()
    drafts: list[FlowDraft] = []
    for i in range(fog_nodes):
        fog = fog_name(i)
        drafts.append(FlowDraft(f"creq_{fog}", "critical", fog, "cloud", period, req))
        drafts.append(
            FlowDraft(
                f"crep_{fog}", "critical", "cloud", fog, period, rep,
                after=None if after is None else f"creq_{fog}", after_ps=after or 0,
            )
        )  # fmt: skip
    return _origin(drafts, section)


def _origin(drafts: list[FlowDraft], section: Section) -> list[FlowDraft]:
    for d in drafts:
        d.origin = section.path
    return drafts


def neighbour_exchange(section: Section, fog_nodes: int, rng: random.Random) -> list[FlowDraft]:
    """Each FN exchanges request/reply with `count` ring neighbours at a drawn period."""
    if not section.typed("enabled", bool, True):
        section.reject_unknown()
        return []
    count = section.integer("count", 2, minimum=0)
    req = _size(section, "request_bytes", 1400)
    rep = _size(section, "reply_bytes", 4000)
    raw_periods = section.raw("periods", ["200ms", "300ms", "400ms"])
    if not isinstance(raw_periods, list) or not raw_periods:
        raise section.error("periods", "expected a non-empty list of times, e.g. ['200ms']")
    periods: list[int] = []
    for k, text in enumerate(raw_periods):
        try:
            periods.append(units.parse_time_ps(text))
        except units.QuantityError as exc:
            raise section.error(f"periods[{k}]", str(exc)) from None
        if periods[-1] <= 0:
            raise section.error(f"periods[{k}]", "must be a positive time")
    after = _reply_after(section)
    section.reject_unknown()
    drafts: list[FlowDraft] = []
    for i in range(fog_nodes):
        for j in neighbours(i, fog_nodes, count):
            period = rng.choice(periods)
            a, b = fog_name(i), fog_name(j)
            drafts.append(FlowDraft(f"nreq_{a}_{b}", "critical", a, b, period, req))
            drafts.append(
                FlowDraft(
                    f"nrep_{b}_{a}", "critical", b, a, period, rep,
                    after=None if after is None else f"nreq_{a}_{b}", after_ps=after or 0,
                )
            )  # fmt: skip
    return _origin(drafts, section)


def ml_exchange(section: Section, fog_nodes: int, payload: MlPayload | None) -> list[FlowDraft]:
    """The ML traffic of one round per period, for each FN.

    `directions = "paper"`: the paper's pair, an FN request of `request_bytes`
    and a cloud reply of the method's per-round data (upload + download bytes,
    Table 1's per-FN communication cost). `directions = "measured"`: the
    measured upload travels FN -> cloud and the measured download cloud -> FN.
    """
    period = section.time_ps("period", "1000ms")
    directions = section.choice("directions", ML_DIRECTIONS, "measured")
    request = _size(section, "request_bytes", 1200)
    after = _reply_after(section)
    if payload is None:
        return []
    drafts: list[FlowDraft] = []
    for i in range(fog_nodes):
        fog = fog_name(i)
        if directions == "paper":
            up, down = request, payload.upload_bytes + payload.download_bytes
        else:
            up, down = payload.upload_bytes, payload.download_bytes
        if up > 0:
            drafts.append(FlowDraft(f"mlup_{fog}", "ml", fog, "cloud", period, up))
        if down > 0:
            link_to = f"mlup_{fog}" if (after is not None and up > 0) else None
            drafts.append(
                FlowDraft(
                    f"mldown_{fog}", "ml", "cloud", fog, period, down,
                    after=link_to, after_ps=after or 0,
                )
            )  # fmt: skip
    return _origin(drafts, section)


def explicit_flows(sections: list[Section]) -> list[FlowDraft]:
    """A profile's [[traffic.flows]]: named flows between named hosts."""
    drafts = []
    for s in sections:
        offset = s.raw("offset", "random")
        drafts.append(
            FlowDraft(
                name=s.string("name"),
                cls=s.choice("class", ("critical", "ml", "background")),  # type: ignore[arg-type]
                src=s.string("src"),
                dst=s.string("dst"),
                period_ps=s.time_ps("period"),
                size_bytes=s.integer("size_bytes", minimum=1),
                offset_ps=None if offset == "random" else s.time_ps("offset", positive=False),
                origin=s.path,
            )
        )
        s.reject_unknown()
    return drafts


def draw_offsets(
    drafts: list[FlowDraft], rng: random.Random, priorities: dict[str, int]
) -> list[Flow]:
    """Give every draft its start offset and priority; offsets are whole nanoseconds.

    A reply tied to a request (`after`) starts `after_ps` after it, wrapped
    into [0, period).
    """
    by_name = {d.name: d for d in drafts}
    offsets: dict[str, int] = {}
    for d in drafts:
        if d.after is None:
            offsets[d.name] = (
                d.offset_ps
                if d.offset_ps is not None
                else rng.randrange(max(1, d.period_ps // 1000)) * 1000
            )
    flows = []
    for d in drafts:
        if d.after is not None:
            offsets[d.name] = (offsets[by_name[d.after].name] + d.after_ps) % d.period_ps
        flows.append(
            Flow(
                name=d.name,
                cls=d.cls,
                src=d.src,
                dst=d.dst,
                period_ps=d.period_ps,
                size_bytes=d.size_bytes,
                offset_ps=offsets[d.name],
                priority=priorities[d.cls],
            )
        )
    return flows
