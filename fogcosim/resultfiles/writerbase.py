# SPDX-License-Identifier: MIT
"""The part both writers share: atomic output, the run header block, attributes, closing.

`_ResultFileWriter` opens the file through `fogcosim.atomic` (a temporary
sibling renamed into place on `close()`, dropped on `abort()` or an exception
in a ``with`` block), writes ``version 3`` and the run header, and formats
result attributes and numbers at the writer's precision. `ScalarFileWriter`
and `VectorFileWriter` subclass it. Given ``capture=RunResults()``, a writer
also records each result there, each number as the file spells it
(`fogcosim.resultfiles.runresults`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import IO, Any

from fogcosim import atomic
from fogcosim.resultfiles.runresults import RunResults
from fogcosim.resultfiles.text import PRECISION, format_number, quote


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
        capture: RunResults | None = None,
    ) -> None:
        self.path = os.fspath(path)
        #: also record every result here, as a reader will read it from the file
        self.capture = capture
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
