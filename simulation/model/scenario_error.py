# SPDX-License-Identifier: MIT
"""The error of an invalid scenario, in a module of its own so parts of a Scenario can raise it."""

from __future__ import annotations

from fogcosim.errors import UserError


class ScenarioError(UserError):
    """An invalid scenario; `field` names the offending profile field when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
