# SPDX-License-Identifier: MIT
"""Protection results: gate-closed time per port and class, per round, and per-flow jitter."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.run.metrics import summarize_run
from analysis.run.protection import GATES_CSV, ROUND_GATES_CSV, closed_time, gate_table
from simulation.embedded.backend import EmbeddedBackend
from simulation.model.gcl import GateControlList, GateEntry
from simulation.model.scenario import scenario_from_dict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "omnetpp" / "6.1-4.5.4"
US = 10**6


def test_closed_time_counts_whole_cycles_and_the_part_cycle():
    # class 1 closed for the first 60 us of every 500 us cycle, the cycle starting at 100 us
    g = GateControlList("sw0", "cloud", 500 * US,
                        (GateEntry(60 * US, 0x40), GateEntry(440 * US, 0xBF)), 100 * US)  # fmt: skip
    assert closed_time(g, 1, 100 * US, 1100 * US) == 120 * US  # two whole cycles
    assert closed_time(g, 1, 0, 1250 * US) == 180 * US  # cycles from 100, 600, 1100 us
    assert closed_time(g, 1, 130 * US, 140 * US) == 10 * US
    assert closed_time(g, 6, 0, 1000 * US) == 880 * US
    assert closed_time(g, 1, 50, 50) == 0


def _run(tmp_path: Path, case: str) -> Path:
    run = tmp_path / case
    shutil.copytree(FIXTURES / case, run)
    summarize_run(run)
    return run


def test_a_gated_run_reports_each_ports_gates(tmp_path):
    run = _run(tmp_path, "tsn-gates-star-n18-fl")
    gates = pd.read_csv(run / GATES_CSV)
    scenario = json.loads((run / "scenario.json").read_text())
    assert len(gates) == 19 * 8  # sw0's 19 ports, 8 classes each
    row = gates[(gates["link"] == "sw0->cloud") & (gates["traffic_class"] == 6)].iloc[0]
    assert row["open_share"] == pytest.approx(60 / 500) and row["classes"] == "critical"
    ml = gates[(gates["link"] == "sw0->cloud") & (gates["traffic_class"] == 1)].iloc[0]
    measured = (scenario["warmup_ps"] + scenario["hyperperiod_ps"]) / US  # us
    assert ml["open_share"] == pytest.approx(440 / 500) and ml["classes"] == "ml"
    assert ml["closed_us"] == pytest.approx(measured * 60 / 500)
    assert str(ml["pcps"]) == "0"
    assert not (run / ROUND_GATES_CSV).exists()  # periodic ML: no rounds


def test_a_rounds_run_reports_the_gate_closed_time_of_each_round(tmp_path):
    run = _run(tmp_path, "tsn-gates-rounds-n8-fl")
    table = pd.read_csv(run / ROUND_GATES_CSV)
    assert list(table["round"]) == [0, 1, 2, 3, 4]
    span = (table["round_done_s"] - table["round_start_s"]) * 1e6
    # sw0's ports close the ML class 60 us of every 500 us: about 12 % of each round on
    # the way into the cloud; the cloud's own port has no gates
    assert ((table["ml_closed_up_us"] - 0.12 * span).abs() <= 60).all(), table
    assert (table["ml_closed_down_us"] == 0).all()


def test_jitter_is_the_same_from_either_backend(tmp_path):
    real = _run(tmp_path, "tsn-gates-star-n18-fl")
    sc = scenario_from_dict(json.loads((real / "scenario.json").read_text()))
    ours = tmp_path / "ours"
    EmbeddedBackend().run(sc, ours, record_vectors=True)
    summarize_run(ours)
    a = pd.read_csv(real / "flows.csv").set_index("flow")
    b = pd.read_csv(ours / "flows.csv").set_index("flow")
    pd.testing.assert_series_equal(a["jitter_us"], b["jitter_us"], rtol=1e-9)
    crit = a[a["class"] == "critical"]
    assert (crit["jitter_us"] == crit["delay_max_us"] - crit["delay_min_us"]).all()
    assert (crit["pcp"] == 6).all() and (b.loc[crit.index, "pcp"] == 6).all()
    pd.testing.assert_frame_equal(pd.read_csv(real / GATES_CSV), pd.read_csv(ours / GATES_CSV))


def test_runs_without_gates_write_no_gate_tables(tmp_path):
    run = _run(tmp_path, "tsn-cbs-star-n18-fl")
    assert not (run / GATES_CSV).exists()
    assert gate_table(json.loads((run / "scenario.json").read_text())).empty
