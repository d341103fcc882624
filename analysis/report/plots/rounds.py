# SPDX-License-Identifier: MIT
"""Drawing steps of a rounds-paced study: accuracy against simulated time, a round timeline.

As `analysis.report.plots.sweep`: each function draws the frames `analysis.study.rounds`
returns and computes nothing but positions.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.report.plots.sweep import (
    MARKERS,
    STUDY_LINES,
    STUDY_MARKERS,
    finish,
    legend_columns,
    method_color,
    series_label,
    study_groups,
)
from analysis.study.rounds import ABANDONED, AGGREGATED, DISCARDED, LATE, PHASES

#: One colour per timeline phase (Okabe–Ito hues, apart from the methods' where possible).
PHASE_COLORS = {
    "compute": "#E69F00",
    "upload": "#0072B2",
    "waiting": "#DDDDDD",
    "later stages": "#CC79A7",
    "download": "#009E73",
}
#: Status -> marker of a fog node's round that was not aggregated.
STATUS_MARKERS = {LATE: "v", DISCARDED: "X", ABANDONED: "P"}
STRAGGLER_COLOR = "#D55E00"
TARGET_COLOR = "#444444"


def accuracy_figure(curves: pd.DataFrame, target: float | None, *, title: str, note: str) -> Figure:
    """Accuracy against simulated time, one line per method (and study), the target dashed.

    `curves`: `reshape_rounds.accuracy_curves` rows, optionally with a `study`
    column (then colour by method, line style and marker by study); error bars
    are the seeds' spread.
    """
    fig = Figure(figsize=(9.5, 5.6), layout="constrained")
    ax = fig.subplots()
    groups = study_groups(curves)
    studies = list(dict.fromkeys(study for study, _ in groups))
    for i, (study, method) in enumerate(groups):
        c = curves[curves["method"] == method]
        c = (c if study is None else c[c["study"] == study]).sort_values("round")
        k = studies.index(study)
        marker = STUDY_MARKERS[k % len(STUDY_MARKERS)] if study else MARKERS.get(method, "o")
        # methods that learn the same thing draw the same line: shrink each later one a little
        ax.errorbar(
            c["time_s"], c["mean"], yerr=[c["err_low"], c["err_high"]], color=method_color(method),
            marker=marker, markersize=7 - 1.2 * (i % 4), capsize=3, linewidth=2.6 - 0.5 * (i % 4),
            linestyle=STUDY_LINES[k % len(STUDY_LINES)], label=series_label(study, method),
            zorder=3 + i,
        )  # fmt: skip
    if target is not None:
        ax.axhline(target, color=TARGET_COLOR, linestyle="--", linewidth=1.3, zorder=2,
                   label=f"target accuracy {target:g}")  # fmt: skip
    ax.set_xlabel("simulated time (s): when the round's cloud update finished")
    ax.set_ylabel("accuracy on held-out data")
    ax.set_ylim(0, 1)
    ax.set_xlim(left=0)
    ax.grid(True, alpha=0.3)
    finish(fig, title, note, ncol=2 if "study" in curves else 4)
    return fig


def timeline_figure(
    spans: pd.DataFrame,
    statuses: pd.DataFrame,
    fn_labels: Sequence[str],
    *,
    title: str,
    note: str,
) -> Figure:
    """One panel per round: FN rows, coloured phase spans, in ms since the round's first start.

    Rounds are often far apart (a batch period) while their work takes
    milliseconds, so each round gets its own x axis; a not-aggregated FN's
    spans are hatched and a red marker shows where its upload counted for
    nothing (arrived late, or never: upload in flight at the close, compute
    abandoned). The dashed line is the round's close (the cloud's update done).
    """
    rounds = sorted(set(statuses["round"]))
    k = max(1, len(rounds))
    p = len(fn_labels)
    fig = Figure(figsize=(max(7.0, 2.9 * k + 1.5), 1.9 + 0.36 * p), layout="constrained")
    axes = fig.subplots(1, k, squeeze=False, sharey=True)[0]
    for ax, rnd in zip(axes, rounds, strict=False):
        st = statuses[statuses["round"] == rnd]
        t0 = float(st["start_s"].min())
        sp = spans[spans["round"] == rnd]
        missed = set(st.loc[~st["aggregated"].astype(bool), "fn"])
        for phase in PHASES:
            part = sp[sp["phase"] == phase]
            for s in part.itertuples():
                height = 0.45 if phase == "download" else 0.8
                ax.barh(
                    int(s.fn), (s.end_s - s.start_s) * 1e3, left=(s.start_s - t0) * 1e3,
                    height=height, color=PHASE_COLORS[phase], edgecolor="#333333",
                    linewidth=0.4, hatch="///" if s.fn in missed else None, zorder=3,
                )  # fmt: skip
        for s in st[~st["aggregated"].astype(bool)].itertuples():
            ax.scatter((s.mark_s - t0) * 1e3, int(s.fn), marker=STATUS_MARKERS.get(s.status, "X"),
                       s=70, color=STRAGGLER_COLOR, edgecolors="white", zorder=5)  # fmt: skip
        done = st["end_s"].max()
        close = float(sp.loc[sp["phase"].isin(["waiting", "later stages"]), "end_s"].max())
        if close == close:  # not NaN
            ax.axvline((close - t0) * 1e3, color="black", linestyle="--", linewidth=1, zorder=4)
        ax.set_xlim(0, (done - t0) * 1e3 * 1.04)
        ax.set_title(f"round {rnd}\nfrom t = {t0:.3f} s", fontsize=9)
        ax.set_xlabel("ms since the round's start")
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].set_yticks(range(p), fn_labels, fontsize=8)
    axes[0].set_ylim(p - 0.5, -0.5)
    axes[0].set_ylabel("fog node")
    handles: list[Patch | Line2D] = [
        Patch(facecolor=PHASE_COLORS[ph], edgecolor="#333333", label=ph)
        for ph in PHASES
        if ph in set(spans["phase"])
    ]
    handles.append(
        Line2D([], [], color="black", linestyle="--", label="round closed (update done)")
    )
    if len(statuses) and not statuses["aggregated"].astype(bool).all():
        handles.append(Patch(facecolor="white", edgecolor="#333333", hatch="///",
                             label="not aggregated (straggler)"))  # fmt: skip
        for status in dict.fromkeys(statuses["status"]):
            if status != AGGREGATED:
                handles.append(Line2D([], [], marker=STATUS_MARKERS.get(status, "X"), linestyle="",
                                      color=STRAGGLER_COLOR, label=status))  # fmt: skip
    fig.suptitle(title)
    ncol = legend_columns(fig, [str(h.get_label()) for h in handles], 4, fontsize=8)
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False, fontsize=8,
               title=note or None, title_fontsize=8)  # fmt: skip
    return fig
