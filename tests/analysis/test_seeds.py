# SPDX-License-Identifier: MIT
"""Two seeds, recorded everywhere, each changing only its own results; one window per study.

Two tiny sweeps of a copy of paper-sec21-rounds (4 FNs, 5 rounds of 50 ms,
policy "all", methods none and fl) into one folder: first the network fixed
and two training seeds (`--seeds 1 --train-seeds 2`), then two network seeds
and the training fixed (`--seeds 2 --train-seeds 1`; its (0, 0) points resume).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from fogcosim.cli import main
from tests.analysis.test_rounds_report import ROUNDS, fast_profile, section, table_row


def sweep(profile: Path, out: Path, seeds: int, train_seeds: int) -> None:
    args = ["sweep", "--profile", str(profile), "--fog-nodes", "4", "--methods", "none,fl"]
    args += ["--seeds", str(seeds), "--train-seeds", str(train_seeds), "--backend", "embedded"]
    assert main([*args, "--workers", "1", "--out", str(out)]) == 0


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("seeds")
    profile = fast_profile(tmp, "fast-seeds")
    out = tmp / "study"
    sweep(profile, out, 1, 2)
    first = {"summary": out / "summary.csv", "report": out / "report.md"}
    kept = {k: tmp / f"first-{p.name}" for k, p in first.items()}
    for k, p in first.items():
        kept[k].write_bytes(p.read_bytes())
    sweep(profile, out, 2, 1)
    return {"runs": out / "runs", "out": out, **{f"first_{k}": v for k, v in kept.items()}}


def runs(folder: dict[str, Path], key: str) -> Path:
    return folder["runs"] / key


def test_both_seeds_are_recorded_in_every_output(folder: dict[str, Path]) -> None:
    for key, seed, train in (("n4-fl-s0", 0, 0), ("n4-fl-s0-t1", 0, 1), ("n4-fl-s1-t0", 1, 0)):
        run = runs(folder, key)
        scenario = json.loads((run / "scenario.json").read_text())
        assert (scenario["seed"], scenario["rounds"]["training"]["seed"]) == (seed, train)
        info = json.loads((run / "run.json").read_text())
        assert (info["seed"], info["train_seed"]) == (seed, train)
        for table in ("rounds.csv", "accuracy.csv"):
            got = pd.read_csv(run / table)
            assert set(got["seed"]) == {seed} and set(got["train_seed"]) == {train}
    baseline = json.loads((runs(folder, "n4-none-s0") / "run.json").read_text())
    assert (baseline["seed"], baseline["train_seed"]) == (0, None)
    first = pd.read_csv(folder["first_summary"])
    assert list(first.columns[:7]) == [
        "profile",
        "variant",
        "backend",
        "method",
        "fog_nodes",
        "seed",
        "train_seed",
    ]
    fl = first[first["method"] == "fl"]
    assert list(zip(fl["seed"], fl["train_seed"], strict=True)) == [(0, 0), (0, 1)]
    assert first.loc[first["method"] == "none", "train_seed"].isna().all()
    report = folder["first_report"].read_text()
    assert "network seeds 0; training seeds 0, 1 (runs that train)" in report
    assert "--seeds 1 --train-seeds 2" in report
    assert table_row(section(folder["first_report"]), "FL", 4)[-1] == "1 × 2"


def test_the_training_seed_alone_changes_accuracy_not_the_network(folder: dict[str, Path]) -> None:
    a, b = runs(folder, "n4-fl-s0"), runs(folder, "n4-fl-s0-t1")
    assert (a / "flows.csv").read_text() == (b / "flows.csv").read_text()
    seeds = ["seed", "train_seed"]
    rounds_a = pd.read_csv(a / "rounds.csv").drop(columns=seeds)
    pd.testing.assert_frame_equal(rounds_a, pd.read_csv(b / "rounds.csv").drop(columns=seeds))
    acc_a, acc_b = pd.read_csv(a / "accuracy.csv"), pd.read_csv(b / "accuracy.csv")
    assert acc_a["sim_time_s"].tolist() == acc_b["sim_time_s"].tolist()
    assert acc_a["accuracy"].tolist() != acc_b["accuracy"].tolist()
    # one network seed behind both runs: the report counts it once (no spread to show)
    first = pd.read_csv(folder["first_summary"])
    fl = first[first["method"] == "fl"]
    assert fl["critical_delay_mean_us"].nunique() == 1
    cells = table_row(section(folder["first_report"]), "FL", 4)
    assert "±" not in cells[7]  # critical mean: one network seed
    assert "±" in cells[6]  # final accuracy: two training seeds


def test_the_network_seed_alone_changes_the_network_not_learning(folder: dict[str, Path]) -> None:
    a, c = runs(folder, "n4-fl-s0"), runs(folder, "n4-fl-s1-t0")
    assert (a / "flows.csv").read_text() != (c / "flows.csv").read_text()
    acc_a, acc_c = pd.read_csv(a / "accuracy.csv"), pd.read_csv(c / "accuracy.csv")
    # policy "all": every round aggregates every FN whatever the network, so the same training
    # seed learns the same thing round for round
    assert acc_a["accuracy"].tolist() == acc_c["accuracy"].tolist()
    summary = pd.read_csv(folder["out"] / "summary.csv").set_index(["method", "seed"])
    assert (
        summary.loc[("fl", 0), "critical_delay_mean_us"]
        != summary.loc[("fl", 1), "critical_delay_mean_us"]
    )


def test_the_baseline_is_measured_over_the_ml_runs_window(folder: dict[str, Path]) -> None:
    summary = pd.read_csv(folder["out"] / "summary.csv")
    window = ROUNDS * 0.050  # train_rounds x batch_period
    assert summary["window_s"].tolist() == pytest.approx([window] * len(summary))
    for seed in (0, 1):
        at = summary[summary["seed"] == seed].set_index("method")
        # the same critical flows over the same window: the same messages sent
        assert at.loc["none", "critical_sent"] == at.loc["fl", "critical_sent"]
        assert at.loc["fl", "rounds_done"] == ROUNDS
    scenario = json.loads((runs(folder, "n4-none-s1") / "scenario.json").read_text())
    assert scenario["duration_ps"] == int(window * 1e12)
    fl = json.loads((runs(folder, "n4-fl-s1-t0") / "scenario.json").read_text())
    assert fl["duration_ps"] == scenario["duration_ps"]
    assert fl["rounds"]["rounds"] is None  # the protocol runs on through the window
    assert fl["rounds"]["training"]["rounds"] == ROUNDS  # and trains its first 5 rounds
    assert (
        f"measured over the same window ({window:g} s of simulated time)"
        in (folder["out"] / "report.md").read_text()
    )
