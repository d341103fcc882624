# SPDX-License-Identifier: MIT
"""The round protocol's specification: small scenarios whose timelines are computed by hand.

Neither backend is the reference here. Each case builds a tiny star (fog nodes
and the cloud on one switch, 1 Gbps, 100 ns of cable) with single-frame
messages, and states the protocol's timeline (every round vector's samples)
from the arithmetic below, written out per case. `test_round_protocol_spec.py`
checks the embedded engine against it, and the committed real OMNeT++ runs of
the same cases (`tests/fixtures/omnetpp/<pair>/spec-*`) against it too, so a
defect both implementations share (as the deadline timer once was) fails.

Arithmetic (INET's framing, docs/backends.md): a UDP payload of S bytes
travels as one frame of S + 8 (UDP) + 20 (IPv4) + 14 (Ethernet) + 4 (FCS)
bytes plus 8 of preamble on the wire: S + 54 bytes at 8 ns each. A hop takes
that time plus the 100 ns of cable, and the switch stores and forwards, so an
idle two-hop path takes 2 x ((S + 54) x 8 + 100) ns. Frames back to back on
one link are 12 bytes (96 ns) of inter-frame gap apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulation.model.roundspec import RoundsSpec, Stage
from simulation.model.scenario import Link, Node, Scenario

NS = 1000  # ps
US = 1000 * NS
MS = 1000 * US
CABLE = 100 * NS
GAP = 12 * 8 * NS
UP, DOWN = 1000, 1200  # bytes of an upload and a download
ACT, AGRAD = 800, 600  # FCDDT's activations up, activation gradients down


def hop(size: int) -> int:
    """One hop of a single-frame message: its wire time plus the cable."""
    return (size + 54) * 8 * NS + CABLE


def wire(size: int) -> int:
    """Wire time of the frame of a message of `size` bytes (no cable)."""
    return (size + 54) * 8 * NS


def path(size: int) -> int:
    """An idle two-hop path (host -> switch -> host), store and forward."""
    return 2 * hop(size)


def broadcast(size: int, k: int) -> int:
    """When the k-th (0-based) of several downloads sent at once reaches its fog node.

    The cloud's link sends them one after another, a gap apart; each then
    crosses the switch to its own (idle) fog link.
    """
    return k * (wire(size) + GAP) + path(size)


#: One FN's round split (docs/rounds.md), ps: fog compute, network up, waiting (None: the FN
#: was not aggregated), cloud compute, network down.
Split = tuple[int, int, int | None, int, int]


@dataclass(frozen=True)
class SpecCase:
    """A scenario and the round vectors its protocol must record: (host, vector) -> samples."""

    scenario: Scenario
    expected: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)
    #: when the simulation ends (the last event), ps
    end_ps: int = 0
    #: (round, fog node) -> where its round went, as rounds.csv's split columns must say
    split: dict[tuple[int, int], Split] = field(default_factory=dict)


def star(
    fogs: int,
    stages: tuple[Stage, ...],
    *,
    policy: str = "all",
    quorum: int | None = None,
    deadline: int | None = None,
    batch: int = 10 * MS,
    rounds: int = 2,
    method: str = "fl",
    queue_capacity: int | None = None,
    stall: int | None = None,
) -> Scenario:
    """Fog nodes and the cloud on one switch; no other traffic."""
    names = tuple(f"fog{i}" for i in range(fogs))
    nodes = (*(Node(n, "fog") for n in names), Node("cloud", "cloud"), Node("sw0", "switch"))
    links = tuple(Link(n, "sw0", 10**9, CABLE) for n in (*names, "cloud"))
    spec = RoundsSpec(
        method=method,
        cloud="cloud",
        fog_nodes=names,
        stages=stages,
        policy=policy,  # type: ignore[arg-type]
        quorum=fogs if quorum is None else quorum,
        round_deadline_ps=deadline,
        batch_period_ps=batch,
        rounds=rounds,
        stall_timeout_ps=stall,
    )
    return Scenario(
        name=f"spec-{method}-{policy}",
        profile="spec",
        network="Spec",
        method=method,
        fog_nodes=fogs,
        seed=0,
        nodes=nodes,
        links=links,
        flows=(),
        queue_capacity=queue_capacity,
        duration_ps=1000 * MS,
        rounds=spec,
    )


def fl_stage(fog_compute: tuple[int, ...]) -> Stage:
    """FL: gradient up after local compute; 200 us + 50 us per FN at the cloud; weights to all."""
    return Stage("gradient", UP, 200 * US, 50 * US, "weights", DOWN, True, fog_compute)


def fl_all() -> SpecCase:
    """FL, policy all, 2 FNs (1 ms and 2 ms of compute), batches every 10 ms, 2 rounds."""
    sc = star(2, (fl_stage((1 * MS, 2 * MS)),))
    cloud = 300 * US  # 200 + 2 x 50
    exp: dict[tuple[str, str], list[tuple[int, int]]] = {}
    split: dict[tuple[int, int], Split] = {}
    for r in range(2):
        t0 = r * 10 * MS  # both start with their batch (the previous round is long over)
        up = [t0 + 1 * MS + path(UP), t0 + 2 * MS + path(UP)]
        decided = up[1]  # the second upload completes the set
        done = decided + cloud
        for f in range(2):
            exp.setdefault((f"fog{f}", "roundStart"), []).append((t0, r))
            exp.setdefault((f"fog{f}", "roundDownload"), []).append((done + broadcast(DOWN, f), r))
            exp.setdefault(("cloud", "roundUpload"), []).append((up[f], 2 * r + f))
            exp.setdefault(("cloud", "roundAggregated"), []).append((decided, 2 * r + f))
        exp.setdefault(("cloud", "roundDone"), []).append((done, r))
        # fog0 computes 1 ms and waits 1 ms for fog1, which computes 2 ms and waits for nobody
        split[(r, 0)] = (1 * MS, path(UP), 1 * MS, cloud, broadcast(DOWN, 0))
        split[(r, 1)] = (2 * MS, path(UP), 0, cloud, broadcast(DOWN, 1))
    return SpecCase(sc, exp, 10 * MS + 2 * MS + path(UP) + cloud + broadcast(DOWN, 1), split)


def fl_backlogged() -> SpecCase:
    """FL with data always there (batch_period 0): each FN starts its next round on its download.

    fog0 gets the broadcast first, so it starts earlier; the round is set by fog1
    (2 ms of compute), and no batch period paces anything.
    """
    sc = star(2, (fl_stage((1 * MS, 2 * MS)),), batch=0, rounds=3)
    cloud = 300 * US
    exp: dict[tuple[str, str], list[tuple[int, int]]] = {}
    starts = [0, 0]
    end = 0
    split: dict[tuple[int, int], Split] = {}
    for r in range(3):
        up = [starts[0] + 1 * MS + path(UP), starts[1] + 2 * MS + path(UP)]
        decided = max(up)
        done = decided + cloud
        for f, compute in enumerate((1 * MS, 2 * MS)):
            split[(r, f)] = (compute, path(UP), decided - up[f], cloud, broadcast(DOWN, f))
        for f in range(2):
            exp.setdefault((f"fog{f}", "roundStart"), []).append((starts[f], r))
            exp.setdefault(("cloud", "roundUpload"), []).append((up[f], 2 * r + f))
            exp.setdefault(("cloud", "roundAggregated"), []).append((decided, 2 * r + f))
            exp.setdefault((f"fog{f}", "roundDownload"), []).append((done + broadcast(DOWN, f), r))
        exp.setdefault(("cloud", "roundDone"), []).append((done, r))
        starts = [done + broadcast(DOWN, 0), done + broadcast(DOWN, 1)]
        end = done + broadcast(DOWN, 1)
    exp[("cloud", "roundUpload")].sort()
    # fog0 got round 0's broadcast first, so from round 1 on it waits 1 ms + the gap between
    # the two downloads' arrivals
    assert split[(1, 0)][2] == 1 * MS + broadcast(DOWN, 1) - broadcast(DOWN, 0)
    return SpecCase(sc, exp, end, split)


def deadline_from_round_start() -> SpecCase:
    """The deadline runs from the round's start, not from when the cloud closed the last round.

    Deadline 2.5 ms, batches every 10 ms: both uploads of each round arrive
    within 2.5 ms of its batch, so both are aggregated in both rounds. (Timed
    from the cloud's close of round 0, at 2.317 ms, the deadline of round 1
    would pass at 4.8 ms, long before round 1's batch, and only the first
    upload of round 1 would be aggregated: the defect this case exists for.)
    """
    case = fl_all()
    sc = star(2, (fl_stage((1 * MS, 2 * MS)),), policy="deadline", deadline=2500 * US)
    return SpecCase(sc, case.expected, case.end_ps, case.split)


def deadline_leaves_a_straggler_out() -> SpecCase:
    """Deadline 1.5 ms: fog1's upload (2 ms of compute) misses it in both rounds."""
    sc = star(2, (fl_stage((1 * MS, 2 * MS)),), policy="deadline", deadline=1500 * US)
    cloud = 250 * US  # 200 + 1 x 50
    exp: dict[tuple[str, str], list[tuple[int, int]]] = {}
    # fog0 waits for the deadline; fog1 is left out: it computes until the broadcast comes,
    # so its computation is dropped (no compute recorded) and it uploads nothing
    wait = 1500 * US - (1 * MS + path(UP))
    split: dict[tuple[int, int], Split] = {}
    for r in range(2):
        split[(r, 0)] = (1 * MS, path(UP), wait, cloud, broadcast(DOWN, 0))
        split[(r, 1)] = (0, 0, None, cloud, broadcast(DOWN, 1))
        t0 = r * 10 * MS
        decided = t0 + 1500 * US  # the deadline: fog0's upload is in, fog1 is still computing
        done = decided + cloud
        # the broadcast reaches fog1 while it computes: its stale computation is dropped,
        # so it never uploads
        exp.setdefault(("cloud", "roundUpload"), []).append((t0 + 1 * MS + path(UP), 2 * r))
        exp.setdefault(("cloud", "roundAggregated"), []).append((decided, 2 * r))
        exp.setdefault(("cloud", "roundDone"), []).append((done, r))
        for f in range(2):
            exp.setdefault((f"fog{f}", "roundStart"), []).append((t0, r))
            exp.setdefault((f"fog{f}", "roundDownload"), []).append((done + broadcast(DOWN, f), r))
    return SpecCase(sc, exp, 10 * MS + 1500 * US + cloud + broadcast(DOWN, 1), split)


def quorum_records_a_late_upload() -> SpecCase:
    """Quorum 1 of 2: the first upload decides; the straggler's upload arrives after the close.

    fog1 computes 1.26 ms, so its upload reaches the cloud at 1.277 ms, after
    the cloud closed round 0 (1.267 ms) but before fog1 has the broadcast: it is
    recorded (how late the straggler was), and not aggregated.
    """
    sc = star(2, (fl_stage((1 * MS, 1260 * US)),), policy="quorum", quorum=1)
    cloud = 250 * US
    exp: dict[tuple[str, str], list[tuple[int, int]]] = {}
    split: dict[tuple[int, int], Split] = {}
    for r in range(2):
        # fog0's upload decides at once; fog1's late upload still spent path(UP) in the network
        split[(r, 0)] = (1 * MS, path(UP), 0, cloud, broadcast(DOWN, 0))
        split[(r, 1)] = (1260 * US, path(UP), None, cloud, broadcast(DOWN, 1))
        t0 = r * 10 * MS
        first = t0 + 1 * MS + path(UP)
        done = first + cloud
        exp.setdefault(("cloud", "roundUpload"), []).extend(
            [(first, 2 * r), (t0 + 1260 * US + path(UP), 2 * r + 1)]
        )
        exp.setdefault(("cloud", "roundAggregated"), []).append((first, 2 * r))
        exp.setdefault(("cloud", "roundDone"), []).append((done, r))
        for f in range(2):
            exp.setdefault((f"fog{f}", "roundStart"), []).append((t0, r))
            exp.setdefault((f"fog{f}", "roundDownload"), []).append((done + broadcast(DOWN, f), r))
    return SpecCase(sc, exp, 10 * MS + 1 * MS + path(UP) + cloud + broadcast(DOWN, 1), split)


def cc_rounds() -> SpecCase:
    """CC: raw batches up, nothing down; an FN's round ends when it has sent its batch."""
    stage = Stage("batch", UP, 300 * US, 0, fog_before_ps=(0, 0))
    sc = star(2, (stage,), method="cc")
    exp: dict[tuple[str, str], list[tuple[int, int]]] = {}
    end = 0
    split: dict[tuple[int, int], Split] = {}
    for r in range(2):
        # fog1's batch queues at the switch behind fog0's (network); fog0's waits for it at
        # the cloud; nothing comes down, so each chain ends at the cloud's close
        gap = wire(UP) + GAP
        split[(r, 0)] = (0, path(UP), gap, 300 * US, 0)
        split[(r, 1)] = (0, path(UP) + gap, 0, 300 * US, 0)
        t0 = r * 10 * MS
        # both send at t0: equal paths up to the switch, then one after the other to the cloud
        first = t0 + path(UP)
        second = first + wire(UP) + GAP
        done = second + 300 * US
        end = done
        for f in range(2):  # fog0's frame was sent first, so the switch forwards it first
            exp.setdefault((f"fog{f}", "roundStart"), []).append((t0, r))
            exp.setdefault(("cloud", "roundUpload"), []).append(((first, second)[f], 2 * r + f))
            exp.setdefault(("cloud", "roundAggregated"), []).append((second, 2 * r + f))
        exp.setdefault(("cloud", "roundDone"), []).append((done, r))
    return SpecCase(sc, exp, end, split)


def fcddt_rounds() -> SpecCase:
    """FCDDT, one FN: activations up, gradients down, local gradient up, local weights down."""
    stages = (
        Stage("activations", ACT, 100 * US, 20 * US, "act_gradients", AGRAD, False, (1 * MS,)),
        Stage("local_gradient", UP, 30 * US, 10 * US, "local_weights", DOWN, True, (500 * US,)),
    )
    sc = star(1, stages, method="fcddt")
    exp: dict[tuple[str, str], list[tuple[int, int]]] = {}
    end = 0
    # two stages: both computations, both exchanges each way, both cloud steps; no one to wait for
    split = {
        (r, 0): (1500 * US, path(ACT) + path(UP), 0, 120 * US + 40 * US, path(AGRAD) + path(DOWN))
        for r in range(2)
    }
    for r in range(2):
        t0 = r * 10 * MS
        up0 = t0 + 1 * MS + path(ACT)
        down0 = up0 + 120 * US + path(AGRAD)
        up1 = down0 + 500 * US + path(UP)
        done = up1 + 40 * US
        end = done + path(DOWN)
        exp.setdefault(("fog0", "roundStart"), []).append((t0, r))
        exp.setdefault(("cloud", "roundUpload"), []).append((up0, r))
        exp.setdefault(("cloud", "roundAggregated"), []).append((up0, r))
        exp.setdefault(("cloud", "roundDone"), []).append((done, r))
        exp.setdefault(("fog0", "roundDownload"), []).append((end, r))
    return SpecCase(sc, exp, end, split)


def stall_on_a_lost_upload() -> SpecCase:
    """Three FNs upload at once into a 1-frame queue: one upload is lost, round 0 stalls.

    The three frames reach the switch together; one goes onto the cloud's link,
    one waits in the queue, the third finds it full and is dropped. The cloud
    waits for it until the watchdog (50 ms after round 0's start) records the
    missing fog node and ends the run. Which FN loses is decided by equal-time
    order; the case checks the time and that exactly one is missing.
    """
    sc = star(3, (fl_stage((1 * MS,) * 3),), queue_capacity=1, stall=50 * MS)
    return SpecCase(sc, {}, 50 * MS)


CASES = {
    "fl-all": fl_all,
    "fl-backlogged": fl_backlogged,
    "deadline-round-start": deadline_from_round_start,
    "deadline-straggler": deadline_leaves_a_straggler_out,
    "quorum-late-upload": quorum_records_a_late_upload,
    "cc": cc_rounds,
    "fcddt": fcddt_rounds,
    "stall-lost-upload": stall_on_a_lost_upload,
}
