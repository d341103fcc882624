# SPDX-License-Identifier: MIT
"""Scale and speed targets, side by side in one run (prints and records; asserts nothing).

- `fogcosim run` end to end on the paper point (18 FNs, FCDDT): embedded against
  OMNeT++ where installed (target: at least 8x faster);
- `fogcosim sweep` of paper-sec21 with each backend (target: at least 10x faster);
  by default one network seed (24 of its 240 runs) on both backends, the whole
  sweep with FOGCOSIM_BENCH_FULL_SWEEP=1;
- set-up and simulation time and peak RSS at 18, 100, 400 and 1,000 FNs, method
  none (target at 1,000: at most 10 s and 500 MB);
- a sweep from 4 to 400 FNs measures each method's payload once;
- `fogcosim cosim` of paper-sec21-rounds (TCP into 100-frame queues) and of
  paper-sec21-rounds-udp, 18 FNs, FL, 50 rounds: network simulation against training
  (aim: the network part no longer than training).
Each measurement runs in a fresh process, so imports and peak RSS are its own.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.table import rate, seconds, section, verdict
from simulation.backends.omnetpp.backend import OmnetppBackend

PYTHON = sys.executable
REPEATS = 3
FULL_SWEEP = os.environ.get("FOGCOSIM_BENCH_FULL_SWEEP") == "1"
END_TO_END = "`fogcosim run` and `fogcosim sweep` end to end, embedded against OMNeT++"
E2E_COLUMNS = ["command", "embedded", "OMNeT++ backend", "embedded faster", "target"]

_SETUP = """
import json, sys, time
t0 = time.perf_counter()
from simulation.profile.build import build_scenario, load_profile
from simulation.embedded.engine import Engine
from benchmarks.measure import peak_rss_mb
sc = build_scenario(load_profile("paper-sec21"), int(sys.argv[1]), "none", 0)
t1 = time.perf_counter(); engine = Engine(sc); t2 = time.perf_counter()
result = engine.run(); t3 = time.perf_counter()
print(json.dumps({"build": t1 - t0, "setup": t2 - t1, "run": t3 - t2, "events": result.events,
                  "rss_mb": peak_rss_mb()}))
"""


def _json(args: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    out = subprocess.run(args, capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def _cli_seconds(args: list[str], repeats: int = REPEATS) -> tuple[float, float]:
    """Best wall time of `repeats` runs, and the largest peak RSS (MB) of any process in them."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def end_to_end() -> None:
    """`fogcosim run` on the paper point, embedded against OMNeT++."""
    table = section(END_TO_END, E2E_COLUMNS)
    with tempfile.TemporaryDirectory() as tmp:
        base = [PYTHON, "-m", "fogcosim.cli", "run", "--profile", "paper-sec21",
                "--fog-nodes", "18", "--method", "fcddt", "--no-progress", "--out"]  # fmt: skip
        subprocess.run([*base, f"{tmp}/warm", "--backend", "embedded"], capture_output=True)
        embedded, _ = _cli_seconds([*base, f"{tmp}/e", "--backend", "embedded"])
        events = json.loads(Path(f"{tmp}/e/run.json").read_text())["events"]
        phases(embedded, json.loads(Path(f"{tmp}/e/run.json").read_text()))
        print(
            f"fogcosim run, paper point (18 FNs, FCDDT), embedded: {embedded:.2f} s end to end "
            f"(best of {REPEATS}), {events:,} events = {events / embedded:,.0f} events/s"
        )
        what = "`fogcosim run`, paper point (18 FNs, FCDDT), best of 3"
        if not OmnetppBackend().availability().ok:
            print("  OMNeT++: not installed here; the ratio needs it (target: >= 8x)")
            table.rows.append([what, seconds(embedded), "skipped (no OMNeT++)", "n/a", "8x"])
            return
        omnetpp, _ = _cli_seconds([*base, f"{tmp}/o", "--backend", "omnetpp"])
        ev = json.loads(Path(f"{tmp}/o/run.json").read_text())["events"]
        ratio = omnetpp / embedded
        print(
            f"  OMNeT++: {omnetpp:.2f} s end to end, {ev:,} events = {ev / omnetpp:,.0f} events/s; "
            f"embedded is {ratio:.1f}x faster (target 8x)"
        )
        table.rows.append(
            [what, seconds(embedded), seconds(omnetpp), f"{ratio:.1f}x", f"8x: {verdict(ratio, 8)}"]
        )


#: what `fogcosim run --backend embedded` imports before it runs (the command's modules)
_IMPORTS = "import fogcosim.cli, analysis.cli.run, simulation.embedded.backend"


def phases(wall: float, run: dict[str, Any]) -> None:
    """Where `fogcosim run`'s time goes (the last embedded run's own timings): the limit."""
    start, _ = _cli_seconds([PYTHON, "-c", "pass"])
    imports, _ = _cli_seconds([PYTHON, "-c", _IMPORTS])
    detail = {k: float(v) for k, v in run["detail"].items() if k.endswith("_seconds")}
    parts = {
        "Python start": start,
        "imports of the command's modules": imports - start,
        "scenario.json, omnetpp.ini, NED (inputs)": detail["inputs_seconds"],
        f"simulation ({run['detail']['engine']} engine)": detail["engine_seconds"],
        ".sca/.vec result files": detail["results_seconds"],
    }
    parts["the rest: parser, profile to Scenario, metrics and tables"] = wall - sum(parts.values())
    table = section(
        "Where `fogcosim run` (embedded, paper point) spends its time",
        ["part", "seconds", "share"],
    )
    for part, took in parts.items():
        table.rows.append([part, seconds(took), f"{took / wall:.0%}"])
    table.rows.append(["whole command (best of 3)", seconds(wall), "100%"])
    table.notes.append(
        "Python start and imports: `python -c` alone, best of 3; the run's parts from its "
        "run.json; the rest is the difference. At 8x the whole command would have to take an "
        "eighth of the OMNeT++ backend's, which its fixed parts alone exceed."
    )
    print("  where it goes: " + ", ".join(f"{k} {v:.3f} s" for k, v in parts.items()))


#: what `fogcosim sweep` imports before its first run (the sweep command's module)
_SWEEP_IMPORTS = "import fogcosim.cli, analysis.cli.study"


def sweep_phases(backend: str, wall: float, imports: float, out: Path) -> None:
    """Where a sweep's time goes: the command's imports, then the runs (summed over workers)."""
    runs = [json.loads(p.read_text()) for p in out.glob("runs/*/metrics.json")]
    backend_s = sum(float(r["wall_seconds"]) for r in runs)
    table = section(
        "Where the sweep (24 runs, 2 workers, no report) spends its time",
        ["backend", "whole sweep", "Python start + the command's imports",
         "the runs' backend time, summed over workers", "the rest (worker start, summaries)"],
    )  # fmt: skip
    rest = wall - imports - backend_s / 2
    table.rows.append(
        [backend, seconds(wall), seconds(imports), seconds(backend_s), f"about {seconds(rest)}"]
    )
    if backend == "embedded":
        table.notes.append(
            "The imports (`python -c` of the sweep command's modules, best of 3: the report "
            "and training stack, torch, matplotlib and SciPy) come before the first run, the "
            "same for both backends; the rest is the whole sweep less the imports and half "
            "the summed backend time (2 workers)."
        )
    print(f"  {backend}: imports {imports:.2f} s, runs' backend time {backend_s:.2f} s summed")


def sweep() -> None:
    """`fogcosim sweep` of paper-sec21 with each backend (one seed unless FULL_SWEEP)."""
    table = section(END_TO_END, E2E_COLUMNS)
    seeds = [] if FULL_SWEEP else ["--seeds", "1"]
    runs = 240 if FULL_SWEEP else 24
    what = f"`fogcosim sweep --profile paper-sec21{' --seeds 1' if seeds else ''}` ({runs} runs)"
    walls = {}
    imports, _ = _cli_seconds([PYTHON, "-c", _SWEEP_IMPORTS])  # the same for either backend
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("embedded", "omnetpp"):
            if backend == "omnetpp" and not OmnetppBackend().availability().ok:
                break
            cmd = [PYTHON, "-m", "fogcosim.cli", "sweep", "--profile", "paper-sec21", *seeds,
                   "--backend", backend, "--workers", "2", "--no-report", "--out",
                   f"{tmp}/{backend}"]  # fmt: skip
            walls[backend], _ = _cli_seconds(cmd, repeats=1)
            print(f"{what}, {backend}, 2 workers, no report: {walls[backend]:.1f} s", flush=True)
            sweep_phases(backend, walls[backend], imports, Path(tmp) / backend)
        start = time.perf_counter()
        subprocess.run([PYTHON, "-m", "fogcosim.cli", "report", f"{tmp}/embedded"],
                       capture_output=True, check=True)  # fmt: skip
        report = time.perf_counter() - start
    print(f"  the report of that sweep: {report:.1f} s (the same for either backend)")
    table.notes.append(
        f"Sweeps: 2 worker processes, `--no-report`, once each; its report (`fogcosim report`) "
        f"took {report:.1f} s more, the same whichever backend ran. "
        + ("The whole study (10 seeds, 240 runs)." if FULL_SWEEP else
           "One network seed of the study's ten (24 of 240 runs: every fog-node count and "
           "method) on both backends, to keep `make bench` short; "
           "FOGCOSIM_BENCH_FULL_SWEEP=1 runs all 240.")
    )  # fmt: skip
    if "omnetpp" not in walls:
        table.rows.append([what, seconds(walls["embedded"]), "skipped (no OMNeT++)", "n/a", "10x"])
        return
    ratio = walls["omnetpp"] / walls["embedded"]
    print(f"  embedded is {ratio:.1f}x faster (target 10x)")
    table.rows.append(
        [what, seconds(walls["embedded"]), seconds(walls["omnetpp"]), f"{ratio:.1f}x",
         f"10x: {verdict(ratio, 10)}"]
    )  # fmt: skip


def scale() -> None:
    """Set-up and simulation time and peak RSS against fog-node count."""
    table = section(
        "Scale: paper-sec21, method none, one hyperperiod, engine",
        ["FNs", "build", "set-up", "simulation", "events", "events/s", "peak RSS", "target"],
    )
    for n in (18, 100, 400, 1000):
        r = _json([PYTHON, "-c", _SETUP, str(n)])
        line = (
            f"paper profile, {n} FNs, method none: build {r['build']:.2f} s, set-up "
            f"{r['setup']:.2f} s, simulation {r['run']:.2f} s ({r['events']:,.0f} events, "
            f"{r['events'] / r['run']:,.0f}/s), peak RSS {r['rss_mb']:.0f} MB"
        )
        target = ""
        if n == 1000:
            total = r["setup"] + r["run"]
            ok = total <= 10 and r["rss_mb"] <= 500
            target = f"<= 10 s and <= 500 MB: {'met' if ok else '**not met**'}"
            line += f" (target {target})"
        print(line)
        table.rows.append(
            [f"{n:,}", seconds(r["build"]), seconds(r["setup"]), seconds(r["run"]),
             f"{r['events']:,.0f}", rate(r["events"], r["run"]), f"{r['rss_mb']:.0f} MB", target]
        )  # fmt: skip


def payload_once() -> None:
    """Building a 4..400 FN sweep's scenarios measures each method's payload once."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FOGCOSIM_CACHE": tmp}
        code = (
            "from simulation.profile.build import build_scenario, load_profile\n"
            "p = load_profile('paper-sec21')\n"
            "for n in (4, 10, 18, 50, 100, 400):\n"
            "    for m in ('cc', 'fl', 'fcddt'):\n"
            "        build_scenario(p, n, m, 0)\n"
        )
        start = time.perf_counter()
        subprocess.run([PYTHON, "-c", code], check=True, capture_output=True, env=env)
        wall = time.perf_counter() - start
        measured = len(list(Path(tmp).rglob("*.json")))
    print(
        f"scenarios of a 4..400 FN sweep (6 counts x 3 methods), empty cache: {wall:.1f} s, "
        f"{measured} payload records measured (target: one per method, 3)"
    )


def cosim(profile: str) -> None:
    """Training in the loop: network simulation against training, 18 FNs, FL, 50 rounds."""
    code = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from analysis.run.cosim import train_run\n"
        "from analysis.run.metrics import summarize_run\n"
        "from simulation.embedded.backend import EmbeddedBackend\n"
        "from simulation.profile.build import build_scenario, load_profile, with_rounds\n"
        "sc = with_rounds(build_scenario(load_profile(sys.argv[2]), 18, 'fl', 0), 50)\n"
        "out = Path(sys.argv[1])\n"
        "t0 = time.perf_counter(); r = EmbeddedBackend().run(sc, out); t1 = time.perf_counter()\n"
        "summarize_run(out, r.results); t2 = time.perf_counter()\n"
        "m = train_run(out, r.results); t3 = time.perf_counter()\n"
        "print(json.dumps({'network': t1 - t0, 'analysis': t2 - t1, 'training': t3 - t2,\n"
        "                  'events': r.events, 'rounds': m['rounds_done']}))\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        r = _json([PYTHON, "-c", code, f"{tmp}/run", profile])
    verdict_text = "met" if r["network"] <= r["training"] else "**not met**"
    print(
        f"cosim {profile}, 18 FNs, FL, {r['rounds']:.0f} rounds: network simulation "
        f"{r['network']:.2f} s ({r['events']:,.0f} events), result analysis {r['analysis']:.2f} s, "
        f"training {r['training']:.2f} s (aim: network <= training: {verdict_text})"
    )
    section(
        "Training in the loop (`cosim`), 18 FNs, FL, 50 rounds",
        ["profile", "network simulation", "events", "metrics", "training", "network <= training"],
    ).rows.append(
        [profile, seconds(r["network"]), f"{r['events']:,.0f}", seconds(r["analysis"]),
         seconds(r["training"]), verdict_text]
    )  # fmt: skip


def main() -> None:
    """Print and record every figure."""
    end_to_end()
    sweep()
    scale()
    payload_once()
    cosim("paper-sec21-rounds")
    cosim("paper-sec21-rounds-udp")


if __name__ == "__main__":
    main()
