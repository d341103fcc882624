# SPDX-License-Identifier: MIT
"""The wheel works on its own: built from the sdist, installed in a fresh venv outside the tree.

Nothing is downloaded: the build uses this environment's setuptools (no build
isolation), and the fresh venv sees this environment's installed dependencies
through a .pth file (which does not activate the dev tree's editable install).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from simulation.backends.omnetpp.render import render_text
from simulation.profile.build import build_scenario, load_profile

ROOT = Path(__file__).resolve().parent.parent
STAR = ROOT / "tests" / "fixtures" / "profiles" / "golden-star.toml"
#: Top-level entries that are not packaging inputs (and may be large or being written).
SKIP_TOP = {".git", ".venv", "results", "out", "build", "dist", "data", "tests", "benchmarks"}
SKIP_ANY = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", ".cache"}


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    assert done.returncode == 0, f"{cmd}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done


def copy_sources(dest: Path) -> Path:
    """The project's packaging inputs, copied, so building never writes into the tree."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == ROOT
        return {
            n for n in names
            if n in SKIP_ANY or n.endswith(".egg-info") or (top and n in SKIP_TOP)
        }  # fmt: skip

    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


@pytest.mark.slow
def test_the_wheel_renders_and_runs_outside_the_tree(tmp_path):
    py = sys.executable
    src = copy_sources(tmp_path / "src")
    # sdist (PEP 517 hook), then the wheel from the unpacked sdist: both must carry the data
    built = run(
        [py, "-c", "import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))",
         str(tmp_path / "sdist")], cwd=src,
    )  # fmt: skip
    sdist = tmp_path / "sdist" / built.stdout.strip().splitlines()[-1]
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    run([py, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
         "--wheel-dir", str(tmp_path / "wheels"), str(unpacked)])  # fmt: skip
    (wheel,) = (tmp_path / "wheels").glob("fogcosim-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = config["tool"]["fogcosim"]["shipped-data"]
    expected = {
        f"simulation/_shipped/{p.relative_to(ROOT).as_posix()}"
        for folder in shipped for p in (ROOT / folder).rglob("*") if p.is_file()
    }  # fmt: skip
    assert expected and expected <= names
    profiles = (ROOT / "simulation" / "profile" / "profiles").glob("*.toml")
    assert {f"simulation/profile/profiles/{p.name}" for p in profiles} <= names

    venv = tmp_path / "venv"
    run([py, "-m", "venv", "--without-pip", str(venv)])
    vpy = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(run([str(vpy), "-c", purelib]).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    run([py, "-m", "pip", "--python", str(vpy), "install", "--no-deps", "--no-index", "--quiet",
         str(wheel)])  # fmt: skip

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run(
        [str(vpy), "-c", "import simulation; print(simulation.__file__)"], cwd=elsewhere, env=env
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), (
        "the wheel's package must be the one imported"
    )

    fogcosim = str(venv / "bin" / "fogcosim")
    run([fogcosim, "render", "--profile", "paper-sec21", "--fog-nodes", "4", "--method", "none",
         "--out", "ned4"], cwd=elsewhere, env=env)  # fmt: skip
    scenario = build_scenario(load_profile("paper-sec21"), 4, "none", 0)
    # the source tree's templates, with vectors as `render` writes them by default
    ned, ini = render_text(scenario, record_vectors=True)
    assert (elsewhere / "ned4" / f"{scenario.network}.ned").read_text() == ned
    assert (elsewhere / "ned4" / "omnetpp.ini").read_text() == ini

    out = run([fogcosim, "run", "--profile", str(STAR), "--fog-nodes", "2", "--method", "fl",
               "--backend", "embedded", "--out", "run2"], cwd=elsewhere, env=env)  # fmt: skip
    assert "backend embedded" in out.stdout
    assert list((elsewhere / "run2" / "results").glob("*.sca"))
