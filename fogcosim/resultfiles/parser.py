# SPDX-License-Identifier: MIT
"""Parse one OMNeT++ result file (.sca or .vec) of any OMNeT++ 4.0 to 6.x into runs and results.

A line-by-line state machine that follows OMNeT++ 6.1's own loader
(`src/scave/omnetppresultfileloader.cc`): a ``run`` line opens a run whose
``attr``/``itervar``/``config`` lines (and ``param``, the pre-6.0 name of
``config``) follow; each result line (``scalar``, ``par``, ``statistic``,
``vector``) opens an item that later ``attr`` lines (and for a statistic,
``field`` and ``bin`` lines) belong to; vector data lines (handled in bulk by
`fogcosim.resultfiles.vectordata`) refer to a vector declared earlier in the
same run. Anything else raises `ResultFileError` naming the line.

Versions, as in OMNeT++ 6.1: a ``version`` line may be missing (or anywhere)
and must say 2 (OMNeT++ 4.0 to 5.7) or 3 (6.x); the line formats of both are
the same. Before OMNeT++ 5.1 iteration variables were run attributes (named in
the ``iterationvars`` attribute); they are moved to the itervars as OMNeT++
does. OMNeT++ 3.x files (``run 1 "Net"``, vectors without a run) are refused,
as by OMNeT++ 6.1. A ``.vec`` whose first line is ``version 2|3`` is one that
`opp_scavetool` reads through its index (`ParsedFile.indexed`).

Deliberate strictness beyond OMNeT++ (each catches a broken file that OMNeT++
would read silently or crash on): a file must hold a ``version`` or ``run``
line; it must end with a newline (a cut-off last line means a truncated file);
no NUL bytes; numbers must be decimal (or inf/nan, or the MSVC forms old
Windows builds printed); a histogram needs its underflow and overflow ``bin``
lines; a vector id may be declared once per run; the column spec of a vector
must use E, T, V once each and contain T and V.
"""

from __future__ import annotations

import enum
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from fogcosim.resultfiles.errors import ResultFileError, excerpt
from fogcosim.resultfiles.tokens import (
    TokenError,
    parse_float,
    parse_int,
    plain_whitespace,
    split_line,
)
from fogcosim.resultfiles.vectordata import VectorData, read_segment

_STAT_FIELDS = frozenset(
    ("count", "min", "max", "sum", "sqrsum", "weights", "weightedSum", "sqrSumWeights",
     "weightedSqrSum")
)  # fmt: skip
_DIGITS = frozenset("0123456789")
_SEGMENT_END = re.compile(r"\n(?![0-9])")
_COLUMNS = re.compile(r"(?=[ETV]*T)(?=[ETV]*V)(?!.*(.).*\1)[ETV]+")


class State(enum.Enum):
    """What the lines that follow belong to."""

    NONE = "before any run"
    RUN = "run"
    SCALAR = "scalar"
    PARAM = "param"
    VECTOR = "vector"
    STATISTIC = "statistic"
    HISTOGRAM = "histogram"


@dataclass
class Run:
    """A run's header: attributes, iteration variables, configuration entries (in file order)."""

    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    itervars: dict[str, str] = field(default_factory=dict)
    config: list[tuple[str, str]] = field(default_factory=list)


@dataclass(eq=False)
class Result:
    """One result item; `kind` is its raw-layout row type (scalar, param, statistic, ...)."""

    kind: str
    run: str
    module: str
    name: str
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    value: float | str | None = None
    fields: dict[str, float] = field(default_factory=dict)
    bin_edges: list[float] = field(default_factory=list)
    bin_values: list[float] = field(default_factory=list)
    vector: VectorData | None = None


@dataclass
class ParsedFile:
    """What one file holds, in file order.

    `indexed`: a ``.vec`` file whose first line is ``version 2|3``, which
    `opp_scavetool` reads through its ``.vci`` index (building it first if
    needed): then vectors without data lines are not in it, and its run
    header is the one kept (OMNeT++'s `IndexFileUtils::isExistingVectorFile`).
    Any other file `opp_scavetool` reads line by line, empty vectors included.
    """

    path: str
    runs: list[Run]
    results: list[Result]
    indexed: bool = False


def parse_file(path: str | os.PathLike[str]) -> ParsedFile:
    """Read and parse one result file; raise `ResultFileError` on anything malformed."""
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ResultFileError(name, None, f"cannot read file: {exc.strerror or exc}") from None
    return parse_bytes(data, name)


def parse_bytes(data: bytes, path: str = "<bytes>") -> ParsedFile:
    """Parse the content of a result file; `path` only names it in errors."""
    return _Parser(path).parse(data)


class _Parser:
    def __init__(self, path: str) -> None:
        self.path = path
        self.runs: list[Run] = []
        self.results: list[Result] = []
        self.state = State.NONE
        self.run: Run | None = None  # the run whose header is being read or whose items follow
        self.run_flushed = False
        self.item: Result | None = None
        self.vectors: dict[int, VectorData] = {}  # vector id -> data, for the current run
        self.vector_lines: dict[int, int] = {}
        self.seen_header = False  # a version or run line: this is an OMNeT++ result file
        self.plain_whitespace = True

    def error(self, line: int | None, problem: str) -> ResultFileError:
        return ResultFileError(self.path, line, problem)

    # --- driver -----------------------------------------------------------------------

    def parse(self, data: bytes) -> ParsedFile:
        if not data:
            raise self.error(None, "empty file; expected an OMNeT++ .sca/.vec file")
        nul = data.find(b"\x00")
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            raise self.error(line, "binary data (NUL byte); not an OMNeT++ .sca/.vec file")
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n")
        if not data.endswith(b"\n"):
            raise self.error(
                data.count(b"\n") + 1,
                "last line has no newline: the file is truncated (or still being written)",
            )
        text = data.decode("utf-8", errors="replace")
        self.plain_whitespace = plain_whitespace(data, text)
        pos, lineno, end_of_text = 0, 1, len(text)
        while pos < end_of_text:
            if text[pos] in _DIGITS:
                end = _SEGMENT_END.search(text, pos)
                stop = end.start() if end else end_of_text - 1
                segment = text[pos:stop]
                read_segment(segment, lineno, self.vectors, self.path, self.plain_whitespace)
                lineno += segment.count("\n") + 1
            else:
                stop = text.index("\n", pos)
                self.line(text[pos:stop], lineno)
                lineno += 1
            pos = stop + 1
        if not self.seen_header:
            raise self.error(
                lineno - 1, "no 'version' or 'run' line; not an OMNeT++ .sca/.vec file"
            )
        self.flush(lineno - 1)
        return ParsedFile(self.path, self.runs, self.results, _is_indexed(self.path, data))

    def line(self, line: str, lineno: int) -> None:
        try:
            tokens = split_line(line, self.plain_whitespace)
        except TokenError as exc:
            raise self.error(lineno, f"{exc} in {excerpt(line)}") from None
        if not tokens or tokens[0].startswith("#"):
            return
        keyword = tokens[0]
        handler = _HANDLERS.get(keyword)
        if handler is not None:
            handler(self, tokens, lineno, line)
        elif keyword[:1] in _DIGITS:
            read_segment(line.strip(" \t"), lineno, self.vectors, self.path, False)
        elif not self.seen_header:
            raise self.error(
                lineno,
                f"unrecognized line {excerpt(line)}; expected an OMNeT++ .sca/.vec file, "
                "which starts with 'version 3' (or 2) or 'run <runId>'",
            )
        else:
            raise self.error(
                lineno,
                f"unrecognized line {excerpt(line)}; expected one of version, run, attr, itervar, "
                "config, par, scalar, statistic, field, bin, vector, or a vector data line",
            )

    def expect(self, tokens: list[str], count: int, lineno: int, syntax: str, line: str) -> None:
        if len(tokens) != count:
            raise self.error(
                lineno, f"expected '{syntax}' ({count} items), got {len(tokens)}: {excerpt(line)}"
            )

    def number(self, token: str, lineno: int, what: str) -> float:
        value = parse_float(token)
        if value is None:
            raise self.error(lineno, f"{what} {token!r} is not a number")
        return value

    # --- items ------------------------------------------------------------------------

    def flush(self, lineno: int) -> None:
        """End the current item (OMNeT++: `flush()`): register the run, finish a histogram."""
        if self.state is State.NONE:
            return
        if self.state is State.RUN:
            if not self.run_flushed and self.run is not None:
                _separate_itervars(self.run)
                self.runs.append(self.run)
                self.run_flushed = True
        elif self.state is State.HISTOGRAM:
            item = self.item
            assert item is not None
            if len(item.bin_values) < 2:
                raise self.error(
                    item.line,
                    f"histogram {item.module} {item.name} has {len(item.bin_values)} 'bin' "
                    "line(s); expected at least the underflow ('bin -inf <n>') and overflow bins",
                )
        self.state = State.RUN
        self.item = None

    def start_item(self, kind: str, state: State, module: str, name: str, lineno: int) -> Result:
        self.flush(lineno)
        if self.state is State.NONE or self.run is None:
            raise self.error(lineno, f"'{kind}' line before any 'run' line; expected 'run <runId>'")
        item = Result(kind, self.run.name, module, name, lineno)
        self.results.append(item)
        self.state = state
        self.item = item
        return item

    def on_version(self, tokens: list[str], lineno: int, line: str) -> None:
        self.expect(tokens, 2, lineno, "version <number>", line)
        if parse_int(tokens[1]) not in (2, 3):
            raise self.error(
                lineno,
                f"unsupported file version {tokens[1]!r}; expected 'version 3' (OMNeT++ 6.x) "
                "or 2 (OMNeT++ 4.0 to 5.7)",
            )
        self.seen_header = True

    def on_run(self, tokens: list[str], lineno: int, line: str) -> None:
        self.flush(lineno)
        if len(tokens) == 3 and tokens[1].isdigit():
            raise self.error(
                lineno,
                f"{excerpt(line)} is an OMNeT++ 3.x run line ('run <number> <network>'); "
                "expected 'run <runId>': files of OMNeT++ 3.x are not read (nor by OMNeT++ 6.1)",
            )
        self.expect(tokens, 2, lineno, "run <runId>", line)
        self.seen_header = True
        self.run = Run(tokens[1])
        self.run_flushed = False
        self.state = State.RUN
        self.vectors = {}
        self.vector_lines = {}

    def on_attr(self, tokens: list[str], lineno: int, line: str) -> None:
        if self.state is State.NONE:
            raise self.error(lineno, "'attr' line before any 'run' line; expected 'run <runId>'")
        self.expect(tokens, 3, lineno, "attr <name> <value>", line)
        if self.item is not None:
            self.item.attrs[tokens[1]] = tokens[2]
        elif self.run is not None and not self.run_flushed:
            self.run.attrs[tokens[1]] = tokens[2]
        else:
            raise self.error(lineno, "stray 'attr' line; expected it after a run or result line")

    def on_run_entry(self, tokens: list[str], lineno: int, line: str) -> None:
        keyword = tokens[0]
        if self.state is not State.RUN or self.run is None or self.run_flushed:
            raise self.error(
                lineno,
                f"stray '{keyword}' line; expected it in a run header "
                "(after 'run', before the first result)",
            )
        self.expect(tokens, 3, lineno, f"{keyword} <name> <value>", line)
        if keyword == "itervar":
            self.run.itervars[tokens[1]] = tokens[2]
        else:  # config, or version 2's param
            self.run.config.append((tokens[1], tokens[2]))

    def on_scalar(self, tokens: list[str], lineno: int, line: str) -> None:
        self.expect(tokens, 4, lineno, "scalar <module> <name> <value>", line)
        value = self.number(tokens[3], lineno, "scalar value")
        self.start_item("scalar", State.SCALAR, tokens[1], tokens[2], lineno).value = value

    def on_par(self, tokens: list[str], lineno: int, line: str) -> None:
        self.expect(tokens, 4, lineno, "par <module> <name> <value>", line)
        self.start_item("param", State.PARAM, tokens[1], tokens[2], lineno).value = tokens[3]

    def on_statistic(self, tokens: list[str], lineno: int, line: str) -> None:
        self.expect(tokens, 3, lineno, "statistic <module> <name>", line)
        self.start_item("statistic", State.STATISTIC, tokens[1], tokens[2], lineno)

    def on_field(self, tokens: list[str], lineno: int, line: str) -> None:
        if self.state is not State.STATISTIC or self.item is None:
            raise self.error(
                lineno,
                "stray 'field' line; expected it after a 'statistic' line, before its 'bin' lines",
            )
        self.expect(tokens, 3, lineno, "field <name> <value>", line)
        value = self.number(tokens[2], lineno, f"field {tokens[1]}")
        if tokens[1] == "count" and not math.isfinite(value):
            raise self.error(lineno, f"field count {tokens[2]!r} is not a finite number")
        if tokens[1] in _STAT_FIELDS:
            self.item.fields[tokens[1]] = value

    def on_bin(self, tokens: list[str], lineno: int, line: str) -> None:
        if self.state is State.STATISTIC:
            self.state = State.HISTOGRAM
        if self.state is not State.HISTOGRAM or self.item is None:
            raise self.error(lineno, "stray 'bin' line; expected it after a 'statistic' line")
        self.expect(tokens, 3, lineno, "bin <lowerEdge> <value>", line)
        edge = self.number(tokens[1], lineno, "bin edge")
        value = self.number(tokens[2], lineno, "bin value")
        item = self.item
        item.kind = "histogram"
        if not item.bin_edges or edge > item.bin_edges[-1]:
            item.bin_edges.append(edge)
            item.bin_values.append(value)
        elif edge == item.bin_edges[-1]:  # edges printed with too few digits: merged, like OMNeT++
            item.bin_values[-1] += value
        else:
            raise self.error(
                lineno, f"bin edge {tokens[1]} is not above the previous one; expected increasing"
            )

    def on_vector(self, tokens: list[str], lineno: int, line: str) -> None:
        if len(tokens) not in (4, 5):
            raise self.error(
                lineno,
                "expected 'vector <id> <module> <name> [<columns>]' (4 or 5 items), "
                f"got {len(tokens)}: {excerpt(line)}",
            )
        vector_id = parse_int(tokens[1])
        if vector_id is None or vector_id < 0 or not tokens[1].isdigit():
            raise self.error(lineno, f"vector id {tokens[1]!r} is not a non-negative integer")
        columns = "TV" if len(tokens) < 5 or tokens[4][:1] in _DIGITS else tokens[4]
        if not _COLUMNS.fullmatch(columns):
            raise self.error(
                lineno, f"vector column spec {columns!r}; expected E, T, V (T and V required)"
            )
        if vector_id in self.vectors:
            raise self.error(
                lineno,
                f"vector id {vector_id} declared twice in run {self.run.name if self.run else ''} "
                f"(first at line {self.vector_lines[vector_id]}); expected unique ids",
            )
        item = self.start_item("vector", State.VECTOR, tokens[2], tokens[3], lineno)
        item.vector = self.vectors[vector_id] = VectorData(columns)
        self.vector_lines[vector_id] = lineno

    def on_file(self, tokens: list[str], lineno: int, line: str) -> None:
        """``file <size> <mtime>``: the fingerprint line of index files; carries no results."""


def _separate_itervars(run: Run) -> None:
    """Before OMNeT++ 5.1 iteration variables were run attributes: move them out.

    As OMNeT++ 6.1's `separateItervarsFromAttrs`: only for a run without
    ``itervar`` lines; the names are those in ``attr iterationvars "$N=4, $x=a"``
    (for each comma-separated part, the text between the first ``$`` and the
    first ``=``).
    """
    if run.itervars or not run.attrs.get("iterationvars"):
        return
    for part in run.attrs["iterationvars"].split(","):
        before, equals, _ = part.strip(_C_SPACE).partition("=")
        _, dollar, name = before.partition("$")
        name = name if equals and dollar else ""  # OMNeT++'s opp_substringafter/-before give ""
        if name in run.attrs:
            run.itervars[name] = run.attrs.pop(name)


_C_SPACE = " \t\n\v\f\r"  # what C's isspace() accepts (OMNeT++'s opp_trim)


def _is_indexed(path: str, data: bytes) -> bool:
    """Whether `opp_scavetool` reads this file through a ``.vci`` (see `ParsedFile.indexed`).

    OMNeT++'s test: the name ends with ``.vec`` and the first line, read with
    ``fgets(buf, 20)`` and trimmed, is ``version 2`` or ``version 3``.
    """
    if not path.endswith(".vec"):
        return False
    head = data[:19]
    newline = head.find(b"\n")
    if newline >= 0:
        head = head[: newline + 1]
    return head.strip(_C_SPACE.encode()) in (b"version 2", b"version 3")


_HANDLERS = {
    "version": _Parser.on_version,
    "run": _Parser.on_run,
    "attr": _Parser.on_attr,
    "itervar": _Parser.on_run_entry,
    "config": _Parser.on_run_entry,
    "param": _Parser.on_run_entry,
    "scalar": _Parser.on_scalar,
    "par": _Parser.on_par,
    "statistic": _Parser.on_statistic,
    "field": _Parser.on_field,
    "bin": _Parser.on_bin,
    "vector": _Parser.on_vector,
    "file": _Parser.on_file,
}
