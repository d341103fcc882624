# SPDX-License-Identifier: MIT
"""Writing a run's and a study's CSV tables: whole numbers as whole numbers, atomically.

pandas writes a float column as floats, so a count column that has one empty
cell (NaN) prints `0.0`, and a deadline of 400 ms in microseconds `400000.0`.
Every column whose values are all whole (or empty) is written as integers
here; anything with a fractional value stays as it is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from fogcosim import atomic


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
