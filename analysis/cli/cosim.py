# SPDX-License-Identifier: MIT
"""`fogcosim cosim`: co-simulate training rounds with the network, then train with them.

Its own module (see `analysis.cli.run`): it imports the training code (torch),
which no other simulation command needs.
"""

from __future__ import annotations

import argparse
from typing import Any

from analysis.cli.run import BACKEND_HELP, TIMEOUT_HELP, flow_summary, marked_if_cut, warn_before
from analysis.run.cosim import check_before_simulating, train_run
from analysis.run.metrics import summarize_run
from fogcosim.clihelp import examples
from fogcosim.errors import UserError
from mlpayloads.cli import add_device_arg
from mlpayloads.progress import data_label
from simulation.backends import BACKEND_NAMES, get_backend
from simulation.backends.progress import run_progress
from simulation.cli import add_scenario_args, positive_int, scenario_from_args
from simulation.model.estimate import check_size
from simulation.profile.build import with_rounds


def register(sub: Any) -> None:
    """Add `cosim` to the fogcosim command."""
    p = sub.add_parser(
        "cosim",
        help="co-simulate training rounds with the network, then train with the sets it decided",
        **examples(
            "fogcosim cosim --profile paper-sec21-rounds --fog-nodes 8 --method fl --rounds 20 "
            "--out out/cosim-fl",
            "fogcosim cosim --profile paper-sec21-rounds --fog-nodes 8 --method fcddt "
            "--train-seed 3 --device cpu --out out/cosim-fcddt",
        ),
    )
    add_scenario_args(p)
    p.add_argument(
        "--rounds", type=positive_int, metavar="R", help="rounds (default: the profile's)"
    )
    p.add_argument("--backend", choices=BACKEND_NAMES, default="auto", help=BACKEND_HELP)
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS", help=TIMEOUT_HELP)
    p.add_argument("--force", action="store_true", help="run even if estimated to be huge")
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bars (simulation: shown on runs over 2 s; training)",
    )
    add_device_arg(p)
    p.set_defaults(func=cmd_cosim)


def cmd_cosim(args: argparse.Namespace) -> int:
    """Simulate R rounds with the network, train with their aggregated sets, write the tables."""
    scenario = scenario_from_args(args)
    if scenario.rounds is None:
        raise UserError(
            f'profile {args.profile!r}: cosim needs [traffic.ml] pacing = "rounds" '
            "(e.g. --profile paper-sec21-rounds)"
        )
    if args.rounds is not None:
        scenario = with_rounds(scenario, args.rounds)
    check_size(scenario, force=args.force)
    check_before_simulating(scenario.to_dict(), args.device)
    early = warn_before(scenario)
    backend = get_backend(args.backend)
    spec = scenario.rounds
    assert spec is not None
    with marked_if_cut(args.out), run_progress(scenario, not args.no_progress) as progress:
        print(f"co-simulating {spec.rounds} rounds of {scenario.name} with backend {backend.name}")
        result = backend.run(
            scenario, args.out, record_vectors=True, timeout_s=args.timeout, progress=progress
        )
    events = f", {result.events} events" if result.events is not None else ""
    print(f"network: {result.wall_seconds:.2f}s{events}")
    metrics = summarize_run(args.out, result.results)
    metrics |= train_run(
        args.out, result.results, progress=not args.no_progress, device=args.device
    )
    print(flow_summary(metrics))
    print(_training_summary(metrics))
    for name in ("rounds.csv", "accuracy.csv", "flows.csv", "queues.csv"):
        print(f"  {args.out / name}")
    for line in result.warnings:
        if line not in early:
            print(f"WARNING: {line}")
    if metrics.get("rounds_unfinished"):
        print(
            f"WARNING: {metrics['rounds_unfinished']} rounds did not finish within the simulated "
            "time; raise --sim-time"
        )
    return 0


def _training_summary(metrics: dict[str, Any]) -> str:
    """One line: rounds, round time, stragglers, accuracy and the time to the target."""
    reached = metrics.get("time_to_target_s")
    target = (
        f"{metrics['target_accuracy']:.0%} accuracy after {reached:.3f} s simulated "
        f"(round {metrics['rounds_to_target']})"
        if reached == reached
        else f"{metrics['target_accuracy']:.0%} accuracy not reached"
    )
    label = f" [{data_label(str(metrics['training_data']))}]" if "training_data" in metrics else ""
    return (
        f"{metrics['rounds_done']} rounds, {metrics['mean_round_s'] * 1e3:.1f} ms per round, "
        f"effective straggler rate {metrics['straggler_rate_eff']:.2f}; final accuracy "
        f"{metrics['final_accuracy']:.3f}{label}; {target}"
    )
