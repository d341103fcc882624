# SPDX-License-Identifier: MIT
"""TSN mechanisms against hand-computed timelines: gates, guard band, credit, preemption.

Independent of OMNeT++: every expected delay below is worked out from the
standards' rules (and the INET choices the engine documents) on a star of
1 Gbps links without propagation delay, where one byte takes 8 ns. A UDP
datagram of 1472 B is a 1530 B frame on the wire (8 preamble + 14 MAC + 4
802.1Q tag + 20 IPv4 + 8 UDP + 1472 + 4 FCS): 12.24 us; one of 100 B a
158 B frame: 1.264 us. Frames are stored and forwarded; a gap of 12 B
(96 ns) follows each frame.
"""

from __future__ import annotations

import pytest

from simulation.embedded.engine import Engine
from simulation.model.gcl import GateControlList, GateEntry
from simulation.model.scenario import Flow, Link, Node, Scenario
from simulation.model.tsn import CreditShaper, TsnSpec

NS = 1000
US = 10**6
GBPS = 10**9
BIG, SMALL = 12_240 * NS, 1_264 * NS  # wire times of a 1472 B and a 100 B datagram


def _star(flows: list[Flow], spec: TsnSpec) -> Scenario:
    nodes = (Node("sw0", "switch"), Node("cloud", "cloud"), Node("h0", "fog"), Node("h1", "fog"))
    links = (Link("h0", "sw0", GBPS, 0), Link("h1", "sw0", GBPS, 0), Link("sw0", "cloud", GBPS, 0))
    return Scenario("spec", "spec", "Spec", "none", 2, 0, nodes, links, tuple(flows),
                    scheduling="tsn", tsn=spec)  # fmt: skip


def _delays(sc: Scenario) -> dict[str, list[int]]:
    return {f.flow.name: f.delays_ps for f in Engine(sc).run().flows}


def _gate(open_windows: list[tuple[int, int]], cycle: int, tc: int) -> GateControlList:
    """sw0 -> cloud: class `tc` open in the windows, the other classes open the rest."""
    entries, t = [], 0
    others = 0xFF & ~(1 << tc)
    for start, end in open_windows:
        if start > t:
            entries.append(GateEntry(start - t, others))
        entries.append(GateEntry(end - start, 1 << tc))
        t = end
    if t < cycle:
        entries.append(GateEntry(cycle - t, others))
    return GateControlList("sw0", "cloud", cycle, tuple(entries))


def test_a_closed_gate_holds_the_frame_until_it_opens():
    # PCP 0 is traffic class 1. The frame reaches sw0 at 12.24 us; class 1's gate opens
    # at 30 us for 15 us, long enough: sent 30 -> 42.24 us.
    flow = Flow("ml0", "ml", "h0", "cloud", 100 * US, 1472, 0, pcp=0)
    gcl = _gate([(30 * US, 45 * US)], 100 * US, tc=1)
    assert _delays(_star([flow], TsnSpec(gates=(gcl,))))["ml0"] == [30 * US + BIG]


def test_a_frame_that_does_not_fit_the_rest_of_the_window_waits_for_the_next():
    # The gate is open at 12.24 us until 20 us: 7.76 us left, the frame needs 12.24 us
    # (guard band): it waits for the window at 60 us.
    big = Flow("big", "ml", "h0", "cloud", 100 * US, 1472, 0, pcp=0)
    gcl = _gate([(10 * US, 20 * US), (60 * US, 75 * US)], 100 * US, tc=1)
    assert _delays(_star([big], TsnSpec(gates=(gcl,))))["big"] == [60 * US + BIG]


def test_a_frame_that_fits_goes_at_once_unless_a_waiting_one_is_ahead_of_it():
    # A 100 B datagram leaves h1 at 11 us and reaches sw0 at 12.264 us, inside the window,
    # with time to spare: out at once. Behind the waiting 1472 B frame of its class it
    # waits too (a class is a FIFO): after it and the gap, 72.336 -> 73.6 us.
    small = Flow("small", "ml", "h1", "cloud", 100 * US, 100, 11 * US, pcp=0)
    big = Flow("big", "ml", "h0", "cloud", 100 * US, 1472, 0, pcp=0)
    gcl = _gate([(10 * US, 20 * US), (60 * US, 75 * US)], 100 * US, tc=1)
    assert _delays(_star([small], TsnSpec(gates=(gcl,))))["small"] == [2 * SMALL]
    delays = _delays(_star([big, small], TsnSpec(gates=(gcl,))))
    assert delays["big"] == [60 * US + BIG]
    assert delays["small"] == [73_600 * NS - 11 * US]


def test_other_classes_pass_while_the_gate_of_one_is_closed():
    ml = Flow("ml0", "ml", "h0", "cloud", 100 * US, 1472, 0, pcp=0)
    crit = Flow("crit", "critical", "h1", "cloud", 100 * US, 1472, 0, pcp=6)
    gcl = _gate([(30 * US, 45 * US)], 100 * US, tc=1)
    delays = _delays(_star([ml, crit], TsnSpec(gates=(gcl,))))
    assert delays["crit"] == [2 * BIG]  # class 6 is open outside class 1's window
    assert delays["ml0"] == [30 * US + BIG]


def test_credit_spaces_back_to_back_frames_at_the_idle_slope():
    # Three 1472 B datagrams queue at h0 at 0; class 1 is shaped to 250 Mbps there.
    # Frame 1 starts at once (credit 0). While a frame and its gap are sent
    # (1542 B = 12.336 us) credit falls at 1 Gbps - 250 Mbps = 750 Mbps, to -9252 bit;
    # it grows back at 250 Mbps in 37.008 us. So a frame starts every 49.344 us, the
    # frame and gap at the idle slope (1542 B * 8 / 250 Mbps), and each is stored and
    # forwarded at sw0 without waiting.
    flows = [Flow(f"ml{i}", "ml", "h0", "cloud", 200 * US, 1472, 0, pcp=0) for i in range(3)]
    spec = TsnSpec(shapers=(CreditShaper("h0", "sw0", 1, 250_000_000),))
    delays = _delays(_star(flows, spec))
    spacing = 1542 * 8 * 4 * NS
    assert [delays[f"ml{i}"] for i in range(3)] == [[i * spacing + 2 * BIG] for i in range(3)]


def test_without_shaping_the_same_frames_go_back_to_back():
    flows = [Flow(f"ml{i}", "ml", "h0", "cloud", 200 * US, 1472, 0, pcp=0) for i in range(3)]
    delays = _delays(_star(flows, TsnSpec()))
    gap = 96 * NS
    assert [delays[f"ml{i}"] for i in range(3)] == [[i * (BIG + gap) + 2 * BIG] for i in range(3)]


def _preemption(express_at: int) -> dict[str, list[int]]:
    """A preemptable 1472 B datagram from h1 at 0 and an express 100 B one from h0."""
    big = Flow("big", "ml", "h1", "cloud", 100 * US, 1472, 0, pcp=0)
    small = Flow("crit", "critical", "h0", "cloud", 100 * US, 100, express_at, pcp=6)
    return _delays(_star([big, small], TsnSpec(express=(6,))))


def test_an_express_frame_preempts_and_the_rest_follows_it():
    # big leaves sw0 from 12.24 us. crit reaches sw0 at 15.264 us, 3.024 us = 378 B into
    # big's transmission: INET cuts there (preamble counted), 60 B or more are left, so the
    # fragment carries 378 B of frame + 4 B mCRC after its 8 B preamble: 390 B, until
    # 15.36 us; after the gap crit goes at 15.456 us, arriving at 16.72 us (2.72 us after
    # it was sent). The rest (1518 - 378 = 1140 B of frame + FCS + 8 B preamble = 1152 B)
    # follows after crit's gap, at 16.816 us: big arrives at 26.032 us.
    delays = _preemption(14 * US)
    assert delays["crit"] == [2_720 * NS]
    assert delays["big"] == [26_032 * NS]


def test_without_preemption_the_express_frame_waits_for_the_whole_frame():
    big = Flow("big", "ml", "h1", "cloud", 100 * US, 1472, 0, pcp=0)
    small = Flow("crit", "critical", "h0", "cloud", 100 * US, 100, 14 * US, pcp=6)
    delays = _delays(_star([big, small], TsnSpec()))
    # big ends at 24.48 us, the gap at 24.576 us, crit arrives at 25.84 us
    assert delays["crit"] == [25_840 * NS - 14 * US]
    assert delays["big"] == [2 * BIG]


@pytest.mark.parametrize(
    ("express_at", "crit", "big"),
    [
        # too late: 12.024 us = 1503 B pulled leaves less than 60 B; no cut, crit waits
        # for big (24.48 us) and the gap: 24.576 -> 25.84 us
        (23 * US, 2_840 * NS, 2 * BIG),
        # very early: 7.5 B pulled, but a fragment holds at least 60 B: 8 + 60 + 4 = 72 B
        # until 12.816 us, gap, crit 12.912 -> 14.176 us; the rest (1458 B + 4 + 8 = 1470 B)
        # from 14.272 us, arriving at 26.032 us
        (11_036 * NS, 3_140 * NS, 26_032 * NS),
    ],
)
def test_fragments_keep_the_minimum_size(express_at, crit, big):
    delays = _preemption(express_at)
    assert delays["crit"] == [crit]
    assert delays["big"] == [big]
