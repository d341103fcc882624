"""Training in the loop: the network decides each round, then the model trains those rounds.

A rounds-paced run (`simulation.roundspec`) simulates the protocol's timing
with the network and the critical traffic; message sizes and compute times do
not depend on the weights' values, so that run alone decides each round's
times and aggregated set. `train_run` then reads the round timeline back from
the result files (`analysis.rounds`), trains the scheme with exactly those
aggregated sets (`mlpayloads.cotrain`), evaluates the model after every round
on held-out data, and writes rounds.csv and accuracy.csv beside the results.
The time of a round's accuracy is the simulated time its cloud update
finished, so accuracy.csv is accuracy against simulated time.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.metrics import load_run, summarize_run, train_seed
from analysis.rounds import ROUNDS_CSV, aggregated_sets, round_metrics, rounds_table
from fogcosim import atomic
from fogcosim.errors import UserError
from mlpayloads.config import MeasureConfig
from mlpayloads.cotrain import CoTrainer
from mlpayloads.progress import data_label, round_bar

ACCURACY_CSV = "accuracy.csv"


def train_run(run_dir: Path, *, progress: bool = False) -> dict[str, Any]:
    """Train with the run's aggregated sets; write rounds.csv and accuracy.csv; return metrics."""
    run_dir = Path(run_dir)
    scenario, manifest, raw = load_run(run_dir)
    spec = scenario.get("rounds")
    if not spec:
        raise UserError(f"{run_dir}: not a rounds-paced run (its profile's ML pacing is periodic)")
    training = spec["training"]
    seeds = seeds_of(scenario)
    table = rounds_table(scenario, manifest, raw)
    atomic.write_text(run_dir / ROUNDS_CSV, table.assign(**seeds).to_csv(index=False))
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
    config = MeasureConfig(
        dataset=training["dataset"], model=training["model"], method=spec["method"],
        fog_nodes=p, batch_size=training["batch_size"], dtype=training["dtype"],
        split=training["split"], seed=seeds["train_seed"], lr=training["lr"],
        local_steps=training["local_steps"],
    )  # fmt: skip
    trainer = CoTrainer(config)
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
                    **seeds,
                }
            )
            bar.update()
    accuracy = pd.DataFrame(rows)
    atomic.write_text(run_dir / ACCURACY_CSV, accuracy.to_csv(index=False))
    target = float(training["target_accuracy"])
    reached = accuracy[accuracy["accuracy"] >= target]
    out |= {
        "final_accuracy": float(accuracy["accuracy"].iloc[-1]),
        "target_accuracy": target,
        "time_to_target_s": float(reached["sim_time_s"].iloc[0]) if len(reached) else math.nan,
        "rounds_to_target": int(reached["round"].iloc[0]) + 1 if len(reached) else math.nan,
        "training_data": trainer.data.source,
    }
    return out


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


def summarize_point(run_dir: Path) -> dict[str, Any]:
    """A sweep point's metrics; a rounds-paced run is also trained (time to accuracy)."""
    metrics = summarize_run(run_dir)
    scenario = json.loads((Path(run_dir) / "scenario.json").read_text())
    if scenario.get("rounds"):
        metrics |= train_run(run_dir)
    return metrics
