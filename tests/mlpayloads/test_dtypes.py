# SPDX-License-Identifier: MIT
"""float16 halves the float payload; CC uploads uint8 whatever the wire dtype."""

import pytest

from mlpayloads.measure import MeasureConfig, measure


def record(method, dtype, model="mlp", dataset="mnist"):
    return measure(MeasureConfig(dataset, model, method, 2, 20, dtype, rounds=1))


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_float16_halves_fl_payload(model):
    r32, r16 = record("fl", "float32", model), record("fl", "float16", model)
    for direction in ("upload", "download"):
        data32 = getattr(r32, f"{direction}_bytes_per_node") - getattr(
            r32, f"{direction}_header_bytes"
        )
        data16 = getattr(r16, f"{direction}_bytes_per_node") - getattr(
            r16, f"{direction}_header_bytes"
        )
        assert data32 == 2 * data16 == 4 * r32.param_count_total
    assert {t.dtype for m in r16.messages for t in m.tensors} == {"F16"}


def test_float16_halves_fcddt_floats_but_not_labels():
    r32, r16 = record("fcddt", "float32"), record("fcddt", "float16")
    labels = 20  # uint8
    up32 = r32.upload_bytes_per_node - r32.upload_header_bytes - labels
    up16 = r16.upload_bytes_per_node - r16.upload_header_bytes - labels
    assert up32 == 2 * up16
    down32 = r32.download_bytes_per_node - r32.download_header_bytes
    assert down32 == 2 * (r16.download_bytes_per_node - r16.download_header_bytes)
    activations = next(m for m in r16.messages if m.kind == "activations")
    assert {t.name: t.dtype for t in activations.tensors} == {"activations": "F16", "labels": "U8"}


def test_cc_upload_is_uint8_in_any_wire_dtype():
    r32, r16 = record("cc", "float32"), record("cc", "float16")
    assert r32.upload_bytes_per_node == r16.upload_bytes_per_node
    assert r32.upload_bytes_per_node == 20 * 784 + 20 + r32.upload_header_bytes
    (msg,) = r16.messages
    assert {t.name: (t.dtype, t.shape) for t in msg.tensors} == {
        "pixels": ("U8", (20, 1, 28, 28)),
        "labels": ("U8", (20,)),
    }
    assert r16.download_bytes_per_node == 0


def test_cifar_cc_upload_is_uint8():
    r = record("cc", "float32", "lenet5", "cifar10")
    assert r.upload_bytes_per_node == 20 * 3072 + 20 + r.upload_header_bytes
