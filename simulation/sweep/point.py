# SPDX-License-Identifier: MIT
"""One sweep point: what a worker runs, what it returns, and when a finished run counts.

`run_point` runs in a worker (a local process or a Dask worker, possibly on
another machine) and never raises: it returns a `PointStatus` that carries the
run's metrics row, so the client can write `metrics.json` itself when it cannot
see the worker's files. A run folder holds either `metrics.json` (finished) or
`error.txt` (failed), never both: both are removed before a run starts.
A finished run is reused only if its `resume_key` matches, which covers
everything that changes its results (`resume_parts`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fogcosim import __version__, atomic
from fogcosim.resultfiles.runresults import RunResults
from simulation.backends import get_backend
from simulation.backends.base import write_inputs
from simulation.model.scenario import Scenario

METRICS = "metrics.json"
ERROR = "error.txt"

#: Computes a finished run folder's metrics (one summary row) from the results its backend
#: kept in memory (None: read the folder's result files); `analysis.run.metrics.summarize_run`
#: in practice. Passed in (a picklable top-level function), so `simulation` never imports
#: `analysis`, which sits above it.
Summarize = Callable[[Path, RunResults | None], dict[str, Any]]


def no_metrics(run_dir: Path, results: RunResults | None = None) -> dict[str, Any]:
    """A `Summarize` that computes nothing (the run is still recorded as complete)."""
    del run_dir, results
    return {}


def scenario_digest(scenario: Scenario) -> str:
    """A hash of the scenario (topology, flows, payloads, seed draws)."""
    text = json.dumps(scenario.to_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def resume_parts(scenario: Scenario, backend: str, record_vectors: bool) -> dict[str, Any]:
    """Everything a run's results depend on (hashed into its metrics.json's `resume_key`).

    The scenario (its digest), the concrete backend, whether delay vectors were
    recorded (percentiles need them), the simulated time (one hyperperiod; part
    of the scenario, named here so a future time option joins it) and the
    fogcosim version. The wall-clock timeout is left out: it decides whether a
    run finishes, not what a finished run measured.
    """
    return {
        "scenario_digest": scenario_digest(scenario),
        "backend": backend,
        "record_vectors": record_vectors,
        "sim_time_limit_ps": scenario.hyperperiod_ps,
        "fogcosim_version": __version__,
    }


def resume_key(scenario: Scenario, backend: str, record_vectors: bool) -> str:
    """A hash of `resume_parts`: equal keys mean a finished run can be reused."""
    text = json.dumps(resume_parts(scenario, backend, record_vectors), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def finished_key(point_dir: Path) -> str | None:
    """The resume key of the finished run in `point_dir`, or None."""
    try:
        data = json.loads((point_dir / METRICS).read_text())
    except (OSError, ValueError):
        return None
    key = data.get("resume_key") if isinstance(data, dict) else None
    return key if isinstance(key, str) else None


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs to run one point (picklable)."""

    scenario: Scenario
    point_dir: str  # absolute: a worker may run in another working directory
    backend: str
    record_vectors: bool
    timeout_s: float
    summarize: Summarize = no_metrics

    @property
    def key(self) -> str:
        """The point's key (its folder's name)."""
        return Path(self.point_dir).name


@dataclass
class PointStatus:
    """What happened to one point; `metrics` travels back to the client, not to statuses.json."""

    key: str
    status: str  # "done", "skipped" (already complete), "failed", "interrupted"
    seconds: float = 0.0
    error: str = ""
    host: str = ""  # where it ran
    note: str = ""  # e.g. "run folder not visible here"
    metrics: dict[str, Any] | None = field(default=None, repr=False)

    def record(self) -> dict[str, Any]:
        """The statuses.json entry (without the metrics row)."""
        out = asdict(self)
        del out["metrics"]
        return {k: v for k, v in out.items() if v != "" or k in ("key", "status")}


def clear_outcome(folder: Path) -> None:
    """Remove a previous run's metrics.json and error.txt (before a run, or a failure)."""
    (folder / METRICS).unlink(missing_ok=True)
    (folder / ERROR).unlink(missing_ok=True)


def run_point(task: PointTask) -> PointStatus:
    """Run one point and write its metrics (in a worker; never raises an Exception)."""
    start = time.perf_counter()
    folder = Path(task.point_dir)
    host = socket.gethostname()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        clear_outcome(folder)
        backend = get_backend(task.backend)
        write_inputs(task.scenario, folder)
        result = backend.run(
            task.scenario, folder, record_vectors=task.record_vectors, timeout_s=task.timeout_s
        )
        metrics = task.summarize(folder, result.results)
        metrics.update(
            scenario_digest=scenario_digest(task.scenario),
            resume_key=resume_key(task.scenario, result.backend, task.record_vectors),
            backend=result.backend,
            wall_seconds=round(result.wall_seconds, 4),
            events=result.events,
        )
        atomic.write_json(folder / METRICS, metrics)
        return PointStatus(
            task.key, "done", time.perf_counter() - start, host=host, metrics=metrics
        )
    except Exception as exc:  # one failed point must not stop the sweep
        text = f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(OSError):
            (folder / METRICS).unlink(missing_ok=True)
            atomic.write_text(folder / ERROR, text + "\n\n" + traceback.format_exc())
        return PointStatus(task.key, "failed", time.perf_counter() - start, text, host=host)
