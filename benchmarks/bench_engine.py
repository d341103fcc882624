"""Embedded engine vs OMNeT++/INET on the paper profile at 18 fog nodes, heaviest method.

Prints events per second, wall seconds for one hyperperiod and peak memory of
the embedded engine; where OMNeT++ + INET are installed, the same for opp_run
and the ratio. The heaviest method is the one with the most ML bytes per round
(measured by mlpayloads, cached).
"""

from __future__ import annotations

import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from simulation.backends.omnetpp import OmnetppBackend
from simulation.embedded.engine import Engine
from simulation.profile import build_scenario, load_profile
from simulation.scenario import Scenario

PROFILE = "paper-sec21"
FOG_NODES = 18
REPEATS = 3


def heaviest_scenario() -> Scenario:
    """The paper scenario at 18 FNs whose method moves the most ML bytes."""
    profile = load_profile(PROFILE)
    candidates = [build_scenario(profile, FOG_NODES, m, seed=0) for m in ("cc", "fl", "fcddt")]
    return max(candidates, key=lambda sc: sum(f.size_bytes for f in sc.flows if f.cls == "ml"))


def bench_embedded(sc: Scenario) -> tuple[float, int, int]:
    """Best wall time of REPEATS runs, events, and peak traced memory (bytes)."""
    best, events = float("inf"), 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = Engine(sc).run()
        best = min(best, time.perf_counter() - start)
        events = result.events
    tracemalloc.start()
    Engine(sc).run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, events, peak


def main() -> None:
    """Print the figures."""
    sc = heaviest_scenario()
    ml = sum(f.size_bytes for f in sc.flows if f.cls == "ml")
    print(
        f"scenario {sc.name}: {len(sc.flows)} flows, hyperperiod {sc.hyperperiod_ps / 1e12:g}s, "
        f"ML {ml / 1e6:.2f} MB per round of the ML period"
    )
    wall, events, peak = bench_embedded(sc)
    print(
        f"embedded: {events} events in {wall:.3f} s wall (best of {REPEATS}) = "
        f"{events / wall:,.0f} events/s; peak traced Python memory {peak / 2**20:.1f} MiB"
    )
    backend = OmnetppBackend()
    avail = backend.availability()
    if not avail.ok:
        print(f"omnetpp: skipped ({avail.reason})")
        return
    best = float("inf")
    result = None
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(REPEATS):
            result = backend.run(sc, Path(tmp) / f"run{i}")
            best = min(best, result.wall_seconds)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert result is not None
    ev = result.events or 0
    print(
        f"omnetpp: {ev} events in {best:.3f} s wall (best of {REPEATS}, incl. start-up) = "
        f"{ev / best:,.0f} events/s; peak RSS of opp_run {rss:.0f} MiB"
    )
    print(f"ratio: embedded is {best / wall:.1f}x faster per hyperperiod")


if __name__ == "__main__":
    main()
