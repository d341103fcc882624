# SPDX-License-Identifier: MIT
"""What one engine run measured: per app, per flow, per link direction and per queue.

Each holder records what the matching INET/OMNeT++ statistic records, with
OMNeT++'s warm-up rule: a value emitted before the warm-up ends is ignored.
Messages (the unit of a flow) are counted when they were created at or after
the warm-up, so a flow's sent = delivered + dropped + in flight holds exactly.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from simulation.model.apps import App
from simulation.model.naming import LinkDirection
from simulation.model.scenario import Flow, Scenario


@dataclass
class SinkStats:
    """What one UdpSink saw after the warm-up: datagrams, bytes, each end-to-end delay."""

    app: App
    received: int = 0
    bytes: int = 0
    delays_ps: list[int] = field(default_factory=list)
    arrival_ps: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)


@dataclass
class SourceStats:
    """What one UdpBasicApp sent after the warm-up."""

    app: App
    sent: int = 0
    bytes: int = 0


@dataclass
class LoopStats:
    """One closed loop's round trips: request sent to reply received (FlowRecorder's loops).

    A loop starts with each request counted after the warm-up; it completes when
    the reply to that request arrives, is lost when either message is dropped,
    and is pending (censored) if neither happened by the end. A miss is a late
    round trip, a lost loop, or a pending one already older than the deadline.
    """

    deadline_ps: int | None
    #: request number -> when it was sent, for loops neither completed nor lost yet
    started: dict[int, int] = field(default_factory=dict)
    rtts_ps: list[int] = field(default_factory=list)
    arrival_ps: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    lost: int = 0
    pending_ps: list[int] = field(default_factory=list)

    @property
    def misses(self) -> int:
        """Late, lost and overdue-pending loops (0 without a deadline)."""
        d = self.deadline_ps
        if d is None:
            return 0
        late = sum(1 for r in self.rtts_ps if r > d) + sum(1 for a in self.pending_ps if a > d)
        return late + self.lost


@dataclass
class FlowStats:
    """One flow's messages: sent, delivered (every chunk and fragment), dropped, delays.

    A message is dropped when any of its frames is lost to a full queue; the
    rest are in flight at the end (sent - delivered - dropped).
    """

    flow: Flow
    chunks: int
    sent: int = 0
    delivered: int = 0
    dropped: int = 0
    delays_ps: list[int] = field(default_factory=list)
    arrival_ps: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    #: each dropped message: (time, message number, link-direction index, event)
    drops: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: age at the end of every message still in flight then (censored: no delay known)
    censored_ps: list[int] = field(default_factory=list)
    #: the closed loop this flow is the request of, or whose reply it is
    loop: LoopStats | None = None
    #: per hop index along the flow's path: [frames, total wait ps, longest wait ps] of the
    #: frames its queue sent after the warm-up (where the flow's delay was spent)
    hop_waits: dict[int, list[int]] = field(default_factory=dict)

    def waited(self, hop: int, wait_ps: int) -> None:
        """A frame of this flow left the queue of hop `hop` after waiting `wait_ps`."""
        entry = self.hop_waits.get(hop)
        if entry is None:
            self.hop_waits[hop] = [1, wait_ps, wait_ps]
        else:
            entry[0] += 1
            entry[1] += wait_ps
            if wait_ps > entry[2]:
                entry[2] = wait_ps

    @property
    def in_flight(self) -> int:
        """Messages neither delivered nor dropped when the simulation ended."""
        return self.sent - self.delivered - self.dropped

    @property
    def overdue(self) -> int:
        """Messages in flight at the end that were already older than the deadline."""
        deadline = self.flow.deadline_ps
        if deadline is None:
            return 0
        return sum(1 for age in self.censored_ps if age > deadline)

    @property
    def deadline_misses(self) -> int:
        """Late deliveries, dropped messages, and messages overdue in flight at the end."""
        deadline = self.flow.deadline_ps
        if deadline is None:
            return 0
        return self.dropped + self.overdue + sum(1 for d in self.delays_ps if d > deadline)


@dataclass
class QueueStats:
    """One interface queue (one per priority level with strict priority): drops and occupancy.

    Occupancy as INET's `PacketQueue` records it (`queueLength`, `queueBitLength`:
    max and timeavg; `queueingTime`: histogram): the queue emits its length after
    every push (a frame the idle MAC takes at once passes through the queue in the
    same operation: one emission, a queueing time of 0), pull and drop, plus 0 at
    time 0; values emitted before the warm-up are discarded, and the time average
    runs from the first emission kept to the end (OMNeT++'s TimeAverageRecorder).
    """

    node: str
    gate: int
    level: int | None  # None: the interface's single FIFO
    drops: int = 0
    drop_bytes: int = 0
    #: its module below the network, when not the classic `<node>.eth[<gate>].queue[...]`
    module: str | None = None
    warmup: int = 0
    #: frames and bits in the queue now; push times of the frames waiting, in order
    length: int = 0
    bits: int = 0
    pushed_at: deque[int] = field(default_factory=deque)
    #: the emissions kept so far: whether any, the last one's time and values
    started: bool = False
    last_t: int = 0
    last_length: int = 0
    last_bits: int = 0
    total_ps: int = 0
    weighted_length: float = 0.0
    weighted_bits: float = 0.0
    max_length: int = 0
    max_bits: int = 0
    #: queueing time of every frame pulled after the warm-up, ps
    waits_ps: list[int] = field(default_factory=list)

    def emit(self, t: int) -> None:
        """The queue emits its length and bit length at `t`.

        Values before the warm-up are discarded, but OMNeT++ then starts the
        averages at the warm-up's end with the length the queue had then.
        """
        if t < self.warmup:
            self.last_length, self.last_bits = self.length, self.bits
            return
        if not self.started and self.warmup > 0:
            self._start_at_warmup()
        if self.started:
            dt = t - self.last_t
            self.total_ps += dt
            self.weighted_length += self.last_length * (dt * 1e-12)
            self.weighted_bits += self.last_bits * (dt * 1e-12)
        self.started = True
        self.last_t, self.last_length, self.last_bits = t, self.length, self.bits
        self.max_length = max(self.max_length, self.length)
        self.max_bits = max(self.max_bits, self.bits)

    def passed(self, t: int) -> None:
        """A frame went through the empty queue to the idle MAC (queueing time 0)."""
        if t >= self.warmup:
            self.waits_ps.append(0)
        self.emit(t)

    def pushed(self, t: int, bits: int) -> None:
        """A frame was queued."""
        self.length += 1
        self.bits += bits
        self.pushed_at.append(t)
        self.emit(t)

    def pulled(self, t: int, bits: int) -> int:
        """The MAC took the queue's first frame; returns how long it waited."""
        self.length -= 1
        self.bits -= bits
        wait = t - self.pushed_at.popleft()
        if t >= self.warmup:
            self.waits_ps.append(wait)
        self.emit(t)
        return wait

    def _start_at_warmup(self) -> None:
        """The averages begin at the warm-up's end, with the values held since the last change."""
        self.started = True
        self.last_t = self.warmup
        self.max_length = self.last_length
        self.max_bits = self.last_bits

    def finish(self, end: int) -> tuple[float, float, float, float]:
        """queueLength:max, queueLength:timeavg, queueBitLength:max, queueBitLength:timeavg."""
        if not self.started and self.warmup > 0 and end >= self.warmup:
            self._start_at_warmup()
        if not self.started:
            nan = float("nan")
            return nan, nan, nan, nan
        dt = end - self.last_t
        total = (self.total_ps + dt) * 1e-12
        length = self.weighted_length + self.last_length * (dt * 1e-12)
        bits = self.weighted_bits + self.last_bits * (dt * 1e-12)
        avg = (length / total, bits / total) if total > 0 else (float("nan"), float("nan"))
        return float(self.max_length), avg[0], float(self.max_bits), avg[1]


@dataclass
class PortResult:
    """Per link direction, after the warm-up: frames and wire bytes sent, channel busy time.

    `busy_ps` and `first_ps`/`last_ps` follow OMNeT++'s `timeavg(channelBusy)`:
    averaging starts at the first busy/idle transition at or after the warm-up
    (`first_ps`, None if there was none) and `utilization:last` ends at the
    channel's last transition (`last_ps`).
    """

    direction: LinkDirection
    frames: int
    bytes: int
    busy_ps: int
    first_ps: int | None
    last_ps: int | None

    def timeavg(self, sim_time_ps: int) -> float:
        """`busy:timeavg`: busy time over [first transition, end] (NaN if none)."""
        span = sim_time_ps - self.first_ps if self.first_ps is not None else 0
        return self.busy_ps / span if span > 0 else float("nan")

    def utilization_last(self) -> float:
        """`utilization:last`: busy time over [first, last transition] (NaN if empty)."""
        if self.first_ps is None or self.last_ps is None or self.last_ps <= self.first_ps:
            return float("nan")
        return self.busy_ps / (self.last_ps - self.first_ps)


@dataclass
class EngineResult:
    """Everything one run measured, ready for the result-file writer."""

    scenario: Scenario
    sim_time_ps: int
    warmup_ps: int
    events: int
    wall_seconds: float
    sinks: list[SinkStats]
    sources: list[SourceStats]
    ports: list[PortResult]
    flows: list[FlowStats]
    queues: list[QueueStats]
    #: the round-protocol apps (their recorded vectors), if the scenario has rounds
    apps: list[Any] = field(default_factory=list)
    #: what the run did that no INET reference covers, one line each
    notes: list[str] = field(default_factory=list)
    #: the TCP layer (`simulation.embedded.tcplayer.TcpLayer`): every connection end
    tcp: Any = None

    @property
    def dropped_messages(self) -> int:
        """Messages lost to full queues, over all flows."""
        return sum(f.dropped for f in self.flows)
