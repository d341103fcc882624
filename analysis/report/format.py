# SPDX-License-Identifier: MIT
"""How the report's cells and claims read: numbers, means with their interval, method orders.

One place for the formats every table shares (`analysis.report.tables`,
`rounds`, `compare`): rounded numbers, `mean ± std [low, high]` cells
whose interval is `analysis.study.uncertainty`'s, the Welch-backed method-order
sentence and its legend, and the message counts a percentile rests on.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.study import uncertainty
from analysis.study.reshape import LABELS


def md_table(
    headers: list[str], rows: list[list[str]], right: int = 1, left_last: int = 0
) -> list[str]:
    """A Markdown table; columns `right` and later are right-aligned, bar the last `left_last`."""
    align = [
        "---" if i < right or i >= len(headers) - left_last else "---:" for i in range(len(headers))
    ]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return [*out, ""]


def num(x: Any, digits: int = 1, signed: bool = False) -> str:
    """A rounded number ("—" for missing); never "-0.0"."""
    if x is None or pd.isna(x):
        return "—"
    value = round(float(x), digits) + 0.0
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def sig(x: Any) -> str:
    """Three significant digits (percentages spanning 0.01 to 100)."""
    return "—" if x is None or pd.isna(x) else f"{float(x):.3g}"


def sig2(x: Any) -> str:
    """Two significant digits (a spread)."""
    return "—" if x is None or pd.isna(x) else f"{float(x):.2g}"


def pm(mean: Any, std: Any, n: Any, fmt: Any = num) -> str:
    """`mean ± std [low, high]` (the 95% t interval) from 2 seeds, else `mean`; "—" for no runs."""
    if not n or pd.isna(mean):
        return "—"
    if int(n) < 2 or pd.isna(std):
        return str(fmt(mean))
    half = uncertainty.t_half_width(float(std), int(n))
    spread = sig2(std) if fmt is sig else str(fmt(std)).lstrip("+")  # a spread has no sign
    return f"{fmt(mean)} ± {spread} [{fmt(mean - half)}, {fmt(mean + half)}]"


#: How every table's `mean ± std [low, high]` cells read, for the sentence above them.
PM_WORDS = (
    "mean ± standard deviation over seeds [95% confidence interval of the mean, Student t with "
    "n − 1 degrees of freedom] where a cell has 2 or more seeds, else the single value; n = seeds"
)


def orders_line(orders: dict[str, dict[int, uncertainty.Order]], what: str = "") -> list[str]:
    """**Method order** per fog-node count for each named column, backed by Welch tests.

    `orders`: column title -> `reshape.method_orders` of it. A `<` is stated only
    where the test rejects equal means at 5%; the legend says what `≈` and `?` mean.
    """
    counts = sorted({n for o in orders.values() for n in o})
    parts = []
    for n in counts:
        cells = [
            f"{title} {o[n].text()}"
            for title, o in orders.items()
            if n in o and len(o[n].names) > 1
        ]
        if cells:
            parts.append(f"{n} FNs: " + "; ".join(cells))
    if not parts:
        return []
    legend = uncertainty.order_note(o[n] for o in orders.values() for n in o if len(o[n].names) > 1)
    return [f"**Method order** (lowest first{what}): " + "; ".join(parts) + f". {legend}", ""]


def label(method: str) -> str:
    """Display name of a method."""
    return LABELS.get(method, method)


def messages_cell(pooled: Any, low: Any, high: Any, runs: Any) -> str:
    """Messages behind a percentile: pooled over runs, and per run (one value or its range)."""
    if not runs or pd.isna(pooled) or pd.isna(low):
        return "—"
    each = f"{int(low):,}" if int(low) == int(high) else f"{int(low):,}–{int(high):,}"
    return f"{int(pooled):,} ({each})" if int(runs) > 1 else f"{int(pooled):,}"
