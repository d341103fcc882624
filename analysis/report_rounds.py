"""The "Training in the loop" section of a rounds-paced study's report, and its two plots.

A sweep of a profile with `[traffic.ml] pacing = "rounds"` trains every point
(`analysis.cosim`): each run folder holds rounds.csv (one row per round and fog
node) and accuracy.csv (accuracy after each round against simulated time), and
summary.csv carries the training metrics. `load_training` reads the run
folders, `training_section` words the table of `reshape_rounds.training_table`,
and `training_plots` builds accuracy against simulated time and one run's round
timeline. Periodic studies have none of this and get no such section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import plots_rounds, reshape, reshape_rounds
from analysis.cosim import ACCURACY_CSV
from analysis.report_tables import STAND_IN, label, md_table, num, pm
from analysis.rounds import ROUNDS_CSV
from analysis.sweep_data import run_dir, run_key, run_keys, run_table

#: Rounds the timeline shows (from the first).
TIMELINE_ROUNDS = 5
PLOT_NAMES = ("accuracy_vs_time", "round_timeline")
#: A plot to write: file stem, figure, alt text, caption (as `analysis.report.Plot`).
Plot = tuple[str, Any, str, str]


@dataclass
class Training:
    """The round tables, accuracies and scenarios of a study's rounds-paced runs."""

    #: rounds.csv rows of every run, with method, fog_nodes, seed
    rounds: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: accuracy.csv rows of every run, with method, fog_nodes, seed
    accuracy: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: run key -> scenario.json of the rounds-paced runs
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: run folders whose tables could not be read, with why
    notes: list[str] = field(default_factory=list)


def load_training(
    out_dir: Path, rows: pd.DataFrame, scenarios: dict[str, dict[str, Any]]
) -> Training | None:
    """Read rounds.csv and accuracy.csv of every run of `rows`; None for a periodic study."""
    if not reshape_rounds.is_rounds_study(scenarios, rows):
        return None
    out = Training(scenarios={k: s for k, s in scenarios.items() if s.get("rounds")})
    rounds: list[pd.DataFrame] = []
    accuracy: list[pd.DataFrame] = []
    for r in rows.itertuples():
        folder = run_dir(out_dir, r)
        if folder.name not in out.scenarios:
            continue
        for name, parts in ((ROUNDS_CSV, rounds), (ACCURACY_CSV, accuracy)):
            if (table := run_table(folder, name, run_keys(r), out.notes)) is not None:
                parts.append(table)
    out.rounds = pd.concat(rounds, ignore_index=True) if rounds else pd.DataFrame()
    out.accuracy = pd.concat(accuracy, ignore_index=True) if accuracy else pd.DataFrame()
    return out


# ---------------------------------------------------------------- words


def training_sources(rows: pd.DataFrame, training: Training | None = None) -> list[str]:
    """Distinct training data sources of the runs (summary's training_data, accuracy.csv's)."""
    found = set(rows.get("training_data", pd.Series(dtype=object)).dropna().astype(str))
    if training is not None and "data_source" in training.accuracy:
        found |= set(training.accuracy["data_source"].dropna().astype(str))
    return sorted(found)


def training_data_note(sources: list[str]) -> str:
    """The provenance sentence every place showing accuracies carries."""
    if any(STAND_IN in s for s in sources):
        return (
            f"**Accuracies were measured on an offline stand-in data set** ({'; '.join(sources)}),"
            " not on the profile's data set itself: they show how training progresses under this "
            "network's rounds, not the accuracy the real data set would reach."
        )
    return "Training data: " + ("; ".join(sources) if sources else "unknown") + "."


def protocol_text(scenarios: dict[str, dict[str, Any]]) -> str:
    """The round protocol the runs ran: policy per FN count, batch period, rounds, FN speeds."""
    specs = [s["rounds"] for s in scenarios.values()]
    if not specs:
        return "unknown (no run folder holds a rounds-paced scenario.json)"
    policies = []
    for p in sorted({len(s["fog_nodes"]) for s in specs}):
        spec = next(s for s in specs if len(s["fog_nodes"]) == p)
        policies.append(f"at {p} FNs {policy_text(spec)}")
    spec = specs[0]
    batch = spec["batch_period_ps"] / 1e12
    parts = [
        "the cloud aggregates, per round, " + "; ".join(policies),
        f"a batch every {batch * 1e3:g} ms",
        f"{spec.get('rounds') or 'unlimited'} rounds trained",
    ]
    speeds = {f for s in specs for f in s.get("fog_flops", ())}
    if len(speeds) > 1:
        parts.append("fog nodes of unequal speed: " + speeds_text(specs[-1]))
    return "; ".join(parts)


def policy_text(spec: dict[str, Any]) -> str:
    """What the cloud aggregates each round, in words."""
    p = len(spec["fog_nodes"])
    if spec["policy"] == "quorum":
        return f"the first {spec['quorum']} of {p} uploads (policy `quorum`)"
    if spec["policy"] == "deadline":
        return (
            f"the uploads within {spec['round_deadline_ps'] / 1e9:g} ms of the round's start "
            "(policy `deadline`)"
        )
    return f"all {p} uploads (policy `all`)"


def flops_text(flops: float) -> str:
    """A device speed in words: 5 GFLOPS, 500 MFLOPS."""
    for unit, scale in (("TFLOPS", 1e12), ("GFLOPS", 1e9), ("MFLOPS", 1e6)):
        if flops >= scale:
            return f"{flops / scale:g} {unit}"
    return f"{flops:g} FLOPS"


def speeds_text(spec: dict[str, Any]) -> str:
    """Each distinct fog speed and its FNs, e.g. "fog0 at 500 MFLOPS, the others at 5 GFLOPS"."""
    flops = list(spec.get("fog_flops", ()))
    common = max(set(flops), key=flops.count)
    odd = [f"{name} at {flops_text(f)}" for name, f in zip(spec["fog_nodes"], flops, strict=True)]
    odd = [o for o, f in zip(odd, flops, strict=True) if f != common]
    return ", ".join(odd) + f", the others at {flops_text(common)}"


def _time_cell(r: Any) -> str:
    if not r.trained:
        return "—"
    if not r.time_n:
        return f"not reached in {r.rounds_done} rounds"
    text = pm(r.time_mean, r.time_std, r.time_n, lambda x: num(x, 3))
    if r.time_n < r.trained:
        text += f" ({r.time_n} of {r.trained} seeds; not reached in {r.rounds_done} by the others)"
    return text


def _rounds_cell(r: Any) -> str:
    if not r.trained:
        return "—"
    if not r.rounds_n:
        return f"> {r.rounds_done}"
    return pm(r.rounds_mean, r.rounds_std, r.rounds_n)


def _mean_cell(short: str, digits: int, scale: float = 1.0) -> Callable[[Any], str]:
    def cell(r: Any) -> str:
        mean, std = getattr(r, f"{short}_mean") * scale, getattr(r, f"{short}_std") * scale
        return pm(mean, std, getattr(r, f"{short}_n"), lambda x: num(x, digits))

    return cell


CRITICAL_MEAN = "critical mean (µs)"
#: (column header, title in a comparison, cell of a `reshape_rounds.training_table` row)
CELLS: list[tuple[str, str, Callable[[Any], str]]] = [
    ("time to target (s)", "Time to the target accuracy (s)", _time_cell),
    ("rounds to target", "Rounds to the target accuracy", _rounds_cell),
    ("round time (ms)", "Mean round time (ms)", _mean_cell("round", 2, 1e3)),
    ("straggler rate", "Effective straggler rate", _mean_cell("straggler", 2)),
    ("final accuracy", "Final accuracy", _mean_cell("accuracy", 3)),
    (CRITICAL_MEAN, "Mean critical delay (µs)", _mean_cell("critical", 1)),
    ("critical p99 (µs)", "Critical delay p99 (µs)", _mean_cell("p99", 1)),
    ("critical max (µs)", "Critical delay max (µs)", _mean_cell("cmax", 1)),
    ("critical dropped", "Critical messages dropped", _mean_cell("cdrop", 1)),
    ("TCP resent (kB)", "Bytes TCP resent (kB)", _mean_cell("resent", 1, 1e-3)),
    ("TCP timeouts", "TCP retransmission timeouts", _mean_cell("timeouts", 1)),
]
HEADERS = ["method", "FNs", *(c[0] for c in CELLS), "n"]


def training_section(rows: pd.DataFrame, training: Training) -> list[str]:
    """The training table per method and fog-node count beside the critical delays."""
    table = reshape_rounds.training_table(rows)
    targets = sorted({f"{t:g}" for t in table["target"].dropna()})
    lines = [
        "## Training in the loop",
        "",
        f"The ML traffic is the training's round protocol ({protocol_text(training.scenarios)}); "
        "each run was then trained with exactly the aggregated sets its network decided. Means "
        "over seeds (± standard deviation where more than one seed; n = seeds). **time to "
        f"target** = simulated time at which the accuracy first reached the target "
        f"({', '.join(targets) or 'unknown'}), over the seeds that reached it; **rounds to "
        "target** = rounds trained until then; **round time** = mean time from a round's first "
        "start to the cloud's update (`mean_round_s`: compute, uploads, the policy's wait, the "
        "cloud's computation; the wait for the next batch not included); **straggler rate** = "
        "1 − aggregated / FNs, averaged over rounds; "
        "**final accuracy** = after the last round, on held-out data; **critical mean** and "
        "**p99** and **max** = the critical messages' delay in the same runs (p99 from runs "
        "with delay vectors); **critical dropped** = critical messages lost to full queues "
        "(a message with any frame dropped); **TCP resent** and **TCP timeouts** = what TCP "
        "retransmitted and its retransmission timeouts over all connections of a run (— over "
        "UDP). No ML: the baseline's critical delays, no training. "
        + training_data_note(training_sources(rows, training)),
        "",
    ]
    body = [
        [
            label(r.method),
            str(int(r.fog_nodes)),
            *(cell(r) for _, _, cell in CELLS),
            str(int(r.trained if r.trained else r.critical_n)),
        ]
        for r in table.itertuples()
    ]
    lines += md_table(HEADERS, body)
    if training.notes:
        lines += [f"Run folders not read: {'; '.join(training.notes)}.", ""]
    return lines


# ---------------------------------------------------------------- plots


def training_plots(rows: pd.DataFrame, training: Training) -> tuple[list[Plot], list[str]]:
    """Accuracy against simulated time and one run's round timeline; notes for what is missing."""
    todo, notes = [], []
    plot = accuracy_plot(rows, training)
    if plot is None:
        notes.append("Accuracy against simulated time: no run folder holds an accuracy.csv.")
    else:
        todo.append(plot)
    plot = timeline_plot(training)
    if plot is None:
        notes.append("Round timeline: no run of an ML method holds a rounds.csv.")
    else:
        todo.append(plot)
    return todo, notes


def same_curves(accuracy: pd.DataFrame) -> list[list[str]]:
    """Groups of methods whose accuracies were equal after every round and seed (2+ methods)."""
    wide = accuracy.pivot_table(index=["seed", "round"], columns="method", values="accuracy")
    methods = sorted(wide.columns, key=reshape.method_rank)
    groups: list[list[str]] = []
    for m in methods:
        for g in groups:
            if np.allclose(wide[g[0]], wide[m], equal_nan=True):
                g.append(m)
                break
        else:
            groups.append([m])
    return [g for g in groups if len(g) > 1]


def accuracy_plot(rows: pd.DataFrame, training: Training) -> Plot | None:
    """Accuracy against simulated time, one line per method, at the most fog nodes trained."""
    acc = training.accuracy
    if acc.empty:
        return None
    n = int(acc["fog_nodes"].max())
    at = acc[acc["fog_nodes"] == n]
    curves = reshape_rounds.accuracy_curves(at)
    spread = reshape.spread_caption([curves])
    targets = pd.to_numeric(rows.get("target_accuracy", pd.Series(dtype=float)), errors="coerce")
    target = float(targets.max()) if targets.notna().any() else None
    sources = training_sources(rows, training)
    stand_in = any(STAND_IN in s for s in sources)
    title = f"Accuracy against simulated time at {n} FNs" + (" (stand-in data)" if stand_in else "")
    note = f"Error bars: {spread}." + (" Accuracy on stand-in data." if stand_in else "")
    fig = plots_rounds.accuracy_figure(curves, target, title=title, note=note)
    seeds = ", ".join(str(s) for s in sorted(set(at["seed"])))
    caption = (
        f"Accuracy on held-out data after each round against the simulated time its cloud update "
        f"finished, at {n} fog nodes, one line per method; mean over seeds {seeds} (x: the mean "
        f"of the round's time over seeds); error bars: {spread}."
    )
    if target is not None:
        caption += f" Dashed: the target accuracy ({target:g})."
    for group in same_curves(at):
        caption += (
            f" {', '.join(label(m) for m in group)} reached the same accuracy after every round "
            "and seed: their lines coincide."
        )
    return "accuracy_vs_time", fig, title, caption + " " + training_data_note(sources)


def timeline_plot(training: Training) -> Plot | None:
    """The round timeline of one run: FN x time, phase spans, who was aggregated."""
    if training.rounds.empty:
        return None
    runs = training.rounds[["method", "fog_nodes", "seed"]].drop_duplicates()
    runs = runs[runs["method"] != "none"]
    picked = reshape_rounds.pick_timeline_run(
        [(str(m), int(n), int(s)) for m, n, s in runs.itertuples(index=False)]
    )
    if picked is None:
        return None
    method, n, seed = picked
    run = training.rounds[
        (training.rounds["method"] == method)
        & (training.rounds["fog_nodes"] == n)
        & (training.rounds["seed"] == seed)
    ]
    key = run_key({"method": method, "fog_nodes": n, "seed": seed})
    spec = (training.scenarios.get(key) or {}).get("rounds") or {}
    stages = spec.get("stages") or []
    planned = [ps / 1e12 for ps in stages[0]["fog_before_ps"]] if stages else None
    shown = min(TIMELINE_ROUNDS, int(run["round"].max()) + 1)
    spans, statuses = reshape_rounds.timeline(run, shown, planned, max(1, len(stages)))
    names = list(spec.get("fog_nodes") or [f"FN {i}" for i in range(n)])
    flops = list(spec.get("fog_flops") or [])
    if len(set(flops)) > 1:
        names = [f"{name} ({flops_text(f)})" for name, f in zip(names, flops, strict=True)]
    title = f"Round timeline: {label(method)} at {n} FNs, seed {seed}, rounds 0–{shown - 1}"
    policy = policy_text(spec) if spec else "unknown policy"
    fig = plots_rounds.timeline_figure(
        spans, statuses, names, title=title, note=f"The cloud aggregates {policy}."
    )
    caption = (
        f"What each fog node did in the first {shown} rounds of `{key}` (the most fog nodes, "
        f"{label(method)}, seed {seed}); one panel per round, x in ms since the round's first "
        "start (each panel spans its own round; the time between rounds is left out). "
        "Compute: from the round's start for the FN's compute before its upload; upload: until "
        "the cloud had it; waiting: until the cloud's update was done and the download sent "
        "(dashed line), or the round ended (no download); download: until it arrived. "
    )
    if len(stages) > 1:
        caption += (
            f"{label(method)} exchanges {len(stages)} stages per round: an aggregated FN's "
            "later stages (downloads, compute, uploads) are one span. "
        )
    caption += f"The cloud aggregates {policy}. " + _stragglers_text(statuses, names, shown)
    return "round_timeline", fig, title, caption


def _stragglers_text(statuses: pd.DataFrame, names: list[str], shown: int) -> str:
    """Who was not aggregated in the rounds shown, and why."""
    missed = statuses[~statuses["aggregated"].astype(bool)]
    if missed.empty:
        return "Every FN was aggregated in every round shown."
    parts = []
    for (fn, status), group in missed.groupby(["fn", "status"], sort=True):
        which = spans_text(sorted(int(r) for r in group["round"]))
        parts.append(f"{names[int(fn)]} in round{'s' if len(group) > 1 else ''} {which}: {status}")
    return (
        "Hatched, with a red marker where its upload counted for nothing: not aggregated ("
        + "; ".join(parts)
        + ")."
    )


def spans_text(numbers: list[int]) -> str:
    """Sorted integers as runs, e.g. [0, 1, 2, 4] -> "0–2, 4"."""
    runs: list[list[int]] = []
    for x in numbers:
        if runs and x == runs[-1][-1] + 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
