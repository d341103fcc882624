# SPDX-License-Identifier: MIT
"""Module paths of a Scenario as OMNeT++/INET names them, shared by both backends.

The NED renderer connects links in Scenario order with `ethg++`, so a node's
Ethernet gate index is the number of earlier links that touch it. Result files
name channels `<network>.<node>.ethg$o[<gate>].channel` (the transmitting
side's output gate) and apps `<network>.<host>.app[<i>]`.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.model.scenario import Link, Scenario
from simulation.model.tsn import TsnSpec

#: INET NED type of each node kind.
NED_TYPES = {
    "fog": "StandardHost",
    "cloud": "StandardHost",
    "host": "StandardHost",
    "switch": "EthernetSwitch",
    "gateway": "Router",
}
#: INET NED type of each node kind under scheduling "tsn" (no routers: they are refused).
TSN_NED_TYPES = {**NED_TYPES, "fog": "TsnDevice", "cloud": "TsnDevice", "host": "TsnDevice",
                 "switch": "TsnSwitch"}  # fmt: skip


@dataclass(frozen=True)
class LinkDirection:
    """One direction of a full-duplex link: `src` transmits to `dst`."""

    link_index: int
    link: Link
    src: str
    dst: str
    src_gate: int
    dst_gate: int

    def channel_module(self, network: str) -> str:
        """Result-file module path of this direction's channel."""
        return f"{network}.{self.src}.ethg$o[{self.src_gate}].channel"

    @property
    def label(self) -> str:
        """Human-readable `src->dst`."""
        return f"{self.src}->{self.dst}"


def gate_indices(scenario: Scenario) -> list[tuple[int, int]]:
    """For each link (in order), the gate index at its `a` end and at its `b` end."""
    used: dict[str, int] = {}
    out = []
    for link in scenario.links:
        ga = used.get(link.a, 0)
        gb = used.get(link.b, 0)
        used[link.a] = ga + 1
        used[link.b] = gb + 1
        out.append((ga, gb))
    return out


def link_directions(scenario: Scenario) -> list[LinkDirection]:
    """Both directions of every link, a->b then b->a, in link order."""
    out = []
    for i, (link, (ga, gb)) in enumerate(zip(scenario.links, gate_indices(scenario), strict=True)):
        out.append(LinkDirection(i, link, link.a, link.b, ga, gb))
        out.append(LinkDirection(i, link, link.b, link.a, gb, ga))
    return out


def tsn_queue_modules(spec: TsnSpec, node: str, gate: int) -> list[str]:
    """Module paths (below the network) of one TSN port's queues, in queue-index order."""
    base = f"{node}.eth[{gate}].macLayer"
    if spec.express is not None:
        return [f"{base}.expressMacLayer.queue", f"{base}.preemptableMacLayer.queue"]
    return [f"{base}.queue.queue[{tc}]" for tc in range(spec.traffic_classes)]
