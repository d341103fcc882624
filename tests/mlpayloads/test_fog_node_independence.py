# SPDX-License-Identifier: MIT
"""The claim behind one record for every FN count: a message's bytes depend on its kind only.

Each run is measured through a spy on the channel, so every single message is checked,
not only the record's summary: at p=2 and p=6, without and with a straggler rate, every
message of a kind has the bytes the reusable record (measured at p=2, all aggregated)
gives for that kind, and stragglers send no other kinds.
"""

import pytest

from mlpayloads.measure import MeasureConfig, measure
from mlpayloads.rounds import Channel
from mlpayloads.table import payload_record

CASES = [
    ("mnist", "mlp", "cc", {}),
    ("mnist", "mlp", "fl", {}),
    ("mnist", "mlp", "fl", {"local_steps": 2}),
    ("mnist", "mlp", "fcddt", {}),
    ("cifar10", "lenet5", "fcddt", {}),
    ("mnist", "cnn", "fcddt", {"split": "conv2"}),
]


@pytest.fixture
def spy(monkeypatch):
    seen = []
    original = Channel.transfer

    def transfer(self, round_index, node, direction, out):
        decoded = original(self, round_index, node, direction, out)
        seen.append(self.messages[-1])
        return decoded

    monkeypatch.setattr(Channel, "transfer", transfer)
    return seen


@pytest.mark.parametrize(("dataset", "model", "method", "extra"), CASES)
def test_message_bytes_do_not_depend_on_fog_nodes_or_stragglers(spy, dataset, model, method, extra):
    b = 6
    record = payload_record(dataset, model, method, b, rounds=1, **extra)
    kinds = record.message_kinds()
    alphas = [0.0] if method == "cc" else [0.0, 0.5]
    for p in (2, 6):
        for alpha in alphas:
            spy.clear()
            config = MeasureConfig(
                dataset, model, method, p, b, rounds=2, straggler_rate=alpha, **extra
            )
            run = measure(config, progress=False)
            assert {(m.kind, m.direction) for m in spy} <= set(kinds)
            for m in spy:
                assert m.nbytes == record.message_bytes(m.kind, m.direction), (p, alpha, m)
            for r in run.rounds:
                for cell in r.nodes:
                    mine = [m for m in spy if m.round == r.round and m.node == cell.node]
                    if cell.aggregated:  # an aggregated FN exchanges every kind once
                        assert sorted((m.kind, m.direction) for m in mine) == sorted(kinds)
                    assert cell.upload_bytes == sum(
                        record.message_bytes(m.kind, "up") for m in mine if m.direction == "up"
                    )
            if alpha:
                stragglers = [c for r in run.rounds for c in r.nodes if not c.aggregated]
                assert stragglers  # the straggler case really had stragglers
