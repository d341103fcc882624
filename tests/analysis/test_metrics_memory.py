# SPDX-License-Identifier: MIT
"""A run's metrics from the engine's memory equal those read back from its result files.

The embedded backend hands `summarize_run` the `RunResults` its writers captured
while writing the .sca/.vec files; the OMNeT++ backend (and any folder) is read from
the files. One definition serves both, so the numbers must be equal, NaN for NaN,
and so must every table written (flows, hops, queues, tcp, gates, round gates,
rounds), for runs of each kind: plain UDP critical and ML traffic, rounds,
closed loops, TCP, TSN gates with rounds, a stalled round, and a run without
vectors. The scenarios are those of the OMNeT++ fixtures, run by the engine.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis.run.csvfiles import csv_text, whole_numbers
from analysis.run.flows import COLUMNS, HOP_COLUMNS, QUEUE_COLUMNS, flow_rows, hop_rows, queue_rows
from analysis.run.metrics import load_results, run_metrics, summarize_run
from analysis.run.rounds import RunStalledError, rounds_table
from analysis.run.tcp import COLUMNS as TCP_COLUMNS
from analysis.run.tcp import tcp_rows
from fogcosim.resultfiles.reader import result_file_paths
from fogcosim.resultfiles.runresults import VECTOR, RunResults
from simulation.embedded.backend import EmbeddedBackend
from simulation.model.scenario import scenario_from_dict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "omnetpp" / "6.1-4.5.4"
#: fixture -> record vectors: plain UDP critical + ML, rounds, closed loops, TCP (background
#: flows; rounds over TCP), TSN gates with rounds (round_gates.csv), a stalled round
CASES = {
    "paper-n4-fl": True,
    "paper-n4-fcddt": False,  # without vectors: no percentiles, no split
    "rounds-n4-fcddt": True,
    "loops-n6-fl": True,
    "tcp-background-n4": True,
    "tcp-reno-delack-n8-fcddt": True,
    "tsn-gates-rounds-n8-fl": True,
    "spec-stall-lost-upload": True,
}
TABLES = ("flows.csv", "hops.csv", "queues.csv", "tcp.csv", "gates.csv", "round_gates.csv",
          "rounds.csv", "run.json")  # fmt: skip


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN, and of the same type (an int is no float)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def assert_same_metrics(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert list(a) == list(b)
    differ = {k: (a[k], b[k]) for k in a if not _same(a[k], b[k])}
    assert not differ


def _summarize(run: Path, results: RunResults | None) -> tuple[dict[str, Any] | str, dict]:
    """The run's metrics (or its stall diagnosis) and the text of every table written."""
    for name in TABLES[:-1]:
        (run / name).unlink(missing_ok=True)
    try:
        metrics: dict[str, Any] | str = summarize_run(run, results)
    except RunStalledError as exc:
        metrics = str(exc)
    tables = {name: (run / name).read_text() for name in TABLES if (run / name).exists()}
    return metrics, tables


def assert_same_results(a: RunResults, b: RunResults) -> None:
    assert a.present == b.present
    assert list(a.scalars) == list(b.scalars)
    assert [k for k, v in a.scalars.items() if not _same(v, b.scalars[k])] == []
    stats_a, stats_b = dict(a.statistics()), dict(b.statistics())
    assert stats_a.keys() == stats_b.keys()
    for key, stat in stats_a.items():
        assert all(_same(x, y) for x, y in zip(vars_of(stat), vars_of(stats_b[key]), strict=True))
    for module, name, kind in a.present:
        if kind == VECTOR:
            for x, y in zip(a.vector(module, name), b.vector(module, name), strict=True):
                np.testing.assert_array_equal(x, y)


def vars_of(stat: Any) -> tuple[float, ...]:
    return (stat.count, stat.sumweights, stat.mean, stat.stddev, stat.min, stat.max)


@pytest.mark.parametrize("case", sorted(CASES))
def test_metrics_from_memory_equal_those_from_the_files(case, tmp_path):
    scenario = scenario_from_dict(json.loads((FIXTURES / case / "scenario.json").read_text()))
    run = tmp_path / "run"
    result = EmbeddedBackend().run(scenario, run, record_vectors=CASES[case])
    assert isinstance(result.results, RunResults)
    read = RunResults.read(result_file_paths(run / "results"))
    assert_same_results(result.results, read)

    run_json = (run / "run.json").read_text()
    memory, memory_tables = _summarize(run, result.results)
    (run / "run.json").write_text(run_json)  # a stalled run marks it
    files, file_tables = _summarize(run, None)
    if isinstance(memory, str):
        assert memory == files and "stalled" in memory
    else:
        assert isinstance(files, dict)
        assert_same_metrics(memory, files)
        assert_same_metrics(run_metrics(run, result.results), files)
    assert memory_tables == file_tables
    assert {"flows.csv", "hops.csv", "queues.csv"} <= memory_tables.keys()

    # the rounds timeline (the training phase's input) is the same from either
    sc, manifest, results = load_results(run, result.results)
    if sc.get("rounds"):
        pd.testing.assert_frame_equal(
            rounds_table(sc, manifest, results), rounds_table(sc, manifest, read)
        )


@pytest.mark.parametrize("case", ["tcp-reno-delack-n8-fcddt", "tsn-gates-rounds-n8-fl"])
def test_tables_written_from_rows_are_those_pandas_writes(case, tmp_path):
    """`csv_text` of the rows is `write_table`'s text of the same rows as a DataFrame."""
    run = tmp_path / "run"
    shutil.copytree(FIXTURES / case, run)
    sc, manifest, results = load_results(run)
    tables = [
        (flow_rows(manifest, results, sc), COLUMNS),
        (hop_rows(manifest, results, sc), HOP_COLUMNS),
        (queue_rows(manifest, results), QUEUE_COLUMNS),
        (tcp_rows(manifest, results), TCP_COLUMNS),
    ]
    for rows, columns in tables:
        pandas_text = whole_numbers(pd.DataFrame(rows, columns=columns)).to_csv(index=False)
        assert csv_text(rows, columns) == pandas_text
