# SPDX-License-Identifier: MIT
"""`fogcosim run`: simulate one scenario, then write its per-flow tables and print a summary.

The study commands live beside it (`analysis.cli.study`: sweep, report, compare;
`analysis.cli.cosim`: cosim), each in its own module so that a command imports
only what it needs: `fogcosim run` neither the training (torch) nor the report
(matplotlib) code, and with the embedded backend not pandas either (its
metrics come from the engine's memory, `analysis.run.metrics.summarize_run`).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analysis.run.metrics import summarize_run
from fogcosim.clihelp import examples
from simulation.backends import BACKEND_NAMES, get_backend
from simulation.backends.base import mark_interrupted
from simulation.backends.progress import run_progress
from simulation.cli import add_scenario_args, scenario_from_args
from simulation.model.estimate import check_size
from simulation.model.load import overload_warnings

BACKEND_HELP = (
    "embedded (the built-in engine), omnetpp (opp_run + INET), or auto: OMNeT++ when found, "
    "else embedded"
)
TIMEOUT_HELP = "stop the OMNeT++ run after this many wall-clock seconds (default 600)"


def register(sub: Any) -> None:
    """Add `run` to the fogcosim command."""
    p = sub.add_parser(
        "run",
        help="simulate one scenario; write its results, flows.csv and queues.csv",
        **examples(
            "fogcosim run --profile paper-sec21 --fog-nodes 18 --method fl --out out/n18-fl",
            "fogcosim run --profile my-plant.toml --fog-nodes 6 --method none --sim-time 2s "
            "--out out/plant",
            "fogcosim run --profile paper-sec21 --fog-nodes 4 --method fcddt --backend omnetpp "
            "--out out/opp",
        ),
    )
    add_scenario_args(p)
    p.add_argument("--backend", choices=BACKEND_NAMES, default="auto", help=BACKEND_HELP)
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS", help=TIMEOUT_HELP)
    p.add_argument("--force", action="store_true", help="run even if estimated to be huge")
    p.add_argument(
        "--no-progress", action="store_true", help="no progress bar (shown on runs over 2 s)"
    )
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    """Simulate one scenario with the chosen backend, then write its per-flow tables."""
    scenario = scenario_from_args(args)
    check_size(scenario, force=args.force)
    early = warn_before(scenario)
    backend = get_backend(args.backend)
    with marked_if_cut(args.out), run_progress(scenario, not args.no_progress) as progress:
        print(f"running {scenario.name} with backend {backend.name}")
        result = backend.run(
            scenario,
            args.out,
            record_vectors=args.vectors,
            timeout_s=args.timeout,
            progress=progress,
        )
    events = f", {result.events} events" if result.events is not None else ""
    print(f"done in {result.wall_seconds:.2f}s{events}; results:")
    for path in result.scalar_files + result.vector_files:
        print(f"  {path}")
    metrics = summarize_run(args.out, result.results)
    print(f"  {args.out / 'flows.csv'}, {args.out / 'queues.csv'}")
    print(flow_summary(metrics))
    for line in result.warnings:
        if line not in early:
            print(f"WARNING: {line}")
    return 0


def warn_before(scenario: Any) -> list[str]:
    """Print what a user must know before a run starts (overloaded links); return the lines."""
    lines = overload_warnings(scenario)
    for line in lines:
        print(f"WARNING: {line}")
    return lines


def flow_summary(metrics: dict[str, Any]) -> str:
    """One line: messages lost and deadline misses, with the worst flow."""
    parts = [f"{metrics.get('flows', 0)} flows"]
    parts.append(f"{metrics.get('dropped_messages', 0)} messages dropped by full queues")
    if metrics.get("deadline_misses"):
        worst = metrics["worst_miss_flow"]
        link = metrics.get("worst_miss_wait_link")
        parts.append(
            f"{metrics['deadline_misses']} deadline misses (worst: {worst}, "
            f"{metrics['worst_flow_miss_ratio']:.1%} of its messages"
            + (
                f", waiting up to {metrics['worst_miss_wait_max_us']:.1f} us at {link}"
                if isinstance(link, str)
                else ""
            )
            + ")"
        )
    elif "deadline_misses" in metrics:
        parts.append("0 deadline misses")
    if "worst_flow_max_delay_us" in metrics:
        parts.append(
            f"largest delay {metrics['worst_flow_max_delay_us']:.1f} us "
            f"({metrics['worst_delay_flow']})"
        )
    return "; ".join(parts)


@contextlib.contextmanager
def marked_if_cut(run_dir: Path) -> Iterator[None]:
    """Mark the run folder `interrupted` in run.json if Ctrl-C or SIGTERM cuts the run short.

    What the backend wrote so far stays for inspection, but is never mistaken for a
    finished run (`fogcosim run` into the same folder starts it afresh).
    """
    try:
        yield
    except KeyboardInterrupt as exc:
        why = "terminated (SIGTERM)" if type(exc).__name__ == "Terminated" else "Ctrl-C"
        mark_interrupted(run_dir, f"{why} before the run finished; its results are partial")
        print(f"run folder {run_dir} marked interrupted (run.json)", file=sys.stderr)
        raise
