# SPDX-License-Identifier: MIT
"""Per-flow and per-queue results of one run: flows.csv and queues.csv.

A flow's row says what a plant engineer asks of it: how many messages were
sent, delivered, dropped by a full queue and still in flight when the run
ended (sent = delivered + dropped + in flight), their delay (mean, p50, p99,
max), its jitter (max - min: the peak-to-peak delay variation), its
deadline and how many messages missed it (a dropped message is a miss, and
so is a message still in flight at the end that was already older than the
deadline). Delays are over delivered messages only; the messages in
flight at the end are censored (no delay known): their count, how many were
overdue and their ages are reported beside, so a reader sees what the delay
statistics leave out. The figures come from the FlowRecorder results both backends write
(`<flow>:<stat>:count`, `<flow>:delay:histogram`, `<flow>:delay:vector`), so
they mean the same whichever backend ran. Percentiles need the delay vectors
(NaN without them).

Each table is built as rows (`flow_rows`, `hop_rows`, `queue_rows`) from a
run's `RunResults` and written without pandas (`fogcosim run` imports none).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np

from analysis.run.csvfiles import write_rows
from analysis.run.tcp import COLUMNS as TCP_COLUMNS
from analysis.run.tcp import TCP_CSV, tcp_rows
from fogcosim.resultfiles.runresults import RunResults, Stat
from simulation.model.load import uncontended_delay_ps
from simulation.model.scenario import Scenario, scenario_from_dict

FLOWS_CSV = "flows.csv"
QUEUES_CSV = "queues.csv"
US = 1e6
COLUMNS = [
    "flow", "class", "src", "dst", "period_s", "size_bytes", "priority", "deadline_us",
    "min_delay_us", "sent", "delivered", "dropped", "in_flight", "in_flight_overdue",
    "in_flight_age_max_us", "in_flight_age_mean_us", "delay_mean_us", "delay_p50_us",
    "delay_p99_us", "delay_max_us", "deadline_misses", "miss_ratio", "lost", "worst_wait_link",
    "worst_wait_max_us", "worst_wait_mean_us", "pcp", "delay_min_us", "jitter_us",
    "guaranteed_us", "loop_deadline_us", "loop_completed", "loop_lost", "loop_pending",
    "loop_misses", "rtt_mean_us", "rtt_p99_us", "rtt_max_us",
]  # fmt: skip
HOPS_CSV = "hops.csv"
HOP_COLUMNS = [
    "flow", "class", "hop", "link", "frames", "wait_mean_us", "wait_max_us",
]  # fmt: skip
#: (hop, mean wait s, max wait s, frames) of one flow's hops
Waits = list[tuple[int, float, float, int]]


def _flow_rows(manifest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in manifest if r["role"] == "flow"]


def flow_rows(
    manifest: list[dict[str, Any]], results: RunResults, scenario: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """One row per flow of the run (none when the run has no flow results).

    With the run's scenario, `min_delay_us` is each flow's physical minimum: one
    message alone on its path (`simulation.model.load.uncontended_delay_ps`).
    """
    rows = _flow_rows(manifest)
    if not rows:
        return []
    where = None if scenario is None else scenario_from_dict(scenario)
    #: a synthesised gate schedule's guaranteed latency of each protected flow, us
    guarantees = {
        flow: bound / 1e6
        for flow, bound in (where.tsn.guarantees if where is not None and where.tsn else ())
    }
    mss = {} if where is None else {f.name: f.tcp.mss for f in where.all_flows() if f.tcp}
    module = rows[0]["module"]
    counts = results.module_scalars(module)
    hop_waits = _hop_waits(counts)
    out = []
    for r in rows:
        name = r["flow"]

        def count(stat: str, name: str = name) -> int:
            return int(counts.get(f"{name}:{stat}:count", 0))

        def age_us(stat: str, name: str = name) -> float:
            return float(counts.get(f"{name}:inFlightAge:{stat}", math.nan)) * US

        sent, delivered, dropped = count("sent"), count("delivered"), count("dropped")
        st = results.stat(module, f"{name}:delay:histogram")
        n = st.count if st is not None else 0
        mean = st.mean * US if st is not None and n else math.nan
        top = st.max * US if st is not None and n else math.nan
        low = st.min * US if st is not None and n else math.nan
        delays = results.vector(module, f"{name}:delay:vector")[1]
        p50 = p99 = math.nan
        if n and len(delays) == n:  # the vector holds every delivered message
            p50, p99 = (float(np.percentile(delays, q)) * US for q in (50, 99))
        deadline = r.get("deadline_ps")
        misses = count("deadlineMisses")
        loop = _loop_cells(results, module, counts, name, r.get("loop_deadline_ps"))
        waits = hop_waits.get(name, [])
        worst = max(waits, key=lambda w: (w[2], -w[0])) if waits else None
        links = [] if where is None else _path_links(where, r["host"], r["dest"])
        out.append(
            {
                "flow": name,
                "class": r["class"],
                "src": r["host"],
                "dst": r["dest"],
                "period_s": r["period_ps"] / 1e12,
                "size_bytes": r["size_bytes"],
                "priority": r.get("priority"),
                "deadline_us": math.nan if deadline is None else deadline / 1e6,
                "min_delay_us": math.nan
                if where is None
                else uncontended_delay_ps(
                    where, r["host"], r["dest"], r["size_bytes"], mss.get(name)
                )
                / 1e6,
                "sent": sent,
                "delivered": delivered,
                "dropped": dropped,
                "in_flight": count("inFlight"),
                "in_flight_overdue": count("inFlightOverdue"),
                "in_flight_age_max_us": age_us("max"),
                "in_flight_age_mean_us": age_us("mean"),
                "delay_mean_us": mean,
                "delay_p50_us": p50,
                "delay_p99_us": p99,
                "delay_max_us": top,
                "deadline_misses": misses if deadline is not None else math.nan,
                "miss_ratio": misses / sent if deadline is not None and sent else math.nan,
                "lost": dropped > 0,
                "worst_wait_link": (None if worst is None or not links else links[worst[0]]),
                "worst_wait_max_us": math.nan if worst is None else worst[2] * US,
                "worst_wait_mean_us": math.nan if worst is None else worst[1] * US,
                "pcp": r.get("pcp"),
                "delay_min_us": low,
                "jitter_us": top - low,
                "guaranteed_us": guarantees.get(name, math.nan),
                **loop,
            }
        )
    return out


def _loop_cells(
    results: RunResults,
    module: str,
    counts: dict[str, float],
    name: str,
    loop_deadline_ps: int | None,
) -> dict[str, Any]:
    """A closed loop's round trips, on its request flow's row (NaN for other flows).

    The round trip runs from the request's send to its reply's arrival; a loop
    miss is a round trip over `loop_deadline`, a lost request or reply, or one
    still pending at the end and already older than the deadline.
    """
    st = results.stat(module, f"{name}:rtt:histogram")
    if st is None:
        return dict.fromkeys(COLUMNS[COLUMNS.index("loop_deadline_us") :], math.nan)
    n = st.count
    rtts = results.vector(module, f"{name}:rtt:vector")[1]
    p99 = float(np.percentile(rtts, 99)) * US if n and len(rtts) == n else math.nan
    return {
        "loop_deadline_us": math.nan if loop_deadline_ps is None else loop_deadline_ps / 1e6,
        "loop_completed": n,
        "loop_lost": int(counts.get(f"{name}:loopLost:count", 0)),
        "loop_pending": int(counts.get(f"{name}:loopPending:count", 0)),
        "loop_misses": int(counts.get(f"{name}:loopMisses:count", 0))
        if loop_deadline_ps is not None
        else math.nan,
        "rtt_mean_us": st.mean * US if n else math.nan,
        "rtt_p99_us": p99,
        "rtt_max_us": st.max * US if n else math.nan,
    }


def _hop_waits(counts: dict[str, float]) -> dict[str, Waits]:
    """Per flow: (hop, mean wait s, max wait s, frames) of each hop where its frames waited.

    From the FlowRecorder's `<flow>:hop<k>Wait:count|mean|max` scalars, hops in order.
    """
    out: dict[str, Waits] = {}
    for name in counts:
        if not name.endswith("Wait:count"):
            continue
        flow, sep, hop_text = name[: -len("Wait:count")].rpartition(":hop")
        if not sep or not hop_text.isdigit():
            continue
        key = f"{flow}:hop{hop_text}Wait:"
        out.setdefault(flow, []).append(
            (
                int(hop_text),
                float(counts[key + "mean"]),
                float(counts[key + "max"]),
                int(counts[key + "count"]),
            )
        )
    return {flow: sorted(waits) for flow, waits in out.items()}


def _path_links(scenario: Scenario, src: str, dst: str) -> list[str]:
    """`a->b` of each hop of the path from `src` to `dst`."""
    nodes = scenario.path(src, dst)
    return [f"{a}->{b}" for a, b in itertools.pairwise(nodes)]


def hop_rows(
    manifest: list[dict[str, Any]], results: RunResults, scenario: dict[str, Any]
) -> list[dict[str, Any]]:
    """Per flow and hop of its path: how long its frames waited in that hop's queue.

    Where a flow's delay was spent: the frames each interface queue on its path
    sent (after the warm-up), their mean and longest wait there.
    """
    rows = _flow_rows(manifest)
    if not rows:
        return []
    sc = scenario_from_dict(scenario)
    waits = _hop_waits(results.module_scalars(rows[0]["module"]))
    out = []
    for r in rows:
        links = _path_links(sc, r["host"], r["dest"])
        for hop, mean, longest, frames in waits.get(r["flow"], []):
            out.append(
                {
                    "flow": r["flow"],
                    "class": r["class"],
                    "hop": hop,
                    "link": links[hop],
                    "frames": frames,
                    "wait_mean_us": mean * US,
                    "wait_max_us": longest * US,
                }
            )
    return out


QUEUE_COLUMNS = [
    "queue", "node", "link", "level", "drops", "peak_frames", "peak_bytes", "mean_frames",
    "mean_bytes", "wait_mean_us", "wait_max_us", "frames_through",
]  # fmt: skip


def queue_rows(manifest: list[dict[str, Any]], results: RunResults) -> list[dict[str, Any]]:
    """One row per interface queue: its link, level, drops, occupancy and waiting time.

    From INET's own queue statistics (both backends record them): peak and
    time-average occupancy in frames (`queueLength`) and bytes (`queueBitLength`
    / 8), and the waiting time of every frame the MAC took (`queueingTime`).
    Runs recorded before these results have NaN there.
    """
    out = []
    for r in manifest:
        if r["role"] != "queue":
            continue
        m = r["module"]
        st: Stat | None = results.stat(m, "queueingTime:histogram")
        n = st.count if st is not None else 0
        out.append(
            {
                "queue": m,
                "node": r["host"],
                "link": f"{r['host']}->{r['dest']}",
                "level": r["level"],
                "drops": int(results.scalar(m, "droppedPacketsQueueOverflow:count", 0)),
                "peak_frames": results.scalar(m, "queueLength:max"),
                "peak_bytes": results.scalar(m, "queueBitLength:max") / 8,
                "mean_frames": results.scalar(m, "queueLength:timeavg"),
                "mean_bytes": results.scalar(m, "queueBitLength:timeavg") / 8,
                "wait_mean_us": st.mean * US if st is not None and n else math.nan,
                "wait_max_us": st.max * US if st is not None and n else math.nan,
                "frames_through": n if st is not None else math.nan,
            }
        )
    return out


def write_tables(
    run_dir: Path,
    manifest: list[dict[str, Any]],
    results: RunResults,
    scenario: dict[str, Any],
    flows: list[dict[str, Any]] | None = None,
) -> None:
    """Write flows.csv, hops.csv and queues.csv (and tcp.csv when TCP ran) into the run folder.

    `flows`: the run's `flow_rows`, when the caller has them already.
    """
    run_dir = Path(run_dir)
    if flows is None:
        flows = flow_rows(manifest, results, scenario)
    write_rows(run_dir / FLOWS_CSV, flows, COLUMNS)
    write_rows(run_dir / HOPS_CSV, hop_rows(manifest, results, scenario), HOP_COLUMNS)
    write_rows(run_dir / QUEUES_CSV, queue_rows(manifest, results), QUEUE_COLUMNS)
    tcp = tcp_rows(manifest, results)
    if tcp:
        write_rows(run_dir / TCP_CSV, tcp, TCP_COLUMNS)
