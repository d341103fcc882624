# SPDX-License-Identifier: MIT
"""IPv4 over the switched tree: datagrams, their frames, relaying, reassembly.

A transport protocol hands the network a `Datagram` (with the wire sizes of
its frames: one per IPv4 fragment, `simulation.embedded.frames`) at the end of
INET's zero-delay chain from the sender down to the interface queue. Switches
and routers store and forward each frame along the tree's unique path, after
INET's relay chain; at the destination host the datagram is whole when its
last fragment arrived, and goes up to the transport protocol that sent it
(`Datagram.proto`). A frame lost to a full queue loses its datagram (IPv4 does
not resend fragments).
"""

from __future__ import annotations

import itertools
from typing import Any, Protocol

from simulation.embedded import inet
from simulation.embedded.egress import DropTailQueue, Frame, StrictPriority
from simulation.embedded.frames import FrameSize, datagram_frames, queue_bits
from simulation.embedded.kernel import Kernel
from simulation.embedded.layered import LayeredMac
from simulation.embedded.mac import EthernetMac, Mac
from simulation.embedded.messages import Message
from simulation.embedded.preempt import PreemptingMac
from simulation.embedded.stats import QueueStats
from simulation.embedded.tsnegress import CreditGate, PeriodicGate, TsnEgress
from simulation.model.gcl import periodic_gate
from simulation.model.naming import LinkDirection, link_directions, tsn_queue_modules
from simulation.model.scenario import Scenario, flow_levels
from simulation.model.tsn import VLAN_TAG


class Transport(Protocol):
    """What the network tells the transport protocol that sent a datagram."""

    def received(self, dgram: Datagram) -> None:
        """The datagram is whole at its destination host (now, in the arrival event)."""

    def lost(self, dgram: Datagram, mac: Mac) -> None:
        """A frame of the datagram was dropped by a full queue of `mac` (once per datagram)."""


class Datagram:
    """One IPv4 datagram in flight: whole when its last fragment arrives."""

    __slots__ = ("created", "dropped", "message", "path", "proto", "qbits", "remaining", "seq",
                 "sink", "size")  # fmt: skip

    def __init__(
        self,
        proto: Transport,
        created: int,
        remaining: int,
        size: int,
        seq: int,
        message: Any,
        path: list[Mac],
        sink: Any = None,
    ) -> None:
        self.proto = proto
        self.created = created
        self.remaining = remaining
        self.size = size
        self.seq = seq
        self.message = message
        self.path = path
        self.sink = sink
        self.dropped = False
        #: bits of its (single) frame in a host's or router's queue, unpadded (None: the
        #: frames' padded size; switches queue frames as received, padded)
        self.qbits: int | None = None


class Network:
    """Every link direction's MAC, the paths between hosts, and IPv4's forwarding."""

    def __init__(self, scenario: Scenario, kernel: Kernel, window: tuple[int, int]) -> None:
        self.scenario = scenario
        self.kernel = kernel
        names = [n.name for n in scenario.nodes]
        index = {name: i for i, name in enumerate(names)}
        is_host = [n.is_host for n in scenario.nodes]
        self.level_of = flow_levels(scenario)
        self.pcp_of = {f.name: f.pcp for f in scenario.all_flows()}
        levels = max(1, len(set(self.level_of.values())))
        self.strict = scenario.scheduling == "strict-priority"
        self.macs: list[Mac] = []
        self.queues: list[QueueStats] = []
        self.tsn = scenario.tsn
        #: INET's chain depths: application to interface queue, and receiver to application
        self.app_depth, self.rx_depth = inet.APP_TO_QUEUE, inet.RX_TO_APP
        #: VLAN tag bytes every frame carries
        self.tag = 0
        if self.tsn is not None:
            self.app_depth, self.rx_depth = inet.TSN_APP_TO_QUEUE, inet.TSN_RX_TO_APP
            self.tag = VLAN_TAG
            self._tsn_ports(scenario, kernel, window, index, is_host)
        for i, d in enumerate(link_directions(scenario) if self.tsn is None else ()):
            stats = (
                [QueueStats(d.src, d.src_gate, lv, warmup=window[0]) for lv in range(levels)]
                if self.strict
                else [QueueStats(d.src, d.src_gate, None, warmup=window[0])]
            )
            if window[0] == 0:  # INET's queues emit their (empty) length at time 0
                for st in stats:
                    st.emit(0)
            self.queues += stats
            egress = StrictPriority(
                [DropTailQueue(s, scenario.queue_capacity, scenario.queue_bytes) for s in stats],
                window[0],
            )
            egress.on_wait = self.waited
            mac = EthernetMac(kernel, i, d, index[d.dst], is_host[index[d.dst]], egress, window)
            mac.on_arrive = self.arrive
            mac.on_drop = self.drop
            self.macs.append(mac)
        self._out = {(m.direction.src, m.direction.dst): m for m in self.macs}
        self._paths: dict[tuple[str, str], list[Mac]] = {}
        self._wires: dict[int, list[FrameSize]] = {}
        #: INET's chain depth from a frame's arrival at a node to its next interface queue
        self.relay_depth = [
            inet.APP_TO_QUEUE
            if is_host[i]
            else inet.ROUTER
            if scenario.nodes[i].kind == "gateway"
            else inet.TSN_RELAY
            if self.tsn is not None
            else inet.RELAY
            for i in range(len(names))
        ]
        self.is_router = [scenario.nodes[i].kind == "gateway" for i in range(len(names))]
        #: per MAC index: (queue index, datagram seq) of frames arriving at the far end
        self.arrived: dict[int, list[tuple[int, int]]] | None = None

    def _tsn_ports(
        self, sc: Scenario, kernel: Kernel, window: tuple[int, int], index: dict[str, int],
        is_host: list[bool],
    ) -> None:  # fmt: skip
        """Every port as INET's TSN nodes build it: layered MAC, 802.1Q egress, gates, shapers."""
        spec = self.tsn
        assert spec is not None
        ports: dict[tuple[str, int], tuple[LinkDirection, TsnEgress]] = {}
        for i, d in enumerate(link_directions(sc)):
            modules = tsn_queue_modules(spec, d.src, d.src_gate)
            stats = [QueueStats(d.src, d.src_gate, q, module=m) for q, m in enumerate(modules)]
            self.queues += stats
            queues = [DropTailQueue(s, sc.queue_capacity, None) for s in stats]
            mac: Mac
            if spec.preemption:
                mac = PreemptingMac(kernel, i, d, index[d.dst], is_host[index[d.dst]], queues,
                                    window)  # fmt: skip
            else:
                egress = TsnEgress(kernel, queues, d.link.datarate_bps)
                for tc, slope in spec.idle_slopes(d.src, d.dst).items():
                    egress.shapers[tc] = CreditGate(egress, tc, slope)
                mac = LayeredMac(kernel, i, d, index[d.dst], is_host[index[d.dst]], egress, window)
                ports[(d.src, d.src_gate)] = (d, egress)
            mac.on_arrive = self.arrive
            mac.on_drop = self.drop
            self.macs.append(mac)
        # gates start in INET's initialisation order: node, interface, traffic class
        order = {n.name: k for k, n in enumerate(sc.nodes)}
        for node, gate in sorted(ports, key=lambda p: (order[p[0]], p[1])):
            d, egress = ports[(node, gate)]
            gcl = spec.gate(d.src, d.dst)
            if gcl is None:
                continue
            for tc in range(spec.traffic_classes):
                state = periodic_gate(gcl, tc)
                if state is not None:
                    egress.gates[tc] = PeriodicGate(egress, tc, *state)

    def level(self, flow: str) -> int:
        """The queue a flow's frames use (its priority level or traffic class; else 0)."""
        if self.tsn is not None:
            return self.tsn.queue_of(self.pcp_of[flow])
        return self.level_of[flow] if self.strict else 0

    def wires(self, udp_payload: int) -> list[FrameSize]:
        """Each frame of a UDP datagram: wire bytes (VLAN tag under TSN), sender-queue bits.

        One list per payload size, shared by every sender of that size (read only): a
        message split into thousands of datagrams (VGG-16 FL: 61 MB, 1.5 M frames per
        round at 18 FNs) would otherwise hold a list of its own per datagram.
        """
        found = self._wires.get(udp_payload)
        if found is None:
            found = self._wires[udp_payload] = datagram_frames(
                udp_payload, self.scenario.mtu, self.tag
            )
        return found

    def path(self, src: str, dst: str) -> list[Mac]:
        """The MACs a datagram from host `src` to host `dst` leaves through, in order."""
        key = (src, dst)
        if key not in self._paths:
            nodes = self.scenario.path(src, dst)
            self._paths[key] = [self._out[hop] for hop in itertools.pairwise(nodes)]
        return self._paths[key]

    def send(
        self, dgram: Datagram, wires: list[FrameSize], level: int, depth: int, root: int
    ) -> None:
        """Hand a datagram's frames to its first interface at the end of the sender's chain.

        Each frame counts in the sender's queue as `frame_size` says (unpadded); a
        router that frames a one-frame packet anew counts it the same (`qbits`).
        """
        frames: list[Frame] = [(w, dgram, level, 0, b) for w, b in wires]
        if len(wires) == 1:
            dgram.qbits = wires[0][1]
        self.kernel.chain(depth, root, dgram.path[0].enqueue, frames)

    def arrive(self, event: tuple[Mac, Frame], depth: int, root: int) -> None:
        """A frame's last bit reached the far end of `mac`'s link (an event handler)."""
        del depth, root
        mac, frame = event
        dgram = frame[1]
        if self.arrived is not None:
            self.arrived.setdefault(mac.index, []).append((frame[2], dgram.seq))
        if mac.to_host:
            dgram.remaining -= 1
            if dgram.remaining == 0 and not dgram.dropped:
                dgram.proto.received(dgram)
            return
        hop = frame[3] + 1
        node = mac.to_node
        depth = self.relay_depth[node]
        # a switch queues the frame as received (padded); a router frames the packet anew
        bits = dgram.qbits if self.is_router[node] and dgram.qbits else queue_bits(frame[0])
        relayed = (frame[0], dgram, frame[2], hop, bits)
        if depth == 0:  # INET's TSN switch queues the frame in the reception event itself
            dgram.path[hop].take(relayed, 0, self.kernel.pos)
            return
        self.kernel.chain(depth, self.kernel.pos, dgram.path[hop].enqueue, [relayed])

    @staticmethod
    def waited(frame: Frame, wait_ps: int) -> None:
        """A frame left its queue after `wait_ps`: its flow learns where it waited."""
        message = frame[1].message
        if isinstance(message, Message):  # a message of a flow (TCP segments have none)
            message.flow.waited(frame[3], wait_ps)

    @staticmethod
    def drop(mac: Mac, frame: Frame, queue: DropTailQueue) -> None:
        """A full queue refused a frame: its datagram is lost."""
        del queue
        dgram = frame[1]
        if not dgram.dropped:
            dgram.dropped = True
            dgram.proto.lost(dgram, mac)
