# SPDX-License-Identifier: MIT
"""Build step: ship the top-level data folders inside the wheel, as package data of `simulation`.

The folders (`ned/`, `omnetpp_ini/`, ...) stay at the top of the repository; the
one list of them is `shipped-data` in pyproject.toml's `[tool.fogcosim]` table.
`build_py` copies each into `simulation/_shipped/<folder>/` of the build (so into
the wheel), and names them as sources (so the sdist carries them and a wheel
built from the sdist has them too). An editable install skips the copy: the
source tree has the originals, and `simulation.shipped` looks there.
Everything else is configured in pyproject.toml.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TARGET = Path("simulation", "_shipped")


def shipped_files() -> list[Path]:
    """Every file of the shipped data folders, relative to the project root."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    folders = config["tool"]["fogcosim"]["shipped-data"]
    files = []
    for folder in folders:
        if not (ROOT / folder).is_dir():
            raise SystemExit(f"pyproject.toml: shipped-data folder {folder!r} does not exist")
        files += [
            p.relative_to(ROOT)
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        ]
    return sorted(files)


class BuildPyWithData(build_py):
    """build_py that also copies the shipped data folders into the package."""

    def run(self) -> None:
        """Build the packages, then add the data folders (not for editable installs)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for rel in shipped_files():
            dest = Path(self.build_lib) / TARGET / rel
            self.mkpath(str(dest.parent))
            self.copy_file(str(ROOT / rel), str(dest))

    def get_source_files(self) -> list[str]:
        """The package sources plus the data folders (what the sdist must carry)."""
        return [*super().get_source_files(), *(str(p) for p in shipped_files())]

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        """The built files, the copied data included."""
        if getattr(self, "editable_mode", False):
            return super().get_outputs(include_bytecode)
        extra = [str(Path(self.build_lib) / TARGET / p) for p in shipped_files()]
        return [*super().get_outputs(include_bytecode), *extra]


setup(cmdclass={"build_py": BuildPyWithData})
