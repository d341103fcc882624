"""Properties of the embedded engine on random scenarios (hypothesis)."""

import itertools
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.embedded.engine import Engine, Trace
from simulation.embedded.frames import datagram_wire_bytes, ip_fragment_payloads
from simulation.scenario import ETHERNET_RATES_BPS, Flow, Link, Node, Scenario

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


@PROPS
@given(scenarios())
def test_time_never_decreases(sc):
    trace = Trace()
    Engine(sc).run(trace=trace)
    times = trace.event_times
    assert all(a <= b for a, b in itertools.pairwise(times))
    assert not times or times[-1] <= sc.hyperperiod_ps


@PROPS
@given(scenarios())
def test_bytes_delivered_equal_bytes_sent_minus_drops(sc):
    result = Engine(sc).run(drain=True)
    sent = sum(s.bytes for s in result.sources)
    delivered = sum(s.bytes for s in result.sinks)
    assert delivered == sent - result.dropped_bytes
    assert (
        sum(s.received for s in result.sinks)
        == sum(s.sent for s in result.sources) - result.dropped_datagrams
    )
    if sc.queue_capacity is None:
        assert result.dropped_bytes == 0 and all(p.drops == 0 for p in result.ports)


@PROPS
@given(scenarios())
def test_fifo_order_within_a_class_on_every_link(sc):
    trace = Trace()
    Engine(sc).run(drain=True, trace=trace)
    for port, queued in trace.queued.items():
        sent = trace.sent.get(port, [])
        by_level_q, by_level_s = defaultdict(list), defaultdict(list)
        for level, dgram in queued:
            by_level_q[level].append(dgram)
        for level, dgram in sent:
            by_level_s[level].append(dgram)
        for level, order in by_level_s.items():
            # what was sent is the queued sequence with dropped frames removed, in order
            it = iter(by_level_q[level])
            assert all(any(d == q for q in it) for d in order)


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
