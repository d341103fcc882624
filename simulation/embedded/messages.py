# SPDX-License-Identifier: MIT
"""Per-flow message accounting, as fogcosim's FlowRecorder module does it in OMNeT++.

A message is what an application sends in one go: one UDP datagram, several
(chunks) for a message larger than a datagram, or a write to a TCP stream.
It is delivered when all of it arrived, dropped when any part was lost to a
full queue, and in flight otherwise; at the end of the run, the age of every
message still in flight is kept (censored: it has no delay yet, and one older
than its flow's deadline is a miss). Messages created before the warm-up ends
are not counted (OMNeT++'s rule for the FlowRecorder's results).
"""

from __future__ import annotations

from typing import Any

from simulation.embedded.stats import FlowStats


class Message:
    """One message of a flow; `parts` of it are still on their way."""

    __slots__ = ("app", "counted", "created", "dropped", "flow", "info", "key", "parts", "to")

    def __init__(
        self, flow: FlowStats, created: int, counted: bool, key: tuple[int, int], parts: int
    ) -> None:
        self.flow = flow
        self.created = created
        self.counted = counted
        self.key = key
        self.parts = parts
        self.dropped = False
        #: the app it is for, and (stage, direction, fog, round) for a round-protocol app
        self.app: Any = None
        self.info: tuple[int, str, int, int] = (0, "", 0, 0)
        #: handler(message, depth, root) giving the complete message to its app (None: a sink)
        self.to: Any = None


class Messages:
    """Every message from its sending to its fate: delivered, dropped, or still in flight."""

    __slots__ = ("open", "warmup")

    def __init__(self, warmup: int) -> None:
        self.warmup = warmup
        #: (id of the flow's stats, message number) -> message
        self.open: dict[tuple[int, int], Message] = {}

    def find(self, flow: FlowStats, number: int) -> Message | None:
        """The open message `number` of `flow` (a further chunk of it is being sent)."""
        return self.open.get((id(flow), number))

    def start(self, flow: FlowStats, number: int, now: int, parts: int) -> Message:
        """A new message of `flow`, numbered `number` (the FlowRecorder's message id)."""
        counted = now >= self.warmup
        key = (id(flow), number)
        message = Message(flow, now, counted, key, parts)
        if counted:
            flow.sent += 1
            if flow.loop is not None and not flow.flow.closed_reply:
                flow.loop.started[number] = now  # a closed loop's request: the loop starts
        self.open[key] = message
        return message

    def part_arrived(self, message: Message, now: int, pos: int) -> bool:
        """One part arrived; True when the message is complete (and not dropped)."""
        if not self._resolve(message):
            return False
        if message.dropped:
            return False
        flow = message.flow
        if message.counted:
            flow.delivered += 1
            flow.delays_ps.append(now - message.created)
            flow.arrival_ps.append(now)
            flow.events.append(pos)
        loop = flow.loop
        if loop is not None and flow.flow.closed_reply:  # a reply closes its loop
            sent = loop.started.pop(message.key[1], None)
            if sent is not None:
                loop.rtts_ps.append(now - sent)
                loop.arrival_ps.append(now)
                loop.events.append(pos)
        return True

    def part_lost(self, message: Message, now: int, where: int, pos: int) -> None:
        """One part was dropped by a full queue (link direction `where`)."""
        if not message.dropped:
            message.dropped = True
            flow = message.flow
            if message.counted:
                flow.dropped += 1
                flow.drops.append((now, message.key[1], where, pos))
            loop = flow.loop
            if loop is not None and loop.started.pop(message.key[1], None) is not None:
                loop.lost += 1  # the request or its reply is gone: the loop cannot close
        self._resolve(message)

    def _resolve(self, message: Message) -> bool:
        message.parts -= 1
        if message.parts:
            return False
        del self.open[message.key]
        return True

    def censor(self, end: int) -> None:
        """Keep the age at `end` of every counted message still in flight."""
        for message in self.open.values():
            if message.counted and not message.dropped:
                message.flow.censored_ps.append(end - message.created)

    @staticmethod
    def censor_loops(flows: list[FlowStats], end: int) -> None:
        """Keep the age at `end` of every loop neither completed nor lost."""
        for flow in flows:
            loop = flow.loop
            if loop is not None and not flow.flow.closed_reply:
                loop.pending_ps = [end - sent for sent in loop.started.values()]
