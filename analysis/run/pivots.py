# SPDX-License-Identifier: MIT
"""Tidy tables from the raw layout: one row per result (or per vector sample), metadata as columns.

Each helper takes a raw frame (`read_result_files`) and returns one row per
result of its kind with ``run``, ``module``, ``name`` and the kind's value
columns, then, as asked, one column per result attribute (``unit``,
``title``, ...), per iteration variable and per run attribute, in the manner
of OMNeT++'s ``omnetpp.scave.results.get_scalars(..., include_attrs=True,
include_itervars=True)``. When a metadata name collides with a column already
there, it gets a suffix: ``_attr``, ``_itervar``, ``_runattr``, ``_config``.
Metadata values stay strings (missing: NaN); use ``pd.to_numeric`` where a
number is meant. Only the raw frame's columns are used, not its row order,
so a filtered or sorted raw frame works too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fogcosim.resultfiles.reader import (
    ATTR,
    ATTRNAME,
    ATTRVALUE,
    BINEDGES,
    BINVALUES,
    CONFIG,
    COUNT,
    HISTOGRAM,
    ITERVAR,
    MAX,
    MEAN,
    MIN,
    MODULE,
    NAME,
    OVERFLOWS,
    PARAM,
    RUN,
    RUNATTR,
    SCALAR,
    STATISTIC,
    STDDEV,
    SUMWEIGHTS,
    TYPE,
    UNDERFLOWS,
    VALUE,
    VECTIME,
    VECTOR,
    VECVALUE,
)

if TYPE_CHECKING:
    import pandas as pd

#: Columns of `vector_samples` besides run, module, name and metadata.
TIME = "time"
STATISTIC_COLUMNS = (COUNT, SUMWEIGHTS, MEAN, STDDEV, MIN, MAX)
HISTOGRAM_COLUMNS = (*STATISTIC_COLUMNS, UNDERFLOWS, OVERFLOWS, BINEDGES, BINVALUES)
_KEY = [RUN, MODULE, NAME]


def runs(
    raw: pd.DataFrame,
    *,
    include_itervars: bool = True,
    include_runattrs: bool = True,
    include_config: bool = False,
) -> pd.DataFrame:
    """One row per run: ``run``, then its iteration variables, run attributes, config entries."""
    import pandas as pd  # lazily, as everywhere on the way to `fogcosim run` (analysis.cli.run)

    table = pd.DataFrame({RUN: pd.unique(raw[RUN])})
    return _add_run_metadata(table, raw, include_itervars, include_runattrs, include_config)


def scalars(
    raw: pd.DataFrame,
    *,
    include_attrs: bool = True,
    include_itervars: bool = True,
    include_runattrs: bool = False,
) -> pd.DataFrame:
    """Scalars: run, module, name, value (float64) and metadata columns."""
    table = _select(raw, [SCALAR], [VALUE])
    table[VALUE] = table[VALUE].astype(np.float64)
    return _with_metadata(table, raw, include_attrs, include_itervars, include_runattrs)


def parameters(
    raw: pd.DataFrame,
    *,
    include_attrs: bool = True,
    include_itervars: bool = True,
    include_runattrs: bool = False,
) -> pd.DataFrame:
    """Recorded module parameters (``par`` lines): run, module, name, value (str as recorded)."""
    table = _select(raw, [PARAM], [VALUE])
    return _with_metadata(table, raw, include_attrs, include_itervars, include_runattrs)


def statistics(
    raw: pd.DataFrame,
    *,
    include_histograms: bool = True,
    include_attrs: bool = True,
    include_itervars: bool = True,
    include_runattrs: bool = False,
) -> pd.DataFrame:
    """Statistics: count (int64), sumweights, mean, stddev, min, max.

    Histograms carry the same fields and are included unless `include_histograms`
    is false; tell them apart by ``name`` (e.g. ``:histogram`` vs ``:stats``).
    """
    kinds = [STATISTIC, HISTOGRAM] if include_histograms else [STATISTIC]
    table = _select(raw, kinds, list(STATISTIC_COLUMNS))
    table[COUNT] = table[COUNT].astype(np.int64)
    return _with_metadata(table, raw, include_attrs, include_itervars, include_runattrs)


def histograms(
    raw: pd.DataFrame,
    *,
    include_attrs: bool = True,
    include_itervars: bool = True,
    include_runattrs: bool = False,
) -> pd.DataFrame:
    """Histograms: the statistic fields plus underflows, overflows, binedges, binvalues."""
    table = _select(raw, [HISTOGRAM], list(HISTOGRAM_COLUMNS))
    table[COUNT] = table[COUNT].astype(np.int64)
    return _with_metadata(table, raw, include_attrs, include_itervars, include_runattrs)


def vectors(
    raw: pd.DataFrame,
    *,
    include_attrs: bool = True,
    include_itervars: bool = True,
    include_runattrs: bool = False,
) -> pd.DataFrame:
    """Vectors: run, module, name, vectime, vecvalue (float64 arrays) and metadata columns."""
    table = _select(raw, [VECTOR], [VECTIME, VECVALUE])
    return _with_metadata(table, raw, include_attrs, include_itervars, include_runattrs)


def vector_samples(
    raw: pd.DataFrame,
    *,
    include_attrs: bool = False,
    include_itervars: bool = True,
    include_runattrs: bool = False,
) -> pd.DataFrame:
    """Vectors in long form: one row per sample with run, module, name, time, value."""
    table = _select(raw, [VECTOR], [VECTIME, VECVALUE])
    lengths = np.fromiter((len(t) for t in table[VECTIME]), np.int64, len(table))
    samples = table[_KEY].iloc[np.repeat(np.arange(len(table)), lengths)].reset_index(drop=True)

    def concat(column: str) -> np.ndarray:
        arrays = [np.asarray(a, dtype=np.float64) for a in table[column]]
        return np.concatenate(arrays) if arrays else np.empty(0)

    samples[TIME] = concat(VECTIME)
    samples[VALUE] = concat(VECVALUE)
    return _with_metadata(samples, raw, include_attrs, include_itervars, include_runattrs)


def _select(raw: pd.DataFrame, kinds: list[str], columns: list[str]) -> pd.DataFrame:
    rows = raw[raw[TYPE].isin(kinds)]
    return rows[[*_KEY, *columns]].reset_index(drop=True)


def _with_metadata(
    table: pd.DataFrame,
    raw: pd.DataFrame,
    include_attrs: bool,
    include_itervars: bool,
    include_runattrs: bool,
) -> pd.DataFrame:
    if include_attrs:
        table = _add_attrs(table, raw)
    return _add_run_metadata(table, raw, include_itervars, include_runattrs, False)


def _add_attrs(table: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    attrs = raw.loc[raw[TYPE] == ATTR, [*_KEY, ATTRNAME, ATTRVALUE]]
    attrs = attrs.merge(table[_KEY].drop_duplicates(), on=_KEY)
    if attrs.empty:
        return table
    attrs = attrs.drop_duplicates([*_KEY, ATTRNAME])
    wide = attrs.pivot(index=_KEY, columns=ATTRNAME, values=ATTRVALUE)
    wide = wide.reindex(columns=pd.unique(attrs[ATTRNAME])).astype(object)
    wide.columns.name = None
    return table.merge(wide, left_on=_KEY, right_index=True, how="left", suffixes=(None, "_attr"))


def _add_run_metadata(
    table: pd.DataFrame,
    raw: pd.DataFrame,
    include_itervars: bool,
    include_runattrs: bool,
    include_config: bool,
) -> pd.DataFrame:
    import pandas as pd

    for wanted, kind in ((include_itervars, ITERVAR), (include_runattrs, RUNATTR),
                         (include_config, CONFIG)):  # fmt: skip
        if not wanted:
            continue
        rows = raw.loc[raw[TYPE] == kind, [RUN, ATTRNAME, ATTRVALUE]]
        if rows.empty:
            continue
        rows = rows.drop_duplicates([RUN, ATTRNAME])  # config: the first entry wins, as in OMNeT++
        wide = rows.pivot(index=RUN, columns=ATTRNAME, values=ATTRVALUE)
        wide = wide.reindex(columns=pd.unique(rows[ATTRNAME])).astype(object)
        wide.columns.name = None
        table = table.merge(
            wide, left_on=RUN, right_index=True, how="left", suffixes=(None, f"_{kind}")
        )
    return table
