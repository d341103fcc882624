"""The `fogcosim` console command: one parser, subcommands registered by each package.

Each package exposes `register(subparsers)`, which adds its subcommands and sets
`func` on them. A `UserError` prints as one line (exit 2); an `OSError` (a full
disk, an unwritable folder) prints as one line naming the path (exit 1);
`--verbose` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import NoReturn

from fogcosim import __version__
from fogcosim.clihelp import EXIT_STATUS, examples
from fogcosim.errors import FogcosimError, UserError

#: Modules whose `register(subparsers)` adds subcommands, in help order.
COMMAND_MODULES = (
    "mlpayloads.cli",
    "simulation.cli",
    "simulation.tsn_synthesis.cli",
    "analysis.cli",
)


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
        **examples(
            "fogcosim sweep                       # the paper's study (make sweep)",
            "fogcosim run --profile my-plant.toml --fog-nodes 6 --method fl --out out/run",
            "fogcosim report results/paper-sec21",
            "fogcosim COMMAND --help              # each command's options and examples",
            notes=EXIT_STATUS,
        ),
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


def describe_os_error(exc: OSError, out: object = None) -> str:
    """One line for an OSError: what failed, on which path(s) (else the output folder)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    if paths:
        return f"{reason}: {' -> '.join(paths)}"
    return f"{reason} (output folder: {out})" if out is not None and exc.errno else reason


class Terminated(KeyboardInterrupt):
    """SIGTERM: stop as Ctrl-C stops (keep what finished, say so, clean up)."""


def _terminate(signum: int, frame: object) -> None:
    del signum, frame
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status.

    Exit status: 0 done; 1 the run failed (a simulator error, a full disk, an
    unwritable folder); 2 a user error (bad profile, option or input, one line);
    130 interrupted (Ctrl-C); 143 terminated (SIGTERM). Either way what finished
    is kept and said so.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
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
    except OSError as exc:  # full disk, unwritable or missing folder: name the path
        if args.verbose:
            traceback.print_exc()
        text = describe_os_error(exc, getattr(args, "out", None))
        print(f"fogcosim {args.command}: error: {text}", file=sys.stderr)
        return 1
    except Terminated:
        print(f"fogcosim {args.command}: terminated (SIGTERM)", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(f"fogcosim {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
