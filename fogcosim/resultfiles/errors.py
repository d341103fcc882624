# SPDX-License-Identifier: MIT
"""The error a bad result file raises: one line naming the file, the line and what was expected."""

from __future__ import annotations

import os

from fogcosim.errors import UserError


class ResultFileError(UserError):
    """A result file (or a path to one) that cannot be read.

    The text is one line, ``<file>:<line>: <problem>``, so the CLI can show it
    as is; `path` and `line` (``None`` when the problem is the file as a whole)
    are kept as attributes for programs.
    """

    def __init__(self, path: str | os.PathLike[str], line: int | None, problem: str) -> None:
        self.path = os.fspath(path)
        self.line = line
        self.problem = " ".join(problem.split())  # never more than one line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {self.problem}")


def excerpt(text: str, limit: int = 60) -> str:
    """`text` shortened to `limit` characters and quoted with repr (so it stays one line)."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")
