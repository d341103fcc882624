# SPDX-License-Identifier: MIT
"""INET's TCP (`inet.transportlayer.tcp.Tcp`, 4.5.4 and 4.6.0) as a library the engine drives.

See docs/tcp.md for the model, its parameters and every place where it follows INET
rather than an RFC. The engine implements `TcpEnv` and creates a `TcpConnection` per
connection end.
"""

from simulation.embedded.native import use_build

use_build(__path__, __name__)  # before its modules load (see native)

from simulation.embedded.transport.tcp.connection import TcpConnection, TcpEnv, listener_samples  # noqa: E402
from simulation.embedded.transport.tcp.flavours import ALGORITHMS  # noqa: E402
from simulation.embedded.transport.tcp.segment import ACK, FIN, PSH, RST, SYN, Segment  # noqa: E402
from simulation.embedded.transport.tcp.tcb import STATE_NAMES, TIMERS  # noqa: E402
from simulation.model.tcpconfig import TcpConfig  # noqa: E402

__all__ = [
    "ACK",
    "ALGORITHMS",
    "FIN",
    "PSH",
    "RST",
    "STATE_NAMES",
    "SYN",
    "TIMERS",
    "Segment",
    "TcpConfig",
    "TcpConnection",
    "TcpEnv",
    "listener_samples",
]
