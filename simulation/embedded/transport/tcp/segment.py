# SPDX-License-Identifier: MIT
"""A TCP segment as the engine carries it: header fields, options and a byte count.

Payload content is not modelled, only its length. The options are the two INET
writes on SYN and SYN+ACK when SACK and timestamps are off: MSS (4 bytes) and a
NOP followed by Window Scale (1 + 3 bytes). INET's `TcpHeader` chunk length is
20 bytes plus the sum of the option lengths, without padding
(`TcpHeader::getHeaderOptionArrayLength`); with these two options every sum is a
multiple of 4, so it equals the RFC 9293 data offset too.
"""

from __future__ import annotations

from dataclasses import dataclass

FIN = 0x01
SYN = 0x02
RST = 0x04
PSH = 0x08
ACK = 0x10

MIN_HEADER = 20
MSS_OPTION = 4  # kind, length, 16-bit value
WS_OPTION = 4  # NOP (1) + kind, length, shift (3)
NO_WSCALE = -1

_FLAG_NAMES = ((SYN, "SYN"), (FIN, "FIN"), (RST, "RST"), (PSH, "PSH"), (ACK, "ACK"))


@dataclass(slots=True)
class Segment:
    """One TCP segment; created per send, never changed afterwards.

    `window` is the 16-bit field as sent (already shifted right by the window scale
    outside SYN segments); `mss` is the MSS option's value (0: no option); `wscale`
    the Window Scale option's shift count (-1: no option).
    """

    src_port: int
    dst_port: int
    seq: int
    ack: int
    flags: int
    window: int
    payload: int
    mss: int = 0
    wscale: int = NO_WSCALE

    def header_bytes(self) -> int:
        """TCP header length in bytes, options included (INET's TcpHeader chunk length)."""
        n = MIN_HEADER
        if self.mss:
            n += MSS_OPTION
        if self.wscale >= 0:
            n += WS_OPTION
        return n

    def seg_len(self) -> int:
        """RFC 9293 SEG.LEN: payload bytes plus one for SYN and one for FIN."""
        return self.payload + (1 if self.flags & SYN else 0) + (1 if self.flags & FIN else 0)

    def describe(self) -> str:
        """A tcpdump-like one-liner for test failures and logs."""
        names = "+".join(name for bit, name in _FLAG_NAMES if self.flags & bit) or "-"
        opts = ""
        if self.mss:
            opts += f" mss={self.mss}"
        if self.wscale >= 0:
            opts += f" ws={self.wscale}"
        return (
            f"{self.src_port}>{self.dst_port} {names} seq={self.seq} ack={self.ack} "
            f"win={self.window} len={self.payload}{opts}"
        )
