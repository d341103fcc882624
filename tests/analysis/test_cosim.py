# SPDX-License-Identifier: MIT
"""`fogcosim cosim`: the network decides each round; training uses exactly those rounds."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import torch

from fogcosim.cli import main
from mlpayloads.catalog import MNIST_5K
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
    assert (accuracy["data_source"] == MNIST_5K).all() and (accuracy["partition"] == "iid").all()
    assert "[MNIST 5k sample]" in capsys.readouterr().out
    training = json.loads((out / "run.json").read_text())["training"]
    assert training == {
        "data_source": MNIST_5K, "train_records": 4000, "test_records": 1000,
        "partition": "iid", "device": "cpu", "rounds": 20,
    }  # fmt: skip


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


def _rounds_profile(tmp_path, extra: str) -> str:
    text = (PROFILES / "rounds-star.toml").read_text().replace("lr = 0.1", f"lr = 0.1\n{extra}")
    path = tmp_path / "p.toml"
    path.write_text(text)
    return str(path)


def test_dirichlet_partition_trains_and_is_named(tmp_path):
    curves = {}
    for name, extra in (
        ("iid", ""),
        ("dirichlet", 'partition = "dirichlet"\ndirichlet_alpha = 0.5'),
    ):
        out = tmp_path / name
        profile = _rounds_profile(tmp_path, extra)
        assert main(
            ["cosim", "--profile", profile, "--fog-nodes", "4", "--method", "fl", "--rounds", "3",
             "--backend", "embedded", "--device", "auto", "--out", str(out), "--no-progress"]
        ) == 0  # fmt: skip
        accuracy = pd.read_csv(out / "accuracy.csv")
        curves[name] = accuracy["accuracy"].tolist()
        assert json.loads((out / "run.json").read_text())["training"]["device"] == "cpu"  # no GPU
    assert (
        pd.read_csv(tmp_path / "dirichlet" / "accuracy.csv")["partition"] == "dirichlet(alpha=0.5)"
    ).all()
    # same rounds and sets (policy all), other data per FN: the partition reached the training
    assert curves["iid"] != curves["dirichlet"]


def test_a_batch_larger_than_a_partition_fails_before_the_network_runs(tmp_path, capsys):
    out = tmp_path / "run"
    profile = _rounds_profile(tmp_path, "")
    code = main(
        ["cosim", "--profile", profile, "--fog-nodes", "48", "--method", "fl",
         "--backend", "embedded", "--out", str(out), "--no-progress"]
    )  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert (
        "traffic.ml.batch_size: batch_size 100 is larger than an FN's partition (83 records" in err
    )
    assert "4,000 training records over 48 FNs" in err and "traffic.ml.batch_size" in err
    assert not (out / "results").exists()  # refused before simulating


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_cuda_without_a_gpu_is_a_one_line_error(tmp_path, capsys):
    code = main(
        ["cosim", "--profile", str(PROFILES / "rounds-star.toml"), "--fog-nodes", "4",
         "--method", "fl", "--backend", "embedded", "--device", "cuda",
         "--out", str(tmp_path / "x"), "--no-progress"]
    )  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--device cuda" in err and "sees no CUDA device" in err


def test_a_sweep_refuses_a_batch_larger_than_a_partition_before_any_run(tmp_path, capsys):
    out = tmp_path / "sweep"
    profile = _rounds_profile(tmp_path, 'partition = "dirichlet"\ndirichlet_alpha = 0.05')
    code = main(
        ["sweep", "--profile", profile, "--fog-nodes", "4,30", "--methods", "none,fl",
         "--seeds", "1", "--backend", "embedded", "--out", str(out)]
    )  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "traffic.ml.batch_size: batch_size 100 is larger than" in err
    assert "Dirichlet draws" in err and "30 FNs" in err
    assert not out.exists()
