# SPDX-License-Identifier: MIT
"""The round protocol: who is aggregated, when rounds start, what is refused."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from analysis.run.metrics import load_run
from analysis.run.rounds import rounds_table
from fogcosim.errors import UserError
from mlpayloads import wire
from simulation.embedded.backend import EmbeddedBackend
from simulation.profile.build import build_scenario, load_profile, with_rounds, with_time
from simulation.profile.rounds import READY_BYTES, READY_KIND, compute_factors

from .conftest import PROFILES, write_profile

STAR = PROFILES / "rounds-star.toml"


def _timeline(tmp_path, text: str, fog_nodes: int, method: str, rounds: int = 8) -> pd.DataFrame:
    profile = load_profile(write_profile(tmp_path, text))
    sc = with_rounds(build_scenario(profile, fog_nodes, method, 0), rounds)
    EmbeddedBackend().run(sc, tmp_path / "run")
    scenario, manifest, raw = load_run(tmp_path / "run")
    return rounds_table(scenario, manifest, raw)


@pytest.mark.parametrize("method", ["fl", "fcddt"])
def test_policy_all_aggregates_everyone_and_rounds_wait_for_the_download(tmp_path, method):
    table = _timeline(tmp_path, STAR.read_text(), 8, method)
    assert table["round"].nunique() == 8
    assert table["aggregated"].all()
    for fn, rows in table.groupby("fn"):
        rows = rows.sort_values("round")
        starts = rows["round_start_s"].to_numpy()[1:]
        previous_download = rows["download_done_s"].to_numpy()[:-1]
        assert (starts >= previous_download).all(), fn
        # a fresh batch every 20 ms: round r never starts before r * 20 ms
        assert (rows["round_start_s"] >= rows["round"] * 0.020 - 1e-12).all()


def test_quorum_takes_the_first_arrivals(tmp_path):
    text = STAR.read_text().replace('policy = "all"', 'policy = "quorum"\nstraggler_rate = 0.25')
    table = _timeline(tmp_path, text, 8, "fl")
    for r, rows in table.groupby("round"):
        chosen = set(rows.loc[rows["aggregated"], "fn"])
        assert len(chosen) == 6, r
        first = set(rows.sort_values(["upload_done_s", "fn"])["fn"].head(6))
        assert chosen == first, r
        assert rows["download_done_s"].notna().all()  # stragglers get the broadcast too


def test_a_tight_deadline_leaves_slow_fog_nodes_out(tmp_path):
    # fog0 computes 10x slower: its gradients arrive after the deadline
    text = STAR.read_text().replace(
        'policy = "all"', 'policy = "deadline"\nround_deadline = "40ms"'
    )
    text += '\n[compute.fog_overrides]\nfog0 = "500MFLOPS"\n'
    table = _timeline(tmp_path, text, 4, "fl")
    assert not table.loc[table["fn"] == 0, "aggregated"].any()
    assert table.loc[table["fn"] != 0, "aggregated"].all()


def test_cc_uploads_every_batch_period_and_nothing_comes_down(tmp_path):
    table = _timeline(tmp_path, STAR.read_text(), 4, "cc")
    assert table["download_done_s"].isna().all()
    assert table["aggregated"].all()
    starts = table.groupby("round")["round_start_s"].first().to_numpy()
    assert list(starts) == pytest.approx([r * 0.020 for r in range(len(starts))])


def test_cc_with_data_always_there_sends_its_next_batch_on_the_clouds_ready(tmp_path):
    # no batch period paces a CC fog node: it waits for the cloud's empty `ready` message
    text = STAR.read_text().replace('batch_period = "20ms"', 'batch_period = "0s"')
    profile = load_profile(write_profile(tmp_path, text))
    sc = build_scenario(profile, 4, "cc", 0)
    last = sc.rounds.stages[-1]
    assert (last.down_kind, last.down_bytes, last.down_to_all) == (READY_KIND, READY_BYTES, True)
    assert len(wire.encode({}, "float32")) == READY_BYTES
    # a sweep's run goes on through its window (no rounds limit): it must not send forever
    unlimited = dataclasses.replace(sc, rounds=dataclasses.replace(sc.rounds, rounds=None))
    EmbeddedBackend().run(with_time(unlimited, sim_time_ps=30 * 10**9), tmp_path / "run")
    table = rounds_table(*load_run(tmp_path / "run"))
    assert table["round"].nunique() > 3
    for fn, rows in table.groupby("fn"):
        rows = rows.sort_values("round")
        assert rows["download_done_s"].notna().all(), fn
        # round r + 1 starts when round r's ready arrived, after the cloud trained round r
        starts, ready = rows["round_start_s"].to_numpy()[1:], rows["download_done_s"].to_numpy()
        assert starts == pytest.approx(ready[:-1], abs=1e-12)
        assert (rows["download_done_s"] > rows["round_done_s"]).all()


def test_cc_with_batches_sends_no_ready():
    sc = build_scenario(load_profile(STAR), 4, "cc", 0)
    assert sc.rounds.stages[-1].down_kind == ""


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            'pacing = "rounds"',
            'pacing = "bursts"',
            r"traffic\.ml\.pacing: unknown value 'bursts' \(allowed: periodic, rounds\)",
        ),
        (
            'policy = "all"',
            'policy = "fastest"',
            r"traffic\.ml\.policy: unknown value 'fastest' \(allowed: all, quorum, deadline\)",
        ),
        (
            'policy = "all"',
            'policy = "quorum"\nstraggler_rate = 1.0',
            r"traffic\.ml\.straggler_rate: must be below 1",
        ),
        (
            'policy = "all"',
            'policy = "quorum"\nstraggler_rate = -0.1',
            r"traffic\.ml\.straggler_rate: must be at least 0",
        ),
        (
            'fog = "5GFLOPS"',
            'fog = "0GFLOPS"',
            r"compute\.fog: '0GFLOPS' must be a positive compute speed",
        ),
        (
            'batch_period = "20ms"',
            'batch_period = "-1ms"',
            r"traffic\.ml\.batch_period: '-1ms' is not a time",
        ),
        ("train_rounds = 10", "train_rounds = 0", r"traffic\.ml\.train_rounds: must be at least 1"),
        (
            'policy = "all"',
            'policy = "deadline"',
            r"traffic\.ml\.round_deadline: missing: policy = \"deadline\" needs",
        ),
        (
            'policy = "all"',
            'policy = "deadline"\nround_deadline = "1ms"',
            r"round_deadline 1 ms is shorter than any fog node's first upload can take .* no fog node can meet it",
        ),
        (
            'policy = "all"',
            'policy = "deadline"\nround_deadline = "0ms"',
            r"traffic\.ml\.round_deadline: must be a positive time",
        ),
        (
            'batch_period = "20ms"',
            'batch_period = "20ms"\nperiod = "1s"',
            r"traffic\.ml\.period: applies to pacing = 'periodic' only",
        ),
    ],
)
def test_bad_round_settings_are_one_line_errors(tmp_path, old, new, pattern):
    text = STAR.read_text()
    assert old in text
    path = write_profile(tmp_path, text.replace(old, new, 1))
    with pytest.raises(UserError) as info:
        build_scenario(load_profile(path), 4, "fl", 0)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert re.search(pattern, message), message


def test_rounds_below_one_are_refused():
    sc = build_scenario(load_profile(STAR), 4, "fl", 0)
    with pytest.raises(UserError, match="rounds 0 must be at least 1"):
        with_rounds(sc, 0)


def test_device_speed_varies_per_round_from_the_seed_with_the_given_spread():
    a = compute_factors(0.3, 4, 2000, seed=1)
    assert a == compute_factors(0.3, 4, 2000, seed=1) != compute_factors(0.3, 4, 2000, seed=2)
    values = [f / 1e6 for row in a for f in row]
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
    assert abs(mean - 1) < 0.02 and abs(sd / mean - 0.3) < 0.02
    assert compute_factors(0.0, 4, 10, seed=1) == ()


def test_each_round_computes_its_nominal_time_times_that_rounds_factor(tmp_path):
    text = STAR.read_text().replace('batch_period = "20ms"', 'batch_period = "0s"')
    text = text.replace("[compute]\n", "[compute]\nspeed_variation = 0.5\n")
    profile = load_profile(write_profile(tmp_path, text))
    sc = with_rounds(build_scenario(profile, 3, "fl", 4), 6)
    spec = sc.rounds
    assert spec.batch_period_ps == 0 and len(spec.compute_factors[0]) == 6
    EmbeddedBackend().run(sc, tmp_path / "run")
    _, manifest, raw = load_run(tmp_path / "run")
    module = next(r["module"] for r in manifest if r["role"] == "rounds" and r["host"] == "fog1")
    v = raw[(raw["type"] == "vector") & (raw["module"] == module)].set_index("name")
    computed = [round(x * 1e12) for x in v.loc["roundFogCompute:vector", "vecvalue"]]
    base = spec.stages[0].fog_before_ps[1]
    assert computed == [base * f // 10**6 for f in spec.compute_factors[1]]
    assert len(set(computed)) == 6  # every round its own time
