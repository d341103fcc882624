# SPDX-License-Identifier: MIT
"""Read a profile's TCP table ([traffic.ml.tcp], or a flow's `tcp`) into a `TcpConfig`.

Only read when the transport is TCP, so a UDP profile records no TCP defaults. The
MSS defaults to what fits the MTU (MTU - 20 IPv4 - 20 TCP); every default used is
recorded in the scenario and printed by `fogcosim render`.
"""

from __future__ import annotations

from simulation.model.scenario_error import ScenarioError
from simulation.model.tcpconfig import IPV4_HEADER, TCP_HEADER, TcpConfig
from simulation.profile.tomlfields import ProfileError, Section

#: The table's keys, in the order `TcpConfig` declares them.
TCP_KEYS = (
    "algorithm", "mss", "advertised_window", "window_scaling", "nagle", "delayed_acks",
    "limited_transmit", "increased_iw", "sack", "timestamps", "ecn",
)  # fmt: skip


def read_transport(section: Section, default: str) -> str:
    """`transport` of a table, or `default` (recorded as a default used)."""
    value = section.get("transport")
    if value is None:
        section.note_default("transport", f'"{default}"')
        return default
    return str(value)


def read_tcp(section: Section, mtu: int) -> TcpConfig:
    """The TCP parameters of `section` (a `tcp` table), each error naming file and field."""
    values = {key: section.get(key) for key in TCP_KEYS}
    if values["mss"] is None:
        values["mss"] = mtu - IPV4_HEADER - TCP_HEADER
        section.note_default("mss", f"{values['mss']} (MTU {mtu} - 40)")
    try:
        config = TcpConfig.build(section.path, **values)
        config.check_mtu(mtu, section.path)
    except ScenarioError as exc:
        raise ProfileError(f"{section.file}: {exc}") from None
    return config
