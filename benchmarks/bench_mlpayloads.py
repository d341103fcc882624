# SPDX-License-Identifier: MIT
"""ML timings: seconds per round per scheme and model, `payloads --all`, lookups, FLOPs.

Prints only (no assertions). Measures at B=100, float32 on the default offline data (the
MNIST 5k sample, the CIFAR-10 stand-in), with temporary caches so that everything is
really measured: seconds per round at p=4; the
wall time of `fogcosim payloads --all` (the reusable p=2 records) with an empty cache and
again from the cache; a record lookup from a warm cache; and the FLOPs per protocol step
of every model and scheme (`mlpayloads.flops`).
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

import torch

from fogcosim.cli import main as fogcosim_main
from mlpayloads.flops import compute_profile
from mlpayloads.measure import MeasureConfig, measure
from mlpayloads.table import paper_grid, payload_record

P, B, ROUNDS = 4, 100, 2


def per_round() -> None:
    """Seconds per round (mean of ROUNDS rounds) per (model, scheme)."""
    print(f"seconds per round, p={P}, B={B}, float32, {ROUNDS} rounds each")
    print(f"{'model':8} {'cc':>8} {'fl':>8} {'fcddt':>8}")
    rows: dict[str, dict[str, float]] = {}
    for dataset, model, method in paper_grid():
        record = measure(MeasureConfig(dataset, model, method, P, B, rounds=ROUNDS), progress=False)
        rows.setdefault(model, {})[method] = record.seconds_per_round
    for model, cells in rows.items():
        print(f"{model:8} {cells['cc']:>8.3f} {cells['fl']:>8.3f} {cells['fcddt']:>8.3f}")


def payloads_all() -> None:
    """Wall time of `fogcosim payloads --all --batch-size 100`: empty cache, then cached."""
    with tempfile.TemporaryDirectory() as tmp:
        cache, out = str(Path(tmp) / "cache"), str(Path(tmp) / "out")
        args = ["payloads", "--all", "--batch-size", str(B), "--cache-dir", cache, "--out", out]
        for label in ("empty cache", "from the cache"):
            start = time.perf_counter()
            status = fogcosim_main(args)
            elapsed = time.perf_counter() - start
            print(f"payloads --all (p=2 records, B={B}, {label}): {elapsed:.1f} s, exit {status}")
        os.environ["FOGCOSIM_CACHE"] = cache
        try:
            start = time.perf_counter()
            for dataset, model, method in paper_grid():
                payload_record(dataset, model, method, B)
            each = (time.perf_counter() - start) / len(paper_grid())
        finally:
            del os.environ["FOGCOSIM_CACHE"]
        print(f"payload_record from a warm cache: {each * 1e3:.2f} ms per record")


def flops() -> None:
    """GFLOPs per step of one round at B=100 (k: aggregated FNs), and the counting time."""
    print(f"GFLOP per protocol step, B={B} (cloud steps: fixed + per_fn * k)")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        for dataset, model, method in paper_grid():
            for accounting in ("measured", "table1") if method == "fcddt" else ("measured",):
                prof = compute_profile(
                    dataset, model, method, B, accounting=accounting, cache_dir=Path(tmp)
                )
                steps = ", ".join(
                    f"{name} {s.where} {s.flops_fixed / 1e9:.4g}"
                    + (f" + {s.flops_per_fn / 1e9:.4g}k" if s.flops_per_fn else "")
                    for name, s in prof.steps.items()
                )
                print(f"  {model:6} {method:5} {accounting:8} {steps}")
        print(f"counted in {time.perf_counter() - start:.1f} s (meta tensors)")


def main() -> None:
    """Run the benchmarks and say what machine they ran on."""
    print(
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} with {torch.get_num_threads()} threads"
    )
    per_round()
    payloads_all()
    flops()


if __name__ == "__main__":
    main()
