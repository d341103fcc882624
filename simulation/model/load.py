# SPDX-License-Identifier: MIT
"""Offered load of every link direction, computed from the Scenario before a run.

The load of a direction is the wire time its flows ask for per second: for each
flow crossing it, the Ethernet frames of one message (UDP chunks, IPv4
fragments, headers, preamble and the inter-frame gap) times the message rate,
over the link's rate. Above 1 the queue grows for as long as the traffic lasts:
the run still runs, but it says so on the console, in `run.json` and in the
report, because its delays then depend on how long it was simulated.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from simulation.embedded.frames import ETH_IFG, datagram_wire_bytes, wire_bytes
from simulation.model.apps import chunk_sizes
from simulation.model.naming import link_directions
from simulation.model.scenario import Scenario
from simulation.model.tcpconfig import TCP_HEADER
from simulation.model.tsn import VLAN_TAG


@dataclass(frozen=True)
class DirectionLoad:
    """One link direction's offered load and the flows that make it."""

    label: str
    datarate_bps: int
    load: float
    flows: tuple[str, ...]


def _tag(scenario: Scenario) -> int:
    """Bytes of the 802.1Q tag every frame carries under scheduling "tsn" (else 0)."""
    return VLAN_TAG if scenario.scheduling == "tsn" else 0


def frame_wires(scenario: Scenario, size_bytes: int, mss: int | None = None) -> list[int]:
    """Wire bytes of each frame of one message: UDP chunks and fragments, or TCP segments.

    `mss`: the message travels over TCP with this MSS (its ACKs, in the other direction,
    are not counted).
    """
    if mss is not None:
        full, rest = divmod(size_bytes, mss)
        wires = [wire_bytes(mss + TCP_HEADER)] * full + (
            [wire_bytes(rest + TCP_HEADER)] if rest else []
        )
    else:
        wires = [
            w for size in chunk_sizes(size_bytes) for w in datagram_wire_bytes(size, scenario.mtu)
        ]
    tag = _tag(scenario)
    return [w + tag for w in wires] if tag else wires


def message_wire_bytes(scenario: Scenario, size_bytes: int, mss: int | None = None) -> int:
    """Bytes one message of `size_bytes` occupies on each link, inter-frame gaps included."""
    return sum(w + ETH_IFG for w in frame_wires(scenario, size_bytes, mss))


def round_mss(scenario: Scenario) -> int | None:
    """The MSS of the round protocol's messages (None: they travel over UDP)."""
    spec = scenario.rounds
    return None if spec is None or spec.tcp is None else spec.tcp.mss


def expected_round_ps(scenario: Scenario) -> int:
    """An estimate of one round's time on this network: compute, and messages at the cloud.

    Per stage: the slowest fog node's compute, every fog node's upload one after
    another over the cloud's link (the bottleneck they share), the cloud's compute
    with every FN, and every download one after another over that link. Used for
    the pre-run estimates (offered load, events, simulated time), not for results.
    """
    spec = scenario.rounds
    if spec is None:
        return 0
    p = len(spec.fog_nodes)
    cloud_link = next(lk for lk in scenario.links if spec.cloud in (lk.a, lk.b))
    ps_per_byte = 8 * 10**12 // cloud_link.datarate_bps
    mss = round_mss(scenario)
    total = 0
    for st in spec.stages:
        total += max(st.fog_before_ps) + st.cloud_ps(p)
        total += p * message_wire_bytes(scenario, st.up_bytes, mss) * ps_per_byte
        if st.down_kind:
            total += p * message_wire_bytes(scenario, st.down_bytes, mss) * ps_per_byte
    return total


def round_period_ps(scenario: Scenario) -> int:
    """How often rounds follow one another: the batch period, or the round time if longer."""
    spec = scenario.rounds
    assert spec is not None
    return max(spec.batch_period_ps, expected_round_ps(scenario))


def expected_end_ps(scenario: Scenario) -> int:
    """When the run is expected to end: its time limit, or after its rounds (if earlier)."""
    limit = scenario.sim_time_limit_ps
    spec = scenario.rounds
    if spec is None or spec.rounds is None:
        return limit
    return min(limit, scenario.warmup_ps + spec.rounds * round_period_ps(scenario))


def _round_streams(scenario: Scenario) -> list[tuple[str, str, str, int]]:
    """(flow, src, dst, bytes per round) of the round protocol's message streams."""
    spec = scenario.rounds
    return [] if spec is None else [(f, src, dst, b) for f, _, src, dst, b in spec.flows()]


def offered_load(scenario: Scenario) -> list[DirectionLoad]:
    """Every link direction's offered load (fraction of its capacity), in link order.

    The round protocol's messages count once per round, rounds following each
    other every `round_period_ps`.
    """
    bits: dict[tuple[str, str], float] = {}
    flows: dict[tuple[str, str], list[str]] = {}
    streams = [
        (f.name, f.src, f.dst, f.size_bytes, f.period_ps, f.tcp.mss if f.tcp else None)
        for f in scenario.flows
    ]
    if scenario.rounds is not None:
        period, mss = round_period_ps(scenario), round_mss(scenario)
        streams += [(f, s, d, b, period, mss) for f, s, d, b in _round_streams(scenario)]
    for name, src, dst, size, period, seg in streams:
        rate = message_wire_bytes(scenario, size, seg) * 8 * 10**12 / period
        for hop in itertools.pairwise(scenario.path(src, dst)):
            bits[hop] = bits.get(hop, 0.0) + rate
            flows.setdefault(hop, []).append(name)
    out = []
    for d in link_directions(scenario):
        key = (d.src, d.dst)
        out.append(
            DirectionLoad(
                d.label,
                d.link.datarate_bps,
                bits.get(key, 0.0) / d.link.datarate_bps,
                tuple(flows.get(key, ())),
            )
        )
    return out


def overload_warnings(scenario: Scenario) -> list[str]:
    """One line per link direction offered more than its capacity, naming its largest flows."""
    rates = _flow_rates(scenario)
    lines = []
    for d in offered_load(scenario):
        if d.load > 1.0:
            top = sorted(d.flows, key=lambda f: -rates.get(f, 0.0))[:3]
            more = f" and {len(d.flows) - len(top)} more" if len(d.flows) > len(top) else ""
            lines.append(
                f"{scenario.name}: link {d.label} is offered {d.load:.0%} of its "
                f"{d.datarate_bps / 1e6:g} Mbps by {', '.join(top)}{more}: its queue grows for "
                "as long as the traffic lasts, so delays depend on the simulated time"
            )
    return lines


def _flow_rates(scenario: Scenario) -> dict[str, float]:
    """Wire bits per second of each flow and round-protocol stream."""
    rates = {
        f.name: message_wire_bytes(scenario, f.size_bytes, f.tcp.mss if f.tcp else None)
        * 8e12
        / f.period_ps
        for f in scenario.flows
    }
    if scenario.rounds is not None:
        period, mss = round_period_ps(scenario), round_mss(scenario)
        for name, _, _, size in _round_streams(scenario):
            rates[name] = message_wire_bytes(scenario, size, mss) * 8e12 / period
    return rates


def uncontended_delay_ps(
    scenario: Scenario, src: str, dst: str, size_bytes: int, mss: int | None = None
) -> int:
    """Delay of one message on an otherwise idle path: store-and-forward of its frames.

    The least time any message of that size can take from `src` to `dst` (over TCP
    with `mss`: its segments back to back, a bound TCP's windows only lengthen).
    """
    wires = frame_wires(scenario, size_bytes, mss)
    links = scenario.link_by_ends
    ready = [0] * len(wires)  # when each frame is at the current node, ready to be sent
    for a, b in itertools.pairwise(scenario.path(src, dst)):
        link = links[frozenset((a, b))]
        per_byte = 8 * 10**12 // link.datarate_bps
        free = 0
        for i, w in enumerate(wires):
            start = max(ready[i], free)
            end = start + w * per_byte
            free = end + ETH_IFG * per_byte
            ready[i] = end + link.delay_ps
    return ready[-1] if ready else 0


#: The watchdog's floor and its multiple of a round's serial time (`default_stall_timeout_ps`).
STALL_FLOOR_PS = 10 * 10**12
STALL_FACTOR = 10


def serial_round_ps(scenario: Scenario) -> int:
    """A bound on one round's time: every message one after another, then every computation.

    Per stage: the slowest FN's compute, each FN's upload alone on its idle path
    (one after another), the cloud's compute with every FN, and each download
    alone on its idle path. No real round of a working network takes longer.
    """
    spec = scenario.rounds
    if spec is None:
        return 0
    p = len(spec.fog_nodes)
    mss = round_mss(scenario)
    total = 0
    for st in spec.stages:
        total += max(st.fog_before_ps) + st.cloud_ps(p)
        for fog in spec.fog_nodes:
            total += uncontended_delay_ps(scenario, fog, spec.cloud, st.up_bytes, mss)
            if st.down_kind:
                total += uncontended_delay_ps(scenario, spec.cloud, fog, st.down_bytes, mss)
    return total


def default_stall_timeout_ps(scenario: Scenario) -> int:
    """The watchdog's default: 10 x `serial_round_ps`, at least 10 s."""
    return max(STALL_FLOOR_PS, STALL_FACTOR * serial_round_ps(scenario))


def unmeetable_deadline(scenario: Scenario) -> str | None:
    """Why the round deadline is shorter than any fog node's first upload can take, if it is."""
    spec = scenario.rounds
    if spec is None or spec.policy != "deadline" or spec.round_deadline_ps is None:
        return None
    first = spec.stages[0]
    fastest = min(
        first.fog_before_ps[i]
        + uncontended_delay_ps(scenario, fog, spec.cloud, first.up_bytes, round_mss(scenario))
        for i, fog in enumerate(spec.fog_nodes)
    )
    if spec.round_deadline_ps >= fastest:
        return None
    return (
        f"round_deadline {spec.round_deadline_ps / 1e9:g} ms is shorter than any fog node's "
        f"first upload can take (at least {fastest / 1e9:.3f} ms: compute, then sending "
        f"{first.up_bytes:,} B over an idle path): no fog node can meet it"
    )


def unmeetable_flow_deadline(scenario: Scenario) -> tuple[int, str] | None:
    """The first flow whose deadline is below its physical minimum: (flow index, why).

    The minimum is the delay of one message on an idle path: every frame
    serialised on every hop, store and forward, plus propagation
    (`uncontended_delay_ps`). No schedule or priority can beat it, so such a
    deadline is a typo or a wrong unit, not a requirement.
    """
    replies = {f.trigger: f for f in scenario.flows if f.trigger is not None}
    for i, flow in enumerate(scenario.flows):
        mss = flow.tcp.mss if flow.tcp else None
        least = uncontended_delay_ps(scenario, flow.src, flow.dst, flow.size_bytes, mss)
        reply = replies.get(flow.name)
        if flow.loop_deadline_ps is not None and reply is not None:
            loop = (
                least
                + reply.processing_ps
                + uncontended_delay_ps(scenario, reply.src, reply.dst, reply.size_bytes)
            )
            if flow.loop_deadline_ps < loop:
                return i, (
                    f"flow {flow.name!r}: loop_deadline {flow.loop_deadline_ps / 1e6:g} us is "
                    f"below the least round trip its path allows ({loop / 1e6:.3f} us: the "
                    "request and the reply each alone on their paths, plus the processing)"
                )
        if flow.deadline_ps is None:
            continue
        if flow.deadline_ps < least:
            return i, (
                f"flow {flow.name!r}: deadline {flow.deadline_ps / 1e6:g} us is below the "
                f"least delay its path allows ({least / 1e6:.3f} us: {flow.size_bytes:,} B "
                f"serialised on each of {len(scenario.path(flow.src, flow.dst)) - 1} hops, "
                "store and forward, plus propagation)"
            )
    return None
