# SPDX-License-Identifier: MIT
"""Run a scheme for a few rounds outside the measurement code (test helper)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from mlpayloads.data import load_data, streams
from mlpayloads.models import build_model, check_split
from mlpayloads.rounds import Arrivals, Channel, RoundLog, run_round
from mlpayloads.schemes import make_scheme


def run(
    method: str,
    model: str = "mlp",
    *,
    dataset: str = "mnist",
    fog_nodes: int = 3,
    batch_size: int = 8,
    rounds: int = 4,
    lr: float = 0.1,
    dtype: str = "float32",
    alpha: float = 0.0,
    delays: Sequence[float] | None = None,
    local_steps: int = 1,
    split: str | None = None,
    seed: int = 0,
) -> tuple[torch.Tensor, list[RoundLog]]:
    """Return the cloud's flattened weights after `rounds` rounds, and the round logs."""
    data = load_data(dataset)
    net = build_model(dataset, model, seed)
    scheme = make_scheme(
        method,
        net,
        fog_nodes,
        lr,
        split=check_split(model, net, split),
        local_steps=local_steps,
    )
    channel = Channel(dtype)
    fn_streams = streams(data.train, fog_nodes, batch_size, seed)
    arrivals = Arrivals(fog_nodes, alpha, seed, delays)
    logs = [run_round(scheme, channel, fn_streams, arrivals, r) for r in range(rounds)]
    return flat(scheme.global_model()), logs


def flat(module: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in module.parameters()])
