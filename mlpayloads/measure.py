"""Measure a scheme's real bytes on the wire and compare them with the analytic terms.

`measure` trains for a few rounds, records every message's `len(bytes)` per FN, per
round, per direction, and returns a `PayloadRecord`. The record also carries the
analytic element counts: the paper's Table-1 terms per FN (`analytic_*_elements`)
and, in `wire_terms`, every tensor an aggregated FN sends or receives in one round
with its wire dtype, so that for an aggregated FN

    measured bytes == sum(term elements * element size) + header bytes

holds exactly (`measure` checks it and fails loudly otherwise).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from torch import nn

from fogcosim import __version__
from fogcosim.errors import FogcosimError, UserError
from mlpayloads import wire
from mlpayloads.data import Data, ShardStream, load_data, streams
from mlpayloads.models import INPUT_SHAPES, build_model, check_split, model_spec, output_shapes
from mlpayloads.rounds import DOWN, UP, Arrivals, Channel, RoundLog, Scheme, run_round
from mlpayloads.schemes import check_method, make_scheme

DEFAULT_LR = 0.05


@dataclass(frozen=True)
class MeasureConfig:
    """Everything a measurement depends on (the cache key is built from it)."""

    dataset: str
    model: str
    method: str
    fog_nodes: int
    batch_size: int
    dtype: str = "float32"
    split: str | None = None
    rounds: int = 3
    seed: int = 0
    lr: float = DEFAULT_LR
    straggler_rate: float = 0.0
    delays: tuple[float, ...] | tuple[tuple[float, ...], ...] | None = None
    local_steps: int = 1
    data_dir: Path | None = None

    def validated(self) -> MeasureConfig:
        """Check every field (UserError on the first bad one); resolve the split.

        The split applies to fcddt only: it is checked against the model's layers for
        every method, resolved to the model's default for fcddt, and set to None for
        cc and fl.
        """
        model_spec(self.dataset, self.model)
        check_method(self.method)
        wire.check_dtype(self.dtype)
        for name, value in (
            ("fog nodes", self.fog_nodes),
            ("batch size", self.batch_size),
            ("rounds", self.rounds),
            ("local steps", self.local_steps),
        ):
            if not isinstance(value, int) or value < 1:
                raise UserError(f"{name} {value!r} must be an integer >= 1")
        if not (isinstance(self.lr, int | float) and math.isfinite(self.lr) and self.lr > 0):
            raise UserError(f"learning rate {self.lr!r} must be a number > 0")
        covered = Arrivals(self.fog_nodes, self.straggler_rate, self.seed, self.delays)
        if (covered.rounds_covered or self.rounds) < self.rounds:
            raise UserError(
                f"per-round delays cover {covered.rounds_covered} rounds, {self.rounds} requested"
            )
        if self.method == "cc" and (self.straggler_rate or self.delays):
            raise UserError("straggler rate and delays apply to fl and fcddt, not cc")
        split = check_split(self.model, build_model(self.dataset, self.model, 0), self.split)
        return _replace(self, split=split if self.method == "fcddt" else None)


def _replace(config: MeasureConfig, **changes: Any) -> MeasureConfig:
    return MeasureConfig(**{**asdict(config), **changes})


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


@dataclass(frozen=True)
class PayloadRecord:
    """The measured payload of one (data set, model, method, p, B, dtype, split).

    `upload_bytes_per_node` and `download_bytes_per_node` are the median (low median,
    so an observed value) over rounds and FNs of the bytes one FN sent or received in
    one round. `analytic_*_elements` are the paper's Table-1 terms per FN: CC ``B*d``
    up, 0 down; FL ``|w|`` each way; FCDDT ``B*l_m + B`` up, ``|w_local|`` down.
    `wire_terms` lists what an aggregated FN actually exchanges, Table-1 terms and the
    rest (CC's labels; FCDDT's local gradient and activation gradients).
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

    def table1_bytes(self) -> tuple[int, int]:
        """Bytes per FN per round (up, down) of only the messages Table 1 counts.

        For CC and FL every message is a Table-1 message. FCDDT's exact backward
        adds an exchange Table 1 leaves out (`EXTRA_MESSAGE_KINDS`); this is what
        the round would cost if that exchange were free, for comparison with the
        paper's traffic model.
        """
        from mlpayloads.schemes.fcddt import EXTRA_MESSAGE_KINDS

        def total(direction: str) -> int:
            return sum(
                m.bytes
                for m in self.messages
                if m.direction == direction and m.kind not in EXTRA_MESSAGE_KINDS
            )

        return total(UP), total(DOWN)

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


def analytic_terms(
    method: str, batch_size: int, d: int, l_m: int, w_total: int, w_local: int, dtype: str
) -> list[WireTerm]:
    """What one aggregated FN exchanges per round, term by term (see the schemes)."""
    f = wire.st_dtype(dtype)
    b = batch_size

    def term(direction: str, name: str, elements: int, code: str, table1: bool) -> WireTerm:
        return WireTerm(direction, name, elements, code, elements * wire.ITEMSIZE[code], table1)

    if method == "cc":
        return [term(UP, "B*d pixels", b * d, "U8", True), term(UP, "B labels", b, "U8", False)]
    if method == "fl":
        return [
            term(UP, "|w| gradient (or delta)", w_total, f, True),
            term(DOWN, "|w| weights", w_total, f, True),
        ]
    terms = [term(UP, "B*l_m activations", b * l_m, f, True), term(UP, "B labels", b, "U8", True)]
    if w_local:
        terms += [
            term(UP, "|w_local| local gradient", w_local, f, False),
            term(DOWN, "B*l_m activation gradients", b * l_m, f, False),
            term(DOWN, "|w_local| local weights", w_local, f, True),
        ]
    return terms


@dataclass
class Setup:
    """Everything a training run starts from: data, model, scheme, channel, FN streams."""

    data: Data
    model: nn.Sequential
    scheme: Scheme
    channel: Channel
    fn_streams: list[ShardStream]
    arrivals: Arrivals


def set_up(config: MeasureConfig, download: bool = False) -> Setup:
    """Load the data and build the model and scheme a (validated) config describes."""
    data = load_data(config.dataset, config.data_dir, download=download)
    model = build_model(config.dataset, config.model, config.seed)
    scheme = make_scheme(
        config.method,
        model,
        config.fog_nodes,
        config.lr,
        split=config.split,
        local_steps=config.local_steps,
    )
    return Setup(
        data,
        model,
        scheme,
        Channel(config.dtype),
        streams(data.train, config.fog_nodes, config.batch_size, config.seed),
        Arrivals(config.fog_nodes, config.straggler_rate, config.seed, config.delays),
    )


def measure(config: MeasureConfig, *, on_round: Any = None) -> PayloadRecord:
    """Train `config.rounds` rounds and record the bytes on the wire."""
    config = config.validated()
    setup = set_up(config)
    data, model, scheme = setup.data, setup.model, setup.scheme
    channel, fn_streams, arrivals = setup.channel, setup.fn_streams, setup.arrivals
    logs: list[RoundLog] = []
    start = time.perf_counter()
    for r in range(config.rounds):
        logs.append(run_round(scheme, channel, fn_streams, arrivals, r))
        if on_round is not None:
            on_round(r)
    elapsed = time.perf_counter() - start
    return _record(config, data.source, model, scheme.fog_param_count(), logs, elapsed)


def _record(
    config: MeasureConfig,
    source: str,
    model: nn.Sequential,
    w_local: int,
    logs: Sequence[RoundLog],
    elapsed: float,
) -> PayloadRecord:
    shape = INPUT_SHAPES[config.dataset]
    d = math.prod(shape)
    l_m = math.prod(output_shapes(model, shape)[config.split]) if config.split else None
    w_total = sum(p.numel() for p in model.parameters())
    terms = analytic_terms(
        config.method, config.batch_size, d, l_m or 0, w_total, w_local, config.dtype
    )
    rounds = tuple(_round_record(log, config.fog_nodes) for log in logs)
    cells = [n for r in rounds for n in r.nodes]
    messages = _message_types(logs)
    header = {
        direction: sum(
            m.header_bytes for m in _first_round_of_node(logs) if m.direction == direction
        )
        for direction in (UP, DOWN)
    }
    record = PayloadRecord(
        dataset=config.dataset,
        data_source=source,
        model=config.model,
        method=config.method,
        fog_nodes=config.fog_nodes,
        batch_size=config.batch_size,
        dtype=config.dtype,
        split=config.split,
        rounds=rounds,
        upload_bytes_per_node=int(statistics.median_low(c.upload_bytes for c in cells)),
        download_bytes_per_node=int(statistics.median_low(c.download_bytes for c in cells)),
        analytic_upload_elements=sum(t.elements for t in terms if t.direction == UP and t.table1),
        analytic_download_elements=sum(
            t.elements for t in terms if t.direction == DOWN and t.table1
        ),
        param_count_total=w_total,
        param_count_local=w_local,
        upload_header_bytes=header[UP],
        download_header_bytes=header[DOWN],
        activation_elements=l_m,
        wire_terms=tuple(terms),
        messages=messages,
        straggler_rate=config.straggler_rate,
        seed=config.seed,
        lr=config.lr,
        local_steps=config.local_steps,
        seconds_per_round=round(elapsed / config.rounds, 4),
        notes=_notes(config),
    )
    _check_against_terms(record, logs)
    return record


def _round_record(log: RoundLog, fog_nodes: int) -> RoundRecord:
    nodes = []
    for n in range(fog_nodes):
        mine = [m for m in log.messages if m.node == n]
        nodes.append(
            NodeRound(
                n,
                sum(m.nbytes for m in mine if m.direction == UP),
                sum(m.nbytes for m in mine if m.direction == DOWN),
                n in log.aggregated,
            )
        )
    return RoundRecord(log.round, log.arrival_order, log.aggregated, tuple(nodes))


def _first_round_of_node(logs: Sequence[RoundLog]) -> list[Any]:
    """The messages of the first aggregated FN in the first round (a full exchange)."""
    first = logs[0]
    node = first.aggregated[0]
    return [m for m in first.messages if m.node == node]


def _message_types(logs: Sequence[RoundLog]) -> tuple[MessageType, ...]:
    seen: dict[tuple[str, str], MessageType] = {}
    for log in logs:
        for m in log.messages:
            key = (m.direction, m.kind)
            if key not in seen:
                tensors = tuple(TensorInfo(n, dt, sh) for n, (dt, sh) in m.entries.items())
                seen[key] = MessageType(m.kind, m.direction, m.nbytes, m.header_bytes, tensors)
    return tuple(seen.values())


def _check_against_terms(record: PayloadRecord, logs: Sequence[RoundLog]) -> None:
    """Every aggregated FN's bytes must equal the analytic terms plus its headers."""
    for log in logs:
        for node in log.aggregated:
            for direction in (UP, DOWN):
                mine = [m for m in log.messages if m.node == node and m.direction == direction]
                measured = sum(m.nbytes for m in mine)
                expected = sum(m.header_bytes for m in mine) + sum(
                    t.bytes for t in record.wire_terms if t.direction == direction
                )
                if measured != expected:
                    raise FogcosimError(
                        f"{record.method} round {log.round} FN {node} {direction}: measured "
                        f"{measured} bytes, analytic terms plus headers give {expected}"
                    )


def _notes(config: MeasureConfig) -> tuple[str, ...]:
    notes = []
    if config.method == "cc":
        notes.append("raw upload as sensor data: uint8 pixels and uint8 labels; nothing down")
    if config.method == "fcddt":
        notes.append(
            "exact split backward: Table-1 terms plus |w_local| up (local gradient) and "
            "B*l_m down (activation gradients) per aggregated FN"
        )
    return tuple(notes)
