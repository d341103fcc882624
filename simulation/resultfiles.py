r"""Write OMNeT++ 6.1 result files (.sca, .vec + .vci; format version 3) from Python.

The embedded engine writes its results with these classes so that `analysis`
and OMNeT++'s own `opp_scavetool` read them exactly like files from a real
OMNeT++ run. The text is what OMNeT++ 6.1's writers print
(`src/common/omnetppscalarfilewriter.cc`, `omnetppvectorfilewriter.cc`,
`src/scave/indexfilewriter.cc`)::

    header = RunHeader.omnetpp(configname="General", network="Net", itervars={"N": "4"})
    with ScalarFileWriter(f"results/{header.file_stem}.sca", *header) as sca:
        sca.scalar("Net.host[0].app[0]", "packetSent:count", 42, {"unit": "pk"})
        sca.statistic("Net.sink", "delay:stats", delays)                 # cStdDev fields
        sca.statistic("Net.sink", "delay:histogram", delays, histogram=edges_or_histogram)
    with VectorFileWriter(f"results/{header.file_stem}.vec", *header) as vec:
        vec.vector("Net.sink", "delay:vector", times_ps, delays, time_unit="ps",
                   event_numbers=events, attrs={"unit": "s"})

Guarantees:

- Structure: ``version 3``; ``run``; the run's ``attr`` lines (sorted by name,
  as OMNeT++'s std::map), ``itervar`` lines (sorted), ``config`` lines (in the
  order given: it is significant), a blank line; results; a closing blank line.
  Result attributes are sorted by name. Statistic fields are ``count mean
  stddev min max sum sqrsum``; mean and stddev derive from count/sum/sqrsum as
  OMNeT++'s `Statistics` does (stddev NaN for count < 2, 0 when min == max).
  Histogram ``bin`` lines are tab-separated: ``-inf underflow``, each lower
  edge and count, then the last edge with the overflow count; edges use 16
  digits where 14 would print two alike. Vectors: ``vector <id> <module>
  <name> ETV`` (``TV`` without event numbers) and tab-separated data lines,
  in blocks of up to `VectorFileWriter.block_samples` samples per vector.
- Quoting: a string is written bare unless it is empty or holds whitespace,
  ``"``, ``\`` or control characters; then it is double-quoted with C escapes
  (``opp_quotestr``). Numbers are C ``%.14g`` (``inf``, ``-inf``; NaN as
  ``-nan`` where OMNeT++'s NaN constant would print so, else ``nan``).
- Times: seconds (float, rounded to the picosecond) or, with
  ``time_unit="ps"``, integer picoseconds (exact), written as OMNeT++ prints
  simulation time (``1.5``, ``0.000000000001``; no exponent).
- The ``.vci`` index is written beside the ``.vec`` as `opp_scavetool index`
  writes it (only vectors with data, adjacent blocks of a vector merged, the
  last block running to the end of the file; the fingerprint matches the
  .vec), so readers need not re-index. One deliberate difference: where
  declaration lines sit between two blocks of a vector, the indexer makes one
  block spanning them, which OMNeT++ 6.1's own reader then rejects ("Missing
  or unexpected vector id"); here they stay two blocks, as the runtime writer
  records them.
- Atomic: each file is written to a temporary sibling and renamed into place
  on `close()` (or at the end of a ``with`` block); an exception inside the
  block, or `abort()`, leaves no file behind.
- One run per file (OMNeT++ can append runs to a .sca; this writer does not).
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime as Datetime
from pathlib import Path
from typing import IO, Any, Literal, Protocol

import numpy as np

from fogcosim import atomic

PRECISION = 14  # output-scalar-precision / output-vector-precision defaults
_MAX_MEANINGFUL_PRECISION = 16  # OmnetppScalarFileWriter::recordHistogram
_TICKS_PER_SECOND = 10**12  # OMNeT++'s default simtime resolution (ps)
_OMNETPP_NAN = -math.nan  # OMNeT++'s NaN constant is 0.0/0.0: the sign bit is set on x86-64
_NEEDS_QUOTES = re.compile(r'[ "\\\x00-\x1f\x7f]|^$')  # C isspace/iscntrl: ASCII only
_ESCAPES = {
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    '"': '\\"',
    "\\": "\\\\",
}


def quote(text: str) -> str:
    """`text` as OMNeT++ writes a token: bare if it can be, else quoted (`opp_quotestr`)."""
    if "\x00" in text:
        raise ValueError(f"result file strings cannot hold NUL characters: {text!r}")
    if not _NEEDS_QUOTES.search(text):
        return text
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch < " " or ch == "\x7f":
            out.append(f"\\x{ord(ch):02X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def format_number(x: float, precision: int = PRECISION) -> str:
    """C ``printf("%.*g")`` of `x` (glibc spelling: ``inf``, ``-inf``, ``nan``, ``-nan``)."""
    if x != x:
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    return f"{x:.{precision}g}"


def format_ticks(ticks: int) -> str:
    """Simulation time `ticks` (picoseconds) as OMNeT++ prints it (``opp_ttoa``)."""
    if ticks == 0:
        return "0"
    sign, magnitude = ("-", -ticks) if ticks < 0 else ("", ticks)
    whole, fraction = divmod(magnitude, _TICKS_PER_SECOND)
    if not fraction:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:012d}".rstrip("0")


# --- run header ---------------------------------------------------------------------------


class RunHeader(tuple[str, dict[str, str], dict[str, str], list[tuple[str, str]]]):
    """``(run_id, attrs, itervars, config)``: unpacks into the writers' first arguments."""

    __slots__ = ()

    def __new__(
        cls,
        run_id: str,
        attrs: Mapping[str, str],
        itervars: Mapping[str, str] | None = None,
        config: Sequence[tuple[str, str]] = (),
    ) -> RunHeader:
        """Copy the mappings (a header is a value)."""
        return super().__new__(cls, (run_id, dict(attrs), dict(itervars or {}), list(config)))

    @property
    def run_id(self) -> str:
        """The run id (``run`` line)."""
        return self[0]

    @property
    def attrs(self) -> dict[str, str]:
        """Run attributes (``attr`` lines)."""
        return self[1]

    @property
    def itervars(self) -> dict[str, str]:
        """Iteration variables (``itervar`` lines)."""
        return self[2]

    @property
    def config(self) -> list[tuple[str, str]]:
        """Configuration entries (``config`` lines), in order."""
        return self[3]

    @property
    def file_stem(self) -> str:
        """``${configname}-${iterationvarsf}#${repetition}``: OMNeT++'s default result file name."""
        a = self.attrs
        return f"{a['configname']}-{a['iterationvarsf']}#{a['repetition']}"

    @classmethod
    def omnetpp(
        cls,
        *,
        configname: str,
        network: str,
        runnumber: int = 0,
        itervars: Mapping[str, str] | None = None,
        repetition: int = 0,
        seedset: int | None = None,
        inifile: str = "omnetpp.ini",
        resultdir: str = "results",
        experiment: str | None = None,
        measurement: str | None = None,
        replication: str | None = None,
        datetime: Datetime | None = None,
        processid: int | None = None,
        config: Sequence[tuple[str, str]] = (),
    ) -> RunHeader:
        """The 16 run attributes OMNeT++ 6.1 records, computed as its configuration does.

        `itervars` in their ini order (it orders ``iterationvars``); defaults are
        OMNeT++'s: experiment = configname, measurement = iterationvars,
        replication = ``#<repetition>``, seedset = runnumber, now, this process.
        """
        variables = dict(itervars or {})
        segments = [
            (f"{k}=" if k[:1].isalpha() else "") + _filename_encode(_unquote(v))
            for k, v in variables.items()
        ]
        iterationvars = ", ".join(f"${k}={v}" for k, v in variables.items())
        stamp = (datetime or Datetime.now()).strftime("%Y%m%d-%H:%M:%S")
        pid = os.getpid() if processid is None else processid
        attrs = {
            "configname": configname,
            "datetime": stamp,
            "datetimef": stamp.replace(":", ""),
            "experiment": configname if experiment is None else experiment,
            "inifile": inifile,
            "iterationvars": iterationvars,
            "iterationvarsd": "/".join(segments),
            "iterationvarsf": ",".join(segments) + ("-" if segments else ""),
            "measurement": iterationvars if measurement is None else measurement,
            "network": network,
            "processid": str(pid),
            "repetition": str(repetition),
            "replication": f"#{repetition}" if replication is None else replication,
            "resultdir": resultdir,
            "runnumber": str(runnumber),
            "seedset": str(runnumber if seedset is None else seedset),
        }
        return cls(f"{configname}-{runnumber}-{stamp}-{pid}", attrs, variables, config)


def _unquote(value: str) -> str:
    match = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', value, re.DOTALL)
    if not match:
        return value
    back = {v: k for k, v in _ESCAPES.items()}
    return re.sub(r"\\.", lambda m: back.get(m.group(), m.group()[1]), match.group(1))


def _filename_encode(text: str) -> str:
    """`opp_filenameencode`, byte for byte (C chars are signed: bytes >= 128 print as ffffffXX)."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch == " ":
            out.append("_")
        elif ch == "_":
            out.append("#_")
        elif ch == "#":
            out.append("##")
        elif byte >= 128:
            out.append(f"#{byte | 0xFFFFFF00:x}")
        elif byte < 32 or byte == 127 or ch in "/\\:?*<>|'`\"$%{}^&":
            out.append(f"#{byte:>2x}")
        else:
            out.append(ch)
    return "".join(out)


# --- statistics and histograms --------------------------------------------------------------


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
    """Histogram bins (same attribute names as `simulation.embedded.histogram.HistogramResult`)."""

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


# --- writers -------------------------------------------------------------------------------


class _ResultFileWriter:
    """Common part: atomic output, the run header, attributes, closing."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        run_id: str,
        attrs: Mapping[str, str],
        itervars: Mapping[str, str] | None = None,
        config: Sequence[tuple[str, str]] = (),
        *,
        precision: int = PRECISION,
    ) -> None:
        self.path = os.fspath(path)
        self.run_id = run_id
        self.run_attrs = {str(k): str(v) for k, v in attrs.items()}
        self.itervars = {str(k): str(v) for k, v in (itervars or {}).items()}
        self.config = [(str(k), str(v)) for k, v in config]
        self.precision = precision
        header = f"version 3\n{self.header_text()}"  # before opening: may raise (a NUL)
        self._context = atomic.atomic_open(self.path, "wb")
        self._fh: IO[bytes] = self._context.__enter__()
        self.closed = False
        self._write(header)

    def header_text(self) -> str:
        """The run header block (``run``, ``attr``, ``itervar``, ``config``, blank line)."""
        lines = [f"run {quote(self.run_id)}"]
        lines += [f"attr {quote(k)} {quote(v)}" for k, v in sorted(self.run_attrs.items())]
        lines += [f"itervar {quote(k)} {quote(v)}" for k, v in sorted(self.itervars.items())]
        lines += [f"config {quote(k)} {quote(v)}" for k, v in self.config]
        return "\n".join(lines) + "\n\n"

    def _write(self, text: str) -> None:
        if self.closed:
            raise ValueError(f"{self.path}: writer is closed")
        self._fh.write(text.encode("utf-8"))

    def _attrs(self, attrs: Mapping[str, Any] | None) -> str:
        items = sorted((str(k), str(v)) for k, v in (attrs or {}).items())
        return "".join(f"attr {quote(k)} {quote(v)}\n" for k, v in items)

    def _g(self, x: float) -> str:
        return format_number(float(x), self.precision)

    def close(self) -> None:
        """Finish the run and move the file into place."""
        if self.closed:
            return
        self._finish()
        self._write("\n")
        self.closed = True
        self._context.__exit__(None, None, None)

    def _finish(self) -> None:
        """Subclass hook: write what is still buffered."""

    def abort(self) -> None:
        """Drop the file: nothing appears at `path`."""
        if self.closed:
            return
        self.closed = True
        error = _AbortedError(self.path)
        self._context.__exit__(_AbortedError, error, None)

    def __enter__(self) -> _ResultFileWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class _AbortedError(Exception):
    """Thrown into the atomic writer to make it discard the temporary file."""


class ScalarFileWriter(_ResultFileWriter):
    """A ``.sca`` file for one run: scalars, statistics, histograms, parameters."""

    def __enter__(self) -> ScalarFileWriter:
        return self

    def scalar(
        self, module: str, name: str, value: float, attrs: Mapping[str, Any] | None = None
    ) -> None:
        """``scalar <module> <name> <value>`` and its attributes."""
        self._write(f"scalar {quote(module)} {quote(name)} {self._g(value)}\n{self._attrs(attrs)}")

    def parameter(
        self, module: str, name: str, value: str, attrs: Mapping[str, Any] | None = None
    ) -> None:
        """``par <module> <name> <value>``: a module parameter's value as NED text."""
        self._write(f"par {quote(module)} {quote(name)} {quote(value)}\n{self._attrs(attrs)}")

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
        mean, stddev = mean_and_stddev(summary)
        g = self._g
        text = [
            f"statistic {quote(module)} {quote(name)}\n",
            f"field count {int(summary.count)}\n",
            f"field mean {g(mean)}\nfield stddev {g(stddev)}\n",
            f"field min {g(summary.min)}\nfield max {g(summary.max)}\n",
            f"field sum {g(summary.sum)}\nfield sqrsum {g(summary.sqrsum)}\n",
            self._attrs(attrs),
        ]
        if bins is not None and len(bins.bin_counts) > 0:
            text += self._bin_lines(bins)
        self._write("".join(text))

    def _bin_lines(self, bins: HistogramLike) -> list[str]:
        edges = [float(e) for e in bins.bin_edges]
        if len(edges) != len(bins.bin_counts) + 1:
            raise ValueError("histogram needs len(bin_edges) == len(bin_counts) + 1")
        texts = [format_number(e, self.precision) for e in edges]
        enough = all(a != b for a, b in itertools.pairwise(texts))
        p = self.precision if enough else _MAX_MEANINGFUL_PRECISION
        lines = [f"bin\t-inf\t{format_number(float(bins.underflow), p)}\n"]
        lines += [
            f"bin\t{format_number(e, p)}\t{format_number(float(c), p)}\n"
            for e, c in zip(edges, bins.bin_counts, strict=False)
        ]
        lines.append(
            f"bin\t{format_number(edges[-1], p)}\t{format_number(float(bins.overflow), p)}\n"
        )
        return lines


def _is_summary(obj: Any) -> bool:
    return all(
        hasattr(obj, a) for a in ("count", "min", "max", "sum", "sqrsum")
    ) and not isinstance(obj, np.ndarray)


def _is_histogram(obj: Any) -> bool:
    return all(hasattr(obj, a) for a in ("bin_edges", "bin_counts", "underflow", "overflow"))


@dataclass(eq=False)
class _Vector:
    vector_id: int
    module: str
    name: str
    attrs: dict[str, str]
    event_numbers: bool
    ticks: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    events: list[np.ndarray] = field(default_factory=list)
    buffered: int = 0
    last_tick: int | None = None
    last_event: int | None = None


@dataclass(eq=False)
class _Block:
    """A run of consecutive data lines of one vector, as the .vci lists it."""

    vector: _Vector
    offset: int
    size: int
    events: tuple[int, int]
    times: tuple[str, str]
    count: int
    min: float
    max: float
    sum: float
    sqrsum: float


class VectorFileWriter(_ResultFileWriter):
    """A ``.vec`` file (and its ``.vci`` index) for one run."""

    #: Samples a vector buffers before writing a block (OMNeT++'s default 1 MiB vector-buffer).
    block_samples = 32768

    def __init__(
        self,
        path: str | os.PathLike[str],
        run_id: str,
        attrs: Mapping[str, str],
        itervars: Mapping[str, str] | None = None,
        config: Sequence[tuple[str, str]] = (),
        *,
        precision: int = PRECISION,
        write_index: bool = True,
    ) -> None:
        super().__init__(path, run_id, attrs, itervars, config, precision=precision)
        self.write_index = write_index
        self._vectors: list[_Vector] = []
        self._blocks: list[_Block] = []  # in file order
        self._offset = len(f"version 3\n{self.header_text()}".encode())

    def __enter__(self) -> VectorFileWriter:
        return self

    def declare(
        self,
        module: str,
        name: str,
        attrs: Mapping[str, Any] | None = None,
        *,
        event_numbers: bool = True,
    ) -> int:
        """Write ``vector <id> <module> <name> ETV|TV`` and its attributes; return the id."""
        vector = _Vector(len(self._vectors), module, name, {}, event_numbers)
        vector.attrs = {str(k): str(v) for k, v in (attrs or {}).items()}
        self._vectors.append(vector)
        columns = "ETV" if event_numbers else "TV"
        self._put(
            f"vector {vector.vector_id} {quote(module)} {quote(name)} {columns}\n"
            + self._attrs(vector.attrs)
        )
        return vector.vector_id

    def record(
        self,
        vector_id: int,
        times: Any,
        values: Any,
        *,
        event_numbers: Any = None,
        time_unit: Literal["s", "ps"] = "s",
    ) -> None:
        """Append samples to a declared vector (times and event numbers must not decrease)."""
        vector = self._vectors[vector_id]
        ticks = _to_ticks(times, time_unit)
        vals = np.asarray(values, dtype=np.float64).ravel()
        if len(vals) != len(ticks):
            raise ValueError(f"{len(ticks)} times but {len(vals)} values")
        if (event_numbers is None) == vector.event_numbers:
            need = "needs" if vector.event_numbers else "was declared without"
            raise ValueError(f"vector {vector.module} {vector.name} {need} event numbers")
        events = np.zeros(0, np.int64)
        if vector.event_numbers:
            events = np.asarray(event_numbers, dtype=np.int64).ravel()
            if len(events) != len(ticks):
                raise ValueError(f"{len(ticks)} times but {len(events)} event numbers")
            vector.last_event = _check_order(events, vector.last_event, "event numbers")
        vector.last_tick = _check_order(ticks, vector.last_tick, "times")
        vector.ticks.append(ticks)
        vector.values.append(vals)
        vector.events.append(events)
        vector.buffered += len(ticks)
        while vector.buffered >= self.block_samples:
            self._write_block(vector, self.block_samples)

    def vector(
        self,
        module: str,
        name: str,
        times: Any,
        values: Any,
        attrs: Mapping[str, Any] | None = None,
        *,
        event_numbers: Any = None,
        time_unit: Literal["s", "ps"] = "s",
    ) -> int:
        """Declare a vector and record all its samples (``ETV`` when event numbers are given)."""
        vector_id = self.declare(module, name, attrs, event_numbers=event_numbers is not None)
        self.record(vector_id, times, values, event_numbers=event_numbers, time_unit=time_unit)
        return vector_id

    def _put(self, text: str) -> None:
        data = text.encode("utf-8")
        self._write(text)
        self._offset += len(data)

    def _write_block(self, vector: _Vector, limit: int) -> None:
        ticks = np.concatenate(vector.ticks)
        values = np.concatenate(vector.values)
        events = np.concatenate(vector.events)
        n = min(limit, len(ticks))
        vector.ticks, vector.values = [ticks[n:]], [values[n:]]
        vector.events = [events[n:]]
        vector.buffered = len(ticks) - n
        ticks, values, events = ticks[:n], values[:n], events[:n]
        times = [format_ticks(t) for t in ticks.tolist()]
        texts = [format_number(v, self.precision) for v in values.tolist()]
        vid = vector.vector_id
        if vector.event_numbers:
            lines = [
                f"{vid}\t{e}\t{t}\t{v}\n"
                for e, t, v in zip(events.tolist(), times, texts, strict=True)
            ]
        else:
            lines = [f"{vid}\t{t}\t{v}\n" for t, v in zip(times, texts, strict=True)]
        offset = self._offset
        self._put("".join(lines))
        span = (int(events[0]), int(events[-1])) if vector.event_numbers else (0, 0)
        block = _Block(
            vector, offset, self._offset - offset, span, (times[0], times[-1]), n,
            float(values.min()), float(values.max()), *_sequential_sums(values),
        )  # fmt: skip
        last = self._blocks[-1] if self._blocks else None
        if last is not None and last.vector is vector and last.offset + last.size == offset:
            _merge(last, block, values)  # adjacent lines of one vector: the indexer sees one block
        else:
            self._blocks.append(block)

    def _finish(self) -> None:
        for vector in self._vectors:
            while vector.buffered:
                self._write_block(vector, self.block_samples)

    def close(self) -> None:
        """Write buffered samples, move the .vec into place, then write the .vci beside it."""
        if self.closed:
            return
        super().close()
        if self.write_index:
            atomic.write_text(index_path(self.path), self._index_text())

    def _index_text(self) -> str:
        """The .vci as `opp_scavetool index` writes it (VectorFileIndexer + IndexFileWriter)."""
        size = Path(self.path).stat().st_size
        mtime = int(Path(self.path).stat().st_mtime)
        if self._blocks:  # like the indexer's, the last block runs to the end of the file
            self._blocks[-1].size = size - self._blocks[-1].offset
        parts = [f"{f'file {size} {mtime}':<64}\nversion 3\n", self.header_text()]
        g = self._g
        for vector in self._vectors:
            blocks = [b for b in self._blocks if b.vector is vector]
            if not blocks:
                continue
            columns = "ETV" if vector.event_numbers else "TV"
            parts.append(
                f"vector {vector.vector_id} {quote(vector.module)} {quote(vector.name)} "
                f"{columns}\n{self._attrs(vector.attrs)}"
            )
            for b in blocks:
                span = f" {b.events[0]} {b.events[1]}" if vector.event_numbers else ""
                parts.append(
                    f"{vector.vector_id}\t{b.offset} {b.size}{span} {b.times[0]} {b.times[1]} "
                    f"{b.count} {g(b.min)} {g(b.max)} {g(b.sum)} {g(b.sqrsum)}\n"
                )
        return "".join(parts)


def _sequential_sums(
    values: np.ndarray, start: tuple[float, float] = (0.0, 0.0)
) -> tuple[float, float]:
    """Sum and sum of squares added left to right (as `Statistics::collect`), from `start`."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf and nan, as in C
        total = np.cumsum(np.concatenate(([start[0]], values)))[-1]
        squares = np.cumsum(np.concatenate(([start[1]], values * values)))[-1]
    return float(total), float(squares)


def _merge(block: _Block, more: _Block, values: np.ndarray) -> None:
    block.size += more.size
    block.events = (block.events[0], more.events[1])
    block.times = (block.times[0], more.times[1])
    block.count += more.count
    block.min, block.max = min(block.min, more.min), max(block.max, more.max)
    block.sum, block.sqrsum = _sequential_sums(values, (block.sum, block.sqrsum))


def index_path(vec_path: str | os.PathLike[str]) -> str:
    """The ``.vci`` beside a ``.vec`` (its last suffix replaced, as OMNeT++ names it)."""
    return str(Path(vec_path).with_suffix(".vci"))


def _to_ticks(times: Any, unit: str) -> np.ndarray:
    t = np.asarray(times).ravel()
    if unit == "ps":
        if t.dtype.kind not in "iu":
            raise ValueError("time_unit='ps' needs integer times (picoseconds)")
        return t.astype(np.int64)
    if unit != "s":
        raise ValueError(f"time_unit must be 's' or 'ps', not {unit!r}")
    seconds = t.astype(np.float64)
    if not np.all(np.isfinite(seconds)):
        raise ValueError("vector times must be finite")
    return np.rint(seconds * _TICKS_PER_SECOND).astype(np.int64)


def _check_order(numbers: np.ndarray, last: int | None, what: str) -> int | None:
    if not len(numbers):
        return last
    if np.any(np.diff(numbers) < 0) or (last is not None and numbers[0] < last):
        raise ValueError(f"vector {what} must not decrease")
    return int(numbers[-1])
