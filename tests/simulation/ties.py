# SPDX-License-Identifier: MIT
"""Scenarios built to create equal-time events: the test of the engine's event order.

Hosts send on a coarse time grid with equal sizes over equal links, so frames
reach switches, queues and sinks at the same picosecond from several sides at
once; with fragments, chunks, strict priority and small queues the order in
which OMNeT++ handles them decides delays and drops. `tie_scenario(k)` is the
k-th such scenario (deterministic in k).
"""

from __future__ import annotations

import random

from simulation.model.scenario import Flow, Link, Node, Scenario

US = 10**6


def tie_scenario(k: int) -> Scenario:
    """The k-th tie-heavy scenario: a random switch tree, hosts, flows on a 1 us grid."""
    rng = random.Random(1000 + k)
    switches = rng.randint(1, 3)
    hosts = rng.randint(3, 7)
    rate = rng.choice([10**8, 10**9])
    delay = rng.choice([0, 50_000])
    nodes = [Node(f"s{i}", "switch") for i in range(switches)]
    nodes += [Node("cloud", "cloud")] + [Node(f"h{i}", "fog") for i in range(hosts - 1)]
    links = [Link(f"s{rng.randrange(i)}", f"s{i}", rate, delay) for i in range(1, switches)]
    names = [n.name for n in nodes if n.is_host]
    links += [Link(h, f"s{rng.randrange(switches)}", rate, delay) for h in names]
    period = rng.choice([200, 400]) * US
    flows = []
    for f in range(rng.randint(4, 10)):
        src = rng.choice(names)
        dst = rng.choice(["cloud"] * 3 + [n for n in names if n != src])
        if dst == src:
            dst = next(n for n in names if n != src)
        flows.append(
            Flow(
                f"f{f}", rng.choice(["critical", "ml", "background"]), src, dst, period,
                rng.choice([64, 200, 1472, 1472, 3000, 70_000]), rng.choice([0, 0, 1, 2, 5]) * US,
                priority=rng.choice([0, 1, 2]),
                deadline_ps=rng.choice([None, 100 * US]),
            )
        )  # fmt: skip
    return Scenario(
        f"ties-{k}", "ties", "Ties", "none", hosts - 1, k, tuple(nodes), tuple(links),
        tuple(flows), scheduling=rng.choice(["fifo", "strict-priority"]),
        queue_capacity=rng.choice([None, None, 3, 10]), mtu=rng.choice([576, 1500]),
    )  # fmt: skip
