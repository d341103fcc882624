# SPDX-License-Identifier: MIT
"""Drawing step of the price of protection: critical worst case against round time.

Draws the points `analysis.study.protection.protection_points` computed, one
panel per fog-node count: x the mean round time, y the mean critical worst case
(log scale), both with their error bars; colour by method (as in every plot),
marker by mechanism. Computes nothing but positions.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from analysis.report.plots.sweep import STUDY_MARKERS, finish, method_color
from analysis.study.reshape import LABELS


def protection_figure(
    panels: list[tuple[int, pd.DataFrame]], title: str, note: str, deadline: float | None = None
) -> Figure:
    """One panel per (fog-node count, points); a point per mechanism and method.

    `deadline` (µs): a dashed line at the tightest critical deadline.
    """
    fig = Figure(figsize=(max(8.0, 4.6 * len(panels) + 1.4), 5.6), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    groups = list(dict.fromkeys(g for _, points in panels for g in points["group"]))
    for ax, (fog_nodes, points) in zip(axes, panels, strict=True):
        for p in points.itertuples():
            marker = STUDY_MARKERS[groups.index(p.group) % len(STUDY_MARKERS)]
            ax.errorbar(
                [p.x], [p.y], xerr=[[p.x_err], [p.x_err]], yerr=[[p.y_err], [p.y_err]],
                color=method_color(str(p.method)), marker=marker, markersize=8, capsize=4,
                linestyle="none", label=f"{LABELS.get(str(p.method), p.method)} · {p.short}",
                zorder=3,
            )  # fmt: skip
        if deadline is not None:
            ax.axhline(deadline, color="#555555", linestyle="--", linewidth=1.0,
                       label=f"tightest critical deadline ({deadline:g} µs)")  # fmt: skip
        ax.set_yscale("log")
        ax.set_xlabel("round time (ms)")
        ax.set_title(f"{fog_nodes} fog nodes")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("critical worst case (µs, log scale)")
    finish(fig, title, note, ncol=3)
    return fig
