"""The embedded engine reproduces real OMNeT++ + INET runs, result for result.

Each fixture folder (tests/fixtures/omnetpp/<omnetpp>-<inet>/<case>/, see
cases.py there) holds a scenario a validated OMNeT++/INET pair simulated and
its result files. The engine simulates the same scenario here and every
result OMNeT++ recorded must be ours too, equal: counts exactly, times and
delays within 1e-9 relative (OMNeT++ sums in doubles, the engine in integer
picoseconds), every histogram bin, every vector sample (times within 1 ns).
That covers per-flow deliveries, drops and deadline misses, queue drops,
channel utilisation, the round protocol's timeline, and equal-time events.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fogcosim.resultfiles.reader import read_result_files
from simulation.backends.versions import VALIDATED
from simulation.embedded.backend import EmbeddedBackend
from simulation.scenario import scenario_from_dict

from .agree import assert_scalars_agree, assert_statistics_agree, assert_vectors_agree

FIXTURES = Path(__file__).parent.parent / "fixtures" / "omnetpp"
PAIRS = [f"{o}-{i}" for o, i in VALIDATED]
CASES = sorted(
    f"{p.parent.name}/{p.name}"
    for pair in PAIRS
    for p in (FIXTURES / pair).glob("*")
    if (p / "scenario.json").is_file()
)


def test_both_validated_pairs_have_fixtures():
    for pair in PAIRS:
        names = {c.split("/")[1] for c in CASES if c.startswith(pair + "/")}
        assert len(names) >= 20, pair
        assert {"paper-n18-fcddt", "rounds-n18-fl", "plant-n6-fl", "ties-0"} <= names, pair


@pytest.fixture(scope="module", params=CASES)
def pair(request, tmp_path_factory):
    real = FIXTURES / request.param
    scenario = scenario_from_dict(json.loads((real / "scenario.json").read_text()))
    ours = tmp_path_factory.mktemp(request.param.replace("/", "-"))
    EmbeddedBackend().run(scenario, ours)
    return read_result_files(real / "results"), read_result_files(ours / "results")


def test_every_scalar_agrees(pair):
    assert_scalars_agree(*pair)


def test_every_statistic_and_histogram_agrees(pair):
    assert_statistics_agree(*pair)


def test_every_vector_agrees(pair):
    real, ours = pair
    if not (real["type"] == "vector").any():
        pytest.skip("this case records no vectors")
    assert_vectors_agree(real, ours)
