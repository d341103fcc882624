# SPDX-License-Identifier: MIT
"""Sweeps: a grid of (fog nodes x method x seed) scenarios of one profile, run and summarised.

Expansion (`expand`) is a pure function, tested on its own. `run_sweep` builds
and validates every point's Scenario before running any, locks the output
folder (`simulation.sweep.folderlock`: one sweep per folder), refuses a folder made
from another profile text, then runs the points that are not complete in this
process, a local process pool (`simulation.sweep.execute`; a dead worker costs its
point only) or on a Dask cluster. Each point's folder is `runs/<key>/`; a point
whose `metrics.json` carries the same resume key (`simulation.sweep.point`) is
skipped, so an interrupted sweep resumes. Each point returns a status and its
metrics row, and the client writes them into its own folder where the worker's
files are not visible (a Dask worker on another machine). `statuses.json` and
`provenance.json` are written even when a sweep is interrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fogcosim import atomic
from fogcosim.errors import UserError
from simulation.backends import get_backend
from simulation.backends.base import write_inputs
from simulation.model.estimate import check_size
from simulation.model.load import overload_warnings
from simulation.model.scenario import Scenario
from simulation.profile.build import PROFILE_DIR, Profile
from simulation.profile.traffic import METHODS
from simulation.sweep import provenance
from simulation.sweep.execute import execute
from simulation.sweep.folderlock import folder_lock
from simulation.sweep.point import (
    ERROR,
    METRICS,
    PointStatus,
    PointTask,
    Summarize,
    finished_key,
    no_metrics,
    resume_key,
)
from simulation.sweep.provenance import PROVENANCE
from simulation.sweep.study import point_scenario

__all__ = [
    "ERROR",
    "METRICS",
    "PROVENANCE",
    "RUNS_DIR",
    "STATUSES",
    "PointStatus",
    "Summarize",
    "SweepOutcome",
    "SweepPoint",
    "default_out_dir",
    "expand",
    "no_metrics",
    "run_sweep",
]

RUNS_DIR = "runs"
STATUSES = "statuses.json"
RESULTS_ROOT = Path("results")


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep: fog nodes, method, network seed and (if it trains) training seed."""

    fog_nodes: int
    method: str
    seed: int
    #: None: the run trains nothing (method none, or periodic ML traffic)
    train_seed: int | None = None
    #: The profile variant ([[simulation.variants]]); "" for the profile as written
    variant: str = ""

    @property
    def key(self) -> str:
        """Folder name, e.g. `n12-fcddt-s1`, `n12-fcddt-s1-t0` (seeds differ), `b500-n4-fl-s0`."""
        key = f"n{self.fog_nodes}-{self.method}-s{self.seed}"
        if self.variant:
            key = f"{self.variant}-{key}"
        if self.train_seed is None or self.train_seed == self.seed:
            return key
        return f"{key}-t{self.train_seed}"


def seed_pairs(
    seeds: int | Sequence[int], train_seeds: int | Sequence[int] | None = None
) -> list[tuple[int, int]]:
    """(network seed, training seed) of each repetition: paired one to one, or one repeated.

    Equal counts pair up run by run (the default, `train_seeds` None: the same
    list); a list of one seed is repeated for every seed of the other, so one
    source of randomness varies alone. Other counts are a `UserError`.
    """
    net = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    train = net if train_seeds is None else (
        list(range(train_seeds)) if isinstance(train_seeds, int) else list(train_seeds)
    )  # fmt: skip
    for s in [*net, *train]:
        if s < 0:
            raise UserError(f"seed {s} is negative (allowed: 0 or more)")
    if len(net) == len(train):
        return list(zip(net, train, strict=True))
    if len(net) == 1:
        return [(net[0], t) for t in train]
    if len(train) == 1:
        return [(s, train[0]) for s in net]
    raise UserError(
        f"{len(net)} network seeds and {len(train)} training seeds do not pair up: give equal "
        "counts (run k: network seed k, training seed k), or 1 for either (that seed for every run)"
    )


def expand(
    fog_nodes: Iterable[int],
    methods: Iterable[str],
    seeds: int | Sequence[int],
    train_seeds: int | Sequence[int] | None = None,
    *,
    trains: bool = False,
    variants: Sequence[str] = ("",),
) -> list[SweepPoint]:
    """The grid of points, in a fixed order (variant, fog nodes, method, seeds).

    `trains`: the profile is rounds-paced, so its ML methods train; each of
    their points carries a training seed from `seed_pairs`. Method `none` (and
    every method of a periodic study) trains nothing: one point per network seed.
    """
    nodes = list(fog_nodes)
    meths = list(methods)
    pairs = seed_pairs(seeds, train_seeds)
    if not nodes or not meths or not pairs:
        raise UserError("a sweep needs at least one fog-node count, one method and one seed")
    if train_seeds is not None and not trains:
        raise UserError(
            'training seeds apply to a profile with [traffic.ml] pacing = "rounds" only '
            "(a periodic study trains nothing)"
        )
    for n in nodes:
        if n < 1:
            raise UserError(f"fog-node count {n} is below 1 (allowed: 1 or more)")
    for m in meths:
        if m not in METHODS:
            raise UserError(f"unknown method {m!r} (allowed: {', '.join(METHODS)})")
    seen: set[SweepPoint] = set()
    points = []
    for v in variants or ("",):
        for n in nodes:
            for m in meths:
                for s, t in pairs:
                    p = SweepPoint(n, m, s, t if trains and m != "none" else None, v)
                    if p not in seen:
                        seen.add(p)
                        points.append(p)
    return points


def profile_sha256(path: Path) -> str:
    """The sha256 of a profile file's bytes (its identity for output folders)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise UserError(f"cannot read profile {path}: {exc.strerror or exc}") from None


def default_out_dir(profile: Profile, root: Path = RESULTS_ROOT) -> Path:
    """`root/<name>` for a shipped profile as shipped, else `root/<name>-<sha256[:8]>`.

    Keyed by the profile's text, so an edited copy of a shipped profile (same
    name) never writes into the shipped study's folder, and two versions of a
    profile sit side by side.
    """
    digest = profile_sha256(profile.path)
    shipped = PROFILE_DIR / f"{profile.name}.toml"
    if shipped.is_file() and profile_sha256(shipped) == digest:
        return root / profile.name
    return root / f"{profile.name}-{digest[:8]}"


@dataclass
class SweepOutcome:
    """Statuses of all points and where the sweep wrote its files."""

    out_dir: Path
    statuses: list[PointStatus]

    @property
    def failed(self) -> list[PointStatus]:
        """Points that failed."""
        return [s for s in self.statuses if s.status == "failed"]

    @property
    def noted(self) -> list[PointStatus]:
        """Points with a note (e.g. their run folder is on a Dask worker, not here)."""
        return [s for s in self.statuses if s.note]


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
    force: bool = False,
    sim_time_ps: int | None = None,
    hyperperiods: int | None = None,
    warmup_ps: int | None = None,
) -> SweepOutcome:
    """Validate every point, then run the incomplete ones; write provenance and statuses.

    `out_dir` is made absolute here (a Dask worker may run in another working
    directory). A folder holding a sweep of another profile text is refused
    unless `force`, and so is a point estimated to be huge (`simulation.model.estimate`).
    `sim_time_ps`/`hyperperiods` and `warmup_ps` override the profile's simulated time.
    The folder is locked for the duration.
    """
    concrete = get_backend(backend).name
    scenarios = {
        p: point_scenario(
            profile.with_variant(p.variant), p.fog_nodes, p.method, p.seed, p.train_seed,
            sim_time_ps=sim_time_ps, hyperperiods=hyperperiods, warmup_ps=warmup_ps,
        )
        for p in points
    }  # fmt: skip
    warned: set[str] = set()
    for sc in scenarios.values():
        check_size(sc, force=force)
        for line in overload_warnings(sc):  # before anything runs; once per link and point
            text = line.removeprefix(f"{sc.name}: ")
            if text not in warned:
                warned.add(text)
                print(f"WARNING: {line}", file=sys.stderr)
    out_dir = Path(out_dir).resolve()
    sha = profile_sha256(profile.path)
    with folder_lock(out_dir):
        provenance.check_profile(out_dir, profile.path, sha, force)
        atomic.remove_leftovers(out_dir)  # of a sweep killed mid-write
        runs = out_dir / RUNS_DIR
        statuses: dict[str, PointStatus] = {}
        tasks: list[PointTask] = []
        for p, sc in scenarios.items():
            if finished_key(runs / p.key) == resume_key(sc, concrete, record_vectors):
                (runs / p.key / ERROR).unlink(missing_ok=True)
                statuses[p.key] = PointStatus(p.key, "skipped")
            else:
                task = PointTask(
                    sc, str(runs / p.key), concrete, record_vectors, timeout_s, summarize
                )
                tasks.append(task)
        study = _study(profile, sha, concrete, backend, points, scenarios)
        invocation = {
            "backend": concrete,
            "backend_requested": backend,
            "profile_sha256": sha,
            "forced": force,
            "record_vectors": record_vectors,
            "timeout_s": timeout_s,
            "executor": f"dask {dask_address}" if dask_address else f"{workers} local worker(s)",
            "points": len(points),
        }
        entry = provenance.start(out_dir, study, invocation)
        by_key = {t.key: t for t in tasks}

        def record(status: PointStatus) -> None:
            statuses[status.key] = land(by_key[status.key], status)

        outcome = "finished"
        try:
            execute(
                tasks, workers=workers, dask_address=dask_address, progress=progress, record=record
            )
        except BaseException as exc:  # Ctrl-C, a lost Dask scheduler, a full disk, ...
            outcome = (
                "interrupted"
                if isinstance(exc, KeyboardInterrupt)
                else f"stopped by {type(exc).__name__}: {exc}"
            )
            raise
        finally:
            for t in tasks:
                if t.key in statuses:
                    continue
                # a point may finish on disk between its metrics.json and its status
                finished = finished_key(Path(t.point_dir)) == resume_key(
                    t.scenario, t.backend, t.record_vectors
                )
                statuses[t.key] = PointStatus(t.key, "done" if finished else "interrupted")
            if not dask_address:  # local workers have stopped; Dask's may still write
                atomic.remove_leftovers(out_dir)
            ordered = [statuses[p.key] for p in points]
            provenance.write_json(out_dir / STATUSES, [s.record() for s in ordered])
            provenance.finish(out_dir, entry, outcome, _counts(ordered))
    return SweepOutcome(out_dir, ordered)


def land(task: PointTask, status: PointStatus) -> PointStatus:
    """Make the client's copy of a point's folder match its status: metrics.json xor error.txt.

    Where the worker's files are visible here (one machine, or a shared folder)
    this only checks them. Where they are not (a Dask worker on another machine
    without a shared folder), it writes the returned metrics row, scenario.json
    and manifest.json here, and notes that the result files stayed on the worker.
    A dead worker's point gets its error.txt here too.
    """
    folder = Path(task.point_dir)
    visible = folder.is_dir()
    where = f" (on {status.host})" if status.host else ""
    if status.status == "done" and status.metrics is not None:
        if finished_key(folder) != status.metrics.get("resume_key"):
            folder.mkdir(parents=True, exist_ok=True)
            write_inputs(task.scenario, folder)
            provenance.write_json(folder / METRICS, status.metrics)
            status.note = (
                f"run folder not visible here: the worker{where} wrote it elsewhere (no shared "
                "folder?); metrics.json, scenario.json and manifest.json written here from the "
                "returned results, the result files (.sca/.vec) are not"
                if not visible
                else f"metrics.json of the worker{where} not found here; written from its result"
            )
        (folder / ERROR).unlink(missing_ok=True)
    elif status.status == "failed":
        folder.mkdir(parents=True, exist_ok=True)
        (folder / METRICS).unlink(missing_ok=True)
        if not (folder / ERROR).is_file():
            atomic.write_text(folder / ERROR, status.error + "\n")
        if not visible:
            status.note = f"run folder not visible here: the worker{where} wrote it elsewhere"
    with contextlib.suppress(OSError):  # the local pool's mark of a point in progress
        (folder / ".running").unlink(missing_ok=True)
    return status


def _study(
    profile: Profile,
    sha: str,
    concrete: str,
    requested: str,
    points: list[SweepPoint],
    scenarios: dict[SweepPoint, Scenario],
) -> dict[str, Any]:
    """The top of provenance.json: what this folder's study is, as of this sweep."""
    study: dict[str, Any] = {
        "profile": profile.name,
        "profile_path": str(profile.path.resolve()),
        "profile_sha256": sha,
        "profile_text": profile.path.read_text(),
        "backend": concrete,
        "backend_requested": requested,
        "points": [asdict(p) for p in points],
        "seeds": sorted({p.seed for p in points}),
        "train_seeds": sorted({p.train_seed for p in points if p.train_seed is not None}),
        "ml_payloads": {
            p.key: vars(sc.ml_payload) for p, sc in scenarios.items() if sc.ml_payload is not None
        },
    }
    if concrete == "omnetpp":
        from simulation.backends.omnetpp.backend import OmnetppInstall, find_install

        install = find_install()
        if isinstance(install, OmnetppInstall):
            study["omnetpp"] = {
                "opp_run": str(install.opp_run),
                "inet_root": str(install.inet_root),
            }
    return study


def _counts(statuses: list[PointStatus]) -> dict[str, Any]:
    """The history entry's tally of one sweep."""
    count = {k: sum(s.status == k for s in statuses) for k in ("skipped", "failed", "interrupted")}
    return {
        "run": sum(s.status == "done" for s in statuses),
        **count,
        "failed_points": [s.key for s in statuses if s.status == "failed"],
    }
