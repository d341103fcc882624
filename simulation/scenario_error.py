"""The error of an invalid scenario.

Its own module, so that `simulation.tcpconfig` and `simulation.scenario` can both raise it
without importing each other.
"""

from __future__ import annotations

from fogcosim.errors import UserError


class ScenarioError(UserError):
    """An invalid scenario; `field` names the offending profile field when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
