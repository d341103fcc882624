import json

import pytest

import mlpayloads.table as table
from fogcosim.errors import UserError
from mlpayloads.measure import MeasureConfig, PayloadRecord
from mlpayloads.table import cache_key, payload_record


def test_payload_record_measures_then_reuses_the_cache(private_cache, monkeypatch):
    rec = payload_record("mnist", "mlp", "fl", 2, 10, rounds=1)
    assert isinstance(rec.upload_bytes_per_node, int) and rec.upload_bytes_per_node > 0
    files = list(private_cache.iterdir())
    assert len(files) == 1 and files[0].suffix == ".json"

    def no_measuring(*a, **k):
        raise AssertionError("measured although cached")

    monkeypatch.setattr(table, "measure", no_measuring)
    assert payload_record("mnist", "mlp", "fl", 2, 10, rounds=1) == rec
    with pytest.raises(AssertionError):  # other inputs, other key
        payload_record("mnist", "mlp", "fl", 2, 10, rounds=2)


def test_explicit_cache_dir_and_round_trip(tmp_path):
    rec = payload_record("mnist", "cnn", "fcddt", 2, 5, "float16", rounds=1, cache_dir=tmp_path)
    (path,) = tmp_path.iterdir()
    again = PayloadRecord.from_dict(json.loads(path.read_text()))
    assert again == rec and again.to_dict() == rec.to_dict()
    assert rec.split == "fc1" and rec.data_source.startswith("stand-in")


def test_unreadable_cache_file_is_measured_again(private_cache):
    payload_record("mnist", "mlp", "cc", 2, 10, rounds=1)
    (path,) = private_cache.iterdir()
    path.write_text("{not json")
    rec = payload_record("mnist", "mlp", "cc", 2, 10, rounds=1)
    assert json.loads(path.read_text())["upload_bytes_per_node"] == rec.upload_bytes_per_node


def test_key_covers_split_rounds_seed_and_source(tmp_path):
    base = MeasureConfig("mnist", "mlp", "fcddt", 2, 10).validated()
    variants = [
        MeasureConfig("mnist", "mlp", "fcddt", 2, 10, split="relu1"),
        MeasureConfig("mnist", "mlp", "fcddt", 2, 10, rounds=4),
        MeasureConfig("mnist", "mlp", "fcddt", 2, 10, seed=1),
        MeasureConfig("mnist", "mlp", "fcddt", 2, 10, data_dir=tmp_path),
    ]
    keys = {cache_key(v.validated()) for v in variants}
    assert cache_key(base) not in keys and len(keys) == 4
    # the default split resolves to the same record as naming it
    named = MeasureConfig("mnist", "mlp", "fcddt", 2, 10, split="fc1").validated()
    assert cache_key(named) == cache_key(base)


def test_split_is_checked_but_not_recorded_for_cc_and_fl():
    assert payload_record("mnist", "mlp", "cc", 2, 10, split="relu1", rounds=1).split is None
    with pytest.raises(UserError, match="'nope'"):
        payload_record("mnist", "mlp", "fl", 2, 10, split="nope")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("cifar10", "mlp", "fl", 2, 10), "'mlp' is not a cifar10 model (allowed: lenet5, vgg16)"),
        (("mnist", "mlp", "xx", 2, 10), "unknown method 'xx' (allowed: cc, fl, fcddt)"),
        (("mnist", "mlp", "fl", 0, 10), "fog nodes 0"),
        (("mnist", "mlp", "fl", 2, 0), "batch size 0"),
    ],
)
def test_bad_inputs(args, needle):
    with pytest.raises(UserError) as info:
        payload_record(*args)
    assert needle in str(info.value)
