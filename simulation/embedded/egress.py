# SPDX-License-Identifier: MIT
"""An interface's egress, composed the way INET composes it: classifier, queues, selection.

The MAC (`simulation.embedded.mac`) asks its egress for the next frame when it
can send one. In between sit separate elements with one small interface each:

- a classifier puts a frame into one of the queues (the frame carries its
  queue index, decided once from its flow's priority level);
- `DropTailQueue`: FIFO with a capacity in frames, dropping an arriving frame
  when full (INET's `DropTailQueue`, `packetCapacity`);
- transmission selection: `StrictPriority` serves the first non-empty queue in
  priority order (INET's `PriorityScheduler` in a `PriorityQueue`); a single
  queue is plain FIFO (INET's `EthernetQueue`).

Under 802.1Q (scheduling "tsn") the queues are traffic classes with gates
(802.1Qbv) and shapers (802.1Qav) between a queue and the selection, each an
element of its own (`simulation.embedded.tsnegress`), served by INET's
layered interface (`simulation.embedded.layered`) or its preempting MAC
(`simulation.embedded.preempt`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from simulation.embedded.stats import QueueStats

#: A frame on its way: (wire bytes, datagram, queue index, hop index along its path,
#: bits it counts in an interface queue: the frame without preamble and padding).
Frame = tuple[int, Any, int, int, int]
#: called with (frame, ps it waited in its queue) when the MAC takes it
WaitHook = Callable[[Frame, int], None]


class DropTailQueue:
    """A FIFO of frames with optional capacities in frames and in bytes (INET's DropTailQueue).

    INET inserts an arriving frame, then drops the last one (the arriving one)
    if the queue is over either capacity: the frame is refused when it would
    not fit.
    """

    __slots__ = ("bits_capacity", "capacity", "frames", "stats")

    def __init__(self, stats: QueueStats, capacity: int | None, data_bytes: int | None) -> None:
        self.frames: deque[Frame] = deque()
        self.capacity = capacity
        self.bits_capacity = None if data_bytes is None else data_bytes * 8
        self.stats = stats

    def accepts(self, frame: Frame) -> bool:
        """Whether `frame`, arriving now, finds room."""
        if self.capacity is not None and len(self.frames) >= self.capacity:
            return False
        cap = self.bits_capacity
        return cap is None or self.stats.bits + frame[4] <= cap


class StrictPriority:
    """Queues served in priority order (index 0 first); one queue is a plain FIFO."""

    __slots__ = ("on_wait", "queues", "waiting", "warmup")

    def __init__(self, queues: list[DropTailQueue], warmup: int = 0) -> None:
        self.queues = queues
        #: frames waiting in all queues together
        self.waiting = 0
        self.warmup = warmup
        #: told (frame, wait ps) of every frame sent after the warm-up (per-flow waits per hop)
        self.on_wait: WaitHook | None = None

    def push(self, frame: Frame, now: int) -> DropTailQueue | None:
        """Queue `frame`; returns the full queue that refused it, or None when queued."""
        queue = self.queues[frame[2]]
        if not queue.accepts(frame):
            return queue
        queue.frames.append(frame)
        queue.stats.pushed(now, frame[4])
        self.waiting += 1
        return None

    def has_frames(self) -> bool:
        """Whether any frame waits."""
        return self.waiting > 0

    def pull(self, now: int) -> Frame | None:
        """The next frame to send, taken off its queue (None: nothing is eligible)."""
        if self.waiting:
            for queue in self.queues:
                if queue.frames:
                    self.waiting -= 1
                    frame = queue.frames.popleft()
                    wait = queue.stats.pulled(now, frame[4])
                    if self.on_wait is not None and now >= self.warmup:
                        self.on_wait(frame, wait)
                    return frame
        return None

    def passed(self, frame: Frame, now: int) -> None:
        """`frame` went through its (empty) queue straight to the idle MAC."""
        self.queues[frame[2]].stats.passed(now)
        if self.on_wait is not None and now >= self.warmup:
            self.on_wait(frame, 0)
