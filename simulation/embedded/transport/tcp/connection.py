# SPDX-License-Identifier: MIT
"""A TCP connection as INET's `Tcp` runs it, driven by the engine through `TcpEnv`.

The engine creates one `TcpConnection` per connection end, opens it (`listen` or
`connect`), writes bytes (`send`), hands it the segments addressed to it
(`on_segment`) and fires its timers (`on_timer`). The connection answers through the
`TcpEnv` callbacks, synchronously and in INET's order: within one call, the segments
it hands to IP, the timers it (re)schedules or cancels, the bytes it passes up and
the vector samples it emits come in the order INET's code does them, so the engine
can give each the place in the event queue that OMNeT++ gives it (docs/tcp.md).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import partial
from typing import Protocol

from simulation.embedded.transport.tcp import fsm, signals
from simulation.embedded.transport.tcp.arrival import Arrival
from simulation.embedded.transport.tcp.segment import ACK, RST, Segment
from simulation.embedded.transport.tcp.seqnum import MASK
from simulation.embedded.transport.tcp.tcb import (
    CLOSE_WAIT,
    CLOSED,
    CLOSING,
    CONN_ESTAB,
    CONN_ESTAB_TIMEOUT,
    DELAYED_ACK,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    INIT,
    LAST_ACK,
    LISTEN,
    MAX_SYN_REXMIT_COUNT,
    PERSIST,
    REXMIT,
    SYN_RCVD,
    SYN_REXMIT,
    SYN_REXMIT_TIMEOUT_MAX,
    SYN_SENT,
    TIME_WAIT,
    TWO_MSL,
)
from simulation.model.tcpconfig import TcpConfig


class TcpEnv(Protocol):
    """What the engine offers a connection (every call is "now", in the current event)."""

    def now(self) -> int:
        """Current simulation time in ps."""

    def send_segment(self, conn: TcpConnection, seg: Segment) -> None:
        """Hand `seg` to IPv4 now (INET: Tcp sends it out of its ipOut gate)."""

    def set_timer(self, conn: TcpConnection, kind: str, at_ps: int) -> None:
        """(Re)schedule this connection's timer `kind` (a self-message of conn-N) at `at_ps`."""

    def cancel_timer(self, conn: TcpConnection, kind: str) -> None:
        """Cancel this connection's timer `kind` (it is scheduled)."""

    def delivered(self, conn: TcpConnection, nbytes: int) -> None:
        """`nbytes` more in-order bytes reached the app (one TCP_I_DATA message to the app)."""

    def established(self, conn: TcpConnection) -> None:
        """The handshake completed (TCP_I_ESTABLISHED, or TCP_I_AVAILABLE if forked)."""

    def record(self, conn: TcpConnection, name: str, value: float) -> None:
        """A sample of INET statistic `name` now (its result is the vector `<name>:vector`)."""


class TcpConnection(Arrival):
    """One end of a TCP connection (INET's TcpConnection with its TcpAlgorithm)."""

    __slots__ = ("env",)

    def __init__(
        self,
        config: TcpConfig,
        env: TcpEnv,
        local_port: int,
        remote_port: int,
        *,
        record: Collection[str] | None = None,
    ) -> None:
        """Bind to `env`; `record` lists the signals to emit (default: all, see `signals`)."""
        super().__init__(config, local_port, remote_port)
        self.env = env
        self._tx = partial(env.send_segment, self)
        self._set_timer = partial(env.set_timer, self)
        self._cancel_timer = partial(env.cancel_timer, self)
        self._deliver = partial(env.delivered, self)
        self._record = partial(env.record, self)
        self._up = partial(env.established, self)
        self._now = env.now
        wanted = signals.ALL_SIGNALS if record is None else frozenset(record)
        unknown = wanted - signals.ALL_SIGNALS
        if unknown:
            raise ValueError(
                f"unknown TCP signals {sorted(unknown)} (known: {sorted(signals.ALL_SIGNALS)})"
            )
        self._signals = wanted

    # -- application commands -----------------------------------------------------------

    def listen(self, fork: bool = False) -> None:
        """Passive open. With `fork` this object is the clone that serves one peer.

        INET's TcpSocket::listen() forks: a listening connection (`conn-<listenId>`)
        takes each SYN, and a clone with a fresh socket id answers it; the clone
        reports TCP_I_AVAILABLE (our `established` callback), keeps arriving data until
        the app accepts, then reports TCP_I_ESTABLISHED and passes the data up. With
        `fork` this connection emits what the clone emits in INET: no `state` sample for
        LISTEN and no rcvSeq/rcvAck/tcpRcvPayloadBytes for the SYN (the listener's
        module records those: see `listener_samples`). Without `fork` it is INET's
        listenOnce(): one connection from LISTEN on, recording everything.
        """
        self._must_be(INIT, "listen")
        self.fork = fork
        self.transition(fsm.OPEN_PASSIVE)

    def connect(self) -> None:
        """Active open: SYN now, SYN retransmission and 75 s establishment timers."""
        self._must_be(INIT, "connect")
        self.active = True
        self.open_actively()
        self.transition(fsm.OPEN_ACTIVE)

    def send(self, nbytes: int) -> None:
        """The app writes `nbytes` bytes; they leave as the windows allow (INET's SEND).

        Before the handshake completes they wait; in LISTEN the write turns the
        passive open into an active one (INET sends a SYN, without the Window Scale
        option).
        """
        if nbytes < 0:
            raise ValueError(f"cannot send {nbytes} bytes")
        state = self.state
        event = fsm.IGNORE
        if state == LISTEN:
            self.active = True
            self.open_actively()
            self.sendbuf.enqueue(nbytes)
            event = fsm.SEND
        elif state in (SYN_SENT, SYN_RCVD):
            self.sendbuf.enqueue(nbytes)
        elif state in (ESTABLISHED, CLOSE_WAIT):
            self.sendbuf.enqueue(nbytes)
            self.cc.send_data(self)
        else:
            raise RuntimeError(f"TCP send() in state {self.state_name} (connection not open)")
        self.transition(event)

    def accept(self) -> None:
        """The app accepts a forked connection: buffered data goes up now."""
        if not self.to_accept:
            raise RuntimeError("TCP accept() on a connection that is not waiting for it")
        self.to_accept = False
        self.deliver_available()

    def close(self) -> None:
        """The app closes: FIN after the data written so far (RFC 9293 3.10.4, as INET)."""
        state = self.state
        event = fsm.CLOSE
        if state in (SYN_RCVD, ESTABLISHED, CLOSE_WAIT):
            end = self.sendbuf.end
            if self.snd_max == end:
                self.snd_nxt = self.snd_max
                self.send_fin()
                self.restart_rexmit_timer()
                self.snd_nxt = self.snd_max = (self.snd_nxt + 1) & MASK
                self.emit(signals.UNACKED, (self.snd_max - self.snd_una) & MASK)
            else:
                event = fsm.IGNORE
            self.fin_pending = True
            self.snd_fin_seq = end
        elif state in (FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT):
            raise RuntimeError("TCP close() twice: the connection is already closing")
        self.transition(event)

    # -- network and timers ----------------------------------------------------------

    def on_segment(self, seg: Segment) -> None:
        """A segment for this connection arrived from IP."""
        if self.state in (INIT, CLOSED):
            self.answer_closed(seg)
            return
        self.segments_received += 1
        if not (self.fork and self.state == LISTEN):  # else the listener's (listener_samples)
            self.emit(signals.RCV_SEQ, seg.seq)
            self.emit(signals.RCV_ACK, seg.ack)
            self.emit(signals.RCV_PAYLOAD_BYTES, seg.payload)
        if self.state == LISTEN:
            event = self.in_listen(seg)
        elif self.state == SYN_SENT:
            event = self.in_syn_sent(seg)
        else:
            event = self.in_synchronized(seg)
        self.transition(event)

    def on_timer(self, kind: str) -> None:
        """Timer `kind` expired (the engine fires only timers still scheduled)."""
        if kind not in self.scheduled:
            return
        self.scheduled.discard(kind)
        event = fsm.IGNORE
        if kind == REXMIT:
            if not self.rexmit_timer_fired():
                event = fsm.ABORT
        elif kind == DELAYED_ACK:
            self.delayed_ack_fired()
        elif kind == PERSIST:
            self.persist_timer_fired()
        elif kind == SYN_REXMIT:
            event = self.syn_rexmit_fired()
        elif kind == CONN_ESTAB:
            event = self.conn_estab_fired()
        elif kind == TWO_MSL:
            event = fsm.TIMEOUT_2MSL
        self.transition(event)

    # -- internals --------------------------------------------------------------------

    def _must_be(self, state: int, command: str) -> None:
        if self.state != state:
            raise RuntimeError(
                f"TCP {command}() in state {self.state_name}: the connection is already open"
            )

    def open_actively(self) -> None:
        """ISS, SYN, the SYN retransmission timer and the 75 s establishment timer."""
        self.select_iss()
        self.send_syn()
        self.start_syn_rexmit_timer()
        self.schedule(CONN_ESTAB, CONN_ESTAB_TIMEOUT)

    def syn_rexmit_fired(self) -> int:
        """Resend the SYN or SYN+ACK (with options), back off; give up after 12."""
        self.syn_rexmit_count += 1
        if self.syn_rexmit_count > MAX_SYN_REXMIT_COUNT:
            self.error = f"TCP gave up: no answer to {MAX_SYN_REXMIT_COUNT} SYN retransmissions"
            return fsm.ABORT
        if self.state == SYN_SENT:
            self.send_syn()
        elif self.state == SYN_RCVD:
            self.send_syn_ack()
        self.syn_rexmit_timeout = min(2 * self.syn_rexmit_timeout, SYN_REXMIT_TIMEOUT_MAX)
        self.schedule(SYN_REXMIT, self.syn_rexmit_timeout)
        return fsm.IGNORE

    def conn_estab_fired(self) -> int:
        """No handshake within 75 s: the active side fails, a passive one listens again."""
        if self.active:
            self.error = "TCP connection establishment timed out (no SYN+ACK within 75 s)"
        return fsm.TIMEOUT_CONN_ESTAB

    def answer_closed(self, seg: Segment) -> None:
        """No open connection: answer with a reset (RFC 9293 3.10.7.1), as INET does."""
        if seg.flags & RST:
            return
        if seg.flags & ACK:
            self.send_rst(seg.ack)
        else:
            self.send_rst(0, seg.seq + seg.seg_len(), with_ack=True)

    def transition(self, event: int) -> None:
        """Apply the state machine; on entering a state cancel the timers it no longer needs.

        The `state` sample is INET 4.6.0's (4.5.4 declares the signal but never emits it).
        """
        if event == fsm.IGNORE:
            return
        old = self.state
        new = fsm.next_state(old, event, self.active)
        if new == old:
            return
        self.state = new
        if not (self.fork and old == INIT):  # a forked clone starts in LISTEN silently
            self.emit(signals.STATE, new)
        if new in (LISTEN, ESTABLISHED, CLOSE_WAIT, LAST_ACK, FIN_WAIT_1, FIN_WAIT_2, CLOSING):
            self.cancel(CONN_ESTAB)
            self.cancel(SYN_REXMIT)
        elif new == CLOSED:
            for kind in (TWO_MSL, CONN_ESTAB, SYN_REXMIT, REXMIT, PERSIST, DELAYED_ACK):
                self.cancel(kind)
            if self.error is None and event in (fsm.ABORT, fsm.RCV_RST, fsm.RCV_UNEXP_SYN):
                self.error = "TCP connection aborted"

    @property
    def flight_size(self) -> int:
        """Bytes sent and not yet acknowledged (snd_max - snd_una)."""
        return (self.snd_max - self.snd_una) & MASK

    @property
    def unsent(self) -> int:
        """Bytes written by the app and not yet sent."""
        return self.sendbuf.available(self.snd_max)


def listener_samples(seg: Segment) -> tuple[tuple[str, int], ...]:
    """The samples INET's forking listener (`conn-<listenId>`) records for a SYN it forks on.

    Its `state` vector (INET 4.6.0) has one sample, LISTEN (2), at the passive open.
    """
    return (
        (signals.RCV_SEQ, seg.seq),
        (signals.RCV_ACK, seg.ack),
        (signals.RCV_PAYLOAD_BYTES, seg.payload),
    )
