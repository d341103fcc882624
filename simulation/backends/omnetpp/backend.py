# SPDX-License-Identifier: MIT
"""The OMNeT++ backend: render NED + ini and run them in OMNeT++ 6.1 + INET 4.5 (Cmdenv).

Finding the installation, in order:
- OMNeT++: `opp_run_release`/`opp_run` on PATH, else `$OMNETPP_ROOT/bin`, else the
  opp_env workspace (`$OPP_ENV_WORKSPACE`, default ~/.local/share/fogcosim/opp_env,
  as `make omnetpp` creates it);
- INET: `$INET_ROOT`, else the newest `inet-*` in the opp_env workspace.

Any OMNeT++ 6 / INET 4.5+ pair runs; the validated pairs are listed in
`simulation.backends.omnetpp.versions` (a run on another pair warns in one line).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from fogcosim.errors import FogcosimError
from simulation.backends.base import RESULT_SUBDIR, Availability, Progress, RunResult
from simulation.backends.omnetpp import omnetlib
from simulation.backends.omnetpp.render import render
from simulation.backends.omnetpp.versions import (
    DEFAULT_PAIR,
    Versions,
    inet_version,
    omnetpp_version,
)
from simulation.model.load import overload_warnings
from simulation.model.scenario import Scenario

DEFAULT_WORKSPACE = Path.home() / ".local" / "share" / "fogcosim" / "opp_env"
LOG_NAME = "opp_run.log"
INSTALL_HINT = (
    f"install OMNeT++ {DEFAULT_PAIR[0]} + INET {DEFAULT_PAIR[1]} with `make omnetpp` (opp_env), "
    "or put opp_run on PATH and set INET_ROOT to a built INET; `--backend embedded` needs neither"
)


class BackendError(FogcosimError):
    """A simulator run that failed: the text says how and what to do."""


@dataclass(frozen=True)
class OmnetppInstall:
    """Paths of a usable OMNeT++ + INET installation."""

    opp_run: Path
    inet_root: Path

    @property
    def omnetpp_root(self) -> Path:
        """OMNeT++'s top folder (parent of bin/)."""
        return self.opp_run.resolve().parent.parent

    def versions(self) -> Versions:
        """The OMNeT++ and INET versions of this installation."""
        return Versions(omnetpp_version(self.omnetpp_root), inet_version(self.inet_root))

    def environment(self) -> dict[str, str]:
        """The child-process environment: shared libraries and tools findable."""
        env = dict(os.environ)
        libs = [str(self.omnetpp_root / "lib"), str(self.inet_root / "src")]
        if env.get("LD_LIBRARY_PATH"):
            libs.append(env["LD_LIBRARY_PATH"])
        env["LD_LIBRARY_PATH"] = os.pathsep.join(libs)
        env["PATH"] = os.pathsep.join([str(self.opp_run.parent), env.get("PATH", "")])
        env["INET_ROOT"] = str(self.inet_root)
        return env

    def ned_args(self, model_dir: Path) -> list[str]:
        """`-n` NED path (model folder, fogcosim's modules, INET's folders) and `-x` exclusions."""
        folders_file = self.inet_root / ".nedfolders"
        folders = (
            [ln.strip() for ln in folders_file.read_text().splitlines() if ln.strip()]
            if folders_file.is_file()
            else ["src"]
        )
        ned_path = [str(model_dir), str(omnetlib.source_root())] + [
            str(self.inet_root / f) for f in folders if (self.inet_root / f).is_dir()
        ]
        args = ["-n", os.pathsep.join(ned_path)]
        excl = self.inet_root / ".nedexclusions"
        if excl.is_file():
            packages = [ln.strip() for ln in excl.read_text().splitlines() if ln.strip()]
            if packages:
                args += ["-x", ";".join(packages)]
        return args

    def library(self) -> Path:
        """The project's own modules, built for this installation on first use."""
        return omnetlib.ensure_library(self.omnetpp_root, self.inet_root, self.environment())

    def command(self, model_dir: Path, result_dir: Path) -> list[str]:
        """The opp_run command line for the rendered model in `model_dir`."""
        return [
            str(self.opp_run),
            "-u", "Cmdenv",
            "-c", "General",
            "-l", str(self.inet_root / "src" / "INET"),
            "-l", str(self.library()),
            *self.ned_args(model_dir),
            f"--result-dir={result_dir}",
            "--cmdenv-redirect-output=false",
            "omnetpp.ini",
        ]  # fmt: skip


def _workspace() -> Path:
    return Path(os.environ.get("OPP_ENV_WORKSPACE", DEFAULT_WORKSPACE))


def _version_key(path: Path) -> tuple[int, ...]:
    """`omnetpp-6.2.0` -> (6, 2, 0): the newest installation first when sorted."""
    return tuple(int(x) for x in re.findall(r"\d+", path.name))


def _find_opp_run() -> Path | None:
    for name in ("opp_run_release", "opp_run"):
        found = shutil.which(name)
        if found:
            return Path(found)
    roots = []
    if os.environ.get("OMNETPP_ROOT"):
        roots.append(Path(os.environ["OMNETPP_ROOT"]))
    roots += sorted(_workspace().glob("omnetpp-*"), key=_version_key, reverse=True)
    for root in roots:
        for name in ("opp_run_release", "opp_run"):
            if (root / "bin" / name).is_file():
                return root / "bin" / name
    return None


def _inet_built(root: Path) -> bool:
    return any((root / "src").glob("libINET*.so")) or any((root / "src").glob("libINET*.dylib"))


def _find_inet() -> Path | None:
    candidates = []
    if os.environ.get("INET_ROOT"):
        candidates.append(Path(os.environ["INET_ROOT"]))
    candidates += sorted(_workspace().glob("inet-*"), key=_version_key, reverse=True)
    for root in candidates:
        if _inet_built(root):
            return root
    return None


def find_install() -> OmnetppInstall | str:
    """The installation, or the reason none was found."""
    opp_run = _find_opp_run()
    if opp_run is None:
        return f"opp_run not found (PATH, $OMNETPP_ROOT, {_workspace()}); {INSTALL_HINT}"
    inet = _find_inet()
    if inet is None:
        where = os.environ.get("INET_ROOT") or str(_workspace())
        return f"no built INET (libINET) found at $INET_ROOT or in {where}; {INSTALL_HINT}"
    return OmnetppInstall(opp_run, inet)


_EVENTS = re.compile(r"event #(\d+)")
#: Cmdenv's status line (every cmdenv-status-frequency, 2 s by default): the simulated time
_STATUS_T = re.compile(rb"\*\* Event #\d+\s+t=([0-9.eE+-]+)")


def wait_reporting(
    proc: subprocess.Popen[bytes], timeout_s: float, log: Path, progress: Progress | None
) -> int:
    """Wait for opp_run; with `progress`, tell it the simulated time of Cmdenv's status lines."""
    if progress is None:
        return proc.wait(timeout=timeout_s)
    deadline = time.monotonic() + timeout_s
    seen = 0
    while True:
        try:
            return proc.wait(timeout=min(0.5, max(0.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                raise
        with log.open("rb") as fh:
            fh.seek(seen)
            text = fh.read()
        cut = text.rfind(b"\n") + 1
        seen += cut
        times = _STATUS_T.findall(text[:cut])
        if times:
            progress(float(times[-1]))


#: INET errors whose cause is known: (text in the log, one-line explanation).
KNOWN_INET_FAILURES = (
    (
        "Returning an empty chunk is not allowed",
        "INET's frame preemption stops when a frame's rest is preempted again (a second express "
        "frame during the same preemptable frame); 802.3br allows it and the embedded backend "
        "simulates it (--backend embedded), without an INET cross-check",
    ),
)
#: Seconds opp_run gets to end after SIGTERM before SIGKILL.
STOP_GRACE_S = 5.0


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop_process_group(proc: subprocess.Popen[bytes], grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM the process group led by `proc`, SIGKILL it after `grace_s`, and reap `proc`."""
    try:
        _signal_group(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace_s)
    finally:  # also when a second Ctrl-C cuts the grace period short
        _signal_group(proc.pid, signal.SIGKILL)  # and whatever it started
        proc.wait()


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(text[-lines:])


class OmnetppBackend:
    """Runs rendered scenarios in real OMNeT++ + INET."""

    name = "omnetpp"

    def availability(self) -> Availability:
        """Whether OMNeT++ and INET were found."""
        found = find_install()
        return (
            Availability(True) if isinstance(found, OmnetppInstall) else Availability(False, found)
        )

    def run(
        self, scenario: Scenario, out_dir: Path, *, record_vectors: bool | str = False,
        timeout_s: float = 600.0, progress: Progress | None = None,
    ) -> RunResult:  # fmt: skip
        """Render into `out_dir`, run Cmdenv there, return the result files."""
        install = find_install()
        if not isinstance(install, OmnetppInstall):
            raise BackendError(install)
        out_dir = Path(out_dir).resolve()
        versions = install.versions()
        render(scenario, out_dir, record_vectors=record_vectors, dialect=versions.dialect)
        result_dir = out_dir / RESULT_SUBDIR
        if result_dir.exists():
            shutil.rmtree(result_dir)
        log = out_dir / LOG_NAME
        cmd = install.command(out_dir, result_dir)
        start = time.perf_counter()
        with log.open("w") as fh:
            fh.write("$ " + " ".join(cmd) + "\n")
            fh.flush()
            proc = subprocess.Popen(
                cmd, cwd=out_dir, stdout=fh, stderr=subprocess.STDOUT,
                env=install.environment(), start_new_session=True,
            )  # fmt: skip
            # opp_run has its own session (so a signal meant for it reaches its whole group),
            # so Ctrl-C in the terminal never reaches it: stop it here on any way out
            try:
                code = wait_reporting(proc, timeout_s, log, progress)
            except subprocess.TimeoutExpired:
                stop_process_group(proc, grace_s=0)
                raise BackendError(
                    f"opp_run timed out after {timeout_s:g}s on {scenario.name} "
                    f"(log: {log}); raise the timeout or simulate fewer fog nodes"
                ) from None
            except BaseException:  # KeyboardInterrupt, SystemExit, ...: never leave it running
                stop_process_group(proc)
                raise
        wall = time.perf_counter() - start
        text = log.read_text(errors="replace")
        if code != 0 or "<!> Error" in text:
            known = next((why for marker, why in KNOWN_INET_FAILURES if marker in text), None)
            if known:
                raise BackendError(f"opp_run failed on {scenario.name}: {known} (log: {log})")
            raise BackendError(
                f"opp_run failed with exit code {code} on {scenario.name}; last lines of {log}:\n"
                + _tail(log)
            )
        events = _EVENTS.findall(text)
        result = RunResult(
            backend=self.name,
            scenario=scenario.name,
            directory=str(out_dir),
            scalar_files=sorted(str(p) for p in result_dir.glob("*.sca")),
            vector_files=sorted(str(p) for p in result_dir.glob("*.vec")),
            log=str(log),
            wall_seconds=wall,
            events=int(events[-1]) if events else None,
            detail={
                "opp_run": str(install.opp_run),
                "inet_root": str(install.inet_root),
                "omnetpp_version": versions.omnetpp,
                "inet_version": versions.inet,
            },
            warnings=overload_warnings(scenario) + [w for w in [versions.warning()] if w],
        )
        result.write()
        return result
