# SPDX-License-Identifier: MIT
"""Time-Sensitive Networking in a Scenario: 802.1Q priorities, traffic classes, gates, shapers.

Under `scheduling = "tsn"` every frame carries an IEEE 802.1Q VLAN tag (4 bytes
on the wire) whose priority code point (PCP, 0..7) is its flow's. Each egress
port has `traffic_classes` queues (1..8). A frame's queue is its traffic
class, found from its PCP by the recommended priority to traffic class
mapping of IEEE 802.1Q-2018 Table 8-5 (also INET's `PcpTrafficClassClassifier`
default), and the port sends the first eligible frame of the highest class
(strict priority, 802.1Q 8.6.8.1). Per port, on top of that:

- 802.1Qbv time-aware gates: a `GateControlList` (simulation.model.gcl) opens and
  closes each class's gate on a cycle;
- 802.1Qav credit-based shapers: a class of a port sends only with
  non-negative credit, earned at its idle slope;
- 802.1Qbu / 802.3br frame preemption (`express`): frames of the listed PCPs
  are express and interrupt preemptable frames. As in INET's
  `EthernetPreemptingMacLayer`, a port then has two FIFO queues (express,
  preemptable) instead of traffic classes, and no gates or shapers.

The defaults put critical traffic at PCP 6, where IEC/IEEE 60802 places
isochronous and cyclic control traffic, ML traffic at PCP 0 (best effort)
and background traffic at PCP 1 (background), the traffic types of
IEEE 802.1Q-2018 Table I-2.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulation.embedded.frames import MAX_UDP_PAYLOAD, datagram_wire_bytes
from simulation.model.gcl import GateControlList, GateEntry
from simulation.model.scenario_error import ScenarioError

if TYPE_CHECKING:
    from simulation.model.scenario import Flow, Scenario

#: PCP of each traffic class unless a profile says otherwise.
DEFAULT_PCP = {"critical": 6, "ml": 0, "background": 1}
#: Bytes an 802.1Q tag adds to a frame on the wire.
VLAN_TAG = 4
MAX_TRAFFIC_CLASSES = 8
#: IEEE 802.1Q-2018 Table 8-5: traffic class of PCP p with n classes is TABLE_8_5[p][n - 1].
TABLE_8_5 = (
    (0, 0, 0, 0, 0, 1, 1, 1),
    (0, 0, 0, 0, 0, 0, 0, 0),
    (0, 0, 0, 1, 1, 2, 2, 2),
    (0, 0, 0, 1, 1, 2, 3, 3),
    (0, 1, 1, 2, 2, 3, 4, 4),
    (0, 1, 1, 2, 2, 3, 4, 5),
    (0, 1, 2, 3, 3, 4, 5, 6),
    (0, 1, 2, 3, 4, 5, 6, 7),
)


def traffic_class(pcp: int, classes: int) -> int:
    """The queue of a frame with priority `pcp` on a port with `classes` queues (Table 8-5)."""
    return TABLE_8_5[pcp][classes - 1]


@dataclass(frozen=True)
class CreditShaper:
    """802.1Qav on one traffic class of the port of `node` towards `peer`."""

    node: str
    peer: str
    traffic_class: int
    idle_slope_bps: int


@dataclass(frozen=True)
class TsnSpec:
    """What `scheduling = "tsn"` adds on every port; gates and shapers listed per port."""

    traffic_classes: int = MAX_TRAFFIC_CLASSES
    gates: tuple[GateControlList, ...] = ()
    shapers: tuple[CreditShaper, ...] = ()
    #: PCPs sent as express frames; None: no frame preemption.
    express: tuple[int, ...] | None = None
    #: Profile field of each gate control list, for errors (same order as `gates`).
    origins: tuple[str, ...] = field(default=(), compare=False)
    #: How the gate control lists were made ("": given; "greedy"/"optimal": synthesised) and,
    #: when synthesised, each protected flow's guaranteed latency (ps).
    synthesis: str = ""
    guarantees: tuple[tuple[str, int], ...] = ()
    #: Wall-clock seconds the synthesis took (not part of the scenario's identity).
    synthesis_seconds: float = field(default=0.0, compare=False)

    @property
    def preemption(self) -> bool:
        """Whether ports preempt (802.1Qbu / 802.3br)."""
        return self.express is not None

    def gate(self, node: str, peer: str) -> GateControlList | None:
        """The gate control list of a port, if it has one."""
        return next((g for g in self.gates if (g.node, g.peer) == (node, peer)), None)

    def idle_slopes(self, node: str, peer: str) -> dict[int, int]:
        """Traffic class -> idle slope (bit/s) of a port's credit-based shapers."""
        return {
            s.traffic_class: s.idle_slope_bps
            for s in self.shapers
            if (s.node, s.peer) == (node, peer)
        }

    def queue_of(self, pcp: int) -> int:
        """The queue of a frame of priority `pcp` (with preemption: 0 express, 1 preemptable)."""
        if self.express is not None:
            return 0 if pcp in self.express else 1
        return traffic_class(pcp, self.traffic_classes)

    @property
    def queues(self) -> int:
        """Queues per port."""
        return 2 if self.express is not None else self.traffic_classes


def tsn_to_dict(spec: TsnSpec) -> dict[str, object]:
    """A JSON-ready description (times in ps) for scenario.json."""
    return {
        "traffic_classes": spec.traffic_classes,
        "express": None if spec.express is None else list(spec.express),
        "gates": [
            {
                "node": g.node, "peer": g.peer, "cycle_ps": g.cycle_ps, "base_ps": g.base_ps,
                "entries": [[e.duration_ps, e.open_mask] for e in g.entries],
            }
            for g in spec.gates
        ],
        "shapers": [vars(s) for s in spec.shapers],
        **(
            {"synthesis": spec.synthesis, "guarantees": [list(g) for g in spec.guarantees]}
            if spec.synthesis
            else {}
        ),
    }  # fmt: skip


def tsn_from_dict(data: dict[str, object]) -> TsnSpec:
    """Rebuild a TsnSpec from `tsn_to_dict` output."""
    gates = tuple(
        GateControlList(
            g["node"], g["peer"], g["cycle_ps"],
            tuple(GateEntry(d, m) for d, m in g["entries"]), g["base_ps"],
        )
        for g in data["gates"]  # type: ignore[attr-defined]
    )  # fmt: skip
    shapers = tuple(CreditShaper(**s) for s in data["shapers"])  # type: ignore[attr-defined]
    express = data.get("express")
    return TsnSpec(
        int(data["traffic_classes"]),  # type: ignore[call-overload]
        gates,
        shapers,
        None if express is None else tuple(express),  # type: ignore[arg-type]
        synthesis=str(data.get("synthesis", "")),
        guarantees=tuple((str(f), int(b)) for f, b in data.get("guarantees", [])),  # type: ignore[attr-defined]
    )


def largest_frame(flow: Flow, mtu: int) -> int:
    """Wire bytes (preamble to FCS, with the VLAN tag) of the flow's largest frame."""
    return max(datagram_wire_bytes(min(flow.size_bytes, MAX_UDP_PAYLOAD), mtu)) + VLAN_TAG


def validate_tsn(sc: Scenario) -> None:
    """Check the TSN settings against the topology and the traffic; one-line errors."""
    spec = sc.tsn
    if spec is None:
        raise ScenarioError('scheduling "tsn" needs TSN settings ([tsn])', "tsn")
    gateways = [n.name for n in sc.nodes if n.kind == "gateway"]
    if gateways:
        raise ScenarioError(
            f'scheduling "tsn" with an IP router ({gateways[0]}): 802.1Q priorities do not '
            "cross a router in INET's models; use a switched layout (gateway = false)",
            "simulation.scheduling",
        )
    if not 1 <= spec.traffic_classes <= MAX_TRAFFIC_CLASSES:
        raise ScenarioError(
            f"traffic_classes {spec.traffic_classes} outside 1..8", "tsn.traffic_classes"
        )
    flows = sc.all_flows()
    ports = _ports(sc)
    crossing = _flows_per_port(sc, flows)
    if spec.express is not None:
        if any(not 0 <= p <= 7 for p in spec.express):
            raise ScenarioError(f"express PCPs {list(spec.express)} outside 0..7", "tsn.express")
        if spec.gates or spec.shapers:
            what = "gates" if spec.gates else "shapers"
            raise ScenarioError(
                f"frame preemption (tsn.express) together with tsn.{what}: INET runs neither "
                "combination (its open issues #884 and #989: frames stay queued), so no "
                "reference exists; use preemption or gates/shapers",
                f"tsn.{what}",
            )
    seen: set[tuple[str, str]] = set()
    for i, gcl in enumerate(spec.gates):
        where = spec.origins[i] if i < len(spec.origins) else "tsn.gates"
        _check_port(gcl.node, gcl.peer, ports, seen, where, "gate control list")
        _check_gcl(sc, gcl, crossing.get((gcl.node, gcl.peer), []), where)
    shaped: set[tuple[str, str, int]] = set()
    for s in spec.shapers:
        key = (s.node, s.peer)
        _check_port(s.node, s.peer, ports, set(), "tsn.shapers", "shaper")
        if (s.node, s.peer, s.traffic_class) in shaped:
            raise ScenarioError(
                f"two shapers for traffic class {s.traffic_class} of {s.node} -> {s.peer}",
                "tsn.shapers",
            )
        shaped.add((s.node, s.peer, s.traffic_class))
        if not 0 <= s.traffic_class < spec.traffic_classes:
            raise ScenarioError(
                f"shaper of {s.node} -> {s.peer}: traffic_class {s.traffic_class} outside "
                f"0..{spec.traffic_classes - 1}",
                "tsn.shapers.traffic_class",
            )
        rate = ports[key]
        if not 0 < s.idle_slope_bps < rate:
            raise ScenarioError(
                f"shaper of {s.node} -> {s.peer}, traffic class {s.traffic_class}: idle_slope "
                f"{s.idle_slope_bps} bit/s must be above 0 and below the link rate {rate} bit/s",
                "tsn.shapers.idle_slope",
            )


def _ports(sc: Scenario) -> dict[tuple[str, str], int]:
    """(node, peer) of every egress port -> its link's data rate."""
    out = {}
    for link in sc.links:
        out[(link.a, link.b)] = link.datarate_bps
        out[(link.b, link.a)] = link.datarate_bps
    return out


def _flows_per_port(sc: Scenario, flows: list[Flow]) -> dict[tuple[str, str], list[Flow]]:
    out: dict[tuple[str, str], list[Flow]] = {}
    for flow in flows:
        path = sc.path(flow.src, flow.dst)
        for hop in itertools.pairwise(path):
            out.setdefault(hop, []).append(flow)
    return out


def _check_port(
    node: str, peer: str, ports: dict[tuple[str, str], int], seen: set[tuple[str, str]],
    where: str, what: str,
) -> None:  # fmt: skip
    if (node, peer) not in ports:
        names = sorted({a for a, _ in ports})
        if node not in names:
            raise ScenarioError(
                f"{what}: unknown node {node!r} (allowed: {', '.join(names)})", f"{where}.node"
            )
        peers = sorted(b for a, b in ports if a == node)
        raise ScenarioError(
            f"{what}: {node!r} has no port towards {peer!r} (its neighbours: {', '.join(peers)})",
            f"{where}.peer",
        )
    if (node, peer) in seen:
        raise ScenarioError(f"two {what}s for the port {node} -> {peer}", where)
    seen.add((node, peer))


def _check_gcl(sc: Scenario, gcl: GateControlList, flows: list[Flow], where: str) -> None:
    spec = sc.tsn
    assert spec is not None
    port = f"gate control list of {gcl.node} -> {gcl.peer}"
    limit = 1 << spec.traffic_classes
    for i, entry in enumerate(gcl.entries):
        if entry.open_mask >= limit:
            raise ScenarioError(
                f"{port}: entry {i} opens a traffic class above {spec.traffic_classes - 1} "
                f"(the port has {spec.traffic_classes} queues)",
                f"{where}.entries",
            )
    rate = _ports(sc)[(gcl.node, gcl.peer)]
    starts = [sum(e.duration_ps for e in gcl.entries[:i]) for i in range(len(gcl.entries))]
    for flow in flows:
        tc = spec.queue_of(flow.pcp)
        window = max(gcl.open_for(tc, gcl.base_ps + s) for s in starts)
        if window == 0:
            raise ScenarioError(
                f"{port}: the gate of traffic class {tc} never opens, but flow {flow.name!r} "
                f"(PCP {flow.pcp}) sends through it",
                f"{where}.entries",
            )
        frame = largest_frame(flow, sc.mtu)
        needed = frame * 8 * 10**12 // rate
        if needed > window:
            raise ScenarioError(
                f"{port}: flow {flow.name!r}'s {frame} B frames take {needed / 1e6:g} us, longer "
                f"than traffic class {tc}'s longest open window ({window / 1e6:g} us): they "
                "would wait for ever (guard band)",
                f"{where}.entries",
            )
