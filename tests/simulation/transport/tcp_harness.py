# SPDX-License-Identifier: MIT
"""A tiny simulator for the TCP specification tests: two connection ends and a pipe.

Each direction of the pipe is a link of fixed rate and propagation delay with an
optional FIFO of limited capacity (in segments waiting, the one on the wire not
counted) and an optional drop rule. A segment occupies 20 (IPv4) + TCP header +
payload bytes on the wire. Events sit in a heap keyed by (time, insertion order),
so equal-time events run first in, first out.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from simulation.embedded.transport.tcp import Segment, TcpConfig, TcpConnection

PS = 10**12
MS = 10**9
US = 10**6
IPV4 = 20

DropRule = Callable[[int, Segment], bool]  # (index among the side's data segments or -1, seg)


@dataclass
class Sent:
    """One segment handed to IP: when, by whom, and whether the pipe dropped it."""

    time: int
    side: str
    seg: Segment
    dropped: bool = False


@dataclass
class Link:
    """One direction of the pipe."""

    rate_bps: int
    delay_ps: int
    capacity: int | None = None  # segments waiting; None: unbounded
    drop: DropRule | None = None
    free_at: int = 0
    waiting: deque[int] = field(default_factory=deque)  # start times of queued segments
    data_index: int = 0

    def tx_time(self, seg: Segment) -> int:
        return (IPV4 + seg.header_bytes() + seg.payload) * 8 * PS // self.rate_bps


class End:
    """One connection end and its `TcpEnv`."""

    def __init__(self, net: Net, side: str, config: TcpConfig, local: int, remote: int) -> None:
        self.net = net
        self.side = side
        self.records: list[tuple[int, str, float]] = []
        self.deliveries: list[tuple[int, int]] = []
        self.established_at: int | None = None
        self.conn = TcpConnection(config, self, local, remote)

    # TcpEnv
    def now(self) -> int:
        return self.net.time

    def send_segment(self, conn: TcpConnection, seg: Segment) -> None:
        self.net.transmit(self.side, seg)

    def set_timer(self, conn: TcpConnection, kind: str, at_ps: int) -> None:
        self.net.set_timer(self.side, kind, at_ps)

    def cancel_timer(self, conn: TcpConnection, kind: str) -> None:
        self.net.timers.pop((self.side, kind), None)

    def delivered_bytes(self) -> int:
        return sum(n for _, n in self.deliveries)

    def delivered(self, conn: TcpConnection, nbytes: int) -> None:
        self.deliveries.append((self.net.time, nbytes))

    def established(self, conn: TcpConnection) -> None:
        self.established_at = self.net.time

    def record(self, conn: TcpConnection, name: str, value: float) -> None:
        self.records.append((self.net.time, name, value))

    # queries
    def samples(self, name: str) -> list[float]:
        return [v for _, n, v in self.records if n == name]

    def timed(self, name: str) -> list[tuple[int, float]]:
        return [(t, v) for t, n, v in self.records if n == name]


class Net:
    """Client end "a" (port 1025) and server end "b" (port 80) over a duplex pipe."""

    def __init__(
        self,
        config: TcpConfig | None = None,
        server_config: TcpConfig | None = None,
        rate_bps: int = 1_000_000_000,
        delay_ps: int = 1 * MS,
        capacity: int | None = None,
        drop_a: DropRule | None = None,
        drop_b: DropRule | None = None,
    ) -> None:
        config = config or TcpConfig()
        self.time = 0
        self.heap: list[tuple[int, int, Callable[[], None]]] = []
        self.order = itertools.count()
        self.timers: dict[tuple[str, str], int] = {}
        self.log: list[Sent] = []
        self.arrivals: list[Sent] = []  # (arrival time, receiving side, segment)
        self.links = {
            "a": Link(rate_bps, delay_ps, capacity, drop_a),
            "b": Link(rate_bps, delay_ps, capacity, drop_b),
        }
        self.a = End(self, "a", config, 1025, 80)
        self.b = End(self, "b", server_config or config, 80, 1025)

    def other(self, side: str) -> End:
        return self.b if side == "a" else self.a

    def at(self, time: int, action: Callable[[], None]) -> None:
        heapq.heappush(self.heap, (time, next(self.order), action))

    def set_timer(self, side: str, kind: str, at_ps: int) -> None:
        token = next(self.order)
        self.timers[(side, kind)] = token
        end = self.a if side == "a" else self.b

        def fire() -> None:
            if self.timers.get((side, kind)) == token:
                del self.timers[(side, kind)]
                end.conn.on_timer(kind)

        heapq.heappush(self.heap, (at_ps, token, fire))

    def transmit(self, side: str, seg: Segment) -> None:
        link = self.links[side]
        sent = Sent(self.time, side, seg)
        self.log.append(sent)
        index = -1
        if seg.payload:
            index = link.data_index
            link.data_index += 1
        dropped = link.drop is not None and link.drop(index, seg)
        while link.waiting and link.waiting[0] <= self.time:
            link.waiting.popleft()
        if not dropped and link.capacity is not None and link.free_at > self.time:
            dropped = len(link.waiting) >= link.capacity
        if dropped:
            sent.dropped = True
            return
        start = max(self.time, link.free_at)
        if start > self.time:
            link.waiting.append(start)
        link.free_at = start + link.tx_time(seg)
        target = self.other(side)

        def arrive() -> None:
            self.arrivals.append(Sent(self.time, target.side, seg))
            target.conn.on_segment(seg)

        self.at(link.free_at + link.delay_ps, arrive)

    def run(self, until: int, done: Callable[[], bool] | None = None) -> None:
        """Process events up to `until` (or until `done()` holds, checked every 64 events)."""
        count = 0
        while self.heap and self.heap[0][0] <= until:
            self.time, _, action = heapq.heappop(self.heap)
            action()
            count += 1
            if done is not None and count % 64 == 0 and done():
                return
        self.time = until

    def open(self, at: int = 0, fork: bool = False) -> None:
        """Server listens at time 0, client connects at `at`."""
        self.b.conn.listen(fork=fork)
        self.at(at, self.a.conn.connect)

    def sent(self, side: str, data_only: bool = True) -> list[Sent]:
        return [s for s in self.log if s.side == side and (s.seg.payload or not data_only)]


def rtt_of(net: Net, seg_bytes: int) -> int:
    """Round-trip time of a full segment one way and a pure ACK back (no queueing)."""
    link = net.links["a"]
    data = (IPV4 + 20 + seg_bytes) * 8 * PS // link.rate_bps
    ack = (IPV4 + 20) * 8 * PS // link.rate_bps
    return data + ack + 2 * link.delay_ps


def drop_data(*indices: int) -> DropRule:
    """Drop the data segments with these indices (0: the side's first data segment)."""
    wanted = set(indices)
    return lambda index, seg: index in wanted


def drop_first(predicate: Callable[[Segment], bool], times: int = 1) -> DropRule:
    """Drop the first `times` segments that satisfy `predicate`."""
    left = [times]

    def rule(index: int, seg: Segment) -> bool:
        if left[0] > 0 and predicate(seg):
            left[0] -= 1
            return True
        return False

    return rule
