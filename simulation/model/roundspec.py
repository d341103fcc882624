# SPDX-License-Identifier: MIT
"""The training's round protocol as the network runs it (`[traffic.ml] pacing = "rounds"`).

Instead of independent periodic flows, each fog node (FN) and the cloud run the
scheme's rounds as real messages in the order the algorithm needs them, with
each message's measured size and each computation's time (its FLOPs, counted
from the model, over the device's speed):

- an FN starts round r when it has round r-1's last download (none for CC)
  and a fresh batch (batch r arrives at r x `batch_period`), computes its
  first steps (`Stage` 0's `fog_before_ps`), and sends stage 0's upload;
- a round's start (the cloud's view, used by the deadline and the watchdog):
  round r starts at max(r x `batch_period`, the moment the cloud closed round
  r-1), i.e. when its batch exists and the previous round is over; round 0
  starts at 0 (`RoundsSpec.round_start_ps`);
- the cloud decides the round's aggregated set from the stage-0 uploads by
  its `policy`: all FNs; the first `quorum` to arrive; or those arrived within
  `round_deadline_ps` of the round's start (at least the first one, never an
  empty set); uploads of a round the cloud already closed are discarded (but
  recorded, so a straggler's lateness shows);
- per stage, once it has the stage's uploads of the aggregated FNs (stage 0:
  the set), the cloud computes (`cloud_fixed_ps + cloud_per_fn_ps * k`) and
  sends the stage's download to the aggregated FNs or to every FN; an FN that
  receives a non-final download computes (`fog_after_ps`) and sends the next
  stage's upload; the last stage's download (to every FN) ends its round;
- the cloud closes a round when it sends the last stage's download (or, with
  no download, when its last computation ends);
- a watchdog ends a run whose protocol cannot go on (a lost message, a link
  too slow): a round the cloud has not closed `stall_timeout_ps` after its
  start, or an FN without its round's last download `stall_timeout_ps` after
  it began the round, records `roundStall` (round x p + FN) and ends the
  simulation; analysis then names the message and where it was lost.

Message sizes and times do not depend on the weights' values, so the network
run alone decides each round's times and aggregated set; training then uses
those sets (see `analysis.run.cosim`). Both backends run this same protocol: the
embedded engine's `simulation.embedded.roundapp` and the OMNeT++ module
`fogcosim.RoundApp` (omnetpp_src/), with equal event order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simulation.model.tcpconfig import TcpConfig

Policy = Literal["all", "quorum", "deadline"]
POLICIES: tuple[str, ...] = ("all", "quorum", "deadline")
#: UDP port of every round-protocol application.
ROUND_PORT = 6000
#: Compute factors are integer parts per million, so both backends scale times exactly alike.
PPM = 1_000_000


@dataclass(frozen=True)
class Stage:
    """One upload -> cloud computation -> download exchange of a round."""

    up_kind: str
    up_bytes: int
    cloud_fixed_ps: int
    cloud_per_fn_ps: int
    #: "" when the stage sends nothing down (CC)
    down_kind: str = ""
    down_bytes: int = 0
    #: True: the download goes to every FN (and ends the round); False: to the aggregated FNs
    down_to_all: bool = True
    #: Per FN: compute time before this stage's upload (after the previous download).
    fog_before_ps: tuple[int, ...] = ()

    def cloud_ps(self, k: int) -> int:
        """The cloud's computation time with k aggregated FNs."""
        return self.cloud_fixed_ps + self.cloud_per_fn_ps * k


@dataclass(frozen=True)
class Training:
    """The training a round protocol runs: model, data, SGD settings, the target accuracy."""

    dataset: str
    model: str
    batch_size: int
    dtype: str
    split: str | None
    local_steps: int
    lr: float
    target_accuracy: float
    #: How the training set is divided among the FNs ("iid" or "dirichlet").
    partition: str = "iid"
    #: The Dirichlet concentration (None for iid).
    dirichlet_alpha: float | None = None
    #: Seed of the training's own draws (model init, data shards, batch order), separate from
    #: the network seed (`Scenario.seed`: offsets, periods). None: a scenario.json written
    #: before the two were separate, whose training used the network seed.
    seed: int | None = None
    #: Rounds trained: the first `rounds` the cloud completes (None: `RoundsSpec.rounds`).
    #: A sweep's run lets the protocol run on through the study's window (`RoundsSpec.rounds`
    #: None) and trains this many of its rounds.
    rounds: int | None = None


@dataclass(frozen=True)
class RoundsSpec:
    """Everything both backends need to run the round protocol."""

    method: str
    cloud: str
    fog_nodes: tuple[str, ...]
    stages: tuple[Stage, ...]
    policy: Policy
    quorum: int
    round_deadline_ps: int | None
    batch_period_ps: int
    #: Stop the simulation when every FN has this many rounds' last downloads (None: run on).
    rounds: int | None = None
    #: FLOP/s of each FN and of the cloud (for reports; the times above come from them).
    fog_flops: tuple[int, ...] = ()
    cloud_flops: int = 0
    #: The mlpayloads record and compute profile these sizes and times come from.
    source: str = ""
    #: Priority level of the protocol's messages (the ml class's).
    priority: int = 1
    #: 802.1Q PCP of the protocol's frames (scheduling "tsn"; the ml class's).
    pcp: int = 0
    #: What training the sizes and times describe (`analysis.run.cosim` trains it).
    training: Training | None = None
    #: The watchdog: a round still open this long after its start ends the run (None: none).
    stall_timeout_ps: int | None = None
    #: "udp": each message a burst of datagrams; "tcp": one connection per FN for the run.
    transport: str = "udp"
    #: The TCP parameters of every FN's connection (transport "tcp").
    tcp: TcpConfig | None = None
    #: Per FN, per round (cycled): its compute times' factor in parts per million (device
    #: speed varying from round to round); empty: every round at the nominal times.
    compute_factors: tuple[tuple[int, ...], ...] = ()
    #: The coefficient of variation the factors were drawn with (0: none).
    speed_variation: float = 0.0

    def fog_compute_ps(self, stage: int, fog: int, rnd: int) -> int:
        """FN `fog`'s compute time before stage `stage`'s upload in round `rnd` (integer ps)."""
        base = self.stages[stage].fog_before_ps[fog]
        if not self.compute_factors:
            return base
        factors = self.compute_factors[fog]
        return base * factors[rnd % len(factors)] // PPM

    def round_start_ps(self, rnd: int, closed_at_ps: int) -> int:
        """Round `rnd`'s start: its batch exists and the cloud closed the previous round.

        `closed_at_ps` is when the cloud closed round `rnd` - 1 (0 for round 0).
        """
        return max(closed_at_ps, rnd * self.batch_period_ps)

    def flow_name(self, stage: int, direction: str, fog: int) -> str:
        """The flow a message belongs to, e.g. `gradient_fog3` (per-flow results)."""
        s = self.stages[stage]
        kind = s.up_kind if direction == "up" else s.down_kind
        return f"{kind}_{self.fog_nodes[fog]}"

    def flows(self) -> list[tuple[str, str, str, str, int]]:
        """(flow, kind, src, dst, bytes) of every message stream of the protocol."""
        out = []
        for i, fog in enumerate(self.fog_nodes):
            for j, s in enumerate(self.stages):
                out.append((self.flow_name(j, "up", i), s.up_kind, fog, self.cloud, s.up_bytes))
                if s.down_kind:
                    out.append(
                        (self.flow_name(j, "down", i), s.down_kind, self.cloud, fog, s.down_bytes)
                    )
        return out
