# SPDX-License-Identifier: MIT
"""Closed loops: the reply answers the request's arrival; round trips against the hand spec."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.run.metrics import load_run, summarize_run
from analysis.run.pivots import statistics, vectors
from fogcosim.errors import UserError
from simulation.backends.omnetpp.versions import VALIDATED
from simulation.embedded.backend import EmbeddedBackend
from simulation.profile.build import build_scenario, load_profile

from .conftest import PROFILES, write_profile
from .loop_spec import LOOP_CASES

FIXTURES = Path(__file__).parent.parent / "fixtures" / "omnetpp"


def round_trips(run_dir: Path) -> list[int]:
    """The loop's recorded round trips, ps."""
    _, _, raw = load_run(run_dir)
    v = vectors(raw, include_itervars=False)
    row = v[v["name"] == "ask:rtt:vector"].iloc[0]
    return [round(x * 1e12) for x in row["vecvalue"]]


@pytest.mark.parametrize("name", sorted(LOOP_CASES))
def test_the_engine_answers_each_request_after_it_arrived(name, tmp_path):
    case = LOOP_CASES[name]()
    EmbeddedBackend().run(case.scenario, tmp_path, record_vectors=True)
    assert round_trips(tmp_path) == case.rtts


@pytest.mark.parametrize(
    "case", [f"{o}-{i}/spec-{n}" for o, i in VALIDATED for n in sorted(LOOP_CASES)]
)
def test_real_omnetpp_answers_each_request_after_it_arrived(case):
    folder = FIXTURES / case
    assert (folder / "scenario.json").is_file(), f"missing fixture {case}: make fixtures"
    expected = LOOP_CASES[case.split("/spec-")[1]]().rtts
    got = round_trips(folder)
    assert len(got) == len(expected)
    assert all(abs(g - e) <= 1000 for g, e in zip(got, expected, strict=True))  # 1 ns


@pytest.mark.parametrize(
    "source", ["engine", *(f"{o}-{i}" for o, i in VALIDATED)], ids=lambda s: f"from-{s}"
)
def test_flows_csv_reports_each_loops_round_trips_and_misses(source, tmp_path):
    case = LOOP_CASES["loop-chunked"]()
    if source == "engine":
        run = tmp_path / "run"
        EmbeddedBackend().run(case.scenario, run, record_vectors=True)
    else:
        run = tmp_path / "fixture"
        shutil.copytree(FIXTURES / source / "spec-loop-chunked", run)
    summarize_run(run)
    flows = pd.read_csv(run / "flows.csv").set_index("flow")
    ask = flows.loc["ask"]
    rtts_us = [r / 1e6 for r in case.rtts]
    assert ask["loop_completed"] == len(case.rtts)
    assert ask["loop_deadline_us"] == 1000
    assert ask["loop_misses"] == sum(r > 1000 for r in rtts_us)
    assert ask["rtt_mean_us"] == pytest.approx(sum(rtts_us) / len(rtts_us), abs=1e-3)
    assert ask["rtt_max_us"] == pytest.approx(max(rtts_us), abs=1e-3)
    assert ask["rtt_p99_us"] == pytest.approx(max(rtts_us), abs=1e-3)  # all equal
    # the reply flow is no loop of its own
    assert flows.drop(index="ask")["loop_completed"].isna().all()


def test_a_lost_request_suppresses_its_reply_and_counts_as_a_lost_loop(tmp_path):
    profile = load_profile(PROFILES / "plant-loops.toml")
    text = Path(profile.path).read_text().replace("size_bytes = 20000", "size_bytes = 70000")
    text = text.replace('deadline = "3ms"', 'deadline = "8ms"')
    sc = build_scenario(load_profile(write_profile(tmp_path, text)), 6, "fl", 0)
    EmbeddedBackend().run(sc, tmp_path / "run", record_vectors=True)
    summarize_run(tmp_path / "run")
    _, _, raw = load_run(tmp_path / "run")
    st = statistics(raw, include_itervars=False).set_index("name")
    # 48 frames into the HMI's own 20-frame queue: every request loses frames, no reply leaves
    counts = raw[(raw["type"] == "scalar")].set_index("name")["value"]
    assert counts["hmiloop:dropped:count"] == counts["hmiloop:sent:count"] > 0
    assert counts["hmiloop_reply:sent:count"] == 0
    assert counts["hmiloop:loopLost:count"] == counts["hmiloop:sent:count"]
    assert counts["hmiloop:loopMisses:count"] == counts["hmiloop:sent:count"]
    assert int(st.loc["hmiloop:rtt:histogram", "count"]) == 0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('processing = "50us"', 'processing = "50us"\nreply_after = "1ms"'), "not both"),
        (
            (
                'processing = "50us"\nloop_deadline = "500us"',
                'reply_after = "1ms"\nloop_deadline = "500us"',
            ),
            "applies to closed loops only",
        ),
        (('processing = "50us"', 'processing = "-5us"'), "traffic.flows\\[0\\].processing"),
        (
            ('reply_bytes = 200\nprocessing = "50us"', 'processing = "50us"'),
            "request/reply flows only",
        ),
        (
            (
                'processing = "50us"\nloop_deadline = "500us"',
                'processing = "50us"\nloop_deadline = "20us"',
            ),
            "loop_deadline",
        ),
    ],
)
def test_bad_loops_are_refused_naming_the_field(tmp_path, edit, message):
    text = (PROFILES / "plant-loops.toml").read_text()
    assert edit[0] in text
    path = write_profile(tmp_path, text.replace(edit[0], edit[1], 1))
    with pytest.raises(UserError, match=message):
        build_scenario(load_profile(path), 6, "none", 0)
