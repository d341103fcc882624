# SPDX-License-Identifier: MIT
"""The connection state machine (RFC 9293 figure 5) as INET's TcpConnection encodes it.

Processing a command, a segment or a timer yields one event; the state changes after
the processing, from this table. SYN_RCVD returns to LISTEN instead of CLOSED when a
reset or the connection-establishment timeout hits a passively opened connection.
"""

from __future__ import annotations

from simulation.embedded.transport.tcp.tcb import (
    CLOSE_WAIT,
    CLOSED,
    CLOSING,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    INIT,
    LAST_ACK,
    LISTEN,
    SYN_RCVD,
    SYN_SENT,
    TIME_WAIT,
)

(
    IGNORE, OPEN_ACTIVE, OPEN_PASSIVE, SEND, CLOSE, ABORT, RCV_ACK, RCV_SYN, RCV_SYN_ACK,
    RCV_FIN, RCV_FIN_ACK, RCV_RST, RCV_UNEXP_SYN, TIMEOUT_2MSL, TIMEOUT_CONN_ESTAB,
) = range(15)  # fmt: skip

_BACK_TO_LISTEN = -1  # SYN_RCVD: LISTEN if passive, CLOSED if active

_TABLE: dict[int, dict[int, int]] = {
    INIT: {OPEN_PASSIVE: LISTEN, OPEN_ACTIVE: SYN_SENT},
    LISTEN: {
        OPEN_ACTIVE: SYN_SENT, SEND: SYN_SENT, CLOSE: CLOSED, ABORT: CLOSED, RCV_SYN: SYN_RCVD,
    },
    SYN_RCVD: {
        CLOSE: FIN_WAIT_1, ABORT: CLOSED, TIMEOUT_CONN_ESTAB: _BACK_TO_LISTEN,
        RCV_RST: _BACK_TO_LISTEN, RCV_ACK: ESTABLISHED, RCV_FIN: CLOSE_WAIT, RCV_UNEXP_SYN: CLOSED,
    },
    SYN_SENT: {
        CLOSE: CLOSED, ABORT: CLOSED, TIMEOUT_CONN_ESTAB: CLOSED, RCV_RST: CLOSED,
        RCV_SYN_ACK: ESTABLISHED, RCV_SYN: SYN_RCVD,
    },
    ESTABLISHED: {
        CLOSE: FIN_WAIT_1, ABORT: CLOSED, RCV_RST: CLOSED, RCV_UNEXP_SYN: CLOSED,
        RCV_FIN: CLOSE_WAIT,
    },
    CLOSE_WAIT: {CLOSE: LAST_ACK, ABORT: CLOSED, RCV_RST: CLOSED, RCV_UNEXP_SYN: CLOSED},
    LAST_ACK: {ABORT: CLOSED, RCV_ACK: CLOSED, RCV_RST: CLOSED, RCV_UNEXP_SYN: CLOSED},
    FIN_WAIT_1: {
        ABORT: CLOSED, RCV_RST: CLOSED, RCV_UNEXP_SYN: CLOSED, RCV_FIN: CLOSING,
        RCV_ACK: FIN_WAIT_2, RCV_FIN_ACK: TIME_WAIT,
    },
    FIN_WAIT_2: {ABORT: CLOSED, RCV_RST: CLOSED, RCV_UNEXP_SYN: CLOSED, RCV_FIN: TIME_WAIT},
    CLOSING: {ABORT: CLOSED, RCV_RST: CLOSED, RCV_UNEXP_SYN: CLOSED, RCV_ACK: TIME_WAIT},
    TIME_WAIT: {ABORT: CLOSED, TIMEOUT_2MSL: CLOSED, RCV_RST: CLOSED, RCV_UNEXP_SYN: CLOSED},
    CLOSED: {},
}  # fmt: skip


def next_state(state: int, event: int, active: bool) -> int:
    """The state after `event` in `state` (unchanged when the table has no entry)."""
    target = _TABLE[state].get(event, state)
    if target == _BACK_TO_LISTEN:
        return CLOSED if active else LISTEN
    return target
