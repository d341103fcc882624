# SPDX-License-Identifier: MIT
import pytest
import torch
from torch.nn import functional as F

from fogcosim.errors import UserError
from mlpayloads.data import load_data, streams, to_float
from mlpayloads.measure import MeasureConfig, measure
from mlpayloads.models import build_model
from mlpayloads.rounds import Arrivals, aggregated_count

from .helpers import flat, run


@pytest.mark.parametrize(
    ("p", "alpha", "k"),
    [
        (4, 0.0, 4),
        (4, 0.25, 3),
        (4, 0.3, 2),
        (4, 0.5, 2),
        (4, 0.8, 1),
        (4, 0.99, 1),
        (10, 0.7, 3),
        (10, 0.1, 9),
        (1, 0.5, 1),
        (18, 0.2, 14),
    ],
)
def test_aggregated_count_is_floor_of_one_minus_alpha_times_p(p, alpha, k):
    assert aggregated_count(p, alpha) == k


@pytest.mark.parametrize("alpha", [-0.1, 1.0, 1.5, float("nan")])
def test_alpha_outside_unit_interval_is_rejected(alpha):
    with pytest.raises(UserError, match="straggler rate"):
        aggregated_count(4, alpha)


def test_rng_arrivals_are_seeded_and_vary_by_round():
    a, b = Arrivals(6, 0.5, seed=7), Arrivals(6, 0.5, seed=7)
    orders = [a.order(r) for r in range(5)]
    assert orders == [b.order(r) for r in range(5)]
    assert len(set(orders)) > 1
    assert (
        Arrivals(6, 0.5, seed=8).order(0) != orders[0] or Arrivals(6, 0.5, 8).order(1) != orders[1]
    )
    for order in orders:
        assert sorted(order) == list(range(6))
        assert len(a.aggregated(order)) == 3


def test_delay_list_decides_who_is_aggregated():
    arrivals = Arrivals(4, 0.5, seed=0, delays=[0.3, 0.1, 0.9, 0.2])
    assert arrivals.order(0) == (1, 3, 0, 2)
    assert arrivals.aggregated(arrivals.order(5)) == (1, 3)
    per_round = Arrivals(3, 0.4, seed=0, delays=[[1, 2, 3], [3, 2, 1]])
    assert [per_round.aggregated(per_round.order(r)) for r in (0, 1)] == [(0,), (2,)]


@pytest.mark.parametrize(
    ("delays", "match"), [([1, 2], "2 delays given for 4"), ([1, 2, -1, 0], "delay -1.0")]
)
def test_bad_delays(delays, match):
    with pytest.raises(UserError, match=match):
        Arrivals(4, 0.5, seed=0, delays=delays)


def test_fl_update_uses_only_the_aggregated_fns():
    """With delays (0, 5, 1, 9) and alpha 0.5, round 1 averages FN 0 and FN 2 only."""
    lr, b = 0.1, 8
    got, logs = run(
        "fl", fog_nodes=4, batch_size=b, rounds=1, lr=lr, alpha=0.5, delays=[0, 5, 1, 9]
    )
    assert logs[0].aggregated == (0, 2)
    assert {m.node for m in logs[0].messages if m.direction == "up"} == {0, 1, 2, 3}

    model = build_model("mnist", "mlp", 0)
    batches = [next(s) for s in streams(load_data("mnist").train, 4, b, 0)]
    grads = []
    for j in (0, 2):
        loss = F.cross_entropy(model(to_float(batches[j].pixels)), batches[j].labels.long())
        grads.append(torch.autograd.grad(loss, list(model.parameters())))
    expected = flat(model) - lr * torch.cat(
        [((g0 + g2) / 2).flatten() for g0, g2 in zip(*grads, strict=True)]
    )
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)


def test_fcddt_and_fl_agree_under_stragglers():
    fl, _ = run("fl", "cnn", fog_nodes=4, alpha=0.5, rounds=3)
    fcddt, _ = run("fcddt", "cnn", fog_nodes=4, alpha=0.5, rounds=3)
    torch.testing.assert_close(fcddt, fl, rtol=0, atol=1e-5)


def test_record_lists_aggregated_and_stragglers_still_send():
    config = MeasureConfig("mnist", "mlp", "fcddt", 4, 10, rounds=4, straggler_rate=0.5, seed=3)
    record = measure(config)
    header = {m.kind: m.header_bytes for m in record.messages}
    table1_up = 10 * 128 * 4 + 10 + header["activations"]  # float32 activations, uint8 labels
    table1_down = (784 * 128 + 128) * 4 + header["local_weights"]
    for r in record.rounds:
        assert len(r.aggregated) == 2
        assert r.aggregated == tuple(sorted(r.arrival_order[:2]))
        for cell in r.nodes:
            assert cell.aggregated == (cell.node in r.aggregated)
            assert cell.upload_bytes >= table1_up  # every FN uploads its activations
            assert cell.download_bytes > 0  # and receives w_local
            if not cell.aggregated:  # a straggler exchanges exactly the Table-1 messages
                assert cell.upload_bytes == table1_up
                assert cell.download_bytes == table1_down
    assert len({r.aggregated for r in record.rounds}) > 1  # the RNG varies it


def test_cc_rejects_a_straggler_rate():
    with pytest.raises(UserError, match="not cc"):
        MeasureConfig("mnist", "mlp", "cc", 4, 10, straggler_rate=0.5).validated()


def test_per_round_delays_through_the_measurement():
    delays = ((0, 1, 2, 3), (3, 2, 1, 0))
    config = MeasureConfig("mnist", "mlp", "fl", 4, 5, rounds=2, straggler_rate=0.5, delays=delays)
    assert [r.aggregated for r in measure(config).rounds] == [(0, 1), (2, 3)]
    with pytest.raises(UserError, match="cover 2 rounds, 3 requested"):
        measure(MeasureConfig("mnist", "mlp", "fl", 4, 5, rounds=3, straggler_rate=0.5,
                              delays=delays))  # fmt: skip
