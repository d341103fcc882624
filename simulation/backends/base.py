# SPDX-License-Identifier: MIT
"""The Backend interface: what every simulator backend takes and what it writes.

A backend turns a Scenario into OMNeT++-format result files in a folder. Both
backends write the same layout (see `RunResult`), so analysis never needs to
know which one ran.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from fogcosim import atomic
from simulation.model.apps import manifest
from simulation.model.scenario import Scenario

RESULT_SUBDIR = "results"
RUN_INFO = "run.json"


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here, and if not, what to do about it."""

    ok: bool
    reason: str = ""


@dataclass
class RunResult:
    """What a backend run produced. Written as `run.json` beside the results."""

    backend: str
    scenario: str
    directory: str
    scalar_files: list[str]
    vector_files: list[str] = field(default_factory=list)
    log: str = ""
    wall_seconds: float = 0.0
    events: int | None = None
    detail: dict[str, str] = field(default_factory=dict)
    #: Things a user must know about this run's results (overloaded links, ...).
    warnings: list[str] = field(default_factory=list)
    #: Why the round protocol's watchdog ended the run ("" when it did not stall).
    stalled: str = ""
    #: The results as the backend wrote them, kept in memory where it has them (the
    #: embedded engine: a `fogcosim.resultfiles.runresults.RunResults`), so that the
    #: metrics need not read back the files just written; None: read the files.
    results: Any = field(default=None, repr=False, compare=False)

    def write(self) -> Path:
        """Write run.json into the run's directory (atomically) and return its path.

        It names the run's seeds too, from the scenario.json the backend wrote
        beside it: `seed` (the network's) and `train_seed` (the training's, for a
        run that trains; else null).
        """
        path = Path(self.directory) / RUN_INFO
        record = asdict(replace(self, results=None))
        del record["results"]
        atomic.write_json(path, record | seeds(Path(self.directory)))
        return path


def seeds(run_dir: Path) -> dict[str, int | None]:
    """The network and training seeds of the scenario.json in `run_dir` ({} if unreadable)."""
    try:
        scenario = json.loads((run_dir / "scenario.json").read_text())
    except (OSError, ValueError):
        return {}
    training = (scenario.get("rounds") or {}).get("training") or {}
    train = training.get("seed", scenario["seed"]) if training else None
    return {"seed": scenario.get("seed"), "train_seed": train}


#: told the simulated time reached (seconds), now and then during a run
Progress = Callable[[float], None]


class Backend(Protocol):
    """A simulator that runs Scenarios."""

    name: str

    def availability(self) -> Availability:
        """Can this backend run on this machine? If not, say what is missing."""
        ...

    def run(
        self, scenario: Scenario, out_dir: Path, *, record_vectors: bool | str = False,
        timeout_s: float = 600.0, progress: Progress | None = None,
    ) -> RunResult:  # fmt: skip
        """Simulate one hyperperiod of `scenario`, writing results under `out_dir`.

        `progress(seconds)` is told the simulated time reached, now and then.
        """
        ...


def write_inputs(scenario: Scenario, out_dir: Path) -> None:
    """scenario.json and manifest.json: the backend-independent description of a run."""
    atomic.write_text(out_dir / "scenario.json", json.dumps(scenario.to_dict(), indent=1) + "\n")
    atomic.write_text(out_dir / "manifest.json", json.dumps(manifest(scenario), indent=1) + "\n")


def mark_stalled(run_dir: Path, reason: str) -> None:
    """Say in the run's run.json that its round protocol stalled, and why."""
    _mark(run_dir, "stalled", reason)


def mark_interrupted(run_dir: Path, reason: str) -> None:
    """Say in the run's run.json that the run was cut short (its results are partial or absent)."""
    _mark(run_dir, "interrupted", reason)


def _mark(run_dir: Path, key: str, reason: str) -> None:
    path = Path(run_dir) / RUN_INFO
    path.parent.mkdir(parents=True, exist_ok=True)  # cut before the backend made it: say so
    info = json.loads(path.read_text()) if path.exists() else {}
    info[key] = reason
    atomic.write_json(path, info)
