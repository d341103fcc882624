# SPDX-License-Identifier: MIT
"""Examples under each command's --help: what a user types first."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

#: every command's exit status (`fogcosim.cli.main`)
EXIT_STATUS = (
    "exit status: 0 done; 1 the run failed (simulator error, full disk, unwritable folder); "
    "2 bad input (profile, option, file: one line naming it); 130 interrupted (Ctrl-C); "
    "143 terminated (SIGTERM). What finished is kept either way."
)


def examples(*lines: str, notes: str = "") -> dict[str, Any]:
    """`add_parser` keywords for an epilog of example command lines (kept as written)."""
    text = "examples:\n" + "\n".join(f"  {line}" for line in lines)
    if notes:
        text += "\n\n" + textwrap.fill(notes, 90)
    return {"epilog": text, "formatter_class": argparse.RawDescriptionHelpFormatter}
