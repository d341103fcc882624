"""Offered load of every link direction, computed from the Scenario before a run.

The load of a direction is the wire time its flows ask for per second: for each
flow crossing it, the Ethernet frames of one message (UDP chunks, IPv4
fragments, headers, preamble and the inter-frame gap) times the message rate,
over the link's rate. Above 1 the queue grows for as long as the traffic lasts:
the run still runs, but it says so on the console, in `run.json` and in the
report, because its delays then depend on how long it was simulated.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from simulation.apps import chunk_sizes
from simulation.embedded.frames import ETH_IFG, datagram_wire_bytes
from simulation.naming import link_directions
from simulation.scenario import Scenario


@dataclass(frozen=True)
class DirectionLoad:
    """One link direction's offered load and the flows that make it."""

    label: str
    datarate_bps: int
    load: float
    flows: tuple[str, ...]


def offered_load(scenario: Scenario) -> list[DirectionLoad]:
    """Every link direction's offered load (fraction of its capacity), in link order."""
    bits: dict[tuple[str, str], float] = {}
    flows: dict[tuple[str, str], list[str]] = {}
    for flow in scenario.flows:
        wire = sum(
            w + ETH_IFG
            for size in chunk_sizes(flow.size_bytes)
            for w in datagram_wire_bytes(size, scenario.mtu)
        )
        rate = wire * 8 * 10**12 / flow.period_ps
        for hop in itertools.pairwise(scenario.path(flow.src, flow.dst)):
            bits[hop] = bits.get(hop, 0.0) + rate
            flows.setdefault(hop, []).append(flow.name)
    out = []
    for d in link_directions(scenario):
        key = (d.src, d.dst)
        out.append(
            DirectionLoad(
                d.label,
                d.link.datarate_bps,
                bits.get(key, 0.0) / d.link.datarate_bps,
                tuple(flows.get(key, ())),
            )
        )
    return out


def overload_warnings(scenario: Scenario) -> list[str]:
    """One line per link direction offered more than its capacity."""
    lines = []
    for d in offered_load(scenario):
        if d.load > 1.0:
            lines.append(
                f"{scenario.name}: link {d.label} is offered {d.load:.0%} of its "
                f"{d.datarate_bps / 1e6:g} Mbps by {len(d.flows)} flows: its queue grows for as "
                "long as the traffic lasts, so delays depend on the simulated time"
            )
    return lines
