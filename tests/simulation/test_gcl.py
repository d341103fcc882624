# SPDX-License-Identifier: MIT
"""Gate control lists: states, next changes, how long a gate stays open, bad lists refused."""

from __future__ import annotations

import pytest

from simulation.model.gcl import GateControlList, GateEntry
from simulation.model.scenario import ScenarioError

US = 10**6


def gcl(base: int = 0) -> GateControlList:
    # 0..200 us: class 7 only; 200..1000 us: classes 0..6
    return GateControlList("sw0", "cloud", 1000 * US,
                           (GateEntry(200 * US, 0x80), GateEntry(800 * US, 0x7F)), base)  # fmt: skip


def test_state_and_next_change_repeat_every_cycle():
    g = gcl()
    assert g.state(0) == 0x80 and g.state(199 * US) == 0x80 and g.state(200 * US) == 0x7F
    assert g.state(1000 * US) == 0x80 and g.state(2150 * US) == 0x80
    assert g.next_change(0) == 200 * US and g.next_change(200 * US) == 1000 * US
    assert g.next_change(1999 * US) == 2000 * US


def test_a_base_time_shifts_the_cycle_also_before_it():
    g = gcl(base=300 * US)
    assert g.state(300 * US) == 0x80 and g.state(500 * US) == 0x7F
    assert g.state(0) == 0x7F  # (0 - 300) mod 1000 = 700: the second entry
    assert g.next_change(0) == 300 * US


def test_how_long_a_gate_stays_open():
    g = gcl()
    assert g.open_for(7, 50 * US) == 150 * US
    assert g.open_for(7, 250 * US) == 0
    assert g.open_for(0, 200 * US) == 800 * US
    wrap = GateControlList(
        "a", "b", 100, (GateEntry(40, 0x1), GateEntry(30, 0x2), GateEntry(30, 0x1))
    )
    assert wrap.open_for(0, 80) == 60  # 80..100, then the next cycle's first entry 0..40
    always = GateControlList("a", "b", 100, (GateEntry(50, 0xFF), GateEntry(50, 0x01)))
    assert always.open_for(0, 10) > 100 and always.closed_fraction(1) == 0.5


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ((GateEntry(200 * US, 0x80),), "add up to 200 us, not the cycle's 1000 us"),
        ((GateEntry(1000 * US, 0x100),), "outside the eight traffic classes"),
        ((GateEntry(0, 0x1), GateEntry(1000 * US, 0x1)), "non-positive duration"),
        ((), "no entries"),
    ],
)
def test_bad_lists_are_refused_naming_the_port(entries, message):
    with pytest.raises(ScenarioError, match=message) as err:
        GateControlList("sw0", "cloud", 1000 * US, entries)
    assert "sw0 -> cloud" in str(err.value)
