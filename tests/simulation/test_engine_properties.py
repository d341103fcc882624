# SPDX-License-Identifier: MIT
"""Properties of the embedded engine on random scenarios (hypothesis)."""

import itertools
from collections import defaultdict
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.embedded.engine import Engine, Trace
from simulation.embedded.frames import datagram_wire_bytes, ip_fragment_payloads
from simulation.model.apps import chunk_sizes
from simulation.model.scenario import ETHERNET_RATES_BPS, Flow, Link, Node, Scenario
from simulation.model.tsn import VLAN_TAG, CreditShaper, TsnSpec

MS = 10**9
RATES = [r for r in ETHERNET_RATES_BPS if r <= 10**10]


@st.composite
def scenarios(draw):
    """A random tree of switches with hosts hanging off it, and random periodic flows."""
    n_switches = draw(st.integers(1, 4))
    n_hosts = draw(st.integers(2, 6))
    nodes = [Node(f"s{i}", "switch") for i in range(n_switches)]
    nodes += [Node("cloud", "cloud")] + [Node(f"h{i}", "fog") for i in range(n_hosts - 1)]
    links = []
    for i in range(1, n_switches):
        parent = draw(st.integers(0, i - 1))
        links.append(
            Link(f"s{parent}", f"s{i}", draw(st.sampled_from(RATES)), draw(st.integers(0, 10**6)))
        )
    hosts = [n.name for n in nodes if n.is_host]
    for h in hosts:
        sw = draw(st.integers(0, n_switches - 1))
        links.append(Link(h, f"s{sw}", draw(st.sampled_from(RATES)), draw(st.integers(0, 10**6))))
    flows = []
    for k in range(draw(st.integers(1, 8))):
        src, dst = draw(st.lists(st.sampled_from(hosts), min_size=2, max_size=2, unique=True))
        period = draw(st.sampled_from([10, 20, 25, 50])) * MS
        flows.append(
            Flow(
                f"f{k}",
                draw(st.sampled_from(["critical", "ml", "background"])),
                src,
                dst,
                period,
                draw(st.integers(1, 200_000)),
                draw(st.integers(0, period // 1000 - 1)) * 1000,
                priority=draw(st.integers(0, 2)),
            )
        )
    return Scenario(
        "prop", "prop", "Prop", "none", n_hosts - 1, 0, tuple(nodes), tuple(links), tuple(flows),
        scheduling=draw(st.sampled_from(["fifo", "strict-priority"])),
        queue_capacity=draw(st.sampled_from([None, None, 5, 50])),
    )  # fmt: skip


PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tsn_scenarios(draw):
    """A random scenario under 802.1Q: PCPs per flow, and shapers or preemption (no gates:
    a drained run would never end)."""
    sc = draw(scenarios())
    flows = tuple(replace(f, pcp=draw(st.integers(0, 7))) for f in sc.flows)
    kind = draw(st.sampled_from(["strict", "shapers", "preemption"]))
    classes = draw(st.sampled_from([1, 3, 8]))
    shapers: list[CreditShaper] = []
    if kind == "shapers":
        for lk in sc.links:
            for node, peer in ((lk.a, lk.b), (lk.b, lk.a)):
                if draw(st.booleans()):
                    share = draw(st.sampled_from([10, 50, 90]))
                    tc = draw(st.integers(0, classes - 1))
                    shapers.append(CreditShaper(node, peer, tc, lk.datarate_bps * share // 100))
    express = tuple(sorted(draw(st.sets(st.integers(0, 7), max_size=3))))
    spec = TsnSpec(classes, (), tuple(shapers), express if kind == "preemption" else None)
    return replace(sc, flows=flows, scheduling="tsn", tsn=spec)


@PROPS
@given(st.one_of(scenarios(), tsn_scenarios()))
def test_every_message_is_delivered_dropped_or_in_flight(sc):
    """Drained, nothing is left in flight; without a queue bound nothing is dropped."""
    result = Engine(sc).run(drain=True)
    for flow in result.flows:
        assert flow.in_flight == 0, flow.flow.name
        assert flow.sent == flow.delivered + flow.dropped
        if sc.queue_capacity is None:
            assert flow.dropped == 0 and flow.delivered == flow.sent
    queue_drops = sum(q.drops for q in result.queues)
    assert (queue_drops == 0) == (result.dropped_messages == 0)
    assert queue_drops >= result.dropped_messages  # a lost message lost at least one frame
    # datagrams: every one a source sent reached its sink unless one of its frames was dropped
    sent = sum(s.sent for s in result.sources)
    received = sum(s.received for s in result.sinks)
    assert received <= sent
    if sc.queue_capacity is None:
        assert received == sent


@PROPS
@given(st.one_of(scenarios(), tsn_scenarios()))
def test_fifo_order_within_a_level_on_every_link(sc):
    """Frames leave a port's queue level in the order they entered it (checked at the far end)."""
    trace = Trace()
    Engine(sc).run(drain=True, trace=trace)
    for port, entered in trace.entered.items():
        arrived = trace.arrived.get(port, [])
        by_level_in, by_level_out = defaultdict(list), defaultdict(list)
        for level, dgram in entered:
            by_level_in[level].append(dgram)
        for level, dgram in arrived:
            by_level_out[level].append(dgram)
        for level, order in by_level_out.items():
            # what arrived is what entered, with dropped frames removed, in the same order
            it = iter(by_level_in[level])
            assert all(any(d == q for q in it) for d in order), (port, level)
        if sc.queue_capacity is None:
            assert sorted(len(v) for v in by_level_out.values()) == sorted(
                len(v) for v in by_level_in.values()
            )


def _uncontended_delay(sc, flow):
    """Store-and-forward pipeline of one message's frames on an idle path, computed by hand."""
    tag = VLAN_TAG if sc.tsn is not None else 0
    wires = [
        w + tag for size in chunk_sizes(flow.size_bytes) for w in datagram_wire_bytes(size, sc.mtu)
    ]
    nodes = sc.path(flow.src, flow.dst)
    links = {frozenset((lk.a, lk.b)): lk for lk in sc.links}
    ready = [0] * len(wires)  # when each frame is at the current node, ready to be sent
    for a, b in itertools.pairwise(nodes):
        lk = links[frozenset((a, b))]
        per_byte = 8 * 10**12 // lk.datarate_bps
        free = 0
        for i, w in enumerate(wires):
            start = max(ready[i], free)
            end = start + w * per_byte
            free = end + 12 * per_byte
            ready[i] = end + lk.delay_ps
    return ready[-1]


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(scenarios(), tsn_scenarios().filter(lambda sc: not sc.tsn.shapers)),
    st.integers(0, 7),
    st.sampled_from([576, 1000, 1500]),
)
def test_a_lone_message_takes_the_uncontended_pipeline_time(sc, pick, mtu):
    """With one flow on the network, every message's delay is the hand-computed pipeline time."""
    flow = replace(sc.flows[pick % len(sc.flows)], offset_ps=0, period_ps=10**13)  # 10 s apart
    alone = replace(sc, flows=(flow,), mtu=mtu, queue_capacity=None)
    result = Engine(alone).run(drain=True)
    (stats,) = result.flows
    assert stats.delivered == stats.sent >= 1
    assert set(stats.delays_ps) == {_uncontended_delay(alone, flow)}


@PROPS
@given(scenarios())
def test_same_scenario_same_results(sc):
    a, b = Engine(sc).run(), Engine(sc).run()
    assert [(s.received, s.delays_ps) for s in a.sinks] == [
        (s.received, s.delays_ps) for s in b.sinks
    ]
    assert [(p.bytes, p.busy_ps) for p in a.ports] == [(p.bytes, p.busy_ps) for p in b.ports]


def test_one_frame_timing_by_hand():
    """1400 B over two 1 Gbps hops: 2 x (1454 B x 8 ns) + 2 x 50 ns = 23.364 us (INET gives the same)."""
    nodes = (Node("sw", "switch"), Node("cloud", "cloud"), Node("a", "fog"))
    links = (Link("sw", "cloud", 10**9, 50_000), Link("a", "sw", 10**9, 50_000))
    flows = (Flow("f", "critical", "a", "cloud", 400 * MS, 1400, 1000),)
    result = Engine(Scenario("t", "t", "T", "none", 1, 0, nodes, links, flows)).run()
    sink = next(s for s in result.sinks if s.received)
    assert sink.delays_ps == [23_364_000]


def test_fragmentation_matches_inet():
    assert ip_fragment_payloads(1400, 1500) == [1408]
    assert ip_fragment_payloads(5000, 1500) == [1480, 1480, 1480, 568]
    assert datagram_wire_bytes(5000, 1500) == [1526, 1526, 1526, 614]
    assert datagram_wire_bytes(1, 1500) == [72]  # padded to the 64-byte minimum frame + preamble
