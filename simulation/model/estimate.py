# SPDX-License-Identifier: MIT
"""How big a run is, before it runs: events and memory estimated from the Scenario alone.

A typo such as `period = "400ns"` or `reply_bytes = 50000000000` otherwise
runs for hours or until the machine runs out of memory. The estimate counts,
per flow, the messages sent in the simulated time, the Ethernet frames of one
message (UDP chunks, IPv4 fragments at the MTU) and the hops of its path:

    events ~ messages x frames x hops x EVENTS_PER_FRAME_HOP

(the embedded engine handles a frame at each hop with an arrival, an end of
transmission and, when it waits, an end of inter-frame gap; OMNeT++ with
INET needs several more), and memory from the largest message, whose
frames are all queued at once when it is sent. The training's round protocol
counts too (each message stream once per round), and the simulated time is
when the run is expected to end, not its cap. 802.1Qbv gates add an event
per change of each traffic class's gate and one for the server it wakes.
Runs above the limits are refused with the flow (or gate control list) that
makes them large (and the overloaded link, if one is), unless forced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from fogcosim.errors import UserError
from simulation.embedded.frames import ip_fragment_payloads
from simulation.model.gcl import periodic_gate
from simulation.model.load import expected_end_ps, offered_load, round_mss, round_period_ps
from simulation.model.scenario import MAX_UDP_PAYLOAD, Flow, Scenario

EVENTS_PER_FRAME_HOP = 3
#: Bytes of engine memory per frame queued at once (frame tuple, datagram share, queue slot).
BYTES_PER_QUEUED_FRAME = 200
MAX_EVENTS = 50_000_000
MAX_MEMORY_BYTES = 4 * 2**30


@dataclass(frozen=True)
class FlowSize:
    """One flow's share of a run."""

    flow: Flow
    messages: int
    frames_per_message: int
    hops: int

    @property
    def events(self) -> int:
        """Estimated events this flow causes."""
        return (self.messages * (1 + self.frames_per_message * self.hops)) * EVENTS_PER_FRAME_HOP


@dataclass(frozen=True)
class RunSize:
    """Estimated events and peak memory of one run, and the flows behind them."""

    events: int
    memory_bytes: int
    flows: tuple[FlowSize, ...]
    #: events of each port's gate control list: ("node -> peer", events)
    gates: tuple[tuple[str, int], ...] = ()

    def largest(self) -> FlowSize:
        """The flow causing the most events."""
        return max(self.flows, key=lambda f: f.events)


def frames_per_message(size_bytes: int, mtu: int, mss: int | None = None) -> int:
    """Ethernet frames one message of `size_bytes` takes (UDP chunks, then IPv4 fragments).

    Over TCP (`mss`): its segments and as many ACKs (at most one per segment).
    """
    if mss is not None:
        return 2 * -(-size_bytes // mss)
    full, rest = divmod(size_bytes, MAX_UDP_PAYLOAD)
    frames = full * len(ip_fragment_payloads(MAX_UDP_PAYLOAD, mtu))
    return frames + (len(ip_fragment_payloads(rest, mtu)) if rest else 0)


def estimate(scenario: Scenario) -> RunSize:
    """The size of a run of `scenario` up to when it is expected to end.

    That is its time limit, or the end of its training rounds when they end
    first (`simulation.model.load.expected_end_ps`); the round protocol's messages
    count once per round, each message stream as a flow of its own.
    """
    end = expected_end_ps(scenario)
    sizes = []
    for flow in scenario.flows:
        messages = 0 if flow.offset_ps > end else (end - flow.offset_ps) // flow.period_ps + 1
        hops = len(scenario.path(flow.src, flow.dst)) - 1
        mss = flow.tcp.mss if flow.tcp else None
        sizes.append(
            FlowSize(flow, messages, frames_per_message(flow.size_bytes, scenario.mtu, mss), hops)
        )
    spec = scenario.rounds
    if spec is not None:
        period = round_period_ps(scenario)
        rounds = spec.rounds if spec.rounds is not None else max(1, end // period)
        for name, cls, src, dst, size in spec.flows():
            del cls
            flow = Flow(name, "ml", src, dst, 0, size)
            hops = len(scenario.path(src, dst)) - 1
            frames = frames_per_message(size, scenario.mtu, round_mss(scenario))
            sizes.append(FlowSize(flow, rounds, frames, hops))
    gates = gate_events(scenario, end)
    events = sum(s.events for s in sizes) + sum(n for _, n in gates)
    burst = max((s.frames_per_message for s in sizes), default=0)
    return RunSize(events, burst * BYTES_PER_QUEUED_FRAME, tuple(sizes), gates)


def gate_events(scenario: Scenario, end_ps: int) -> tuple[tuple[str, int], ...]:
    """Per gate control list: its gates' changes up to `end_ps`, and the serves they wake.

    `end_ps`: when the run is expected to end (`expected_end_ps`); a rounds run ends with
    its rounds, long before its time cap.
    """
    if scenario.tsn is None:
        return ()
    out = []
    for gcl in scenario.tsn.gates:
        changes = 0
        for tc in range(scenario.tsn.traffic_classes):
            gate = periodic_gate(gcl, tc)
            changes += 0 if gate is None else len(gate[2])
        cycles = end_ps // gcl.cycle_ps + 1
        out.append((f"{gcl.node} -> {gcl.peer}", 2 * changes * cycles))
    return tuple(out)


def _count(n: float) -> str:
    return f"{n:.2g}" if n >= 1e6 else f"{int(n):,}"


def check_size(scenario: Scenario, force: bool = False) -> RunSize:
    """Refuse a run beyond the limits (UserError naming the flow responsible) unless forced."""
    size = estimate(scenario)
    if force or not size.flows:
        return size
    top = size.largest()
    if size.memory_bytes > MAX_MEMORY_BYTES:
        big = max(size.flows, key=lambda f: f.frames_per_message)
        raise UserError(
            f"{scenario.name}: one message of flow {big.flow.name!r} ({big.flow.size_bytes:,} B, "
            f"{_count(big.frames_per_message)} frames) needs about "
            f"{math.ceil(size.memory_bytes / 2**30)} GiB at once (limit "
            f"{MAX_MEMORY_BYTES // 2**30} GiB); check its size or pass --force"
        )
    gated = max(size.gates, key=lambda g: g[1], default=None)
    if size.events > MAX_EVENTS and gated is not None and gated[1] > top.events:
        raise UserError(
            f"{scenario.name}: this run would simulate about {_count(size.events)} events "
            f"(limit {_count(MAX_EVENTS)}); the gate control list of {gated[0]} alone makes "
            f"about {_count(gated[1])}; check its cycle, simulate less time, or pass --force"
        )
    if size.events > MAX_EVENTS:
        spec = scenario.rounds
        protocol = [f for f in size.flows if spec is not None and f.flow.period_ps == 0]
        protocol_events = sum(f.events for f in protocol)
        if spec is not None and protocol_events > top.events:
            culprit = (
                f"the training's round protocol alone makes about {_count(protocol_events)} "
                f"({len(spec.fog_nodes)} fog nodes x {protocol[0].messages} rounds of "
                f"{len(spec.stages)} exchange(s))"
            )
        else:
            culprit = (
                f"flow {top.flow.name!r} alone makes about {_count(top.events)} "
                f"({_count(top.messages)} messages of {top.flow.size_bytes:,} B every "
                f"{top.flow.period_ps / 1e12:g} s over {top.hops} hops)"
            )
        overloaded = [d for d in offered_load(scenario) if d.load > 1.0]
        why = (
            f"; link {overloaded[0].label} is offered {overloaded[0].load:.0%} of its capacity, "
            "so its queue grows all run long"
            if overloaded
            else ""
        )
        raise UserError(
            f"{scenario.name}: this run would simulate about {_count(size.events)} events "
            f"(limit {_count(MAX_EVENTS)}); {culprit}{why}; check the sizes and periods, "
            "simulate less time or fewer rounds, or pass --force to run it anyway"
        )
    return size
