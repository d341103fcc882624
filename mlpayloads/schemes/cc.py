# SPDX-License-Identifier: MIT
"""Cloud Computing (CC, paper Section 2.1): the FNs upload raw data, the cloud trains.

Per round, each FN uploads one batch as its sensors produced it: B x d uint8 pixels
and B uint8 labels (message ``raw_batch``; the labels are not in Table 1's ``B * d``,
but the cloud cannot train without them). The wire dtype does not apply: raw data is
sent as uint8. The cloud trains on the union batch of all FNs (mean loss, one plain
SGD step). Nothing is sent down: 0 download bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from mlpayloads.data import Batch, to_float
from mlpayloads.rounds import Outgoing, Scheme, sgd_step
from mlpayloads.wire import Tensors


class CloudComputing(Scheme):
    """CC: raw batches up, training in the cloud, nothing down."""

    name = "cc"

    def __init__(self, model: nn.Sequential, fog_nodes: int, lr: float, local_steps: int = 1):
        super().__init__(model, fog_nodes, lr, local_steps)
        self.model = model

    def fog_send(self, stage: int, node: int, batches: Sequence[Batch]) -> Outgoing:
        """Upload the raw batch: uint8 pixels and uint8 labels."""
        (batch,) = batches
        return Outgoing("raw_batch", {"pixels": batch.pixels, "labels": batch.labels})

    def cloud_step(
        self, stage: int, received: Mapping[int, Tensors], aggregated: Sequence[int]
    ) -> dict[int, Outgoing]:
        """One SGD step on the union batch; nothing to send back."""
        x = torch.cat([to_float(received[n]["pixels"]) for n in aggregated])
        y = torch.cat([received[n]["labels"] for n in aggregated]).long()
        params = list(self.model.parameters())
        loss = F.cross_entropy(self.model(x), y)
        sgd_step(params, torch.autograd.grad(loss, params), self.lr)
        return {}

    def global_model(self) -> nn.Module:
        """The cloud's model."""
        return self.model

    def fog_param_count(self) -> int:
        """FNs hold no model in CC."""
        return 0
