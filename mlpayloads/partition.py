# SPDX-License-Identifier: MIT
"""How the training set is divided among the fog nodes (FNs): IID shards or a Dirichlet split.

Federated training behaves differently when the FNs' data differ: with every FN
holding a random shard (IID) any set of aggregated FNs sees about the same label
mix, so who a quorum or a deadline leaves out hardly matters; with skewed label mixes
it decides what the model learns. Two seeded schemes, both disjoint (every training
record belongs to at most one FN):

* ``"iid"`` (the default): a permutation of the records from ``[seed, 1]``, cut into
  p shards of almost equal size (`numpy.array_split`).
* ``"dirichlet"``: the label-skew scheme of Hsu, Qi & Brown (2019, "Measuring the
  effects of non-identical data distribution for federated visual classification"),
  as NIID-Bench (Li et al., 2021) uses it: for every label c, the records of c are
  shuffled and divided among the p FNs in proportions q_c ~ Dirichlet(alpha, ..., alpha)
  (cut at ``floor(cumsum(q_c) * n_c)``), all from one RNG seeded with ``[seed, 3]``.
  Small alpha (0.1) gives most FNs one or two labels; large alpha (100) approaches IID.
  Training needs every FN to hold at least one batch of distinct records; a draw
  with a smaller partition is discarded and drawn again (at most `MAX_DRAWS` times,
  each draw from the same RNG, so the result is a function of the seed), as NIID-Bench
  does for its minimum partition size. So the split is Dirichlet conditioned on every
  partition holding at least B records.

Measurements of message sizes may use partitions smaller than B (a stream then
cycles its shard; sizes depend on shapes only); training refuses them with a
`PartitionError` naming the field to change.
"""

from __future__ import annotations

import math

import numpy as np

from fogcosim.errors import UserError

PARTITIONS: tuple[str, ...] = ("iid", "dirichlet")
DEFAULT_ALPHA = 0.5
#: Dirichlet draws tried before a minimum partition size is declared out of reach.
MAX_DRAWS = 100


class PartitionError(UserError):
    """A partition setting that cannot work; `field` names the setting to change."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_partition(partition: str, alpha: float) -> None:
    """PartitionError for an unknown scheme or a concentration that is not a number > 0."""
    if partition not in PARTITIONS:
        raise PartitionError(
            f"unknown partition {partition!r} (allowed: {', '.join(PARTITIONS)})", "partition"
        )
    ok = isinstance(alpha, int | float) and not isinstance(alpha, bool) and math.isfinite(alpha)
    if not ok or alpha <= 0:
        raise PartitionError(
            f"dirichlet_alpha {alpha!r} must be a number > 0 (e.g. 0.1 very skewed, "
            f"{DEFAULT_ALPHA} the default, 100 almost IID)",
            "dirichlet_alpha",
        )


def partition_indices(
    labels: np.ndarray,
    fog_nodes: int,
    seed: int,
    partition: str = "iid",
    alpha: float = DEFAULT_ALPHA,
    min_size: int = 1,
) -> list[np.ndarray]:
    """Each FN's record indices (sorted, disjoint) under `partition` (see the module).

    PartitionError (field "batch_size") when some FN holds fewer than `min_size`
    records: for IID, when ``floor(n / p) < min_size``; for Dirichlet, in every one
    of `MAX_DRAWS` draws.
    """
    check_partition(partition, alpha)
    n = len(labels)
    if fog_nodes > n:
        raise UserError(f"{fog_nodes} fog nodes but only {n} training records (one per FN)")
    if partition == "iid":
        order = np.random.default_rng([seed, 1]).permutation(n)
        parts = [np.sort(part) for part in np.array_split(order, fog_nodes)]
        if n // fog_nodes < min_size:
            raise PartitionError(
                f"batch_size {min_size} is larger than an FN's partition ({n // fog_nodes} "
                f"records: {n:,} training records over {fog_nodes} FNs, iid); lower "
                "batch_size or the fog-node count",
                "batch_size",
            )
        return parts
    rng = np.random.default_rng([seed, 3])
    best = 0
    for _ in range(MAX_DRAWS):
        parts = _dirichlet_draw(labels, fog_nodes, alpha, rng)
        smallest = min(len(p) for p in parts)
        if smallest >= min_size:
            return parts
        best = max(best, smallest)
    raise PartitionError(
        f"batch_size {min_size} is larger than some FN's partition in each of {MAX_DRAWS} "
        f"Dirichlet draws (the smallest partition held at most {best} records; "
        f"dirichlet_alpha {alpha:g}, {fog_nodes} FNs, {n:,} training records); lower "
        "batch_size or the fog-node count, or raise dirichlet_alpha",
        "batch_size",
    )


def _dirichlet_draw(
    labels: np.ndarray, fog_nodes: int, alpha: float, rng: np.random.Generator
) -> list[np.ndarray]:
    """One label-skewed split: each label's records divided by Dirichlet proportions."""
    pieces: list[list[np.ndarray]] = [[] for _ in range(fog_nodes)]
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        q = rng.dirichlet(np.full(fog_nodes, float(alpha)))
        cuts = np.floor(np.cumsum(q)[:-1] * len(idx)).astype(int)
        for j, part in enumerate(np.split(idx, cuts)):
            pieces[j].append(part)
    return [np.sort(np.concatenate(p)) for p in pieces]


def label_counts(labels: np.ndarray, parts: list[np.ndarray], classes: int = 10) -> np.ndarray:
    """A p x classes table: how many records of each label every FN holds."""
    return np.stack([np.bincount(labels[p], minlength=classes) for p in parts])
