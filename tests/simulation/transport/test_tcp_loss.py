# SPDX-License-Identifier: MIT
"""Loss recovery: fast retransmit, Reno vs NewReno, timeouts and back-off, RTO values, limited transmit."""

from __future__ import annotations

from itertools import pairwise

from simulation.embedded.transport.tcp import TcpConfig
from tests.simulation.transport.tcp_harness import MS, PS, Net, drop_data

NS = 1000
T0 = 100 * MS
SEG = 1460


def _bulk(
    config: TcpConfig, drops: tuple[int, ...], nbytes: int = 200 * SEG, until: int = 30 * PS
) -> Net:
    net = Net(config, drop_a=drop_data(*drops))
    net.open()
    net.at(T0, lambda: net.a.conn.send(nbytes))
    net.run(until)
    assert net.b.delivered_bytes() == nbytes
    return net


def _quiet(algorithm: str = "TcpNewReno", limited_transmit: bool = False) -> TcpConfig:
    return TcpConfig(
        algorithm=algorithm,
        delayed_acks=False,
        limited_transmit=limited_transmit,
        advertised_window=1 << 20,
    )


def _dupacks(net: Net, seq: int) -> list[int]:
    """Arrival times at the sender of pure ACKs acknowledging up to `seq` (the first is not a dup)."""
    return [
        s.time for s in net.arrivals if s.side == "a" and s.seg.ack == seq and not s.seg.payload
    ]


def _sends_of(net: Net, seq: int) -> list[tuple[int, bool]]:
    return [(s.time, s.dropped) for s in net.sent("a") if s.seg.seq == seq]


def test_a_single_loss_is_repaired_by_fast_retransmit_on_the_third_duplicate_ack():
    net = _bulk(_quiet(), drops=(30,))
    conn = net.a.conn
    lost = net.sent("a")[30].seg.seq
    acks = _dupacks(net, lost)
    (_, dropped), (again, _) = _sends_of(net, lost)
    assert dropped
    assert again == acks[3]  # the ACK itself, then duplicates 1, 2, 3
    assert (conn.fast_retransmits, conn.num_rtos, conn.retransmitted_segments) == (1, 0, 1)
    cwnd = dict(net.a.timed("cwnd"))
    before = max(v for t, v in net.a.timed("cwnd") if t < again)
    (ssthresh,) = [v for t, v in net.a.timed("ssthresh")]
    # RFC 5681 3.2 with INET's FlightSize = min(cwnd, rwnd): ssthresh = cwnd / 2, cwnd = ssthresh + 3 SMSS
    assert ssthresh == max(before // 2, 2 * SEG)
    assert cwnd[again] == ssthresh + 3 * SEG


def test_newreno_repairs_two_losses_in_one_recovery_and_reno_halves_twice():
    drops = (21, 24)  # two segments of the same flight
    newreno = _bulk(_quiet("TcpNewReno"), drops)
    reno = _bulk(_quiet("TcpReno"), drops)
    second = newreno.sent("a")[24].seg.seq
    assert second == reno.sent("a")[24].seg.seq
    # NewReno (RFC 6582): one fast retransmit; the partial ACK (ack = the second hole) resends it at once
    n = newreno.a.conn
    assert (n.fast_retransmits, n.num_rtos, n.retransmitted_segments) == (1, 0, 2)
    reductions = newreno.a.samples("ssthresh")
    assert len(reductions) == 1
    partial = _dupacks(newreno, second)[0]
    assert _sends_of(newreno, second)[1][0] == partial
    # Reno: the partial ACK ends fast recovery; three new duplicates start a second one,
    # halving ssthresh again
    r = reno.a.conn
    assert (r.fast_retransmits, r.num_rtos) == (2, 0)
    lowered = sorted({v for v in reno.a.samples("ssthresh") if v != 0xFFFFFFFF}, reverse=True)
    assert lowered == [reductions[0], reductions[0] // 2]
    assert _sends_of(reno, second)[1][0] == _dupacks(reno, second)[3]
    assert max(t for t, _ in reno.b.deliveries) > max(t for t, _ in newreno.b.deliveries)


def test_timeout_uses_the_initial_rto_then_doubles_it():
    net = _bulk(_quiet(), drops=(0, 1, 2), nbytes=1000, until=60 * PS)
    sends = _sends_of(net, net.a.conn.iss + 1)
    # no RTT sample yet: RTO = 3 s (INET), then 6 s and 12 s (RFC 6298 5.5)
    assert sends == [(T0, True), (T0 + 3 * PS, True), (T0 + 9 * PS, True), (T0 + 21 * PS, False)]
    assert net.a.timed("numRtos") == [(T0 + 3 * PS, 1), (T0 + 9 * PS, 2), (T0 + 21 * PS, 3)]
    # after each timeout: ssthresh = max(min(cwnd, rwnd) / 2, 2 SMSS), cwnd = 1 SMSS;
    # the ACK of the last retransmission is slow start again (cwnd < ssthresh)
    assert net.a.samples("cwnd") == [SEG, SEG, SEG, 2 * SEG]
    assert net.a.samples("ssthresh") == [2 * SEG, 2 * SEG, 2 * SEG]
    assert net.a.samples("rtt") == []  # Karn: retransmitted data is not timed
    # the backed-off RTO (24 s) stays until a new sample: the next loss waits 24 s
    net.links["a"].drop = drop_data(4)
    net.at(100 * PS, lambda: net.a.conn.send(1000))
    net.run(200 * PS)
    second = [t for t, dropped in _sends_of(net, net.a.conn.iss + 1001)]
    assert second == [100 * PS, 124 * PS]


def test_tcp_gives_up_after_twelve_timeouts():
    net = Net(_quiet(), drop_a=lambda index, seg: index >= 0)
    net.open()
    net.at(T0, lambda: net.a.conn.send(1000))
    net.run(4000 * PS)
    times = [t for t, _ in _sends_of(net, net.a.conn.iss + 1)]
    gaps = [(b - a) // PS for a, b in pairwise(times)]
    assert gaps == [3, 6, 12, 24, 48, 96, 192, 240, 240, 240, 240, 240]
    assert net.a.conn.num_rtos == 12
    assert net.a.conn.state_name == "CLOSED"
    assert net.a.conn.error.startswith("TCP gave up: segment ")
    assert "after 12 retransmissions" in net.a.conn.error
    assert not [k for k in net.timers if k[0] == "a"]


def test_rto_values_after_known_rtt_samples():
    net = Net(_quiet())
    net.open()
    for k in range(60):
        net.at(T0 + k * 100 * MS, lambda: net.a.conn.send(1000))
    net.run(10 * PS)
    rtt = 1040 * 8 * NS + 40 * 8 * NS + 2 * MS  # data and ACK on the wire, 1 ms each way
    assert net.a.samples("rtt") == [rtt * 1e-12] * 60
    # INET's first sample: SRTT = R/8, RTTVAR = 0.75 s + (R - 0.75 s)/8, RTO = SRTT + 4 RTTVAR
    srtt, rttvar = rtt // 8, 750 * 10**9 + (rtt - 750 * 10**9) // 8
    assert net.a.samples("srtt")[0] == srtt * 1e-12
    assert net.a.samples("rttvar")[0] == rttvar * 1e-12
    assert net.a.samples("rto")[0] == (srtt + 4 * rttvar) * 1e-12 == 2.6262554
    rto = net.a.samples("rto")
    assert all(b <= a for a, b in pairwise(rto))
    assert rto[-1] == 1.0  # RFC 6298 2.4: never below 1 s
    assert abs(net.a.samples("srtt")[-1] - rtt * 1e-12) < 1e-5


def test_limited_transmit_sends_one_new_segment_on_each_of_the_first_two_dupacks():
    plain = _bulk(_quiet(limited_transmit=False), drops=(30,))
    limited = _bulk(_quiet(limited_transmit=True), drops=(30,))
    for net, expected in ((plain, []), (limited, [1, 1])):
        lost = net.sent("a")[30].seg.seq
        dup1, dup2 = _dupacks(net, lost)[1:3]
        sent_on = [sum(1 for s in net.sent("a") if s.time == t) for t in (dup1, dup2)]
        assert [n for n in sent_on if n] == expected
    assert (plain.a.conn.limited_transmits, limited.a.conn.limited_transmits) == (0, 2)
