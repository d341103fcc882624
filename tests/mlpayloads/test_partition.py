# SPDX-License-Identifier: MIT
"""Non-IID partitions: the Dirichlet label skew, its checks, and what it does to training."""

import numpy as np
import pytest
import torch

from fogcosim.cli import main
from fogcosim.errors import UserError
from mlpayloads.config import MeasureConfig
from mlpayloads.cotrain import CoTrainer
from mlpayloads.data import shard_indices, to_float
from mlpayloads.partition import PartitionError, label_counts, partition_indices

P, B = 4, 32


def labels_of(mnist_default):
    return mnist_default.train.labels


def test_iid_is_the_former_shard_split(mnist_default):
    labels = labels_of(mnist_default)
    iid = partition_indices(labels, P, seed=3)
    assert [p.tolist() for p in iid] == [p.tolist() for p in shard_indices(len(labels), P, 3)]
    counts = label_counts(labels, iid)
    assert counts.min() > 60  # every FN holds every label (~100 each)


def test_dirichlet_is_disjoint_complete_seeded_and_skewed(mnist_default):
    labels = labels_of(mnist_default)
    a = partition_indices(labels, P, 0, "dirichlet", 0.5, min_size=B)
    again = partition_indices(labels, P, 0, "dirichlet", 0.5, min_size=B)
    assert [p.tolist() for p in a] == [p.tolist() for p in again]
    other = partition_indices(labels, P, 1, "dirichlet", 0.5, min_size=B)
    assert [p.tolist() for p in a] != [p.tolist() for p in other]
    joined = np.concatenate(a)
    assert sorted(joined.tolist()) == list(range(len(labels)))  # disjoint and complete
    assert min(len(p) for p in a) >= B

    def skew(alpha):  # mean share of an FN's most frequent label
        counts = label_counts(labels, partition_indices(labels, P, 0, "dirichlet", alpha))
        return float((counts.max(1) / counts.sum(1)).mean())

    assert skew(0.1) > skew(0.5) > skew(100.0)
    assert skew(100.0) < 0.15  # almost IID: ~0.1 per label


@pytest.mark.parametrize("alpha", [0.0, -1.0, float("nan"), float("inf")])
def test_concentration_must_be_positive(alpha):
    with pytest.raises(PartitionError, match=r"dirichlet_alpha .* must be a number > 0") as info:
        partition_indices(np.zeros(10, dtype=np.uint8), 2, 0, "dirichlet", alpha)
    assert info.value.field == "dirichlet_alpha"
    with pytest.raises(UserError, match="dirichlet_alpha"):
        MeasureConfig("mnist", "mlp", "fl", 2, 10, partition="dirichlet", dirichlet_alpha=alpha)\
            .validated()  # fmt: skip


def test_unknown_partition():
    with pytest.raises(UserError, match=r"unknown partition 'skewed' \(allowed: iid, dirichlet\)"):
        MeasureConfig("mnist", "mlp", "fl", 2, 10, partition="skewed").validated()


def test_a_batch_larger_than_a_partition_is_refused_for_training(mnist_default):
    labels = labels_of(mnist_default)
    with pytest.raises(PartitionError, match=r"batch_size 300 is larger than an FN's partition "
                       r"\(222 records: 4,000 training records over 18 FNs, iid\)") as info:  # fmt: skip
        partition_indices(labels, 18, 0, "iid", min_size=300)
    assert info.value.field == "batch_size"
    with pytest.raises(PartitionError, match=r"batch_size 200 .* in each of 100 Dirichlet draws"):
        partition_indices(labels, 18, 0, "dirichlet", 0.05, min_size=200)
    # measuring sizes may cycle a short partition; training may not
    with pytest.raises(UserError, match="batch_size 500 is larger than an FN's partition"):
        CoTrainer(MeasureConfig("mnist", "mlp", "fl", 10, 500))


def test_train_command_takes_the_partition(tmp_path, capsys):
    out = tmp_path / "t.json"
    args = ["train", "--dataset", "mnist", "--model", "mlp", "--method", "fl", "--fog-nodes", "4",
            "--batch-size", "50", "--epochs", "1", "--partition", "dirichlet",
            "--dirichlet-alpha", "0.5", "--device", "cpu", "--no-progress", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    assert "partition dirichlet; device cpu" in capsys.readouterr().out
    bad = [*args[:-2], "--dirichlet-alpha", "0", "--out", str(out)]
    assert main(bad) == 2
    assert "dirichlet_alpha 0.0 must be a number > 0" in capsys.readouterr().err


def _recall(trainer, test, label):
    pred = trainer.global_model()(to_float(torch.from_numpy(test.images))).argmax(1).numpy()
    return float((pred[test.labels == label] == label).mean())


def _train(method, partition, sets, rounds=20):
    config = MeasureConfig(
        "mnist", "mlp", method, P, B, lr=0.1, partition=partition, dirichlet_alpha=0.5
    )
    trainer = CoTrainer(config)
    curve = [trainer.run_round(sets).accuracy for _ in range(rounds)]
    return trainer, np.array(curve)


def test_with_label_skew_who_is_aggregated_changes_what_the_model_learns(mnist_default):
    """A quorum that keeps leaving out the FN holding most zeros: the model never learns 0."""
    labels, test = labels_of(mnist_default), mnist_default.test
    counts = label_counts(labels, partition_indices(labels, P, 0, "dirichlet", 0.5, B))
    zeros = int(counts[:, 0].argmax())
    assert counts[zeros, 0] > 0.7 * counts[:, 0].sum()  # 323 of 400 with this seed
    others = [j for j in range(P) if j != zeros]

    every, all_curve = _train("fl", "dirichlet", list(range(P)))
    quorum, quorum_curve = _train("fl", "dirichlet", others)
    assert _recall(every, test, 0) > 0.5 > 0.1 > _recall(quorum, test, 0)  # 0.90 vs 0.00
    assert all_curve[-1] > quorum_curve[-1] + 0.1  # observed 0.51 vs 0.33

    # IID: every FN holds every label, so leaving one out hardly matters
    _, iid_curve = _train("fl", "iid", list(range(P)))
    quorum_iid, quorum_iid_curve = _train("fl", "iid", others)
    assert _recall(quorum_iid, test, 0) > 0.8
    assert abs(iid_curve[-1] - quorum_iid_curve[-1]) < 0.05  # observed 0.713 vs 0.704


def test_methods_differ_per_round_only_where_their_sets_differ():
    """Same sets: CC, FL and FCDDT compute the same update even on skewed data."""
    sets = [0, 1, 3]
    _, fl = _train("fl", "dirichlet", sets, rounds=6)
    _, fcddt = _train("fcddt", "dirichlet", sets, rounds=6)
    _, cc = _train("cc", "dirichlet", sets, rounds=6)
    assert np.abs(fl - fcddt).max() <= 1e-3 and np.abs(fl - cc).max() <= 1e-3
    _, other = _train("fcddt", "dirichlet", [0, 1, 2], rounds=6)
    assert np.abs(fl - other).max() > 0.02
