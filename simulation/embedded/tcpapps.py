# SPDX-License-Identifier: MIT
"""The TCP connections of a run and the apps at their ends (fogcosim.TcpFlowApp's twin).

- A periodic flow with transport "tcp" has one connection for the whole run: its
  client (on the flow's source) connects when the node starts and writes one message
  every period from the flow's offset on; its server (on the destination) listens,
  forking, and accepts it. A message is delivered when the stream reaches its end.
- A round protocol over TCP has one connection per FN: the FN connects when it
  starts, the cloud's app listens (forking) and accepts each FN's connection; the
  round apps write their messages through `simulation.embedded.roundhost`.

Socket ids are OMNeT++'s `getUniqueNumber()`, drawn by every app socket when the
model is built: hosts in network order, their apps in index order; a UdpSink or
UdpBasicApp draws one, a RoundApp two (its UDP socket, then its TCP socket), a
TcpFlowApp one. The connections a forking listener clones draw theirs at run time
(`simulation.embedded.tcplayer`).
"""

from __future__ import annotations

from simulation.embedded.kernel import INIT_DEPTH, Kernel
from simulation.embedded.messages import Messages
from simulation.embedded.stats import FlowStats
from simulation.embedded.tcplayer import Endpoint, Listener, TcpLayer
from simulation.model.apps import TCP_FLOW_PORT, App, plan_apps, tcp_ends, tcp_flow_ports
from simulation.model.roundspec import ROUND_PORT
from simulation.model.scenario import Scenario

#: Sockets each app type constructs (in its member order).
SOCKETS = {"sink": 1, "source": 1, "loop": 1, "rounds": 2, "tcp-server": 1, "tcp-client": 1}
#: INET's first ephemeral port (Tcp::getEphemeralPort).
EPHEMERAL = 1025


def socket_ids(scenario: Scenario) -> tuple[dict[tuple[str, int], int], int]:
    """The TCP socket id of each TCP app, by (host, app index), and the next free number."""
    ids: dict[tuple[str, int], int] = {}
    number = 0
    for host, apps in plan_apps(scenario).items():
        for app in apps:
            count = SOCKETS[app.role]
            if app.role in ("rounds", "tcp-server", "tcp-client"):
                ids[(host, app.index)] = number + count - 1  # the TCP socket is the last
            number += count
    return ids, number


class Connections:
    """Every TCP connection end of a run, made as the rendered apps make them."""

    def __init__(self, scenario: Scenario, layer: TcpLayer, level: dict[str, int]) -> None:
        self.scenario = scenario
        self.layer = layer
        self.ids, _ = socket_ids(scenario)
        self.plan = plan_apps(scenario)
        #: (host, peer, server port) -> the end on `host`
        self.ends: dict[tuple[str, str, int], Endpoint] = {}
        self.labels = {(e.host, e.peer, e.server_port): e.label for e in tcp_ends(scenario)}
        layer.labels = [e.label for e in tcp_ends(scenario)]
        self._ports = dict.fromkeys(self.plan, EPHEMERAL)
        self._level = level

    def _app(self, host: str, role: str, flow: str = "") -> App:
        return next(a for a in self.plan[host] if a.role == role and a.flow == flow)

    def _pair(self, client: str, server: str, port: int, config: object, level: int) -> Endpoint:
        """A client end (connects) and the server end that a forking listener clones."""
        assert config is not None
        local = self._ports[client]
        self._ports[client] += 1
        layer = self.layer
        a = Endpoint(layer, client, server, config, (local, port),  # type: ignore[arg-type]
                     self.labels[(client, server, port)], level)  # fmt: skip
        b = Endpoint(layer, server, client, config, (port, local),  # type: ignore[arg-type]
                     self.labels[(server, client, port)], level)  # fmt: skip
        a.other, b.other = b, a
        self.ends[(client, server, port)] = a
        self.ends[(server, client, port)] = b
        return a

    def flow_client(self, app: App) -> Endpoint:
        """The connection of a TCP flow, seen from its client (made when the client starts)."""
        flow = next(f for f in self.scenario.flows if f.name == app.flow)
        end = self._pair(app.host, app.dest, app.port, flow.tcp, self._level[flow.name])
        end.socket_id = self.ids[(app.host, app.index)]
        return end

    def round_client(self, fog: str, app: App) -> Endpoint:
        """An FN's connection to the cloud (made when the FN's app starts)."""
        spec = self.scenario.rounds
        assert spec is not None
        level = self._level[spec.flow_name(0, "up", spec.fog_nodes.index(fog))]
        end = self._pair(fog, spec.cloud, ROUND_PORT, spec.tcp, level)
        end.socket_id = self.ids[(fog, app.index)]
        return end

    def listen(self, host: str, app: App, peers: list[tuple[str, int]]) -> None:
        """A server app listens (forking): the ends it will accept from `peers` (peer, port)."""
        listener = Listener(self.layer, host, self.ids[(host, app.index)])
        for peer, port in peers:
            self.ends[(host, peer, port)].listen_forked(listener)


class TcpFlowClient:
    """fogcosim.TcpFlowApp as client: one message of the flow every period, from its offset."""

    def __init__(
        self, app: App, end: Endpoint, flow: FlowStats, env: tuple[Kernel, Messages, int]
    ) -> None:
        self.app = app
        self.end = end
        self.flow = flow
        self.kernel, self.messages, self.limit = env
        self.sent = 0
        self.stopped = False
        end.on_failure = self.stop

    def stop(self) -> None:
        """TCP gave up on the connection: the client sends nothing more."""
        self.stopped = True

    def start(self) -> None:
        """The node starts: connect (a message to tcp), then the first send at the offset."""
        self.end.connect_at_start()
        if self.app.start_ps <= self.limit:
            self.kernel.at(self.app.start_ps, INIT_DEPTH, 0, self.fire, None)

    def fire(self, _: None, depth: int, root: int) -> None:
        """Write one message now and schedule the next (an event handler)."""
        del depth, root
        if self.stopped:
            return
        kernel = self.kernel
        message = self.messages.start(self.flow, self.sent, kernel.now, 1)
        self.sent += 1
        self.end.write(message, self.app.size_bytes, 0, kernel.pos)
        nxt = kernel.now + self.app.period_ps
        if nxt <= self.limit:
            kernel.at(nxt, 0, kernel.pos, self.fire, None)


def flow_servers(scenario: Scenario) -> list[tuple[str, str, int]]:
    """(server host, client host, port) of every TCP flow."""
    ports = tcp_flow_ports(scenario)
    return [(f.dst, f.src, ports[f.name]) for f in scenario.flows if f.name in ports]


__all__ = ["TCP_FLOW_PORT", "Connections", "TcpFlowClient", "flow_servers", "socket_ids"]
