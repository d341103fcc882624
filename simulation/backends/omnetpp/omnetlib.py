# SPDX-License-Identifier: MIT
"""The project's own OMNeT++ modules (`omnetpp_src/`), built against INET on first use.

fogcosim adds a few simple modules to INET's: `fogcosim.FlowRecorder`
(per-flow message statistics) and the round-protocol applications. Their NED
and C++ sources ship with fogcosim; the first OMNeT++ run builds them into a
shared library with OMNeT++'s own `opp_makemake` against the INET that run
uses, in a cache folder keyed by the sources, the OMNeT++ and the INET
installation, so a rebuild happens only when one of them changes. Builds are
serialised with a lock file, so parallel sweep workers build once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from fogcosim.errors import FogcosimError
from simulation.shipped import data_folder

#: NED package and library name of the project's modules.
PACKAGE = "fogcosim"
CACHE_ENV = "FOGCOSIM_OMNETPP_LIB"


class LibraryBuildError(FogcosimError):
    """The project's OMNeT++ modules did not build; the text has the compiler's last lines."""


def source_root() -> Path:
    """The folder holding `fogcosim/*.ned|.h|.cc` (the NED path entry for the package)."""
    root = data_folder("omnetpp_src")
    if not (root / PACKAGE).is_dir():
        raise LibraryBuildError(f"fogcosim's OMNeT++ sources are missing: {root / PACKAGE}")
    return root


def _sources() -> list[Path]:
    folder = source_root() / PACKAGE
    return sorted(p for p in folder.iterdir() if p.suffix in (".ned", ".h", ".cc"))


def build_folder(omnetpp_root: Path, inet_root: Path) -> Path:
    """Where the library for these sources, this OMNeT++ and this INET lives."""
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for root in (omnetpp_root, inet_root):
        digest.update(str(root.resolve()).encode())
        version = root / "Version"
        if version.is_file():
            digest.update(version.read_bytes())
    base = os.environ.get(CACHE_ENV) or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    folder = Path(base) / ("" if os.environ.get(CACHE_ENV) else "fogcosim/omnetpp-lib")
    return folder / digest.hexdigest()[:16]


def library_path(folder: Path) -> Path:
    """The `-l` argument of opp_run for a build folder (the library without `lib` and `.so`)."""
    return folder / PACKAGE


def ensure_library(omnetpp_root: Path, inet_root: Path, env: dict[str, str]) -> Path:
    """Build the library if needed; return its `-l` path."""
    folder = build_folder(omnetpp_root, inet_root)
    built = folder / f"lib{PACKAGE}.so"
    if built.is_file():
        return library_path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f"{folder.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building the same library
        if not built.is_file():
            _build(folder, inet_root, env)
    return library_path(folder)


def _build(folder: Path, inet_root: Path, env: dict[str, str]) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"{folder.name}.", dir=folder.parent))
    try:
        for path in _sources():
            if path.suffix != ".ned":
                shutil.copy(path, work / path.name)
        inet_src = inet_root / "src"
        makemake = [
            "opp_makemake", "-f", "-s", "-o", PACKAGE, "-O", "out",
            "-DINET_IMPORT", f"-I{inet_src}", f"-L{inet_src}", "-lINET",
        ]  # fmt: skip
        log = work / "build.log"
        with log.open("w") as out:
            for cmd in (makemake, ["make", "MODE=release", f"-j{os.cpu_count() or 1}"]):
                out.write("$ " + " ".join(cmd) + "\n")
                out.flush()
                try:
                    done = subprocess.run(
                        cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT
                    )
                except FileNotFoundError:
                    raise LibraryBuildError(
                        f"building fogcosim's OMNeT++ modules needs {cmd[0]} (part of OMNeT++) "
                        "on PATH; it was not found"
                    ) from None
                if done.returncode != 0:
                    tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
                    raise LibraryBuildError(
                        f"building fogcosim's OMNeT++ modules failed ({' '.join(cmd[:1])} exit "
                        f"{done.returncode}; log {log}):\n{tail}"
                    )
        produced = work / f"lib{PACKAGE}.so"
        if not produced.is_file():
            raise LibraryBuildError(f"the build left no lib{PACKAGE}.so in {work} (log {log})")
        work.rename(folder)
    except BaseException:
        if work.exists() and not folder.exists():
            shutil.rmtree(work, ignore_errors=True)
        raise
