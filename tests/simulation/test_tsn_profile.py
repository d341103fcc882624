# SPDX-License-Identifier: MIT
"""The [tsn] table of a profile: what it builds, and bad input refused in one line naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from fogcosim.errors import UserError
from simulation.model.estimate import check_size
from simulation.model.gcl import GateControlList, GateEntry, periodic_gate
from simulation.model.tsn import traffic_class
from simulation.profile.build import build_scenario, load_profile, with_time

PROFILES = Path(__file__).parent.parent / "fixtures" / "profiles"
STAR = (PROFILES / "tsn-star.toml").read_text()
GATE = """
[[tsn.gates]]
node = "sw0"
peer = "{peer}"
cycle = "{cycle}"
entries = [{{ duration = "60us", open = [{first}] }}, {{ duration = "440us", open = [{rest}] }}]
"""


def _build(tmp_path: Path, text: str, n: int = 4, method: str = "none"):
    path = tmp_path / "p.toml"
    path.write_text(text)
    return build_scenario(load_profile(path), n, method, 0)


def _gate(peer="cloud", cycle="500us", first="6", rest="0, 1, 2, 3, 4, 5, 7"):
    return GATE.format(peer=peer, cycle=cycle, first=first, rest=rest)


def test_classes_and_flows_get_their_pcp_and_ports_their_lists(tmp_path):
    text = STAR.replace("[tsn]\n", "[tsn]\npcp = { ml = 2 }\n") + _gate(peer="*")
    text += '\n[[traffic.flows]]\nname = "cam"\nclass = "background"\nsrc = "fog0"\n'
    text += 'dst = "cloud"\nperiod = "10ms"\nsize_bytes = 800\npcp = 5\n'
    sc = _build(tmp_path, text, method="fl")
    pcps = {f.name: f.pcp for f in sc.all_flows()}
    assert pcps["creq_fog0"] == 6 and pcps["mlup_fog0"] == 2 and pcps["cam"] == 5
    spec = sc.tsn
    assert spec is not None
    assert sorted(g.peer for g in spec.gates) == ["cloud", "fog0", "fog1", "fog2", "fog3"]
    assert spec.queue_of(6) == 6 and spec.queue_of(0) == 1 and spec.queue_of(1) == 0


def test_traffic_classes_follow_802_1q_table_8_5():
    assert [traffic_class(p, 8) for p in range(8)] == [1, 0, 2, 3, 4, 5, 6, 7]
    assert [traffic_class(p, 3) for p in range(8)] == [0, 0, 0, 0, 1, 1, 2, 2]
    assert {traffic_class(p, 1) for p in range(8)} == {0}


def test_a_gate_control_list_becomes_inets_alternating_durations():
    # class 6 open 0..60 us of 500 us; class 1 closed then, open 60..500 us
    g = GateControlList("sw0", "cloud", 500, (GateEntry(60, 0x40), GateEntry(440, 0xBF)))
    assert periodic_gate(g, 6) == (True, 0, [60, 440])
    assert periodic_gate(g, 1) == (False, 0, [60, 440])
    # open at both ends of the cycle: the list starts at its first change (rotation 40)
    wrap = GateControlList("a", "b", 100, (GateEntry(40, 1), GateEntry(30, 2), GateEntry(30, 1)))
    opened, offset, durations = periodic_gate(wrap, 0)  # type: ignore[misc]
    assert (opened, durations) == (False, [30, 70]) and offset == 60
    # with a base time the offset moves by it
    based = GateControlList("a", "b", 100, g.entries and (GateEntry(60, 1), GateEntry(40, 2)), 30)
    assert periodic_gate(based, 0) == (True, 70, [60, 40])
    assert periodic_gate(GateControlList("a", "b", 100, (GateEntry(100, 0xFF),)), 3) is None


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda t: t + _gate(cycle="1ms"), "tsn.gates[0].entries", "not the cycle's 1000 us"),
        (lambda t: t + _gate(first="7"), "tsn.gates[0].entries", "never opens"),
        (
            lambda t: t.replace('size_bytes = 800', 'size_bytes = 800') + _gate().replace(
                '"60us"', '"5us"').replace('"440us"', '"495us"').replace("[0, 1, 2, 3, 4, 5, 7]",
                                                                          "[0, 1, 2, 3, 4, 5]"),
            "tsn.gates[0].entries", "longer than traffic class 6's longest open window",
        ),
        (lambda t: t + _gate().replace('node = "sw0"', 'node = "sw9"'), "tsn.gates[0].node",
         "unknown node 'sw9'"),
        (lambda t: t + _gate(peer="fog9"), "tsn.gates[0].peer", "no port towards 'fog9'"),
        (lambda t: t + '[[tsn.shapers]]\nnode = "*"\ntraffic_class = 1\nidle_slope = "2Gbps"\n',
         "tsn.shapers.idle_slope", "below the link rate"),
        (lambda t: t.replace("[tsn]\n", "[tsn]\npcp = { critical = 8 }\n"), "tsn.pcp.critical",
         "must be below 8"),
        (lambda t: t.replace("[tsn]\n", "[tsn]\nexpress = [6]\n") + _gate(), "tsn.gates",
         "#884"),
        (lambda t: t.replace('scheduling = "tsn"', 'scheduling = "fifo"'), "tsn",
         'applies to scheduling = "tsn" only'),
    ],
)  # fmt: skip
def test_bad_tsn_input_is_one_line_naming_the_field(tmp_path, edit, field, words):
    with pytest.raises(UserError) as err:
        _build(tmp_path, edit(STAR))
    text = str(err.value)
    assert "\n" not in text and field in text and words in text, text


def test_a_flow_pcp_outside_0_to_7_is_refused(tmp_path):
    text = STAR + '\n[[traffic.flows]]\nname = "cam"\nclass = "background"\nsrc = "fog0"\n'
    text += 'dst = "cloud"\nperiod = "10ms"\nsize_bytes = 800\npcp = 9\n'
    with pytest.raises(UserError, match=r"traffic.flows\[0\].pcp: must be below 8"):
        _build(tmp_path, text)
    no_tsn = text.replace('scheduling = "tsn"', 'scheduling = "fifo"').replace("[tsn]\n", "")
    with pytest.raises(UserError, match=r"traffic.flows\[0\].pcp: applies to scheduling"):
        _build(tmp_path, no_tsn.replace("pcp = 9", "pcp = 5"))


def test_tsn_through_a_router_is_refused(tmp_path):
    text = STAR.replace("[topology]\n", '[topology]\ngateway = true\n'
                        'wan_link = { datarate = "1Gbps", delay = "1ms" }\n')  # fmt: skip
    with pytest.raises(UserError, match="do not cross a router"):
        _build(tmp_path, text)


def test_a_gate_cycle_that_makes_the_run_too_large_is_named(tmp_path):
    # a 30 us cycle over 100 s: 3.3 million cycles, 16 gate changes each, and the serves
    text = STAR + _gate(cycle="30us").replace('"60us"', '"15us"').replace('"440us"', '"15us"')
    sc = with_time(_build(tmp_path, text), sim_time_ps=100 * 10**12)
    with pytest.raises(UserError, match=r"gate control list of sw0 -> cloud alone makes"):
        check_size(sc)
    assert check_size(sc, force=True).gates[0][1] > 10**8
