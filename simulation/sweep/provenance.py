# SPDX-License-Identifier: MIT
"""provenance.json of a sweep folder: what the folder holds, and every sweep that wrote into it.

The top level describes the folder's study as of the latest sweep (profile text
and hash, backend, versions, points), which the report reads; `history` keeps
one entry per `fogcosim sweep` invocation (start and end, points run, skipped
and failed, backend, versions, git revision), appended, never overwritten.
A folder belongs to one profile text: `check_profile` refuses another one.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from fogcosim import __version__, atomic
from fogcosim.errors import UserError

PROVENANCE = "provenance.json"


def now() -> str:
    """The local time, ISO 8601 with the UTC offset."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def git_revision() -> str:
    """The source tree's git revision (+dirty), or 'unknown'."""
    root = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions() -> dict[str, str]:
    """Versions of the software a result depends on."""
    import numpy
    import pandas

    out = {
        "fogcosim": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
    }
    try:
        import torch

        out["torch"] = torch.__version__
    except ImportError:  # pragma: no cover
        pass
    return out


def write_json(path: Path, obj: Any) -> None:
    """`atomic.write_json`, whose OSError (e.g. a full disk) names the file."""
    try:
        atomic.write_json(path, obj)
    except OSError as exc:
        if exc.filename is not None:
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


def read(out_dir: Path) -> dict[str, Any]:
    """The folder's provenance.json ({} if missing or unreadable)."""
    try:
        data = json.loads((out_dir / PROVENANCE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def check_profile(out_dir: Path, profile_path: Path, sha256: str, force: bool) -> None:
    """Refuse to write a profile into a folder made from another profile text (unless forced)."""
    old = read(out_dir).get("profile_sha256")
    if old and old != sha256 and not force:
        raise UserError(
            f"{out_dir} holds a sweep of another profile text (sha256 {str(old)[:8]}, not "
            f"{sha256[:8]} of {profile_path}); omit --out to use this profile's own folder, "
            "choose another --out, or pass --force to write into it anyway"
        )


def start(out_dir: Path, study: dict[str, Any], invocation: dict[str, Any]) -> dict[str, Any]:
    """Write provenance.json: `study` on top, `invocation` appended to the history."""
    old = read(out_dir)
    history = old.get("history")
    if not isinstance(history, list):  # written before fogcosim kept a history
        history = [_legacy_entry(old)] if old else []
    entry = {
        "started": now(),
        "finished": None,
        "outcome": "running",
        "host": socket.gethostname(),
        "pid": os.getpid(),
        **invocation,
        "git_revision": git_revision(),
        "versions": versions(),
    }
    provenance = {
        **study,
        "git_revision": entry["git_revision"],
        "versions": entry["versions"],
        "started": entry["started"],
        "history": [*history, entry],
    }
    write_json(out_dir / PROVENANCE, provenance)
    return provenance


def finish(out_dir: Path, provenance: dict[str, Any], outcome: str, counts: dict[str, Any]) -> None:
    """Complete the latest history entry (outcome, end time, counts) and write the file."""
    provenance["history"][-1].update(finished=now(), outcome=outcome, **counts)
    write_json(out_dir / PROVENANCE, provenance)


def _legacy_entry(old: dict[str, Any]) -> dict[str, Any]:
    keys = ("started", "backend", "backend_requested", "profile_sha256", "git_revision", "versions")
    entry = {k: old[k] for k in keys if k in old}
    entry["points"] = len(old.get("points") or [])
    entry["outcome"] = "unknown (recorded before fogcosim kept a sweep history)"
    return entry
