# SPDX-License-Identifier: MIT
"""Progress on long runs: the engine reports simulated time between slices, unchanged results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from simulation.backends.omnetpp.backend import wait_reporting
from simulation.embedded.backend import EmbeddedBackend
from simulation.profile.build import build_scenario, load_profile

from .conftest import PROFILES


def test_progress_reaches_the_end_and_changes_no_result(tmp_path: Path) -> None:
    scenario = build_scenario(load_profile(PROFILES / "plant-cells.toml"), 6, "fl", 0)
    heard: list[float] = []
    EmbeddedBackend().run(scenario, tmp_path / "with", record_vectors=True, progress=heard.append)
    EmbeddedBackend().run(scenario, tmp_path / "without", record_vectors=True)
    assert len(heard) > 10
    assert heard == sorted(heard)
    assert heard[-1] <= scenario.sim_time_limit_ps / 1e12
    assert heard[-1] > 0.9 * scenario.sim_time_limit_ps / 1e12
    for kind in ("sca", "vec"):
        (a,) = (tmp_path / "with" / "results").glob(f"*.{kind}")
        (b,) = (tmp_path / "without" / "results").glob(f"*.{kind}")
        strip = [line for line in a.read_text().splitlines() if not line.startswith("attr ")]
        assert strip == [
            line for line in b.read_text().splitlines() if not line.startswith("attr ")
        ]


def test_omnetpp_progress_follows_cmdenv_status_lines(tmp_path: Path) -> None:
    log = tmp_path / "opp_run.log"
    script = (
        "import time\n"
        "for t in ('0', '1.5', '3e+00'):\n"
        "    print(f'** Event #{int(float(t) * 10)}   t={t}   Elapsed: 0.1s', flush=True)\n"
        "    time.sleep(0.7)\n"
    )
    heard: list[float] = []
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=fh)
        assert wait_reporting(proc, 30.0, log, heard.append) == 0
    assert heard and heard == sorted(heard)
    assert set(heard) <= {0.0, 1.5, 3.0}
    assert heard[-1] >= 1.5
