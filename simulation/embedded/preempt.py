# SPDX-License-Identifier: MIT
"""Frame preemption (IEEE 802.1Qbu / 802.3br) as INET's `EthernetPreemptingMacLayer` models it.

A port has two FIFO queues, express and preemptable, and one server
(INET's `PreemptingServer`) that streams a frame to the PHY and ends the
stream when the frame's last MAC byte has gone, or earlier when an express
frame is queued while a preemptable one streams. Then the preemptable frame
is cut (INET's `PreemptableStreamer`):

- the part already "pulled" is the link rate times the time since the
  fragment started, rounded up to whole bytes. INET counts from the start of
  the transmission, preamble included, so a fragment carries 8 bytes more
  than had gone on the wire when the express frame came (an INET choice);
- a fragment holds at least 60 bytes of frame data and so does the rest
  (802.3br's 64-byte minimum fragment with its 4-byte mCRC): when the rest
  would be shorter, the frame is not cut and the express frame waits;
- each fragment is sent with its own 8-byte preamble (SMD-S for the first,
  SMD-C and fragment count for the others) and a 4-byte mCRC (the last one
  the frame's FCS), followed by the usual 12-byte gap.

The express frame starts after the fragment and its gap; then the rest of the
preemptable frame follows (it may be cut again). Unlike the other MACs, the
server reacts at once (no serve event), and the far end receives a frame when
its last fragment's end-of-transmission message arrives (scheduled at the end
of that transmission, not at its start).

A frame's rest may be cut again, as 802.3br allows; INET 4.5.4 and 4.6.0 stop with an
error there ("Returning an empty chunk"), so such runs have no INET
cross-check (`recuts` counts them; the backend warns).

The channel records every transmission message: the start of each fragment,
an update when it is cut short, and its end, so `packetBytes` counts a frame
about twice (OMNeT++'s `messageSent` for packet streaming); busy time is
exact.
"""

from __future__ import annotations

from simulation.embedded.egress import DropTailQueue, Frame
from simulation.embedded.kernel import Kernel, Timer
from simulation.embedded.mac import Mac
from simulation.embedded.tsnegress import INVFSCALE, bits_time_ps
from simulation.model.naming import LinkDirection

PREAMBLE = 8
FCS = 4
#: INET's minPacketLength of the fragmenting MAC's streamer: 60 bytes of frame data
MIN_FRAGMENT = 60


class PreemptingMac(Mac):
    """One link direction with frame preemption: queues, preempting server, streaming PHY."""

    __slots__ = ("express", "gap_timer", "preemptable", "rate", "recuts", "remaining",
                 "server_timer", "stream", "tx", "tx_start", "tx_timer")  # fmt: skip

    def __init__(
        self,
        kernel: Kernel,
        index: int,
        direction: LinkDirection,
        to_node: int,
        to_host: bool,
        queues: list[DropTailQueue],
        window: tuple[int, int],
    ) -> None:
        super().__init__(kernel, index, direction, to_node, to_host, window)
        self.express, self.preemptable = queues
        self.rate = float(direction.link.datarate_bps)
        #: the server's stream: (frame, express?, start, frame data bytes, fragment number)
        self.stream: tuple[Frame, bool, int, int, int] | None = None
        #: the cut-off rest of a preemptable frame: (frame, data bytes, next fragment number)
        self.remaining: tuple[Frame, int, int] | None = None
        #: on the wire: (frame, wire bytes, the frame's last fragment?)
        self.tx: list[object] | None = None
        self.tx_start = 0
        self.tx_timer = Timer(self._tx_end)
        self.server_timer = Timer(self._stream_end)
        self.gap_timer = Timer(self._gap_end)
        self.free_at = -(1 << 62)
        #: cuts of a frame's rest (INET stops with an error there: no cross-check)
        self.recuts = 0

    # ---- frames handed to the interface

    def take(self, frame: Frame, depth: int, root: int) -> None:
        """Queue a frame (or drop it); INET then tells the server, as far as it passes."""
        if self.trace is not None:
            self.trace.append((frame[2], frame[1].seq))
        express = frame[2] == 0
        queue = self.express if express else self.preemptable
        if queue.capacity is not None and len(queue.frames) >= queue.capacity:
            if self.kernel.now >= self.warmup:
                queue.stats.drops += 1
                queue.stats.drop_bytes += frame[0]
            if self.on_drop is not None:
                self.on_drop(self, frame, queue)
        else:
            queue.frames.append(frame)
        stream = self.stream
        if stream is None:
            self._try_start(depth, root)
        elif express and not stream[1]:
            # an express frame while a preemptable one streams: the stream ends now
            self.kernel.cancel(self.server_timer)
            self._end_stream(depth, root)

    # ---- the server

    def _try_start(self, depth: int, root: int) -> None:
        """INET's canStartStreaming / startStreaming: the PHY is free and a frame waits."""
        now = self.kernel.now
        if self.tx is not None or now < self.free_at:
            return
        if self.express.frames:
            frame = self.express.frames.popleft()
            wire, data, number, express = frame[0], frame[0] - PREAMBLE - FCS, 0, True
        elif self.remaining is not None:
            frame, data, number = self.remaining
            self.remaining = None
            wire, express = PREAMBLE + data + FCS, False
        elif self.preemptable.frames:
            frame = self.preemptable.frames.popleft()
            wire, data, number, express = frame[0], frame[0] - PREAMBLE - FCS, 0, False
        else:
            return
        self.stream = (frame, express, now, data, number)
        end = now + bits_time_ps(wire, self.rate)
        self.count(now, end, wire)
        self.transmitting = True
        self.tx = [frame, wire, True]
        self.tx_start = now
        self.tx_end = end
        kernel = self.kernel
        kernel.start(self.tx_timer, end, depth, root)
        kernel.start(self.server_timer, now + bits_time_ps(data + FCS, self.rate), depth, root)

    def _stream_end(self, _: None, depth: int, root: int) -> None:
        """The server's end of streaming: the frame's last MAC byte was handed to the PHY."""
        del depth, root
        self._end_stream(0, self.kernel.pos)

    def _end_stream(self, depth: int, root: int) -> None:
        """End the stream now: a preemptable frame may be cut (INET's pullPacketEnd)."""
        stream = self.stream
        assert stream is not None and self.tx is not None
        self.stream = None
        frame, express, start, data, number = stream
        kernel = self.kernel
        now = kernel.now
        end = self.tx_end
        if not express:
            pulled = int(self.rate * ((now - start) * INVFSCALE))
            cut = max((pulled + 7) // 8, MIN_FRAGMENT)
            if cut + MIN_FRAGMENT <= data:
                self.recuts += number > 0
                self.remaining = (frame, data - cut, number + 1)
                wire = PREAMBLE + cut + FCS
                new_end = self.tx_start + bits_time_ps(wire, self.rate)
                self._update(now, end, new_end, wire)
                self.tx[1], self.tx[2] = wire, False
                self.tx_end = end = new_end
        # the transmitter reschedules its end of transmission (same time or the fragment's)
        kernel.start(self.tx_timer, end, depth, root)

    def _update(self, now: int, old_end: int, new_end: int, wire: int) -> None:
        """The channel's transmission update: the frame on the wire ends earlier."""
        if now >= self.warmup:
            self.bytes += wire
        if self.first is not None and self.tx_start >= self.first:
            limit = self.limit
            self.busy += min(new_end, limit) - min(old_end, limit)
        self.last_end = new_end

    # ---- the PHY

    def _tx_end(self, _: None, depth: int, root: int) -> None:
        """The transmitter's end: the end message goes out; the gap begins."""
        del depth, root
        kernel = self.kernel
        now, pos = kernel.now, kernel.pos
        tx = self.tx
        assert tx is not None
        frame, wire, last = tx
        self.tx = None
        self.transmitting = False
        if now >= self.warmup:
            self.bytes += wire  # type: ignore[operator]
        if last:
            at = now + self.delay
            if at <= kernel.horizon:
                kernel.at(at, 0, pos, self.on_arrive, (self, frame))  # type: ignore[arg-type]
        self.free_at = now + self.ifg
        kernel.start(self.gap_timer, self.free_at, 0, pos)

    def _gap_end(self, _: None, depth: int, root: int) -> None:
        """The gap after a fragment or frame is over: the server may start the next."""
        del depth, root
        if self.stream is None:
            self._try_start(0, self.kernel.pos)

    def has_frames(self) -> bool:
        """Whether a frame (or a frame's rest) waits."""
        return bool(self.express.frames or self.preemptable.frames or self.remaining)
