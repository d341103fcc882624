# SPDX-License-Identifier: MIT
"""Live: TCP's options in real OMNeT++ + INET and in the engine, result for result.

A matrix over the congestion control (Reno, NewReno), Nagle on and off, delayed ACKs on
and off and window scaling on and off (with a 128 KiB window, so the scale is used), on
TCP rounds into 10-frame queues (fast retransmits and timeouts happen), every TCP
statistic INET has recorded (`record_vectors="all"`). Skipped, with the reason, where
OMNeT++ and INET are not found (source a validated pair's environment to run it).
"""

from __future__ import annotations

import pytest

from fogcosim.resultfiles.reader import read_result_files
from simulation.backends.omnetpp.backend import OmnetppBackend, find_install
from simulation.embedded.backend import EmbeddedBackend
from simulation.profile.build import build_scenario, load_profile, with_rounds

from .agree import assert_scalars_agree, assert_statistics_agree, assert_vectors_agree
from .conftest import PROFILES, write_profile

_FOUND = find_install()
pytestmark = [
    pytest.mark.omnetpp,
    pytest.mark.skipif(isinstance(_FOUND, str), reason=f"OMNeT++/INET not found: {_FOUND}"),
]

STAR = (PROFILES / "rounds-star.toml").read_text()


@pytest.mark.parametrize("scaling", [True, False], ids=["ws", "no-ws"])
@pytest.mark.parametrize("delayed", [True, False], ids=["delack", "no-delack"])
@pytest.mark.parametrize("nagle", [True, False], ids=["nagle", "no-nagle"])
@pytest.mark.parametrize("algorithm", ["TcpReno", "TcpNewReno"])
def test_tcp_options_agree_with_inet(tmp_path, algorithm, nagle, delayed, scaling):
    flag = {True: "true", False: "false"}
    table = (
        f'[traffic.ml.tcp]\nalgorithm = "{algorithm}"\nnagle = {flag[nagle]}\n'
        f"delayed_acks = {flag[delayed]}\nwindow_scaling = {flag[scaling]}\n"
        f"advertised_window = {131072 if scaling else 65535}\n"
    )
    text = STAR.replace('transport = "udp"', 'transport = "tcp"').replace(
        'queue_capacity = "unbounded"', "queue_capacity = 10"
    )
    profile = load_profile(write_profile(tmp_path, text + table))
    sc = with_rounds(build_scenario(profile, 6, "fcddt", 0), 2)
    OmnetppBackend().run(sc, tmp_path / "omnetpp", record_vectors="all")
    EmbeddedBackend().run(sc, tmp_path / "embedded", record_vectors="all")
    real = read_result_files(tmp_path / "omnetpp" / "results")
    ours = read_result_files(tmp_path / "embedded" / "results")
    assert_scalars_agree(real, ours)
    assert_statistics_agree(real, ours)
    assert_vectors_agree(real, ours)
    names = set(real.loc[real["type"] == "vector", "name"])
    assert {"cwnd:vector", "rcvSeq:vector", "sndAck:vector", "rcvWnd:vector"} <= names
