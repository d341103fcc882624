# SPDX-License-Identifier: MIT
"""The engine against opp_run, scenario by scenario, in the same `make bench` run.

Each scenario of `benchmarks.scenarios` runs in a fresh process in each
simulator (`benchmarks.measure`): the engine's events, simulation wall time
(best of its repeats; set-up of the network included, profile parsing not)
and peak RSS, compiled (`make native`) and pure Python; opp_run's events, its
own simulation time (Cmdenv's "Elapsed"), its process wall time and peak RSS.
The ratio compares the two simulations, and splits into what limits it: how
many fewer events the engine needs (INET's zero-delay chains collapsed) times
how much less each costs. Without OMNeT++ + INET the opp_run columns say why
they are empty.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from benchmarks.scenarios import SCENARIOS
from benchmarks.table import rate, seconds, section, verdict
from simulation.backends.omnetpp.backend import OmnetppBackend
from simulation.embedded.native import PURE_ENV

#: repeats per scenario (engine, opp_run): the long ones once
REPEATS = {"vgg16-fl-n18": (1, 1), "rounds-udp-n18-fl": (1, 1), "rounds-tcp-n18-fl": (1, 1)}
#: the issue's aims for the engine against opp_run (simulation only)
TARGETS = {"paper-n18-fcddt": 20.0, "vgg16-fl-n18": 20.0}
TITLE = "The engine against opp_run, same scenario, same run"
COLUMNS = [
    "scenario", "engine events", "engine simulation", "engine events/s", "engine peak RSS",
    "pure Python engine", "opp_run events", "opp_run simulation (Cmdenv)", "opp_run wall",
    "opp_run events/s", "opp_run peak RSS", "engine faster", "= fewer events x", "cheaper events",
    "target",
]  # fmt: skip


def measure(which: str, name: str, repeats: int, pure: bool = False) -> dict[str, Any]:
    """Figures of one scenario in one simulator, from a fresh process (`pure`: the pure
    Python engine even where the compiled one is built)."""
    env = {**os.environ, PURE_ENV: "1"} if pure else None
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", which, name, str(repeats)],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def _last_error(output: str) -> str:
    """The simulator's own error line (OMNeT++ prints `<!> Error: ...`), else the last line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if "Error" in ln]
    return (errors or lines or ["no output"])[-1][:200]


def main() -> None:
    """Print and record one row per scenario."""
    table = section(TITLE, COLUMNS)
    avail = OmnetppBackend().availability()
    if not avail.ok:
        table.notes.append(f"opp_run columns empty: OMNeT++ + INET not found ({avail.reason}).")
    for name, (what, _) in SCENARIOS.items():
        reps = REPEATS.get(name, (3, 3))
        e = measure("engine", name, reps[0])
        pure = measure("engine", name, reps[0], pure=True)
        print(
            f"{name}: engine ({e['kind']}) {e['events']:,.0f} events in {e['simulation_s']:.3f} s "
            f"= {rate(e['events'], e['simulation_s'])}, peak RSS {e['rss_mb']:.0f} MB; pure "
            f"Python {pure['simulation_s']:.3f} s",
            flush=True,
        )
        row = [what, f"{e['events']:,.0f}", seconds(e["simulation_s"]),
               rate(e["events"], e["simulation_s"]), f"{e['rss_mb']:.0f} MB",
               seconds(pure["simulation_s"])]  # fmt: skip
        if not avail.ok:
            table.rows.append(row + ["skipped"] * 5 + ["n/a"] * 3 + [""])
            continue
        try:
            o = measure("omnetpp", name, reps[1])
        except subprocess.CalledProcessError as exc:  # say why, and go on with the others
            why = _last_error(exc.stdout + exc.stderr)
            print(f"  opp_run failed: {why}", flush=True)
            table.rows.append(row + [f"failed: {why}"] + [""] * 4 + ["n/a"] * 3 + [""])
            continue
        ratio = o["simulation_s"] / e["simulation_s"]
        fewer = o["events"] / e["events"]
        print(
            f"  opp_run {o['events']:,.0f} events, simulation {o['simulation_s']:.3f} s "
            f"(process {o['wall_s']:.3f} s) = {rate(o['events'], o['simulation_s'])}, peak RSS "
            f"{o['rss_mb']:.0f} MB; engine {ratio:.1f}x faster",
            flush=True,
        )
        target = TARGETS.get(name)
        row += [f"{o['events']:,.0f}", seconds(o["simulation_s"]), seconds(o["wall_s"]),
                rate(o["events"], o["simulation_s"]), f"{o['rss_mb']:.0f} MB", f"{ratio:.1f}x",
                f"{fewer:.1f}x", f"{ratio / fewer:.1f}x",
                f"{target:g}x: {verdict(ratio, target)}" if target else ""]  # fmt: skip
        table.rows.append(row)
    reps = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in REPEATS.items())
    table.notes.append(
        "Wall times are the best of 3 runs in one process (engine) or of 3 opp_run processes, "
        f"except (engine/opp_run runs) {reps}. Peak RSS: the engine's whole Python process "
        "(imports included); opp_run's process. The engine column is the compiled engine "
        f'({e["kind"]} in this run); "pure Python engine" the same code uncompiled '
        '(FOGCOSIM_PURE_PYTHON=1). "engine faster" = "fewer events" (opp_run\'s events over '
        "the engine's: INET's zero-delay chains the engine collapses) x \"cheaper events\" "
        "(time per event, opp_run's over the engine's): what a target not met is short of."
    )


if __name__ == "__main__":
    main()
