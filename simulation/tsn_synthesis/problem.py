# SPDX-License-Identifier: MIT
"""The gate-schedule synthesis problem: protected messages, their frames and the ports they cross.

Built once from a `Scenario`, so both synthesisers (greedy, optimal) and the
checker see the same numbers. Every message of a protected flow released
within one cycle (the hyperperiod of the protected flows) is a `Message`: its
release time, its deadline, its ports in path order and the wire time of each
of its frames on each port. The timing model is INET's:

- a frame's wire time counts preamble/SFD, the padded frame with FCS and,
  when tagged, the 4-byte 802.1Q tag (inside the 64-byte minimum, as INET
  pads after inserting the tag); the 12-byte inter-frame gap follows it;
- a hop is store and forward: a frame may leave a switch once its last bit has
  arrived (transmission end + propagation delay); switches add no processing
  delay;
- each direction of a full-duplex link is its own egress port.

Times are integer picoseconds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from simulation.embedded.frames import (
    ETH_FCS,
    ETH_HEADER,
    ETH_IFG,
    ETH_MIN_FRAME,
    ETH_PREAMBLE_SFD,
    IPV4_HEADER,
    ip_fragment_payloads,
    ps_per_byte,
)
from simulation.model.apps import chunk_sizes
from simulation.model.gcl import NUM_CLASSES
from simulation.model.scenario import Flow, Scenario, ScenarioError

#: Bytes an 802.1Q tag adds to each frame.
VLAN_TAG = 4
#: "explicit": other classes' gates close one maximum-size frame (plus the gap) before
#: each protected window; "implicit": only one inter-frame gap before it, relying on the
#: gate's own check that a frame finishes before the gate closes (INET's PeriodicGate
#: `enableImplicitGuardBand`, on by default).
GuardBand = Literal["explicit", "implicit"]
GUARD_BANDS: tuple[str, ...] = ("explicit", "implicit")
DEFAULT_PROTECTED_CLASS = NUM_CLASSES - 1


def frame_wire_bytes(ip_packet_payload: int, tagged: bool) -> int:
    """Wire bytes of one IPv4 packet's frame: preamble/SFD, header, (tag), padding, FCS."""
    tag = VLAN_TAG if tagged else 0
    frame = max(ip_packet_payload + IPV4_HEADER + ETH_HEADER + tag + ETH_FCS, ETH_MIN_FRAME)
    return frame + ETH_PREAMBLE_SFD


def message_frames(size_bytes: int, mtu: int, tagged: bool) -> tuple[int, ...]:
    """Wire bytes of every frame of one message, in sending order (chunks, then fragments)."""
    return tuple(
        frame_wire_bytes(p, tagged)
        for chunk in chunk_sizes(size_bytes)
        for p in ip_fragment_payloads(chunk, mtu)
    )


@dataclass(frozen=True)
class Port:
    """The egress port of `node` towards `peer`: its rate, propagation delay and guard band."""

    node: str
    peer: str
    datarate_bps: int
    delay_ps: int
    #: True when `node` is a host: its queue fills only with its own releases.
    is_source: bool
    #: How long before each protected window the other classes' gates close.
    guard_ps: int

    @property
    def byte_ps(self) -> int:
        """Time to send one byte."""
        return ps_per_byte(self.datarate_bps)

    @property
    def ifg_ps(self) -> int:
        """The inter-frame gap after every frame."""
        return ETH_IFG * self.byte_ps

    @property
    def label(self) -> str:
        """`node->peer`."""
        return f"{self.node}->{self.peer}"


@dataclass(frozen=True)
class Message:
    """One message of a protected flow within the cycle."""

    flow: str
    #: Which message of the flow within the cycle (0, 1, ...).
    index: int
    release_ps: int
    #: Latest acceptable delivery, relative to the release.
    deadline_ps: int
    #: Indices into `Problem.ports`, in path order.
    ports: tuple[int, ...]
    #: Wire time of each frame on each hop: `tx_ps[hop][frame]`.
    tx_ps: tuple[tuple[int, ...], ...]
    #: Tie-break among messages a host releases at the same instant (flow order).
    order: int

    @property
    def frames(self) -> int:
        """Number of frames."""
        return len(self.tx_ps[0])

    @property
    def label(self) -> str:
        """`flow#index`, for messages."""
        return f"{self.flow}#{self.index}"


@dataclass(frozen=True)
class Problem:
    """Everything a synthesiser needs; nothing else is read from the Scenario."""

    ports: tuple[Port, ...]
    messages: tuple[Message, ...]
    cycle_ps: int
    protected_class: int
    flows: tuple[Flow, ...]
    guard_band: GuardBand
    vlan_tag: bool

    @cached_property
    def deadline_ps(self) -> dict[str, int]:
        """Each protected flow's effective deadline (see `build_problem`)."""
        return {m.flow: m.deadline_ps for m in self.messages}

    def arrivals(self, m: Message, hop: int, prev_starts: Sequence[int] | None) -> list[int]:
        """When each frame of `m` enters the queue of its `hop`-th port.

        At the first hop, all frames at the release; later, the end of the frame's
        transmission on the previous hop (starting at `prev_starts`) plus propagation.
        """
        if hop == 0:
            return [m.release_ps] * m.frames
        assert prev_starts is not None
        prev = self.ports[m.ports[hop - 1]]
        return [s + d + prev.delay_ps for s, d in zip(prev_starts, m.tx_ps[hop - 1], strict=True)]

    def delivery_ps(self, m: Message, last_starts: Sequence[int]) -> int:
        """When the last bit of `m` reaches its destination, given its last hop's starts."""
        last = self.ports[m.ports[-1]]
        return last_starts[-1] + m.tx_ps[-1][-1] + last.delay_ps

    def alone(self, m: Message) -> list[list[int]]:
        """Frame starts of `m` on an otherwise idle network (every frame as early as it can)."""
        starts: list[list[int]] = []
        for hop, pi in enumerate(m.ports):
            ifg = self.ports[pi].ifg_ps
            arr = self.arrivals(m, hop, starts[-1] if starts else None)
            row: list[int] = []
            for i, a in enumerate(arr):
                row.append(a if i == 0 else max(a, row[-1] + m.tx_ps[hop][i - 1] + ifg))
            starts.append(row)
        return starts

    def alone_latency_ps(self, m: Message) -> int:
        """Release to delivery of `m` on an otherwise idle network: no schedule beats it."""
        return self.delivery_ps(m, self.alone(m)[-1]) - m.release_ps


def build_problem(
    scenario: Scenario,
    flows: Sequence[str] | None = None,
    *,
    protected_class: int = DEFAULT_PROTECTED_CLASS,
    vlan_tag: bool = True,
    guard_band: GuardBand = "explicit",
) -> Problem:
    """The synthesis problem for `flows` (default: every flow of class "critical").

    The cycle is the least common multiple of the protected flows' periods, so the
    release pattern repeats every cycle. A flow without a deadline gets its period;
    a message must arrive within one cycle in any case. Refuses, in one line naming
    the flow or port, what no schedule can meet: a message slower than its deadline
    on an idle network, or a port whose protected frames need more than the cycle.
    """
    if not 0 <= protected_class < NUM_CLASSES:
        raise ScenarioError(
            f"protected traffic class {protected_class} outside 0..{NUM_CLASSES - 1}",
            "tsn.protected_class",
        )
    if guard_band not in GUARD_BANDS:
        raise ScenarioError(
            f"unknown guard band {guard_band!r} (allowed: {', '.join(GUARD_BANDS)})",
            "tsn.guard_band",
        )
    chosen = _protected_flows(scenario, flows)
    cycle = math.lcm(*(f.period_ps for f in chosen))
    ports: list[Port] = []
    port_index: dict[tuple[str, str], int] = {}
    links = {frozenset((lk.a, lk.b)): lk for lk in scenario.links}
    max_other = frame_wire_bytes(scenario.mtu - IPV4_HEADER, vlan_tag) + ETH_IFG
    messages: list[Message] = []
    for order, flow in enumerate(chosen):
        path = scenario.path(flow.src, flow.dst)
        hops: list[int] = []
        for node, peer in itertools.pairwise(path):
            if (node, peer) not in port_index:
                lk = links[frozenset((node, peer))]
                byte = ps_per_byte(lk.datarate_bps)
                guard = (max_other if guard_band == "explicit" else ETH_IFG) * byte
                port_index[(node, peer)] = len(ports)
                ports.append(
                    Port(
                        node, peer, lk.datarate_bps, lk.delay_ps,
                        scenario.node_by_name[node].is_host, guard,
                    )
                )  # fmt: skip
            hops.append(port_index[(node, peer)])
        frames = message_frames(flow.size_bytes, scenario.mtu, vlan_tag)
        tx = tuple(tuple(b * ports[p].byte_ps for b in frames) for p in hops)
        deadline = flow.period_ps if flow.deadline_ps is None else flow.deadline_ps
        deadline = min(deadline, cycle - max(ports[p].ifg_ps for p in hops))
        for k in range(cycle // flow.period_ps):
            release = flow.offset_ps + k * flow.period_ps
            messages.append(Message(flow.name, k, release, deadline, tuple(hops), tx, order))
    problem = Problem(
        tuple(ports), tuple(messages), cycle, protected_class, chosen, guard_band, vlan_tag
    )
    _check_feasible_alone(problem)
    _check_port_load(problem)
    _check_startup(problem)
    return problem


def _protected_flows(scenario: Scenario, names: Sequence[str] | None) -> tuple[Flow, ...]:
    if names is None:
        chosen = tuple(f for f in scenario.flows if f.cls == "critical")
        if not chosen:
            raise ScenarioError(
                f"scenario {scenario.name} has no critical flows to protect", "tsn.protect"
            )
        return chosen
    by_name = {f.name: f for f in scenario.flows}
    for name in names:
        if name not in by_name:
            known = ", ".join(sorted(by_name)[:8])
            raise ScenarioError(
                f"flow {name!r} to protect is not a periodic flow of {scenario.name} "
                f"(flows: {known}, ...)",
                "tsn.protect",
            )
    if not names:
        raise ScenarioError("no flows to protect were given", "tsn.protect")
    wanted = set(names)
    return tuple(f for f in scenario.flows if f.name in wanted)


def _check_feasible_alone(problem: Problem) -> None:
    for m in problem.messages:
        if m.index:
            continue  # every message of a flow takes the same time alone
        delivery = problem.alone_latency_ps(m)
        if delivery > m.deadline_ps:
            raise ScenarioError(
                f"flow {m.flow!r} cannot be scheduled: on an idle network its message "
                f"({m.frames} frame(s) over {len(m.ports)} hop(s)) needs {delivery / 1e6:g} us, "
                f"more than its deadline of {m.deadline_ps / 1e6:g} us",
                "tsn.protect",
            )


def _check_port_load(problem: Problem) -> None:
    busy = [0] * len(problem.ports)
    users: list[dict[str, int]] = [{} for _ in problem.ports]
    for m in problem.messages:
        for hop, pi in enumerate(m.ports):
            need = sum(m.tx_ps[hop]) + m.frames * problem.ports[pi].ifg_ps
            busy[pi] += need
            users[pi][m.flow] = users[pi].get(m.flow, 0) + need
    for pi, total in enumerate(busy):
        if total > problem.cycle_ps:
            port = problem.ports[pi]
            top = max(users[pi], key=lambda f: users[pi][f])
            raise ScenarioError(
                f"protected flows cannot be scheduled on port {port.label}: their frames need "
                f"{total / 1e6:g} us of every {problem.cycle_ps / 1e6:g} us cycle "
                f"({100 * total / problem.cycle_ps:.0f}% of the link; flow {top!r} alone "
                f"{100 * users[pi][top] / problem.cycle_ps:.0f}%, {len(users[pi])} flows share it)",
                "tsn.protect",
            )


def _check_startup(problem: Problem) -> None:
    """Refuse a host whose last message of a cycle still leaves when the next cycle's begin.

    A host sends in release order, so its messages can leave no earlier than one after
    the other from their releases. If the cycle's last one cannot have left its host by
    the time the next cycle's first is released, then at the start of a run (when no
    earlier cycle exists) that first message would take the missing one's window.
    """
    by_host: dict[int, list[Message]] = {}
    for m in problem.messages:
        by_host.setdefault(m.ports[0], []).append(m)
    for pi, msgs in by_host.items():
        port = problem.ports[pi]
        msgs.sort(key=lambda m: (m.release_ps, m.order))
        t = 0
        for m in msgs:
            t = max(t, m.release_ps) + sum(m.tx_ps[0]) + m.frames * port.ifg_ps
            first = msgs[0]
            if t > first.release_ps + problem.cycle_ps and m is not first:
                raise ScenarioError(
                    f"flow {m.flow!r} cannot be scheduled: its message released at "
                    f"{m.release_ps / 1e6:g} us cannot leave {port.node} before "
                    f"{(t - problem.cycle_ps) / 1e6:g} us into the next cycle, when flow "
                    f"{first.flow!r} has already released a message (at "
                    f"{first.release_ps / 1e6:g} us); at the start of a run that one would "
                    "take the missing message's window: give one of them another offset",
                    "tsn.protect",
                )
