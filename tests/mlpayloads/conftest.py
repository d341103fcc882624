# SPDX-License-Identifier: MIT
"""Shared fixtures for the mlpayloads tests: one torch thread, a private cache."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from mlpayloads.data import Data, load_data

torch.set_num_threads(1)  # the suite runs under pytest -n 2 on a shared machine


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own FOGCOSIM_CACHE, so nothing is read from or left in results/."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("FOGCOSIM_CACHE", str(cache))
    return cache


@pytest.fixture(scope="session")
def mnist_default() -> Data:
    """The default MNIST data (the MNIST 5k sample)."""
    return load_data("mnist")
