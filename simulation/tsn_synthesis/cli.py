# SPDX-License-Identifier: MIT
"""`fogcosim schedule`: synthesise a gate schedule for a scenario's critical flows, write it out."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tabulate import tabulate

from fogcosim.clihelp import examples
from simulation.cli import add_point_args, positive_int
from simulation.model.units import format_time
from simulation.profile.build import build_scenario, load_profile
from simulation.tsn_synthesis.gates_toml import write_schedule
from simulation.tsn_synthesis.optimal import OBJECTIVES
from simulation.tsn_synthesis.problem import DEFAULT_PROTECTED_CLASS, GUARD_BANDS, build_problem
from simulation.tsn_synthesis.schedule import METHODS, Schedule, synthesise


def register(sub: Any) -> None:
    """Add `schedule` to the fogcosim command."""
    p = sub.add_parser(
        "schedule",
        help="synthesise an 802.1Qbv gate schedule for the critical flows; write it as TOML",
        **examples(
            "fogcosim schedule --profile paper-sec21 --fog-nodes 18 --method fl --out gates.toml",
            "fogcosim schedule --profile my-plant.toml --fog-nodes 6 --method fl --synth optimal "
            "--protect loop1,safety --out gates.toml",
        ),
    )
    add_point_args(p)
    p.add_argument("--synth", choices=METHODS, default="greedy", help="synthesiser")
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE.toml",
        help="the schedule, as a [tsn] table to paste into (or include in) the profile",
    )
    p.add_argument(
        "--protect", metavar="FLOW,FLOW,...",
        help="the flows to protect (default: every flow of class critical)",
    )  # fmt: skip
    p.add_argument(
        "--protected-class", type=int, default=DEFAULT_PROTECTED_CLASS, metavar="Q",
        help="traffic class (queue) of the protected flows; the others get the rest",
    )  # fmt: skip
    p.add_argument(
        "--guard-band", choices=GUARD_BANDS, default="explicit",
        help="explicit: close the other gates one max-size frame before each window; "
        "implicit: one inter-frame gap (the gate itself holds frames that would not finish)",
    )  # fmt: skip
    p.add_argument("--no-vlan-tag", action="store_true", help="frames carry no 802.1Q tag")
    p.add_argument(
        "--time-limit", type=float, default=60.0, metavar="SECONDS", help="optimal: solver limit"
    )
    p.add_argument("--workers", type=positive_int, default=2, help="optimal: solver threads")
    p.add_argument(
        "--objective", choices=OBJECTIVES, default="max",
        help="optimal: minimise the worst latency (then the sum), or the sum",
    )  # fmt: skip
    p.set_defaults(func=cmd_schedule)


def cmd_schedule(args: argparse.Namespace) -> int:
    """Synthesise, print each flow's guarantee against its deadline, write the TOML."""
    scenario = build_scenario(load_profile(args.profile), args.fog_nodes, args.method, args.seed)
    protect = None if args.protect is None else [f.strip() for f in args.protect.split(",")]
    problem = build_problem(
        scenario, protect, protected_class=args.protected_class,
        vlan_tag=not args.no_vlan_tag, guard_band=args.guard_band,
    )  # fmt: skip
    schedule = synthesise(
        problem, args.synth, time_limit_s=args.time_limit, workers=args.workers,
        objective=args.objective,
    )  # fmt: skip
    print(report(schedule))
    write_schedule(schedule, args.out, source=f"{scenario.name} (seed {scenario.seed})")
    print(f"wrote {len(schedule.gcls)} gate control lists to {args.out}")
    return 0


def report(schedule: Schedule) -> str:
    """Per flow: guaranteed latency, deadline, slack; then the synthesis time and worst case."""
    p = schedule.problem
    rows = []
    for f in p.flows:
        bound, deadline = schedule.latency_bound_ps[f.name], p.deadline_ps[f.name]
        rows.append(
            (
                f.name,
                f"{bound / 1e6:.3f}",
                f"{deadline / 1e6:.3f}",
                f"{(deadline - bound) / 1e6:.3f}",
            )
        )
    table = tabulate(
        rows, headers=("flow", "guaranteed us", "deadline us", "slack us"), disable_numparse=True
    )
    proven = {True: " (proven optimal)", False: " (optimality not proven)", None: ""}
    solver = f"; CP-SAT: {', '.join(schedule.solver_status)}" if schedule.solver_status else ""
    windows = sum(len(g.entries) for g in schedule.gcls)
    return (
        f"{table}\n{schedule.method} synthesis: {len(p.messages)} messages of {len(p.flows)} "
        f"flows over {len(p.ports)} ports, cycle {format_time(p.cycle_ps)}, "
        f"{windows} gate entries, in {schedule.seconds:.3f} s; worst guaranteed latency "
        f"{schedule.worst_ps / 1e6:.3f} us{proven[schedule.proven_optimal]}{solver}"
    )
