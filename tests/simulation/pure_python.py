# SPDX-License-Identifier: MIT
"""`in_pure_python`: run a test against the pure Python engine even where the compiled one loads.

A test that patches an engine method (to make a path no profile can build) needs
Python classes: mypyc's compiled classes call their methods directly, so the
patch would not take. Where the compiled engine is loaded, the test runs again
in a child pytest with ``FOGCOSIM_PURE_PYTHON=1`` and must pass there.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulation.embedded.native import PURE_ENV, engine_kind

ROOT = Path(__file__).resolve().parents[2]


def in_pure_python(test: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a test: run its body here with the pure engine, else in a pure-engine child."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if engine_kind() == "pure Python":
            return test(*args, **kwargs)
        node = os.environ["PYTEST_CURRENT_TEST"].rsplit(" ", 1)[0]
        child = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", node],
            env={**os.environ, PURE_ENV: "1"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert child.returncode == 0, f"{node} with the pure Python engine:\n{child.stdout[-4000:]}"
        return None

    return wrapper
