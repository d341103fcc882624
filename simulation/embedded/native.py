# SPDX-License-Identifier: MIT
"""Which engine runs: its modules compiled with mypyc when that build is fresh, else pure Python.

`make native` (a step of `make setup`, `test`, `sweep` and `bench`) compiles the
event loop's modules (`COMPILED`) with mypyc (`simulation.embedded.native_build`)
into ``build/native/<python>/`` at the project root, with a manifest of the
SHA-256 of every project source the compiled code was built from (those
modules and the project modules they import, transitively: mypyc bakes in their
types and constants). When this package is imported, `compiled_folder` puts the
build first on the package's ``__path__`` only if every one of those files is
unchanged, so an edited module is never shadowed by a stale build: the pure
Python code runs until the next build. ``FOGCOSIM_PURE_PYTHON=1`` forces the
pure Python engine (to compare the two, or where no C compiler is present).
Both are the same code and give the same results (tests/simulation/test_native.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path

#: this package's source folder, and the project root above it
PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parents[1]
#: where `make native` writes the compiled modules
BUILD_ROOT = ROOT / "build" / "native"
#: the modules compiled (paths below this package, without .py): the event loop and what
#: it calls per event. Not compiled: this loader and its build step, backend and output
#: (once per run), and the packages' __init__ files (they choose the build)
COMPILED = (
    "egress", "engine", "frames", "histogram_strategy", "inet", "kernel", "layered", "loops",
    "mac", "messages", "network", "omnetpp_histogram", "preempt", "roundapp", "roundhost",
    "sources", "stats", "tcpapps", "tcplayer", "tsnegress", "udp",
    *(f"transport/tcp/{m}" for m in (
        "arrival", "buffers", "congestion", "connection", "flavours", "fsm", "policy", "rto",
        "segment", "sending", "seqnum", "signals", "tcb",
    )),
)  # fmt: skip
MANIFEST = "manifest.json"
PURE_ENV = "FOGCOSIM_PURE_PYTHON"


def build_folder(root: Path = BUILD_ROOT) -> Path:
    """The build for the running Python (e.g. build/native/cpython-311)."""
    return root / sys.implementation.cache_tag


def digests(files: list[str], root: Path = ROOT) -> dict[str, str]:
    """Path (relative to `root`) -> SHA-256 of the file: what a build is valid for."""
    return {f: hashlib.sha256((root / f).read_bytes()).hexdigest() for f in files}


def use_build(path: list[str], package: str) -> None:
    """Put a fresh build's counterpart of `package` first on its `path` (its ``__path__``).

    Called by this package's and its subpackages' ``__init__``; does nothing
    when `compiled_folder` finds no fresh build.
    """
    folder = _fresh()
    if folder is not None:
        below = package.split(".")[2:]  # simulation.embedded[.transport.tcp]
        path.insert(0, str(folder.joinpath(*below)))


@functools.cache
def _fresh() -> Path | None:
    """`compiled_folder()`, checked once per process."""
    return compiled_folder()


def compiled_folder(root: Path = ROOT, build_root: Path = BUILD_ROOT) -> Path | None:
    """The package folder of a build made from exactly the sources now in the tree, or None.

    None (pure Python runs) when `FOGCOSIM_PURE_PYTHON` is set, when nothing was
    built for this Python, or when any source the build was made from changed.
    """
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return None
    folder = build_folder(build_root)
    try:
        sources = json.loads((folder / MANIFEST).read_text())["sources"]
        if sources != digests(list(sources), root):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return folder / "simulation" / "embedded"


def engine_kind() -> str:
    """'compiled (mypyc)' or 'pure Python': which engine this process runs."""
    package = sys.modules[__name__.rsplit(".", 1)[0]]
    first = Path(package.__path__[0]).resolve()
    return "pure Python" if first == PACKAGE else "compiled (mypyc)"
