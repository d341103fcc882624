# SPDX-License-Identifier: MIT
"""Synthesise a gate schedule: pick a synthesiser, time it, check it, build the gate lists."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from fogcosim.errors import FogcosimError
from simulation.model.gcl import GateControlList
from simulation.model.scenario import ScenarioError
from simulation.tsn_synthesis.gcl_build import build_gcls
from simulation.tsn_synthesis.greedy import greedy
from simulation.tsn_synthesis.justify import left_justify
from simulation.tsn_synthesis.optimal import Objective, optimal
from simulation.tsn_synthesis.placement import Starts, flow_latencies, violations
from simulation.tsn_synthesis.problem import Problem

Method = Literal["greedy", "optimal"]
METHODS: tuple[str, ...] = ("greedy", "optimal")


@dataclass(frozen=True)
class Schedule:
    """A synthesised gate schedule and what it guarantees."""

    gcls: tuple[GateControlList, ...]
    #: Each protected flow's guaranteed latency: release to delivery of its slowest
    #: message, if every protected frame is released on time.
    latency_bound_ps: Mapping[str, int]
    #: Wall-clock time the synthesis took (placement and gate lists).
    seconds: float
    method: str
    problem: Problem
    starts: Starts
    #: Optimal only: whether the solver proved that no schedule has a lower worst latency.
    proven_optimal: bool | None = None
    #: Optimal only: CP-SAT's status after each phase (worst case, then sum), e.g.
    #: ("OPTIMAL", "FEASIBLE").
    solver_status: tuple[str, ...] = ()

    @property
    def worst_ps(self) -> int:
        """The largest guaranteed latency of any protected flow."""
        return max(self.latency_bound_ps.values())


def synthesise(
    problem: Problem,
    method: Method = "greedy",
    *,
    time_limit_s: float = 60.0,
    workers: int = 2,
    objective: Objective = "max",
) -> Schedule:
    """Synthesise `problem` with `method`; a one-line ScenarioError if it cannot be scheduled.

    "optimal" first runs the greedy synthesiser: its schedule is the solver's hint
    and bound, and the greedy's failure is no error there (the solver then
    searches without it). `seconds` counts both.
    """
    if method not in METHODS:
        raise ScenarioError(
            f"unknown synthesiser {method!r} (allowed: {', '.join(METHODS)})", "tsn.synthesis"
        )
    began = time.perf_counter()
    proven: bool | None = None
    status: tuple[str, ...] = ()
    if method == "greedy":
        starts = greedy(problem)
    else:
        try:
            hint: Starts | None = greedy(problem)
        except ScenarioError:
            hint = None
        result = optimal(
            problem, hint=hint, time_limit_s=time_limit_s, workers=workers, objective=objective
        )
        starts, proven = left_justify(problem, result.starts), result.proven
        status = result.status
    broken = violations(problem, starts)
    if broken:  # a synthesiser bug, not the user's: say what it broke
        raise FogcosimError(f"{method} synthesis broke its own rules: {'; '.join(broken[:3])}")
    gcls = build_gcls(problem, starts)
    seconds = time.perf_counter() - began
    latencies = flow_latencies(problem, starts)
    return Schedule(gcls, latencies, seconds, method, problem, starts, proven, status)
