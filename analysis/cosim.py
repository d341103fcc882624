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

from analysis.metrics import load_run, summarize_run
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
    table = rounds_table(scenario, manifest, raw)
    atomic.write_text(run_dir / ROUNDS_CSV, table.to_csv(index=False))
    sets = aggregated_sets(table)
    p = len(spec["fog_nodes"])
    out: dict[str, Any] = round_metrics(table, p)
    if spec.get("rounds") and len(sets) < spec["rounds"]:
        out["rounds_unfinished"] = spec["rounds"] - len(sets)
    if not sets:
        raise UserError(
            f"{run_dir}: no round finished within the simulated time "
            f"({scenario['warmup_ps'] / 1e12 + (scenario['duration_ps'] or 0) / 1e12:g} s); "
            "raise --sim-time"
        )
    training = spec["training"]
    config = MeasureConfig(
        dataset=training["dataset"], model=training["model"], method=spec["method"],
        fog_nodes=p, batch_size=training["batch_size"], dtype=training["dtype"],
        split=training["split"], seed=scenario["seed"], lr=training["lr"],
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


def summarize_point(run_dir: Path) -> dict[str, Any]:
    """A sweep point's metrics; a rounds-paced run is also trained (time to accuracy)."""
    metrics = summarize_run(run_dir)
    scenario = json.loads((Path(run_dir) / "scenario.json").read_text())
    if scenario.get("rounds"):
        metrics |= train_run(run_dir)
    return metrics
