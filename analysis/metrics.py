# SPDX-License-Identifier: MIT
"""Per-run metrics, each defined once here and in docs/sweeps-and-reports.md.

A run folder holds `scenario.json` and `manifest.json` (written by either
backend) and `results/*.sca|.vec`. The manifest says which app module is which
traffic class and role, the scenario which channel is which link direction,
so the metrics never depend on which backend ran.

- Bandwidth usage: a link direction's utilization is the fraction of the
  simulated time (one hyperperiod, or the window a run measured) its channel was transmitting
  (`busy:timeavg`); `bandwidth_mean` averages it over all link directions,
  `bandwidth_max` is the busiest direction, `cloud_in`/`cloud_out` the two
  directions of the cloud's own link.
- End-to-end delay of a message: arrival of its last byte at the destination
  application minus its creation at the source application (INET's
  `endToEndDelay`, per message since large messages are chunked, see
  `simulation.model.apps`). Means and maxima are exact from the sinks' statistics;
  p50/p99 need the delay vectors (the sweep records them) and are NaN without.
- Counts: messages sent (last chunks sent) and delivered (message sinks).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.completeness import check_complete, expected_results
from analysis.csvfiles import write_table
from analysis.flows import flow_table, queue_table, write_tables
from analysis.pivots import scalars, statistics, vector_samples
from analysis.protection import write_protection_tables
from analysis.rounds import ROUNDS_CSV, RunStalledError, rounds_table, stall_diagnosis
from analysis.tcp import tcp_table
from fogcosim.resultfiles.reader import read_result_files
from simulation.backends.base import mark_stalled
from simulation.model.load import offered_load
from simulation.model.naming import link_directions
from simulation.model.scenario import TRAFFIC_CLASSES, scenario_from_dict

DELAY_STAT = "endToEndDelay:histogram"
DELAY_VECTOR = "endToEndDelay:vector"
US = 1e6


def load_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]], pd.DataFrame]:
    """scenario.json, manifest.json and the raw results of one run folder.

    Raises `analysis.completeness.IncompleteResultsError` when the results lack
    any that the manifest and scenario promise (e.g. a `.sca` cut at a line end).
    """
    run_dir = Path(run_dir)
    scenario = json.loads((run_dir / "scenario.json").read_text())
    manifest = json.loads((run_dir / "manifest.json").read_text())
    raw = read_result_files(run_dir / "results")
    check_complete(run_dir / "results", raw, expected_results(scenario, manifest))
    return scenario, manifest, raw


def link_utilization(scenario: dict[str, Any], raw: pd.DataFrame) -> pd.DataFrame:
    """One row per link direction: src, dst, datarate, busy fraction, OMNeT++'s utilization:last."""
    sc = scenario_from_dict(scenario)
    table = scalars(raw, include_attrs=False, include_itervars=False)
    values = table.set_index(["module", "name"])["value"]
    rows = []
    for d in link_directions(sc):
        module = d.channel_module(sc.network)
        rows.append(
            {
                "link": d.label,
                "src": d.src,
                "dst": d.dst,
                "datarate_bps": d.link.datarate_bps,
                "busy": values.get((module, "busy:timeavg"), math.nan),
                "utilization_last": values.get((module, "utilization:last"), math.nan),
                "bytes": values.get((module, "packetBytes:sum"), math.nan),
            }
        )
    return pd.DataFrame(rows)


def _sinks(manifest: list[dict[str, Any]]) -> dict[str, str]:
    """Message-sink module -> traffic class."""
    return {r["module"]: r["class"] for r in manifest if r["role"] == "sink" and not r["chunk"]}


def delay_samples(manifest: list[dict[str, Any]], raw: pd.DataFrame) -> pd.DataFrame:
    """Every recorded message delay (seconds) with its class; empty without vectors."""
    sinks = _sinks(manifest)
    if not (raw["type"] == "vector").any():
        return pd.DataFrame(columns=["module", "class", "time", "delay"])
    samples = vector_samples(raw, include_itervars=False)
    samples = samples[(samples["name"] == DELAY_VECTOR) & samples["module"].isin(sinks)]
    return pd.DataFrame(
        {
            "module": samples["module"].to_numpy(),
            "class": samples["module"].map(sinks).to_numpy(),
            "time": samples["time"].to_numpy(),
            "delay": samples["value"].to_numpy(),
        }
    )


def _delay_summary(stats: pd.DataFrame, samples: pd.DataFrame, prefix: str) -> dict[str, float]:
    count = int(stats["count"].sum()) if len(stats) else 0
    out: dict[str, float] = {f"{prefix}_delivered": count}
    if count == 0:
        return out | {f"{prefix}_delay_{k}_us": math.nan for k in ("mean", "p50", "p99", "max")}
    used = stats[stats["count"] > 0]
    mean = float((used["mean"] * used["count"]).sum() / count)
    out[f"{prefix}_delay_mean_us"] = mean * US
    out[f"{prefix}_delay_max_us"] = float(used["max"].max()) * US
    delays = samples["delay"].to_numpy(dtype=float)
    if len(delays) == count:
        out[f"{prefix}_delay_p50_us"] = float(np.percentile(delays, 50)) * US
        out[f"{prefix}_delay_p99_us"] = float(np.percentile(delays, 99)) * US
    else:
        out[f"{prefix}_delay_p50_us"] = out[f"{prefix}_delay_p99_us"] = math.nan
    return out


def summarize_run(run_dir: Path, results: Any = None) -> dict[str, Any]:
    """Write the run's flows.csv and queues.csv, and return its metrics (a summary row).

    The sweep's and `fogcosim run`'s per-run step (picklable, for worker processes).
    """
    scenario, manifest, raw = load_run(run_dir)
    write_tables(run_dir, manifest, raw, scenario)
    rounds = rounds_table(scenario, manifest, raw) if scenario.get("rounds") else None
    write_protection_tables(run_dir, scenario, rounds)
    stalled = stall_diagnosis(scenario, manifest, raw)
    if stalled:  # keep what the run wrote, say so in run.json, and fail in one line
        assert rounds is not None
        write_table(Path(run_dir) / ROUNDS_CSV, rounds)
        mark_stalled(run_dir, stalled)
        raise RunStalledError(f"{run_dir}: {stalled}")
    return _metrics(scenario, manifest, raw)


def run_metrics(run_dir: Path) -> dict[str, Any]:
    """All metrics of one run folder, as a flat dict (one summary.csv row)."""
    return _metrics(*load_run(run_dir))


def _class_sources(
    manifest: list[dict[str, Any]], raw: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Per-class delay statistics, delay samples and messages sent.

    From the per-flow results where the run has them (message-level: a message is
    delivered when all its chunks are, and the round protocol's messages count too),
    else from the class sinks and sources (runs recorded before per-flow results).
    """
    flows = [r for r in manifest if r["role"] == "flow"]
    if not flows:
        sinks = _sinks(manifest)
        stats = statistics(raw, include_itervars=False)
        stats = stats[(stats["name"] == DELAY_STAT) & stats["module"].isin(sinks)].copy()
        stats["class"] = stats["module"].map(sinks)
        table = scalars(raw, include_attrs=False, include_itervars=False)
        sent = table[table["name"] == "packetSent:count"].set_index("module")["value"]
        by_class = {
            cls: int(
                sent.reindex(
                    [
                        r["module"]
                        for r in manifest
                        if r["role"] == "source" and not r["chunk"] and r["class"] == cls
                    ]
                )
                .fillna(0)
                .sum()
            )
            for cls in TRAFFIC_CLASSES
        }
        return stats, delay_samples(manifest, raw), by_class
    module = flows[0]["module"]
    classes = {f"{r['flow']}:delay:histogram": r["class"] for r in flows}
    stats = statistics(raw, include_itervars=False)
    stats = stats[(stats["module"] == module) & stats["name"].isin(classes)].copy()
    stats["class"] = stats["name"].map(classes)
    samples = pd.DataFrame(columns=["module", "class", "time", "delay"])
    if (raw["type"] == "vector").any():
        vs = vector_samples(raw, include_itervars=False)
        names = {f"{r['flow']}:delay:vector": r["class"] for r in flows}
        vs = vs[(vs["module"] == module) & vs["name"].isin(names)]
        samples = pd.DataFrame(
            {
                "module": vs["name"].to_numpy(),
                "class": vs["name"].map(names).to_numpy(),
                "time": vs["time"].to_numpy(),
                "delay": vs["value"].to_numpy(),
            }
        )
    table = flow_table(manifest, raw)
    by_class = {cls: int(table.loc[table["class"] == cls, "sent"].sum()) for cls in TRAFFIC_CLASSES}
    return stats, samples, by_class


def _flow_metrics(flows: pd.DataFrame) -> dict[str, Any]:
    """Per-flow extremes: the worst flow's deadline miss ratio, where it waited, delay, drops."""
    if flows.empty:
        return {}
    out: dict[str, Any] = {
        "flows": len(flows),
        "flows_with_drops": int(flows["lost"].sum()),
        "dropped_messages": int(flows["dropped"].sum()),
        "in_flight_messages": int(flows["in_flight"].sum()),
        "in_flight_overdue": int(flows["in_flight_overdue"].sum()),
    }
    with_deadline = flows.dropna(subset=["miss_ratio"])
    if len(with_deadline):
        worst = with_deadline.loc[with_deadline["miss_ratio"].idxmax()]
        misses = int(with_deadline["deadline_misses"].sum())
        out["deadline_misses"] = misses
        out["worst_flow_miss_ratio"] = float(worst["miss_ratio"])
        # a flow is named only when it missed (no "worst" of a run without misses)
        out["worst_miss_flow"] = worst["flow"] if misses else None
        if misses and isinstance(worst["worst_wait_link"], str):
            out["worst_miss_wait_link"] = worst["worst_wait_link"]
            out["worst_miss_wait_max_us"] = float(worst["worst_wait_max_us"])
    delayed = flows.dropna(subset=["delay_max_us"])
    if len(delayed):
        worst = delayed.loc[delayed["delay_max_us"].idxmax()]
        out["worst_flow_max_delay_us"] = float(worst["delay_max_us"])
        out["worst_delay_flow"] = worst["flow"]
    critical = delayed[delayed["class"] == "critical"]
    if len(critical):
        out["critical_jitter_max_us"] = float(critical["jitter_us"].max())
    critical_due = with_deadline[with_deadline["class"] == "critical"]
    if len(critical_due):
        out["critical_deadline_misses"] = int(critical_due["deadline_misses"].sum())
    loops = flows.dropna(subset=["loop_misses"])
    loops = loops[loops["class"] == "critical"]
    if len(loops):
        out["critical_loop_misses"] = int(loops["loop_misses"].sum())
    return out


def train_seed(scenario: dict[str, Any]) -> int | None:
    """The training seed of a run that trains (rounds-paced ML), else None.

    A scenario.json written before the training had a seed of its own trained
    with its network seed.
    """
    training = (scenario.get("rounds") or {}).get("training")
    if not training:
        return None
    seed = training.get("seed")
    return int(scenario["seed"] if seed is None else seed)


def _metrics(
    scenario: dict[str, Any], manifest: list[dict[str, Any]], raw: pd.DataFrame
) -> dict[str, Any]:
    links = link_utilization(scenario, raw)
    stats, samples, sent_by_class = _class_sources(manifest, raw)
    busiest = links.loc[links["busy"].idxmax()] if len(links) else None
    out: dict[str, Any] = {
        "profile": scenario["profile"],
        "variant": scenario.get("variant", ""),
        "method": scenario["method"],
        "fog_nodes": scenario["fog_nodes"],
        "seed": scenario["seed"],
        "train_seed": train_seed(scenario),
        "hyperperiod_s": scenario["hyperperiod_ps"] / 1e12,
        "window_s": (scenario.get("duration_ps") or scenario["hyperperiod_ps"]) / 1e12,
        "ml_upload_bytes": (scenario["ml_payload"] or {}).get("upload_bytes", 0),
        "ml_download_bytes": (scenario["ml_payload"] or {}).get("download_bytes", 0),
        "ml_payload_source": (scenario["ml_payload"] or {}).get("source", "none"),
        "bandwidth_mean": float(links["busy"].mean()),
        "bandwidth_max": float(links["busy"].max()),
        "bandwidth_max_link": None if busiest is None else busiest["link"],
        "utilization_last_mean": float(links["utilization_last"].mean()),
        "cloud_in": float(links.loc[links["dst"] == "cloud", "busy"].sum()),
        "cloud_out": float(links.loc[links["src"] == "cloud", "busy"].sum()),
        "percentiles_from": "vectors" if len(samples) else "unavailable (no delay vectors)",
    }
    out |= _delay_summary(
        stats[stats["class"] == "critical"], samples[samples["class"] == "critical"], "critical"
    )
    out |= _delay_summary(stats, samples, "all")
    for cls in TRAFFIC_CLASSES:
        if cls != "critical":
            out |= {
                k: v
                for k, v in _delay_summary(
                    stats[stats["class"] == cls], samples[samples["class"] == cls], cls
                ).items()
                if k.endswith(("_delivered", "_mean_us", "_max_us"))
            }
        out[f"{cls}_sent"] = sent_by_class.get(cls, 0)
    flows = flow_table(manifest, raw, scenario)
    out |= _flow_metrics(flows)
    queues = queue_table(manifest, raw)
    if len(queues):
        out["queue_drops"] = int(queues["drops"].sum())
    if len(flows):  # messages of the critical flows lost to full queues
        out["critical_dropped"] = int(flows.loc[flows["class"] == "critical", "dropped"].sum())
    tcp = tcp_table(manifest, raw)
    if len(tcp):
        out["tcp_retransmitted_segments"] = int(tcp["retransmitted"].sum())
        out["tcp_retransmitted_bytes"] = int(tcp["retransmitted_bytes"].sum())
        out["tcp_timeouts"] = int(tcp["timeouts"].sum())
    loads = offered_load(scenario_from_dict(scenario))
    if loads:
        busiest = max(loads, key=lambda d: d.load)
        out["max_offered_load"] = busiest.load
        out["max_offered_load_link"] = busiest.label
        out["overloaded"] = busiest.load > 1.0
    return out
