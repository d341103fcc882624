# SPDX-License-Identifier: MIT
"""The shipped protection studies: industrial-line and paper-sec21-protection.

Each variant must build and run the mechanism its name promises, every
deadline must be a requirement a network could meet (above the physical
minimum of its path), the critical flows must share links with the training
(else there is nothing to protect), and on paper-sec21 at 18 FNs under FL the
synthesised gates keep every critical deadline where FIFO misses (issue 18).
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from analysis.run.metrics import summarize_run
from simulation.embedded.backend import EmbeddedBackend
from simulation.model.estimate import check_size, gate_events
from simulation.model.load import expected_end_ps, uncontended_delay_ps
from simulation.model.scenario import Scenario
from simulation.profile.build import build_scenario, load_profile, with_rounds

INDUSTRIAL = load_profile("industrial-line")
PAPER = load_profile("paper-sec21-protection")


def _ports(sc: Scenario, src: str, dst: str) -> set[tuple[str, str]]:
    return set(itertools.pairwise(sc.path(src, dst)))


@pytest.mark.parametrize("fog_nodes", [4, 6, 12, 18])
@pytest.mark.parametrize("variant", ["", *INDUSTRIAL.variants])
def test_industrial_line_builds_for_every_variant_with_its_mechanism(variant, fog_nodes):
    sc = build_scenario(INDUSTRIAL.with_variant(variant), fog_nodes, "fl", 0)
    assert sc.rounds is not None and len(sc.rounds.fog_nodes) == fog_nodes
    tsn = sc.tsn
    if variant == "fifo":
        assert sc.scheduling == "fifo" and tsn is None
        return
    assert sc.scheduling == "tsn" and tsn is not None
    pcp = {f.name: f.pcp for f in sc.flows}
    assert (pcp["iso0"], pcp["cyc1"], pcp["alarm1"], pcp["video0"], pcp["netctl0"]) == (
        6, 5, 4, 3, 7,
    )  # fmt: skip
    assert sc.rounds.pcp == 0
    if variant in ("", "gates"):
        assert tsn.synthesis == "greedy" and tsn.gates and not tsn.shapers
        assert {f for f, _ in tsn.guarantees} == {"iso0", "iso0_reply", "iso1", "iso1_reply"}
    elif variant == "priority":
        assert not (tsn.gates or tsn.shapers or tsn.preemption)
    elif variant == "cbs":
        rates = {(lk.a, lk.b): lk.datarate_bps for lk in sc.links}
        rates |= {(b, a): r for (a, b), r in rates.items()}
        assert tsn.shapers and not tsn.gates
        for s in tsn.shapers:  # the training's class at 40% of each port's own rate
            assert s.traffic_class == tsn.queue_of(0) == 1
            assert s.idle_slope_bps == rates[(s.node, s.peer)] * 2 // 5
    else:
        assert variant == "preemption" and tsn.express == (4, 5, 6, 7)


def test_industrial_line_runs_without_force_its_gates_counted_until_the_training_ends():
    # the gate lists change state for as long as the run lasts: until its rounds end (4 s),
    # not until the time cap (214 s), which made every point look 50x too big to run
    sc = build_scenario(load_profile("industrial-line"), 18, "fl", 0)
    end = expected_end_ps(sc)
    assert end < sc.sim_time_limit_ps
    counted = dict(gate_events(sc, end))
    capped = dict(gate_events(sc, sc.sim_time_limit_ps))
    for port, events in counted.items():
        cycle = next(g.cycle_ps for g in sc.tsn.gates if f"{g.node} -> {g.peer}" == port)
        assert events * (sc.sim_time_limit_ps // cycle + 1) == capped[port] * (end // cycle + 1)
    check_size(sc)  # not refused


def test_industrial_line_deadlines_are_above_their_physical_minima():
    for fog_nodes in (6, 18):
        sc = build_scenario(INDUSTRIAL, fog_nodes, "fcddt", 0)
        replies = {f.trigger: f for f in sc.flows if f.trigger is not None}
        due = [f for f in sc.flows if f.deadline_ps is not None]
        assert {f.name for f in due if f.cls == "critical"} >= {"iso0", "iso1_reply", "cyc1"}
        for f in due:
            least = uncontended_delay_ps(sc, f.src, f.dst, f.size_bytes)
            assert f.deadline_ps > 2 * least, (f.name, f.deadline_ps, least)
        loops = [f for f in sc.flows if f.loop_deadline_ps is not None]
        assert {f.name for f in loops} == {"cyc0", "cyc1"}
        for f in loops:
            reply = replies[f.name]
            least = (
                uncontended_delay_ps(sc, f.src, f.dst, f.size_bytes)
                + reply.processing_ps
                + uncontended_delay_ps(sc, reply.src, reply.dst, reply.size_bytes)
            )
            assert f.loop_deadline_ps > 2 * least
        # the gate schedule guarantees every protected flow its deadline
        gates = build_scenario(INDUSTRIAL.with_variant("gates"), fog_nodes, "fl", 0)
        assert gates.tsn is not None
        deadline = {f.name: f.deadline_ps for f in gates.flows}
        for flow, bound in gates.tsn.guarantees:
            assert bound <= deadline[flow]


def test_industrial_line_control_shares_the_trunk_with_the_training():
    sc = build_scenario(INDUSTRIAL, 18, "fl", 0)
    training = set().union(
        *(_ports(sc, f, "cloud") | _ports(sc, "cloud", f) for f in sc.rounds.fog_nodes)
    )
    for flow in ("iso1", "iso1_reply", "cyc1", "cyc1_reply", "alarm1"):
        f = next(x for x in sc.flows if x.name == flow)
        assert _ports(sc, f.src, f.dst) & training, flow


def test_paper_sec21_protection_is_paper_sec21_rounds_with_1ms_deadlines_and_two_mechanisms():
    assert PAPER.variants == ("fifo", "gates") and PAPER.fog_nodes == (18,)
    rounds = load_profile("paper-sec21-rounds")
    fifo = build_scenario(PAPER.with_variant("fifo"), 18, "fl", 3)
    gates = build_scenario(PAPER.with_variant("gates"), 18, "fl", 3)
    assert (fifo.scheduling, fifo.tsn, fifo.queue_capacity) == ("fifo", None, None)
    assert gates.scheduling == "tsn" and gates.tsn is not None and gates.tsn.synthesis == "greedy"
    critical = [f for f in fifo.flows if f.cls == "critical"]
    assert critical and {f.deadline_ps for f in critical} == {10**9}
    assert {f for f, _ in gates.tsn.guarantees} == {f.name for f in critical}
    # the same flows as paper-sec21-rounds at the same seed, only with deadlines
    same = build_scenario(rounds, 18, "fl", 3)
    assert [(f.name, f.offset_ps, f.period_ps) for f in same.flows] == [
        (f.name, f.offset_ps, f.period_ps) for f in fifo.flows
    ]


def test_a_synthesised_schedule_keeps_every_critical_deadline_where_fifo_misses(tmp_path):
    """paper-sec21-protection at 18 FNs under FL, 2 rounds (issue 18's "done when")."""
    misses = {}
    for variant in ("fifo", "gates"):
        sc = with_rounds(build_scenario(PAPER.with_variant(variant), 18, "fl", 0), 2)
        EmbeddedBackend().run(sc, tmp_path / variant, record_vectors=True)
        metrics = summarize_run(tmp_path / variant)
        flows = pd.read_csv(tmp_path / variant / "flows.csv")
        critical = flows[flows["class"] == "critical"]
        misses[variant] = int(critical["deadline_misses"].sum())
        assert metrics["critical_deadline_misses"] == misses[variant]
        if variant == "gates":
            # every protected flow measured exactly within its guarantee
            assert (critical["delay_max_us"] <= critical["guaranteed_us"] + 1e-6).all()
    assert misses["fifo"] > 0 and misses["gates"] == 0, misses
