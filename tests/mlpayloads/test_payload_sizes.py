# SPDX-License-Identifier: MIT
"""Measured bytes per FN equal the analytic element counts times element size plus the header.

MNIST, MLP (784-128-10), p=4, B=100, float32. The element counts are derived here from
the model's definition, independently of the measurement code; the header size is read
from each message's 8-byte safetensors length prefix (Message.header_bytes).
"""

import pytest

import mlpayloads.measure
from mlpayloads.catalog import MNIST_5K, STAND_IN
from mlpayloads.data import Data, stand_in
from mlpayloads.measure import MeasureConfig, measure
from mlpayloads.rounds import Channel
from mlpayloads.wire import predict_header_bytes

B, P, D = 100, 4, 28 * 28
W_FC1 = 784 * 128 + 128
W_TOTAL = W_FC1 + 128 * 10 + 10
L_M = 128  # output of fc1, the MLP's default split

# (upload bytes, download bytes) of tensor data per FN per round, float32 = 4 bytes.
EXPECTED_DATA = {
    "cc": (B * D * 1 + B * 1, 0),  # uint8 pixels + uint8 labels; nothing down
    "fl": (W_TOTAL * 4, W_TOTAL * 4),  # gradient up, weights down
    # activations + uint8 labels + local gradient up; activation gradients + w_local down
    "fcddt": (B * L_M * 4 + B + W_FC1 * 4, B * L_M * 4 + W_FC1 * 4),
}
# The paper's Table-1 terms per FN, in elements.
TABLE1 = {"cc": (B * D, 0), "fl": (W_TOTAL, W_TOTAL), "fcddt": (B * L_M + B, W_FC1)}


@pytest.mark.parametrize("method", ["cc", "fl", "fcddt"])
def test_measured_bytes_equal_analytic_plus_header(method, monkeypatch):
    seen = []
    original = Channel.transfer

    def spy(self, round_index, node, direction, out):
        decoded = original(self, round_index, node, direction, out)
        seen.append(self.messages[-1])
        return decoded

    monkeypatch.setattr(Channel, "transfer", spy)
    record = measure(MeasureConfig("mnist", "mlp", method, P, B, "float32", rounds=2))

    up_data, down_data = EXPECTED_DATA[method]
    for r in record.rounds:
        assert len(r.aggregated) == P
        for cell in r.nodes:
            mine = [m for m in seen if m.round == r.round and m.node == cell.node]
            up_header = sum(m.header_bytes for m in mine if m.direction == "up")
            down_header = sum(m.header_bytes for m in mine if m.direction == "down")
            assert cell.upload_bytes == up_data + up_header
            assert cell.download_bytes == down_data + down_header
            for m in mine:  # the header size is also predictable from names and shapes
                assert m.header_bytes == predict_header_bytes(m.entries)
    assert (record.analytic_upload_elements, record.analytic_download_elements) == TABLE1[method]
    assert record.upload_bytes_per_node == up_data + record.upload_header_bytes
    assert record.download_bytes_per_node == down_data + record.download_header_bytes
    assert record.param_count_total == W_TOTAL


def test_header_sizes_of_the_mnist_mlp_messages():
    """docs/mlpayloads.md quotes these; they change only if tensor names or shapes change."""
    headers = {}
    for method in ("cc", "fl", "fcddt"):
        record = measure(MeasureConfig("mnist", "mlp", method, P, B, "float32", rounds=1))
        headers |= {(method, m.kind): m.header_bytes for m in record.messages}
    assert headers == {
        ("cc", "raw_batch"): 144,
        ("fl", "gradient"): 296,
        ("fl", "weights"): 296,
        ("fcddt", "activations"): 152,
        ("fcddt", "activation_grads"): 80,
        ("fcddt", "local_gradient"): 152,
        ("fcddt", "local_weights"): 152,
    }


# docs/mlpayloads.md's payload table (bytes per FN per round, B=100, float32), measured on
# the stand-in digits before the MNIST 5k sample became the default.
DOCUMENTED = {
    ("mlp", "cc"): (78_644, 0),
    ("mlp", "fl"): (407_376, 407_376),
    ("mlp", "fcddt"): (453_524, 453_352),
    ("cnn", "cc"): (78_644, 0),
    ("cnn", "fl"): (457_848, 457_848),
    ("cnn", "fcddt"): (480_956, 480_784),
}


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_payload_sizes_do_not_depend_on_the_data(model, monkeypatch):
    """The MNIST 5k sample and the resized stand-in digits give every message the same size."""

    def sizes(record):
        return [(m.kind, m.direction, m.bytes, m.header_bytes, m.tensors) for m in record.messages]

    for method in ("cc", "fl", "fcddt"):
        config = MeasureConfig("mnist", model, method, 2, B, "float32", rounds=1)
        real = measure(config)
        assert real.data_source == MNIST_5K
        with monkeypatch.context() as m:
            m.setattr(
                mlpayloads.measure,
                "load_data",
                lambda *a, **k: Data("mnist", STAND_IN, *stand_in("mnist")),
            )
            resized = measure(config)
        assert resized.data_source == STAND_IN
        assert sizes(real) == sizes(resized)
        got = (real.upload_bytes_per_node, real.download_bytes_per_node)
        assert got == (resized.upload_bytes_per_node, resized.download_bytes_per_node)
        assert got == DOCUMENTED[(model, method)]
