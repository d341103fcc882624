# SPDX-License-Identifier: MIT
"""TcpConfig: defaults, one-line errors naming the field, INET parameter names."""

from __future__ import annotations

import pytest

from simulation.embedded.transport.tcp import ALGORITHMS, TcpConfig, TcpConnection
from simulation.model.scenario import ScenarioError
from tests.simulation.transport.tcp_harness import Net


def test_defaults_are_a_linux_like_lan_stack():
    c = TcpConfig()
    assert (c.algorithm, c.mss, c.advertised_window) == ("TcpNewReno", 1460, 65535)
    assert c.window_scaling and c.nagle and not c.delayed_acks
    assert c.limited_transmit and c.increased_iw
    assert not (c.sack or c.timestamps or c.ecn)


def test_inet_parameters_render_every_model_choice():
    params = TcpConfig(algorithm="TcpReno", mss=536, nagle=False).inet_parameters()
    assert params == {
        "tcpAlgorithmClass": '"TcpReno"',
        "mss": "536",
        "advertisedWindow": "65535",
        "windowScalingSupport": "true",
        "windowScalingFactor": "-1",
        "nagleEnabled": "false",
        "delayedAcksEnabled": "false",
        "limitedTransmitEnabled": "true",
        "increasedIWEnabled": "true",
        "sackSupport": "false",
        "timestampSupport": "false",
        "ecnWillingness": "false",
        "dupthresh": "3",
        "initialSsthresh": "4294967295",
    }


def test_algorithms_are_inet_class_names():
    assert set(ALGORITHMS) == {"TcpReno", "TcpNewReno", "TcpTahoe", "TcpNoCongestionControl"}


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"algorithm": "Cubic"}, "algorithm", "allowed: TcpNewReno, TcpReno, TcpTahoe"),
        ({"mss": 0}, "mss", "allowed: 1 to 65495"),
        ({"mss": 70000}, "mss", "out of range"),
        ({"advertised_window": 0}, "advertised_window", "allowed: 1 to 1073725440"),
        ({"advertised_window": -5}, "advertised_window", "out of range"),
        (
            {"advertised_window": 70000, "window_scaling": False},
            "advertised_window",
            "window_scaling",
        ),
        ({"advertised_window": (65535 << 14) + 1}, "advertised_window", "out of range"),
        ({"nagle": "yes"}, "nagle", "not a boolean"),
        ({"delayed_acks": 1}, "delayed_acks", "not a boolean"),
    ],
)
def test_bad_values_give_one_line_errors_naming_the_field(values, field, words):
    with pytest.raises(ScenarioError) as err:
        TcpConfig(**values)
    message = str(err.value)
    assert "\n" not in message
    assert err.value.field == f"traffic.ml.tcp.{field}"
    assert f"traffic.ml.tcp.{field}" in message and words in message


def test_errors_of_a_flow_table_name_that_table():
    with pytest.raises(ScenarioError) as err:
        TcpConfig.build("flows.bulk.tcp", mss=-1)
    assert err.value.field == "flows.bulk.tcp.mss"
    assert str(err.value).startswith("flows.bulk.tcp.mss = -1")
    assert TcpConfig.build("flows.bulk.tcp", mss=1000).mss == 1000


def test_mss_must_fit_the_mtu():
    TcpConfig(mss=1460).check_mtu(1500)
    with pytest.raises(
        ScenarioError, match=r"mss = 1461 does not fit the 1500-byte MTU \(allowed: 1 to 1460"
    ):
        TcpConfig(mss=1461).check_mtu(1500)


@pytest.mark.parametrize("option", ["sack", "timestamps", "ecn"])
def test_unmodelled_options_are_kept_for_omnetpp_but_refused_by_the_engine(option):
    config = TcpConfig(**{option: True})
    assert (
        config.inet_parameters()[
            {"sack": "sackSupport", "timestamps": "timestampSupport", "ecn": "ecnWillingness"}[
                option
            ]
        ]
        == "true"
    )
    with pytest.raises(ScenarioError) as err:
        config.check_embedded()
    message = str(err.value)
    assert "\n" not in message and err.value.field == f"traffic.ml.tcp.{option}"
    assert "not modelled by the embedded engine" in message and "OMNeT++ backend runs it" in message
    with pytest.raises(ScenarioError):
        Net(config)  # the engine's connections refuse it too


def test_unknown_signal_names_are_refused():
    net = Net()
    with pytest.raises(ValueError, match="unknown TCP signals"):
        TcpConnection(TcpConfig(), net.a, 1, 2, record=["cwnd", "congestionWindow"])
