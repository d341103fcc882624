# SPDX-License-Identifier: MIT
"""From frame windows to one gate control list per port.

On each port that protected frames cross, over one cycle from time 0:

- the protected class's gate is open exactly while a protected frame is on
  the wire; windows only one inter-frame gap apart (a message's back-to-back
  fragments) stay open across the gap, since the MAC cannot start the next
  frame sooner anyway; any longer pause closes the gate, so no frame can leave
  before its window and overtake the plan downstream;
- the other classes' gates are open everywhere else except the guard band
  before each window (`Port.guard_ps`: one maximum-size frame plus the gap,
  or only the gap when relying on the gate's implicit guard band), so no
  other frame is still on the wire when a window opens;
- adjacent entries with the same gates merge, and the entries add up to the
  cycle exactly (a window that runs past the cycle's end wraps to its start).
"""

from __future__ import annotations

from simulation.model.gcl import ALL_OPEN, GateControlList, GateEntry
from simulation.tsn_synthesis.placement import Starts
from simulation.tsn_synthesis.problem import Problem


def port_windows(problem: Problem, starts: Starts) -> list[list[tuple[int, int]]]:
    """Each port's protected windows (start, end) within the cycle, sorted, gaps merged."""
    raw: list[list[tuple[int, int]]] = [[] for _ in problem.ports]
    for m, st in zip(problem.messages, starts, strict=True):
        for hop, pi in enumerate(m.ports):
            for s, d in zip(st[hop], m.tx_ps[hop], strict=True):
                raw[pi] += _wrap(s, s + d, problem.cycle_ps)
    merged: list[list[tuple[int, int]]] = []
    for pi, windows in enumerate(raw):
        ifg = problem.ports[pi].ifg_ps
        out: list[tuple[int, int]] = []
        for s, e in sorted(windows):
            if out and s <= out[-1][1] + ifg:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        merged.append(out)
    return merged


def build_gcls(problem: Problem, starts: Starts) -> tuple[GateControlList, ...]:
    """One GCL per port that protected frames cross, in `problem.ports` order."""
    cycle = problem.cycle_ps
    protected = 1 << problem.protected_class
    others = ALL_OPEN & ~protected
    gcls = []
    for port, windows in zip(problem.ports, port_windows(problem, starts), strict=True):
        events: list[tuple[int, int, int]] = []  # (time, d_open, d_guard)
        for s, e in windows:
            for a, b, d_open, d_guard in ((s, e, 1, 0), (s - port.guard_ps, e, 0, 1)):
                # windows are folded already; guard bands before time 0 fold to the end
                for lo, hi in _wrap(a, b, cycle):
                    events += [(lo, d_open, d_guard), (hi, -d_open, -d_guard)]
        events.sort()
        entries: list[GateEntry] = []
        t, n_open, n_guard, i = 0, 0, 0, 0
        while t < cycle:
            while i < len(events) and events[i][0] <= t:
                n_open += events[i][1]
                n_guard += events[i][2]
                i += 1
            nxt = events[i][0] if i < len(events) else cycle
            mask = (protected if n_open else 0) | (0 if n_guard else others)
            if entries and entries[-1].open_mask == mask:
                entries[-1] = GateEntry(entries[-1].duration_ps + nxt - t, mask)
            else:
                entries.append(GateEntry(nxt - t, mask))
            t = nxt
        gcls.append(GateControlList(port.node, port.peer, cycle, tuple(entries)))
    return tuple(gcls)


def _wrap(a: int, b: int, cycle: int) -> list[tuple[int, int]]:
    """[a, b) folded into [0, cycle), as one or two intervals (b - a <= cycle)."""
    lo, length = a % cycle, b - a
    if length >= cycle:
        return [(0, cycle)]
    if lo + length <= cycle:
        return [(lo, lo + length)]
    return [(lo, cycle), (0, lo + length - cycle)]
