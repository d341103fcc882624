# SPDX-License-Identifier: MIT
"""The price of protection, reshaped: what the critical flows get and what the training pays.

A protection study runs one profile under several scheduling mechanisms: the
variants of one sweep (`[[simulation.variants]]`, compared seed by seed: the
variants of one network seed share every draw) or several sweep folders
(`fogcosim compare`, compared by Welch's test). Each is a `Group`. Pure pandas,
no drawing and no files, as `analysis.study.reshape`: `protection_table` gives one
row per (group, method, FN count) with the mean, spread and count of

- the critical deadline misses per run (`misses`; `misses_runs`: runs with any),
  and of the critical closed loops (`loop_misses`), where runs have them;
- the critical worst case, each run's largest critical delay (`worst`, µs);
- the round time (`round`, s) and the simulated time to the target accuracy
  (`time`, s; over the runs that reached it);

and, against the baseline group (FIFO, where one group is), the differences
of the round time, the time to target and the worst case with their 95%
interval and test (`uncertainty.difference`). `protection_points` gives the
plot's points: critical worst case against round time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.study import uncertainty
from analysis.study.reshape import TRAINED, error_bars, method_rank, network_rows

#: summary column -> short name in `protection_table`.
METRICS = {
    "critical_deadline_misses": "misses",
    "critical_loop_misses": "loop_misses",
    "critical_delay_max_us": "worst",
    "mean_round_s": "round",
    "time_to_target_s": "time",
}
#: The metrics whose difference against the baseline the table gives.
DIFFERENCES = ("round", "time", "worst")
#: How a baseline group's mechanism reads (the unprotected network).
BASELINE = "FIFO"


@dataclass(frozen=True)
class Group:
    """One mechanism of the study: a variant of a sweep, or a study of `fogcosim compare`."""

    #: how tables name it (the variant's name, or the study's label)
    name: str
    #: the mechanism it ran, in words (`analysis.study.data.mechanism`)
    mechanism: str
    #: its short label for legends
    short: str
    #: its summary rows
    rows: pd.DataFrame
    #: what the profile says it is (a variant's description), may be ""
    description: str = ""
    #: how its messages travel and queue, in words (e.g. "UDP; fifo, unbounded queues")
    transport: str = ""
    #: the tightest deadline of any critical flow, µs (NaN: none)
    tightest_us: float = math.nan


def baseline_of(groups: Sequence[Group]) -> Group | None:
    """The one FIFO group the others are measured against (None: none, or several)."""
    fifo = [g for g in groups if g.mechanism == BASELINE]
    return fifo[0] if len(fifo) == 1 else None


def _values(rows: pd.DataFrame, column: str) -> dict[Any, float]:
    """Seed key -> value of a column: network metrics per network seed, training per run."""
    if column not in rows:
        return {}
    if column in TRAINED:
        keys = list(zip(rows["seed"], rows.get("train_seed", rows["seed"]), strict=True))
        values = pd.to_numeric(rows[column], errors="coerce")
        return {k: float(v) for k, v in zip(keys, values, strict=True) if math.isfinite(v)}
    net = network_rows(rows)
    values = pd.to_numeric(net[column], errors="coerce")
    return {int(k): float(v) for k, v in zip(net["seed"], values, strict=True) if math.isfinite(v)}


def _cells(groups: Sequence[Group]) -> list[tuple[str, int]]:
    cells = {
        (str(m), int(n))
        for g in groups
        for m, n in zip(g.rows["method"], g.rows["fog_nodes"], strict=True)
    }
    return sorted(cells, key=lambda c: (method_rank(c[0]), c[1]))


def protection_table(
    groups: Sequence[Group], baseline: Group | None = None, paired: bool = True
) -> pd.DataFrame:
    """One row per (group, method, FN count): the study's metrics and differences.

    Per short name of METRICS: `<name>_mean`, `_std`, `_n` (NaN/0 where the
    runs lack the column); `misses_runs` counts runs with misses, `runs` the
    runs of the cell, `time_runs` those that trained. Against `baseline` (not
    for the baseline itself), per name of DIFFERENCES: `d_<name>_mean`, `_low`,
    `_high`, `_p`, `_n`, `_paired`: the group minus the baseline, paired on
    common seeds when `paired` (variants of one sweep), else Welch.
    """
    out = []
    for method, n in _cells(groups):
        base = None
        if baseline is not None:
            b = baseline.rows
            base = b[(b["method"] == method) & (b["fog_nodes"] == n)]
        for g in groups:
            at = g.rows[(g.rows["method"] == method) & (g.rows["fog_nodes"] == n)]
            if at.empty:
                continue
            row: dict[str, Any] = {
                "group": g.name, "mechanism": g.mechanism, "short": g.short, "method": method,
                "fog_nodes": n, "runs": len(at),
            }  # fmt: skip
            for column, short in METRICS.items():
                values = list(_values(at, column).values())
                est = uncertainty.estimate(values)
                row |= {f"{short}_mean": est.mean, f"{short}_std": est.std, f"{short}_n": est.n}
            misses = list(_values(at, "critical_deadline_misses").values())
            row["misses_runs"] = sum(1 for v in misses if v > 0)
            row["time_runs"] = (
                int(pd.to_numeric(at.get("rounds_done"), errors="coerce").notna().sum())
                if "rounds_done" in at
                else 0
            )
            if base is not None and not base.empty and g is not baseline:
                for short in DIFFERENCES:
                    column = next(c for c, s in METRICS.items() if s == short)
                    a, b = _values(base, column), _values(at, column)
                    d = uncertainty.difference(a, b) if paired else uncertainty.difference(
                        list(a.values()), list(b.values())
                    )  # fmt: skip
                    row |= {
                        f"d_{short}_mean": d.mean, f"d_{short}_low": d.low,
                        f"d_{short}_high": d.high, f"d_{short}_p": d.p, f"d_{short}_n": d.n,
                        f"d_{short}_paired": d.paired,
                    }  # fmt: skip
            out.append(row)
    return pd.DataFrame(out)


def per_seed_misses(group: Group, method: str, fog_nodes: int) -> list[tuple[int, int]]:
    """(network seed, critical deadline misses) of each run of a cell, by seed."""
    rows = group.rows
    at = rows[(rows["method"] == method) & (rows["fog_nodes"] == fog_nodes)]
    return sorted((int(k), int(v)) for k, v in _values(at, "critical_deadline_misses").items())


def protection_points(table: pd.DataFrame, fog_nodes: int) -> pd.DataFrame:
    """The plot's points at one FN count: critical worst case (µs) against round time (ms).

    One row per (group, ML method) that has both, with the error-bar half
    widths of each axis (the 95% t interval of the mean; 0 for one seed) as
    `x_err` and `y_err`, and `spread` (what they are, for the caption).
    """
    at = table[(table["fog_nodes"] == fog_nodes) & table["round_mean"].notna()]
    at = at[at["worst_mean"].notna()]
    if at.empty:
        return pd.DataFrame(
            columns=["group", "short", "method", "x", "y", "x_err", "y_err", "n", "spread"]
        )
    x = error_bars(
        pd.DataFrame(
            {"mean": at["round_mean"] * 1e3, "std": at["round_std"] * 1e3, "n": at["round_n"]}
        )
    )
    y = error_bars(
        pd.DataFrame({"mean": at["worst_mean"], "std": at["worst_std"], "n": at["worst_n"]})
    )
    return pd.DataFrame(
        {
            "group": at["group"], "short": at["short"], "method": at["method"],
            "x": x["mean"], "y": y["mean"], "x_err": x["err_low"], "y_err": y["err_low"],
            "n": at[["round_n", "worst_n"]].min(axis=1), "spread": y["spread"],
        }
    ).reset_index(drop=True)  # fmt: skip
