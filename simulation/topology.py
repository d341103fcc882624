"""Factory layouts: turn a profile's [topology] table into nodes and links for N fog nodes.

A layout is a small, tested template; a profile picks one and sets its
parameters (link rates, cable lengths, how many fog nodes share a switch), so
a user describes a new factory by editing numbers, not code. Every layout is a
tree (switched Ethernet without spanning tree must be loop-free), with the
cloud optionally behind a gateway router and a WAN link.

Node names: fog nodes `fog0..fog{N-1}`, the cloud `cloud`, switches as the
layout names them, the optional gateway `gw`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from simulation import units
from simulation.scenario import Link, Node
from simulation.tomlfields import Section


@dataclass(frozen=True)
class LinkSpec:
    """Datarate and propagation delay of one class of link."""

    datarate_bps: int
    delay_ps: int

    def link(self, a: str, b: str) -> Link:
        """A link of this class between `a` and `b`."""
        return Link(a, b, self.datarate_bps, self.delay_ps)


@dataclass(frozen=True)
class Topology:
    """Nodes and links of one layout instance."""

    nodes: tuple[Node, ...]
    links: tuple[Link, ...]


def fog_name(i: int) -> str:
    """Name of the i-th fog node."""
    return f"fog{i}"


def read_link(section: Section, key: str, default: dict[str, str] | None = None) -> LinkSpec:
    """Read `{ datarate = "1Gbps", length = "10m" }` (or `delay = "50ns"` instead of length)."""
    if not section.has(key) and default is not None:
        sub = Section(dict(default), section.field(key), section.file)
    else:
        sub = section.sub(key)
    rate = sub.quantity("datarate", units.parse_rate_bps)
    if sub.has("delay") and sub.has("length"):
        raise sub.error("delay", "give either delay or length, not both")
    if sub.has("delay"):
        delay = sub.time_ps("delay", positive=False)
        if delay < 0:
            raise sub.error("delay", "must not be negative")
    else:
        delay = units.cable_delay_ps(sub.quantity("length", units.parse_length_m, "10m"))
    sub.reject_unknown()
    return LinkSpec(rate, delay)


_GBIT = {"datarate": "1Gbps", "length": "10m"}


def _attach_cloud(
    section: Section, nodes: list[Node], links: list[Link], to: str, cloud_link: LinkSpec
) -> None:
    """Connect the cloud to switch `to`, through a gateway router and WAN link if asked."""
    if section.typed("gateway", bool, False):
        wan = read_link(section, "wan_link", {"datarate": "100Mbps", "delay": "1ms"})
        nodes.append(Node("gw", "gateway"))
        links.append(cloud_link.link(to, "gw"))
        links.append(wan.link("gw", "cloud"))
    else:
        if section.has("wan_link"):
            raise section.error("wan_link", "a WAN link needs gateway = true")
        links.append(cloud_link.link(to, "cloud"))
    nodes.append(Node("cloud", "cloud"))


def star(section: Section, fog_nodes: int) -> Topology:
    """One switch `sw0`; every fog node and the cloud hang off it."""
    fog_link = read_link(section, "fog_link", _GBIT)
    cloud_link = read_link(section, "cloud_link", _GBIT)
    nodes = [Node("sw0", "switch")]
    links: list[Link] = []
    _attach_cloud(section, nodes, links, "sw0", cloud_link)
    for i in range(fog_nodes):
        nodes.append(Node(fog_name(i), "fog"))
        links.append(fog_link.link(fog_name(i), "sw0"))
    return Topology(tuple(nodes), tuple(links))


def line(section: Section, fog_nodes: int) -> Topology:
    """A production line: cell switches `cell0..` daisy-chained, the cloud at the head.

    Fog node i sits in cell i // fog_per_cell, so traffic from the far end of
    the line crosses every trunk link on its way to the cloud.
    """
    per_cell = section.integer("fog_per_cell", 3, minimum=1)
    fog_link = read_link(section, "fog_link", _GBIT)
    trunk = read_link(section, "trunk_link", _GBIT)
    cloud_link = read_link(section, "cloud_link", _GBIT)
    cells = math.ceil(fog_nodes / per_cell)
    nodes = [Node(f"cell{c}", "switch") for c in range(cells)]
    links = [trunk.link(f"cell{c}", f"cell{c + 1}") for c in range(cells - 1)]
    _attach_cloud(section, nodes, links, "cell0", cloud_link)
    for i in range(fog_nodes):
        nodes.append(Node(fog_name(i), "fog"))
        links.append(fog_link.link(fog_name(i), f"cell{i // per_cell}"))
    return Topology(tuple(nodes), tuple(links))


def tree(section: Section, fog_nodes: int) -> Topology:
    """A two-tier plant: access switches `acc0..` under one aggregation switch `agg`.

    Fog node i attaches to access switch i // fog_per_access; the aggregation
    switch reaches the cloud (by default through gateway `gw` and a WAN link).
    """
    per_access = section.integer("fog_per_access", 4, minimum=1)
    fog_link = read_link(section, "fog_link", _GBIT)
    uplink = read_link(section, "uplink", {"datarate": "10Gbps", "length": "100m"})
    cloud_link = read_link(section, "cloud_link", _GBIT)
    accesses = math.ceil(fog_nodes / per_access)
    nodes = [Node("agg", "switch")] + [Node(f"acc{a}", "switch") for a in range(accesses)]
    links = [uplink.link(f"acc{a}", "agg") for a in range(accesses)]
    _attach_cloud(section, nodes, links, "agg", cloud_link)
    for i in range(fog_nodes):
        nodes.append(Node(fog_name(i), "fog"))
        links.append(fog_link.link(fog_name(i), f"acc{i // per_access}"))
    return Topology(tuple(nodes), tuple(links))


LAYOUTS: dict[str, Callable[[Section, int], Topology]] = {
    "star": star,
    "line": line,
    "tree": tree,
}


def build_topology(section: Section, fog_nodes: int) -> Topology:
    """Instantiate the layout named in `section['layout']` for `fog_nodes` fog nodes."""
    layout = section.choice("layout", LAYOUTS)
    section.string("network")  # read by the profile; marked used here for reject_unknown
    topo = LAYOUTS[layout](section, fog_nodes)
    section.reject_unknown()
    return topo
