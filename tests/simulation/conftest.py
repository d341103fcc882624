# SPDX-License-Identifier: MIT
from __future__ import annotations

from pathlib import Path

import pytest

from simulation.model.scenario import MlPayload
from simulation.profile.build import Profile, load_profile

FIXTURES = Path(__file__).parent.parent / "fixtures"
PROFILES = FIXTURES / "profiles"


def fixed_payload(upload: int = 40_000, download: int = 300_000):
    """A payload measurer that returns fixed sizes (no training), labelled as such."""

    def measure(section, method: str, fog_nodes: int) -> MlPayload:
        return MlPayload(method, upload, download, "fixed test sizes (not measured)")

    return measure


@pytest.fixture
def star_profile() -> Profile:
    return load_profile(PROFILES / "golden-star.toml")


@pytest.fixture
def line_profile() -> Profile:
    return load_profile(PROFILES / "golden-line.toml")


def write_profile(tmp_path: Path, text: str, name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path
