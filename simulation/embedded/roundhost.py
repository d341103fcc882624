# SPDX-License-Identifier: MIT
"""What the engine offers a round-protocol app (`simulation.embedded.roundapp.Host`).

The apps send messages, set timers, record vectors and end the run through
this adapter. It keeps the app's place in INET's event chains (the depth and
root of the event the app is running in), so what an app starts is ordered as
INET orders it: a message sent from a timer leaves with the app-to-queue chain,
one sent on receiving a message after the receive chain too. Over UDP a message
is its chunks' datagrams; over TCP one write to the FN's connection
(`simulation.embedded.tcplayer`).
"""

from __future__ import annotations

from simulation.embedded.kernel import INIT_DEPTH, Kernel
from simulation.embedded.messages import Message, Messages
from simulation.embedded.network import Network
from simulation.embedded.roundapp import RoundApp
from simulation.embedded.stats import FlowStats
from simulation.embedded.tcplayer import Endpoint
from simulation.embedded.udp import Udp
from simulation.model.apps import chunk_sizes


class RoundHost:
    """The engine side of every round-protocol app of a run."""

    def __init__(
        self,
        kernel: Kernel,
        network: Network,
        udp: Udp,
        messages: Messages,
        flows: dict[str, FlowStats],
        limit: int,
    ) -> None:
        self.kernel = kernel
        self.network = network
        self.udp = udp
        self.messages = messages
        self.flows = flows
        self.limit = limit
        self.apps: dict[str, RoundApp] = {}
        #: transport "tcp": (host, peer) -> the connection end on `host`
        self.tcp: dict[tuple[str, str], Endpoint] = {}
        #: the running app's place in INET's chains: (depth, root) of its event
        self.depth, self.root = INIT_DEPTH, 0

    def now(self) -> int:
        """The current simulation time in ps."""
        return self.kernel.now

    def send(self, app: RoundApp, dst: str, stage: int, direction: str, fog: int, rnd: int) -> None:
        """Send one protocol message (all its chunks) now."""
        spec = app.spec
        st = spec.stages[stage]
        size = st.up_bytes if direction == "up" else st.down_bytes
        flow = self.flows[spec.flow_name(stage, direction, fog)]
        message = self.messages.start(flow, rnd, self.kernel.now, flow.chunks)
        message.app = self.apps[dst]
        message.info = (stage, direction, fog, rnd)
        message.to = self.deliver
        if spec.transport == "tcp":  # one write to the FN's connection
            self.tcp[(app.host_name, dst)].write(message, size, self.depth, self.root)
            return
        path = self.network.path(app.host_name, dst)
        level = self.network.level(flow.flow.name)
        depth = self.depth + self.network.app_depth
        for chunk in chunk_sizes(size):
            wires = self.network.wires(chunk)
            self.udp.send(message, chunk, wires, path, level, depth, self.root)

    def schedule(self, app: RoundApp, at: int, tag: str, data: int = 0) -> None:
        """Run `app.on_timer(tag, data)` at time `at`."""
        if at <= self.limit:
            self.kernel.at(at, self.depth, self.root, self._timer, (app, tag, data))

    def record(self, app: RoundApp, vector: str, value: float) -> None:
        """Record `value` now in the app's vector `vector`."""
        times, values, events = app.vectors.setdefault(vector, ([], [], []))
        times.append(self.kernel.now)
        values.append(value)
        events.append(self.kernel.pos)

    def end(self) -> None:
        """End the simulation after the current event (OMNeT++'s endSimulation())."""
        self.kernel.stop()

    def connection_failed(self, app: RoundApp, fog: int) -> None:
        """TCP gave up on FN `fog`'s connection (a TCP -> app message to `app`)."""
        app.connection_failed(fog, app.round)  # type: ignore[attr-defined]

    def _timer(self, event: tuple[RoundApp, str, int], depth: int, root: int) -> None:
        del depth, root
        app, tag, data = event
        self.depth, self.root = 0, self.kernel.pos
        app.on_timer(tag, data)

    def deliver(self, message: Message, depth: int, root: int) -> None:
        """A complete message reaches its app at the end of INET's receive chain."""
        self.depth, self.root = depth, root
        app, info = message.app, message.info
        app.on_message(*info)
