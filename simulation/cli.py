"""`fogcosim render` and `fogcosim run`: one scenario, rendered or simulated."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simulation.backends.base import BACKEND_NAMES, get_backend
from simulation.profile import build_scenario, load_profile
from simulation.render import render
from simulation.traffic import METHODS


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1 (allowed: 1 or more)")
    return value


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of integers"
        ) from None
    for v in values:
        if v < 1:
            raise argparse.ArgumentTypeError(f"fog-node count {v} is below 1 (allowed: 1 or more)")
    return values


def _str_list(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    for v in values:
        if v not in METHODS:
            raise argparse.ArgumentTypeError(
                f"unknown method {v!r} (allowed: {', '.join(METHODS)})"
            )
    return values


def add_scenario_args(p: argparse.ArgumentParser) -> None:
    """Arguments that name one scenario: profile, fog-node count, method, seed."""
    p.add_argument("--profile", required=True, help="shipped profile name or path to a .toml")
    p.add_argument("--fog-nodes", type=_positive_int, required=True, metavar="N")
    p.add_argument("--method", choices=METHODS, required=True)
    p.add_argument("--seed", type=int, default=0, help="draws start offsets and periods")
    p.add_argument("--vectors", action="store_true", help="also record end-to-end delay vectors")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")


def register(sub: Any) -> None:
    """Add `render` and `run` to the fogcosim command."""
    p = sub.add_parser("render", help="write the NED network and omnetpp.ini of one scenario")
    add_scenario_args(p)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("run", help="simulate one scenario over its hyperperiod")
    add_scenario_args(p)
    p.add_argument("--backend", choices=BACKEND_NAMES, default="auto")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "sweep", help="run a profile across fog-node counts, methods and seeds; then report"
    )
    p.add_argument("--profile", default="paper-sec21", help="shipped profile name or .toml path")
    p.add_argument("--fog-nodes", type=_int_list, metavar="N,N,...", help="default: the profile's")
    p.add_argument("--methods", type=_str_list, metavar="M,M,...", help="default: the profile's")
    p.add_argument(
        "--seeds", type=_positive_int, metavar="K", help="seeds 0..K-1 (default: profile's)"
    )
    p.add_argument("--backend", choices=BACKEND_NAMES, default="auto")
    p.add_argument(
        "--workers", type=_positive_int, default=None, help="local processes (default: CPUs)"
    )
    p.add_argument("--dask", metavar="ADDRESS", help="run on this Dask scheduler instead")
    p.add_argument("--no-vectors", action="store_true", help="do not record delay vectors")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS", help="per run")
    p.add_argument("--no-report", action="store_true", help="skip report.md and plots")
    p.add_argument("--out", type=Path, help="default: results/<profile>")
    p.set_defaults(func=cmd_sweep)


def _scenario(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    return build_scenario(load_profile(args.profile), args.fog_nodes, args.method, args.seed)


def cmd_render(args: argparse.Namespace) -> int:
    """Render one scenario into --out."""
    scenario = _scenario(args)
    paths = render(scenario, args.out, record_vectors=args.vectors)
    print(f"rendered {scenario.name}: hyperperiod {scenario.hyperperiod_ps / 1e12:g}s")
    for path in (paths.ned, paths.ini, paths.scenario_json, paths.manifest_json):
        print(f"  {path}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Simulate one scenario with the chosen backend."""
    scenario = _scenario(args)
    backend = get_backend(args.backend)
    print(f"running {scenario.name} with backend {backend.name}")
    result = backend.run(scenario, args.out, record_vectors=args.vectors, timeout_s=args.timeout)
    events = f", {result.events} events" if result.events is not None else ""
    print(f"done in {result.wall_seconds:.2f}s{events}; results:")
    for path in result.scalar_files + result.vector_files:
        print(f"  {path}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep, write summary.csv and the report; non-zero if any run failed."""
    import os

    from analysis.summary import write_summary
    from simulation.sweep import RUNS_DIR, expand, run_sweep

    profile = load_profile(args.profile)
    points = expand(
        args.fog_nodes or profile.fog_nodes,
        args.methods or profile.methods,
        args.seeds or profile.seeds,
    )
    out = args.out or Path("results") / profile.name
    workers = args.workers or max(1, os.cpu_count() or 1)
    print(f"sweep {profile.name}: {len(points)} runs -> {out}")
    outcome = run_sweep(
        profile, points, out, backend=args.backend, workers=workers, dask_address=args.dask,
        record_vectors=not args.no_vectors, timeout_s=args.timeout,
    )  # fmt: skip
    done = sum(s.status == "done" for s in outcome.statuses)
    skipped = sum(s.status == "skipped" for s in outcome.statuses)
    print(f"{done} run, {skipped} already complete (skipped), {len(outcome.failed)} failed")
    keys = [p.key for p in points]
    table = write_summary(out, [out / RUNS_DIR / k for k in keys])
    print(f"wrote {out / 'summary.csv'} ({len(table)} rows)")
    if not args.no_report:
        from analysis.report import write_report

        report = write_report(out)
        print(f"wrote {report}")
    for status in outcome.failed:
        print(
            f"FAILED {status.key}: {status.error} (see {out / RUNS_DIR / status.key / 'error.txt'})"
        )
    return 1 if outcome.failed else 0
