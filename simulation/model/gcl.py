# SPDX-License-Identifier: MIT
"""Gate control lists of IEEE 802.1Q time-aware shaping (802.1Qbv), as data.

A port's gate control list (GCL) repeats every `cycle_ps` from `base_ps` on:
each entry keeps a set of gates open (bit q of `open_mask` = the gate of
traffic class / queue q) for `duration_ps`. The same list drives the embedded
engine's gates and the OMNeT++ backend's `Ieee8021qTimeAwareShaper`, and a
profile can give it explicitly or have fogcosim synthesise it and write it out.

Times are integer picoseconds. Before `base_ps` the list runs as if it had
started a whole number of cycles earlier (INET's `PeriodicGate` with an
offset does the same): the state at any time t is that of
(t - base_ps) mod cycle_ps.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

from simulation.model.scenario_error import ScenarioError

#: 802.1Q has eight traffic classes (PCP 0..7), so a mask has eight bits.
NUM_CLASSES = 8
ALL_OPEN = (1 << NUM_CLASSES) - 1


@dataclass(frozen=True)
class GateEntry:
    """One entry: these gates open (bit q = queue q), the others closed, for `duration_ps`."""

    duration_ps: int
    open_mask: int


@dataclass(frozen=True)
class GateControlList:
    """The GCL of the port of `node` that sends towards `peer`."""

    node: str
    peer: str
    cycle_ps: int
    entries: tuple[GateEntry, ...]
    base_ps: int = 0

    def __post_init__(self) -> None:
        where = f"gate control list of {self.node} -> {self.peer}"
        if self.cycle_ps <= 0:
            raise ScenarioError(f"{where}: cycle must be positive", "tsn.gates.cycle")
        if not self.entries:
            raise ScenarioError(f"{where}: no entries", "tsn.gates.entries")
        for i, e in enumerate(self.entries):
            if e.duration_ps <= 0:
                raise ScenarioError(
                    f"{where}: entry {i} has a non-positive duration", "tsn.gates.entries"
                )
            if not 0 <= e.open_mask <= ALL_OPEN:
                raise ScenarioError(
                    f"{where}: entry {i} opens gates {e.open_mask:#x} outside the eight "
                    "traffic classes (mask 0x00..0xff)",
                    "tsn.gates.entries",
                )
        total = sum(e.duration_ps for e in self.entries)
        if total != self.cycle_ps:
            raise ScenarioError(
                f"{where}: entry durations add up to {total / 1e6:g} us, not the cycle's "
                f"{self.cycle_ps / 1e6:g} us",
                "tsn.gates.entries",
            )

    @cached_property
    def _starts(self) -> list[int]:
        """Offset of each entry's start within the cycle."""
        starts, t = [], 0
        for e in self.entries:
            starts.append(t)
            t += e.duration_ps
        return starts

    def phase(self, t: int) -> int:
        """Where `t` falls within the cycle."""
        return (t - self.base_ps) % self.cycle_ps

    def state(self, t: int) -> int:
        """The open mask at time `t`."""
        i = bisect.bisect_right(self._starts, self.phase(t)) - 1
        return self.entries[i].open_mask

    def next_change(self, t: int) -> int:
        """The first time after `t` at which an entry begins (gate states may change then)."""
        phase = self.phase(t)
        i = bisect.bisect_right(self._starts, phase)
        nxt = self._starts[i] if i < len(self._starts) else self.cycle_ps
        return t + (nxt - phase)

    def open_for(self, queue: int, t: int) -> int:
        """How long queue `queue`'s gate stays open from `t` on (0 if closed at `t`).

        Adjacent entries that keep it open count together; a gate open in every
        entry is open for ever (returns the cycle length times the number of
        entries plus one, i.e. more than any frame needs).
        """
        bit = 1 << queue
        if all(e.open_mask & bit for e in self.entries):
            return self.cycle_ps * (len(self.entries) + 1)
        if not self.state(t) & bit:
            return 0
        end, phase = t, self.phase(t)
        i = bisect.bisect_right(self._starts, phase) - 1
        end += self._starts[i] + self.entries[i].duration_ps - phase
        i = (i + 1) % len(self.entries)
        while self.entries[i].open_mask & bit:
            end += self.entries[i].duration_ps
            i = (i + 1) % len(self.entries)
        return end - t

    def closed_fraction(self, queue: int) -> float:
        """The share of each cycle during which queue `queue`'s gate is closed."""
        bit = 1 << queue
        closed = sum(e.duration_ps for e in self.entries if not e.open_mask & bit)
        return closed / self.cycle_ps


def periodic_gate(gcl: GateControlList, tc: int) -> tuple[bool, int, list[int]] | None:
    """Class `tc`'s gate as INET's `PeriodicGate`: (initially open, offset ps, durations ps).

    None when the gate is open all the time (INET's default: no durations).
    The durations alternate between the gate's two states. INET's gate starts
    in state `initiallyOpen` at position `offset` of its duration list; the
    list here starts at a change of the class's state (rotated by `r` into the
    cycle), so at time t its position is (t - base - r) mod cycle.
    """
    bit = 1 << tc
    runs: list[list[int]] = []  # [open, duration]
    for e in gcl.entries:
        state = 1 if e.open_mask & bit else 0
        if runs and runs[-1][0] == state:
            runs[-1][1] += e.duration_ps
        else:
            runs.append([state, e.duration_ps])
    if len(runs) == 1:
        return None if runs[0][0] else (False, 0, [])
    rotation = 0
    if runs[0][0] == runs[-1][0]:  # the run wraps around the cycle's end: start after it
        rotation = runs[0][1]
        runs[-1][1] += runs[0][1]
        runs = runs[1:]
    offset = (-gcl.base_ps - rotation) % gcl.cycle_ps
    return bool(runs[0][0]), offset, [d for _, d in runs]
