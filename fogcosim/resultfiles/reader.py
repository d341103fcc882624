# SPDX-License-Identifier: MIT
"""Read OMNeT++ result files (.sca, .vec) into one documented "raw" DataFrame.

The layout is that of OMNeT++ 6.1's `omnetpp.scave.results.read_result_files`,
which is also the `opp_scavetool export -F CSV-R` layout (the CSV names the
run column ``run``, as here; OMNeT++'s Python module calls it ``runID``).
One row per run attribute, iteration variable, configuration entry, result and
result attribute:

========== ============================== =========================================
column     dtype                          filled for row types
========== ============================== =========================================
run        object (str)                   all
type       object (str)                   all: runattr, itervar, config, scalar,
                                          param, statistic, histogram, vector, attr
module     object (str or None)           results and their attr rows
name       object (str or None)           results and their attr rows
attrname   object (str or None)           runattr, itervar, config, attr
attrvalue  object (str or None)           runattr, itervar, config, attr
value      object (float / str / None)    scalar (float), param (str, as recorded)
count      float64 (NaN elsewhere)        statistic, histogram (an integer)
sumweights float64                        statistic, histogram
mean       float64                        statistic, histogram
stddev     float64                        statistic, histogram
min, max   float64                        statistic, histogram
underflows float64                        histogram
overflows  float64                        histogram
binedges   object (float64 ndarray)       histogram; ``len(binedges) == len(binvalues) + 1``
binvalues  object (float64 ndarray)       histogram
vectime    object (float64 ndarray)       vector: simulation times in seconds
vecvalue   object (float64 ndarray)       vector: values
========== ============================== =========================================

Rows come as OMNeT++ exports them: first every run's runattr, itervar and
config rows (attributes and itervars sorted by name, config in file order,
which is significant: first match wins), then scalars, params, statistics and
histograms (per file: statistics first), vectors; each result is followed by
its ``attr`` rows (sorted by name). Runs appear in the order first met, files
in the order given (folders and globs sorted by path).

Files of every OMNeT++ from 4.0 on are read (``version 2`` or ``3``, or no
``version`` line; see `fogcosim.resultfiles.parser`). Like `opp_scavetool`
6.1: a run is listed only if it has a result; a run seen in several files
(its .sca and .vec) is listed once, with the header of its first file, or of
its .vec if that starts with a ``version`` line (OMNeT++ takes that one from
the .vec's index); ``mean`` and ``stddev`` are computed from the
``count``/``sum``/``sqrsum`` fields (not copied from the file's rounded
``mean``/``stddev`` fields) and ``stddev`` is NaN for ``count < 2``;
``sumweights`` is ``count`` for unweighted statistics; the first and last
``bin`` lines of a histogram are its underflows and overflows.

Vectors declared but never written (no data lines): in a .vec that starts
with a ``version`` line they are left out, as `opp_scavetool` leaves them out
of the index it builds for it; a .vec without one `opp_scavetool` reads like
a .sca (it needs ``opp_scavetool index file.vec`` first for the data), and
lists them with empty ``vectime``/``vecvalue``, as here. The reader itself
never needs a .vci: it reads the .vec's data lines directly.
"""

from __future__ import annotations

import glob
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fogcosim.resultfiles.errors import ResultFileError
from fogcosim.resultfiles.parser import ParsedFile, Result, Run, parse_file
from fogcosim.resultfiles.runresults import summarize_fields

if TYPE_CHECKING:
    import pandas as pd

# Column names of the raw layout.
RUN = "run"
TYPE = "type"
MODULE = "module"
NAME = "name"
ATTRNAME = "attrname"
ATTRVALUE = "attrvalue"
VALUE = "value"
COUNT = "count"
SUMWEIGHTS = "sumweights"
MEAN = "mean"
STDDEV = "stddev"
MIN = "min"
MAX = "max"
UNDERFLOWS = "underflows"
OVERFLOWS = "overflows"
BINEDGES = "binedges"
BINVALUES = "binvalues"
VECTIME = "vectime"
VECVALUE = "vecvalue"

#: Every column of the raw layout, in order.
COLUMNS = (
    RUN, TYPE, MODULE, NAME, ATTRNAME, ATTRVALUE, VALUE, COUNT, SUMWEIGHTS, MEAN, STDDEV,
    MIN, MAX, UNDERFLOWS, OVERFLOWS, BINEDGES, BINVALUES, VECTIME, VECVALUE,
)  # fmt: skip
#: Numeric columns (float64, NaN where a row type does not fill them).
FLOAT_COLUMNS = (COUNT, SUMWEIGHTS, MEAN, STDDEV, MIN, MAX, UNDERFLOWS, OVERFLOWS)

# Values of the `type` column.
RUNATTR = "runattr"
ITERVAR = "itervar"
CONFIG = "config"
SCALAR = "scalar"
PARAM = "param"
STATISTIC = "statistic"
HISTOGRAM = "histogram"
VECTOR = "vector"
ATTR = "attr"
#: Every row type, in the order rows are emitted.
ROW_TYPES = (RUNATTR, ITERVAR, CONFIG, SCALAR, PARAM, STATISTIC, HISTOGRAM, VECTOR, ATTR)

#: File name suffixes a folder is searched for (recursively).
RESULT_FILE_SUFFIXES = (".sca", ".vec")


def read_result_files(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> pd.DataFrame:
    """Read result files into the raw layout (see the module docstring).

    `paths`: one or more files, folders (searched recursively for .sca and
    .vec files) or glob patterns (``**`` spans folders). A path that exists is
    taken literally, so file names with ``[``, ``,``, ``=`` or ``#`` work.
    Raises `ResultFileError` (a `UserError`) naming the file and line of the
    first problem, or the argument that matched no result file.
    """
    return raw_frame([parse_file(path) for path in result_file_paths(paths)])


def result_file_paths(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> list[Path]:
    """The result files `paths` name, without duplicates, in argument order (expansions sorted)."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    found: dict[Path, None] = {}
    for arg in paths:
        text = os.fspath(arg)
        path = Path(text)
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*") if _is_result_file(p))
            if not matches:
                raise ResultFileError(text, None, "folder holds no .sca or .vec files")
        elif path.is_file():
            if path.suffix == ".vci":
                raise ResultFileError(
                    text, None, "is a vector index file; pass the .vec file beside it instead"
                )
            matches = [path]
        elif glob.has_magic(text):
            matches = sorted(
                p
                for p in map(Path, glob.glob(text, recursive=True))  # noqa: PTH207 (absolute globs)
                if _is_result_file(p)
            )
            if not matches:
                raise ResultFileError(text, None, "pattern matches no .sca or .vec file")
        else:
            raise ResultFileError(text, None, "no such file or folder")
        for match in matches:
            found.setdefault(Path(os.path.normpath(match.absolute())), None)
    return list(found)


def _is_result_file(path: Path) -> bool:
    return path.suffix in RESULT_FILE_SUFFIXES and path.is_file()


def raw_frame(files: Iterable[ParsedFile]) -> pd.DataFrame:
    """Assemble parsed files into the raw layout."""
    headers: dict[str, Run] = {}
    by_kind: dict[str, list[Result]] = {SCALAR: [], PARAM: [], STATISTIC: [], VECTOR: []}
    for parsed in files:
        results = parsed.results
        if parsed.indexed:  # opp_scavetool's index lists only vectors with data
            results = [r for r in results if r.vector is None or r.vector.has_data()]
        with_results = {item.run for item in results}
        for run in parsed.runs:
            if not parsed.indexed:
                headers.setdefault(run.name, run)
            elif run.name in with_results:  # an index without vectors adds no run
                headers[run.name] = run  # the index's run header replaces the one loaded
        for item in results:
            if item.kind != HISTOGRAM:
                by_kind[item.kind].append(item)
        # like opp_scavetool: a file's statistics, then its histograms
        by_kind[STATISTIC] += [item for item in results if item.kind == HISTOGRAM]
    listed = {item.run for items in by_kind.values() for item in items}
    rows: list[tuple[Any, ...]] = []
    for run in headers.values():
        if run.name not in listed:  # opp_scavetool exports the runs of the results only
            continue
        rows.extend(_meta_row(run.name, RUNATTR, k, v) for k, v in sorted(run.attrs.items()))
        rows.extend(_meta_row(run.name, ITERVAR, k, v) for k, v in sorted(run.itervars.items()))
        rows.extend(_meta_row(run.name, CONFIG, k, v) for k, v in run.config)
    for kind in (SCALAR, PARAM, STATISTIC, VECTOR):
        for item in by_kind[kind]:
            rows.append(_result_row(item))
            attrs = item.attrs
            if attrs:
                rows.extend(
                    (item.run, ATTR, item.module, item.name, k, v, *_BLANK_TAIL)
                    for k, v in (sorted(attrs.items()) if len(attrs) > 1 else attrs.items())
                )
    return _to_frame(rows)


_BLANK_TAIL: tuple[None, ...] = (None,) * (len(COLUMNS) - 6)


def _meta_row(run: str, kind: str, name: str, value: str) -> tuple[Any, ...]:
    return (run, kind, None, None, name, value, *_BLANK_TAIL)


def _result_row(item: Result) -> tuple[Any, ...]:
    head = (item.run, item.kind, item.module, item.name, None, None)
    nan = math.nan
    if item.kind in (SCALAR, PARAM):
        return (*head, item.value, *(nan,) * 8, None, None, None, None)
    if item.kind == VECTOR:
        assert item.vector is not None
        times, values = item.vector.arrays()
        return (*head, None, *(nan,) * 8, None, None, times, values)
    stats = summarize_fields(item.fields)
    if item.kind == STATISTIC:
        return (*head, None, *stats, nan, nan, None, None, None, None)
    edges, counts = item.bin_edges, item.bin_values
    underflows, overflows = counts[0], counts[-1]
    binedges = np.array(edges[1:], dtype=np.float64)
    binvalues = np.array(counts[1:-1], dtype=np.float64)
    return (*head, None, *stats, underflows, overflows, binedges, binvalues, None, None)


def _to_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    import pandas as pd  # lazily: the parser and a run's metrics need none (see `runresults`)

    columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    data = {
        # a list of same-length arrays must stay a column of arrays, not become a 2-D block
        name: pd.Series(np.array(values, dtype=np.float64))
        if name in FLOAT_COLUMNS
        else pd.Series(list(values), dtype=object)
        for name, values in zip(COLUMNS, columns, strict=True)
    }
    return pd.DataFrame(data, columns=list(COLUMNS))
