# SPDX-License-Identifier: MIT
import pytest

from simulation.model import units


@pytest.mark.parametrize(
    ("text", "ps"),
    [("400ms", 400 * 10**9), ("1s", 10**12), ("50ns", 50_000), ("0.5us", 500_000), ("3ps", 3)],
)
def test_parse_time_exact(text, ps):
    assert units.parse_time_ps(text) == ps


@pytest.mark.parametrize("text", ["400", "ms", "4 hours", "1.5ps", "-3ms", ""])
def test_parse_time_rejects(text):
    with pytest.raises(units.QuantityError, match=r"time|resolution"):
        units.parse_time_ps(text)


def test_rates_and_lengths():
    assert units.parse_rate_bps("1Gbps") == 10**9
    assert units.parse_rate_bps("100Mbps") == 10**8
    assert units.cable_delay_ps(units.parse_length_m("10m")) == 50_000  # 10 m / 2e8 m/s


@pytest.mark.parametrize("ps", [0, 1, 1000, 400 * 10**9, 6 * 10**12, 123_456_789_000])
def test_format_time_round_trips(ps):
    assert units.parse_time_ps(units.format_time(ps)) == ps


def test_format_rate():
    assert units.format_rate(10**9) == "1Gbps"
    assert units.format_rate(25 * 10**9) == "25Gbps"
