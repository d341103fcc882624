# SPDX-License-Identifier: MIT
"""The "Training in the loop" section of a rounds-paced study's report.

A sweep of a profile with `[traffic.ml] pacing = "rounds"` trains every point
(`analysis.run.cosim`): each run folder holds rounds.csv (one row per round and fog
node) and accuracy.csv (accuracy after each round against simulated time), and
summary.csv carries the training metrics. `load_training` reads the run
folders, `training_section` words the table of `reshape_rounds.training_table`
and the comparisons its numbers back; `analysis.report.rounds_plots` draws
accuracy against simulated time and one run's round timeline. Periodic studies
have none of this and get no such section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.report import time as report_time
from analysis.report.format import (
    PM_WORDS,
    label,
    md_table,
    messages_cell,
    num,
    orders_line,
    pm,
)
from analysis.report.tables import STAND_IN
from analysis.run.cosim import ACCURACY_CSV
from analysis.run.rounds import ROUNDS_CSV
from analysis.study import reshape
from analysis.study import rounds as reshape_rounds
from analysis.study.data import run_dir, run_keys, run_table, variant_of


@dataclass
class Training:
    """The round tables, accuracies and scenarios of a study's rounds-paced runs."""

    #: rounds.csv rows, one run per network seed (the network decides them), with its keys
    rounds: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: accuracy.csv rows of every run, with method, fog_nodes, seed, train_seed
    accuracy: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: run key -> scenario.json of the rounds-paced runs
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: run folders whose tables could not be read, with why
    notes: list[str] = field(default_factory=list)
    #: the profile variant of the runs ("" for none): part of their folders' names
    variant: str = ""


def load_training(
    out_dir: Path, rows: pd.DataFrame, scenarios: dict[str, dict[str, Any]]
) -> Training | None:
    """Read rounds.csv and accuracy.csv of every run of `rows`; None for a periodic study."""
    if not reshape_rounds.is_rounds_study(scenarios, rows):
        return None
    variants = {variant_of(r) for r in rows.itertuples()}
    out = Training(
        scenarios={k: s for k, s in scenarios.items() if s.get("rounds")},
        variant=variants.pop() if len(variants) == 1 else "",
    )
    rounds: list[pd.DataFrame] = []
    accuracy: list[pd.DataFrame] = []
    seen: set[tuple[str, int, int]] = set()
    for r in rows.itertuples():
        folder = run_dir(out_dir, r)
        if folder.name not in out.scenarios:
            continue
        if (table := run_table(folder, ACCURACY_CSV, run_keys(r), out.notes)) is not None:
            accuracy.append(table)
        network = (str(r.method), int(r.fog_nodes), int(r.seed))
        if network in seen:  # rounds.csv is the network's: the same under another training seed
            continue
        seen.add(network)
        if (table := run_table(folder, ROUNDS_CSV, run_keys(r), out.notes)) is not None:
            rounds.append(table)
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
        f"{trained_rounds(spec) or 'unlimited'} rounds trained",
    ]
    training = spec.get("training") or {}
    if training.get("partition") == "dirichlet":
        parts.append(
            "training data split among the FNs by label skew (Dirichlet, alpha "
            f"{training.get('dirichlet_alpha'):g})"
        )
    speeds = {f for s in specs for f in s.get("fog_flops", ())}
    if len(speeds) > 1:
        parts.append("fog nodes of unequal speed: " + speeds_text(specs[-1]))
    return "; ".join(parts)


def trained_rounds(spec: dict[str, Any]) -> int | None:
    """Rounds a rounds-paced run trains (its training's, else its protocol's; None: all)."""
    return ((spec.get("training") or {}).get("rounds")) or spec.get("rounds")


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
        return f"not reached in {r.rounds_done} rounds (0 of {int(r.trained)} runs)"
    text = pm(r.time_mean, r.time_std, r.time_n, lambda x: num(x, 3))
    if r.time_n < r.trained:
        text += (
            f" ({int(r.time_n)} of {int(r.trained)} runs; not reached in {int(r.rounds_done)} by "
            "the others)"
        )
    return text


def _rounds_cell(r: Any) -> str:
    if not r.trained:
        return "—"
    if not r.rounds_n:
        return f"> {r.rounds_done} (0 of {int(r.trained)} runs)"
    text = pm(r.rounds_mean, r.rounds_std, r.rounds_n)
    if r.rounds_n < r.trained:
        text += (
            f" ({int(r.rounds_n)} of {int(r.trained)} runs; > {int(r.rounds_done)} for the others)"
        )
    return text


def _messages_cell(r: Any) -> str:
    return messages_cell(r.messages, r.messages_min, r.messages_max, r.with_vectors)


def _seeds_cell(r: Any) -> str:
    """Seeds of a cell: n where run k paired seeds k and k, else network × training counts."""
    if not r.train_seeds or r.train_seeds == r.net_seeds == r.trained:
        return str(int(r.net_seeds))
    return f"{int(r.net_seeds)} × {int(r.train_seeds)}"


def _mean_cell(short: str, digits: int, scale: float = 1.0) -> Callable[[Any], str]:
    def cell(r: Any) -> str:
        mean, std = getattr(r, f"{short}_mean") * scale, getattr(r, f"{short}_std") * scale
        return pm(mean, std, getattr(r, f"{short}_n"), lambda x: num(x, digits))

    return cell


CRITICAL_MEAN = "critical mean (µs)"
CRITICAL_MESSAGES = "critical messages"
#: (column header, title in a comparison, cell of a `reshape_rounds.training_table` row)
CELLS: list[tuple[str, str, Callable[[Any], str]]] = [
    ("time to target (s)", "Time to the target accuracy (s)", _time_cell),
    ("rounds to target", "Rounds to the target accuracy", _rounds_cell),
    ("round time (ms)", "Mean round time (ms)", _mean_cell("round", 2, 1e3)),
    ("straggler rate", "Effective straggler rate", _mean_cell("straggler", 2)),
    ("final accuracy", "Final accuracy", _mean_cell("accuracy", 3)),
    (CRITICAL_MEAN, "Mean critical delay (µs)", _mean_cell("critical", 1)),
    ("critical p99 (µs)", "Critical delay p99 (µs)", _mean_cell("p99", 1)),
    (CRITICAL_MESSAGES, "Critical messages behind the p99 (pooled; per run)", _messages_cell),
    ("critical max (µs)", "Critical delay max (µs)", _mean_cell("cmax", 1)),
    ("critical dropped", "Critical messages dropped", _mean_cell("cdrop", 1)),
    ("TCP resent (kB)", "Bytes TCP resent (kB)", _mean_cell("resent", 1, 1e-3)),
    ("TCP timeouts", "TCP retransmission timeouts", _mean_cell("timeouts", 1)),
]
HEADERS = ["method", "FNs", *(c[0] for c in CELLS), "seeds"]
#: summary column -> name in the method-order sentences of the training section
ORDERED = {
    "time_to_target_s": "time to target",
    "mean_round_s": "round time",
    "critical_delay_mean_us": "critical mean",
    "critical_delay_p99_us": "critical p99",
}


def training_section(rows: pd.DataFrame, training: Training) -> list[str]:
    """The training table per method and fog-node count beside the critical delays."""
    table = reshape_rounds.training_table(rows)
    targets = sorted({f"{t:g}" for t in table["target"].dropna()})
    lines = [
        "## Training in the loop",
        "",
        f"The ML traffic is the training's round protocol ({protocol_text(training.scenarios)}); "
        "each run was then trained with exactly the aggregated sets its network decided. Means "
        f"per cell: {PM_WORDS}; a training metric (time and rounds to the target, final "
        "accuracy) counts every run, a network metric each network seed once. **time to "
        f"target** = simulated time at which the accuracy first reached the target "
        f"({', '.join(targets) or 'unknown'}), over the runs that reached it (the others are "
        "counted in the cell, never averaged in silently); **rounds to "
        "target** = rounds trained until then; **round time** = mean time from a round's first "
        "start to the cloud's update (`mean_round_s`: compute, uploads, the policy's wait, the "
        "cloud's computation; the wait for the next batch not included); **straggler rate** = "
        "1 − aggregated / FNs, averaged over rounds; "
        "**final accuracy** = after the last round, on held-out data; **critical mean** and "
        "**p99** and **max** = the critical messages' delay in the same runs (p99: the mean of "
        "the runs' own p99s, from runs with delay vectors); **critical messages** = the critical "
        "messages those p99s rest on, pooled over the seeds (per run in brackets); **critical "
        "dropped** = critical messages lost to full queues (a message with any frame dropped); "
        "**TCP resent** and **TCP timeouts** = what TCP retransmitted and its retransmission "
        "timeouts over all connections of a run (— over UDP). "
        f"{window_sentence(rows, training.scenarios)} No ML: the baseline's critical delays, "
        "no training. " + training_data_note(training_sources(rows, training)),
        "",
    ]
    body = [
        [
            label(r.method),
            str(int(r.fog_nodes)),
            *(cell(r) for _, _, cell in CELLS),
            _seeds_cell(r),
        ]
        for r in table.itertuples()
    ]
    lines += md_table(HEADERS, body)
    lines += training_orders(rows)
    lines += report_time.differences_section(rows)
    lines += report_time.split_section(rows)
    if training.notes:
        lines += [f"Run folders not read: {'; '.join(training.notes)}.", ""]
    return lines


def window_sentence(rows: pd.DataFrame, scenarios: dict[str, dict[str, Any]]) -> str:
    """How long the runs measured: one shared window, or each ML run until its training ended."""
    stopped = [s for s in scenarios.values() if (s.get("rounds") or {}).get("rounds")]
    if stopped and len(stopped) == len(scenarios):
        return (
            "Each ML run ended when every fog node had the last trained round's download "
            '(`[simulation] window = "training"`), so each measured its own time '
            f"({window_text(rows)}); its critical delays rest on that time."
        )
    return (
        "Every run, the no-ML baseline included, is measured over the same window "
        f"({window_text(rows)})."
    )


def window_text(rows: pd.DataFrame) -> str:
    """The measured window(s) of the runs, e.g. "20 s of simulated time"."""
    if "window_s" not in rows:
        return "unknown: the summary predates `window_s`"
    windows = sorted({round(float(w), 6) for w in pd.to_numeric(rows["window_s"]).dropna()})
    if not windows:
        return "unknown"
    if len(windows) == 1:
        return f"{windows[0]:g} s of simulated time"
    return f"from {windows[0]:g} to {windows[-1]:g} s of simulated time: not one window"


def training_orders(rows: pd.DataFrame) -> list[str]:
    """Backed comparisons of the methods: Welch-tested orders, and what equal rounds imply."""
    orders = {title: reshape.method_orders(rows, column) for column, title in ORDERED.items()}
    lines = orders_line(orders)
    reached = pd.to_numeric(rows.get("time_to_target_s", pd.Series(dtype=float)), errors="coerce")
    trained = pd.to_numeric(rows.get("rounds_done", pd.Series(dtype=float)), errors="coerce")
    if int(trained.notna().sum()) > int(reached.notna().sum()):
        lines += [
            "Time to target compares the runs that reached the target only; the table counts "
            "those that did not.",
            "",
        ]
    same: dict[tuple[str, ...], list[int]] = {}
    for n, methods in reshape_rounds.same_rounds_to_target(rows).items():
        same.setdefault(tuple(methods), []).append(n)
    for group, counts in same.items():
        lines += [
            f"At {', '.join(map(str, counts))} FNs, {', '.join(label(m) for m in group)} "
            "reached the target after the same number of rounds in every pair of runs with equal "
            "seeds: their times to the target differ by their round times only, not by what "
            "they learn.",
            "",
        ]
    return lines
