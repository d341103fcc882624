# SPDX-License-Identifier: MIT
"""The profile reference in docs/ is what the schema says (regenerate with `make docs`)."""

from __future__ import annotations

from pathlib import Path

from simulation.profile_reference import render_reference
from simulation.schema import SCHEMA

DOC = Path(__file__).resolve().parent.parent / "docs" / "profile-reference.md"


def test_profile_reference_is_generated_from_the_schema():
    assert DOC.read_text() == render_reference(), "docs/profile-reference.md is stale: make docs"


def test_every_schema_field_is_documented():
    text = DOC.read_text()
    for table in SCHEMA.values():
        for field in table.fields:
            assert f"| `{field.key}` |" in text, (table.path, field.key)
