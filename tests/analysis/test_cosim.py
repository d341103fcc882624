"""`fogcosim cosim`: the network decides each round; training uses exactly those rounds."""

from __future__ import annotations

import pandas as pd
import pytest

from fogcosim.cli import main
from tests.simulation.conftest import PROFILES


def test_paper_rounds_fl_at_8_fog_nodes_writes_the_tables(tmp_path, capsys):
    out = tmp_path / "cosim"
    code = main(
        ["cosim", "--profile", "paper-sec21-rounds", "--fog-nodes", "8", "--method", "fl",
         "--rounds", "20", "--backend", "embedded", "--out", str(out), "--no-progress"]
    )  # fmt: skip
    assert code == 0
    for name in ("rounds.csv", "accuracy.csv", "flows.csv", "run.json"):
        assert (out / name).is_file(), name
    assert (out / "results/General-fogNodes=8,method=fl,seed=0-#0.sca").is_file()
    rounds = pd.read_csv(out / "rounds.csv")
    assert list(rounds.columns[:8]) == [
        "round", "fn", "round_start_s", "upload_done_s", "aggregated", "download_done_s",
        "compute_fog_s", "compute_cloud_s",
    ]  # fmt: skip
    assert len(rounds) == 20 * 8 and rounds["aggregated"].all()  # policy "all"
    for _, fn in rounds.groupby("fn"):
        fn = fn.sort_values("round")
        assert (fn["round_start_s"].to_numpy()[1:] >= fn["download_done_s"].to_numpy()[:-1]).all()
    accuracy = pd.read_csv(out / "accuracy.csv")
    assert list(accuracy["round"]) == list(range(20))
    done = rounds.groupby("round")["round_done_s"].first().to_numpy()
    assert accuracy["sim_time_s"].to_numpy() == pytest.approx(done)
    assert accuracy["data_source"].str.contains("stand-in").all()
    assert "[stand-in data]" in capsys.readouterr().out


@pytest.mark.parametrize("method", ["cc", "fl", "fcddt"])
def test_accuracy_rises_over_the_rounds(tmp_path, method):
    out = tmp_path / method
    assert main(
        ["cosim", "--profile", str(PROFILES / "rounds-star.toml"), "--fog-nodes", "4",
         "--method", method, "--backend", "embedded", "--out", str(out), "--no-progress"]
    ) == 0  # fmt: skip
    accuracy = pd.read_csv(out / "accuracy.csv")
    assert len(accuracy) == 10  # the profile's train_rounds
    first, last = accuracy["accuracy"].iloc[0], accuracy["accuracy"].iloc[-1]
    assert last > first + 0.1, accuracy["accuracy"].tolist()


def test_cosim_needs_a_rounds_profile(tmp_path, capsys):
    code = main(
        ["cosim", "--profile", "paper-sec21", "--fog-nodes", "4", "--method", "fl",
         "--backend", "embedded", "--out", str(tmp_path / "x")]
    )  # fmt: skip
    assert code == 2
    assert 'pacing = "rounds"' in capsys.readouterr().err
