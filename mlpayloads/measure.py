# SPDX-License-Identifier: MIT
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from torch import nn

from fogcosim.errors import FogcosimError
from mlpayloads import wire
from mlpayloads.catalog import DEFAULT_LR as DEFAULT_LR
from mlpayloads.config import MeasureConfig as MeasureConfig
from mlpayloads.data import Data, ShardStream, load_data, streams
from mlpayloads.device import resolve_device
from mlpayloads.models import INPUT_SHAPES, build_model, output_shapes
from mlpayloads.progress import data_label, round_bar
from mlpayloads.records import (
    DOWN,
    UP,
    MessageType,
    NodeRound,
    PayloadRecord,
    RoundRecord,
    TensorInfo,
    WireTerm,
)
from mlpayloads.rounds import Arrivals, Channel, RoundLog, Scheme, run_round
from mlpayloads.schemes import make_scheme


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


def set_up(config: MeasureConfig, download: bool = False, *, training: bool = False) -> Setup:
    """Load the data and build the model and scheme a (validated) config describes.

    `training` (accuracy matters) refuses an FN partition smaller than one batch
    (`mlpayloads.partition.PartitionError`); a measurement of sizes cycles it.
    """
    device = resolve_device(config.device)
    data = load_data(config.dataset, config.data_dir, download=download)
    fn_streams = streams(
        data.train,
        config.fog_nodes,
        config.batch_size,
        config.seed,
        partition=config.partition,
        alpha=config.dirichlet_alpha,
        whole_batches=training,
        device=device,
    )
    model = build_model(config.dataset, config.model, config.seed).to(device)
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
        Channel(config.dtype, device),
        fn_streams,
        Arrivals(config.fog_nodes, config.straggler_rate, config.seed, config.delays),
    )


def measure(
    config: MeasureConfig,
    *,
    on_round: Callable[[int], None] | None = None,
    progress: bool = True,
) -> PayloadRecord:
    """Train `config.rounds` rounds and record the bytes on the wire.

    With `progress` a bar on stderr ("measuring mnist/mlp fl payload (stand-in data):
    round 1/2") appears once the measurement has run for a few seconds (terminals only).
    """
    config = config.validated()
    setup = set_up(config)
    data, model, scheme = setup.data, setup.model, setup.scheme
    channel, fn_streams, arrivals = setup.channel, setup.fn_streams, setup.arrivals
    logs: list[RoundLog] = []
    desc = (
        f"measuring {config.dataset}/{config.model} {config.method} payload "
        f"({data_label(data.source)})"
    )
    start = time.perf_counter()
    with round_bar(desc, config.rounds, progress) as bar:
        for r in range(config.rounds):
            bar.update()
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
