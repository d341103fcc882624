"""The embedded engine: a packet-level discrete-event simulation of a Scenario.

It mirrors what the rendered INET 4.5 model does, so both give the same numbers:
- the app plan of `simulation.apps` (same apps, ports, start times, chunking);
- UDP/IPv4 framing and IPv4 fragmentation at the MTU (`frames`);
- per link direction an Ethernet MAC: a FIFO queue (or one per priority
  level, served by strict priority), one frame on the wire at a time, then a
  12-byte inter-frame gap (INET's `EthernetMac`: end-of-transmission and
  end-of-gap events);
- store-and-forward switches and gateways along the tree's unique path;
- IPv4 reassembly at the destination; the sink records arrival - creation;
- events up to and including the time limit, as OMNeT++ processes them;
- OMNeT++'s warm-up: results emitted before `Scenario.warmup_ps` are ignored.

Times are integer picoseconds. Equal-time events run in OMNeT++'s order: the
heap key is (time, scheduled-at time, chain depth, position of the
scheduling event, sequence); see `simulation.embedded.inet` for why and for
the chain depths. Work that INET does in a chain of zero-delay events (an
app's datagram going down to the MAC, a frame crossing a switch) is done at
once when no other event shares the instant, and as a deferred event with
the chain's depth when one does, so the outcome is INET's either way.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import deque
from dataclasses import dataclass, field

from simulation.apps import all_flows, chunk_sizes, plan_apps
from simulation.embedded import inet
from simulation.embedded.frames import ETH_IFG, datagram_wire_bytes, ps_per_byte
from simulation.embedded.roundapp import CloudApp, FogApp, RoundApp
from simulation.embedded.stats import (
    EngineResult,
    FlowStats,
    PortResult,
    QueueStats,
    SinkStats,
    SourceStats,
)
from simulation.naming import LinkDirection, link_directions
from simulation.scenario import Scenario, flow_levels

SEND, ARRIVE, ENDTX, ENDIFG, ENQUEUE, TIMER, APPMSG = 0, 1, 2, 3, 4, 5, 6
#: Chain depth of the events scheduled while the simulation initialises (before any event).
INIT_DEPTH = -1
NEVER = 1 << 62


class Port:
    """The transmitting side of one link direction: its MAC, queue(s) and counters."""

    __slots__ = (
        "busy",
        "bytes",
        "capacity",
        "delay",
        "direction",
        "endtx_pos",
        "first",
        "frames",
        "free_at",
        "ifg",
        "ifg_pending",
        "index",
        "last_end",
        "levels",
        "ppb",
        "queues",
        "to_host",
        "to_node",
        "transmitting",
        "tx_end",
    )  # fmt: skip

    def __init__(
        self, index: int, direction: LinkDirection, to_node: int, to_host: bool, levels: int
    ) -> None:
        self.index = index
        self.direction = direction
        self.ppb = ps_per_byte(direction.link.datarate_bps)
        self.ifg = ETH_IFG * self.ppb
        self.delay = direction.link.delay_ps
        self.to_node = to_node
        self.to_host = to_host
        self.levels: list[deque[Frame]] = [deque() for _ in range(levels)]
        self.queues: list[QueueStats] = []
        self.capacity: int | None = None
        self.transmitting = False
        self.ifg_pending = False
        self.tx_end = 0
        self.free_at = 0
        self.endtx_pos = 0
        # results (after the warm-up)
        self.bytes = 0
        self.frames = 0
        self.busy = 0
        #: OMNeT++'s channel emits "idle" at time 0, which counts unless there is a warm-up
        self.first: int | None = None
        self.last_end: int | None = None  # end of the latest transmission, any time


class Message:
    """One message of a flow: its chunks (datagrams) are sent together (by one app each)."""

    __slots__ = ("app", "chunks_left", "counted", "created", "dropped", "flow", "info", "key")

    def __init__(self, flow: FlowStats, created: int, counted: bool, key: tuple[int, int]) -> None:
        self.flow = flow
        self.created = created
        self.counted = counted
        self.key = key
        self.chunks_left = flow.chunks
        self.dropped = False
        #: the round-protocol app it is for, and (stage, direction, fog, round)
        self.app: RoundApp | None = None
        self.info: tuple[int, str, int, int] = (0, "", 0, 0)


class Datagram:
    """One UDP datagram in flight: delivered when its last fragment arrives."""

    __slots__ = ("created", "dropped", "message", "path", "remaining", "seq", "sink", "size")

    def __init__(
        self,
        created: int,
        remaining: int,
        sink: SinkStats | None,
        size: int,
        seq: int,
        message: Message,
        path: list[Port],
    ) -> None:
        self.created = created
        self.remaining = remaining
        self.sink = sink
        self.size = size
        self.seq = seq
        self.message = message
        self.path = path
        self.dropped = False


#: A frame on its way: (wire bytes, datagram, queue level, hop index along the datagram's path).
Frame = tuple[int, Datagram, int, int]


@dataclass
class Trace:
    """Optional record of a run's internals, for property tests (costs time; off by default)."""

    #: per port index: (level, datagram seq) in the order frames entered its queue or MAC
    entered: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    #: per port index: (level, datagram seq) in the order frames arrived at the far end
    arrived: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass
class _Source:
    stats: SourceStats
    flow: FlowStats
    sink: SinkStats
    path: list[Port]
    wires: list[int]
    level: int
    sent: int = 0


class Engine:
    """One simulation run of a Scenario up to its time limit."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.limit = scenario.sim_time_limit_ps
        self.warmup = scenario.warmup_ps
        names = [n.name for n in scenario.nodes]
        index = {name: i for i, name in enumerate(names)}
        is_host = [n.is_host for n in scenario.nodes]
        self.level_of = flow_levels(scenario)
        nlevels = max(1, len(set(self.level_of.values())))
        strict = scenario.scheduling == "strict-priority"
        self.ports: list[Port] = []
        self.queues: list[QueueStats] = []
        for i, d in enumerate(link_directions(scenario)):
            port = Port(i, d, index[d.dst], is_host[index[d.dst]], nlevels if strict else 1)
            port.capacity = scenario.queue_capacity
            port.first = 0 if self.warmup == 0 else None
            if strict:
                port.queues = [QueueStats(d.src, d.src_gate, lv) for lv in range(nlevels)]
            else:
                port.queues = [QueueStats(d.src, d.src_gate, None)]
            self.queues += port.queues
            self.ports.append(port)
        self._out = {(p.direction.src, p.direction.dst): p for p in self.ports}
        self._paths: dict[tuple[str, str], list[Port]] = {}
        self.strict = strict
        plan = plan_apps(scenario)
        flows = {f.name: f for f in scenario.flows}
        self.flows: dict[str, FlowStats] = {}
        for f in all_flows(scenario):
            self.flows[f.name] = FlowStats(f, len(chunk_sizes(f.size_bytes)))
        self.sinks: dict[tuple[str, int], SinkStats] = {}
        for host, apps in plan.items():
            for app in apps:
                if app.role == "sink":
                    self.sinks[(host, app.port)] = SinkStats(app)
        self.sources: list[_Source] = []
        for host, apps in plan.items():
            for app in apps:
                if app.role != "source":
                    continue
                flow = flows[app.flow]
                level = self.level_of[flow.name] if strict else 0
                self.sources.append(
                    _Source(
                        SourceStats(app),
                        self.flows[app.flow],
                        self.sinks[(app.dest, app.port)],
                        self.path(host, app.dest),
                        datagram_wire_bytes(app.size_bytes, scenario.mtu),
                        level,
                    )
                )
        #: ("source", module) / ("rounds", module) in OMNeT++'s initialisation order
        self._plan_order = [
            (app.role, f"{scenario.network}.{app.module}")
            for apps in plan.values()
            for app in apps
            if app.role in ("source", "rounds")
        ]
        self.apps: list[RoundApp] = []
        rounds = scenario.rounds
        if rounds is not None:
            for host, apps in plan.items():
                for app in apps:
                    if app.role != "rounds":
                        continue
                    module = f"{scenario.network}.{app.module}"
                    if host == rounds.cloud:
                        self.apps.append(CloudApp(rounds, host, module))
                    else:
                        fog_index = rounds.fog_nodes.index(host)
                        self.apps.append(FogApp(rounds, host, module, index=fog_index))
            cloud = next(a for a in self.apps if isinstance(a, CloudApp))
            for a in self.apps:
                if isinstance(a, FogApp):
                    a.cloud_app = cloud
        self._chain = [
            inet.APP_TO_QUEUE
            if is_host[i]
            else inet.ROUTER
            if scenario.nodes[i].kind == "gateway"
            else inet.RELAY
            for i in range(len(names))
        ]

    def path(self, src: str, dst: str) -> list[Port]:
        """The ports a datagram from host `src` to host `dst` leaves through, in order."""
        key = (src, dst)
        if key not in self._paths:
            nodes = self.scenario.path(src, dst)
            self._paths[key] = [self._out[hop] for hop in itertools.pairwise(nodes)]
        return self._paths[key]

    # ------------------------------------------------------------------ the run

    def run(self, drain: bool = False, trace: Trace | None = None) -> EngineResult:
        """Simulate up to and including the time limit; return what was measured.

        `drain` (for tests): after the limit send nothing new but deliver
        everything still queued or on the wire, so sent = delivered + dropped.
        """
        started = time.perf_counter()
        limit, warmup = self.limit, self.warmup
        horizon = NEVER if drain else limit
        heap: list[tuple[int, int, int, int, int, int, object, object]] = []
        push, pop = heapq.heappush, heapq.heappop
        seq = 0
        pos = 0
        now = 0
        datagrams = 0
        stopped = False
        open_messages: dict[tuple[int, int], Message] = {}
        chain_depth = self._chain
        mtu = self.scenario.mtu
        # where the current handler sits in INET's chain of events: depth and root event
        ctx_depth, ctx_root = INIT_DEPTH, 0

        def transmit(port: Port, frame: Frame, now: int, depth: int, ipos: int) -> None:
            nonlocal seq
            wire = frame[0]
            end = now + wire * port.ppb
            if now >= warmup:
                port.bytes += wire
                port.frames += 1
            # OMNeT++'s timeavg(channelBusy), warm-up filtered: see PortResult
            if port.first is None:
                prev = port.last_end
                if prev is not None and warmup <= prev < now:
                    port.first = prev
                elif now >= warmup:
                    port.first = now
            if port.first is not None and now >= port.first:
                port.busy += (end if end < limit else limit) - now
            port.last_end = end
            port.transmitting = True
            port.tx_end = end
            port.free_at = end + port.ifg
            if end + port.delay <= horizon:
                push(heap, (end + port.delay, now, depth, ipos, seq, ARRIVE, port, frame))
                seq += 1
            if end <= horizon:
                push(heap, (end, now, depth, ipos, seq, ENDTX, port, None))
                seq += 1

        def drop(port: Port, frame: Frame, now: int) -> None:
            dgram = frame[1]
            if now >= warmup:
                stats = port.queues[frame[2]]
                stats.drops += 1
                stats.drop_bytes += frame[0]
            if not dgram.dropped:
                dgram.dropped = True
                message = dgram.message
                if not message.dropped:
                    message.dropped = True
                    if message.counted:
                        flow = message.flow
                        flow.dropped += 1
                        flow.drops.append((now, message.key[1], port.index, pos))
                self._resolve_chunk(message, open_messages)

        def enqueue(port: Port, frame: Frame, now: int, depth: int, ipos: int) -> None:
            nonlocal seq
            if trace is not None:
                trace.entered.setdefault(port.index, []).append((frame[2], frame[1].seq))
            if not port.transmitting and now >= port.free_at and not port.ifg_pending:
                transmit(port, frame, now, depth, ipos)
                return
            queue = port.levels[frame[2]]
            capacity = port.capacity
            if capacity is not None and len(queue) >= capacity:
                drop(port, frame, now)
                return
            queue.append(frame)
            if not port.transmitting and not port.ifg_pending:
                # in the inter-frame gap after an end of transmission that found the queue
                # empty: INET's MAC schedules the end of the gap at that end of transmission
                push(heap, (port.free_at, port.tx_end, 0, port.endtx_pos, seq, ENDIFG, port, None))
                seq += 1
                port.ifg_pending = True

        def forward(
            port: Port, frames: list[Frame], now: int, depth: int, root: int
        ) -> None:  # fmt: skip
            """The end of a zero-delay chain: at once, unless another event shares `now`."""
            nonlocal seq
            if heap and heap[0][0] == now:
                push(heap, (now, now, depth, root, seq, ENQUEUE, port, frames))
                seq += 1
                return
            for frame in frames:
                enqueue(port, frame, now, depth, root)

        # ---- what a round-protocol app may do (simulation.embedded.roundapp.Host)
        apps_by_host = {a.host_name: a for a in self.apps}

        class AppHost:
            @staticmethod
            def now() -> int:
                return now

            @staticmethod
            def send(
                app: RoundApp, dst: str, stage: int, direction: str, fog: int, rnd: int
            ) -> None:
                nonlocal datagrams
                spec = app.spec
                st = spec.stages[stage]
                size = st.up_bytes if direction == "up" else st.down_bytes
                flow = self.flows[spec.flow_name(stage, direction, fog)]
                counted = now >= warmup
                key = (id(flow), rnd)
                message = Message(flow, now, counted, key)
                message.app = apps_by_host[dst]
                message.info = (stage, direction, fog, rnd)
                if counted:
                    flow.sent += 1
                open_messages[key] = message
                path = self.path(app.host_name, dst)
                level = self.level_of[flow.flow.name] if self.strict else 0
                for chunk in chunk_sizes(size):
                    datagrams += 1
                    wires = datagram_wire_bytes(chunk, mtu)
                    dgram = Datagram(now, len(wires), None, chunk, datagrams, message, path)
                    forward(
                        path[0], [(w, dgram, level, 0) for w in wires], now,
                        ctx_depth + inet.APP_TO_QUEUE, ctx_root,
                    )  # fmt: skip

            @staticmethod
            def schedule(app: RoundApp, at: int, tag: str, data: int = 0) -> None:
                nonlocal seq
                if at <= limit:
                    push(heap, (at, now, ctx_depth, ctx_root, seq, TIMER, app, (tag, data)))
                    seq += 1

            @staticmethod
            def record(app: RoundApp, vector: str, value: float) -> None:
                times, values, events = app.vectors.setdefault(vector, ([], [], []))
                times.append(now)
                values.append(value)
                events.append(pos)

            @staticmethod
            def end() -> None:
                nonlocal stopped
                stopped = True

        def to_app(message: Message, now: int, root: int) -> None:
            """A message is complete at its app: the app sees it at the end of INET's rx chain."""
            nonlocal seq, ctx_depth, ctx_root
            assert message.app is not None
            if heap and heap[0][0] == now:
                push(heap, (now, now, inet.RX_TO_APP, root, seq, APPMSG, message.app, message.info))
                seq += 1
                return
            ctx_depth, ctx_root = inet.RX_TO_APP, root
            message.app.on_message(*message.info)

        # ---- initialisation, in OMNeT++'s module order: hosts, then each host's apps
        host = AppHost()
        source_index = 0
        round_apps = {a.module: a for a in self.apps}
        for app_plan in self._plan_order:
            if app_plan[0] == "source":
                src = self.sources[source_index]
                if src.stats.app.start_ps <= limit:
                    push(
                        heap,
                        (src.stats.app.start_ps, 0, INIT_DEPTH, 0, seq, SEND, source_index, None),
                    )
                    seq += 1
                source_index += 1
            else:
                round_apps[app_plan[1]].initialize(host)

        while heap:
            now, _sched, depth, _ipos, _seq, kind, a, b = pop(heap)
            if now > horizon:
                break
            pos += 1
            if kind == ARRIVE:
                port: Port = a  # type: ignore[assignment]
                frame: Frame = b  # type: ignore[assignment]
                dgram = frame[1]
                if trace is not None:
                    trace.arrived.setdefault(port.index, []).append((frame[2], dgram.seq))
                if port.to_host:
                    dgram.remaining -= 1
                    if dgram.remaining == 0 and not dgram.dropped:
                        done = self._deliver(dgram, now, pos, open_messages)
                        if done is not None and done.app is not None:
                            to_app(done, now, pos)
                else:
                    hop = frame[3] + 1
                    nxt = dgram.path[hop]
                    forward(
                        nxt, [(frame[0], dgram, frame[2], hop)], now,
                        chain_depth[port.to_node], pos,
                    )  # fmt: skip
            elif kind == ENDTX:
                port = a  # type: ignore[assignment]
                port.transmitting = False
                port.endtx_pos = pos
                for queue in port.levels:
                    if queue:
                        push(heap, (port.free_at, now, 0, pos, seq, ENDIFG, port, None))
                        seq += 1
                        port.ifg_pending = True
                        break
            elif kind == ENDIFG:
                port = a  # type: ignore[assignment]
                port.ifg_pending = False
                if not port.transmitting:
                    for queue in port.levels:
                        if queue:
                            transmit(port, queue.popleft(), now, 0, pos)
                            break
            elif kind == SEND:
                src = self.sources[a]  # type: ignore[call-overload]
                app = src.stats.app
                counted = now >= warmup
                if counted:
                    src.stats.sent += 1
                    src.stats.bytes += app.size_bytes
                key = (id(src.flow), src.sent)
                src.sent += 1
                message = open_messages.get(key)
                if message is None:
                    message = Message(src.flow, now, counted, key)
                    if counted:
                        src.flow.sent += 1
                    open_messages[key] = message
                datagrams += 1
                dgram = Datagram(
                    now, len(src.wires), src.sink, app.size_bytes, datagrams, message, src.path
                )
                level = src.level
                forward(
                    src.path[0], [(w, dgram, level, 0) for w in src.wires], now,
                    inet.APP_TO_QUEUE, pos,
                )  # fmt: skip
                nxt = now + app.period_ps
                if nxt <= limit:
                    push(heap, (nxt, now, 0, pos, seq, SEND, a, None))
                    seq += 1
            elif kind == ENQUEUE:  # the deferred end of a chain
                port = a  # type: ignore[assignment]
                for frame in b:  # type: ignore[attr-defined]
                    enqueue(port, frame, now, depth, _ipos)
            elif kind == TIMER:
                ctx_depth, ctx_root = 0, pos
                a.on_timer(*b)  # type: ignore[attr-defined,misc]
            else:  # APPMSG: a deferred delivery to a round-protocol app
                ctx_depth, ctx_root = depth, _ipos
                a.on_message(*b)  # type: ignore[attr-defined,misc]
            if stopped:
                break
        end = now if stopped else limit
        for message in open_messages.values():  # censored: still in flight at the end
            if message.counted and not message.dropped:
                message.flow.censored_ps.append(end - message.created)
        return self._result(pos, time.perf_counter() - started, end)

    def _deliver(
        self, dgram: Datagram, now: int, pos: int, open_messages: dict[tuple[int, int], Message]
    ) -> Message | None:
        """A datagram's last fragment arrived: its sink records it; returns a completed message."""
        sink = dgram.sink
        if sink is not None and now >= self.warmup:
            sink.received += 1
            sink.bytes += dgram.size
            sink.delays_ps.append(now - dgram.created)
            sink.arrival_ps.append(now)
            sink.events.append(pos)
        message = dgram.message
        complete = self._resolve_chunk(message, open_messages)
        if complete and not message.dropped and message.counted:
            flow = message.flow
            flow.delivered += 1
            flow.delays_ps.append(now - message.created)
            flow.arrival_ps.append(now)
            flow.events.append(pos)
        return message if complete and not message.dropped else None

    @staticmethod
    def _resolve_chunk(message: Message, open_messages: dict[tuple[int, int], Message]) -> bool:
        """One chunk of `message` was delivered or lost; True when none is left."""
        message.chunks_left -= 1
        if message.chunks_left:
            return False
        del open_messages[message.key]
        return True

    def _result(self, events: int, wall: float, end: int) -> EngineResult:
        limit, warmup = end, self.warmup
        ports = []
        for p in self.ports:
            if p.last_end is not None and p.last_end > end and p.first is not None:
                # ended early (endSimulation): the transmission in progress counts up to the end
                p.busy -= min(p.last_end, self.limit) - end
            # the channel's end-of-run emission: idle at the end of its last transmission
            last = min(p.last_end, limit) if p.last_end is not None else 0
            first = p.first
            if first is None and p.last_end is not None and last >= warmup:
                first = last
            ports.append(
                PortResult(
                    p.direction, p.frames, p.bytes, p.busy, first,
                    None if first is None else last,
                )
            )  # fmt: skip
        return EngineResult(
            scenario=self.scenario,
            sim_time_ps=limit,
            warmup_ps=warmup,
            events=events,
            wall_seconds=wall,
            sinks=list(self.sinks.values()),
            sources=[s.stats for s in self.sources],
            ports=ports,
            flows=list(self.flows.values()),
            queues=self.queues,
            apps=self.apps,
        )
