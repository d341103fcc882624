# SPDX-License-Identifier: MIT
"""Where a round's time goes (analysis.run.round_split) against hand-computed timelines.

The spec cases of tests/simulation/protocol_spec.py state, per round and fog
node, its compute, its messages' time in the network, its wait for the last
aggregated FN and the cloud's compute, from the same arithmetic as their
timelines. rounds.csv must say exactly that, from the embedded engine's result
files and from the committed real OMNeT++ runs of the same cases (both pairs):
both backends' files must be sufficient for it.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.run.metrics import load_run
from analysis.run.rounds import rounds_table
from simulation.backends.omnetpp.versions import VALIDATED
from simulation.embedded.backend import EmbeddedBackend
from tests.simulation.protocol_spec import CASES, SpecCase

FIXTURES = Path(__file__).parent.parent / "fixtures" / "omnetpp"
SPLIT_CASES = sorted(name for name, case in CASES.items() if case().split)
PARTS = ["compute_fog_s", "network_up_s", "wait_s", "compute_cloud_s", "network_down_s"]


def assert_split(case: SpecCase, table: pd.DataFrame) -> None:
    """rounds.csv's split equals the hand-computed one to the nanosecond (OMNeT++'s doubles)."""
    assert {(int(r), int(f)) for r, f in zip(table["round"], table["fn"], strict=True)} == set(
        case.split
    )
    for row in table.itertuples():
        want = case.split[(int(row.round), int(row.fn))]
        got = [getattr(row, part) for part in PARTS]
        for part, g, w in zip(PARTS, got, want, strict=True):
            if w is None:
                assert math.isnan(g), (row.round, row.fn, part, g)
            else:
                assert g == pytest.approx(w * 1e-12, abs=1e-9), (row.round, row.fn, part)
        if want[2] is not None:  # aggregated: the parts add up to its round, start to end
            end = row.download_done_s if not math.isnan(row.download_done_s) else row.round_done_s
            assert sum(got) == pytest.approx(end - row.round_start_s, abs=1e-12)


@pytest.mark.parametrize("name", SPLIT_CASES)
def test_the_engines_files_give_the_hand_computed_split(name, tmp_path):
    case = CASES[name]()
    EmbeddedBackend().run(case.scenario, tmp_path, record_vectors=True)
    assert_split(case, rounds_table(*load_run(tmp_path)))


@pytest.mark.parametrize(
    "case", [f"{o}-{i}/spec-{name}" for o, i in VALIDATED for name in SPLIT_CASES]
)
def test_real_omnetpps_files_give_the_hand_computed_split(case):
    name = case.split("/")[1].removeprefix("spec-")
    assert_split(CASES[name](), rounds_table(*load_run(FIXTURES / case)))


def test_without_delay_vectors_the_network_and_waiting_are_unknown(tmp_path):
    case = CASES["fl-all"]()
    EmbeddedBackend().run(case.scenario, tmp_path, record_vectors=False)
    table = rounds_table(*load_run(tmp_path))
    assert len(table) == 4
    assert table[["network_up_s", "network_down_s", "wait_s"]].isna().all().all()
    assert (table["compute_fog_s"] > 0).all()  # the apps' own vectors are still there
