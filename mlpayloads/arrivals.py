# SPDX-License-Identifier: MIT
"""Who the cloud aggregates in each round: the straggler policy, or sets given from outside.

Stragglers (paper Section 4.3): with straggler rate alpha the cloud aggregates only the
first ``k = max(1, floor((1 - alpha) * p))`` FNs to arrive in a round (the floor is taken
with a 1e-9 tolerance, so ``(1 - 0.7) * 10`` counts as 3). The arrival order comes from a
seeded RNG (exponential delays drawn per round) or from per-FN delays passed in, ties
broken by FN index (`Arrivals`). In a co-simulation the network decides instead: `GivenSets`
returns the sets it passes in. Either way stragglers still send their uploads (the bytes
are on the wire) and still receive the new weights; only their contribution is left out.

No torch here: the configuration checks (`mlpayloads.config`) use this module.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Protocol

import numpy as np

from fogcosim.errors import UserError


class ArrivalPolicy(Protocol):
    """What the round loop asks each round: the arrival order and the aggregated FNs."""

    def round(self, round_index: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(FN indices in arrival order, aggregated FN indices sorted) for a 0-based round."""
        ...


def check_straggler_rate(alpha: float) -> float:
    """Return `alpha` if it is in [0, 1), else raise a UserError."""
    if not (isinstance(alpha, int | float) and 0.0 <= alpha < 1.0):
        raise UserError(f"straggler rate {alpha!r} is outside [0, 1)")
    return float(alpha)


def aggregated_count(fog_nodes: int, alpha: float) -> int:
    """FNs the cloud aggregates per round: max(1, floor((1 - alpha) * p))."""
    check_straggler_rate(alpha)
    return max(1, math.floor((1.0 - alpha) * fog_nodes + 1e-9))


class Arrivals:
    """Who arrives in which order each round, and so who is aggregated.

    `delays` is either one delay per FN (the same every round) or one such list per
    round; without it the delays are drawn per round from an RNG seeded with `seed`.
    """

    def __init__(
        self,
        fog_nodes: int,
        alpha: float,
        seed: int,
        delays: Sequence[float] | Sequence[Sequence[float]] | None = None,
    ):
        self.fog_nodes = fog_nodes
        self.count = aggregated_count(fog_nodes, alpha)
        self._rng = np.random.default_rng([seed, 3])
        self._delays = _check_delays(delays, fog_nodes)

    @property
    def rounds_covered(self) -> int | None:
        """Rounds that per-round delays cover (None: every round is covered)."""
        if self._delays is None or len(self._delays) == 1:
            return None
        return len(self._delays)

    def order(self, round_index: int) -> tuple[int, ...]:
        """FN indices in arrival order for round `round_index` (0-based)."""
        if self._delays is None:
            delays = self._rng.exponential(size=self.fog_nodes)
        elif len(self._delays) == 1:
            delays = np.asarray(self._delays[0])
        elif round_index < len(self._delays):
            delays = np.asarray(self._delays[round_index])
        else:
            raise UserError(
                f"per-round delays cover {len(self._delays)} rounds, round {round_index + 1} "
                "has none"
            )
        return tuple(int(i) for i in np.argsort(delays, kind="stable"))

    def aggregated(self, order: Sequence[int]) -> tuple[int, ...]:
        """The first `count` FNs of `order`, sorted by index."""
        return tuple(sorted(order[: self.count]))

    def round(self, round_index: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(arrival order, aggregated FNs) of round `round_index` (0-based)."""
        order = self.order(round_index)
        return order, self.aggregated(order)


class GivenSets:
    """Aggregated sets decided elsewhere (by the simulated network), one per round.

    `sets[r]` is the set of FN indices the cloud aggregates in round r (0-based). The
    arrival order lists those FNs first, then the others, each part by index. Each set
    is checked: non-empty ("never train on an empty set"), indices in ``0..p-1``, no
    repeats.
    """

    def __init__(self, fog_nodes: int, sets: Sequence[Collection[int]] = ()):
        self.fog_nodes = fog_nodes
        self.sets: list[tuple[int, ...]] = []
        for nodes in sets:
            self.add(nodes)

    def add(self, nodes: Collection[int]) -> tuple[int, ...]:
        """Check `nodes` and append it as the next round's set; return it sorted."""
        chosen = check_aggregated_set(nodes, self.fog_nodes, len(self.sets))
        self.sets.append(chosen)
        return chosen

    def round(self, round_index: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(arrival order, aggregated FNs) of round `round_index` (0-based)."""
        if round_index >= len(self.sets):
            raise UserError(
                f"aggregated sets cover {len(self.sets)} rounds, round {round_index + 1} has none"
            )
        chosen = self.sets[round_index]
        rest = tuple(n for n in range(self.fog_nodes) if n not in chosen)
        return chosen + rest, chosen


def check_aggregated_set(
    nodes: Collection[int], fog_nodes: int, round_index: int
) -> tuple[int, ...]:
    """`nodes` as a sorted tuple; a UserError for an empty set, a bad index or a repeat."""
    where = f"aggregated set of round {round_index + 1}"
    if isinstance(nodes, str | bytes) or not isinstance(nodes, Collection):
        raise UserError(f"{where}: {nodes!r} is not a sequence of FN indices")
    if len(nodes) == 0:
        raise UserError(f"{where} is empty (never train on an empty set)")
    bad = [n for n in nodes if not isinstance(n, int | np.integer) or not 0 <= n < fog_nodes]
    if bad:
        raise UserError(f"{where}: FN index {bad[0]!r} is outside 0..{fog_nodes - 1}")
    if len(set(nodes)) != len(nodes):
        raise UserError(f"{where}: {list(nodes)!r} names an FN twice")
    return tuple(sorted(int(n) for n in nodes))


def _check_delays(
    delays: Sequence[float] | Sequence[Sequence[float]] | None, fog_nodes: int
) -> list[list[float]] | None:
    if delays is None:
        return None
    rows: list[list[float]]
    if len(delays) and all(isinstance(d, int | float) for d in delays):
        rows = [[float(d) for d in delays]]  # type: ignore[arg-type]
    else:
        rows = [[float(d) for d in row] for row in delays]  # type: ignore[union-attr]
    for row in rows:
        if len(row) != fog_nodes:
            raise UserError(f"{len(row)} delays given for {fog_nodes} fog nodes (one per FN)")
        bad = [d for d in row if not (math.isfinite(d) and d >= 0)]
        if bad:
            raise UserError(f"delay {bad[0]!r} is not a finite number >= 0")
    return rows
