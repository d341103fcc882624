"""The embedded engine: a packet-level discrete-event simulation of a Scenario.

It mirrors what the rendered INET 4.5 model does, so both give the same numbers:
- the app plan of `simulation.apps` (same apps, ports, start times, chunking);
- UDP/IPv4 framing and IPv4 fragmentation at the MTU (`frames`);
- per link direction a transmitter with a FIFO queue, or strict priority by
  class level; frames follow each other after a 12-byte inter-frame gap;
- store-and-forward switches and gateways along the tree's unique path
  (INET: MacForwardingTableConfigurator + Ipv4NetworkConfigurator routes);
- IPv4 reassembly at the destination; the sink records arrival - creation;
- events up to and including the simulated time limit, as OMNeT++ does.

Times are integer picoseconds. The event queue is a heap of
(time, sequence, kind, a, b) tuples: the sequence number is a stable
tie-break, so equal-time events run in the order they were scheduled and the
same Scenario always gives the same results.

For FIFO queues the start of a frame's transmission is known when it is
queued (Lindley's recursion: start = max(arrival, previous end + IFG)), so the
engine schedules only one event per frame per hop (its arrival at the next
node). Strict-priority queues use explicit transmitter-free events.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from dataclasses import dataclass, field

from fogcosim.errors import UserError
from simulation.apps import App, plan_apps
from simulation.embedded.frames import ETH_IFG, datagram_wire_bytes, ps_per_byte
from simulation.naming import LinkDirection, link_directions
from simulation.scenario import Scenario, priority_levels

SEND, ARRIVE, TXFREE = 0, 1, 2


class UnsupportedFeatureError(UserError):
    """The scenario uses something the embedded engine does not model."""


class Port:
    """The transmitting side of one link direction, with its queue and counters."""

    __slots__ = (
        "busy_ps",
        "bytes",
        "delay",
        "direction",
        "drop_bytes",
        "drops",
        "frames",
        "free_at",
        "ifg",
        "last_end",
        "levels",
        "ppb",
        "to_node",
        "tx_busy",
        "waiting",
    )  # fmt: skip

    def __init__(self, direction: LinkDirection, to_node: int, num_levels: int) -> None:
        self.direction = direction
        self.ppb = ps_per_byte(direction.link.datarate_bps)
        self.ifg = ETH_IFG * self.ppb
        self.delay = direction.link.delay_ps
        self.to_node = to_node
        self.free_at = 0
        self.waiting: deque[int] = deque()  # FIFO: start times of frames still queued
        self.levels: list[deque[tuple[int, Datagram, int, int]]] = [
            deque() for _ in range(num_levels)
        ]
        self.tx_busy = False
        self.busy_ps = 0
        self.bytes = 0
        self.frames = 0
        self.last_end = 0
        self.drops = 0
        self.drop_bytes = 0


class Datagram:
    """One UDP datagram in flight: delivered when its last fragment arrives."""

    __slots__ = ("created", "dropped", "remaining", "seq", "sink", "size")

    def __init__(self, created: int, remaining: int, sink: SinkStats, size: int, seq: int) -> None:
        self.created = created
        self.remaining = remaining
        self.sink = sink
        self.size = size
        self.seq = seq
        self.dropped = False


@dataclass
class Trace:
    """Optional record of a run's internals, for property tests (costs time; off by default)."""

    event_times: list[int] = field(default_factory=list)
    #: per port index: (class level, datagram seq) in the order frames were queued
    queued: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    #: per port index: (class level, datagram seq) in the order frames started transmission
    sent: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass
class SinkStats:
    """What one UdpSink saw: datagram count, bytes, and each end-to-end delay."""

    app: App
    received: int = 0
    bytes: int = 0
    delays_ps: list[int] = field(default_factory=list)
    arrival_ps: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)


@dataclass
class SourceStats:
    """What one UdpBasicApp sent."""

    app: App
    sent: int = 0
    bytes: int = 0


@dataclass
class PortResult:
    """Per link direction: frames, bytes on the wire, busy time, drops."""

    direction: LinkDirection
    frames: int
    bytes: int
    busy_ps: int
    last_end_ps: int
    drops: int
    drop_bytes: int


@dataclass
class EngineResult:
    """Everything one run measured, ready for the result-file writer."""

    scenario: Scenario
    sim_time_ps: int
    events: int
    wall_seconds: float
    sinks: list[SinkStats]
    sources: list[SourceStats]
    ports: list[PortResult]
    #: datagrams lost to a full queue (any fragment dropped) and their UDP payload bytes
    dropped_datagrams: int = 0
    dropped_bytes: int = 0


def check_supported(scenario: Scenario) -> None:
    """Refuse, by name, anything in the Scenario this engine does not model."""
    for flow in scenario.flows:
        if flow.transport != "udp":
            raise UnsupportedFeatureError(
                f"flow {flow.name!r}: transport {flow.transport!r} is not modelled by the "
                "embedded engine (supported: udp); use --backend omnetpp"
            )
    if scenario.scheduling not in ("fifo", "strict-priority"):
        raise UnsupportedFeatureError(
            f"scheduling {scenario.scheduling!r} is not modelled by the embedded engine "
            "(supported: fifo, strict-priority)"
        )


class Engine:
    """One simulation run of a Scenario over its hyperperiod."""

    def __init__(self, scenario: Scenario) -> None:
        check_supported(scenario)
        self.scenario = scenario
        self.limit = scenario.hyperperiod_ps
        self.node_names = [n.name for n in scenario.nodes]
        index = {name: i for i, name in enumerate(self.node_names)}
        self.is_host = [n.is_host for n in scenario.nodes]
        levels = priority_levels(scenario)
        self.fifo = scenario.scheduling == "fifo"
        self.level_of = {cls: i for i, group in enumerate(levels) for cls in group}
        self.capacity = scenario.queue_capacity
        self.ports = [Port(d, index[d.dst], max(1, len(levels))) for d in link_directions(scenario)]
        out_port = {(p.direction.src, p.direction.dst): p for p in self.ports}
        # next hop: for every destination host, the port each node forwards on
        self.route: list[dict[int, Port]] = [{} for _ in self.node_names]
        for host in scenario.hosts:
            for node in self.node_names:
                if node != host.name:
                    path = scenario.path(node, host.name)
                    self.route[index[node]][index[host.name]] = out_port[(node, path[1])]
        plan = plan_apps(scenario)
        self.sinks: dict[tuple[str, int], SinkStats] = {}
        self.sources: list[SourceStats] = []
        self.source_info: list[tuple[SourceStats, Port, SinkStats, list[int], int, int]] = []
        for host_name, apps in plan.items():
            for app in apps:
                if app.role == "sink":
                    self.sinks[(host_name, app.port)] = SinkStats(app)
        for host_name, apps in plan.items():
            for app in apps:
                if app.role == "source":
                    src = SourceStats(app)
                    self.sources.append(src)
                    self.source_info.append(
                        (
                            src,
                            self.route[index[host_name]][index[app.dest]],
                            self.sinks[(app.dest, app.port)],
                            datagram_wire_bytes(app.size_bytes, scenario.mtu),
                            self.level_of[app.cls],
                            index[app.dest],
                        )
                    )

    def run(self, drain: bool = False, trace: Trace | None = None) -> EngineResult:
        """Simulate up to and including the hyperperiod; return what was measured.

        `drain` (for tests): after the hyperperiod send nothing new but deliver
        everything still queued or on the wire, so sent = delivered + dropped.
        """
        started = time.perf_counter()
        limit = self.limit
        horizon = 1 << 62 if drain else limit
        port_id = {id(p): i for i, p in enumerate(self.ports)}
        lost = [0, 0]
        heap: list[tuple[int, int, int, object, object]] = []
        seq = 0
        for i, (src, *_rest) in enumerate(self.source_info):
            if src.app.start_ps <= limit:
                heap.append((src.app.start_ps, seq, SEND, i, None))
                seq += 1
        heapq.heapify(heap)
        push, pop = heapq.heappush, heapq.heappop
        route, is_host, capacity, fifo = self.route, self.is_host, self.capacity, self.fifo
        events = 0

        def count_tx(port: Port, wire: int, start: int, end: int) -> None:
            if start <= limit:  # OMNeT++ stops after the events at the time limit
                port.bytes += wire
                port.frames += 1
                port.busy_ps += (end if end < limit else limit) - start
                port.last_end = end if end < limit else limit

        def drop(port: Port, frame: tuple[int, Datagram, int, int]) -> None:
            port.drops += 1
            port.drop_bytes += frame[0]
            dgram = frame[1]
            if not dgram.dropped:
                dgram.dropped = True
                lost[0] += 1
                lost[1] += dgram.size

        def start_tx(port: Port, frame: tuple[int, Datagram, int, int], now: int) -> None:
            nonlocal seq
            wire = frame[0]
            end = now + wire * port.ppb
            count_tx(port, wire, now, end)
            port.free_at = end + port.ifg
            if trace is not None:
                trace.sent.setdefault(port_id[id(port)], []).append((frame[2], frame[1].seq))
            if end + port.delay <= horizon:
                push(heap, (end + port.delay, seq, ARRIVE, port, frame))
                seq += 1
            port.tx_busy = True
            if port.free_at <= horizon:
                push(heap, (port.free_at, seq, TXFREE, port, None))
                seq += 1

        def enqueue(port: Port, frame: tuple[int, Datagram, int, int], now: int) -> None:
            nonlocal seq
            if trace is not None:
                trace.queued.setdefault(port_id[id(port)], []).append((frame[2], frame[1].seq))
            if not fifo:
                if not port.tx_busy:
                    start_tx(port, frame, now)
                    return
                queue = port.levels[frame[2]]
                if capacity is not None and len(queue) >= capacity:
                    drop(port, frame)
                    return
                queue.append(frame)
                return
            start = port.free_at if port.free_at > now else now
            if capacity is not None:
                waiting = port.waiting
                while waiting and waiting[0] <= now:
                    waiting.popleft()
                if len(waiting) >= capacity:
                    drop(port, frame)
                    return
                if start > now:
                    waiting.append(start)
            if start > horizon:
                return
            wire = frame[0]
            end = start + wire * port.ppb
            port.free_at = end + port.ifg
            count_tx(port, wire, start, end)
            if trace is not None:
                trace.sent.setdefault(port_id[id(port)], []).append((frame[2], frame[1].seq))
            if end + port.delay <= horizon:
                push(heap, (end + port.delay, seq, ARRIVE, port, frame))
                seq += 1

        datagrams = 0
        while heap:
            now, _, kind, a, b = pop(heap)
            events += 1
            if trace is not None:
                trace.event_times.append(now)
            if kind == ARRIVE:
                port: Port = a  # type: ignore[assignment]
                frame: tuple[int, Datagram, int, int] = b  # type: ignore[assignment]
                node = port.to_node
                if is_host[node]:
                    dgram = frame[1]
                    dgram.remaining -= 1
                    if dgram.remaining == 0 and not dgram.dropped:
                        sink = dgram.sink
                        sink.received += 1
                        sink.bytes += dgram.size
                        sink.delays_ps.append(now - dgram.created)
                        sink.arrival_ps.append(now)
                        sink.events.append(events)
                else:
                    enqueue(route[node][frame[3]], frame, now)
            elif kind == SEND:
                src, port, sink, wires, level, dest = self.source_info[a]  # type: ignore[call-overload]
                app = src.app
                src.sent += 1
                src.bytes += app.size_bytes
                datagrams += 1
                dgram = Datagram(now, len(wires), sink, app.size_bytes, datagrams)
                for wire in wires:
                    enqueue(port, (wire, dgram, level, dest), now)
                nxt = now + app.period_ps
                if nxt <= limit:
                    push(heap, (nxt, seq, SEND, a, None))
                    seq += 1
            else:  # TXFREE
                port = a  # type: ignore[assignment]
                port.tx_busy = False
                for queue in port.levels:
                    if queue:
                        start_tx(port, queue.popleft(), now)
                        break
        return EngineResult(
            scenario=self.scenario,
            sim_time_ps=limit,
            events=events,
            wall_seconds=time.perf_counter() - started,
            sinks=list(self.sinks.values()),
            sources=self.sources,
            ports=[
                PortResult(
                    p.direction, p.frames, p.bytes, p.busy_ps, p.last_end, p.drops, p.drop_bytes
                )
                for p in self.ports
            ],
            dropped_datagrams=lost[0],
            dropped_bytes=lost[1],
        )
