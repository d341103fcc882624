# SPDX-License-Identifier: MIT
"""The top-level parser names every command without importing it; a command imports what it uses.

`fogcosim --help` must answer without loading any command module, and `fogcosim
run` on the embedded backend must load neither the training code (torch), the
report code (matplotlib), the schedule solver (ortools) nor pandas. Checked with
`sys.modules` in a fresh interpreter, not with a clock.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from fogcosim.cli import COMMANDS, OneLineParser, build_parser, command_of

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "tests" / "fixtures" / "profiles"
HEAVY = ("torch", "pandas", "matplotlib", "ortools", "scipy", "sklearn", "dask")

PROBE = """
import json, sys
from fogcosim.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _registered(module: str) -> list[tuple[str, str]]:
    """(name, help) of each command `module.register` adds, in its order."""
    sub = OneLineParser(prog="fogcosim").add_subparsers()
    importlib.import_module(module).register(sub)
    return [(a.dest, a.help) for a in sub._choices_actions]


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_the_command_table_is_what_the_modules_register():
    modules = list(dict.fromkeys(c.module for c in COMMANDS.values()))
    registered = [pair for module in modules for pair in _registered(module)]
    assert registered == [(name, c.help) for name, c in COMMANDS.items()]


def test_a_parser_for_one_command_is_the_full_parser_for_it():
    full = _commands(build_parser())
    for name in COMMANDS:
        assert _commands(build_parser([name]))[name].format_help() == full[name].format_help()
    assert build_parser([]).format_help() == build_parser().format_help()


def test_the_command_is_the_first_word_that_is_not_a_top_level_option():
    assert command_of(["-v", "run", "--profile", "x"]) == "run"
    assert command_of(["--verbose", "--help"]) is None
    assert command_of(["nonsense", "run"]) is None
    assert command_of([]) is None


def _modules(args: list[str], tmp_path: Path) -> tuple[object, set[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FOGCOSIM_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return got["code"], set(got["modules"])


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in modules)


def test_help_imports_no_command_module(tmp_path):
    code, modules = _modules(["--help"], tmp_path)
    assert code == 0
    commands = {c.module for c in COMMANDS.values()}
    assert _loaded(modules, (*HEAVY, "numpy", *commands)) == []


def test_an_embedded_run_imports_neither_torch_nor_pandas(tmp_path):
    out = tmp_path / "run"
    code, modules = _modules(
        ["run", "--profile", str(PROFILES / "golden-star.toml"), "--fog-nodes", "3",
         "--method", "fl", "--backend", "embedded", "--no-progress", "--out", str(out)],
        tmp_path,
    )  # fmt: skip
    assert code == 0
    assert (out / "flows.csv").exists() and (out / "queues.csv").exists()
    assert _loaded(modules, HEAVY) == []  # the metrics come from memory, without pandas
