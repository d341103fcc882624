# SPDX-License-Identifier: MIT
"""Absurd inputs are refused before they run, naming the flow that makes them absurd."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fogcosim.cli import main as fogcosim_main
from fogcosim.errors import UserError
from simulation.embedded.engine import Engine
from simulation.model.estimate import check_size, estimate, frames_per_message
from simulation.model.load import (
    expected_end_ps,
    offered_load,
    uncontended_delay_ps,
    unmeetable_flow_deadline,
)
from simulation.model.scenario import ScenarioError
from simulation.profile.build import build_scenario, load_profile, with_rounds

from .conftest import PROFILES, write_profile


def test_frames_per_message_counts_chunks_and_fragments():
    assert frames_per_message(1400, 1500) == 1
    assert frames_per_message(5000, 1500) == 4
    assert frames_per_message(65_507, 1500) == 45  # one full UDP datagram
    assert frames_per_message(65_508, 1500) == 46  # and one byte in a second chunk
    assert frames_per_message(65_507, 576) == 119  # 65,515 B of IP payload in 552-byte fragments


def test_estimate_is_close_to_what_the_engine_does(star_profile):
    sc = build_scenario(star_profile, 3, "fl", 0)
    events = Engine(sc).run().events
    estimated = estimate(sc).events
    assert events / 2 <= estimated <= events * 3  # an order-of-magnitude guard, not a forecast


def test_tiny_period_is_refused_naming_the_flow(star_profile):
    sc = build_scenario(star_profile, 3, "none", 0)
    flows = list(sc.flows)
    flows[1] = replace(flows[1], period_ps=400_000, offset_ps=0)  # 400 ns
    bad = replace(sc, flows=tuple(flows), duration_ps=6 * 10**12)
    with pytest.raises(UserError, match=rf"flow '{flows[1].name}' alone makes about .*--force"):
        check_size(bad)
    assert check_size(bad, force=True).events > 10**8


def test_giant_message_is_refused_for_memory(star_profile):
    sc = build_scenario(star_profile, 3, "none", 0)
    flows = list(sc.flows)
    flows[0] = replace(flows[0], size_bytes=50_000_000_000, period_ps=10**15)
    with pytest.raises(UserError, match=rf"one message of flow '{flows[0].name}' .* GiB at once"):
        check_size(replace(sc, flows=tuple(flows), max_hyperperiod_ps=10**16))


# ---- the training's rounds count too, and deadlines below the physics are refused


def _rounds(n: int, method: str, rounds: int = 20):
    return with_rounds(
        build_scenario(load_profile(PROFILES / "rounds-star.toml"), n, method, 0), rounds
    )


def test_the_estimate_counts_the_round_protocol_and_ends_with_the_rounds():
    fl, none = (
        _rounds(8, "fl"),
        build_scenario(load_profile(PROFILES / "rounds-star.toml"), 8, "none", 0),
    )
    protocol = [f for f in estimate(fl).flows if f.flow.period_ps == 0]
    assert len(protocol) == len(fl.rounds.flows()) and all(f.messages == 20 for f in protocol)
    assert estimate(fl).events > estimate(none).events + sum(f.events for f in protocol) // 2
    # the run ends after its rounds, long before the cap it would otherwise be estimated to
    assert expected_end_ps(fl) < fl.sim_time_limit_ps / 10
    events = Engine(fl).run().events
    assert events / 3 <= estimate(fl).events <= events * 3


def test_the_offered_load_of_a_training_run_is_not_that_of_no_training():
    fl, none = (
        _rounds(8, "fl"),
        build_scenario(load_profile(PROFILES / "rounds-star.toml"), 8, "none", 0),
    )
    load_fl = {d.label: d.load for d in offered_load(fl)}
    load_none = {d.label: d.load for d in offered_load(none)}
    assert load_fl["sw0->cloud"] > load_none["sw0->cloud"] + 0.01
    assert any(name.startswith("gradient_") for d in offered_load(fl) for name in d.flows)


def test_a_huge_rounds_run_is_refused_before_it_runs_naming_the_protocol():
    sc = _rounds(8, "fl", rounds=100_000)
    with pytest.raises(
        UserError, match=r"the training's round protocol alone makes about .* --force"
    ):
        check_size(sc)


def test_a_deadline_below_the_physical_minimum_is_refused_with_both_figures(tmp_path):
    text = (PROFILES / "plant-cells.toml").read_text()
    profile = load_profile(write_profile(tmp_path, text))
    sc = build_scenario(profile, 6, "none", 0)
    flow = next(f for f in sc.flows if f.deadline_ps is not None)
    least = uncontended_delay_ps(sc, flow.src, flow.dst, flow.size_bytes)
    assert unmeetable_flow_deadline(sc) is None
    bad = replace(flow, deadline_ps=least - 1)
    i = sc.flows.index(flow)
    found = unmeetable_flow_deadline(replace(sc, flows=(*sc.flows[:i], bad, *sc.flows[i + 1 :])))
    assert found is not None and found[0] == i
    assert f"{(least - 1) / 1e6:g} us" in found[1] and f"{least / 1e6:.3f} us" in found[1]
    # through the profile: the error names the profile field
    edited = text.replace('deadline = "2ms"', 'deadline = "10ns"', 1)
    with pytest.raises(ScenarioError, match=r"traffic\.flows\[1\]\.deadline: .* 0\.01 us is below"):
        build_scenario(load_profile(write_profile(tmp_path, edited, "bad.toml")), 6, "none", 0)


def test_an_overloaded_link_is_named_before_anything_runs(tmp_path, capsys):
    text = (PROFILES / "plant-cells.toml").read_text()
    text += (
        '\n[[traffic.flows]]\nname = "camera2"\nclass = "background"\nsrc = "hmi"\n'
        'dst = "cloud"\nperiod = "100us"\nsize_bytes = 2000\n'
    )  # 160 Mbit/s on hmi's 100 Mbit/s link
    path = write_profile(tmp_path, text)
    capsys.readouterr()
    code = fogcosim_main(["run", "--profile", str(path), "--fog-nodes", "6", "--method", "none",
                          "--backend", "embedded", "--sim-time", "1ms", "--out", str(tmp_path / "run")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    warning = out.index("WARNING: ")
    assert warning < out.index("running "), out
    assert "hmi->cell0" in out[warning:].splitlines()[0] and "camera2" in out[warning:]
