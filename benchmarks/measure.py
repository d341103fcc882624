# SPDX-License-Identifier: MIT
"""Run one named scenario (`benchmarks.scenarios`) in one simulator; print its figures as JSON.

    python -m benchmarks.measure engine paper-n18-fcddt 3
    python -m benchmarks.measure omnetpp paper-n18-fcddt 3

Runs in a process of its own, so that its peak RSS is the run's: the engine's
is this process's (imports included); opp_run's is the largest child's. Wall
times are the best of the repeats. For opp_run, `simulation_s` is Cmdenv's own
"Elapsed" at the last event (the simulation, without the process start, the
network set-up and the result files) and `wall_s` the whole opp_run process.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.scenarios import SCENARIOS
from simulation.backends.omnetpp.backend import OmnetppBackend
from simulation.embedded.engine import Engine
from simulation.embedded.native import engine_kind

_ELAPSED = re.compile(r"\*\* Event #(\d+)\s+t=\S+\s+Elapsed: ([0-9.eE+-]+)s")


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started (MB).

    Linux's `VmHWM`: `ru_maxrss` of a process started by fork and exec counts the
    parent's memory at the fork (kept across exec), so a benchmark run from a parent that
    had loaded torch would report the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def engine(name: str, repeats: int) -> dict[str, Any]:
    """Build, then simulate `repeats` times in this process."""
    start = time.perf_counter()
    sc = SCENARIOS[name][1]()
    build = time.perf_counter() - start
    best, setup, events = float("inf"), float("inf"), 0
    for _ in range(repeats):
        began = time.perf_counter()
        eng = Engine(sc)
        setup = min(setup, time.perf_counter() - began)
        result = eng.run()
        best = min(best, time.perf_counter() - began)
        events = result.events
    rss = peak_rss_mb()
    return {"build_s": build, "simulation_s": best, "events": events, "rss_mb": rss,
            "simulated_s": sc.sim_time_limit_ps / 1e12, "kind": engine_kind()}  # fmt: skip


def omnetpp(name: str, repeats: int) -> dict[str, Any]:
    """Render and run opp_run `repeats` times."""
    sc = SCENARIOS[name][1]()
    backend = OmnetppBackend()
    wall, elapsed, events = float("inf"), float("inf"), 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            result = backend.run(sc, Path(tmp) / f"run{i}", timeout_s=3600)
            wall = min(wall, result.wall_seconds)
            found = _ELAPSED.findall(Path(result.log).read_text(errors="replace"))
            if found:
                elapsed = min(elapsed, float(found[-1][1]))
            events = result.events or 0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"simulation_s": elapsed, "wall_s": wall, "events": events, "rss_mb": rss}


def main() -> None:
    """`measure.py engine|omnetpp NAME [REPEATS]`."""
    which, name = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    run = {"engine": engine, "omnetpp": omnetpp}[which]
    print(json.dumps(run(name, repeats)))


if __name__ == "__main__":
    main()
