# SPDX-License-Identifier: MIT
"""The round protocol against its hand-computed specification (tests/simulation/protocol_spec.py).

Both implementations must give these timelines: the embedded engine here, and
real OMNeT++ through the committed fixtures of the spec cases (each validated
pair), so a defect the two implementations share cannot pass as agreement.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.run.metrics import load_run, summarize_run
from analysis.run.pivots import vectors
from analysis.run.rounds import RunStalledError
from simulation.backends.omnetpp.versions import VALIDATED
from simulation.embedded.backend import EmbeddedBackend
from simulation.embedded.engine import Engine

from .protocol_spec import CASES, MS, SpecCase, stall_on_a_lost_upload

FIXTURES = Path(__file__).parent.parent / "fixtures" / "omnetpp"
#: vectors whose values are durations (checked apart), not round/FN numbers
COMPUTE = ("roundFogCompute", "roundCloudCompute")


def recorded(run_dir: Path) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """Every round vector of a run: (host, vector) -> [(time ps, value)]."""
    _, manifest, raw = load_run(run_dir)
    hosts = {r["module"]: r["host"] for r in manifest if r["role"] == "rounds"}
    table = vectors(raw, include_itervars=False)
    out = {}
    for _, row in table.iterrows():
        name = row["name"].removesuffix(":vector")
        if row["module"] in hosts and name.startswith("round"):
            times = [round(t * 1e12) for t in row["vectime"]]
            out[(hosts[row["module"]], name)] = list(
                zip(times, [int(v) for v in row["vecvalue"]], strict=True)
            )
    return out


def assert_matches(case: SpecCase, got: dict[tuple[str, str], list[tuple[int, int]]]) -> None:
    """Every expected vector equal to the picosecond (1 ns for OMNeT++'s double times)."""
    names = {k for k in got if k[1] not in COMPUTE}
    assert names == set(case.expected), sorted(names ^ set(case.expected))
    for key, samples in case.expected.items():
        assert [v for _, v in got[key]] == [v for _, v in samples], key
        for (t_got, _), (t_exp, _) in zip(got[key], samples, strict=True):
            assert abs(t_got - t_exp) <= 1000, (key, t_got, t_exp)


@pytest.mark.parametrize("name", sorted(set(CASES) - {"stall-lost-upload"}))
def test_the_engine_runs_the_specified_timeline(name, tmp_path):
    case = CASES[name]()
    EmbeddedBackend().run(case.scenario, tmp_path)
    assert_matches(case, recorded(tmp_path))


@pytest.mark.parametrize("name", sorted(set(CASES) - {"stall-lost-upload"}))
def test_the_run_ends_when_the_last_fog_node_has_its_last_download(name):

    case = CASES[name]()
    assert Engine(case.scenario).run().sim_time_ps == case.end_ps


def test_a_deadline_timed_from_the_last_close_would_fail_the_spec(tmp_path):
    # the defect this spec guards against: a timer from the cloud's close of round 0
    # (2.317 ms) would pass at 4.817 ms and aggregate round 1's first upload alone
    case = CASES["deadline-round-start"]()
    EmbeddedBackend().run(case.scenario, tmp_path)
    aggregated = [v for _, v in recorded(tmp_path)[("cloud", "roundAggregated")]]
    assert aggregated == [0, 1, 2, 3]


def test_a_lost_upload_stalls_the_round_and_names_the_queue(tmp_path):
    case = stall_on_a_lost_upload()
    EmbeddedBackend().run(case.scenario, tmp_path)
    got = recorded(tmp_path)
    stall = got[("cloud", "roundStall")]
    assert len(stall) == 1 and stall[0][0] == 50 * MS and stall[0][1] in (0, 1, 2)
    with pytest.raises(
        RunStalledError, match=r"round 0 stalled at 0\.05 s.*full queue of sw0->cloud"
    ):
        summarize_run(tmp_path)
    assert "stalled" in (tmp_path / "run.json").read_text()
    assert (tmp_path / "flows.csv").exists() and (tmp_path / "rounds.csv").exists()


FIXTURE_CASES = sorted(
    f"{p.parent.name}/{p.name}"
    for o, i in VALIDATED
    for p in (FIXTURES / f"{o}-{i}").glob("spec-*")
    if (p / "scenario.json").is_file() and p.name.removeprefix("spec-") in CASES
)


def test_every_validated_pair_has_the_spec_fixtures():
    for o, i in VALIDATED:
        names = {c.split("/")[1] for c in FIXTURE_CASES if c.startswith(f"{o}-{i}/")}
        assert names == {f"spec-{n}" for n in CASES}, (o, i)


@pytest.mark.parametrize("case", FIXTURE_CASES)
def test_real_omnetpp_runs_the_specified_timeline(case):
    name = case.split("/")[1].removeprefix("spec-")
    spec = CASES[name]()
    got = recorded(FIXTURES / case)
    if name == "stall-lost-upload":
        stall = got[("cloud", "roundStall")]
        assert len(stall) == 1 and abs(stall[0][0] - 50 * MS) <= 1000
        return
    assert_matches(spec, got)
