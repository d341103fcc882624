"""The round timeline of a rounds-paced run, read back from its result files.

Both backends' round-protocol apps record the same vectors (see
`simulation.roundspec` and omnetpp_src/fogcosim/RoundApp.cc): per fog node
`roundStart`, `roundFogCompute` and `roundDownload`; at the cloud
`roundUpload` and `roundAggregated` (value round * p + fog node), and
`roundCloudCompute` and `roundDone`. This module turns them into rounds.csv,
one row per round and fog node, so the training phase and the report never
need to know which backend ran.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.pivots import vectors

ROUNDS_CSV = "rounds.csv"
COLUMNS = [
    "round", "fn", "round_start_s", "upload_done_s", "aggregated", "download_done_s",
    "compute_fog_s", "compute_cloud_s", "round_done_s",
]  # fmt: skip


def _series(table: pd.DataFrame, module: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    key = (module, name)
    if key not in table.index:
        return np.empty(0), np.empty(0)
    row = table.loc[key]
    return np.asarray(row["vectime"], dtype=float), np.asarray(row["vecvalue"], dtype=float)


def rounds_table(
    scenario: dict[str, Any], manifest: list[dict[str, Any]], raw: pd.DataFrame
) -> pd.DataFrame:
    """One row per (round, fog node) of the rounds the cloud completed."""
    spec = scenario.get("rounds")
    if not spec:
        return pd.DataFrame(columns=COLUMNS)
    apps = {r["host"]: r["module"] for r in manifest if r["role"] == "rounds"}
    fogs, cloud = spec["fog_nodes"], spec["cloud"]
    p = len(fogs)
    table = vectors(raw, include_itervars=False).set_index(["module", "name"])
    done_t, done_r = _series(table, apps[cloud], "roundDone:vector")
    up_t, up_v = _series(table, apps[cloud], "roundUpload:vector")
    _, agg_v = _series(table, apps[cloud], "roundAggregated:vector")
    cc_t, cc_v = _series(table, apps[cloud], "roundCloudCompute:vector")
    uploads = {(int(v) // p, int(v) % p): t for t, v in zip(up_t, up_v, strict=True)}
    aggregated = {(int(v) // p, int(v) % p) for v in agg_v}
    # the cloud computes its rounds one after another: attribute each computation by time
    cloud_time = np.zeros(len(done_t))
    for t, v in zip(cc_t, cc_v, strict=True):
        r = int(np.searchsorted(done_t, t))  # the first round done at or after it
        if r < len(cloud_time):
            cloud_time[r] += v
    rows = []
    for i, fog in enumerate(fogs):
        start_t, start_r = _series(table, apps[fog], "roundStart:vector")
        fc_t, fc_v = _series(table, apps[fog], "roundFogCompute:vector")
        dl_t, dl_r = _series(table, apps[fog], "roundDownload:vector")
        starts = {int(r): t for t, r in zip(start_t, start_r, strict=True)}
        downloads = {int(r): t for t, r in zip(dl_t, dl_r, strict=True)}
        fog_time = np.zeros(len(done_t))
        for t, v in zip(fc_t, fc_v, strict=True):  # a computation belongs to the last round begun
            begun = int(np.searchsorted(start_t, t, side="right")) - 1
            if begun >= 0 and int(start_r[begun]) < len(fog_time):
                fog_time[int(start_r[begun])] += v
        for r, t_done in zip(done_r.astype(int), done_t, strict=True):
            rows.append(
                {
                    "round": r,
                    "fn": i,
                    "round_start_s": starts.get(r, math.nan),
                    "upload_done_s": uploads.get((r, i), math.nan),
                    "aggregated": (r, i) in aggregated,
                    "download_done_s": downloads.get(r, math.nan),
                    "compute_fog_s": fog_time[r],
                    "compute_cloud_s": cloud_time[r],
                    "round_done_s": t_done,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(["round", "fn"]).reset_index(drop=True)


def aggregated_sets(table: pd.DataFrame) -> list[tuple[int, ...]]:
    """Each completed round's aggregated fog nodes, in round order."""
    return [
        tuple(int(f) for f in group.loc[group["aggregated"], "fn"])
        for _, group in table.groupby("round", sort=True)
    ]


def round_metrics(table: pd.DataFrame, fog_nodes: int) -> dict[str, float]:
    """Mean round time and the effective straggler rate (1 - aggregated/p, over rounds).

    A round's time runs from its first fog node's start to the cloud's update: the
    protocol's own time, without the wait for the next batch.
    """
    if table.empty:
        return {}
    per_round = table.groupby("round").agg(
        done=("round_done_s", "first"), start=("round_start_s", "min"), k=("aggregated", "sum")
    )
    durations = per_round["done"].to_numpy() - per_round["start"].to_numpy()
    return {
        "rounds_done": len(per_round),
        "mean_round_s": float(np.mean(durations)),
        "straggler_rate_eff": float(np.mean(1 - per_round["k"].to_numpy() / fog_nodes)),
    }
