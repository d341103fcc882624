# SPDX-License-Identifier: MIT
"""A plant engineer's own profile: only its own flows, named hosts, per-flow deadlines and drops."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.run.metrics import summarize_run
from fogcosim.errors import UserError
from simulation.embedded.backend import EmbeddedBackend
from simulation.profile.build import build_scenario, load_profile

from .conftest import PROFILES, write_profile

PLANT = PROFILES / "plant-cells.toml"


def test_only_the_profiles_own_flows_and_the_ml_traffic():
    sc = build_scenario(load_profile(PLANT), 6, "fl", 0)
    own = {"loop1", "loop1_reply", "safety", "camera"}
    ml = {f"ml{d}_fog{i}" for d in ("up", "down") for i in range(6)}
    assert {f.name for f in sc.flows} == own | ml
    assert {n.name for n in sc.nodes if n.kind == "host"} == {"plc1", "hmi"}
    reply = next(f for f in sc.flows if f.name == "loop1_reply")
    request = next(f for f in sc.flows if f.name == "loop1")
    assert (reply.src, reply.dst) == ("fog4", "plc1")
    assert reply.offset_ps == (request.offset_ps + 2 * 10**9) % request.period_ps
    assert reply.deadline_ps == request.deadline_ps == 300 * 10**6
    aligned = {f.offset_ps for f in sc.flows if f.name.startswith("mlup_")}
    assert len(aligned) == 1  # offsets = "aligned": every fog node's upload starts together


def test_flows_csv_adds_up_with_drops_and_deadline_misses(tmp_path):
    sc = build_scenario(load_profile(PLANT), 6, "fl", 0)
    EmbeddedBackend().run(sc, tmp_path, record_vectors=True)
    metrics = summarize_run(tmp_path)
    flows = pd.read_csv(tmp_path / "flows.csv")
    queues = pd.read_csv(tmp_path / "queues.csv")
    assert list(flows["flow"]) == [f.name for f in sc.flows]
    assert (flows["sent"] == flows["delivered"] + flows["dropped"] + flows["in_flight"]).all()
    assert flows["dropped"].sum() > 0 and queues["drops"].sum() >= flows["dropped"].sum()
    assert metrics["dropped_messages"] == flows["dropped"].sum()
    with_deadline = flows.dropna(subset=["deadline_us"])
    assert set(with_deadline["flow"]) == {"loop1", "loop1_reply", "safety"}
    assert (with_deadline["deadline_misses"] >= with_deadline["dropped"]).all()
    camera = flows.set_index("flow").loc["camera"]
    assert camera["lost"] and camera["dropped"] > 0  # 69 frames into a 20-frame queue at once


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            'attach = "cell1"',
            'attach = "cell9"',
            r"topology\.hosts\[0\]\.attach: 'cell9' is not a switch of this layout \(allowed: cell0, cell1, cell2",
        ),
        ('name = "hmi"', 'name = "plc1"', r"topology\.hosts\[1\]\.name: 'plc1' is already a node"),
        ('name = "hmi"', 'name = "fog2"', r"topology\.hosts\[1\]\.name: 'fog2' is already a node"),
        ('attach = "cell0"\n', "\n", r"topology\.hosts\[1\]\.attach: missing \(required"),
        (
            'deadline = "2ms"',
            'deadline = "0ms"',
            r"traffic\.flows\[1\]\.deadline: must be a positive time",
        ),
        (
            'class = "background"',
            'class = "ml"\nreply_bytes = 10\nreply_after = "1ms"',
            r"traffic\.flows\[2\]\.reply_bytes: class 'ml' is one-way",
        ),
        (
            'reply_after = "2ms"',
            "",
            r"traffic\.flows\[0\]\.processing: missing: with reply_bytes, give processing .* or reply_after",
        ),
        (
            "fog_per_cell = 2",
            "fog_per_cell = 2\ngateway = true",
            r"topology\.wan_link: missing: gateway = true needs the WAN link",
        ),
        (
            "fog_per_cell = 2",
            "fog_per_cel = 2",
            r"topology\.fog_per_cel: unknown field; did you mean 'fog_per_cell'\?",
        ),
        (
            "fog_per_cell = 2",
            'fog_per_cell = 2\nuplink = { datarate = "1Gbps" }',
            r"topology\.uplink: applies to layout 'tree' only",
        ),
        (
            'dst = "hmi"',
            'dst = "hmi2"',
            r"traffic\.flows\[1\]\.dst: flow 'safety' dst 'hmi2' is not a host",
        ),
    ],
)
def test_bad_plant_profiles_name_file_field_and_allowed(tmp_path, old, new, pattern):
    text = PLANT.read_text()
    assert old in text
    path = write_profile(tmp_path, text.replace(old, new, 1))
    with pytest.raises(UserError) as info:
        build_scenario(load_profile(path), 6, "fl", 0)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    assert __import__("re").search(pattern, message), message


def test_an_error_valid_only_at_some_counts_says_the_fog_node_count(tmp_path):
    """plc1 on cell2: a switch of the line at 6 fog nodes (3 cells), not at 2 (one cell)."""
    text = PLANT.read_text().replace('attach = "cell1"', 'attach = "cell2"')
    profile = load_profile(write_profile(tmp_path, text))
    build_scenario(profile, 6, "none", 0)
    with pytest.raises(UserError, match=r"attach: 'cell2' is not a switch .* \(at 2 fog nodes\)$"):
        build_scenario(profile, 2, "none", 0)
