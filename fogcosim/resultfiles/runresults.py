"""One run's results by module and name, without pandas: what a run's metrics are computed from.

`RunResults` holds each scalar's value, each statistic's (and histogram's)
count, mean, stddev, min and max, and each vector's times (s) and values, keyed
by ``(module, name)``, and which row types are there (for the completeness
check). It is filled from two places that must agree value for value:

- result files: `RunResults.read(paths)` parses them (`fogcosim.resultfiles.parser`),
  keeping what `read_result_files` would put in the raw layout (a .vec read
  through its index drops vectors without data; mean and stddev computed from
  the fields as OMNeT++ does);
- the writers, as they write: a `ScalarFileWriter` or `VectorFileWriter` given
  ``capture=RunResults()`` records every number as the file will spell it
  (``%.14g``, the time in ticks), read back as the parser reads it, so the
  results in memory equal those read from the files just written.

`analysis.run.metrics` takes either, so the embedded backend's metrics come from its
memory and the OMNeT++ backend's from its files, through one definition.
Statistics are listed as `read_result_files` lists them: a file's plain
statistics first, then its histograms.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fogcosim.resultfiles.parser import ParsedFile, parse_file

if TYPE_CHECKING:
    import pandas as pd

Key = tuple[str, str]

# Row types (the raw layout's `type` values, `fogcosim.resultfiles.reader`).
SCALAR, PARAM, STATISTIC, HISTOGRAM, VECTOR = "scalar", "param", "statistic", "histogram", "vector"


@dataclass(frozen=True, slots=True)
class Stat:
    """A statistic's summary as `read_result_files` gives it (count as an int)."""

    count: int
    sumweights: float
    mean: float
    stddev: float
    min: float
    max: float


def summarize_fields(fields: dict[str, float]) -> tuple[float, float, float, float, float, float]:
    """count, sumweights, mean, stddev, min, max as OMNeT++'s `Statistics` computes them.

    From a statistic's ``field`` values; weighted statistics use their weighted sums.
    """
    count = int(fields.get("count", -1))
    lo, hi = fields.get("min", math.nan), fields.get("max", math.nan)
    if "weights" in fields and not math.isnan(fields["weights"]):
        weights = fields["weights"]
        total = fields.get("weightedSum", math.nan)
        squares = fields.get("weightedSqrSum", math.nan)
        squared_weights = fields.get("sqrSumWeights", math.nan)
        variance_num = _f(weights) * squares - _f(total) * total
        variance_den = _f(weights) * weights - squared_weights
    else:
        weights = float(count)
        total = fields.get("sum", math.nan)
        squares = fields.get("sqrsum", math.nan)
        with np.errstate(all="ignore"):
            variance_num = _f(squares) - _f(total) * total / weights
        variance_den = _f(weights) - 1
    with np.errstate(all="ignore"):
        mean = float(_f(total) / weights)
        if count <= 1:
            variance = math.nan
        elif lo == hi:
            variance = 0.0
        else:
            variance = float(variance_num / variance_den)
            variance = 0.0 if variance < 0 else variance
    return float(count), weights, mean, math.sqrt(variance), lo, hi


def _f(x: float) -> np.float64:
    """A numpy float, so that division by zero gives inf/nan as in C instead of raising."""
    return np.float64(x)


class RunResults:
    """Scalars, statistics and vectors of one run by ``(module, name)``; see the module doc."""

    def __init__(self) -> None:
        self.scalars: dict[Key, float] = {}
        self._plain: dict[Key, Stat] = {}
        self._histograms: dict[Key, Stat] = {}
        self._times: dict[Key, list[np.ndarray]] = {}
        self._values: dict[Key, list[np.ndarray]] = {}
        #: (module, name, row type) of every result
        self.present: set[tuple[str, str, str]] = set()

    # --- filling ------------------------------------------------------------------------

    def add_scalar(self, module: str, name: str, value: float) -> None:
        """A scalar's value."""
        self.scalars[(module, name)] = value
        self.present.add((module, name, SCALAR))

    def add_parameter(self, module: str, name: str) -> None:
        """A recorded module parameter (only its presence is kept)."""
        self.present.add((module, name, PARAM))

    def add_statistic(self, module: str, name: str, fields: dict[str, float], bins: bool) -> None:
        """A statistic from its fields; `bins`: it has histogram bins (a histogram row)."""
        count, *rest = summarize_fields(fields)
        stat = Stat(int(count), *rest)
        (self._histograms if bins else self._plain)[(module, name)] = stat
        self.present.add((module, name, HISTOGRAM if bins else STATISTIC))

    def add_samples(self, module: str, name: str, times: np.ndarray, values: np.ndarray) -> None:
        """Samples of a vector (times in seconds), appended to those it has."""
        key = (module, name)
        self._times.setdefault(key, []).append(np.asarray(times, dtype=np.float64))
        self._values.setdefault(key, []).append(np.asarray(values, dtype=np.float64))
        self.present.add((module, name, VECTOR))

    # --- reading ------------------------------------------------------------------------

    def scalar(self, module: str, name: str, default: float = math.nan) -> float:
        """A scalar's value, or `default`."""
        return self.scalars.get((module, name), default)

    def module_scalars(self, module: str) -> dict[str, float]:
        """Name -> value of one module's scalars, in the order recorded."""
        return {name: v for (m, name), v in self.scalars.items() if m == module}

    def statistics(self) -> Iterator[tuple[Key, Stat]]:
        """Every statistic and histogram: plain statistics first, then histograms."""
        yield from self._plain.items()
        yield from self._histograms.items()

    def stat(self, module: str, name: str) -> Stat | None:
        """A statistic's (or histogram's) summary, or None."""
        key = (module, name)
        return self._plain.get(key) or self._histograms.get(key)

    def vector(self, module: str, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A vector's times (s) and values (empty arrays when there is none)."""
        key = (module, name)
        times = self._times.get(key)
        if not times:
            return np.empty(0), np.empty(0)
        values = self._values[key]
        if len(times) == 1:
            return times[0], values[0]
        return np.concatenate(times), np.concatenate(values)

    def has_vector(self, module: str, name: str) -> bool:
        """Whether the run recorded samples of this vector."""
        return (module, name) in self._times

    def vector_names(self, module: str) -> list[str]:
        """Names of one module's vectors, in the order first recorded."""
        return [name for m, name in self._times if m == module]

    @property
    def has_vectors(self) -> bool:
        """Whether the run recorded any vector."""
        return bool(self._times)

    # --- sources ------------------------------------------------------------------------

    @classmethod
    def read(cls, paths: Iterable[str | os.PathLike[str]]) -> RunResults:
        """The results of the given result files (.sca, .vec), as `read_result_files` keeps them."""
        out = cls()
        for path in paths:
            out.add_file(parse_file(path))
        return out

    def add_file(self, parsed: ParsedFile) -> None:
        """Everything one parsed file holds."""
        for item in parsed.results:
            if item.kind == VECTOR:
                assert item.vector is not None
                if parsed.indexed and not item.vector.has_data():
                    continue  # opp_scavetool's index lists only vectors with data
                self.add_samples(item.module, item.name, *item.vector.arrays())
            elif item.kind == SCALAR:
                assert isinstance(item.value, float)
                self.add_scalar(item.module, item.name, item.value)
            elif item.kind == PARAM:
                self.add_parameter(item.module, item.name)
            else:
                self.add_statistic(item.module, item.name, item.fields, item.kind == HISTOGRAM)

    @classmethod
    def from_raw(cls, raw: pd.DataFrame) -> RunResults:
        """The results of a raw-layout frame (`read_result_files`), for callers that have one."""
        out = cls()
        rows: Any = raw[["type", "module", "name", "value", "count", "sumweights", "mean",
                         "stddev", "min", "max", "vectime", "vecvalue"]]  # fmt: skip
        for kind, module, name, value, count, *stat, times, values in rows.itertuples(
            index=False, name=None
        ):
            if kind == SCALAR:
                out.add_scalar(module, name, float(value))
            elif kind == PARAM:
                out.add_parameter(module, name)
            elif kind in (STATISTIC, HISTOGRAM):
                summary = Stat(int(count), *(float(x) for x in stat))
                (out._histograms if kind == HISTOGRAM else out._plain)[(module, name)] = summary
                out.present.add((module, name, kind))
            elif kind == VECTOR:
                out.add_samples(module, name, times, values)
        return out


def as_results(results: RunResults | pd.DataFrame) -> RunResults:
    """`results` itself, or the `RunResults` of a raw-layout frame."""
    return results if isinstance(results, RunResults) else RunResults.from_raw(results)
