# SPDX-License-Identifier: MIT
"""--device auto|cpu|cuda: what auto picks, the error without a GPU, and GPU = CPU in sizes."""

import numpy as np
import pytest
import torch

from fogcosim.errors import UserError
from mlpayloads.config import MeasureConfig
from mlpayloads.cotrain import CoTrainer
from mlpayloads.device import resolve_device
from mlpayloads.measure import measure

HAS_CUDA = torch.cuda.is_available()
#: docs/mlpayloads.md: the GPU's accuracy after each round is within this of the CPU's.
ACCURACY_TOLERANCE = 0.02


def test_cpu_is_the_cpu_and_auto_picks_cpu_without_a_gpu(monkeypatch):
    assert resolve_device("cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")


def test_auto_picks_cuda_when_torch_sees_one_and_turns_tf32_off(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    try:  # torch's backend flags are properties monkeypatch cannot set
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
        assert resolve_device("auto").type == "cuda"
        assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def test_cuda_without_one_is_a_one_line_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(UserError) as info:
        resolve_device("cuda")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("--device cuda: torch ") and "sees no CUDA device here" in message
    assert "use --device auto or cpu" in message


def test_unknown_device_names_the_choices():
    with pytest.raises(UserError, match=r"unknown device 'tpu' \(allowed: auto, cpu, cuda\)"):
        MeasureConfig("mnist", "mlp", "fl", 2, 10, device="tpu").validated()


def _sizes(record):
    return [(m.kind, m.direction, m.bytes, m.header_bytes) for m in record.messages]


@pytest.mark.skipif(not HAS_CUDA, reason="no CUDA device here (the CPU path is tested above)")
@pytest.mark.parametrize("method", ["cc", "fl", "fcddt"])
def test_gpu_gives_the_cpus_sizes_and_accuracy_within_tolerance(method):
    base = MeasureConfig("mnist", "cnn", method, 2, 100, rounds=1, device="cpu")
    gpu = MeasureConfig("mnist", "cnn", method, 2, 100, rounds=1, device="cuda")
    assert _sizes(measure(base)) == _sizes(measure(gpu))
    curves = []
    for device in ("cpu", "cuda"):
        config = MeasureConfig("mnist", "cnn", method, 4, 100, lr=0.1, device=device)
        trainer = CoTrainer(config)
        assert trainer.device.type == device
        curves.append([trainer.run_round([0, 1, 2, 3]).accuracy for _ in range(20)])
    assert np.abs(np.subtract(*curves)).max() <= ACCURACY_TOLERANCE
