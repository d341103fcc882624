# SPDX-License-Identifier: MIT
import json

import platformdirs
import pytest

import mlpayloads.measure
from fogcosim.errors import UserError
from mlpayloads.cache import cache_folder
from mlpayloads.config import MeasureConfig
from mlpayloads.records import PayloadRecord
from mlpayloads.table import MEASURE_FOG_NODES, cache_key, cached_measure, payload_record


def no_measuring(*a, **k):
    raise AssertionError("measured although cached")


def files(folder):
    return sorted((folder / "payloads").iterdir())


def test_one_record_serves_every_fog_node_count(private_cache, monkeypatch):
    rec = payload_record("mnist", "mlp", "fl", 10, rounds=1)
    assert rec.fog_nodes == MEASURE_FOG_NODES == 2 and len(rec.rounds) == 1
    assert isinstance(rec.upload_bytes_per_node, int) and rec.upload_bytes_per_node > 0
    (path,) = files(private_cache)
    assert path.suffix == ".json" and path.name.startswith("mnist-mlp-fl-B10-")

    monkeypatch.setattr(mlpayloads.measure, "measure", no_measuring)
    # rounds and seed only say how a missing record is measured: same record
    assert payload_record("mnist", "mlp", "fl", 10, rounds=3, seed=7) == rec
    for other in (
        {"batch_size": 11},
        {"dtype": "float16"},
        {"method": "fcddt"},
        {"local_steps": 2},
    ):
        args = {"dataset": "mnist", "model": "mlp", "method": "fl", "batch_size": 10} | other
        with pytest.raises(AssertionError, match="measured although cached"):
            payload_record(**args)


def test_explicit_cache_dir_and_round_trip(tmp_path, private_cache):
    rec = payload_record("mnist", "cnn", "fcddt", 5, "float16", rounds=1, cache_dir=tmp_path)
    (path,) = files(tmp_path)
    again = PayloadRecord.from_dict(json.loads(path.read_text()))
    assert again == rec and again.to_dict() == rec.to_dict()
    assert rec.split == "fc1" and rec.data_source.startswith("MNIST 5k sample")
    assert not private_cache.exists()


def test_unreadable_cache_file_is_measured_again(private_cache):
    payload_record("mnist", "mlp", "cc", 10, rounds=1)
    (path,) = files(private_cache)
    path.write_text("{not json")
    rec = payload_record("mnist", "mlp", "cc", 10, rounds=1)
    assert json.loads(path.read_text())["upload_bytes_per_node"] == rec.upload_bytes_per_node


def test_key_holds_what_fixes_the_bytes_and_nothing_else(tmp_path):
    def key(**changes):
        fields = {
            "dataset": "mnist",
            "model": "mlp",
            "method": "fcddt",
            "fog_nodes": 2,
            "batch_size": 10,
        }
        return cache_key(MeasureConfig(**(fields | changes)).validated())

    base = key()
    byte_changes = [
        {"split": "relu1"},
        {"batch_size": 11},
        {"dtype": "float16"},
        {"method": "fl"},
        {"method": "fl", "local_steps": 2},
        {"data_dir": tmp_path},
    ]
    keys = {key(**c) for c in byte_changes}
    assert base not in keys and len(keys) == len(byte_changes)
    assert key(rounds=5) == key(seed=3) == key(split="fc1") == base  # fc1: the default split
    # a run at another FN count, with stragglers or another lr is a record of that run
    runs = [
        {"fog_nodes": 4},
        {"straggler_rate": 0.5},
        {"delays": (0.0, 1.0)},
        {"lr": 0.1},
        {"fog_nodes": 4, "rounds": 5},
    ]
    run_keys = {key(**c) for c in runs}
    assert base not in run_keys and len(run_keys) == len(runs)


def test_a_run_at_other_settings_is_cached_separately(private_cache, monkeypatch):
    config = MeasureConfig("mnist", "mlp", "fl", 3, 10, rounds=1, straggler_rate=0.4)
    rec = cached_measure(config)
    assert rec.fog_nodes == 3 and all(len(r.aggregated) == 1 for r in rec.rounds)
    monkeypatch.setattr(mlpayloads.measure, "measure", no_measuring)
    assert cached_measure(config) == rec
    with pytest.raises(AssertionError):
        payload_record("mnist", "mlp", "fl", 10)


def test_split_is_checked_but_not_recorded_for_cc_and_fl():
    assert payload_record("mnist", "mlp", "cc", 10, split="relu1", rounds=1).split is None
    with pytest.raises(UserError, match="'nope'"):
        payload_record("mnist", "mlp", "fl", 10, split="nope")


@pytest.mark.parametrize(
    ("args", "kwargs", "needle"),
    [
        (("cifar10", "mlp", "fl", 10), {}, "'mlp' is not a cifar10 model (allowed: lenet5, vgg16)"),
        (("mnist", "mlp", "xx", 10), {}, "unknown method 'xx' (allowed: cc, fl, fcddt)"),
        (("mnist", "mlp", "fl", 0), {}, "batch size 0"),
        (("mnist", "mlp", "fl", 10, "int8"), {}, "unknown wire dtype 'int8'"),
        (("mnist", "mlp", "fl", 10), {"rounds": 0}, "rounds 0"),
        (("mnist", "mlp", "cc", 10), {"local_steps": 2}, "local steps 2 apply only to fl"),
    ],
)
def test_bad_inputs(args, kwargs, needle):
    with pytest.raises(UserError) as info:
        payload_record(*args, **kwargs)
    assert needle in str(info.value)


def test_cache_folder_defaults_to_the_user_cache_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("FOGCOSIM_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert cache_folder() == platformdirs.user_cache_path("fogcosim", appauthor=False)
    assert cache_folder().is_absolute()
    payload_record("mnist", "mlp", "cc", 10, rounds=1)
    assert list(work.iterdir()) == []
    assert cache_folder() == tmp_path / "xdg" / "fogcosim"  # platformdirs on Linux
    assert len(files(tmp_path / "xdg" / "fogcosim")) == 1
    monkeypatch.setenv("FOGCOSIM_CACHE", str(tmp_path / "env"))
    assert cache_folder() == tmp_path / "env"
    assert cache_folder(tmp_path / "arg") == tmp_path / "arg"
