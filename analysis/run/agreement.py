# SPDX-License-Identifier: MIT
"""`make agreement`: run scenarios in both backends and tabulate how far they differ.

Needs OMNeT++ + INET. For each profile x fog-node count x method it runs the
same Scenario in OMNeT++/INET and in the embedded engine and prints one row:
relative difference of the mean critical delay, the largest per-link
utilization difference, whether every message count matches, and wall times.
The table is written to `<out>/agreement.md` and `<out>/agreement.csv`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis.run.metrics import link_utilization, load_results, run_metrics
from fogcosim import atomic
from simulation.backends.omnetpp.backend import OmnetppBackend
from simulation.embedded.backend import EmbeddedBackend
from simulation.profile.build import build_scenario, load_profile, shipped_profiles
from simulation.profile.traffic import METHODS

COUNTS = [f"{c}_{k}" for c in ("critical", "ml", "background") for k in ("sent", "delivered")]


def compare(run_omnetpp: Path, run_embedded: Path) -> dict[str, object]:
    """One table row comparing two run folders of the same scenario."""
    a, b = run_metrics(run_omnetpp), run_metrics(run_embedded)
    sa, _, ra = load_results(run_omnetpp)
    sb, _, rb = load_results(run_embedded)
    la, lb = link_utilization(sa, ra), link_utilization(sb, rb)
    util_abs = (la["busy"] - lb["busy"]).abs()
    util_rel = (util_abs / la["busy"].where(la["busy"] > 0)).fillna(0)
    delay_a, delay_b = a["critical_delay_mean_us"], b["critical_delay_mean_us"]
    return {
        "scenario": f"{a['profile']} n={a['fog_nodes']} {a['method']}",
        "critical_delay_us_omnetpp": round(float(delay_a), 4),
        "critical_delay_us_embedded": round(float(delay_b), 4),
        "delay_rel_diff": abs(delay_b - delay_a) / delay_a if delay_a else 0.0,
        "util_max_rel_diff": float(util_rel.max()),
        "util_max_abs_diff": float(util_abs.max()),
        "counts_equal": all(a[k] == b[k] for k in COUNTS),
        "messages": int(a["all_delivered"]),
    }


def main(argv: list[str] | None = None) -> int:
    """Run every combination in both backends; print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", default=",".join(shipped_profiles()))
    parser.add_argument("--fog-nodes", default="4,18")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("results/agreement"))
    args = parser.parse_args(argv)
    omnetpp = OmnetppBackend()
    if not omnetpp.availability().ok:
        print(f"agreement needs OMNeT++: {omnetpp.availability().reason}", file=sys.stderr)
        return 2
    rows = []
    for name in args.profiles.split(","):
        profile = load_profile(name)
        for n in profile.fog_counts(tuple(int(x) for x in args.fog_nodes.split(","))):
            for method in args.methods.split(","):
                sc = build_scenario(profile, n, method, args.seed)
                base = args.out / "runs" / sc.name
                ro = omnetpp.run(sc, base / "omnetpp")
                re_ = EmbeddedBackend().run(sc, base / "embedded")
                row = compare(base / "omnetpp", base / "embedded")
                row["wall_s_omnetpp"] = round(ro.wall_seconds, 3)
                row["wall_s_embedded"] = round(re_.wall_seconds, 3)
                rows.append(row)
                print(row, flush=True)
    table = pd.DataFrame(rows)
    atomic.write_text(args.out / "agreement.csv", table.to_csv(index=False))
    atomic.write_text(args.out / "agreement.md", table.to_markdown(index=False) + "\n")
    print(table.to_markdown(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
