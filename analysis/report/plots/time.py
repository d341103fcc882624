# SPDX-License-Identifier: MIT
"""Drawing steps of time to accuracy: the time to the target per method, the round split.

As `analysis.report.plots.sweep`: each function draws the frames `analysis.study.rounds`
returns (`time_bars`, `split_table`) and computes nothing but positions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.report.plots.sweep import method_color
from analysis.study import uncertainty
from analysis.study.reshape import LABELS, method_rank

#: One colour per part of the round (Okabe–Ito, apart from the methods' where possible).
PART_COLORS = {
    "split_fog_s": "#E69F00",
    "split_network_s": "#56B4E9",
    "split_wait_s": "#DDDDDD",
    "split_cloud_s": "#CC79A7",
}


def _label(method: str) -> str:
    return LABELS.get(method, method)


def time_to_target_figure(bars: pd.DataFrame, *, title: str, note: str) -> Figure:
    """One bar per method and fog-node count: mean time to the target, how many runs reached it.

    `bars`: `reshape_rounds.time_bars` rows. A cell none of whose runs reached
    the target gets no bar but a ✗ at the axis with the rounds it trained.
    """
    counts = sorted({int(n) for n in bars["fog_nodes"]})
    methods = sorted(set(bars["method"]), key=method_rank)
    fig = Figure(
        figsize=(max(6.5, 1.6 * len(counts) * len(methods) + 2), 4.8), layout="constrained"
    )
    ax = fig.subplots()
    width = 0.8 / max(1, len(methods))
    top = float(np.nanmax((bars["mean"] + bars["err_high"]).to_numpy(dtype=float), initial=0.0))
    for j, method in enumerate(methods):
        for i, n in enumerate(counts):
            cell = bars[(bars["method"] == method) & (bars["fog_nodes"] == n)]
            if cell.empty:
                continue
            r = cell.iloc[0]
            x = i + (j - (len(methods) - 1) / 2) * width
            if r["n"] == 0:
                ax.scatter(x, 0, marker="X", s=90, color=method_color(method), zorder=4)
                ax.annotate(
                    f"not reached\nin {int(r['rounds_done'])} rounds",
                    (x, 0),
                    xytext=(0, 8),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                )
                continue  # fmt: skip
            ax.bar(x, r["mean"], width * 0.9, yerr=[[r["err_low"]], [r["err_high"]]],
                   color=method_color(method), capsize=4, edgecolor="#333333", linewidth=0.5,
                   label=_label(method) if i == 0 else None, zorder=3)  # fmt: skip
            ax.annotate(
                f"{int(r['n'])}/{int(r['trained'])}",
                (x, r["mean"] + r["err_high"]),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
            top = max(top, float(r["mean"]))  # fmt: skip
    ax.set_xticks(range(len(counts)), [f"{n} FNs" for n in counts])
    ax.set_ylabel("simulated time to the target (s)")
    ax.set_ylim(0, top * 1.18 if top > 0 else 1)
    ax.grid(True, axis="y", alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(title=note, fontsize=9, title_fontsize=8, loc="upper left")
    fig.suptitle(title)
    return fig


def split_figure(
    split: pd.DataFrame, parts: Sequence[str], names: Mapping[str, str], *, title: str
) -> Figure:
    """Stacked horizontal bars: per (fog-node count, method) the FN round's parts, in ms.

    `split`: `reshape_rounds.split_table` rows; the whisker is the FN round's 95%
    interval over seeds (none for 1 seed).
    """
    rows = split[split["fn_round_s_n"] > 0].reset_index(drop=True)
    fig = Figure(figsize=(9.0, 1.6 + 0.55 * len(rows)), layout="constrained")
    ax = fig.subplots()
    labels = []
    for y, r in rows.iterrows():
        left = 0.0
        for part in parts:
            value = float(r[f"{part}_mean"]) * 1e3
            if value != value:
                continue
            ax.barh(y, value, left=left, color=PART_COLORS.get(part, "#999999"),
                    edgecolor="#333333", linewidth=0.4, zorder=3)  # fmt: skip
            left += value
        total, std, n = (r[f"fn_round_s_{k}"] for k in ("mean", "std", "n"))
        if n >= 2 and std == std:
            from_t = uncertainty.t_half_width(float(std), int(n)) * 1e3
            ax.errorbar(total * 1e3, y, xerr=from_t, color="black", capsize=4, zorder=4)
        labels.append(f"{_label(str(r['method']))}, {int(r['fog_nodes'])} FNs")
    ax.set_yticks(range(len(rows)), labels)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("ms per round of an aggregated fog node")
    ax.grid(True, axis="x", alpha=0.3)
    handles = [Patch(facecolor=PART_COLORS.get(p, "#999999"), edgecolor="#333333",
                     label=names[p]) for p in parts]  # fmt: skip
    fig.suptitle(title)
    fig.legend(handles=handles, loc="outside lower center", ncol=len(parts), frameon=False)
    for y, r in rows.iterrows():  # colour the method names as everywhere else
        ax.get_yticklabels()[y].set_color(method_color(str(r["method"])))
    return fig
