# SPDX-License-Identifier: MIT
"""`python -m simulation.embedded.native_build`: compile the engine's event loop with mypyc.

Run by `make native`. Skips the build when the one in ``build/native/`` is
fresh. Builds in a temporary folder next to it and swaps it in whole, with the
manifest `simulation.embedded.native` checks (so an interrupted build leaves
the previous one, or none, never half of one). Exits 1 with the reason when
mypyc or a C compiler is missing or the compilation fails; the pure Python
engine then runs, unchanged.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import chdir
from pathlib import Path

from simulation.embedded.native import (
    BUILD_ROOT,
    COMPILED,
    MANIFEST,
    PACKAGE,
    ROOT,
    build_folder,
    compiled_folder,
    digests,
)

#: top-level packages of the project (imports of others are not followed)
PROJECT = ("simulation", "fogcosim", "analysis", "mlpayloads")


def module_file(module: str, root: Path = ROOT) -> str | None:
    """The project file (relative to `root`) that defines `module`, or None."""
    base = root / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.relative_to(root).as_posix()
    return None


def project_imports(path: Path) -> set[str]:
    """Project modules `path` imports (absolute imports; `from X import Y` counts X and X.Y)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in found if m.split(".")[0] in PROJECT}


def build_sources(root: Path = ROOT) -> list[str]:
    """The compiled modules and every project file they import, transitively (sorted)."""
    start = [(PACKAGE / f"{name}.py").relative_to(root).as_posix() for name in COMPILED]
    seen, todo = set(start), list(start)
    while todo:
        for module in project_imports(root / todo.pop()):
            found = module_file(module, root)
            if found is not None and found not in seen:
                seen.add(found)
                todo.append(found)
    return sorted(seen)


def compile_into(folder: Path, jobs: int) -> None:
    """mypyc-compile `COMPILED` into `folder` (a package tree: simulation/embedded/*.so)."""
    from mypyc.build import mypycify  # the build needs mypyc; running the engine does not
    from setuptools import Distribution

    paths = [f"simulation/embedded/{name}.py" for name in COMPILED]
    work = folder.parent / (folder.name + "-work")
    with chdir(ROOT):  # mypyc names modules after their paths from the project root
        extensions = mypycify(
            paths, opt_level="3", group_name="simulation.embedded.native",
            target_dir=str(work / "c"), verbose=False,
        )  # fmt: skip
        command = Distribution({"name": "fogcosim-native", "ext_modules": extensions})
        build_ext = command.get_command_obj("build_ext")
        build_ext.build_lib = str(folder)
        build_ext.build_temp = str(work / "obj")
        build_ext.parallel = jobs
        build_ext.ensure_finalized()
        build_ext.run()
    shutil.rmtree(work, ignore_errors=True)


def build(jobs: int, force: bool = False) -> Path:
    """Compile unless the build is fresh; returns the build folder."""
    target = build_folder(BUILD_ROOT)
    if not force and compiled_folder() is not None:
        print(f"native engine up to date ({target.relative_to(ROOT)})")
        return target
    BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sources = build_sources()
    fresh = digests(sources)  # hashed before compiling: an edit during the build makes it stale
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=BUILD_ROOT))
    try:
        compile_into(staging / "tree", jobs)
        (staging / "tree" / MANIFEST).write_text(
            json.dumps({"python": sys.version, "sources": fresh}, indent=1) + "\n"
        )
        old = BUILD_ROOT / f".old-{os.getpid()}"
        if target.exists():
            target.rename(old)
        (staging / "tree").rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    took = time.perf_counter() - started
    where = target.relative_to(ROOT)
    print(f"native engine built: {len(COMPILED)} modules in {took:.0f} s -> {where}")
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line: build (or say it is up to date); 1 with the reason if it cannot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--force", action="store_true", help="build even if fresh")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="C compilations at once"
    )
    args = parser.parse_args(argv)
    try:
        build(args.jobs, args.force)
    except Exception as exc:  # any failure leaves the pure Python engine
        print(
            f"native engine not built ({type(exc).__name__}: {exc}); the pure Python engine "
            "runs (same results, slower)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
