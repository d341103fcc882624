"""`fogcosim sweep` and `fogcosim report DIR`: run a study, then summarise and report it.

`fogcosim sweep` simulates every point (`simulation.sweep`), computes each run's
metrics (`analysis.metrics`), writes summary.csv and the report. It lives here
because it uses both packages and `analysis` sits above `simulation`.
`fogcosim report DIR` regenerates the report from a sweep folder alone (after a
resumed or edited sweep, or with a newer fogcosim), without running anything.
Heavy modules (pandas, matplotlib) are imported when a command runs, so that
`fogcosim --help` and the other commands stay fast.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fogcosim.clihelp import examples
from fogcosim.errors import UserError
from mlpayloads.cli import add_device_arg
from mlpayloads.progress import data_label
from simulation.backends import BACKEND_NAMES, get_backend
from simulation.backends.base import mark_interrupted
from simulation.cli import (
    add_scenario_args,
    add_time_args,
    int_list,
    method_list,
    positive_int,
    scenario_from_args,
)
from simulation.estimate import check_size
from simulation.folderlock import folder_lock
from simulation.load import overload_warnings
from simulation.profile import with_rounds
from simulation.progress import run_progress

BACKEND_HELP = (
    "embedded (the built-in engine), omnetpp (opp_run + INET), or auto: OMNeT++ when found, "
    "else embedded"
)
TIMEOUT_HELP = "stop the OMNeT++ run after this many wall-clock seconds (default 600)"


def register(sub: Any) -> None:
    """Add `run`, `sweep`, `report` and `compare` to the fogcosim command."""
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

    p = sub.add_parser(
        "sweep",
        help="run a profile across fog-node counts, methods and seeds; then report",
        **examples(
            "fogcosim sweep                      # paper-sec21, as `make sweep` runs it",
            "fogcosim sweep --profile my-plant.toml --fog-nodes 4,8,12 --methods none,fl --seeds 5",
            "fogcosim sweep --profile my-study.toml --variants fifo,gated --out results/protect",
            "fogcosim sweep --profile paper-sec21 --dask tcp://scheduler:8786   # on a cluster",
        ),
    )
    p.add_argument("--profile", default="paper-sec21", help="shipped profile name or .toml path")
    p.add_argument("--fog-nodes", type=int_list, metavar="N,N,...", help="default: the profile's")
    p.add_argument("--methods", type=method_list, metavar="M,M,...", help="default: the profile's")
    p.add_argument(
        "--seeds",
        type=positive_int,
        metavar="K",
        help="network seeds 0..K-1: offsets, periods (default: the profile's)",
    )
    p.add_argument(
        "--variants",
        type=lambda text: [v.strip() for v in text.split(",") if v.strip()],
        metavar="A,B",
        help="the profile's [[simulation.variants]] to run (default: all it declares)",
    )
    p.add_argument(
        "--train-seeds",
        type=positive_int,
        metavar="T",
        help='pacing = "rounds": training seeds 0..T-1 (model init, data order), paired with '
        "the network seeds run by run, or one of them repeated when K or T is 1 (default: the "
        "profile's, else T = K)",
    )
    p.add_argument("--backend", choices=BACKEND_NAMES, default="auto", help=BACKEND_HELP)
    p.add_argument(
        "--workers", type=positive_int, default=None, help="local processes (default: CPUs)"
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on this Dask scheduler instead, e.g. tcp://host:8786 "
        "(docs/sweeps-and-reports.md: sweeps on a cluster)",
    )
    p.add_argument("--no-vectors", action="store_true", help="do not record delay vectors")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS", help="per run")
    add_time_args(p)
    p.add_argument("--no-report", action="store_true", help="skip report.md and plots")
    add_device_arg(p)
    p.add_argument(
        "--out",
        type=Path,
        help="output folder (default: RESULTS-ROOT/<profile> for a shipped profile as shipped, "
        "else RESULTS-ROOT/<profile>-<first 8 hex digits of its sha256>)",
    )
    p.add_argument(
        "--results-root", type=Path, default=Path("results"), metavar="DIR",
        help="where the default output folder goes (default: results)",
    )  # fmt: skip
    p.add_argument(
        "--force", action="store_true",
        help="write into --out even if it holds a sweep of another profile text, and run "
        "points estimated to be huge",
    )  # fmt: skip
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser(
        "report",
        help="write report.md and plots/*.png of a `fogcosim sweep` output folder",
        **examples("fogcosim report results/paper-sec21"),
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="output folder of `fogcosim sweep`")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "compare",
        help="write one report with several sweep folders (studies) side by side",
        **examples(
            "fogcosim compare results/paper-sec21 results/paper-sec21-rounds --out results/cmp",
            "fogcosim compare --label FIFO=results/fifo --label TSN=results/tsn "
            "results/fifo results/tsn --out results/cmp",
        ),
    )
    p.add_argument(
        "dirs", type=Path, nargs="+", metavar="DIR", help="output folders of `fogcosim sweep`"
    )
    p.add_argument(
        "--out", type=Path, required=True, help="folder for compare.md and plots/compare_*.png"
    )
    p.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="call the study in DIR NAME in the tables and plots (repeat for each study; "
        "default: its profile name, and its description or folder where two share one)",
    )
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    """Write the side-by-side report of the sweeps in DIRs and print its path."""
    from analysis.compare import write_compare

    labels: dict[Path, str] = {}
    folders = {d.resolve() for d in args.dirs}
    for item in args.label:
        name, sep, folder = item.partition("=")
        if not sep or not name or not folder:
            raise UserError(f"--label {item!r}: expected NAME=DIR (e.g. fifo=results/plant-fifo)")
        if Path(folder).resolve() not in folders:
            raise UserError(
                f"--label {item!r}: {folder} is not one of the compared folders "
                f"({', '.join(str(d) for d in args.dirs)})"
            )
        labels[Path(folder)] = name
    print(f"wrote {write_compare(args.dirs, args.out, labels)}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report of the sweep in DIR and print its path.

    Holds the folder's lock while it reads and writes, so a report never reads a
    summary that a running sweep is rewriting (a busy folder is a one-line error).
    """
    from analysis.report import write_report

    folder = Path(args.dir)
    # no folder: write_report names what is missing, and the lock must not create one
    with folder_lock(folder) if folder.is_dir() else contextlib.nullcontext():
        print(f"wrote {write_report(folder)}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Simulate one scenario with the chosen backend, then write its per-flow tables."""
    from analysis.metrics import summarize_run

    scenario = scenario_from_args(args)
    check_size(scenario, force=args.force)
    early = _warn_before(scenario)
    backend = get_backend(args.backend)
    print(f"running {scenario.name} with backend {backend.name}")
    with marked_if_cut(args.out), run_progress(scenario, not args.no_progress) as progress:
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
    metrics = summarize_run(args.out)
    print(f"  {args.out / 'flows.csv'}, {args.out / 'queues.csv'}")
    print(_flow_summary(metrics))
    for line in result.warnings:
        if line not in early:
            print(f"WARNING: {line}")
    return 0


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


def _warn_before(scenario: Any) -> list[str]:
    """Print what a user must know before a run starts (overloaded links); return the lines."""
    lines = overload_warnings(scenario)
    for line in lines:
        print(f"WARNING: {line}")
    return lines


def cmd_cosim(args: argparse.Namespace) -> int:
    """Simulate R rounds with the network, train with their aggregated sets, write the tables."""
    from analysis.cosim import check_before_simulating, train_run
    from analysis.metrics import summarize_run

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
    early = _warn_before(scenario)
    backend = get_backend(args.backend)
    spec = scenario.rounds
    assert spec is not None
    print(f"co-simulating {spec.rounds} rounds of {scenario.name} with backend {backend.name}")
    with marked_if_cut(args.out), run_progress(scenario, not args.no_progress) as progress:
        result = backend.run(
            scenario, args.out, record_vectors=True, timeout_s=args.timeout, progress=progress
        )
    events = f", {result.events} events" if result.events is not None else ""
    print(f"network: {result.wall_seconds:.2f}s{events}")
    metrics = summarize_run(args.out)
    metrics |= train_run(args.out, progress=not args.no_progress, device=args.device)
    print(_flow_summary(metrics))
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


def _flow_summary(metrics: dict[str, Any]) -> str:
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


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep, write summary.csv and the report; non-zero if any run failed.

    The output folder stays locked from the first run to the report, so no other
    sweep cleans a run folder while this one reads it.
    """
    from analysis.cosim import check_sweep_training, summarize_point
    from analysis.report import write_report
    from analysis.summary import write_summary
    from mlpayloads.device import share_cores
    from simulation.folderlock import folder_lock
    from simulation.profile import load_profile
    from simulation.sweep import RUNS_DIR, STATUSES, default_out_dir, expand, run_sweep

    profile = load_profile(args.profile)
    points = expand(
        args.fog_nodes or profile.fog_nodes,
        args.methods or profile.methods,
        args.seeds or profile.seeds,
        args.train_seeds or profile.train_seeds,
        trains=profile.rounds_paced,
        variants=args.variants or profile.variants or ("",),
    )
    out = (args.out or default_out_dir(profile, args.results_root)).resolve()
    check_sweep_training(profile, points, args.device)
    workers = args.workers or max(1, os.cpu_count() or 1)
    if workers > 1 and not args.dask and profile.rounds_paced:
        share_cores(workers)  # local workers that train: no more torch threads than cores
    print(f"sweep {profile.name}: {len(points)} runs -> {out}")
    with folder_lock(out):
        outcome = run_sweep(
            profile, points, out, backend=args.backend, workers=workers, dask_address=args.dask,
            record_vectors=not args.no_vectors, timeout_s=args.timeout,
            summarize=functools.partial(summarize_point, device=args.device),
            force=args.force, sim_time_ps=args.sim_time, hyperperiods=args.hyperperiods,
            warmup_ps=args.warmup,
        )  # fmt: skip
        done = sum(s.status == "done" for s in outcome.statuses)
        skipped = sum(s.status == "skipped" for s in outcome.statuses)
        print(f"{done} run, {skipped} already complete (skipped), {len(outcome.failed)} failed")
        keys = [p.key for p in points]
        table = write_summary(out, [out / RUNS_DIR / k for k in keys])
        print(f"wrote {out / 'summary.csv'} ({len(table)} rows)")
        if not args.no_report:
            report = write_report(out)
            print(f"wrote {report}")
    for status in outcome.noted:
        print(f"note {status.key}: {status.note}")
    for status in outcome.failed:
        print(
            f"FAILED {status.key}: {status.error} (see {out / RUNS_DIR / status.key / 'error.txt'})"
        )
    if outcome.failed:
        print(f"statuses of every run: {out / STATUSES}")
    return 1 if outcome.failed else 0
