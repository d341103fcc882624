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
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.pivots import scalars, statistics, vector_samples
from fogcosim import atomic

FLOWS_CSV = "flows.csv"
QUEUES_CSV = "queues.csv"
US = 1e6
COLUMNS = [
    "flow", "class", "src", "dst", "period_s", "size_bytes", "priority", "deadline_us",
    "sent", "delivered", "dropped", "in_flight", "in_flight_overdue", "in_flight_age_max_us",
    "in_flight_age_mean_us", "delay_mean_us", "delay_p50_us", "delay_p99_us", "delay_max_us",
    "deadline_misses", "miss_ratio", "lost", "pcp", "delay_min_us", "jitter_us",
]  # fmt: skip


def _flow_rows(manifest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in manifest if r["role"] == "flow"]


def flow_table(manifest: list[dict[str, Any]], raw: pd.DataFrame) -> pd.DataFrame:
    """One row per flow of the run (empty with the columns when the run has no flow results)."""
    rows = _flow_rows(manifest)
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    module = rows[0]["module"]
    sc = scalars(raw, include_attrs=False, include_itervars=False)
    counts = sc[sc["module"] == module].set_index("name")["value"]
    st = statistics(raw, include_itervars=False)
    st = st[st["module"] == module].set_index("name")
    samples = _samples(raw, module)
    out = []
    for r in rows:
        name = r["flow"]

        def count(stat: str, name: str = name) -> int:
            return int(counts.get(f"{name}:{stat}:count", 0))

        def age_us(stat: str, name: str = name) -> float:
            return float(counts.get(f"{name}:inFlightAge:{stat}", math.nan)) * US

        sent, delivered, dropped = count("sent"), count("delivered"), count("dropped")
        key = f"{name}:delay:histogram"
        n = int(st.loc[key, "count"]) if key in st.index else 0
        mean = float(st.loc[key, "mean"]) * US if n else math.nan
        top = float(st.loc[key, "max"]) * US if n else math.nan
        low = float(st.loc[key, "min"]) * US if n else math.nan
        delays = samples.get(name, np.empty(0))
        p50 = p99 = math.nan
        if n and len(delays) == n:  # the vector holds every delivered message
            p50, p99 = (float(np.percentile(delays, q)) * US for q in (50, 99))
        deadline = r.get("deadline_ps")
        misses = count("deadlineMisses")
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
                "pcp": r.get("pcp"),
                "delay_min_us": low,
                "jitter_us": top - low,
            }
        )
    return pd.DataFrame(out, columns=COLUMNS)


def _samples(raw: pd.DataFrame, module: str) -> dict[str, np.ndarray]:
    if not (raw["type"] == "vector").any():
        return {}
    vs = vector_samples(raw, include_itervars=False)
    vs = vs[(vs["module"] == module) & vs["name"].str.endswith(":delay:vector")]
    return {
        name.removesuffix(":delay:vector"): group["value"].to_numpy(dtype=float)
        for name, group in vs.groupby("name", sort=False)
    }


def queue_table(manifest: list[dict[str, Any]], raw: pd.DataFrame) -> pd.DataFrame:
    """One row per interface queue: node, link direction, priority level, overflow drops."""
    rows = [r for r in manifest if r["role"] == "queue"]
    sc = scalars(raw, include_attrs=False, include_itervars=False)
    drops = sc[sc["name"] == "droppedPacketsQueueOverflow:count"].set_index("module")["value"]
    return pd.DataFrame(
        [
            {
                "queue": r["module"],
                "node": r["host"],
                "link": f"{r['host']}->{r['dest']}",
                "level": r["level"],
                "drops": int(drops.get(r["module"], 0)),
            }
            for r in rows
        ],
        columns=["queue", "node", "link", "level", "drops"],
    )


def write_tables(run_dir: Path, manifest: list[dict[str, Any]], raw: pd.DataFrame) -> None:
    """Write flows.csv and queues.csv into the run folder (atomically)."""
    run_dir = Path(run_dir)
    atomic.write_text(run_dir / FLOWS_CSV, flow_table(manifest, raw).to_csv(index=False))
    atomic.write_text(run_dir / QUEUES_CSV, queue_table(manifest, raw).to_csv(index=False))
