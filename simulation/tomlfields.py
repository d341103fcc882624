"""Typed, path-aware reads from a parsed TOML document.

Every error names the file, the dotted field and what is allowed, in one line,
so a user editing a profile can fix it without reading code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from fogcosim.errors import UserError
from simulation import units

T = TypeVar("T")
_MISSING: Any = object()


class ProfileError(UserError):
    """A profile value that is missing, mistyped or out of range."""


class Section:
    """One TOML table; remembers its dotted path and the file it came from."""

    def __init__(self, data: dict[str, Any], path: str, file: Path | str) -> None:
        self.data = data
        self.path = path
        self.file = file
        self._used: set[str] = set()

    def field(self, key: str) -> str:
        """The dotted name of `key` inside this section."""
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> ProfileError:
        """A ProfileError naming file and field."""
        return ProfileError(f"{self.file}: {self.field(key)}: {message}")

    def has(self, key: str) -> bool:
        """Whether `key` is present."""
        return key in self.data

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        """The value as parsed, or `default`; missing and no default is an error."""
        self._used.add(key)
        if key not in self.data:
            if default is _MISSING:
                raise self.error(key, "missing (required)")
            return default
        return self.data[key]

    def typed(self, key: str, kind: type[T], default: Any = _MISSING) -> T:
        """A value of a given Python type (bool is not accepted as int)."""
        if key not in self.data and default is not _MISSING:
            self._used.add(key)
            return default
        value = self.raw(key)
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            raise self.error(key, f"expected {kind.__name__}, got {value!r}")
        return value

    def integer(self, key: str, default: Any = _MISSING, minimum: int | None = None) -> int:
        """An integer, optionally bounded below."""
        value = self.typed(key, int, default)
        if minimum is not None and value is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum} (got {value})")
        return value

    def string(self, key: str, default: Any = _MISSING) -> str:
        """A string."""
        return self.typed(key, str, default)

    def choice(self, key: str, allowed: Iterable[str], default: Any = _MISSING) -> str:
        """A string from a closed set."""
        options = tuple(allowed)
        value = self.string(key, default)
        if value not in options:
            raise self.error(key, f"unknown value {value!r} (allowed: {', '.join(options)})")
        return value

    def quantity(self, key: str, parse: Callable[[str], T], default: Any = _MISSING) -> T:
        """A unit-bearing quantity string parsed with one of `simulation.units`' parsers."""
        if key not in self.data and default is not _MISSING:
            self._used.add(key)
            return parse(default) if isinstance(default, str) else default
        value = self.raw(key)
        try:
            return parse(value)
        except units.QuantityError as exc:
            raise self.error(key, str(exc)) from None

    def time_ps(self, key: str, default: Any = _MISSING, positive: bool = True) -> int:
        """A time quantity in picoseconds; zero or negative rejected when `positive`."""
        value = self.quantity(key, units.parse_time_ps, default)
        if positive and value is not None and value <= 0:
            raise self.error(key, f"must be a positive time (got {self.data.get(key)!r})")
        return value

    def sub(self, key: str, default: Any = _MISSING) -> Section:
        """A nested table as a Section (an empty one when absent and `default` is {})."""
        value = self.raw(key, default)
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {value!r}")
        return Section(value, self.field(key), self.file)

    def table_list(self, key: str) -> list[Section]:
        """An array of tables ([[key]]); empty when absent."""
        value = self.raw(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "expected an array of tables ([[...]])")
        return [Section(v, f"{self.field(key)}[{i}]", self.file) for i, v in enumerate(value)]

    def reject_unknown(self) -> None:
        """Fail on keys nobody read: catches typos such as 'perod'."""
        extra = sorted(set(self.data) - self._used)
        if extra:
            allowed = ", ".join(sorted(self._used)) or "none"
            raise self.error(extra[0], f"unknown field (allowed here: {allowed})")
