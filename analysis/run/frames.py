"""Tables as DataFrames where a caller wants one, with pandas imported only then.

A run's metrics and CSV files are built from rows (lists of dicts) without
pandas, so that `fogcosim run` does not import it (0.4 s); the functions that
hand a table to the report, the co-simulation or a test turn rows into a
DataFrame here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def frame(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """`rows` as a DataFrame with `columns` (and those columns when there is no row)."""
    import pandas as pd  # lazily: see the module docstring

    return pd.DataFrame(list(rows), columns=list(columns))
