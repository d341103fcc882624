"""`fogcosim report DIR`: write report.md and plots/ for a sweep folder.

`fogcosim sweep` calls the same `write_report` when it finishes; this command
regenerates the report from the folder alone (after a resumed or edited
sweep, or with a newer fogcosim), without running anything.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add `report` to the fogcosim command."""
    p = sub.add_parser(
        "report",
        help="write report.md and plots/*.png of a `fogcosim sweep` output folder",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="output folder of `fogcosim sweep`")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report of the sweep in DIR and print its path."""
    from analysis.report import write_report  # lazy: keeps `fogcosim --help` light

    print(f"wrote {write_report(args.dir)}")
    return 0
