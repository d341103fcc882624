# SPDX-License-Identifier: MIT
"""How OMNeT++ spells tokens, numbers and simulation times in its result files.

Every line of a .sca, .vec or .vci is built from these pieces: `quote` for
names and strings (`opp_quotestr`), `format_number` for values (C ``%.*g``),
`format_ticks` for simulation time (`opp_ttoa`), and the precision and
time-resolution defaults they share. They are kept apart from the writers so
that the run header, both writers and the index agree on one spelling.
"""

from __future__ import annotations

import math
import re

PRECISION = 14  # output-scalar-precision / output-vector-precision defaults
_TICKS_PER_SECOND = 10**12  # OMNeT++'s default simtime resolution (ps)
_NEEDS_QUOTES = re.compile(r'[ "\\\x00-\x1f\x7f]|^$')  # C isspace/iscntrl: ASCII only
_ESCAPES = {
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    '"': '\\"',
    "\\": "\\\\",
}


def quote(text: str) -> str:
    """`text` as OMNeT++ writes a token: bare if it can be, else quoted (`opp_quotestr`)."""
    if "\x00" in text:
        raise ValueError(f"result file strings cannot hold NUL characters: {text!r}")
    if not _NEEDS_QUOTES.search(text):
        return text
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch < " " or ch == "\x7f":
            out.append(f"\\x{ord(ch):02X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def format_number(x: float, precision: int = PRECISION) -> str:
    """C ``printf("%.*g")`` of `x` (glibc spelling: ``inf``, ``-inf``, ``nan``, ``-nan``)."""
    if x != x:
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    return f"{x:.{precision}g}"


def format_ticks(ticks: int) -> str:
    """Simulation time `ticks` (picoseconds) as OMNeT++ prints it (``opp_ttoa``)."""
    if ticks == 0:
        return "0"
    sign, magnitude = ("-", -ticks) if ticks < 0 else ("", ticks)
    whole, fraction = divmod(magnitude, _TICKS_PER_SECOND)
    if not fraction:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:012d}".rstrip("0")
