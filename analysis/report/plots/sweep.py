# SPDX-License-Identifier: MIT
"""Drawing steps of the sweep report: frames from `analysis.study.reshape` -> matplotlib figures.

Each function draws what it is given and computes nothing but positions, so
the numbers in a plot are those its reshape step was tested for. Figures are
built with `matplotlib.figure.Figure` (Agg canvas, no pyplot state), so
drawing is safe in any process and never opens a window.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullFormatter

from analysis.study.reshape import LABELS, method_rank

#: One colour per method in every plot (colour-blind-safe Okabe–Ito hues).
COLORS = {"none": "#555555", "cc": "#0072B2", "fl": "#E69F00", "fcddt": "#009E73"}
MARKERS = {"none": "s", "cc": "o", "fl": "^", "fcddt": "D"}
CLASS_TITLES = {"critical": "critical messages", "ml": "ML messages", "background": "background"}
#: Line style and marker per study in a comparison (colour stays the method's).
STUDY_LINES = ("-", "--", ":", "-.")
STUDY_MARKERS = ("o", "s", "^", "D", "v", "P")
OVERLOAD_COLOR = "#D55E00"
OVERLOAD_LABEL = "overloaded run (offered load > 100% of a link)"
DPI = 120
#: x offset (fog nodes) between methods' points, so equal values stay visible.
DODGE = 0.12


def _label(method: str) -> str:
    return LABELS.get(method, method)


def method_color(method: str) -> str:
    """A method's colour in every plot (a neutral one for unknown methods)."""
    return COLORS.get(method, "#CC79A7")


def _methods(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["method"].unique(), key=method_rank)


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (for an atomic write)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def study_groups(series: pd.DataFrame) -> list[tuple[str | None, str]]:
    """(study, method) pairs to draw, studies in their order of appearance, methods in order."""
    studies: list[str | None] = (
        list(dict.fromkeys(series["study"])) if "study" in series else [None]
    )
    out = []
    for study in studies:
        part = series if study is None else series[series["study"] == study]
        out += [(study, method) for method in _methods(part)]
    return out


def series_label(study: str | None, method: str) -> str:
    """Legend text of a line: the method, and its study in a comparison."""
    return _label(method) if study is None else f"{_label(method)} · {study}"


def draw_series(
    ax: Axes,
    series: pd.DataFrame,
    paper: pd.DataFrame | None = None,
    paper_baseline: float | None = None,
) -> None:
    """Mean per method vs fog nodes with error bars, methods nudged apart on x so none hides.

    With a `study` column, one line per (study, method): colour by method,
    line style and marker by study. Points whose `overloaded` is True get a
    red ring. Paper values (if any) are dashed with hollow markers;
    `paper_baseline` a grey dotted horizontal line. The x ticks are the fog-node
    counts drawn.
    """
    groups = study_groups(series)
    studies = list(dict.fromkeys(study for study, _ in groups))
    for i, (study, method) in enumerate(groups):
        s = series[series["method"] == method]
        s = (s if study is None else s[s["study"] == study]).sort_values("fog_nodes")
        dodge = (i - (len(groups) - 1) / 2) * DODGE
        k = studies.index(study)
        marker = STUDY_MARKERS[k % len(STUDY_MARKERS)] if study else MARKERS.get(method, "o")
        ax.errorbar(
            s["fog_nodes"] + dodge, s["mean"], yerr=[s["err_low"], s["err_high"]],
            color=method_color(method), marker=marker, capsize=4, linewidth=1.8,
            linestyle=STUDY_LINES[k % len(STUDY_LINES)], label=series_label(study, method),
            zorder=3,
        )  # fmt: skip
        if "overloaded" in s and s["overloaded"].any():
            hot = s[s["overloaded"].astype(bool)]
            ax.scatter(
                hot["fog_nodes"] + dodge, hot["mean"], s=220, facecolors="none",
                edgecolors=OVERLOAD_COLOR, linewidths=2.0, zorder=4, label=OVERLOAD_LABEL,
            )  # fmt: skip
    if paper is not None:
        for method in _methods(paper):
            p = paper[paper["method"] == method].sort_values("fog_nodes")
            ax.plot(
                p["fog_nodes"], p["value"], linestyle="--", linewidth=1.2,
                marker=MARKERS.get(method, "o"), markerfacecolor="none", color=method_color(method),
                label=f"paper Table 4: {_label(method)}", zorder=2,
            )  # fmt: skip
    if paper_baseline is not None:
        ax.axhline(paper_baseline, color=COLORS["none"], linestyle=":", linewidth=1.2,
                   label="paper: no ML (average)")  # fmt: skip
    ticks = set(series["fog_nodes"]) | (set(paper["fog_nodes"]) if paper is not None else set())
    ax.set_xticks(sorted(int(t) for t in ticks))
    ax.set_xlabel("fog nodes (FNs)")
    ax.grid(True, alpha=0.3)


def finish(fig: Figure, title: str, note: str, ncol: int = 4) -> None:
    """Title on top; below the panels a legend (ours first, then the paper's) headed by `note`."""
    fig.suptitle(title)
    handles, labels = [], []
    for a in fig.axes:  # every panel's entries once (a ring may be in one panel only)
        for handle, text in zip(*a.get_legend_handles_labels(), strict=True):
            if text not in labels:
                handles.append(handle)
                labels.append(text)
    order = sorted(  # ours, then the overload ring, then the paper's
        range(len(labels)),
        key=lambda i: (labels[i].startswith("paper"), labels[i] == OVERLOAD_LABEL),
    )
    ncol = legend_columns(fig, labels, ncol, fontsize=9)
    fig.legend(
        [handles[i] for i in order], [labels[i] for i in order], loc="outside lower center",
        ncol=ncol, frameon=False, fontsize=9, title=note or None, title_fontsize=8,
    )  # fmt: skip


def legend_columns(fig: Figure, labels: list[str], most: int, fontsize: float) -> int:
    """As many legend columns (up to `most`) as fit the figure's width with these labels.

    Long labels (two studies of one profile, named by description or folder) in a
    fixed four columns ran past the figure's edge and were cut off.
    """
    if not labels:
        return 1
    width_pt = fig.get_figwidth() * 72
    # an entry: its marker (~2.5 em), the text (~0.6 em per character), spacing (~1.5 em)
    entry_pt = (max(len(t) for t in labels) * 0.6 + 4.0) * fontsize
    return max(1, min(most, int(width_pt // entry_pt)))


def delay_figure(
    critical: pd.DataFrame,
    every: pd.DataFrame,
    paper: pd.DataFrame | None,
    *,
    paper_baseline: float | None,
    title: str,
    note: str,
) -> Figure:
    """Two panels: mean critical delay and mean all-message delay vs fog nodes."""
    fig = Figure(figsize=(11, 5.8), layout="constrained")
    left, right = fig.subplots(1, 2)
    draw_series(left, critical, paper, paper_baseline)
    left.set_title("critical messages")
    draw_series(right, every, paper, paper_baseline)
    right.set_title("all messages (critical + ML + background)")
    for ax in (left, right):
        ax.set_ylabel("mean end-to-end delay (µs)")
        ax.set_ylim(bottom=0)
    finish(fig, title, note)
    return fig


def bandwidth_figure(
    mean: pd.DataFrame, busiest: pd.DataFrame, *, busiest_title: str, title: str, note: str
) -> Figure:
    """Two panels: bandwidth usage averaged over link directions, and of the busiest direction."""
    fig = Figure(figsize=(11, 5.4), layout="constrained")
    left, right = fig.subplots(1, 2)
    draw_series(left, mean)
    left.set_title("mean over all link directions")
    draw_series(right, busiest)
    right.set_title(busiest_title)
    for ax in (left, right):
        ax.set_ylabel("bandwidth usage (% of link capacity)")
        ax.set_ylim(bottom=0)
    finish(fig, title, note)
    return fig


def trend_figure(
    panels: Sequence[tuple[str, pd.DataFrame]], *, ylabel: str, title: str, note: str
) -> Figure:
    """One panel per (title, series) side by side, each drawn by `draw_series`."""
    k = max(1, len(panels))
    fig = Figure(figsize=(max(6.0, 4.4 * k), 5.4), layout="constrained")
    axes = fig.subplots(1, k, squeeze=False)[0]
    for ax, (name, series) in zip(axes, panels, strict=False):
        draw_series(ax, series)
        ax.set_title(name, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
    finish(fig, title, note)
    return fig


def deadline_figure(points: pd.DataFrame, *, title: str, note: str) -> Figure:
    """Worst-case delay per flow (x) against its deadline: a marker per method (and study).

    `points`: flow, method, deadline_us, delay_max_us and optionally study; the
    deadline is a black bar across each flow's slot, the y axis logarithmic
    (delays and deadlines span decades). A flow with no delivered message has
    no marker.
    """
    flows = list(dict.fromkeys(points["flow"]))
    groups = study_groups(points)
    studies = list(dict.fromkeys(study for study, _ in groups))
    fig = Figure(figsize=(max(7.0, 1.6 + 0.55 * len(flows)), 5.6), layout="constrained")
    ax = fig.subplots()
    x = {flow: i for i, flow in enumerate(flows)}
    width = 0.8
    for i, (study, method) in enumerate(groups):
        p = points[points["method"] == method]
        p = p if study is None else p[p["study"] == study]
        p = p.dropna(subset=["delay_max_us"])
        dx = (i - (len(groups) - 1) / 2) * width / max(1, len(groups))
        k = studies.index(study)
        marker = STUDY_MARKERS[k % len(STUDY_MARKERS)] if study else MARKERS.get(method, "o")
        ax.scatter(
            p["flow"].map(x) + dx, p["delay_max_us"], color=method_color(method), marker=marker,
            s=46, label=series_label(study, method), zorder=3,
        )  # fmt: skip
    deadlines = points.groupby("flow", sort=False)["deadline_us"].max()
    for flow, deadline in deadlines.items():
        ax.hlines(deadline, x[flow] - width / 2, x[flow] + width / 2, colors="black",
                  linewidth=2.2, zorder=2, label="deadline")  # fmt: skip
    ax.set_xticks(range(len(flows)), flows, rotation=45, ha="right", fontsize=8,
                  family="monospace")  # fmt: skip
    ax.set_yscale("log")
    ax.set_ylabel("worst-case end-to-end delay (µs, log scale)")
    ax.grid(True, axis="y", which="major", alpha=0.3)
    finish(fig, title, note)
    return fig


def links_figure(ranking: pd.DataFrame, *, title: str) -> Figure:
    """Horizontal grouped bars: utilization (%, log axis) per ranked link, one bar per method."""
    links = ranking.sort_values("rank").drop_duplicates("link")["link"].tolist()
    methods = _methods(ranking)
    height = 0.8 / max(1, len(methods))
    fig = Figure(figsize=(9, 1.4 + 0.11 * len(links) * max(2, len(methods))), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(links))
    for i, method in enumerate(methods):
        values = ranking[ranking["method"] == method].set_index("link")["busy_pct"].reindex(links)
        ax.barh(
            y + (i - (len(methods) - 1) / 2) * height, values.fillna(0).clip(lower=1e-6), height,
            color=method_color(method), label=_label(method),
        )  # fmt: skip
    ax.set_yticks(y, links, fontsize=9, family="monospace")
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(LogLocator(subs="all"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("utilization: busy fraction of the simulated time (% of capacity, log scale)")
    positive = ranking["busy_pct"][ranking["busy_pct"] > 0]
    if len(positive):
        ax.set_xlim(left=10 ** np.floor(np.log10(positive.min())), right=positive.max() * 2)
    ax.grid(True, axis="x", which="major", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(title)
    return fig


def ecdf_figure(ecdf: pd.DataFrame, classes: Sequence[str], *, title: str) -> Figure:
    """Per traffic class (columns): delay ECDF (top) and its tail, 1 - ECDF (bottom, log-log)."""
    k = max(1, len(classes))
    fig = Figure(figsize=(5.2 * k, 8.4), layout="constrained")
    axes = fig.subplots(2, k, squeeze=False, sharex="col")
    for col, cls in enumerate(classes):
        top, bottom = axes[0][col], axes[1][col]
        part = ecdf[ecdf["class"] == cls]
        for method in _methods(part):
            m = part[part["method"] == method]
            style = {"color": method_color(method), "where": "post", "linewidth": 1.6}
            if method == "none":  # the baseline is drawn on top, dashed, so it shows under overlaps
                style |= {"linestyle": "--", "zorder": 4}
            top.step(m["delay_us"], m["fraction"], label=f"{_label(method)} ({len(m)})", **style)
            tail = (
                1.0 - m["fraction"].to_numpy() + 1.0 / len(m)
            )  # P(delay >= x), never 0 on a log axis
            bottom.step(m["delay_us"], tail, **(style | {"where": "pre"}))
        top.set_title(CLASS_TITLES.get(cls, cls))
        top.set_ylim(0, 1.02)
        top.set_ylabel("fraction of messages with delay ≤ x")
        top.legend(loc="lower right", fontsize=8, title="method (messages)", title_fontsize=8)
        bottom.set_yscale("log")
        bottom.axhline(0.01, color="#999999", linestyle=":", linewidth=1)
        bottom.text(1.0, 0.01, "p99 ", transform=bottom.get_yaxis_transform(), ha="right",
                    va="bottom", fontsize=8, color="#666666")  # fmt: skip
        bottom.set_ylabel("fraction of messages with delay ≥ x (log)")
        bottom.set_xlabel("end-to-end delay (µs, log scale)")
        for ax in (top, bottom):
            ax.set_xscale("log")
            ax.grid(True, which="major", alpha=0.3)
    fig.suptitle(title)
    return fig
