"""Every shipped profile renders into NED + ini that real OMNeT++ 6.1 + INET 4.5.4 runs.

Skipped, with the reason, where OMNeT++ (opp_run) and a built INET (INET_ROOT)
are not found. Payload sizes are measured by mlpayloads (cached).
"""

from __future__ import annotations

import pytest

from simulation.backends.omnetpp import OmnetppBackend, find_install
from simulation.profile import build_scenario, load_profile, shipped_profiles
from simulation.traffic import METHODS

_FOUND = find_install()
pytestmark = [
    pytest.mark.omnetpp,
    pytest.mark.skipif(isinstance(_FOUND, str), reason=f"OMNeT++/INET not found: {_FOUND}"),
]


def _sca_results(path):
    scalars, stats = set(), set()
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts[:1] == ["scalar"]:
            scalars.add((parts[1], parts[2]))
        elif parts[:1] == ["statistic"]:
            stats.add((parts[1], parts[2]))
    return scalars, stats


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fog_nodes", [4, 18])
@pytest.mark.parametrize("profile", shipped_profiles())
def test_profile_runs_in_real_omnetpp(tmp_path, monkeypatch, profile, fog_nodes, method):
    monkeypatch.setenv("FOGCOSIM_CACHE", str(tmp_path.parent.parent / "payload-cache"))
    sc = build_scenario(load_profile(profile), fog_nodes, method, seed=0)
    result = OmnetppBackend().run(sc, tmp_path / "run")
    log = (tmp_path / "run" / "opp_run.log").read_text()
    assert "Simulation time limit reached" in log
    assert f"t={sc.hyperperiod_ps / 10**12:g}s" in log
    (sca,) = (tmp_path / "run" / "results").glob("*.sca")
    scalars, stats = _sca_results(sca)
    for cls_port in (f"{sc.network}.{h.name}.app[0]" for h in sc.hosts):
        assert (cls_port, "endToEndDelay:histogram") in stats  # every host has a critical sink
    links = {m for m, n in scalars if n == "utilization:last"}
    assert len(links) == 2 * len(sc.links)
    assert {m for m, n in scalars if n == "busy:timeavg"} == links
    assert result.events and result.events > 0


@pytest.mark.parametrize(
    ("profile", "edits"),
    [
        (
            "golden-line.toml",
            {},
        ),  # gateway router, strict priority, drop-tail queues, background flow
        ("golden-star.toml", {"simulation": {"mtu": 576, "queue_capacity": 20}}),
    ],
)
def test_features_agree_with_the_embedded_engine(tmp_path, profile, edits):
    """Non-default features the committed fixtures do not exercise, checked live."""
    from analysis.metrics import run_metrics
    from simulation.embedded.backend import EmbeddedBackend

    from .conftest import PROFILES

    loaded = load_profile(PROFILES / profile)
    for section, values in edits.items():
        loaded.document[section].update(values)
    sc = build_scenario(loaded, 4, loaded.methods[-1], seed=1)
    OmnetppBackend().run(sc, tmp_path / "omnetpp")
    EmbeddedBackend().run(sc, tmp_path / "embedded")
    a, b = run_metrics(tmp_path / "omnetpp"), run_metrics(tmp_path / "embedded")
    for key, value in a.items():
        if key.endswith(("_sent", "_delivered")):
            assert b[key] == value, key
        elif isinstance(value, float) and (
            key.endswith("_us") or key.startswith(("bandwidth", "cloud_"))
        ):
            assert b[key] == pytest.approx(value, rel=1e-9, nan_ok=True), key
