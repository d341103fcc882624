# SPDX-License-Identifier: MIT
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

import pandas as pd
import pytest

from analysis.run.pivots import statistics
from fogcosim.resultfiles.reader import read_result_files
from simulation.backends.omnetpp.versions import VALIDATED
from simulation.embedded.backend import EmbeddedBackend
from simulation.model.scenario import scenario_from_dict

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
        assert {
            "paper-n18-fcddt",
            "rounds-n18-fl",
            "plant-n6-fl",
            "ties-0",
            "paper-strict-n18-fl",
            "rounds-deadline-n8-fl",
            "rounds-stall-n18-fl",
            # TCP (issue 16): rounds into 100-frame queues, losses, other options, flows
            "tcp-rounds-n4-fl",
            "tcp-rounds-n4-fcddt",
            "tcp-rounds-n18-fl",
            "tcp-rounds-n18-fcddt",
            "tcp-queue10-n18-fl",
            "tcp-reno-delack-n8-fcddt",
            "tcp-background-n4",
        } <= names, pair


@pytest.mark.parametrize("pair_name", PAIRS)
def test_the_tcp_fixtures_have_fast_retransmits_and_timeouts(pair_name):
    """The real TCP runs the engine must equal lost segments and recovered both ways."""

    def totals(case: str) -> tuple[float, float]:
        raw = read_result_files(FIXTURES / pair_name / case / "results")
        sc = raw[(raw["type"] == "scalar") & (raw["module"].str.endswith(".tcpStats"))]
        rexmit = sc[sc["name"].str.endswith(":retransmittedSegments:count")]["value"].sum()
        timeouts = sc[sc["name"].str.endswith(":timeouts:count")]["value"].sum()
        return float(rexmit), float(timeouts)

    assert totals("tcp-rounds-n4-fl") == (179.0, 0.0)  # fast retransmits only
    rexmit, timeouts = totals("tcp-queue10-n18-fl")
    assert rexmit > 100 and timeouts > 0


@pytest.fixture(scope="module", params=CASES)
def pair(request, tmp_path_factory):
    real = FIXTURES / request.param
    # every fixture was recorded with vectors on: the oracle checks every message
    assert list((real / "results").glob("*.vec")), "fixture without vectors: make fixtures"
    scenario = scenario_from_dict(json.loads((real / "scenario.json").read_text()))
    ours = tmp_path_factory.mktemp(request.param.replace("/", "-"))
    # the fixture's TCP vectors, if any: the ones `record_vectors="tcp"` renders
    tcp = "tcp.conn-*." in (real / "omnetpp.ini").read_text()
    EmbeddedBackend().run(scenario, ours, record_vectors="tcp" if tcp else True)
    return read_result_files(real / "results"), read_result_files(ours / "results")


def test_every_scalar_agrees(pair):
    assert_scalars_agree(*pair)


def test_every_statistic_and_histogram_agrees(pair):
    assert_statistics_agree(*pair)


def test_every_vector_agrees(pair):
    assert_vectors_agree(*pair)


def _extra_scalar(raw: pd.DataFrame) -> pd.DataFrame:
    row = raw[raw["type"] == "scalar"].iloc[[0]].copy()
    row["name"] = "inventedByTheEngine:count"
    return pd.concat([raw, row], ignore_index=True)


def test_the_comparison_fails_when_either_side_has_an_extra_result():
    real = read_result_files(FIXTURES / PAIRS[0] / "paper-n4-fl" / "results")
    assert_scalars_agree(real, real)
    with pytest.raises(AssertionError, match="only the engine has"):
        assert_scalars_agree(real, _extra_scalar(real))
    with pytest.raises(AssertionError, match="only OMNeT\\+\\+ has"):
        assert_scalars_agree(_extra_scalar(real), real)
    vec = real[real["type"] == "vector"]
    fewer = real.drop(index=vec.index[:1])
    with pytest.raises(AssertionError, match="vectors: only OMNeT"):
        assert_vectors_agree(real, fewer)


@pytest.mark.parametrize("pair_name", PAIRS)
def test_strict_priority_changes_the_outcome_in_real_omnetpp(pair_name):
    """The strict-priority fixture is one where priority decides: its FIFO twin differs."""
    critical = {
        r["flow"] for r in json.loads((FIXTURES / pair_name / "paper-strict-n18-fl" /
                                       "manifest.json").read_text())
        if r["role"] == "flow" and r["class"] == "critical"
    }  # fmt: skip

    def worst(case: str) -> float:
        st = statistics(read_result_files(FIXTURES / pair_name / case / "results"),
                        include_itervars=False)  # fmt: skip
        names = {f"{f}:delay:histogram" for f in critical}
        return float(st[st["name"].isin(names)]["max"].max())

    fifo, strict = worst("paper-n18-fl"), worst("paper-strict-n18-fl")
    assert strict < fifo / 2, (fifo, strict)
