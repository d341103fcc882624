# SPDX-License-Identifier: MIT
"""Train with the aggregated sets a simulated network decides, and evaluate as it goes.

In a co-simulation the network, not an RNG, decides which FNs' uploads reach the cloud
in time in each round. `CoTrainer.run_round` takes that set (FN indices) and runs one
round of the scheme through the same round loop as the measurements
(`mlpayloads.rounds.run_round` with `mlpayloads.arrivals.GivenSets`): every FN computes
and sends, the cloud uses the uploads of the given FNs only, and every FN receives the
download. After a round the cloud's complete model is evaluated on the held-out test
set. `train_with_sets` runs a whole list of sets.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from fogcosim.errors import UserError
from mlpayloads.arrivals import GivenSets
from mlpayloads.config import MeasureConfig
from mlpayloads.data import load_data
from mlpayloads.device import resolve_device
from mlpayloads.measure import set_up
from mlpayloads.partition import partition_indices
from mlpayloads.progress import data_label, round_bar
from mlpayloads.rounds import Channel, run_round
from mlpayloads.training import evaluate


@dataclass(frozen=True)
class RoundResult:
    """The cloud's complete model after round `round` (1-based), on the test set."""

    round: int
    accuracy: float
    loss: float
    aggregated: tuple[int, ...] = ()


class CoTrainer:
    """One scheme trained round by round; the caller gives each round's aggregated set.

    `config` gives the data set, model, method, FN count, B, dtype, split, lr, seed,
    local steps and data folder; its `rounds` is not used (a round runs per call), and a
    straggler rate or delays are refused: the given sets replace them.
    """

    def __init__(self, config: MeasureConfig, *, download: bool = False):
        config = config.validated()
        if config.straggler_rate or config.delays is not None:
            raise UserError(
                "the aggregated sets decide who is aggregated: drop the straggler rate and delays"
            )
        self.config = config
        setup = set_up(config, download=download, training=True)
        self.data = setup.data
        self.scheme = setup.scheme
        self._streams = setup.fn_streams
        self._device = setup.channel.device
        self._sets = GivenSets(config.fog_nodes)

    @property
    def device(self) -> torch.device:
        """Where the model trains."""
        return next(self.scheme.global_model().parameters()).device

    @property
    def rounds_done(self) -> int:
        """Rounds trained so far."""
        return len(self._sets.sets)

    def run_round(
        self, aggregated: Collection[int], *, evaluate: bool = True
    ) -> RoundResult | None:
        """Train one round aggregating exactly the FNs in `aggregated`; evaluate if asked.

        UserError for an empty set, an index outside ``0..p-1`` or a repeated index.
        """
        chosen = self._sets.add(aggregated)
        r = len(self._sets.sets) - 1
        channel = Channel(self.config.dtype, self._device)  # one per round: bytes not kept
        run_round(self.scheme, channel, self._streams, self._sets, r)
        if not evaluate:
            return None
        return self.evaluate(chosen)

    def evaluate(self, aggregated: tuple[int, ...] = ()) -> RoundResult:
        """Accuracy and mean cross-entropy of the cloud's model now, on the test set."""
        accuracy, loss = evaluate(self.scheme.global_model(), self.data.test)
        return RoundResult(self.rounds_done, accuracy, loss, aggregated)

    def global_model(self) -> nn.Module:
        """The cloud's current complete model."""
        return self.scheme.global_model()


def check_training(config: MeasureConfig) -> None:
    """Refuse, before a co-simulation spends time on the network, what training would refuse.

    Bad settings, ``--device cuda`` without a CUDA device, and an FN partition smaller
    than one batch (`mlpayloads.partition.PartitionError`, whose `field` names the
    setting) raise here exactly as `CoTrainer` would, without building a model.
    """
    config = config.validated()
    resolve_device(config.device)
    data = load_data(config.dataset, config.data_dir)
    partition_indices(
        data.train.labels,
        config.fog_nodes,
        config.seed,
        config.partition,
        config.dirichlet_alpha,
        min_size=config.batch_size,
    )


def train_with_sets(
    config: MeasureConfig,
    aggregated: Sequence[Collection[int]],
    *,
    eval_every: int = 1,
    progress: bool = True,
) -> list[RoundResult]:
    """Train ``len(aggregated)`` rounds, round r aggregating the FNs in ``aggregated[r]``.

    Evaluates the cloud's complete model every `eval_every` rounds and after the last
    one. All sets are checked before any training (UserError for an empty set, a bad
    index, a repeat, no rounds at all, or eval_every below 1).
    """
    if not isinstance(eval_every, int) or isinstance(eval_every, bool) or eval_every < 1:
        raise UserError(f"eval_every {eval_every!r} must be an integer >= 1")
    config = config.validated()
    sets = GivenSets(config.fog_nodes, aggregated).sets
    if not sets:
        raise UserError("no aggregated sets given: nothing to train")
    trainer = CoTrainer(config)
    results: list[RoundResult] = []
    desc = (
        f"training {config.dataset}/{config.model} {config.method} "
        f"({data_label(trainer.data.source)})"
    )
    with round_bar(desc, len(sets), progress) as bar:
        for r, chosen in enumerate(sets, start=1):
            bar.update()
            result = trainer.run_round(chosen, evaluate=r % eval_every == 0 or r == len(sets))
            if result is not None:
                results.append(result)
                bar.set_postfix(acc=f"{result.accuracy:.3f}")
    return results
