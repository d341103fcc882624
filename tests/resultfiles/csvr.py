# SPDX-License-Identifier: MIT
"""The CSV-R text form (`opp_scavetool export -F CSV-R`) of raw frames, for comparing with exports.

opp_scavetool writes doubles with C++ `std::setprecision(14)` (printf `%.14g`), NaN as `NaN`
and infinities as `Inf`/`-Inf`; array columns are one space-separated string; vector times are
exact decimals (simulation time is fixed-point). So scalar, statistic, histogram and vector
values are compared as text at 14 significant digits, the export's own precision, and vector
times exactly as doubles (both sides parsed from the same decimal text).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from fogcosim.resultfiles import reader as R

STATISTIC_COLUMNS = (R.SUMWEIGHTS, R.MEAN, R.STDDEV, R.MIN, R.MAX)


def csv_number(x: float) -> str:
    """A double as opp_scavetool's CSV writer prints it."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return f"{x:.14g}"


def exact_times(text: str) -> str:
    """Vector times as exact doubles (repr), for comparing decimal texts numerically."""
    return " ".join(repr(float(t)) for t in text.split())


def read_export(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    """Header and rows of a CSV-R file, vector times normalised with `exact_times`."""
    csv.field_size_limit(2**31 - 1)  # vectors are one (long) field
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    if R.VECTIME in header:
        i = header.index(R.VECTIME)
        body = [(*r[:i], exact_times(r[i]), *r[i + 1 :]) for r in body]
    return header, [tuple(r) for r in body]


def render(raw: pd.DataFrame, header: Iterable[str]) -> list[tuple[str, ...]]:
    """The rows of `raw` in CSV-R text form, for the columns in `header`."""
    columns = list(header)
    return [tuple(_cell(row, c) for c in columns) for row in raw.to_dict("records")]


def _cell(row: dict[str, object], column: str) -> str:
    kind = row[R.TYPE]
    value = row[column]
    if column in (R.RUN, R.TYPE, R.MODULE, R.NAME, R.ATTRNAME, R.ATTRVALUE):
        return "" if value is None else str(value)
    if column == R.VALUE:
        if kind == R.SCALAR:
            return csv_number(float(value))  # type: ignore[arg-type]
        return "" if value is None else str(value)
    if kind in (R.STATISTIC, R.HISTOGRAM) and column == R.COUNT:
        return str(int(value))  # type: ignore[call-overload]
    if kind in (R.STATISTIC, R.HISTOGRAM) and column in STATISTIC_COLUMNS:
        return csv_number(float(value))  # type: ignore[arg-type]
    if kind == R.HISTOGRAM and column in (R.UNDERFLOWS, R.OVERFLOWS):
        return csv_number(float(value))  # type: ignore[arg-type]
    if kind == R.HISTOGRAM and column in (R.BINEDGES, R.BINVALUES):
        return " ".join(csv_number(x) for x in value)  # type: ignore[attr-defined]
    if kind == R.VECTOR and column == R.VECTIME:
        return " ".join(repr(float(x)) for x in value)  # type: ignore[attr-defined]
    if kind == R.VECTOR and column == R.VECVALUE:
        return " ".join(csv_number(x) for x in value)  # type: ignore[attr-defined]
    return ""
