# SPDX-License-Identifier: MIT
"""Closed loops: a server that answers each request when it arrives (fogcosim.LoopApp).

A controller answers what it received: the reply to request n leaves
`processing_ps` after request n arrived (all its chunks), numbered n too, so a
lost request suppresses its reply and a late one delays it. The server is an
application on the request's destination host, listening on the loop's own
port (`simulation.model.apps.loop_ports`); the reply goes to the requester's class
sink like any message of its class. With no processing time it answers in the
receiving event; otherwise from a timer, as the OMNeT++ module does.
"""

from __future__ import annotations

from simulation.embedded.kernel import Kernel
from simulation.embedded.mac import Mac
from simulation.embedded.messages import Message, Messages
from simulation.embedded.stats import FlowStats, SinkStats
from simulation.embedded.udp import Udp
from simulation.model.apps import App, chunk_sizes


class LoopServer:
    """One closed loop's server: request arrivals in, replies out."""

    def __init__(
        self,
        app: App,
        reply: FlowStats,
        path: list[Mac],
        sinks: list[SinkStats],
        level: int,
        env: tuple[Kernel, Udp, Messages, int, int],
    ) -> None:
        self.app = app
        self.reply = reply
        self.path = path
        self.level = level
        self.kernel, self.udp, self.messages, _, self.limit = env
        sizes = chunk_sizes(app.size_bytes)
        network = self.udp.network
        self.app_depth = network.app_depth
        #: (payload, frame wire bytes, sink) of each chunk of a reply
        self.chunks = [
            (size, network.wires(size), sink) for size, sink in zip(sizes, sinks, strict=True)
        ]

    def arrived(self, message: Message, depth: int, root: int) -> None:
        """Every chunk of request n arrived (at the end of INET's receive chain)."""
        number = message.key[1]
        processing = self.app.processing_ps
        if processing == 0:
            self._reply(number, depth + self.app_depth, root)
            return
        at = self.kernel.now + processing
        if at <= self.limit:
            self.kernel.at(at, depth, root, self._timer, number)

    def _timer(self, number: int, depth: int, root: int) -> None:
        del depth, root
        self._reply(number, self.app_depth, self.kernel.pos)

    def _reply(self, number: int, depth: int, root: int) -> None:
        message = self.messages.start(self.reply, number, self.kernel.now, len(self.chunks))
        for size, wires, sink in self.chunks:
            self.udp.send(message, size, wires, self.path, self.level, depth, root, sink)
