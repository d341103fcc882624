"""Bit-exact port of the OMNeT++ 6.1 ``histogram`` result recorder.

INET records every sink's ``endToEndDelay`` with ``record=histogram``: OMNeT++'s
``HistogramRecorder`` creates ``cHistogram("histogram")``, i.e. a ``cHistogram``
with a ``cDefaultHistogramStrategy`` (no bin-count hint), feeds it every non-NaN
value, and at finish ``OmnetppOutputScalarManager::recordStatistic`` calls
``setUpBins()`` if the strategy is still precollecting, then writes the
``cStdDev`` fields and the bins.  :class:`OmnetppHistogram` reproduces that
chain so the embedded engine writes the same ``.sca`` histogram as INET.

Sources ported (``/work/opp/omnetpp-6.1``): ``src/sim/chistogram.cc``,
``src/sim/chistogramstrategy.cc`` (``cPrecollectionBasedHistogramStrategy`` and
``cDefaultHistogramStrategy``), ``src/sim/cstddev.cc`` with
``src/common/statistics.cc`` (the fields the writer derives), and
``src/common/omnetppscalarfilewriter.cc`` (the ``bin`` lines).

Exactness: Python floats are IEEE doubles with correctly rounded ``+ - * /``
and ``sqrt``, and OMNeT++ is built with ``-ffp-contract=off`` (no FMA), so
doing the same operations in the same order (including C++'s ``int`` to
``double`` promotions and the loop-based ``roundToPowerOfTen``) yields
bit-identical bin edges.  The library is built with ``NDEBUG``, so its
``ASSERT``s are no-ops and are not ported; its ``cRuntimeError`` throws are
ported as :class:`HistogramError`.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DEFAULT_NUM_BINS",
    "HistogramError",
    "HistogramResult",
    "OmnetppHistogram",
    "format_bin_lines",
    "format_field_lines",
    "format_sca_number",
]

# cDefaultHistogramStrategy / cPrecollectionBasedHistogramStrategy defaults
# (include/omnetpp/chistogramstrategy.h).
DEFAULT_NUM_BINS = 60
_NUM_TO_PRECOLLECT = 1000
_NUM_TO_COLLATE = 10
_RANGE_UNCHANGED_THRESHOLD = 50
_RANGE_EXTENSION_FACTOR = 1.5
_INT_MAX = 2**31 - 1  # default maxNumBins of cHistogram::extendBinsTo()
_DENORM_MIN = 5e-324  # std::numeric_limits<double>::denorm_min()
# Literals copied from roundToPowerOfTen(); parsed with the same correct rounding.
_ROUND_BOUNDARY_UPPER = 3.162277660168379522787063251598738133907
_ROUND_BOUNDARY_LOWER = 0.3162277660168379522787063251598738133907
_DEFAULT_SCALAR_PRECISION = 14  # output-scalar-precision default (envirbase.cc)
# OMNeT++'s NaN is ``zero / zero`` (commonutil.cc), which on x86-64 is the default NaN
# with the sign bit set, so its .sca files say ``-nan`` (glibc prints the sign).
_NAN = -math.nan
_MAX_MEANINGFUL_PRECISION = 16  # OmnetppScalarFileWriter::recordHistogram


class HistogramError(RuntimeError):
    """Raised where OMNeT++ would throw ``cRuntimeError`` (the run would abort)."""


@dataclass(frozen=True)
class HistogramResult:
    """What the ``statistic ... :histogram`` block of a ``.sca`` file holds.

    ``bin_edges`` has ``len(bin_counts) + 1`` entries: the ``bin`` lines are
    ``-inf underflows``, then ``bin_edges[i] bin_counts[i]``, then
    ``bin_edges[-1] overflows``.  Underflow/overflow include collected -inf/+inf
    values, as ``cHistogram::getUnderflowSumWeights()`` does.  ``mean``,
    ``stddev``, ``min`` and ``max`` are a NaN with the sign bit set where OMNeT++
    writes ``-nan`` (no values; ``stddev`` of one value); format them with
    :func:`format_sca_number` (Python itself never prints ``-nan``).
    """

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


def _floor(x: float) -> float:
    """``std::floor``: a double, inf/NaN pass through, and a zero keeps x's sign.

    ``math.floor`` returns an int, which would turn ``floor(-0.0)`` into ``+0.0``;
    the sign shows in the ``.sca`` (``%g`` prints ``-0``).
    """
    if not math.isfinite(x):
        return x
    return float(math.floor(x)) or math.copysign(0.0, x)


def _ceil(x: float) -> float:
    """``std::ceil``: like :func:`_floor`; ``ceil(-0.5)`` is ``-0.0`` as in C."""
    if not math.isfinite(x):
        return x
    return float(math.ceil(x)) or math.copysign(0.0, x)


def _round_to_power_of_ten(x: float) -> float:
    """``roundToPowerOfTen()``, copied loop for loop.

    OMNeT++ loops instead of calling pow/log10 (for portability); the loop's
    rounding decides the bin size, so it must be the same loop.
    """
    if x == 0.0:
        return 0.0
    negative = False
    if x < 0.0:
        negative = True
        x = -x
    if math.isinf(x):
        # The C++ loop never terminates here (inf / 10 == inf).
        raise HistogramError("roundToPowerOfTen(inf): OMNeT++ would loop forever")
    result = 1.0
    if x > _ROUND_BOUNDARY_UPPER:
        while x > _ROUND_BOUNDARY_UPPER:
            x /= 10.0
            result *= 10.0
    else:
        while x <= _ROUND_BOUNDARY_LOWER:
            x *= 10.0
            result /= 10.0
    return -result if negative else result


def _round_to_one_two_five(x: float) -> float:
    """``roundToOneTwoFive()``: nearest of 1/2/5 x 10^k; ties keep the earlier factor."""
    roundeds = [_round_to_power_of_ten(x / f) * f for f in (1.0, 2.0, 5.0)]
    result = x
    min_error = math.inf
    for r in roundeds:
        error = abs(r - x)
        if error < min_error:
            min_error = error
            result = r
    return result


class OmnetppHistogram:
    """``cHistogram`` + ``cDefaultHistogramStrategy`` as fed by ``HistogramRecorder``.

    Call :meth:`collect` with each value in arrival order (seconds, e.g.
    ``d * 1e-12`` for a delay of ``d`` ps, which is how ``SimTime::dbl()``
    converts), then :meth:`result` for what would be recorded at finish.
    ``num_bins_hint`` mirrors the ``numBins`` @statistic attribute (-1: none).
    """

    def __init__(self, num_bins_hint: int = -1) -> None:
        # cStdDev (unweighted)
        self._count = 0
        self._sum = 0.0
        self._sqrsum = 0.0
        self._min = math.inf
        self._max = -math.inf
        # cHistogram
        self._edges: list[float] = []
        self._values: list[float] = []
        self._finite_underflow = 0.0
        self._finite_overflow = 0.0
        self._neg_inf = 0.0
        self._pos_inf = 0.0
        # cPrecollectionBasedHistogramStrategy
        self._in_precollection = True
        self._pre_values: list[float] = []
        self._pre_weights: list[float] = []
        self._last_range = math.nan
        self._range_unchanged_counter = 0
        self._finite_min = math.nan
        self._finite_max = math.nan
        # cDefaultHistogramStrategy
        self._num_bins_hint = num_bins_hint
        self._target_num_bins = DEFAULT_NUM_BINS
        self._bin_size = math.nan

    # ------------------------------------------------------------------ API

    def collect(self, value: float) -> None:
        """Add one observation (seconds).

        NaN is dropped, as ``StatisticsRecorder::collect`` does before the
        histogram sees it; +-inf is counted as overflow/underflow only.
        """
        value = float(value)
        if math.isnan(value):
            return
        # cStdDev::collect
        self._count += 1
        if self._min > value:
            self._min = value
        if self._max < value:
            self._max = value
        self._sum += value
        self._sqrsum += value * value
        # cHistogram::collect
        if math.isinf(value):
            if value < 0:
                self._neg_inf += 1
            else:
                self._pos_inf += 1
        else:
            self._strategy_collect(value, 1.0)

    def collect_all(self, values: Iterable[float]) -> None:
        """Collect every value of an iterable, in order."""
        for v in values:
            self.collect(v)

    @property
    def count(self) -> int:
        """Number of non-NaN values collected."""
        return self._count

    def result(self) -> HistogramResult:
        """The recorded view at finish; does not change this object.

        If precollection has not ended (fewer than 1001 precollected values and
        the range changed within the last 50), the writer calls ``setUpBins()``
        first, which lays out bins from the precollected values and bins them;
        that is done here on a copy.  With no values at all the bins are
        ``[0, 1)``.
        """
        h = self._copy()
        if not h._edges:  # !binsAlreadySetUp() -> setUpBins()
            h._set_up_bins()
        count = h._count
        sum_weights = float(count)
        mean = h._sum / sum_weights if count else _NAN  # 0.0/0.0 in C++
        return HistogramResult(
            count=count,
            mean=mean,
            stddev=math.sqrt(h._variance()),
            min=h._min if count else _NAN,
            max=h._max if count else _NAN,
            sum=h._sum,
            sqrsum=h._sqrsum,
            bin_edges=tuple(h._edges),
            bin_counts=tuple(int(v) for v in h._values),
            underflow=int(h._finite_underflow + h._neg_inf),
            overflow=int(h._finite_overflow + h._pos_inf),
        )

    # ------------------------------------------------------------ internals

    def _copy(self) -> OmnetppHistogram:
        h = OmnetppHistogram.__new__(OmnetppHistogram)
        h.__dict__.update(self.__dict__)
        h._edges = list(self._edges)
        h._values = list(self._values)
        h._pre_values = list(self._pre_values)
        h._pre_weights = list(self._pre_weights)
        return h

    def _variance(self) -> float:
        """``Statistics::getVariance()`` (unweighted, sumWeights == count)."""
        if self._count <= 1:
            return _NAN
        if self._min == self._max:
            return 0.0
        sum_weights = float(self._count)
        var = (self._sqrsum - self._sum * self._sum / sum_weights) / (sum_weights - 1)
        return 0.0 if var < 0 else var

    def _underflow_sum_weights(self) -> float:
        return self._finite_underflow + self._neg_inf

    def _overflow_sum_weights(self) -> float:
        return self._finite_overflow + self._pos_inf

    # --- cDefaultHistogramStrategy / cPrecollectionBasedHistogramStrategy

    def _strategy_collect(self, value: float, weight: float) -> None:
        """``cDefaultHistogramStrategy::collectWeighted()``."""
        if math.isfinite(value):
            if math.isnan(self._finite_min) or value < self._finite_min:
                self._finite_min = value
            if math.isnan(self._finite_max) or value > self._finite_max:
                self._finite_max = value
        if self._in_precollection:
            if self._precollect(value, weight):
                self._set_up_bins()
        else:
            self._extend_bins_to(value)  # autoExtend is always on
            self._collect_into_histogram(value, weight)

    def _precollect(self, value: float, weight: float) -> bool:
        """Store a value; return True once precollection is over.

        A whole number equal to one of the first 10 stored values only adds to
        that value's weight.  Over after 50 values without a range change, or
        once more than 1000 values are stored.
        """
        if value == _floor(value):
            search_limit = min(_NUM_TO_COLLATE, len(self._pre_values))
            for i in range(search_limit):
                if self._pre_values[i] == value:
                    self._pre_weights[i] += weight
                    break
            else:
                self._pre_values.append(value)
                self._pre_weights.append(weight)
        else:
            self._pre_values.append(value)
            self._pre_weights.append(weight)

        rng = self._finite_max - self._finite_min
        if self._last_range == rng:
            self._range_unchanged_counter += 1
        else:
            self._last_range = rng
            self._range_unchanged_counter = 0
        return (
            self._range_unchanged_counter >= _RANGE_UNCHANGED_THRESHOLD
            or len(self._pre_values) > _NUM_TO_PRECOLLECT
        )

    def _set_up_bins(self) -> None:
        """``cPrecollectionBasedHistogramStrategy::setUpBins()``."""
        self._create_bins()
        for v, w in zip(self._pre_values, self._pre_weights, strict=True):
            self._collect_into_histogram(v, w)
        self._pre_values = []
        self._pre_weights = []
        self._in_precollection = False

    def _create_bins(self) -> None:
        """``cDefaultHistogramStrategy::createBins()``.

        Range = 1.5x the observed range (not below 0 for non-negative data),
        bin size ~range/60 rounded to 1-2-5 (whole in integer mode), edges
        snapped to multiples of it.
        """
        self._target_num_bins = (
            DEFAULT_NUM_BINS if self._num_bins_hint == -1 else self._num_bins_hint
        )
        target = self._target_num_bins
        if not self._pre_values:
            self._bin_size = 1.0
            self._create_uniform_bins(0.0, 1.0, self._bin_size)
            return

        all_integers = True
        all_zeroes = True
        for v in self._pre_values:
            if all_integers and v != _floor(v):
                all_integers = False
            if all_zeroes and v != 0:
                all_zeroes = False
        integers_mode = all_integers and not all_zeroes

        min_value = self._finite_min
        max_value = self._finite_max
        c = (min_value + max_value) / 2
        r = (max_value - min_value) * _RANGE_EXTENSION_FACTOR
        if r == 0:
            r = 1.0
        range_min = c - r / 2
        range_max = c + r / 2
        if range_min < 0 and min_value >= 0 and max_value > 0:
            range_min = 0.0

        if range_max - range_min < _DENORM_MIN * target:
            self._bin_size = 1.0
        else:
            self._bin_size = (range_max - range_min) / target
            self._bin_size = _round_to_one_two_five(self._bin_size)
        if integers_mode:
            self._bin_size = _ceil(self._bin_size)

        bin_size = self._bin_size
        range_min = bin_size * _floor(range_min / bin_size)
        range_max = bin_size * _ceil(range_max / bin_size)
        if range_min == range_max:  # single value around 1e17
            range_max = math.nextafter(range_min, math.inf)
            self._bin_size = range_max - range_min
        self._create_uniform_bins(range_min, range_max, self._bin_size)

        self._extend_bins_to(self._finite_min)
        self._extend_bins_to(self._finite_max)

    def _extend_bins_to(self, value: float) -> None:
        """``cDefaultHistogramStrategy::extendBinsTo()`` (bin merging is always on).

        Adds bins up to the value; if it is far away, first merges everything
        into one wide bin; keeps at most 1.5x the target number of bins.
        """
        first_edge = self._edges[0]
        last_edge = self._edges[-1]
        is_underflow = value < first_edge
        is_overflow = value >= last_edge
        if not is_underflow and not is_overflow:
            return
        if is_underflow and self._underflow_sum_weights() > 0:
            return
        if is_overflow and self._overflow_sum_weights() > 0:
            return

        target = self._target_num_bins
        rng = last_edge - first_edge
        hi = last_edge if value < last_edge else value  # std::max(value, lastEdge)
        lo = first_edge if first_edge < value else value  # std::min(value, firstEdge)
        new_range = hi - lo
        new_approx_bin_size = new_range / target
        if new_approx_bin_size >= rng:
            self._merge_all_bins_into_one(new_approx_bin_size)
        self._hist_extend_bins_to(value, self._bin_size)
        if len(self._values) > (target * 3) // 2:
            self._reduce_num_bins_to(target)

    def _reduce_num_bins_to(self, num_bins_limit: int) -> None:
        """``reduceNumBinsTo()``: pad to a multiple of the group size, merge groups."""
        num_bins = len(self._values)
        group_size = (num_bins + num_bins_limit - 1) // num_bins_limit
        if num_bins % group_size != 0:
            num_bins_to_add = group_size - num_bins % group_size
            new_edges: list[float] = []
            last_edge = self._edges[num_bins]
            for i in range(num_bins_to_add):
                new_edge = last_edge + float(i + 1) * self._bin_size
                if new_edge > last_edge and (not new_edges or new_edge > new_edges[-1]):
                    new_edges.append(new_edge)
            self._append_bins(new_edges)
        self._merge_bins(group_size)
        self._bin_size *= float(group_size)

    def _merge_all_bins_into_one(self, new_approx_bin_size: float) -> None:
        """``cDefaultHistogramStrategy::mergeAllBinsIntoOne()``."""
        first_edge = self._edges[0]
        last_edge = self._edges[-1]
        rng = last_edge - first_edge

        new_bin_size = _round_to_one_two_five(new_approx_bin_size)
        if new_bin_size < rng:
            new_bin_size = new_bin_size * _ceil(rng / new_bin_size)

        new_first_edge = first_edge
        new_last_edge = last_edge
        if self._underflow_sum_weights() == 0 and self._overflow_sum_weights() == 0:
            new_first_edge = new_bin_size * _floor(new_first_edge / new_bin_size)
            new_last_edge = new_bin_size * _ceil(new_last_edge / new_bin_size)
            new_bin_size = new_last_edge - new_first_edge
        elif self._underflow_sum_weights() == 0:
            new_first_edge = new_last_edge - new_bin_size
        elif int(self._finite_overflow + self._pos_inf) == 0:  # getNumOverflows()
            new_last_edge = new_first_edge + new_bin_size

        self._merge_bins(len(self._values))
        if new_first_edge != first_edge:
            self._prepend_bins([new_first_edge])
        if new_last_edge != last_edge:
            self._append_bins([new_last_edge])
        self._merge_bins(len(self._values))
        self._bin_size = new_bin_size

    # --- cHistogram bin operations

    def _create_uniform_bins(self, lo: float, hi: float, step: float) -> None:
        """``cHistogram::createUniformBins()``."""
        if lo >= hi:
            raise HistogramError("createUniformBins(): Upper bound must be higher than lower bound")
        if step <= 0:
            raise HistogramError("createUniformBins(): Step size must be positive")
        num_bins = int(_ceil((hi - lo) * (1 - 1e-10) / step))
        edges: list[float] = []
        for i in range(num_bins + 1):
            edge = lo + float(i) * step
            if abs(edge) < step * 1e-10:
                edge = 0.0
            if not edges or edges[-1] != edge:
                edges.append(edge)
        # setBinEdges()
        if len(edges) < 2:
            raise HistogramError("setBinEdges(): At least two bin edges expected")
        for a, b in itertools.pairwise(edges):
            if a >= b:
                raise HistogramError("setBinEdges(): Bin edges must be strictly increasing")
        self._edges = edges
        self._values = [0.0] * (len(edges) - 1)

    def _prepend_bins(self, edges: list[float]) -> None:
        """``cHistogram::prependBins()``."""
        if self._finite_underflow != 0:
            raise HistogramError("prependBins(): observations already counted as underflows")
        for a, b in itertools.pairwise(edges):
            if a >= b:
                raise HistogramError("prependBins(): new edges must be strictly increasing")
        if edges and edges[-1] >= self._edges[0]:
            raise HistogramError("prependBins(): new edges overlap with existing histogram range")
        self._edges[:0] = edges
        self._values[:0] = [0.0] * len(edges)

    def _append_bins(self, edges: list[float]) -> None:
        """``cHistogram::appendBins()``."""
        if self._finite_overflow != 0:
            raise HistogramError("appendBins(): observations already counted as overflows")
        for a, b in itertools.pairwise(edges):
            if a >= b:
                raise HistogramError("appendBins(): new edges must be strictly increasing")
        if edges and self._edges[-1] >= edges[0]:
            raise HistogramError("appendBins(): new edges overlap with existing histogram range")
        self._edges.extend(edges)
        self._values.extend([0.0] * len(edges))

    def _hist_extend_bins_to(self, value: float, step: float, max_num_bins: int = _INT_MAX) -> None:
        """``cHistogram::extendBinsTo()``: add bins of ``step`` until ``value`` is inside.

        New edges are multiples of ``step`` from the original edge; one that
        rounds to the current edge is skipped.
        """
        if step <= 0:
            raise HistogramError("extendBinsTo(): step must be positive")
        if value < self._edges[0] and self._finite_underflow != 0:
            raise HistogramError("extendBinsTo(): cannot extend downwards past underflows")
        if value >= self._edges[-1] and self._finite_overflow != 0:
            raise HistogramError("extendBinsTo(): cannot extend upwards past overflows")

        edges = self._edges
        values = self._values
        original_left_edge = edges[0]
        if value < edges[0]:
            # Built reversed and prepended once: same edges as C++'s repeated insert-at-front.
            new_left: list[float] = []
            front = edges[0]
            i = 0
            while value < front and len(values) + len(new_left) < max_num_bins:
                new_edge = original_left_edge - step * float(i)
                if new_edge != front:
                    new_left.append(new_edge)
                    front = new_edge
                i += 1
            new_left.reverse()
            edges[:0] = new_left
            values[:0] = [0.0] * len(new_left)

        original_right_edge = edges[-1]
        i = 0
        while value >= edges[-1] and len(values) < max_num_bins:
            new_edge = original_right_edge + step * float(i)
            if new_edge != edges[-1]:
                edges.append(new_edge)
                values.append(0.0)
            i += 1

    def _merge_bins(self, group_size: int) -> None:
        """``cHistogram::mergeBins()``: sum runs of ``group_size`` bins (last may be short)."""
        if group_size <= 0:
            raise HistogramError("mergeBins(): groupSize must be positive")
        if group_size == 1:
            return
        num_bins = len(self._values)
        new_num_bins = (num_bins + group_size - 1) // group_size
        for i in range(new_num_bins):
            count = min(group_size, num_bins - group_size * i)
            bin_value = 0.0
            for j in range(count):
                bin_value += self._values[group_size * i + j]
            self._values[i] = bin_value
            self._edges[i] = self._edges[group_size * i]
        self._edges[new_num_bins] = self._edges[-1]
        del self._values[new_num_bins:]
        del self._edges[new_num_bins + 1 :]

    def _collect_into_histogram(self, value: float, weight: float) -> None:
        """``cHistogram::collectIntoHistogram()``: bins are ``[lo, hi)``."""
        index = bisect.bisect_right(self._edges, value) - 1
        if index == -1:
            self._finite_underflow += weight
        elif index == len(self._values):
            self._finite_overflow += weight
        else:
            self._values[index] += weight


def format_sca_number(x: float, precision: int = _DEFAULT_SCALAR_PRECISION) -> str:
    """A double as OMNeT++ writes it to a .sca: C ``printf("%.*g")`` with glibc.

    Python's ``g`` format matches it except that it never prints a NaN's sign;
    glibc writes ``-nan`` for OMNeT++'s NaN (see :class:`HistogramResult`).
    """
    if math.isnan(x):
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    return f"{x:.{precision}g}"


def format_field_lines(
    result: HistogramResult, precision: int = _DEFAULT_SCALAR_PRECISION
) -> list[str]:
    """The ``field`` lines of ``OmnetppScalarFileWriter::writeStatisticFields``."""
    lines = [f"field count {result.count}"]
    for name in ("mean", "stddev", "min", "max", "sum", "sqrsum"):
        lines.append(f"field {name} {format_sca_number(getattr(result, name), precision)}")
    return lines


def format_bin_lines(
    result: HistogramResult, precision: int = _DEFAULT_SCALAR_PRECISION
) -> list[str]:
    """The ``bin`` lines ``OmnetppScalarFileWriter::recordHistogram`` writes.

    Edges use ``%.{precision}g`` (``output-scalar-precision``, default 14)
    unless that would print two adjacent edges the same, then ``%.16g``.
    """
    edges = result.bin_edges
    texts = [f"{e:.{precision}g}" for e in edges]
    enough = all(a != b for a, b in itertools.pairwise(texts))
    prec = precision if enough else _MAX_MEANINGFUL_PRECISION

    def g(x: float) -> str:
        return format_sca_number(x, prec)

    lines = [f"bin\t{g(-math.inf)}\t{g(float(result.underflow))}"]
    lines += [f"bin\t{g(e)}\t{g(float(c))}" for e, c in zip(edges, result.bin_counts, strict=False)]
    lines.append(f"bin\t{g(edges[-1])}\t{g(float(result.overflow))}")
    return lines
