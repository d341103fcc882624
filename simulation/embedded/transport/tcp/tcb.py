# SPDX-License-Identifier: MIT
"""The transmission control block: every variable of one connection, its timers and counters.

RFC 9293 section 3.3.1 names the sequence variables (SND.UNA, SND.NXT, ...); INET adds
snd_max (the highest sequence number sent, since snd_nxt goes back on retransmission)
and the variables of its algorithms, which are kept here under INET's meaning. The
environment's callbacks are stored as bound callables (set by `TcpConnection`), so
the layers above this one call them without knowing the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from simulation.embedded.transport.tcp.buffers import ReceiveBuffer, SendBuffer
from simulation.embedded.transport.tcp.congestion import CongestionControl
from simulation.embedded.transport.tcp.flavours import make_algorithm
from simulation.embedded.transport.tcp.rto import RtoEstimator
from simulation.embedded.transport.tcp.segment import Segment
from simulation.embedded.transport.tcp.seqnum import PS_PER_S
from simulation.model.tcpconfig import MAX_WIN, TcpConfig

# Connection states, numbered as INET's TcpState enum (its `state` vector records these).
INIT, CLOSED, LISTEN, SYN_SENT, SYN_RCVD, ESTABLISHED = 0, 1, 2, 3, 4, 5
CLOSE_WAIT, LAST_ACK, FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT = 6, 7, 8, 9, 10, 11
STATE_NAMES = (
    "INIT", "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
    "CLOSE_WAIT", "LAST_ACK", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "TIME_WAIT",
)  # fmt: skip

# Timer kinds, named as INET's timer messages (they show in its event logs).
REXMIT = "REXMIT"
PERSIST = "PERSIST"
DELAYED_ACK = "DELAYEDACK"
SYN_REXMIT = "SYN-REXMIT"
CONN_ESTAB = "CONN-ESTAB"
TWO_MSL = "2MSL"
TIMERS = (REXMIT, PERSIST, DELAYED_ACK, SYN_REXMIT, CONN_ESTAB, TWO_MSL)

DELAYED_ACK_TIMEOUT = 200_000_000_000  # 0.2 s (RFC 1122 4.2.3.2: less than 0.5 s)
MAX_REXMIT_COUNT = 12
SYN_REXMIT_TIMEOUT = 3 * PS_PER_S
SYN_REXMIT_TIMEOUT_MAX = 240 * PS_PER_S
MAX_SYN_REXMIT_COUNT = 12
CONN_ESTAB_TIMEOUT = 75 * PS_PER_S
MSL = 120 * PS_PER_S
INITIAL_PERSIST_TIMEOUT = 5 * PS_PER_S
MIN_PERSIST_TIMEOUT = 5 * PS_PER_S
MAX_PERSIST_TIMEOUT = 60 * PS_PER_S
INITIAL_SSTHRESH = 0xFFFFFFFF  # INET's initialSsthresh default
DEFAULT_MSS = 536  # RFC 9293 3.7.1: SMSS when the peer's MSS option says 0
DUPTHRESH = 3


class Tcb:
    """State of one connection; the layers (sending, policy, arrival) add behaviour."""

    __slots__ = (
        "_cancel_timer",
        "_deliver",
        "_now",
        "_record",
        "_set_timer",
        "_signals",
        "_tx",
        "_up",
        "ack_now",
        "active",
        "after_rto",
        "bytes_acked",
        "bytes_delivered",
        "bytes_sent",
        "cc",
        "config",
        "cwnd",
        "data_segments_sent",
        "delayed_acks",
        "dupacks",
        "duplicate_acks",
        "dupthresh",
        "error",
        "fast_retransmits",
        "fin_ack_rcvd",
        "fin_pending",
        "fin_rcvd",
        "fork",
        "full_sized_segment_counter",
        "increased_iw",
        "irs",
        "iss",
        "last_ack_sent",
        "limited_transmit",
        "limited_transmits",
        "local_port",
        "loss_recovery",
        "max_rcv_buffer",
        "nagle",
        "num_rtos",
        "persist_factor",
        "persist_timeout",
        "rcv_adv",
        "rcv_fin_seq",
        "rcv_naseg",
        "rcv_nxt",
        "rcv_oooseg",
        "rcv_queue_drops",
        "rcv_wnd",
        "rcv_wnd_scale",
        "rcv_ws",
        "rcvbuf",
        "remote_port",
        "retransmitted_bytes",
        "retransmitted_segments",
        "rexmit_count",
        "rtseq",
        "rtseq_sendtime",
        "rtt",
        "scheduled",
        "segments_received",
        "segments_sent",
        "sendbuf",
        "snd_fin_seq",
        "snd_max",
        "snd_mss",
        "snd_nxt",
        "snd_una",
        "snd_wl1",
        "snd_wl2",
        "snd_wnd",
        "snd_wnd_scale",
        "snd_ws",
        "ssthresh",
        "state",
        "syn_rexmit_count",
        "syn_rexmit_timeout",
        "time_last_data_sent",
        "to_accept",
        "ws_enabled",
        "ws_support",
    )  # fmt: skip

    def __init__(self, config: TcpConfig, local_port: int, remote_port: int) -> None:
        config.check_embedded()
        self.config = config
        self.local_port = local_port
        self.remote_port = remote_port
        self.state = INIT
        #: One-line reason when the connection closed on its own (timeout, reset); else None.
        self.error: str | None = None
        self.active = False
        self.fork = False  # passive open that INET forks: the app must accept()
        self.to_accept = False  # INET's isToBeAccepted(): forked, TCP_I_AVAILABLE not accepted
        # options and algorithms (INET's configureStateVariables)
        self.nagle = config.nagle
        self.delayed_acks = config.delayed_acks
        self.limited_transmit = config.limited_transmit
        self.increased_iw = config.increased_iw
        self.ws_support = config.window_scaling
        self.dupthresh = DUPTHRESH
        self.snd_mss = config.mss
        self.max_rcv_buffer = config.advertised_window
        # RFC 7323: a window above 64 KiB is only offered once scaling is agreed
        self.rcv_wnd = min(config.advertised_window, MAX_WIN)
        self.rcv_adv = self.rcv_wnd
        self.ws_enabled = self.snd_ws = self.rcv_ws = False
        self.rcv_wnd_scale = self.snd_wnd_scale = 0
        # sequence variables (RFC 9293 3.3.1) plus snd_max
        self.iss = self.irs = 0
        self.snd_una = self.snd_nxt = self.snd_max = 0
        self.snd_wnd = self.snd_wl1 = self.snd_wl2 = 0
        self.rcv_nxt = 0
        self.sendbuf = SendBuffer()
        self.rcvbuf = ReceiveBuffer()
        # connection setup and teardown
        self.syn_rexmit_count = 0
        self.syn_rexmit_timeout = SYN_REXMIT_TIMEOUT
        self.fin_pending = self.fin_ack_rcvd = self.fin_rcvd = False
        self.snd_fin_seq = self.rcv_fin_seq = 0
        # ACK generation (RFC 1122 4.2.3.2 as INET does it)
        self.full_sized_segment_counter = 0
        self.ack_now = False
        self.last_ack_sent = 0
        # loss detection and recovery
        self.after_rto = False
        self.loss_recovery = False
        self.dupacks = 0
        self.rexmit_count = 0
        self.rtt = RtoEstimator()
        self.rtseq = 0
        self.rtseq_sendtime = 0  # 0: no RTT measurement running (INET's convention)
        self.time_last_data_sent = 0
        self.persist_factor = 0
        self.persist_timeout = INITIAL_PERSIST_TIMEOUT
        self.cc: CongestionControl = make_algorithm(config.algorithm)
        self.cwnd = self.cc.initial_cwnd
        self.ssthresh = INITIAL_SSTHRESH
        self.scheduled: set[str] = set()
        # counters the engine reports
        self.segments_sent = self.data_segments_sent = self.bytes_sent = 0
        self.retransmitted_segments = self.retransmitted_bytes = 0
        self.num_rtos = self.fast_retransmits = self.limited_transmits = 0
        self.bytes_acked = self.bytes_delivered = 0
        self.segments_received = self.duplicate_acks = 0
        self.rcv_oooseg = self.rcv_naseg = self.rcv_queue_drops = 0
        # environment callbacks, bound by TcpConnection
        self._tx: Callable[[Segment], None] = _unbound
        self._set_timer: Callable[[str, int], None] = _unbound
        self._cancel_timer: Callable[[str], None] = _unbound
        self._deliver: Callable[[int], None] = _unbound
        self._record: Callable[[str, float], None] = _unbound
        self._up: Callable[[], None] = _unbound
        self._now: Callable[[], int] = _unbound
        self._signals: frozenset[str] = frozenset()

    @property
    def state_name(self) -> str:
        """The state's name as INET prints it (ESTABLISHED, SYN_SENT, ...)."""
        return STATE_NAMES[self.state]

    def now(self) -> int:
        """Current simulation time in ps."""
        return self._now()

    def emit(self, name: str, value: float) -> None:
        """A sample of INET signal `name`, passed on if the engine records it."""
        if name in self._signals:
            self._record(name, value)

    def schedule(self, kind: str, delay: int) -> None:
        """(Re)schedule timer `kind` to expire `delay` ps from now."""
        self.scheduled.add(kind)
        self._set_timer(kind, self._now() + delay)

    def cancel(self, kind: str) -> None:
        """Cancel timer `kind` if it is scheduled (OMNeT++'s cancelEvent)."""
        if kind in self.scheduled:
            self.scheduled.discard(kind)
            self._cancel_timer(kind)


def _unbound(*args: object) -> NoReturn:
    raise RuntimeError("TCP connection used before TcpConnection bound its environment")
