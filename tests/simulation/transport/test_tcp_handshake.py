# SPDX-License-Identifier: MIT
"""Three-way handshake: ISS, segments, MSS and window-scale negotiation, lost SYNs."""

from __future__ import annotations

from simulation.embedded.transport.tcp import ACK, SYN, TcpConfig, listener_samples
from tests.simulation.transport.tcp_harness import MS, PS, Net, drop_first

NS = 1000  # ps


def test_handshake_segments_iss_and_times():
    net = Net()  # 1 Gbit/s: 8 ns per byte; 1 ms each way
    net.open(at=1 * PS)
    net.run(2 * PS)
    syn, syn_ack, ack = (s.seg for s in net.log[:3])
    assert [s.time for s in net.log[:3]] == [
        1 * PS,
        1 * PS + 1 * MS + 384 * NS,
        1 * PS + 2 * MS + 768 * NS,
    ]
    # INET's ISS clock: 250000 per second of simulated time
    assert (syn.seq, syn.flags, syn.window, syn.mss, syn.wscale) == (250000, SYN, 65535, 1460, 0)
    assert syn.header_bytes() == 28  # MSS + NOP + WS
    # the server picks its ISS when the SYN arrives: 1.001000384 s * 250000
    assert (syn_ack.seq, syn_ack.ack, syn_ack.flags) == (250250, 250001, SYN | ACK)
    assert (syn_ack.mss, syn_ack.wscale) == (1460, 0)
    assert (ack.seq, ack.ack, ack.flags, ack.payload, ack.header_bytes()) == (
        250001,
        250251,
        ACK,
        0,
        20,
    )
    assert len(net.log) == 3
    assert net.a.established_at == 1 * PS + 2 * MS + 768 * NS
    assert net.b.established_at == 1 * PS + 3 * MS + 1088 * NS  # + 40-byte ACK (320 ns) + 1 ms
    assert net.a.samples("state") == [3, 5]  # SYN_SENT, ESTABLISHED
    assert net.b.samples("state") == [2, 4, 5]  # LISTEN, SYN_RCVD, ESTABLISHED
    assert net.a.conn.state_name == net.b.conn.state_name == "ESTABLISHED"
    assert not net.timers  # SYN-REXMIT and CONN-ESTAB cancelled on both sides


def test_smss_is_the_smaller_mss_of_the_two_ends():
    net = Net(TcpConfig(mss=1460, nagle=False), TcpConfig(mss=536, nagle=False))
    net.open()
    net.at(10 * MS, lambda: net.a.conn.send(2000))
    net.run(1 * PS)
    assert net.log[1].seg.mss == 536  # the SYN+ACK carries the lowered SMSS
    assert net.a.conn.snd_mss == net.b.conn.snd_mss == 536
    assert [s.seg.payload for s in net.sent("a")] == [536, 536, 536, 392]
    assert net.b.delivered_bytes() == 2000


def _scaled(window: int, server_scaling: bool = True) -> Net:
    net = Net(
        TcpConfig(advertised_window=window),
        TcpConfig(
            advertised_window=window if server_scaling else 65535, window_scaling=server_scaling
        ),
    )
    net.open()
    net.at(10 * MS, lambda: net.a.conn.send(1000))
    net.at(20 * MS, lambda: net.b.conn.send(1000))
    net.run(1 * PS)
    return net


def test_window_scale_shift_is_the_smallest_that_fits_the_buffer():
    net = _scaled(262144)
    syn, syn_ack = net.log[0].seg, net.log[1].seg
    # INET computes the client's space before its receive queue exists: 262144 - 1 -> shift 2;
    # the server's is the whole buffer, 262144 -> shift 3
    assert (syn.wscale, syn_ack.wscale) == (2, 3)
    assert syn.window == syn_ack.window == 65535  # SYN windows are never scaled
    a, b = net.a.conn, net.b.conn
    assert a.ws_enabled and b.ws_enabled
    assert (a.rcv_wnd_scale, a.snd_wnd_scale, b.rcv_wnd_scale, b.snd_wnd_scale) == (2, 3, 3, 2)
    # client offers min(262144, 65535 << 2) = 262140 as 65535 << 2; server 262144 as 32768 << 3
    assert net.sent("a")[0].seg.window == 65535 and b.snd_wnd == 262140
    assert net.sent("b")[0].seg.window == 32768 and a.snd_wnd == 262144


def test_window_scale_off_by_one_of_inet_at_powers_of_two():
    net = _scaled(131072)
    assert (net.log[0].seg.wscale, net.log[1].seg.wscale) == (1, 2)
    assert net.b.conn.snd_wnd == 131070  # 65535 << 1
    assert net.a.conn.snd_wnd == 131072  # 32768 << 2


def test_no_scaling_unless_both_ends_offer_it():
    net = _scaled(131072, server_scaling=False)
    syn, syn_ack = net.log[0].seg, net.log[1].seg
    assert syn.wscale == 1 and syn_ack.wscale == -1 and syn_ack.header_bytes() == 24
    assert not net.a.conn.ws_enabled and not net.b.conn.ws_enabled
    assert net.sent("a")[0].seg.window == 65535 and net.b.conn.snd_wnd == 65535


def test_lost_syn_is_resent_after_3_s_and_the_initial_window_drops_to_one_segment():
    net = Net(TcpConfig(delayed_acks=False), drop_a=drop_first(lambda s: bool(s.flags & SYN)))
    net.open(at=1 * PS)
    net.at(5 * PS, lambda: net.a.conn.send(20000))
    net.run(6 * PS)
    syns = [s for s in net.log if s.side == "a" and s.seg.flags & SYN]
    assert [(s.time, s.dropped, s.seg.seq) for s in syns] == [
        (1 * PS, True, 250000),
        (4 * PS, False, 250000),
    ]
    assert syns[1].seg.mss == 1460 and syns[1].seg.wscale == 0  # options on the retransmission too
    assert net.a.established_at == 4 * PS + 2 * MS + 768 * NS
    # RFC 3390: after a lost SYN the initial window is one segment, the server's stays 3
    assert net.a.conn.syn_rexmit_count == 1 and net.b.conn.syn_rexmit_count == 0
    first_flight = [s for s in net.sent("a") if s.time == 5 * PS]
    assert [s.seg.payload for s in first_flight] == [1460]
    assert net.b.conn.cwnd == 4380


def test_lost_syn_ack_is_resent_by_the_server():
    net = Net(drop_b=drop_first(lambda s: bool(s.flags & SYN)))
    net.open()
    net.run(10 * PS)
    resent = [s for s in net.log if s.side == "b" and s.seg.flags & SYN]
    assert [s.dropped for s in resent] == [True, False]
    assert resent[1].time - resent[0].time == 3 * PS
    assert net.a.conn.state_name == net.b.conn.state_name == "ESTABLISHED"
    assert net.b.conn.cwnd == 1460  # its SYN+ACK was retransmitted


def test_data_written_before_establishment_rides_on_the_handshake_ack():
    net = Net()
    net.open(fork=True)
    net.at(0, lambda: net.a.conn.send(1000))
    net.run(10 * MS)
    third = net.log[2].seg
    assert (third.flags, third.payload, third.seq) == (ACK, 1000, 1)
    # a forked server reports the connection (TCP_I_AVAILABLE) but keeps data until accepted
    assert net.b.established_at is not None and net.b.deliveries == []
    net.b.conn.accept()
    assert net.b.deliveries == [(10 * MS, 1000)]


def test_no_answer_ends_the_connection_with_a_one_line_reason():
    net = Net(drop_a=lambda i, s: True)
    net.open()
    net.run(100 * PS)
    syn_times = [s.time for s in net.log if s.side == "a"]
    assert syn_times == [0, 3 * PS, 9 * PS, 21 * PS, 45 * PS]  # 3 s doubling
    assert net.a.conn.state_name == "CLOSED"
    assert net.a.conn.error == "TCP connection establishment timed out (no SYN+ACK within 75 s)"
    assert net.b.conn.state_name == "LISTEN"


def test_a_forked_connection_records_what_inets_clone_records():
    net = Net()
    net.open(at=1 * PS, fork=True)
    net.run(2 * PS)
    syn = net.log[0].seg
    # the clone starts in LISTEN silently; the listener module records LISTEN and the SYN
    assert net.b.samples("state") == [4, 5]
    assert net.b.samples("rcvSeq") == [net.a.conn.snd_max]  # the handshake ACK's, not the SYN's
    assert listener_samples(syn) == (("rcvSeq", 250000), ("rcvAck", 0), ("tcpRcvPayloadBytes", 0))
    listen_once = Net()
    listen_once.open(at=1 * PS)
    listen_once.run(2 * PS)
    assert listen_once.b.samples("state") == [2, 4, 5]
    assert listen_once.b.samples("rcvSeq") == [250000, 250001]


def test_close_sends_fin_after_the_data_and_both_ends_reach_closed():
    net = Net()
    net.open()
    net.at(10 * MS, lambda: net.a.conn.send(5000))
    net.at(10 * MS, net.a.conn.close)
    net.at(50 * MS, net.b.conn.close)
    net.run(300 * PS)
    assert net.b.delivered_bytes() == 5000
    fins = [s for s in net.log if s.seg.flags & 0x01]
    assert [(s.side, s.seg.payload) for s in fins] == [("a", 620), ("b", 0)]  # FIN on the tail
    # FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, then CLOSED 2 MSL (240 s) after the peer's FIN
    assert net.a.samples("state") == [3, 5, 8, 9, 11, 1]
    assert net.a.timed("state")[-1][0] == fins[1].time + 1 * MS + 320 * NS + 240 * PS
    assert net.b.samples("state") == [2, 4, 5, 6, 7, 1]  # CLOSE_WAIT, LAST_ACK, CLOSED
    assert net.a.conn.error is None and net.b.conn.error is None
