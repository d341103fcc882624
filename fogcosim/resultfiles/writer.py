# SPDX-License-Identifier: MIT
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

Modules: `text` (quoting, numbers, simulation time), `header` (`RunHeader`),
`statistics` (`Summary`, `Histogram`, their protocols), `writerbase` (the writers'
shared part), `scalars` (`ScalarFileWriter`), `vectors` (`VectorFileWriter`,
the .vci index). Import from this module; the names below are its API.
"""

from __future__ import annotations

from fogcosim.resultfiles.header import RunHeader
from fogcosim.resultfiles.scalars import ScalarFileWriter
from fogcosim.resultfiles.statistics import (
    Histogram,
    HistogramLike,
    Summary,
    SummaryLike,
    mean_and_stddev,
)
from fogcosim.resultfiles.text import PRECISION, format_number, format_ticks, quote
from fogcosim.resultfiles.vectors import VectorFileWriter, index_path

__all__ = [
    "PRECISION",
    "Histogram",
    "HistogramLike",
    "RunHeader",
    "ScalarFileWriter",
    "Summary",
    "SummaryLike",
    "VectorFileWriter",
    "format_number",
    "format_ticks",
    "index_path",
    "mean_and_stddev",
    "quote",
]
