# SPDX-License-Identifier: MIT
"""Reshape steps of the run folders' data (links, flows), the reference and the overload marks."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.report.sweep import delay_plot, write_report
from analysis.study import reshape
from analysis.study import runs as reshape_runs
from analysis.study.data import link_rates, rate_text, reference_of
from simulation.profile.build import PROFILE_DIR

from .test_report import row, write_sweep


def flow(method: str, seed: int, name: str, **values: Any) -> dict[str, Any]:
    """One flows.csv row (with the sweep keys); `values` override."""
    base: dict[str, Any] = {
        "method": method, "fog_nodes": 6, "seed": seed, "flow": name, "class": "critical",
        "src": "plc1", "dst": "fog4", "deadline_us": 300.0, "sent": 10, "delivered": 10,
        "dropped": 0, "in_flight": 0, "delay_mean_us": 40.0, "delay_p99_us": 50.0,
        "delay_max_us": 60.0, "deadline_misses": 0.0, "miss_ratio": 0.0, "lost": False,
    }  # fmt: skip
    return base | values


# ---------------------------------------------------------------- reference


@pytest.mark.parametrize(
    ("text", "name", "why"),
    [
        ('[profile]\nname = "x"\nreference = "sec21-table4"\n', "sec21-table4", "declared"),
        ('[profile]\nname = "paper-sec21"\nreference = "none"\n', "none", "declared"),
        ('[profile]\nname = "paper-sec21"\n', "sec21-table4", "predates"),  # older sweeps
        ('[profile]\nname = "plant"\n', "none", "declares none"),
        ('[profile]\nreference = "sec99"\n', "none", "unknown value 'sec99'"),
        ("not = [toml", "none", "not valid TOML"),
        (None, "none", "holds no profile text"),
    ],
)
def test_reference_of_the_recorded_profile(text: str | None, name: str, why: str) -> None:
    got = reference_of({} if text is None else {"profile_text": text})
    assert got.name == name
    assert why in got.why
    assert got.paper == (name == "sec21-table4")


def test_only_the_shipped_paper_profile_declares_the_paper() -> None:
    texts = {p.stem: p.read_text() for p in PROFILE_DIR.glob("*.toml")}
    declared = {name for name, text in texts.items() if "sec21-table4" in text}
    assert declared == {"paper-sec21"}
    assert reference_of({"profile_text": texts["paper-sec21"]}).why.startswith("declared")


def test_link_rates_by_node_kinds() -> None:
    scenario = {
        "nodes": [{"name": n, "kind": k} for n, k in
                  [("sw0", "switch"), ("cloud", "cloud"), ("fog0", "fog"), ("fog1", "fog")]],
        "links": [
            {"a": "sw0", "b": "cloud", "datarate_bps": 1e9},
            {"a": "fog0", "b": "sw0", "datarate_bps": 1e8},
            {"a": "sw0", "b": "fog1", "datarate_bps": 1e8},
        ],
    }  # fmt: skip
    assert link_rates(scenario) == [("cloud–switch", 1e9, 1), ("fog–switch", 1e8, 2)]
    assert [rate_text(x) for x in (1e9, 2.5e9, 1e8, 64e3, 10)] == [
        "1 Gbps", "2.5 Gbps", "100 Mbps", "64 kbps", "10 bps",
    ]  # fmt: skip


# ---------------------------------------------------------------- links


def links_frame() -> pd.DataFrame:
    rows = [
        # method, FNs, seed, link, busy, offered, carries ML
        ("fl", 4, 0, "cloud->sw0", 0.30, 0.31, True),
        ("fl", 4, 1, "cloud->sw0", 0.50, 0.31, True),
        ("fl", 8, 0, "cloud->sw0", 0.60, 0.62, True),
        ("fl", 4, 0, "sw0->hmi", 0.90, 1.20, False),
        ("fl", 4, 1, "sw0->hmi", 0.90, 1.20, False),
        ("none", 4, 0, "sw0->hmi", 0.10, 0.10, False),
        ("fl", 4, 0, "fog0->sw0", 0.01, 0.01, True),
        ("fl", 4, 1, "fog0->sw0", 0.01, 0.01, True),
    ]
    frame = pd.DataFrame(
        rows, columns=["method", "fog_nodes", "seed", "link", "busy", "offered", "carries_ml"]
    )
    return frame.assign(src="a", dst="b", datarate_bps=1e9)


def test_link_means_and_picks() -> None:
    links = links_frame()
    means = reshape_runs.link_means(links).set_index(["link", "method", "fog_nodes"])
    assert means.loc[("cloud->sw0", "fl", 4), "busy_pct"] == pytest.approx(40.0)
    assert means.loc[("cloud->sw0", "fl", 4), "n"] == 2
    assert means.loc[("sw0->hmi", "fl", 4), "offered_pct"] == pytest.approx(120.0)
    assert reshape_runs.busiest_ml_link(links) == ("cloud->sw0", 1e9)
    assert reshape_runs.pick_links(links, top=2) == [
        ("cloud->sw0", "busiest link direction carrying ML traffic"),
        ("sw0->hmi", "among the busiest link directions"),
    ]
    no_ml = links.assign(carries_ml=False)
    assert reshape_runs.busiest_ml_link(no_ml) is None
    assert reshape_runs.pick_links(no_ml, top=1) == [
        ("sw0->hmi", "among the busiest link directions")
    ]
    trends = reshape_runs.link_trends(links, ["sw0->hmi"])
    assert trends[["method", "fog_nodes"]].values.tolist() == [["none", 4], ["fl", 4]]
    assert reshape_runs.pick_links(links.iloc[0:0]) == []


# ---------------------------------------------------------------- flows


def test_flow_summary_combines_seeds() -> None:
    flows = pd.DataFrame(
        [
            flow("fl", 0, "loop", delivered=10, delay_mean_us=40.0, delay_p99_us=50.0,
                 delay_max_us=60.0, deadline_misses=1.0, miss_ratio=0.1),
            flow("fl", 1, "loop", sent=10, delivered=8, dropped=2, delay_mean_us=70.0,
                 delay_p99_us=90.0, delay_max_us=400.0, deadline_misses=3.0, miss_ratio=0.3,
                 lost=True),
            flow("fl", 0, "camera", deadline_us=math.nan, deadline_misses=math.nan,
                 miss_ratio=math.nan, delay_p99_us=math.nan),
        ]
    )  # fmt: skip
    got = reshape_runs.flow_summary(flows).set_index("flow")
    loop = got.loc["loop"]
    assert (loop["seeds"], loop["sent"], loop["delivered"], loop["dropped"]) == (2, 20, 18, 2)
    assert loop["delay_mean_us"] == pytest.approx((10 * 40 + 8 * 70) / 18)  # over messages
    assert (loop["delay_p99_us"], loop["delay_max_us"]) == (90.0, 400.0)  # worst seed
    assert (loop["deadline_misses"], loop["miss_ratio"]) == (4.0, pytest.approx(0.2))
    assert loop["lost_seeds"] == 1
    camera = got.loc["camera"]
    assert math.isnan(camera["deadline_misses"]) and math.isnan(camera["miss_ratio"])
    assert math.isnan(camera["delay_p99_us"])


def test_pick_flows_deadlines_and_trouble_first() -> None:
    flows = [
        flow("fl", 0, "far", deadline_us=10_000.0, delay_max_us=100.0),
        flow("fl", 0, "near", deadline_us=300.0, delay_max_us=290.0),
        flow("fl", 0, "missed", deadline_us=5_000.0, delay_max_us=20.0, deadline_misses=1.0),
        flow("fl", 0, "ml_lost", deadline_us=math.nan, dropped=1, lost=True),
        flow("fl", 0, "ml_ok", deadline_us=math.nan, delay_max_us=9e6),
    ]
    agg = reshape_runs.flow_summary(pd.DataFrame(flows))
    assert reshape_runs.pick_flows(agg, 10) == ["missed", "near", "far", "ml_lost", "ml_ok"]
    assert reshape_runs.pick_flows(agg, 2) == ["missed", "near"]
    assert reshape_runs.pick_flows(agg, 10, with_deadline=True) == ["missed", "near", "far"]
    points = reshape_runs.deadline_points(agg, ["near", "ml_ok"])
    assert points["flow"].tolist() == ["near"]  # ml_ok has no deadline


def test_lost_flows_per_method_and_fog_nodes() -> None:
    flows = pd.DataFrame(
        [
            flow("fl", 0, "a", dropped=3, lost=True),
            flow("fl", 1, "a", dropped=1, lost=True),
            flow("fl", 0, "b", dropped=5, lost=True),
            flow("fl", 1, "b"),
            flow("none", 0, "a"),
        ]
    )
    lost = reshape_runs.lost_flows(reshape_runs.flow_summary(flows))
    assert lost[["method", "fog_nodes", "seeds", "flows", "dropped"]].values.tolist() == [
        ["fl", 6, 2, 2, 9]
    ]
    assert lost["worst"].iloc[0] == [("b", 5, 1), ("a", 4, 2)]
    assert reshape_runs.lost_flows(reshape_runs.flow_summary(flows.iloc[4:])).empty


# ---------------------------------------------------------------- overload marks


def test_overloaded_cells_accept_csv_text_and_missing_values() -> None:
    rows = pd.DataFrame(
        [
            row("fl", 4, 0, overloaded="True"),
            row("fl", 4, 1, overloaded=False),
            row("fl", 8, 0, overloaded=math.nan),  # a run summarised before the column existed
            row("none", 8, 0, overloaded=True),
        ]
    )
    assert reshape_runs.overloaded_cells(rows) == {("fl", 4): 1, ("none", 8): 1}
    series = reshape.series_vs_nodes(rows, "critical_delay_mean_us")
    assert series[["method", "fog_nodes", "overloaded"]].values.tolist() == [
        ["none", 8, True], ["fl", 4, True], ["fl", 8, False],
    ]  # fmt: skip
    assert reshape_runs.overloaded_runs(rows.drop(columns="overloaded")) is None


def test_report_marks_overloaded_runs(tmp_path: Path) -> None:
    over = {"overloaded": True, "max_offered_load": 1.37, "max_offered_load_link": "sw0->hmi"}
    calm = {"overloaded": False, "max_offered_load": 0.2, "max_offered_load_link": "sw0->hmi"}
    rows = [row("none", 4, **calm), row("fl", 4, **over), row("fl", 8, **calm)]
    text = write_report(write_sweep(tmp_path, rows, [])).read_text()
    assert "**1 of 3 runs were offered more than a link's capacity**" in text
    assert "| ⚠ n4-fl-s0 | `sw0->hmi` | 137% |" in text
    assert "| FL | 4 ⚠ | 40.0 |" in text  # the cell of the overloaded run
    assert "| FL | 8 | 40.0 |" in text
    assert "Red rings: a run of that cell was overloaded" in text
    calm_text = write_report(write_sweep(tmp_path / "calm", rows[:1], [])).read_text()
    assert "None: no run was offered more than 100% of any link's capacity (highest: 20.0%" in (
        calm_text
    )
    assert "⚠" not in calm_text
    old = write_report(write_sweep(tmp_path / "old", [row("fl", 4)], [])).read_text()
    assert "Unavailable: summary.csv has no `overloaded` column" in old


# ---------------------------------------------------------------- reference in the report


PAPER_WORDS = ("Table 4", "Qian", "SEC '21", "paper", "55 µs", "20%")


def test_report_without_reference_has_no_paper_values(tmp_path: Path) -> None:
    rows = [row(m, n) for m in ("none", "fl", "fcddt") for n in (5, 9)]
    text = write_report(
        write_sweep(tmp_path / "plain", rows, [], '[profile]\nname = "plain"\n')
    ).read_text()
    for word in PAPER_WORDS:
        assert word not in text, word
    assert "## Delay and bandwidth per method and fog-node count" in text
    assert "| FCDDT | 9 | 40.0 | 60.0 | 1 | 10 | 1 |" in text
    assert "Published reference: none (the profile declares none)" in text
    shipped = (PROFILE_DIR / "paper-sec21.toml").read_text()
    paper = write_report(write_sweep(tmp_path / "paper", rows, [], shipped)).read_text()
    assert "## Table 4: delay and bandwidth beside the paper" in paper
    assert "| FCDDT | 7 | 52 | — | — | 19 |" in paper  # the paper's values, not run here
    assert "Published reference: the paper's Table 4" in paper


def _lines(fig: Any) -> list[tuple[str, str]]:
    return [(str(line.get_label()), str(line.get_linestyle())) for ax in fig.axes for line in
            ax.get_lines()]  # fmt: skip


def test_delay_plot_draws_the_paper_only_for_its_reference() -> None:
    rows = pd.DataFrame([row(m, n) for m in ("none", "fl") for n in (5, 9)])
    _, fig, _, caption = delay_plot(rows, paper=False)
    assert not [label for label, _ in _lines(fig) if "paper" in label]
    assert "--" not in {style for label, style in _lines(fig) if not label.startswith("_")}
    assert [list(ax.get_xticks()) for ax in fig.axes[:2]] == [[5, 9], [5, 9]]
    assert "paper" not in caption
    _, fig, _, caption = delay_plot(rows, paper=True)
    dashed = {label for label, style in _lines(fig) if style == "--"}
    assert dashed == {"paper Table 4: FCDDT", "paper Table 4: FL", "paper Table 4: CC"}
    assert list(fig.axes[0].get_xticks()) == [4, 5, 7, 9, 10, 12, 15, 18]
    assert "Dashed, hollow markers: the paper's Table 4" in caption


def test_sample_sweep_json_stays_readable(tmp_path: Path) -> None:
    """A provenance.json without profile text: the report says the reference is unknown."""
    out = write_sweep(tmp_path, [row("fl", 4)], [])
    (out / "provenance.json").write_text(json.dumps({"profile": "x"}))
    text = write_report(out).read_text()
    assert "Published reference: none (unknown (provenance.json holds no profile text))" in text
