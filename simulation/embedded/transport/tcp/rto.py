# SPDX-License-Identifier: MIT
"""Retransmission-timeout estimation as INET's TcpBaseAlg computes it (RFC 6298 and where not).

RFC 6298 section 2: the first sample R sets SRTT = R, RTTVAR = R/2; later samples
update RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| and SRTT = 7/8 SRTT + 1/8 R;
RTO = SRTT + max(G, 4 RTTVAR), at least 1 s, initially 1 s.

INET departs from it, and so does this model:

- the initial RTO is 3 s (RFC 1122 / RFC 2988's value, not RFC 6298's 1 s);
- there is no first-sample rule: SRTT starts at 0 and RTTVAR at 0.75 s, and every
  sample, the first included, goes through Jacobson's filter with gain 1/8 for both
  (err = R - old SRTT; SRTT += err/8; RTTVAR += (|err| - RTTVAR)/8), where RFC 6298
  gives RTTVAR the gain 1/4;
- no clock granularity term G (INET times are exact), RTO = SRTT + 4 RTTVAR;
- RTO is clamped to [1 s, 240 s] (RFC 6298 2.4/2.5: min 1 s, max at least 60 s);
- the arithmetic is OMNeT++ SimTime: each `x/8` is `floor(x * 0.125 + 0.5)` ps.

Back-off doubles the RTO up to 240 s (RFC 6298 5.5); the backed-off value stays until
the next sample replaces it.
"""

from __future__ import annotations

from simulation.embedded.transport.tcp.seqnum import PS_PER_S, scale

INITIAL_RTO = 3 * PS_PER_S
MIN_RTO = 1 * PS_PER_S
MAX_RTO = 240 * PS_PER_S
INITIAL_RTTVAR = 750_000_000_000  # SimTime(3.0 / 4.0)
GAIN = 0.125


class RtoEstimator:
    """SRTT, RTTVAR and RTO in ps."""

    __slots__ = ("rto", "rttvar", "srtt")

    def __init__(self) -> None:
        self.srtt = 0
        self.rttvar = INITIAL_RTTVAR
        self.rto = INITIAL_RTO

    def sample(self, rtt: int) -> None:
        """Fold in one measured round-trip time (ps) and recompute the RTO."""
        err = rtt - self.srtt
        self.srtt += scale(err, GAIN)
        self.rttvar += scale(abs(err) - self.rttvar, GAIN)
        rto = self.srtt + 4 * self.rttvar
        if rto > MAX_RTO:
            rto = MAX_RTO
        elif rto < MIN_RTO:
            rto = MIN_RTO
        self.rto = rto

    def back_off(self) -> None:
        """Double the RTO after a retransmission timeout, at most 240 s."""
        self.rto = min(self.rto * 2, MAX_RTO)
