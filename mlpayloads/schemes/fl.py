# SPDX-License-Identifier: MIT
"""Federated Learning (FL, paper Algorithm 1).

Each FN holds a full replica of the model. Per round, with one local step (the
default, as in the paper), FN j computes the gradient v_j of its mean loss on its
batch and uploads it (message ``gradient``, |w| elements in the wire dtype). With
``local_steps = s > 1`` it takes s plain SGD steps on s successive batches of its
shard and uploads its model delta ``w_j - w^t`` instead (message ``weight_delta``,
also |w| elements). The cloud averages the uploads of the aggregated FNs and updates
``w <- w - lr * mean(v)`` (or ``w <- w + mean(delta)``), then sends the new weights to
every FN, stragglers included (message ``weights``, |w| elements). The model's initial
deployment is not counted.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from mlpayloads.data import Batch, to_float
from mlpayloads.rounds import Outgoing, Scheme, load_weights, sgd_step
from mlpayloads.wire import Tensors


class FederatedLearning(Scheme):
    """FL: gradients (or deltas) up, averaged weights down."""

    name = "fl"

    def __init__(self, model: nn.Sequential, fog_nodes: int, lr: float, local_steps: int = 1):
        super().__init__(model, fog_nodes, lr, local_steps)
        self.model = model
        self.replicas = [copy.deepcopy(model) for _ in range(fog_nodes)]

    def fog_send(self, stage: int, node: int, batches: Sequence[Batch]) -> Outgoing:
        """Upload the gradient (one local step) or the model delta (several)."""
        replica = self.replicas[node]
        params = dict(replica.named_parameters())
        if self.local_steps == 1:
            return Outgoing("gradient", _gradients(replica, batches[0]))
        start = {name: p.detach().clone() for name, p in params.items()}
        for batch in batches:
            sgd_step(params.values(), _gradients(replica, batch).values(), self.lr)
        return Outgoing(
            "weight_delta", {name: p.detach() - start[name] for name, p in params.items()}
        )

    def cloud_step(
        self, stage: int, received: Mapping[int, Tensors], aggregated: Sequence[int]
    ) -> dict[int, Outgoing]:
        """Average the aggregated uploads, update, and send the weights to every FN."""
        params = dict(self.model.named_parameters())
        mean = {
            name: torch.stack([received[n][name] for n in aggregated]).mean(0) for name in params
        }
        if self.local_steps == 1:
            sgd_step(params.values(), mean.values(), self.lr)
        else:
            sgd_step(params.values(), mean.values(), -1.0)  # w <- w + mean(delta)
        weights = {name: p.detach() for name, p in params.items()}
        return {node: Outgoing("weights", weights) for node in range(self.fog_nodes)}

    def fog_receive(self, stage: int, node: int, tensors: Tensors) -> None:
        """Replace the FN's replica with the received weights."""
        load_weights(self.replicas[node], tensors)

    def global_model(self) -> nn.Module:
        """The cloud's model."""
        return self.model

    def fog_param_count(self) -> int:
        """Each FN holds the whole model."""
        return sum(p.numel() for p in self.model.parameters())


def _gradients(model: nn.Module, batch: Batch) -> Tensors:
    params = dict(model.named_parameters())
    loss = F.cross_entropy(model(to_float(batch.pixels)), batch.labels.long())
    grads = torch.autograd.grad(loss, list(params.values()))
    return dict(zip(params, grads, strict=True))
