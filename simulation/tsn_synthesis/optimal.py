# SPDX-License-Identifier: MIT
"""Optimal synthesis with OR-Tools CP-SAT: the least worst latency under the rules of `placement`.

One integer variable per frame and hop (its start); store and forward and the
order of a message's frames are linear constraints; for every two messages
that could meet on a port (either way round, also one cycle apart) a Boolean
chooses which passes first, and that order binds both their windows and, at a
switch, their arrival order (FIFO). CP-SAT minimises the worst latency of any
message, then, with that worst case fixed, the sum of all latencies (for at
most twice as long as the first phase took), within a time limit; the result
says whether the worst case was proven optimal.

A greedy schedule, when there is one, is the hint and bounds every latency
(the optimum can only be lower), which keeps the model small: each frame's
start lies between its time on an idle network and the latest time that still
beats the bound, and messages whose ranges never meet need no Boolean.
Without one, the deadlines bound the ranges; if CP-SAT proves that no schedule
exists, a second model with each flow's deadline as an assumption yields a set
of flows whose deadlines cannot all hold, and the error names them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from simulation.model.scenario import ScenarioError
from simulation.tsn_synthesis.placement import Starts, flow_latencies
from simulation.tsn_synthesis.problem import Message, Problem

Objective = Literal["max", "sum"]
OBJECTIVES: tuple[str, ...] = ("max", "sum")
if TYPE_CHECKING:  # CP-SAT loads in 0.7 s (and pandas): imported where a model is solved
    from ortools.sat.python import cp_model

    Expr = cp_model.LinearExprT


@dataclass(frozen=True)
class OptimalResult:
    """A placement and what the solver could prove about it."""

    starts: Starts
    #: True if no placement has a lower worst (objective "max") or total ("sum") latency.
    proven: bool
    #: The solver's status names of each phase, e.g. ("OPTIMAL", "FEASIBLE").
    status: tuple[str, ...]


def optimal(
    problem: Problem,
    *,
    hint: Starts | None = None,
    time_limit_s: float = 60.0,
    workers: int = 2,
    objective: Objective = "max",
) -> OptimalResult:
    """Solve `problem`; `hint` (a valid placement, e.g. the greedy one) bounds and speeds it."""
    if objective not in OBJECTIVES:
        raise ScenarioError(
            f"unknown objective {objective!r} (allowed: {', '.join(OBJECTIVES)})",
            "tsn.objective",
        )
    from ortools.sat.python import cp_model

    began = time.perf_counter()
    bound = None
    if hint is not None and objective == "max":
        bound = max(flow_latencies(problem, hint).values())
    built = _Model(problem, bound, assume_deadlines=False)
    if hint is not None:
        built.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    model = built.model
    model.minimize(built.worst if objective == "max" else sum(built.lats))
    status = solver.solve(model)
    names = [solver.status_name(status)]
    if status == cp_model.INFEASIBLE and hint is None:
        _explain(problem, time_limit_s, workers)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if hint is not None:  # no better schedule within the time limit: keep the hint
            return OptimalResult(hint, False, tuple(names))
        raise ScenarioError(
            f"optimal synthesis found no schedule within its {time_limit_s:g} s time limit "
            "(and the greedy one failed): raise the time limit or protect fewer flows",
            "tsn.synthesis",
        )
    proven = status == cp_model.OPTIMAL
    found = built.values(solver)
    took = time.perf_counter() - began
    left = min(time_limit_s - took, max(2 * took, 1.0))
    if objective == "max" and proven and left > 0.05:
        # Phase 2: keep the proven worst case, make every other message as fast as it can be
        # (a tidy-up: it gets twice phase 1's time, at least 1 s, within the limit).
        model.add(built.worst <= solver.value(built.worst))
        model.clear_hints()
        built.hint(found)
        model.minimize(sum(built.lats))
        solver.parameters.max_time_in_seconds = left
        status = solver.solve(model)
        names.append(solver.status_name(status))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = built.values(solver)
    return OptimalResult(found, proven, tuple(names))


@dataclass
class _Span:
    """A message at a port as solver expressions, with the ranges they can take."""

    m: Message
    first_in: Expr
    last_in: Expr
    start: Expr
    end: Expr
    #: (lo, hi) of first_in, last_in, start, end.
    ranges: tuple[tuple[int, int], ...]
    #: The deadline assumption of its flow (only in the explaining model).
    lit: cp_model.IntVar | None


class _Model:
    """The CP-SAT model of `problem`: start variables, latencies, FIFO pairs."""

    def __init__(self, problem: Problem, bound: int | None, assume_deadlines: bool) -> None:
        from ortools.sat.python import cp_model

        self.problem = problem
        self.model = cp_model.CpModel()
        self.assumed: dict[str, cp_model.IntVar] = {}
        self.starts: list[list[list[cp_model.IntVar]]] = []
        self.lats: list[Expr] = []
        self.ranges: list[tuple[list[list[int]], list[list[int]]]] = []
        for j, m in enumerate(problem.messages):
            self._message(j, m, bound, assume_deadlines)
        self.worst = self.model.new_int_var(0, problem.cycle_ps, "worst")
        self.model.add_max_equality(self.worst, self.lats)
        self._pairs()
        if self.assumed:
            self.model.add_assumptions(list(self.assumed.values()))

    def _message(self, j: int, m: Message, bound: int | None, assume: bool) -> None:
        problem, model = self.problem, self.model
        limit = m.deadline_ps if bound is None else min(m.deadline_ps, bound)
        early = problem.alone(m)
        late = _latest(problem, m, m.release_ps + limit)
        # With deadlines as assumptions, a variable may range up to its flow's last chance
        # within the cycle; the deadline-bound ranges still decide which pairs can meet.
        gap = max(problem.ports[pi].ifg_ps for pi in m.ports)
        roomy = _latest(problem, m, m.release_ps + problem.cycle_ps - gap) if assume else late
        rows = [
            [
                model.new_int_var(lo, hi, f"s{j}_{h}_{i}")
                for i, (lo, hi) in enumerate(zip(e, r, strict=True))
            ]
            for h, (e, r) in enumerate(zip(early, roomy, strict=True))
        ]
        for h, pi in enumerate(m.ports):
            port = problem.ports[pi]
            for i in range(1, m.frames):
                model.add(rows[h][i] >= rows[h][i - 1] + m.tx_ps[h][i - 1] + port.ifg_ps)
            if h:
                prev = problem.ports[m.ports[h - 1]]
                for i in range(m.frames):
                    model.add(rows[h][i] >= rows[h - 1][i] + m.tx_ps[h - 1][i] + prev.delay_ps)
        last = problem.ports[m.ports[-1]]
        lat = rows[-1][-1] + (m.tx_ps[-1][-1] + last.delay_ps - m.release_ps)
        if assume:
            lit = self.assumed.setdefault(m.flow, model.new_bool_var(f"deadline_{m.flow}"))
            model.add(lat <= m.deadline_ps).only_enforce_if(lit)
        self.starts.append(rows)
        self.lats.append(lat)
        self.ranges.append((early, late))

    def hint(self, starts: Starts) -> None:
        """Suggest a placement to start from."""
        for var_m, val_m in zip(self.starts, starts, strict=True):
            for var_row, val_row in zip(var_m, val_m, strict=True):
                for var, value in zip(var_row, val_row, strict=True):
                    self.model.add_hint(var, value)

    def values(self, solver: cp_model.CpSolver) -> Starts:
        """The solver's placement."""
        return tuple(
            tuple(tuple(int(solver.value(v)) for v in row) for row in rows) for rows in self.starts
        )

    def _pairs(self) -> None:
        """Every two messages that could meet on a port pass it one after the other."""
        problem = self.problem
        per_port: list[list[_Span]] = [[] for _ in problem.ports]
        for j, m in enumerate(problem.messages):
            for h, pi in enumerate(m.ports):
                per_port[pi].append(self._span(j, m, h))
        cycle = problem.cycle_ps
        for pi, spans in enumerate(per_port):
            source = problem.ports[pi].is_source
            for ia, a in enumerate(spans):
                for b in spans[ia + 1 :]:
                    for k in (-1, 0, 1):
                        self._order(a, b, k * cycle, source)

    def _span(self, j: int, m: Message, h: int) -> _Span:
        problem, rows = self.problem, self.starts[j]
        early, late = self.ranges[j]
        port = problem.ports[m.ports[h]]
        lit = self.assumed.get(m.flow)
        if h == 0:
            rel = m.release_ps
            return _Span(
                m, rel, rel, rows[0][0], rows[0][-1] + m.tx_ps[0][-1] + port.ifg_ps,
                ((rel, rel), (rel, rel), (early[0][0], late[0][0]),
                 (early[0][-1] + m.tx_ps[0][-1] + port.ifg_ps,
                  late[0][-1] + m.tx_ps[0][-1] + port.ifg_ps)),
                lit,
            )  # fmt: skip
        prev = problem.ports[m.ports[h - 1]]
        off0 = m.tx_ps[h - 1][0] + prev.delay_ps
        off1 = m.tx_ps[h - 1][-1] + prev.delay_ps
        tail = m.tx_ps[h][-1] + port.ifg_ps
        return _Span(
            m, rows[h - 1][0] + off0, rows[h - 1][-1] + off1, rows[h][0], rows[h][-1] + tail,
            ((early[h - 1][0] + off0, late[h - 1][0] + off0),
             (early[h - 1][-1] + off1, late[h - 1][-1] + off1),
             (early[h][0], late[h][0]), (early[h][-1] + tail, late[h][-1] + tail)),
            lit,
        )  # fmt: skip

    def _order(self, a: _Span, b: _Span, shift: int, source: bool) -> None:
        """Constrain `a` and `b` (shifted by `shift`) to pass their port one after the other."""
        (fa_lo, fa_hi), (la_lo, la_hi), (sa_lo, sa_hi), (ea_lo, ea_hi) = a.ranges
        (fb_lo, fb_hi), (lb_lo, lb_hi), (sb_lo, sb_hi), (eb_lo, eb_hi) = (
            (lo + shift, hi + shift) for lo, hi in b.ranges
        )
        if source:  # the host's queue holds them in release order
            key_a, key_b = (a.m.release_ps, a.m.order), (b.m.release_ps + shift, b.m.order)
            a_ok, b_ok = key_a < key_b, key_b < key_a
            a_sure = b_sure = True
        else:  # a switch's queue holds them in arrival order
            a_ok, b_ok = la_lo < fb_hi, lb_lo < fa_hi
            a_sure, b_sure = la_hi < fb_lo, lb_hi < fa_lo
        # the start-up rule: a message of the next cycle enters only once the other has left
        a_ok = a_ok and ea_lo <= sb_hi and (shift <= 0 or ea_lo <= fb_hi)
        b_ok = b_ok and eb_lo <= sa_hi and (shift >= 0 or eb_lo <= fa_hi)
        a_done = a_ok and a_sure and ea_hi <= sb_lo and (shift <= 0 or ea_hi <= fb_lo)
        b_done = b_ok and b_sure and eb_hi <= sa_lo and (shift >= 0 or eb_hi <= fa_lo)
        if a_done or b_done:
            return  # one passes first whatever the solver picks
        guard = [lit for lit in (a.lit, b.lit) if lit is not None]  # the ranges assume these
        if not (a_ok or b_ok):
            self.model.add_bool_or([~lit for lit in guard])
            return
        choose = self.model.new_bool_var("") if a_ok and b_ok else None
        for ok, sure, first, second, sh in (
            (a_ok, a_sure, a, b, shift),
            (b_ok, b_sure, b, a, -shift),
        ):
            if not ok:
                continue
            when = guard if choose is None else [choose if first is a else ~choose]
            cons = [self.model.add(first.end <= second.start + sh)]
            if not sure:
                cons.append(self.model.add(first.last_in + 1 <= second.first_in + sh))
            if sh > 0:
                cons.append(self.model.add(first.end <= second.first_in + sh))
            if when:
                for c in cons:
                    c.only_enforce_if(when)


def _latest(problem: Problem, m: Message, deliver_by: int) -> list[list[int]]:
    """The latest start of each frame on each hop that still delivers `m` by `deliver_by`."""
    hops = len(m.ports)
    late = [[0] * m.frames for _ in range(hops)]
    for h in reversed(range(hops)):
        port = problem.ports[m.ports[h]]
        for i in reversed(range(m.frames)):
            options = []
            if h == hops - 1 and i == m.frames - 1:
                options.append(deliver_by - m.tx_ps[h][i] - port.delay_ps)
            if i + 1 < m.frames:
                options.append(late[h][i + 1] - m.tx_ps[h][i] - port.ifg_ps)
            if h + 1 < hops:
                options.append(late[h + 1][i] - m.tx_ps[h][i] - port.delay_ps)
            late[h][i] = min(options)
    return late


def _explain(problem: Problem, time_limit_s: float, workers: int) -> None:
    """Raise a one-line error naming flows whose deadlines cannot all hold together."""
    from ortools.sat.python import cp_model

    built = _Model(problem, None, assume_deadlines=True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    status = solver.solve(built.model)
    core: list[str] = []
    if status == cp_model.INFEASIBLE:
        by_index = {lit.index: flow for flow, lit in built.assumed.items()}
        core = sorted(by_index[i] for i in solver.sufficient_assumptions_for_infeasibility())
    if not core:
        raise ScenarioError(
            "protected flows cannot be scheduled: no gate schedule meets every deadline",
            "tsn.synthesis",
        )
    ports: dict[str, set[str]] = {}
    for m in problem.messages:
        if m.flow in core:
            for pi in m.ports:
                ports.setdefault(problem.ports[pi].label, set()).add(m.flow)
    shared = sorted(p for p, flows in ports.items() if len(flows) > 1)
    where = f" (they share {', '.join(shared[:4])})" if shared else ""
    more = f" and {len(core) - 6} more" if len(core) > 6 else ""
    raise ScenarioError(
        "protected flows cannot be scheduled: no gate schedule lets "
        f"{', '.join(repr(f) for f in core[:6])}{more} all meet their deadlines{where}",
        "tsn.synthesis",
    )
