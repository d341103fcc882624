"""The round loop shared by every scheme, the scheme interface, and the straggler policy.

A scheme (one file each in `mlpayloads.schemes`) fills in three hooks, in the manner of
Flower's strategies; the loop here owns the data, the wire and the bookkeeping:

1. `Scheme.fog_send(stage, node, batches)`: what FN `node` uploads at `stage`;
2. `Scheme.cloud_step(stage, received, aggregated)`: the cloud's work on what it received
   from the aggregated FNs, returning what it sends to which FN;
3. `Scheme.fog_receive(stage, node, tensors)`: what the FN does with a download.

A round runs `Scheme.stages` such up/down exchanges. Every message goes through the
`Channel`: serialised with `mlpayloads.wire`, its `len(bytes)` recorded, and decoded
before the receiver sees it.

Stragglers (paper Section 4.3): with straggler rate alpha the cloud aggregates only the
first ``k = max(1, floor((1 - alpha) * p))`` FNs to arrive in a round (the floor is taken
with a 1e-9 tolerance, so ``(1 - 0.7) * 10`` counts as 3). The arrival order comes from a
seeded RNG (exponential delays drawn per round) or from per-FN delays passed in, ties
broken by FN index. Stragglers still send their uploads (the bytes are on the wire) and
still receive the new weights; only their contribution is left out.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
import torch
from torch import nn

from fogcosim.errors import UserError
from mlpayloads import wire
from mlpayloads.data import Batch, ShardStream
from mlpayloads.wire import Tensors

UP = "up"
DOWN = "down"


class Outgoing(NamedTuple):
    """A message about to be sent: its kind (e.g. ``"gradient"``) and its tensors."""

    kind: str
    tensors: Tensors


@dataclass(frozen=True)
class Message:
    """One message as it was on the wire (the bytes themselves are not kept)."""

    round: int
    node: int
    direction: str
    kind: str
    nbytes: int
    header_bytes: int
    entries: dict[str, tuple[str, tuple[int, ...]]]


class Channel:
    """The wire between the FNs and the cloud: serialises, measures, deserialises."""

    def __init__(self, dtype: str):
        wire.check_dtype(dtype)
        self.dtype = dtype
        self.messages: list[Message] = []

    def transfer(self, round_index: int, node: int, direction: str, out: Outgoing) -> Tensors:
        """Send `out` between FN `node` and the cloud; return what the receiver decodes."""
        data = wire.encode(out.tensors, self.dtype)
        self.messages.append(
            Message(
                round_index,
                node,
                direction,
                out.kind,
                len(data),
                wire.header_bytes(data),
                wire.header_entries(data),
            )
        )
        return wire.decode(data)


def sgd_step(params: Iterable[nn.Parameter], grads: Iterable[torch.Tensor], lr: float) -> None:
    """Plain SGD, in place: w <- w - lr * g (no momentum, no weight decay)."""
    with torch.no_grad():
        for p, g in zip(params, grads, strict=True):
            p.add_(g, alpha=-lr)


def load_weights(module: nn.Module, tensors: Mapping[str, torch.Tensor]) -> None:
    """Overwrite `module`'s parameters with received tensors (names as in named_parameters)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(tensors[name])


class Scheme(ABC):
    """A distributed training scheme over p FNs and the cloud; see the module docstring."""

    name: ClassVar[str]
    #: Up/down exchanges per round.
    stages: ClassVar[int] = 1

    def __init__(self, model: nn.Sequential, fog_nodes: int, lr: float, local_steps: int = 1):
        self.fog_nodes = fog_nodes
        self.lr = lr
        self.local_steps = local_steps

    @abstractmethod
    def fog_send(self, stage: int, node: int, batches: Sequence[Batch]) -> Outgoing | None:
        """What FN `node` uploads at `stage` (None: nothing)."""

    @abstractmethod
    def cloud_step(
        self, stage: int, received: Mapping[int, Tensors], aggregated: Sequence[int]
    ) -> dict[int, Outgoing]:
        """Process the uploads of the aggregated FNs; return the download per FN."""

    def fog_receive(self, stage: int, node: int, tensors: Tensors) -> None:
        """Apply a download at FN `node` (schemes that download override this)."""
        raise NotImplementedError(f"{self.name} sends nothing down at stage {stage}")

    @abstractmethod
    def global_model(self) -> nn.Module:
        """The cloud's current complete model (for evaluation)."""

    @abstractmethod
    def fog_param_count(self) -> int:
        """Parameters each FN holds and trains with: 0 (CC), |w| (FL), |w_local| (FCDDT)."""


# --- stragglers ----------------------------------------------------------------------------


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


# --- the loop --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundLog:
    """What happened in one round: arrival order, who was aggregated, every message."""

    round: int
    arrival_order: tuple[int, ...]
    aggregated: tuple[int, ...]
    messages: tuple[Message, ...]


def run_round(
    scheme: Scheme,
    channel: Channel,
    streams: Sequence[ShardStream],
    arrivals: Arrivals,
    round_index: int,
) -> RoundLog:
    """Run one synchronous round of `scheme` over all FNs."""
    first = len(channel.messages)
    order = arrivals.order(round_index)
    aggregated = arrivals.aggregated(order)
    batches = [[next(s) for _ in range(scheme.local_steps)] for s in streams]
    for stage in range(scheme.stages):
        received: dict[int, Tensors] = {}
        for node in range(scheme.fog_nodes):
            out = scheme.fog_send(stage, node, batches[node])
            if out is not None:
                received[node] = channel.transfer(round_index, node, UP, out)
        arrived = {n: received[n] for n in aggregated if n in received}
        replies = scheme.cloud_step(stage, arrived, aggregated)
        for node in sorted(replies):
            tensors = channel.transfer(round_index, node, DOWN, replies[node])
            scheme.fog_receive(stage, node, tensors)
    return RoundLog(round_index, order, aggregated, tuple(channel.messages[first:]))
