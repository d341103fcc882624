# SPDX-License-Identifier: MIT
"""`make omnetpp`: install OMNeT++ + INET with opp_env into a workspace.

The default pair is the newest validated one (`simulation.backends.omnetpp.versions`);
`make omnetpp OMNETPP_VERSION=6.1.0 INET_VERSION=4.5.4` picks another.

opp_env (PyPI) downloads both from GitHub and builds them; with Nix absent the
workspace is created `--nixless-workspace`, which builds with the system's
compiler, bison and flex. Where this cannot work (no network, missing build
tools) it says so and what to do instead. The OMNeT++ backend then finds the
installation in the same workspace (see `simulation.backends.omnetpp.backend`).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from simulation.backends.omnetpp.backend import DEFAULT_WORKSPACE
from simulation.backends.omnetpp.versions import DEFAULT_PAIR, Versions

NIXLESS_TOOLS = ("git", "curl", "tar", "gzip", "make", "g++", "bison", "flex", "perl", "python3")
OFFLINE_HELP = (
    "opp_env downloads OMNeT++ and INET from github.com, which this machine cannot reach. "
    "Either run `make omnetpp` where the internet is reachable, or build OMNeT++ and "
    "INET from source by their INSTALL guides, then put opp_run on PATH and set "
    "INET_ROOT. `fogcosim run --backend embedded` needs neither."
)


def reachable(host: str = "github.com", port: int = 443, timeout: float = 5.0) -> bool:
    """Whether a TCP connection to `host` succeeds (opp_env needs GitHub)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def plan(
    workspace: Path, have_nix: bool, projects: tuple[str, str] = (
        f"omnetpp-{DEFAULT_PAIR[0]}", f"inet-{DEFAULT_PAIR[1]}"
    ),
) -> list[list[str]]:  # fmt: skip
    """The opp_env commands that install both projects into `workspace`."""
    opp_env = [sys.executable, "-m", "opp_env"]
    init = [*opp_env, "init", "-w", str(workspace)]
    if not have_nix:
        init.append("--nixless-workspace")
    install = [*opp_env, "install", "-w", str(workspace), "--build-modes", "release", *projects]
    return ([init] if not (workspace / ".opp_env").exists() else []) + [install]


def problems(have_nix: bool, online: bool) -> list[str]:
    """Everything that would make the installation fail, each with its fix."""
    out = []
    if not online:
        out.append(OFFLINE_HELP)
    if not have_nix:
        missing = [t for t in NIXLESS_TOOLS if shutil.which(t) is None]
        if missing:
            out.append(
                "Nix is absent, so the workspace is nixless and builds with system tools; "
                f"missing: {', '.join(missing)} (Debian/Ubuntu: apt-get install build-essential "
                "bison flex git curl perl python3)"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    """Check, then run opp_env; print what to do when it cannot work."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    parser.add_argument("--omnetpp", default=DEFAULT_PAIR[0], metavar="VERSION")
    parser.add_argument("--inet", default=DEFAULT_PAIR[1], metavar="VERSION")
    args = parser.parse_args(argv)
    chosen = Versions(args.omnetpp, args.inet)
    if not chosen.validated:
        print(f"make omnetpp: note: {chosen.warning()}", file=sys.stderr)
    have_nix = shutil.which("nix") is not None
    found = problems(have_nix, reachable())
    commands = plan(args.workspace, have_nix, (f"omnetpp-{args.omnetpp}", f"inet-{args.inet}"))
    if args.dry_run or found:
        for cmd in commands:
            print("would run:", " ".join(cmd))
    if found:
        for text in found:
            print(f"make omnetpp: cannot install: {text}", file=sys.stderr)
        return 2
    if args.dry_run:
        return 0
    args.workspace.mkdir(parents=True, exist_ok=True)
    for cmd in commands:
        print("$", " ".join(cmd), flush=True)
        if subprocess.call(cmd) != 0:
            print(
                f"make omnetpp: `{' '.join(cmd)}` failed; see its output above. "
                "Afterwards `fogcosim run --backend omnetpp ...` looks in "
                f"{args.workspace} (or set OPP_ENV_WORKSPACE).",
                file=sys.stderr,
            )
            return 1
    print(f"OMNeT++ and INET installed in {args.workspace}; --backend omnetpp will find them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
