# SPDX-License-Identifier: MIT
"""Reshape steps of the run folders' data: link utilisation and per-flow results -> tables.

Pure pandas like `analysis.study.reshape`, on the frames `analysis.study.data` reads
(one row per run and link direction; flows.csv rows with method, fog_nodes,
seed), so each step is tested on small hand-made frames. How seeds are
combined is part of each step's contract, and the report says it in words.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.study.reshape import TRUE, flag, method_rank


def _by_method(frame: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    order = frame.assign(_m=frame["method"].map(method_rank))
    return order.sort_values([*extra, "_m"], kind="stable").drop(columns="_m")


# ---------------------------------------------------------------- links


def link_means(links: pd.DataFrame) -> pd.DataFrame:
    """Per (link, method, fog_nodes): busy (mean and std) and offered load in %, over n seeds."""
    if links.empty:
        return pd.DataFrame(
            columns=[
                "link", "method", "fog_nodes", "busy_pct", "busy_std", "offered_pct", "n",
                "carries_ml",
            ]
        )  # fmt: skip
    grouped = links.groupby(["link", "method", "fog_nodes"], sort=False)
    out = grouped.agg(
        busy_pct=("busy", "mean"),
        busy_std=("busy", "std"),
        offered_pct=("offered", "mean"),
        n=("seed", "count"),
        carries_ml=("carries_ml", "any"),
    ).reset_index()
    out[["busy_pct", "busy_std", "offered_pct"]] *= 100.0
    return out


def busiest_ml_link(links: pd.DataFrame) -> tuple[str, float] | None:
    """The busiest link direction carrying ML traffic (mean over seeds, any method and FN count).

    Returns its label and rate (bit/s); None when no ML flow crosses a measured link.
    """
    ml = links[links["carries_ml"].astype(bool)] if len(links) else links
    if ml.empty:
        return None
    means = ml.groupby(["link", "method", "fog_nodes"], sort=False)["busy"].mean().reset_index()
    top = means.sort_values(["busy", "link"], ascending=[False, True], kind="stable").iloc[0]
    rate = links.loc[links["link"] == top["link"], "datarate_bps"].iloc[0]
    return str(top["link"]), float(rate)


def pick_links(links: pd.DataFrame, top: int = 3) -> list[tuple[str, str]]:
    """The link directions to follow over fog-node counts, each with why it was picked.

    First the busiest direction that carries ML traffic (highest mean-over-seeds
    utilisation in any method and fog-node count), then the `top` busiest
    directions of all; a direction picked for both reasons shows once.
    """
    means = link_means(links)
    if means.empty:
        return []
    peak = means.groupby("link")["busy_pct"].max().reset_index()
    ranked = peak.sort_values(["busy_pct", "link"], ascending=[False, True])
    picked: list[tuple[str, str]] = []
    ml = busiest_ml_link(links)
    if ml:
        picked.append((ml[0], "busiest link direction carrying ML traffic"))
    for link in ranked["link"].head(top):
        if link not in {p[0] for p in picked}:
            picked.append((str(link), "among the busiest link directions"))
    return picked


def link_trends(links: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """`link_means` of the chosen directions, in their order, methods in summary order."""
    means = link_means(links)
    means = means[means["link"].isin(chosen)]
    order = {link: i for i, link in enumerate(chosen)}
    means = means.assign(_l=means["link"].map(order))
    return _by_method(means, ["_l", "fog_nodes"]).drop(columns="_l").reset_index(drop=True)


# ---------------------------------------------------------------- flows

FLOW_COLUMNS = [
    "method", "fog_nodes", "flow", "class", "src", "dst", "deadline_us", "seeds", "sent",
    "delivered", "dropped", "in_flight", "delay_mean_us", "delay_p99_us", "delay_max_us",
    "deadline_misses", "miss_ratio", "lost_seeds", "worst_wait_link", "worst_wait_max_us",
]  # fmt: skip


def flow_summary(flows: pd.DataFrame) -> pd.DataFrame:
    """Per (method, fog_nodes, flow), the seeds combined.

    Counts (sent, delivered, dropped, in flight, deadline misses) are summed over
    the seeds; the mean delay is that of every delivered message of all seeds
    (weighted by delivered); p99 and max are the worst seed's; the miss ratio is
    misses over sent of all seeds; `lost_seeds` counts the seeds where the flow
    lost messages. Flows without a deadline have NaN misses and ratio.
    `worst_wait_link` is the hop where the flow's frames waited longest in any
    seed, `worst_wait_max_us` that wait (NaN for runs without hop waits).
    """
    if flows.empty:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    if "worst_wait_max_us" not in flows:  # run folders written before hop waits
        flows = flows.assign(worst_wait_link=None, worst_wait_max_us=math.nan)
    f = flows.assign(
        _weighted=flows["delay_mean_us"].fillna(0.0) * flows["delivered"],
        _lost=flows["lost"].map(lambda v: v in TRUE) | (flows["dropped"] > 0),
    )
    grouped = f.groupby(["method", "fog_nodes", "flow"], sort=False)
    out = grouped.agg(
        **{"class": ("class", "first")},
        src=("src", "first"),
        dst=("dst", "first"),
        deadline_us=("deadline_us", "first"),
        seeds=("seed", "count"),
        sent=("sent", "sum"),
        delivered=("delivered", "sum"),
        dropped=("dropped", "sum"),
        in_flight=("in_flight", "sum"),
        _weighted=("_weighted", "sum"),
        delay_p99_us=("delay_p99_us", "max"),
        delay_max_us=("delay_max_us", "max"),
        deadline_misses=("deadline_misses", lambda s: s.sum(min_count=1)),
        lost_seeds=("_lost", "sum"),
    ).reset_index()
    delivered = out["delivered"].where(out["delivered"] > 0)
    out["delay_mean_us"] = out["_weighted"] / delivered
    has = out["deadline_us"].notna()
    out["deadline_misses"] = out["deadline_misses"].where(has)
    out["miss_ratio"] = (out["deadline_misses"] / out["sent"].where(out["sent"] > 0)).where(has)
    out["lost_seeds"] = out["lost_seeds"].astype(int)
    waits = f.dropna(subset=["worst_wait_max_us"])
    longest = (
        waits.loc[
            waits.groupby(["method", "fog_nodes", "flow"], sort=False)["worst_wait_max_us"].idxmax()
        ]
        if len(waits)
        else waits
    )
    out = out.merge(
        longest[["method", "fog_nodes", "flow", "worst_wait_link", "worst_wait_max_us"]],
        on=["method", "fog_nodes", "flow"],
        how="left",
    )
    return out[FLOW_COLUMNS].reset_index(drop=True)


def _severity(agg: pd.DataFrame) -> pd.DataFrame:
    """Per flow, worst over methods: deadline declared, trouble, delay/deadline, max delay."""
    trouble = (agg["lost_seeds"] > 0) | (agg["deadline_misses"].fillna(0) > 0)
    scored = agg.assign(
        _deadline=agg["deadline_us"].notna(),
        _trouble=trouble,
        _ratio=agg["delay_max_us"] / agg["deadline_us"],
        _max=agg["delay_max_us"],
    )
    worst = scored.groupby("flow", sort=False).agg(
        deadline=("_deadline", "any"),
        trouble=("_trouble", "any"),
        ratio=("_ratio", "max"),
        top=("_max", "max"),
    )
    return worst.fillna({"ratio": -1.0, "top": -1.0})


def pick_flows(agg: pd.DataFrame, top: int, with_deadline: bool = False) -> list[str]:
    """The `top` flows to show, most telling first.

    Flows with a deadline come first (those that lost messages or missed it,
    then the closest to it: worst-case delay over deadline), then the others
    (those that lost messages first); ties by the largest worst-case delay,
    then by name. With `with_deadline`, only flows that declare a deadline.
    """
    if with_deadline:
        agg = agg[agg["deadline_us"].notna()]
    if agg.empty:
        return []
    worst = _severity(agg).reset_index()
    worst = worst.sort_values(
        ["deadline", "trouble", "ratio", "top", "flow"],
        ascending=[False, False, False, False, True],
        kind="stable",
    )
    return [str(f) for f in worst["flow"].head(top)]


def flow_rows(agg: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """The rows of the chosen flows, in their order, methods in summary order."""
    rows = agg[agg["flow"].isin(chosen)]
    order = {flow: i for i, flow in enumerate(chosen)}
    rows = rows.assign(_f=rows["flow"].map(order))
    return _by_method(rows, ["_f"]).drop(columns="_f").reset_index(drop=True)


def lost_flows(agg: pd.DataFrame) -> pd.DataFrame:
    """Per (method, fog_nodes) with losses: how many flows lost messages and which (worst first).

    Columns: method, fog_nodes, seeds, flows (count), dropped (sum over seeds),
    worst: list of (flow, dropped, lost_seeds), most dropped first.
    """
    lost = agg[agg["lost_seeds"] > 0]
    if lost.empty:
        return pd.DataFrame(columns=["method", "fog_nodes", "seeds", "flows", "dropped", "worst"])
    rows: list[dict[str, Any]] = []
    for (method, n), group in lost.groupby(["method", "fog_nodes"], sort=False):
        group = group.sort_values(["dropped", "flow"], ascending=[False, True], kind="stable")
        rows.append(
            {
                "method": method,
                "fog_nodes": n,
                "seeds": int(
                    agg[(agg["method"] == method) & (agg["fog_nodes"] == n)]["seeds"].max()
                ),
                "flows": len(group),
                "dropped": int(group["dropped"].sum()),
                "worst": list(
                    zip(
                        group["flow"],
                        group["dropped"].astype(int),
                        group["lost_seeds"],
                        strict=True,
                    )
                ),
            }
        )
    return _by_method(pd.DataFrame(rows), ["fog_nodes"]).reset_index(drop=True)


def deadline_points(agg: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """Worst-case delay and deadline of the chosen flows per method (for the deadline plot)."""
    rows = flow_rows(agg[agg["deadline_us"].notna()], chosen)
    return rows[["flow", "method", "deadline_us", "delay_max_us", "deadline_misses", "sent"]]


def largest_common(fog_nodes: list[set[int]]) -> int | None:
    """The largest fog-node count in every set, else None (a comparison's per-flow case)."""
    if not fog_nodes:
        return None
    common = set.intersection(*fog_nodes)
    return max(common) if common else None


def overloaded_cells(summary: pd.DataFrame) -> dict[tuple[str, int], int]:
    """Per (method, fog_nodes): how many of its runs were overloaded (absent: none or unknown)."""
    over = flag(summary, "overloaded")
    if over is None or not over.any():
        return {}
    counts = summary[over].groupby(["method", "fog_nodes"]).size()
    return {(str(m), int(n)): int(c) for (m, n), c in counts.items()}


def overloaded_runs(summary: pd.DataFrame) -> pd.DataFrame | None:
    """Runs offered more than a link's capacity (method, FNs, seed, load, link); None if unknown."""
    over = flag(summary, "overloaded")
    if over is None:
        return None
    cols = ["method", "fog_nodes", "seed", "max_offered_load", "max_offered_load_link"]
    rows = summary[over].reindex(columns=cols)
    return _by_method(rows, ["fog_nodes", "seed"]).reset_index(drop=True)
