# SPDX-License-Identifier: MIT
"""The embedded backend: simulate a Scenario in Python and write OMNeT++-format results."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from fogcosim.resultfiles.runresults import RunResults
from simulation.backends.base import (
    RESULT_SUBDIR,
    Availability,
    Progress,
    RunResult,
    write_inputs,
)
from simulation.embedded.engine import Engine
from simulation.embedded.native import engine_kind
from simulation.embedded.output import write_results
from simulation.model.load import overload_warnings
from simulation.model.scenario import Scenario, ScenarioError


def check_supported(scenario: Scenario) -> None:
    """Refuse, in one line, TCP options INET has and the engine does not model (SACK, ...)."""
    spec = scenario.rounds
    if spec is not None and spec.tcp is not None:
        spec.tcp.check_embedded("traffic.ml.tcp")
    for flow in scenario.flows:
        if flow.tcp is not None:
            try:
                flow.tcp.check_embedded("tcp")
            except ScenarioError as exc:
                raise ScenarioError(f"{scenario.profile}: flow {flow.name!r}: {exc}") from None


class EmbeddedBackend:
    """Always available: needs nothing beyond this package."""

    name = "embedded"

    def availability(self) -> Availability:
        """The embedded engine runs everywhere."""
        return Availability(True)

    def run(
        self, scenario: Scenario, out_dir: Path, *, record_vectors: bool | str = False,
        timeout_s: float = 600.0, progress: Progress | None = None,
    ) -> RunResult:  # fmt: skip
        """Simulate one hyperperiod and write results like the OMNeT++ backend does."""
        del timeout_s  # the engine is fast; a timeout would only add overhead
        check_supported(scenario)
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        write_inputs(scenario, out_dir)
        inputs = time.perf_counter()
        result_dir = out_dir / RESULT_SUBDIR
        if result_dir.exists():
            shutil.rmtree(result_dir)
        engine_result = Engine(scenario).run(record_vectors=record_vectors, progress=progress)
        results = RunResults()  # what the files hold, kept for the metrics (no read-back)
        writing = time.perf_counter()
        files = write_results(engine_result, out_dir, record_vectors, capture=results)
        written = time.perf_counter()
        run = RunResult(
            backend=self.name,
            scenario=scenario.name,
            directory=str(out_dir),
            scalar_files=[str(p) for p in files if p.suffix == ".sca"],
            vector_files=[str(p) for p in files if p.suffix == ".vec"],
            wall_seconds=time.perf_counter() - start,
            events=engine_result.events,
            detail={  # where the run's time went (`make bench` reports it)
                "inputs_seconds": f"{inputs - start:.4f}",
                "engine_seconds": f"{engine_result.wall_seconds:.4f}",
                "results_seconds": f"{written - writing:.4f}",
                "engine": engine_kind(),
            },
            warnings=overload_warnings(scenario) + engine_result.notes,
            results=results,
        )
        run.write()
        return run
