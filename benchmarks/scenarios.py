# SPDX-License-Identifier: MIT
"""The named scenarios the benchmarks run in both simulators (one builder each).

Each builds a Scenario from a shipped profile (or, for VGG-16, from measured
bytes given here, so that the benchmark never trains VGG-16). `measure.py` runs
one of them in a fresh process, in the engine or in opp_run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from simulation.model.scenario import Scenario
from simulation.profile.build import build_scenario, load_profile, with_rounds, with_time

S = 10**12

# VGG-16 FL's measured bytes per FN and round (docs/mlpayloads.md payload table).
VGG_PROFILE = """
[profile]
name = "vgg-bench"
[topology]
layout = "star"
network = "VggBench"
[traffic.cloud]
[traffic.neighbours]
[traffic.ml]
period = "1000ms"
directions = "measured"
[traffic.ml.bytes.fl]
upload = 60983144
download = 60983144
"""


def _paper(n: int, method: str) -> Callable[[], Scenario]:
    return lambda: build_scenario(load_profile("paper-sec21"), n, method, 0)


def _vgg() -> Scenario:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vgg.toml"
        path.write_text(VGG_PROFILE)
        return with_time(build_scenario(load_profile(path), 18, "fl", 0), sim_time_ps=S)


def _rounds(profile: str, rounds: int) -> Callable[[], Scenario]:
    return lambda: with_rounds(build_scenario(load_profile(profile), 18, "fl", 0), rounds)


#: name -> (what it is, builder), in the order the table lists them
SCENARIOS: dict[str, tuple[str, Callable[[], Scenario]]] = {
    "paper-n18-fcddt": ("paper point: paper-sec21, 18 FNs, FCDDT, one 6 s hyperperiod",
                        _paper(18, "fcddt")),
    "paper-n18-fl": ("paper-sec21, 18 FNs, FL, one hyperperiod", _paper(18, "fl")),
    "vgg16-fl-n18": ("VGG-16 FL (61 MB each way per FN and round), 18 FNs, 1 s simulated", _vgg),
    "rounds-udp-n18-fl": ("paper-sec21-rounds-udp, 18 FNs, FL, 50 rounds",
                          _rounds("paper-sec21-rounds-udp", 50)),
    "rounds-tcp-n18-fl": ("paper-sec21-rounds (TCP), 18 FNs, FL, 10 rounds",
                          _rounds("paper-sec21-rounds", 10)),
    "paper-n1000-none": ("paper-sec21, 1,000 FNs, method none, one hyperperiod",
                         _paper(1000, "none")),
}  # fmt: skip
