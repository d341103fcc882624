# SPDX-License-Identifier: MIT
"""Regenerate the golden NED/ini files: `make golden` (review the diff before committing)."""

from __future__ import annotations

from pathlib import Path

from simulation.backends.omnetpp.render import render_text
from simulation.profile.build import build_scenario, load_profile

HERE = Path(__file__).parent
FIXTURES = HERE.parent / "fixtures" / "profiles"
#: (profile file, fog nodes, method, seed) of each golden case.
CASES = [
    ("golden-star.toml", 3, "fl", 0),
    ("golden-line.toml", 4, "cc", 1),
    ("golden-tsn.toml", 3, "fl", 0),
    ("golden-preempt.toml", 3, "fl", 0),
]
VERSION_MARK = "VERSION"


def case_dir(profile: str, fog_nodes: int, method: str, seed: int) -> Path:
    """Folder holding one case's golden files."""
    return HERE / f"{Path(profile).stem}-n{fog_nodes}-{method}-s{seed}"


def rendered(profile: str, fog_nodes: int, method: str, seed: int) -> dict[str, str]:
    """File name -> text of a case, with the fogcosim version blanked."""
    from fogcosim import __version__

    scenario = build_scenario(load_profile(FIXTURES / profile), fog_nodes, method, seed)
    ned, ini = render_text(scenario)
    return {
        f"{scenario.network}.ned": ned.replace(__version__, VERSION_MARK),
        "omnetpp.ini": ini.replace(__version__, VERSION_MARK),
    }


def main() -> None:
    """Write every case's files."""
    for case in CASES:
        folder = case_dir(*case)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in rendered(*case).items():
            (folder / name).write_text(text)
            print(f"wrote {folder / name}")


if __name__ == "__main__":
    main()
