# SPDX-License-Identifier: MIT
"""The paper's four models, each an ordered sequence of named layers.

A split point is chosen by layer name: `split` is the last layer that runs on the
fog node (FN); every later layer runs in the cloud. The default split of each model
follows the paper's advice ("divide the network at the layer producing the output
with a small dimension"): it is the layer that minimises FCDDT's Table-1 cost per FN,
``B * l_m + |w_local|``, at B = 100, among the splits that leave at least one layer
with parameters on each side (with none on the FN it is Cloud Computing with float
pixels; with none in the cloud it is Federated Learning plus logits). Ties (a layer
and the activation, pooling or flatten that follows it have the same output size and
no parameters of their own) go to the earliest layer.

| model  | data set | layers (names)                                      | default split |
|--------|----------|-----------------------------------------------------|---------------|
| mlp    | mnist    | flatten, fc1 784->128, relu1, fc2 128->10           | fc1           |
| cnn    | mnist    | conv1 16x5x5, relu1, pool1, conv2 32x5x5, relu2,    | fc1           |
|        |          | pool2, flatten, fc1 1568->64, relu3, fc2 64->10     |               |
| lenet5 | cifar10  | conv1 6x5x5, relu1, pool1, conv2 16x5x5, relu2,     | pool2         |
|        |          | pool2, flatten, fc1 400->120, relu3, fc2 120->84,   |               |
|        |          | relu4, fc3 84->10                                   |               |
| vgg16  | cifar10  | VGG-16 configuration D: 13 3x3 convolutions in five | pool2         |
|        |          | blocks (conv<b>_<i>, relu<b>_<i>, pool<b>), flatten,|               |
|        |          | fc1 512->512, relu_fc1, fc2 512->512, relu_fc2, fc3 |               |

VGG-16 has no batch normalisation and no dropout (as in Simonyan & Zisserman's
configuration D): batch statistics would differ between one FN's batch and the cloud's
union batch, and dropout draws random masks, and either would break the exact
equivalence of CC, FL and FCDDT. All models have parameters only (no buffers).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from mlpayloads.catalog import DATASET_MODELS as DATASET_MODELS
from mlpayloads.catalog import DEFAULT_SPLITS, NUM_CLASSES, VGG16_BLOCKS, check_model, resolve_split
from mlpayloads.catalog import INPUT_SHAPES as INPUT_SHAPES
from mlpayloads.catalog import check_dataset as check_dataset


def _mlp() -> nn.Sequential:
    return nn.Sequential(
        OrderedDict(
            [
                ("flatten", nn.Flatten()),
                ("fc1", nn.Linear(28 * 28, 128)),
                ("relu1", nn.ReLU()),
                ("fc2", nn.Linear(128, NUM_CLASSES)),
            ]
        )
    )


def _cnn() -> nn.Sequential:
    return nn.Sequential(
        OrderedDict(
            [
                ("conv1", nn.Conv2d(1, 16, 5, padding=2)),
                ("relu1", nn.ReLU()),
                ("pool1", nn.MaxPool2d(2)),
                ("conv2", nn.Conv2d(16, 32, 5, padding=2)),
                ("relu2", nn.ReLU()),
                ("pool2", nn.MaxPool2d(2)),
                ("flatten", nn.Flatten()),
                ("fc1", nn.Linear(32 * 7 * 7, 64)),
                ("relu3", nn.ReLU()),
                ("fc2", nn.Linear(64, NUM_CLASSES)),
            ]
        )
    )


def _lenet5() -> nn.Sequential:
    return nn.Sequential(
        OrderedDict(
            [
                ("conv1", nn.Conv2d(3, 6, 5)),
                ("relu1", nn.ReLU()),
                ("pool1", nn.MaxPool2d(2)),
                ("conv2", nn.Conv2d(6, 16, 5)),
                ("relu2", nn.ReLU()),
                ("pool2", nn.MaxPool2d(2)),
                ("flatten", nn.Flatten()),
                ("fc1", nn.Linear(16 * 5 * 5, 120)),
                ("relu3", nn.ReLU()),
                ("fc2", nn.Linear(120, 84)),
                ("relu4", nn.ReLU()),
                ("fc3", nn.Linear(84, NUM_CLASSES)),
            ]
        )
    )


def _vgg16() -> nn.Sequential:
    layers: list[tuple[str, nn.Module]] = []
    channels = 3
    for block, widths in enumerate(VGG16_BLOCKS, start=1):
        for i, width in enumerate(widths, start=1):
            layers.append((f"conv{block}_{i}", nn.Conv2d(channels, width, 3, padding=1)))
            layers.append((f"relu{block}_{i}", nn.ReLU()))
            channels = width
        layers.append((f"pool{block}", nn.MaxPool2d(2)))
    layers += [
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(512, 512)),
        ("relu_fc1", nn.ReLU()),
        ("fc2", nn.Linear(512, 512)),
        ("relu_fc2", nn.ReLU()),
        ("fc3", nn.Linear(512, NUM_CLASSES)),
    ]
    return nn.Sequential(OrderedDict(layers))


@dataclass(frozen=True)
class ModelSpec:
    """One of the paper's models: its data set, builder and default split layer."""

    name: str
    dataset: str
    build: Callable[[], nn.Sequential]
    default_split: str


MODELS: dict[str, ModelSpec] = {
    "mlp": ModelSpec("mlp", "mnist", _mlp, DEFAULT_SPLITS["mlp"]),
    "cnn": ModelSpec("cnn", "mnist", _cnn, DEFAULT_SPLITS["cnn"]),
    "lenet5": ModelSpec("lenet5", "cifar10", _lenet5, DEFAULT_SPLITS["lenet5"]),
    "vgg16": ModelSpec("vgg16", "cifar10", _vgg16, DEFAULT_SPLITS["vgg16"]),
}


def model_spec(dataset: str, model: str) -> ModelSpec:
    """The spec of `model` for `dataset`; a UserError names a bad or mismatched pair."""
    return MODELS[check_model(dataset, model)]


def build_model(dataset: str, model: str, seed: int) -> nn.Sequential:
    """Build `model` with weights drawn from `seed`, leaving torch's global RNG as it was."""
    spec = model_spec(dataset, model)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return spec.build()


def layer_names(model: nn.Sequential) -> list[str]:
    """The model's layer names, in execution order."""
    return [name for name, _ in model.named_children()]


def check_split(model_name: str, model: nn.Sequential, split: str | None) -> str:
    """Resolve `split` (None: the model's default); a UserError lists the layer names.

    `model` is the built model; its layer names are those of `mlpayloads.catalog.LAYERS`.
    """
    del model  # the names come from the catalog, which a test checks against the models
    return resolve_split(model_name, split)


def split_model(model: nn.Sequential, split: str) -> tuple[nn.Sequential, nn.Sequential]:
    """Return (local, remote): the layers up to and including `split`, and the rest.

    Both share their modules with `model` (no copy).
    """
    names = layer_names(model)
    cut = names.index(split) + 1
    children = list(model.named_children())
    return nn.Sequential(OrderedDict(children[:cut])), nn.Sequential(OrderedDict(children[cut:]))


def param_count(module: nn.Module) -> int:
    """Number of trainable parameter elements, |w|."""
    return sum(p.numel() for p in module.parameters())


def output_shapes(model: nn.Sequential, input_shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Per-sample output shape of every layer, from one forward pass on zeros."""
    shapes: dict[str, tuple[int, ...]] = {}
    x = torch.zeros((1, *input_shape))
    with torch.no_grad():
        for name, layer in model.named_children():
            x = layer(x)
            shapes[name] = tuple(x.shape[1:])
    return shapes


def split_cost_table(
    model: nn.Sequential, input_shape: tuple[int, ...], batch_size: int = 100
) -> list[tuple[str, int, int, int]]:
    """Per layer: (name, l_m per sample, |w_local|, B * l_m + |w_local|) if split there."""
    shapes = output_shapes(model, input_shape)
    rows = []
    for name in layer_names(model):
        local, _ = split_model(model, name)
        l_m = math.prod(shapes[name])
        w_local = param_count(local)
        rows.append((name, l_m, w_local, batch_size * l_m + w_local))
    return rows


def cheapest_split(
    model: nn.Sequential, input_shape: tuple[int, ...], batch_size: int = 100
) -> str:
    """The rule behind each default split (module docstring): earliest minimum of the cost."""
    total = param_count(model)
    rows = [r for r in split_cost_table(model, input_shape, batch_size) if 0 < r[2] < total]
    return min(rows, key=lambda r: r[3])[0]
