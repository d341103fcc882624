# SPDX-License-Identifier: MIT
"""Fog Computing-based Decomposed Deep Training (FCDDT, paper Algorithms 2 and 3).

The model is split after layer `split`: the local model (up to and including `split`)
runs on every FN, the remote model (the rest) only in the cloud, which also holds the
master copy of the local model.

**Where the local gradient comes from (design decision).** Algorithm 3 has the cloud
compute the gradient with respect to *all* parameters from the activations z and the
labels alone, and send back w_local; Table 1 counts ``B * l_m (+B)`` up and
``|w_local|`` down. That cannot be done exactly: the gradient of the local weights
depends on the FN's inputs x (for a first linear layer ``dL/dW = delta^T x``), which
never leave the FN, and the FN cannot compute it without the remote model. So this
implementation splits the backward pass across the wire, exactly, with two exchanges
per round:

1. FN -> cloud ``activations``: z_j (B x l_m, wire dtype) and the labels (B, uint8).
   The cloud runs the remote model on the aggregated FNs' activations, takes the mean
   over FNs of each FN's mean loss (for equal B: the union-batch mean), updates
   w_remote, and sends each aggregated FN
2. cloud -> FN ``activation_grads``: the gradient of FN j's *summed* per-sample loss
   with respect to z_j (B x l_m, wire dtype; summed, not averaged, so float16 keeps it
   in range). The FN backpropagates it through the forward graph it kept, divided by
   B, which gives the gradient of its mean loss with respect to w_local, and uploads
3. FN -> cloud ``local_gradient`` (|w_local|, wire dtype). The cloud averages these
   over the aggregated FNs, updates its copy of w_local, and sends every FN
   (stragglers included)
4. cloud -> FN ``local_weights`` (|w_local|, wire dtype), which the FN loads.

Per aggregated FN and round this puts ``B * l_m + B + |w_local|`` elements up and
``B * l_m + |w_local|`` down: Table 1's terms plus ``|w_local|`` up and ``B * l_m``
down. The update equals Algorithm 3's (and CC's and FL's) exactly, so FCDDT trains
the same model as CC on the union batch; the price is the extra traffic, which the
records report separately from the Table-1 terms. A straggler sends only its
activations and receives only ``local_weights``, i.e. exactly Table 1's terms. If
the local model has no parameters (split at ``flatten``), steps 2 to 4 are skipped.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from mlpayloads.data import Batch, to_float
from mlpayloads.models import split_model
from mlpayloads.records import EXTRA_MESSAGE_KINDS as EXTRA_MESSAGE_KINDS
from mlpayloads.rounds import Outgoing, Scheme, load_weights, sgd_step
from mlpayloads.wire import Tensors

ACTIVATIONS, UP_GRADIENT = 0, 1  # the two stages of a round


class FCDDT(Scheme):
    """FCDDT: activations up, activation gradients down, local gradients up, w_local down."""

    name = "fcddt"
    stages = 2

    def __init__(
        self, model: nn.Sequential, fog_nodes: int, lr: float, split: str, local_steps: int = 1
    ):
        super().__init__(model, fog_nodes, lr, local_steps)
        self.model = model
        self.split = split
        self.local, self.remote = split_model(model, split)
        self.fog_local = [copy.deepcopy(self.local) for _ in range(fog_nodes)]
        self._has_local = any(True for _ in self.local.parameters())
        self._graphs: dict[int, torch.Tensor] = {}
        self._local_grads: dict[int, Tensors] = {}

    def fog_send(self, stage: int, node: int, batches: Sequence[Batch]) -> Outgoing | None:
        """Stage 0: local forward, upload z and labels. Stage 1: upload the local gradient."""
        if stage == ACTIVATIONS:
            (batch,) = batches
            z = self.fog_local[node](to_float(batch.pixels))
            self._graphs[node] = z
            return Outgoing("activations", {"activations": z.detach(), "labels": batch.labels})
        self._graphs.pop(node, None)  # a straggler's forward graph is not needed
        grads = self._local_grads.pop(node, None)
        return None if grads is None else Outgoing("local_gradient", grads)

    def cloud_step(
        self, stage: int, received: Mapping[int, Tensors], aggregated: Sequence[int]
    ) -> dict[int, Outgoing]:
        """Stage 0: remote forward and backward. Stage 1: average local gradients, update."""
        if stage == ACTIVATIONS:
            return self._remote_step(received, aggregated)
        if not received:
            return {}
        params = dict(self.local.named_parameters())
        mean = {
            name: torch.stack([received[n][name] for n in aggregated]).mean(0) for name in params
        }
        sgd_step(params.values(), mean.values(), self.lr)
        weights = {name: p.detach() for name, p in params.items()}
        return {node: Outgoing("local_weights", weights) for node in range(self.fog_nodes)}

    def _remote_step(
        self, received: Mapping[int, Tensors], aggregated: Sequence[int]
    ) -> dict[int, Outgoing]:
        zs = [received[n]["activations"].requires_grad_(True) for n in aggregated]
        labels = [received[n]["labels"].long() for n in aggregated]
        losses = F.cross_entropy(self.remote(torch.cat(zs)), torch.cat(labels), reduction="none")
        k = len(aggregated)
        # Mean over FNs of each FN's mean loss; equals the union-batch mean for equal B.
        loss = sum(part.sum() / (k * len(part)) for part in losses.split([len(y) for y in labels]))
        remote = list(self.remote.parameters())
        grads = torch.autograd.grad(loss, remote + zs)
        sgd_step(remote, grads[: len(remote)], self.lr)
        if not self._has_local:
            return {}
        return {
            n: Outgoing("activation_grads", {"grads": g * (k * len(g))})
            for n, g in zip(aggregated, grads[len(remote) :], strict=True)
        }

    def fog_receive(self, stage: int, node: int, tensors: Tensors) -> None:
        """Stage 0: backpropagate dL/dz through the kept graph. Stage 1: load w_local."""
        if stage == ACTIVATIONS:
            z = self._graphs.pop(node)
            params = dict(self.fog_local[node].named_parameters())
            grads = torch.autograd.grad(
                z, list(params.values()), grad_outputs=tensors["grads"] / len(z)
            )
            self._local_grads[node] = dict(zip(params, grads, strict=True))
        else:
            load_weights(self.fog_local[node], tensors)

    def global_model(self) -> nn.Module:
        """The cloud's complete model: its copy of the local model, then the remote model."""
        return self.model

    def fog_param_count(self) -> int:
        """Each FN holds the local model."""
        return sum(p.numel() for p in self.local.parameters())
