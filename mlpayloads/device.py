# SPDX-License-Identifier: MIT
"""Where training runs: the CPU, or a CUDA device when torch sees one (``--device``).

``auto`` picks CUDA when ``torch.cuda.is_available()``, else the CPU; ``cuda`` without
one is a one-line error; ``cpu`` is the CPU. What the device changes and what it does
not:

* **Sizes and FLOPs: nothing.** A message is serialised from a CPU copy of its tensors
  (safetensors moves them), with the same names, dtypes and shapes, so every byte
  count is the same; FLOPs are counted on meta tensors, on no device at all.
* **Accuracy: summation order only.** The initial weights are drawn on the CPU from the
  seed and moved, the data order comes from NumPy's RNG, and TF32 is switched off for
  matrix products and cuDNN convolutions (`use`), so the GPU computes in IEEE float32
  like the CPU; only the order in which sums are reduced differs (and cuDNN may pick
  non-deterministic algorithms). Float32 rounding differences of ~1e-7 relative per
  operation grow over rounds; the documented tolerance (docs/mlpayloads.md) is 0.02
  absolute accuracy per evaluation against the CPU run over 20 rounds.
  `tests/mlpayloads/test_device.py` checks it where a GPU exists.
"""

from __future__ import annotations

import os

import torch

from fogcosim.errors import UserError
from mlpayloads.catalog import check_device_name

CPU = torch.device("cpu")


def share_cores(workers: int) -> int:
    """Give each of `workers` training processes its share of the CPU cores; return it.

    torch trains on as many threads as there are cores. Several processes doing that
    at once (a sweep's local workers) put more busy threads than cores on the machine,
    and torch's threads then wait for one another: on this 2-core machine, two workers of
    2 threads each took minutes for a training step that takes a second alone. Call
    this before the workers start (they inherit it); accuracies do not change.
    """
    threads = max(1, (os.cpu_count() or 1) // max(1, workers))
    torch.set_num_threads(threads)
    return threads


def resolve_device(name: str) -> torch.device:
    """The torch device `name` ("auto", "cpu", "cuda") stands for here (UserError if none)."""
    check_device_name(name)
    if name == "cpu":
        return CPU
    if torch.cuda.is_available():
        return use(torch.device("cuda"))
    if name == "cuda":
        built = f"CUDA {torch.version.cuda}" if torch.version.cuda else "no CUDA (a CPU build)"
        raise UserError(
            f"--device cuda: torch {torch.__version__} ({built}) sees no CUDA device here; "
            "use --device auto or cpu"
        )
    return CPU


def use(device: torch.device) -> torch.device:
    """Prepare `device` for float32 training as the CPU does it: no TF32 shortcuts."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    return device
