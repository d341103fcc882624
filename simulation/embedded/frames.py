# SPDX-License-Identifier: MIT
"""Frame arithmetic as INET 4.5 builds frames (UDP/IPv4 over full-duplex Ethernet).

- UDP adds an 8-byte header; IPv4 a 20-byte header (no options).
- IPv4 fragments datagrams longer than the MTU: each fragment carries
  floor((MTU - 20) / 8) * 8 payload bytes (the last one the rest) plus its own
  20-byte header (`Ipv4::fragmentAndSend`).
- Ethernet adds a 14-byte MAC header, pads to the 64-byte minimum frame and
  appends a 4-byte FCS (the padding only when the frame is sent: the sender's
  queue counts the unpadded frame, a switch's the padded one it received); on
  the wire each frame is preceded by 8 bytes of
  preamble and SFD (part of the transmission, hence of channel busy time and
  of the channel's `packetBytes`), and followed by a 12-byte inter-frame gap
  (idle line, in neither).
"""

from __future__ import annotations

UDP_HEADER = 8
IPV4_HEADER = 20
ETH_HEADER = 14
ETH_FCS = 4
ETH_MIN_FRAME = 64
ETH_PREAMBLE_SFD = 8
ETH_IFG = 12
PS_PER_S = 10**12
#: Largest UDP payload in one IPv4 datagram (65535 - 20 IP - 8 UDP).
MAX_UDP_PAYLOAD = 65_507


def ip_fragment_payloads(udp_payload: int, mtu: int) -> list[int]:
    """IP payload bytes of each fragment of a UDP datagram carrying `udp_payload` bytes."""
    ip_payload = udp_payload + UDP_HEADER
    if ip_payload + IPV4_HEADER <= mtu:
        return [ip_payload]
    per_fragment = ((mtu - IPV4_HEADER) // 8) * 8
    full, rest = divmod(ip_payload, per_fragment)
    return [per_fragment] * full + ([rest] if rest else [])


#: A frame to send: (bytes on the wire, bits it counts in its sender's interface queue).
FrameSize = tuple[int, int]


def frame_bytes(ip_payload: int) -> int:
    """Bytes of one IP packet's Ethernet frame before padding: header, packet, FCS."""
    return ip_payload + IPV4_HEADER + ETH_HEADER + ETH_FCS


def wire_bytes(ip_payload: int) -> int:
    """Bytes one IP packet occupies on the wire: preamble/SFD + padded frame + FCS."""
    return max(frame_bytes(ip_payload), ETH_MIN_FRAME) + ETH_PREAMBLE_SFD


def frame_size(ip_payload: int, tag: int = 0) -> FrameSize:
    """Wire bytes of one IP packet's frame and the bits it counts in its sender's queue.

    The sender's interface queue holds the frame before the MAC pads it (header,
    payload and FCS only: a 62-byte frame counts 496 bits in `queueBitLength`
    and in a byte-bounded queue's capacity), while the line carries the padded
    64 bytes. A frame with a VLAN tag (`tag` bytes) counts as on the wire, less
    the preamble (as INET's TSN nodes queue it: every fixture agrees).
    """
    wire = wire_bytes(ip_payload)
    if tag:
        return wire + tag, queue_bits(wire + tag)
    return wire, frame_bytes(ip_payload) * 8


def datagram_wire_bytes(udp_payload: int, mtu: int) -> list[int]:
    """Wire bytes of every frame that carries one UDP datagram, in sending order."""
    return [wire_bytes(p) for p in ip_fragment_payloads(udp_payload, mtu)]


def datagram_frames(udp_payload: int, mtu: int, tag: int = 0) -> list[FrameSize]:
    """`frame_size` of every frame that carries one UDP datagram, in sending order."""
    return [frame_size(p, tag) for p in ip_fragment_payloads(udp_payload, mtu)]


def ps_per_byte(datarate_bps: int) -> int:
    """Transmission time of one byte in picoseconds (exact for Ethernet rates up to 400G)."""
    ps, rest = divmod(8 * PS_PER_S, datarate_bps)
    if rest:
        raise ValueError(f"datarate {datarate_bps} bps does not give whole ps per byte")
    return ps


def queue_bits(wire: int) -> int:
    """Bits a received frame of `wire` bytes on the wire counts in a switch's queue.

    The queue holds the Ethernet frame as it came off the line (header, payload,
    padding, FCS); the preamble and SFD are not part of it.
    """
    return (wire - ETH_PREAMBLE_SFD) * 8
