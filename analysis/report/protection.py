# SPDX-License-Identifier: MIT
"""The "price of protection" section: protection mechanisms against what they cost the training.

A sweep whose variants run different scheduling mechanisms (FIFO, strict
priority, time-aware gates, credit-based shaping, preemption, ...) gets, after
each variant's own sections, one section comparing them (`report.write_report`),
and `fogcosim compare` gets the same across studies that differ in scheduling
(`analysis.report.compare`). Per mechanism, method and FN count it tabulates the
critical deadline misses and worst case against the round time and the
simulated time to the target accuracy, each mean with its 95% interval, and
the differences against FIFO with theirs; it states per seed which mechanism
missed and what protection costs the rounds, and draws critical worst case
against round time. The numbers come from `analysis.study.protection`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.report.format import PM_WORDS, label, md_table, num, pm
from analysis.report.plots.protection import protection_figure
from analysis.study import reshape
from analysis.study.data import mechanism, queueing_text
from analysis.study.protection import (
    Group,
    baseline_of,
    per_seed_misses,
    protection_points,
    protection_table,
)
from analysis.study.uncertainty import PAIRED_WORDS, TEST_WORDS

PLOT_NAME = "price_of_protection"
#: (name, figure, alt text, caption), as the report's other plots
Plot = tuple[str, Any, str, str]


def mechanism_groups(
    parts: Sequence[tuple[str, pd.DataFrame, dict[str, dict[str, Any]]]],
    descriptions: dict[str, str] | None = None,
) -> list[Group]:
    """Groups from (name, summary rows, run key -> scenario.json); mechanisms from the scenarios.

    A group whose runs ran more than one mechanism (it should not) is named by all of them.
    """
    out = []
    for name, rows, scenarios in parts:
        long = list(dict.fromkeys(mechanism(s) for s in scenarios.values())) or ["?"]
        short = list(dict.fromkeys(mechanism(s, short=True) for s in scenarios.values())) or ["?"]
        desc = (descriptions or {}).get(name, "")
        out.append(
            Group(
                name, " / ".join(long), " / ".join(short), rows, desc,
                transport_text(scenarios), tightest_deadline_us(scenarios),
            )
        )  # fmt: skip
    order = list(descriptions or {})
    base = baseline_of(out)
    return sorted(  # FIFO first, then as the profile declares its variants
        out,
        key=lambda g: (g is not base, order.index(g.name) if g.name in order else len(order)),
    )


def shown(group: Group) -> str:
    """A group's name in tables: its mechanism's short label, and its name where that differs."""
    if group.short.lower().startswith(group.name.lower()):
        return group.short
    return f"{group.short} [{group.name}]"


def transport_text(scenarios: dict[str, dict[str, Any]]) -> str:
    """How the runs' messages travel and queue: "UDP; fifo, unbounded queues"."""
    transports = sorted(
        {str(f.get("transport", "udp")).upper() for s in scenarios.values() for f in s["flows"]}
    )
    return f"{' and '.join(transports) or '?'}; {queueing_text(scenarios)}"


def tightest_deadline_us(scenarios: dict[str, dict[str, Any]]) -> float:
    """The smallest deadline of any critical flow of the runs, µs (NaN where none has one)."""
    found = [
        f["deadline_ps"] / 1e6
        for s in scenarios.values()
        for f in s["flows"]
        if f.get("cls") == "critical" and f.get("deadline_ps")
    ]
    return min(found) if found else math.nan


def differ_in_mechanism(groups: Sequence[Group]) -> bool:
    """Whether the groups ran at least two mechanisms (then the section applies)."""
    return len({g.mechanism for g in groups}) > 1


def variant_descriptions(profile_text: str) -> dict[str, str]:
    """Variant name -> description, from a profile's text (empty where it does not parse)."""
    try:
        doc = tomllib.loads(profile_text or "")
    except tomllib.TOMLDecodeError:
        return {}
    items = doc.get("simulation", {}).get("variants", [])
    return {str(v.get("name")): str(v.get("description", "")) for v in items if isinstance(v, dict)}


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def diff_cell(row: pd.Series, short: str, digits: int, scale: float = 1.0) -> str:
    """`+d [low, high] (p)` of a difference against the baseline; `n.s.` where not significant."""
    mean = row.get(f"d_{short}_mean", math.nan)
    if mean is None or pd.isna(mean):
        return "—"
    low, high, p = (row[f"d_{short}_{k}"] for k in ("low", "high", "p"))
    text = num(mean * scale, digits, signed=True)
    if pd.isna(p):
        return f"{text} (not testable)"
    text += f" [{num(low * scale, digits, signed=True)}, {num(high * scale, digits, signed=True)}]"
    return text + (f" ({_p(p)})" if p < 0.05 else f" (n.s., {_p(p)})")


def _time_cell(row: pd.Series) -> str:
    cell = pm(row["time_mean"], row["time_std"], row["time_n"], lambda x: num(x, 3))
    trained = int(row.get("time_runs", 0) or 0)
    reached = int(row["time_n"])
    if trained and reached < trained:
        cell += f" ({reached} of {trained} runs reached it)"
    return cell


def protection_section(
    groups: Sequence[Group], paired: bool, unit: str = "variant", units: str = "variants"
) -> tuple[list[str], pd.DataFrame]:
    """The section's Markdown, and the table its plot draws from."""
    baseline = baseline_of(groups)
    table = protection_table(groups, baseline, paired)
    lines = ["## The price of protection", ""]
    named = "; ".join(
        f"**{g.name}** ({g.mechanism})" + (f": {g.description}" if g.description else "")
        for g in groups
    )
    lines += [
        f"The {units} of this study run the same plant and training under different scheduling "
        f"mechanisms: {named}. Per mechanism, method and fog-node count: the critical deadline "
        "misses per run (critical messages late, dropped, or still in flight past their "
        "deadline at the end), the critical worst case (each run's largest critical delay), "
        "the round time (a round's first start to the cloud's update) and the simulated time to "
        "the target accuracy, each as " + PM_WORDS + ".",
        "",
        "Transport and queues: "
        + "; ".join(f"{g.name}: {g.transport or '?'}" for g in groups)
        + ". The critical deadlines are the profile's (the tightest: "
        + (", ".join(sorted({num(g.tightest_us, 0) for g in groups})) + " µs")
        + ").",
        "",
    ]
    if baseline is None:
        lines += [
            "No single FIFO " + unit + " to measure the others against: no differences are given.",
            "",
        ]
    else:
        how = PAIRED_WORDS if paired else f"{TEST_WORDS} (the {unit}s' runs share no draws to pair)"
        lines += [
            f"Δ: the mechanism minus **{baseline.name}** (FIFO, no protection) in the same cell, "
            f"with the 95% confidence interval of the difference ({how}); n.s.: not significant "
            "at the 5% level.",
            "",
        ]
    loops = "loop_misses_n" in table and bool((table["loop_misses_n"] > 0).any())
    headers = [
        "mechanism", "method", "FNs", "critical deadline misses per run", "runs with misses",
        *(["critical loop misses per run"] if loops else []), "critical worst case (µs)",
        "round time (ms)", "Δ round time (ms)", "time to target (s)", "Δ time to target (ms)",
        "Δ critical worst case (µs)",
    ]  # fmt: skip
    rows = []
    names = {g.name: g for g in groups}
    for r in table.itertuples(index=False):
        row = pd.Series(r._asdict())
        cells = [
            shown(names[row["group"]]), label(str(row["method"])), str(row["fog_nodes"]),
            pm(row["misses_mean"], row["misses_std"], row["misses_n"]),
            f"{int(row['misses_runs'])} of {int(row['misses_n'])}" if row["misses_n"] else "—",
        ]  # fmt: skip
        if loops:
            cells.append(pm(row["loop_misses_mean"], row["loop_misses_std"], row["loop_misses_n"]))
        cells += [
            pm(row["worst_mean"], row["worst_std"], row["worst_n"]),
            pm(row["round_mean"] * 1e3, row["round_std"] * 1e3, row["round_n"],
               lambda x: num(x, 2)),
            diff_cell(row, "round", 3, 1e3),
            _time_cell(row) if row["time_n"] else "—",
            diff_cell(row, "time", 3, 1e3),
            diff_cell(row, "worst", 1),
        ]  # fmt: skip
        rows.append(cells)
    lines += md_table(headers, rows, right=3)
    lines += _per_seed(groups, table)
    lines += _costs(groups, baseline, table)
    return lines, table


def _per_seed(groups: Sequence[Group], table: pd.DataFrame) -> list[str]:
    """Critical deadline misses per run, by network seed, at the largest FN count."""
    if table.empty:
        return []
    n = int(table["fog_nodes"].max())
    parts = []
    for method in sorted(
        set(table.loc[table["fog_nodes"] == n, "method"]), key=reshape.method_rank
    ):
        cells = []
        for g in groups:
            seeds = per_seed_misses(g, method, n)
            if seeds:
                values = ", ".join(str(v) for _, v in seeds)
                verdict = "none missed" if all(v == 0 for _, v in seeds) else (
                    f"> 0 in {sum(v > 0 for _, v in seeds)} of {len(seeds)}"
                )  # fmt: skip
                cells.append(f"{g.name} {values} ({verdict})")
        if cells:
            parts.append(f"{label(method)}: " + "; ".join(cells))
    if not parts:
        return []
    seeds = sorted({s for g in groups for s in g.rows["seed"].astype(int)})
    return [
        f"**Critical deadline misses per run at {n} FNs**, by network seed "
        f"({', '.join(str(s) for s in seeds)}): " + ". ".join(parts) + ".",
        "",
    ]


def _costs(groups: Sequence[Group], baseline: Group | None, table: pd.DataFrame) -> list[str]:
    """What each mechanism protects and what it costs the rounds, at the largest FN count."""
    if baseline is None or table.empty:
        return []
    n = int(table["fog_nodes"].max())
    at = table[(table["fog_nodes"] == n) & table["round_mean"].notna()]
    base = at[at["group"] == baseline.name].set_index("method")
    out = []
    for g in groups:
        if g is baseline:
            continue
        for r in at[at["group"] == g.name].itertuples(index=False):
            row = pd.Series(r._asdict())
            method = str(row["method"])
            if method not in base.index:
                continue
            b = base.loc[method]
            misses = (
                "missed no critical deadline in any run"
                if row["misses_runs"] == 0 and row["misses_n"]
                else f"missed {num(row['misses_mean'])} critical deadlines per run "
                f"(in {int(row['misses_runs'])} of {int(row['misses_n'])} runs)"
            )
            fifo = (
                f"FIFO missed {num(b['misses_mean'])} per run ("
                f"in {int(b['misses_runs'])} of {int(b['misses_n'])} runs)"
            )
            if pd.isna(row.get("d_round_mean", math.nan)):
                cost = "the round time could not be compared"
            else:
                sig = row["d_round_p"] < 0.05 if not pd.isna(row["d_round_p"]) else False
                cost = (
                    f"the round time goes from {num(b['round_mean'] * 1e3, 2)} to "
                    f"{num(row['round_mean'] * 1e3, 2)} ms, Δ {diff_cell(row, 'round', 3, 1e3)} ms"
                    + ("" if sig else ", a difference the seeds do not resolve")
                )
                if not pd.isna(row.get("d_time_mean", math.nan)):
                    cost += (
                        f"; the time to the target accuracy, Δ {diff_cell(row, 'time', 3, 1e3)} ms"
                    )
            out.append(
                f"- **{g.name}** ({g.mechanism}), {label(method)}: {misses}, where {fifo}; {cost}."
            )
    if not out:
        return []
    return [f"**What protection costs the rounds** at {n} FNs (against FIFO):", "", *out, ""]


def protection_plot(table: pd.DataFrame, groups: Sequence[Group]) -> Plot | None:
    """Critical worst case against round time, a panel per FN count (None: no ML runs)."""
    counts = sorted({int(n) for n in table.loc[table["round_mean"].notna(), "fog_nodes"]})
    panels = [(n, protection_points(table, n)) for n in counts]
    panels = [(n, p) for n, p in panels if not p.empty]
    if not panels:
        return None
    title = "The price of protection: critical worst case against round time"
    note = "Colour: method; marker: mechanism."
    tight = [g.tightest_us for g in groups if not math.isnan(g.tightest_us)]
    deadline = min(tight) if tight else None
    fig = protection_figure(panels, title, note, deadline)
    spread = reshape.spread_caption([p for _, p in panels])
    caption = (
        "Critical worst case (each run's largest critical delay, mean over seeds, log scale) "
        "against the round time (mean over seeds) per mechanism and ML method, one panel per "
        f"fog-node count; error bars on both axes: {spread}. Colour: method; marker: mechanism "
        f"({'; '.join(f'{g.name}: {g.short}' for g in groups)}). Lower is better protected, "
        "further left is faster training."
        + (
            f" Dashed: the tightest critical deadline ({num(deadline, 0)} µs); a point above it "
            "missed a deadline if all critical flows share it (see the table's misses)."
            if deadline is not None
            else ""
        )
    )
    return PLOT_NAME, fig, title, caption
