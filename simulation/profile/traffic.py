# SPDX-License-Identifier: MIT
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

from simulation.model.scenario import Flow, MlPayload, TrafficClass
from simulation.model.tcpconfig import TcpConfig
from simulation.profile.tcp import read_tcp, read_transport
from simulation.profile.tomlfields import Section
from simulation.profile.topology import fog_name

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
    deadline_ps: int | None = None
    #: Priority level; None: the class's level from [simulation.priorities].
    priority: int | None = None
    #: Drafts with the same group share one drawn offset (aligned ML rounds).
    group: str | None = None
    #: A closed loop's reply: the request flow whose arrivals send it, after `processing_ps`.
    trigger: str | None = None
    processing_ps: int = 0
    #: A closed loop's request: the round-trip deadline.
    loop_deadline_ps: int | None = None
    #: 802.1Q PCP (scheduling "tsn"); None: the class's from [tsn.pcp].
    pcp: int | None = None
    transport: str = "udp"
    tcp: TcpConfig | None = None


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


def _pair(
    section: Section, req: FlowDraft, rep_name: str, rep_bytes: int, deadline: int | None
) -> list[FlowDraft]:
    """A request and its reply (from the request's dst back to its src)."""
    after = section.get("reply_after")
    reply = FlowDraft(
        rep_name, req.cls, req.dst, req.src, req.period_ps, rep_bytes,
        after=None if after is None else req.name, after_ps=after or 0,
        deadline_ps=deadline, priority=req.priority, pcp=req.pcp, transport=req.transport,
        tcp=req.tcp,
    )  # fmt: skip
    return [req, reply]


def cloud_exchange(section: Section, fog_nodes: int) -> list[FlowDraft]:
    """Each FN sends a critical request to the cloud; the cloud replies (deadline: the period)."""
    if not section.get("enabled"):
        return []
    req, rep, period = (
        section.get("request_bytes"),
        section.get("reply_bytes"),
        section.get("period"),
    )
    deadline = section.get("deadline") or period
    drafts: list[FlowDraft] = []
    for i in range(fog_nodes):
        fog = fog_name(i)
        request = FlowDraft(
            f"creq_{fog}", "critical", fog, "cloud", period, req, deadline_ps=deadline
        )
        drafts += _pair(section, request, f"crep_{fog}", rep, deadline)
    return _origin(drafts, section)


def _origin(drafts: list[FlowDraft], section: Section) -> list[FlowDraft]:
    for d in drafts:
        d.origin = section.path
    return drafts


def neighbour_exchange(section: Section, fog_nodes: int, rng: random.Random) -> list[FlowDraft]:
    """Each FN exchanges request/reply with `count` ring neighbours at a drawn period."""
    if not section.get("enabled"):
        return []
    count = section.get("count")
    req, rep = section.get("request_bytes"), section.get("reply_bytes")
    periods = section.get("periods")
    if not periods:
        raise section.error("periods", 'expected a non-empty list of times, e.g. ["200ms"]')
    given_deadline = section.get("deadline")
    if given_deadline is None:
        section.note_default("deadline", "each exchange's period")
    section.get("reply_after")
    drafts: list[FlowDraft] = []
    for i in range(fog_nodes):
        for j in neighbours(i, fog_nodes, count):
            period = rng.choice(periods)
            deadline = given_deadline or period
            a, b = fog_name(i), fog_name(j)
            request = FlowDraft(
                f"nreq_{a}_{b}", "critical", a, b, period, req, deadline_ps=deadline
            )
            drafts += _pair(section, request, f"nrep_{b}_{a}", rep, deadline)
    return _origin(drafts, section)


def ml_exchange(
    section: Section, fog_nodes: int, payload: MlPayload | None, mtu: int
) -> list[FlowDraft]:
    """The ML traffic as periodic flows, one round per period, for each FN (`pacing = "periodic"`).

    `directions = "paper"`: the paper's pair, an FN request of `request_bytes`
    and a cloud reply of the method's per-round data (upload + download bytes,
    Table 1's per-FN communication cost). `directions = "measured"`: the
    measured upload travels FN -> cloud and the measured download cloud -> FN.
    `offsets = "aligned"`: every FN's upload starts at one drawn offset (and every
    download at one), the synchronised variant of the paper's model.
    """
    period = section.get("period")
    transport = read_transport(section, "udp")
    tcp = read_tcp(section.sub("tcp"), mtu) if transport == "tcp" else None
    directions = section.get("directions")
    request = section.get("request_bytes") if directions == "paper" else 0
    after = section.get("reply_after")
    aligned = section.get("offsets") == "aligned"
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
            drafts.append(
                FlowDraft(
                    f"mlup_{fog}", "ml", fog, "cloud", period, up,
                    group="mlup" if aligned else None, transport=transport, tcp=tcp,
                )
            )  # fmt: skip
        if down > 0:
            link_to = f"mlup_{fog}" if (after is not None and up > 0) else None
            drafts.append(
                FlowDraft(
                    f"mldown_{fog}", "ml", "cloud", fog, period, down,
                    after=link_to, after_ps=after or 0,
                    group="mldown" if aligned and link_to is None else None,
                    transport=transport, tcp=tcp,
                )
            )  # fmt: skip
    return _origin(drafts, section)


#: Classes whose flows are one-way (a reply makes no sense for them).
ONE_WAY_CLASSES = ("ml",)


def explicit_flows(sections: list[Section], mtu: int) -> list[FlowDraft]:
    """A profile's [[traffic.flows]]: named flows between any hosts, maybe request/reply pairs."""
    drafts = []
    for s in sections:
        transport = read_transport(s, "udp")
        if s.has("tcp") and transport != "tcp":
            raise s.error("tcp", 'applies to transport = "tcp" only (this flow is UDP)')
        request = FlowDraft(
            name=s.get("name"),
            cls=s.get("class"),
            src=s.get("src"),
            dst=s.get("dst"),
            period_ps=s.get("period"),
            size_bytes=s.get("size_bytes"),
            offset_ps=s.get("offset"),
            origin=s.path,
            deadline_ps=s.get("deadline"),
            priority=s.get("priority"),
            pcp=s.get("pcp"),
            transport=transport,
            tcp=read_tcp(s.sub("tcp"), mtu) if transport == "tcp" else None,
        )
        reply_bytes = s.get("reply_bytes")
        if reply_bytes is None:
            for key in ("reply_after", "reply_deadline", "processing", "loop_deadline"):
                if s.has(key):
                    raise s.error(key, "applies to request/reply flows only (set reply_bytes)")
            drafts.append(request)
            continue
        if request.cls in ONE_WAY_CLASSES:
            raise s.error(
                "reply_bytes",
                f"class {request.cls!r} is one-way (replies are allowed for: critical, background)",
            )
        if s.has("reply_after") and s.has("processing"):
            raise s.error(
                "processing", "give processing (closed loop: the reply answers the request's "
                "arrival) or reply_after (open loop: timed from the request's send), not both",
            )  # fmt: skip
        if not s.has("reply_after") and not s.has("processing"):
            raise s.error(
                "processing", "missing: with reply_bytes, give processing (the reply leaves this "
                'long after its request arrived, e.g. processing = "50us") or reply_after (open '
                "loop, timed from the request's send)",
            )  # fmt: skip
        if s.has("loop_deadline") and not s.has("processing"):
            raise s.error(
                "loop_deadline", "applies to closed loops only (give processing, not reply_after: "
                "an open-loop reply does not answer its request, so it has no round trip)",
            )  # fmt: skip
        deadline = s.get("reply_deadline") or request.deadline_ps
        pair = _pair(s, request, f"{request.name}_reply", reply_bytes, deadline)
        if s.has("processing"):
            request.loop_deadline_ps = s.get("loop_deadline")
            pair[1].after = None
            pair[1].trigger = request.name
            pair[1].processing_ps = s.get("processing")
            pair[1].offset_ps = 0  # sent on each request's arrival, not periodically
        for d in pair:
            d.origin = s.path
        drafts += pair
    return drafts


def draw_offsets(
    drafts: list[FlowDraft],
    rng: random.Random,
    priorities: dict[str, int],
    pcps: dict[str, int] | None = None,
) -> list[Flow]:
    """Give every draft its start offset, priority and PCP; offsets are whole nanoseconds.

    A reply tied to a request (`after`) starts `after_ps` after it, wrapped
    into [0, period); drafts of one `group` share the offset drawn for the first.
    Without `pcps` (no TSN) every flow's PCP is 0.
    """
    by_name = {d.name: d for d in drafts}
    offsets: dict[str, int] = {}
    groups: dict[str, int] = {}
    for d in drafts:
        if d.after is not None:
            continue
        if d.offset_ps is not None:
            offsets[d.name] = d.offset_ps
        elif d.group is not None and d.group in groups:
            offsets[d.name] = groups[d.group] % d.period_ps
        else:
            offsets[d.name] = rng.randrange(max(1, d.period_ps // 1000)) * 1000
            if d.group is not None:
                groups[d.group] = offsets[d.name]
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
                priority=priorities[d.cls] if d.priority is None else d.priority,
                deadline_ps=d.deadline_ps,
                trigger=d.trigger,
                processing_ps=d.processing_ps,
                loop_deadline_ps=d.loop_deadline_ps,
                pcp=0 if pcps is None else pcps[d.cls] if d.pcp is None else d.pcp,
                transport=d.transport,  # type: ignore[arg-type]
                tcp=d.tcp,
            )
        )
    return flows
