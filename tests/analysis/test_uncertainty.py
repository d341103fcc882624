# SPDX-License-Identifier: MIT
"""Means with their uncertainty: the interval arithmetic, the test, and the sentences they back.

The expected numbers are computed by hand from printed Student t tables
(t_0.975 with 1, 2 and 4 degrees of freedom: 12.706, 4.303, 2.776), not by
the code under test.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.report.compare import write_compare
from analysis.report.format import pm
from analysis.report.sweep import write_report
from analysis.study import reshape, uncertainty
from tests.analysis.test_report import frame, row, write_sweep


@pytest.mark.parametrize(
    ("values", "mean", "std", "low", "high"),
    [
        # n = 3: sd 1, half width 4.303 * 1 / sqrt(3) = 2.484
        ([1.0, 2.0, 3.0], 2.0, 1.0, 2.0 - 2.4842, 2.0 + 2.4842),
        # n = 2: sd sqrt(8) = 2.828, half width 12.706 * 2.828 / sqrt(2) = 25.41
        ([10.0, 14.0], 12.0, 2.8284, 12.0 - 25.412, 12.0 + 25.412),
        # n = 5: sd sqrt(2.5) = 1.5811, half width 2.776 * 1.5811 / sqrt(5) = 1.9634
        ([4.0, 5.0, 6.0, 7.0, 8.0], 6.0, 1.5811, 6.0 - 1.9634, 6.0 + 1.9634),
        # NaN left out; one value: no interval
        ([7.0, math.nan], 7.0, math.nan, math.nan, math.nan),
    ],
)
def test_estimate_is_the_student_t_interval(
    values: list[float], mean: float, std: float, low: float, high: float
) -> None:
    e = uncertainty.estimate(values)
    assert e.mean == pytest.approx(mean)
    assert e.n == len([v for v in values if not math.isnan(v)])
    for got, want in ((e.std, std), (e.low, low), (e.high, high)):
        assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, abs=2e-3)


def test_welch_separated_and_overlapping_groups() -> None:
    # means 2 and 11, variances 1 and 1, n 3 each: t = 9 / sqrt(2/3) = 11.02 on 4 dof, p < 0.001
    assert uncertainty.welch_p([1, 2, 3], [10, 11, 12]) < 0.001
    assert uncertainty.differ([1, 2, 3], [10, 11, 12]) is True
    # means 2 and 3: t = 1 / sqrt(2/3) = 1.22 on 4 dof, p = 0.29
    assert uncertainty.welch_p([1, 2, 3], [2, 3, 4]) == pytest.approx(0.288, abs=1e-3)
    assert uncertainty.differ([1, 2, 3], [2, 3, 4]) is False
    assert uncertainty.differ([1.0], [2.0, 3.0]) is None  # one seed: not testable
    # no spread at all: equal values do not differ, unequal ones do
    assert uncertainty.differ([5, 5], [5, 5]) is False
    assert uncertainty.differ([5, 5], [6, 6]) is True


def test_paired_differences_by_hand() -> None:
    # differences 1, 2, 3: mean 2, sd 1, t = 2 / (1 / sqrt 3) = 3.464 on 2 dof;
    # two-sided p = 1 - t / sqrt(t^2 + 2) = 1 - 3.464 / 3.742 = 0.0742 (closed form for 2 dof)
    assert uncertainty.paired_p([1.0, 2.0, 3.0]) == pytest.approx(0.0742, abs=1e-4)
    # 4, 5, 6: t = 5 * sqrt 3 = 8.660; p = 1 - 8.660 / sqrt(77) = 0.0131
    assert uncertainty.paired_p([4.0, 5.0, 6.0]) == pytest.approx(0.0131, abs=1e-4)
    assert uncertainty.paired_p([2.0, 2.0]) == 0.0  # the same difference in every seed
    assert uncertainty.paired_p([0.0, 0.0]) == 1.0
    assert math.isnan(uncertainty.paired_p([1.0]))


def test_keyed_cells_are_compared_paired_on_their_common_seeds() -> None:
    a = {0: 400.0, 1: 500.0, 2: 600.0}
    b = {0: 450.0, 1: 551.0, 2: 649.0}  # +50, +51, +49: consistent though the spreads overlap
    step = uncertainty.compare(a, b)
    assert (step.significant, step.paired, step.n) == (True, True, 3)
    unpaired = uncertainty.compare(list(a.values()), list(b.values()))
    assert (unpaired.significant, unpaired.paired) == (False, False)  # Welch: p = 0.57
    # no common seeds: Welch on all values
    assert uncertainty.compare({0: 1.0, 1: 2.0}, {5: 1.5, 6: 2.5}).paired is False


def test_order_states_only_what_the_test_backs() -> None:
    got = uncertainty.order({"FL": [10, 11, 12], "CC": [1, 2, 3], "FCDDT": [10.5, 11.5, 12.5]})
    assert got.text() == "CC < FL ≈ FCDDT"
    assert got.steps == [True, False]
    assert not got.all_significant
    assert uncertainty.order({"A": [1.0], "B": [2.0]}).text() == "A ? B"
    assert uncertainty.order({}).text() == "n/a"


def test_paired_deltas_significant_only_when_the_interval_excludes_zero() -> None:
    assert uncertainty.excludes_zero([4.0, 5.0, 6.0]) is True  # [2.52, 7.48]
    assert uncertainty.excludes_zero([-1.0, 1.0, 2.0]) is False
    assert uncertainty.excludes_zero([3.0]) is None


def test_pm_cells_carry_the_interval() -> None:
    # mean 10, sd 2, n 2: half width 12.706 * 2 / sqrt(2) = 17.97
    assert pm(10.0, 2.0, 2) == "10.0 ± 2.0 [-8.0, 28.0]"
    # n 3: 4.303 * 2 / sqrt(3) = 4.97
    assert pm(10.0, 2.0, 3) == "10.0 ± 2.0 [5.0, 15.0]"
    assert pm(10.0, math.nan, 1) == "10.0"


def test_network_metrics_count_each_network_seed_once() -> None:
    """Runs that differ in training seed only share their network results: one value each."""
    rows = frame(
        *(row("fl", 4, 0, train_seed=t, critical_delay_mean_us=50.0, final_accuracy=a)
          for t, a in ((0, 0.7), (1, 0.8), (2, 0.9))),
    )  # fmt: skip
    stats = reshape.seed_stats(rows, ["critical_delay_mean_us", "final_accuracy"])
    by = stats.set_index("metric")
    assert by.loc["critical_delay_mean_us", "n"] == 1
    assert by.loc["final_accuracy", "n"] == 3
    assert by.loc["final_accuracy", "mean"] == pytest.approx(0.8)
    # sd 0.1, n 3: half width 4.303 * 0.1 / sqrt(3) = 0.2484
    assert by.loc["final_accuracy", "ci_high"] == pytest.approx(0.8 + 0.2484, abs=1e-4)


def _two_methods(fl: list[float], fcddt: list[float]) -> list[dict[str, Any]]:
    rows = [row("none", 18, s, critical_delay_mean_us=35.0) for s in range(len(fl))]
    rows += [row("fl", 18, s, critical_delay_mean_us=v) for s, v in enumerate(fl)]
    rows += [row("fcddt", 18, s, critical_delay_mean_us=v) for s, v in enumerate(fcddt)]
    return rows


def test_report_calls_overlapping_methods_not_significant(tmp_path: Path) -> None:
    # FCDDT minus FL per seed: +160, -80, -10 (paired t = 0.47 on 2 dof, p = 0.69)
    rows = _two_methods([400.0, 500.0, 600.0], [560.0, 420.0, 590.0])
    text = write_report(write_sweep(tmp_path, rows, [])).read_text()
    assert "critical delay no ML < FL ≈ FCDDT" in text
    assert "`≈`: the difference is not significant with 3 seeds" in text
    assert "FL < FCDDT" not in text


def test_report_states_a_consistent_paired_difference(tmp_path: Path) -> None:
    """Overlapping intervals, yet FCDDT is 50 µs above FL in every seed: the order is stated."""
    rows = _two_methods([400.0, 500.0, 600.0], [450.0, 551.0, 649.0])
    text = write_report(write_sweep(tmp_path, rows, [])).read_text()
    assert "critical delay no ML < FL < FCDDT" in text
    assert "paired t-test on the per-seed differences" in text


def test_report_states_the_order_of_separated_methods(tmp_path: Path) -> None:
    rows = _two_methods([400.0, 401.0, 402.0], [500.0, 501.0, 502.0])
    text = write_report(write_sweep(tmp_path, rows, [])).read_text()
    assert "critical delay no ML < FL < FCDDT" in text
    assert "at the 5% level; 3 seeds per method" in text
    line = text.split("**Method order**")[1].split("\n")[0]
    assert "bandwidth no ML ≈ FL ≈ FCDDT" in line  # equal values in every seed


def test_p99_claims_say_how_many_messages(tmp_path: Path) -> None:
    rows = [
        row("fl", 4, s, critical_delay_p99_us=p, critical_delivered=d)
        for s, (p, d) in enumerate(((70.0, 400), (80.0, 410), (90.0, 420)))
    ]
    got = reshape.critical_percentiles(pd.DataFrame(rows)).iloc[0]
    assert (got["messages"], got["messages_min"], got["messages_max"]) == (1230, 400, 420)
    # sd 10, n 3: half width 4.303 * 10 / sqrt(3) = 24.84
    assert got["p99_ci_low"] == pytest.approx(80.0 - 24.84, abs=0.01)
    text = write_report(write_sweep(tmp_path, rows, [])).read_text()
    assert "| FL | 4 | 35.0 | 80.0 ± 10.0 [55.2, 104.8] | 90.0 | 1,230 (400–420) | 3 of 3 |" in text


def test_compare_states_a_study_order_only_where_the_test_backs_it(tmp_path: Path) -> None:
    def study(name: str, values: list[float]) -> Path:
        rows = [
            row("fl", 4, s, profile=name, critical_delay_mean_us=v, all_delay_mean_us=60.0)
            for s, v in enumerate(values)
        ]
        return write_sweep(tmp_path / name, rows, [], f'[profile]\nname = "{name}"\n')

    fifo, prio, twin = (
        study("fifo", [80.0, 81.0, 82.0]),
        study("prio", [40.0, 41.0, 42.0]),
        study("twin", [79.0, 82.0, 85.0]),
    )
    text = write_compare([fifo, prio, twin], tmp_path / "cmp").read_text()
    critical = text.split("### Mean critical delay (µs)")[1].split("###")[0]
    assert "| FL | 4 | 81.0 ± 1.0 [78.5, 83.5] |" in critical
    assert "prio < fifo ≈ twin |" in critical
    assert "Welch's t-test at the 5% level; 3 seeds per study" in critical
    assert "`≈`: the difference is not significant with 3 seeds" in critical
    every = text.split("### Mean delay of all messages (µs)")[1].split("###")[0]
    assert "fifo ≈ prio ≈ twin" in every  # equal in every seed


def test_a_paired_difference_is_the_t_interval_of_the_per_seed_differences():
    # differences 0.5, 0.4, 0.7: mean 0.5333, sd 0.1528, half width 4.303 * 0.1528 / sqrt(3)
    d = uncertainty.difference({0: 1.0, 1: 2.0, 2: 3.0}, {0: 1.5, 1: 2.4, 2: 3.7})
    assert d.paired and d.n == 3 and d.mean == pytest.approx(0.53333, abs=1e-4)
    assert (d.low, d.high) == pytest.approx((0.53333 - 0.37949, 0.53333 + 0.37949), abs=1e-3)
    assert d.significant  # the interval excludes 0
    # no common seeds: Welch; equal values without spread: an exact difference
    same = uncertainty.difference({0: 1.0, 1: 1.0}, {0: 2.0, 1: 2.0})
    assert (same.mean, same.low, same.high, same.significant) == (1.0, 1.0, 1.0, True)


def test_an_unpaired_difference_is_welchs_interval():
    # a = 1, 2, 3 (var 1), b = 2, 3, 5 (var 7/3): se^2 = 1/3 + 7/9 = 10/9, Welch-Satterthwaite
    # df = (10/9)^2 / ((1/3)^2 / 2 + (7/9)^2 / 2) = 3.4483; t_0.975(3.4483) = 2.9607 (the t
    # quantile at that df; interpolating the printed 3.182 at 3 and 2.776 at 4 degrees of
    # freedom in 1/df gives 2.971)
    d = uncertainty.difference([1.0, 2.0, 3.0], [2.0, 3.0, 5.0])
    half = 2.9607 * math.sqrt(10 / 9)
    assert not d.paired and d.mean == pytest.approx(4 / 3)
    assert (d.low, d.high) == pytest.approx((4 / 3 - half, 4 / 3 + half), abs=2e-3)
    assert d.significant is False
    assert math.isnan(uncertainty.difference([1.0], [2.0]).p)
