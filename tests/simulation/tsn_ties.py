# SPDX-License-Identifier: MIT
"""TSN scenarios built to create equal-time events: gates, shapers and queues at one instant.

Like `ties.py`, hosts send on a coarse grid over equal links, so frames meet
at switches at the same picosecond; on top, every flow gets a PCP, ports get
gate control lists whose changes fall on the same grid as arrivals, and some
classes credit-based shapers, so gate changes, shaper timers, serve events
and arrivals share instants. `tsn_tie_scenario(k)` is the k-th such scenario
(deterministic in k); `kind` picks gates, shapers or both (or preemption).
"""

from __future__ import annotations

import dataclasses
import random

from simulation.model.gcl import GateControlList, GateEntry
from simulation.model.scenario import Scenario
from simulation.model.tsn import CreditShaper, TsnSpec, traffic_class
from tests.simulation.ties import tie_scenario

US = 10**6


def _gcl(rng: random.Random, node: str, peer: str, classes: int, rate: int) -> GateControlList:
    """Entries on a 5 us grid, the last one opening every class long enough for any frame."""
    entries = [
        GateEntry(rng.choice([5, 10, 20, 35]) * US, rng.randrange(1, 1 << classes))
        for _ in range(rng.randint(1, 3))
    ]
    longest = (1530 + 4) * 8 * 10**12 // rate  # the largest tagged frame
    last = ((longest // (5 * US)) + rng.randint(1, 3)) * 5 * US
    entries.append(GateEntry(last, (1 << classes) - 1))
    cycle = sum(e.duration_ps for e in entries)
    return GateControlList(node, peer, cycle, tuple(entries), rng.choice([0, 0, 5 * US]))


def tsn_tie_scenario(k: int, kind: str = "gates") -> Scenario:
    """The k-th tie-heavy TSN scenario: `kind` is gates, shapers, both, strict or preemption."""
    rng = random.Random(5000 + k)
    base = tie_scenario(k)
    flows = tuple(dataclasses.replace(f, pcp=rng.randrange(8)) for f in base.flows)
    classes = rng.choice([2, 3, 8]) if kind != "preemption" else 8
    ports = [(lk.a, lk.b) for lk in base.links] + [(lk.b, lk.a) for lk in base.links]
    rates = {(lk.a, lk.b): lk.datarate_bps for lk in base.links}
    rates.update({(lk.b, lk.a): lk.datarate_bps for lk in base.links})
    gates, shapers = [], []
    if kind in ("gates", "both"):
        for node, peer in rng.sample(ports, k=min(len(ports), rng.randint(1, 4))):
            gates.append(_gcl(rng, node, peer, classes, rates[(node, peer)]))
    if kind in ("shapers", "both"):
        used = sorted({traffic_class(f.pcp, classes) for f in flows})
        for node, peer in rng.sample(ports, k=min(len(ports), rng.randint(1, 4))):
            tc = rng.choice(used)
            share = rng.choice([10, 25, 50, 75])
            shapers.append(CreditShaper(node, peer, tc, rates[(node, peer)] * share // 100))
    express = None
    if kind == "preemption":
        express = tuple(sorted(rng.sample(range(8), rng.randint(1, 3))))
    spec = TsnSpec(classes, tuple(gates), tuple(shapers), express)
    return dataclasses.replace(
        base, name=f"tsn-ties-{kind}-{k}", flows=flows, scheduling="tsn", tsn=spec
    )
