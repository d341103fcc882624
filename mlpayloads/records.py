# SPDX-License-Identifier: MIT
"""The measured payload record and its parts: plain data, no torch.

A `PayloadRecord` is what `mlpayloads.measure.measure` returns and what the cache
(`mlpayloads.table`) stores as JSON; reading one back needs nothing but this module, so
a simulation with a warm cache never imports torch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from fogcosim import __version__
from fogcosim.errors import UserError, unknown
from mlpayloads.catalog import DEFAULT_LR

UP = "up"
DOWN = "down"

#: Messages of FCDDT's exact split backward that Table 1's FCDDT cost leaves out.
EXTRA_MESSAGE_KINDS = frozenset({"activation_grads", "local_gradient"})

#: Ways to count a round's bytes: every message, or only those the paper's Table 1 counts.
ACCOUNTINGS = ("measured", "table1")


@dataclass(frozen=True)
class NodeRound:
    """One FN in one round: bytes each way, and whether the cloud aggregated it."""

    node: int
    upload_bytes: int
    download_bytes: int
    aggregated: bool


@dataclass(frozen=True)
class RoundRecord:
    """One round: FN arrival order, who was aggregated, and every FN's bytes."""

    round: int
    arrival_order: tuple[int, ...]
    aggregated: tuple[int, ...]
    nodes: tuple[NodeRound, ...]


@dataclass(frozen=True)
class TensorInfo:
    """A tensor in a message: name, safetensors wire dtype, shape."""

    name: str
    dtype: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class MessageType:
    """One kind of message as measured: its total, header and data bytes, and tensors."""

    kind: str
    direction: str
    bytes: int
    header_bytes: int
    tensors: tuple[TensorInfo, ...]


@dataclass(frozen=True)
class WireTerm:
    """An analytic term of one aggregated FN's traffic in one round."""

    direction: str
    term: str
    elements: int
    dtype: str
    bytes: int
    table1: bool  # part of the paper's Table-1 communication cost


def check_accounting(accounting: str) -> str:
    """Return `accounting` if it is "measured" or "table1", else raise a UserError."""
    if accounting not in ACCOUNTINGS:
        raise unknown("accounting", accounting, ACCOUNTINGS)
    return accounting


@dataclass(frozen=True)
class PayloadRecord:
    """The measured payload of one (data set, model, method, B, dtype, split, local steps).

    The bytes of a message depend only on the shapes of its tensors (B, the model, the
    split, the dtype), never on how many FNs take part or who is aggregated, so one
    record serves every FN count. `fog_nodes` is the FN count the measurement ran with.

    `upload_bytes_per_node` and `download_bytes_per_node` are the median (low median,
    so an observed value) over rounds and FNs of the bytes one FN sent or received in
    one round. `analytic_*_elements` are the paper's Table-1 terms per FN: CC ``B*d``
    up, 0 down; FL ``|w|`` each way; FCDDT ``B*l_m + B`` up, ``|w_local|`` down.
    `wire_terms` lists what an aggregated FN actually exchanges, Table-1 terms and the
    rest (CC's labels; FCDDT's local gradient and activation gradients). `messages`
    lists each kind of message once, in protocol order, with its size.
    """

    dataset: str
    data_source: str
    model: str
    method: str
    fog_nodes: int
    batch_size: int
    dtype: str
    split: str | None
    rounds: tuple[RoundRecord, ...]
    upload_bytes_per_node: int
    download_bytes_per_node: int
    analytic_upload_elements: int
    analytic_download_elements: int
    param_count_total: int
    param_count_local: int
    upload_header_bytes: int
    download_header_bytes: int
    activation_elements: int | None
    wire_terms: tuple[WireTerm, ...]
    messages: tuple[MessageType, ...]
    straggler_rate: float = 0.0
    seed: int = 0
    lr: float = DEFAULT_LR
    local_steps: int = 1
    seconds_per_round: float = 0.0
    package_version: str = __version__
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return asdict(self)

    def message_kinds(self, accounting: str = "measured") -> list[tuple[str, str]]:
        """(kind, direction) of every message an aggregated FN exchanges, in protocol order.

        CC: ``raw_batch`` up. FL: ``gradient`` (``weight_delta`` with local steps > 1) up,
        ``weights`` down. FCDDT: ``activations`` up, ``activation_grads`` down,
        ``local_gradient`` up, ``local_weights`` down. With accounting "table1" FCDDT's
        exact-backward exchange (`EXTRA_MESSAGE_KINDS`) is left out.
        """
        check_accounting(accounting)
        return [
            (m.kind, m.direction)
            for m in self.messages
            if accounting == "measured" or m.kind not in EXTRA_MESSAGE_KINDS
        ]

    def message_bytes(self, kind: str, direction: str) -> int:
        """Bytes of one message of `kind` sent `direction` ("up" or "down"), header included.

        A UserError names the kinds this record's method sends.
        """
        for m in self.messages:
            if m.kind == kind and m.direction == direction:
                return m.bytes
        sends = ", ".join(f"{k} {d}" for k, d in self.message_kinds())
        raise UserError(
            f"{self.method} sends no {kind!r} message {direction!r} (it sends: {sends})"
        )

    def table1_bytes(self) -> tuple[int, int]:
        """Bytes per FN per round (up, down) of only the messages Table 1 counts.

        For CC and FL every message is a Table-1 message. FCDDT's exact backward
        adds an exchange Table 1 leaves out (`EXTRA_MESSAGE_KINDS`); this is what
        the round would cost if that exchange were free, for comparison with the
        paper's traffic model.
        """
        kinds = self.message_kinds("table1")
        return (
            sum(self.message_bytes(k, d) for k, d in kinds if d == UP),
            sum(self.message_bytes(k, d) for k, d in kinds if d == DOWN),
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PayloadRecord:
        """Rebuild a record written by `to_dict` (e.g. from the cache)."""
        rounds = tuple(
            RoundRecord(
                r["round"],
                tuple(r["arrival_order"]),
                tuple(r["aggregated"]),
                tuple(NodeRound(**n) for n in r["nodes"]),
            )
            for r in d["rounds"]
        )
        messages = tuple(
            MessageType(
                m["kind"],
                m["direction"],
                m["bytes"],
                m["header_bytes"],
                tuple(TensorInfo(t["name"], t["dtype"], tuple(t["shape"])) for t in m["tensors"]),
            )
            for m in d["messages"]
        )
        return cls(
            **{
                **d,
                "rounds": rounds,
                "messages": messages,
                "wire_terms": tuple(WireTerm(**t) for t in d["wire_terms"]),
                "notes": tuple(d.get("notes", ())),
            }
        )
