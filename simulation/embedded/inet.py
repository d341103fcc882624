# SPDX-License-Identifier: MIT
"""How INET 4.5 orders what happens at one instant: the few numbers the engine needs.

OMNeT++ processes events in the order (time, scheduling priority, insertion
order). Two frames that reach a node at the same picosecond are therefore
handled in the order in which their transmissions were *started* (a channel
`send()` inserts the arrival event), and work that one event starts travels
through INET's module graph as a chain of zero-delay events, each inserted
while the previous one is processed. Chains started at the same instant
advance level by level, so the result of a chain (a frame entering an
interface queue, a datagram reaching an application) happens after every
event of that instant that was scheduled earlier, and after the levels of
shorter chains.

The engine reproduces this with event keys (time, scheduled at, chain depth,
position of the scheduling event, sequence) and needs the length of each
chain INET runs, counted in zero-delay events:

- `APP_TO_QUEUE`: from an application's timer event to its datagram (each
  IPv4 fragment) entering the host's interface queue (app -> UDP -> IPv4 ->
  interface), where the MAC takes it at once if idle;
- `RELAY`: from a frame's reception at a switch's MAC to its entering the
  outgoing interface's queue (MAC -> encapsulation -> relay -> ...);
- `ROUTER`: the same through a router's IPv4 forwarding;
- `RX_TO_APP`: from the reception of a datagram's last fragment at a host to
  the application receiving the reassembled datagram.

Only equal-time orderings depend on these numbers; every other result is
independent of them. They were counted in OMNeT++ 6.1 + INET 4.5.4 event logs
of rendered models (`record-eventlog = true`: a host sending through a switch
and through a gateway) and are checked by the tie-heavy agreement scenarios
(`tests/simulation/test_agreement.py`). A MAC starts a transmission in the
event that hands it the frame when it is idle, and otherwise at its end of
inter-frame gap; it schedules its end of transmission when it starts one and
its end of gap at the end of transmission.
"""

from __future__ import annotations

APP_TO_QUEUE = 4  # app -> udp -> ipv4.ip -> ethernet -> eth[i].queue (the MAC sends here)
RELAY = 4  # eth[i].mac -> ethernet -> bridging -> ethernet -> eth[j].queue
ROUTER = 4  # eth[i].mac -> ethernet -> ipv4.ip -> ethernet -> eth[j].queue
RX_TO_APP = 4  # eth[i].mac -> ethernet -> ipv4.ip (reassembly) -> udp -> app

# INET's TSN nodes (TsnDevice, TsnSwitch: layered Ethernet interfaces, modular bridging),
# counted in OMNeT++ 6.1 + INET 4.5.4 event logs the same way:
TSN_APP_TO_QUEUE = 3  # app -> udp -> ipv4.ip -> bridging (down to eth[i].macLayer.queue)
TSN_RELAY = 0  # the receiver's reception event relays the frame into eth[j].macLayer.queue
TSN_RX_TO_APP = 3  # eth[i].phyLayer.receiver -> ipv4.ip (reassembly) -> udp -> app
