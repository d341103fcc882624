# SPDX-License-Identifier: MIT
"""Building and sending segments: data within the windows, retransmissions, ACKs, SYNs.

Each function sends its segments through `_tx` in the order INET's TcpConnection hands
them to IP (one `send()` per segment from the Tcp module, so one IPv4 event each, in
this order). The receive window advertised in every segment is computed as INET's
`updateRcvWnd` does, see `window_field`.
"""

from __future__ import annotations

import math

from simulation.embedded.transport.tcp import seqnum, signals
from simulation.embedded.transport.tcp.segment import ACK, FIN, RST, SYN, Segment
from simulation.embedded.transport.tcp.seqnum import to_seconds
from simulation.embedded.transport.tcp.tcb import (
    DELAYED_ACK,
    INIT,
    LISTEN,
    REXMIT,
    SYN_RCVD,
    SYN_REXMIT,
    SYN_REXMIT_TIMEOUT,
    SYN_SENT,
    Tcb,
)
from simulation.model.tcpconfig import MAX_SHIFT, MAX_WIN

MASK = seqnum.MASK


class Sending(Tcb):
    """Segment construction and transmission (INET's TcpConnectionUtil send functions)."""

    __slots__ = ()

    # -- connection setup ---------------------------------------------------------------

    def select_iss(self) -> None:
        """The initial sequence number, INET's clock: 250000 per second of simulated time.

        RFC 9293 3.4.1 asks for a 4-microsecond clock plus a keyed hash (RFC 6528);
        INET uses floor(fmod(t * 250000, 2^32)) with t in seconds as a double.
        """
        iss = int(math.fmod(to_seconds(self._now()) * 250000.0, 4294967296.0)) & MASK
        self.iss = self.snd_una = self.snd_nxt = self.snd_max = iss
        self.sendbuf.init(iss + 1)

    def start_syn_rexmit_timer(self) -> None:
        """SYN / SYN+ACK retransmission: 3 s, doubling up to 240 s (INET's own timer)."""
        self.syn_rexmit_count = 0
        self.syn_rexmit_timeout = SYN_REXMIT_TIMEOUT
        self.schedule(SYN_REXMIT, self.syn_rexmit_timeout)

    # -- receive window ---------------------------------------------------------------

    def rcv_queue_used(self) -> int:
        """Bytes held in the receive buffer, emitted as tcpRcvQueueBytes (updateRcvQueueVars)."""
        used = min(self.rcvbuf.buffered(), self.max_rcv_buffer)
        self.emit(signals.RCV_QUEUE_BYTES, used)
        return used

    def update_rcv_wnd(self) -> int:
        """Recompute rcv_wnd for an outgoing segment; return the 16-bit window field.

        RFC 9293 3.8.6.2.2 receiver-side silly-window avoidance, as INET applies it:
        offer 0 when the free buffer is below both a quarter of the buffer and one
        SMSS; never shrink the right edge already advertised (rcv_adv); cap at 65535,
        or 65535 << shift once window scaling is on (RFC 7323 2.3), and send it
        shifted right by the scale. The app reads at once (autoRead), so the free
        buffer is the buffer minus out-of-order bytes.
        """
        win = self.max_rcv_buffer - self.rcv_queue_used()
        if win < self.max_rcv_buffer // 4 and win < self.snd_mss:
            win = 0
        room = (self.rcv_adv - self.rcv_nxt) & MASK
        if win < room:
            win = room
        shift = self.rcv_wnd_scale if self.ws_enabled else 0
        top = MAX_WIN << shift
        if win > top:
            win = top
        if win > 0 and seqnum.ge(self.rcv_nxt + win, self.rcv_adv):
            self.rcv_adv = (self.rcv_nxt + win) & MASK
            self.emit(signals.RCV_ADV, self.rcv_adv)
        self.rcv_wnd = win
        self.emit(signals.RCV_WND, win)
        return win >> shift

    # -- segment output ---------------------------------------------------------------

    def to_ip(self, seg: Segment) -> None:
        """Hand one segment to IP (INET's sendToIP, with its sndNxt/sndAck samples).

        INET samples sndNxt only when the payload is longer than the TCP header
        (it compares the payload packet with the header chunk before joining them).
        """
        if seg.payload > seg.header_bytes():
            self.emit(signals.SND_NXT, seg.seq)
        self.emit(signals.SND_ACK, seg.ack)
        self.segments_sent += 1
        self._tx(seg)

    def syn_options(self, seg: Segment) -> None:
        """MSS and Window Scale options of a SYN or SYN+ACK (INET's writeHeaderOptions).

        Options go on the first SYN (state INIT), on the SYN+ACK answering a SYN
        (LISTEN), and on retransmitted SYNs and SYN+ACKs. The MSS option carries the
        current SMSS (already lowered to the peer's MSS on the passive side). Window
        Scale goes on the SYN if supported, on the SYN+ACK only if the SYN had it
        (RFC 7323 1.3). The shift is the smallest that fits the free buffer into 16
        bits, at most 14 (RFC 7323 2.3); INET computes that space as
        first_seq + buffer - rcv_nxt, which on the active side, before the receive
        queue is initialised, is buffer - 1 (so 131072 gives shift 1 there but 2 on
        the passive side).
        """
        state = self.state
        if not (
            state in (INIT, LISTEN) or (state in (SYN_SENT, SYN_RCVD) and self.syn_rexmit_count)
        ):
            return
        if self.snd_mss > 0:
            seg.mss = self.snd_mss
        if self.ws_support and (
            self.rcv_ws or state == INIT or (state == SYN_SENT and self.syn_rexmit_count > 0)
        ):
            space = (self.rcvbuf.first_seq() + self.max_rcv_buffer - self.rcv_nxt) & MASK
            shift = 0
            while space > MAX_WIN and shift < MAX_SHIFT:
                space >>= 1
                shift += 1
            self.rcv_wnd_scale = shift
            seg.wscale = shift
            self.snd_ws = True
            self.ws_enabled = self.rcv_ws

    def send_syn(self) -> None:
        """<SEQ=ISS><CTL=SYN> with options; the window field is the unscaled rcv_wnd."""
        self.update_rcv_wnd()
        seg = Segment(self.local_port, self.remote_port, self.iss, 0, SYN, self.rcv_wnd & 0xFFFF, 0)
        self.snd_max = self.snd_nxt = (self.iss + 1) & MASK
        self.syn_options(seg)
        self.to_ip(seg)

    def send_syn_ack(self) -> None:
        """<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with options.

        The window field is rcv_wnd unscaled and truncated to 16 bits, as INET sets
        it: on a retransmitted SYN+ACK with scaling agreed and a window above 64 KiB
        INET sends the low 16 bits (reproduced).
        """
        self.update_rcv_wnd()
        seg = Segment(
            self.local_port, self.remote_port, self.iss, self.rcv_nxt, SYN | ACK,
            self.rcv_wnd & 0xFFFF, 0,
        )  # fmt: skip
        self.snd_max = self.snd_nxt = (self.iss + 1) & MASK
        self.syn_options(seg)
        self.to_ip(seg)
        self.ack_sent()

    def send_ack(self) -> None:
        """<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, no data."""
        window = self.update_rcv_wnd()
        self.to_ip(
            Segment(self.local_port, self.remote_port, self.snd_nxt, self.rcv_nxt, ACK, window, 0)
        )
        self.ack_sent()

    def send_fin(self) -> None:
        """A FIN+ACK at snd_nxt without data."""
        window = self.update_rcv_wnd()
        seg = Segment(
            self.local_port, self.remote_port, self.snd_nxt, self.rcv_nxt, FIN | ACK, window, 0
        )
        self.to_ip(seg)
        self.ack_sent()

    def send_rst(self, seq: int, ack: int = 0, with_ack: bool = False) -> None:
        """A reset (RST, or RST+ACK answering a segment without ACK); no samples."""
        flags = RST | ACK if with_ack else RST
        self.segments_sent += 1
        self._tx(Segment(self.local_port, self.remote_port, seq & MASK, ack & MASK, flags, 0, 0))

    def send_segment(self, nbytes: int) -> int:
        """One segment of up to `nbytes` from snd_nxt (INET's sendSegment); return its length.

        A segment whose data starts below snd_max is counted as a retransmission.
        The deferred FIN rides on the segment that reaches snd_fin_seq.
        """
        avail = self.sendbuf.available(self.snd_nxt)
        if nbytes > avail:
            nbytes = avail
        seq = self.snd_nxt
        window = self.update_rcv_wnd()
        self.snd_nxt = (seq + nbytes) & MASK
        if self.after_rto and seqnum.ge(self.snd_nxt, self.snd_max):
            self.after_rto = False
        flags = ACK
        if self.fin_pending and self.snd_nxt == self.snd_fin_seq:
            flags |= FIN
            self.snd_nxt = (self.snd_fin_seq + 1) & MASK
        if seqnum.lt(seq, self.snd_max):
            self.retransmitted_segments += 1
            self.retransmitted_bytes += nbytes
        self.data_segments_sent += 1
        self.bytes_sent += nbytes
        self.to_ip(
            Segment(self.local_port, self.remote_port, seq, self.rcv_nxt, flags, window, nbytes)
        )
        if seqnum.gt(self.snd_nxt, self.snd_max):
            self.snd_max = self.snd_nxt
        return nbytes

    def transmit(self, window: int) -> bool:
        """Send what min(window, snd_wnd) allows (INET's TcpConnection::sendData).

        Full-size segments first; then the rest, unless Nagle holds it: RFC 896 /
        RFC 1122 4.2.3.4 as INET applies it, a sub-MSS segment waits while any data
        is unacknowledged, the full segments just sent included (so a write larger
        than one MSS sends its tail only after the ACK), unless it carries the FIN.
        Without Nagle a window that is not a multiple of the MSS yields a sub-MSS
        segment. Out of a timeout (after_rto) sending continues from snd_nxt
        (go-back-N), else from snd_max. True if anything was sent.
        """
        if not self.after_rto:
            self.snd_nxt = self.snd_max
        buffered = self.sendbuf.available(self.snd_nxt)
        if buffered == 0:
            return False
        usable = min(self.snd_wnd, window) - ((self.snd_nxt - self.snd_una) & MASK)
        if usable <= 0:
            return False
        left = min(buffered, usable)
        mss = self.snd_mss
        old_snd_nxt = self.snd_nxt
        while left >= mss:
            left -= self.send_segment(mss)
        if left > 0:
            unacked = self.snd_una != self.snd_max
            with_fin = self.fin_pending and (self.snd_nxt + left) & MASK == self.snd_fin_seq
            if not (self.nagle and unacked and not with_fin):
                self.send_segment(left)
        if old_snd_nxt == self.snd_nxt:
            return False
        self.emit(signals.UNACKED, (self.snd_max - self.snd_una) & MASK)
        self.ack_sent()
        self.data_sent(old_snd_nxt)
        return True

    def retransmit_one_segment(self, at_rto: bool) -> None:
        """Resend one SMSS from snd_una (RFC 5681 3.2 step 2 / RFC 6298 5.4).

        Outside a timeout snd_nxt returns to where it was; no RTT measurement starts
        and the timer is left alone (RFC 6298 5.5-5.6 is done by the timeout itself).
        """
        old_snd_nxt = self.snd_nxt
        self.snd_nxt = self.snd_una
        nbytes = min(
            self.snd_mss, (self.snd_max - self.snd_nxt) & MASK, self.sendbuf.available(self.snd_nxt)
        )
        if nbytes == 0 and self.fin_pending and self.snd_fin_seq == self.sendbuf.end:
            self.snd_max = self.sendbuf.end
            self.snd_nxt = self.snd_max
            self.send_fin()
            self.snd_nxt = self.snd_max = (self.snd_nxt + 1) & MASK
            self.emit(signals.UNACKED, (self.snd_max - self.snd_una) & MASK)
            return
        if nbytes == 0:  # nothing outstanding (INET would assert); keep going
            self.snd_nxt = old_snd_nxt
            return
        self.send_segment(nbytes)
        if not at_rto and seqnum.gt(old_snd_nxt, self.snd_nxt):
            self.snd_nxt = old_snd_nxt
        self.ack_sent()

    def send_one_new_segment(self, full_only: bool, window: int) -> None:
        """RFC 3042 limited transmit: one new segment on each of the first two dupacks.

        As INET: allowed while FlightSize + SMSS fits both the receiver window and
        cwnd + 2 SMSS; with Nagle on and data outstanding only a full SMSS goes.
        """
        mss = self.snd_mss
        buffered = self.sendbuf.available(self.snd_max)
        if not (buffered >= mss or (not full_only and buffered > 0)):
            return
        outstanding = (self.snd_max - self.snd_una) & MASK
        if outstanding + mss > self.snd_wnd or outstanding + mss > window + 2 * mss:
            return
        usable = (min(self.snd_wnd, window) - outstanding + 2 * mss) & MASK
        nbytes = min(usable, mss)
        if not (nbytes >= mss or (not full_only and nbytes > 0)):
            return
        old_snd_nxt = self.snd_nxt
        self.snd_nxt = self.snd_max
        sent = self.send_segment(nbytes)
        if seqnum.gt(self.snd_nxt, self.snd_max):
            self.snd_max = self.snd_nxt
        self.emit(signals.UNACKED, (self.snd_max - self.snd_una) & MASK)
        if self.after_rto:
            self.snd_nxt = (old_snd_nxt + sent) & MASK
        self.limited_transmits += 1
        self.ack_sent()
        self.data_sent(old_snd_nxt)

    def send_probe(self) -> bool:
        """A 1-byte window probe at snd_max (persist timer)."""
        self.snd_nxt = self.snd_max
        if self.sendbuf.available(self.snd_nxt) == 0:
            return False
        old_snd_nxt = self.snd_nxt
        self.send_segment(1)
        self.snd_max = self.snd_nxt
        self.emit(signals.UNACKED, (self.snd_max - self.snd_una) & MASK)
        self.ack_sent()
        self.data_sent(old_snd_nxt)
        return True

    # -- bookkeeping after sending (INET's TcpBaseAlg::ackSent / dataSent) ----------------

    def ack_sent(self) -> None:
        """An ACK went out (alone or on data): no delayed ACK is pending any more."""
        self.full_sized_segment_counter = 0
        self.ack_now = False
        self.last_ack_sent = self.rcv_nxt
        self.cancel(DELAYED_ACK)

    def data_sent(self, from_seq: int) -> None:
        """Data went out: arm the retransmission timer, start an RTT measurement if none runs.

        One segment is timed at a time (RFC 6298 section 3 allows it); INET times from
        `from_seq`, the snd_nxt before the send, retransmitted data included (Karn's
        rule is kept by cancelling the measurement at a timeout).
        """
        if REXMIT not in self.scheduled:
            self.start_rexmit_timer()
        now = self._now()
        if self.rtseq_sendtime == 0:
            self.rtseq = from_seq
            self.rtseq_sendtime = now
        self.time_last_data_sent = now

    def start_rexmit_timer(self) -> None:
        """Arm the retransmission timer with the current RTO; its retry count restarts."""
        self.rexmit_count = 0
        self.schedule(REXMIT, self.rtt.rto)

    def restart_rexmit_timer(self) -> None:
        """Cancel and re-arm the retransmission timer (RFC 6298 5.3)."""
        self.cancel(REXMIT)
        self.start_rexmit_timer()

    def send_buffer_empty(self) -> bool:
        """No unsent bytes at snd_nxt (INET's isSendQueueEmpty)."""
        return self.sendbuf.available(self.snd_nxt) == 0
