# SPDX-License-Identifier: MIT
"""The INET configuration of `scheduling = "tsn"`: TsnDevice hosts and TsnSwitch switches.

INET's TSN nodes use its layered Ethernet interface (`LayeredEthernetInterface`:
a MAC layer whose queue is served by a server, a PHY layer with an explicit
inter-frame gap), which is what its credit-based shaper and frame preemption
need. What is rendered:

- hosts identify each outgoing packet's stream by its name (`<class>_<flow>_...`)
  and encode it as the flow's PCP in an 802.1Q C-tag (`hasOutgoingStreams`);
  switches forward the tag as received (INET's `PacketDirectionReverser`);
- every port's MAC-layer queue is an `Ieee8021qTimeAwareShaper`
  (`hasEgressTrafficShaping`): `traffic_classes` queues, the PCP -> class
  mapping of 802.1Q Table 8-5 (`PcpTrafficClassClassifier`), strict priority
  (`PriorityScheduler`), a `PeriodicGate` per class driven by the port's gate
  control list, and an `Ieee8021qCreditBasedShaper` on shaped classes;
- with preemption (`hasFramePreemption`), INET's `EthernetPreemptingMacLayer`.
  It tells express from preemptable frames by VLAN ID only (output 0, express,
  for VLAN 0; 1, preemptable, for VLAN 1), so the hosts' encoder gives express
  PCPs VLAN 0 and the others VLAN 1, switches forward the VLAN, and the MAC
  classifies by the tag's VLAN ID (`PacketVlanIndClassifier`: INET's default
  `PacketVlanReqClassifier` sees no request once the tag is inserted, and
  would send everything express). Switches forward by VLAN too, and INET's
  `MacForwardingTableConfigurator` fills VLAN 0 only (VLAN 1 frames would be
  flooded), so the forwarding tables are rendered instead, for both VLANs,
  along the tree's unique paths. The MAC layer's own queue is omitted: INET
  4.5.4's `TsnSwitch` puts a queue there that nothing drains (fixed in
  4.6.0), so both versions run the same model.
"""

from __future__ import annotations

from simulation.model import units
from simulation.model.gcl import periodic_gate
from simulation.model.naming import link_directions
from simulation.model.scenario import TRAFFIC_CLASSES, Flow, Scenario
from simulation.model.tsn import TsnSpec

#: Packet-name patterns need the chunk index right after the flow name: a flow `a` must not
#: match flow `a_reply`'s packets (`critical_a_reply_0-3`).
_CHUNK = "{0..999999}"


def _class_pcp(scenario: Scenario) -> dict[str, int]:
    """The PCP most flows of each class have (ties: the lower PCP)."""
    counts: dict[str, dict[int, int]] = {}
    for f in scenario.all_flows():
        per = counts.setdefault(f.cls, {})
        per[f.pcp] = per.get(f.pcp, 0) + 1
    return {cls: min(per, key=lambda p: (-per[p], p)) for cls, per in counts.items()}


def _pcp_filter(pcp: int, flows: list[Flow], class_pcp: dict[str, int]) -> str:
    """A packet-name expression matching the packets of every flow with priority `pcp`."""
    classes = [c for c in TRAFFIC_CLASSES if class_pcp.get(c) == pcp]
    taken = [f"{c}_*" for c in classes]
    taken += [f"{f.cls}_{f.name}_{_CHUNK}-*" for f in flows
              if f.pcp == pcp and class_pcp[f.cls] != pcp]  # fmt: skip
    expression = " or ".join(taken)
    others = [f"{f.cls}_{f.name}_{_CHUNK}-*" for f in flows
              if f.cls in classes and f.pcp != pcp]  # fmt: skip
    if others:
        expression = f"({expression}) and not ({' or '.join(others)})"
    return expression


def tsn_lines(scenario: Scenario) -> tuple[str, list[str]]:
    """The ini lines of a TSN scenario, and the queue comment."""
    spec = scenario.tsn
    assert spec is not None
    capacity = -1 if scenario.queue_capacity is None else scenario.queue_capacity
    cap_text = "unbounded" if capacity == -1 else f"{capacity} frames, drop-tail"
    flows = scenario.all_flows()
    class_pcp = _class_pcp(scenario)
    pcps = sorted({f.pcp for f in flows})
    lines = [f"*.{h.name}.hasOutgoingStreams = true" for h in scenario.hosts]
    identify = ", ".join(
        f'{{stream: "pcp{p}", packetFilter: "{_pcp_filter(p, flows, class_pcp)}"}}' for p in pcps
    )
    lines.append(f"**.bridging.streamIdentifier.identifier.mapping = [{identify}]")
    encode = ", ".join(_encoding(p, spec) for p in pcps)
    lines.append(f"**.bridging.streamCoder.encoder.mapping = [{encode}]")
    for d in link_directions(scenario):
        lines.append(
            f"*.{d.src}.eth[{d.src_gate}].bitrate = {units.format_rate(d.link.datarate_bps)}"
        )
    lines.append(f"**.eth[*].mtu = {scenario.mtu}B")
    if spec.express is not None:
        comment = (
            f"frame preemption: PCPs {', '.join(map(str, spec.express))} express, the rest "
            f"preemptable; one FIFO each, {cap_text}"
        )
        lines += [
            "*.*.hasFramePreemption = true",
            '**.eth[*].macLayer.queue.typename = ""',
            '**.macLayer.outboundClassifier.classifierClass = "inet::PacketVlanIndClassifier"',
            *forwarding_lines(scenario),
        ]
        for sub in ("expressMacLayer", "preemptableMacLayer"):
            lines += _capacity_lines(f"**.eth[*].macLayer.{sub}.queue", capacity)
        return comment, lines
    comment = (
        f"802.1Q, {spec.traffic_classes} traffic classes per port by PCP, strict priority, "
        f"{cap_text}"
    )
    lines += [
        "*.*.hasEgressTrafficShaping = true",
        f"**.eth[*].macLayer.queue.numTrafficClasses = {spec.traffic_classes}",
        *_capacity_lines("**.eth[*].macLayer.queue.queue[*]", capacity),
    ]
    gates = {(d.src, d.dst): d.src_gate for d in link_directions(scenario)}
    for gcl in spec.gates:
        port = f"*.{gcl.node}.eth[{gates[(gcl.node, gcl.peer)]}].macLayer.queue"
        lines.append(f"# gate control list of {gcl.node} -> {gcl.peer}")
        for tc in range(spec.traffic_classes):
            gate = periodic_gate(gcl, tc)
            if gate is None:
                continue
            opened, offset, durations = gate
            prefix = f"{port}.transmissionGate[{tc}]"
            lines.append(f"{prefix}.initiallyOpen = {'true' if opened else 'false'}")
            lines.append(f"{prefix}.offset = {units.format_time(offset)}")
            text = ", ".join(units.format_time(d) for d in durations)
            lines.append(f"{prefix}.durations = [{text}]")
    for s in spec.shapers:
        port = f"*.{s.node}.eth[{gates[(s.node, s.peer)]}].macLayer.queue"
        algorithm = f"{port}.transmissionSelectionAlgorithm[{s.traffic_class}]"
        lines.append(f'{algorithm}.typename = "Ieee8021qCreditBasedShaper"')
        lines.append(f"{algorithm}.idleSlope = {units.format_rate(s.idle_slope_bps)}")
    return comment, lines


def _encoding(pcp: int, spec: TsnSpec) -> str:
    if spec.express is None:
        return f'{{stream: "pcp{pcp}", pcp: {pcp}}}'
    vlan = 0 if pcp in spec.express else 1
    return f'{{stream: "pcp{pcp}", pcp: {pcp}, vlan: {vlan}}}'


def _capacity_lines(queue: str, capacity: int) -> list[str]:
    if capacity == -1:
        return []
    # DropTailQueue: INET's default PacketQueue has no dropper and would never drop
    return [f'{queue}.typename = "DropTailQueue"', f"{queue}.packetCapacity = {capacity}"]


def tsn_drop_lines(scenario: Scenario) -> list[str]:
    """Ini lines that record the overflow drops of every TSN queue."""
    spec = scenario.tsn
    assert spec is not None
    queue = (
        "**.eth[*].macLayer.*MacLayer.queue"
        if spec.express is not None
        else "**.eth[*].macLayer.queue.queue[*]"
    )
    return [f"{queue}.droppedPacketsQueueOverflow:count.scalar-recording = true"]


def explicit_forwarding(scenario: Scenario) -> bool:
    """Whether the switches' forwarding tables are rendered (no L2 configurator)."""
    return scenario.tsn is not None and scenario.tsn.express is not None


def forwarding_lines(scenario: Scenario) -> list[str]:
    """Each switch's MAC forwarding table: every host, in VLAN 0 and 1, on its path's port."""
    gates = {(d.src, d.dst): d.src_gate for d in link_directions(scenario)}
    lines = []
    for node in scenario.nodes:
        if node.is_host:
            continue
        entries = []
        for host in scenario.hosts:
            path = scenario.path(node.name, host.name)
            port = f"eth{gates[(node.name, path[1])]}"
            entries += [
                f'{{address: "{host.name}", interface: "{port}", vlan: {vlan}}}' for vlan in (0, 1)
            ]
        lines.append(f"*.{node.name}.macTable.forwardingTable = [{', '.join(entries)}]")
    return lines
