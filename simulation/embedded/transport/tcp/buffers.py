# SPDX-License-Identifier: MIT
"""The send and receive buffers of a connection, as byte counts over sequence numbers.

The send buffer is INET's `TcpSendQueue`: the bytes the application wrote, from the
oldest unacknowledged one (`begin`) to the last one written (`end`). The receive
buffer is INET's `TcpReceiveQueue`: byte ranges that arrived but were not yet handed
to the application, kept as merged regions so out-of-order data is retained (RFC
2525 section 2.5); `rcv_nxt` advances over the region that starts at it. Positions
inside the receive buffer are unwrapped Python ints (no modulo), so region
arithmetic never wraps; sequence numbers go in and out modulo 2^32.
"""

from __future__ import annotations

from simulation.embedded.transport.tcp import seqnum

MASK = seqnum.MASK


class SendBuffer:
    """Bytes written by the app, [begin, end) in sequence space."""

    __slots__ = ("begin", "end")

    def __init__(self) -> None:
        self.begin = 0
        self.end = 0

    def init(self, start: int) -> None:
        """Empty buffer whose first byte will have sequence number `start` (ISS + 1)."""
        self.begin = self.end = start & MASK

    def enqueue(self, nbytes: int) -> None:
        """The app wrote `nbytes` more bytes."""
        end = (self.end + nbytes) & MASK
        if seqnum.lt(end, self.begin) or nbytes >= seqnum.HALF:
            raise OverflowError("TCP send buffer holds more than 2^31 bytes")
        self.end = end

    def available(self, from_seq: int) -> int:
        """Bytes written but at or after `from_seq` (INET's getBytesAvailable)."""
        d = seqnum.diff(self.end, from_seq)
        return d if d > 0 else 0

    def discard_up_to(self, seq: int) -> None:
        """Acknowledged bytes leave the buffer."""
        self.begin = seq & MASK


class ReceiveBuffer:
    """Arrived bytes not yet read by the app, as sorted, merged [start, end) regions."""

    __slots__ = ("base", "expected", "rcv_nxt", "regions")

    def __init__(self) -> None:
        self.base = 0  # sequence number of unwrapped position 0
        self.expected = 0  # unwrapped position of the next byte for the app
        self.rcv_nxt = -1  # unwrapped rcv_nxt; -1: not initialised (INET: rcv_nxt = -1)
        self.regions: list[list[int]] = []

    def init(self, start: int) -> None:
        """The next byte expected from the peer has sequence number `start`."""
        self.base = start & MASK
        self.expected = 0
        self.rcv_nxt = 0
        self.regions = []

    def _pos(self, seq: int) -> int:
        return self.expected + seqnum.diff(seq, (self.base + self.expected) & MASK)

    def seq_of(self, pos: int) -> int:
        """Sequence number of unwrapped position `pos`."""
        return (self.base + pos) & MASK

    def first_seq(self) -> int:
        """INET's getFirstSeqNo: the lowest sequence number the buffer holds or expects."""
        if self.rcv_nxt < 0:
            return MASK  # an uninitialised INET queue reports rcv_nxt = (uint32) -1
        start = self.regions[0][0] if self.regions else self.rcv_nxt
        return self.seq_of(min(start, self.rcv_nxt))

    def buffered(self) -> int:
        """Bytes held (out-of-order data, and in-order data the app has not taken)."""
        return sum(e - s for s, e in self.regions)

    def insert(self, seq: int, length: int) -> int:
        """Store a segment's bytes; return the new rcv_nxt as a sequence number."""
        start = self._pos(seq)
        end = start + length
        start = max(start, self.expected)
        if end > start:
            self._merge(start, end)
            first = self.regions[0]
            if self.rcv_nxt >= first[0]:
                self.rcv_nxt = max(self.rcv_nxt, first[1])
        return self.seq_of(self.rcv_nxt)

    def _merge(self, start: int, end: int) -> None:
        regions = self.regions
        if not regions or regions[-1][1] < start:
            regions.append([start, end])
            return
        i = 0
        while regions[i][1] < start:
            i += 1
        j = i
        while j < len(regions) and regions[j][0] <= end:
            j += 1
        if i == j:
            regions.insert(i, [start, end])
        else:
            regions[i:j] = [[min(start, regions[i][0]), max(end, regions[j - 1][1])]]

    def extract_up_to(self, seq: int) -> int:
        """Hand the app the contiguous bytes before `seq`; return how many."""
        limit = self._pos(seq)
        regions = self.regions
        if not regions or limit <= self.expected or regions[0][0] != self.expected:
            return 0
        first = regions[0]
        n = min(limit, first[1]) - self.expected
        self.expected += n
        if self.expected == first[1]:
            del regions[0]
        else:
            first[0] = self.expected
        return n
