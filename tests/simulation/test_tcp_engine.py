# SPDX-License-Identifier: MIT
"""TCP in the embedded engine: what a user relies on when the ML traffic or a flow uses TCP.

(That every segment and result equals INET's is test_agreement's job, on real runs.)
"""

from __future__ import annotations

import math
import re

import pytest

from analysis.run.metrics import load_run, summarize_run
from analysis.run.rounds import RunStalledError, rounds_table
from analysis.run.tcp import tcp_table
from simulation.embedded.backend import EmbeddedBackend
from simulation.embedded.engine import Engine
from simulation.profile.build import build_scenario, load_profile, with_rounds

from .conftest import PROFILES, write_profile
from .pure_python import in_pure_python

STAR = (PROFILES / "rounds-star.toml").read_text()


def _tcp_star(capacity: int) -> str:
    return STAR.replace('transport = "udp"', 'transport = "tcp"').replace(
        'queue_capacity = "unbounded"', f"queue_capacity = {capacity}"
    )


def _scenario(tmp_path, text: str, fog_nodes: int, method: str, rounds: int):
    profile = load_profile(write_profile(tmp_path, text))
    return with_rounds(build_scenario(profile, fog_nodes, method, 0), rounds)


@pytest.mark.parametrize("method", ["fl", "fcddt"])
def test_tcp_rounds_finish_into_small_queues_and_no_message_is_lost(tmp_path, method):
    sc = _scenario(tmp_path, _tcp_star(10), 8, method, 3)
    result = Engine(sc).run()
    assert not any("roundStall:vector" in app.vectors for app in result.apps)
    ml = [f for f in result.flows if f.flow.cls == "ml"]
    assert all(f.dropped == 0 and f.in_flight == 0 for f in ml)  # TCP resends what a queue drops
    assert sum(f.delivered for f in ml) == sum(f.sent for f in ml) > 0
    assert sum(q.drops for q in result.queues) > 0
    ends = result.tcp.endpoints
    assert sum(e.retransmitted for e in ends) > 0
    # every byte written arrived, in order: the receivers saw every registered message end
    assert all(e.received_bytes == e.registered and not e.expected for e in ends)


def test_rounds_csv_has_the_bytes_tcp_resent_per_round_and_fn(tmp_path):
    sc = _scenario(tmp_path, _tcp_star(10), 8, "fl", 3)
    EmbeddedBackend().run(sc, tmp_path / "run")
    scenario, manifest, raw = load_run(tmp_path / "run")
    table = rounds_table(scenario, manifest, raw)
    tcp = tcp_table(manifest, raw)
    assert len(table) == 3 * 8
    resent = tcp.loc[tcp["end"].str.startswith("rounds_"), "retransmitted_bytes"].sum()
    assert table["retransmitted_bytes"].sum() == resent > 0
    assert (table["retransmitted_bytes"] % 1460 == 0).all()  # whole segments, Nagle on
    udp = _scenario(tmp_path, STAR, 4, "fl", 2)
    EmbeddedBackend().run(udp, tmp_path / "udp")
    assert rounds_table(*load_run(tmp_path / "udp"))["retransmitted_bytes"].isna().all()


def test_summary_counts_retransmissions_timeouts_and_critical_drops(tmp_path):
    sc = _scenario(tmp_path, _tcp_star(10), 8, "fl", 2)
    EmbeddedBackend().run(sc, tmp_path / "run", record_vectors=True)
    metrics = summarize_run(tmp_path / "run")
    assert metrics["tcp_retransmitted_segments"] > 0
    assert metrics["tcp_retransmitted_bytes"] >= 1460 * metrics["tcp_retransmitted_segments"] // 2
    assert metrics["tcp_timeouts"] >= 0
    assert metrics["critical_dropped"] >= 0
    assert (tmp_path / "run" / "tcp.csv").is_file()


def test_a_stalled_tcp_round_is_diagnosed_in_one_line_with_tcps_state(tmp_path):
    # 18 FNs into 20-frame queues: initial windows are lost, and INET's first RTO is 3 s
    text = PROFILES.parents[2] / "simulation" / "profile" / "profiles" / "paper-sec21-rounds.toml"
    text = text.read_text().replace("[simulation]\n", "[simulation]\nqueue_capacity = 20\n")
    sc = _scenario(tmp_path, text, 18, "fl", 3)
    EmbeddedBackend().run(sc, tmp_path / "run")
    with pytest.raises(RunStalledError) as info:
        summarize_run(tmp_path / "run")
    message = str(info.value)
    assert "\n" not in message
    assert "stalled at 10 s, 10 s after it began" in message
    assert "TCP connection: cloud sent 4,380 B of data" in message
    assert "retransmission timeouts, RTO now 3 s" in message
    assert "stall_timeout" in message and "queue_capacity" in message


def test_long_lived_tcp_flows_deliver_every_message_beside_udp_critical_flows():
    sc = build_scenario(load_profile(PROFILES / "tcp-background.toml"), 4, "none", 0)
    result = Engine(sc).run()
    by_name = {f.flow.name: f for f in result.flows}
    for name, per_run in (("backup", 15), ("logs", 30), ("camera", 15)):
        flow = by_name[name]
        assert flow.sent == per_run and flow.dropped == 0
        assert flow.delivered + flow.in_flight == per_run
        # a message of hundreds of kB takes at least its serialisation time at 1 Gbps
        assert min(flow.delays_ps) > flow.flow.size_bytes * 8 * 1000
    # their slow starts overflow the cloud's queue: TCP recovers, with a timeout (RTO 1 s)
    ends = {e.label: e for e in result.tcp.endpoints}
    assert ends["backup@fog0"].conn.num_rtos == 1 and ends["logs@fog1"].retransmitted > 0
    assert max(by_name["backup"].delays_ps) > 10**12  # the message that waited for the RTO
    critical = [f for f in result.flows if f.flow.cls == "critical"]
    assert all(f.sent == f.delivered + f.dropped + f.in_flight for f in critical)
    assert math.isclose(sum(q.drops for q in result.queues), 83)


@in_pure_python
def test_a_connection_tcp_gives_up_on_ends_the_run_with_a_one_line_diagnosis(tmp_path, monkeypatch):
    """A path that drops everything an FN sends after a while: 12 timeouts, then the end.

    No profile can build such a path (queues pass a frame when they have room), so the
    test loses every segment fog0 hands to IPv4 from 1 ms on.
    """
    from simulation.embedded.network import Network

    text = _tcp_star(100).replace('policy = "all"', 'policy = "all"\nstall_timeout = "3000s"')
    text = re.sub(r"\[traffic\.cloud\]\n(.+\n)+", "", text)  # 20 simulated minutes: ML only
    text = text.replace("[simulation]\n", '[simulation]\nsim_time = "3000s"\n')
    sc = _scenario(tmp_path, text, 2, "fl", 3)
    send = Network.send

    def lose_fog0(self, dgram, wires, level, depth, root):
        if dgram.path[0].direction.src == "fog0" and dgram.created > 10**9:
            return  # lost on the way
        send(self, dgram, wires, level, depth, root)

    monkeypatch.setattr(Network, "send", lose_fog0)
    EmbeddedBackend().run(sc, tmp_path / "run")
    with pytest.raises(RunStalledError) as info:
        summarize_run(tmp_path / "run")
    message = str(info.value)
    assert "\n" not in message
    assert "TCP at fog0 gave up on fog0's connection after 12 retransmission timeouts" in message
    tcp = tcp_table(*load_run(tmp_path / "run")[1:])
    row = tcp[tcp["end"] == "rounds_fog0@fog0"].iloc[0]
    assert row["state"] == "CLOSED" and row["timeouts"] == 12
