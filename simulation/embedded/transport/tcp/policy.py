# SPDX-License-Identifier: MIT
"""What a connection does on ACKs and timers before the flavour decides (INET's TcpBaseAlg).

ACK generation, RTT sampling, the retransmission, persist and delayed-ACK timers,
and limited transmit are the same for every flavour; each method ends by calling
the flavour's hook where INET's subclass takes over.
"""

from __future__ import annotations

from simulation.embedded.transport.tcp import signals
from simulation.embedded.transport.tcp.rto import MAX_RTO
from simulation.embedded.transport.tcp.sending import Sending
from simulation.embedded.transport.tcp.seqnum import lt, seconds, to_seconds
from simulation.embedded.transport.tcp.tcb import (
    DELAYED_ACK,
    DELAYED_ACK_TIMEOUT,
    MAX_PERSIST_TIMEOUT,
    MAX_REXMIT_COUNT,
    MIN_PERSIST_TIMEOUT,
    PERSIST,
    REXMIT,
)


class Policy(Sending):
    """ACK, timer and RTT handling shared by all flavours."""

    __slots__ = ()

    def receive_seq_changed(self) -> None:
        """rcv_nxt advanced: ACK now, or delay it (RFC 1122 4.2.3.2 as INET does).

        Nothing is sent if the ACK already left on a data segment. Otherwise ACK at
        once when delayed ACKs are off, when an immediate ACK is due (out-of-order
        data, a 1-byte segment, a FIN, a SYN, or this side is in fast recovery), or
        when two full-size segments arrived since the last ACK; else start the 200 ms
        timer unless it runs.
        """
        if (
            self.full_sized_segment_counter == 0
            and not self.ack_now
            and self.last_ack_sent == self.rcv_nxt
            and DELAYED_ACK not in self.scheduled
        ):
            return
        if self.loss_recovery:
            self.ack_now = True
        if not self.delayed_acks or self.ack_now or self.full_sized_segment_counter >= 2:
            self.send_ack()
        elif DELAYED_ACK not in self.scheduled:
            self.schedule(DELAYED_ACK, DELAYED_ACK_TIMEOUT)

    def received_out_of_order(self) -> None:
        """Out-of-order data: an immediate duplicate ACK (RFC 5681 4.2)."""
        self.ack_now = True
        self.send_ack()

    def received_ack_for_data_not_yet_sent(self) -> None:
        """RFC 9293 3.10.7.4: an ACK of unsent data is answered with an ACK and dropped."""
        self.send_ack()

    def received_data_ack(self, first_seq_acked: int) -> None:
        """snd_una advanced: RTT sample, timers, then the flavour.

        RFC 6298 5.2/5.3: stop the timer when everything is acknowledged, else
        restart it with the current RTO. The persist timer runs only while the peer
        offers a zero window and no retransmission is pending.
        """
        if self.rtseq_sendtime != 0 and lt(self.rtseq, self.snd_una):
            now = self._now()
            rtt = now - self.rtseq_sendtime
            est = self.rtt
            est.sample(rtt)
            self.emit(signals.RTT, to_seconds(rtt))
            self.emit(signals.SRTT, to_seconds(est.srtt))
            self.emit(signals.RTTVAR, to_seconds(est.rttvar))
            self.emit(signals.RTO, to_seconds(est.rto))
            self.rtseq_sendtime = 0
        if self.snd_una == self.snd_max:
            self.cancel(REXMIT)
        else:
            self.restart_rexmit_timer()
        if self.snd_wnd == 0:
            if REXMIT in self.scheduled:
                if PERSIST in self.scheduled:
                    self.cancel(PERSIST)
                    self.persist_factor = 0
            elif PERSIST not in self.scheduled:
                self.schedule(PERSIST, self.persist_timeout)
        elif PERSIST in self.scheduled:
            self.cancel(PERSIST)
            self.persist_factor = 0
        self.cc.on_new_ack(self, first_seq_acked)

    def received_duplicate_ack(self) -> None:
        """A duplicate ACK: limited transmit on the first two, then the flavour."""
        if self.dupacks < self.dupthresh and self.limited_transmit:
            full_only = self.nagle and self.snd_una != self.snd_max
            self.send_one_new_segment(full_only, self.cwnd)
        self.cc.on_duplicate_ack(self)

    def rexmit_timer_fired(self) -> bool:
        """Retransmission timeout (RFC 6298 5.4-5.6); False when TCP gives up.

        After 12 timeouts of the same segment the connection is aborted (INET's
        MAX_REXMIT_COUNT; RFC 1122 4.2.3.5 R2). Otherwise the RTO doubles (at most
        240 s) and the timer restarts before anything is resent, the RTT measurement
        is abandoned (Karn), and the flavour reduces the window and resends.
        """
        self.rexmit_count += 1
        if self.rexmit_count > MAX_REXMIT_COUNT:
            self.error = (
                f"TCP gave up: segment {self.snd_una} unacknowledged after {MAX_REXMIT_COUNT} "
                f"retransmissions (RTO {to_seconds(self.rtt.rto):g} s)"
            )
            return False
        self.rtt.back_off()
        self.schedule(REXMIT, self.rtt.rto)
        self.rtseq_sendtime = 0
        self.num_rtos += 1
        self.emit(signals.NUM_RTOS, self.num_rtos)
        self.time_last_data_sent = self._now()
        self.cc.on_rexmit_timeout(self)
        return True

    def persist_timer_fired(self) -> None:
        """Zero-window probe (RFC 9293 3.8.6.1): next timeout 1.5 s x 1, 2, 4, ... 64.

        INET's bound check on the persist timeout writes the RTO instead (an INET
        bug, reproduced): a persist timeout below 5 s sets the RTO to 5 s, one above
        60 s sets it to 60 s; the persist timeout itself stays factor x 1.5 s. With
        the app reading at once the peer's window never closes, so this is not
        reached in practice.
        """
        if self.persist_factor == 0:
            self.persist_factor = 1
        elif self.persist_factor < 64:
            self.persist_factor *= 2
        self.persist_timeout = seconds(self.persist_factor * 1.5)
        if self.persist_timeout < MIN_PERSIST_TIMEOUT:
            self.rtt.rto = MIN_PERSIST_TIMEOUT
        if self.persist_timeout > MAX_PERSIST_TIMEOUT:
            self.rtt.rto = min(MAX_PERSIST_TIMEOUT, MAX_RTO)
        self.schedule(PERSIST, self.persist_timeout)
        self.send_probe()

    def delayed_ack_fired(self) -> None:
        """The delayed-ACK timer expired: ACK now."""
        self.ack_now = True
        self.send_ack()
