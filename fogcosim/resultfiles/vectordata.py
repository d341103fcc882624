# SPDX-License-Identifier: MIT
"""Bulk parsing of output-vector data lines (``<vectorId> <columns...>``).

A `.vec` file is mostly data lines; parsing them one by one in Python would
cost ~1 µs each. Instead the parser hands over each *segment* (a run of
consecutive data lines) and this module reads it with `numpy.loadtxt` (C code,
correctly rounded), then splits the rows by vector id with one stable sort.

Vector ids and event numbers are taken in any number form with an integral
value (``7``, ``7.0``, ``7e0``), on both paths alike; OMNeT++ writes plain
integers (and skips lines it cannot read as such, where this reader raises).

A segment whose lines differ in their number of columns (vectors recorded with
and without event numbers, ``ETV`` and ``TV``) is regrouped by column count
and each group read in bulk. Anything the bulk path rejects (a bad number, an
undeclared vector id, a wrong column count) is re-read line by line, which
finds the first bad line and raises a `ResultFileError` naming it.
"""

from __future__ import annotations

import io
import itertools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from fogcosim.resultfiles.errors import ResultFileError, excerpt
from fogcosim.resultfiles.tokens import TokenError, parse_float, split_line


@dataclass(eq=False)
class VectorData:
    """A declared vector's column spec and the data chunks read for it so far."""

    columns: str
    times: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)

    def append(self, times: np.ndarray, values: np.ndarray) -> None:
        """Add one chunk (copies, so a big segment array is not kept alive by a view)."""
        self.times.append(np.array(times, dtype=np.float64))
        self.values.append(np.array(values, dtype=np.float64))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All times and values, in file order."""
        if not self.times:
            return np.empty(0), np.empty(0)
        if len(self.times) == 1:
            return self.times[0], self.values[0]
        return np.concatenate(self.times), np.concatenate(self.values)

    def has_data(self) -> bool:
        """Whether at least one data line was read."""
        return any(len(t) for t in self.times)


class _RejectedError(Exception):
    """The bulk path cannot take this segment; re-read it line by line."""


def read_segment(
    text: str,
    first_line: int,
    vectors: dict[int, VectorData],
    path: str,
    plain_whitespace: bool,
) -> None:
    """Read consecutive data lines `text` (first one is line `first_line`) into `vectors`."""
    if plain_whitespace:
        try:
            _read_bulk(text, vectors)
            return
        except _RejectedError:
            pass
    _read_line_by_line(text, first_line, vectors, path, plain_whitespace)


def _load(text: str) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.loadtxt(io.StringIO(text), dtype=np.float64, comments=None, ndmin=2)
    except ValueError as exc:
        raise _RejectedError from exc


def _read_bulk(text: str, vectors: dict[int, VectorData]) -> None:
    try:
        groups = [_load(text)]
    except _RejectedError:
        lines = text.split("\n")
        counts = np.fromiter(
            (len(line.split()) for line in lines), dtype=np.int64, count=len(lines)
        )
        if len(np.unique(counts)) == 1:
            raise
        groups = [
            _load("\n".join(lines[i] for i in np.flatnonzero(counts == k)))
            for k in np.unique(counts)
        ]
    pending = [_split_by_vector(rows, vectors) for rows in groups]
    for chunks in pending:  # only now: a rejected group must not leave half of the segment behind
        for vector, times, values in chunks:
            vector.append(times, values)


def _split_by_vector(
    rows: np.ndarray, vectors: dict[int, VectorData]
) -> list[tuple[VectorData, np.ndarray, np.ndarray]]:
    ids = rows[:, 0]
    if not _all_integral(ids) or np.any(ids < 0):
        raise _RejectedError
    if len(ids) > 1 and np.any(ids[1:] != ids[:-1]):
        order = np.argsort(ids, kind="stable")
        rows = rows[order]
        ids = rows[:, 0]
    starts = np.concatenate(([0], np.flatnonzero(ids[1:] != ids[:-1]) + 1, [len(ids)]))
    chunks = []
    for start, stop in itertools.pairwise(starts.tolist()):
        vector = vectors.get(int(ids[start]))
        if vector is None or len(vector.columns) + 1 != rows.shape[1]:
            raise _RejectedError
        block = rows[start:stop]
        if "E" in vector.columns and not _all_integral(block[:, vector.columns.index("E") + 1]):
            raise _RejectedError
        times = block[:, vector.columns.index("T") + 1]
        values = block[:, vector.columns.index("V") + 1]
        chunks.append((vector, times, values))
    return chunks


def _all_integral(numbers: np.ndarray) -> bool:
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.isfinite(numbers) & (numbers == np.floor(numbers))))


def _integral(token: str) -> int | None:
    """A vector id or event number: OMNeT++ writes integers; any integral number is taken."""
    number = parse_float(token)
    if number is None or not math.isfinite(number) or number != math.floor(number):
        return None
    return int(number)


def _read_line_by_line(
    text: str,
    first_line: int,
    vectors: dict[int, VectorData],
    path: str,
    plain_whitespace: bool,
) -> None:
    parsed: dict[int, tuple[list[float], list[float]]] = {}
    for offset, line in enumerate(text.split("\n")):
        vector_id, time, value = _parse_data_line(
            line, first_line + offset, vectors, path, plain_whitespace
        )
        times_so_far, values_so_far = parsed.setdefault(vector_id, ([], []))
        times_so_far.append(time)
        values_so_far.append(value)
    for vector_id, (times, values) in parsed.items():
        vectors[vector_id].append(np.array(times), np.array(values))


def _parse_data_line(
    line: str, lineno: int, vectors: dict[int, VectorData], path: str, plain_whitespace: bool
) -> tuple[int, float, float]:
    try:
        tokens = split_line(line, plain_whitespace)
    except TokenError as exc:
        raise ResultFileError(path, lineno, f"{exc} in vector data line {excerpt(line)}") from None
    vector_id = _integral(tokens[0])
    if vector_id is None or vector_id < 0:
        raise ResultFileError(
            path,
            lineno,
            f"unrecognized line {excerpt(line)}; expected a keyword line "
            "(version, run, attr, itervar, config, par, scalar, statistic, field, bin, vector) "
            "or a vector data line '<vectorId> <columns...>'",
        )
    vector = vectors.get(vector_id)
    if vector is None:
        raise ResultFileError(
            path,
            lineno,
            f"data line for vector {vector_id}, which is not declared in this run; "
            f"expected a 'vector {vector_id} <module> <name> <columns>' line before it",
        )
    if len(tokens) != len(vector.columns) + 1:
        raise ResultFileError(
            path,
            lineno,
            f"vector {vector_id} data line has {len(tokens) - 1} columns, expected "
            f"{len(vector.columns)} ({vector.columns}): {excerpt(line)}",
        )
    time = value = 0.0
    for column, token in zip(vector.columns, tokens[1:], strict=True):
        if column == "E":
            if _integral(token) is None:
                raise ResultFileError(
                    path, lineno, f"event number {token!r} is not an integer in {excerpt(line)}"
                )
            continue
        number = parse_float(token)
        if number is None:
            what = "simulation time" if column == "T" else "value"
            raise ResultFileError(
                path, lineno, f"{what} {token!r} is not a number in {excerpt(line)}"
            )
        if column == "T":
            time = number
        else:
            value = number
    return vector_id, time, value
