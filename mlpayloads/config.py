# SPDX-License-Identifier: MIT
"""What a measurement or a training run depends on, checked without importing torch."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fogcosim.errors import UserError
from mlpayloads.arrivals import Arrivals
from mlpayloads.catalog import (
    DEFAULT_LR,
    check_device_name,
    check_dtype_name,
    check_method,
    check_model,
    resolve_split,
)
from mlpayloads.partition import DEFAULT_ALPHA, check_partition


@dataclass(frozen=True)
class MeasureConfig:
    """Everything a measurement or training run depends on.

    `mlpayloads.table.cache_key` keys a record by the fields that fix the bytes, plus the
    run's settings when they differ from the reusable measurement's.
    """

    dataset: str
    model: str
    method: str
    fog_nodes: int
    batch_size: int
    dtype: str = "float32"
    split: str | None = None
    rounds: int = 3
    seed: int = 0
    lr: float = DEFAULT_LR
    straggler_rate: float = 0.0
    delays: tuple[float, ...] | tuple[tuple[float, ...], ...] | None = None
    local_steps: int = 1
    data_dir: Path | None = None
    #: How the training set is divided among the FNs (`mlpayloads.partition`).
    partition: str = "iid"
    dirichlet_alpha: float = DEFAULT_ALPHA
    #: Where training runs: "auto" (CUDA if torch sees one, else CPU), "cpu" or "cuda".
    device: str = "cpu"

    def validated(self) -> MeasureConfig:
        """Check every field (UserError on the first bad one); resolve the split.

        The split applies to fcddt only: it is checked against the model's layers for
        every method, resolved to the model's default for fcddt, and set to None for
        cc and fl.
        """
        check_model(self.dataset, self.model)
        check_method(self.method)
        check_dtype_name(self.dtype)
        for name, value in (
            ("fog nodes", self.fog_nodes),
            ("batch size", self.batch_size),
            ("rounds", self.rounds),
            ("local steps", self.local_steps),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise UserError(f"{name} {value!r} must be an integer >= 1")
        if self.local_steps != 1 and self.method != "fl":
            raise UserError(
                f"local steps {self.local_steps} apply only to fl (cc and fcddt take 1)"
            )
        if not (isinstance(self.lr, int | float) and math.isfinite(self.lr) and self.lr > 0):
            raise UserError(f"learning rate {self.lr!r} must be a number > 0")
        covered = Arrivals(self.fog_nodes, self.straggler_rate, self.seed, self.delays)
        if (covered.rounds_covered or self.rounds) < self.rounds:
            raise UserError(
                f"per-round delays cover {covered.rounds_covered} rounds, {self.rounds} requested"
            )
        if self.method == "cc" and (self.straggler_rate or self.delays):
            raise UserError("straggler rate and delays apply to fl and fcddt, not cc")
        check_partition(self.partition, self.dirichlet_alpha)
        check_device_name(self.device)
        split = resolve_split(self.model, self.split)
        return replace(self, split=split if self.method == "fcddt" else None)


def replace(config: MeasureConfig, **changes: Any) -> MeasureConfig:
    """A copy of `config` with `changes`."""
    return MeasureConfig(**{**asdict(config), **changes})
