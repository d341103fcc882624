# SPDX-License-Identifier: MIT
"""Reshape steps of the sweep report: summary.csv rows -> tables and plot series.

Pure pandas, no drawing and no files, so each step is table-tested on small
hand-made frames; `analysis.report.plots.sweep` draws what these return (OMNeT++ scave's
split of `pivot_for_barchart` and `plot_bars`). Every function takes the rows
of one (profile, backend) group; seeds are what they average over, each mean
with its standard deviation and 95% confidence interval (`analysis.study.uncertainty`).

A run has a network seed (`seed`: flow offsets, neighbour periods) and, in a
rounds-paced study, a training seed (`train_seed`: model init, shards, data
order). A metric of the network alone is the same for two runs that differ
only in their training seed, so it is averaged over distinct network seeds
(`network_rows`); the training metrics (`TRAINED`) over every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.study import uncertainty
from analysis.study.summary import DELTAS, METHOD_ORDER

#: Display names, in the order the paper's Table 4 lists the methods.
LABELS = {"fcddt": "FCDDT", "fl": "FL", "cc": "CC", "none": "no ML"}
ML_METHODS = ("fcddt", "fl", "cc")

#: Table 4 of Qian & Barzegaran, "A Decomposed Deep Training Solution for Fog Computing
#: Platforms", SEC '21, Section 4.4 ("Simulation results on six test cases"):
#: FNs -> (mean end-to-end delay in us, bandwidth usage in %), per method.
PAPER_TABLE4: dict[str, dict[int, tuple[float, float]]] = {
    "fcddt": {4: (49, 18), 7: (52, 19), 10: (56, 21), 12: (62, 22), 15: (66, 24), 18: (71, 25)},
    "fl": {4: (52, 21), 7: (56, 23), 10: (63, 25), 12: (69, 25), 15: (77, 28), 18: (84, 29)},
    "cc": {4: (57, 22), 7: (65, 24), 10: (75, 26), 12: (83, 27), 15: (89, 29), 18: (96, 31)},
}
#: Section 4.4, text under Table 4: with no ML service "the average bandwidth usage is 20%
#: and the average end-to-end delay is 55 us" (one value, not per FN count).
PAPER_BASELINE = (55.0, 20.0)

#: Values of a boolean summary column that mean True (a missing value, from a run written
#: before the column existed, counts as not set).
TRUE = frozenset({True, "True", "true", "1"})

#: Error bars, by the number of seeds in a cell: the 95% t interval from 2 seeds, none for 1.
CI, NO_SPREAD = "ci95", "none"
#: Summary columns that depend on the training seed (all others on the network seed alone).
TRAINED = frozenset({"final_accuracy", "time_to_target_s", "rounds_to_target"})
STAT_COLUMNS = [
    "method", "fog_nodes", "metric", "mean", "std", "min", "max", "n", "ci_low", "ci_high",
]  # fmt: skip


def method_rank(method: str) -> int:
    """Sort key: none, cc, fl, fcddt (the summary's order), unknown methods last."""
    return METHOD_ORDER.get(method, len(METHOD_ORDER))


def flag(summary: pd.DataFrame, column: str) -> pd.Series | None:
    """A boolean summary column (True/False, or their CSV text); None if the column is absent."""
    if column not in summary:
        return None
    return summary[column].map(lambda v: v in TRUE).astype(bool)


def paper_table4() -> pd.DataFrame:
    """The paper's Table 4 as rows: method, fog_nodes, paper_delay_us, paper_bandwidth_pct."""
    rows = [
        (method, n, delay, bw)
        for method, cases in PAPER_TABLE4.items()
        for n, (delay, bw) in cases.items()
    ]
    return pd.DataFrame(
        rows, columns=["method", "fog_nodes", "paper_delay_us", "paper_bandwidth_pct"]
    )


def paper_deltas() -> pd.DataFrame:
    """Per method, Table 4's mean over its six cases minus the no-ML baseline (delay, bandwidth)."""
    table = paper_table4().groupby("method", sort=False)[["paper_delay_us", "paper_bandwidth_pct"]]
    means = table.mean()
    return pd.DataFrame(
        {
            "paper_delay_us": means["paper_delay_us"],
            "paper_bandwidth_pct": means["paper_bandwidth_pct"],
            "paper_delta_delay_us": means["paper_delay_us"] - PAPER_BASELINE[0],
            "paper_delta_bandwidth_pct": means["paper_bandwidth_pct"] - PAPER_BASELINE[1],
        }
    ).reset_index()


def half_widths(std: pd.Series, n: pd.Series) -> np.ndarray:
    """Per cell, half the 95% t interval of its mean (NaN below 2 seeds)."""
    return np.array(
        [uncertainty.t_half_width(float(sd), int(k)) for sd, k in zip(std, n, strict=True)],
        dtype=float,
    )


def network_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per (method, fog nodes, network seed): runs that differ only in training seed.

    Their network results are equal (the training seed draws nothing the
    network sees), so a network metric counts each network seed once.
    """
    keys = [c for c in ("method", "fog_nodes", "seed") if c in summary]
    if "train_seed" not in summary or len(keys) < 3:
        return summary
    return summary.drop_duplicates(subset=keys, keep="first")


def seed_stats(summary: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Per (method, fog_nodes) and column: mean, std (n-1), min, max, n and the 95% interval.

    Long layout (one row per cell and column); NaN values are left out of the
    statistics, so a column missing from some runs counts only where present.
    A column absent from `summary` gives NaN rows with n = 0. A network metric
    counts each network seed once (`network_rows`), a training metric every run.
    `ci_low`/`ci_high`: the Student t interval of the mean (NaN below 2 seeds).
    """
    out = []
    for column in columns:
        rows = summary if column in TRAINED else network_rows(summary)
        values = rows[column] if column in rows else pd.Series(np.nan, index=rows.index)
        frame = rows[["method", "fog_nodes"]].assign(value=pd.to_numeric(values, errors="coerce"))
        grouped = frame.groupby(["method", "fog_nodes"], sort=False)["value"]
        stats = grouped.agg(["mean", "std", "min", "max", "count"]).rename(columns={"count": "n"})
        half = half_widths(stats["std"], stats["n"])
        stats["ci_low"] = stats["mean"] - half
        stats["ci_high"] = stats["mean"] + half
        out.append(stats.reset_index().assign(metric=column))
    if not out:
        return pd.DataFrame(columns=STAT_COLUMNS)
    table = pd.concat(out, ignore_index=True)
    return _sorted(table[STAT_COLUMNS])


def cell_values(summary: pd.DataFrame, column: str) -> dict[tuple[str, int], dict[Any, float]]:
    """(method, fog_nodes) -> {seed key: value}: what `seed_stats` averages, keyed for pairing.

    A network metric is keyed by the network seed, a training metric by (network
    seed, training seed): two cells' values at one key come from runs that share
    every draw, so `analysis.study.uncertainty.order` compares them paired.
    """
    trained = column in TRAINED
    rows = summary if trained else network_rows(summary)
    if column not in rows:
        return {}
    values = pd.to_numeric(rows[column], errors="coerce")
    seeds = rows["seed"] if "seed" in rows else pd.Series(range(len(rows)), index=rows.index)
    trains = rows["train_seed"] if trained and "train_seed" in rows else None
    out: dict[tuple[str, int], dict[Any, float]] = {}
    for i, (m, n, v) in enumerate(zip(rows["method"], rows["fog_nodes"], values, strict=True)):
        if pd.isna(v):
            continue
        seed = int(seeds.iloc[i])
        key: Any = seed if trains is None else (seed, _int_or_none(trains.iloc[i]))
        out.setdefault((str(m), int(n)), {})[key] = float(v)
    return out


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _sorted(table: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    key = table["method"].map(method_rank)
    order = table.assign(_m=key).sort_values(["_m", "fog_nodes", *(extra or [])], kind="stable")
    return order.drop(columns="_m").reset_index(drop=True)


def _wide(
    summary: pd.DataFrame, columns: Mapping[str, str], scale: Mapping[str, float]
) -> pd.DataFrame:
    """Mean, std and n per (method, fog_nodes) of each column, named `<short>_mean` etc."""
    names = [f"{short}_{k}" for short in columns.values() for k in ("mean", "std", "n")]
    stats = seed_stats(summary, columns)
    if stats.empty:
        return pd.DataFrame(columns=["method", "fog_nodes", *names])
    parts = []
    for column, short in columns.items():
        s = stats[stats["metric"] == column].set_index(["method", "fog_nodes"])
        factor = scale.get(column, 1.0)
        parts.append(
            pd.DataFrame(
                {
                    f"{short}_mean": s["mean"] * factor,
                    f"{short}_std": s["std"] * factor,
                    f"{short}_n": s["n"],
                }
            )
        )
    return pd.concat(parts, axis=1).reset_index()


#: summary column -> short name in `table4`/`baseline`; bandwidths become percent.
TABLE4_COLUMNS = {
    "critical_delay_mean_us": "critical",
    "all_delay_mean_us": "all",
    "bandwidth_mean": "bandwidth",
    "bandwidth_max": "busiest",
}
PERCENT = {"bandwidth_mean": 100.0, "bandwidth_max": 100.0}


def table4(summary: pd.DataFrame) -> pd.DataFrame:
    """Table 4 beside ours: one row per ML method (FCDDT, FL, CC) and fog-node count.

    Fog-node counts are the union of the paper's and the sweep's, so every
    published value shows; cells the sweep did not run are NaN (n = 0), and
    counts the paper has no value for are NaN in the paper columns. Columns:
    method, fog_nodes, paper_delay_us, paper_bandwidth_pct, then for each of
    critical, all (delays, us), bandwidth, busiest (percent of capacity):
    `<name>_mean`, `<name>_std`, `<name>_n`.
    """
    ours = _wide(summary[summary["method"].isin(ML_METHODS)], TABLE4_COLUMNS, PERCENT)
    frame = paper_table4().merge(ours, on=["method", "fog_nodes"], how="outer")
    for short in TABLE4_COLUMNS.values():
        frame[f"{short}_n"] = frame[f"{short}_n"].fillna(0).astype(int)
    paper_order = {m: i for i, m in enumerate(ML_METHODS)}
    frame = frame.assign(_m=frame["method"].map(paper_order)).sort_values(["_m", "fog_nodes"])
    return frame.drop(columns="_m").reset_index(drop=True)


def results(summary: pd.DataFrame) -> pd.DataFrame:
    """Table 4's columns of ours for every method (no ML first) and fog-node count run.

    The same statistics as `table4` (mean, std, n over seeds; bandwidths in
    percent) without the paper's columns, for studies with no published reference.
    """
    ours = _wide(summary, TABLE4_COLUMNS, PERCENT)
    if ours.empty:
        return ours
    for short in TABLE4_COLUMNS.values():
        ours[f"{short}_n"] = ours[f"{short}_n"].fillna(0).astype(int)
    return _sorted(ours)


def baseline(summary: pd.DataFrame) -> pd.DataFrame:
    """The no-ML rows (method `none`) in Table 4's columns; empty without baseline runs."""
    ours = _wide(summary[summary["method"] == "none"], TABLE4_COLUMNS, PERCENT)
    return ours.sort_values("fog_nodes").reset_index(drop=True) if len(ours) else ours


#: delta column of summary.csv -> short name; bandwidth deltas become percentage points.
DELTA_COLUMNS = {column: column.removeprefix("delta_") for column in DELTAS.values()}


def deltas(summary: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds of each no-ML delta (summary.csv's `delta_*`) per ML method and FN count.

    Each delta is a paired difference (a run minus the no-ML run of its network
    seed), so its 95% interval is a one-sample t interval over the seeds:
    `<short>_std` beside each mean, n the seeds with a critical-delay delta.
    Bandwidth deltas are in percentage points. Without baseline runs the
    summary has no delta columns (or NaN ones): the values are then NaN.
    Columns: method, fog_nodes, per delta `<short>` (mean) and `<short>_std`,
    `<short>_n`, and n.
    """
    ml = summary[summary["method"] != "none"]
    shorts = list(DELTA_COLUMNS.values())
    stats = seed_stats(ml, DELTA_COLUMNS)
    if stats.empty:
        return pd.DataFrame(
            columns=["method", "fog_nodes", *shorts, *(f"{s}_std" for s in shorts), "n"]
        )
    index = stats.set_index(["method", "fog_nodes", "metric"])
    wide = index["mean"].unstack("metric").reindex(columns=list(DELTA_COLUMNS))
    std = index["std"].unstack("metric").reindex(columns=list(DELTA_COLUMNS))
    count = index["n"].unstack("metric").reindex(columns=list(DELTA_COLUMNS))
    wide = wide.rename(columns=DELTA_COLUMNS)
    std = std.rename(columns={c: f"{s}_std" for c, s in DELTA_COLUMNS.items()})
    count = count.rename(columns={c: f"{s}_n" for c, s in DELTA_COLUMNS.items()})
    wide = pd.concat([wide, std, count.fillna(0).astype(int)], axis=1)
    for short in ("bandwidth_mean", "bandwidth_max"):
        wide[short] = wide[short] * 100.0
        wide[f"{short}_std"] = wide[f"{short}_std"] * 100.0
    wide["n"] = wide["critical_delay_mean_us_n"]
    wide.columns.name = None
    return _sorted(wide.reset_index())


def ml_payloads(summary: pd.DataFrame) -> pd.DataFrame:
    """Distinct ML bytes per FN per round of each method, with their source and FN counts.

    One row per (method, upload, download, source); the fog-node counts that
    used it are joined in `fog_nodes` (normally one row per method: sizes do
    not depend on the FN count). The no-ML baseline is left out.
    """
    cols = ["ml_upload_bytes", "ml_download_bytes", "ml_payload_source"]
    ml = summary[summary["method"] != "none"]
    if ml.empty or not set(cols) <= set(ml.columns):
        return pd.DataFrame(
            columns=[
                "method",
                "upload_bytes",
                "download_bytes",
                "total_bytes",
                "source",
                "fog_nodes",
            ]
        )
    ml = ml.assign(ml_payload_source=ml["ml_payload_source"].fillna("unknown").astype(str))
    grouped = ml.groupby(["method", *cols], sort=False)["fog_nodes"]
    table = grouped.agg(lambda s: ", ".join(str(n) for n in sorted(set(s)))).reset_index()
    table = table.rename(
        columns={
            "ml_upload_bytes": "upload_bytes",
            "ml_download_bytes": "download_bytes",
            "ml_payload_source": "source",
        }
    )
    table["upload_bytes"] = table["upload_bytes"].astype(int)
    table["download_bytes"] = table["download_bytes"].astype(int)
    table["total_bytes"] = table["upload_bytes"] + table["download_bytes"]
    table = table[
        ["method", "upload_bytes", "download_bytes", "total_bytes", "source", "fog_nodes"]
    ]
    table = table.assign(_m=table["method"].map(method_rank)).sort_values("_m", kind="stable")
    return table.drop(columns="_m").reset_index(drop=True)


def critical_percentiles(summary: pd.DataFrame) -> pd.DataFrame:
    """Critical delay p50/p99 over seeds with vectors, the worst max, and the messages behind them.

    p50/p99 exist only where `percentiles_from` is "vectors"; each is a mean of
    the runs' own percentiles (`p99_std`, `p99_n` and the 95% interval
    `p99_ci_low`/`p99_ci_high` over those runs). `messages` pools the critical
    messages the runs with vectors delivered (the p99s rest on them),
    `messages_min`/`messages_max` per run; `seeds` counts the network seeds of
    the cell and `with_vectors` those with percentiles.
    """
    rows = network_rows(summary)
    has = rows.get("percentiles_from", pd.Series("", index=rows.index)).astype(str) == "vectors"

    def column(name: str) -> pd.Series:
        return pd.to_numeric(rows.get(name, pd.Series(np.nan, index=rows.index)), errors="coerce")

    frame = rows.assign(
        p50=column("critical_delay_p50_us").where(has),
        p99=column("critical_delay_p99_us").where(has),
        critical_delay_max_us=column("critical_delay_max_us"),
        with_vectors=has.astype(int),
        counted=column("critical_delivered").where(has),
    )
    grouped = frame.groupby(["method", "fog_nodes"], sort=False)
    table = grouped.agg(
        p50_us=("p50", "mean"),
        p99_us=("p99", "mean"),
        p99_std=("p99", "std"),
        p99_n=("p99", "count"),
        max_us=("critical_delay_max_us", "max"),
        seeds=("seed", "count"),
        with_vectors=("with_vectors", "sum"),
        messages=("counted", "sum"),
        messages_min=("counted", "min"),
        messages_max=("counted", "max"),
    )
    half = half_widths(table["p99_std"], table["p99_n"])
    table["p99_ci_low"] = table["p99_us"] - half
    table["p99_ci_high"] = table["p99_us"] + half
    return _sorted(table.reset_index())


def spread_kind(n: int) -> str:
    """Error-bar kind for a cell of n seeds: the 95% t interval from 2, none for 1."""
    return CI if n >= 2 else NO_SPREAD


def error_bars(stats: pd.DataFrame) -> pd.DataFrame:
    """Add `err_low`, `err_high` and `spread` to rows with mean, std and n.

    The error bar of every plot: the 95% Student t interval of the mean (n − 1
    degrees of freedom) from 2 seeds, none for 1 (`spread_kind`).
    """
    spread = stats["n"].map(spread_kind)
    half = half_widths(stats["std"], stats["n"])
    half = np.where(spread == CI, np.nan_to_num(half), 0.0)
    stats["err_low"] = half
    stats["err_high"] = half
    stats["spread"] = spread
    return stats


def series_vs_nodes(summary: pd.DataFrame, column: str, scale: float = 1.0) -> pd.DataFrame:
    """One point per (method, fog_nodes): mean of `column` x scale and error-bar lengths.

    `err_low`/`err_high` are the half width of the 95% t interval of the mean
    (2+ seeds) or 0 (1 seed), as named in `spread`; cells with no value are
    left out. `overloaded` is True where a run of the cell was offered more
    than a link's capacity (summary column `overloaded`).
    """
    stats = seed_stats(summary, [column])
    out = error_bars(stats[stats["n"] > 0].copy()).assign(overloaded=False)
    over = flag(summary, "overloaded")
    if over is not None:
        cells = summary[over].groupby(["method", "fog_nodes"]).size()
        hit = set(cells.index)
        out["overloaded"] = [
            (m, n) in hit for m, n in zip(out["method"], out["fog_nodes"], strict=True)
        ]
    for c in ("mean", "err_low", "err_high"):
        out[c] = out[c] * scale
    columns = ["method", "fog_nodes", "mean", "err_low", "err_high", "n", "spread", "overloaded"]
    return out[columns].reset_index(drop=True)


def spread_caption(series: Iterable[pd.DataFrame]) -> str:
    """What the error bars of these series show, in words for a caption."""
    frames = list(series)
    kinds = sorted({k for frame in frames for k in frame["spread"]})
    counts = sorted({int(n) for frame in frames for n in frame["n"] if int(n) >= 2})
    seeds = (
        ""
        if not counts
        else (f"{counts[0]}" if len(counts) == 1 else f"{counts[0]} to {counts[-1]}")
    )
    words = {
        CI: f"the {uncertainty.CI_WORDS} over {seeds} seeds",
        NO_SPREAD: "none where a cell has 1 seed",
    }
    return "; ".join(words[k] for k in kinds) if kinds else "none"


def link_ranking(links: pd.DataFrame, top: int = 20) -> pd.DataFrame:
    """Per-link utilization (%) per method, mean over seeds, of the `top` busiest links.

    `links`: rows of method, seed, link, busy (fraction). Links are ranked by
    their highest mean over the methods (rank 0 busiest); ties by name.
    Columns: method, link, busy_pct, rank.
    """
    if links.empty:
        return pd.DataFrame(columns=["method", "link", "busy_pct", "rank"])
    means = links.groupby(["method", "link"], sort=False)["busy"].mean().reset_index()
    peak = means.groupby("link")["busy"].max().reset_index()
    peak = peak.assign(_neg=-peak["busy"]).sort_values(["_neg", "link"]).head(top)
    rank = {link: i for i, link in enumerate(peak["link"])}
    out = means[means["link"].isin(rank)].assign(
        busy_pct=lambda f: f["busy"] * 100.0, rank=lambda f: f["link"].map(rank)
    )
    out = out.assign(_m=out["method"].map(method_rank)).sort_values(["rank", "_m"])
    return out[["method", "link", "busy_pct", "rank"]].reset_index(drop=True)


def ecdf(samples: pd.DataFrame) -> pd.DataFrame:
    """Empirical CDF of the delays per (class, method): delay_us ascending, fraction in (0, 1].

    `samples`: rows of method, class, delay (seconds), as `metrics.delay_samples`
    gives them (with a method column added).
    """
    parts = []
    for (cls, method), group in samples.groupby(["class", "method"], sort=False):
        delays = np.sort(group["delay"].to_numpy(dtype=float)) * 1e6
        fraction = np.arange(1, len(delays) + 1) / len(delays)
        parts.append(
            pd.DataFrame({"class": cls, "method": method, "delay_us": delays, "fraction": fraction})
        )
    if not parts:
        return pd.DataFrame(columns=["class", "method", "delay_us", "fraction"])
    return pd.concat(parts, ignore_index=True)


def method_orders(summary: pd.DataFrame, column: str) -> dict[int, uncertainty.Order]:
    """Per fog-node count, the methods from lowest to highest mean `column`, each step tested.

    A step is `<` only where the t-test rejects equal means at 5%: paired on the
    seeds two methods share (`analysis.study.uncertainty.order`); display names as in
    the tables.
    """
    values = cell_values(summary, column)
    out = {}
    for n in sorted({n for _, n in values}):
        groups = {LABELS.get(m, m): v for (m, k), v in values.items() if k == n}
        ranked = sorted(groups, key=lambda name: method_rank(_method_of(name)))
        out[n] = uncertainty.order({name: groups[name] for name in ranked})
    return out


def _method_of(name: str) -> str:
    return next((m for m, text in LABELS.items() if text == name), name)
