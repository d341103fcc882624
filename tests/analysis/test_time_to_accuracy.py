# SPDX-License-Identifier: MIT
"""Time to accuracy, honestly: never-reached runs counted, methods compared with p-values.

The reshape steps on hand-made summaries (the numbers they must give are
computed here by hand and with scipy), then one tiny sweep of a variant
study (two batch sizes, two straggler rates, rounds as fast as they go, each
run ending with its training) whose report must carry the new sections and
figures.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.report.time import reached_text
from analysis.study import rounds as reshape_rounds
from analysis.study import variants as reshape_variants
from fogcosim.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


def summary(rows: list[tuple[str, int, float, float]]) -> pd.DataFrame:
    """(method, seed, time to target or NaN, rounds to target or NaN) -> summary rows."""
    return pd.DataFrame(
        [
            {"method": m, "fog_nodes": 4, "seed": s, "train_seed": s, "time_to_target_s": t,
             "rounds_to_target": r, "rounds_done": 10, "target_accuracy": 0.5,
             "final_accuracy": 0.6}
            for m, s, t, r in rows
        ]
    )  # fmt: skip


NEVER = math.nan
STUDY = summary(
    [("cc", 0, 0.10, 5), ("cc", 1, 0.12, 6), ("cc", 2, 0.14, 7),
     ("fl", 0, 1.00, 5), ("fl", 1, 1.30, 6), ("fl", 2, NEVER, NEVER)]
)  # fmt: skip


def test_runs_that_never_reached_the_target_are_counted_not_averaged():
    bars = reshape_rounds.time_bars(reshape_rounds.training_table(STUDY)).set_index("method")
    assert (bars.loc["fl", "n"], bars.loc["fl", "trained"]) == (2, 3)
    assert bars.loc["fl", "mean"] == pytest.approx(1.15)  # the two that reached it
    half = stats.t.ppf(0.975, 1) * np.std([1.0, 1.3], ddof=1) / math.sqrt(2)
    assert bars.loc["fl", "err_high"] == pytest.approx(half)
    assert (bars.loc["cc", "n"], bars.loc["cc", "trained"]) == (3, 3)
    text = reached_text(reshape_rounds.training_table(STUDY))
    assert "FL at 4 FNs: 1 of 3 runs did not reach it within 10 rounds" in text
    assert "CC at" not in text


def test_no_run_reached_it_is_said_and_drawn_as_such():
    none = summary([("cc", 0, NEVER, NEVER), ("cc", 1, NEVER, NEVER)])
    bars = reshape_rounds.time_bars(reshape_rounds.training_table(none))
    assert list(bars["n"]) == [0] and list(bars["trained"]) == [2]
    assert "CC at 4 FNs: 2 of 2 runs did not reach it" in reached_text(
        reshape_rounds.training_table(none)
    )


def test_methods_are_compared_paired_on_the_runs_both_reached():
    diffs = reshape_rounds.target_differences(STUDY)
    assert len(diffs) == 1
    d = diffs.iloc[0]
    assert (d["lower"], d["higher"], d["n"], bool(d["paired"])) == ("cc", "fl", 2, True)
    differences = [1.00 - 0.10, 1.30 - 0.12]  # seeds 0 and 1: FL's seed 2 never reached it
    assert d["mean"] == pytest.approx(np.mean(differences))
    assert d["p"] == pytest.approx(stats.ttest_1samp(differences, 0.0).pvalue)
    half = stats.t.ppf(0.975, 1) * np.std(differences, ddof=1) / math.sqrt(2)
    assert (d["low"], d["high"]) == pytest.approx((d["mean"] - half, d["mean"] + half))


def test_the_split_table_gives_each_parts_share_of_the_fn_round():
    rows = STUDY.assign(
        fn_round_s=0.2, split_fog_s=0.1, split_network_s=0.05, split_wait_s=0.04,
        split_cloud_s=0.01,
    )  # fmt: skip
    table = reshape_rounds.split_table(rows).set_index("method")
    assert table.loc["fl", "split_fog_s_share"] == pytest.approx(0.5)
    assert table.loc["fl", "split_wait_s_share"] == pytest.approx(0.2)
    assert table.loc["fl", "fn_round_s_n"] == 3  # a network metric: each network seed once


VARIANT_PROFILE = """
[profile]
name = "tiny-variants"
description = "test: batch sizes and straggler rates, rounds as fast as they go"

[topology]
layout = "star"
network = "TinyVariants"
fog_link = { datarate = "1Gbps", length = "10m" }
cloud_link = { datarate = "1Gbps", length = "10m" }

[simulation]
queue_capacity = "unbounded"
fog_nodes = [3]
methods = ["cc", "fl"]
seeds = 2
sim_time = "5s"
window = "training"

[[simulation.variants]]
name = "b20-s0"
set = { "traffic.ml.batch_size" = 20, "traffic.ml.train_rounds" = 3 }

[[simulation.variants]]
name = "b40-s0"
set = { "traffic.ml.batch_size" = 40, "traffic.ml.train_rounds" = 2 }

[[simulation.variants]]
name = "b20-s67"
set = { "traffic.ml.straggler_rate" = 0.67, "traffic.ml.train_rounds" = 3, "traffic.ml.target_accuracy" = 0.99 }

[traffic.ml]
pacing = "rounds"
batch_period = "0s"
policy = "quorum"
straggler_rate = 0.0
dataset = "mnist"
model = "mlp"
batch_size = 20
train_rounds = 3
target_accuracy = 0.05
lr = 0.2

[compute]
fog = "5GFLOPS"
cloud = "5TFLOPS"
speed_variation = 0.3
"""


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("variants")
    profile = tmp / "tiny-variants.toml"
    profile.write_text(VARIANT_PROFILE)
    out = tmp / "study"
    args = ["sweep", "--profile", str(profile), "--backend", "embedded", "--workers", "1"]
    assert main([*args, "--out", str(out)]) == 0
    return out


def run(study: Path, r: object) -> Path:
    return study / "runs" / f"{r.variant}-n3-{r.method}-s{r.seed}"  # type: ignore[attr-defined]


def test_each_run_ends_with_its_training_and_its_parts_add_up(study: Path):
    rows = pd.read_csv(study / "summary.csv")
    assert len(rows) == 3 * 2 * 2
    assert rows["window_s"].nunique() > 1  # each run measured its own time
    for r in rows.itertuples():
        parts = r.split_fog_s + r.split_network_s + r.split_wait_s + r.split_cloud_s
        assert parts == pytest.approx(r.fn_round_s, rel=1e-9)
        rounds = pd.read_csv(run(study, r) / "rounds.csv")
        assert rounds["round"].max() + 1 == (2 if r.variant == "b40-s0" else 3)
        # it ended when the last FN had the last trained round's download
        assert r.window_s == pytest.approx(rounds["download_done_s"].max())


def test_the_report_compares_variants_and_methods_in_time(study: Path):
    text = (study / "report.md").read_text()
    assert "## Batch size and straggler rate across variants" in text
    assert "| b20-s67 | 20 | 3 | 1 (α = 0.67) | 3 |" in text
    assert "### Time to the target, method against method" in text
    assert "### Where the round time goes" in text
    assert "Each ML run ended when every fog node had the last trained round's download" in text
    # nobody reaches 0.99 in 3 rounds: counted, never averaged in
    assert "not reached in 3 rounds (0 of 2 runs)" in text
    assert "CC at 3 FNs: 2 of 2 runs did not reach it within 3 rounds" in text
    for name in ("fig7_batch_size.png", "fig8_straggler_rate.png",
                 "time_to_target-tiny-variants-b20-s0-embedded.png",
                 "round_split-tiny-variants-b20-s0-embedded.png"):  # fmt: skip
        assert (study / "plots" / name).read_bytes().startswith(PNG), name


def test_the_variants_facts_and_figure_8_points_come_from_the_runs(study: Path):
    rows = pd.read_csv(study / "summary.csv")
    scenarios = {
        f"{r.variant}-{r.method}-{r.seed}": json.loads(
            (run(study, r) / "scenario.json").read_text()
        )
        for r in rows.itertuples()
    }
    facts = reshape_variants.variant_facts(scenarios).set_index("variant")
    assert facts.loc["b20-s67", "quorum"] == 1
    assert facts.loc["b20-s67", "straggler_rate"] == pytest.approx(2 / 3)
    assert facts.loc["b40-s0", ["batch_size", "rounds"]].tolist() == [40, 2]
    accuracy = pd.concat(
        pd.read_csv(run(study, r) / "accuracy.csv").assign(variant=r.variant, method=r.method)
        for r in rows.itertuples()
    )
    points = reshape_variants.fig8_points(accuracy, facts.reset_index())
    at = points[(points["method"] == "fl") & (points["batch_size"] == 20)].set_index(
        "straggler_rate"
    )
    want = rows[(rows["method"] == "fl") & (rows["variant"] == "b20-s0")]["final_accuracy"]
    assert at.loc[0.0, "acc_mean"] == pytest.approx(want.mean())
    assert at.loc[0.0, "acc_n"] == 2
