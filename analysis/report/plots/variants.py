# SPDX-License-Identifier: MIT
"""Drawing steps across variants: the paper's Figures 7 and 8 in simulated time.

As `analysis.report.plots.sweep`: each function draws the frames `analysis.study.variants`
returns and computes nothing but positions. Colour is the batch size (a
sequential palette, light to dark as it grows); panels are the methods.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from analysis.report.plots.sweep import MARKERS
from analysis.study.reshape import LABELS, method_rank

TARGET_COLOR = "#444444"


def batch_colors(batches: Sequence[int]) -> dict[int, tuple[float, float, float, float]]:
    """One colour per batch size, light (small) to dark (large)."""
    cmap = colormaps["viridis_r"]
    ordered = sorted(set(batches))
    if len(ordered) == 1:
        return {ordered[0]: cmap(0.7)}
    return {b: cmap(0.15 + 0.8 * i / (len(ordered) - 1)) for i, b in enumerate(ordered)}


def _methods(frame: pd.DataFrame) -> list[str]:
    return sorted(set(frame["method"]), key=method_rank)


def fig7_figure(curves: pd.DataFrame, target: float | None, *, title: str, note: str) -> Figure:
    """Accuracy against rounds (left) and simulated time (right), a row per method.

    `curves`: `reshape_variants.fig7_curves`; one line per batch size, error bars
    the runs' spread; the target accuracy dashed.
    """
    methods = _methods(curves)
    colors = batch_colors(list(curves["batch_size"]))
    fig = Figure(figsize=(11.0, 2.9 * len(methods) + 1.4), layout="constrained")
    axes = fig.subplots(len(methods), 2, squeeze=False, sharey=True)
    for row, method in zip(axes, methods, strict=True):
        at = curves[curves["method"] == method]
        for batch in sorted(set(at["batch_size"])):
            c = at[at["batch_size"] == batch].sort_values("round")
            for ax, x in zip(row, ("round", "time_s"), strict=True):
                ax.errorbar(c[x], c["mean"], yerr=[c["err_low"], c["err_high"]],
                            color=colors[batch], marker=MARKERS.get(method, "o"), markersize=4,
                            capsize=2, linewidth=1.8, label=f"B = {batch}")  # fmt: skip
        for ax in row:
            if target is not None:
                ax.axhline(target, color=TARGET_COLOR, linestyle="--", linewidth=1.1)
            ax.set_ylim(0, 1)
            ax.grid(True, alpha=0.3)
        row[0].set_ylabel(f"{LABELS.get(method, method)}\naccuracy on held-out data")
        row[0].set_xlim(left=0)
        row[1].set_xlim(left=0)
    axes[-1][0].set_xlabel("rounds trained")
    axes[-1][1].set_xlabel("simulated time (s) when the round's cloud update finished")
    fig.suptitle(title)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if target is not None:
        labels.append(f"target accuracy {target:g}")
        handles.append(axes[0][0].axhline(target, color=TARGET_COLOR, linestyle="--"))
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False,
               title=note or None, title_fontsize=8)  # fmt: skip
    return fig


def fig8_figure(points: pd.DataFrame, *, title: str, note: str) -> Figure:
    """Final accuracy (top) and training time (bottom) against straggler rate, a column per method.

    `points`: `reshape_variants.fig8_points`; one line per batch size, error bars
    the runs' spread.
    """
    methods = _methods(points)
    colors = batch_colors(list(points["batch_size"]))
    fig = Figure(figsize=(3.9 * len(methods) + 1.0, 7.4), layout="constrained")
    axes = fig.subplots(2, len(methods), squeeze=False, sharex=True)
    for col, method in enumerate(methods):
        at = points[points["method"] == method]
        for batch in sorted(set(at["batch_size"])):
            c = at[at["batch_size"] == batch].sort_values("straggler_rate")
            for row, short in enumerate(("acc", "time")):
                axes[row][col].errorbar(
                    c["straggler_rate"], c[f"{short}_mean"],
                    yerr=[c[f"{short}_err_low"], c[f"{short}_err_high"]], color=colors[batch],
                    marker=MARKERS.get(method, "o"), markersize=5, capsize=3, linewidth=1.8,
                    label=f"B = {batch}",
                )  # fmt: skip
        axes[0][col].set_title(LABELS.get(method, method))
        axes[0][col].set_ylim(0, 1)
        axes[1][col].set_ylim(bottom=0)
        axes[1][col].set_xlabel("straggler rate α (share of FNs a round leaves out)")
        for row in (0, 1):
            axes[row][col].grid(True, alpha=0.3)
    axes[0][0].set_ylabel("accuracy after the rounds trained")
    axes[1][0].set_ylabel("simulated time of the rounds trained (s)")
    rates = sorted(set(points["straggler_rate"]))
    for ax in axes[1]:
        ax.set_xticks(rates, [f"{r:.2g}" for r in rates])
    fig.suptitle(title)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False,
               title=note or None, title_fontsize=8)  # fmt: skip
    return fig
