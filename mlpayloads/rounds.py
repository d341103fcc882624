# SPDX-License-Identifier: MIT
"""The round loop shared by every scheme, and the scheme interface.

A scheme (one file each in `mlpayloads.schemes`) fills in three hooks, in the manner of
Flower's strategies; the loop here owns the data, the wire and the bookkeeping:

1. `Scheme.fog_send(stage, node, batches)`: what FN `node` uploads at `stage`;
2. `Scheme.cloud_step(stage, received, aggregated)`: the cloud's work on what it received
   from the aggregated FNs, returning what it sends to which FN;
3. `Scheme.fog_receive(stage, node, tensors)`: what the FN does with a download.

A round runs `Scheme.stages` such up/down exchanges. Every message goes through the
`Channel`: serialised with `mlpayloads.wire`, its `len(bytes)` recorded, and decoded
before the receiver sees it.

Who is aggregated each round comes from an `mlpayloads.arrivals.ArrivalPolicy`: the
straggler policy (`Arrivals`) or sets decided by the simulated network (`GivenSets`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import torch
from torch import nn

from mlpayloads import wire
from mlpayloads.arrivals import ArrivalPolicy
from mlpayloads.arrivals import Arrivals as Arrivals
from mlpayloads.arrivals import aggregated_count as aggregated_count
from mlpayloads.arrivals import check_straggler_rate as check_straggler_rate
from mlpayloads.data import Batch, ShardStream
from mlpayloads.records import DOWN, UP
from mlpayloads.wire import Tensors


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
    """The wire between the FNs and the cloud: serialises, measures, deserialises.

    The receiver gets the decoded tensors on `device` (where training runs); the bytes
    are those of a CPU copy, whatever the device.
    """

    def __init__(self, dtype: str, device: torch.device | None = None):
        wire.check_dtype(dtype)
        self.dtype = dtype
        self.device = device
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
        decoded = wire.decode(data)
        if self.device is None or self.device.type == "cpu":
            return decoded
        return {name: t.to(self.device) for name, t in decoded.items()}


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
    arrivals: ArrivalPolicy,
    round_index: int,
) -> RoundLog:
    """Run one synchronous round of `scheme` over all FNs; `arrivals` says who is aggregated."""
    first = len(channel.messages)
    order, aggregated = arrivals.round(round_index)
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
