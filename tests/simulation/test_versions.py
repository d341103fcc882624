# SPDX-License-Identifier: MIT
"""Which OMNeT++/INET pair is installed, the NED switch it needs, and the matrix warning."""

from __future__ import annotations

import pytest

from simulation.backends.omnetpp.render import render_text
from simulation.backends.omnetpp.versions import VALIDATED, Versions, inet_version, omnetpp_version
from simulation.profile.build import build_scenario


def _omnetpp(tmp_path, version_file: str | None, defs: str | None):
    root = tmp_path / "omnetpp"
    (root / "include" / "omnetpp").mkdir(parents=True)
    if version_file is not None:
        (root / "Version").write_text(version_file)
    if defs is not None:
        (root / "include" / "omnetpp" / "simkerneldefs.h").write_text(defs)
    return root


def _inet(tmp_path, version_file: str | None, defs: str | None):
    root = tmp_path / "inet"
    (root / "src" / "inet" / "common").mkdir(parents=True)
    if version_file is not None:
        (root / "Version").write_text(version_file)
    if defs is not None:
        (root / "src" / "inet" / "common" / "INETDefs.h").write_text(defs)
    return root


def test_versions_are_read_from_the_version_files_or_the_headers(tmp_path):
    assert omnetpp_version(_omnetpp(tmp_path / "a", "omnetpp-6.2.0\n", None)) == "6.2.0"
    assert omnetpp_version(_omnetpp(tmp_path / "b", "omnetpp-6.1\n", None)) == "6.1"
    defs = "#define OMNETPP_VERSION  0x0604\n"
    assert omnetpp_version(_omnetpp(tmp_path / "c", None, defs)) == "6.4"
    assert omnetpp_version(_omnetpp(tmp_path / "d", None, None)) == "unknown"
    inet45 = "#define INET_VERSION        0x0405\n#define INET_PATCH_LEVEL    0x04\n"
    assert inet_version(_inet(tmp_path / "e", None, inet45)) == "4.5.4"
    assert inet_version(_inet(tmp_path / "f", None, "#define INET_VERSION 0x0406\n")) == "4.6.0"
    assert inet_version(_inet(tmp_path / "g", "inet-4.7.0\n", None)) == "4.7.0"


@pytest.mark.parametrize(("omnetpp", "inet"), VALIDATED)
def test_validated_pairs_need_no_warning(omnetpp, inet):
    assert Versions(omnetpp, inet).validated and Versions(omnetpp, inet).warning() is None


def test_other_pairs_warn_in_one_line_and_use_the_newest_ned():
    newer = Versions("6.4.0", "4.7.0")
    assert not newer.validated and newer.dialect == "4.6"
    warning = newer.warning()
    assert warning and "\n" not in warning and "OMNeT++ 6.4.0 + INET 4.7.0" in warning
    assert Versions("6.1", "4.5.2").dialect == "4.5"


def test_the_ned_differs_only_in_the_l2_configurators_package(star_profile):
    sc = build_scenario(star_profile, 3, "fl", 0)
    ned45, ini45 = render_text(sc, dialect="4.5")
    ned46, ini46 = render_text(sc, dialect="4.6")
    assert ini45 == ini46
    diff = [(a, b) for a, b in zip(ned45.splitlines(), ned46.splitlines(), strict=True) if a != b]
    assert diff == [
        (
            "import inet.linklayer.configurator.MacForwardingTableConfigurator;",
            "import inet.linklayer.configurator.common.MacForwardingTableConfigurator;",
        )
    ]
