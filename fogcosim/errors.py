# SPDX-License-Identifier: MIT
"""One exception root for the project.

`UserError` is for bad input a user can fix: the CLI prints its text as one line,
so the text must name the bad value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable


class FogcosimError(Exception):
    """Root of every error fogcosim raises on purpose."""


class UserError(FogcosimError):
    """Bad input (value, file, environment) that the user can fix; shown as one line."""


def unknown(what: str, value: object, allowed: Iterable[object]) -> UserError:
    """The common error for a value outside a closed set: names the value and the choices."""
    choices = ", ".join(str(a) for a in allowed)
    return UserError(f"unknown {what} {value!r} (allowed: {choices})")
