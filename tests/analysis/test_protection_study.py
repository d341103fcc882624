# SPDX-License-Identifier: MIT
"""The price of protection in the report and in `fogcosim compare`, on a real tiny sweep.

One sweep of a copy of the shipped paper-sec21-protection profile (4 FNs, 2
seeds, 5 rounds of 50 ms, methods none and fl, its two variants: FIFO and
synthesised gates). The report's protection table must have one row per
mechanism x method x FN count, numbers computed here from the runs' own
flows.csv and rounds.csv, the per-seed misses and the plot; `fogcosim compare`
must label studies that differ in scheduling by mechanism and give the same
table across them. The reshape step is checked on hand-made frames.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.report.compare import write_compare
from analysis.report.format import num
from analysis.study.data import mechanism
from analysis.study.protection import Group, protection_points, protection_table
from fogcosim.cli import main
from simulation.profile.build import PROFILE_DIR

PNG = b"\x89PNG\r\n\x1a\n"
#: Student t quantile t(0.975, 1) and t(0.975, 2), from a table (not from scipy).
T_975 = {1: 12.7062047, 2: 4.30265273}


def fast_profile(tmp: Path) -> Path:
    """paper-sec21-protection at 4 FNs, 2 seeds, 5 rounds of 50 ms and a reachable target."""
    text = (PROFILE_DIR / "paper-sec21-protection.toml").read_text()
    swaps = {
        'name = "paper-sec21-protection"': 'name = "fast-protection"',
        r"fog_nodes = \[18\]": "fog_nodes = [4]",
        r'methods = \["none", "fl", "fcddt"\]': 'methods = ["none", "fl"]',
        r"seeds = 10 ": "seeds = 2 ",
        'batch_period = "1000ms"': 'batch_period = "50ms"\ntrain_rounds = 5',
        r"target_accuracy = [0-9.]+": "target_accuracy = 0.3",
        r"lr = [0-9.]+": "lr = 0.1",
    }
    for old, new in swaps.items():
        text, n = re.subn(old, new, text)
        assert n == 1, old
    path = tmp / "fast-protection.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("protection")
    out = tmp / "study"
    args = ["sweep", "--profile", str(fast_profile(tmp)), "--backend", "embedded"]
    assert main([*args, "--workers", "1", "--out", str(out)]) == 0
    return out


def section(text: str) -> str:
    assert "## The price of protection" in text
    return text.split("## The price of protection", 1)[1].split("\n## ", 1)[0]


def rows_of(text: str) -> list[list[str]]:
    """The cells of the protection table's rows."""
    lines = [x for x in text.splitlines() if x.startswith("| ") and "---" not in x]
    return [[c.strip() for c in x.strip("|").split("|")] for x in lines[1:]]


def critical_misses(run: Path) -> int:
    flows = pd.read_csv(run / "flows.csv")
    return int(flows.loc[flows["class"] == "critical", "deadline_misses"].sum())


def round_ms(run: Path) -> float:
    rounds = pd.read_csv(run / "rounds.csv").groupby("round")
    done = rounds["round_done_s"].first().to_numpy()
    start = rounds["round_start_s"].min().to_numpy()
    return float(np.mean(done - start)) * 1e3


def test_the_report_has_one_row_per_mechanism_method_and_fn_count(study):
    text = section((study / "report.md").read_text())
    rows = rows_of(text)
    assert [r[:3] for r in rows] == [
        ["FIFO", "no ML", "4"], ["gates (greedy)", "no ML", "4"],
        ["FIFO", "FL", "4"], ["gates (greedy)", "FL", "4"],
    ]  # fmt: skip
    assert "**fifo** (FIFO)" in text and "**gates** (802.1Qbv time-aware gates" in text
    assert "paired t-test" in text
    plot = study / "plots" / "price_of_protection.png"
    assert plot.read_bytes().startswith(PNG)
    assert "![The price of protection" in text and "95% confidence interval" in text


def test_the_table_numbers_come_from_the_runs(study):
    rows = {(r[0], r[1]): r for r in rows_of(section((study / "report.md").read_text()))}
    runs = study / "runs"
    misses = {v: [critical_misses(runs / f"{v}-n4-fl-s{s}") for s in (0, 1)] for v in
              ("fifo", "gates")}  # fmt: skip
    times = {v: [round_ms(runs / f"{v}-n4-fl-s{s}") for s in (0, 1)] for v in ("fifo", "gates")}
    fifo, gates = rows[("FIFO", "FL")], rows[("gates (greedy)", "FL")]
    assert fifo[3].startswith(num(np.mean(misses["fifo"])))
    assert fifo[4] == f"{sum(m > 0 for m in misses['fifo'])} of 2"
    assert gates[3].startswith("0.0") and gates[4] == "0 of 2"  # the schedule keeps them all
    assert gates[6].startswith(num(np.mean(times["gates"]), 2))
    diffs = np.subtract(times["gates"], times["fifo"])
    half = T_975[1] * float(np.std(diffs, ddof=1)) / math.sqrt(2)
    mean = float(np.mean(diffs))
    assert gates[7].startswith(
        f"{num(mean, 3, signed=True)} [{num(mean - half, 3, signed=True)}, "
        f"{num(mean + half, 3, signed=True)}]"
    ), gates[7]
    assert fifo[7] == "—"


def test_the_report_lists_the_misses_per_seed_and_what_protection_costs(study):
    text = section((study / "report.md").read_text())
    runs = study / "runs"
    fifo = ", ".join(str(critical_misses(runs / f"fifo-n4-fl-s{s}")) for s in (0, 1))
    assert "**Critical deadline misses per run at 4 FNs**, by network seed (0, 1)" in text
    assert f"FL: fifo {fifo} (" in text and "gates 0, 0 (none missed)" in text
    assert "**What protection costs the rounds** at 4 FNs" in text
    line = next(x for x in text.splitlines() if x.startswith("- **gates**"))
    assert "missed no critical deadline in any run" in line and "the round time goes from" in line


def test_compare_labels_studies_by_mechanism_and_tabulates_the_price(study, tmp_path):
    other = tmp_path / "gates-only"
    shutil.copytree(study, other)
    summary = pd.read_csv(other / "summary.csv")
    summary[summary["variant"] == "gates"].to_csv(other / "summary.csv", index=False)
    out = tmp_path / "cmp"
    write_compare([study, other], out)
    text = (out / "compare.md").read_text()
    part = section(text)
    labels = [r[0] for r in rows_of(part)]
    assert labels[:3] == [
        "FIFO [fast-protection/fifo]",
        "gates (greedy) [fast-protection/gates (study)]",
        "gates (greedy) [fast-protection/gates (gates-only)]",
    ]
    assert len(labels) == 6  # 3 studies x (no ML, FL) at 4 FNs
    assert "Welch's t-test" in part  # the two folders' runs are not paired
    assert "tsn (802.1Qbv time-aware gates (synthesised, greedy)), unbounded queues" in text
    assert (out / "plots" / "compare_price_of_protection.png").read_bytes().startswith(PNG)


def _group(name: str, mech: str, rounds: list[float], misses: list[int]) -> Group:
    rows = pd.DataFrame(
        {
            "method": "fl", "fog_nodes": 4, "seed": range(len(rounds)),
            "train_seed": range(len(rounds)), "mean_round_s": rounds,
            "critical_deadline_misses": misses, "critical_delay_max_us": [100.0] * len(rounds),
            "time_to_target_s": [1.0 + r for r in rounds], "rounds_done": 5,
        }
    )  # fmt: skip
    return Group(name, mech, mech, rows)


def test_protection_table_pairs_seeds_and_counts_runs_with_misses():
    fifo = _group("fifo", "FIFO", [0.010, 0.012, 0.011], [3, 0, 5])
    gates = _group("gates", "gates", [0.0102, 0.0123, 0.0111], [0, 0, 0])
    table = protection_table([fifo, gates], fifo, paired=True).set_index("group")
    assert table.loc["fifo", "misses_runs"] == 2 and table.loc["gates", "misses_runs"] == 0
    assert math.isnan(table.loc["fifo"].get("d_round_mean", math.nan))
    diffs = np.array([0.0002, 0.0003, 0.0001])
    half = T_975[2] * diffs.std(ddof=1) / math.sqrt(3)
    row = table.loc["gates"]
    assert row["d_round_paired"] and row["d_round_n"] == 3
    assert row["d_round_mean"] == pytest.approx(diffs.mean())
    assert (row["d_round_low"], row["d_round_high"]) == pytest.approx(
        (diffs.mean() - half, diffs.mean() + half), rel=1e-6
    )
    welch = protection_table([fifo, gates], fifo, paired=False).set_index("group")
    assert not welch.loc["gates", "d_round_paired"]
    assert welch.loc["gates", "d_round_p"] > row["d_round_p"]  # seeds' spread not removed
    points = protection_points(table.reset_index(), 4)
    assert list(points["x"]) == pytest.approx([11.0, 11.2])  # round time in ms
    assert list(points["y"]) == [100.0, 100.0]


@pytest.mark.parametrize(
    ("scenario", "long", "short"),
    [
        ({"scheduling": "fifo"}, "FIFO", "FIFO"),
        ({"scheduling": "strict-priority"}, "strict priority by class", "strict priority"),
        ({"scheduling": "tsn", "tsn": {"gates": [], "shapers": []}},
         "802.1Q strict priority by PCP", "802.1Q priority"),
        ({"scheduling": "tsn", "tsn": {"gates": [{}], "synthesis": "optimal"}},
         "802.1Qbv time-aware gates (synthesised, optimal)", "gates (optimal)"),
        ({"scheduling": "tsn", "tsn": {"gates": [{}], "shapers": [{}]}},
         "802.1Qbv time-aware gates (given) + 802.1Qav credit-based shaping", "gates + CBS"),
        ({"scheduling": "tsn", "tsn": {"express": [6]}}, "802.1Qbu/802.3br frame preemption",
         "preemption"),
    ],
)  # fmt: skip
def test_mechanism_names_what_a_scenario_ran(scenario, long, short):
    assert mechanism(scenario) == long and mechanism(scenario, short=True) == short
