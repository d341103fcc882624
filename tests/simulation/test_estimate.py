"""Absurd inputs are refused before they run, naming the flow that makes them absurd."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fogcosim.errors import UserError
from simulation.embedded.engine import Engine
from simulation.estimate import check_size, estimate, frames_per_message
from simulation.profile import build_scenario


def test_frames_per_message_counts_chunks_and_fragments():
    assert frames_per_message(1400, 1500) == 1
    assert frames_per_message(5000, 1500) == 4
    assert frames_per_message(65_507, 1500) == 45  # one full UDP datagram
    assert frames_per_message(65_508, 1500) == 46  # and one byte in a second chunk
    assert frames_per_message(65_507, 576) == 119  # 65,515 B of IP payload in 552-byte fragments


def test_estimate_is_close_to_what_the_engine_does(star_profile):
    sc = build_scenario(star_profile, 3, "fl", 0)
    events = Engine(sc).run().events
    estimated = estimate(sc).events
    assert events / 2 <= estimated <= events * 3  # an order-of-magnitude guard, not a forecast


def test_tiny_period_is_refused_naming_the_flow(star_profile):
    sc = build_scenario(star_profile, 3, "none", 0)
    flows = list(sc.flows)
    flows[1] = replace(flows[1], period_ps=400_000, offset_ps=0)  # 400 ns
    bad = replace(sc, flows=tuple(flows), duration_ps=6 * 10**12)
    with pytest.raises(UserError, match=rf"flow '{flows[1].name}' alone makes about .*--force"):
        check_size(bad)
    assert check_size(bad, force=True).events > 10**8


def test_giant_message_is_refused_for_memory(star_profile):
    sc = build_scenario(star_profile, 3, "none", 0)
    flows = list(sc.flows)
    flows[0] = replace(flows[0], size_bytes=50_000_000_000, period_ps=10**15)
    with pytest.raises(UserError, match=rf"one message of flow '{flows[0].name}' .* GiB at once"):
        check_size(replace(sc, flows=tuple(flows), max_hyperperiod_ps=10**16))
