# SPDX-License-Identifier: MIT
import math

import pytest

from simulation.model.scenario import Flow, Link, Node, Scenario, ScenarioError
from simulation.profile.traffic import neighbours

MS = 10**9


def make(flows, nodes=None, links=None, **kw):
    nodes = nodes or (
        Node("sw", "switch"),
        Node("cloud", "cloud"),
        Node("a", "fog"),
        Node("b", "fog"),
    )
    links = links or (
        Link("sw", "cloud", 10**9, 50_000),
        Link("a", "sw", 10**9, 50_000),
        Link("b", "sw", 10**9, 50_000),
    )
    return Scenario("t", "t", "Net", "none", 2, 0, tuple(nodes), tuple(links), tuple(flows), **kw)


def flow(name, period_ms, src="a", dst="cloud", size=100, offset=0):
    return Flow(name, "critical", src, dst, period_ms * MS, size, offset)


def test_hyperperiod_is_exact_lcm():
    sc = make([flow("f1", 200), flow("f2", 300), flow("f3", 400), flow("f4", 1000)])
    assert sc.hyperperiod_ps == 6000 * MS
    # periods that are not whole milliseconds stay exact
    sc = make(
        [Flow("x", "ml", "a", "b", 333_333_333_333, 10), Flow("y", "ml", "b", "a", 10**12, 10)],
        max_hyperperiod_ps=10**30,
    )
    assert sc.hyperperiod_ps == math.lcm(333_333_333_333, 10**12)


def test_hyperperiod_limit_is_enforced():
    with pytest.raises(ScenarioError, match=r"hyperperiod .* exceeds the limit"):
        make(
            [flow("f1", 7), flow("f2", 11), flow("f3", 13), flow("f4", 1009)],
            max_hyperperiod_ps=60 * 10**12,
        )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (flow("f", 0), "period must be positive"),
        (flow("f", 100, size=0), "size must be positive"),
        (flow("f", 100, dst="nowhere"), "is not a host"),
        (flow("f", 100, dst="sw"), "is not a host"),
        (flow("f", 100, dst="a"), "sends to itself"),
        (flow("bad name", 100), "not a valid name"),
        (flow('x";', 100), "not a valid name"),
        (flow("f", 100, offset=100 * MS), "outside \\[0, period\\)"),
    ],
)
def test_bad_flows_are_named(bad, message):
    with pytest.raises(ScenarioError, match=message):
        make([bad])


def test_unconnected_hosts_are_refused():
    nodes = (Node("sw", "switch"), Node("cloud", "cloud"), Node("a", "fog"), Node("island", "fog"))
    links = (Link("sw", "cloud", 10**9, 0), Link("a", "sw", 10**9, 0))
    with pytest.raises(ScenarioError, match="host 'island' has no link to any node"):
        make([], nodes=nodes, links=links)
    nodes += (Node("sw2", "switch"),)
    links += (Link("island", "sw2", 10**9, 0),)
    with pytest.raises(ScenarioError, match="not connected"):
        make([flow("f", 100, src="island")], nodes=nodes, links=links)


def test_hosts_between_other_nodes_are_refused():
    """INET hosts do not forward: a host with two links would silently black-hole traffic."""
    nodes = (Node("sw", "switch"), Node("cloud", "cloud"), Node("a", "fog"), Node("b", "fog"))
    links = (Link("sw", "cloud", 10**9, 0), Link("b", "sw", 10**9, 0), Link("a", "b", 10**9, 0))
    with pytest.raises(
        ScenarioError, match=r"host 'b' is linked to 2 nodes \(a, sw\).*put a switch"
    ):
        make([flow("f", 100, src="a")], nodes=nodes, links=links)


def test_loops_and_bad_links_are_refused():
    nodes = (Node("s1", "switch"), Node("s2", "switch"), Node("cloud", "cloud"), Node("a", "fog"))
    loop = (
        Link("s1", "s2", 10**9, 0),
        Link("s2", "cloud", 10**9, 0),
        Link("cloud", "s1", 10**9, 0),
    )
    with pytest.raises(ScenarioError, match="loop"):
        make([], nodes=nodes, links=(*loop, Link("a", "s1", 10**9, 0)))
    with pytest.raises(ScenarioError, match="not an Ethernet rate"):
        make([], links=(Link("sw", "cloud", 123, 0),))
    with pytest.raises(ScenarioError, match="unknown node"):
        make([], links=(Link("sw", "ghost", 10**9, 0),))


def test_reserved_and_duplicate_names():
    with pytest.raises(ScenarioError, match="reserved"):
        make([], nodes=(Node("network", "switch"),), links=())
    with pytest.raises(ScenarioError, match="duplicate node"):
        make([], nodes=(Node("a", "fog"), Node("a", "fog")), links=())


def test_scenario_is_frozen():
    sc = make([flow("f", 100)])
    with pytest.raises(AttributeError):
        sc.seed = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("i", "p", "count", "expected"),
    [
        (0, 4, 2, [1, 3]),
        (3, 4, 2, [0, 2]),
        (0, 2, 2, [1]),  # both ring neighbours are the same node: listed once
        (0, 1, 2, []),
        (0, 3, 2, [1, 2]),
        (5, 18, 2, [6, 4]),
        (0, 10, 4, [1, 9, 2, 8]),
        (0, 4, 10, [1, 3, 2]),  # never more than the other FNs
    ],
)
def test_neighbour_assignment(i, p, count, expected):
    assert neighbours(i, p, count) == expected


def test_neighbours_are_symmetric_on_the_ring():
    p = 18
    for i in range(p):
        for j in neighbours(i, p, 2):
            assert i in neighbours(j, p, 2)


def test_scenario_json_round_trip(tmp_path):
    import json

    from simulation.model.scenario import scenario_from_dict
    from simulation.profile.build import build_scenario, load_profile

    from .conftest import PROFILES

    sc = build_scenario(load_profile(PROFILES / "golden-line.toml"), 4, "cc", 1)
    again = scenario_from_dict(json.loads(json.dumps(sc.to_dict())))
    assert again == sc
    assert again.hyperperiod_ps == sc.hyperperiod_ps
