# SPDX-License-Identifier: MIT
"""Exact physical quantities: times in integer picoseconds, rates in integer bit/s.

OMNeT++ keeps simulation time as an integer count of picoseconds (its default
`simtime-resolution`), so the Scenario does the same: periods, offsets and the
hyperperiod stay exact integers and the least common multiple is exact.
Quantity strings use OMNeT++'s spelling ("400ms", "1Gbps", "10m", "1400B").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

PS_PER_S = 10**12

TIME_UNITS: dict[str, int] = {
    "s": PS_PER_S,
    "ms": 10**9,
    "us": 10**6,
    "ns": 10**3,
    "ps": 1,
}
RATE_UNITS: dict[str, int] = {
    "bps": 1,
    "kbps": 10**3,
    "Mbps": 10**6,
    "Gbps": 10**9,
}
FLOPS_UNITS: dict[str, int] = {
    "FLOPS": 1,
    "kFLOPS": 10**3,
    "MFLOPS": 10**6,
    "GFLOPS": 10**9,
    "TFLOPS": 10**12,
    "PFLOPS": 10**15,
}
MEMORY_UNITS: dict[str, int] = {
    "B": 1,
    "kB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
    "TiB": 2**40,
}
LENGTH_UNITS: dict[str, Decimal] = {"m": Decimal(1), "km": Decimal(1000), "cm": Decimal("0.01")}

_QUANTITY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)\s*$")


class QuantityError(ValueError):
    """A quantity string that does not parse; the text names value and allowed units."""


def _split(text: str, units: Mapping[str, object], kind: str) -> tuple[Decimal, str]:
    match = _QUANTITY.match(text) if isinstance(text, str) else None
    if not match or match.group(2) not in units:
        raise QuantityError(
            f"{text!r} is not a {kind} (expected a number and one of the units "
            f"{', '.join(units)}, e.g. '1{next(iter(units))}')"
        )
    try:
        return Decimal(match.group(1)), match.group(2)
    except InvalidOperation as exc:  # pragma: no cover - regex admits only digits
        raise QuantityError(f"{text!r} is not a number") from exc


def _exact(text: str, table: Mapping[str, int], kind: str, too_fine: str) -> int:
    value, unit = _split(text, table, kind)
    scaled = value * table[unit]
    if scaled != scaled.to_integral_value():
        raise QuantityError(f"{text!r} {too_fine}")
    return int(scaled)


def parse_time_ps(text: str) -> int:
    """Parse a time such as '400ms' or '50ns' into integer picoseconds (must be exact)."""
    return _exact(text, TIME_UNITS, "time", "is finer than the 1 ps time resolution")


def parse_rate_bps(text: str) -> int:
    """Parse a data rate such as '1Gbps' into integer bit/s."""
    return _exact(text, RATE_UNITS, "data rate", "is not a whole number of bit/s")


_SHARE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")


def parse_rate_or_share(text: str) -> int | Decimal:
    """A data rate ('300Mbps': bit/s, an int) or a share of a link's rate ('40%': a Decimal)."""
    match = _SHARE.match(text) if isinstance(text, str) else None
    if match is None:
        return parse_rate_bps(text)
    share = Decimal(match.group(1)) / 100
    if not 0 < share < 1:
        raise QuantityError(f"{text!r} must be a share above 0% and below 100% of the link rate")
    return share


def parse_flops(text: str) -> int:
    """Parse a compute speed such as '5GFLOPS' into floating-point operations per second."""
    value = _exact(text, FLOPS_UNITS, "compute speed", "is not a whole number of FLOPS")
    if value <= 0:
        raise QuantityError(f"{text!r} must be a positive compute speed")
    return value


def parse_bytes(text: str) -> int:
    """Parse a memory size such as '4GB' or '512MiB' into bytes (positive, whole)."""
    value = _exact(text, MEMORY_UNITS, "memory size", "is not a whole number of bytes")
    if value <= 0:
        raise QuantityError(f"{text!r} must be a positive memory size")
    return value


def parse_length_m(text: str) -> Decimal:
    """Parse a cable length such as '10m' into metres."""
    value, unit = _split(text, LENGTH_UNITS, "length")
    return value * LENGTH_UNITS[unit]


def cable_delay_ps(length_m: Decimal) -> int:
    """Propagation delay of a copper/fibre cable: length / 2e8 m/s, as INET's EthernetLink."""
    return int((length_m * PS_PER_S / Decimal(200_000_000)).to_integral_value())


def format_time(ps: int) -> str:
    """Format picoseconds in the largest OMNeT++ time unit that keeps the value an integer."""
    if ps == 0:
        return "0s"
    for unit, scale in TIME_UNITS.items():
        if ps % scale == 0:
            return f"{ps // scale}{unit}"
    raise AssertionError("unreachable: ps divides every time")  # pragma: no cover


def format_rate(bps: int) -> str:
    """Format bit/s in the largest OMNeT++ rate unit that keeps the value an integer."""
    for unit in ("Gbps", "Mbps", "kbps", "bps"):
        scale = RATE_UNITS[unit]
        if bps % scale == 0:
            return f"{bps // scale}{unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def seconds(ps: int) -> float:
    """Picoseconds as float seconds (for reports only; never for event times)."""
    return ps / PS_PER_S
