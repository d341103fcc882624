# SPDX-License-Identifier: MIT
import re

import pytest

from fogcosim.errors import UserError
from simulation.backends.omnetpp.render import EPHEMERAL_PORTS, render, render_text
from simulation.model.apps import MESSAGE_PORTS, chunk_sizes, manifest, plan_apps
from simulation.model.scenario import MAX_UDP_PAYLOAD
from simulation.profile.build import build_scenario, load_profile
from tests.golden.regenerate import CASES, case_dir, rendered

from .conftest import fixed_payload


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[2]}")
def test_golden_files(case):
    """The rendered NED/ini equal the reviewed golden files (`make golden` regenerates)."""
    folder = case_dir(*case)
    for name, text in rendered(*case).items():
        assert (folder / name).read_text() == text, f"{folder / name} differs; run `make golden`"


def test_chunking_keeps_every_byte_and_the_datagram_limit():
    for size in (1, 1400, MAX_UDP_PAYLOAD, MAX_UDP_PAYLOAD + 1, 318_040, 10**6):
        sizes = chunk_sizes(size)
        assert sum(sizes) == size
        assert all(0 < s <= MAX_UDP_PAYLOAD for s in sizes)
        assert sizes[-1] == min(sizes)


def test_large_messages_end_on_the_message_port(star_profile):
    sc = build_scenario(star_profile, 3, "fcddt", 0, measure=fixed_payload(200_000, 200_000))
    plan = plan_apps(sc)
    ups = [a for a in plan["fog0"] if a.flow == "mlup_fog0"]
    assert [a.chunk_index for a in ups] == [0, 1, 2, 3]
    assert all(a.start_ps == ups[0].start_ps and a.period_ps == ups[0].period_ps for a in ups)
    assert [a.port for a in ups] == [MESSAGE_PORTS["ml"] + 100] * 3 + [MESSAGE_PORTS["ml"]]
    cloud_sinks = {a.port for a in plan["cloud"] if a.role == "sink"}
    assert {
        MESSAGE_PORTS["ml"],
        MESSAGE_PORTS["ml"] + 100,
        MESSAGE_PORTS["critical"],
    } <= cloud_sinks
    rows = manifest(sc)
    assert rows[0]["module"].startswith("GoldenStar.")


def test_more_udp_sources_than_inet_has_ephemeral_ports_are_refused(star_profile):
    # VGG-16's 61 MB per message is ~940 datagrams, each a UDP source: at 18 FNs the cloud
    # would need ~17,000 sockets, and opp_run stopped with "Ephemeral port range exhausted"
    big = 100_000_000
    sc = build_scenario(star_profile, 3, "fcddt", 0, measure=fixed_payload(big, big))
    sources = sum(1 for a in plan_apps(sc)["cloud"] if a.role == "source")
    assert sources > EPHEMERAL_PORTS
    with pytest.raises(UserError, match=r"host cloud would run [\d,]+ UDP sources.*ephemeral"):
        render_text(sc)
    small = build_scenario(star_profile, 3, "fcddt", 0, measure=fixed_payload(200_000, 200_000))
    render_text(small)  # far below: renders


@pytest.mark.parametrize("name", ["paper-sec21", "production-line", "two-tier-plant"])
@pytest.mark.parametrize("fog_nodes", [4, 18])
def test_rendered_ini_is_consistent(tmp_path, name, fog_nodes):
    sc = build_scenario(load_profile(name), fog_nodes, "fcddt", 2, measure=fixed_payload())
    paths = render(sc, tmp_path)
    ini = paths.ini.read_text()
    ned = paths.ned.read_text()
    assert f"network = {sc.network}" in ini
    assert re.search(rf"^network {sc.network}$", ned, re.M)
    assert "sim-time-limit = 6s" in ini
    assert "**.channel.utilization.result-recording-modes = last" in ini
    assert "**.vector-recording = false" in ini
    # one numApps line per host, and every app index below it configured
    for host, apps in plan_apps(sc).items():
        assert f"*.{host}.numApps = {len(apps)}" in ini
        for app in apps:
            kind = "UdpSink" if app.role == "sink" else "UdpBasicApp"
            assert f'*.{host}.app[{app.index}].typename = "{kind}"' in ini
    assert ned.count("<-->") == 2 * len(sc.links)
    assert not list(tmp_path.glob(".*.tmp"))


def test_vectors_only_when_asked(star_profile):
    sc = build_scenario(star_profile, 3, "none", 0)
    assert "endToEndDelay:vector.vector-recording = true" not in render_text(sc)[1]
    assert "endToEndDelay:vector.vector-recording = true" in render_text(sc, record_vectors=True)[1]
