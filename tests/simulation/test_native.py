# SPDX-License-Identifier: MIT
"""The compiled engine (mypyc, `simulation.embedded.native`): used only when fresh, same results.

Where `make native` built it, the whole suite runs against it, so every fixture
of both validated pairs checks the compiled engine; the pure Python engine is
then checked against the same fixtures in a child process. A build whose
sources changed since is never used (an edited module must not be shadowed).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulation.embedded import native
from simulation.embedded.engine import Engine
from simulation.embedded.native_build import build_sources
from simulation.model.scenario import scenario_from_dict

from .pure_python import ROOT


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """A project root with two sources and a build made for them."""
    root, build = tmp_path / "root", tmp_path / "build"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("A = 1\n")
    (root / "pkg" / "b.py").write_text("B = 2\n")
    folder = native.build_folder(build)
    (folder / "simulation" / "embedded").mkdir(parents=True)
    sources = native.digests(["pkg/a.py", "pkg/b.py"], root)
    (folder / native.MANIFEST).write_text(json.dumps({"sources": sources}))
    return root, build


def test_a_build_is_used_only_for_exactly_the_sources_it_was_made_from(tmp_path, monkeypatch):
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    root, build = _tree(tmp_path)
    folder = native.build_folder(build) / "simulation" / "embedded"
    assert native.compiled_folder(root, build) == folder
    (root / "pkg" / "b.py").write_text("B = 3\n")  # an edit after the build
    assert native.compiled_folder(root, build) is None
    (root / "pkg" / "b.py").write_text("B = 2\n")
    assert native.compiled_folder(root, build) == folder
    (root / "pkg" / "a.py").unlink()  # a source the build depends on is gone
    assert native.compiled_folder(root, build) is None


def test_no_build_a_broken_manifest_or_the_pure_switch_mean_pure_python(tmp_path, monkeypatch):
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    root, build = _tree(tmp_path)
    assert native.compiled_folder(root, tmp_path / "nothing-built") is None
    monkeypatch.setenv(native.PURE_ENV, "1")
    assert native.compiled_folder(root, build) is None
    monkeypatch.setenv(native.PURE_ENV, "0")
    assert native.compiled_folder(root, build) is not None
    (native.build_folder(build) / native.MANIFEST).write_text("{not json")
    assert native.compiled_folder(root, build) is None


def test_the_pure_switch_loads_every_engine_module_from_source():
    code = (
        "import simulation.embedded.mac as m, simulation.embedded.transport.tcp.connection as c;"
        "from simulation.embedded.native import engine_kind;"
        "print(engine_kind(), m.__file__.endswith('.py'), c.__file__.endswith('.py'))"
    )
    env = {**os.environ, native.PURE_ENV: "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["pure", "Python", "True", "True"]


def test_the_build_covers_what_the_compiled_modules_import():
    """Constants and types of imported project modules are compiled in: their edits count too."""
    sources = build_sources()
    assert "simulation/embedded/mac.py" in sources
    assert "simulation/embedded/transport/tcp/connection.py" in sources
    assert any(s.endswith("scenario.py") for s in sources)  # Scenario, imported by the engine
    assert "simulation/embedded/backend.py" not in sources  # not compiled, not imported by them


@pytest.mark.slow
def test_the_pure_python_engine_agrees_with_every_fixture_too():
    if native.engine_kind() == "pure Python":
        pytest.skip("the pure Python engine is the one loaded: the agreement tests check it")
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
         "tests/simulation/test_agreement.py"],
        env={**os.environ, native.PURE_ENV: "1"}, cwd=ROOT, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert child.returncode == 0, child.stdout[-4000:]
    assert " passed" in child.stdout.splitlines()[-1]


@pytest.mark.parametrize(
    "case", ["paper-n4-fcddt", "tcp-queue10-n18-fl", "tsn-gates-cbs-star-n4-fl",
             "tsn-preempt-line-n12-fcddt", "loops-n6-fl"],
)  # fmt: skip
def test_a_run_leaves_no_cyclic_garbage(case):
    """The engine runs with the cyclic collector off (`Engine.run`): it must not need it."""
    folder = Path(__file__).parent.parent / "fixtures" / "omnetpp" / "6.1-4.5.4" / case
    scenario = scenario_from_dict(json.loads((folder / "scenario.json").read_text()))
    gc.collect()
    result = Engine(scenario).run()
    assert gc.collect() == 0  # nothing unreachable while the result is alive
    assert result.events > 0
