# SPDX-License-Identifier: MIT
"""`fogcosim sweep`, `report` and `compare`: run a study, then summarise and report it.

`fogcosim sweep` simulates every point (`simulation.sweep.grid`), computes each run's
metrics (`analysis.run.metrics`), writes summary.csv and the report. It lives here
because it uses both packages and `analysis` sits above `simulation`.
`fogcosim report DIR` regenerates the report from a sweep folder alone (after a
resumed or edited sweep, or with a newer fogcosim), without running anything.
Its own module (see `analysis.cli.run`): the report imports pandas and matplotlib,
and a sweep of a rounds-paced profile trains (torch).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
from pathlib import Path
from typing import Any

from analysis.cli.run import BACKEND_HELP
from analysis.report.compare import write_compare
from analysis.report.sweep import write_report
from analysis.run.cosim import check_sweep_training, summarize_point
from analysis.run.metrics import summarize_run
from analysis.study.summary import write_summary
from fogcosim.clihelp import examples
from fogcosim.errors import UserError
from mlpayloads.cli import add_device_arg
from simulation.backends import BACKEND_NAMES
from simulation.cli import add_time_args, int_list, method_list, positive_int
from simulation.profile.build import load_profile
from simulation.sweep.folderlock import folder_lock
from simulation.sweep.grid import RUNS_DIR, STATUSES, default_out_dir, expand, run_sweep


def register(sub: Any) -> None:
    """Add `sweep`, `report` and `compare` to the fogcosim command."""
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
    folder = Path(args.dir)
    # no folder: write_report names what is missing, and the lock must not create one
    with folder_lock(folder) if folder.is_dir() else contextlib.nullcontext():
        print(f"wrote {write_report(folder)}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep, write summary.csv and the report; non-zero if any run failed.

    The output folder stays locked from the first run to the report, so no other
    sweep cleans a run folder while this one reads it.
    """
    profile = load_profile(args.profile)
    variants = args.variants or profile.variants or ("",)
    points = expand(
        args.fog_nodes or profile.fog_nodes,
        args.methods or profile.methods,
        args.seeds or profile.seeds,
        args.train_seeds or profile.train_seeds,
        trains=profile.rounds_paced,
        variants=variants,
    )
    # a study that trains gives its workers the trainer (they then import torch); one that does
    # not gives them the metrics alone, and a worker starts in a fraction of the time
    trains = any(profile.with_variant(v).rounds_paced for v in variants)
    summarize = functools.partial(summarize_point, device=args.device) if trains else summarize_run
    out = (args.out or default_out_dir(profile, args.results_root)).resolve()
    check_sweep_training(profile, points, args.device)
    workers = args.workers or max(1, os.cpu_count() or 1)
    print(f"sweep {profile.name}: {len(points)} runs -> {out}")
    with folder_lock(out):
        outcome = run_sweep(
            profile, points, out, backend=args.backend, workers=workers, dask_address=args.dask,
            record_vectors=not args.no_vectors, timeout_s=args.timeout,
            summarize=summarize,
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
