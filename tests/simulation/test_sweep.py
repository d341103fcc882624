# SPDX-License-Identifier: MIT
"""Sweeps: pure expansion, validate-first, resume, failure isolation, Dask execution."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from fogcosim.cli import build_parser, main
from fogcosim.errors import UserError
from simulation.embedded.backend import EmbeddedBackend
from simulation.profile.build import build_scenario, load_profile
from simulation.sweep import point
from simulation.sweep.grid import RUNS_DIR, SweepPoint, default_out_dir, expand, run_sweep
from simulation.sweep.point import resume_key

from .conftest import PROFILES, write_profile
from .sweep_helpers import HELD, ForgetRunFolders, die_at_three_fog_nodes, needs_the_held_lock

ROOT = Path(__file__).resolve().parents[2]
STAR = str(PROFILES / "golden-star.toml")


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


@pytest.mark.parametrize(
    ("seeds", "train_seeds", "pairs"),
    [
        (2, None, [(0, 0), (1, 1)]),  # default: run k pairs network seed k with training seed k
        (3, 1, [(0, 0), (1, 0), (2, 0)]),  # the training fixed: the network varies alone
        (1, 3, [(0, 0), (0, 1), (0, 2)]),  # the network fixed: the training varies alone
        ([5], [7], [(5, 7)]),
    ],
)
def test_expand_pairs_network_and_training_seeds(seeds, train_seeds, pairs):
    points = expand([4], ["none", "fl"], seeds, train_seeds, trains=True)
    trained = [(p.seed, p.train_seed) for p in points if p.method == "fl"]
    assert trained == pairs
    # the baseline trains nothing: one point per network seed, no training seed
    assert [(p.seed, p.train_seed) for p in points if p.method == "none"] == [
        (s, None) for s in dict.fromkeys(s for s, _ in pairs)
    ]


def test_point_keys_name_the_training_seed_where_it_differs():
    assert SweepPoint(4, "fl", 1).key == "n4-fl-s1"
    assert SweepPoint(4, "fl", 1, 1).key == "n4-fl-s1"  # paired: the key of old sweeps
    assert SweepPoint(4, "fl", 1, 0).key == "n4-fl-s1-t0"


@pytest.mark.parametrize(
    ("seeds", "train_seeds", "trains", "message"),
    [
        (2, 3, True, "2 network seeds and 3 training seeds do not pair up"),
        (2, 2, False, "training seeds apply to a profile with .traffic.ml. pacing"),
        (1, [-2], True, "seed -2 is negative"),
    ],
)
def test_expand_rejects_seeds_that_do_not_pair(seeds, train_seeds, trains, message):
    with pytest.raises(UserError, match=message):
        expand([4], ["fl"], seeds, train_seeds, trains=trains)


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
    # lose one run (as an interruption would): only it is redone; a write a SIGKILL cut
    # short (its temporary file) is cleared away, finished files are kept
    (out / RUNS_DIR / "n3-fl-s1" / "metrics.json").unlink()
    leftover = out / RUNS_DIR / "n2-fl-s0" / ".flows.csv.abc123.tmp"
    leftover.write_text("half a tab")
    kept = sorted(p.name for p in (out / RUNS_DIR / "n2-fl-s0").iterdir() if p != leftover)
    third = run_sweep(star_profile, points, out, backend="embedded", workers=1, progress=False)
    assert {s.key: s.status for s in third.statuses if s.status != "skipped"} == {
        "n3-fl-s1": "done"
    }
    assert not leftover.exists()
    assert sorted(p.name for p in (out / RUNS_DIR / "n2-fl-s0").iterdir()) == kept


def test_a_changed_scenario_is_rerun(tmp_path, star_profile):
    out = tmp_path / "sweep"
    points = expand([2], ["fl"], 1)
    run_sweep(star_profile, points, out, backend="embedded", progress=False)
    text = (PROFILES / "golden-star.toml").read_text().replace("upload = 150000", "upload = 150001")
    changed = load_profile(write_profile(tmp_path, text, "changed.toml"))
    with pytest.raises(UserError, match="another profile text"):
        run_sweep(changed, points, out, backend="embedded", progress=False)
    again = run_sweep(changed, points, out, backend="embedded", progress=False, force=True)
    assert again.statuses[0].status == "done"


def test_resume_key_covers_what_changes_results(star_profile):
    sc = build_scenario(star_profile, 2, "fl", 0)
    other_seed = build_scenario(star_profile, 2, "fl", 1)
    key = resume_key(sc, "embedded", True)
    assert key == resume_key(build_scenario(star_profile, 2, "fl", 0), "embedded", True)
    assert len({key, resume_key(other_seed, "embedded", True), resume_key(sc, "omnetpp", True),
                resume_key(sc, "embedded", False)}) == 4  # fmt: skip


@pytest.mark.parametrize("change", ["vectors", "version"])
def test_vector_recording_or_a_new_version_reruns_finished_points(
    tmp_path, star_profile, monkeypatch, change
):
    out = tmp_path / "sweep"
    points = expand([2], ["none"], 1)
    run_sweep(star_profile, points, out, backend="embedded", progress=False)
    vectors = True
    if change == "vectors":
        vectors = False
    else:
        monkeypatch.setattr(point, "__version__", "99.0")
    again = run_sweep(
        star_profile, points, out, backend="embedded", progress=False, record_vectors=vectors
    )
    assert again.statuses[0].status == "done"
    third = run_sweep(
        star_profile, points, out, backend="embedded", progress=False, record_vectors=vectors
    )
    assert third.statuses[0].status == "skipped"


def test_provenance_keeps_a_history_of_every_sweep(tmp_path, star_profile):
    out = tmp_path / "sweep"
    run_sweep(star_profile, expand([2], ["none"], 1), out, backend="embedded", progress=False)
    run_sweep(star_profile, expand([2, 3], ["none"], 1), out, backend="embedded", progress=False)
    provenance = json.loads((out / "provenance.json").read_text())
    first, second = provenance["history"]
    assert (first["run"], first["skipped"], first["failed"]) == (1, 0, 0)
    assert (second["run"], second["skipped"], second["failed"]) == (1, 1, 0)
    for entry in (first, second):
        assert entry["backend"] == "embedded" and entry["outcome"] == "finished"
        assert entry["versions"]["fogcosim"] and entry["git_revision"]
        assert entry["started"] <= entry["finished"]
    assert len(provenance["points"]) == 2  # the top level describes the latest sweep


def test_failures_are_isolated_and_reported(tmp_path, star_profile, monkeypatch):
    class Flaky(EmbeddedBackend):
        def run(self, scenario, out_dir, **kw):
            if scenario.fog_nodes == 3:
                raise RuntimeError("simulated crash")
            return super().run(scenario, out_dir, **kw)

    monkeypatch.setattr(point, "get_backend", lambda name: Flaky())
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


def test_a_folder_never_holds_both_metrics_and_an_error(tmp_path, star_profile, monkeypatch):
    out = tmp_path / "sweep"
    points = expand([2], ["none"], 1)
    run_sweep(star_profile, points, out, backend="embedded", progress=False)

    class Broken(EmbeddedBackend):
        def run(self, scenario, out_dir, **kw):
            raise RuntimeError("now it fails")

    folder = out / RUNS_DIR / "n2-none-s0"
    (folder / "metrics.json").unlink()  # force a re-run, which fails
    monkeypatch.setattr(point, "get_backend", lambda name: Broken())
    run_sweep(star_profile, points, out, backend="embedded", progress=False)
    assert (folder / "error.txt").is_file() and not (folder / "metrics.json").exists()
    monkeypatch.undo()
    run_sweep(star_profile, points, out, backend="embedded", progress=False)
    assert (folder / "metrics.json").is_file() and not (folder / "error.txt").exists()
    # an error.txt beside valid metrics (e.g. copied in) is removed when the point is skipped
    (folder / "error.txt").write_text("stale")
    assert (
        run_sweep(star_profile, points, out, backend="embedded", progress=False).statuses[0].status
        == "skipped"
    )
    assert not (folder / "error.txt").exists()


def test_invalid_point_stops_before_anything_runs(tmp_path, star_profile):
    text = (
        (PROFILES / "golden-star.toml").read_text()
        + '\n[[traffic.flows]]\nname = "x"\nclass = "ml"\nsrc = "fog2"\ndst = "cloud"\nperiod = "1s"\nsize_bytes = 5\n'
    )
    from simulation.profile.build import load_profile

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


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield cluster


def test_sweep_on_a_local_dask_cluster(tmp_path, star_profile, dask_cluster):
    outcome = run_sweep(
        star_profile, expand([2], ["none", "fl"], 1), tmp_path / "d",
        backend="embedded", dask_address=dask_cluster.scheduler_address, progress=False,
    )  # fmt: skip
    assert [s.status for s in outcome.statuses] == ["done", "done"]
    assert not outcome.noted


def test_dask_worker_in_another_directory_writes_into_the_clients_folder(
    tmp_path, monkeypatch, dask_cluster, capsys
):
    from dask.distributed import Client

    (tmp_path / "worker").mkdir()
    (tmp_path / "client").mkdir()
    with Client(dask_cluster.scheduler_address) as client:
        client.run(os.chdir, str(tmp_path / "worker"))
    monkeypatch.chdir(tmp_path / "client")
    code = main(["sweep", "--profile", STAR, "--fog-nodes", "2,3", "--methods", "none,fl", "--seeds", "1",
                 "--backend", "embedded", "--dask", dask_cluster.scheduler_address, "--no-report",
                 "--out", "study"])  # fmt: skip
    assert code == 0, capsys.readouterr()
    summary = pd.read_csv(tmp_path / "client" / "study" / "summary.csv")
    assert sorted(zip(summary["fog_nodes"], summary["method"], strict=True)) == [
        (2, "fl"),
        (2, "none"),
        (3, "fl"),
        (3, "none"),
    ]
    assert not (tmp_path / "worker" / "study").exists()


def test_dask_results_come_back_without_a_shared_folder(tmp_path, dask_cluster, capsys):
    from dask.distributed import Client

    out = tmp_path / "study"
    with Client(dask_cluster.scheduler_address) as client:
        client.register_plugin(ForgetRunFolders(str(out / RUNS_DIR)))
        try:
            code = main(["sweep", "--profile", STAR, "--fog-nodes", "2", "--methods", "none,fl",
                         "--seeds", "1", "--backend", "embedded", "--no-report",
                         "--dask", dask_cluster.scheduler_address, "--out", str(out)])  # fmt: skip
        finally:
            client.unregister_worker_plugin(ForgetRunFolders.name)
    printed = capsys.readouterr().out
    assert code == 0, printed
    summary = pd.read_csv(out / "summary.csv")
    assert sorted(summary["method"]) == ["fl", "none"]
    assert summary["critical_delivered"].gt(0).all()  # real metrics, computed on the worker
    assert printed.count("run folder not visible here") == 2
    statuses = json.loads((out / "statuses.json").read_text())
    assert all("not visible" in s["note"] for s in statuses)
    assert not list(out.glob(f"{RUNS_DIR}/*/results"))  # the result files stayed "on the worker"


def test_summary_has_one_row_per_run_and_baseline_deltas(tmp_path, star_profile):
    from analysis.run.metrics import run_metrics
    from analysis.study.summary import write_summary

    out = tmp_path / "s"
    points = expand([2, 3], ["none", "fl"], 1)
    run_sweep(star_profile, points, out, backend="embedded", progress=False, summarize=run_metrics)
    table = write_summary(out, [out / RUNS_DIR / p.key for p in points])
    again = pd.read_csv(out / "summary.csv")
    assert len(again) == len(table) == 4
    assert list(again.columns[:6]) == [
        "profile", "variant", "backend", "method", "fog_nodes", "seed",
    ]  # fmt: skip
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


@pytest.mark.parametrize(
    ("sig", "workers", "code"),
    [(signal.SIGINT, "1", 130), (signal.SIGTERM, "2", 143)],
    ids=["ctrl-c", "sigterm-2-workers"],
)
def test_interrupted_sweep_resumes_without_redoing_runs(tmp_path, sig, workers, code):
    out = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "fogcosim.cli", "sweep", "--profile", str(PROFILES / "golden-star.toml"),
           "--fog-nodes", "2,3,4,5", "--methods", "none,fl", "--seeds", "2", "--workers", workers,
           "--backend", "embedded", "--no-report", "--out", str(out)]  # fmt: skip
    # a child inherits an ignored SIGINT (as under pytest-xdist): restore Ctrl-C's default
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("runs/*/metrics.json"))) < 2:
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    finished = {p.parent.name for p in out.glob("runs/*/metrics.json")}
    assert 2 <= len(finished) < 16, "interrupt the sweep mid-way"
    statuses = json.loads((out / "statuses.json").read_text())  # written on interruption too
    assert {s["key"] for s in statuses if s["status"] == "done"} == finished
    assert (
        json.loads((out / "provenance.json").read_text())["history"][-1]["outcome"] == "interrupted"
    )
    assert not list(out.glob("runs/*/.*.tmp")), "no half-written files"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(finished)} already complete (skipped)" in done.stdout
    assert len(list(out.glob("runs/*/metrics.json"))) == 16


def test_a_killed_worker_fails_its_point_only(tmp_path, star_profile):
    out = tmp_path / "sweep"
    points = expand([2, 3, 4], ["none"], 1)
    outcome = run_sweep(
        star_profile, points, out, backend="embedded", workers=2, progress=False,
        summarize=die_at_three_fog_nodes,
    )  # fmt: skip
    assert [(s.key, s.status) for s in outcome.statuses] == [
        ("n2-none-s0", "done"),
        ("n3-none-s0", "failed"),
        ("n4-none-s0", "done"),
    ]
    error = outcome.failed[0].error
    assert "worker process died" in error and "signal 9" in error
    statuses = json.loads((out / "statuses.json").read_text())
    assert [s["status"] for s in statuses] == ["done", "failed", "done"]
    killed = out / RUNS_DIR / "n3-none-s0"
    assert "worker process died" in (killed / "error.txt").read_text()
    assert not (killed / "metrics.json").exists() and not (killed / ".running").exists()
    assert (
        json.loads((out / RUNS_DIR / "n4-none-s0" / "metrics.json").read_text())["fog_nodes_seen"]
        == 4
    )


def test_workers_do_not_inherit_the_sweeps_locks(tmp_path, star_profile):
    # a child forked while another thread of the sweep held a lock (torch's thread pools
    # after payload measurement, tqdm's monitor) waits for it forever: workers start fresh
    out = tmp_path / "sweep"
    with HELD:
        outcome = run_sweep(
            star_profile, expand([2, 3], ["none"], 1), out, backend="embedded", workers=2,
            progress=False, summarize=needs_the_held_lock,
        )  # fmt: skip
    assert [s.status for s in outcome.statuses] == ["done", "done"]
    for key in ("n2-none-s0", "n3-none-s0"):
        assert json.loads((out / RUNS_DIR / key / "metrics.json").read_text())["lock_free"]


LOCK_HOLDER = """
import sys, time
from pathlib import Path
from simulation.sweep.folderlock import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_a_second_sweep_on_a_busy_folder_stops_at_once(tmp_path, capsys):
    out = tmp_path / "study"
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(out)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        args = ["sweep", "--profile", STAR, "--fog-nodes", "2", "--methods", "none", "--seeds", "1",
                "--backend", "embedded", "--no-report", "--out", str(out)]  # fmt: skip
        assert main(args) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        assert str(out) in err and f"pid {holder.pid}" in err and "in use by another sweep" in err
        assert not (out / RUNS_DIR).exists()
    finally:
        holder.kill()  # SIGKILL: no cleanup, the lock file stays behind
        holder.wait()
    assert (out / ".fogcosim.lock").read_text().startswith(f"pid {holder.pid}")
    assert main(args) == 0  # a dead holder's lock does not block
    assert (out / RUNS_DIR / "n2-none-s0" / "metrics.json").is_file()


def test_default_folder_is_keyed_by_profile_text(tmp_path):
    paper = load_profile("paper-sec21")
    assert default_out_dir(paper, tmp_path) == tmp_path / "paper-sec21"
    copy = write_profile(tmp_path, paper.path.read_text() + "\n# an edited copy\n", "p.toml")
    edited = default_out_dir(load_profile(copy), tmp_path)
    assert edited.parent == tmp_path and edited.name.startswith("paper-sec21-")
    assert len(edited.name) == len("paper-sec21-") + 8
    same_text = write_profile(tmp_path, paper.path.read_text(), "same.toml")
    assert default_out_dir(load_profile(same_text), tmp_path) == tmp_path / "paper-sec21"


def test_an_edited_profile_never_writes_into_the_originals_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    grid = ["--fog-nodes", "2", "--methods", "none", "--seeds", "1", "--backend", "embedded",
            "--no-report", "--workers", "1"]  # fmt: skip
    assert main(["sweep", "--profile", STAR, *grid]) == 0
    (original,) = Path("results").iterdir()
    before = {
        p: p.read_bytes() for p in original.rglob("*") if p.is_file() and p.name != ".fogcosim.lock"
    }
    text = Path(STAR).read_text().replace("upload = 150000", "upload = 150001")
    edited = write_profile(tmp_path, text, "golden-star.toml")
    assert main(["sweep", "--profile", str(edited), *grid]) == 0
    assert sorted(p.name for p in Path("results").iterdir()) == sorted(
        [original.name, default_out_dir(load_profile(edited), Path("results")).name]
    )
    after = {
        p: p.read_bytes() for p in original.rglob("*") if p.is_file() and p.name != ".fogcosim.lock"
    }
    assert after == before  # the original study's folder is untouched
    capsys.readouterr()
    assert main(["sweep", "--profile", str(edited), *grid, "--out", str(original)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(original.resolve()) in err and "--force" in err
    assert main(["sweep", "--profile", str(edited), *grid, "--out", str(original), "--force"]) == 0


def test_make_sweep_and_the_cli_pick_the_same_folder():
    made = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "sweep", "PROFILE=golden"], cwd=ROOT,
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    line = next(ln for ln in made.stdout.splitlines() if "fogcosim sweep" in ln)
    args = build_parser().parse_args(line.split("fogcosim", 1)[1].split())
    default = build_parser().parse_args(["sweep"])
    assert args.profile == "golden" and args.out is None
    assert args.results_root == default.results_root


def test_an_unwritable_out_is_one_line_naming_it(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out = blocker / "sub"
    code = main(["sweep", "--profile", STAR, "--fog-nodes", "2", "--methods", "none", "--seeds", "1",
                 "--backend", "embedded", "--no-report", "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0 and len(err.strip().splitlines()) == 1 and str(out) in err
    assert "Traceback" not in err


def test_a_full_disk_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys):
    import errno

    from fogcosim import atomic

    real = atomic.write_json

    def full_disk(path, obj):
        if Path(path).name == "statuses.json":
            raise OSError(errno.ENOSPC, "No space left on device")  # as write() raises it
        real(path, obj)

    monkeypatch.setattr(atomic, "write_json", full_disk)
    out = tmp_path / "study"
    code = main(["sweep", "--profile", STAR, "--fog-nodes", "2", "--methods", "none", "--seeds", "1",
                 "--backend", "embedded", "--no-report", "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err.strip()  # the progress bar, then the error
    assert code == 1 and "Traceback" not in err
    assert (
        err.splitlines()[-1]
        == f"fogcosim sweep: error: No space left on device: {out / 'statuses.json'}"
    )


def test_variants_run_side_by_side_and_name_their_folders(tmp_path):
    text = (PROFILES / "golden-star.toml").read_text() + (
        '\n[[simulation.variants]]\nname = "small"\nset = { "traffic.ml.bytes.fl.upload" = 20000 }\n'
        '\n[[simulation.variants]]\nname = "large"\nset = { "traffic.ml.bytes.fl.upload" = 200000 }\n'
    )
    path = write_profile(tmp_path, text)
    profile = load_profile(path)
    assert profile.variants == ("small", "large")
    assert build_scenario(profile.with_variant("large"), 3, "fl", 0).variant == "large"
    out = tmp_path / "study"
    code = main(["sweep", "--profile", str(path), "--fog-nodes", "3", "--methods", "none,fl",
                 "--seeds", "1", "--backend", "embedded", "--out", str(out), "--workers", "1",
                 "--no-report"])  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in (out / "runs").iterdir()) == [
        "large-n3-fl-s0", "large-n3-none-s0", "small-n3-fl-s0", "small-n3-none-s0",
    ]  # fmt: skip
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["variant"]) == {"small", "large"}
    ml = summary[summary["method"] == "fl"].set_index("variant")["ml_upload_bytes"]
    assert ml["small"] == 20000 and ml["large"] == 200000


def test_a_bad_variant_is_refused_when_the_profile_loads(tmp_path):
    text = (PROFILES / "golden-star.toml").read_text() + (
        '\n[[simulation.variants]]\nname = "typo"\nset = { "traffic.ml.batch_siz" = 5 }\n'
    )
    with pytest.raises(
        UserError, match=r"simulation\.variants\[typo\]: .*batch_siz.*unknown field"
    ):
        load_profile(write_profile(tmp_path, text))
