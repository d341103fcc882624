# SPDX-License-Identifier: MIT
"""The sending side of one link direction: INET's `EthernetMac` over full-duplex Ethernet.

One frame on the wire at a time, then a 12-byte inter-frame gap (IEEE 802.3).
Like INET's MAC, it has an end-of-transmission event and an end-of-gap event:
a frame handed to an idle MAC goes out in the same event; otherwise it waits
in the egress (`simulation.embedded.egress`) and the MAC takes the next one at
the end of the gap. INET schedules the end of the gap when a transmission
ends; the MAC here schedules it only when a frame waits, but with the key it
would have had, so equal-time order is INET's.

It also measures what OMNeT++'s channel records: bytes and frames sent, and
busy time for `timeavg(channelBusy)` with OMNeT++'s warm-up rules (see
`simulation.embedded.stats.PortResult`).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

from simulation.embedded.egress import Frame, StrictPriority
from simulation.embedded.frames import ETH_IFG, ps_per_byte
from simulation.embedded.kernel import Kernel
from simulation.model.naming import LinkDirection

#: called with (mac, frame) when a frame is refused by a full queue
DropHook = Callable[["Mac", Frame, Any], None]
#: called as an event handler when a frame's last bit reaches the far end
ArriveHook = Callable[[tuple["Mac", Frame], int, int], None]


class Mac:
    """One link direction's sending side: the line, one frame on it at a time, its counters.

    What every interface kind shares (`EthernetMac`, INET's layered interface in
    `simulation.embedded.layered`, its preempting MAC in `simulation.embedded.preempt`);
    each kind decides in `take` and `end_transmission` what to send when.
    """

    __slots__ = (
        "busy", "bytes", "delay", "direction", "endtx_pos", "first", "frames", "free_at", "ifg",
        "index", "kernel", "last_end", "limit", "on_arrive", "on_drop", "ppb", "to_host",
        "to_node", "trace", "transmitting", "tx_end", "warmup",
    )  # fmt: skip

    def __init__(
        self,
        kernel: Kernel,
        index: int,
        direction: LinkDirection,
        to_node: int,
        to_host: bool,
        window: tuple[int, int],
    ) -> None:
        self.kernel = kernel
        self.index = index
        self.direction = direction
        self.ppb = ps_per_byte(direction.link.datarate_bps)
        self.ifg = ETH_IFG * self.ppb
        self.delay = direction.link.delay_ps
        self.to_node = to_node
        self.to_host = to_host
        self.warmup, self.limit = window
        self.on_arrive: ArriveHook | None = None
        self.on_drop: DropHook | None = None
        #: per MAC: (queue index, datagram seq) of frames entering it, for property tests
        self.trace: list[tuple[int, int]] | None = None
        self.transmitting = False
        self.tx_end = 0
        self.free_at = 0
        self.endtx_pos = 0
        # results (after the warm-up)
        self.bytes = 0
        self.frames = 0
        self.busy = 0
        #: OMNeT++'s channel emits "idle" at time 0, which counts unless there is a warm-up
        self.first: int | None = 0 if self.warmup == 0 else None
        self.last_end: int | None = None  # end of the latest transmission, any time

    def enqueue(self, frames: list[Frame], depth: int, root: int) -> None:
        """Frames handed to the interface at the end of a chain (an event handler)."""
        take = self.take
        for frame in frames:
            take(frame, depth, root)

    def take(self, frame: Frame, depth: int, root: int) -> None:
        """One frame handed to the interface now (each interface kind decides what follows)."""
        raise NotImplementedError

    def end_transmission(self, _: None, depth: int, root: int) -> None:
        """The frame's last bit left (an event handler; each interface kind's own)."""
        raise NotImplementedError

    def transmit(self, frame: Frame, depth: int, root: int) -> None:
        """Put `frame` on the wire now."""
        kernel = self.kernel
        now = kernel.now
        wire = frame[0]
        end = now + wire * self.ppb
        self.count(now, end, wire)
        self.transmitting = True
        self.tx_end = end
        self.free_at = end + self.ifg
        # the arrival at the far end and the end of transmission (kernel.at, inlined: hot path)
        horizon, heap = kernel.horizon, kernel.heap
        if end + self.delay <= horizon:
            heappush(
                heap,
                (end + self.delay, now, depth, root, kernel.seq, self.on_arrive, (self, frame)),
            )
            kernel.seq += 1
        if end <= horizon:
            heappush(heap, (end, now, depth, root, kernel.seq, self.end_transmission, None))
            kernel.seq += 1

    def count(self, now: int, end: int, wire: int) -> None:
        """A transmission of `wire` bytes from `now` to `end`, as the channel records it."""
        if now >= self.warmup:
            self.bytes += wire
            self.frames += 1
        # OMNeT++'s timeavg(channelBusy), warm-up filtered: see PortResult
        if self.first is None:
            prev = self.last_end
            if prev is not None and self.warmup <= prev < now:
                self.first = prev
            elif now >= self.warmup:
                self.first = now
        if self.first is not None and now >= self.first:
            self.busy += (end if end < self.limit else self.limit) - now
        self.last_end = end


class EthernetMac(Mac):
    """INET's classic `EthernetMac`, fed by a `StrictPriority` egress (see the module doc)."""

    __slots__ = ("egress", "ifg_pending")

    def __init__(
        self,
        kernel: Kernel,
        index: int,
        direction: LinkDirection,
        to_node: int,
        to_host: bool,
        egress: StrictPriority,
        window: tuple[int, int],
    ) -> None:
        super().__init__(kernel, index, direction, to_node, to_host, window)
        self.egress = egress
        self.ifg_pending = False

    def take(self, frame: Frame, depth: int, root: int) -> None:
        """One frame handed to the interface now: sent at once if idle, else queued or dropped."""
        if self.trace is not None:
            self.trace.append((frame[2], frame[1].seq))
        now = self.kernel.now
        if not self.transmitting and now >= self.free_at and not self.ifg_pending:
            self.egress.passed(frame, now)
            self.transmit(frame, depth, root)
            return
        full = self.egress.push(frame, now)
        if full is not None:
            if now >= self.warmup:
                full.stats.drops += 1
                full.stats.drop_bytes += frame[0]
            full.stats.emit(now)
            if self.on_drop is not None:
                self.on_drop(self, frame, full)
            return
        if not self.transmitting and not self.ifg_pending:
            # in the gap after an end of transmission that found nothing waiting: INET's
            # MAC scheduled the end of the gap at that end of transmission
            self.kernel.at_as(self.free_at, self.tx_end, 0, self.endtx_pos, self.end_gap, None)
            self.ifg_pending = True

    def end_transmission(self, _: None, depth: int, root: int) -> None:
        """The frame's last bit left: the gap begins; its end is due if a frame waits."""
        del depth, root
        self.transmitting = False
        self.endtx_pos = self.kernel.pos
        if self.egress.has_frames():
            self.kernel.at(self.free_at, 0, self.kernel.pos, self.end_gap, None)
            self.ifg_pending = True

    def end_gap(self, _: None, depth: int, root: int) -> None:
        """The inter-frame gap is over: send the next eligible frame."""
        del depth, root
        self.ifg_pending = False
        if not self.transmitting:
            frame = self.egress.pull(self.kernel.now)
            if frame is not None:
                self.transmit(frame, 0, self.kernel.pos)
