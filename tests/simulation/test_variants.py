# SPDX-License-Identifier: MIT
"""[[simulation.variants]]: what `set` and `unset` do to a profile, and bad ones refused in one line.

A protection study declares its mechanisms as variants of one profile: a FIFO
variant of a TSN profile must remove the [tsn] table and every flow's PCP, a
TSN variant of a FIFO profile adds them. Also: an idle slope given as a share
of each port's link rate (what a shaper variant on mixed-rate links needs).
"""

from __future__ import annotations

import pytest

from fogcosim.errors import UserError
from simulation.profile.build import build_scenario, load_profile

from .conftest import PROFILES, write_profile

TSN = (PROFILES / "tsn-star.toml").read_text().replace("[tsn]\n", '[tsn]\nsynthesize = "greedy"\n')
CAM = """
[[traffic.flows]]
name = "cam"
class = "background"
src = "fog0"
dst = "cloud"
period = "10ms"
size_bytes = 800
pcp = 4

[[traffic.flows]]
name = "plc"
class = "critical"
src = "fog1"
dst = "cloud"
period = "10ms"
size_bytes = 100
"""


def _variants(tmp_path, *items: str, base: str = TSN + CAM):
    text = base + "".join(f"\n[[simulation.variants]]\n{item}\n" for item in items)
    return load_profile(write_profile(tmp_path, text))


def test_a_fifo_variant_of_a_tsn_profile_unsets_the_tsn_table_and_every_flow_pcp(tmp_path):
    profile = _variants(
        tmp_path,
        'name = "fifo"\nunset = ["tsn", "traffic.flows[].pcp"]\n'
        'set = { "simulation.scheduling" = "fifo" }',
    )
    fifo = profile.with_variant("fifo")
    assert "tsn" not in fifo.document
    assert [("pcp" in f) for f in fifo.document["traffic"]["flows"]] == [False, False]
    sc = build_scenario(fifo, 4, "none", 0)
    assert sc.scheduling == "fifo" and sc.tsn is None and sc.variant == "fifo"
    # the profile as written keeps its gates and PCPs
    base = build_scenario(profile, 4, "none", 0)
    assert base.tsn is not None and base.tsn.synthesis == "greedy"
    assert {f.name: f.pcp for f in base.flows}["cam"] == 4
    # the same draws: the variant changes the mechanism, not the traffic
    offsets = {f.name: f.offset_ps for f in sc.flows}
    assert offsets == {f.name: f.offset_ps for f in base.flows}


def test_a_variant_unsets_one_key_and_sets_every_item_of_an_array(tmp_path):
    profile = _variants(
        tmp_path,
        'name = "priority"\nunset = ["tsn.synthesize"]',
        'name = "late"\nset = { "traffic.flows[].deadline" = "5ms" }',
    )
    priority = build_scenario(profile.with_variant("priority"), 4, "none", 0)
    assert priority.tsn is not None and priority.tsn.gates == () and priority.scheduling == "tsn"
    late = build_scenario(profile.with_variant("late"), 4, "none", 0)
    deadlines = {f.name: f.deadline_ps for f in late.flows}
    assert deadlines["cam"] == deadlines["plc"] == 5 * 10**9
    assert profile.document["traffic"]["flows"][0].get("deadline") is None  # not changed


def test_a_tsn_variant_of_a_fifo_profile_adds_the_tables_it_needs(tmp_path):
    fifo = TSN.replace('scheduling = "tsn"', 'scheduling = "fifo"').split("[tsn]")[0]
    profile = _variants(
        tmp_path,
        'name = "gates"\nset = { "simulation.scheduling" = "tsn", "tsn.synthesize" = "greedy" }',
        'name = "cbs"\nset = { "simulation.scheduling" = "tsn", "tsn.shapers" = '
        '[{ node = "*", traffic_class = 1, idle_slope = "25%" }] }',
        base=fifo,
    )
    assert build_scenario(profile, 4, "none", 0).tsn is None
    gates = build_scenario(profile.with_variant("gates"), 4, "fl", 0)
    assert gates.tsn is not None and gates.tsn.gates and gates.tsn.synthesis == "greedy"
    cbs = build_scenario(profile.with_variant("cbs"), 4, "fl", 0)
    assert cbs.tsn is not None and {s.idle_slope_bps for s in cbs.tsn.shapers} == {250_000_000}


def test_an_idle_slope_share_is_taken_of_each_ports_own_rate(tmp_path):
    text = TSN.replace('synthesize = "greedy"\n', "").replace(
        'fog_link = { datarate = "1Gbps", length = "10m" }',
        'fog_link = { datarate = "100Mbps", length = "10m" }',
    )
    text += '\n[[tsn.shapers]]\nnode = "*"\ntraffic_class = 1\nidle_slope = "40%"\n'
    sc = build_scenario(load_profile(write_profile(tmp_path, text)), 2, "none", 0)
    assert sc.tsn is not None
    slopes = {(s.node, s.peer): s.idle_slope_bps for s in sc.tsn.shapers}
    assert slopes[("sw0", "cloud")] == slopes[("cloud", "sw0")] == 400_000_000
    assert slopes[("sw0", "fog0")] == slopes[("fog1", "sw0")] == 40_000_000


@pytest.mark.parametrize("share", ["100%", "0%", "150%", "40 percent"])
def test_an_idle_slope_share_outside_0_to_100_percent_is_refused(tmp_path, share):
    text = TSN.replace('synthesize = "greedy"\n', "")
    text += f'\n[[tsn.shapers]]\nnode = "*"\ntraffic_class = 1\nidle_slope = "{share}"\n'
    with pytest.raises(UserError, match=r"tsn\.shapers\[0\]\.idle_slope") as err:
        build_scenario(load_profile(write_profile(tmp_path, text)), 2, "none", 0)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ('name = "x"\nunset = ["tsn.gate_list"]', "'tsn.gate_list': not in the profile"),
        ('name = "x"\nunset = ["traffic.flows[].offset"]', "not in the profile"),
        ('name = "x"\nset = { "traffic.flows.pcp" = 3 }', "'flows' is not a table (for every item"),
        ('name = "x"\nset = { "traffic.cloud[].period" = "1s" }', "is not an array of tables"),
        ('name = "x"\nunset = ["traffic.flows[]"]', "expected a dotted field"),
        ('name = "x"\nset = { "traffic.flows[].colour" = 3 }', "colour"),
    ],
)
def test_a_bad_variant_is_one_line_naming_the_variant_and_field(tmp_path, item, words):
    with pytest.raises(UserError) as err:
        _variants(tmp_path, item)
    text = str(err.value)
    assert "\n" not in text and "simulation.variants[x]" in text and words in text, text
