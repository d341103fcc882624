# SPDX-License-Identifier: MIT
"""Training in the loop in the report and the comparison, on real rounds-paced sweeps.

Two small sweeps of a copy of the shipped paper-sec21-rounds profile (4 fog
nodes, one seed, 5 rounds of 50 ms, embedded backend): policy "all" with
methods none and fl, and policy "quorum" with a slow fog0 and method fl. The
report's numbers are checked against the runs' rounds.csv and accuracy.csv,
computed here from the files; the reshape steps are checked on hand-made frames.
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
from analysis.report.rounds_plots import spans_text
from analysis.report.sweep import write_report
from analysis.study import rounds as reshape_rounds
from analysis.study.rounds import ABANDONED, AGGREGATED, DISCARDED, LATE
from fogcosim.cli import main
from mlpayloads.catalog import MNIST_5K
from simulation.profile.build import PROFILE_DIR

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sweep-sample"
PNG = b"\x89PNG\r\n\x1a\n"
TARGET = 0.3
ROUNDS = 5


def fast_profile(tmp: Path, name: str, quorum: bool = False) -> Path:
    """paper-sec21-rounds with 5 rounds of 50 ms and a target reached in them."""
    text = (PROFILE_DIR / "paper-sec21-rounds.toml").read_text()
    swaps = {
        'name = "paper-sec21-rounds"': f'name = "{name}"',
        'batch_period = "1000ms"': f'batch_period = "50ms"\ntrain_rounds = {ROUNDS}',
        r"target_accuracy = [0-9.]+": f"target_accuracy = {TARGET}",
        r"lr = [0-9.]+": "lr = 0.1",
    }
    if quorum:
        swaps['policy = "all"'] = 'policy = "quorum"\nstraggler_rate = 0.25'
    for old, new in swaps.items():
        text, n = re.subn(old, new, text)
        assert n == 1, old
    if quorum:
        text += '\n[compute.fog_overrides]\nfog0 = "500MFLOPS"\n'
    path = tmp / f"{name}.toml"
    path.write_text(text)
    return path


def sweep(profile: Path, out: Path, methods: str) -> Path:
    args = ["sweep", "--profile", str(profile), "--fog-nodes", "4", "--methods", methods]
    args += ["--seeds", "1", "--backend", "embedded", "--workers", "1", "--out", str(out)]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("rounds")
    return sweep(fast_profile(tmp, "fast-rounds"), tmp / "all", "none,fl")


@pytest.fixture(scope="module")
def quorum(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("quorum")
    return sweep(fast_profile(tmp, "fast-quorum", quorum=True), tmp / "quorum", "fl")


def section(report: Path) -> str:
    text = report.read_text()
    assert "## Training in the loop" in text
    return text.split("## Training in the loop", 1)[1].split("\n## ", 1)[0]


def table_row(text: str, method: str, fog_nodes: int) -> list[str]:
    """The cells of a Markdown table row that starts `| method | fog_nodes |`."""
    line = next(x for x in text.splitlines() if x.startswith(f"| {method} | {fog_nodes} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def expected(run: Path) -> dict[str, float]:
    """The training numbers of one run, computed here from its rounds.csv and accuracy.csv."""
    rounds = pd.read_csv(run / "rounds.csv")
    accuracy = pd.read_csv(run / "accuracy.csv")
    per_round = rounds.groupby("round")
    done = per_round["round_done_s"].first().to_numpy()
    start = per_round["round_start_s"].min().to_numpy()
    reached = accuracy[accuracy["accuracy"] >= TARGET]
    p = rounds["fn"].nunique()
    return {
        "time": float(reached["sim_time_s"].iloc[0]) if len(reached) else math.nan,
        "rounds": float(reached["round"].iloc[0] + 1) if len(reached) else math.nan,
        "round_ms": float(np.mean(done - start)) * 1e3,
        "straggler": float(np.mean(1 - per_round["aggregated"].sum().to_numpy() / p)),
        "accuracy": float(accuracy["accuracy"].iloc[-1]),
        "rounds_done": float(len(done)),
    }


# ---------------------------------------------------------------- the report


def test_training_table_equals_the_runs_tables(study: Path) -> None:
    text = section(study / "report.md")
    want = expected(study / "runs" / "n4-fl-s0")
    assert want["rounds_done"] == ROUNDS
    assert not math.isnan(want["time"]), f"FL did not reach {TARGET} in {ROUNDS} rounds"
    cells = table_row(text, "FL", 4)
    assert cells[2] == num(want["time"], 3)  # time to target (s)
    assert cells[3] == num(want["rounds"], 1)  # rounds to target
    assert cells[4] == num(want["round_ms"], 2)  # round time (ms): first start to update
    assert float(cells[4]) < 50  # the protocol's time, not the 50 ms batch period
    assert cells[5] == num(want["straggler"], 2) == "0.00"  # policy "all"
    assert cells[6] == num(want["accuracy"], 3)
    summary = pd.read_csv(study / "summary.csv").set_index("method")
    assert cells[7] == num(summary.loc["fl", "critical_delay_mean_us"])
    assert cells[8] == num(summary.loc["fl", "critical_delay_p99_us"])
    messages = int(summary.loc["fl", "critical_delivered"])
    assert cells[9] == f"{messages:,}"  # one run: the p99 rests on its own messages
    assert cells[10] == num(summary.loc["fl", "critical_delay_max_us"])
    assert cells[11] == num(summary.loc["fl", "critical_dropped"], 1)
    # the shipped study runs over TCP: what it resent and its timeouts, per run
    assert cells[12] == num(summary.loc["fl", "tcp_retransmitted_bytes"] * 1e-3, 1)
    assert cells[13] == num(summary.loc["fl", "tcp_timeouts"], 1)
    assert cells[14] == "1"
    baseline = table_row(text, "no ML", 4)
    assert baseline[2:7] == ["—"] * 5
    assert baseline[7] == num(summary.loc["none", "critical_delay_mean_us"])
    assert f"the target ({TARGET:g})" in text
    assert "offline stand-in data set" not in text
    assert f"Training data: {MNIST_5K}." in text  # the MNIST default: real digits, named
    assert "at 4 FNs all 4 uploads (policy `all`); a batch every 50 ms; 5 rounds trained" in text


def test_rounds_report_draws_accuracy_and_the_timeline(study: Path) -> None:
    text = (study / "report.md").read_text()
    for name in ("accuracy_vs_time", "round_timeline"):
        path = study / "plots" / f"{name}.png"
        assert path.read_bytes().startswith(PNG)
        assert path.stat().st_size > 10_000
        assert f"(plots/{name}.png)" in text
    captions = [line for line in text.splitlines() if line.startswith("**Figure")]
    accuracy = next(c for c in captions if "against the simulated time" in c)
    assert f"Dashed: the target accuracy ({TARGET:g})" in accuracy
    assert f"Training data: {MNIST_5K}." in accuracy
    timeline = next(c for c in captions if "What each fog node did" in c)
    assert f"first {ROUNDS} rounds of `n4-fl-s0`" in timeline
    assert "Every FN was aggregated in every round shown." in timeline


def test_quorum_report_shows_the_stragglers(quorum: Path) -> None:
    text = (quorum / "report.md").read_text()
    want = expected(quorum / "runs" / "n4-fl-s0")
    cells = table_row(section(quorum / "report.md"), "FL", 4)
    assert cells[5] == num(want["straggler"], 2) == "0.25"  # one of 4 left out every round
    assert cells[4] == num(want["round_ms"], 2)
    assert "the first 3 of 4 uploads (policy `quorum`)" in text
    assert "fog0 at 500 MFLOPS, the others at 5 GFLOPS" in text
    rounds = pd.read_csv(quorum / "runs" / "n4-fl-s0" / "rounds.csv")
    left_out = sorted(set(rounds.loc[~rounds["aggregated"], "fn"]))
    assert left_out == [0]  # the slow one
    timeline = next(line for line in text.splitlines() if "What each fog node did" in line)
    assert re.search(rf"fog0 \(500 MFLOPS\) in rounds 0–{ROUNDS - 1}: compute abandoned", timeline)


def test_periodic_report_has_no_training_section(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    shutil.copytree(SAMPLE, out)
    text = write_report(out).read_text()
    assert "Training in the loop" not in text
    assert "accuracy" not in text.lower()
    assert not list((out / "plots").glob("accuracy_vs_time*"))
    assert not list((out / "plots").glob("round_timeline*"))


# ---------------------------------------------------------------- the comparison


def test_compare_puts_the_training_tables_side_by_side(
    study: Path, quorum: Path, tmp_path: Path
) -> None:
    text = write_compare([study, quorum], tmp_path / "cmp").read_text()
    part = text.split("## Training in the loop", 1)[1].split("\n## ", 1)[0]
    straggler = part.split("### Effective straggler rate", 1)[1].split("###", 1)[0]
    assert table_row(straggler, "FL", 4)[2:] == ["0.00", "0.25"]
    round_time = part.split("### Mean round time (ms)", 1)[1].split("###", 1)[0]
    assert table_row(round_time, "FL", 4)[2:] == [
        num(expected(folder / "runs" / "n4-fl-s0")["round_ms"], 2) for folder in (study, quorum)
    ]
    assert "| **fast-quorum** | the cloud aggregates, per round, at 4 FNs the first 3 of 4" in part
    assert "(plots/compare_accuracy_vs_time.png)" in text
    assert (tmp_path / "cmp" / "plots" / "compare_accuracy_vs_time.png").is_file()


def test_compare_with_a_periodic_study(study: Path, tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    shutil.copytree(SAMPLE, sample)
    text = write_compare([study, sample], tmp_path / "cmp").read_text()
    part = text.split("## Training in the loop", 1)[1].split("\n## ", 1)[0]
    assert "paper-sec21: periodic ML traffic, no training" in part
    assert table_row(part.split("### Final accuracy", 1)[1], "FL", 4)[3] == "—"
    periodic = write_compare([sample, SAMPLE], tmp_path / "both").read_text()
    assert "Training in the loop" not in periodic
    assert not (tmp_path / "both" / "plots" / "compare_accuracy_vs_time.png").exists()


# ---------------------------------------------------------------- reshape steps


def summary_row(seed: int, **values: float) -> dict[str, object]:
    base: dict[str, object] = {
        "method": "fl", "fog_nodes": 4, "seed": seed, "rounds_done": 5, "target_accuracy": 0.8,
        "mean_round_s": 0.1, "straggler_rate_eff": 0.0, "final_accuracy": 0.7,
        "critical_delay_mean_us": 40.0, "critical_delay_p99_us": 80.0,
        "percentiles_from": "vectors",
    }  # fmt: skip
    return base | values


def test_training_table_counts_only_the_seeds_that_reached_the_target() -> None:
    rows = pd.DataFrame(
        [
            summary_row(0, time_to_target_s=1.0, rounds_to_target=3),
            summary_row(1, time_to_target_s=2.0, rounds_to_target=5),
            summary_row(2, time_to_target_s=math.nan, rounds_to_target=math.nan,
                        percentiles_from="unavailable", critical_delay_p99_us=999.0),
            {"method": "none", "fog_nodes": 4, "seed": 0, "critical_delay_mean_us": 35.0},
        ]
    )  # fmt: skip
    got = reshape_rounds.training_table(rows).set_index("method")
    fl = got.loc["fl"]
    assert (fl["time_mean"], fl["time_n"], fl["trained"], fl["rounds_done"]) == (1.5, 2, 3, 5)
    assert fl["rounds_mean"] == 4.0
    assert fl["p99_mean"] == 80.0 and fl["p99_n"] == 2  # the run without vectors left out
    assert got.loc["none", "trained"] == 0
    assert list(got.index) == ["none", "fl"]


def test_spans_text() -> None:
    assert spans_text([0, 1, 2, 4, 6, 7]) == "0–2, 4, 6–7"


def test_accuracy_curves_mean_and_spread_over_seeds() -> None:
    acc = pd.DataFrame(
        {
            "method": "fl", "seed": [0, 1, 0, 1], "round": [0, 0, 1, 1],
            "sim_time_s": [0.1, 0.3, 1.1, 1.3], "accuracy": [0.2, 0.4, 0.5, 0.5],
        }
    )  # fmt: skip
    got = reshape_rounds.accuracy_curves(acc)
    assert got["time_s"].tolist() == pytest.approx([0.2, 1.2])
    assert got["mean"].tolist() == pytest.approx([0.3, 0.5])
    # round 0: sd 0.1414, n 2: 12.706 * 0.1414 / sqrt(2) = 1.2706; round 1: no spread
    assert got["err_low"].tolist() == pytest.approx([1.2706, 0.0], abs=1e-4)
    assert set(got["spread"]) == {"ci95"}


def test_timeline_phases_and_what_the_policy_did() -> None:
    nan = math.nan
    rounds = pd.DataFrame(
        [  # round, fn, start, upload done, aggregated, download done, fog compute, round done
            (0, 0, 0.0, 0.010, True, 0.030, 0.004, 0.020),  # aggregated
            (0, 1, 0.0, 0.022, False, 0.032, 0.004, 0.020),  # upload after the set was chosen
            (0, 2, 0.0, nan, False, 0.034, 0.004, 0.020),  # upload in flight at the close
            (0, 3, 0.0, nan, False, 0.025, 0.0, 0.020),  # download came before compute ended
            (1, 0, 1.0, 1.010, True, 1.030, 0.004, 1.020),  # beyond `first`
        ],
        columns=[
            "round", "fn", "round_start_s", "upload_done_s", "aggregated", "download_done_s",
            "compute_fog_s", "round_done_s",
        ],
    )  # fmt: skip
    spans, status = reshape_rounds.timeline(rounds, 1, planned_compute_s=[0.004] * 3 + [0.040])
    assert set(spans["round"]) == {0}
    assert status.set_index("fn")["status"].tolist() == [AGGREGATED, LATE, DISCARDED, ABANDONED]

    def phases(fn: int) -> list[tuple[str, float, float]]:
        s = spans[spans["fn"] == fn]
        return [
            (p, round(a, 6), round(b, 6)) for p, a, b in s[["phase", "start_s", "end_s"]].values
        ]

    assert phases(0) == [
        ("compute", 0.0, 0.004), ("upload", 0.004, 0.010), ("waiting", 0.010, 0.020),
        ("download", 0.020, 0.030),
    ]  # fmt: skip
    assert phases(1)[1] == ("upload", 0.004, 0.022)  # no wait: it arrived after the close
    assert phases(2)[1] == ("upload", 0.004, 0.020)  # not arrived when the round closed
    assert phases(3) == [("compute", 0.0, 0.025), ("download", 0.020, 0.025)]  # cut there
    marks = status.set_index("fn")["mark_s"]
    assert (marks[1], marks[2], marks[3]) == (0.022, 0.020, 0.025)
    two_stages, _ = reshape_rounds.timeline(rounds, 1, stages=2)
    assert "later stages" in set(two_stages.loc[two_stages["fn"] == 0, "phase"])


def test_pick_timeline_run() -> None:
    runs = [("cc", 8, 0), ("fcddt", 8, 1), ("fcddt", 8, 0), ("fl", 4, 0)]
    assert reshape_rounds.pick_timeline_run(runs) == ("fcddt", 8, 0)
    assert reshape_rounds.pick_timeline_run([*runs, ("fl", 8, 1)]) == ("fl", 8, 1)
    assert reshape_rounds.pick_timeline_run([]) is None
