# SPDX-License-Identifier: MIT
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

from simulation.model import units
from simulation.model.scenario import Link, Node, ScenarioError, check_identifier
from simulation.profile.tomlfields import Section


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


def read_link(section: Section, key: str) -> LinkSpec:
    """Read `{ datarate = "1Gbps", length = "10m" }` (or `delay = "50ns"` instead of length)."""
    sub = section.sub(key)
    rate = sub.get("datarate")
    if sub.has("delay") and sub.has("length"):
        raise sub.error("delay", "give either delay or length, not both")
    if sub.has("delay"):
        delay = sub.get("delay")
    else:
        try:
            delay = units.cable_delay_ps(units.parse_length_m(sub.get("length")))
        except units.QuantityError as exc:
            raise sub.error("length", str(exc)) from None
    return LinkSpec(rate, delay)


def _attach_cloud(
    section: Section, nodes: list[Node], links: list[Link], to: str, cloud_link: LinkSpec
) -> None:
    """Connect the cloud to switch `to`, through a gateway router and WAN link if asked."""
    if section.get("gateway"):
        if not section.has("wan_link"):
            raise section.error(
                "wan_link", "missing: gateway = true needs the WAN link to the cloud, e.g. "
                'wan_link = { datarate = "100Mbps", delay = "2ms" }',
            )  # fmt: skip
        wan = read_link(section, "wan_link")
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
    fog_link = read_link(section, "fog_link")
    cloud_link = read_link(section, "cloud_link")
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
    per_cell = section.get("fog_per_cell")
    fog_link = read_link(section, "fog_link")
    trunk = read_link(section, "trunk_link")
    cloud_link = read_link(section, "cloud_link")
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
    switch reaches the cloud (through gateway `gw` and a WAN link if asked).
    """
    per_access = section.get("fog_per_access")
    fog_link = read_link(section, "fog_link")
    uplink = read_link(section, "uplink")
    cloud_link = read_link(section, "cloud_link")
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
#: Keys that only one layout reads.
LAYOUT_KEYS = {"line": ("fog_per_cell", "trunk_link"), "tree": ("fog_per_access", "uplink")}


def named_hosts(section: Section, topo: Topology) -> Topology:
    """Add the profile's [[topology.hosts]] (PLCs, HMIs, ...) to a layout's nodes and links."""
    nodes, links = list(topo.nodes), list(topo.links)
    names = {n.name for n in nodes}
    switches = [n.name for n in nodes if n.kind == "switch"]
    for host in section.tables("hosts"):
        name = host.get("name")
        try:
            check_identifier(name, "host name")
        except ScenarioError as exc:
            raise host.error("name", str(exc)) from None
        if name in names:
            raise host.error("name", f"{name!r} is already a node of the layout or another host")
        attach = host.get("attach")
        if attach not in switches:
            raise host.error(
                "attach", f"{attach!r} is not a switch of this layout (allowed: "
                f"{', '.join(switches[:12])}{', ...' if len(switches) > 12 else ''})",
            )  # fmt: skip
        host.get("role")
        nodes.append(Node(name, "host"))
        links.append(read_link(host, "link").link(name, attach))
        names.add(name)
    return Topology(tuple(nodes), tuple(links))


def build_topology(section: Section, fog_nodes: int) -> Topology:
    """Instantiate the layout named in `section['layout']` for `fog_nodes` fog nodes."""
    layout = section.get("layout")
    for other, keys in LAYOUT_KEYS.items():
        for key in keys:
            if other != layout and section.has(key):
                raise section.error(key, f"applies to layout {other!r} only (this is {layout!r})")
    return named_hosts(section, LAYOUTS[layout](section, fog_nodes))
