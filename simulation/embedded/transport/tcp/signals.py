# SPDX-License-Identifier: MIT
"""Names of the statistics INET's TcpConnection records, and which ones this model emits.

Each is a `@statistic(record=vector)` of the NED module `TcpConnection`, so INET writes
it as the vector `<name>:vector` of the module `<host>.tcp.conn-<socketId>` (see
docs/tcp.md). The model emits a sample through `TcpEnv.record(conn, name, value)` at
the point where INET emits the signal, in the same order within an event.
"""

from __future__ import annotations

#: Congestion-control signals (TcpBaseAlg and the flavours).
CWND = "cwnd"
SSTHRESH = "ssthresh"
RTT = "rtt"
SRTT = "srtt"
RTTVAR = "rttvar"
RTO = "rto"
NUM_RTOS = "numRtos"

#: Connection signals (TcpConnection).
STATE = "state"  # emitted by INET 4.6.0 only (declared but never emitted in 4.5.4)
SND_WND = "sndWnd"
RCV_WND = "rcvWnd"
RCV_ADV = "rcvAdv"
SND_NXT = "sndNxt"
SND_ACK = "sndAck"
RCV_SEQ = "rcvSeq"
RCV_ACK = "rcvAck"
UNACKED = "unacked"
DUP_ACKS = "dupAcks"
RCV_OOO_SEG = "rcvOooSeg"
RCV_NA_SEG = "rcvNASeg"
RCV_QUEUE_BYTES = "tcpRcvQueueBytes"
RCV_QUEUE_DROPS = "tcpRcvQueueDrops"
RCV_PAYLOAD_BYTES = "tcpRcvPayloadBytes"

ALGORITHM_SIGNALS = frozenset({CWND, SSTHRESH, RTT, SRTT, RTTVAR, RTO, NUM_RTOS})
CONNECTION_SIGNALS = frozenset(
    {
        STATE, SND_WND, RCV_WND, RCV_ADV, SND_NXT, SND_ACK, RCV_SEQ, RCV_ACK, UNACKED,
        DUP_ACKS, RCV_OOO_SEG, RCV_NA_SEG, RCV_QUEUE_BYTES, RCV_QUEUE_DROPS, RCV_PAYLOAD_BYTES,
    }
)  # fmt: skip
#: Every signal the model can emit. INET also declares pipe, sndSacks, rcvSacks,
#: sackedBytes (SACK only) and load, calcLoad, markingProb (DcTcp only): never emitted here.
ALL_SIGNALS = ALGORITHM_SIGNALS | CONNECTION_SIGNALS
