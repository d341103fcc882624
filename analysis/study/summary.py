# SPDX-License-Identifier: MIT
"""summary.csv: one row per (profile, variant, backend, method, fog nodes, seeds) of a sweep.

Rows come from each run's `metrics.json`; the deltas against the no-ML
baseline (method `none`, same profile, variant, backend, fog nodes and network seed) are
added here, as in the paper's "+1% bandwidth, +4 us" comparison.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.run.csvfiles import write_table

SUMMARY = "summary.csv"
#: `seed` is the network seed; `train_seed` the training seed of a run that trains (else empty).
KEYS = ["profile", "variant", "backend", "method", "fog_nodes", "seed", "train_seed"]
#: metric -> delta column added against the no-ML baseline
DELTAS = {
    "bandwidth_mean": "delta_bandwidth_mean",
    "bandwidth_max": "delta_bandwidth_max",
    "critical_delay_mean_us": "delta_critical_delay_mean_us",
    "critical_delay_p99_us": "delta_critical_delay_p99_us",
    "all_delay_mean_us": "delta_all_delay_mean_us",
}
METHOD_ORDER = {"none": 0, "cc": 1, "fl": 2, "fcddt": 3}


def collect(run_dirs: list[Path]) -> pd.DataFrame:
    """The metrics of the given run folders (those with a metrics.json), with deltas."""
    rows = []
    for folder in run_dirs:
        path = Path(folder) / "metrics.json"
        if path.is_file():
            rows.append(json.loads(path.read_text()))
    if not rows:
        return pd.DataFrame(columns=KEYS)
    table = pd.DataFrame(rows)
    table["variant"] = table["variant"].fillna("") if "variant" in table else ""
    if "train_seed" in table:
        table["train_seed"] = pd.to_numeric(table["train_seed"], errors="coerce").astype("Int64")
    match = ["profile", "variant", "backend", "fog_nodes", "seed"]
    base = table[table["method"] == "none"].set_index(match)
    index = pd.MultiIndex.from_frame(table[match])
    for metric, delta in DELTAS.items():
        if metric in table and len(base):
            reference = base[metric].reindex(index).to_numpy()
            table[delta] = table[metric].to_numpy() - reference
    table = table.assign(_m=table["method"].map(METHOD_ORDER))
    keys = ["profile", "variant", "backend", "fog_nodes", "_m", "seed", "train_seed"]
    order = [c for c in keys if c in table]
    table = table.sort_values(order).drop(columns="_m")
    front = [c for c in KEYS if c in table]
    return table[front + [c for c in table.columns if c not in front]].reset_index(drop=True)


def write_summary(out_dir: Path, run_dirs: list[Path]) -> pd.DataFrame:
    """Collect and write `out_dir/summary.csv` atomically; return the table."""
    table = collect(run_dirs)
    write_table(Path(out_dir) / SUMMARY, table)
    return table
