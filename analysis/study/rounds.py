# SPDX-License-Identifier: MIT
"""Reshape steps of a rounds-paced study's report: summary rows and round tables -> frames.

Pure pandas, no drawing and no files (as `analysis.study.reshape`): the training
table per method and fog-node count from summary.csv, the accuracy curves
from the runs' accuracy.csv, and the spans of a round timeline from one run's
rounds.csv. `analysis.report.rounds` words and writes them, `analysis.report.plots.rounds`
draws them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.run.round_split import SPLIT_METRICS
from analysis.study import uncertainty
from analysis.study.reshape import (
    cell_values,
    critical_percentiles,
    error_bars,
    method_rank,
    seed_stats,
)

#: summary column -> short name in `training_table`.
TRAINING_COLUMNS = {
    "time_to_target_s": "time",
    "rounds_to_target": "rounds",
    "mean_round_s": "round",
    "straggler_rate_eff": "straggler",
    "final_accuracy": "accuracy",
    "critical_delay_mean_us": "critical",
    "critical_p99_us": "p99",
    "critical_delay_max_us": "cmax",
    "critical_dropped": "cdrop",
    "tcp_retransmitted_bytes": "resent",
    "tcp_timeouts": "timeouts",
}
#: The phases of a timeline row, in drawing order.
PHASES = ("compute", "upload", "waiting", "later stages", "download")
#: What happened to a fog node's round (`timeline`'s `status`).
AGGREGATED = "aggregated"
LATE = "upload arrived after the set was chosen"
DISCARDED = "upload not counted (the round had closed)"
ABANDONED = "compute abandoned (the round's download arrived first)"


def is_rounds_study(scenarios: Mapping[str, Mapping[str, Any]], summary: pd.DataFrame) -> bool:
    """Whether any run is rounds-paced: a scenario.json with rounds, or training metrics."""
    if any(s.get("rounds") for s in scenarios.values()):
        return True
    return "rounds_done" in summary and bool(summary["rounds_done"].notna().any())


def training_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per method (no ML included) and fog-node count: training and critical delay.

    For each short name of TRAINING_COLUMNS: `<name>_mean`, `<name>_std`,
    `<name>_n` over seeds (the 95% interval follows from them). A training
    metric counts every run, a network metric each network seed once
    (`reshape.seed_stats`). Time and rounds to the target count only the runs
    that reached it (`time_n`); `trained` counts the runs that trained,
    `rounds_done` is the most rounds a run of the cell trained, `target` the
    target accuracy; `net_seeds` and `train_seeds` the distinct seeds of the
    cell. The critical p99 counts only runs with delay vectors; `messages` pools
    the critical messages those runs delivered (`messages_min`/`_max` per run).
    """
    frame = summary.copy()
    vectors = frame.get("percentiles_from", pd.Series("", index=frame.index)).astype(str)
    p99 = frame.get("critical_delay_p99_us", pd.Series(math.nan, index=frame.index))
    frame["critical_p99_us"] = pd.to_numeric(p99, errors="coerce").where(vectors == "vectors")
    stats = seed_stats(frame, TRAINING_COLUMNS).set_index(["method", "fog_nodes", "metric"])
    counts = critical_percentiles(frame).set_index(["method", "fog_nodes"])
    cells = frame[["method", "fog_nodes"]].drop_duplicates()
    out = []
    for method, n in zip(cells["method"], cells["fog_nodes"], strict=True):
        row: dict[str, Any] = {"method": method, "fog_nodes": n}
        for column, short in TRAINING_COLUMNS.items():
            s = stats.loc[(method, n, column)]
            row |= {f"{short}_mean": s["mean"], f"{short}_std": s["std"], f"{short}_n": s["n"]}
        at = frame[(frame["method"] == method) & (frame["fog_nodes"] == n)]
        done = pd.to_numeric(at.get("rounds_done", pd.Series(dtype=float)), errors="coerce")
        target = pd.to_numeric(at.get("target_accuracy", pd.Series(dtype=float)), errors="coerce")
        trains = pd.to_numeric(at.get("train_seed", pd.Series(dtype=float)), errors="coerce")
        c = counts.loc[(method, n)]
        row |= {
            "trained": int(done.notna().sum()),
            "rounds_done": int(done.max()) if done.notna().any() else 0,
            "target": float(target.max()) if target.notna().any() else math.nan,
            "net_seeds": int(at["seed"].nunique()),
            "train_seeds": int(trains.dropna().nunique()),
            "messages": c["messages"] if c["with_vectors"] else math.nan,
            "messages_min": c["messages_min"],
            "messages_max": c["messages_max"],
            "with_vectors": int(c["with_vectors"]),
        }
        out.append(row)
    return _by_method(pd.DataFrame(out), "fog_nodes")


def split_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per ML method and fog-node count: the aggregated FN round and its parts over seeds.

    For each summary column of `round_split.SPLIT_METRICS`: `<column>_mean`,
    `_std`, `_n` over network seeds (the network decides them), and
    `<column>_share`, its mean over the FN round's mean. Runs without the columns
    (recorded before them, or without delay vectors) give NaN.
    """
    ml = summary[summary["method"] != "none"]
    if ml.empty:
        return pd.DataFrame()
    stats = seed_stats(ml, SPLIT_METRICS).set_index(["method", "fog_nodes", "metric"])
    out = []
    for method, n in ml[["method", "fog_nodes"]].drop_duplicates().itertuples(index=False):
        row: dict[str, Any] = {"method": method, "fog_nodes": n}
        total = stats.loc[(method, n, "fn_round_s"), "mean"]
        for column in SPLIT_METRICS:
            s = stats.loc[(method, n, column)]
            row |= {f"{column}_{k}": s[k] for k in ("mean", "std", "n")}
            row[f"{column}_share"] = s["mean"] / total if total and total == total else math.nan
        out.append(row)
    return _by_method(pd.DataFrame(out), "fog_nodes")


def time_bars(table: pd.DataFrame) -> pd.DataFrame:
    """Time to the target per ML cell of a `training_table`, as error-bar rows.

    Columns: method, fog_nodes, mean, err_low, err_high, n (runs that reached the
    target), spread, trained (runs), rounds_done (the most rounds a run trained).
    """
    ml = table[(table["method"] != "none") & (table["trained"] > 0)]
    frame = pd.DataFrame(
        {
            "method": ml["method"],
            "fog_nodes": ml["fog_nodes"],
            "mean": ml["time_mean"],
            "std": ml["time_std"],
            "n": ml["time_n"].fillna(0).astype(int),
            "trained": ml["trained"].astype(int),
            "rounds_done": ml["rounds_done"].astype(int),
        }
    )
    return error_bars(frame).reset_index(drop=True)


def target_differences(summary: pd.DataFrame, column: str = "time_to_target_s") -> pd.DataFrame:
    """Every pair of ML methods per fog-node count: the difference of `column` and its test.

    Methods sorted by their mean; each pair (lower, higher) gives `higher - lower`
    as `uncertainty.difference` computes it (paired on the runs with equal seeds
    that both reached the target, else Welch), its 95% interval, p and n. Runs
    that did not reach the target have no value and take no part.
    """
    values = cell_values(summary[summary["method"] != "none"], column)
    rows = []
    for n in sorted({k for _, k in values}):
        cells = {m: v for (m, k), v in values.items() if k == n and v}
        ranked = sorted(cells, key=lambda m: sum(cells[m].values()) / len(cells[m]))
        for lower, higher in itertools.combinations(ranked, 2):
            d = uncertainty.difference(cells[lower], cells[higher])
            rows.append(
                {"fog_nodes": n, "lower": lower, "higher": higher, "mean": d.mean,
                 "low": d.low, "high": d.high, "p": d.p, "n": d.n, "paired": d.paired}
            )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["fog_nodes", "lower", "higher", "mean", "low", "high", "p", "n", "paired"]
    )


def same_rounds_to_target(summary: pd.DataFrame) -> dict[int, list[str]]:
    """Per fog-node count, the ML methods that needed equally many rounds in every run pair.

    Runs of two methods pair up by their (network seed, training seed); the
    methods listed reached the target (or missed it) after the same round in
    each pair, so their times to the target differ by their round times only.
    """
    if "rounds_to_target" not in summary:
        return {}
    ml = summary[summary["method"] != "none"]
    keys = [c for c in ("seed", "train_seed") if c in ml]
    out = {}
    for n, at in ml.groupby("fog_nodes"):
        methods = sorted(set(at["method"]), key=method_rank)
        if len(methods) < 2:
            continue
        rounds = pd.to_numeric(at["rounds_to_target"], errors="coerce").fillna(-1)
        pairs = at.assign(_r=rounds).groupby(keys, dropna=False)
        complete = all(len(set(g["method"])) == len(methods) for _, g in pairs)
        if complete and all(g["_r"].nunique() == 1 for _, g in pairs):
            out[int(n)] = methods
    return out


def accuracy_curves(accuracy: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per method and round over seeds: mean time, mean accuracy and error bars.

    `accuracy`: accuracy.csv rows with method and seed (one fog-node count).
    Runs are combined as the report's other plots do (`reshape.spread_kind`):
    the 95% t interval of the mean from 2 runs, none for 1; the x of a round is
    the mean over runs of its simulated time. Columns: method, round, time_s,
    mean, err_low, err_high, n, spread.
    """
    columns = ["method", "round", "time_s", "mean", "err_low", "err_high", "n", "spread"]
    if accuracy.empty:
        return pd.DataFrame(columns=columns)
    grouped = accuracy.groupby(["method", "round"])
    stats = grouped["accuracy"].agg(["mean", "std", "min", "max", "count"])
    stats["time_s"] = grouped["sim_time_s"].mean()
    stats = error_bars(stats.reset_index().rename(columns={"count": "n"}))
    return _by_method(stats[columns], "round")


def _by_method(frame: pd.DataFrame, then: str) -> pd.DataFrame:
    """Rows in the report's method order (no ML, CC, FL, FCDDT), then by `then`."""
    order = frame.assign(_m=frame["method"].map(method_rank))
    return order.sort_values(["_m", then], kind="stable").drop(columns="_m").reset_index(drop=True)


def pick_timeline_run(runs: Sequence[tuple[str, int, int]]) -> tuple[str, int, int] | None:
    """The run whose rounds the timeline shows: the most FNs, FL if there, the lowest seed.

    `runs`: (method, fog_nodes, seed) of the runs with a rounds.csv. Without FL,
    the first other ML method in the report's order (FCDDT, CC, then any).
    """
    if not runs:
        return None
    most = max(n for _, n, _ in runs)
    at = [r for r in runs if r[1] == most]
    order = {m: i for i, m in enumerate(("fl", "fcddt", "cc"))}
    return min(at, key=lambda r: (order.get(r[0], len(order)), r[0], r[2]))


def timeline(
    rounds: pd.DataFrame,
    first: int,
    planned_compute_s: Sequence[float] | None = None,
    stages: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spans of the first `first` rounds of one run, per round and fog node (FN).

    `rounds`: one run's rounds.csv. `planned_compute_s`: per FN, its compute
    time before the first upload (the scenario's stage 0); without it, the
    FN's recorded compute (`compute_fog_s`). Phases: **compute** from the
    round's start; **upload** until the cloud had it (`upload_done_s`);
    **waiting** until the round's download is sent (the cloud's update done,
    `round_done_s`) or, without a download (CC), the round ends; with more than
    one stage an aggregated FN's wait is its **later stages** (their exchanges
    and compute); **download** from then until it arrived (`download_done_s`).
    An FN whose download arrived before its compute ended abandoned it (the
    span is cut there). Returns (spans: round, fn, phase, start_s, end_s;
    status per round and FN: round, fn, aggregated, status, mark_s, start_s,
    end_s), times in seconds of simulated time.
    """
    rows = rounds[rounds["round"] < first].sort_values(["round", "fn"])
    spans, statuses = [], []
    for r in rows.itertuples():
        start, up, down = float(r.round_start_s), float(r.upload_done_s), float(r.download_done_s)
        if math.isnan(start):
            continue
        done, fn = float(r.round_done_s), int(r.fn)
        aggregated = str(r.aggregated) in ("True", "true", "1")
        compute = (
            float(planned_compute_s[fn])
            if planned_compute_s is not None and fn < len(planned_compute_s)
            else float(r.compute_fog_s)
        )
        end = start + compute
        status, mark, sent = AGGREGATED, math.nan, up
        if not aggregated:
            if not math.isnan(up):
                status, mark = LATE, up
            elif not math.isnan(down) and down < end:
                status, mark, end = ABANDONED, down, down
            else:  # sent, but it reached the cloud after the round closed: in flight until then
                status, mark, sent = DISCARDED, done, done
        parts = [("compute", start, end)]
        if status != ABANDONED:
            parts.append(("upload", end, sent))
        wait = "later stages" if stages > 1 and aggregated else "waiting"
        parts.append((wait, end if math.isnan(sent) else sent, done))
        if not math.isnan(down):
            parts.append(("download", done, down))
        spans += [(int(r.round), fn, p, a, b) for p, a, b in parts if b > a]
        last = max(b for _, _, b in parts if not math.isnan(b))
        statuses.append((int(r.round), fn, aggregated, status, mark, start, max(last, done)))
    span_frame = pd.DataFrame(spans, columns=["round", "fn", "phase", "start_s", "end_s"])
    status_frame = pd.DataFrame(
        statuses, columns=["round", "fn", "aggregated", "status", "mark_s", "start_s", "end_s"]
    )
    return span_frame, status_frame
