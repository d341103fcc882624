# SPDX-License-Identifier: MIT
"""The docs hold: the profile reference is what the schema says (`make docs`), and links resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulation.profile.reference import render_reference
from simulation.profile.schema import SCHEMA

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "profile-reference.md"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#([^)\s]*))?\)")


def test_profile_reference_is_generated_from_the_schema():
    assert DOC.read_text() == render_reference(), "docs/profile-reference.md is stale: make docs"


def test_every_schema_field_is_documented():
    text = DOC.read_text()
    for table in SCHEMA.values():
        for field in table.fields:
            assert f"| `{field.key}` |" in text, (table.path, field.key)


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors of a Markdown page: lower case, punctuation dropped, - for spaces."""
    out = set()
    for line in page.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_to_a_project_file_resolves(page: Path) -> None:
    for target, anchor in LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path = (page.parent / target).resolve()
        assert path.exists(), f"{page.name} links to {target}, which does not exist"
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), (
                f"{page.name} links to {target}#{anchor}: no such heading"
            )
