# SPDX-License-Identifier: MIT
"""The application plan: how a Scenario's flows map onto INET UDP applications.

Both backends use this plan, so app indices, ports and chunking are the same
in the rendered ini and in the embedded engine, and result module paths
(`<network>.<host>.app[<i>]`) mean the same thing in both.

Messages larger than one UDP datagram (65,507 B) are carried as chunks: a
message of S bytes becomes K = ceil(S / max_chunk) datagrams, all created at
the message's send time by K `UdpBasicApp`s with the same start time and
period. Chunks 1..K-1 go to the class's *chunk* port; the last chunk goes to
the class's *message* port. Every hop is FIFO within a class, so the last
chunk sent is the last to arrive: the end-to-end delay the message sink
records for it (arrival - creation) is the delay of the whole message, and
the message sink's counts are message counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from simulation.model.naming import link_directions, tsn_queue_modules
from simulation.model.roundspec import ROUND_PORT
from simulation.model.scenario import MAX_UDP_PAYLOAD, TRAFFIC_CLASSES, Flow, Scenario, TrafficClass

#: UDP port of each class's message sink; the chunk sink is this + CHUNK_PORT_OFFSET.
MESSAGE_PORTS: dict[str, int] = {"critical": 5000, "ml": 5001, "background": 5002}
CHUNK_PORT_OFFSET = 100

AppRole = Literal["sink", "source", "rounds", "loop", "tcp-server", "tcp-client"]
#: UDP port of the first closed loop's server; loop k (in flow order) listens on LOOP_PORT + k.
LOOP_PORT = 7000
#: TCP port of the server of the k-th TCP flow (scenario order): TCP_FLOW_PORT + k (TCP
#: ports: another space than the loops' UDP ports).
TCP_FLOW_PORT = 7000


@dataclass(frozen=True)
class App:
    """One INET application module: `<network>.<host>.app[<index>]`."""

    host: str
    index: int
    role: AppRole
    cls: TrafficClass
    port: int
    #: Sinks: True for the chunk sink. Sources: True unless this is a message's last chunk.
    chunk: bool
    flow: str = ""
    dest: str = ""
    size_bytes: int = 0
    period_ps: int = 0
    start_ps: int = 0
    chunk_index: int = 0
    chunk_count: int = 1
    #: Loop servers: the request flow they answer and the time from its arrival to the reply.
    request: str = ""
    processing_ps: int = 0

    @property
    def module(self) -> str:
        """Module path below the network, e.g. `fog3.app[2]`."""
        return f"{self.host}.app[{self.index}]"


def chunk_sizes(size: int, max_chunk: int = MAX_UDP_PAYLOAD) -> list[int]:
    """Split a message into datagram payloads: full chunks, the remainder last."""
    count = math.ceil(size / max_chunk)
    return [max_chunk] * (count - 1) + [size - max_chunk * (count - 1)]


def loop_ports(scenario: Scenario) -> dict[str, int]:
    """The UDP port of each closed loop's server, by request flow name."""
    requests = [f.trigger for f in scenario.flows if f.trigger is not None]
    return {name: LOOP_PORT + k for k, name in enumerate(requests)}


def tcp_flow_ports(scenario: Scenario) -> dict[str, int]:
    """The server port of every TCP flow (its connection's), by flow name."""
    tcp = [f for f in scenario.flows if f.transport == "tcp"]
    return {f.name: TCP_FLOW_PORT + k for k, f in enumerate(tcp)}


def plan_apps(scenario: Scenario) -> dict[str, list[App]]:
    """Apps per host (every host listed, in scenario order).

    On each host: the UDP sinks, the UDP sources, the closed loops' servers, a
    `fogcosim.TcpFlowApp` server per TCP flow arriving and a client per TCP flow
    leaving, then the round protocol's app. A closed loop's request goes to a loop
    server on its destination host (not to the class sink), which sends the reply
    when a request arrived; the reply is not a periodic source.
    """
    loops = loop_ports(scenario)
    replies = {f.trigger: f for f in scenario.flows if f.trigger is not None}
    incoming: dict[str, list[Flow]] = {h.name: [] for h in scenario.hosts}
    outgoing: dict[str, list[Flow]] = {h.name: [] for h in scenario.hosts}
    tcp_in: dict[str, list[Flow]] = {h.name: [] for h in scenario.hosts}
    tcp_out: dict[str, list[Flow]] = {h.name: [] for h in scenario.hosts}
    for flow in scenario.flows:
        if flow.transport == "tcp":
            tcp_in[flow.dst].append(flow)
            tcp_out[flow.src].append(flow)
            continue
        if flow.name not in loops:
            incoming[flow.dst].append(flow)
        if not flow.closed_reply:
            outgoing[flow.src].append(flow)
    ports = tcp_flow_ports(scenario)
    plan: dict[str, list[App]] = {}
    for host, flows_in in incoming.items():
        apps: list[App] = []
        for cls in TRAFFIC_CLASSES:
            arriving = [f for f in flows_in if f.cls == cls]
            if not arriving:
                continue
            port = MESSAGE_PORTS[cls]
            apps.append(App(host, len(apps), "sink", cls, port, chunk=False))  # type: ignore[arg-type]
            if any(f.size_bytes > MAX_UDP_PAYLOAD for f in arriving):
                apps.append(
                    App(host, len(apps), "sink", cls, port + CHUNK_PORT_OFFSET, chunk=True)  # type: ignore[arg-type]
                )
        for flow in outgoing[host]:
            sizes = chunk_sizes(flow.size_bytes)
            for k, size in enumerate(sizes):
                last = k == len(sizes) - 1
                port = MESSAGE_PORTS[flow.cls] + (0 if last else CHUNK_PORT_OFFSET)
                if flow.name in loops:  # every chunk to the loop server
                    port = loops[flow.name]
                apps.append(
                    App(
                        host, len(apps), "source", flow.cls, port, chunk=not last,
                        flow=flow.name, dest=flow.dst, size_bytes=size,
                        period_ps=flow.period_ps, start_ps=flow.offset_ps,
                        chunk_index=k, chunk_count=len(sizes),
                    )
                )  # fmt: skip
        for request in scenario.flows:
            if request.dst == host and request.name in loops:
                reply = replies[request.name]
                apps.append(
                    App(
                        host, len(apps), "loop", reply.cls, loops[request.name], chunk=False,
                        flow=reply.name, dest=reply.dst, size_bytes=reply.size_bytes,
                        period_ps=request.period_ps, request=request.name,
                        processing_ps=reply.processing_ps,
                        chunk_count=len(chunk_sizes(request.size_bytes)),
                    )
                )  # fmt: skip
        for flow in tcp_in[host]:
            apps.append(
                App(host, len(apps), "tcp-server", flow.cls, ports[flow.name], chunk=False,
                    flow=flow.name)
            )  # fmt: skip
        for flow in tcp_out[host]:
            apps.append(
                App(
                    host, len(apps), "tcp-client", flow.cls, ports[flow.name], chunk=False,
                    flow=flow.name, dest=flow.dst, size_bytes=flow.size_bytes,
                    period_ps=flow.period_ps, start_ps=flow.offset_ps,
                )
            )  # fmt: skip
        plan[host] = apps
    rounds = scenario.rounds
    if rounds is not None:  # one round-protocol app on every fog node and on the cloud
        for host in (*rounds.fog_nodes, rounds.cloud):
            apps = plan[host]
            apps.append(App(host, len(apps), "rounds", "ml", ROUND_PORT, chunk=False))
    return plan


#: The per-flow statistics module of every rendered network (omnetpp_src/fogcosim).
FLOW_RECORDER = "flowStats"
#: The per-connection TCP statistics module of a network that uses TCP (omnetpp_src/fogcosim).
TCP_RECORDER = "tcpStats"


def message_parts(flow: Flow) -> int:
    """How many sends make one message: its UDP chunks, or one write to a TCP stream."""
    return 1 if flow.transport == "tcp" else len(chunk_sizes(flow.size_bytes))


@dataclass(frozen=True)
class TcpEnd:
    """One end of a TCP connection: `label` names its results on the TcpRecorder module."""

    label: str
    host: str
    peer: str
    server_port: int
    server: bool


def tcp_ends(scenario: Scenario) -> list[TcpEnd]:
    """Every TCP connection end of a run: per TCP flow, then per FN of a TCP round protocol.

    A flow's connection is named after the flow, an FN's after the FN (`rounds_fog3`);
    each end's label adds the host it is on (`rounds_fog3@cloud`).
    """
    ends = []
    for name, port in tcp_flow_ports(scenario).items():
        flow = next(f for f in scenario.flows if f.name == name)
        ends += [
            TcpEnd(f"{name}@{flow.src}", flow.src, flow.dst, port, False),
            TcpEnd(f"{name}@{flow.dst}", flow.dst, flow.src, port, True),
        ]
    spec = scenario.rounds
    if spec is not None and spec.transport == "tcp":
        for fog in spec.fog_nodes:
            ends += [
                TcpEnd(f"rounds_{fog}@{fog}", fog, spec.cloud, ROUND_PORT, False),
                TcpEnd(f"rounds_{fog}@{spec.cloud}", spec.cloud, fog, ROUND_PORT, True),
            ]
    return ends


def all_flows(scenario: Scenario) -> list[Flow]:
    """The periodic flows and the round protocol's message streams (`Scenario.all_flows`)."""
    return scenario.all_flows()


def manifest(scenario: Scenario) -> list[dict[str, object]]:
    """What a run's result files hold, as flat records (written beside the results).

    Role "sink"/"source": an application (analysis maps modules to classes);
    "flow": a flow's statistics on the FlowRecorder module; "queue": an
    interface queue (one per priority level under strict priority) whose
    overflow drops are recorded.
    """
    rows: list[dict[str, object]] = []
    for apps in plan_apps(scenario).values():
        for app in apps:
            rows.append(
                {
                    "module": f"{scenario.network}.{app.module}",
                    "host": app.host,
                    "index": app.index,
                    "role": app.role,
                    "class": app.cls,
                    "port": app.port,
                    "chunk": app.chunk,
                    "flow": app.flow,
                    "dest": app.dest,
                    "size_bytes": app.size_bytes,
                    "period_ps": app.period_ps,
                    "start_ps": app.start_ps,
                    "chunk_index": app.chunk_index,
                    "chunk_count": app.chunk_count,
                    "request": app.request,
                    "processing_ps": app.processing_ps,
                }
            )
    for flow in all_flows(scenario):
        rows.append(
            {
                "module": f"{scenario.network}.{FLOW_RECORDER}",
                "role": "flow",
                "flow": flow.name,
                "class": flow.cls,
                "host": flow.src,
                "dest": flow.dst,
                "size_bytes": flow.size_bytes,
                "period_ps": flow.period_ps,
                "start_ps": flow.offset_ps,
                "chunk_count": message_parts(flow),
                "transport": flow.transport,
                "deadline_ps": flow.deadline_ps,
                "loop_deadline_ps": flow.loop_deadline_ps,
                "trigger": flow.trigger,
                "priority": flow.priority,
                **({} if scenario.tsn is None else {"pcp": flow.pcp}),
            }
        )
    for end in tcp_ends(scenario):
        rows.append(
            {
                "module": f"{scenario.network}.{TCP_RECORDER}",
                "role": "tcp",
                "label": end.label,
                "host": end.host,
                "dest": end.peer,
                "port": end.server_port,
                "server": end.server,
            }
        )
    levels = len({f.priority for f in scenario.all_flows()})
    strict = scenario.scheduling == "strict-priority"
    for i, d in enumerate(link_directions(scenario)):
        if scenario.tsn is not None:
            for index, module in enumerate(tsn_queue_modules(scenario.tsn, d.src, d.src_gate)):
                rows.append(
                    {"module": f"{scenario.network}.{module}", "role": "queue", "host": d.src,
                     "dest": d.dst, "level": index, "direction": i}
                )  # fmt: skip
            continue
        queue = f"{scenario.network}.{d.src}.eth[{d.src_gate}].queue"
        for level in range(levels) if strict else (None,):
            rows.append(
                {
                    "module": queue if level is None else f"{queue}.queue[{level}]",
                    "role": "queue",
                    "host": d.src,
                    "dest": d.dst,
                    "level": level,
                    "direction": i,
                }
            )
    return rows
