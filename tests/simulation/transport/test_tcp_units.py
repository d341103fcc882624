# SPDX-License-Identifier: MIT
"""The pure parts: sequence arithmetic, header sizes, RTO estimation, buffers, cwnd formulas."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from simulation.embedded.transport.tcp import ACK, SYN, Segment, seqnum
from simulation.embedded.transport.tcp.buffers import ReceiveBuffer, SendBuffer
from simulation.embedded.transport.tcp.congestion import initial_window
from simulation.embedded.transport.tcp.flavours import TcpNewReno, TcpReno
from simulation.embedded.transport.tcp.rto import RtoEstimator
from tests.simulation.transport.tcp_harness import Net

MS = 10**9
S = 10**12


def test_sequence_comparisons_wrap_around_2_32():
    assert seqnum.lt(0xFFFFFFF0, 5) and seqnum.gt(5, 0xFFFFFFF0)
    assert seqnum.le(7, 7) and seqnum.ge(7, 7) and not seqnum.lt(7, 7)
    assert seqnum.diff(3, 0xFFFFFFFE) == 5
    assert seqnum.diff(0xFFFFFFFE, 3) == -5


def test_simtime_rounding_is_omnetpps_half_up():
    assert seqnum.scale(4, 0.125) == 1  # 0.5 rounds up
    assert seqnum.scale(-4, 0.125) == 0  # -0.5 rounds up too (floor(x + 0.5))
    assert seqnum.scale(-12, 0.125) == -1  # -1.5 -> -1
    assert seqnum.seconds(0.2) == 200 * MS
    assert seqnum.seconds(1.5) == 1_500 * MS


@pytest.mark.parametrize(
    ("seg", "size"),
    [
        (Segment(1, 2, 0, 0, ACK, 100, 1460), 20),
        (Segment(1, 2, 0, 0, SYN, 100, 0, mss=1460), 24),
        (Segment(1, 2, 0, 0, SYN | ACK, 100, 0, mss=536, wscale=0), 28),
    ],
)
def test_header_bytes_count_the_options_inet_writes(seg, size):
    assert seg.header_bytes() == size


def test_seg_len_counts_syn_and_fin():
    assert Segment(1, 2, 0, 0, SYN, 0, 0).seg_len() == 1
    assert Segment(1, 2, 0, 0, ACK, 0, 300).seg_len() == 300


def test_rto_after_known_samples_follows_inets_jacobson_filter():
    est = RtoEstimator()
    assert (est.srtt, est.rttvar, est.rto) == (0, 750 * MS, 3 * S)
    est.sample(100 * MS)
    # INET: srtt = 0 + 100/8 ms; rttvar = 750 + (100 - 750)/8 ms; rto = srtt + 4 rttvar
    assert est.srtt == 12_500_000_000
    assert est.rttvar == 668_750_000_000
    assert est.rto == 2_687_500_000_000
    # RFC 6298 2.2 would give SRTT = 100 ms, RTTVAR = 50 ms, RTO = max(1 s, 300 ms) = 1 s
    assert est.rto != 1 * S
    est.sample(100 * MS)
    # err = 100 - 12.5 = 87.5 ms: srtt += 10.9375 ms; rttvar += (87.5 - 668.75) / 8 ms
    assert est.srtt == 23_437_500_000
    assert est.rttvar == 596_093_750_000
    assert est.rto == 23_437_500_000 + 4 * 596_093_750_000


def test_rto_never_goes_below_one_second_and_backs_off_to_240():
    est = RtoEstimator()
    for _ in range(200):
        est.sample(2 * MS)
    assert est.rto == 1 * S
    assert abs(est.srtt - 2 * MS) <= 8
    seen = []
    for _ in range(10):
        est.back_off()
        seen.append(est.rto // S)
    assert seen == [2, 4, 8, 16, 32, 64, 128, 240, 240, 240]


def test_receive_buffer_keeps_out_of_order_data_until_the_gap_fills():
    buf = ReceiveBuffer()
    buf.init(0xFFFFFF00)  # wraps during the test
    assert buf.insert(0xFFFFFF00 + 1000, 500) == 0xFFFFFF00  # above sequence: rcv_nxt stays
    assert buf.buffered() == 500 and buf.extract_up_to(0xFFFFFF00) == 0
    assert buf.insert(0xFFFFFF00 + 2000, 100) == 0xFFFFFF00
    assert buf.insert(0xFFFFFF00, 1000) == (0xFFFFFF00 + 1500) & 0xFFFFFFFF  # fills the first gap
    assert buf.extract_up_to((0xFFFFFF00 + 1500) & 0xFFFFFFFF) == 1500
    assert buf.buffered() == 100
    assert buf.insert(0xFFFFFF00 + 1400, 700) == (0xFFFFFF00 + 2100) & 0xFFFFFFFF  # overlaps both
    assert buf.extract_up_to((0xFFFFFF00 + 2100) & 0xFFFFFFFF) == 600
    assert buf.buffered() == 0


def test_receive_buffer_first_seq_before_init_is_inets_minus_one():
    assert ReceiveBuffer().first_seq() == 0xFFFFFFFF


def test_send_buffer_counts_bytes_after_a_sequence_number():
    buf = SendBuffer()
    buf.init(0xFFFFFFFE)
    buf.enqueue(10)
    assert buf.available(0xFFFFFFFE) == 10
    assert buf.available(3) == 5
    assert buf.available(8) == 0


@pytest.mark.parametrize(
    ("mss", "iw"), [(536, 2144), (1460, 4380), (1095, 4380), (2190, 4380), (3000, 6000)]
)
def test_initial_window_is_rfc_3390(mss, iw):
    assert initial_window(mss) == iw


@dataclass
class Stub:
    """Just the connection fields a flavour reads and writes, with its actions logged."""

    cwnd: int
    ssthresh: int
    snd_mss: int = 1460
    snd_wnd: int = 10**6
    snd_una: int = 1000
    snd_max: int = 1000
    dupacks: int = 0
    dupthresh: int = 3
    loss_recovery: bool = False
    after_rto: bool = False
    increased_iw: bool = False
    syn_rexmit_count: int = 0
    time_last_data_sent: int = 0
    rtt: RtoEstimator = field(default_factory=RtoEstimator)
    fast_retransmits: int = 0
    actions: list[str] = field(default_factory=list)
    emitted: list[tuple[str, float]] = field(default_factory=list)

    def now(self) -> int:
        return 0

    def emit(self, name: str, value: float) -> None:
        self.emitted.append((name, value))

    def transmit(self, window: int) -> bool:
        self.actions.append(f"send {window}")
        return True

    def send_ack(self) -> None:
        self.actions.append("ack")

    def send_buffer_empty(self) -> bool:
        return True

    def retransmit_one_segment(self, at_rto: bool) -> None:
        self.actions.append("rexmit")

    def restart_rexmit_timer(self) -> None:
        self.actions.append("restart")


def test_congestion_avoidance_adds_mss_squared_over_cwnd_per_ack():
    c = Stub(cwnd=14600, ssthresh=14600)
    TcpNewReno().on_new_ack(c, 0)
    assert c.cwnd == 14600 + 1460 * 1460 // 14600 == 14746
    TcpNewReno().on_new_ack(c, 0)
    assert c.cwnd == 14746 + 1460 * 1460 // 14746  # 144: integer division, not 144.55
    big = Stub(cwnd=3_000_000, ssthresh=1)
    TcpNewReno().on_new_ack(big, 0)
    assert big.cwnd == 3_000_001  # at least one byte per ACK


def test_slow_start_adds_one_mss_per_ack_and_reno_also_samples_ssthresh():
    c = Stub(cwnd=2920, ssthresh=0xFFFFFFFF)
    TcpReno().on_new_ack(c, 0)
    assert c.cwnd == 4380
    assert c.emitted == [("cwnd", 4380), ("ssthresh", 0xFFFFFFFF)]
    n = Stub(cwnd=2920, ssthresh=0xFFFFFFFF)
    TcpNewReno().on_new_ack(n, 0)
    assert n.emitted == [("cwnd", 4380)]


def test_third_dupack_sets_ssthresh_from_min_of_cwnd_and_peer_window():
    c = Stub(cwnd=20000, ssthresh=0xFFFFFFFF, snd_wnd=12000, dupacks=3, snd_una=5000, snd_max=25000)
    TcpNewReno().on_duplicate_ack(c)
    # INET: FlightSize = min(cwnd, snd_wnd) = 12000, not snd_max - snd_una = 20000
    assert c.ssthresh == 6000
    assert c.cwnd == 6000 + 3 * 1460
    assert c.actions == ["rexmit", "send 10380"]
    assert c.loss_recovery and c.fast_retransmits == 1


def test_persist_timeouts_and_inets_rto_overwrite():
    net = Net()
    conn = net.a.conn
    seen = []
    for _ in range(8):
        conn.persist_timer_fired()  # nothing to send: no probe, only the schedule
        seen.append((conn.persist_timeout, conn.rtt.rto))
    # factor 1, 2, 4, ... 64 times 1.5 s; INET writes its 5 s / 60 s bounds into the RTO
    assert [p for p, _ in seen] == [s * S // 2 for s in (3, 6, 12, 24, 48, 96, 192, 192)]
    assert [r for _, r in seen] == [5 * S] * 6 + [60 * S] * 2  # 1.5 s, 3 s < 5 s; 96 s > 60 s
