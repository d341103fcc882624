# SPDX-License-Identifier: MIT
"""Batch size and straggler rate across variants: the paper's Figures 7 and 8, in simulated time.

A rounds-paced sweep whose `[[simulation.variants]]` differ in batch size or
straggler rate gets one section across them, before the per-variant groups:
what each variant trained, a table per batch size, straggler rate and method
(accuracy after the rounds trained and the simulated time they took, each with
its 95% interval over the runs), and two figures: accuracy against rounds and
against simulated time per batch size (the paper's Figure 7), and accuracy and
training time against the straggler rate per batch size (its Figure 8). The
paper's own figures are of FCDDT on CIFAR-10 with VGG-16 and no network; see
docs/rounds.md for how ours compare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.report.format import PM_WORDS, label, md_table, num, pm
from analysis.report.plots import variants as plots_variants
from analysis.run.cosim import ACCURACY_CSV
from analysis.study import reshape
from analysis.study import variants as reshape_variants
from analysis.study.data import run_dir, run_keys, run_table
from analysis.study.variants import rate_text

PLOT_NAMES = ("fig7_batch_size", "fig8_straggler_rate")
#: A plot to write: file stem, figure, alt text, caption (as `analysis.report.sweep.Plot`).
Plot = tuple[str, Any, str, str]


@dataclass
class Variants:
    """What the variants' ML runs trained and learned."""

    facts: pd.DataFrame
    accuracy: pd.DataFrame
    target: float | None
    notes: list[str] = field(default_factory=list)


def load_variants(out_dir: Path, summary: pd.DataFrame) -> Variants | None:
    """The variants' facts and accuracy.csv rows; None where the sweep has no such grid."""
    if "variant" not in summary or summary["variant"].fillna("").nunique() < 2:
        return None
    ml = summary[(summary["method"] != "none") & summary["variant"].fillna("").astype(bool)]
    scenarios: dict[str, dict[str, Any]] = {}
    tables: list[pd.DataFrame] = []
    notes: list[str] = []
    for r in ml.itertuples():
        folder = run_dir(out_dir, r)
        try:
            scenarios[folder.name] = json.loads((folder / "scenario.json").read_text())
        except (OSError, ValueError):
            notes.append(f"{folder.name}: scenario.json not read")
            continue
        if (table := run_table(folder, ACCURACY_CSV, run_keys(r), notes)) is not None:
            tables.append(table)
    facts = reshape_variants.variant_facts(scenarios)
    if not reshape_variants.is_grid(facts):
        return None
    targets = pd.to_numeric(ml.get("target_accuracy", pd.Series(dtype=float)), errors="coerce")
    target = float(targets.max()) if targets.notna().any() else None
    accuracy = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return Variants(facts, accuracy, target, notes)


def variants_section(v: Variants) -> list[str]:
    """The facts of each variant and the table behind Figures 7 and 8."""
    facts = v.facts
    lines = [
        "## Batch size and straggler rate across variants (the paper's Figures 7 and 8)",
        "",
        "The variants of this study differ in batch size B (per fog node and round) and "
        "straggler rate α (the cloud aggregates the first (1 − α) p uploads of each round, "
        "policy `quorum`); every method and seed ran once per variant. Figure 7 of the paper "
        "compares batch sizes, its Figure 8 straggler rates per batch size (FCDDT, CIFAR-10, "
        "VGG-16, accuracy per epoch, no network): here every method, the MNIST 5k sample, and "
        "the time each round took on this network and these devices.",
        "",
    ]
    body = [
        [f.variant, str(int(f.batch_size)), str(int(f.fog_nodes)),
         f"{int(f.quorum)} (α = {rate_text(f.straggler_rate)})", str(f.rounds)]
        for f in facts.itertuples()
    ]  # fmt: skip
    lines += md_table(["variant", "B", "FNs", "aggregated per round", "rounds trained"], body)
    points = reshape_variants.fig8_points(v.accuracy, facts)
    if points.empty:
        return [*lines, "No run folder holds an accuracy.csv: nothing to compare.", ""]
    rows = [
        [str(int(p.batch_size)), rate_text(p.straggler_rate), label(p.method), str(int(p.rounds)),
         pm(p.acc_mean, p.acc_std, p.acc_n, lambda x: num(x, 3)),
         pm(p.time_mean, p.time_std, p.time_n, lambda x: num(x, 3)), str(int(p.acc_n))]
        for p in points.sort_values(["batch_size", "straggler_rate"], kind="stable").itertuples()
    ]  # fmt: skip
    lines += [
        f"Accuracy on held-out data after the rounds trained, and the simulated time they took "
        f"(when the last round's cloud update finished); {PM_WORDS} (here n = runs).",
        "",
        *md_table(
            ["B", "α", "method", "rounds", "accuracy", "training time (s)", "runs"], rows, right=3
        ),
    ]
    if v.notes:
        lines += [f"Run folders not read: {'; '.join(v.notes)}.", ""]
    return lines


def variant_plots(v: Variants) -> list[Plot]:
    """Figure 7 (accuracy per batch size, against rounds and time) and Figure 8."""
    todo: list[Plot] = []
    curves = reshape_variants.fig7_curves(v.accuracy, v.facts)
    if len(curves):
        lowest = rate_text(float(curves["straggler_rate"].min()))
        spread = reshape.spread_caption([curves])
        title = f"Accuracy per batch size against rounds and simulated time (α = {lowest})"
        fig = plots_variants.fig7_figure(
            curves, v.target, title=title, note=f"Error bars: {spread}."
        )
        caption = (
            f"The paper's Figure 7 in simulated time: accuracy on held-out data after each "
            f"round per batch size B, at straggler rate {lowest}, against the rounds trained "
            f"(left) and the simulated time the round's cloud update finished (right), one row "
            f"per method; mean over the runs, error bars: {spread}."
        )
        if v.target is not None:
            caption += f" Dashed: the target accuracy ({v.target:g})."
        todo.append(("fig7_batch_size", fig, title, caption))
    points = reshape_variants.fig8_points(v.accuracy, v.facts)
    if len(points) and points["straggler_rate"].nunique() > 1:
        frames = [points.rename(columns={"acc_n": "n", "acc_spread": "spread"})]
        spread = reshape.spread_caption(frames)
        title = "Accuracy and training time against the straggler rate, per batch size"
        fig = plots_variants.fig8_figure(points, title=title, note=f"Error bars: {spread}.")
        caption = (
            "The paper's Figure 8 in simulated time: per method (columns) and batch size B "
            "(colour), the accuracy after the rounds trained (top) and the simulated time "
            "they took (bottom) against the straggler rate α (the cloud aggregates the first "
            f"(1 − α) p uploads of a round); mean over the runs, error bars: {spread}."
        )
        todo.append(("fig8_straggler_rate", fig, title, caption))
    return todo
