# SPDX-License-Identifier: MIT
"""The event kernel: a future event set in OMNeT++'s equal-time order, in integer picoseconds.

OMNeT++ runs events in (time, priority, insertion order). INET passes a packet
through its modules as chains of zero-delay messages, so the order of two
things that happen at one instant depends on when each chain was started and
how deep it is (`simulation.embedded.inet`). The kernel's key reproduces that:
(time, scheduled at, chain depth, position of the event that started the chain,
sequence). Every handler is called as `handler(arg, depth, root)` with the
depth and root of the event that runs it, so the work it starts carries them on.

`chain` is INET's zero-delay chain collapsed: the work is done at once when no
other event shares the instant (nothing could come between), and otherwise
becomes an event of its own with the chain's depth, so the outcome is INET's
either way. `Timer` is a module's cancellable self-message: a cancelled or
rescheduled timer's old entry is skipped, and does not count as an event.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

#: handler(arg, depth, root)
Handler = Callable[[Any, int, int], None]
#: Chain depth of the events scheduled while the simulation initialises (before any event).
INIT_DEPTH = -1
NEVER = 1 << 62


class Timer:
    """A cancellable event of one module (OMNeT++'s self-message)."""

    __slots__ = ("arg", "at", "gen", "handler")

    def __init__(self, handler: Handler, arg: Any = None) -> None:
        self.handler = handler
        self.arg = arg
        self.gen = 0
        #: when it fires (None: not scheduled)
        self.at: int | None = None

    @property
    def scheduled(self) -> bool:
        """Whether the timer is pending."""
        return self.at is not None


class Kernel:
    """The future event set and the clock of one run."""

    __slots__ = ("heap", "horizon", "now", "pos", "seq", "stopped")

    def __init__(self, horizon: int) -> None:
        self.heap: list[tuple[int, int, int, int, int, Handler | None, Any]] = []
        self.horizon = horizon
        self.now = 0
        #: events processed so far (the position of the current one)
        self.pos = 0
        self.seq = 0
        self.stopped = False

    def at(self, t: int, depth: int, root: int, handler: Handler, arg: Any) -> None:
        """Schedule `handler(arg)` at `t` from the current event (dropped beyond the horizon)."""
        if t <= self.horizon:
            heapq.heappush(self.heap, (t, self.now, depth, root, self.seq, handler, arg))
            self.seq += 1

    def at_as(
        self, t: int, scheduled_at: int, depth: int, root: int, handler: Handler, arg: Any
    ) -> None:
        """Schedule as if an earlier event (at `scheduled_at`, position `root`) had done it."""
        if t <= self.horizon:
            heapq.heappush(self.heap, (t, scheduled_at, depth, root, self.seq, handler, arg))
            self.seq += 1

    def chain(self, depth: int, root: int, handler: Handler, arg: Any) -> None:
        """The end of a zero-delay chain: now, unless another event shares the instant."""
        heap, now = self.heap, self.now
        if heap and heap[0][0] == now:
            heapq.heappush(heap, (now, now, depth, root, self.seq, handler, arg))
            self.seq += 1
        else:
            handler(arg, depth, root)

    def start(self, timer: Timer, t: int, depth: int, root: int) -> None:
        """(Re)schedule `timer` at `t`; a pending one is moved (OMNeT++: cancel + scheduleAt)."""
        timer.gen += 1
        if t > self.horizon:
            timer.at = None
            return
        timer.at = t
        heapq.heappush(self.heap, (t, self.now, depth, root, self.seq, None, (timer, timer.gen)))
        self.seq += 1

    @staticmethod
    def cancel(timer: Timer) -> None:
        """Cancel `timer` if it is pending."""
        timer.gen += 1
        timer.at = None

    def stop(self) -> None:
        """End the simulation after the current event (OMNeT++'s endSimulation())."""
        self.stopped = True

    def run(self, progress: Callable[[int], None] | None = None, slices: int = 200) -> None:
        """Process events in order up to and including the horizon, or until `stop`.

        With `progress`, the run goes in `slices` slices of simulated time and
        calls `progress(now)` after each, so a long run can show how far it is
        (nothing is checked per event).
        """
        if progress is None or self.horizon >= NEVER:
            self._run(self.horizon)
            return
        step = max(1, self.horizon // slices)
        until = min(self.horizon, self.now + step)
        while True:
            self._run(until)
            progress(self.now)
            if self.stopped or until >= self.horizon or not self.heap:
                return
            until = min(self.horizon, until + step)

    def _run(self, until: int) -> None:
        """Process events up to and including `until`; the first later one goes back."""
        heap, pop = self.heap, heapq.heappop
        while heap:
            t, at, depth, root, seq, handler, arg = pop(heap)
            if t > until:
                if until < self.horizon:  # the next slice's first event
                    heapq.heappush(heap, (t, at, depth, root, seq, handler, arg))
                break
            if handler is None:  # a timer: skip it if cancelled or moved since
                timer, gen = arg
                if timer.gen != gen:
                    continue
                timer.at = None
                handler, arg = timer.handler, timer.arg
            self.now = t
            self.pos += 1
            handler(arg, depth, root)
            if self.stopped:
                break
