# SPDX-License-Identifier: MIT
"""The congestion-control interface: what a flavour may see and do, and its hooks.

INET puts each flavour behind `TcpAlgorithm`; the shared machinery (ACK policy,
retransmission timer, RTT sampling, persist timer, limited transmit) lives in the
connection here, and a flavour only decides what INET's flavours decide: the initial
window, the idle restart, and what happens on a new ACK, on a duplicate ACK and on a
retransmission timeout. `ConnectionOps` is the part of a connection a flavour uses.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from simulation.embedded.transport.tcp import signals
from simulation.embedded.transport.tcp.rto import RtoEstimator

MASK = 0xFFFFFFFF
RFC3390_CAP = 4380  # bytes: RFC 3390 equation (1)


class ConnectionOps(Protocol):
    """The connection state and actions a congestion-control flavour uses."""

    cwnd: int
    ssthresh: int
    snd_mss: int
    snd_wnd: int
    snd_una: int
    snd_max: int
    dupacks: int
    dupthresh: int
    loss_recovery: bool
    after_rto: bool
    increased_iw: bool
    syn_rexmit_count: int
    time_last_data_sent: int
    rtt: RtoEstimator
    fast_retransmits: int

    def now(self) -> int:
        """Current time in ps."""

    def emit(self, name: str, value: float) -> None:
        """Emit an INET signal (a vector sample)."""

    def transmit(self, window: int) -> bool:
        """INET's TcpConnection::sendData: send what `window` allows; True if anything went."""

    def send_ack(self) -> None:
        """Send a pure ACK now."""

    def send_buffer_empty(self) -> bool:
        """No unsent bytes at snd_nxt."""

    def retransmit_one_segment(self, at_rto: bool) -> None:
        """Resend one segment from snd_una (INET's retransmitOneSegment)."""

    def restart_rexmit_timer(self) -> None:
        """Cancel and restart the retransmission timer with the current RTO."""


def initial_window(mss: int) -> int:
    """RFC 3390 equation (1): min(4 MSS, max(2 MSS, 4380 bytes))."""
    return min(4 * mss, max(2 * mss, RFC3390_CAP))


class CongestionControl:
    """INET's TcpBaseAlg as seen by a flavour: IW at establishment and the idle restart.

    Subclasses override the three loss/ACK hooks; the defaults do nothing.
    """

    name: ClassVar[str] = ""
    #: cwnd before the connection is established (INET: 0; TcpNoCongestionControl: 2^31-1).
    initial_cwnd: ClassVar[int] = 0

    def established(self, c: ConnectionOps, active: bool) -> None:
        """Set the initial window; the active side completes the handshake with an ACK.

        RFC 3390: IW = min(4 MSS, max(2 MSS, 4380)) if enabled and no SYN was
        retransmitted (INET checks only the local SYN/SYN+ACK retransmission count),
        else one MSS. The ACK of the SYN+ACK goes out through send_data (piggybacked
        on data the app wrote before establishment), else as a pure ACK.
        """
        if c.increased_iw and c.syn_rexmit_count == 0:
            c.cwnd = initial_window(c.snd_mss)
        else:
            c.cwnd = c.snd_mss
        if active and not self.send_data(c):
            c.send_ack()

    def send_data(self, c: ConnectionOps) -> bool:
        """Send within min(cwnd, snd_wnd), after the idle restart of RFC 5681 section 4.1.

        INET applies the restart whenever there is unsent data and nothing was sent
        for more than one RTO (strictly greater), RW = min(IW, cwnd) with increased
        IW, else one MSS (not min(IW, cwnd) as RFC 5681 asks), and emits no cwnd
        sample for it.
        """
        if not c.send_buffer_empty() and c.now() - c.time_last_data_sent > c.rtt.rto:
            if c.increased_iw:
                c.cwnd = min(initial_window(c.snd_mss), c.cwnd)
            else:
                c.cwnd = c.snd_mss
        return c.transmit(c.cwnd)

    def on_new_ack(self, c: ConnectionOps, first_seq_acked: int) -> None:
        """An ACK advanced snd_una (called after the RTT sample and timer handling)."""

    def on_duplicate_ack(self, c: ConnectionOps) -> None:
        """A duplicate ACK arrived (called after limited transmit)."""

    def on_rexmit_timeout(self, c: ConnectionOps) -> None:
        """The retransmission timer expired (called after back-off; not when giving up)."""


class TahoeRenoFamily(CongestionControl):
    """Shared by Tahoe, Reno and NewReno: ssthresh on loss."""

    def reduce_ssthresh(self, c: ConnectionOps) -> None:
        """Set ssthresh = max(FlightSize / 2, 2 SMSS) (RFC 5681 eq. 4), as INET computes it.

        INET takes FlightSize as min(cwnd, snd_wnd), not the bytes outstanding
        (snd_max - snd_una) that RFC 5681 defines; integer division.
        """
        flight = min(c.cwnd, c.snd_wnd)
        c.ssthresh = max(flight // 2, 2 * c.snd_mss)
        c.emit(signals.SSTHRESH, c.ssthresh)

    def grow(self, c: ConnectionOps, emit_ssthresh: bool) -> None:
        """Slow start (cwnd += SMSS per ACK) or congestion avoidance, INET's integer form.

        RFC 5681 eq. 3 in bytes: cwnd += SMSS * SMSS / cwnd, integer division, at
        least 1 byte, once per ACK of new data (no byte counting, RFC 3465 not used).
        Slow start while cwnd < ssthresh (RFC 5681 allows either when equal).
        """
        if c.cwnd < c.ssthresh:
            c.cwnd = (c.cwnd + c.snd_mss) & MASK
        else:
            c.cwnd = (c.cwnd + max(c.snd_mss * c.snd_mss // c.cwnd, 1)) & MASK
        c.emit(signals.CWND, c.cwnd)
        if emit_ssthresh:
            c.emit(signals.SSTHRESH, c.ssthresh)

    def on_rexmit_timeout(self, c: ConnectionOps) -> None:
        """Halve ssthresh, cwnd = 1 SMSS (RFC 5681 eq. 4 and LW), resend from snd_una.

        Slow start follows (`after_rto`); the same in Tahoe, Reno and NewReno.
        """
        self.reduce_ssthresh(c)
        c.cwnd = c.snd_mss
        c.emit(signals.CWND, c.cwnd)
        c.after_rto = True
        c.retransmit_one_segment(True)
