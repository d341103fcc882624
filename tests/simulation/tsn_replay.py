# SPDX-License-Identifier: MIT
"""Helpers for the gate-schedule synthesis tests: small scenarios, and a replay of a schedule.

The replay runs the protected frames through FIFO queues behind the synthesised
gates, the way INET's time-aware shaper sends them (a frame leaves when the line
is free, the inter-frame gap has passed, and its class's gate is open and stays
open for its whole transmission), without looking at the planned times. It is
independent of the synthesiser's own rules, so it checks that the gate lists
really make the frames leave when the schedule says.
"""

from __future__ import annotations

import heapq

from simulation.model.scenario import Flow, Link, Node, Scenario

US = 10**6
MS = 10**9
GBPS = 10**9
PROP = 50_000  # 10 m of cable


def scenario(nodes, links, flows) -> Scenario:
    return Scenario("t", "t", "Net", "none", 1, 0, tuple(nodes), tuple(links), tuple(flows))


def star(flows, hosts=("a", "b", "c"), rate=GBPS, delay=PROP) -> Scenario:
    nodes = [Node("sw", "switch")] + [Node(h, "host") for h in hosts]
    links = [Link(h, "sw", rate, delay) for h in hosts]
    return scenario(nodes, links, flows)


def crit(name, src, dst, size, period, offset=0, deadline=None) -> Flow:
    return Flow(name, "critical", src, dst, period, size, offset, deadline_ps=deadline)


def replay(schedule, cycles: int = 4) -> dict[tuple[int, int, int, int], int]:
    """Departure of (cycle, message, hop, frame) when `cycles` cycles of releases run through.

    The run starts at time 0 with nothing in flight, as a simulation does. The last cycle
    is left out: it lacks the next cycle's frames that its late messages must let pass.
    """
    problem = schedule.problem
    gcl_of = {(g.node, g.peer): g for g in schedule.gcls}
    q = problem.protected_class
    events = []  # (arrival, tie-break, cycle, message, hop, frame)
    for n in range(cycles):
        for j, m in enumerate(problem.messages):
            rel = m.release_ps + n * problem.cycle_ps
            for i in range(m.frames):
                heapq.heappush(events, (rel, (rel, m.order, i), n, j, 0, i))
    line_free: dict[int, int] = {}
    out: dict[tuple[int, int, int, int], int] = {}
    while events:
        arrival, _, n, j, h, i = heapq.heappop(events)
        m = problem.messages[j]
        port = problem.ports[m.ports[h]]
        gcl = gcl_of[(port.node, port.peer)]
        d = m.tx_ps[h][i]
        t = max(arrival, line_free.get(m.ports[h], 0))
        for _ in range(100_000):
            if gcl.open_for(q, t) >= d:
                break
            t = gcl.next_change(t)
        out[(n, j, h, i)] = t
        line_free[m.ports[h]] = t + d + port.ifg_ps
        if h + 1 < len(m.ports):
            nxt = t + d + port.delay_ps
            heapq.heappush(events, (nxt, (nxt, 0, 0), n, j, h + 1, i))
    return {k: t for k, t in out.items() if k[0] < cycles - 1}
