# SPDX-License-Identifier: MIT
"""An 802.1Q egress port: traffic-class queues, 802.1Qbv gates, 802.1Qav shapers, selection.

The elements are INET's `Ieee8021qTimeAwareShaper` taken apart, each its own
class with one small interface:

- per traffic class a `DropTailQueue` (the classifier is the frame's queue
  index, its traffic class, fixed per flow: `simulation.model.tsn.traffic_class`);
- per class optionally a `CreditGate` (802.1Qav) and a `PeriodicGate`
  (802.1Qbv), in that order between the queue and the selection;
- `TsnEgress`: strict priority, the highest class with an eligible frame
  first (INET's `PriorityScheduler`, `reverseOrder`).

The MAC asks `pull(now)` for the next eligible frame; an element whose
eligibility may have grown tells the MAC through `TsnEgress.changed`, which
makes the MAC (re)schedule its serve event at the current time, as INET's
elements notify its `InstantServer`. INET forwards that notification only
through open gates, so a frame queued behind a closed gate wakes nobody; the
gate's opening does. Floating-point steps (guard band, credit) are INET's, in
the same order, so times agree to the picosecond.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simulation.embedded.egress import DropTailQueue, Frame
from simulation.embedded.kernel import INIT_DEPTH, Kernel, Timer

if TYPE_CHECKING:
    from simulation.embedded.layered import LayeredMac

#: OMNeT++'s double -> simtime conversion at picosecond resolution.
FSCALE = 1e12
INVFSCALE = 1.0 / FSCALE


def to_ps(seconds: float) -> int:
    """A time in seconds (double) as OMNeT++ turns it into simtime: nearest picosecond."""
    return math.floor(FSCALE * seconds + 0.5)


def bits_time_ps(nbytes: int, bitrate: float) -> int:
    """How INET computes the time of `nbytes` at `bitrate`: (bits / rate) s, then simtime."""
    return to_ps((nbytes * 8) / bitrate)


class PeriodicGate:
    """One traffic class's 802.1Qbv gate: INET's `PeriodicGate` with its implicit guard band.

    It alternates between open and closed after each of `durations`, starting
    in state `initially_open` at position `offset` of the list. A frame may
    pass an open gate only if its transmission (frame and preamble, INET's
    `extraLength` of 8 B) ends by the gate's next change (INET's implicit
    guard band; 802.1Q leaves this to the implementation, 8.6.8.4 NOTE 1).
    """

    __slots__ = ("bitrate", "durations", "egress", "guard", "index", "kernel", "open", "tc",
                 "timer")  # fmt: skip

    def __init__(
        self, egress: TsnEgress, tc: int, initially_open: bool, offset: int, durations: list[int]
    ) -> None:
        self.egress = egress
        self.kernel = egress.kernel
        self.tc = tc
        self.bitrate = egress.bitrate
        self.durations = durations
        self.open = initially_open
        self.index = 0
        #: INET's isInGuardBand_: open, but the waiting frame does not fit
        self.guard = False
        self.timer = Timer(self._change)
        total = sum(durations)
        offset = offset % total if total else 0
        while offset > 0:
            duration = durations[self.index]
            if offset < duration:
                break
            self.open = not self.open
            offset -= duration
            self.index = (self.index + 1) % len(durations)
        if durations:  # scheduled while the simulation initialises
            self._schedule(offset, INIT_DEPTH, 0)

    def _schedule(self, offset: int, depth: int, root: int) -> None:
        duration = self.durations[self.index]
        self.index = (self.index + 1) % len(self.durations)
        self.kernel.start(self.timer, self.kernel.now + duration - offset, depth, root)

    def _change(self, _: None, depth: int, root: int) -> None:
        """The gate's change event: reschedule, then open or close (INET's order)."""
        del depth, root
        pos = self.kernel.pos
        self._schedule(0, 0, pos)
        self.open = not self.open
        self.egress.gate_changed(self, 0, pos)

    def fits(self, nbytes: int, now: int) -> bool:
        """Whether a frame of `nbytes` wire bytes ends before the gate's next change."""
        end = self.timer.at
        return end is None or now + bits_time_ps(nbytes, self.bitrate) <= end

    def update_guard(self, depth: int, root: int) -> None:
        """INET's updateIsInGuardBand: a credit-based shaper before the gate hears of changes."""
        head = self.egress.head(self.tc, through_shaper=True)
        guard = self.open and head is not None and not self.fits(head[0], self.kernel.now)
        if guard != self.guard:
            self.guard = guard
            shaper = self.egress.shapers[self.tc]
            if shaper is not None:
                shaper.gate_signal(depth, root)


class CreditGate:
    """One traffic class's 802.1Qav credit-based shaper: INET's `Ieee8021qCreditBasedGate`.

    Credit grows at the idle slope while frames of the class wait (or the
    credit is negative), falls at (link rate - idle slope) while one of them
    is sent and during the inter-frame gap after it (INET counts the gap as
    sending), and is frozen while the class's gate is closed or in its guard
    band (INET's `accumulateCreditInGuardBand = false`). An idle class's
    positive credit is reset to 0 at the end of its gap (802.1Q 8.6.8.2).
    The class may start a frame with credit >= 0. INET does not scale the
    idle slope for the time the gate is closed (802.1Q 8.6.8.2 d, its open
    issue #874); neither does this model. Credit is a double in bits,
    updated at the instants and in the order INET updates it.
    """

    __slots__ = ("credit", "egress", "emitted", "emitted_at", "gap", "idle", "kernel", "open",
                 "rate", "send", "tc", "timer", "transmitting")  # fmt: skip

    def __init__(self, egress: TsnEgress, tc: int, idle_slope: int) -> None:
        self.egress = egress
        self.kernel = egress.kernel
        self.tc = tc
        self.idle = float(idle_slope)
        #: transmitCreditSpendRate = -(idleSlope - bitrate)
        self.send = -(float(idle_slope) - egress.bitrate)
        self.credit = 0.0
        #: credit gain rate: 0 after initialisation (idle, nothing queued)
        self.rate = 0.0
        self.emitted = 0.0
        self.emitted_at = 0
        self.transmitting = False
        self.gap = False
        self.open = True
        self.timer = Timer(self._expire)

    # ---- INET's CreditBasedGate, step by step

    def _update_credit(self) -> None:
        value = self.emitted + self.rate * ((self.kernel.now - self.emitted_at) * INVFSCALE)
        self.credit = value

    def _emit(self) -> None:
        now = self.kernel.now
        if self.emitted != self.credit or self.emitted_at != now:
            self.emitted = self.credit
            self.emitted_at = now

    def _update_rate(self) -> None:
        gate = self.egress.gates[self.tc]
        if self.transmitting or self.gap:
            self.rate = -self.send
        elif gate is not None and (not gate.open or gate.guard):
            self.rate = 0.0
        elif self.credit < 0 or self.egress.queues[self.tc].frames:
            self.rate = self.idle
        else:
            self.rate = 0.0

    def _update_gate(self, depth: int, root: int) -> None:
        if self.credit >= 0:
            if not self.open:
                self.open = True
                self.egress.shaper_changed(self, depth, root)
        elif self.open:
            self.open = False
            self.egress.shaper_changed(self, depth, root)

    def update_state(self, depth: int, root: int) -> None:
        """INET's updateCurrentState: credit, slope, emission, gate state."""
        self._update_credit()
        self._update_rate()
        self._emit()
        self._update_gate(depth, root)

    def schedule(self, depth: int, root: int) -> None:
        """INET's scheduleChangeTimer: when the credit will reach 0 at the current slope."""
        rate, credit, kernel = self.rate, self.credit, self.kernel
        if rate == 0 or (rate > 0 and credit >= 0) or (rate < 0 and credit <= 0):
            kernel.cancel(self.timer)
            return
        now = kernel.now
        at = now + to_ps((0 - credit) / rate)
        if at < now:
            kernel.cancel(self.timer)
        else:
            kernel.start(self.timer, at, depth, root)

    def _expire(self, _: None, depth: int, root: int) -> None:
        """The credit reached 0."""
        del depth, root
        pos = self.kernel.pos
        self.credit = 0.0
        self._emit()
        self._update_rate()
        self._update_gate(0, pos)

    # ---- what it hears

    def can_pull_changed(self, depth: int, root: int) -> bool:
        """A frame was queued: update; True when the notification goes on (gate open)."""
        self.update_state(depth, root)
        self.schedule(depth, root)
        return self.open

    def gate_signal(self, depth: int, root: int) -> None:
        """Its periodic gate opened, closed, or entered or left its guard band."""
        self.update_state(depth, root)
        self.schedule(depth, root)

    def transmission(self, started: bool, depth: int, root: int) -> None:
        """One of its frames started or ended on the wire."""
        self.update_state(depth, root)
        if started:
            self.transmitting = True
        else:
            self.transmitting = False
            self.gap = True
        self.update_state(depth, root)
        self.schedule(depth, root)

    def gap_ended(self, depth: int, root: int) -> None:
        """The port's inter-frame gap ended (after any frame; it matters after its own)."""
        if not self.gap:
            return
        self.update_state(depth, root)
        self.gap = False
        if not self.egress.queues[self.tc].frames:
            self.credit = min(0.0, self.credit)
            self._emit()
        self.update_state(depth, root)
        self.schedule(depth, root)


class TsnEgress:
    """A port's traffic-class queues with their gates and shapers, served in strict priority."""

    __slots__ = ("bitrate", "gates", "kernel", "mac", "queues", "shapers", "waiting")

    def __init__(self, kernel: Kernel, queues: list[DropTailQueue], bitrate: int) -> None:
        self.kernel = kernel
        self.queues = queues
        self.bitrate = float(bitrate)
        self.gates: list[PeriodicGate | None] = [None] * len(queues)
        self.shapers: list[CreditGate | None] = [None] * len(queues)
        self.waiting = 0
        self.mac: LayeredMac | None = None

    def head(self, tc: int, through_shaper: bool = False) -> Frame | None:
        """The head frame of class `tc` (as its gate sees it: none behind a closed shaper)."""
        frames = self.queues[tc].frames
        if not frames:
            return None
        shaper = self.shapers[tc]
        if through_shaper and shaper is not None and not shaper.open:
            return None
        return frames[0]

    def push(self, frame: Frame, depth: int, root: int) -> DropTailQueue | None:
        """Queue `frame` (or refuse it: returns the full queue); then tell who listens."""
        tc = frame[2]
        queue = self.queues[tc]
        full = queue.capacity is not None and len(queue.frames) >= queue.capacity
        if not full:
            queue.frames.append(frame)
            self.waiting += 1
        self._can_pull_changed(tc, depth, root)
        return queue if full else None

    def _can_pull_changed(self, tc: int, depth: int, root: int) -> None:
        shaper = self.shapers[tc]
        if shaper is not None and not shaper.can_pull_changed(depth, root):
            return
        self._through_gate(tc, depth, root)

    def _through_gate(self, tc: int, depth: int, root: int) -> None:
        gate = self.gates[tc]
        if gate is None or gate.open:
            self.changed(depth, root)
        if gate is not None:
            gate.update_guard(depth, root)

    def changed(self, depth: int, root: int) -> None:
        """Something may have become eligible: the MAC's server looks again."""
        assert self.mac is not None
        self.mac.notify(depth, root)

    def gate_changed(self, gate: PeriodicGate, depth: int, root: int) -> None:
        """A periodic gate opened or closed (INET: notify, signal the shaper, guard band)."""
        self.changed(depth, root)
        shaper = self.shapers[gate.tc]
        if shaper is not None:
            shaper.gate_signal(depth, root)
        gate.update_guard(depth, root)

    def shaper_changed(self, shaper: CreditGate, depth: int, root: int) -> None:
        """A shaper opened or closed: its notification passes its periodic gate."""
        self._through_gate(shaper.tc, depth, root)

    def has_frames(self) -> bool:
        """Whether any frame waits."""
        return self.waiting > 0

    def pull(self, now: int) -> Frame | None:
        """The first eligible frame of the highest class, taken off its queue."""
        if not self.waiting:
            return None
        for tc in range(len(self.queues) - 1, -1, -1):
            frames = self.queues[tc].frames
            if not frames:
                continue
            shaper = self.shapers[tc]
            if shaper is not None and not shaper.open:
                continue
            gate = self.gates[tc]
            if gate is not None and (not gate.open or not gate.fits(frames[0][0], now)):
                continue
            self.waiting -= 1
            return frames.popleft()
        return None

    # ---- what the MAC tells the shapers

    def transmission(self, frame: Frame, started: bool, depth: int, root: int) -> None:
        """A frame's transmission started or ended (INET's transmission signals)."""
        shaper = self.shapers[frame[2]]
        if shaper is not None:
            shaper.transmission(started, depth, root)

    def gap_ended(self, depth: int, root: int) -> None:
        """The inter-frame gap after a frame ended (INET's interpacketGapEnded signal)."""
        for shaper in self.shapers:
            if shaper is not None:
                shaper.gap_ended(depth, root)
