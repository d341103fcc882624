# SPDX-License-Identifier: MIT
"""Gate-schedule synthesis on cases small enough to compute by hand.

At 1 Gbps a byte takes 8 ns. A 1000-byte UDP message is one frame of
1008 + 20 (IP) + 14 (MAC) + 4 (802.1Q tag) + 4 (FCS) + 8 (preamble) = 1058 B on
the wire: 8.464 us; a 500-byte one 558 B: 4.464 us. The inter-frame gap is
12 B (96 ns), each cable 50 ns.
"""

from __future__ import annotations

import pytest

from simulation.model.gcl import GateEntry
from simulation.model.scenario import Link, Node, ScenarioError
from simulation.tsn_synthesis.greedy import greedy
from simulation.tsn_synthesis.placement import flow_latencies, violations
from simulation.tsn_synthesis.problem import build_problem, message_frames
from simulation.tsn_synthesis.schedule import synthesise
from tests.simulation.tsn_replay import GBPS, MS, PROP, US, crit, replay, scenario, star

NS = 1000
F1000, F500 = 8_464 * NS, 4_464 * NS  # wire times at 1 Gbps
IFG = 96 * NS
GUARD = (1530 + 12) * 8 * NS  # a 1500-byte MTU frame, tagged, plus the gap


def test_wire_bytes_count_the_tag_inside_the_minimum_frame():
    assert message_frames(1000, 1500, tagged=True) == (1058,)
    assert message_frames(1000, 1500, tagged=False) == (1054,)
    # 2000 B: IP fragments of 1480 and 528 payload bytes
    assert message_frames(2000, 1500, tagged=True) == (1530, 578)
    # a tiny datagram pads to the 64-byte minimum, tag included (+8 preamble)
    assert message_frames(1, 1500, tagged=True) == (72,)
    assert message_frames(1, 1500, tagged=False) == (72,)


def two_flows(d1, d2):
    return star(
        [
            crit("f1", "a", "c", 1000, MS, deadline=d1),
            crit("f2", "b", "c", 500, MS, deadline=d2),
        ]
    )


def test_greedy_serves_the_more_urgent_message_first_on_a_shared_port():
    problem = build_problem(two_flows(200 * US, 100 * US))
    starts = dict(zip((m.flow for m in problem.messages), greedy(problem), strict=True))
    # f2 (deadline 100 us) first: b->sw at 0, in at sw at 4.514 us, straight on to c
    assert starts["f2"] == ((0,), (F500 + PROP,))
    # f1 arrives at sw at 8.514 us, waits for f2's frame and the gap: 4.514 + 4.464 + 0.096
    assert starts["f1"] == ((0,), (F500 + PROP + F500 + IFG,))
    assert flow_latencies(problem, greedy(problem)) == {
        "f2": F500 + PROP + F500 + PROP,  # 9.028 us
        "f1": 17_588 * NS,
    }


def test_greedy_order_holds_back_the_later_arrival_and_optimal_beats_it():
    problem = build_problem(two_flows(100 * US, 200 * US))
    placed = greedy(problem)
    starts = dict(zip((m.flow for m in problem.messages), placed, strict=True))
    # f1 first: on sw->c at 8.514 us. f2 would arrive at sw before it, so FIFO would send
    # f2 first: it is held at b until it arrives 1 ps after f1 and leaves after f1's frame.
    assert starts["f1"] == ((0,), (F1000 + PROP,))
    assert starts["f2"] == ((F1000 + 1 - F500,), (F1000 + PROP + F1000 + IFG,))
    assert flow_latencies(problem, placed)["f2"] == 21_588 * NS
    best = synthesise(problem, "optimal", time_limit_s=10)
    assert best.proven_optimal
    assert best.latency_bound_ps == {"f2": 9_028 * NS, "f1": 17_588 * NS}
    assert best.worst_ps < synthesise(problem, "greedy").worst_ps


def test_windows_merge_and_guard_band_wraps_to_the_end_of_the_cycle():
    schedule = synthesise(build_problem(two_flows(200 * US, 100 * US)))
    gcl = next(g for g in schedule.gcls if (g.node, g.peer) == ("sw", "c"))
    start = F500 + PROP  # 4.514 us: f2's window; f1's follows one gap later, so they merge
    end = start + F500 + IFG + F1000
    assert gcl.cycle_ps == MS and gcl.base_ps == 0
    assert gcl.entries == (
        GateEntry(start, 0x00),  # guard band: it began 12.336 us before the window
        GateEntry(end - start, 0x80),
        GateEntry(MS - GUARD + start - end, 0x7F),
        GateEntry(GUARD - start, 0x00),  # the guard band's start, at the cycle's end
    )


@pytest.mark.parametrize(("guard_band", "guard"), [("explicit", GUARD), ("implicit", IFG)])
def test_guard_band_closes_the_other_classes_before_each_window(guard_band, guard):
    flows = [crit("f", "a", "c", 1000, MS, offset=100 * US)]
    schedule = synthesise(build_problem(star(flows), guard_band=guard_band))
    gcl = next(g for g in schedule.gcls if (g.node, g.peer) == ("a", "sw"))
    assert gcl.entries == (
        GateEntry(100 * US - guard, 0x7F),
        GateEntry(guard, 0x00),
        GateEntry(F1000, 0x80),
        GateEntry(MS - 100 * US - F1000, 0x7F),
    )


def test_another_protected_class_and_no_tag():
    flows = [crit("f", "a", "c", 1000, MS, offset=100 * US)]
    schedule = synthesise(build_problem(star(flows), protected_class=5, vlan_tag=False))
    gcl = next(g for g in schedule.gcls if (g.node, g.peer) == ("a", "sw"))
    untagged_guard = (1526 + 12) * 8 * NS
    assert [e.open_mask for e in gcl.entries] == [0xDF, 0x00, 0x20, 0xDF]
    assert gcl.entries[1].duration_ps == untagged_guard
    assert gcl.entries[2].duration_ps == (1054 * 8) * NS


def line(rates):
    nodes = [Node("a", "host"), Node("s1", "switch"), Node("s2", "switch"), Node("c", "host")]
    links = [
        Link("a", "s1", rates[0], PROP),
        Link("s1", "s2", rates[1], 100 * NS),
        Link("s2", "c", rates[2], PROP),
    ]
    return scenario(nodes, links, [crit("f", "a", "c", 2000, MS)])


def test_store_and_forward_over_two_switches_waits_for_each_frame():
    # 2000 B: frames of 1530 B and 578 B. a->s1 at 100 Mbps (80 ns a byte, gap 960 ns).
    problem = build_problem(line((100 * 10**6, GBPS, GBPS)))
    (starts,) = greedy(problem)
    assert starts == (
        (0, 122_400 * NS + 960 * NS),
        # each frame leaves s1 once its last bit is in: 122.4 us + 50 ns; 169.6 us + 50 ns
        (122_450 * NS, 169_650 * NS),
        # and s2 after the 100 ns cable behind s1: 122.45 + 12.24 + 0.1; 169.65 + 4.624 + 0.1
        (134_790 * NS, 174_374 * NS),
    )
    assert flow_latencies(problem, (starts,)) == {"f": 174_374 * NS + 4_624 * NS + PROP}


def test_store_and_forward_behind_a_slower_hop_waits_for_the_line():
    problem = build_problem(line((GBPS, 100 * 10**6, GBPS)))
    (starts,) = greedy(problem)
    # the second frame is in at s1 at 17.01 us but s1->s2 is busy until 134.69 us + 960 ns
    assert starts[1] == (12_290 * NS, 134_690 * NS + 960 * NS)


def test_a_schedule_replays_exactly_through_fifo_queues_and_gates():
    problem = build_problem(two_flows(100 * US, 200 * US))
    for method in ("greedy", "optimal"):
        schedule = synthesise(problem, method, time_limit_s=10)
        departures = replay(schedule)
        assert departures
        for (n, j, h, i), t in departures.items():
            assert t == schedule.starts[j][h][i] + n * problem.cycle_ps


def test_a_message_slower_than_its_deadline_is_refused_naming_the_flow():
    flows = [crit("slow", "a", "c", 1000, MS, deadline=10 * US)]
    with pytest.raises(ScenarioError, match=r"flow 'slow' cannot be scheduled.*17\.028 us"):
        build_problem(star(flows))


def test_a_port_over_its_capacity_is_refused_naming_port_and_flow():
    nodes = [Node("sw", "switch"), Node("a", "host"), Node("c", "host")]
    links = [Link("a", "sw", 10 * 10**6, PROP), Link("c", "sw", GBPS, PROP)]
    flows = [crit("x", "a", "c", 1000, MS), crit("y", "a", "c", 1000, MS, offset=1)]
    with pytest.raises(
        ScenarioError,
        match=r"port a->sw: their frames need 1712 us of every 1000 us cycle \(171% of the link; flow 'x'",
    ):
        build_problem(scenario(nodes, links, flows))


def contended():
    return star(
        [
            crit("f1", "a", "c", 1000, MS, deadline=20 * US),
            crit("f2", "b", "c", 1000, MS, deadline=20 * US),
        ]
    )


def test_greedy_says_which_flow_misses_its_deadline_and_where():
    with pytest.raises(ScenarioError, match=r"flow 'f2' cannot meet its deadline of 20 us.*sw->c"):
        synthesise(build_problem(contended()), "greedy")


def test_optimal_names_the_flows_that_cannot_all_meet_their_deadlines():
    with pytest.raises(ScenarioError) as err:
        synthesise(build_problem(contended()), "optimal", time_limit_s=10)
    text = str(err.value)
    assert "'f1'" in text and "'f2'" in text and "sw->c" in text and "\n" not in text


def test_a_host_still_sending_when_the_next_cycle_starts_is_refused_naming_both_flows():
    # a releases g at 995 us; its frame runs 3.56 us into the next cycle, where f is released
    # at 0. In the steady state f waits behind g, but a run starts without the cycle before:
    # f would leave in g's window. No gate schedule can fix that.
    flows = [crit("f", "a", "c", 1000, MS), crit("g", "a", "c", 1000, MS, offset=995 * US)]
    with pytest.raises(
        ScenarioError, match=r"flow 'g' cannot be scheduled.*3\.56 us into the next cycle.*flow 'f'"
    ):
        build_problem(star(flows))


def test_across_the_cycle_end_a_message_waits_upstream_and_optimal_beats_greedy():
    # g (b->c, released at 995 us) reaches sw at 3.514 us into the next cycle, f (a->c,
    # released at 0) at 8.514 us: they meet on sw->c across the cycle's end.
    flows = [crit("f", "a", "c", 1000, MS), crit("g", "b", "c", 1000, MS, offset=995 * US)]
    problem = build_problem(star(flows))
    # greedy: f first (earlier deadline) at 8.514 us; g must then follow the next cycle's f
    # all the way: held at b until 1 ps after f's copy arrives at sw, then behind its frame
    greedy_plan = synthesise(problem, "greedy")
    assert greedy_plan.latency_bound_ps == {"f": 17_028 * NS, "g": 30_588 * NS}
    best = synthesise(problem, "optimal", time_limit_s=10)
    assert best.latency_bound_ps == {"g": 17_028 * NS, "f": 20_588 * NS}
    # f is held at a until 3.56 us, so that it enters sw's queue only once the previous
    # cycle's g has left (12.074 us): at the start of a run no g is there to let pass
    starts = dict(zip((m.flow for m in problem.messages), best.starts, strict=True))
    assert starts["f"] == ((3_560 * NS,), (12_074 * NS,))
    assert violations(problem, best.starts) == []
    for schedule in (greedy_plan, best):
        departures = replay(schedule)
        assert departures
        assert all(t == schedule.starts[j][h][i] + n * MS for (n, j, h, i), t in departures.items())
