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

Every metric is computed from a run's `RunResults`
(`fogcosim.resultfiles.runresults`): the embedded backend hands over the
results it just wrote, as the files spell them, so its metrics never read the
files back; a run folder of the OMNeT++ backend (or any folder) is read from
its files. One definition either way, and equal numbers (tests/analysis/
test_metrics_memory.py). No pandas on this path (`fogcosim run` imports none);
`load_run` still gives the raw DataFrame, and `link_utilization` and
`delay_samples` DataFrames, for the report and for whoever wants pandas.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.run.completeness import check_complete, expected_results
from analysis.run.csvfiles import write_table
from analysis.run.flows import flow_rows, queue_rows, write_tables
from analysis.run.frames import frame
from analysis.run.protection import has_gates, write_protection_tables
from analysis.run.rounds import ROUNDS_CSV, RunStalledError, rounds_table, stall_diagnosis
from analysis.run.tcp import tcp_rows
from fogcosim.resultfiles.reader import read_result_files, result_file_paths
from fogcosim.resultfiles.runresults import RunResults, Stat, as_results
from simulation.backends.base import mark_stalled
from simulation.model.load import offered_load
from simulation.model.naming import link_directions
from simulation.model.scenario import TRAFFIC_CLASSES, scenario_from_dict

if TYPE_CHECKING:
    import pandas as pd

DELAY_STAT = "endToEndDelay:histogram"
DELAY_VECTOR = "endToEndDelay:vector"
US = 1e6
LINK_COLUMNS = ["link", "src", "dst", "datarate_bps", "busy", "utilization_last", "bytes"]
#: (traffic class, delay statistic) and (traffic class, delay samples s) of a run
ClassStats = list[tuple[str, Stat]]
ClassSamples = list[tuple[str, np.ndarray]]


def _inputs(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    run_dir = Path(run_dir)
    scenario = json.loads((run_dir / "scenario.json").read_text())
    manifest = json.loads((run_dir / "manifest.json").read_text())
    return scenario, manifest


def load_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]], pd.DataFrame]:
    """scenario.json, manifest.json and the raw results (a DataFrame) of one run folder.

    Raises `analysis.run.completeness.IncompleteResultsError` when the results lack
    any that the manifest and scenario promise (e.g. a `.sca` cut at a line end).
    """
    scenario, manifest = _inputs(run_dir)
    raw = read_result_files(Path(run_dir) / "results")
    check_complete(Path(run_dir) / "results", raw, expected_results(scenario, manifest))
    return scenario, manifest, raw


def load_results(
    run_dir: Path, results: RunResults | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]], RunResults]:
    """scenario.json, manifest.json and the `RunResults` of one run folder.

    `results`: the run's results as its backend kept them in memory (the files
    are then not read); None reads the result files. Either way they must hold
    every result the manifest and scenario promise (`IncompleteResultsError`).
    """
    scenario, manifest = _inputs(run_dir)
    folder = Path(run_dir) / "results"
    if results is None:
        results = RunResults.read(result_file_paths(folder))
    check_complete(folder, results, expected_results(scenario, manifest))
    return scenario, manifest, results


def link_rows(scenario: dict[str, Any], results: RunResults) -> list[dict[str, Any]]:
    """One row per link direction: src, dst, datarate, busy fraction, OMNeT++'s utilization:last."""
    sc = scenario_from_dict(scenario)
    rows = []
    for d in link_directions(sc):
        module = d.channel_module(sc.network)
        rows.append(
            {
                "link": d.label,
                "src": d.src,
                "dst": d.dst,
                "datarate_bps": d.link.datarate_bps,
                "busy": results.scalar(module, "busy:timeavg"),
                "utilization_last": results.scalar(module, "utilization:last"),
                "bytes": results.scalar(module, "packetBytes:sum"),
            }
        )
    return rows


def link_utilization(scenario: dict[str, Any], raw: RunResults | pd.DataFrame) -> pd.DataFrame:
    """`link_rows` as a DataFrame."""
    return frame(link_rows(scenario, as_results(raw)), LINK_COLUMNS)


def _sinks(manifest: list[dict[str, Any]]) -> dict[str, str]:
    """Message-sink module -> traffic class."""
    return {r["module"]: r["class"] for r in manifest if r["role"] == "sink" and not r["chunk"]}


def delay_samples(manifest: list[dict[str, Any]], raw: RunResults | pd.DataFrame) -> pd.DataFrame:
    """Every recorded message delay (seconds) with its class; empty without vectors."""
    results = as_results(raw)
    rows = []
    for module, cls in _sinks(manifest).items():
        times, delays = results.vector(module, DELAY_VECTOR)
        rows += [
            {"module": module, "class": cls, "time": t, "delay": d}
            for t, d in zip(times.tolist(), delays.tolist(), strict=True)
        ]
    return frame(rows, ["module", "class", "time", "delay"])


def _nansum(values: Sequence[float]) -> float:
    """The sum of the numbers that are not NaN, added as pandas adds a column."""
    return float(np.nansum(np.asarray(values, dtype=np.float64))) if len(values) else 0.0


def _nanmean(values: Sequence[float]) -> float:
    """The mean of the numbers that are not NaN (NaN if none), as pandas takes it."""
    numbers = np.asarray(values, dtype=np.float64)
    count = int(np.count_nonzero(~np.isnan(numbers)))
    return float(np.nansum(numbers) / count) if count else math.nan


def _nanmax(values: Sequence[float]) -> float:
    present = [v for v in values if v == v]
    return max(present) if present else math.nan


def _first_max(rows: list[dict[str, Any]], column: str) -> dict[str, Any] | None:
    """The first row with the largest value of `column` (NaN skipped), as pandas' idxmax."""
    best = None
    for row in rows:
        value = row[column]
        if value == value and (best is None or value > best[column]):
            best = row
    return best


def _delay_summary(stats: ClassStats, samples: ClassSamples, prefix: str) -> dict[str, float]:
    count = sum(s.count for _, s in stats)
    out: dict[str, float] = {f"{prefix}_delivered": count}
    if count == 0:
        return out | {f"{prefix}_delay_{k}_us": math.nan for k in ("mean", "p50", "p99", "max")}
    used = [s for _, s in stats if s.count > 0]
    weighted = np.array([s.mean * s.count for s in used], dtype=np.float64)
    out[f"{prefix}_delay_mean_us"] = float(weighted.sum() / count) * US
    out[f"{prefix}_delay_max_us"] = _nanmax([s.max for s in used]) * US
    delays = np.concatenate([d for _, d in samples]) if samples else np.empty(0)
    if len(delays) == count:
        out[f"{prefix}_delay_p50_us"] = float(np.percentile(delays, 50)) * US
        out[f"{prefix}_delay_p99_us"] = float(np.percentile(delays, 99)) * US
    else:
        out[f"{prefix}_delay_p50_us"] = out[f"{prefix}_delay_p99_us"] = math.nan
    return out


def summarize_run(run_dir: Path, results: RunResults | None = None) -> dict[str, Any]:
    """Write the run's flows.csv, hops.csv and queues.csv, and return its metrics (a summary row).

    `results`: the run's results as its backend kept them in memory (the
    embedded backend's `RunResult.results`); None reads the run's result files.
    The sweep's and `fogcosim run`'s per-run step (picklable, for worker processes).
    """
    scenario, manifest, results = load_results(run_dir, results)
    flows = flow_rows(manifest, results, scenario)
    write_tables(run_dir, manifest, results, scenario, flows)
    stalled = stall_diagnosis(scenario, manifest, results)
    rounds = None
    if scenario.get("rounds") and (stalled or has_gates(scenario)):
        rounds = rounds_table(scenario, manifest, results)
    write_protection_tables(run_dir, scenario, rounds)
    if stalled:  # keep what the run wrote, say so in run.json, and fail in one line
        assert rounds is not None
        write_table(Path(run_dir) / ROUNDS_CSV, rounds)
        mark_stalled(run_dir, stalled)
        raise RunStalledError(f"{run_dir}: {stalled}")
    return _metrics(scenario, manifest, results, flows)


def run_metrics(run_dir: Path, results: RunResults | None = None) -> dict[str, Any]:
    """All metrics of one run folder, as a flat dict (one summary.csv row)."""
    scenario, manifest, results = load_results(run_dir, results)
    return _metrics(scenario, manifest, results, flow_rows(manifest, results, scenario))


def _class_sources(
    manifest: list[dict[str, Any]], results: RunResults, flows: list[dict[str, Any]]
) -> tuple[ClassStats, ClassSamples, dict[str, int]]:
    """Per-class delay statistics, delay samples and messages sent.

    From the per-flow results where the run has them (message-level: a message is
    delivered when all its chunks are, and the round protocol's messages count too),
    else from the class sinks and sources (runs recorded before per-flow results).
    """
    recorded = [r for r in manifest if r["role"] == "flow"]
    if not recorded:
        sinks = _sinks(manifest)
        stats = [(sinks[m], s) for (m, name), s in results.statistics()
                 if name == DELAY_STAT and m in sinks]  # fmt: skip
        samples = [(cls, results.vector(m, DELAY_VECTOR)[1]) for m, cls in sinks.items()]
        by_class = {
            cls: int(
                _nansum(
                    [
                        results.scalar(r["module"], "packetSent:count", 0.0)
                        for r in manifest
                        if r["role"] == "source" and not r["chunk"] and r["class"] == cls
                    ]
                )
            )
            for cls in TRAFFIC_CLASSES
        }
        return stats, samples, by_class
    module = recorded[0]["module"]
    classes = {f"{r['flow']}:delay:histogram": r["class"] for r in recorded}
    stats = [(classes[name], s) for (m, name), s in results.statistics()
             if m == module and name in classes]  # fmt: skip
    samples = [
        (r["class"], results.vector(module, f"{r['flow']}:delay:vector")[1]) for r in recorded
    ]
    by_class = {cls: sum(f["sent"] for f in flows if f["class"] == cls) for cls in TRAFFIC_CLASSES}
    return stats, samples, by_class


def _flow_metrics(flows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-flow extremes: the worst flow's deadline miss ratio, where it waited, delay, drops."""
    if not flows:
        return {}
    out: dict[str, Any] = {
        "flows": len(flows),
        "flows_with_drops": sum(bool(f["lost"]) for f in flows),
        "dropped_messages": sum(f["dropped"] for f in flows),
        "in_flight_messages": sum(f["in_flight"] for f in flows),
        "in_flight_overdue": sum(f["in_flight_overdue"] for f in flows),
    }
    with_deadline = [f for f in flows if f["miss_ratio"] == f["miss_ratio"]]
    if with_deadline:
        worst = _first_max(with_deadline, "miss_ratio")
        assert worst is not None
        misses = int(_nansum([f["deadline_misses"] for f in with_deadline]))
        out["deadline_misses"] = misses
        out["worst_flow_miss_ratio"] = float(worst["miss_ratio"])
        # a flow is named only when it missed (no "worst" of a run without misses)
        out["worst_miss_flow"] = worst["flow"] if misses else None
        if misses and isinstance(worst["worst_wait_link"], str):
            out["worst_miss_wait_link"] = worst["worst_wait_link"]
            out["worst_miss_wait_max_us"] = float(worst["worst_wait_max_us"])
    delayed = [f for f in flows if f["delay_max_us"] == f["delay_max_us"]]
    if delayed:
        worst = _first_max(delayed, "delay_max_us")
        assert worst is not None
        out["worst_flow_max_delay_us"] = float(worst["delay_max_us"])
        out["worst_delay_flow"] = worst["flow"]
    critical = [f["jitter_us"] for f in delayed if f["class"] == "critical"]
    if critical:
        out["critical_jitter_max_us"] = float(_nanmax(critical))
    critical_due = [f["deadline_misses"] for f in with_deadline if f["class"] == "critical"]
    if critical_due:
        out["critical_deadline_misses"] = int(_nansum(critical_due))
    loops = [f["loop_misses"] for f in flows if f["class"] == "critical"]
    loops = [m for m in loops if m == m]  # flows without a loop deadline: NaN
    if loops:
        out["critical_loop_misses"] = int(_nansum(loops))
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
    scenario: dict[str, Any],
    manifest: list[dict[str, Any]],
    results: RunResults,
    flows: list[dict[str, Any]],
) -> dict[str, Any]:
    links = link_rows(scenario, results)
    stats, samples, sent_by_class = _class_sources(manifest, results, flows)
    busy = [r["busy"] for r in links]
    busiest = _first_max(links, "busy")
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
        "bandwidth_mean": _nanmean(busy),
        "bandwidth_max": float(_nanmax(busy)),
        "bandwidth_max_link": None if busiest is None else busiest["link"],
        "utilization_last_mean": _nanmean([r["utilization_last"] for r in links]),
        "cloud_in": _nansum([r["busy"] for r in links if r["dst"] == "cloud"]),
        "cloud_out": _nansum([r["busy"] for r in links if r["src"] == "cloud"]),
        "percentiles_from": "vectors"
        if sum(len(d) for _, d in samples)
        else "unavailable (no delay vectors)",
    }

    def of(cls: str) -> tuple[ClassStats, ClassSamples]:
        return [x for x in stats if x[0] == cls], [x for x in samples if x[0] == cls]

    out |= _delay_summary(*of("critical"), "critical")
    out |= _delay_summary(stats, samples, "all")
    for cls in TRAFFIC_CLASSES:
        if cls != "critical":
            out |= {
                k: v
                for k, v in _delay_summary(*of(cls), cls).items()
                if k.endswith(("_delivered", "_mean_us", "_max_us"))
            }
        out[f"{cls}_sent"] = sent_by_class.get(cls, 0)
    out |= _flow_metrics(flows)
    queues = queue_rows(manifest, results)
    if queues:
        out["queue_drops"] = sum(q["drops"] for q in queues)
    if flows:  # messages of the critical flows lost to full queues
        out["critical_dropped"] = sum(f["dropped"] for f in flows if f["class"] == "critical")
    tcp = tcp_rows(manifest, results)
    if tcp:
        out["tcp_retransmitted_segments"] = int(_nansum([t["retransmitted"] for t in tcp]))
        out["tcp_retransmitted_bytes"] = int(_nansum([t["retransmitted_bytes"] for t in tcp]))
        out["tcp_timeouts"] = int(_nansum([t["timeouts"] for t in tcp]))
    loads = offered_load(scenario_from_dict(scenario))
    if loads:
        top = max(loads, key=lambda d: d.load)
        out["max_offered_load"] = top.load
        out["max_offered_load_link"] = top.label
        out["overloaded"] = top.load > 1.0
    return out
