# SPDX-License-Identifier: MIT
"""UDP in the engine: datagrams of application messages, and what the receiver does with them.

A message larger than one datagram travels as chunks (`simulation.model.apps`), each
its own datagram; the message is delivered when its last chunk is
(`simulation.embedded.messages`). At the destination the datagram's sink (an
INET `UdpSink`, for periodic flows) records it, and a completed message for an
app (the round protocol's, a loop server) goes up to it at the end of INET's
receive chain (`RX_TO_APP`).
UDP never resends: a datagram lost to a full queue loses its message.
"""

from __future__ import annotations

from typing import Any

from simulation.embedded.frames import FrameSize
from simulation.embedded.kernel import Kernel
from simulation.embedded.mac import Mac
from simulation.embedded.messages import Message, Messages
from simulation.embedded.network import Datagram, Network
from simulation.embedded.stats import SinkStats


class Udp:
    """The UDP layer of every host (it keeps no per-host state)."""

    def __init__(self, kernel: Kernel, network: Network, messages: Messages, warmup: int) -> None:
        self.kernel = kernel
        self.network = network
        self.messages = messages
        self.warmup = warmup
        #: datagrams sent so far (each one's sequence number, for traces)
        self.datagrams = 0

    def send(
        self, message: Message, size: int, wires: list[FrameSize], path: list[Mac], level: int,
        depth: int, root: int, sink: SinkStats | None = None,
    ) -> None:  # fmt: skip
        """Send one datagram of `message` (`size` payload bytes, frames of `wires` bytes)."""
        self.datagrams += 1
        dgram = Datagram(
            self, self.kernel.now, len(wires), size, self.datagrams, message, path, sink
        )
        self.network.send(dgram, wires, level, depth, root)

    def received(self, dgram: Datagram) -> None:
        """The datagram is whole: its sink records it; a complete message goes to its app."""
        kernel = self.kernel
        now, pos = kernel.now, kernel.pos
        sink: Any = dgram.sink
        if sink is not None and now >= self.warmup:
            sink.received += 1
            sink.bytes += dgram.size
            sink.delays_ps.append(now - dgram.created)
            sink.arrival_ps.append(now)
            sink.events.append(pos)
        message = dgram.message
        if self.messages.part_arrived(message, now, pos) and message.to is not None:
            kernel.chain(self.network.rx_depth, pos, message.to, message)

    def lost(self, dgram: Datagram, mac: Mac) -> None:
        """A full queue dropped a frame of the datagram: its message is lost."""
        self.messages.part_lost(dgram.message, self.kernel.now, mac.index, self.kernel.pos)
