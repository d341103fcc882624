# SPDX-License-Identifier: MIT
"""Live validation in real OMNeT++ + INET (skipped, with the reason, where they are not found).

Every shipped profile at 4 and 18 fog nodes (or the count its devices fix) with every
method renders into NED +
ini that the installed pair runs to its end (the time limit, or the last
round's download for rounds-paced profiles), and the embedded engine gives the
same results, result for result; so do scenarios built to create equal-time
events beyond the committed ones, and the TSN fixture cases (802.1Q tags,
gates, credit-based shapers, preemption) with more TSN tie scenarios. Run once per validated pair (source its
environment: opp_run on PATH, INET_ROOT set).
"""

from __future__ import annotations

import pytest

from fogcosim.resultfiles.reader import read_result_files
from simulation.backends.omnetpp.backend import (
    BackendError,
    OmnetppBackend,
    OmnetppInstall,
    find_install,
)
from simulation.embedded.backend import EmbeddedBackend
from simulation.model.scenario import Scenario
from simulation.profile.build import build_scenario, load_profile, shipped_profiles, with_rounds
from simulation.profile.traffic import METHODS
from tests.fixtures.omnetpp.cases import CASES

from .agree import assert_scalars_agree, assert_statistics_agree, assert_vectors_agree
from .ties import tie_scenario
from .tsn_ties import tsn_tie_scenario

_FOUND = find_install()
pytestmark = [
    pytest.mark.omnetpp,
    pytest.mark.skipif(isinstance(_FOUND, str), reason=f"OMNeT++/INET not found: {_FOUND}"),
]


def _both(tmp_path, sc: Scenario, vectors: bool = False) -> str:
    """Run `sc` in OMNeT++ and in the engine; assert equal results; return OMNeT++'s log."""
    result = OmnetppBackend().run(sc, tmp_path / "omnetpp", record_vectors=vectors)
    EmbeddedBackend().run(sc, tmp_path / "embedded", record_vectors=vectors)
    real = read_result_files(tmp_path / "omnetpp" / "results")
    ours = read_result_files(tmp_path / "embedded" / "results")
    assert_scalars_agree(real, ours)
    assert_statistics_agree(real, ours)
    assert_vectors_agree(real, ours)
    assert result.events and result.events > 0
    return (tmp_path / "omnetpp" / "opp_run.log").read_text()


def test_the_pair_is_a_validated_one():
    assert isinstance(_FOUND, OmnetppInstall)
    versions = _FOUND.versions()
    assert versions.validated, versions.warning()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("profile", "fog_nodes"),
    [(p, n) for p in shipped_profiles() for n in load_profile(p).fog_counts((4, 18))],
)
def test_profile_runs_and_agrees(tmp_path, profile, fog_nodes, method):
    sc = build_scenario(load_profile(profile), fog_nodes, method, seed=0)
    if sc.rounds is not None:
        sc = with_rounds(sc, 5)
    log = _both(tmp_path, sc)
    if sc.rounds is not None and method != "none":
        assert "endSimulation()" in log  # every fog node had the 5th round's download
    else:
        assert "Simulation time limit reached" in log
        assert f"t={sc.sim_time_limit_ps / 10**12:g}s" in log


@pytest.mark.parametrize("k", range(6, 30))
def test_equal_time_events_agree(tmp_path, k):
    _both(tmp_path, tie_scenario(k), vectors=True)


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.startswith("tsn-") and not c.startswith("tsn-ties-")]
)
def test_tsn_cases_agree(tmp_path, case):
    _both(tmp_path, CASES[case](tmp_path), vectors=True)


@pytest.mark.parametrize("kind", ["strict", "gates", "shapers", "both", "preemption"])
@pytest.mark.parametrize("k", range(3, 9))
def test_tsn_equal_time_events_agree(tmp_path, kind, k):
    sc = tsn_tie_scenario(k, kind)
    try:
        _both(tmp_path, sc, vectors=True)
    except BackendError as exc:  # INET 4.5.4 cannot cut a frame's rest again
        assert "rest is preempted again" in str(exc), exc
        notes = EmbeddedBackend().run(sc, tmp_path / "again").warnings
        assert any("no INET cross-check" in n for n in notes), notes
