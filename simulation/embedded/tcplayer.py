# SPDX-License-Identifier: MIT
"""TCP in the engine: INET's `Tcp` module on the hosts that run it, one `Endpoint` per end.

An `Endpoint` is one connection end, INET's `TcpConnection` module
`<host>.tcp.conn-<socketId>`: it drives the TCP model
(`simulation.embedded.transport.tcp`) as its `TcpEnv` and gives each thing the model
does the place INET gives it in the event order (docs/tcp.md "Event chains"):

- an app's write is a message to `tcp`, one event deeper than the app's event;
- a segment is a datagram handed to IPv4; it reaches the interface queue
  `APP_TO_QUEUE - 1` events after the `tcp` event that sent it;
- a segment arriving at a host is processed by `tcp` `RX_TO_APP - 1` events after its
  last bit arrived;
- what TCP tells the app (data, a connection to accept) is a message, one event
  deeper than the `tcp` event: the notifications are collected while the model runs
  and dispatched after it returns, so the segments it sent in that event (the ACK)
  come before whatever the app writes in answer;
- timers are self-messages of `conn-<socketId>` (`Timer`s; a reschedule is a cancel
  and a new insertion).

Message boundaries travel out of band: the sender registers each write's end offset
with the receiving end (as a length prefix would tell it, without its bytes), and a
message is delivered when the stream reaches its end. Socket ids are OMNeT++'s run-wide
`getUniqueNumber()`: the apps' sockets in module construction order (`socket_ids`),
then a fresh one for each connection a forking listener clones when a peer's SYN
arrives.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection
from typing import Any

from simulation.embedded import inet
from simulation.embedded.frames import frame_size
from simulation.embedded.kernel import Kernel, Timer
from simulation.embedded.mac import Mac
from simulation.embedded.messages import Message, Messages
from simulation.embedded.network import Datagram, Network
from simulation.embedded.transport.tcp import Segment, TcpConnection, listener_samples
from simulation.embedded.transport.tcp.seqnum import MASK
from simulation.model.tcpconfig import TcpConfig

#: handler(message, depth, root): a whole message reached the app (in the app's event)
MessageHandler = Callable[[Message, int, int], None]
#: A segment handed to IPv4: (sending end, datagram, frame size, queue level).
Sent = tuple["Endpoint", Datagram, int, int]
#: Vector samples: name -> (times ps, values, event positions).
Vectors = dict[str, tuple[list[int], list[float], list[int]]]
#: Depth of a `tcp` event below the event of the app that wrote (app -> tcp).
APP_TO_TCP = 1
#: From the `tcp` event that sends a segment to its entering the interface queue.
TCP_TO_QUEUE = inet.APP_TO_QUEUE - APP_TO_TCP
#: From the arrival of a segment's last bit to the `tcp` event that processes it.
RX_TO_TCP = inet.RX_TO_APP - 1


class TcpLayer:
    """The `Tcp` modules of every host: where their events go, and every connection end."""

    def __init__(
        self,
        kernel: Kernel,
        network: Network,
        messages: Messages,
        warmup: int,
        record: Collection[str],
        first_clone_id: int,
    ) -> None:
        self.kernel = kernel
        self.network = network
        self.messages = messages
        self.warmup = warmup
        #: the TCP vectors recorded (INET statistic names)
        self.record = frozenset(record)
        #: OMNeT++'s getUniqueNumber() after every socket of the model was constructed
        self.next_id = first_clone_id
        self.endpoints: list[Endpoint] = []
        self.listeners: list[Listener] = []
        #: every end's label in fogcosim.TcpRecorder's order (`simulation.model.apps.tcp_ends`)
        self.labels: list[str] = []
        #: the running `tcp` event's place in INET's chains
        self.depth, self.root = 0, 0
        #: what the running `tcp` event sent, in order: (None, segment) or (end, notification)
        self.out: list[tuple[Endpoint | None, Any]] = []

    def follow(self, depth: int, root: int, work: list[tuple[Any, Any]]) -> None:
        """Zero-delay events one level below (`depth`): at once if alone, else in order."""
        kernel = self.kernel
        if len(work) == 1:
            handler, arg = work[0]
            kernel.chain(depth, root, handler, arg)
            return
        for handler, arg in work:
            kernel.at_as(kernel.now, kernel.now, depth, root, handler, arg)

    def run(self, end: Endpoint, depth: int, root: int, action: Callable[[], None]) -> None:
        """Run TCP code as the `tcp` event at (`depth`, `root`); then its sends and notifications.

        Each segment goes to IPv4 and each notification to the app as a message, one
        level down, in the order the model made them. Without notifications the segments
        go down at once (a chain each). With some, every one becomes an event of that
        level in that order, so what the app does in answer, even ending the simulation,
        is ordered as in INET (a segment sent after the app's event never reaches IPv4).
        """
        self.depth, self.root, self.out = depth, root, []
        action()
        if end.conn.state_name == "CLOSED" and not end.failed:
            end.failed = True  # TCP gave up (INET's TCP_I_TIMED_OUT / CONNECTION_RESET)
            self.out.append((end, ("failed", 0)))
        out, self.out = self.out, []
        if not any(to is not None for to, _ in out):
            for _, sent in out:
                self.to_ip(sent, depth + 1, root)
            return
        kernel = self.kernel
        now = kernel.now
        for to, item in out:
            if to is None:
                kernel.at_as(now, now, depth + 1, root, self.to_ip, item)
            else:
                kernel.at_as(now, now, depth + 1, root, to.notified, item)

    def to_ip(self, sent: Sent, depth: int, root: int) -> None:
        """IPv4 takes a segment (an event at `depth`); it reaches the queue two levels down."""
        end, dgram, size, level = sent
        end.count(dgram.message[1])
        self.network.send(dgram, [frame_size(size)], level, depth + TCP_TO_QUEUE - 1, root)

    # the network's Transport

    def received(self, dgram: Datagram) -> None:
        """A segment is whole at its host: `tcp` processes it at the end of the receive chain."""
        kernel = self.kernel
        kernel.chain(RX_TO_TCP, kernel.pos, self._arrived, dgram.message)

    def lost(self, dgram: Datagram, mac: Mac) -> None:
        """A full queue dropped the segment: TCP finds out by itself."""

    def _arrived(self, carried: tuple[Endpoint, Segment], depth: int, root: int) -> None:
        endpoint, seg = carried
        endpoint.segment_arrived(seg, depth, root)


class Listener:
    """A forking listener (`TcpSocket::listen()`): INET's `conn-<listenId>`, which only records.

    The ends that serve its peers are `Endpoint`s with `fork`; for each peer's SYN it
    records what INET's listening connection records (`listener_samples`).
    """

    def __init__(self, layer: TcpLayer, host: str, socket_id: int) -> None:
        self.layer = layer
        self.host = host
        self.socket_id = socket_id
        self.vectors: Vectors = {}
        layer.listeners.append(self)

    def syn(self, seg: Segment) -> None:
        """A peer's SYN reached the listener: its samples, and a socket id for the clone."""
        layer = self.layer
        for name, value in listener_samples(seg):
            if name in layer.record:
                record(self.vectors, layer, name, value)


def record(vectors: Vectors, layer: TcpLayer, name: str, value: float) -> None:
    """One vector sample now (none before the warm-up, as OMNeT++'s recorders do)."""
    kernel = layer.kernel
    if kernel.now >= layer.warmup:
        times, values, events = vectors.setdefault(name, ([], [], []))
        times.append(kernel.now)
        values.append(value)
        events.append(kernel.pos)


class Endpoint:
    """One TCP connection end (INET's TcpConnection `conn-<socketId>`) and its `TcpEnv`."""

    def __init__(
        self,
        layer: TcpLayer,
        host: str,
        peer: str,
        config: TcpConfig,
        ports: tuple[int, int],
        label: str,
        level: int,
    ) -> None:
        self.layer = layer
        self.kernel = layer.kernel
        self.host = host
        self.peer = peer
        self.label = label
        self.level = level
        self.path = layer.network.path(host, peer)
        self.socket_id: int | None = None
        #: the forking listener this end was cloned from (None: an active end)
        self.listener: Listener | None = None
        self.other: Endpoint | None = None
        #: a forked end is usable by its app once the app accepted it
        self.usable = True
        self.pending: list[int] = []
        self.timers: dict[str, Timer] = {}
        self.vectors: Vectors = {}
        # the receiving app: the writes the sender registered, and the bytes that arrived
        self.expected: deque[tuple[int, Message]] = deque()
        self.registered = 0
        self.received_bytes = 0
        self.on_message: MessageHandler | None = None
        #: called (in the app's event) when TCP gave up on the connection
        self.on_failure: Callable[[], None] | None = None
        self.failed = False
        # what the sender did, as fogcosim's TcpRecorder counts it at IPv4 (after warm-up)
        self.started = False
        self.snd_max = 0
        self.segments = self.bytes = self.retransmitted = self.retransmitted_bytes = 0
        self.rexmit_times: list[int] = []
        self.rexmit_sizes: list[float] = []
        self.rexmit_events: list[int] = []
        self.conn = TcpConnection(config, self, ports[0], ports[1], record=layer.record)
        layer.endpoints.append(self)

    @property
    def module(self) -> str:
        """INET's module of this end, below the network: `<host>.tcp.conn-<socketId>`."""
        return f"{self.host}.tcp.conn-{self.socket_id}"

    # -- opening --------------------------------------------------------------------

    def connect_at_start(self) -> None:
        """The app opens the connection when the node starts (a message to `tcp` at time 0)."""
        self.kernel.at(0, -1, 0, self._connect, None)

    def _connect(self, _: None, depth: int, root: int) -> None:
        del depth, root
        # an event the initialisation inserted: its sends reach the queue as a tcp event's
        self.layer.run(self, 0, self.kernel.pos, self.conn.connect)

    def listen_forked(self, listener: Listener) -> None:
        """Serve one peer of a forking listener (cloned when the peer's SYN arrives)."""
        self.listener = listener
        self.usable = False
        self.conn.listen(fork=True)

    # -- the app's side -------------------------------------------------------------

    def write(self, message: Message, nbytes: int, depth: int, root: int) -> None:
        """The app (in its event at `depth`) writes a message; the receiver learns its end."""
        other = self.other
        assert other is not None
        other.registered += nbytes
        other.expected.append((other.registered, message))
        if self.failed:
            return  # the app's socket is in error: nothing is written (never delivered)
        if self.usable:
            self.kernel.chain(depth + APP_TO_TCP, root, self._written, nbytes)
        else:
            self.pending.append(nbytes)  # written when the app accepted the connection

    def _written(self, nbytes: int, depth: int, root: int) -> None:
        self.layer.run(self, depth, root, lambda: self.conn.send(nbytes))

    def notified(self, note: tuple[str, int], depth: int, root: int) -> None:
        """A TCP -> app message (an app event at `depth`)."""
        what, nbytes = note
        if what == "data":
            self._data(nbytes, depth, root)
        elif what == "failed":
            if self.on_failure is not None:
                self.on_failure()
        elif what == "available":
            # the app accepts (a message to tcp) and writes what waited for the connection
            self.usable = True
            work: list[tuple[Any, Any]] = [(self._accept, None)]
            work += [(self._written, n) for n in self.pending]
            self.pending = []
            self.layer.follow(depth + APP_TO_TCP, root, work)

    def _accept(self, _: None, depth: int, root: int) -> None:
        self.layer.run(self, depth, root, self.conn.accept)

    def _data(self, nbytes: int, depth: int, root: int) -> None:
        """In-order bytes reached the app: every message whose last byte is here is whole."""
        self.received_bytes += nbytes
        expected, messages, kernel = self.expected, self.layer.messages, self.kernel
        while expected and expected[0][0] <= self.received_bytes:
            _, message = expected.popleft()
            if messages.part_arrived(message, kernel.now, kernel.pos) and self.on_message:
                self.on_message(message, depth, root)

    # -- the network's side ---------------------------------------------------------

    def segment_arrived(self, seg: Segment, depth: int, root: int) -> None:
        """`tcp` processes a segment for this end (an event at `depth`)."""
        conn = self.conn
        if self.listener is not None and self.socket_id is None and conn.state_name == "LISTEN":
            # INET's listener takes the SYN and clones a connection with a fresh socket id
            self.layer.depth, self.layer.root = depth, root
            self.listener.syn(seg)
            self.socket_id = self.layer.next_id
            self.layer.next_id += 1
        self.layer.run(self, depth, root, lambda: conn.on_segment(seg))

    def _timer(self, kind: str, depth: int, root: int) -> None:
        del depth, root
        self.layer.run(self, 0, self.kernel.pos, lambda: self.conn.on_timer(kind))

    # -- TcpEnv ---------------------------------------------------------------------

    def now(self) -> int:
        """Current simulation time in ps."""
        return self.kernel.now

    def send_segment(self, conn: TcpConnection, seg: Segment) -> None:
        """Hand `seg` to IPv4: it reaches the interface queue at the end of the chain."""
        del conn
        layer = self.layer
        size = seg.header_bytes() + seg.payload
        other = self.other
        assert other is not None
        dgram = Datagram(layer, self.kernel.now, 1, size, 0, (other, seg), self.path)
        layer.out.append((None, (self, dgram, size, self.level)))

    def count(self, seg: Segment) -> None:
        """Segments, bytes and retransmissions as fogcosim's TcpRecorder counts them."""
        payload = seg.payload
        end = (seg.seq + seg.seg_len()) & MASK
        rexmit = self.started and payload > 0 and (seg.seq - self.snd_max) & MASK >= 1 << 31
        if not self.started or 0 < (end - self.snd_max) & MASK < 1 << 31:
            self.snd_max = end
        self.started = True
        now = self.kernel.now
        if now < self.layer.warmup:
            return
        self.segments += 1
        self.bytes += payload
        if rexmit:
            self.retransmitted += 1
            self.retransmitted_bytes += payload
            self.rexmit_times.append(now)
            self.rexmit_sizes.append(payload)
            self.rexmit_events.append(self.kernel.pos)

    def set_timer(self, conn: TcpConnection, kind: str, at_ps: int) -> None:
        """(Re)schedule the timer `kind` of this end: cancel and insert again."""
        del conn
        timer = self.timers.get(kind)
        if timer is None:
            timer = self.timers[kind] = Timer(self._timer, kind)
        self.kernel.start(timer, at_ps, self.layer.depth, self.layer.root)

    def cancel_timer(self, conn: TcpConnection, kind: str) -> None:
        """Cancel the timer `kind`."""
        del conn
        timer = self.timers.get(kind)
        if timer is not None:
            self.kernel.cancel(timer)

    def delivered(self, conn: TcpConnection, nbytes: int) -> None:
        """In-order bytes for the app: a TCP_I_DATA message after the `tcp` event."""
        del conn
        self.layer.out.append((self, ("data", nbytes)))

    def established(self, conn: TcpConnection) -> None:
        """The handshake completed; a forked end tells its app there is one to accept."""
        if conn.fork:
            self.layer.out.append((self, ("available", 0)))

    def record(self, conn: TcpConnection, name: str, value: float) -> None:
        """A sample of INET statistic `name` of this end's module."""
        del conn
        record(self.vectors, self.layer, name, value)
