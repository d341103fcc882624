# SPDX-License-Identifier: MIT
"""Closed loops' specification: round trips computed by hand (see protocol_spec.py's arithmetic).

A requester and a server on one switch, 1 Gbps, 100 ns of cable, nothing else.
The server answers request n `processing` after request n arrived (all of it),
so a round trip is the request's delivery, the processing, and the reply's
delivery. For a message of several frames sent at once, the first link sends
them back to back (12 B of gap between) and the switch stores and forwards each
(`arrival`).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.model.scenario import Flow, Link, Node, Scenario

NS = 1000
US = 1000 * NS
MS = 1000 * US
CABLE = 100 * NS
GAP = 12 * 8 * NS


def frames_of(udp_payload: int) -> list[int]:
    """Wire bytes of each frame of one UDP datagram (IPv4 fragments of 1480 B at MTU 1500)."""
    ip = udp_payload + 8
    full, rest = divmod(ip, 1480)
    return [1480 + 46] * full + ([rest + 46] if rest else [])  # + IPv4 20, Ethernet 18, PHY 8


def arrival(frames: list[int]) -> int:
    """When the last of `frames`, sent back to back, reaches the far host over two hops.

    Store and forward: a frame leaves the switch when it has arrived whole and the
    switch's outgoing link is free again (its previous frame sent, plus the gap);
    a short frame behind a long one waits there.
    """
    sent = 0  # end of the frame's transmission on the first link
    free = 0  # when the second link can start the next frame
    last = 0
    for i, w in enumerate(frames):
        sent = (sent + GAP if i else 0) + w * 8 * NS
        start = max(sent + CABLE, free)
        last = start + w * 8 * NS + CABLE
        free = start + w * 8 * NS + GAP
    return last


@dataclass(frozen=True)
class LoopCase:
    """A loop scenario and its round trips (ps), one per request in order."""

    scenario: Scenario
    rtts: list[int]


def loop_scenario(request: int, reply: int, processing: int, name: str) -> Scenario:
    """h0 asks h1 every 10 ms (from 1 ms on) for 5 ms of simulated time past the last."""
    nodes = (Node("h0", "host"), Node("h1", "host"), Node("sw0", "switch"))
    links = (Link("h0", "sw0", 10**9, CABLE), Link("h1", "sw0", 10**9, CABLE))
    flows = (
        Flow("ask", "critical", "h0", "h1", 10 * MS, request, 1 * MS, loop_deadline_ps=1 * MS),
        Flow("ask_reply", "critical", "h1", "h0", 10 * MS, reply, 0, trigger="ask",
             processing_ps=processing),
    )  # fmt: skip
    return Scenario(name, "spec", "LoopSpec", "none", 1, 0, nodes, links, flows,
                    duration_ps=30 * MS)  # fmt: skip


def single_frame() -> LoopCase:
    """1,000 B asked, 1,200 B answered after 100 us: three round trips of equal length."""
    rtt = arrival(frames_of(1000)) + 100 * US + arrival(frames_of(1200))
    return LoopCase(loop_scenario(1000, 1200, 100 * US, "loop-single"), [rtt] * 3)


def chunked_request() -> LoopCase:
    """70,000 B asked (two UDP chunks, 49 frames), answered at once: the last frame decides."""
    request = frames_of(65_507) + frames_of(70_000 - 65_507)
    rtt = arrival(request) + arrival(frames_of(1200))
    return LoopCase(loop_scenario(70_000, 1200, 0, "loop-chunked"), [rtt] * 3)


LOOP_CASES = {"loop-single": single_frame, "loop-chunked": chunked_request}
