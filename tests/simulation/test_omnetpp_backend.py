# SPDX-License-Identifier: MIT
"""The OMNeT++ backend's discovery and error handling, with a stand-in opp_run (no OMNeT++ needed)."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulation.backends.omnetpp import omnetlib
from simulation.backends.omnetpp.backend import BackendError, OmnetppBackend, find_install
from simulation.profile.build import build_scenario

from .conftest import PROFILES


def fake_install(tmp_path, monkeypatch, script: str):
    """An `opp_run` shell script on PATH and an INET_ROOT with a (dummy) libINET."""
    bindir = tmp_path / "omnetpp" / "bin"
    bindir.mkdir(parents=True)
    opp_run = bindir / "opp_run"
    opp_run.write_text("#!/bin/sh\n" + script)
    opp_run.chmod(opp_run.stat().st_mode | stat.S_IEXEC)
    inet = tmp_path / "inet"
    (inet / "src").mkdir(parents=True)
    (inet / "src" / "libINET.so").write_bytes(b"")
    (inet / ".nedfolders").write_text("src\n")
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin:/bin")
    monkeypatch.setenv("INET_ROOT", str(inet))
    # fogcosim's own modules, as if built on an earlier run
    monkeypatch.setenv(omnetlib.CACHE_ENV, str(tmp_path / "lib"))
    built = omnetlib.build_folder(tmp_path / "omnetpp", inet)
    built.mkdir(parents=True)
    (built / "libfogcosim.so").write_bytes(b"")
    return opp_run


def test_missing_installation_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("OPP_ENV_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("OMNETPP_ROOT", raising=False)
    monkeypatch.delenv("INET_ROOT", raising=False)
    reason = find_install()
    assert isinstance(reason, str) and "opp_run not found" in reason and "make omnetpp" in reason
    assert not OmnetppBackend().availability().ok


def test_inet_missing_is_named(monkeypatch, tmp_path):
    fake_install(tmp_path, monkeypatch, "exit 0\n")
    monkeypatch.setenv("INET_ROOT", str(tmp_path / "nowhere"))
    monkeypatch.setenv("OPP_ENV_WORKSPACE", str(tmp_path))
    reason = find_install()
    assert isinstance(reason, str) and "no built INET" in reason


def test_crashed_run_reports_exit_code_and_log_tail(tmp_path, monkeypatch, star_profile):
    fake_install(
        tmp_path, monkeypatch, 'echo "<!> Error: Class \\"inet::Foo\\" not found"\nexit 1\n'
    )
    sc = build_scenario(star_profile, 3, "none", 0)
    with pytest.raises(BackendError) as info:
        OmnetppBackend().run(sc, tmp_path / "run")
    text = str(info.value)
    assert "exit code 1" in text and 'Class "inet::Foo" not found' in text
    assert "opp_run.log" in text
    assert (tmp_path / "run" / "opp_run.log").is_file()
    assert (tmp_path / "run" / "omnetpp.ini").is_file()  # the inputs stay for inspection


def test_timeout_kills_the_run_and_says_so(tmp_path, monkeypatch, star_profile):
    fake_install(tmp_path, monkeypatch, "sleep 30\n")
    sc = build_scenario(star_profile, 3, "none", 0)
    with pytest.raises(BackendError, match=r"timed out after 0.5s .*raise the timeout"):
        OmnetppBackend().run(sc, tmp_path / "run", timeout_s=0.5)


def test_command_line_uses_inet_ned_folders_and_exclusions(tmp_path, monkeypatch):
    fake_install(tmp_path, monkeypatch, "exit 0\n")
    (tmp_path / "inet" / ".nedexclusions").write_text("inet.examples\ninet.showcases\n")
    install = find_install()
    assert not isinstance(install, str)
    cmd = install.command(tmp_path / "model", tmp_path / "model" / "results")
    assert cmd[cmd.index("-x") + 1] == "inet.examples;inet.showcases"
    assert str(tmp_path / "inet" / "src") in cmd[cmd.index("-n") + 1]
    assert cmd[-1] == "omnetpp.ini" and "-u" in cmd and "Cmdenv" in cmd
    libraries = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "-l"]
    assert libraries[1].startswith(str(tmp_path / "lib")) and libraries[1].endswith("fogcosim")
    assert str(omnetlib.source_root()) in cmd[cmd.index("-n") + 1]


def test_module_build_failure_names_the_tool(tmp_path, monkeypatch):
    fake_install(tmp_path, monkeypatch, "exit 0\n")
    monkeypatch.setenv(omnetlib.CACHE_ENV, str(tmp_path / "other"))
    install = find_install()
    with pytest.raises(omnetlib.LibraryBuildError, match="opp_makemake"):
        install.library()


RUN_BACKEND = """
import sys
from pathlib import Path
from simulation.backends.omnetpp import backend
from simulation.profile.build import build_scenario, load_profile
backend.STOP_GRACE_S = 0.5
sc = build_scenario(load_profile(sys.argv[1]), 3, "none", 0)
backend.OmnetppBackend().run(sc, Path(sys.argv[2]), timeout_s=120)
"""


def _ended(pid: int) -> bool:
    """Whether a process has ended (a zombie waiting for a reaper counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def _gone(pid: int, within_s: float = 10.0) -> bool:
    """Whether a process ends soon: a signalled process dies when next scheduled, not at once."""
    deadline = time.monotonic() + within_s
    while not _ended(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.parametrize("ignores_term", [False, True], ids=["ends-on-sigterm", "needs-sigkill"])
def test_ctrl_c_ends_opp_run_and_what_it_started(tmp_path, monkeypatch, ignores_term):
    pids = tmp_path / "pids"
    trap = "trap '' TERM\n" if ignores_term else ""
    # the stand-in starts a child, as opp_run may, and waits
    fake_install(
        tmp_path,
        monkeypatch,
        f'{trap}sleep 120 &\necho "$$ $!" > {pids}.tmp\nmv {pids}.tmp {pids}\nwait\n',
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN_BACKEND, str(PROFILES / "golden-star.toml"), str(tmp_path / "run")],
        env={**os.environ, "PYTHONPATH": str(root)}, stderr=subprocess.PIPE, text=True,
        # a child inherits an ignored SIGINT (as under pytest-xdist): restore Ctrl-C's default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not pids.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    started = [int(p) for p in pids.read_text().split()]
    try:
        assert not any(_ended(p) for p in started)
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends the sweep (opp_run has its own session)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode != 0 and "KeyboardInterrupt" in err
        for pid in started:
            assert _gone(pid), f"process {pid} of the stand-in opp_run outlived the interrupt"
    finally:  # leave nothing running if it failed
        with contextlib.suppress(ProcessLookupError):
            os.killpg(started[0], signal.SIGKILL)
