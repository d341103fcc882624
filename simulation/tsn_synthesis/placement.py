# SPDX-License-Identifier: MIT
"""A placement (when each protected frame leaves each port) and the rules it must keep.

A gate that opens the protected class's queue exactly in each frame's window
sends the frames as placed only if the queue's FIFO order agrees with the
windows' order. Both synthesisers therefore keep one rule per port, checked
here independently of how a placement was found:

- a frame's window starts no earlier than the frame enters the queue (its
  release at the source; store and forward after that), and the frames of a
  message leave in order, one gap apart;
- messages pass a port one after the other: if A's windows come before B's,
  A's last frame entered the queue strictly before B's first one (at a switch),
  or A was released first (at a source host: same instant, the flow listed first);
  so the queue's head is always the frame whose window is open;
- everything repeats every cycle: the rule holds between a message and the
  other messages' copies one cycle earlier and later (its own included);
- a run starts with no message of an earlier cycle in flight, and a window
  whose message is missing would send whatever waits behind it: so a message
  that passes a port after one of the previous cycle enters the queue only once
  that one has left (its windows and the gap after them), and the first
  cycle runs exactly like every later one;
- every message arrives within its deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simulation.tsn_synthesis.problem import Message, Problem

#: starts[message][hop][frame]: when each frame's transmission starts on each hop (ps).
Starts = tuple[tuple[tuple[int, ...], ...], ...]


@dataclass(frozen=True)
class Span:
    """A message at one port: when its first/last frame enter the queue, its windows' extent."""

    first_in: int
    last_in: int
    window_start: int
    #: End of the last frame plus its inter-frame gap: the port is free again then.
    window_end: int
    release: int
    order: int

    def shifted(self, by: int) -> Span:
        """The same message `by` picoseconds later (a copy one cycle away)."""
        return Span(
            self.first_in + by, self.last_in + by, self.window_start + by,
            self.window_end + by, self.release + by, self.order,
        )  # fmt: skip


def span(problem: Problem, m: Message, hop: int, starts: Sequence[Sequence[int]]) -> Span:
    """`m` at its `hop`-th port, given its frame starts on every hop up to `hop`."""
    arr = problem.arrivals(m, hop, starts[hop - 1] if hop else None)
    ifg = problem.ports[m.ports[hop]].ifg_ps
    end = starts[hop][-1] + m.tx_ps[hop][-1] + ifg
    return Span(arr[0], arr[-1], starts[hop][0], end, m.release_ps, m.order)


def precedes(a: Span, b: Span, source: bool, earlier_cycle: bool = False) -> bool:
    """True if `a` passes the port wholly before `b`, in FIFO order.

    `earlier_cycle`: `a` belongs to the cycle before `b`'s, so `b` must not enter the
    queue before `a` has left it (start-up rule).
    """
    if a.window_end > b.window_start:
        return False
    if earlier_cycle and b.first_in < a.window_end:
        return False
    if source:
        return (a.release, a.order) < (b.release, b.order)
    return a.last_in < b.first_in


def latency_ps(problem: Problem, m: Message, starts: Sequence[Sequence[int]]) -> int:
    """Release to delivery of the last bit at the destination."""
    return problem.delivery_ps(m, starts[-1]) - m.release_ps


def flow_latencies(problem: Problem, starts: Starts) -> dict[str, int]:
    """Each protected flow's guaranteed latency: the worst of its messages."""
    out: dict[str, int] = {}
    for m, st in zip(problem.messages, starts, strict=True):
        out[m.flow] = max(out.get(m.flow, 0), latency_ps(problem, m, st))
    return out


def violations(problem: Problem, starts: Starts, limit: int = 20) -> list[str]:
    """What `starts` breaks of the rules above (empty: a valid schedule), at most `limit`."""
    out: list[str] = []
    per_port: list[list[tuple[Message, Span]]] = [[] for _ in problem.ports]
    for m, st in zip(problem.messages, starts, strict=True):
        if len(st) != len(m.ports) or any(len(row) != m.frames for row in st):
            out.append(f"{m.label}: placement has the wrong shape")
            continue
        for hop, pi in enumerate(m.ports):
            port = problem.ports[pi]
            arr = problem.arrivals(m, hop, st[hop - 1] if hop else None)
            for i, (s, a) in enumerate(zip(st[hop], arr, strict=True)):
                if s < a:
                    out.append(f"{m.label} frame {i} leaves {port.label} at {s} before it is in")
                if i and s < st[hop][i - 1] + m.tx_ps[hop][i - 1] + port.ifg_ps:
                    out.append(f"{m.label} frame {i} overlaps frame {i - 1} on {port.label}")
            per_port[pi].append((m, span(problem, m, hop, st)))
        lat = latency_ps(problem, m, st)
        if lat > m.deadline_ps:
            out.append(f"{m.label} arrives {lat} ps after release, deadline {m.deadline_ps}")
    cycle = problem.cycle_ps
    for pi, entries in enumerate(per_port):
        source = problem.ports[pi].is_source
        for i, (ma, span_a) in enumerate(entries):
            for mb, span_b in entries[i:]:
                for k in (-1, 0, 1) if mb is not ma else (1,):
                    bk = span_b.shifted(k * cycle)
                    if not (
                        precedes(span_a, bk, source, k > 0) or precedes(bk, span_a, source, k < 0)
                    ):
                        out.append(
                            f"{ma.label} and {mb.label} (cycle shift {k}) break FIFO order or "
                            f"overlap on {problem.ports[pi].label}"
                        )
        if len(out) >= limit:
            break
    return out[:limit]
