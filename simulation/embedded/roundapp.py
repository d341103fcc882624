# SPDX-License-Identifier: MIT
"""The round protocol's applications in the embedded engine (see `simulation.model.roundspec`).

Line for line the state machine of the OMNeT++ module `fogcosim.RoundApp`
(omnetpp_src/fogcosim/RoundApp.cc): the same decisions in the same order,
the same timers, the same vectors. The engine calls `on_message` when every
chunk of a message reached the app (at the depth INET's receive chain has)
and `on_timer` for the app's own timers; the apps call back `Host` to send,
schedule and record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from simulation.model.roundspec import RoundsSpec

UP, DOWN = "up", "down"
#: Timer tags.
START, FOG_DONE, CLOUD_DONE, DEADLINE, STALL = (
    "start", "fog_done", "cloud_done", "deadline", "stall"
)  # fmt: skip


class Host(Protocol):
    """What the engine offers an app: send, time, timers, vectors, the end."""

    def send(self, app: RoundApp, dst: str, stage: int, direction: str, fog: int, rnd: int) -> None:
        """Send one protocol message (all its chunks) now."""

    def schedule(self, app: RoundApp, at: int, tag: str, data: int = 0) -> None:
        """Run `app.on_timer(tag, data)` at time `at`."""

    def record(self, app: RoundApp, vector: str, value: float) -> None:
        """Record `value` now in the app's vector `vector`."""

    def end(self) -> None:
        """End the simulation after the current event (OMNeT++'s endSimulation())."""

    def now(self) -> int:
        """The current simulation time in ps."""


@dataclass
class RoundApp:
    """Common part of the FN and cloud apps."""

    spec: RoundsSpec
    host_name: str
    module: str
    host: Host | None = None
    #: recorded vectors: name -> (times ps, values, event positions)
    vectors: dict[str, tuple[list[int], list[float], list[int]]] = field(default_factory=dict)

    def initialize(self, host: Host) -> None:
        """Bind the app to the engine and start it (OMNeT++: initialize / start operation)."""
        self.host = host

    def on_message(self, stage: int, direction: str, fog: int, rnd: int) -> None:
        """Every chunk of a message for this app arrived."""
        raise NotImplementedError

    def on_timer(self, tag: str, data: int) -> None:
        """A timer of this app fired."""
        raise NotImplementedError

    def connection_failed(self, fog: int, rnd: int) -> None:
        """TCP gave up on FN `fog`'s connection: the protocol cannot go on; record and end."""
        assert self.host is not None
        p = len(self.spec.fog_nodes)
        self.host.record(self, "roundStall:vector", rnd * p + fog)
        self.host.end()


@dataclass
class FogApp(RoundApp):
    """A fog node: starts rounds, computes, uploads, receives downloads."""

    index: int = 0
    round: int = 0
    cloud_app: CloudApp | None = None
    #: the stage whose computation is under way (None: none), and its timer's serial number
    computing: int | None = None
    serial: int = 0

    def initialize(self, host: Host) -> None:  # noqa: D102
        super().initialize(host)
        # like INET's UdpBasicApp: the first round starts in an event of its own
        host.schedule(self, 0, START, 0)

    def _start_round(self) -> None:
        assert self.host is not None
        rounds = self.spec.rounds
        if rounds is not None and self.round >= rounds:
            return
        batch_at = self.round * self.spec.batch_period_ps
        now = self.host.now()
        if batch_at > now:
            self.host.schedule(self, batch_at, START, self.round)
            return
        self._begin()

    def _begin(self) -> None:
        assert self.host is not None
        self.host.record(self, "roundStart:vector", self.round)
        stall = self.spec.stall_timeout_ps
        if stall is not None and self.spec.stages[-1].down_kind:
            # the watchdog: this round's last download must come within stall_timeout
            self.host.schedule(self, self.host.now() + stall, STALL, self.round)
        self._compute_then_send(0)

    def _compute_then_send(self, stage: int) -> None:
        assert self.host is not None
        duration = self.spec.fog_compute_ps(stage, self.index, self.round)
        if duration > 0:
            self.computing = stage
            self.serial += 1
            self.host.schedule(self, self.host.now() + duration, FOG_DONE, self.serial)
        else:
            self._send_up(stage)

    def _send_up(self, stage: int) -> None:
        assert self.host is not None
        self.host.send(self, self.spec.cloud, stage, UP, self.index, self.round)
        if not self.spec.stages[-1].down_kind and stage == len(self.spec.stages) - 1:
            self._round_done()  # nothing comes down (CC): the next batch starts the next round

    def on_timer(self, tag: str, data: int) -> None:
        """A timer of this app fired."""
        assert self.host is not None
        if tag == START:
            self._begin()
        elif tag == STALL:
            if data == self.round:  # the round's last download never came
                p = len(self.spec.fog_nodes)
                self.host.record(self, "roundStall:vector", self.round * p + self.index)
                self.host.end()
        elif tag == FOG_DONE:
            if self.computing is None or data != self.serial:
                return  # cancelled (OMNeT++ cancels the timer itself)
            stage, self.computing = self.computing, None
            duration = self.spec.fog_compute_ps(stage, self.index, self.round)
            self.host.record(self, "roundFogCompute:vector", duration * 1e-12)
            self._send_up(stage)

    def on_message(self, stage: int, direction: str, fog: int, rnd: int) -> None:
        """Every chunk of a download arrived."""
        assert self.host is not None
        if rnd != self.round or direction != DOWN:
            return
        if stage == len(self.spec.stages) - 1:
            # the cloud closed the round: a computation still under way is stale, drop it
            self.computing = None
            self.host.record(self, "roundDownload:vector", self.round)
            self._round_done()
        else:
            self._compute_then_send(stage + 1)

    def _round_done(self) -> None:
        self.round += 1
        rounds = self.spec.rounds
        if rounds is not None and self.round >= rounds and self.spec.stages[-1].down_kind:
            assert self.cloud_app is not None
            self.cloud_app.fog_finished()
            return
        self._start_round()


@dataclass
class CloudApp(RoundApp):
    """The cloud: decides each round's aggregated set, computes, sends downloads."""

    round: int = 0
    stage: int = 0
    round_start: int = 0
    #: per round: stage-0 uploads in arrival order (fog indices)
    arrivals: dict[int, list[int]] = field(default_factory=dict)
    #: per stage > 0 of the current round: fog indices whose upload arrived
    stage_arrivals: set[int] = field(default_factory=set)
    aggregated: tuple[int, ...] | None = None
    computing: bool = False
    deadline_passed: bool = False
    finished_fogs: int = 0

    def initialize(self, host: Host) -> None:  # noqa: D102
        super().initialize(host)
        self._open_round(host.now())

    def _open_round(self, now: int) -> None:
        """Open the next round; its deadline and watchdog run from the round's start."""
        assert self.host is not None
        self.round_start = self.spec.round_start_ps(self.round, now)
        self.stage = 0
        self.aggregated = None
        self.deadline_passed = False
        self.stage_arrivals = set()
        if not self._rounds_over():
            if self.spec.policy == "deadline":
                assert self.spec.round_deadline_ps is not None
                at = self.round_start + self.spec.round_deadline_ps
                self.host.schedule(self, at, DEADLINE, self.round)
            if self.spec.stall_timeout_ps is not None:
                at = self.round_start + self.spec.stall_timeout_ps
                self.host.schedule(self, at, STALL, self.round)
        self._try_decide()

    def _rounds_over(self) -> bool:
        return self.spec.rounds is not None and self.round >= self.spec.rounds

    def on_message(self, stage: int, direction: str, fog: int, rnd: int) -> None:
        """Every chunk of an upload arrived."""
        assert self.host is not None
        if direction != UP:
            return
        if stage == 0:  # recorded for late uploads too: rounds.csv says how late stragglers were
            self.host.record(self, "roundUpload:vector", rnd * len(self.spec.fog_nodes) + fog)
        if rnd < self.round:
            return  # a straggler's upload of a round already closed
        if stage == 0:
            self.arrivals.setdefault(rnd, []).append(fog)
            if rnd == self.round:
                self._try_decide()
        elif (
            rnd == self.round
            and stage == self.stage
            and self.aggregated is not None
            and fog in self.aggregated
        ):
            self.stage_arrivals.add(fog)
            if len(self.stage_arrivals) == len(self.aggregated):
                self._compute(stage)

    def on_timer(self, tag: str, data: int) -> None:
        """A timer of this app fired."""
        if tag == STALL:
            if data == self.round and not self._rounds_over():
                self._stalled()
        elif tag == DEADLINE:
            if data == self.round and self.aggregated is None:
                self.deadline_passed = True
                self._try_decide()
        elif tag == CLOUD_DONE:
            self._cloud_done(data)

    def _try_decide(self) -> None:
        if self.aggregated is not None or self.computing or self._rounds_over():
            return
        arrived = self.arrivals.get(self.round, [])
        p = len(self.spec.fog_nodes)
        policy = self.spec.policy
        if policy == "all":
            ready = len(arrived) == p
            chosen = arrived
        elif policy == "quorum":
            ready = len(arrived) >= self.spec.quorum
            chosen = arrived[: self.spec.quorum]
        else:  # deadline: what arrived by the deadline, or the first arrival after it
            ready = len(arrived) == p or (self.deadline_passed and len(arrived) > 0)
            chosen = arrived
        if not ready:
            return
        assert self.host is not None
        self.aggregated = tuple(sorted(chosen))
        for fog in self.aggregated:
            self.host.record(self, "roundAggregated:vector", self.round * p + fog)
        self._compute(0)

    def _compute(self, stage: int) -> None:
        assert self.host is not None and self.aggregated is not None
        self.stage = stage
        self.computing = True
        duration = self.spec.stages[stage].cloud_ps(len(self.aggregated))
        self.host.schedule(self, self.host.now() + duration, CLOUD_DONE, stage)

    def _cloud_done(self, stage: int) -> None:
        assert self.host is not None and self.aggregated is not None
        self.computing = False
        s = self.spec.stages[stage]
        duration = s.cloud_ps(len(self.aggregated))
        self.host.record(self, "roundCloudCompute:vector", duration * 1e-12)
        last = stage == len(self.spec.stages) - 1
        if last:
            self.host.record(self, "roundDone:vector", self.round)
        if s.down_kind:
            targets = range(len(self.spec.fog_nodes)) if s.down_to_all else self.aggregated
            for fog in targets:
                self.host.send(self, self.spec.fog_nodes[fog], stage, DOWN, fog, self.round)
        if not last:
            self.stage = stage + 1
            self.stage_arrivals = set()
            return
        self.arrivals.pop(self.round, None)
        self.round += 1
        if self._rounds_over() and not s.down_kind:
            self.host.end()  # CC: the last round's training is the end
            return
        self._open_round(self.host.now())

    def _stalled(self) -> None:
        """The round did not close within stall_timeout: record whom it waits for, and end."""
        assert self.host is not None
        p = len(self.spec.fog_nodes)
        if self.aggregated is None:  # waiting for stage-0 uploads
            waiting = [f for f in range(p) if f not in self.arrivals.get(self.round, [])]
        else:  # waiting for a later stage's uploads of the aggregated fog nodes
            waiting = [f for f in self.aggregated if f not in self.stage_arrivals]
        for fog in waiting or range(p):
            self.host.record(self, "roundStall:vector", self.round * p + fog)
        self.host.end()

    def fog_finished(self) -> None:
        """An FN has every round's last download (a direct call, as in OMNeT++)."""
        assert self.host is not None
        self.finished_fogs += 1
        if self.finished_fogs == len(self.spec.fog_nodes):
            self.host.end()
