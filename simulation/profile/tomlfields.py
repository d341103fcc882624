# SPDX-License-Identifier: MIT
"""Typed, path-aware reads of a parsed TOML profile, checked against `simulation.profile.schema`.

A `Section` is one table of a profile with its schema. Creating it checks
every key: an unknown key is an error that names it and suggests the closest
valid one ("topology.fog_lnk: unknown field; did you mean 'fog_link'?").
`get` returns a key's typed value or its schema default, and remembers each
default that shapes the scenario so it can be recorded and printed. Every
error names the file, the dotted field and what is allowed, in one line.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fogcosim.errors import UserError
from simulation.model import units
from simulation.profile import schema
from simulation.profile.schema import NO_DEFAULT, Field, Table


class ProfileError(UserError):
    """A profile value that is missing, mistyped or out of range."""


class Section:
    """One TOML table of a profile, with its schema, dotted path and file."""

    def __init__(
        self,
        data: dict[str, Any],
        path: str,
        file: Path | str,
        table: Table | str = "",
        defaults: dict[str, str] | None = None,
    ) -> None:
        self.data = data
        self.path = path
        self.file = file
        self.table = schema.table(table) if isinstance(table, str) else table
        #: dotted field -> default text, shared by every section of one profile build
        self.defaults: dict[str, str] = {} if defaults is None else defaults
        self._check_keys()

    # ---- naming and errors

    def field(self, key: str) -> str:
        """The dotted name of `key` inside this section."""
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> ProfileError:
        """A ProfileError naming file and field."""
        return ProfileError(f"{self.file}: {self.field(key)}: {message}")

    def _check_keys(self) -> None:
        if self.table.values is not None and not self.table.fields:
            return  # an open table: any key
        known = self.table.keys
        for key in self.data:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise self.error(
                    key, f"unknown field; {hint}(allowed here: {', '.join(known) or 'none'})"
                )

    def _schema_field(self, key: str) -> Field:
        found = self.table.field(key)
        if found is None:  # a programming error: the builders read only declared keys
            raise KeyError(f"{self.table.path or 'top level'} declares no field {key!r}")
        return found

    # ---- reading

    def has(self, key: str) -> bool:
        """Whether the profile gives `key` (defaults do not count)."""
        return key in self.data

    def get(self, key: str) -> Any:
        """The typed value of `key`, or its default (None for an optional key without one)."""
        f = self._schema_field(key)
        if key not in self.data:
            if f.required:
                raise self.error(key, f"missing (required; {schema.KINDS[f.kind]})")
            if f.default is NO_DEFAULT:
                return None
            if f.shapes:
                self.defaults[self.field(key)] = schema.format_value(f.default)
            return _parse(self, key, f, f.default)
        return _parse(self, key, f, self.data[key])

    def note_default(self, key: str, text: str) -> None:
        """Record a default the builder derived (e.g. a deadline equal to the period)."""
        self.defaults[self.field(key)] = text

    def sub(self, key: str) -> Section:
        """A nested table as a Section; an absent optional table becomes its default."""
        f = self._schema_field(key)
        if key in self.data:
            value = self.data[key]
        elif f.required:
            raise self.error(key, "missing (required table)")
        else:
            value = f.default if isinstance(f.default, dict) else {}
            if value and f.shapes:
                self.defaults[self.field(key)] = schema.format_value(value)
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table ({schema.KINDS[f.kind]}), got {value!r}")
        return Section(dict(value), self.field(key), self.file, f.table, self.defaults)

    def tables(self, key: str) -> list[Section]:
        """An array of tables ([[key]]); empty when absent."""
        f = self._schema_field(key)
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "expected an array of tables ([[...]])")
        return [
            Section(v, f"{self.field(key)}[{i}]", self.file, f.table, self.defaults)
            for i, v in enumerate(value)
        ]

    def items(self) -> list[tuple[str, Any]]:
        """An open table's (key, typed value) pairs, in file order."""
        f = self.table.values
        if f is None:
            raise KeyError(f"{self.table.path} is not an open table")
        return [(k, _parse(self, k, f, v)) for k, v in self.data.items()]


# ---- kinds


def _integer(sec: Section, key: str, f: Field, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise sec.error(key, f"expected an integer, got {value!r}")
    _bounds(sec, key, f, value)
    return value


def _capacity(sec: Section, key: str, f: Field, value: Any) -> int | None:
    if value == "unbounded":
        return None
    if isinstance(value, str):
        raise sec.error(key, f'expected an integer or "unbounded", got {value!r}')
    return _integer(sec, key, f, value)


def _number(sec: Section, key: str, f: Field, value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise sec.error(key, f"expected a number, got {value!r}")
    _bounds(sec, key, f, value)
    return float(value)


def _bounds(sec: Section, key: str, f: Field, value: float) -> None:
    if f.minimum is not None and value < f.minimum:
        raise sec.error(key, f"must be at least {f.minimum:g} (got {value!r})")
    if f.maximum is not None and value >= f.maximum:
        raise sec.error(key, f"must be below {f.maximum:g} (got {value!r})")


def _string(sec: Section, key: str, f: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise sec.error(key, f"expected a string, got {value!r}")
    return value


def _choice(sec: Section, key: str, f: Field, value: Any) -> str:
    text = _string(sec, key, f, value)
    if text not in f.choices:
        raise sec.error(key, f"unknown value {text!r} (allowed: {', '.join(f.choices)})")
    return text


def _bool(sec: Section, key: str, f: Field, value: Any) -> bool:
    if not isinstance(value, bool):
        raise sec.error(key, f"expected true or false, got {value!r}")
    return value


def _quantity(parse: Callable[[str], Any]) -> Callable[[Section, str, Field, Any], Any]:
    def read(sec: Section, key: str, f: Field, value: Any) -> int:
        try:
            return parse(value)
        except units.QuantityError as exc:
            raise sec.error(key, str(exc)) from None

    return read


def _time(sec: Section, key: str, f: Field, value: Any) -> int:
    ps = _quantity(units.parse_time_ps)(sec, key, f, value)
    if ps <= 0:
        raise sec.error(key, f"must be a positive time (got {value!r})")
    return ps


def _random_or_time(sec: Section, key: str, f: Field, value: Any) -> int | None:
    if value == "random":
        return None
    return _quantity(units.parse_time_ps)(sec, key, f, value)


def _list(item: Callable[[Section, str, Field, Any], Any]) -> Callable[..., list[Any]]:
    def read(sec: Section, key: str, f: Field, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise sec.error(key, f"expected a list ({schema.KINDS[f.kind]}), got {value!r}")
        return [item(sec, f"{key}[{i}]", f, v) for i, v in enumerate(value)]

    return read


_PARSERS: dict[str, Callable[[Section, str, Field, Any], Any]] = {
    "int": _integer,
    "any": lambda sec, key, f, value: value,
    "capacity": _capacity,
    "number": _number,
    "str": _string,
    "name": _string,
    "split": _string,
    "bool": _bool,
    "choice": _choice,
    "time": _time,
    "time0": _quantity(units.parse_time_ps),
    "rate": _quantity(units.parse_rate_bps),
    "slope": _quantity(units.parse_rate_or_share),
    "flops": _quantity(units.parse_flops),
    "memory": _quantity(units.parse_bytes),
    "after": _random_or_time,
    "offset": _random_or_time,
    "list[int]": _list(_integer),
    "list[time]": _list(_time),
    "list[choice]": _list(_choice),
    "list[name]": _list(_string),
    "list[str]": _list(_string),
}


def _parse(sec: Section, key: str, f: Field, value: Any) -> Any:
    if f.kind in ("table", "link", "tables"):
        raise KeyError(f"read {sec.field(key)} with sub() or tables(), not get()")
    return _PARSERS[f.kind](sec, key, f, value)
