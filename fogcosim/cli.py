# SPDX-License-Identifier: MIT
"""The `fogcosim` console command: one parser, subcommands registered by each package.

Each command module exposes `register(subparsers)`, which adds its subcommands
and sets `func` on them. The top-level parser knows every command's name and
one-line help from `COMMANDS` alone, and imports only the module of the command
being run, so `fogcosim --help` answers at once and `fogcosim run` loads neither
the training (torch) nor the report (matplotlib) code; tests/test_cli_lazy.py
keeps `COMMANDS` equal to what the modules register. A `UserError` prints as
one line (exit 2); an `OSError` (a full disk, an unwritable folder) prints as one
line naming the path (exit 1); `--verbose` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import threading
import traceback
from collections.abc import Iterable, Sequence
from typing import NamedTuple, NoReturn

from fogcosim import __version__
from fogcosim.clihelp import EXIT_STATUS, examples
from fogcosim.errors import FogcosimError, UserError


class Command(NamedTuple):
    """A subcommand as the top-level help lists it: its module and one-line help."""

    module: str
    help: str


#: Every subcommand in help order: the module whose `register` adds it, and its help line
#: (the same text that `register` gives; a test keeps them equal). A module's commands
#: are adjacent, in the order it registers them.
COMMANDS: dict[str, Command] = {
    "payloads": Command(
        "mlpayloads.cli", "measure the bytes each scheme puts on the wire per FN and round"
    ),
    "train": Command(
        "mlpayloads.cli", "train a scheme to test accuracy and record accuracy per epoch"
    ),
    "render": Command("simulation.cli", "write the NED network and omnetpp.ini of one scenario"),
    "schedule": Command(
        "simulation.tsn_synthesis.cli",
        "synthesise an 802.1Qbv gate schedule for the critical flows; write it as TOML",
    ),
    "run": Command(
        "analysis.cli.run", "simulate one scenario; write its results, flows.csv and queues.csv"
    ),
    "cosim": Command(
        "analysis.cli.cosim",
        "co-simulate training rounds with the network, then train with the sets it decided",
    ),
    "sweep": Command(
        "analysis.cli.study",
        "run a profile across fog-node counts, methods and seeds; then report",
    ),
    "report": Command(
        "analysis.cli.study", "write report.md and plots/*.png of a `fogcosim sweep` output folder"
    ),
    "compare": Command(
        "analysis.cli.study",
        "write one report with several sweep folders (studies) side by side",
    ),
}
#: Options of the top-level parser (none takes a value): what may precede the command.
TOP_OPTIONS = ("-h", "--help", "--version", "-v", "--verbose")


class OneLineParser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are one line naming the bad value."""

    def error(self, message: str) -> NoReturn:
        """Print `prog: error: message` (no usage block) and exit 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def command_of(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names (its first word that is not a top-level option), or None."""
    for word in argv:
        if word not in TOP_OPTIONS:
            return word if word in COMMANDS else None
    return None


def build_parser(commands: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The top-level parser, with the full parsers of `commands` (default: every command).

    Commands not asked for are listed by name and help line only (their modules
    are not imported); choosing one of them needs a parser built with it.
    """
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
    wanted = set(COMMANDS) if commands is None else set(commands)
    modules = {COMMANDS[name].module for name in wanted if name in COMMANDS}
    registered: set[str] = set()
    for name, command in COMMANDS.items():
        if command.module not in modules:
            sub.add_parser(name, help=command.help, add_help=False)
        elif command.module not in registered:
            registered.add(command.module)
            _register(command.module, sub)
    return parser


def _register(name: str, sub: argparse._SubParsersAction) -> None:
    """Import a command module and let it add its commands (a package left out: none)."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return
    module.register(sub)


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
    words = sys.argv[1:] if argv is None else list(argv)
    command = command_of(words)
    parser = build_parser([] if command is None else [command])
    args = parser.parse_args(words)
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
