# SPDX-License-Identifier: MIT
"""Train a scheme to test accuracy (``fogcosim train``), recording bytes as it goes.

An epoch is ``ceil(smallest shard / (B * local_steps))`` rounds, so every FN reads
about its whole shard once per epoch. After each epoch the cloud's complete model is
evaluated on the test set.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

from fogcosim.errors import UserError
from mlpayloads.data import ImageSet, to_float
from mlpayloads.measure import MeasureConfig, set_up
from mlpayloads.rounds import UP, Channel, run_round


def evaluate(model: nn.Module, test: ImageSet, batch_size: int = 1000) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of `model` on `test`, on the model's device."""
    device = next(model.parameters()).device
    correct, loss_sum = 0, 0.0
    with torch.no_grad():
        for start in range(0, len(test), batch_size):
            x = to_float(torch.from_numpy(test.images[start : start + batch_size]).to(device))
            y = torch.from_numpy(test.labels[start : start + batch_size]).long().to(device)
            logits = model(x)
            loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
            correct += int((logits.argmax(1) == y).sum())
    return correct / len(test), loss_sum / len(test)


def train(
    config: MeasureConfig, epochs: int, *, download: bool = False, progress: bool = True
) -> dict[str, Any]:
    """Train `config` for `epochs` epochs; return a JSON-ready summary."""
    if not isinstance(epochs, int) or epochs < 1:
        raise UserError(f"epochs {epochs!r} must be an integer >= 1")
    config = config.validated()
    setup = set_up(config, download=download, training=True)
    data, scheme, fn_streams = setup.data, setup.scheme, setup.fn_streams
    per_epoch = math.ceil(
        min(s.shard_size for s in fn_streams) / (config.batch_size * config.local_steps)
    )
    channel, arrivals = setup.channel, setup.arrivals
    history: list[dict[str, Any]] = []
    aggregated: list[list[int]] = []
    start = time.perf_counter()
    bar = tqdm(
        total=epochs * per_epoch,
        desc=f"{config.method} {config.model} [{data.source}]",
        unit="round",
        file=sys.stderr,
        disable=not progress,
    )
    with bar:
        for epoch in range(1, epochs + 1):
            for _ in range(per_epoch):
                log = run_round(scheme, channel, fn_streams, arrivals, len(aggregated))
                aggregated.append(list(log.aggregated))
                bar.update()
            accuracy, loss = evaluate(scheme.global_model(), data.test)
            history.append({"epoch": epoch, "test_accuracy": accuracy, "test_loss": loss})
            bar.set_postfix(acc=f"{accuracy:.3f}")
    return {
        "dataset": config.dataset,
        "data_source": data.source,
        "model": config.model,
        "method": config.method,
        "fog_nodes": config.fog_nodes,
        "batch_size": config.batch_size,
        "dtype": config.dtype,
        "split": config.split,
        "lr": config.lr,
        "straggler_rate": config.straggler_rate,
        "local_steps": config.local_steps,
        "partition": config.partition,
        "dirichlet_alpha": config.dirichlet_alpha if config.partition == "dirichlet" else None,
        "device": str(next(scheme.global_model().parameters()).device),
        "seed": config.seed,
        "epochs": epochs,
        "rounds_per_epoch": per_epoch,
        "accuracy_per_epoch": [h["test_accuracy"] for h in history],
        "history": history,
        "bytes": _bytes_summary(channel, len(aggregated), config.fog_nodes),
        "aggregated_per_round": aggregated,
        "seconds": round(time.perf_counter() - start, 3),
    }


def _bytes_summary(channel: Channel, rounds: int, fog_nodes: int) -> dict[str, int]:
    up = [[0] * fog_nodes for _ in range(rounds)]
    down = [[0] * fog_nodes for _ in range(rounds)]
    for m in channel.messages:
        (up if m.direction == UP else down)[m.round][m.node] += m.nbytes
    flat_up = [b for row in up for b in row]
    flat_down = [b for row in down for b in row]
    return {
        "rounds": rounds,
        "upload_bytes_per_node": int(statistics.median_low(flat_up)),
        "download_bytes_per_node": int(statistics.median_low(flat_down)),
        "total_upload_bytes": sum(flat_up),
        "total_download_bytes": sum(flat_down),
    }
