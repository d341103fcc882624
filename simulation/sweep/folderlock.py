# SPDX-License-Identifier: MIT
"""An exclusive lock on an output folder, so two sweeps never write (or clean) one folder at once.

The lock is `fcntl.flock` on `<folder>/.fogcosim.lock`. The kernel drops a flock
when its holder's process dies, however it dies, so a lock file left behind by a
killed sweep never blocks the next one; the file's text (PID, host, start time)
only names the holder in the error a second sweep gets. Re-entrant within one
process: `fogcosim sweep` holds it around the run, summary and report, and
`run_sweep` takes it again inside. On NFS, Linux maps flock onto NFS byte-range
locks, which work across hosts.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from fogcosim.errors import UserError

LOCK_NAME = ".fogcosim.lock"

#: Folders this process holds, with a nesting count (re-entrancy).
_HELD: dict[Path, int] = {}


def make_folder(folder: Path) -> Path:
    """Create `folder` (and parents); a failure is a one-line error naming it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder {folder}: {exc.strerror or exc}") from None
    return folder


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[Path]:
    """Hold the folder's lock (creating the folder); a busy folder is a one-line error."""
    folder = Path(folder).resolve()
    if folder in _HELD:
        _HELD[folder] += 1
        try:
            yield folder
        finally:
            _HELD[folder] -= 1
        return
    created = not folder.exists()
    make_folder(folder)
    path = folder / LOCK_NAME
    fd = _acquire(path, folder)
    os.ftruncate(fd, 0)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {stamp}\n".encode(), 0)
    _HELD[folder] = 1
    try:
        yield folder
    finally:
        del _HELD[folder]
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            # a folder we made and left empty (e.g. validation failed) goes again; unlinked
            # while locked, so a waiter re-checks the inode (see _acquire) and starts afresh
            if created and [p.name for p in folder.iterdir()] == [LOCK_NAME]:
                path.unlink()
                folder.rmdir()
        os.close(fd)  # releases the flock


def _acquire(path: Path, folder: Path) -> int:
    """Open and flock the lock file; a descriptor of the file that `path` names now."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise UserError(f"cannot create lock file {path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 1024, 0).decode(errors="replace").strip() or "unknown holder"
            os.close(fd)
            raise UserError(
                f"output folder {folder} is in use by another sweep ({holder}); wait for it "
                "to finish or choose another --out"
            ) from None
        try:
            same = os.fstat(fd).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed the file as we opened it: lock the new one
