# SPDX-License-Identifier: MIT
"""Training in the loop: the network decides each round, then the model trains those rounds.

A rounds-paced run (`simulation.model.roundspec`) simulates the protocol's timing
with the network and the critical traffic; message sizes and compute times do
not depend on the weights' values, so that run alone decides each round's
times and aggregated set. `train_run` then reads the round timeline back from
the result files (`analysis.run.rounds`), trains the scheme with exactly those
aggregated sets (`mlpayloads.cotrain`), evaluates the model after every round
on held-out data, and writes rounds.csv and accuracy.csv beside the results.
The time of a round's accuracy is the simulated time its cloud update
finished, so accuracy.csv is accuracy against simulated time.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.run.csvfiles import write_table
from analysis.run.metrics import load_results, summarize_run, train_seed
from analysis.run.rounds import ROUNDS_CSV, aggregated_sets, round_metrics, rounds_table
from fogcosim import atomic
from fogcosim.errors import UserError
from fogcosim.resultfiles.runresults import RunResults
from mlpayloads.config import MeasureConfig
from mlpayloads.cotrain import CoTrainer, check_training
from mlpayloads.partition import DEFAULT_ALPHA, PartitionError
from mlpayloads.progress import data_label, round_bar
from simulation.backends.base import RUN_INFO
from simulation.profile.build import Profile, build_scenario
from simulation.sweep.grid import SweepPoint

ACCURACY_CSV = "accuracy.csv"


def training_config(scenario: dict[str, Any], device: str = "auto") -> MeasureConfig:
    """What a rounds-paced scenario (as in scenario.json) trains, on `device`."""
    spec = scenario["rounds"]
    training = spec["training"]
    return MeasureConfig(
        dataset=training["dataset"], model=training["model"], method=spec["method"],
        fog_nodes=len(spec["fog_nodes"]), batch_size=training["batch_size"],
        dtype=training["dtype"], split=training["split"], seed=seeds_of(scenario)["train_seed"],
        lr=training["lr"], local_steps=training["local_steps"],
        partition=training.get("partition", "iid"),
        dirichlet_alpha=training.get("dirichlet_alpha") or DEFAULT_ALPHA, device=device,
    )  # fmt: skip


def check_before_simulating(scenario: dict[str, Any], device: str = "auto") -> None:
    """One-line errors for training that would fail, before the network run spends time.

    A partition smaller than a batch names its [traffic.ml] field.
    """
    try:
        check_training(training_config(scenario, device))
    except PartitionError as exc:
        raise UserError(f"profile {scenario['profile']!r}: traffic.ml.{exc.field}: {exc}") from None


def check_sweep_training(profile: Profile, points: list[SweepPoint], device: str) -> None:
    """`check_before_simulating` for every rounds-paced point of a sweep, before any runs.

    The partition depends on the FN count and the seed, not the method, so one check per
    (FN count, seed) with ML traffic.
    """
    seen: set[tuple[str, int, int]] = set()
    for point in points:
        key = (point.variant, point.fog_nodes, point.seed)
        if point.method == "none" or key in seen:
            continue
        seen.add(key)
        scenario = build_scenario(
            profile.with_variant(point.variant), point.fog_nodes, point.method, point.seed
        )
        if scenario.rounds is None:
            continue  # periodic ML traffic: nothing trains
        check_before_simulating(scenario.to_dict(), device)


def train_run(
    run_dir: Path,
    results: RunResults | None = None,
    *,
    progress: bool = False,
    device: str = "auto",
) -> dict[str, Any]:
    """Train with the run's aggregated sets; write rounds.csv and accuracy.csv; return metrics.

    `results`: the run's results in memory (as for `summarize_run`); None reads its files.
    Also records what trained (data source, partition, device) in run.json.
    """
    run_dir = Path(run_dir)
    scenario, manifest, results = load_results(run_dir, results)
    spec = scenario.get("rounds")
    if not spec:
        raise UserError(f"{run_dir}: not a rounds-paced run (its profile's ML pacing is periodic)")
    training = spec["training"]
    seeds = seeds_of(scenario)
    table = rounds_table(scenario, manifest, results)
    write_table(run_dir / ROUNDS_CSV, table.assign(**seeds))
    wanted = training.get("rounds") or spec.get("rounds")
    table = table[table["round"] < wanted] if wanted else table
    sets = aggregated_sets(table)
    p = len(spec["fog_nodes"])
    out: dict[str, Any] = seeds | {"window_s": window_s(scenario, table)} | round_metrics(table, p)
    if wanted and len(sets) < wanted:
        out["rounds_unfinished"] = wanted - len(sets)
    if not sets:
        raise UserError(
            f"{run_dir}: no round finished within the simulated time "
            f"({scenario['warmup_ps'] / 1e12 + (scenario['duration_ps'] or 0) / 1e12:g} s); "
            "raise --sim-time"
        )
    config = training_config(scenario, device)
    started = time.perf_counter()
    try:
        trainer = CoTrainer(config)
    except PartitionError as exc:
        raise UserError(f"{run_dir}: traffic.ml.{exc.field}: {exc}") from None
    done_at = table.groupby("round")["round_done_s"].first().to_numpy()
    rows = []
    desc = f"training {spec['method']} ({data_label(trainer.data.source)})"
    with round_bar(desc, len(sets), progress) as bar:
        for r, chosen in enumerate(sets):
            result = trainer.run_round(chosen)
            assert result is not None
            rows.append(
                {
                    "round": r,
                    "sim_time_s": float(done_at[r]),
                    "accuracy": result.accuracy,
                    "loss": result.loss,
                    "aggregated": len(chosen),
                    "data_source": trainer.data.source,
                    "partition": partition_text(config),
                    **seeds,
                }
            )
            bar.update()
    accuracy = pd.DataFrame(rows)
    write_table(run_dir / ACCURACY_CSV, accuracy)
    target = float(training["target_accuracy"])
    reached = accuracy[accuracy["accuracy"] >= target]
    out |= {
        "final_accuracy": float(accuracy["accuracy"].iloc[-1]),
        "target_accuracy": target,
        "time_to_target_s": float(reached["sim_time_s"].iloc[0]) if len(reached) else math.nan,
        "rounds_to_target": int(reached["round"].iloc[0]) + 1 if len(reached) else math.nan,
        "training_data": trainer.data.source,
        "partition": partition_text(config),
        # wall-clock seconds of the training and its evaluations (for benchmarks; not a result)
        "wall_training_s": round(time.perf_counter() - started, 4),
    }
    _record_training(run_dir, trainer, config, len(sets))
    return out


def partition_text(config: MeasureConfig) -> str:
    """The partition as the tables show it: "iid" or "dirichlet(alpha=0.5)"."""
    if config.partition == "dirichlet":
        return f"dirichlet(alpha={config.dirichlet_alpha:g})"
    return config.partition


def _record_training(run_dir: Path, trainer: CoTrainer, config: MeasureConfig, rounds: int) -> None:
    """Add what trained to run.json (the backend wrote the network run's part)."""
    path = run_dir / RUN_INFO
    info = json.loads(path.read_text()) if path.is_file() else {}
    info["training"] = {
        "data_source": trainer.data.source,
        "train_records": len(trainer.data.train),
        "test_records": len(trainer.data.test),
        "partition": partition_text(config),
        "device": str(trainer.device),
        "rounds": rounds,
    }
    atomic.write_json(path, info)


def seeds_of(scenario: dict[str, Any]) -> dict[str, int]:
    """A rounds-paced run's network seed and training seed (columns of its tables)."""
    seed = int(scenario["seed"])
    train = train_seed(scenario)
    return {"seed": seed, "train_seed": seed if train is None else train}


def window_s(scenario: dict[str, Any], table: pd.DataFrame) -> float:
    """Simulated time the run measured (after the warm-up), in seconds.

    A run whose protocol stops after its rounds (`fogcosim cosim`) ends when the
    last fog node has the last download; any other runs its whole window.
    """
    measured = scenario.get("duration_ps") or scenario["hyperperiod_ps"]
    spec = scenario.get("rounds") or {}
    if spec.get("rounds") and len(table) and int(table["round"].max()) + 1 >= spec["rounds"]:
        # it ended itself, before the cap: at the last download (CC: the last update)
        end = table[["download_done_s", "round_done_s"]].max().max()
        return max(0.0, float(end) - scenario.get("warmup_ps", 0) / 1e12)
    return float(measured) / 1e12


def summarize_point(
    run_dir: Path, results: RunResults | None = None, device: str = "auto"
) -> dict[str, Any]:
    """A sweep point's metrics; a rounds-paced run is also trained (time to accuracy).

    `results`: the run's results as its backend kept them (None: its files, read once).
    """
    scenario, _, results = load_results(run_dir, results)
    metrics = summarize_run(run_dir, results)
    if scenario.get("rounds"):
        metrics |= train_run(run_dir, results, device=device)
    return metrics
