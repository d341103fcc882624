# SPDX-License-Identifier: MIT
"""`fogcosim schedule` and its TOML; both synthesisers on the shipped paper-sec21 profile."""

from __future__ import annotations

import tomllib

import pytest

from fogcosim.cli import main
from simulation.model.gcl import GateControlList, GateEntry
from simulation.model.units import parse_time_ps
from simulation.profile.build import build_scenario, load_profile
from simulation.tsn_synthesis.gates_toml import gates_toml, open_classes
from simulation.tsn_synthesis.problem import build_problem
from simulation.tsn_synthesis.schedule import synthesise
from tests.simulation.tsn_replay import replay


def read_gates(text: str) -> list[GateControlList]:
    """The `[[tsn.gates]]` tables, read as a profile reader would."""
    tables = tomllib.loads(text)["tsn"]["gates"]
    return [
        GateControlList(
            t["node"], t["peer"], parse_time_ps(t["cycle"]),
            tuple(GateEntry(parse_time_ps(e["duration"]), sum(1 << q for q in e["open"]))
                  for e in t["entries"]),
            parse_time_ps(t["base"]),
        )
        for t in tables
    ]  # fmt: skip


def test_open_lists_the_classes_of_a_mask():
    assert open_classes(0x80) == [7]
    assert open_classes(0x7F) == [0, 1, 2, 3, 4, 5, 6]
    assert open_classes(0) == []


def test_gates_toml_reads_back_exactly():
    odd = GateControlList("sw0", "cloud", 1_000_000_001, (
        GateEntry(1, 0x80), GateEntry(999_999_000, 0x7F), GateEntry(1000, 0)
    ), base_ps=7)  # fmt: skip
    text = gates_toml([odd])
    assert 'duration = "1ps", open = [7]' in text and 'base = "7ps"' in text
    assert read_gates(text) == [odd]


def test_schedule_command_prints_each_flow_and_writes_the_gates(tmp_path, capsys):
    out = tmp_path / "gates.toml"
    args = ["schedule", "--profile", "paper-sec21", "--fog-nodes", "4", "--method", "none"]
    assert main([*args, "--synth", "greedy", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "creq_fog0" in printed and "nrep_fog3_fog2" in printed
    assert "worst guaranteed latency 54.292 us" in printed  # 4 frames of a 5000 B reply
    text = out.read_text()
    assert text.startswith("# Gate schedule synthesised by fogcosim (greedy)")
    problem = build_problem(build_scenario(load_profile("paper-sec21"), 4, "none", 0))
    assert read_gates(text) == list(synthesise(problem, "greedy").gcls)


def test_schedule_command_refuses_an_unknown_flow_in_one_line(tmp_path, capsys):
    args = ["schedule", "--profile", "paper-sec21", "--fog-nodes", "4", "--method", "none"]
    assert main([*args, "--protect", "nope", "--out", str(tmp_path / "g.toml")]) == 2
    err = capsys.readouterr().err
    assert "flow 'nope' to protect" in err and err.count("\n") == 1
    assert not (tmp_path / "g.toml").exists()


@pytest.mark.parametrize("fog_nodes", [4, 18])
def test_paper_sec21_critical_flows_are_scheduled_within_their_deadlines(fog_nodes):
    problem = build_problem(build_scenario(load_profile("paper-sec21"), fog_nodes, "none", 0))
    assert problem.cycle_ps == 1_200 * 10**9  # 200/300/400 ms periods
    greedy = synthesise(problem, "greedy")
    best = synthesise(problem, "optimal", time_limit_s=60)
    for schedule in (greedy, best):
        assert set(schedule.latency_bound_ps) == {f.name for f in problem.flows}
        assert all(schedule.latency_bound_ps[f] <= d for f, d in problem.deadline_ps.items())
    assert best.worst_ps <= greedy.worst_ps
    departures = replay(greedy, cycles=2)
    assert all(t == greedy.starts[j][h][i] for (_, j, h, i), t in departures.items())
