"""Sweeps: pure expansion, validate-first, resume, failure isolation, Dask execution."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from fogcosim.errors import UserError
from simulation import sweep as sweep_module
from simulation.embedded.backend import EmbeddedBackend
from simulation.sweep import RUNS_DIR, SweepPoint, expand, run_sweep

from .conftest import PROFILES, write_profile


@pytest.mark.parametrize(
    ("nodes", "methods", "seeds", "expected"),
    [
        ([4], ["none"], 1, [SweepPoint(4, "none", 0)]),
        (
            [4, 7],
            ["cc"],
            2,
            [
                SweepPoint(4, "cc", 0),
                SweepPoint(4, "cc", 1),
                SweepPoint(7, "cc", 0),
                SweepPoint(7, "cc", 1),
            ],
        ),
        ([4], ["fl", "none"], [3], [SweepPoint(4, "fl", 3), SweepPoint(4, "none", 3)]),
        ([4, 4], ["fl"], 1, [SweepPoint(4, "fl", 0)]),  # duplicates collapse
    ],
)
def test_expand_is_a_pure_grid(nodes, methods, seeds, expected):
    assert expand(nodes, methods, seeds) == expected
    assert expand(nodes, methods, seeds) == expected  # no hidden state


@pytest.mark.parametrize(
    ("nodes", "methods", "seeds", "message"),
    [
        ([0], ["cc"], 1, "fog-node count 0 is below 1"),
        ([4], ["sgd"], 1, r"unknown method 'sgd' \(allowed: none, cc, fl, fcddt\)"),
        ([4], ["cc"], [-1], "seed -1 is negative"),
        ([], ["cc"], 1, "at least one"),
    ],
)
def test_expand_rejects_bad_grids(nodes, methods, seeds, message):
    with pytest.raises(UserError, match=message):
        expand(nodes, methods, seeds)


def test_sweep_runs_resumes_and_summarises(tmp_path, star_profile):
    out = tmp_path / "sweep"
    points = expand([2, 3], ["none", "fl"], 2)
    first = run_sweep(star_profile, points, out, backend="embedded", workers=2, progress=False)
    assert [s.status for s in first.statuses] == ["done"] * 8
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["backend"] == "embedded" and provenance["seeds"] == [0, 1]
    assert "golden-star" in provenance["profile_text"]
    # run again: nothing is redone
    again = run_sweep(star_profile, points, out, backend="embedded", workers=1, progress=False)
    assert [s.status for s in again.statuses] == ["skipped"] * 8
    # lose one run (as an interruption would): only it is redone
    (out / RUNS_DIR / "n3-fl-s1" / "metrics.json").unlink()
    third = run_sweep(star_profile, points, out, backend="embedded", workers=1, progress=False)
    assert {s.key: s.status for s in third.statuses if s.status != "skipped"} == {
        "n3-fl-s1": "done"
    }


def test_a_changed_scenario_is_rerun(tmp_path, star_profile):
    out = tmp_path / "sweep"
    points = expand([2], ["fl"], 1)
    run_sweep(star_profile, points, out, backend="embedded", progress=False)
    text = (PROFILES / "golden-star.toml").read_text().replace("upload = 150000", "upload = 150001")
    from simulation.profile import load_profile

    changed = load_profile(write_profile(tmp_path, text, "changed.toml"))
    again = run_sweep(changed, points, out, backend="embedded", progress=False)
    assert again.statuses[0].status == "done"


def test_failures_are_isolated_and_reported(tmp_path, star_profile, monkeypatch):
    class Flaky(EmbeddedBackend):
        def run(self, scenario, out_dir, **kw):
            if scenario.fog_nodes == 3:
                raise RuntimeError("simulated crash")
            return super().run(scenario, out_dir, **kw)

    monkeypatch.setattr(sweep_module, "get_backend", lambda name: Flaky())
    out = tmp_path / "sweep"
    outcome = run_sweep(
        star_profile,
        expand([2, 3], ["none"], 1),
        out,
        backend="embedded",
        workers=1,
        progress=False,
    )
    assert [(s.key, s.status) for s in outcome.statuses] == [
        ("n2-none-s0", "done"),
        ("n3-none-s0", "failed"),
    ]
    assert "simulated crash" in outcome.failed[0].error
    assert "simulated crash" in (out / RUNS_DIR / "n3-none-s0" / "error.txt").read_text()
    assert (out / RUNS_DIR / "n2-none-s0" / "metrics.json").is_file()


def test_invalid_point_stops_before_anything_runs(tmp_path, star_profile):
    text = (
        (PROFILES / "golden-star.toml").read_text()
        + '\n[[traffic.flows]]\nname = "x"\nclass = "ml"\nsrc = "fog2"\ndst = "cloud"\nperiod = "1s"\nsize_bytes = 5\n'
    )
    from simulation.profile import load_profile

    profile = load_profile(write_profile(tmp_path, text))
    # fog2 exists at 3 fog nodes but not at 2: the 3-node point would run, the 2-node one is invalid
    with pytest.raises(UserError, match="fog2"):
        run_sweep(
            profile,
            expand([3, 2], ["none"], 1),
            tmp_path / "out",
            backend="embedded",
            progress=False,
        )
    assert not (tmp_path / "out" / RUNS_DIR).exists()


def test_sweep_on_a_local_dask_cluster(tmp_path, star_profile):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        outcome = run_sweep(
            star_profile, expand([2], ["none", "fl"], 1), tmp_path / "d",
            backend="embedded", dask_address=cluster.scheduler_address, progress=False,
        )  # fmt: skip
    assert [s.status for s in outcome.statuses] == ["done", "done"]


def test_summary_has_one_row_per_run_and_baseline_deltas(tmp_path, star_profile):
    from analysis.metrics import run_metrics
    from analysis.summary import write_summary

    out = tmp_path / "s"
    points = expand([2, 3], ["none", "fl"], 1)
    run_sweep(star_profile, points, out, backend="embedded", progress=False, summarize=run_metrics)
    table = write_summary(out, [out / RUNS_DIR / p.key for p in points])
    again = pd.read_csv(out / "summary.csv")
    assert len(again) == len(table) == 4
    assert list(again.columns[:5]) == ["profile", "backend", "method", "fog_nodes", "seed"]
    none = again[again["method"] == "none"]
    assert (none["delta_critical_delay_mean_us"] == 0).all()
    fl = again[again["method"] == "fl"].set_index("fog_nodes")
    base = none.set_index("fog_nodes")
    assert fl["delta_bandwidth_mean"].to_dict() == pytest.approx(
        (fl["bandwidth_mean"] - base["bandwidth_mean"]).to_dict()
    )
    assert (fl["ml_delivered"] > 0).all() and (
        fl["critical_sent"] == fl["critical_delivered"]
    ).all()


def test_interrupted_sweep_resumes_without_redoing_runs(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "fogcosim.cli", "sweep", "--profile", str(PROFILES / "golden-star.toml"),
           "--fog-nodes", "2,3,4,5,6,7,8,9", "--methods", "none,fl", "--seeds", "3", "--workers", "1",
           "--backend", "embedded", "--no-report", "--out", str(out)]  # fmt: skip
    # a child inherits an ignored SIGINT (as under pytest-xdist): restore Ctrl-C's default
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("runs/*/metrics.json"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    finished = {p.parent.name for p in out.glob("runs/*/metrics.json")}
    assert 2 <= len(finished) < 48, "interrupt the sweep mid-way"
    assert not list(out.glob("runs/*/.*.tmp")), "no half-written files"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(finished)} already complete (skipped)" in done.stdout
    assert len(list(out.glob("runs/*/metrics.json"))) == 48
