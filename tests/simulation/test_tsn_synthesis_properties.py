# SPDX-License-Identifier: MIT
"""Properties of synthesised gate schedules on random small networks and flow sets.

Each property is checked from the schedule's frame times and gate lists directly,
not through the synthesiser's own rule checker.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from simulation.model.scenario import Link, Node, ScenarioError
from simulation.tsn_synthesis.problem import build_problem
from simulation.tsn_synthesis.schedule import synthesise
from tests.simulation.tsn_replay import GBPS, PROP, US, crit, replay, scenario

RATES = (100 * 10**6, GBPS)
PERIODS = (250 * US, 500 * US, 1000 * US)


@st.composite
def networks(draw):
    """A line of one to three switches with hosts on them, and protected flows between hosts."""
    switches = [f"s{i}" for i in range(draw(st.integers(1, 3)))]
    hosts = [f"h{i}" for i in range(draw(st.integers(2, 5)))]
    nodes = [Node(s, "switch") for s in switches] + [Node(h, "host") for h in hosts]
    links = [
        Link(a, b, draw(st.sampled_from(RATES)), draw(st.sampled_from((PROP, 1000 * 1000))))
        for a, b in itertools.pairwise(switches)
    ]
    for h in hosts:
        links.append(Link(h, draw(st.sampled_from(switches)), draw(st.sampled_from(RATES)), PROP))
    flows = []
    for i in range(draw(st.integers(1, 6))):
        src, dst = draw(st.permutations(hosts))[:2]
        period = draw(st.sampled_from(PERIODS))
        flows.append(
            crit(
                f"f{i}", src, dst, draw(st.integers(1, 4000)), period,
                offset=draw(st.integers(0, period - 1)),
                deadline=draw(st.sampled_from((None, 200 * US, 100 * US))),
            )
        )  # fmt: skip
    guard = draw(st.sampled_from(("explicit", "implicit")))
    return scenario(nodes, links, flows), guard


def schedules(sc, guard):
    try:
        problem = build_problem(sc, guard_band=guard)
    except ScenarioError:
        assume(False)
    out = {}
    for method in ("greedy", "optimal"):
        try:
            out[method] = synthesise(problem, method, time_limit_s=5, workers=1)
        except ScenarioError as exc:
            assert "\n" not in str(exc)
            event(f"{method} found no schedule")
    assume(out)
    return problem, out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(networks())
def test_synthesised_schedules_keep_their_promises(net):
    sc, guard = net
    problem, found = schedules(sc, guard)
    cycle = problem.cycle_ps
    for schedule in found.values():
        windows: dict[int, list[tuple[int, int]]] = {}
        for m, st_m in zip(problem.messages, schedule.starts, strict=True):
            for h, pi in enumerate(m.ports):
                port = problem.ports[pi]
                for i, s in enumerate(st_m[h]):
                    d = m.tx_ps[h][i]
                    # store and forward: in full at this hop before it leaves
                    if h:
                        prev = problem.ports[m.ports[h - 1]]
                        assert s >= st_m[h - 1][i] + m.tx_ps[h - 1][i] + prev.delay_ps
                    else:
                        assert s >= m.release_ps
                    if i:  # a message's frames in order, a gap apart
                        assert s >= st_m[h][i - 1] + m.tx_ps[h][i - 1] + port.ifg_ps
                    windows.setdefault(pi, []).append((s % cycle, d + port.ifg_ps))
            delivery = st_m[-1][-1] + m.tx_ps[-1][-1] + problem.ports[m.ports[-1]].delay_ps
            assert delivery - m.release_ps <= schedule.latency_bound_ps[m.flow] <= m.deadline_ps
        # windows (with their gaps) on one port never overlap, across the cycle's end too
        for spans in windows.values():
            spans.sort()
            for (s0, l0), (s1, _) in zip(
                spans, [*spans[1:], (spans[0][0] + cycle, 0)], strict=True
            ):
                assert s0 + l0 <= s1
        gcl_of = {(g.node, g.peer): g for g in schedule.gcls}
        bit = 1 << problem.protected_class
        for g in schedule.gcls:
            assert sum(e.duration_ps for e in g.entries) == g.cycle_ps == cycle
            assert all(a.open_mask != b.open_mask for a, b in itertools.pairwise(g.entries))
        for m, st_m in zip(problem.messages, schedule.starts, strict=True):
            for h, pi in enumerate(m.ports):
                port = problem.ports[pi]
                g = gcl_of[(port.node, port.peer)]
                for i, s in enumerate(st_m[h]):
                    assert g.open_for(problem.protected_class, s) >= m.tx_ps[h][i]
                    # no other class may start in the guard band or the window
                    for t in (s - port.guard_ps, s - 1, s + m.tx_ps[h][i] - 1):
                        assert g.state(t) & ~bit & 0xFF == 0
        # and FIFO queues behind these gates send every frame exactly as planned
        for (n, j, h, i), t in replay(schedule).items():
            assert t == schedule.starts[j][h][i] + n * cycle
    if len(found) == 2:
        assert found["optimal"].worst_ps <= found["greedy"].worst_ps
        if found["optimal"].worst_ps < found["greedy"].worst_ps:
            event("optimal beats greedy")
    alone = {m.flow: problem.alone_latency_ps(m) for m in problem.messages}
    for schedule in found.values():
        assert all(schedule.latency_bound_ps[f] >= alone[f] for f in alone)
        if any(schedule.latency_bound_ps[f] > alone[f] for f in alone):
            event(f"{schedule.method}: frames wait for each other")
