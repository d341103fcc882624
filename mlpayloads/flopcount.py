# SPDX-License-Identifier: MIT
"""Count the FLOPs of a scheme's protocol steps on the actual model (torch; see `flops`).

Every pass runs on meta tensors: only shapes are propagated, so even VGG-16 at a large
batch takes milliseconds. A cloud step is counted at one and at two FNs' batches; the
difference is its FLOPs per aggregated FN and the rest its fixed part (zero for the
counted operations, which scale with the batch).
"""

from __future__ import annotations

import importlib.metadata
import math
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from mlpayloads.catalog import INPUT_SHAPES
from mlpayloads.flops import CLOUD, COMPUTE, DOWN, FOG, UP, ComputeProfile, Step
from mlpayloads.models import build_model, param_count, split_model

META = torch.device("meta")


def counted(fn: Callable[[], object]) -> int:
    """FLOPs that `FlopCounterMode` counts while `fn` runs."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


def _labels(n: int) -> torch.Tensor:
    return torch.zeros(n, dtype=torch.long, device=META)


def train_pass(model: nn.Module, input_shape: tuple[int, ...], n: int) -> int:
    """Forward, loss and parameter gradients of `model` on n samples of data (no input grad)."""
    x = torch.zeros((n, *input_shape), device=META)
    params = list(model.parameters())

    def run() -> None:
        loss = F.cross_entropy(model(x), _labels(n))
        torch.autograd.grad(loss, params)

    return counted(run)


def forward_pass(model: nn.Module, input_shape: tuple[int, ...], n: int) -> int:
    """Forward of `model` on n samples (FCDDT's local forward)."""
    x = torch.zeros((n, *input_shape), device=META)
    return counted(lambda: model(x))


def local_backward(model: nn.Module, input_shape: tuple[int, ...], n: int) -> int:
    """Backward of the local model from dL/dz to its parameter gradients, n samples."""
    x = torch.zeros((n, *input_shape), device=META)
    z = model(x)
    params = list(model.parameters())
    return counted(lambda: torch.autograd.grad(z, params, grad_outputs=torch.ones_like(z)))


def remote_pass(model: nn.Module, z_shape: tuple[int, ...], n: int) -> int:
    """Remote forward, loss, and gradients of its parameters and of its input z, n samples."""
    # dL/dz of a non-leaf z: FlopCounterMode's module hooks refuse a leaf input to grad().
    z = torch.zeros((n, *z_shape), device=META, requires_grad=True).clone()
    params = list(model.parameters())

    def run() -> None:
        loss = F.cross_entropy(model(z), _labels(n))
        torch.autograd.grad(loss, [*params, z])

    return counted(run)


def linear_in_k(count: Callable[[int], int], batch_size: int) -> tuple[int, int]:
    """(fixed, per FN) of a count over k FNs' batches, from k = 1 and k = 2."""
    one, two = count(batch_size), count(2 * batch_size)
    return 2 * one - two, two - one


def fog_memory(fn_model: nn.Sequential | None, input_shape: tuple[int, ...], b: int,
               local_steps: int) -> int:  # fmt: skip
    """Estimated bytes of training tensors on one FN (formula: `mlpayloads.flops`)."""
    d = math.prod(input_shape)
    if fn_model is None:  # CC: the raw uint8 batch and its serialised message
        return 2 * (b * d + b)
    x = torch.zeros((1, *input_shape), device=META)
    per_sample = 0
    for layer in fn_model:
        x = layer(x)
        per_sample += x[0].numel()
    w = param_count(fn_model)
    copies = 3 + (1 if local_steps > 1 else 0)
    return 4 * (copies * w + 2 * b * per_sample + b * d) + b * d + b


def sgd_update(n: int) -> int:
    """W - lr * g: a multiply and a subtraction per weight."""
    return 2 * n


def count_profile(
    dataset: str,
    model_name: str,
    method: str,
    batch_size: int,
    split: str | None,
    local_steps: int,
    accounting: str,
) -> ComputeProfile:
    """Count every step of one round (arguments validated by `flops.compute_profile`)."""
    model = build_model(dataset, model_name, 0).to(META)
    shape = INPUT_SHAPES[dataset]
    b = batch_size
    w = param_count(model)
    w_local = 0
    fn_model: nn.Sequential | None = None if method == "cc" else model
    steps: dict[str, Step] = {}
    protocol: list[tuple[str, str]] = []
    notes: list[str] = []
    if method == "cc":
        fixed, per_fn = linear_in_k(lambda n: train_pass(model, shape, n), b)
        steps["cloud_train"] = Step(
            CLOUD,
            fixed + sgd_update(w),
            per_fn,
            what="forward + backward + SGD update of the whole model on k*B samples",
        )
        protocol += [(UP, "raw_batch"), (COMPUTE, "cloud_train")]
    elif method == "fl":
        one_step = train_pass(model, shape, b)
        extra = 0 if local_steps == 1 else local_steps * sgd_update(w) + w
        steps["fog_train"] = Step(
            FOG,
            local_steps * one_step + extra,
            0,
            what=f"{local_steps} x (forward + backward of the whole model on B samples)"
            + ("" if local_steps == 1 else " + an SGD update after each + the delta"),
        )
        update = sgd_update(w) if local_steps == 1 else w
        steps["cloud_aggregate"] = Step(
            CLOUD,
            update,
            w,
            what="average k uploads of |w| (k*|w|) + update w",
        )
        upload = "gradient" if local_steps == 1 else "weight_delta"
        protocol += [
            (COMPUTE, "fog_train"),
            (UP, upload),
            (COMPUTE, "cloud_aggregate"),
            (DOWN, "weights"),
        ]
    else:
        assert split is not None
        local, remote = split_model(model, split)
        fn_model = local
        w_local = param_count(local)
        z_shape = tuple(local(torch.zeros((1, *shape), device=META)).shape[1:])
        steps["fog_forward"] = Step(
            FOG, forward_pass(local, shape, b), 0, what="local forward on B samples"
        )
        fixed, per_fn = linear_in_k(lambda n: remote_pass(remote, z_shape, n), b)
        steps["cloud_remote"] = Step(
            CLOUD,
            fixed + sgd_update(param_count(remote)),
            per_fn,
            what="remote forward + backward (incl. dL/dz) on k*B samples + update w_remote",
        )
        protocol += [(COMPUTE, "fog_forward"), (UP, "activations"), (COMPUTE, "cloud_remote")]
        if w_local and accounting == "measured":
            steps["fog_backward"] = Step(
                FOG,
                local_backward(local, shape, b),
                0,
                aggregated_only=True,
                what="local backward from dL/dz on B samples (aggregated FNs only)",
            )
            steps["cloud_local_update"] = Step(
                CLOUD,
                sgd_update(w_local),
                w_local,
                what="average k local gradients (k*|w_local|) + update w_local",
            )
            protocol += [
                (DOWN, "activation_grads"),
                (COMPUTE, "fog_backward"),
                (UP, "local_gradient"),
                (COMPUTE, "cloud_local_update"),
                (DOWN, "local_weights"),
            ]
        elif w_local:
            protocol.append((DOWN, "local_weights"))
            notes.append(
                "Table 1's protocol: the local gradient cannot be computed without the FN's "
                "inputs, so no local backward and no w_local update are counted"
            )
    return ComputeProfile(
        dataset=dataset,
        model=model_name,
        method=method,
        batch_size=batch_size,
        split=split,
        local_steps=local_steps,
        accounting=accounting,
        steps=steps,
        protocol=tuple(protocol),
        param_count_total=w,
        param_count_local=w_local if method == "fcddt" else (w if method == "fl" else 0),
        torch_version=importlib.metadata.version("torch"),
        notes=tuple(notes),
        fog_memory_bytes=fog_memory(fn_model, shape, b, local_steps),
    )
