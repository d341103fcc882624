# SPDX-License-Identifier: MIT
"""The ``.sca`` writer: scalars, module parameters, statistics and histogram bins.

`ScalarFileWriter` prints ``scalar``, ``par`` and ``statistic`` blocks (with
``field`` lines and, for histograms, tab-separated ``bin`` lines) as
OMNeT++ 6.1's `OmnetppScalarFileWriter` does. A statistic takes either the
values themselves or anything summary-like (see `statistics`). `field_lines`
and `bin_lines` are those lines on their own, for whoever needs to show or
compare them without a file.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fogcosim.resultfiles.statistics import (
    Histogram,
    HistogramLike,
    Summary,
    SummaryLike,
    mean_and_stddev,
)
from fogcosim.resultfiles.text import PRECISION, format_number, quote
from fogcosim.resultfiles.writerbase import _ResultFileWriter

_MAX_MEANINGFUL_PRECISION = 16  # OmnetppScalarFileWriter::recordHistogram


class ScalarFileWriter(_ResultFileWriter):
    """A ``.sca`` file for one run: scalars, statistics, histograms, parameters."""

    def __enter__(self) -> ScalarFileWriter:
        return self

    def scalar(
        self, module: str, name: str, value: float, attrs: Mapping[str, Any] | None = None
    ) -> None:
        """``scalar <module> <name> <value>`` and its attributes."""
        text = self._g(value)
        self._write(f"scalar {quote(module)} {quote(name)} {text}\n{self._attrs(attrs)}")
        if self.capture is not None:
            self.capture.add_scalar(module, name, float(text))

    def parameter(
        self, module: str, name: str, value: str, attrs: Mapping[str, Any] | None = None
    ) -> None:
        """``par <module> <name> <value>``: a module parameter's value as NED text."""
        self._write(f"par {quote(module)} {quote(name)} {quote(value)}\n{self._attrs(attrs)}")
        if self.capture is not None:
            self.capture.add_parameter(module, name)

    def statistic(
        self,
        module: str,
        name: str,
        values_or_summary: SummaryLike | Any,
        attrs: Mapping[str, Any] | None = None,
        histogram: HistogramLike | Sequence[float] | None = None,
    ) -> None:
        """A ``statistic`` block: fields, attributes and, with `histogram`, ``bin`` lines.

        `values_or_summary`: the collected values, or anything with count, min,
        max, sum and sqrsum (a `Summary`, or the embedded engine's histogram
        result). `histogram`: bins (`Histogram` or alike), or bin edges to count
        the values into. A histogram without bins is written as a plain
        statistic, as OMNeT++ does.
        """
        if _is_summary(values_or_summary):
            summary: SummaryLike = values_or_summary
        else:
            summary = Summary.of(values_or_summary)
        bins: HistogramLike | None
        if histogram is None or _is_histogram(histogram):
            bins = histogram  # type: ignore[assignment]
        elif _is_summary(values_or_summary):
            raise ValueError("bin edges need the values themselves, not a summary")
        else:
            bins = Histogram.of(values_or_summary, histogram)  # type: ignore[arg-type]
        text = [f"statistic {quote(module)} {quote(name)}"]
        text += field_lines(summary, self.precision)
        text.append(self._attrs(attrs).rstrip("\n"))
        has_bins = bins is not None and len(bins.bin_counts) > 0
        if has_bins:
            assert bins is not None
            text += bin_lines(bins, self.precision)
        self._write("".join(line + "\n" for line in text if line))
        if self.capture is not None:
            fields = written_fields(summary, self.precision)
            self.capture.add_statistic(module, name, fields, has_bins)


def field_lines(summary: SummaryLike, precision: int = PRECISION) -> list[str]:
    """The ``field`` lines of a statistic block (count, mean, stddev, min, max, sum, sqrsum)."""
    mean, stddev = mean_and_stddev(summary)
    values = (mean, stddev, summary.min, summary.max, summary.sum, summary.sqrsum)
    names = ("mean", "stddev", "min", "max", "sum", "sqrsum")
    return [f"field count {int(summary.count)}"] + [
        f"field {name} {format_number(float(v), precision)}"
        for name, v in zip(names, values, strict=True)
    ]


def written_fields(summary: SummaryLike, precision: int = PRECISION) -> dict[str, float]:
    """The fields a reader takes from `field_lines` (count, min, max, sum, sqrsum), as read."""
    values = {"min": summary.min, "max": summary.max, "sum": summary.sum, "sqrsum": summary.sqrsum}
    return {"count": float(int(summary.count))} | {
        name: float(format_number(float(v), precision)) for name, v in values.items()
    }


def bin_lines(bins: HistogramLike, precision: int = PRECISION) -> list[str]:
    """The ``bin`` lines: underflow, one per bin, overflow at the last edge.

    Edges are printed at `precision` unless two neighbours would then read
    the same; then all numbers get 16 significant digits, as OMNeT++ does.
    """
    edges = [float(e) for e in bins.bin_edges]
    if len(edges) != len(bins.bin_counts) + 1:
        raise ValueError("histogram needs len(bin_edges) == len(bin_counts) + 1")
    texts = [format_number(e, precision) for e in edges]
    enough = all(a != b for a, b in itertools.pairwise(texts))
    p = precision if enough else _MAX_MEANINGFUL_PRECISION
    lines = [f"bin\t-inf\t{format_number(float(bins.underflow), p)}"]
    lines += [
        f"bin\t{format_number(e, p)}\t{format_number(float(c), p)}"
        for e, c in zip(edges, bins.bin_counts, strict=False)
    ]
    lines.append(f"bin\t{format_number(edges[-1], p)}\t{format_number(float(bins.overflow), p)}")
    return lines


def _is_summary(obj: Any) -> bool:
    return all(
        hasattr(obj, a) for a in ("count", "min", "max", "sum", "sqrsum")
    ) and not isinstance(obj, np.ndarray)


def _is_histogram(obj: Any) -> bool:
    return all(hasattr(obj, a) for a in ("bin_edges", "bin_counts", "underflow", "overflow"))
