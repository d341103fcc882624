# SPDX-License-Identifier: MIT
"""Reshape steps across the variants of a rounds-paced study: batch size and straggler rate.

A sweep of `[[simulation.variants]]` that set `traffic.ml.batch_size` and
`traffic.ml.straggler_rate` (the paper's Figures 7 and 8, in simulated time)
runs every method and seed once per variant. Pure pandas, as
`analysis.study.reshape`: what each variant trained (from the runs' scenario.json),
the accuracy curves per method and batch size (Figure 7), and the accuracy and
training time per method, batch size and straggler rate (Figure 8).
`analysis.report.variants` words them, `analysis.report.plots.variants` draws them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.study.reshape import error_bars, method_rank

FACT_COLUMNS = ["variant", "batch_size", "fog_nodes", "quorum", "straggler_rate", "rounds"]


def variant_facts(scenarios: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Per variant: batch size B, fog nodes p, FNs aggregated k (`quorum`), straggler rate, rounds.

    `scenarios`: the scenario.json of runs (any key), each naming its `variant`.
    The straggler rate is the share of FNs a round leaves out, 1 - k/p (the paper's
    alpha: the cloud aggregates the first (1 - alpha) p); policy "all" gives 0.
    """
    rows: dict[str, dict[str, Any]] = {}
    for scenario in scenarios.values():
        spec = scenario.get("rounds") or {}
        variant = scenario.get("variant", "")
        if not spec or variant in rows:
            continue
        p = len(spec["fog_nodes"])
        k = int(spec["quorum"]) if spec["policy"] == "quorum" else p
        training = spec.get("training") or {}
        rows[variant] = {
            "variant": variant,
            "batch_size": int(training.get("batch_size", 0)),
            "fog_nodes": p,
            "quorum": k,
            "straggler_rate": 1 - k / p,
            "rounds": training.get("rounds") or spec.get("rounds"),
        }
    frame = pd.DataFrame(list(rows.values()), columns=FACT_COLUMNS)
    return frame.sort_values(["batch_size", "straggler_rate"]).reset_index(drop=True)


def is_grid(facts: pd.DataFrame) -> bool:
    """Whether the variants differ in batch size or straggler rate (two variants at least)."""
    return len(facts) >= 2 and (
        facts["batch_size"].nunique() > 1 or facts["straggler_rate"].nunique() > 1
    )


def _with_facts(frame: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    cols = ["variant", "batch_size", "straggler_rate", "quorum"]
    return frame.merge(facts[cols], on="variant", how="inner")


def fig7_curves(accuracy: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per method, batch size and round at the lowest straggler rate, over runs.

    `accuracy`: accuracy.csv rows of every run with method, variant, seed and
    train_seed. Columns: method, batch_size, straggler_rate, round (1-based),
    time_s (mean simulated time of the round's update), mean, err_low, err_high
    (the 95% t interval over runs, none for 1), n, spread.
    """
    columns = ["method", "batch_size", "straggler_rate", "round", "time_s", "mean",
               "err_low", "err_high", "n", "spread"]  # fmt: skip
    if accuracy.empty or facts.empty:
        return pd.DataFrame(columns=columns)
    lowest = facts["straggler_rate"].min()
    at = _with_facts(accuracy, facts)
    at = at[(at["straggler_rate"] - lowest).abs() < 1e-9]
    grouped = at.groupby(["method", "batch_size", "straggler_rate", "round"])
    stats = grouped["accuracy"].agg(["mean", "std", "count"]).rename(columns={"count": "n"})
    stats["time_s"] = grouped["sim_time_s"].mean()
    stats = error_bars(stats.reset_index())
    stats["round"] = stats["round"] + 1  # rounds trained so far
    return _ordered(stats[columns], ["batch_size", "round"])


def fig8_points(accuracy: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Per method, batch size and straggler rate: final accuracy and training time, over runs.

    A run's final accuracy is after its last trained round, its training time the
    simulated time that round's update finished (both from accuracy.csv). Columns:
    method, batch_size, straggler_rate, quorum, rounds, then for `acc` and
    `time`: `<x>_mean`, `<x>_std`, `<x>_n`, `<x>_err_low`, `<x>_err_high`, `<x>_spread`.
    """
    if accuracy.empty or facts.empty:
        return pd.DataFrame()
    last = (
        accuracy.sort_values("round")
        .groupby(["variant", "method", "seed", "train_seed"], dropna=False)
        .tail(1)
    )
    runs = _with_facts(last, facts)
    keys = ["method", "batch_size", "straggler_rate", "quorum"]
    out = runs[keys].drop_duplicates().set_index(keys)
    out["rounds"] = runs.groupby(keys)["round"].max() + 1
    for short, column in (("acc", "accuracy"), ("time", "sim_time_s")):
        stats = runs.groupby(keys)[column].agg(["mean", "std", "count"])
        stats = error_bars(stats.rename(columns={"count": "n"}))
        for k in ("mean", "std", "n", "err_low", "err_high", "spread"):
            out[f"{short}_{k}"] = stats[k]
    return _ordered(out.reset_index(), ["batch_size", "straggler_rate"])


def _ordered(frame: pd.DataFrame, then: list[str]) -> pd.DataFrame:
    order = frame.assign(_m=frame["method"].map(method_rank))
    return order.sort_values(["_m", *then], kind="stable").drop(columns="_m").reset_index(drop=True)


def rate_text(rate: float) -> str:
    """A straggler rate as the tables write it: 0, 0.25, 0.5."""
    return "0" if math.isclose(rate, 0.0, abs_tol=1e-9) else f"{rate:.2g}"
