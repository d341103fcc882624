# SPDX-License-Identifier: MIT
import pytest

from fogcosim.errors import UserError
from mlpayloads.models import (
    INPUT_SHAPES,
    MODELS,
    build_model,
    cheapest_split,
    check_split,
    layer_names,
    param_count,
    split_model,
)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_default_split_is_the_documented_rule(name):
    spec = MODELS[name]
    model = build_model(spec.dataset, name, 0)
    assert cheapest_split(model, INPUT_SHAPES[spec.dataset], 100) == spec.default_split
    assert check_split(name, model, None) == spec.default_split


def test_param_counts_of_the_paper_models():
    counts = {n: param_count(build_model(s.dataset, n, 0)) for n, s in MODELS.items()}
    assert counts["mlp"] == 784 * 128 + 128 + 128 * 10 + 10
    assert counts["lenet5"] == 62006
    assert counts["vgg16"] == 15245130


def test_split_shares_modules_and_keeps_order():
    model = build_model("mnist", "cnn", 0)
    local, remote = split_model(model, "fc1")
    assert layer_names(local) + layer_names(remote) == layer_names(model)
    assert local.fc1 is model.fc1


def test_unknown_split_lists_layer_names():
    model = build_model("mnist", "mlp", 0)
    with pytest.raises(UserError, match=r"'conv9'.*flatten, fc1, relu1, fc2"):
        check_split("mlp", model, "conv9")


@pytest.mark.parametrize(
    ("dataset", "model", "pattern"),
    [
        ("imagenet", "mlp", r"data set 'imagenet'.*mnist, cifar10"),
        ("mnist", "resnet", r"model 'resnet'.*mlp, cnn, lenet5, vgg16"),
        ("mnist", "vgg16", r"'vgg16' is not a mnist model.*mlp, cnn"),
    ],
)
def test_bad_model_or_dataset(dataset, model, pattern):
    with pytest.raises(UserError, match=pattern):
        build_model(dataset, model, 0)


def test_same_seed_same_weights():
    a, b = build_model("mnist", "mlp", 3), build_model("mnist", "mlp", 3)
    assert all((p == q).all() for p, q in zip(a.parameters(), b.parameters(), strict=True))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_catalog_layer_names_are_the_built_models(name):
    """Cache lookups validate splits from the torch-free catalog; it must match the models."""
    from mlpayloads.catalog import DATASET_MODELS, DEFAULT_SPLITS, LAYERS

    spec = MODELS[name]
    assert name in DATASET_MODELS[spec.dataset]
    assert LAYERS[name] == tuple(layer_names(build_model(spec.dataset, name, 0)))
    assert DEFAULT_SPLITS[name] == spec.default_split
