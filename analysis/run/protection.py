# SPDX-License-Identifier: MIT
"""What protecting critical flows with 802.1Qbv gates costs the other traffic, per run.

Two tables, written beside flows.csv for runs whose ports have gate control
lists (scheduling "tsn" with [[tsn.gates]]):

- `gates.csv`, one row per gated port and traffic class: the share of each
  cycle its gate is open (what the gates leave that class of the link) and
  the time it was closed over the measured window. These follow from the
  gate control list alone, which both backends run, so they are the same
  whichever backend ran;
- `round_gates.csv` (rounds-paced runs), one row per completed round: how
  long the ML traffic class's gates were closed during the round on the two
  ports every round crosses, into the cloud (the uploads' bottleneck) and out
  of it (the downloads'). That is the link time the gates withheld from the
  round's traffic, an upper bound of what the round waited for them. What the
  round actually lost to the gates shows only against a run without them (the
  same scenario with `[[tsn.gates]]` removed): frames that were not queued
  while a gate was closed lost nothing, and frames that were would partly
  have queued anyway.

Per flow, flows.csv's `jitter_us` (max - min delay, the peak-to-peak delay
variation of IEC/IEEE 60802 and RFC 5481's PDV range) says how well a gate
schedule pins a flow's delay, next to its worst case and its deadline.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.run.csvfiles import write_table
from analysis.run.frames import frame
from simulation.model.gcl import GateControlList
from simulation.model.scenario import scenario_from_dict
from simulation.model.tsn import TsnSpec

if TYPE_CHECKING:
    import pandas as pd

GATES_CSV = "gates.csv"
ROUND_GATES_CSV = "round_gates.csv"
GATE_COLUMNS = [
    "node", "peer", "link", "traffic_class", "pcps", "classes", "cycle_us", "open_share",
    "closed_share", "closed_us",
]  # fmt: skip
ROUND_COLUMNS = ["round", "round_start_s", "round_done_s", "ml_closed_up_us", "ml_closed_down_us"]
US = 1e6


def closed_time(gcl: GateControlList, tc: int, start: int, end: int) -> int:
    """Picoseconds in [start, end) during which class `tc`'s gate is closed."""
    if end <= start:
        return 0
    bit = 1 << tc
    closed_per_cycle = sum(e.duration_ps for e in gcl.entries if not e.open_mask & bit)
    cycles = (end - start) // gcl.cycle_ps
    total = cycles * closed_per_cycle
    t = start + cycles * gcl.cycle_ps
    while t < end:  # the part cycle, entry by entry
        nxt = min(gcl.next_change(t), end)
        if not gcl.state(t) & bit:
            total += nxt - t
        t = nxt
    return total


def _classes_of(spec: TsnSpec, scenario: dict[str, Any]) -> dict[int, tuple[list[int], list[str]]]:
    """Traffic class -> (PCPs mapped to it, traffic classes of the flows using them)."""
    sc = scenario_from_dict(scenario)
    out: dict[int, tuple[list[int], list[str]]] = {}
    for pcp in range(8):
        out.setdefault(spec.queue_of(pcp), ([], []))[0].append(pcp)
    for flow in sc.all_flows():
        names = out[spec.queue_of(flow.pcp)][1]
        if flow.cls not in names:
            names.append(flow.cls)
    return out


def has_gates(scenario: dict[str, Any]) -> bool:
    """Whether the run's ports have gate control lists (then it has gates.csv)."""
    return bool((scenario.get("tsn") or {}).get("gates"))


def gate_table(scenario: dict[str, Any]) -> pd.DataFrame:
    """One row per gated port and traffic class (empty without gate control lists)."""
    sc = scenario_from_dict(scenario)
    spec = sc.tsn
    if spec is None or not spec.gates:
        return frame([], GATE_COLUMNS)
    classes = _classes_of(spec, scenario)
    start, end = sc.warmup_ps, sc.sim_time_limit_ps
    rows = []
    for gcl in spec.gates:
        for tc in range(spec.traffic_classes):
            closed = gcl.closed_fraction(tc)
            pcps, users = classes.get(tc, ([], []))
            rows.append(
                {
                    "node": gcl.node,
                    "peer": gcl.peer,
                    "link": f"{gcl.node}->{gcl.peer}",
                    "traffic_class": tc,
                    "pcps": " ".join(map(str, pcps)),
                    "classes": " ".join(users),
                    "cycle_us": gcl.cycle_ps / US,
                    "open_share": 1 - closed,
                    "closed_share": closed,
                    "closed_us": closed_time(gcl, tc, start, end) / US,
                }
            )
    return frame(rows, GATE_COLUMNS)


def round_gate_table(scenario: dict[str, Any], rounds: pd.DataFrame) -> pd.DataFrame:
    """Per completed round: the ML class's gate-closed time into and out of the cloud."""
    sc = scenario_from_dict(scenario)
    spec, spec_rounds = sc.tsn, sc.rounds
    if spec is None or not spec.gates or spec_rounds is None or rounds.empty:
        return frame([], ROUND_COLUMNS)
    cloud = spec_rounds.cloud
    peer = next(lk.other(cloud) for lk in sc.links if cloud in (lk.a, lk.b))
    tc = spec.queue_of(spec_rounds.pcp)
    up, down = spec.gate(peer, cloud), spec.gate(cloud, peer)
    rows = []
    for rnd, group in rounds.groupby("round", sort=True):
        begin = round(float(group["round_start_s"].min()) * 1e12)
        done = round(float(group["round_done_s"].max()) * 1e12)
        rows.append(
            {
                "round": int(rnd),
                "round_start_s": begin / 1e12,
                "round_done_s": done / 1e12,
                "ml_closed_up_us": 0.0 if up is None else closed_time(up, tc, begin, done) / US,
                "ml_closed_down_us": (
                    0.0 if down is None else closed_time(down, tc, begin, done) / US
                ),
            }
        )
    return frame(rows, ROUND_COLUMNS)


def write_protection_tables(
    run_dir: Path, scenario: dict[str, Any], rounds: pd.DataFrame | None
) -> None:
    """Write gates.csv (and round_gates.csv for rounds) when the run's ports have gates."""
    if not has_gates(scenario):
        return
    write_table(Path(run_dir) / GATES_CSV, gate_table(scenario))
    if rounds is not None:
        table = round_gate_table(scenario, rounds)
        write_table(Path(run_dir) / ROUND_GATES_CSV, table)
