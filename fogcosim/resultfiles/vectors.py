# SPDX-License-Identifier: MIT
"""The ``.vec`` writer and its ``.vci`` index: vectors, data blocks, the index file.

`VectorFileWriter` buffers each vector's samples, writes them in blocks of
tab-separated data lines, records every block's offset, size and statistics,
and on `close()` writes the ``.vci`` beside the ``.vec`` as
`opp_scavetool index` would (`index_path` names it). The time conversion and
ordering checks for recorded samples live here as well.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from fogcosim import atomic
from fogcosim.resultfiles.runresults import RunResults
from fogcosim.resultfiles.statistics import _sequential_sums
from fogcosim.resultfiles.text import (
    _TICKS_PER_SECOND,
    PRECISION,
    format_number,
    format_ticks,
    quote,
)
from fogcosim.resultfiles.writerbase import _ResultFileWriter


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
        mtime: int | None = None,
        capture: RunResults | None = None,
    ) -> None:
        super().__init__(
            path, run_id, attrs, itervars, config, precision=precision, capture=capture
        )
        self.write_index = write_index
        #: Set the .vec's modification time (seconds) to this on close, so the .vci's
        #: fingerprint (size and mtime of the .vec) is reproducible; None keeps the real one.
        self.mtime = mtime
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
        if self.capture is not None:  # as a reader parses them: exact seconds, printed values
            self.capture.add_samples(
                vector.module, vector.name, ticks / _TICKS_PER_SECOND, np.array(texts, np.float64)
            )
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
        if self.mtime is not None:
            os.utime(self.path, (self.mtime, self.mtime))
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
