# SPDX-License-Identifier: MIT
"""Result-file reader and writer speed: vector data lines, scalar-file lines, the reference files.

Writes synthetic files with `fogcosim.resultfiles.writer` into a temporary folder,
reads them back with `analysis.read_result_files`, prints rows (lines) per
second; best of `REPEATS` runs each.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from analysis import read_result_files
from fogcosim.resultfiles.writer import RunHeader, ScalarFileWriter, VectorFileWriter

SAMPLES = 1_000_000
VECTORS = 20
SCALARS = 20_000
REPEATS = 3
REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "omnetpp-reference"


def _best(action: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def _write_vectors(path: Path, mixed: bool) -> None:
    """SAMPLES samples over VECTORS vectors; `mixed`: every other vector without event numbers."""
    rng = np.random.default_rng(0)
    per = SAMPLES // VECTORS
    header = RunHeader.omnetpp(configname="Bench", network="Net")
    with VectorFileWriter(path, *header) as vec:
        for i in range(VECTORS):
            ticks = np.cumsum(rng.integers(1, 10**9, size=per))
            events = np.arange(per) * VECTORS + i if not (mixed and i % 2) else None
            vec.vector(f"Net.host[{i}]", "delay:vector", ticks, rng.random(per), {"unit": "s"},
                       event_numbers=events, time_unit="ps")  # fmt: skip


def _write_scalars(path: Path) -> int:
    header = RunHeader.omnetpp(configname="Bench", network="Net")
    with ScalarFileWriter(path, *header) as sca:
        for i in range(SCALARS):
            sca.scalar(f"Net.host[{i}].app[0]", "packetSent:count", float(i),
                       {"recordingmode": "count", "source": "packetSent", "title": "packets sent",
                        "unit": "pk"})  # fmt: skip
    return sum(1 for _ in path.open())


def main() -> None:
    """Print write and read throughput."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for mixed in (False, True):
            path = folder / f"v{int(mixed)}.vec"
            kind = "ETV+TV mixed" if mixed else "ETV"
            seconds = _best(lambda p=path, m=mixed: _write_vectors(p, m))
            size = path.stat().st_size / 1e6
            print(f"write .vec ({kind}, {SAMPLES:,} samples, {size:.0f} MB): {seconds:.2f} s, "
                  f"{SAMPLES / seconds:,.0f} samples/s")  # fmt: skip
            seconds = _best(lambda p=path: read_result_files(p))
            print(f"read  .vec ({kind}): {seconds:.2f} s, {SAMPLES / seconds:,.0f} data lines/s, "
                  f"{size / seconds:.0f} MB/s")  # fmt: skip
            path.unlink()
            path.with_suffix(".vci").unlink()
        path = folder / "s.sca"
        lines = _write_scalars(path)
        seconds = _best(lambda: read_result_files(path))
        print(f"read  .sca ({SCALARS:,} scalars with 4 attrs, {lines:,} lines): {seconds:.2f} s, "
              f"{lines / seconds:,.0f} lines/s")  # fmt: skip
    if REFERENCE.is_dir():
        files = sorted((REFERENCE / "results").glob("*.[sv][ce][ac]"))
        lines = sum(sum(1 for _ in f.open()) for f in files)
        seconds = _best(lambda: read_result_files(REFERENCE / "results"))
        print(f"read  OMNeT++ reference ({len(files)} files, {lines:,} lines): {seconds:.3f} s, "
              f"{lines / seconds:,.0f} lines/s")  # fmt: skip


if __name__ == "__main__":
    main()
