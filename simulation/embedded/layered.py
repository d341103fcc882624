# SPDX-License-Identifier: MIT
"""INET's layered Ethernet interface (`LayeredEthernetInterface`), the one its TSN nodes use.

It differs from the classic MAC (`simulation.embedded.mac`) in when things
happen, not in what goes on the wire:

- a frame handed to the interface enters its egress queues
  (`simulation.embedded.tsnegress`); every change that may make a frame
  eligible makes the MAC layer's `InstantServer` schedule a serve event at the
  current time (`serveSchedulingPriority = 0`), so the server looks at the
  queues only after everything else already due at this instant, and picks
  the best frame among all that arrived at once;
- the PHY's `InterpacketGapInserter` holds the server off until 12 bytes
  after the end of the previous frame, with an event of its own at the end
  of the gap (which wakes the server, and tells credit-based shapers);
- the `PacketTransmitter` sends the frame (with its preamble) and ends it
  with an end-of-transmission event.

Channel counters (bytes, busy time) are the classic MAC's: the link and
OMNeT++'s channel are the same.
"""

from __future__ import annotations

from simulation.embedded.egress import Frame
from simulation.embedded.kernel import Kernel, Timer
from simulation.embedded.mac import Mac
from simulation.embedded.tsnegress import TsnEgress
from simulation.model.naming import LinkDirection


class LayeredMac(Mac):
    """One link direction's layered interface: queues + server, gap inserter, transmitter."""

    __slots__ = ("current", "gap_timer", "serve", "tsn")

    def __init__(
        self,
        kernel: Kernel,
        index: int,
        direction: LinkDirection,
        to_node: int,
        to_host: bool,
        egress: TsnEgress,
        window: tuple[int, int],
    ) -> None:
        super().__init__(kernel, index, direction, to_node, to_host, window)
        self.tsn = egress
        egress.mac = self
        self.serve = Timer(self._serve)
        self.gap_timer = Timer(self._gap_end)
        #: the frame on the wire
        self.current: Frame | None = None
        #: the end of the gap after the last frame (INET: packetEndTime + duration)
        self.free_at = -(1 << 62)

    def take(self, frame: Frame, depth: int, root: int) -> None:
        """One frame into the egress queues (or dropped when its queue is full)."""
        if self.trace is not None:
            self.trace.append((frame[2], frame[1].seq))
        full = self.tsn.push(frame, depth, root)
        if full is not None:
            if self.kernel.now >= self.warmup:
                full.stats.drops += 1
                full.stats.drop_bytes += frame[0]
            if self.on_drop is not None:
                self.on_drop(self, frame, full)

    def notify(self, depth: int, root: int) -> None:
        """The server (re)schedules its serve event now, after what is already due (INET)."""
        self.kernel.start(self.serve, self.kernel.now, depth + 1, root)

    def _serve(self, _: None, depth: int, root: int) -> None:
        """The serve event: when the PHY can take a frame, send the best eligible one."""
        now = self.kernel.now
        if self.transmitting or now < self.free_at:
            return
        frame = self.tsn.pull(now)
        if frame is None:
            return
        self.current = frame
        self.tsn.transmission(frame, True, depth, root)
        self.transmit(frame, depth, root)

    def end_transmission(self, _: None, depth: int, root: int) -> None:
        """The frame's last bit left; the gap inserter's timer ends the gap."""
        del depth, root
        kernel = self.kernel
        pos = kernel.pos
        self.transmitting = False
        self.endtx_pos = pos
        frame = self.current
        assert frame is not None
        self.current = None
        self.tsn.transmission(frame, False, 0, pos)
        kernel.start(self.gap_timer, self.free_at, 0, pos)

    def _gap_end(self, _: None, depth: int, root: int) -> None:
        """The gap is over: shapers hear of it, then the server looks for the next frame."""
        del depth, root
        pos = self.kernel.pos
        self.tsn.gap_ended(0, pos)
        self.notify(0, pos)
