# SPDX-License-Identifier: MIT
"""The sweep report: reshape steps on hand-made frames, write_report on a sweep folder, the CLI."""

from __future__ import annotations

import fcntl
import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis.report import protection as report_protection
from analysis.report import rounds_plots as report_rounds_plots
from analysis.report import variants as report_variants
from analysis.report.format import md_table, num, pm
from analysis.report.sweep import PLOT_NAMES, load_sweep, write_report
from analysis.study import reshape
from fogcosim.cli import main
from fogcosim.errors import UserError
from simulation.sweep.folderlock import LOCK_NAME

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sweep-sample"
PNG = b"\x89PNG\r\n\x1a\n"
STAND_IN = "measured mnist/mlp B=100 float32 (stand-in (scikit-learn digits, resized))"


def row(method: str = "fl", fog_nodes: int = 4, seed: int = 0, **values: Any) -> dict[str, Any]:
    """One summary.csv row with every column the report reads; `values` override."""
    base: dict[str, Any] = {
        "profile": "p",
        "backend": "embedded",
        "method": method,
        "fog_nodes": fog_nodes,
        "seed": seed,
        "ml_upload_bytes": 0 if method == "none" else 1000,
        "ml_download_bytes": 0 if method == "none" else 500,
        "ml_payload_source": "none" if method == "none" else STAND_IN,
        "bandwidth_mean": 0.01,
        "bandwidth_max": 0.1,
        "bandwidth_max_link": "cloud->sw0",
        "percentiles_from": "vectors",
        "critical_delay_mean_us": 40.0,
        "critical_delay_max_us": 90.0,
        "critical_delay_p50_us": 35.0,
        "critical_delay_p99_us": 80.0,
        "all_delay_mean_us": 60.0,
        "critical_sent": 10,
        "critical_delivered": 10,
        "ml_sent": 4,
        "ml_delivered": 4,
    }
    return base | values


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


# ---------------------------------------------------------------- the paper's numbers


def test_paper_table4_matches_the_papers_own_text() -> None:
    """Section 4.4: FCDDT averages 59 us, 8 and 18 us less than FL and CC; +4 us over 55 us."""
    means = reshape.paper_table4().groupby("method")["paper_delay_us"].mean()
    assert round(means["fcddt"]) == 59
    assert abs(means["fl"] - means["fcddt"] - 8) <= 0.51  # 7.5, "8 us less"
    assert abs(means["cc"] - means["fcddt"] - 18) <= 0.51
    deltas = reshape.paper_deltas().set_index("method")
    assert round(deltas.loc["fcddt", "paper_delta_delay_us"]) == 4
    assert reshape.PAPER_TABLE4["cc"][18] == (96, 31)
    assert sorted(reshape.PAPER_TABLE4["fl"]) == [4, 7, 10, 12, 15, 18]


# ---------------------------------------------------------------- seed statistics


@pytest.mark.parametrize(
    ("values", "mean", "std", "low", "high", "n"),
    [
        ([10.0], 10.0, math.nan, 10.0, 10.0, 1),
        ([10.0, 14.0], 12.0, math.sqrt(8.0), 10.0, 14.0, 2),
        ([1.0, 2.0, 3.0], 2.0, 1.0, 1.0, 3.0, 3),
        ([5.0, math.nan], 5.0, math.nan, 5.0, 5.0, 1),  # a NaN seed is left out
    ],
)
def test_seed_stats(
    values: list[float], mean: float, std: float, low: float, high: float, n: int
) -> None:
    rows = frame(*(row(seed=i, critical_delay_mean_us=v) for i, v in enumerate(values)))
    got = reshape.seed_stats(rows, ["critical_delay_mean_us"]).iloc[0]
    assert (got["method"], got["fog_nodes"], got["metric"]) == ("fl", 4, "critical_delay_mean_us")
    assert got["mean"] == pytest.approx(mean)
    assert (math.isnan(got["std"]) and math.isnan(std)) or got["std"] == pytest.approx(std)
    assert (got["min"], got["max"], got["n"]) == (low, high, n)


def test_seed_stats_orders_methods_and_gives_nan_for_an_absent_column() -> None:
    rows = frame(row("fcddt", 10), row("none", 10), row("cc", 4), row("none", 4))
    got = reshape.seed_stats(rows, ["no_such_column"])
    assert list(zip(got["method"], got["fog_nodes"], strict=True)) == [
        ("none", 4), ("none", 10), ("cc", 4), ("fcddt", 10),
    ]  # fmt: skip
    assert got["mean"].isna().all()
    assert (got["n"] == 0).all()


@pytest.mark.parametrize(
    ("values", "spread", "half"),
    [
        ([50.0], "none", 0.0),
        # sd 21.21, n 2: 12.706 * 21.21 / sqrt(2) = 190.6 (a t interval with 1 dof is wide)
        ([40.0, 70.0], "ci95", 190.59),
        # sd 26.46, n 3: 4.303 * 26.46 / sqrt(3) = 65.73
        ([40.0, 50.0, 90.0], "ci95", 65.73),
    ],
)
def test_series_vs_nodes_error_bars_are_95_percent_intervals(
    values: list[float], spread: str, half: float
) -> None:
    rows = frame(*(row(seed=i, bandwidth_mean=v / 100) for i, v in enumerate(values)))
    got = reshape.series_vs_nodes(rows, "bandwidth_mean", scale=100.0).iloc[0]
    assert got["mean"] == pytest.approx(np.mean(values))
    assert got["spread"] == spread
    assert got["err_low"] == pytest.approx(half, abs=0.01)
    assert got["err_high"] == pytest.approx(half, abs=0.01)


def test_series_vs_nodes_mixed_cells_keep_their_own_bars() -> None:
    rows = frame(row(seed=0, fog_nodes=4), row(seed=0, fog_nodes=10), row(seed=1, fog_nodes=10))
    got = reshape.series_vs_nodes(rows, "critical_delay_mean_us")
    assert list(got["spread"]) == ["none", "ci95"]
    assert reshape.spread_caption([got]) == (
        "the 95% confidence interval of the mean (Student t, n − 1 degrees of freedom) over 2 "
        "seeds; none where a cell has 1 seed"
    )


# ---------------------------------------------------------------- tables


def test_table4_puts_ours_beside_every_paper_value() -> None:
    rows = frame(
        row("fcddt", 4, 0, critical_delay_mean_us=40.0, bandwidth_mean=0.005),
        row("fcddt", 4, 1, critical_delay_mean_us=50.0, bandwidth_mean=0.007),
        row("fl", 5, 0),  # a fog-node count the paper has no value for
        row("none", 4, 0),  # the baseline is not a Table 4 row
    )
    t4 = reshape.table4(rows).set_index(["method", "fog_nodes"])
    assert len(t4) == 3 * 6 + 1  # CC absent from the sweep: its paper values still show
    fcddt4 = t4.loc[("fcddt", 4)]
    assert (fcddt4["paper_delay_us"], fcddt4["paper_bandwidth_pct"]) == (49, 18)
    assert fcddt4["critical_mean"] == pytest.approx(45.0)
    assert fcddt4["critical_std"] == pytest.approx(math.sqrt(50.0))
    assert fcddt4["bandwidth_mean"] == pytest.approx(0.6)  # percent
    assert fcddt4["critical_n"] == 2
    assert t4.loc[("cc", 18), "critical_n"] == 0
    assert math.isnan(t4.loc[("cc", 18), "critical_mean"])
    assert math.isnan(t4.loc[("fl", 5), "paper_delay_us"])
    assert list(reshape.table4(rows)["method"].unique()) == ["fcddt", "fl", "cc"]


def test_baseline_rows_and_missing_baseline() -> None:
    rows = frame(row("none", 10, bandwidth_mean=0.0004), row("none", 4), row("cc", 4))
    base = reshape.baseline(rows)
    assert list(base["fog_nodes"]) == [4, 10]
    assert base["bandwidth_mean"].iloc[1] == pytest.approx(0.04)
    assert reshape.baseline(frame(row("cc", 4))).empty


def test_deltas_mean_over_seeds_in_percentage_points() -> None:
    rows = frame(
        row("none", 4, 0, delta_bandwidth_mean=0.0, delta_critical_delay_mean_us=0.0),
        row("fl", 4, 0, delta_bandwidth_mean=0.002, delta_critical_delay_mean_us=4.0),
        row("fl", 4, 1, delta_bandwidth_mean=0.004, delta_critical_delay_mean_us=6.0),
    )
    got = reshape.deltas(rows)
    assert list(got["method"]) == ["fl"]
    assert got["bandwidth_mean"].iloc[0] == pytest.approx(0.3)
    assert got["critical_delay_mean_us"].iloc[0] == pytest.approx(5.0)
    assert got["n"].iloc[0] == 2
    assert math.isnan(got["all_delay_mean_us"].iloc[0])  # column absent from the summary


def test_deltas_without_baseline_are_nan() -> None:
    got = reshape.deltas(frame(row("fl", 4), row("cc", 4)))  # no delta_* columns at all
    assert len(got) == 2
    assert got["critical_delay_mean_us"].isna().all()
    assert (got["n"] == 0).all()


def test_ml_payloads_one_row_per_distinct_size() -> None:
    rows = frame(
        row("none", 4),
        row("fcddt", 4, ml_upload_bytes=10, ml_download_bytes=5),
        row("fcddt", 10, ml_upload_bytes=10, ml_download_bytes=5),
        row("cc", 4, ml_upload_bytes=7, ml_download_bytes=0),
        row("cc", 10, ml_upload_bytes=8, ml_download_bytes=0),
    )
    got = reshape.ml_payloads(rows)
    assert got[["method", "total_bytes", "fog_nodes"]].values.tolist() == [
        ["cc", 7, "4"], ["cc", 8, "10"], ["fcddt", 15, "4, 10"],
    ]  # fmt: skip
    assert set(got["source"]) == {STAND_IN}
    assert reshape.ml_payloads(frame(row("none", 4))).empty


def test_critical_percentiles_only_from_runs_with_vectors() -> None:
    rows = frame(
        row("fl", 4, 0, critical_delay_p50_us=30.0, critical_delay_p99_us=70.0, critical_delay_max_us=90.0),
        row("fl", 4, 1, critical_delay_p50_us=40.0, critical_delay_p99_us=90.0, critical_delay_max_us=95.0),
        row("fl", 4, 2, percentiles_from="unavailable (no delay vectors)",
            critical_delay_p50_us=math.nan, critical_delay_p99_us=math.nan, critical_delay_max_us=300.0),
        row("cc", 4, 0, percentiles_from="unavailable (no delay vectors)", critical_delay_p50_us=math.nan),
    )  # fmt: skip
    got = reshape.critical_percentiles(rows).set_index("method")
    assert got.loc["fl", "p50_us"] == pytest.approx(35.0)
    assert got.loc["fl", "p99_us"] == pytest.approx(80.0)
    assert got.loc["fl", "max_us"] == 300.0  # the worst seed, vectors or not
    assert (got.loc["fl", "seeds"], got.loc["fl", "with_vectors"]) == (3, 2)
    assert math.isnan(got.loc["cc", "p50_us"])
    assert got.loc["cc", "with_vectors"] == 0


def test_link_ranking_keeps_the_busiest_links_mean_over_seeds() -> None:
    links = pd.DataFrame(
        [
            ("fl", 0, "cloud->sw0", 0.10), ("fl", 1, "cloud->sw0", 0.20),
            ("fl", 0, "sw0->fog0", 0.01), ("fl", 1, "sw0->fog0", 0.03),
            ("fl", 0, "fog0->sw0", 0.001), ("fl", 1, "fog0->sw0", 0.001),
            ("none", 0, "sw0->fog0", 0.05), ("none", 0, "cloud->sw0", 0.0),
            ("none", 0, "fog0->sw0", 0.0),
        ],
        columns=["method", "seed", "link", "busy"],
    )  # fmt: skip
    got = reshape.link_ranking(links, top=2)
    assert got[["method", "link", "rank"]].values.tolist() == [
        ["none", "cloud->sw0", 0], ["fl", "cloud->sw0", 0],
        ["none", "sw0->fog0", 1], ["fl", "sw0->fog0", 1],
    ]  # fmt: skip
    assert got["busy_pct"].iloc[1] == pytest.approx(15.0)  # fl: (10% + 20%) / 2
    assert reshape.link_ranking(links.iloc[0:0]).empty


def test_ecdf_per_class_and_method() -> None:
    samples = pd.DataFrame(
        {
            "method": ["fl", "fl", "fl", "fl", "cc"],
            "class": ["critical", "critical", "critical", "ml", "critical"],
            "delay": [3e-5, 1e-5, 2e-5, 4e-3, 5e-5],
        }
    )
    got = reshape.ecdf(samples)
    fl = got[(got["class"] == "critical") & (got["method"] == "fl")]
    assert fl["delay_us"].tolist() == pytest.approx([10.0, 20.0, 30.0])
    assert fl["fraction"].tolist() == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert len(got) == 5
    assert reshape.ecdf(samples.iloc[0:0]).empty


@pytest.mark.parametrize(
    ("values", "text"),
    [
        ({"fcddt": [1.0, 1.1, 0.9], "fl": [2.0, 2.1, 1.9], "cc": [3.0, 3.1, 2.9]},
         "FCDDT < FL < CC"),
        # FL minus FCDDT per seed: +0.6, -0.9, +0.6 (paired t-test: not significant)
        ({"fcddt": [3.0, 3.5, 2.5], "fl": [3.6, 2.6, 3.1], "cc": [1.0, 1.1, 0.9]},
         "CC < FCDDT ≈ FL"),
        # the same values as FCDDT plus 0.1 in every seed: a consistent paired difference
        ({"fcddt": [3.0, 3.5, 2.5], "fl": [3.1, 3.6, 2.6]}, "FCDDT < FL"),
        ({"fcddt": [math.nan], "cc": [1.0, 2.0]}, "CC"),
        ({"fl": [1.0], "cc": [2.0]}, "FL ? CC"),
    ],
)  # fmt: skip
def test_method_orders_are_tested(values: dict[str, list[float]], text: str) -> None:
    rows = frame(*(row(m, 4, s, x=v) for m, vs in values.items() for s, v in enumerate(vs)))
    assert reshape.method_orders(rows, "x")[4].text() == text
    assert reshape.method_orders(rows.iloc[0:0], "x") == {}


@pytest.mark.parametrize(
    ("args", "text"),
    [((1.25, 1), "1.2"), ((-7e-15, 1, True), "+0.0"), ((math.nan,), "—"), ((3.0, 0), "3")],
)
def test_num(args: tuple[Any, ...], text: str) -> None:
    assert num(*args) == text


def test_pm_and_md_table() -> None:
    assert pm(10.0, 2.0, 2) == "10.0 ± 2.0 [-8.0, 28.0]"
    assert pm(10.0, math.nan, 1) == "10.0"
    assert pm(math.nan, math.nan, 0) == "—"
    assert md_table(["a", "b", "c"], [["1", "2", "3"]], right=1, left_last=1) == [
        "| a | b | c |", "| --- | ---: | --- |", "| 1 | 2 | 3 |", "",
    ]  # fmt: skip


# ---------------------------------------------------------------- write_report


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the real two-run sweep (4 FNs, none and cc, OMNeT++ 6.1 + INET 4.5.4)."""
    out = tmp_path_factory.mktemp("sweep") / "sweep-sample"
    shutil.copytree(SAMPLE, out)
    (out / "plots").mkdir()
    (out / "plots" / "link_utilization-old-embedded.png").write_bytes(PNG)  # stale, to be removed
    return write_report(out)


def test_report_has_table4_with_paper_values(sample_report: Path) -> None:
    text = sample_report.read_text()
    assert sample_report.name == "report.md"
    assert "## Table 4: delay and bandwidth beside the paper" in text
    for line in (
        "| FCDDT | 4 | 49 | — | — | 18 |",
        "| FL | 18 | 84 | — | — | 29 |",
        "| CC | 18 | 96 |",
    ):
        assert line in text
    assert "| CC | 4 | 57 | 35.6 | 65.3 | 22 | 0.088 | 0.301 | 1 |" in text
    assert "Paper: 20% bandwidth and 55 µs" in text
    assert "| 4 | 35.6 | 35.6 | 0.0353 | 0.0458 | 1 |" in text  # the baseline row
    assert "**critical** = mean delay of critical messages" in text
    assert "not comparable in absolute terms" in text


def test_report_header_sections_and_provenance(sample_report: Path) -> None:
    text = sample_report.read_text()
    assert text.startswith("# fogcosim sweep report: paper-sec21")
    assert "- Git revision: `57fc69d+dirty`" in text
    assert "omnetpp" in text
    assert "fogcosim sweep --profile paper-sec21 --fog-nodes 4 --methods none,cc --seeds 1" in text
    assert text.count("offline stand-in data set") >= 3  # header, Table 4, payloads
    assert "| CC | 78,644 | 0 | 78,644 | 4 |" in text
    for heading in (
        "Deltas against the no-ML baseline",
        "Critical delay percentiles",
        "Failed runs",
    ):
        assert f"## {heading}" in text
    assert "| CC | 4 | +0.0 | +29.7 | +0.053 | +0.255 | +0.0 | 1 |" in text
    assert "None: every run finished." in text
    assert "Every message sent was delivered" in text


def test_report_plots_are_pngs(sample_report: Path) -> None:
    plots = sample_report.parent / "plots"
    # the sample predates flows.csv: every plot but the per-flow deadline plot, its ML
    # traffic is periodic: no training plots, and it has no variants: no protection plot
    # and no batch-size or straggler-rate figure
    assert sorted(p.stem for p in plots.glob("*.png")) == sorted(
        set(PLOT_NAMES)
        - {
            "flow_deadlines",
            *report_rounds_plots.PLOT_NAMES,
            report_protection.PLOT_NAME,
            *report_variants.PLOT_NAMES,
        }
    )
    for path in plots.glob("*.png"):
        assert path.read_bytes().startswith(PNG)
        assert path.stat().st_size > 10_000
        assert f"(plots/{path.name})" in sample_report.read_text()
    assert "Link utilization at 4 FNs (all 10 link directions" in sample_report.read_text()


PAPER_TEXT = '[profile]\nname = "paper-sec21"\nreference = "sec21-table4"\n'


def write_sweep(
    out: Path,
    rows: list[dict[str, Any]],
    statuses: list[dict[str, Any]] | None,
    profile_text: str | None = None,
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out / "summary.csv", index=False)
    if statuses is not None:
        (out / "statuses.json").write_text(json.dumps(statuses))
    if profile_text is not None:
        (out / "provenance.json").write_text(json.dumps({"profile_text": profile_text}))
    return out


def test_report_without_run_folders_vectors_or_provenance(tmp_path: Path) -> None:
    no_vectors = {
        "percentiles_from": "unavailable (no delay vectors)",
        "critical_delay_p50_us": math.nan,
    }
    rows = [
        row(m, n, s, **no_vectors) for m in ("none", "fcddt") for n in (4, 7) for s in (0, 1, 2)
    ]
    rows[-1]["ml_delivered"] = 3
    statuses = [
        {"key": "n7-fl-s0", "status": "failed", "seconds": 1.0, "error": "RuntimeError: boom\nmore"}
    ]
    text = write_report(write_sweep(tmp_path, rows, statuses)).read_text()
    assert "provenance.json is missing or unreadable" in text
    assert "p50 and p99 are unavailable: no run recorded delay vectors" in text
    assert "| n7-fl-s0 | RuntimeError: boom more |" in text
    assert "| n7-fcddt-s2 | ml | 4 | 3 |" in text
    assert "no run folders with results found" in text
    assert (
        "95% confidence interval of the mean (Student t, n − 1 degrees of freedom) over 3" in text
    )
    assert "--no-vectors" in text
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "bandwidth_vs_fog_nodes.png", "delay_vs_fog_nodes.png",
    ]  # fmt: skip


def test_report_with_one_seed_and_no_baseline(tmp_path: Path) -> None:
    rows = [row("cc", 4), row("fl", 4)]
    text = write_report(write_sweep(tmp_path, rows, None, PAPER_TEXT)).read_text()
    assert "No baseline runs (method `none`) in this sweep." in text
    assert "Unavailable: this sweep has no baseline runs" in text
    assert "statuses.json not found" in text
    assert "| FL | 4 | 52 | 40.0 | 60.0 | 21 | 1 | 10 | 1 |" in text


def test_report_of_an_empty_summary(tmp_path: Path) -> None:
    (tmp_path / "summary.csv").write_text("profile,backend,method,fog_nodes,seed\n")
    statuses = [{"key": "n4-fl-s0", "status": "failed", "error": "ScenarioError: bad"}]
    (tmp_path / "statuses.json").write_text(json.dumps(statuses))
    text = write_report(tmp_path).read_text()
    assert "No completed runs" in text
    assert "| n4-fl-s0 | ScenarioError: bad |" in text


def test_summary_missing_columns_is_a_user_error(tmp_path: Path) -> None:
    pd.DataFrame([{"method": "fl", "fog_nodes": 4}]).to_csv(tmp_path / "summary.csv", index=False)
    with pytest.raises(UserError, match="missing columns seed, critical_delay_mean_us"):
        load_sweep(tmp_path)


# ---------------------------------------------------------------- CLI


@pytest.mark.parametrize("make", [False, True])
def test_cli_error_without_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: bool
) -> None:
    target = tmp_path / "sweep"
    if make:
        target.mkdir()
    assert main(["report", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"fogcosim report: error: {target}: ")
    assert ("no summary.csv in this folder" if make else "no such folder") in err
    assert "expected the output folder of `fogcosim sweep`" in err


def test_cli_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = write_sweep(tmp_path / "s", [row("none", 4), row("fl", 4)], [])
    assert main(["report", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out / 'report.md'}\n"
    assert (out / "plots" / "delay_vs_fog_nodes.png").read_bytes().startswith(PNG)


def test_cli_report_waits_for_no_sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder a sweep holds is refused in one line, and its report is left as it was."""
    out = write_sweep(tmp_path / "s", [row("none", 4), row("fl", 4)], [])
    with (out / LOCK_NAME).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running sweep holds it
        assert main(["report", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is in use by another sweep" in err
    assert not (out / "report.md").exists()
    assert main(["report", str(out)]) == 0  # free again


def test_report_one_section_per_backend(tmp_path: Path) -> None:
    rows = [row("fl", 4, backend="embedded"), row("fl", 4, backend="omnetpp")]
    text = write_report(write_sweep(tmp_path, rows, [])).read_text()
    assert "# p on embedded" in text
    assert "# p on omnetpp" in text
    assert (tmp_path / "plots" / "delay_vs_fog_nodes-p-omnetpp.png").is_file()
    assert "(plots/delay_vs_fog_nodes-p-embedded.png)" in text
