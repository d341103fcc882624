# SPDX-License-Identifier: MIT
"""Writing a run's and a study's CSV tables: whole numbers as whole numbers, atomically.

pandas writes a float column as floats, so a count column that has one empty
cell (NaN) prints `0.0`, and a deadline of 400 ms in microseconds `400000.0`.
Every column whose values are all whole (or empty) is written as integers
here; anything with a fractional value stays as it is.

`write_rows` writes a table given as rows (dicts) without pandas, in the very
text `write_table` gives the same rows as a DataFrame (a test holds them
equal): each column is typed as pandas would type it (integers, floats with
empty cells, booleans, text), floats in their shortest round-trip form.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fogcosim import atomic

if TYPE_CHECKING:
    import pandas as pd


def whole_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with every float column whose values are all whole (or NaN) as nullable ints."""
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype.kind != "f" or not values.notna().any():
            continue
        finite = values.dropna().to_numpy()
        if np.isfinite(finite).all() and (finite == np.round(finite)).all():
            out[column] = values.astype("Int64")
    return out


def write_table(path: Path, table: pd.DataFrame) -> None:
    """Write `table` as CSV (no index) atomically, whole numbers as integers."""
    atomic.write_text(Path(path), whole_numbers(table).to_csv(index=False))


def write_rows(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Write `rows` (dicts; a missing key: an empty cell) as CSV atomically, as `write_table`."""
    atomic.write_text(Path(path), csv_text(rows, columns))


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """The CSV text `write_table` writes for `pd.DataFrame(rows, columns=columns)`."""
    cells = [_column([row.get(c) for row in rows]) for c in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*cells, strict=True) if cells else [])
    return out.getvalue()


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _column(values: list[Any]) -> list[str]:
    """One column's cells, as pandas types the column and `whole_numbers` then writes it."""
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    present = [v for v in values if not _missing(v)]
    numbers = bool(present) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in present
    )
    if not numbers:  # text, booleans, mixed: as they print; empty where missing
        return ["" if _missing(v) else str(v) for v in values]
    if len(present) == len(values) and all(isinstance(v, int) for v in present):
        return [str(v) for v in values]  # an integer column
    # a float column (NaN where missing): whole numbers as integers, else shortest repr
    if all(math.isfinite(v) and v == math.floor(v) for v in present):
        return ["" if _missing(v) else str(int(v)) for v in values]
    return ["" if _missing(v) else repr(float(v)) for v in values]
