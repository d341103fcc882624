# SPDX-License-Identifier: MIT
"""One conformance suite that every backend passes; plus backend-specific guarantees."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import replace

import pytest

from analysis.run.pivots import runs, scalars, statistics
from fogcosim.resultfiles.reader import read_result_files
from simulation.backends import get_backend
from simulation.backends.base import mark_interrupted
from simulation.backends.omnetpp.backend import OmnetppBackend
from simulation.embedded.backend import EmbeddedBackend
from simulation.model.apps import plan_apps
from simulation.model.scenario import Flow, ScenarioError
from simulation.profile.build import build_scenario

from .conftest import PROFILES

_OMNETPP = OmnetppBackend().availability()
BACKENDS = [
    pytest.param(EmbeddedBackend, id="embedded"),
    pytest.param(
        OmnetppBackend,
        id="omnetpp",
        marks=[
            pytest.mark.omnetpp,
            pytest.mark.skipif(
                not _OMNETPP.ok, reason=f"OMNeT++/INET not found: {_OMNETPP.reason}"
            ),
        ],
    ),
]


@pytest.mark.parametrize("backend_cls", BACKENDS)
def test_backend_conformance(tmp_path, line_profile, backend_cls):
    """Same files, names and run attributes from every backend, for a gateway + priority scenario."""
    sc = build_scenario(line_profile, 4, "cc", 1)
    result = backend_cls().run(sc, tmp_path, record_vectors=True)
    for name in ("scenario.json", "manifest.json", "run.json"):
        assert (tmp_path / name).is_file()
    stem = "General-fogNodes=4,method=cc,seed=1-#0"
    assert [p.rsplit("/", 1)[-1] for p in result.scalar_files] == [f"{stem}.sca"]
    raw = read_result_files(tmp_path / "results")
    attrs = runs(raw).iloc[0]
    assert attrs["network"] == sc.network
    assert attrs["measurement"] == f"backend={backend_cls.name}"
    assert attrs["experiment"] == sc.name
    names = set(zip(*[scalars(raw)[c] for c in ("module", "name")], strict=True))
    for d in ("cell0->gw", "gw->cloud", "fog3->cell1"):
        src = d.split("->")[0]
        assert any(
            m.startswith(f"{sc.network}.{src}.ethg$o[") and n == "busy:timeavg" for m, n in names
        )
    sinks = [a for apps in plan_apps(sc).values() for a in apps if a.role == "sink"]
    stats = statistics(raw)
    assert len(stats[stats["name"] == "endToEndDelay:histogram"]) == len(sinks)
    assert json.loads((tmp_path / "run.json").read_text())["backend"] == backend_cls.name


def test_embedded_results_are_byte_identical_for_the_same_seed(tmp_path, star_profile):
    sc = build_scenario(star_profile, 3, "fl", 0)
    a, b = tmp_path / "a", tmp_path / "b"
    EmbeddedBackend().run(sc, a, record_vectors=True)
    EmbeddedBackend().run(sc, b, record_vectors=True)
    stem = "General-fogNodes=3,method=fl,seed=0-#0"
    for name in (f"{stem}.sca", f"{stem}.vec", f"{stem}.vci"):
        assert (a / "results" / name).read_bytes() == (b / "results" / name).read_bytes()
    other = build_scenario(star_profile, 3, "fl", 1)
    EmbeddedBackend().run(other, tmp_path / "c")
    assert (tmp_path / "c/results/General-fogNodes=3,method=fl,seed=1-#0.sca").read_bytes() != (
        a / f"results/{stem}.sca"
    ).read_bytes()


def test_unknown_transports_and_tcp_without_parameters_are_refused_by_name(star_profile):
    """A flow's transport is udp or tcp, and a TCP flow carries its parameters."""
    sc = build_scenario(star_profile, 3, "none", 0)
    quic = Flow("t", "ml", "fog0", "cloud", 10**12, 10, transport="quic")  # type: ignore[arg-type]
    with pytest.raises(
        ScenarioError, match=r"flow 't': transport 'quic' is not supported \(allowed: udp, tcp\)"
    ):
        replace(sc, flows=(*sc.flows, quic))
    bare = Flow("t", "ml", "fog0", "cloud", 10**12, 10, transport="tcp")
    with pytest.raises(ScenarioError, match=r"flow 't': transport 'tcp' needs its TCP parameters"):
        replace(sc, flows=(*sc.flows, bare))


def test_auto_and_unknown_backends(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("INET_ROOT", raising=False)
    monkeypatch.setenv("OPP_ENV_WORKSPACE", "/nonexistent")
    monkeypatch.delenv("OMNETPP_ROOT", raising=False)
    assert get_backend("auto").name == "embedded"
    with pytest.raises(
        Exception, match=r"backend 'omnetpp' is not available: opp_run not found.*make omnetpp"
    ):
        get_backend("omnetpp")
    with pytest.raises(
        Exception, match=r"unknown backend 'ns3' \(allowed: embedded, omnetpp, auto\)"
    ):
        get_backend("ns3")


def _cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "fogcosim.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_cli_run_and_render(tmp_path):
    done = _cli("run", "--backend", "embedded", "--profile", str(PROFILES / "golden-star.toml"),
                "--fog-nodes", "3", "--method", "fl", "--out", str(tmp_path / "run"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "with backend embedded" in done.stdout
    assert list((tmp_path / "run/results").glob("General-*#0.sca"))
    done = _cli("render", "--profile", str(PROFILES / "golden-star.toml"), "--fog-nodes", "3",
                "--method", "none", "--out", str(tmp_path / "r"))  # fmt: skip
    assert done.returncode == 0 and (tmp_path / "r/GoldenStar.ned").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fog-nodes", "0"], "--fog-nodes: 0 is below 1"),
        (["--method", "sgd"], "invalid choice: 'sgd'"),
        (["--profile", "nope"], "unknown profile 'nope'"),
    ],
)
def test_cli_errors_are_one_line(tmp_path, args, message):
    base = {
        "--profile": "paper-sec21",
        "--fog-nodes": "4",
        "--method": "none",
        "--out": str(tmp_path / "o"),
    }
    for k, v in zip(args[::2], args[1::2], strict=True):
        base[k] = v
    done = _cli("render", *[x for kv in base.items() for x in kv])
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", ["paper-sec21", "production-line", "two-tier-plant"])
def test_generators_and_engine_scale_far_beyond_18(tmp_path, name):
    from simulation.profile.build import load_profile

    from .conftest import fixed_payload

    n = 60  # more than three times the paper's largest count (the bench runs 1,000)
    sc = build_scenario(load_profile(name), n, "cc", 0, measure=fixed_payload(78_644, 0))
    result = EmbeddedBackend().run(sc, tmp_path)
    raw = read_result_files(tmp_path / "results")
    stats = statistics(raw)
    delays = stats[stats["name"] == "endToEndDelay:histogram"]
    assert delays["count"].sum() > n * 10
    assert result.events > 0


def test_a_run_cut_before_its_folder_existed_is_still_marked(tmp_path):
    # SIGTERM right after "running ...", before the backend created the folder: the folder
    # then holds only the mark, never nothing (the console said it was marked)
    out = tmp_path / "not-yet" / "run"
    mark_interrupted(out, "Ctrl-C before the run finished; its results are partial")
    assert "partial" in json.loads((out / "run.json").read_text())["interrupted"]


def test_a_run_cut_short_is_marked_interrupted(tmp_path):
    """SIGTERM (or Ctrl-C) during `fogcosim run`: exit 143, run.json says the results are partial."""
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "fogcosim.cli", "run", "--profile", "paper-sec21",
           "--fog-nodes", "18", "--method", "fl", "--sim-time", "600s", "--force",
           "--backend", "embedded", "--no-progress", "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("running ")  # simulating from here on
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "marked interrupted" in err
    info = json.loads((out / "run.json").read_text())
    assert "partial" in info["interrupted"]
