# SPDX-License-Identifier: MIT
"""Segment arrival, organised as RFC 9293 section 3.10.7 "SEGMENT ARRIVES" (as INET does).

Each `in_*` method processes one segment in one group of states and returns the
state-machine event (see `fsm`); the connection applies it afterwards. INET's
choices where the RFC is open or where it differs are in the docstrings.
"""

from __future__ import annotations

from simulation.embedded.transport.tcp import fsm, seqnum, signals
from simulation.embedded.transport.tcp.policy import Policy
from simulation.embedded.transport.tcp.segment import ACK, FIN, MIN_HEADER, RST, SYN, Segment
from simulation.embedded.transport.tcp.seqnum import ge, gt, le, lt
from simulation.embedded.transport.tcp.tcb import (
    CLOSE_WAIT,
    CLOSING,
    CONN_ESTAB,
    CONN_ESTAB_TIMEOUT,
    DEFAULT_MSS,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    LAST_ACK,
    LISTEN,
    MSL,
    SYN_RCVD,
    SYN_SENT,
    TIME_WAIT,
    TWO_MSL,
)
from simulation.model.tcpconfig import MAX_SHIFT

MASK = seqnum.MASK
_ACK_STATES = frozenset(
    {SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK}
)
_TEXT_STATES = frozenset({SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2})


class Arrival(Policy):
    """Processing of arriving segments."""

    __slots__ = ()

    # -- LISTEN and SYN_SENT ------------------------------------------------------------

    def in_listen(self, seg: Segment) -> int:
        """LISTEN: ignore RST, answer an ACK with RST, take a SYN (RFC 9293 3.10.7.2)."""
        if seg.flags & RST:
            return fsm.IGNORE
        if seg.flags & ACK:
            self.send_rst(seg.ack)
            return fsm.IGNORE
        if not seg.flags & SYN:
            return fsm.IGNORE
        self.to_accept = self.fork
        self.rcv_nxt = (seg.seq + 1) & MASK
        self.rcv_adv = (self.rcv_nxt + self.rcv_wnd) & MASK
        self.emit(signals.RCV_ADV, self.rcv_adv)
        self.irs = seg.seq
        self.rcvbuf.init(self.rcv_nxt)
        self.select_iss()
        self.update_wnd_info(seg, always=True)
        self.read_options(seg)
        self.ack_now = True
        self.send_syn_ack()
        self.start_syn_rexmit_timer()
        if CONN_ESTAB not in self.scheduled:
            self.schedule(CONN_ESTAB, CONN_ESTAB_TIMEOUT)
        if seg.payload and not self.store_text(seg):
            return fsm.IGNORE
        return fsm.RCV_SYN

    def in_syn_sent(self, seg: Segment) -> int:
        """SYN_SENT: check the ACK, a RST, then take the SYN+ACK (RFC 9293 3.10.7.3).

        On a SYN+ACK: SMSS and window scale from its options (after the window was
        taken, unscaled, from the same segment), the initial window, and the ACK
        that completes the handshake, before the app hears ESTABLISHED. A SYN
        without ACK (simultaneous open) is answered with a SYN+ACK.
        """
        flags = seg.flags
        if flags & ACK and (le(seg.ack, self.iss) or gt(seg.ack, self.snd_nxt)):
            if not flags & RST:
                self.send_rst(seg.ack)
            return fsm.IGNORE
        if flags & RST:
            if flags & ACK:
                self.error = "TCP connection refused (reset by the peer during the handshake)"
                return fsm.RCV_RST
            return fsm.IGNORE
        if not flags & SYN:
            return fsm.IGNORE
        self.rcv_nxt = (seg.seq + 1) & MASK
        self.rcv_adv = (self.rcv_nxt + self.rcv_wnd) & MASK
        self.emit(signals.RCV_ADV, self.rcv_adv)
        self.irs = seg.seq
        self.rcvbuf.init(self.rcv_nxt)
        if flags & ACK:
            self.snd_una = seg.ack
            self.sendbuf.discard_up_to(self.snd_una)
            self.update_wnd_info(seg, always=True)
        if gt(self.snd_una, self.iss):
            if seg.payload and not self.store_text(seg):
                return fsm.IGNORE
            self.read_options(seg)
            self.ack_now = True
            self.cc.established(self, True)
            self._up()
            return fsm.RCV_SYN_ACK
        self.snd_max = self.snd_nxt = self.iss
        self.send_syn_ack()
        self.start_syn_rexmit_timer()
        return fsm.RCV_SYN

    def store_text(self, seg: Segment) -> bool:
        """Data on a SYN or SYN+ACK: buffer it without passing it up (INET does so)."""
        self.rcv_queue_used()
        if not self.has_room(seg):
            self.rcv_queue_drops += 1
            self.emit(signals.RCV_QUEUE_DROPS, self.rcv_queue_drops)
            return False
        self.rcvbuf.insert(seg.seq, seg.payload)
        return True

    # -- synchronized states: RFC 9293 3.10.7.4 steps one to eight ----------------------

    def in_synchronized(self, seg: Segment) -> int:
        """SYN_RCVD and later: acceptability, RST, SYN, ACK, text, FIN."""
        flags = seg.flags
        if not self.acceptable(seg):
            if not flags & RST:
                self.send_ack()
            self.rcv_naseg += 1
            self.emit(signals.RCV_NA_SEG, self.rcv_naseg)
            return fsm.IGNORE
        state = self.state
        if flags & RST:
            if state == SYN_RCVD:
                self.sendbuf.discard_up_to(self.sendbuf.end)
                if self.active:
                    self.error = "TCP connection refused (reset by the peer)"
                return fsm.RCV_RST
            if state in (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT):
                self.error = "TCP connection reset by the peer"
            return fsm.RCV_RST
        if flags & SYN and not (state == SYN_RCVD and flags & ACK):
            self.error = "TCP connection reset: SYN received inside the window"
            return fsm.RCV_UNEXP_SYN
        if not flags & ACK:
            return fsm.IGNORE
        old_snd_una = self.snd_una
        event = fsm.IGNORE
        if state == SYN_RCVD:
            if not (le(self.snd_una, seg.ack) and le(seg.ack, self.snd_nxt)):
                self.send_rst(seg.ack)
                return fsm.IGNORE
            self.cc.established(self, False)
            self._up()
            event = fsm.RCV_ACK
        old_snd_nxt = self.snd_nxt
        if state in _ACK_STATES and not self.process_ack(seg):
            return fsm.IGNORE
        if state == FIN_WAIT_1 and self.fin_ack_rcvd:
            event = fsm.RCV_ACK
        elif state == CLOSING and self.fin_ack_rcvd:
            event = fsm.RCV_ACK
            self.schedule(TWO_MSL, 2 * MSL)
        elif state == LAST_ACK and self.fin_pending and seg.ack == (self.snd_fin_seq + 1) & MASK:
            return fsm.RCV_ACK
        elif state == TIME_WAIT:
            self.send_ack()
            self.schedule(TWO_MSL, 2 * MSL)
        old_rcv_nxt = self.rcv_nxt
        if seg.payload > 0 and state in _TEXT_STATES:
            text_event = self.process_text(seg, old_snd_una)
            if text_event is None:
                return fsm.IGNORE
            event = text_event if text_event != fsm.IGNORE else event
        if flags & FIN:
            event = self.process_fin(seg, event)
        if old_rcv_nxt != self.rcv_nxt:
            self.receive_seq_changed()
        fin_sent = self.fin_pending and self.snd_nxt == (self.snd_fin_seq + 1) & MASK
        if state in (ESTABLISHED, SYN_RCVD) and fin_sent:
            event = fsm.CLOSE
        if state == CLOSE_WAIT and fin_sent and old_snd_nxt != self.snd_nxt:
            event = fsm.CLOSE
        return event

    def acceptable(self, seg: Segment) -> bool:
        """RFC 9293 3.10.7.4 acceptability, as INET tests it.

        INET's deviations: a zero-length segment at the right window edge is
        accepted (RCV.NXT <= SEG.SEQ <= RCV.NXT + RCV.WND); a zero-length segment
        outside the window is still accepted if it acknowledges something new (after
        a timeout up to snd_max, else up to snd_nxt). SEG.LEN excludes SYN and FIN.
        """
        n = seg.payload
        seq = seg.seq
        rcv_nxt = self.rcv_nxt
        wnd = self.rcv_wnd
        end = (rcv_nxt + wnd) & MASK
        if n == 0:
            ok = seq == rcv_nxt if wnd == 0 else le(rcv_nxt, seq) and le(seq, end)
            if not ok:
                top = self.snd_max if self.after_rto else self.snd_nxt
                ok = lt(self.snd_una, seg.ack) and le(seg.ack, top)
            return ok
        if wnd == 0:
            return False
        last = (seq + n) & MASK
        return (le(rcv_nxt, seq) and lt(seq, end)) or (lt(rcv_nxt, last) and le(last, end))

    def process_ack(self, seg: Segment) -> bool:
        """The ACK field (RFC 9293 3.10.7.4 step five; RFC 5681 duplicate ACKs); False: drop.

        A duplicate ACK (RFC 5681 section 2) here: ack = snd_una, no data, data
        outstanding; the window is updated from it; other old ACKs reset the count.
        A new ACK releases acknowledged bytes and updates the window; the flavour
        hears of it here if the segment carries no data, else after its data was
        stored (so data sent in response carries the new ACK number).
        """
        payload = seg.payload
        ackno = seg.ack
        if ge(self.snd_una, ackno):
            if self.snd_una == ackno and payload == 0 and self.snd_una != self.snd_max:
                self.dupacks += 1
                self.duplicate_acks += 1
                self.emit(signals.DUP_ACKS, self.dupacks)
                self.update_wnd_info(seg)
                self.received_duplicate_ack()
            else:
                self.dupacks = 0
                self.emit(signals.DUP_ACKS, 0)
            return True
        if le(ackno, self.snd_max):
            old_snd_una = self.snd_una
            self.snd_una = ackno
            self.emit(signals.UNACKED, (self.snd_max - ackno) & MASK)
            if lt(self.snd_nxt, ackno):
                self.snd_nxt = ackno
            release = ackno
            if self.fin_pending and ackno == (self.snd_fin_seq + 1) & MASK:
                self.fin_ack_rcvd = True
                release = (release - 1) & MASK
            done = seqnum.diff(release, self.sendbuf.begin)
            if done > 0:
                self.bytes_acked += done
            self.sendbuf.discard_up_to(release)
            self.update_wnd_info(seg)
            if payload == 0 and self.state != SYN_RCVD:
                self.received_data_ack(old_snd_una)
                self.dupacks = 0
                self.emit(signals.DUP_ACKS, 0)
            return True
        self.received_ack_for_data_not_yet_sent()
        self.dupacks = 0
        self.emit(signals.DUP_ACKS, 0)
        return False

    def process_text(self, seg: Segment, old_snd_una: int) -> int | None:
        """Step seven: store the data, tell the flavour of a piggybacked ACK, pass data up.

        Returns the event (IGNORE, or RCV_FIN when the data closes the gap before a
        FIN that came earlier), or None when the receive buffer has no room (the
        segment is dropped without an ACK, as INET does). A full-size segment is one
        of SMSS bytes (the receiver's own SMSS); a 1-byte segment is taken for a
        window probe and ACKed at once.
        """
        payload = seg.payload
        if payload == self.snd_mss or payload + seg.header_bytes() - MIN_HEADER == self.snd_mss:
            self.full_sized_segment_counter += 1
        if payload == 1:
            self.ack_now = True
        self.rcv_queue_used()
        if not self.has_room(seg):
            self.rcv_queue_drops += 1
            self.emit(signals.RCV_QUEUE_DROPS, self.rcv_queue_drops)
            return None
        old_rcv_nxt = self.rcv_nxt
        self.rcv_nxt = self.rcvbuf.insert(seg.seq, payload)
        if gt(self.snd_una, old_snd_una):
            self.received_data_ack(old_snd_una)
            self.dupacks = 0
            self.emit(signals.DUP_ACKS, 0)
        if old_rcv_nxt == self.rcv_nxt:
            self.rcv_oooseg += 1
            self.emit(signals.RCV_OOO_SEG, self.rcv_oooseg)
            self.received_out_of_order()
            return fsm.IGNORE
        if not self.to_accept:
            self.deliver_available()
        if self.fin_rcvd and self.rcv_nxt == self.rcv_fin_seq:
            self.ack_now = True
            self.rcv_nxt = (self.rcv_fin_seq + 1) & MASK
            return self.fin_event()
        return fsm.IGNORE

    def process_fin(self, seg: Segment, event: int) -> int:
        """Step eight: advance over an in-order FIN now, remember an early one."""
        self.ack_now = True
        fin_seq = (seg.seq + seg.payload) & MASK
        if self.rcv_nxt == fin_seq:
            self.rcv_nxt = (self.rcv_nxt + 1) & MASK
            return self.fin_event()
        self.fin_rcvd = True
        self.rcv_fin_seq = fin_seq
        return event

    def fin_event(self) -> int:
        """The event of a FIN that rcv_nxt just passed, with INET's TIME-WAIT timer."""
        if self.state == FIN_WAIT_1 and self.fin_ack_rcvd:
            self.schedule(TWO_MSL, 2 * MSL)
            return fsm.RCV_FIN_ACK
        if self.state in (FIN_WAIT_2, TIME_WAIT):
            self.schedule(TWO_MSL, 2 * MSL)
        return fsm.RCV_FIN

    def has_room(self, seg: Segment) -> bool:
        """The segment's bytes fit the receive buffer [first_seq, first_seq + buffer)."""
        first = self.rcvbuf.first_seq()
        seq = seg.seq
        n = seg.payload
        if lt(seq, first):
            delta = (first - seq) & MASK
            seq = first
            n -= delta
        return le(first, seq) and le((seq + n) & MASK, (first + self.max_rcv_buffer) & MASK)

    def deliver_available(self) -> None:
        """Pass the in-order bytes up (INET's sendAvailableDataToApp in autoRead mode)."""
        n = self.rcvbuf.extract_up_to(self.rcv_nxt)
        if n:
            self.bytes_delivered += n
            self._deliver(n)

    # -- header fields -----------------------------------------------------------------

    def update_wnd_info(self, seg: Segment, always: bool = False) -> None:
        """Take the peer's window (RFC 9293 3.10.7.4 SND.WL1/SND.WL2 rule, as INET).

        INET adds a third case: the same ACK with a larger window also updates it.
        The window field is shifted by the peer's scale except on SYN segments.
        """
        window = seg.window
        if self.ws_enabled and not seg.flags & SYN:
            window <<= self.snd_wnd_scale
        seq = seg.seq
        if always or (
            seg.flags & ACK
            and (
                lt(self.snd_wl1, seq)
                or (self.snd_wl1 == seq and le(self.snd_wl2, seg.ack))
                or (self.snd_wl2 == seg.ack and window > self.snd_wnd)
            )
        ):
            self.snd_wnd = window
            self.snd_wl1 = seq
            self.snd_wl2 = seg.ack
            self.emit(signals.SND_WND, window)

    def read_options(self, seg: Segment) -> None:
        """MSS and Window Scale options, honoured only in LISTEN and SYN_SENT.

        SMSS = min(own MSS, peer's MSS) (RFC 9293 3.7.1; an option of 0 gives 536);
        window scaling is on once both sides sent the option (RFC 7323 2.2), the
        peer's shift capped at 14.
        """
        if self.state not in (LISTEN, SYN_SENT):
            return
        if seg.mss:
            self.snd_mss = min(self.snd_mss, seg.mss) or DEFAULT_MSS
        if seg.wscale >= 0:
            self.rcv_ws = True
            self.ws_enabled = self.ws_support and self.snd_ws
            self.snd_wnd_scale = min(seg.wscale, MAX_SHIFT)
