# SPDX-License-Identifier: MIT
"""Where the data folders that ship with fogcosim are: the source tree, or the installed wheel.

`ned/` and `omnetpp_ini/` (and any folder added to `shipped-data` in
pyproject.toml's `[tool.fogcosim]` table, the one list of them) stay at the top
of the repository. setup.py's build step copies each into the wheel as package
data, `simulation/_shipped/<folder>/`, so an installed fogcosim finds them
without a source tree; an editable install or a checkout uses the originals.
"""

from __future__ import annotations

from pathlib import Path

from fogcosim.errors import FogcosimError

PACKAGE_COPY = Path(__file__).resolve().parent / "_shipped"
SOURCE_TREE = Path(__file__).resolve().parent.parent


def candidates(name: str) -> list[Path]:
    """The places searched for the shipped folder `name`, in order."""
    return [PACKAGE_COPY / name, SOURCE_TREE / name]


def data_folder(name: str) -> Path:
    """The shipped folder `name` (e.g. "ned"); an error naming every place searched."""
    for place in candidates(name):
        if place.is_dir():
            return place
    searched = ", ".join(str(p) for p in candidates(name))
    raise FogcosimError(
        f"fogcosim's {name}/ folder is missing (searched {searched}); reinstall fogcosim"
    )
