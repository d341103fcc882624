"""Scale and speed targets, side by side in one run (prints; asserts nothing).

- `fogcosim run` end to end on the paper point (18 FNs, FCDDT): embedded against
  OMNeT++ where installed (target: at least 8x faster);
- set-up and simulation time and peak RSS at 18, 100, 400 and 1,000 FNs, method
  none (target at 1,000: at most 10 s and 500 MB);
- VGG-16 FL at 18 FNs: events per second (target: 500 k/s);
- a sweep from 4 to 400 FNs measures each method's payload once;
- `fogcosim cosim` of paper-sec21-rounds (TCP into 100-frame queues) and of
  paper-sec21-rounds-udp, 18 FNs, FL, 50 rounds: network simulation against training
  (aim: the network part no longer than training);
- the TCP rounds point alone: the engine's simulation against `opp_run` on the same
  scenario, events per second each (aim: the engine at least 5x faster).
Each measurement runs in a fresh process, so imports and peak RSS are its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simulation.backends.omnetpp import OmnetppBackend

PYTHON = sys.executable
REPEATS = 3

_SETUP = """
import json, resource, sys, time
t0 = time.perf_counter()
from simulation.profile import build_scenario, load_profile
from simulation.embedded.engine import Engine
sc = build_scenario(load_profile("paper-sec21"), int(sys.argv[1]), "none", 0)
t1 = time.perf_counter(); engine = Engine(sc); t2 = time.perf_counter()
result = engine.run(); t3 = time.perf_counter()
print(json.dumps({"build": t1 - t0, "setup": t2 - t1, "run": t3 - t2, "events": result.events,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_VGG = """
import json, sys, time
from pathlib import Path
from simulation.profile import build_scenario, load_profile, with_time
from simulation.embedded.engine import Engine
sc = with_time(build_scenario(load_profile(sys.argv[1]), 18, "fl", 0), sim_time_ps=10**12)
t0 = time.perf_counter(); engine = Engine(sc); t1 = time.perf_counter()
result = engine.run(); t2 = time.perf_counter()
print(json.dumps({"setup": t1 - t0, "run": t2 - t1, "events": result.events}))
"""

# VGG-16 FL's measured bytes per FN and round (docs/mlpayloads.md payload table), given so the
# benchmark does not train VGG-16 to measure them.
VGG_PROFILE = """
[profile]
name = "vgg-bench"
[topology]
layout = "star"
network = "VggBench"
[traffic.cloud]
[traffic.neighbours]
[traffic.ml]
period = "1000ms"
directions = "measured"
[traffic.ml.bytes.fl]
upload = 60983144
download = 60983144
"""


def _json(args: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    out = subprocess.run(args, capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def _cli_seconds(args: list[str], env: dict[str, str] | None = None) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def end_to_end() -> None:
    """`fogcosim run` on the paper point, embedded against OMNeT++."""
    with tempfile.TemporaryDirectory() as tmp:
        base = [PYTHON, "-m", "fogcosim.cli", "run", "--profile", "paper-sec21",
                "--fog-nodes", "18", "--method", "fcddt", "--out"]  # fmt: skip
        subprocess.run([*base, f"{tmp}/warm", "--backend", "embedded"], capture_output=True)
        embedded = _cli_seconds([*base, f"{tmp}/e", "--backend", "embedded"])
        events = json.loads(Path(f"{tmp}/e/run.json").read_text())["events"]
        print(
            f"fogcosim run, paper point (18 FNs, FCDDT), embedded: {embedded:.2f} s end to end "
            f"(best of {REPEATS}), {events:,} events = {events / embedded:,.0f} events/s"
        )
        if not OmnetppBackend().availability().ok:
            print("  OMNeT++: not installed here; the ratio needs it (target: >= 8x)")
            return
        omnetpp = _cli_seconds([*base, f"{tmp}/o", "--backend", "omnetpp"])
        ev = json.loads(Path(f"{tmp}/o/run.json").read_text())["events"]
        ratio = omnetpp / embedded
        verdict = "met" if ratio >= 8 else f"short by {8 / ratio:.1f}x"
        print(
            f"  OMNeT++: {omnetpp:.2f} s end to end, {ev:,} events = {ev / omnetpp:,.0f} events/s; "
            f"embedded is {ratio:.1f}x faster (target 8x: {verdict})"
        )


def scale() -> None:
    """Set-up and simulation time and peak RSS against fog-node count."""
    for n in (18, 100, 400, 1000):
        r = _json([PYTHON, "-c", _SETUP, str(n)])
        line = (
            f"paper profile, {n} FNs, method none: build {r['build']:.2f} s, set-up "
            f"{r['setup']:.2f} s, simulation {r['run']:.2f} s ({r['events']:,.0f} events, "
            f"{r['events'] / r['run']:,.0f}/s), peak RSS {r['rss_mb']:.0f} MB"
        )
        if n == 1000:
            total = r["setup"] + r["run"]
            ok = total <= 10 and r["rss_mb"] <= 500
            line += f" (target <= 10 s and <= 500 MB: {'met' if ok else 'not met'})"
        print(line)


def vgg() -> None:
    """Large messages: VGG-16 FL at 18 FNs, one simulated second."""
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "vgg.toml"
        profile.write_text(VGG_PROFILE)
        r = _json([PYTHON, "-c", _VGG, str(profile)])
    rate = r["events"] / r["run"]
    verdict = "met" if rate >= 500_000 else f"short by {500_000 / rate:.1f}x"
    print(
        f"VGG-16 FL (61 MB each way per FN and round), 18 FNs, 1 s simulated: set-up "
        f"{r['setup']:.2f} s, {r['events']:,.0f} events in {r['run']:.2f} s = {rate:,.0f} "
        f"events/s (target 500 k/s: {verdict})"
    )


def payload_once() -> None:
    """Building a 4..400 FN sweep's scenarios measures each method's payload once."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FOGCOSIM_CACHE": tmp}
        code = (
            "from simulation.profile import build_scenario, load_profile\n"
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
        "from analysis.cosim import train_run\n"
        "from analysis.metrics import summarize_run\n"
        "from simulation.embedded.backend import EmbeddedBackend\n"
        "from simulation.profile import build_scenario, load_profile, with_rounds\n"
        "sc = with_rounds(build_scenario(load_profile(sys.argv[2]), 18, 'fl', 0), 50)\n"
        "out = Path(sys.argv[1])\n"
        "t0 = time.perf_counter(); r = EmbeddedBackend().run(sc, out); t1 = time.perf_counter()\n"
        "summarize_run(out); t2 = time.perf_counter()\n"
        "m = train_run(out); t3 = time.perf_counter()\n"
        "print(json.dumps({'network': t1 - t0, 'analysis': t2 - t1, 'training': t3 - t2,\n"
        "                  'events': r.events, 'rounds': m['rounds_done']}))\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        r = _json([PYTHON, "-c", code, f"{tmp}/run", profile])
    verdict = "met" if r["network"] <= r["training"] else "not met"
    print(
        f"cosim {profile}, 18 FNs, FL, {r['rounds']:.0f} rounds: network simulation "
        f"{r['network']:.2f} s ({r['events']:,.0f} events), result analysis {r['analysis']:.2f} s, "
        f"training {r['training']:.2f} s (aim: network <= training: {verdict})"
    )


_TCP_POINT = """
import json, sys, time
from simulation.profile import build_scenario, load_profile, with_rounds
from simulation.embedded.engine import Engine
sc = with_rounds(build_scenario(load_profile("paper-sec21-rounds"), 18, "fl", 0), 50)
t0 = time.perf_counter(); result = Engine(sc).run(); t1 = time.perf_counter()
print(json.dumps({"run": t1 - t0, "events": result.events, "end": result.sim_time_ps / 1e12}))
"""


def tcp_rounds() -> None:
    """The TCP rounds study point: the engine's simulation against opp_run's, same scenario."""
    r = _json([PYTHON, "-c", _TCP_POINT])
    print(
        f"TCP rounds (paper-sec21-rounds, 18 FNs, FL, 50 rounds, {r['end']:.1f} s simulated): "
        f"engine simulation {r['run']:.2f} s, {r['events']:,.0f} events = "
        f"{r['events'] / r['run']:,.0f} events/s"
    )
    if not OmnetppBackend().availability().ok:
        print("  OMNeT++: not installed here; the ratio needs it (aim: engine >= 5x faster)")
        return
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from simulation.backends.omnetpp import OmnetppBackend\n"
        "from simulation.profile import build_scenario, load_profile, with_rounds\n"
        "sc = with_rounds(build_scenario(load_profile('paper-sec21-rounds'), 18, 'fl', 0), 50)\n"
        "res = OmnetppBackend().run(sc, Path(sys.argv[1]), timeout_s=3600)\n"
        "print(json.dumps({'run': res.wall_seconds, 'events': res.events}))\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        o = _json([PYTHON, "-c", code, f"{tmp}/o"])
    ratio = o["run"] / r["run"]
    verdict = "met" if ratio >= 5 else f"short by {5 / ratio:.1f}x"
    print(
        f"  OMNeT++ (opp_run, wall incl. start and result files): {o['run']:.2f} s, "
        f"{o['events']:,.0f} events = {o['events'] / o['run']:,.0f} events/s; the engine is "
        f"{ratio:.1f}x faster (aim 5x: {verdict})"
    )


def main() -> None:
    """Print every figure."""
    end_to_end()
    scale()
    vgg()
    payload_once()
    cosim("paper-sec21-rounds")
    cosim("paper-sec21-rounds-udp")
    tcp_rounds()


if __name__ == "__main__":
    main()
