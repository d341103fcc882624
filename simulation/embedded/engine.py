# SPDX-License-Identifier: MIT
"""The embedded engine: a packet-level discrete-event simulation of a Scenario.

It mirrors what the rendered INET model does, so both give the same numbers.
The parts, each its own module, are INET's layers:

- `kernel`: the future event set in OMNeT++'s equal-time order (integer ps);
- applications: periodic sources (`sources`, INET's `UdpBasicApp`) and sinks,
  and the round protocol's apps (`roundapp`, through `roundhost`);
- transport: `udp` (datagrams and chunks of messages) and `tcplayer` (INET's TCP,
  one connection per TCP flow and per FN of a round protocol over TCP; `tcpapps`);
- `network`: IPv4 (fragmentation at the MTU, store-and-forward relaying along
  the tree's unique path, reassembly);
- per link direction, the interface: its egress (`egress`: queues and
  transmission selection) and its Ethernet MAC (`mac`);
- `messages`: per-flow message accounting, as fogcosim's FlowRecorder does it.

Results emitted before `Scenario.warmup_ps` are ignored (OMNeT++'s warm-up),
and events run up to and including the time limit, as OMNeT++ runs them.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from simulation.backends.omnetpp.render import tcp_vectors
from simulation.embedded.kernel import INIT_DEPTH, NEVER, Kernel
from simulation.embedded.loops import LoopServer
from simulation.embedded.messages import Messages
from simulation.embedded.network import Network
from simulation.embedded.roundapp import CloudApp, FogApp, RoundApp
from simulation.embedded.roundhost import RoundHost
from simulation.embedded.sources import Source
from simulation.embedded.stats import EngineResult, FlowStats, LoopStats, PortResult, SinkStats
from simulation.embedded.tcpapps import Connections, TcpFlowClient, flow_servers, socket_ids
from simulation.embedded.tcplayer import TcpLayer
from simulation.embedded.udp import Udp
from simulation.model.apps import (
    CHUNK_PORT_OFFSET,
    MESSAGE_PORTS,
    App,
    all_flows,
    chunk_sizes,
    message_parts,
    plan_apps,
)
from simulation.model.roundspec import ROUND_PORT
from simulation.model.scenario import Scenario


@dataclass
class Trace:
    """Optional record of a run's internals, for property tests (costs time; off by default)."""

    #: per port index: (level, datagram seq) in the order frames entered its queue or MAC
    entered: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    #: per port index: (level, datagram seq) in the order frames arrived at the far end
    arrived: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


class Engine:
    """One simulation run of a Scenario up to its time limit."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.limit = scenario.sim_time_limit_ps
        self.warmup = scenario.warmup_ps

    def run(
        self,
        drain: bool = False,
        trace: Trace | None = None,
        record_vectors: bool | str = False,
        progress: Callable[[float], None] | None = None,
    ) -> EngineResult:
        """Simulate up to and including the time limit; return what was measured.

        `drain` (for tests): after the limit send nothing new but deliver
        everything still queued or on the wire, so sent = delivered + dropped.
        Not with gate control lists: their gates change for ever.
        `record_vectors` says which TCP vectors to keep
        (`simulation.backends.omnetpp.render.tcp_vectors`).
        `progress(seconds)` hears the simulated time reached, now and then.
        """
        started = time.perf_counter()
        sc, limit, warmup = self.scenario, self.limit, self.warmup
        if drain and sc.tsn is not None and sc.tsn.gates:
            raise ValueError("drain runs until no event is left; gates never run out of events")
        kernel = Kernel(NEVER if drain else limit)
        network = Network(sc, kernel, (warmup, limit))
        if trace is not None:
            network.arrived = trace.arrived
            for mac in network.macs:
                mac.trace = trace.entered.setdefault(mac.index, [])
        messages = Messages(warmup)
        flows = {f.name: FlowStats(f, message_parts(f)) for f in all_flows(sc)}
        for f in sc.flows:  # a closed loop: its request and its reply share the loop's stats
            if f.trigger is not None:
                request = flows[f.trigger]
                request.loop = flows[f.name].loop = LoopStats(request.flow.loop_deadline_ps)
        plan = plan_apps(sc)
        sinks = {
            (host, app.port): SinkStats(app)
            for host, apps in plan.items()
            for app in apps
            if app.role == "sink"
        }
        udp = Udp(kernel, network, messages, warmup)
        hosts = RoundHost(kernel, network, udp, messages, flows, limit)
        by_name = {f.name: f for f in sc.flows}
        sources: list[Source] = []
        apps: list[RoundApp] = []
        tcp = TcpLayer(
            kernel, network, messages, warmup, tcp_vectors(record_vectors), socket_ids(sc)[1]
        )
        conns = Connections(sc, tcp, {f.name: network.level(f.name) for f in all_flows(sc)})
        #: apps that start something, in OMNeT++'s initialisation order (hosts, then their apps)
        order: list[Source | RoundApp | TcpFlowClient | tuple[str, str, App]] = []
        env = (kernel, udp, messages, warmup, limit)
        loop_servers = {
            app.request: LoopServer(
                app, flows[app.flow], network.path(host, app.dest),
                [sinks[(app.dest, MESSAGE_PORTS[app.cls] + (0 if k == last else CHUNK_PORT_OFFSET))]
                 for last in [len(chunk_sizes(app.size_bytes)) - 1]
                 for k in range(last + 1)],
                network.level(app.flow), (kernel, udp, messages, sc.mtu, limit),
            )
            for host, host_apps in plan.items()
            for app in host_apps
            if app.role == "loop"
        }  # fmt: skip
        for host, host_apps in plan.items():
            for app in host_apps:
                if app.role == "tcp-client":
                    client = conns.flow_client(app)
                    order.append(
                        TcpFlowClient(app, client, flows[app.flow], (kernel, messages, limit))
                    )
                elif app.role == "tcp-server":
                    order.append(("listen", host, app))
                elif app.role == "source":
                    flow = by_name[app.flow]
                    server = loop_servers.get(app.flow)
                    source = Source(
                        app, flows[app.flow], sinks.get((app.dest, app.port)),
                        network.path(host, app.dest),
                        network.wires(app.size_bytes), network.level(flow.name),
                        env,
                    )  # fmt: skip
                    if server is not None:  # a closed loop's request goes to its server
                        source.to = server.arrived
                    sources.append(source)
                    order.append(source)
                elif app.role == "rounds":
                    round_app = self._round_app(host, app.module)
                    apps.append(round_app)
                    order.append(round_app)
                    hosts.apps[host] = round_app
        cloud = next((a for a in apps if isinstance(a, CloudApp)), None)
        for round_app in apps:
            if isinstance(round_app, FogApp):
                round_app.cloud_app = cloud
        self._round_connections(conns, hosts, plan)
        tcp_servers = flow_servers(sc)
        for item in order:
            if isinstance(item, Source):
                if item.stats.app.start_ps <= limit:
                    kernel.at(item.stats.app.start_ps, INIT_DEPTH, 0, item.fire, None)
            elif isinstance(item, TcpFlowClient):
                item.start()
            elif isinstance(item, tuple):
                _, host, app = item
                conns.listen(host, app, [(c, p) for s, c, p in tcp_servers if p == app.port])
            else:
                self._open_rounds(conns, hosts, item, plan)
                item.initialize(hosts)
        # Python's cyclic garbage collector off while events run: every frame is a tracked
        # tuple, and with millions of them (VGG-16 FL: 1.5 M frames, most dropped at a full
        # queue) its collections walking the long-lived model took 60% of the run. The loop
        # makes no reference cycles of its own: what it frees, reference counting frees.
        collecting = gc.isenabled()
        gc.disable()
        try:
            kernel.run(None if progress is None else lambda now: progress(now * 1e-12))
        finally:
            if collecting:
                gc.enable()
        end = kernel.now if kernel.stopped else limit
        recuts = sum(getattr(mac, "recuts", 0) for mac in network.macs)
        messages.censor(end)
        messages.censor_loops(list(flows.values()), end)
        return EngineResult(
            scenario=sc,
            sim_time_ps=end,
            warmup_ps=warmup,
            events=kernel.pos,
            wall_seconds=time.perf_counter() - started,
            sinks=list(sinks.values()),
            sources=[s.stats for s in sources],
            ports=self._ports(network, end),
            flows=list(flows.values()),
            queues=network.queues,
            apps=apps,
            notes=[
                f"frame preemption cut a frame's rest again {recuts} times: 802.3br allows "
                "it, INET (4.5.4, 4.6.0) stops with an error there, so no INET cross-check exists"
            ]
            if recuts
            else [],
            tcp=tcp,
        )

    def _round_connections(
        self, conns: Connections, hosts: RoundHost, plan: dict[str, list[App]]
    ) -> None:
        """A round protocol over TCP: each FN's connection to the cloud (both ends)."""
        spec = self.scenario.rounds
        if spec is None or spec.transport != "tcp":
            return
        for fog in spec.fog_nodes:
            app = next(a for a in plan[fog] if a.role == "rounds")
            end = conns.round_client(fog, app)
            assert end.other is not None
            hosts.tcp[(fog, spec.cloud)] = end
            hosts.tcp[(spec.cloud, fog)] = end.other
            end.on_message = end.other.on_message = hosts.deliver
            i = spec.fog_nodes.index(fog)
            for side, owner in ((end, hosts.apps[fog]), (end.other, hosts.apps[spec.cloud])):
                side.on_failure = partial(hosts.connection_failed, owner, i)

    def _open_rounds(
        self, conns: Connections, hosts: RoundHost, app: RoundApp, plan: dict[str, list[App]]
    ) -> None:
        """The app's transport when its node starts: the FN connects, the cloud listens."""
        spec = self.scenario.rounds
        if spec is None or spec.transport != "tcp":
            return
        if isinstance(app, CloudApp):
            planned = next(a for a in plan[spec.cloud] if a.role == "rounds")
            conns.listen(spec.cloud, planned, [(fog, ROUND_PORT) for fog in spec.fog_nodes])
        else:
            hosts.tcp[(app.host_name, spec.cloud)].connect_at_start()

    def _round_app(self, host: str, module: str) -> RoundApp:
        rounds = self.scenario.rounds
        assert rounds is not None
        full = f"{self.scenario.network}.{module}"
        if host == rounds.cloud:
            return CloudApp(rounds, host, full)
        return FogApp(rounds, host, full, index=rounds.fog_nodes.index(host))

    def _ports(self, network: Network, end: int) -> list[PortResult]:
        ports = []
        for p in network.macs:
            if p.last_end is not None and p.last_end > end and p.first is not None:
                # ended early (endSimulation): the transmission in progress counts up to the end
                p.busy -= min(p.last_end, self.limit) - end
            # the channel's end-of-run emission: idle at the end of its last transmission
            last = min(p.last_end, end) if p.last_end is not None else 0
            first = p.first
            if first is None and p.last_end is not None and last >= self.warmup:
                first = last
            ports.append(
                PortResult(
                    p.direction, p.frames, p.bytes, p.busy, first,
                    None if first is None else last,
                )
            )  # fmt: skip
        return ports
