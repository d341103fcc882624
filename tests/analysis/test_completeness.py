# SPDX-License-Identifier: MIT
"""A run whose result files lack promised results is an error, not wrong metrics."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from analysis.run.completeness import (
    ExpectedResult,
    IncompleteResultsError,
    check_complete,
    expected_results,
    missing_results,
)
from analysis.run.metrics import load_run, run_metrics
from fogcosim.errors import UserError
from fogcosim.resultfiles import reader as R

FIXTURE = Path(__file__).parents[1] / "fixtures" / "omnetpp" / "6.1-4.5.4" / "paper-n18-fcddt"


TOTAL = 56 * 2 + 378 + 19 * 2 * 3 + 144 * 6 + 38


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    run = tmp_path / FIXTURE.name
    shutil.copytree(FIXTURE, run)
    (sca,) = (run / "results").glob("*.sca")
    return run, sca


def _cut_at_line(sca: Path, fraction: float) -> None:
    lines = sca.read_text().splitlines(keepends=True)
    sca.write_text("".join(lines[: int(len(lines) * fraction)]))


def test_the_intact_run_has_every_expected_result(tmp_path):
    run, _ = _copy(tmp_path)
    scenario, manifest, raw = load_run(run)
    expected = expected_results(scenario, manifest)
    # 56 sinks x 2, 378 sources, 19 links x 2 directions x 3 channel results,
    # 144 flows x 6 (five counts and the delay statistic), 38 interface queues
    assert len(expected) == TOTAL
    assert missing_results(raw, expected) == []
    assert run_metrics(run)["critical_delivered"] > 0


def test_a_sca_cut_at_a_line_boundary_is_an_error_naming_folder_and_results(tmp_path):
    run, sca = _copy(tmp_path)
    intact = sca.read_text()
    _cut_at_line(sca, 0.3)
    cut = sca.read_text()
    with pytest.raises(IncompleteResultsError) as info:
        run_metrics(run)
    text = str(info.value)
    assert isinstance(info.value, UserError) and "\n" not in text
    assert text.startswith(f"{run / 'results'}: ")
    count, total = map(int, re.search(r": (\d+) of (\d+) expected results", text).groups())
    assert total == TOTAL and 0 < count < total
    assert text.endswith(f"; and {count - 3} more")
    shown = text.split("unfinished result file?): ")[1].split("; and ")[0].split("; ")
    assert len(shown) == 3
    for result in shown:  # each named result is in the intact file and not in the cut one
        module, name = result.split(" ")
        lines = re.compile(rf"^(scalar|statistic) {re.escape(module)} {re.escape(name)}\b", re.M)
        assert lines.search(intact) and not lines.search(cut), result


def test_a_cut_just_before_the_last_expected_result_is_caught(tmp_path):
    run, sca = _copy(tmp_path)
    lines = sca.read_text().splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if " packetSent:count " in line)
    sca.write_text("".join(lines[:last]))
    with pytest.raises(IncompleteResultsError, match=r": 1 of \d+ expected results are missing"):
        load_run(run)


def test_an_empty_delay_statistic_counts_as_present():
    raw = R.raw_frame([])
    raw.loc[0, [R.RUN, R.TYPE, R.MODULE, R.NAME]] = ["r", R.STATISTIC, "N.a", "x:histogram"]
    wanted = ExpectedResult("N.a", "x:histogram", (R.HISTOGRAM, R.STATISTIC))
    assert missing_results(raw, [wanted]) == []
    assert missing_results(raw, [ExpectedResult("N.a", "x:histogram")]) == [
        ExpectedResult("N.a", "x:histogram")
    ]
    check_complete(Path("res"), raw, [wanted])
