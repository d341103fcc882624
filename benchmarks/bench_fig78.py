# SPDX-License-Identifier: MIT
"""The Figure 7 and 8 study, end to end: its wall time, split into network simulation and training.

Runs `fogcosim sweep --profile weak-fog-batch-stragglers` (every variant, method and
seed, then the report) in a fresh process into a temporary results folder, as `make
sweep PROFILE=weak-fog-batch-stragglers` does, and prints the wall time beside what the
runs spent in the network simulation (`wall_seconds`, the backend's run) and in training
(`wall_training_s`: the model trained and evaluated after every round), summed over
runs. With two local workers the sums can exceed the wall time (both cores work at once).
Aim: the whole study in under 15 minutes on a 2-core machine. Prints; asserts nothing.
`FOGCOSIM_BENCH_FIG78=0` skips it (it takes minutes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

PROFILE = "weak-fog-batch-stragglers"
AIM_S = 15 * 60


def run_study(root: Path) -> tuple[float, pd.DataFrame]:
    """Wall seconds of the whole sweep (report included) and its summary."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "fogcosim.cli", "sweep", "--profile", PROFILE,
         "--backend", "embedded", "--results-root", str(root)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    return wall, pd.read_csv(root / PROFILE / "summary.csv")


def main() -> None:
    """Print the study's wall time and its split."""
    if os.environ.get("FOGCOSIM_BENCH_FIG78") == "0":
        print(f"{PROFILE}: skipped (FOGCOSIM_BENCH_FIG78=0)")
        return
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        wall, summary = run_study(Path(tmp))
    network = float(summary["wall_seconds"].sum())
    training = float(pd.to_numeric(summary.get("wall_training_s"), errors="coerce").sum())
    verdict = "met" if wall <= AIM_S else "not met"
    print(
        f"{PROFILE} (the Figure 7 and 8 study): {len(summary)} runs in {wall:.0f} s wall "
        f"({wall / 60:.1f} min; aim 15 min: {verdict}); summed over runs: network simulation "
        f"{network:.0f} s, training {training:.0f} s ({os.cpu_count()} CPUs, load average "
        f"{load:.1f} at the start)"
    )


if __name__ == "__main__":
    main()
