"""Seconds per round of each scheme for each model, and the wall time of `payloads --all`.

Prints only (no assertions). Measures at p=4, B=100, float32 on the stand-in data,
with a temporary cache so that everything is really measured.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

import torch

from fogcosim.cli import main as fogcosim_main
from mlpayloads.measure import MeasureConfig, measure
from mlpayloads.table import paper_grid

P, B, ROUNDS = 4, 100, 2


def per_round() -> None:
    """Seconds per round (mean of ROUNDS rounds) per (model, scheme)."""
    print(f"seconds per round, p={P}, B={B}, float32, {ROUNDS} rounds each")
    print(f"{'model':8} {'cc':>8} {'fl':>8} {'fcddt':>8}")
    rows: dict[str, dict[str, float]] = {}
    for dataset, model, method in paper_grid():
        record = measure(MeasureConfig(dataset, model, method, P, B, rounds=ROUNDS))
        rows.setdefault(model, {})[method] = record.seconds_per_round
    for model, cells in rows.items():
        print(f"{model:8} {cells['cc']:>8.3f} {cells['fl']:>8.3f} {cells['fcddt']:>8.3f}")


def payloads_all() -> None:
    """Wall time of `fogcosim payloads --all --fog-nodes 4 --batch-size 100` (fresh cache)."""
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = str(Path(tmp) / "cache"), str(Path(tmp) / "out")
        args = ["payloads", "--all", "--fog-nodes", str(P), "--batch-size", str(B),
                "--cache-dir", cache, "--out", out]  # fmt: skip
        start = time.perf_counter()
        status = fogcosim_main(args)
        elapsed = time.perf_counter() - start
    print(f"payloads --all (p={P}, B={B}, empty cache): {elapsed:.1f} s wall, exit {status}")


def main() -> None:
    """Run both benchmarks and say what machine they ran on."""
    print(
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} with {torch.get_num_threads()} threads"
    )
    per_round()
    payloads_all()


if __name__ == "__main__":
    main()
