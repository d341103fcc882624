# SPDX-License-Identifier: MIT
"""Per-message sizes of a record, in protocol order, as the simulation sends them."""

import pytest

from fogcosim.errors import UserError
from mlpayloads.table import payload_record

B = 100
W_FC1 = 784 * 128 + 128
W_TOTAL = W_FC1 + 128 * 10 + 10

# MNIST MLP, B=100, float32: (kind, direction, tensor-data bytes), in protocol order.
PROTOCOL = {
    ("fl", 1): [("gradient", "up", W_TOTAL * 4), ("weights", "down", W_TOTAL * 4)],
    ("fl", 2): [("weight_delta", "up", W_TOTAL * 4), ("weights", "down", W_TOTAL * 4)],
    ("cc", 1): [("raw_batch", "up", B * 784 + B)],
    ("fcddt", 1): [
        ("activations", "up", B * 128 * 4 + B),
        ("activation_grads", "down", B * 128 * 4),
        ("local_gradient", "up", W_FC1 * 4),
        ("local_weights", "down", W_FC1 * 4),
    ],
}


@pytest.mark.parametrize(("method", "steps"), sorted(PROTOCOL))
def test_message_kinds_in_protocol_order_and_their_bytes(method, steps):
    rec = payload_record("mnist", "mlp", method, B, local_steps=steps, rounds=1)
    expected = PROTOCOL[(method, steps)]
    assert rec.message_kinds() == [(k, d) for k, d, _ in expected]
    headers = {(m.kind, m.direction): m.header_bytes for m in rec.messages}
    for kind, direction, data in expected:
        assert rec.message_bytes(kind, direction) == data + headers[(kind, direction)]
    # an aggregated FN's round is the sum of its messages
    up = sum(rec.message_bytes(k, d) for k, d in rec.message_kinds() if d == "up")
    down = sum(rec.message_bytes(k, d) for k, d in rec.message_kinds() if d == "down")
    assert (up, down) == (rec.upload_bytes_per_node, rec.download_bytes_per_node)


def test_table1_view_drops_fcddts_exact_backward_exchange():
    rec = payload_record("mnist", "mlp", "fcddt", B, rounds=1)
    assert rec.message_kinds("table1") == [("activations", "up"), ("local_weights", "down")]
    assert rec.table1_bytes() == (
        rec.message_bytes("activations", "up"),
        rec.message_bytes("local_weights", "down"),
    )
    fl = payload_record("mnist", "mlp", "fl", B, rounds=1)
    assert fl.message_kinds("table1") == fl.message_kinds()
    with pytest.raises(UserError, match="unknown accounting 'paper'"):
        rec.message_kinds("paper")


def test_a_kind_the_method_does_not_send_is_a_user_error():
    rec = payload_record("mnist", "mlp", "fl", B, rounds=1)
    with pytest.raises(UserError, match=r"fl sends no 'activations' message 'up' \(it sends: "
                       r"gradient up, weights down\)"):  # fmt: skip
        rec.message_bytes("activations", "up")
    with pytest.raises(UserError, match="no 'gradient' message 'down'"):
        rec.message_bytes("gradient", "down")
