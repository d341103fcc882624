# SPDX-License-Identifier: MIT
"""Read a profile's [tsn] table into a `TsnSpec`: classes' PCPs, gates, shapers, preemption.

`peer = "*"` gives every port of a node the same gate control list or
shaper, and `node = "*"` (shapers) every node; both are expanded here into
one entry per port, so a Scenario (and what a synthesiser writes) always
lists ports explicitly. Errors name the file and the profile field.
"""

from __future__ import annotations

from simulation.model.gcl import GateControlList, GateEntry
from simulation.model.scenario import TRAFFIC_CLASSES, Link
from simulation.model.scenario_error import ScenarioError
from simulation.model.tsn import CreditShaper, TsnSpec
from simulation.profile.tomlfields import Section

ALL = "*"


def class_pcps(tsn: Section) -> dict[str, int]:
    """PCP of each traffic class ([tsn.pcp], with its defaults)."""
    pcp = tsn.sub("pcp")
    return {cls: pcp.get(cls) for cls in TRAFFIC_CLASSES}


def _neighbours(links: tuple[Link, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for link in links:
        out.setdefault(link.a, []).append(link.b)
        out.setdefault(link.b, []).append(link.a)
    return out


def _ports(
    item: Section, node: str, peer: str, links: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """(node, peer) pairs named by a gates/shapers item, `*` expanded."""
    if node != ALL and node not in links:
        raise item.error("node", f"unknown node {node!r} (allowed: {', '.join(sorted(links))})")
    nodes = sorted(links) if node == ALL else [node]
    out = []
    for n in nodes:
        if peer == ALL:
            out += [(n, p) for p in links[n]]
        elif peer in links[n]:
            out.append((n, peer))
        elif node != ALL:
            raise item.error(
                "peer", f"{n!r} has no port towards {peer!r} (its neighbours: "
                f"{', '.join(links[n])}, or \"*\")",
            )  # fmt: skip
    return out


def build_tsn(tsn: Section, links: tuple[Link, ...]) -> TsnSpec:
    """The TsnSpec of a profile's [tsn] table on a topology's links."""
    neighbours = _neighbours(links)
    gates: list[GateControlList] = []
    origins: list[str] = []
    for item in tsn.tables("gates"):
        entries = []
        for entry in item.tables("entries"):
            mask = 0
            for tc in entry.get("open"):
                mask |= 1 << tc
            entries.append(GateEntry(entry.get("duration"), mask))
        for node, peer in _ports(item, item.get("node"), item.get("peer"), neighbours):
            try:
                gates.append(
                    GateControlList(node, peer, item.get("cycle"), tuple(entries), item.get("base"))
                )
            except ScenarioError as exc:
                raise item.error("entries", str(exc)) from None
            origins.append(item.path)
    rates = {(lk.a, lk.b): lk.datarate_bps for lk in links}
    rates |= {(b, a): rate for (a, b), rate in rates.items()}
    shapers = []
    for item in tsn.tables("shapers"):
        slope = item.get("idle_slope")
        for node, peer in _ports(item, item.get("node"), item.get("peer"), neighbours):
            bps = slope if isinstance(slope, int) else int(rates[(node, peer)] * slope)
            shapers.append(CreditShaper(node, peer, item.get("traffic_class"), bps))
    express = tsn.get("express")
    return TsnSpec(
        traffic_classes=tsn.get("traffic_classes"),
        gates=tuple(gates),
        shapers=tuple(shapers),
        express=None if express is None else tuple(sorted(set(express))),
        origins=tuple(origins),
    )
