# SPDX-License-Identifier: MIT
"""Where cached records live, how they are named, and reading and writing them (no torch).

The cache folder is the `cache_dir` argument, else ``$FOGCOSIM_CACHE``, else the
platform's user cache folder for fogcosim (`platformdirs.user_cache_dir`, on Linux
``$XDG_CACHE_HOME/fogcosim`` or ``~/.cache/fogcosim``), never a path relative to the
current directory. Payload records go into its ``payloads/`` subfolder, compute profiles
into ``flops/``. A file is named by a hash of every input that can change its content;
files are written atomically, and an unreadable file is measured again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from fogcosim.atomic import write_json

log = logging.getLogger(__name__)

CACHE_ENV = "FOGCOSIM_CACHE"
#: Bump when a record's layout or the measurement changes meaning.
CACHE_FORMAT = 3

T = TypeVar("T")


def cache_folder(cache_dir: Path | None = None) -> Path:
    """The cache folder in effect: the argument, then $FOGCOSIM_CACHE, then the user cache."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_cache_dir("fogcosim", appauthor=False))


def key_of(fields: dict[str, Any]) -> str:
    """A short hash of `fields` (JSON with sorted keys), with the cache format mixed in."""
    text = json.dumps({**fields, "cache_format": CACHE_FORMAT}, sort_keys=True, default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def load(path: Path, parse: Callable[[dict[str, Any]], T]) -> T | None:
    """The entry at `path` parsed, or None if it is missing or unreadable (logged)."""
    if not path.is_file():
        return None
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable cache file %s (%s)", path, exc)
        return None


def store(path: Path, content: dict[str, Any]) -> None:
    """Write one entry atomically."""
    write_json(path, content)
