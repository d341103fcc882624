"""The `fogcosim` console command: one parser, subcommands registered by each package.

Each package exposes `register(subparsers)`, which adds its subcommands and sets
`func` on them. A `UserError` prints as one line (exit 2); `--verbose` shows the
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from fogcosim import __version__
from fogcosim.errors import FogcosimError, UserError

#: Modules whose `register(subparsers)` adds subcommands, in help order.
COMMAND_MODULES = ("mlpayloads.cli", "simulation.cli", "analysis.cli")


class OneLineParser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are one line naming the bad value."""

    def error(self, message: str) -> NoReturn:
        """Print `prog: error: message` (no usage block) and exit 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every package's subcommands."""
    parser = OneLineParser(
        prog="fogcosim",
        description="Co-simulate distributed-training traffic and critical factory flows.",
    )
    parser.add_argument("--version", action="version", version=f"fogcosim {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show tracebacks and debug logging"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"fogcosim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except FogcosimError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"fogcosim {args.command}: failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"fogcosim {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
