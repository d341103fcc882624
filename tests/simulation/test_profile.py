# SPDX-License-Identifier: MIT
import re

import pytest

from fogcosim.errors import UserError
from simulation.model.scenario import ScenarioError
from simulation.profile.build import build_scenario, load_profile, shipped_profiles
from simulation.profile.tomlfields import ProfileError

from .conftest import PROFILES, fixed_payload, write_profile

BASE = (PROFILES / "golden-star.toml").read_text()


def edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


@pytest.mark.parametrize("name", ["paper-sec21", "production-line", "two-tier-plant"])
@pytest.mark.parametrize("fog_nodes", [1, 2, 4, 18, 120])
def test_shipped_profiles_build_for_any_fog_count(name, fog_nodes):
    profile = load_profile(name)
    sc = build_scenario(profile, fog_nodes, "fl", seed=1, measure=fixed_payload())
    fogs = [n for n in sc.nodes if n.kind == "fog"]
    assert len(fogs) == fog_nodes
    # every FN has its cloud exchange and its ML round in both directions
    names = {f.name for f in sc.flows}
    for fog in fogs:
        assert {f"creq_{fog.name}", f"crep_{fog.name}", f"mlup_{fog.name}"} <= names
    assert sc.hyperperiod_ps % (1000 * 10**9) == 0


def test_shipped_profiles_are_listed():
    assert {"paper-sec21", "production-line", "two-tier-plant"} <= set(shipped_profiles())


def test_same_seed_same_scenario_and_critical_traffic_independent_of_method(star_profile):
    a = build_scenario(star_profile, 5, "fl", 3, measure=fixed_payload())
    b = build_scenario(star_profile, 5, "fl", 3, measure=fixed_payload())
    assert a == b
    none = build_scenario(star_profile, 5, "none", 3)
    critical = lambda sc: [f for f in sc.flows if f.cls == "critical"]  # noqa: E731
    assert critical(none) == critical(a)
    assert not [f for f in none.flows if f.cls == "ml"]
    other = build_scenario(star_profile, 5, "fl", 4, measure=fixed_payload())
    assert critical(other) != critical(a)


def test_paper_directions_send_request_and_round_payload(line_profile):
    sc = build_scenario(line_profile, 4, "cc", 0)
    ml = {f.name: f for f in sc.flows if f.cls == "ml"}
    assert ml["mlup_fog0"].size_bytes == 1200
    assert ml["mldown_fog0"].size_bytes == 78500 + 0  # upload + download of the round


def test_measured_directions(star_profile):
    sc = build_scenario(star_profile, 3, "fl", 0)
    ml = {f.name: f for f in sc.flows if f.cls == "ml"}
    assert ml["mlup_fog1"].size_bytes == 150000 and ml["mldown_fog1"].size_bytes == 150000
    # reply_after = "5ms": the download leaves 5 ms after the upload, every round
    assert (ml["mldown_fog1"].offset_ps - ml["mlup_fog1"].offset_ps) % ml[
        "mlup_fog1"
    ].period_ps == 5 * 10**9


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ('period = "400ms"', 'period = "0ms"', r"traffic\.cloud\.period: must be a positive time"),
        ('period = "400ms"', 'period = "-5ms"', r"traffic\.cloud\.period: .*not a time"),
        (
            'period = "400ms"',
            'period = "400"',
            r"traffic\.cloud\.period: .*expected a number and one of the units",
        ),
        (
            "request_bytes = 1400",
            "request_bytes = 0",
            r"traffic\.cloud\.request_bytes: must be at least 1",
        ),
        (
            "request_bytes = 1400",
            'request_bytes = "big"',
            r"traffic\.cloud\.request_bytes: expected an integer",
        ),
        (
            'period = "400ms"',
            'perod = "400ms"',
            r"traffic\.cloud\.perod: unknown field; did you mean 'period'\? \(allowed here: .*period",
        ),
        (
            'layout = "star"',
            'layout = "ring"',
            r"topology\.layout: unknown value 'ring' \(allowed: star, line, tree\)",
        ),
        (
            'network = "GoldenStar"',
            'network = "Golden Star"',
            r"topology\.network: .*not a valid name",
        ),
        (
            'network = "GoldenStar"',
            'network = "x\\";import"',
            r"topology\.network: .*not a valid name",
        ),
        ('datarate = "1Gbps"', 'datarate = "3Gbps"', r"not an Ethernet rate \(allowed: .*1000Mbps"),
        (
            'periods = ["200ms", "300ms", "400ms"]',
            'periods = ["7ms", "11ms", "13ms", "1009ms"]',
            r"hyperperiod .* exceeds the limit",
        ),
        (
            'periods = ["200ms", "300ms", "400ms"]',
            "periods = []",
            r"traffic\.neighbours\.periods: expected a non-empty list",
        ),
        ("seeds = 1", "seeds = 0", r"simulation\.seeds: must be at least 1"),
        (
            "seeds = 1",
            "seeds = 1\ntrain_seeds = 2",
            r"simulation\.train_seeds: applies to pacing = \"rounds\" profiles only",
        ),
        (
            "fog_nodes = [3]",
            "fog_nodes = [0]",
            r"simulation\.fog_nodes: expected a non-empty list of integers >= 1",
        ),
        (
            'directions = "measured"',
            'directions = "both"',
            r"traffic\.ml\.directions: unknown value 'both'",
        ),
        ("upload = 150000", "upload = -1", r"traffic\.ml\.bytes\.fl\.upload: must be at least 0"),
    ],
)
def test_bad_profiles_name_file_and_field(tmp_path, old, new, pattern):
    path = write_profile(tmp_path, edit(old, new))
    with pytest.raises(UserError) as info:
        build_scenario(load_profile(path), 3, "fl", 0)
    text = str(info.value)
    assert str(path) in text
    assert re.search(pattern, text), text
    assert "\n" not in text


def test_missing_sections_and_fields(tmp_path):
    path = write_profile(tmp_path, "[profile]\nname = 'x'\n")
    with pytest.raises(ProfileError, match=r"p\.toml: topology: missing \(required table\)"):
        load_profile(path)
    path = write_profile(tmp_path, edit('network = "GoldenStar"\n', ""))
    with pytest.raises(ProfileError, match=r"topology\.network: missing"):
        load_profile(path)
    path = write_profile(tmp_path, "this is = = not toml")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(path)


EXTRA = """
[[traffic.flows]]
name = "{name}"
class = "{cls}"
src = "{src}"
dst = "{dst}"
period = "100ms"
size_bytes = {size}
"""


@pytest.mark.parametrize(
    ("fields", "pattern"),
    [
        (
            {"src": "fog9"},
            r"traffic\.flows\[0\]\.src: flow 'cam' src 'fog9' is not a host \(allowed: cloud, fog0",
        ),
        ({"dst": "sw0"}, r"flows\[0\]\.dst: .*'sw0' is not a host"),
        ({"name": "my cam"}, r"flows\[0\]\.name: flow name 'my cam' is not a valid name"),
        ({"name": "cam'"}, r"not a valid name"),
        (
            {"cls": "urgent"},
            r"traffic\.flows\[0\]\.class: unknown value 'urgent' \(allowed: critical, ml, background\)",
        ),
        ({"size": 0}, r"traffic\.flows\[0\]\.size_bytes: must be at least 1"),
        ({"name": "creq_fog0"}, r"duplicate flow name 'creq_fog0'"),
    ],
)
def test_bad_explicit_flows(tmp_path, fields, pattern):
    values = {
        "name": "cam",
        "cls": "background",
        "src": "fog0",
        "dst": "cloud",
        "size": 1000,
    } | fields
    path = write_profile(tmp_path, BASE + EXTRA.format(**values))
    with pytest.raises(UserError) as info:
        build_scenario(load_profile(path), 3, "none", 0)
    assert re.search(pattern, str(info.value)), str(info.value)


def test_fog_count_and_method_checked(star_profile):
    with pytest.raises(UserError, match="fog-node count 0 is below 1"):
        build_scenario(star_profile, 0, "none")
    with pytest.raises(UserError, match=r"unknown method 'sgd' \(allowed: none, cc, fl, fcddt\)"):
        build_scenario(star_profile, 3, "sgd")


def test_unknown_profile_lists_shipped():
    with pytest.raises(UserError, match=r"unknown profile 'nope' \(shipped: .*paper-sec21"):
        load_profile("nope")
    with pytest.raises(UserError, match="does not exist"):
        load_profile("missing.toml")


def test_wan_link_without_gateway_is_refused(tmp_path):
    text = edit(
        'layout = "star"', 'layout = "star"\nwan_link = { datarate = "100Mbps", delay = "1ms" }'
    )
    with pytest.raises(ProfileError, match="wan_link: a WAN link needs gateway = true"):
        build_scenario(load_profile(write_profile(tmp_path, text)), 3, "none")


def test_scenario_error_carries_profile_path(tmp_path):
    text = BASE + EXTRA.format(name="cam", cls="ml", src="fog0", dst="fog0", size=10)
    with pytest.raises(ScenarioError, match=r"p\.toml: traffic\.flows\[0\]|p\.toml: flows\[\d+\]"):
        build_scenario(load_profile(write_profile(tmp_path, text)), 3, "none")


def test_table1_accounting_drops_fcddts_extra_exchange(tmp_path, monkeypatch):
    monkeypatch.setenv("FOGCOSIM_CACHE", str(tmp_path / "cache"))
    profile = load_profile("paper-sec21")
    profile.document["traffic"]["ml"]["rounds"] = 1
    measured = build_scenario(profile, 2, "fcddt", 0).ml_payload
    profile.document["traffic"]["ml"]["accounting"] = "table1"
    table1 = build_scenario(profile, 2, "fcddt", 0).ml_payload
    assert "Table-1 messages only" in table1.source and "MNIST 5k sample" in table1.source
    # MNIST MLP split at fc1 (128 units), B=100, float32: Table 1 sends B*l_m + B up, |w_local| down
    assert table1.upload_bytes < 100 * 128 * 4 + 100 + 1000 < measured.upload_bytes
    assert (784 * 128 + 128) * 4 < table1.download_bytes < measured.download_bytes
