"""Sweeps: a grid of (fog nodes x method x seed) scenarios of one profile, run and summarised.

Expansion (`expand`) is a pure function, tested on its own. Execution builds
and validates every point's Scenario before running any, then runs the points
in a local process pool (or on a Dask cluster), each in its own folder; a
point whose `metrics.json` matches its scenario is complete and is skipped
when the sweep runs again, so an interrupted sweep resumes. Each point returns
a status, so one failure does not stop the others; the sweep then reports
which failed and why, and exits non-zero.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
import subprocess
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fogcosim import __version__, atomic
from fogcosim.errors import UserError
from simulation.backends import get_backend
from simulation.backends.base import write_inputs
from simulation.profile import Profile, build_scenario
from simulation.scenario import Scenario
from simulation.traffic import METHODS

RUNS_DIR = "runs"
METRICS = "metrics.json"
ERROR = "error.txt"
PROVENANCE = "provenance.json"


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep."""

    fog_nodes: int
    method: str
    seed: int

    @property
    def key(self) -> str:
        """Folder name of the point, e.g. `n12-fcddt-s1`."""
        return f"n{self.fog_nodes}-{self.method}-s{self.seed}"


@dataclass
class PointStatus:
    """What happened to one point."""

    key: str
    status: str  # "done", "skipped" (already complete), "failed"
    seconds: float = 0.0
    error: str = ""


def expand(
    fog_nodes: Iterable[int], methods: Iterable[str], seeds: int | Sequence[int]
) -> list[SweepPoint]:
    """The grid of points, in a fixed order (fog nodes, then method, then seed)."""
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    nodes = list(fog_nodes)
    meths = list(methods)
    if not nodes or not meths or not seed_list:
        raise UserError("a sweep needs at least one fog-node count, one method and one seed")
    for n in nodes:
        if n < 1:
            raise UserError(f"fog-node count {n} is below 1 (allowed: 1 or more)")
    for m in meths:
        if m not in METHODS:
            raise UserError(f"unknown method {m!r} (allowed: {', '.join(METHODS)})")
    for s in seed_list:
        if s < 0:
            raise UserError(f"seed {s} is negative (allowed: 0 or more)")
    seen: set[SweepPoint] = set()
    points = []
    for n in nodes:
        for m in meths:
            for s in seed_list:
                p = SweepPoint(n, m, s)
                if p not in seen:
                    seen.add(p)
                    points.append(p)
    return points


def scenario_digest(scenario: Scenario) -> str:
    """A hash of everything that defines a run (its scenario), for resume checks."""
    text = json.dumps(scenario.to_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_complete(point_dir: Path, digest: str) -> bool:
    """Whether a point folder holds finished metrics of this very scenario."""
    try:
        data = json.loads((point_dir / METRICS).read_text())
    except (OSError, ValueError):
        return False
    return bool(data.get("scenario_digest") == digest)


#: Computes a finished run folder's metrics (one summary row); `analysis.metrics.run_metrics`
#: in practice. Passed in, so this module never imports `analysis`, which sits above it.
Summarize = Callable[[Path], dict[str, Any]]


def no_metrics(run_dir: Path) -> dict[str, Any]:
    """A `Summarize` that computes nothing (the run is still recorded as complete)."""
    del run_dir
    return {}


def run_point(
    scenario: Scenario,
    point_dir: str,
    backend_name: str,
    record_vectors: bool,
    timeout_s: float,
    summarize: Summarize = no_metrics,
) -> PointStatus:
    """Run one point and write its metrics (in a worker process; never raises)."""
    start = time.perf_counter()
    folder = Path(point_dir)
    key = folder.name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ERROR).unlink(missing_ok=True)
        backend = get_backend(backend_name)
        write_inputs(scenario, folder)
        result = backend.run(scenario, folder, record_vectors=record_vectors, timeout_s=timeout_s)
        metrics = summarize(folder)
        metrics.update(
            scenario_digest=scenario_digest(scenario),
            backend=result.backend,
            wall_seconds=round(result.wall_seconds, 4),
            events=result.events,
        )
        atomic.write_json(folder / METRICS, metrics)
        return PointStatus(key, "done", time.perf_counter() - start)
    except Exception as exc:  # one failed point must not stop the sweep
        text = f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(OSError):
            atomic.write_text(folder / ERROR, text + "\n\n" + traceback.format_exc())
        return PointStatus(key, "failed", time.perf_counter() - start, text)


def git_revision() -> str:
    """The source tree's git revision (+dirty), or 'unknown'."""
    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions() -> dict[str, str]:
    """Versions of the software a result depends on."""
    import numpy
    import pandas

    out = {
        "fogcosim": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
    }
    try:
        import torch

        out["torch"] = torch.__version__
    except ImportError:  # pragma: no cover
        pass
    return out


@dataclass
class SweepOutcome:
    """Statuses of all points and where the sweep wrote its files."""

    out_dir: Path
    statuses: list[PointStatus]

    @property
    def failed(self) -> list[PointStatus]:
        """Points that failed."""
        return [s for s in self.statuses if s.status == "failed"]


def run_sweep(
    profile: Profile,
    points: list[SweepPoint],
    out_dir: Path,
    *,
    backend: str = "auto",
    workers: int = 1,
    dask_address: str | None = None,
    record_vectors: bool = True,
    timeout_s: float = 600.0,
    progress: bool = True,
    summarize: Summarize = no_metrics,
) -> SweepOutcome:
    """Validate every point, then run the incomplete ones; write provenance and statuses."""
    concrete = get_backend(backend).name
    scenarios = {p: build_scenario(profile, p.fog_nodes, p.method, p.seed) for p in points}
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = out_dir / RUNS_DIR
    provenance: dict[str, Any] = {
        "profile": profile.name,
        "profile_path": str(profile.path),
        "profile_sha256": hashlib.sha256(profile.path.read_bytes()).hexdigest(),
        "profile_text": profile.path.read_text(),
        "backend": concrete,
        "backend_requested": backend,
        "git_revision": git_revision(),
        "versions": versions(),
        "points": [asdict(p) for p in points],
        "seeds": sorted({p.seed for p in points}),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "ml_payloads": {
            p.key: vars(sc.ml_payload) for p, sc in scenarios.items() if sc.ml_payload is not None
        },
    }
    if concrete == "omnetpp":
        from simulation.backends.omnetpp import OmnetppInstall, find_install

        install = find_install()
        if isinstance(install, OmnetppInstall):
            provenance["omnetpp"] = {
                "opp_run": str(install.opp_run),
                "inet_root": str(install.inet_root),
            }
    atomic.write_json(out_dir / PROVENANCE, provenance)

    statuses: list[PointStatus] = []
    todo = []
    for p, sc in scenarios.items():
        if is_complete(runs / p.key, scenario_digest(sc)):
            statuses.append(PointStatus(p.key, "skipped"))
        else:
            todo.append((p, sc))
    args = [
        (sc, str(runs / p.key), concrete, record_vectors, timeout_s, summarize) for p, sc in todo
    ]
    statuses += _execute(args, workers, dask_address, progress)
    order = {p.key: i for i, p in enumerate(points)}
    statuses.sort(key=lambda s: order[s.key])
    atomic.write_json(out_dir / "statuses.json", [asdict(s) for s in statuses])
    return SweepOutcome(out_dir, statuses)


def _execute(
    args: list[tuple[Any, ...]], workers: int, dask_address: str | None, progress: bool
) -> list[PointStatus]:
    """Run points: a loop (workers=1), a process pool, or a Dask cluster."""
    from tqdm import tqdm

    bar = tqdm(total=len(args), desc="sweep", unit="run", disable=not progress or not args)
    out: list[PointStatus] = []
    try:
        if dask_address:
            from dask.distributed import Client
            from dask.distributed import as_completed as dask_completed

            with Client(dask_address) as client:
                futures = [client.submit(run_point, *a, pure=False) for a in args]
                for fut in dask_completed(futures):
                    out.append(fut.result())
                    bar.update()
        elif workers <= 1:
            for a in args:
                out.append(run_point(*a))
                bar.update()
        else:
            pool = ProcessPoolExecutor(max_workers=workers)
            try:
                futs = [pool.submit(run_point, *a) for a in args]
                for fut in as_completed(futs):
                    out.append(fut.result())
                    bar.update()
            except BaseException:
                # interrupted: drop queued points at once; finished ones are on disk
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
    finally:
        bar.close()
    return out
