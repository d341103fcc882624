# SPDX-License-Identifier: MIT
"""Training with aggregated sets decided outside (by the simulated network)."""

import pytest
import torch

from fogcosim.errors import UserError
from mlpayloads.config import MeasureConfig
from mlpayloads.cotrain import CoTrainer, train_with_sets

from .helpers import flat, run


def config(method, p=3, b=32, **kw):
    return MeasureConfig("mnist", "mlp", method, p, b, lr=0.1, **kw)


@pytest.mark.parametrize("method", ["cc", "fl", "fcddt"])
def test_accuracy_rises_over_20_rounds_with_changing_sets(method):
    sets = [[n for n in range(3) if n != r % 3] for r in range(20)]  # one FN left out per round
    results = train_with_sets(config(method), sets, progress=False)
    assert [r.round for r in results] == list(range(1, 21))
    assert [list(r.aggregated) for r in results] == sets
    assert results[-1].accuracy > results[0].accuracy + 0.2  # observed 0.23 -> 0.67
    assert results[-1].loss < results[0].loss


@pytest.mark.parametrize("method", ["cc", "fl", "fcddt"])
def test_the_given_sets_are_the_ones_aggregated(method):
    """FN 2 never aggregated: the same model as the straggler policy leaving FN 2 out."""
    trainer = CoTrainer(config(method, b=8))
    for _ in range(3):
        trainer.run_round([1, 0], evaluate=False)
    # alpha = 1/3 keeps the first 2 of 3 arrivals; delays make FN 2 arrive last
    expected, logs = run(method, fog_nodes=3, batch_size=8, rounds=3, alpha=1 / 3,
                         delays=[0, 1, 9])  # fmt: skip
    assert all(log.aggregated == (0, 1) for log in logs)
    torch.testing.assert_close(flat(trainer.global_model()), expected, rtol=0, atol=0)
    other = CoTrainer(config(method, b=8))
    for _ in range(3):
        other.run_round([0, 2], evaluate=False)
    assert not torch.equal(flat(other.global_model()), expected)


def test_evaluation_every_n_rounds_and_always_the_last():
    results = train_with_sets(config("fl", b=8), [[0, 1, 2]] * 8, eval_every=3, progress=False)
    assert [r.round for r in results] == [3, 6, 8]


@pytest.mark.parametrize(
    ("sets", "needle"),
    [
        ([[0], []], "aggregated set of round 2 is empty (never train on an empty set)"),
        ([[0, 3]], "aggregated set of round 1: FN index 3 is outside 0..2"),
        ([[1, 1]], "names an FN twice"),
        ([], "no aggregated sets given"),
    ],
)
def test_bad_sets_fail_before_training(sets, needle):
    with pytest.raises(UserError) as info:
        train_with_sets(config("fl"), sets, progress=False)
    assert needle in str(info.value)


def test_sets_replace_the_straggler_policy_and_eval_every_is_checked():
    with pytest.raises(UserError, match="drop the straggler rate"):
        CoTrainer(config("fl", straggler_rate=0.5))
    with pytest.raises(UserError, match="eval_every 0"):
        train_with_sets(config("fl"), [[0]], eval_every=0)
