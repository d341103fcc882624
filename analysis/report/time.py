# SPDX-License-Identifier: MIT
"""Time to accuracy, honestly: method against method, and where the round time goes.

Two parts of a rounds-paced study's "Training in the loop" section, and their
plots. **Time to the target, method against method**: every pair of methods at
each fog-node count, the difference of their times to the target accuracy with
its 95% interval and the t-test's p-value (`reshape_rounds.target_differences`),
and, per method, how many runs never reached the target (counted, never averaged
in). **Where the round time goes**: an aggregated fog node's round, from its
start to the round's last download, split into its own compute, its messages'
time in the network, its wait at the cloud for the last aggregated fog node
(stragglers, or a deadline) and the cloud's compute (`analysis.run.round_split`);
the parts add up to the round for every fog node and round.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.report.format import PM_WORDS, label, md_table, num, pm
from analysis.report.plots import time as plots_time
from analysis.run.round_split import SPLIT_METRICS
from analysis.study import reshape
from analysis.study import rounds as reshape_rounds

#: A plot to write: file stem, figure, alt text, caption (as `analysis.report.sweep.Plot`).
Plot = tuple[str, Any, str, str]
PLOT_NAMES = ("time_to_target", "round_split")
PARTS = [k for k in SPLIT_METRICS if k != "fn_round_s"]


def p_text(p: float) -> str:
    """A p-value as reports write it: "p < 0.001", "p = 0.03", "—" where untested."""
    if p != p:
        return "—"
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def reached_text(table: pd.DataFrame) -> str:
    """Which methods had runs that never reached the target, e.g. "FL: 2 of 5 runs"."""
    parts = []
    for r in table[table["method"] != "none"].itertuples():
        missed = int(r.trained) - int(r.time_n)
        if r.trained and missed:
            parts.append(
                f"{label(r.method)} at {int(r.fog_nodes)} FNs: {missed} of {int(r.trained)} runs "
                f"did not reach it within {int(r.rounds_done)} rounds"
            )
    if not parts:
        return "Every run reached the target."
    return (
        "Runs that never reached the target are counted, not averaged: "
        + "; ".join(parts)
        + ". Means and comparisons of the time to the target rest on the runs that reached it."
    )


def differences_section(rows: pd.DataFrame) -> list[str]:
    """Every pair of methods: time to the target, difference, 95% interval, p-value."""
    diffs = reshape_rounds.target_differences(rows)
    table = reshape_rounds.training_table(rows)
    lines = ["### Time to the target, method against method", ""]
    if diffs.empty:
        return [
            *lines,
            "No two methods reached the target at the same fog-node count. " + reached_text(table),
            "",
        ]
    body = []
    for d in diffs.itertuples():
        how = "paired" if d.paired else "Welch"
        body.append(
            [
                str(int(d.fog_nodes)),
                f"{label(d.higher)} − {label(d.lower)}",
                f"{num(d.mean, 3, signed=True)} [{num(d.low, 3, signed=True)}, "
                f"{num(d.high, 3, signed=True)}]",
                p_text(d.p),
                f"{int(d.n)} ({how})",
            ]
        )
    lines += [
        "The difference of the simulated times to the target accuracy between each pair of "
        "methods (the slower minus the faster): the mean of the per-run differences over runs "
        "of equal network and training seeds where both reached it (paired: they share every "
        "draw) with its 95% confidence interval and the two-sided t-test's p-value, else "
        "Welch's. A difference is significant at 5% where the interval excludes 0.",
        "",
        *md_table(["FNs", "difference", "seconds [95% CI]", "p", "runs (test)"], body, right=2),
        reached_text(table),
        "",
    ]
    return lines


def _part_cell(r: Any, column: str) -> str:
    mean, std, n = (getattr(r, f"{column}_{k}") for k in ("mean", "std", "n"))
    text = pm(mean * 1e3, std * 1e3, n, lambda x: num(x, 1))
    share = getattr(r, f"{column}_share")
    return text if column == "fn_round_s" or share != share else f"{text} ({share:.0%})"


def split_section(rows: pd.DataFrame) -> list[str]:
    """Per method and fog-node count: the FN round and its parts, with their shares."""
    table = reshape_rounds.split_table(rows)
    lines = ["### Where the round time goes", ""]
    if table.empty or not (table["fn_round_s_n"] > 0).any():
        return [
            *lines,
            "Unavailable: the runs' summaries predate the split (re-run the sweep).",
            "",
        ]
    headers = ["method", "FNs", *(f"{SPLIT_METRICS[c]} (ms)" for c in SPLIT_METRICS), "seeds"]
    body = [
        [label(r.method), str(int(r.fog_nodes)), *(_part_cell(r, c) for c in SPLIT_METRICS),
         str(int(r.fn_round_s_n))]
        for r in table.itertuples()
    ]  # fmt: skip
    missing = table[(table["fn_round_s_n"] > 0) & (table["split_network_s_n"] == 0)]
    lines += [
        "An aggregated fog node's round, from its start to the round's last download (where "
        "nothing comes down, CC with a batch period: to the cloud's close), split into **fog "
        "compute** (its own computations), **network** (the time its uploads and the round's "
        "downloads to it spent in the network: transmission, propagation, queueing), "
        "**waiting** (its uploads at the cloud until the stage's set was complete: the last "
        "aggregated fog node's upload, or the deadline) and **cloud compute**. The parts add "
        "up to the round for every fog node and round (docs/rounds.md); a method's time to the "
        "target is about its rounds to the target times its FN round. Means over the "
        f"aggregated fog nodes and rounds trained of each run, then over seeds: {PM_WORDS}; "
        "in brackets each part's share of the FN round.",
        "",
        *md_table(headers, body, right=2),
    ]
    if len(missing):
        lines += [
            "Network and waiting are unknown for runs recorded without delay vectors "
            "(`--no-vectors`): "
            + ", ".join(f"{label(m)} at {int(n)} FNs" for m, n in zip(missing["method"],
                                                                      missing["fog_nodes"],
                                                                      strict=True))
            + ".",
            "",
        ]  # fmt: skip
    return lines


def time_plots(rows: pd.DataFrame) -> list[Plot]:
    """Time to the target per method (runs that missed it shown) and the round split."""
    todo: list[Plot] = []
    table = reshape_rounds.training_table(rows)
    bars = reshape_rounds.time_bars(table)
    if len(bars):
        spread = reshape.spread_caption([bars[bars["n"] > 0]])
        title = "Time to the target accuracy"
        target = table["target"].max()
        fig = plots_time.time_to_target_figure(
            bars, title=title, note=f"Error bars: {spread} (runs that reached the target)."
        )
        todo.append(
            (
                "time_to_target",
                fig,
                title,
                f"Simulated time until the accuracy first reached the target ({target:g}) per "
                "method and fog-node count: mean over the runs that reached it, error bars: "
                f"{spread}. Above each bar: how many of the runs reached it; a method none of "
                "whose runs reached it is marked ✗ with the rounds it trained.",
            )
        )
    split = reshape_rounds.split_table(rows)
    if len(split) and (split["split_network_s_n"] > 0).any():
        title = "Where the round time goes"
        fig = plots_time.split_figure(split, PARTS, SPLIT_METRICS, title=title)
        todo.append(
            (
                "round_split",
                fig,
                title,
                "An aggregated fog node's round (from its start to the round's last download), "
                "mean over fog nodes, rounds and seeds, stacked by part: its own compute, its "
                "messages' time in the network, its wait at the cloud for the last aggregated "
                "fog node, the cloud's compute. Error bar: the 95% interval of the FN round's "
                "mean over seeds.",
            )
        )
    return todo
