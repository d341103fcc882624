# SPDX-License-Identifier: MIT
"""Every command explains itself: help text on each option, examples that really parse."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterator

import pytest

from fogcosim.cli import build_parser
from simulation.profile.build import shipped_profiles


def commands() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    top = build_parser()
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


COMMANDS = dict(commands())


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_help_text(name: str) -> None:
    parser = COMMANDS[name]
    silent = [
        a.option_strings[0] if a.option_strings else a.dest
        for a in parser._actions
        if not a.help and not isinstance(a, argparse._HelpAction)
    ]
    assert not silent, f"fogcosim {name}: options without help: {silent}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_shows_examples_that_parse(name: str) -> None:
    parser = COMMANDS[name]
    assert parser.epilog and parser.epilog.startswith("examples:"), name
    lines = [line.strip() for line in parser.epilog.splitlines()[1:] if line.strip()]
    assert lines
    top = build_parser()
    shipped = set(shipped_profiles())
    for line in lines:
        words = shlex.split(line, comments=True)
        assert words[:2] == ["fogcosim", name], line
        args = top.parse_args(words[1:])
        profile = getattr(args, "profile", None)
        if profile is not None and not profile.endswith(".toml"):
            assert profile in shipped, f"{line}: no shipped profile {profile!r}"
    assert name in parser.format_help()
