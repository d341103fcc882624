# SPDX-License-Identifier: MIT
"""Atomic file writes, so an interrupted run never leaves a half-written output.

Each writer writes to a temporary file in the destination folder and renames it
over the target (rename is atomic on POSIX within one file system). The file
gets the permissions a plain `open()` would give it (0666 less the umask), not
the 0600 of the temporary file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Suffix of the temporary files (`.<name>.<random>.tmp`) beside their targets.
TMP_SUFFIX = ".tmp"

#: Permissions of a new file, as `open()` would create it.
FILE_MODE = 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary sibling of `path` for writing; rename it onto `path` on success."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open supports modes 'w' and 'wb', not {mode!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TMP_SUFFIX, dir=target.parent)
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fchmod(fh.fileno(), FILE_MODE)
            os.fsync(fh.fileno())
        Path(tmp).replace(target)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                Path(tmp).unlink()
        raise


def remove_leftovers(folder: str | os.PathLike[str]) -> int:
    """Delete the temporary files of writes that never finished below `folder`; return how many.

    `atomic_open` removes its temporary file when the write fails, but a process
    killed outright (SIGKILL) or interrupted in the instant between creating the
    file and guarding it cannot. Call this only while no one else writes below
    `folder` (a sweep holds the folder's lock).
    """
    removed = 0
    for path in Path(folder).rglob(f".*{TMP_SUFFIX}"):
        if path.is_file():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to `path` atomically."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write `obj` as indented JSON to `path` atomically."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")
