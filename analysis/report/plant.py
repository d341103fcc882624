# SPDX-License-Identifier: MIT
"""Report sections computed from a plant's own runs: overload, link utilisation, per-flow results.

Each takes frames from `analysis.study.runs` (or summary rows) and returns
Markdown lines, so the report and the comparison word these results once.
Nothing here refers to a published study: these sections are the same for any
profile.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.report.format import label, md_table, num
from analysis.report.tables import OVERLOAD_MARK, load_cells
from analysis.study.data import run_key
from analysis.study.runs import overloaded_runs

#: Flows shown in the per-flow table, and in the deadline plot.
TOP_FLOWS = 12
#: Flow names listed per (method, FN count) among those that lost messages.
TOP_LOST = 8


def overload_section(rows: pd.DataFrame) -> list[str]:
    """Runs offered more than a link's capacity (summary column `overloaded`)."""
    lines = ["## Overloaded runs", ""]
    over = overloaded_runs(rows)
    if over is None:
        return [
            *lines,
            "Unavailable: summary.csv has no `overloaded` column (its runs were summarised before "
            "fogcosim computed the offered load); run `fogcosim sweep` again to add it.",
            "",
        ]
    if over.empty:
        text = "None: no run was offered more than 100% of any link's capacity"
        if "max_offered_load" in rows and rows["max_offered_load"].notna().any():
            top = rows.loc[rows["max_offered_load"].astype(float).idxmax()]
            text += (
                f" (highest: {float(top['max_offered_load']):.1%} of `"
                f"{top.get('max_offered_load_link', '?')}` in {run_key(top)})"
            )
        return [*lines, text + ".", ""]
    table = [
        [
            f"{OVERLOAD_MARK} {run_key(r)}",
            f"`{r['max_offered_load_link']}`",
            f"{float(r['max_offered_load']):.0%}",
        ]
        for r in over.to_dict("records")
    ]
    lines += [
        f"**{len(over)} of {len(rows)} runs were offered more than a link's capacity**: the "
        "queue of that link grows for as long as the traffic lasts (frames are dropped where "
        "queues are bounded), so these runs' delays depend on how long they were simulated. "
        f"They are marked {OVERLOAD_MARK} in the tables and ringed in the plots.",
        "",
    ]
    return lines + md_table(["run", "most loaded link direction", "offered load"], table, right=2)


# ---------------------------------------------------------------- links


def links_section(trends: pd.DataFrame, picked: list[tuple[str, str]]) -> list[str]:
    """Utilisation (and offered load) of the picked link directions per method and FN count."""
    lines = ["## Link utilisation vs fog-node count", ""]
    if not picked:
        return [
            *lines,
            "Unavailable: no run folder holds result files (.sca) to read link statistics from.",
            "",
        ]
    counts = sorted({int(n) for n in trends["fog_nodes"]})
    lines += [
        "Busy fraction of the simulated time of each followed link direction, in % of its "
        "capacity, mean ± std [95% CI] over seeds, and in brackets the load its flows offer it "
        "(computed from the "
        "scenario: their frames on the wire per second over the link's rate; above 100% the "
        "link is overloaded). Followed: "
        + "; ".join(f"`{link}` ({why})" for link, why in picked)
        + ".",
        "",
    ]
    table = []
    for (link, method), group in trends.groupby(["link", "method"], sort=False):
        table.append([f"`{link}`", label(str(method)), *load_cells(group, counts)])
    return lines + md_table(["link direction", "method", *(f"{n} FNs" for n in counts)], table, 2)


# ---------------------------------------------------------------- flows

FLOW_HEADERS = [
    "flow", "class", "src → dst", "method", "deadline (µs)", "sent", "delivered", "dropped",
    "in flight", "mean (µs)", "p99 (µs)", "max (µs)", "misses", "miss ratio",
]  # fmt: skip


def flows_unavailable(without: list[str], total: int) -> list[str]:
    """Why the per-flow sections are missing: run folders without flows.csv."""
    if not total:
        why = "no run folders found"
    else:
        why = (
            f"{len(without)} of {total} run folders hold no flows.csv (written before fogcosim "
            "wrote per-flow tables); run `fogcosim sweep` again into this folder to add them"
        )
    return ["## Per-flow results", "", f"Unavailable: {why}.", ""]


def flows_section(
    agg: pd.DataFrame, fog_nodes: int, chosen: list[str], without: list[str]
) -> list[str]:
    """The per-flow table at `fog_nodes`: the chosen flows, one row per method."""
    at = agg[agg["fog_nodes"] == fog_nodes]
    total = at["flow"].nunique()
    seeds = int(at["seeds"].max()) if len(at) else 0
    shown = (
        f"all {total} flows"
        if len(chosen) == total
        else f"{len(chosen)} of {total} flows: those with a deadline first (those that lost "
        "messages or missed it, then the closest to it: worst-case delay over deadline), then "
        "those that lost messages, then the largest worst-case delay"
    )
    lines = [
        "## Per-flow results",
        "",
        f"At {fog_nodes} fog nodes (the most run), {shown}; every flow of every run is in "
        "`runs/<run>/flows.csv`. Seeds combined "
        f"({seeds} per method): counts (sent, delivered, dropped by a full queue, in flight at "
        "the end, deadline misses) are summed over the seeds; mean delay is over every delivered "
        "message of all seeds; p99 and max are the worst seed's; miss ratio = misses / sent over "
        "all seeds (a dropped message is a miss). p99 needs the delay vectors (— without).",
        "",
    ]
    if without:
        lines += [f"Run folders without flows.csv (left out): {', '.join(without)}.", ""]
    rows = [_flow_cells(r) for r in at[at["flow"].isin(chosen)].to_dict("records")]
    order = {flow: i for i, flow in enumerate(chosen)}
    rows.sort(key=lambda cells: order[cells[0].strip("`")])
    return lines + md_table(FLOW_HEADERS, rows, right=4) + where_it_waited(at)


def where_it_waited(at: pd.DataFrame) -> list[str]:
    """Per method, the flow that missed most and the hop where its frames waited longest.

    Why a deadline was missed, not just whether: "`loop_plc2` (FL) missed 3.5%
    of its deadlines, waiting up to 2,100 us at sw0->cloud". From flows.csv's
    `worst_wait_link` (hops.csv has every hop).
    """
    missed = at[at["deadline_misses"].fillna(0) > 0]
    if missed.empty:
        return []
    lines = []
    for method, group in missed.groupby("method", sort=False):
        r = group.loc[group["miss_ratio"].idxmax()]
        where = (
            f", waiting up to {num(r['worst_wait_max_us'])} us at {r['worst_wait_link']}"
            if isinstance(r.get("worst_wait_link"), str)
            else " (where it waited is not recorded: `hops.csv` has no waits under TSN or for "
            "TCP segments)"
        )
        lines.append(
            f"- `{r['flow']}` ({label(str(method))}) missed {float(r['miss_ratio']):.1%} of its "
            f"deadlines{where}."
        )
    return [
        "",
        "Where the worst flow waited (each run's `hops.csv` has every hop):",
        "",
        *lines,
        "",
    ]


def _flow_cells(r: dict[str, Any]) -> list[str]:
    has_deadline = not pd.isna(r["deadline_us"])
    return [
        f"`{r['flow']}`",
        str(r["class"]),
        f"{r['src']} → {r['dst']}",
        label(str(r["method"])),
        num(r["deadline_us"]) if has_deadline else "—",
        str(int(r["sent"])),
        str(int(r["delivered"])),
        f"**{int(r['dropped'])}**" if r["dropped"] else "0",
        str(int(r["in_flight"])),
        num(r["delay_mean_us"]),
        num(r["delay_p99_us"]),
        num(r["delay_max_us"]),
        (f"**{int(r['deadline_misses'])}**" if r["deadline_misses"] else "0")
        if has_deadline
        else "—",
        f"{float(r['miss_ratio']):.1%}" if has_deadline and not pd.isna(r["miss_ratio"]) else "—",
    ]


def lost_section(lost: pd.DataFrame) -> list[str]:
    """Per method and FN count: the flows that lost messages (flows.csv's `lost`)."""
    lines = ["## Flows that lost messages", ""]
    if lost.empty:
        return [*lines, "None: no flow lost a message to a full queue in any run.", ""]
    lines += [
        "Flows with messages dropped by a full queue (`lost` in flows.csv), per method and "
        "fog-node count: dropped messages summed over the seeds, and in how many seeds the flow "
        f"lost any; most dropped first (at most {TOP_LOST} named).",
        "",
    ]
    table = []
    for r in lost.to_dict("records"):
        of = int(r["seeds"])
        named = [
            f"`{flow}` ({dropped}" + ("" if of == 1 else f", {seeds} of {of} seeds") + ")"
            for flow, dropped, seeds in r["worst"][:TOP_LOST]
        ]
        more = len(r["worst"]) - TOP_LOST
        table.append(
            [
                label(str(r["method"])),
                str(int(r["fog_nodes"])),
                str(r["flows"]),
                str(r["dropped"]),
                ", ".join(named) + (f", and {more} more" if more > 0 else ""),
            ]
        )
    headers = ["method", "FNs", "flows", "dropped", "flows (dropped)"]
    return lines + md_table(headers, table, right=1, left_last=1)
