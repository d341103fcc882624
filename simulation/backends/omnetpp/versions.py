# SPDX-License-Identifier: MIT
"""Which OMNeT++ and INET versions fogcosim runs on, and what differs between them.

The rendered NED and ini are the same for every validated pair but for one
switch (INET 4.6 moved `MacForwardingTableConfigurator` into the package
`inet.linklayer.configurator.common`), which the OMNeT++ backend picks from
the INET it finds. A run on a pair outside the matrix still runs, with a
one-line warning in the console and in `run.json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

#: (OMNeT++, INET) pairs whose full validation (every shipped profile, 4 and 18 fog
#: nodes, every method, the feature checks, the agreement fixtures) passed.
VALIDATED: tuple[tuple[str, str], ...] = (("6.1", "4.5.4"), ("6.2.0", "4.6.0"))
#: The pair `make omnetpp` installs by default: the newest validated one.
DEFAULT_PAIR = VALIDATED[-1]
#: INET major.minor -> the NED package of MacForwardingTableConfigurator.
L2_CONFIGURATOR = {
    "4.5": "inet.linklayer.configurator.MacForwardingTableConfigurator",
    "4.6": "inet.linklayer.configurator.common.MacForwardingTableConfigurator",
}
NED_DIALECTS = tuple(L2_CONFIGURATOR)
#: The dialect `fogcosim render` writes when it finds no INET: the newest validated.
DEFAULT_DIALECT = "4.6"


@dataclass(frozen=True)
class Versions:
    """The versions of one installation ("unknown" when they cannot be read)."""

    omnetpp: str
    inet: str

    @property
    def dialect(self) -> str:
        """INET's major.minor, as the NED switch needs it (the newest known if newer)."""
        minor = ".".join(self.inet.split(".")[:2])
        return minor if minor in L2_CONFIGURATOR else DEFAULT_DIALECT

    @property
    def validated(self) -> bool:
        """Whether this pair is in the validated matrix."""
        return any(_same(self.omnetpp, o) and _same(self.inet, i) for o, i in VALIDATED)

    def warning(self) -> str | None:
        """One line for a pair outside the matrix (None for a validated pair)."""
        if self.validated:
            return None
        pairs = ", ".join(f"OMNeT++ {o} + INET {i}" for o, i in VALIDATED)
        return (
            f"OMNeT++ {self.omnetpp} + INET {self.inet} is not a validated pair ({pairs} are); "
            "results may differ from the embedded engine's"
        )


def _same(found: str, listed: str) -> bool:
    """Versions match when the listed one's parts agree ("6.1" matches "6.1.0")."""
    a = [*found.split("."), "0", "0"][:3]
    b = [*listed.split("."), "0", "0"][:3]
    return a == b


def omnetpp_version(root: Path) -> str:
    """OMNeT++'s version from its `Version` file ("omnetpp-6.2.0"), else simkerneldefs.h."""
    version_file = root / "Version"
    if version_file.is_file():
        match = re.search(r"(\d+(?:\.\d+)+)", version_file.read_text())
        if match:
            return match.group(1)
    defs = root / "include" / "omnetpp" / "simkerneldefs.h"
    if defs.is_file():
        match = re.search(
            r"#define\s+OMNETPP_VERSION\s+0x([0-9a-fA-F]{2})([0-9a-fA-F]{2})",
            defs.read_text(errors="replace"),
        )
        if match:
            return f"{int(match.group(1), 16)}.{int(match.group(2), 16)}"
    return "unknown"


def inet_version(root: Path) -> str:
    """INET's version from its `Version` file, else `INET_VERSION` in src/inet/common/INETDefs.h."""
    version_file = root / "Version"
    if version_file.is_file():
        match = re.search(r"(\d+(?:\.\d+)+)", version_file.read_text())
        if match:
            return match.group(1)
    defs = root / "src" / "inet" / "common" / "INETDefs.h"
    if defs.is_file():
        text = defs.read_text(errors="replace")
        version = re.search(r"#define\s+INET_VERSION\s+0x([0-9a-fA-F]{2})([0-9a-fA-F]{2})", text)
        if version:
            patch = re.search(r"#define\s+INET_PATCH_LEVEL\s+0x([0-9a-fA-F]+)", text)
            parts = [int(version.group(1), 16), int(version.group(2), 16)]
            parts.append(int(patch.group(1), 16) if patch else 0)
            return ".".join(str(p) for p in parts)
    return "unknown"
