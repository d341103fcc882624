# SPDX-License-Identifier: MIT
"""OMNeT++'s default histogram strategy, re-derived from documentation and observed behaviour.

The engine's delay histograms must hold the bins a real ``cHistogram("histogram")``
would (what INET's histogram recorder writes), so its .sca files equal INET's bin
for bin. This module is a clean-room implementation for fogcosim (MIT): no
OMNeT++ source file was read to write it. It rests on

* the OMNeT++ 6.1 user manual, "The Simulation Library", section "Collecting
  Summary Statistics and Histograms" (``doc/src/manual/ch-sim-lib.tex``), and its
  appendix "Result File Formats";
* the documentation comments and declared defaults of the public headers
  ``include/omnetpp/chistogram.h`` and ``chistogramstrategy.h`` (6.1.0): precollect
  1000 values, collate 10, range-unchanged threshold 50, range extension factor
  1.5, 60 bins, bin sizes {1, 2, 5} x 10^n, infinities kept as under/overflows
  without affecting the layout, extension only where there are no outliers,
  merging of groups of adjacent bins, "merge all bins into one";
* observed behaviour: ``tests/fixtures/histograms/{cases,inet}.json`` (sequences a
  real OMNeT++ 6.1 cHistogram was fed, with its exact bins), and differential
  runs of the released OMNeT++ 6.1 and 6.2 libraries as black boxes, through the
  probe module in ``tests/fixtures/histograms/probe/`` (its findings are pinned in
  ``probe.json``). 6,748 random sequences (up to 2,500 values, with infinities,
  NaN, signed zeros, jumps and bin-count hints; 4,499 on 6.1, 2,249 on 6.2) gave
  the same bins, outliers and fields bit for bit.

What the documents leave open and the observations settled:

1. Precollection. Infinities go straight to the outlier counts. A finite value is
   stored, except that a whole number equal to one of the first 10 stored values
   only adds to that value's weight. Precollection ends when more than 1000 values
   are stored or when the finite range has stayed the same for 50 values in a row.
2. Layout. Integer mode if every stored value is whole (not when all are zero).
   Range: min..max widened 1.5 times about its middle (v-0.5..v+0.5 for a single
   value, -0.5..0.5 for zeros), not below 0 when no value is negative. Bin size:
   range / target rounded to the nearest of 1, 2, 5, 10 x 10^n, the distances
   compared in doubles (ties to the smaller, except 5 against 10), the power of
   ten by repeated x10 or /10 from 1; at least 1 in integer mode, and 1 when the
   power of ten underflows. Edges first + k * size from floor(lo/size) * size to
   ceil(hi/size) * size, ceil(n * (1 - 1e-10)) bins for n sizes between them,
   edges that round onto their neighbour dropped (one bin [v, next double) if
   nothing is left).
3. Extension. A finite value outside the bins adds bins of the current size
   (edges counted from the old end) unless that side has outliers; then it is an
   outlier itself. If more than 1.5 x target bins would result, groups of
   g = ceil(bins / target) are merged after the extension, empty bins padded at
   the top to a multiple of g. If g would exceed the current bin count, all bins
   first become one: size round125(new span / target), doubled while smaller than
   the old span, aligned to multiples of it, or hanging from the old edge on a
   side that has outliers; its width is the new bin size. The declared limit of
   1000 bins is not applied.
4. NaN is skipped before it reaches the histogram (cHistogram rejects it; the
   result recorders drop it).

Where OMNeT++ itself cannot lay out bins (values whose span overflows a double)
it hangs or stops with an error; `HistogramError` says so instead. Spans within
the subnormal range (below about 1e-307) follow the rules above but were only
partly confirmed.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_NUM_BINS = 60  # chistogramstrategy.h: "a number with many divisors"
PRECOLLECT = 1000  # numToPrecollect
COLLATE = 10  # numToCollate
RANGE_UNCHANGED = 50  # rangeUnchangedThreshold
RANGE_EXTENSION = 1.5  # rangeExtensionFactor
MERGE_ABOVE = 1.5  # observed: merging starts above 1.5 x the target number of bins
BIN_COUNT_TOLERANCE = 1e-10  # observed: relative slack when counting bins between two edges


class HistogramError(ValueError):
    """A bin-count hint that is not positive, or values no bins can span in doubles.

    OMNeT++ fails on the latter too (its bin arithmetic overflows: it hangs or
    stops with an error); fogcosim says so instead.
    """


def _too_far(a: float, b: float, v: float) -> HistogramError:
    return HistogramError(
        f"histogram values {a!r}..{max(b, v)!r} are too far apart for any bin layout "
        "in double precision (OMNeT++'s cHistogram fails on them too)"
    )


def _powers_of_ten(x: float) -> tuple[float, float]:
    """The powers of ten at or below `x` (> 0) and the next one up (observed arithmetic).

    Both come from one chain of exact steps from 1: repeated x10 for x >= 1,
    repeated /10 below, so e.g. 1e-5 is 1/10/10/10/10/10 (bit-exact as OMNeT++).
    """
    p, above = 1.0, 10.0
    if x >= 1.0:
        while p * 10.0 <= x:
            p *= 10.0
        above = p * 10.0
    else:
        while p > x and p > 0.0:
            p, above = p / 10.0, p
    return p, above


def _round125(x: float) -> float:
    """`x` rounded to the nearest of 1, 2, 5 or 10 times a power of ten.

    Observed arithmetic: the distances to the candidates are compared in
    doubles; a tie goes to the smaller candidate, except between 5 and 10.
    """
    p, above = _powers_of_ten(x)
    if x - p <= 2.0 * p - x:
        return p
    if x - 2.0 * p <= 5.0 * p - x:
        return 2.0 * p
    if x - 5.0 * p < above - x:
        return 5.0 * p
    return above


def _floor(x: float) -> float:
    """C ``floor``: a zero result keeps the sign of `x` (floor(-0.0) is -0.0); inf stays."""
    if not math.isfinite(x):
        return x
    r = float(math.floor(x))
    return math.copysign(r, x) if r == 0.0 else r


def _ceil(x: float) -> float:
    """C ``ceil``: ceil(-0.3) is -0.0; inf stays."""
    if not math.isfinite(x):
        return x
    r = float(math.ceil(x))
    return math.copysign(r, x) if r == 0.0 else r


def _bins_between(first: float, last: float, size: float) -> int:
    """How many bins of `size` span first..last (observed tolerance for rounding)."""
    n = (last - first) / size
    return max(1, math.ceil(n * (1.0 - BIN_COUNT_TOLERANCE)))


@dataclass
class Precollection:
    """Values stored before the bins exist (see the module docstring, item 1)."""

    values: list[float] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)
    lo: float = math.nan  # finite min
    hi: float = math.nan  # finite max
    last_range: float = math.nan
    unchanged: int = 0
    underflow: int = 0  # -inf
    overflow: int = 0  # +inf

    def add(self, v: float) -> bool:
        """Store `v`; true when precollection is over."""
        if not math.isfinite(v):
            if v > 0:
                self.overflow += 1
            else:
                self.underflow += 1
            return False
        if self.lo != self.lo:
            self.lo = self.hi = v
        elif v < self.lo:
            self.lo = v
        elif v > self.hi:
            self.hi = v
        if v == math.floor(v) and v in self.values[:COLLATE]:
            self.weights[self.values.index(v)] += 1
        else:
            self.values.append(v)
            self.weights.append(1)
        span = self.hi - self.lo
        if span == self.last_range:
            self.unchanged += 1
        else:
            self.last_range, self.unchanged = span, 0
        return len(self.values) > PRECOLLECT or self.unchanged >= RANGE_UNCHANGED


@dataclass
class Bins:
    """Uniform bins with their outliers, extended and merged as the default strategy does."""

    edges: list[float]
    size: float
    target: int
    counts: list[int] = field(default_factory=list)
    underflow: int = 0
    overflow: int = 0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * (len(self.edges) - 1)

    def add(self, v: float, weight: int = 1) -> None:
        """Count `v`, extending the bins first if it is a finite value outside them."""
        if math.isfinite(v) and not self.edges[0] <= v < self.edges[-1]:
            self._cover(v)
        if v < self.edges[0]:
            self.underflow += weight
        elif v >= self.edges[-1]:
            self.overflow += weight
        else:
            self.counts[bisect.bisect_right(self.edges, v) - 1] += weight

    def _cover(self, v: float) -> None:
        below = v < self.edges[0]
        if self.underflow if below else self.overflow:
            return  # extension is only possible while that side has no outliers
        first, last, size = self.edges[0], self.edges[-1], self.size
        gap = (first - v) / size if below else (v - last) / size  # may be inf: then merge all
        extra = _ceil(gap) if below else _floor(gap) + 1.0
        needed = len(self.counts) + extra
        if needed > MERGE_ABOVE * self.target and _ceil(needed / self.target) > len(self.counts):
            self._merge_all(min(first, v), max(last, v), below)
        self._extend_to(v)
        if len(self.counts) > MERGE_ABOVE * self.target:
            group = math.ceil(len(self.counts) / self.target)
            self._append((-len(self.counts)) % group)
            self._merge(group)

    def _extend_to(self, v: float) -> None:
        """Add bins of the current size until `v` is inside.

        Edges are counted from the old end; one that rounds onto the previous one is
        dropped, as in `_create_bins`.
        """
        if v < self.edges[0]:
            first, new, k = self.edges[0], [self.edges[0]], 0
            while v < new[-1]:
                k += 1
                edge = first - k * self.size
                if edge < new[-1]:
                    new.append(edge)
            self.edges[:0] = new[:0:-1]
            self.counts[:0] = [0] * (len(new) - 1)
        else:
            self._append_while(lambda: v >= self.edges[-1])

    def _append(self, n: int) -> None:
        target = len(self.counts) + n
        self._append_while(lambda: len(self.counts) < target)

    def _append_while(self, more: Callable[[], bool]) -> None:
        last, k = self.edges[-1], 0
        while more():
            k += 1
            edge = last + k * self.size
            if edge > self.edges[-1]:
                self.edges.append(edge)
                self.counts.append(0)

    def _merge(self, group: int) -> None:
        self.edges = self.edges[::group]
        self.counts = [sum(self.counts[i : i + group]) for i in range(0, len(self.counts), group)]
        self.size *= group

    def _merge_all(self, lo: float, hi: float, below: bool) -> None:
        """All bins become one, at least as wide as they were (observed layout)."""
        if not math.isfinite(hi - lo):
            raise _too_far(lo, hi, hi)
        size = _round125((hi - lo) / self.target) or 1.0
        while size < self.edges[-1] - self.edges[0]:
            size *= 2.0
        if below and self.overflow:  # the top edge cannot move
            first, last = self.edges[-1] - size, self.edges[-1]
        elif not below and self.underflow:  # nor can the bottom one
            first, last = self.edges[0], self.edges[0] + size
        else:
            first = _floor(self.edges[0] / size) * size
            last = _ceil(self.edges[-1] / size) * size
        self.edges, self.counts = [first, last], [sum(self.counts)]
        self.size = last - first


def _create_bins(pre: Precollection, target: int) -> Bins:
    """Lay out the bins for the precollected values (module docstring, item 2)."""
    if pre.lo != pre.lo:  # nothing finite
        return Bins([0.0, 1.0], 1.0, target)
    lo, hi = pre.lo, pre.hi
    all_zero = lo == hi == 0.0
    integers = not all_zero and all(v == math.floor(v) for v in pre.values)
    if all_zero:
        lo, hi = -0.5, 0.5
    elif lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    else:
        middle, half = (lo + hi) / 2, (hi - lo) * (RANGE_EXTENSION / 2)
        lo, hi = middle - half, middle + half
        if not math.isfinite(hi - lo):
            raise _too_far(pre.lo, pre.hi, pre.hi)
    if not all_zero and pre.lo >= 0.0 and lo < 0.0:
        lo = 0.0
    if hi - lo == 0.0:  # a single huge value: v +- 0.5 is v itself
        return Bins([lo, math.nextafter(lo, math.inf)], math.nextafter(lo, math.inf) - lo, target)
    size = _round125((hi - lo) / target)
    if integers or size == 0.0:  # observed: 1 when the power of ten underflows (subnormal range)
        size = max(size, 1.0)
    first, last = _floor(lo / size) * size, _ceil(hi / size) * size
    n = _bins_between(first, last, size)
    edges = [first]
    for k in range(1, n + 1):  # observed: edges that round onto the previous one are dropped
        edge = first + k * size
        if edge > edges[-1]:
            edges.append(edge)
    if len(edges) == 1:
        edges.append(math.nextafter(first, math.inf))
    return Bins(edges, size, target)


def setup_bins(pre: Precollection, target: int) -> Bins:
    """New bins holding the precollected values (the precollection itself is left as is)."""
    bins = _create_bins(pre, target)
    for v, w in zip(pre.values, pre.weights, strict=True):
        bins.add(v, w)
    bins.underflow += pre.underflow
    bins.overflow += pre.overflow
    return bins
