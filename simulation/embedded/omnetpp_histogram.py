# SPDX-License-Identifier: MIT
"""The engine's ``cHistogram("histogram")``: what INET's histogram recorder writes to .sca.

`OmnetppHistogram` collects values as OMNeT++'s ``cHistogram`` with its default
strategy does (the bins: `simulation.embedded.histogram_strategy`, a clean-room
re-derivation with its provenance); `result` gives the cStdDev fields and the
bins, and `format_field_lines` / `format_bin_lines` the lines the .sca writer
prints for them (`fogcosim.resultfiles.scalars`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from fogcosim.resultfiles.scalars import bin_lines, field_lines
from fogcosim.resultfiles.statistics import mean_and_stddev
from fogcosim.resultfiles.text import PRECISION, format_number
from simulation.embedded.histogram_strategy import (
    DEFAULT_NUM_BINS,
    Bins,
    HistogramError,
    Precollection,
    setup_bins,
)

__all__ = [
    "DEFAULT_NUM_BINS",
    "HistogramError",
    "HistogramResult",
    "OmnetppHistogram",
    "format_bin_lines",
    "format_field_lines",
    "format_sca_number",
]

#: OMNeT++'s NaN (0.0/0.0) has the sign bit set; .sca shows "-nan" (copysign, not -math.nan:
#: mypyc folds the negation away)
_NAN = math.copysign(math.nan, -1.0)


@dataclass(frozen=True)
class HistogramResult:
    """What a ``statistic ... :histogram`` block holds: cStdDev fields and the bins."""

    count: int
    mean: float
    stddev: float
    min: float
    max: float
    sum: float
    sqrsum: float
    bin_edges: tuple[float, ...]
    bin_counts: tuple[int, ...]
    underflow: int
    overflow: int


class OmnetppHistogram:
    """Collects values as OMNeT++'s ``cHistogram("histogram")`` does (default strategy).

    `num_bins_hint` is the constructor's bin-count hint (-1: 60 bins). `result`
    sets the bins up on a copy, as the .sca writer's ``setUpBins()`` would, so
    collecting may go on afterwards.
    """

    def __init__(self, num_bins_hint: int = -1) -> None:
        if num_bins_hint != -1 and num_bins_hint < 1:
            raise HistogramError(
                f"num_bins_hint must be -1 (default, {DEFAULT_NUM_BINS} bins) or positive, "
                f"not {num_bins_hint}"
            )
        self._target = num_bins_hint if num_bins_hint > 0 else DEFAULT_NUM_BINS
        self._pre: Precollection | None = Precollection()
        self._bins: Bins | None = None
        self._count = 0
        self._sum = 0.0
        self._sqrsum = 0.0
        self._min = _NAN
        self._max = _NAN

    @property
    def count(self) -> int:
        """Number of values collected (NaNs are not)."""
        return self._count

    def collect(self, value: float) -> None:
        """Add one observation; NaN is skipped."""
        v = float(value)
        if v != v:
            return
        if self._count == 0:
            self._min = self._max = v
        elif v < self._min:
            self._min = v
        elif v > self._max:
            self._max = v
        self._count += 1
        self._sum += v
        self._sqrsum += v * v
        if self._bins is not None:
            self._bins.add(v)
        elif self._pre is not None and self._pre.add(v):
            self._bins = setup_bins(self._pre, self._target)
            self._pre = None

    def collect_all(self, values: Iterable[float]) -> None:
        """Add observations in order."""
        for v in values:
            self.collect(v)

    def result(self) -> HistogramResult:
        """Fields and bins as the .sca writer records them."""
        bins = self._bins
        if bins is None:
            assert self._pre is not None
            bins = setup_bins(self._pre, self._target)
        stats = _Summary(self._count, self._min, self._max, self._sum, self._sqrsum)
        mean, stddev = mean_and_stddev(stats)
        return HistogramResult(
            count=self._count,
            mean=mean,
            stddev=stddev,
            min=self._min,
            max=self._max,
            sum=self._sum,
            sqrsum=self._sqrsum,
            bin_edges=tuple(bins.edges),
            bin_counts=tuple(bins.counts),
            underflow=bins.underflow,
            overflow=bins.overflow,
        )


@dataclass(frozen=True)
class _Summary:
    count: int
    min: float
    max: float
    sum: float
    sqrsum: float


def format_sca_number(x: float, precision: int = PRECISION) -> str:
    """`x` as the .sca writer prints a number (C ``%.14g``; ``inf``, ``-nan``)."""
    return format_number(float(x), precision)


def format_field_lines(result: HistogramResult) -> list[str]:
    """The ``field`` lines of the result's statistic block."""
    return field_lines(result)


def format_bin_lines(result: HistogramResult) -> list[str]:
    """The ``bin`` lines (underflow first, overflow last; 16 digits if 14 merge edges)."""
    return bin_lines(result)
