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
from typing import Any

from simulation.embedded.stats import QueueStats

#: A frame on its way: (wire bytes, datagram, queue index, hop index along its path).
Frame = tuple[int, Any, int, int]


class DropTailQueue:
    """A FIFO of frames with an optional capacity in frames."""

    __slots__ = ("capacity", "frames", "stats")

    def __init__(self, stats: QueueStats, capacity: int | None) -> None:
        self.frames: deque[Frame] = deque()
        self.capacity = capacity
        self.stats = stats

    def accepts(self) -> bool:
        """Whether a frame arriving now finds room."""
        return self.capacity is None or len(self.frames) < self.capacity


class StrictPriority:
    """Queues served in priority order (index 0 first); one queue is a plain FIFO."""

    __slots__ = ("queues", "waiting")

    def __init__(self, queues: list[DropTailQueue]) -> None:
        self.queues = queues
        #: frames waiting in all queues together
        self.waiting = 0

    def push(self, frame: Frame) -> DropTailQueue | None:
        """Queue `frame`; returns the full queue that refused it, or None when queued."""
        queue = self.queues[frame[2]]
        if queue.capacity is not None and len(queue.frames) >= queue.capacity:
            return queue
        queue.frames.append(frame)
        self.waiting += 1
        return None

    def has_frames(self) -> bool:
        """Whether any frame waits."""
        return self.waiting > 0

    def pull(self) -> Frame | None:
        """The next frame to send, taken off its queue (None: nothing is eligible)."""
        if self.waiting:
            for queue in self.queues:
                if queue.frames:
                    self.waiting -= 1
                    return queue.frames.popleft()
        return None
