# SPDX-License-Identifier: MIT
"""Data transfer without loss: slow start, congestion avoidance, Nagle, delayed ACKs, rwnd."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from simulation.embedded.transport.tcp import TcpConfig
from tests.simulation.transport.tcp_harness import MS, PS, Net, drop_data

NS = 1000
US = 1000 * NS
T0 = 100 * MS  # writes happen well after the handshake


def test_slow_start_doubles_the_window_every_round_trip():
    config = TcpConfig(delayed_acks=False, increased_iw=False, advertised_window=1 << 20)
    net = Net(config, rate_bps=10_000_000_000, delay_ps=10 * MS)
    net.open()
    net.at(T0, lambda: net.a.conn.send(120 * 1460))
    net.run(1 * PS)
    rtt = 20 * MS  # serialisation (1.2 us per segment) is far below one RTT
    per_round = Counter((s.time - T0) // rtt for s in net.sent("a"))
    assert [per_round[r] for r in range(7)] == [1, 2, 4, 8, 16, 32, 57]
    # RFC 5681 3.1: cwnd += SMSS for every ACK of new data, from IW = 1 SMSS
    assert net.a.samples("cwnd")[:30] == [1460 * k for k in range(2, 32)]
    assert net.b.delivered_bytes() == 120 * 1460


def test_increased_initial_window_is_three_full_segments():
    net = Net(TcpConfig(delayed_acks=False))
    net.open()
    net.at(T0, lambda: net.a.conn.send(10 * 1460))
    net.run(1 * PS)
    assert [s.seg.payload for s in net.sent("a") if s.time == T0] == [1460, 1460, 1460]


def test_congestion_avoidance_grows_about_one_mss_per_round_trip():
    config = TcpConfig(
        delayed_acks=False, increased_iw=False, limited_transmit=False, advertised_window=1 << 20
    )
    net = Net(config, rate_bps=10_000_000_000, delay_ps=10 * MS, drop_a=drop_data(40))
    net.open()
    net.at(T0, lambda: net.a.conn.send(600 * 1460))
    net.run(3 * PS)
    assert net.b.delivered_bytes() == 600 * 1460
    conn = net.a.conn
    assert (conn.fast_retransmits, conn.num_rtos) == (1, 0)
    (ssthresh,) = net.a.samples("ssthresh")
    assert ssthresh == 59860 // 2  # min(cwnd, rwnd) / 2 at the third duplicate ACK
    cwnd = net.a.timed("cwnd")
    exit_at = next(i for i, (_, v) in enumerate(cwnd) if i and v < cwnd[i - 1][1] and v <= ssthresh)
    after = [v for _, v in cwnd[exit_at:]]
    assert after[0] < ssthresh  # full ACK: min(ssthresh, FlightSize + SMSS)
    avoidance = 0
    for prev, cur in pairwise(after):
        if prev >= ssthresh:
            assert cur - prev == max(1460 * 1460 // prev, 1)  # RFC 5681 eq. 3, integer bytes
            avoidance += 1
        else:
            assert cur - prev == 1460
    assert avoidance > 100
    # over one round trip (about cwnd / SMSS ACKs) cwnd grows by about one SMSS, not doubling
    times = [t for t, _ in cwnd[exit_at:]]
    start = next(i for i, v in enumerate(after) if v >= ssthresh)
    end = next(i for i, t in enumerate(times) if t >= times[start] + 20 * MS)
    assert 1200 <= after[end] - after[start] <= 1800  # slow start would add about 30000


def _writes(nagle: bool, sizes_at: list[tuple[int, int]]) -> Net:
    net = Net(TcpConfig(nagle=nagle, delayed_acks=False))
    net.open()
    for t, n in sizes_at:
        net.at(t, lambda n=n: net.a.conn.send(n))
    net.run(1 * PS)
    return net


def test_nagle_holds_the_tail_of_a_write_until_everything_is_acknowledged():
    net = _writes(True, [(T0, 3000)])
    sends = [(s.time - T0, s.seg.payload) for s in net.sent("a")]
    # 2 x 1460 at once; the 80-byte tail leaves when the ACK of the second segment arrives:
    # 2 x 12 us on the wire + 1 ms, ACK 320 ns + 1 ms
    assert sends == [(0, 1460), (0, 1460), (2 * MS + 24 * US + 320 * NS, 80)]
    no_nagle = _writes(False, [(T0, 3000)])
    assert [(s.time - T0, s.seg.payload) for s in no_nagle.sent("a")] == [
        (0, 1460),
        (0, 1460),
        (0, 80),
    ]


def test_nagle_holds_a_small_write_while_data_is_unacknowledged():
    net = _writes(True, [(T0, 100), (T0 + 1 * US, 100)])
    # the first 100 bytes: 140 bytes on the wire (1120 ns) + 1 ms; ACK back 320 ns + 1 ms
    assert [(s.time - T0, s.seg.payload) for s in net.sent("a")] == [
        (0, 100),
        (2 * MS + 1440 * NS, 100),
    ]
    no_nagle = _writes(False, [(T0, 100), (T0 + 1 * US, 100)])
    assert [(s.time - T0, s.seg.payload) for s in no_nagle.sent("a")] == [(0, 100), (1 * US, 100)]


def test_without_nagle_inet_sends_sub_mss_segments_in_congestion_avoidance():
    config = TcpConfig(
        nagle=False, delayed_acks=False, limited_transmit=False, advertised_window=1 << 20
    )
    net = Net(config, rate_bps=10_000_000_000, delay_ps=10 * MS, drop_a=drop_data(40))
    net.open()
    net.at(T0, lambda: net.a.conn.send(600 * 1460))
    net.run(3 * PS)
    sizes = {s.seg.payload for s in net.sent("a")}
    assert any(0 < n < 1460 for n in sizes)  # cwnd counts bytes: windows end mid-segment
    with_nagle = Net(TcpConfig(delayed_acks=False, limited_transmit=False, advertised_window=1 << 20),
                     rate_bps=10_000_000_000, delay_ps=10 * MS, drop_a=drop_data(40))  # fmt: skip
    with_nagle.open()
    with_nagle.at(T0, lambda: with_nagle.a.conn.send(600 * 1460))
    with_nagle.run(3 * PS)
    assert {s.seg.payload for s in with_nagle.sent("a")} == {1460}


def _acks_of_b(net: Net) -> list[tuple[int, int]]:
    return [(s.time - T0, s.seg.ack) for s in net.log if s.side == "b" and s.time >= T0]


def test_delayed_ack_waits_200_ms_for_a_single_segment():
    net = Net(TcpConfig(delayed_acks=True))
    net.open()
    net.at(T0, lambda: net.a.conn.send(100))
    net.run(1 * PS)
    arrival = 1 * MS + 1120 * NS
    start = net.a.conn.iss + 1
    assert _acks_of_b(net) == [(arrival + 200 * MS, start + 100)]


def test_delayed_ack_acknowledges_every_second_full_segment_at_once():
    net = Net(TcpConfig(delayed_acks=True))
    net.open()
    net.at(T0, lambda: net.a.conn.send(2 * 1460))
    net.run(1 * PS)
    start = net.a.conn.iss + 1
    assert _acks_of_b(net) == [(24 * US + 1 * MS, start + 2920)]


def test_a_one_byte_segment_is_acknowledged_at_once():
    net = Net(TcpConfig(delayed_acks=True))
    net.open()
    net.at(T0, lambda: net.a.conn.send(1))
    net.run(1 * PS)
    assert _acks_of_b(net) == [(328 * NS + 1 * MS, net.a.conn.iss + 2)]


def test_the_sender_never_has_more_than_the_receiver_window_outstanding():
    window = 16384
    net = Net(
        TcpConfig(advertised_window=window, delayed_acks=False),
        rate_bps=1_000_000_000,
        delay_ps=20 * MS,
    )
    net.open()
    total = 400_000
    net.at(T0, lambda: net.a.conn.send(total))
    net.run(10 * PS)
    assert net.b.delivered_bytes() == total
    acked = net.a.conn.iss + 1
    arrivals = iter(sorted((s.time, s.seg.ack) for s in net.arrivals if s.side == "a"))
    pending = next(arrivals, None)
    worst = 0
    for sent in net.sent("a"):
        while pending is not None and pending[0] <= sent.time:
            acked = max(acked, pending[1])
            pending = next(arrivals, None)
        worst = max(worst, sent.seg.seq + sent.seg.payload - acked)
    assert window - 1460 < worst <= window  # the window is used, never exceeded
    # throughput is window / RTT at most: 400000 bytes need at least 24 windows of 40 ms
    last = max(t for t, _ in net.b.deliveries)
    assert last - T0 >= (total // window) * 40 * MS


def test_delayed_acks_answer_out_of_order_data_at_once_but_not_the_segment_that_fills_the_gap():
    config = TcpConfig(delayed_acks=True, limited_transmit=False, advertised_window=1 << 20)
    net = Net(config, drop_a=drop_data(10))
    net.open()
    net.at(T0, lambda: net.a.conn.send(14 * 1460))  # rounds of 3, 6, 5: #11-#13 follow the hole
    net.run(2 * PS)
    assert net.b.delivered_bytes() == 14 * 1460
    hole = net.sent("a")[10].seg.seq
    arrivals_b = [s for s in net.arrivals if s.side == "b" and s.seg.payload]
    acks_b = [s for s in net.log if s.side == "b"]
    # each out-of-order segment is answered at once by a duplicate ACK (RFC 5681 4.2)
    refill = next(s.time for s in arrivals_b if s.seg.seq == hole)
    early = [s.time for s in arrivals_b if s.seg.seq > hole and s.time < refill]
    assert len(early) == 3
    assert all(any(a.time == t and a.seg.ack == hole for a in acks_b) for t in early)
    # the retransmission fills the gap; INET (no SACK) delays that ACK by 200 ms
    final = next(s for s in acks_b if s.seg.ack == net.a.conn.iss + 1 + 14 * 1460)
    assert final.time == refill + 200 * MS
    assert net.a.conn.fast_retransmits == 1
