# SPDX-License-Identifier: MIT
"""Periodic traffic sources: INET's `UdpBasicApp`, one per flow (and per chunk of a message).

A source sends its datagram at its start time and then every period, as long
as the next send is within the simulated time. The chunks of one message are
sent by sources with the same start and period; they share the message
(numbered by how many the source has sent), so it is delivered when every
chunk is.
"""

from __future__ import annotations

from typing import Any

from simulation.embedded.frames import FrameSize
from simulation.embedded.kernel import Kernel
from simulation.embedded.mac import Mac
from simulation.embedded.messages import Messages
from simulation.embedded.stats import FlowStats, SinkStats, SourceStats
from simulation.embedded.udp import Udp
from simulation.model.apps import App


class Source:
    """One UdpBasicApp: what it sends, where, and what it counted."""

    __slots__ = ("flow", "kernel", "level", "limit", "messages", "path", "sent", "sink", "stats",
                 "to", "udp", "warmup", "wires")  # fmt: skip

    def __init__(
        self,
        app: App,
        flow: FlowStats,
        sink: SinkStats | None,
        path: list[Mac],
        wires: list[FrameSize],
        level: int,
        env: tuple[Kernel, Udp, Messages, int, int],
    ) -> None:
        self.stats = SourceStats(app)
        self.flow = flow
        self.sink = sink
        self.path = path
        self.wires = wires
        self.level = level
        self.kernel, self.udp, self.messages, self.warmup, self.limit = env
        self.sent = 0
        #: a closed loop's request: the server's handler for each complete request
        self.to: Any = None

    def fire(self, _: None, depth: int, root: int) -> None:
        """Send one datagram now and schedule the next (an event handler)."""
        del depth, root
        kernel = self.kernel
        now, pos = kernel.now, kernel.pos
        app = self.stats.app
        counted = now >= self.warmup
        if counted:
            self.stats.sent += 1
            self.stats.bytes += app.size_bytes
        number = self.sent
        self.sent += 1
        message = self.messages.find(self.flow, number)
        if message is None:
            message = self.messages.start(self.flow, number, now, self.flow.chunks)
            message.to = self.to
        self.udp.send(
            message, app.size_bytes, self.wires, self.path, self.level,
            self.udp.network.app_depth, pos, self.sink,
        )  # fmt: skip
        nxt = now + app.period_ps
        if nxt <= self.limit:
            kernel.at(nxt, 0, pos, self.fire, None)
