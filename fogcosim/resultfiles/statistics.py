# SPDX-License-Identifier: MIT
"""What a ``statistic`` block summarises: cStdDev summaries and cHistogram bins.

`Summary` and `Histogram` collect values as OMNeT++'s `cStdDev` and
`cHistogram` do; `SummaryLike` and `HistogramLike` are the protocols the
scalar writer accepts, so the embedded engine's own histogram result can be
passed as is. `mean_and_stddev` derives the printed fields as OMNeT++'s
`Statistics` does, and `_sequential_sums` adds left to right as it does; the
vector index sums its blocks with the same function.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

_OMNETPP_NAN = -math.nan  # OMNeT++'s NaN constant is 0.0/0.0: the sign bit is set on x86-64


class SummaryLike(Protocol):
    """What a statistic needs: cStdDev's count, min, max, sum and sum of squares."""

    @property
    def count(self) -> int: ...  # noqa: D102
    @property
    def min(self) -> float: ...  # noqa: D102
    @property
    def max(self) -> float: ...  # noqa: D102
    @property
    def sum(self) -> float: ...  # noqa: D102
    @property
    def sqrsum(self) -> float: ...  # noqa: D102


class HistogramLike(Protocol):
    """Bins: ``len(bin_edges) == len(bin_counts) + 1``; under/overflow outside the edges."""

    @property
    def bin_edges(self) -> Sequence[float]: ...  # noqa: D102
    @property
    def bin_counts(self) -> Sequence[float]: ...  # noqa: D102
    @property
    def underflow(self) -> float: ...  # noqa: D102
    @property
    def overflow(self) -> float: ...  # noqa: D102


@dataclass(frozen=True)
class Summary:
    """An unweighted cStdDev: count, min, max, sum, sqrsum (mean and stddev derive from them)."""

    count: int
    min: float
    max: float
    sum: float
    sqrsum: float

    @classmethod
    def of(cls, values: Any) -> Summary:
        """Collect `values` as cStdDev::collect does: sums in order, NaN rejected."""
        v = np.asarray(values, dtype=np.float64).ravel()
        if np.isnan(v).any():
            raise ValueError("statistic values must not be NaN (cStdDev::collect rejects them)")
        if not len(v):
            return cls(0, _OMNETPP_NAN, _OMNETPP_NAN, 0.0, 0.0)
        # np.cumsum adds left to right, like cStdDev (np.sum would add pairwise)
        total, squares = _sequential_sums(v)
        return cls(len(v), float(v.min()), float(v.max()), total, squares)


def mean_and_stddev(s: SummaryLike) -> tuple[float, float]:
    """`Statistics::getMean()` and `getStddev()` for an unweighted summary."""
    n = float(s.count)
    with np.errstate(all="ignore"):
        mean = float(np.float64(s.sum) / n)  # 0/0 gives the sign-bit NaN, as in C on x86-64
        if s.count <= 1:
            variance = _OMNETPP_NAN
        elif s.min == s.max:
            variance = 0.0
        else:
            variance = float((np.float64(s.sqrsum) - np.float64(s.sum) * s.sum / n) / (n - 1))
            variance = 0.0 if variance < 0 else variance
    return mean, variance if variance != variance else math.sqrt(variance)


@dataclass(frozen=True)
class Histogram:
    """Histogram bins (attribute names as the engine's `omnetpp_histogram.HistogramResult`)."""

    bin_edges: Sequence[float]
    bin_counts: Sequence[float]
    underflow: float = 0.0
    overflow: float = 0.0

    @classmethod
    def of(cls, values: Any, bin_edges: Sequence[float]) -> Histogram:
        """Count `values` into ``[edge_i, edge_i+1)`` bins, as cHistogram::collect does."""
        edges = np.asarray(bin_edges, dtype=np.float64)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("histogram bin edges must be at least 2 increasing numbers")
        v = np.asarray(values, dtype=np.float64).ravel()
        index = np.searchsorted(edges, v, side="right") - 1
        inside = (index >= 0) & (index < len(edges) - 1)
        counts = np.bincount(index[inside], minlength=len(edges) - 1)
        return cls(
            tuple(edges.tolist()),
            tuple(counts.tolist()),
            float(np.count_nonzero(v < edges[0])),
            float(np.count_nonzero(v >= edges[-1])),
        )


def _sequential_sums(
    values: np.ndarray, start: tuple[float, float] = (0.0, 0.0)
) -> tuple[float, float]:
    """Sum and sum of squares added left to right (as `Statistics::collect`), from `start`."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf and nan, as in C
        total = np.cumsum(np.concatenate(([start[0]], values)))[-1]
        squares = np.cumsum(np.concatenate(([start[1]], values * values)))[-1]
    return float(total), float(squares)
