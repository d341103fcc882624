# SPDX-License-Identifier: MIT
"""Greedy per-hop synthesis: most urgent message first, each frame as early as the port allows.

Messages go in order of absolute deadline (release + deadline; then release,
flow order), except that a host's messages go in the order it releases them
(its queue sends them in that order anyway). Each is placed hop by hop: on
every port its frames take the earliest windows that keep the rules of
`placement` with the messages already placed (free time, FIFO order, cycle
wrap-around, start-up), with store and forward from
the hop before. When a port can take the message only if it arrives later
(another message's frames are arriving at the same time, or a message that
arrives after it already holds an earlier window), the message is held longer
at the hop before and that hop is placed again; a message cannot be held
before its release, so if its source host's port is taken (by the next cycle's
copy of a message released after it) the greedy gives up and says why.
Each step only moves frames later, so the search ends, at the latest when the
message would miss its deadline.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

from simulation.model.scenario import ScenarioError
from simulation.tsn_synthesis.placement import Span, Starts, span
from simulation.tsn_synthesis.problem import Message, Problem


@dataclass(frozen=True)
class _Later:
    """The message fits the port only if its first frame enters the queue at `first_in` or later."""

    first_in: int
    #: The message whose frames force it.
    because: str


def greedy(problem: Problem) -> Starts:
    """Frame starts for every message of `problem` (in `problem.messages` order)."""
    messages = problem.messages

    def urgency(j: int) -> tuple[int, int, int, int]:
        m = messages[j]
        return (m.release_ps + m.deadline_ps, m.release_ps, m.order, m.index)

    # A host's queue sends in release order, so a message is placed only after the messages
    # its host released before it: then nothing placed earlier holds a window it needs there.
    by_host: dict[int, list[int]] = {}
    for j, m in enumerate(messages):
        by_host.setdefault(m.ports[0], []).append(j)
    queues = [
        deque(sorted(js, key=lambda j: (messages[j].release_ps, messages[j].order)))
        for js in by_host.values()
    ]
    ready = [(urgency(q[0]), qi) for qi, q in enumerate(queues)]
    heapq.heapify(ready)
    placed: list[list[tuple[Span, str]]] = [[] for _ in problem.ports]
    result: list[tuple[tuple[int, ...], ...] | None] = [None] * len(messages)
    while ready:
        _, qi = heapq.heappop(ready)
        j = queues[qi].popleft()
        if queues[qi]:
            heapq.heappush(ready, (urgency(queues[qi][0]), qi))
        m = messages[j]
        starts = _place(problem, m, placed)
        result[j] = tuple(tuple(row) for row in starts)
        for hop, pi in enumerate(m.ports):
            placed[pi].append((span(problem, m, hop, starts), m.label))
    return tuple(r for r in result if r is not None)


def _place(problem: Problem, m: Message, placed: list[list[tuple[Span, str]]]) -> list[list[int]]:
    latest = m.release_ps + m.deadline_ps
    lower = [m.release_ps] * len(m.ports)  # earliest first-frame start per hop
    starts: list[list[int]] = []
    hop = 0
    while hop < len(m.ports):
        del starts[hop:]
        port = problem.ports[m.ports[hop]]
        arr = problem.arrivals(m, hop, starts[hop - 1] if hop else None)
        fit = _fit(problem, m, hop, arr, lower[hop], placed[m.ports[hop]])
        if isinstance(fit, list):
            if fit[-1] + m.tx_ps[hop][-1] > latest:
                _miss(problem, m, port.label, fit[-1] + m.tx_ps[hop][-1])
            starts.append(fit)
            hop += 1
            continue
        if hop == 0:
            raise ScenarioError(
                f"greedy synthesis cannot place flow {m.flow!r} (message {m.index}, released "
                f"at {m.release_ps / 1e6:g} us) on {port.label}: the windows it needs there "
                f"would delay or overlap {fit.because} of the same host, placed before it; try "
                "the optimal synthesiser",
                "tsn.synthesis",
            )
        prev = problem.ports[m.ports[hop - 1]]
        need = fit.first_in - m.tx_ps[hop - 1][0] - prev.delay_ps
        if need > latest:
            _miss(problem, m, port.label, need, fit.because)
        lower[hop - 1] = max(lower[hop - 1], need)
        hop -= 1
    delivery = problem.delivery_ps(m, starts[-1])
    if delivery > latest:
        _miss(problem, m, problem.ports[m.ports[-1]].label, delivery)
    return starts


def _fit(
    problem: Problem,
    m: Message,
    hop: int,
    arr: list[int],
    lower: int,
    placed: list[tuple[Span, str]],
) -> list[int] | _Later:
    """Earliest frame starts of `m` on its `hop`-th port, or how much later it must arrive."""
    port = problem.ports[m.ports[hop]]
    cycle = problem.cycle_ps
    first_in, last_in = arr[0], arr[-1]
    after_free = -1  # the port is free of messages before this one from here on
    later: list[tuple[Span, str, bool]] = []  # (span, message, of the next cycle)
    clash: _Later | None = None
    for sp, label in placed:
        for k in (-1, 0, 1):
            x = sp.shifted(k * cycle)
            if port.is_source:
                before = (x.release, x.order) < (m.release_ps, m.order)
            elif x.last_in < first_in:
                before = True
            elif x.first_in > last_in:
                before = False
            else:  # its frames arrive while ours do: FIFO order would be ambiguous
                if clash is None or x.last_in + 1 > clash.first_in:
                    clash = _Later(x.last_in + 1, label)
                continue
            if before:
                after_free = max(after_free, x.window_end)
                # start-up rule: after a message of the previous cycle, in once it has left
                late = k < 0 and first_in < x.window_end
                if late and (clash is None or x.window_end > clash.first_in):
                    clash = _Later(x.window_end, label)
            else:
                later.append((x, label, k > 0))
    if clash is not None:
        return clash
    tx, ifg = m.tx_ps[hop], port.ifg_ps
    row: list[int] = []
    for i, a in enumerate(arr):
        row.append(max(a, after_free, lower) if i == 0 else max(a, row[-1] + tx[i - 1] + ifg))
    end = row[-1] + tx[-1] + ifg
    # a message of the next cycle must not even arrive before ours has left (start-up rule)
    blocking = [
        (x, label) for x, label, nxt in later if x.window_start < end or (nxt and x.first_in < end)
    ]
    if not blocking:
        return row
    x, label = max(blocking, key=lambda b: b[0].last_in)
    return _Later(x.last_in + 1, label)


def _miss(problem: Problem, m: Message, where: str, at: int, because: str = "") -> None:
    why = f" behind {because}" if because else ""
    raise ScenarioError(
        f"flow {m.flow!r} cannot meet its deadline of {m.deadline_ps / 1e6:g} us: greedy "
        f"synthesis delays its message {m.index} (released at {m.release_ps / 1e6:g} us) "
        f"on {where}{why} until {(at - m.release_ps) / 1e6:g} us after release; try the optimal "
        "synthesiser",
        "tsn.synthesis",
    )
