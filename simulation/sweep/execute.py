# SPDX-License-Identifier: MIT
"""Running sweep points: in this process, in a local process pool, or on a Dask cluster.

Every point reports one `PointStatus` through `record`, as soon as it ends, so
the caller keeps what finished even if the sweep is interrupted.

A worker process that dies (the kernel's OOM killer sends SIGKILL) breaks a
`ProcessPoolExecutor`: every queued point fails with `BrokenProcessPool`, and
the pool cannot say which point killed it. So each point marks its folder while
it runs (`.running`); after a break, the points whose mark is left were running
and are re-run one at a time, each in its own process, which names the culprit
(it dies again: marked failed with the signal) and lets innocent bystanders
finish; the points that never started go to a fresh pool.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from pathlib import Path

from simulation.sweep.point import PointStatus, PointTask, run_point

#: Called with each point's status as soon as the point ends.
Record = Callable[[PointStatus], None]

RUNNING = ".running"


def execute(
    tasks: list[PointTask],
    *,
    workers: int,
    dask_address: str | None,
    progress: bool,
    record: Record,
) -> None:
    """Run the points: a loop here (workers=1), a local process pool, or a Dask cluster."""
    from tqdm import tqdm

    bar = tqdm(total=len(tasks), desc="sweep", unit="run", disable=not progress or not tasks)

    def done(status: PointStatus) -> None:
        record(status)
        bar.update()

    try:
        if dask_address:
            _on_dask(tasks, dask_address, done)
        elif workers <= 1:
            for task in tasks:
                done(run_point(task))
        else:
            _on_pool(tasks, workers, done)
    finally:
        bar.close()


def died_message(exitcode: int | None) -> str:
    """Why a worker process ended without a result, from its exit code."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown signal"
        hint = ": out of memory?" if number == signal.SIGKILL else ""
        return f"worker process died (killed by signal {number}, {name}{hint})"
    return f"worker process died (exit code {exitcode}) before returning a result"


def _marked_run(task: PointTask) -> PointStatus:
    """run_point, with a mark in the point's folder while it runs (left if the process dies)."""
    mark = Path(task.point_dir) / RUNNING
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.write_text(f"{os.getpid()}\n")
    try:
        return run_point(task)
    finally:
        mark.unlink(missing_ok=True)


def _on_pool(tasks: list[PointTask], workers: int, done: Record) -> None:
    """A process pool, replaced by a fresh one whenever a worker dies."""
    remaining = list(tasks)
    blind = 0  # consecutive breaks with no point running
    while remaining:
        for task in remaining:
            (Path(task.point_dir) / RUNNING).unlink(missing_ok=True)
        finished = _pool_round(remaining, workers, done)
        if finished is None:
            return
        unfinished = [t for t in remaining if t.key not in finished]
        running = [t for t in unfinished if (Path(t.point_dir) / RUNNING).exists()]
        for task in running:
            (Path(task.point_dir) / RUNNING).unlink()
            done(run_alone(task))
        remaining = [t for t in unfinished if t not in running]
        blind = 0 if running else blind + 1
        if blind >= 2:  # workers die before running anything: do not loop forever
            for task in remaining:
                done(PointStatus(task.key, "failed", error=died_message(None) + " (twice)"))
            return


def _pool_round(tasks: list[PointTask], workers: int, done: Record) -> set[str] | None:
    """Run `tasks` in one pool; None if all ended, else the keys that ended before it broke."""
    finished: set[str] = set()
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=_context())
    futures = {pool.submit(_marked_run, t): t for t in tasks}
    broken = False
    try:
        for fut in as_completed(futures):
            try:
                status = fut.result()
            except BrokenProcessPool:
                broken = True
                break
            except Exception as exc:  # e.g. a task that cannot be pickled
                status = PointStatus(
                    futures[fut].key, "failed", error=f"{type(exc).__name__}: {exc}"
                )
            finished.add(status.key)
            done(status)
    except BaseException:
        # interrupted: drop queued points at once; finished ones are recorded, and the
        # points still running are stopped before the caller writes statuses.json, so
        # nothing finishes on disk behind its back (a half-written file is a .tmp it removes)
        workers_now = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        _stop(workers_now)
        raise
    pool.shutdown(wait=True)  # settles every future (a broken pool fails the rest)
    if not broken:
        return None
    for fut, task in futures.items():  # results that arrived before the break
        if task.key not in finished and not fut.cancelled() and fut.exception() is None:
            finished.add(task.key)
            done(fut.result())
    return finished


def _stop(processes: list[multiprocessing.process.BaseProcess]) -> None:
    """End worker processes: SIGTERM (they stop their simulators), then SIGKILL if they linger."""
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)


def _context() -> multiprocessing.context.ForkServerContext:
    """How worker processes start: from a fork server, never forked from this process.

    The sweep's own process may have run torch (payload measurement starts its thread
    pools) or hold locks in other threads (tqdm, the pool's manager); a child forked from
    it can wait forever on one of them (seen: a CC step hung in `Tensor.float()`).
    """
    return multiprocessing.get_context("forkserver")


def _send_result(conn: Connection, task: PointTask) -> None:
    conn.send(run_point(task))
    conn.close()


def run_alone(task: PointTask) -> PointStatus:
    """Run one point in a process of its own; if that process dies, say how."""
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_send_result, args=(send, task), name=f"sweep-{task.key}")
    proc.start()
    send.close()
    status: PointStatus | None
    try:
        status = receive.recv()
    except EOFError:  # the process ended without sending: it died
        status = None
    except BaseException:
        proc.kill()
        proc.join()
        raise
    finally:
        receive.close()
    proc.join()
    if status is None:
        return PointStatus(task.key, "failed", error=died_message(proc.exitcode))
    status.note = "re-run alone: a worker process died while it ran in the pool"
    return status


def _on_dask(tasks: list[PointTask], address: str, done: Record) -> None:
    """Submit every point to the Dask scheduler; each result comes back with its metrics."""
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    with Client(address) as client:
        futures = {
            client.submit(run_point, t, pure=False, key=f"{t.key}-{uuid.uuid4().hex[:8]}"): t
            for t in tasks
        }
        for fut in dask_completed(futures):
            try:
                status = fut.result()
            except Exception as exc:  # KilledWorker: its workers died (distributed retries first)
                text = f"on the Dask cluster: {type(exc).__name__}: {exc}"
                status = PointStatus(futures[fut].key, "failed", error=text)
            done(status)
