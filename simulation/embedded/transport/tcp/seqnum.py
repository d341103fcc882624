# SPDX-License-Identifier: MIT
"""Sequence-number and simulation-time arithmetic exactly as INET's TCP does it.

Sequence numbers live modulo 2^32 (RFC 9293 section 3.4): comparisons look at the
signed 32-bit difference, as INET's `seqLess`/`seqGE` do. Times are integer
picoseconds, OMNeT++'s default SimTime resolution. Where INET multiplies a SimTime
by a double (the RTT filter's gain 1/8, the persist timer's factor 1.5) OMNeT++
rounds the product half up, `floor(t * d + 0.5)` in IEEE doubles (`SimTime::operator*=`
and `toInt64`); `scale` does the same so every RTT/RTO sample matches to the ps.
"""

from __future__ import annotations

import math

MASK = 0xFFFFFFFF
HALF = 0x80000000
PS_PER_S = 10**12


def diff(a: int, b: int) -> int:
    """The signed 32-bit distance a - b (positive when a is after b)."""
    d = (a - b) & MASK
    return d - 0x100000000 if d & HALF else d


def lt(a: int, b: int) -> bool:
    """True if a is before b in sequence space (INET's seqLess)."""
    return (a - b) & MASK >= HALF  # diff(a, b) < 0


def le(a: int, b: int) -> bool:
    """True if a is before or equal to b (seqLE)."""
    d = (a - b) & MASK
    return d == 0 or d >= HALF  # diff(a, b) <= 0


def gt(a: int, b: int) -> bool:
    """True if a is after b (seqGreater)."""
    return 0 < (a - b) & MASK < HALF  # diff(a, b) > 0


def ge(a: int, b: int) -> bool:
    """True if a is after or equal to b (seqGE)."""
    return (a - b) & MASK < HALF  # diff(a, b) >= 0


def scale(t_ps: int, factor: float) -> int:
    """`SimTime(t) * factor` in OMNeT++: the double product rounded half up to a ps."""
    return math.floor(t_ps * factor + 0.5)


def seconds(value: float) -> int:
    """`SimTime(value)` for a double number of seconds (OMNeT++ rounds half up)."""
    return math.floor(1e12 * value + 0.5)


def to_seconds(t_ps: int) -> float:
    """`SimTime::dbl()`: how OMNeT++ writes a time into a vector (t * 1e-12)."""
    return t_ps * 1e-12
