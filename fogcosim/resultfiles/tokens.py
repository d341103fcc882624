# SPDX-License-Identifier: MIT
r"""Tokens of OMNeT++ result-file lines: splitting, unquoting and numbers.

Mirrors OMNeT++ 6.1 `src/common/linetokenizer.cc`: tokens are separated by
spaces or tabs; a token that starts with ``"`` runs to the next unescaped ``"``
and may hold separators; inside quotes a backslash escapes the next character
(``\b \f \n \r \t \" \\`` and ``\xHH`` are decoded, any other escaped
character stands for itself). A ``"`` later inside an unquoted token is an
ordinary character. Numbers follow `src/scave/scaveutils.cc` (``strtod``),
limited to the decimal forms plus ``inf``/``-inf``/``nan``/``-nan`` (any case),
which is everything OMNeT++ writes, and the forms Microsoft's C runtime printed
for them in files of OMNeT++ 4.x on Windows (``1.#INF``, ``-1.#IND``,
``1.#QNAN``), which OMNeT++ 6.1's `parseDouble` reads as infinities and NaN.
"""

from __future__ import annotations

import math
import re

#: Whitespace that str.split() would split on but OMNeT++ does not (it splits on space and tab).
EXOTIC_WHITESPACE = re.compile(
    "[\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)

_EXOTIC_ASCII = [bytes([c]) for c in b"\x0b\x0c\r\x1c\x1d\x1e\x1f"]


def plain_whitespace(data: bytes, text: str) -> bool:
    """Whether `text` (decoded from `data`) has no whitespace but space, tab and newline.

    Byte searches (memchr) for the ASCII ones; the regex only for non-ASCII text.
    """
    if any(c in data for c in _EXOTIC_ASCII):
        return False
    return data.isascii() or EXOTIC_WHITESPACE.search(text) is None


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([^ \t"][^ \t]*)|(")', re.DOTALL)
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{0,2}|.)", re.DOTALL)
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_FLOAT = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)", re.I)
_INT = re.compile(r"[+-]?\d+")
_MSVC_SPECIAL = re.compile(r"[+-]?\d\.#(?:INF|IND|QNAN|SNAN)\d*", re.I)


class TokenError(ValueError):
    """A line that cannot be split into tokens (an unmatched quote)."""


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] == "x":
        return chr(int(code[1:], 16)) if len(code) > 1 else "\x00"
    return _ESCAPES.get(code, code)


def _unquote(body: str) -> str:
    if "\\" not in body:
        return body
    text = _ESCAPE.sub(_unescape, body)
    nul = text.find("\x00")  # OMNeT++ works on C strings: a decoded NUL ends the token
    return text if nul < 0 else text[:nul]


def split_line(line: str, plain_whitespace: bool = True) -> list[str]:
    """The tokens of one line (without its newline).

    `plain_whitespace` says the text holds no whitespace other than space, tab
    and newline, so a line without quotes can take the fast `str.split` path.
    """
    if plain_whitespace and '"' not in line:
        return line.split()
    tokens = []
    for quoted, plain, stray in _TOKEN.findall(line):
        if stray:
            raise TokenError("unmatched quote")
        tokens.append(plain if plain else _unquote(quoted))
    return tokens


def parse_float(token: str) -> float | None:
    """The number `token` spells, or None if it is not a number OMNeT++ writes."""
    if _FLOAT.fullmatch(token) is None:
        if _MSVC_SPECIAL.fullmatch(token) is None:
            return None
        if "INF" in token.upper():
            return -math.inf if token.startswith("-") else math.inf
        return math.nan
    return float(token)


def parse_int(token: str) -> int | None:
    """The decimal integer `token` spells, or None."""
    return int(token) if _INT.fullmatch(token) else None
