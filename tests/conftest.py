# SPDX-License-Identifier: MIT
"""Fixtures for the result-file tests: the OMNeT++ 6.1 + INET 4.5.4 reference, opp_scavetool."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from analysis import read_result_files

#: Real OMNeT++ 6.1 + INET 4.5.4 results and their `opp_scavetool export -F CSV-R` (copied from
#: the project's shared reference set, `reference/omnetpp-6.1-inet-4.5.4`; see its PROVENANCE.md).
REFERENCE = Path(__file__).resolve().parent / "fixtures" / "omnetpp-reference"
REFERENCE_RESULTS = REFERENCE / "results"
REFERENCE_SCA = sorted(REFERENCE_RESULTS.glob("*.sca"))
REFERENCE_VEC = sorted(REFERENCE_RESULTS.glob("*.vec"))


@pytest.fixture(scope="session")
def reference_raw() -> pd.DataFrame:
    """The raw frame of all reference .sca and .vec files."""
    return read_result_files(REFERENCE_RESULTS)


def find_scavetool() -> Path | None:
    """opp_scavetool from $OPP_SCAVETOOL, PATH or $OMNETPP_ROOT/bin."""
    candidates = [os.environ.get("OPP_SCAVETOOL"), shutil.which("opp_scavetool")]
    root = os.environ.get("OMNETPP_ROOT")
    if root:
        candidates.append(str(Path(root) / "bin" / "opp_scavetool"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def scavetool() -> Path:
    """The opp_scavetool binary; skips the test (with the reason) where there is none."""
    tool = find_scavetool()
    if tool is None:
        pytest.skip(
            "opp_scavetool not found (set OPP_SCAVETOOL or OMNETPP_ROOT, or put it on PATH)"
        )
    return tool


def scavetool_export(tool: Path, files: list[Path], out: Path) -> Path:
    """`opp_scavetool export -F CSV-R` of `files` into `out`; returns `out`."""
    env = dict(os.environ)
    lib = str(tool.resolve().parent.parent / "lib")
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (lib, env.get("LD_LIBRARY_PATH")) if p)
    proc = subprocess.run(
        [str(tool), "export", "-F", "CSV-R", "-o", str(out), *map(str, files)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"opp_scavetool failed: {proc.stderr.strip()}"
    return out
