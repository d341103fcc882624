"""What one engine run measured: per app, per flow, per link direction and per queue.

Each holder records what the matching INET/OMNeT++ statistic records, with
OMNeT++'s warm-up rule: a value emitted before the warm-up ends is ignored.
Messages (the unit of a flow) are counted when they were created at or after
the warm-up, so a flow's sent = delivered + dropped + in flight holds exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulation.apps import App
from simulation.naming import LinkDirection
from simulation.scenario import Flow, Scenario


@dataclass
class SinkStats:
    """What one UdpSink saw after the warm-up: datagrams, bytes, each end-to-end delay."""

    app: App
    received: int = 0
    bytes: int = 0
    delays_ps: list[int] = field(default_factory=list)
    arrival_ps: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)


@dataclass
class SourceStats:
    """What one UdpBasicApp sent after the warm-up."""

    app: App
    sent: int = 0
    bytes: int = 0


@dataclass
class FlowStats:
    """One flow's messages: sent, delivered (every chunk and fragment), dropped, delays.

    A message is dropped when any of its frames is lost to a full queue; the
    rest are in flight at the end (sent - delivered - dropped).
    """

    flow: Flow
    chunks: int
    sent: int = 0
    delivered: int = 0
    dropped: int = 0
    delays_ps: list[int] = field(default_factory=list)
    arrival_ps: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    #: each dropped message: (time, message number, link-direction index, event)
    drops: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: age at the end of every message still in flight then (censored: no delay known)
    censored_ps: list[int] = field(default_factory=list)

    @property
    def in_flight(self) -> int:
        """Messages neither delivered nor dropped when the simulation ended."""
        return self.sent - self.delivered - self.dropped

    @property
    def overdue(self) -> int:
        """Messages in flight at the end that were already older than the deadline."""
        deadline = self.flow.deadline_ps
        if deadline is None:
            return 0
        return sum(1 for age in self.censored_ps if age > deadline)

    @property
    def deadline_misses(self) -> int:
        """Late deliveries, dropped messages, and messages overdue in flight at the end."""
        deadline = self.flow.deadline_ps
        if deadline is None:
            return 0
        return self.dropped + self.overdue + sum(1 for d in self.delays_ps if d > deadline)


@dataclass
class QueueStats:
    """One interface queue (one per priority level with strict priority): overflow drops."""

    node: str
    gate: int
    level: int | None  # None: the interface's single FIFO
    drops: int = 0
    drop_bytes: int = 0
    #: its module below the network, when not the classic `<node>.eth[<gate>].queue[...]`
    module: str | None = None


@dataclass
class PortResult:
    """Per link direction, after the warm-up: frames and wire bytes sent, channel busy time.

    `busy_ps` and `first_ps`/`last_ps` follow OMNeT++'s `timeavg(channelBusy)`:
    averaging starts at the first busy/idle transition at or after the warm-up
    (`first_ps`, None if there was none) and `utilization:last` ends at the
    channel's last transition (`last_ps`).
    """

    direction: LinkDirection
    frames: int
    bytes: int
    busy_ps: int
    first_ps: int | None
    last_ps: int | None

    def timeavg(self, sim_time_ps: int) -> float:
        """`busy:timeavg`: busy time over [first transition, end] (NaN if none)."""
        span = sim_time_ps - self.first_ps if self.first_ps is not None else 0
        return self.busy_ps / span if span > 0 else float("nan")

    def utilization_last(self) -> float:
        """`utilization:last`: busy time over [first, last transition] (NaN if empty)."""
        if self.first_ps is None or self.last_ps is None or self.last_ps <= self.first_ps:
            return float("nan")
        return self.busy_ps / (self.last_ps - self.first_ps)


@dataclass
class EngineResult:
    """Everything one run measured, ready for the result-file writer."""

    scenario: Scenario
    sim_time_ps: int
    warmup_ps: int
    events: int
    wall_seconds: float
    sinks: list[SinkStats]
    sources: list[SourceStats]
    ports: list[PortResult]
    flows: list[FlowStats]
    queues: list[QueueStats]
    #: the round-protocol apps (their recorded vectors), if the scenario has rounds
    apps: list[Any] = field(default_factory=list)
    #: what the run did that no INET reference covers, one line each
    notes: list[str] = field(default_factory=list)

    @property
    def dropped_messages(self) -> int:
        """Messages lost to full queues, over all flows."""
        return sum(f.dropped for f in self.flows)
