# SPDX-License-Identifier: MIT
"""TCP in profiles: the transport's defaults, what a run records, and bad input in one line."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from fogcosim.errors import UserError
from simulation.backends.omnetpp.render import render_text
from simulation.embedded.backend import EmbeddedBackend
from simulation.model.scenario import ScenarioError, scenario_from_dict
from simulation.model.tcpconfig import TcpConfig
from simulation.profile.build import build_scenario, load_profile, with_rounds

from .conftest import PROFILES, write_profile

STAR = (PROFILES / "rounds-star.toml").read_text()
TCP_STAR = STAR.replace('transport = "udp"', 'transport = "tcp"').replace(
    'queue_capacity = "unbounded"', "queue_capacity = 100"
)
BACKGROUND = (PROFILES / "tcp-background.toml").read_text()


def _build(tmp_path, text: str, fog_nodes: int = 4, method: str = "fl"):
    return build_scenario(load_profile(write_profile(tmp_path, text)), fog_nodes, method, 0)


def test_rounds_default_to_tcp_with_linux_like_defaults_recorded(tmp_path):
    text = STAR.replace('transport = "udp"            # UDP bursts', "# UDP bursts")
    sc = _build(tmp_path, text)
    assert sc.rounds is not None and sc.rounds.transport == "tcp"
    assert sc.rounds.tcp == TcpConfig()  # NewReno, MSS 1460, 64 KiB, scaling, Nagle, ...
    defaults = dict(sc.profile_defaults)
    assert defaults["traffic.ml.transport"] == '"tcp"'
    assert defaults["traffic.ml.tcp.mss"] == "1460 (MTU 1500 - 40)"
    assert defaults["traffic.ml.tcp.algorithm"] == '"TcpNewReno"'
    # scenario.json records it and gives it back
    again = scenario_from_dict(json.loads(json.dumps(sc.to_dict())))
    assert again == sc


def test_udp_rounds_and_periodic_traffic_read_no_tcp_table(tmp_path):
    sc = _build(tmp_path, STAR)
    assert sc.rounds is not None and sc.rounds.transport == "udp" and sc.rounds.tcp is None
    assert not any(k.startswith("traffic.ml.tcp") for k, _ in sc.profile_defaults)


def test_the_mss_default_fits_the_mtu(tmp_path):
    sc = _build(tmp_path, TCP_STAR.replace("[simulation]\n", "[simulation]\nmtu = 576\n"))
    assert sc.rounds is not None and sc.rounds.tcp is not None
    assert sc.rounds.tcp.mss == 536


def test_tcp_flows_get_one_connection_each_in_both_directions(tmp_path):
    sc = build_scenario(load_profile(PROFILES / "tcp-background.toml"), 4, "none", 0)
    tcp = [f for f in sc.flows if f.transport == "tcp"]
    assert [f.name for f in tcp] == ["backup", "logs", "camera"]
    assert all(f.tcp == TcpConfig() for f in tcp)
    _, ini = render_text(sc)
    assert "*.fog0.app[" in ini and 'typename = "fogcosim.TcpFlowApp"' in ini
    assert "*.cloud.tcp.mss = 1460" in ini and "*.fog2.tcp.tcpAlgorithmClass" in ini
    assert "*.fog3.tcp." not in ini  # fog3 runs no TCP
    assert '*.tcpStats.ends = "backup@fog0 fog0 cloud 7000 0;backup@cloud cloud fog0 7000 1;' in ini


def test_render_prints_the_tcp_parameters_and_records_tcp_vectors_on_request(tmp_path):
    sc = _build(tmp_path, TCP_STAR)
    ned, ini = render_text(sc)
    assert "tcpStats: TcpRecorder;" in ned
    assert '*.fog0.tcp.tcpAlgorithmClass = "TcpNewReno"' in ini
    assert "*.cloud.tcp.advertisedWindow = 65535" in ini
    assert "tcp.conn-*.cwnd:vector" not in ini
    _, with_tcp = render_text(sc, record_vectors="tcp")
    assert "**.tcp.conn-*.cwnd:vector.vector-recording = true" in with_tcp
    # before the catch-alls that turn vectors off
    assert with_tcp.index("tcp.conn-*.rcvSeq:vector") < with_tcp.index(
        "**.vector-recording = false"
    )
    ned_udp, _ = render_text(_build(tmp_path, STAR))
    assert "TcpRecorder" not in ned_udp


@pytest.mark.parametrize(
    ("table", "pattern"),
    [
        (
            "mss = 1461",
            r"traffic\.ml\.tcp\.mss = 1461 does not fit the 1500-byte MTU \(allowed: 1 to 1460",
        ),
        (
            "advertised_window = 0",
            r"traffic\.ml\.tcp\.advertised_window: must be at least 1 \(got 0\)",
        ),
        (
            "advertised_window = -5",
            r"traffic\.ml\.tcp\.advertised_window: must be at least 1 \(got -5",
        ),
        (
            "window_scaling = false\nadvertised_window = 70000",
            r"advertised_window = 70000 is out of range \(allowed: 1 to 65535 bytes; turn on "
            r"window_scaling for more\)",
        ),
        ('algorithm = "TcpCubic"', r"traffic\.ml\.tcp\.algorithm: .*TcpCubic.*TcpNewReno, TcpReno"),
        ("nagle = 1", r"traffic\.ml\.tcp\.nagle"),
        ("sac = true", r"traffic\.ml\.tcp\.sac: unknown field; did you mean 'sack'\?"),
    ],
)
def test_bad_tcp_values_are_refused_in_one_line_naming_file_and_field(tmp_path, table, pattern):
    text = TCP_STAR + f"\n[traffic.ml.tcp]\n{table}\n"
    with pytest.raises(UserError) as info:
        _build(tmp_path, text)
    message = str(info.value)
    assert "\n" not in message and "p.toml" in message
    assert re.search(pattern, message), message


def test_options_the_engine_does_not_model_are_refused_there_and_rendered_for_omnetpp(tmp_path):
    sc = _build(tmp_path, TCP_STAR + "\n[traffic.ml.tcp]\nsack = true\n")
    _, ini = render_text(sc)
    assert "*.cloud.tcp.sackSupport = true" in ini
    with pytest.raises(ScenarioError) as info:
        EmbeddedBackend().run(sc, tmp_path / "run")
    assert str(info.value) == (
        "traffic.ml.tcp.sack = true: SACK (RFC 2018) is not modelled by the embedded engine; "
        "the OMNeT++ backend runs it (--backend omnetpp)"
    )


def test_a_tcp_table_needs_tcp_and_a_host_has_one_set_of_tcp_parameters(tmp_path):
    flow = BACKGROUND.replace(
        'size_bytes = 500000\ntransport = "tcp"', "size_bytes = 500000\ntcp = { nagle = false }"
    )
    with pytest.raises(UserError, match=r"traffic\.flows\[0\]\.tcp: applies to transport"):
        _build(tmp_path, flow, method="none")
    mixed = BACKGROUND.replace(
        'size_bytes = 250000\ntransport = "tcp"',
        'size_bytes = 250000\ntransport = "tcp"\ntcp = { nagle = false }',
    )
    with pytest.raises(UserError) as info:
        _build(tmp_path, mixed, method="none")
    message = str(info.value)
    assert "host 'cloud' runs TCP for flow 'backup' and for flow 'logs' with different" in message
    assert "\n" not in message


def test_strict_priority_with_tcp_is_refused_for_now(tmp_path):
    text = TCP_STAR.replace("[simulation]\n", '[simulation]\nscheduling = "strict-priority"\n')
    with pytest.raises(UserError, match="strict-priority scheduling with TCP traffic is not"):
        _build(tmp_path, text)


def test_queue_capacity_below_one_frame_is_refused(tmp_path):
    with pytest.raises(UserError, match=r"queue_capacity"):
        _build(tmp_path, TCP_STAR.replace("queue_capacity = 100", "queue_capacity = 0"))


def test_a_scenario_json_of_a_udp_run_without_tcp_fields_still_loads(tmp_path):
    sc = with_rounds(_build(tmp_path, STAR), 2)
    data = sc.to_dict()
    del data["rounds"]["transport"], data["rounds"]["tcp"]
    for flow in data["flows"]:
        del flow["tcp"]
    assert scenario_from_dict(data) == sc


def test_tcp_parameters_of_flows_survive_the_scenario_json(tmp_path):
    sc = build_scenario(load_profile(PROFILES / "tcp-background.toml"), 4, "none", 0)
    sc = replace(sc, flows=tuple(f for f in sc.flows))
    assert scenario_from_dict(json.loads(json.dumps(sc.to_dict()))) == sc
