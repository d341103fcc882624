# SPDX-License-Identifier: MIT
"""The two plots of a rounds-paced study's report: accuracy against simulated time, a timeline.

`training_plots` builds them from what `analysis.report.rounds.load_training`
read (accuracy.csv of every run, rounds.csv of one run per network seed); the
frames come from `analysis.study.rounds`, the drawing from
`analysis.report.plots.rounds`, the words for data sources and policies from
`analysis.report.rounds`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.report import time as report_time
from analysis.report.format import label
from analysis.report.plots import rounds as plots_rounds
from analysis.report.rounds import (
    Training,
    flops_text,
    policy_text,
    training_data_note,
    training_sources,
)
from analysis.report.tables import STAND_IN
from analysis.study import reshape
from analysis.study import rounds as reshape_rounds
from analysis.study.data import run_key

#: Rounds the timeline shows (from the first).
TIMELINE_ROUNDS = 5
PLOT_NAMES = ("accuracy_vs_time", "round_timeline", *report_time.PLOT_NAMES)
#: A plot to write: file stem, figure, alt text, caption (as `analysis.report.sweep.Plot`).
Plot = tuple[str, Any, str, str]


def training_plots(rows: pd.DataFrame, training: Training) -> tuple[list[Plot], list[str]]:
    """Accuracy against simulated time and one run's round timeline; notes for what is missing."""
    todo, notes = [], []
    plot = accuracy_plot(rows, training)
    if plot is None:
        notes.append("Accuracy against simulated time: no run folder holds an accuracy.csv.")
    else:
        todo.append(plot)
    plot = timeline_plot(training)
    if plot is None:
        notes.append("Round timeline: no run of an ML method holds a rounds.csv.")
    else:
        todo.append(plot)
    todo += report_time.time_plots(rows)
    return todo, notes


def same_curves(accuracy: pd.DataFrame) -> list[list[str]]:
    """Groups of methods whose accuracies were equal after every round and seed (2+ methods)."""
    keys = [c for c in ("seed", "train_seed") if c in accuracy and accuracy[c].notna().any()]
    wide = accuracy.pivot_table(index=[*keys, "round"], columns="method", values="accuracy")
    methods = sorted(wide.columns, key=reshape.method_rank)
    groups: list[list[str]] = []
    for m in methods:
        for g in groups:
            if np.allclose(wide[g[0]], wide[m], equal_nan=True):
                g.append(m)
                break
        else:
            groups.append([m])
    return [g for g in groups if len(g) > 1]


def accuracy_plot(rows: pd.DataFrame, training: Training) -> Plot | None:
    """Accuracy against simulated time, one line per method, at the most fog nodes trained."""
    acc = training.accuracy
    if acc.empty:
        return None
    n = int(acc["fog_nodes"].max())
    at = acc[acc["fog_nodes"] == n]
    curves = reshape_rounds.accuracy_curves(at)
    spread = reshape.spread_caption([curves])
    targets = pd.to_numeric(rows.get("target_accuracy", pd.Series(dtype=float)), errors="coerce")
    target = float(targets.max()) if targets.notna().any() else None
    sources = training_sources(rows, training)
    stand_in = any(STAND_IN in s for s in sources)
    title = f"Accuracy against simulated time at {n} FNs" + (" (stand-in data)" if stand_in else "")
    note = f"Error bars: {spread}." + (" Accuracy on stand-in data." if stand_in else "")
    fig = plots_rounds.accuracy_figure(curves, target, title=title, note=note)
    seeds = runs_text(at)
    caption = (
        f"Accuracy on held-out data after each round against the simulated time its cloud update "
        f"finished, at {n} fog nodes, one line per method; mean over the runs ({seeds}; x: the "
        f"mean of the round's time over them); error bars: {spread}."
    )
    if target is not None:
        caption += f" Dashed: the target accuracy ({target:g})."
    for group in same_curves(at):
        caption += (
            f" {', '.join(label(m) for m in group)} reached the same accuracy after every round "
            "and seed: their lines coincide."
        )
    return "accuracy_vs_time", fig, title, caption + " " + training_data_note(sources)


def runs_text(accuracy: pd.DataFrame) -> str:
    """The runs behind accuracy curves: how many per method, and their seeds."""
    runs = accuracy[[c for c in ("method", "seed", "train_seed") if c in accuracy]]
    per_method = runs.drop_duplicates().groupby("method").size()
    count = int(per_method.max()) if len(per_method) else 0
    net = ", ".join(str(int(s)) for s in sorted(set(accuracy["seed"])))
    text = f"{count} run{'s' if count != 1 else ''} per method: network seeds {net}"
    if "train_seed" in accuracy and accuracy["train_seed"].notna().any():
        train = ", ".join(str(int(t)) for t in sorted(set(accuracy["train_seed"].dropna())))
        text += f", training seeds {train}"
    return text


def timeline_plot(training: Training) -> Plot | None:
    """The round timeline of one run: FN x time, phase spans, who was aggregated."""
    if training.rounds.empty:
        return None
    runs = training.rounds[["method", "fog_nodes", "seed"]].drop_duplicates()
    runs = runs[runs["method"] != "none"]
    picked = reshape_rounds.pick_timeline_run(
        [(str(m), int(n), int(s)) for m, n, s in runs.itertuples(index=False)]
    )
    if picked is None:
        return None
    method, n, seed = picked
    run = training.rounds[
        (training.rounds["method"] == method)
        & (training.rounds["fog_nodes"] == n)
        & (training.rounds["seed"] == seed)
    ]
    trained = run["train_seed"].dropna() if "train_seed" in run else pd.Series(dtype=float)
    key = run_key(
        {
            "method": method,
            "fog_nodes": n,
            "seed": seed,
            "train_seed": int(trained.iloc[0]) if len(trained) else None,
            "variant": training.variant,
        }
    )
    spec = (training.scenarios.get(key) or {}).get("rounds") or {}
    stages = spec.get("stages") or []
    planned = [ps / 1e12 for ps in stages[0]["fog_before_ps"]] if stages else None
    shown = min(TIMELINE_ROUNDS, int(run["round"].max()) + 1)
    spans, statuses = reshape_rounds.timeline(run, shown, planned, max(1, len(stages)))
    names = list(spec.get("fog_nodes") or [f"FN {i}" for i in range(n)])
    flops = list(spec.get("fog_flops") or [])
    if len(set(flops)) > 1:
        names = [f"{name} ({flops_text(f)})" for name, f in zip(names, flops, strict=True)]
    title = f"Round timeline: {label(method)} at {n} FNs, seed {seed}, rounds 0–{shown - 1}"
    policy = policy_text(spec) if spec else "unknown policy"
    fig = plots_rounds.timeline_figure(
        spans, statuses, names, title=title, note=f"The cloud aggregates {policy}."
    )
    caption = (
        f"What each fog node did in the first {shown} rounds of `{key}` (the most fog nodes, "
        f"{label(method)}, seed {seed}); one panel per round, x in ms since the round's first "
        "start (each panel spans its own round; the time between rounds is left out). "
        "Compute: from the round's start for the FN's compute before its upload; upload: until "
        "the cloud had it; waiting: until the cloud's update was done and the download sent "
        "(dashed line), or the round ended (no download); download: until it arrived. "
    )
    if len(stages) > 1:
        caption += (
            f"{label(method)} exchanges {len(stages)} stages per round: an aggregated FN's "
            "later stages (downloads, compute, uploads) are one span. "
        )
    caption += f"The cloud aggregates {policy}. " + _stragglers_text(statuses, names, shown)
    return "round_timeline", fig, title, caption


def _stragglers_text(statuses: pd.DataFrame, names: list[str], shown: int) -> str:
    """Who was not aggregated in the rounds shown, and why."""
    missed = statuses[~statuses["aggregated"].astype(bool)]
    if missed.empty:
        return "Every FN was aggregated in every round shown."
    parts = []
    for (fn, status), group in missed.groupby(["fn", "status"], sort=True):
        which = spans_text(sorted(int(r) for r in group["round"]))
        parts.append(f"{names[int(fn)]} in round{'s' if len(group) > 1 else ''} {which}: {status}")
    return (
        "Hatched, with a red marker where its upload counted for nothing: not aggregated ("
        + "; ".join(parts)
        + ")."
    )


def spans_text(numbers: list[int]) -> str:
    """Sorted integers as runs, e.g. [0, 1, 2, 4] -> "0–2, 4"."""
    runs: list[list[int]] = []
    for x in numbers:
        if runs and x == runs[-1][-1] + 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
