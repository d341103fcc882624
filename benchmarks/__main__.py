# SPDX-License-Identifier: MIT
"""Run every `benchmarks/bench_*.py` module's `main()`, in name order (ML last); write results.md.

Each module prints its figures as it goes and adds rows to `benchmarks.table`;
at the end the table is written to benchmarks/results.md (committed as the
measured record). A failing module is reported, noted in results.md, and the
rest still run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from benchmarks import table
from simulation.backends.omnetpp.backend import OmnetppBackend, OmnetppInstall, find_install


def simulators() -> list[str]:
    """A line naming the OMNeT++ + INET found, or why none was."""
    found = find_install()
    if isinstance(found, OmnetppInstall):
        v = found.versions()
        return [f"- OMNeT++ {v.omnetpp} + INET {v.inet} (`{Path(found.opp_run).name}`)"]
    reason = OmnetppBackend().availability().reason
    return [f"- OMNeT++: not found, its columns are empty ({reason})"]


def main() -> int:
    """Run all benchmark modules; a failing one is reported and the rest still run."""
    folder = Path(__file__).parent
    # bench_mlpayloads last: it loads torch and the models into this process, and children
    # forked after it would count that memory in their own peak (ru_maxrss)
    names = sorted(
        (m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_")),
        key=lambda n: (n == "bench_mlpayloads", n),
    )
    failed = []
    for name in names:
        print(f"== benchmarks.{name}", flush=True)
        start = time.perf_counter()
        try:
            importlib.import_module(f"benchmarks.{name}").main()
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"== benchmarks.{name}: {time.perf_counter() - start:.1f} s", flush=True)
    notes = simulators() + [f"- failed (see the console): {', '.join(failed)}"] * bool(failed)
    print(f"wrote {table.write(preamble=notes)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
