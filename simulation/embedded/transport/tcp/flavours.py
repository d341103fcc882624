# SPDX-License-Identifier: MIT
"""The congestion-control flavours, by INET class name: Tahoe, Reno, NewReno, none.

Each reproduces what INET's class of the same name does on a new ACK, a duplicate
ACK and a retransmission timeout, with the same cwnd/ssthresh samples in the same
order. Where INET departs from the RFC the docstring says so.
"""

from __future__ import annotations

from simulation.embedded.transport.tcp import signals
from simulation.embedded.transport.tcp.congestion import (
    MASK,
    CongestionControl,
    ConnectionOps,
    TahoeRenoFamily,
)


class TcpTahoe(TahoeRenoFamily):
    """Slow start, congestion avoidance and fast retransmit, without fast recovery (RFC 5681)."""

    name = "TcpTahoe"

    def on_new_ack(self, c: ConnectionOps, first_seq_acked: int) -> None:
        """Grow cwnd, then send what the window allows."""
        self.grow(c, emit_ssthresh=False)
        self.send_data(c)

    def on_duplicate_ack(self, c: ConnectionOps) -> None:
        """Third duplicate ACK: ssthresh halves, cwnd = 1 SMSS, resend the first segment."""
        if c.dupacks == c.dupthresh:
            self.reduce_ssthresh(c)
            c.cwnd = c.snd_mss
            c.emit(signals.CWND, c.cwnd)
            c.fast_retransmits += 1
            c.retransmit_one_segment(False)


class TcpReno(TahoeRenoFamily):
    """RFC 5681 fast retransmit and fast recovery (RFC 2581 as INET implements it).

    INET departures reproduced: every third duplicate ACK after a new ACK starts a
    new fast retransmit (no check that a recovery is already under way, so two
    losses in one window halve ssthresh twice); the first new ACK while dupacks >= 3
    deflates cwnd to ssthresh even if it only partially acknowledges the window, and
    also after a timeout that struck during fast recovery; every cwnd increase also
    emits an ssthresh sample.
    """

    name = "TcpReno"

    def on_new_ack(self, c: ConnectionOps, first_seq_acked: int) -> None:
        """Deflate after fast recovery, else grow; then send."""
        if c.dupacks >= c.dupthresh:
            c.cwnd = c.ssthresh
            c.emit(signals.CWND, c.cwnd)
        else:
            self.grow(c, emit_ssthresh=True)
        self.send_data(c)

    def on_duplicate_ack(self, c: ConnectionOps) -> None:
        """Third: ssthresh, cwnd = ssthresh + 3 SMSS, resend, send; later ones inflate by SMSS."""
        if c.dupacks == c.dupthresh:
            self.reduce_ssthresh(c)
            c.cwnd = c.ssthresh + 3 * c.snd_mss
            c.emit(signals.CWND, c.cwnd)
            c.fast_retransmits += 1
            c.retransmit_one_segment(False)
            self.send_data(c)
        elif c.dupacks > c.dupthresh:
            c.cwnd = (c.cwnd + c.snd_mss) & MASK
            c.emit(signals.CWND, c.cwnd)
            self.send_data(c)


class TcpNewReno(TahoeRenoFamily):
    """RFC 6582 (RFC 3782 in INET's words) fast recovery with partial ACKs.

    As INET: the "recover" test on the third duplicate ACK is an unsigned 32-bit
    comparison (snd_una - 1 > recover), not a sequence comparison; a full ACK sets
    cwnd = min(ssthresh, FlightSize + SMSS) (RFC 6582 3.2 step 3, option 1); a partial
    ACK resends one segment, deflates cwnd by the bytes acknowledged and adds back one
    SMSS if at least one SMSS was acknowledged, sends, restarts the timer on the first
    partial ACK only, and then sends again (the hook's trailing send); outside recovery
    "recover" trails snd_una - 2.
    """

    name = "TcpNewReno"

    def __init__(self) -> None:
        self.recover = 0
        self.first_partial_ack = False

    def on_new_ack(self, c: ConnectionOps, first_seq_acked: int) -> None:
        """Full or partial ACK during recovery; slow start / congestion avoidance outside."""
        if c.loss_recovery:
            if ((c.snd_una - 1 - self.recover) & MASK) < 0x80000000:  # seqGE(snd_una-1, recover)
                flight = (c.snd_max - c.snd_una) & MASK
                c.cwnd = min(c.ssthresh, flight + c.snd_mss)
                c.emit(signals.CWND, c.cwnd)
                c.loss_recovery = False
                self.first_partial_ack = False
            else:
                c.retransmit_one_segment(False)
                acked = (c.snd_una - first_seq_acked) & MASK
                c.cwnd = (c.cwnd - acked) & MASK
                c.emit(signals.CWND, c.cwnd)
                if acked >= c.snd_mss:
                    c.cwnd = (c.cwnd + c.snd_mss) & MASK
                    c.emit(signals.CWND, c.cwnd)
                self.send_data(c)
                if c.loss_recovery and not self.first_partial_ack:
                    self.first_partial_ack = True
                    c.restart_rexmit_timer()
        else:
            self.grow(c, emit_ssthresh=False)
            self.recover = (c.snd_una - 2) & MASK
        self.send_data(c)

    def on_duplicate_ack(self, c: ConnectionOps) -> None:
        """The third duplicate ACK enters recovery unless "recover" says not; later ones inflate."""
        if c.dupacks == c.dupthresh:
            if not c.loss_recovery and ((c.snd_una - 1) & MASK) > self.recover:
                self.reduce_ssthresh(c)
                self.recover = (c.snd_max - 1) & MASK
                self.first_partial_ack = False
                c.loss_recovery = True
                c.cwnd = c.ssthresh + 3 * c.snd_mss
                c.emit(signals.CWND, c.cwnd)
                c.fast_retransmits += 1
                c.retransmit_one_segment(False)
                self.send_data(c)
        elif c.dupacks > c.dupthresh and c.loss_recovery:
            c.cwnd = (c.cwnd + c.snd_mss) & MASK
            c.emit(signals.CWND, c.cwnd)
            self.send_data(c)

    def on_rexmit_timeout(self, c: ConnectionOps) -> None:
        """Leave recovery (recover = highest sent), ssthresh halves, cwnd = 1 SMSS, resend."""
        self.recover = (c.snd_max - 1) & MASK
        c.loss_recovery = False
        self.first_partial_ack = False
        super().on_rexmit_timeout(c)


class TcpNoCongestionControl(CongestionControl):
    """A fixed window of 2^31-1 bytes: only the receiver window limits; INET's test flavour.

    No initial window, no idle restart, no fast retransmit; a timeout resends one
    segment from snd_una without going back (INET does not set afterRto here).
    """

    name = "TcpNoCongestionControl"
    initial_cwnd = 0x7FFFFFFF

    def established(self, c: ConnectionOps, active: bool) -> None:
        """Only the handshake ACK; the window stays as it is."""
        if active and not self.send_data(c):
            c.send_ack()

    def send_data(self, c: ConnectionOps) -> bool:
        """Send within the receiver window (no restart after idle)."""
        return c.transmit(c.cwnd)

    def on_new_ack(self, c: ConnectionOps, first_seq_acked: int) -> None:
        """Send what the window allows."""
        self.send_data(c)

    def on_rexmit_timeout(self, c: ConnectionOps) -> None:
        """Resend one segment from snd_una."""
        c.retransmit_one_segment(True)


#: INET class name -> flavour class.
ALGORITHMS: dict[str, type[CongestionControl]] = {
    cls.name: cls for cls in (TcpNewReno, TcpReno, TcpTahoe, TcpNoCongestionControl)
}


def make_algorithm(name: str) -> CongestionControl:
    """A fresh flavour object for one connection."""
    return ALGORITHMS[name]()
