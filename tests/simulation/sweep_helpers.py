# SPDX-License-Identifier: MIT
"""Top-level helpers that sweep tests ship to worker processes (picklable by reference)."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin


def die_at_three_fog_nodes(run_dir: Path, results: object = None) -> dict[str, Any]:
    """A `summarize` that SIGKILLs its own process (as the OOM killer would) for 3-FN points."""
    if run_dir.name.startswith("n3-"):
        os.kill(os.getpid(), signal.SIGKILL)
    return {"fog_nodes_seen": int(run_dir.name.split("-")[0][1:])}


#: held by the sweep's own process in `test_workers_do_not_inherit_the_sweeps_locks`
HELD = threading.Lock()


def needs_the_held_lock(run_dir: Path, results: object = None) -> dict[str, Any]:
    """A `summarize` that takes `HELD`, as torch's or tqdm's code takes its own locks."""
    got = HELD.acquire(timeout=10)
    if got:
        HELD.release()
    return {"lock_free": got, "fog_nodes_seen": int(run_dir.name.split("-")[0][1:])}


class ForgetRunFolders(WorkerPlugin):
    """Deletes each run folder as its task ends: a worker whose disk the client cannot see."""

    name = "forget-run-folders"

    def __init__(self, runs: str) -> None:
        self.runs = runs

    def setup(self, worker: Any) -> None:
        self.worker = worker

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish == "memory":
            status = self.worker.data.get(key)
            shutil.rmtree(Path(self.runs) / status.key, ignore_errors=True)
