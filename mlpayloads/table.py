# SPDX-License-Identifier: MIT
"""Cached payload records, reusable for any fog-node count, and the paper's payload table.

`payload_record` is the entry point other packages use (the simulation sizes its ML
traffic with it). Why one record serves every FN count: a message's bytes are
``8 + header + sum(elements * element size)`` of its tensors (`mlpayloads.wire`), and
the shapes are fixed by B, the model, the split and the dtype (and, for FL, whether it
sends a gradient or a delta). The FN count changes how many such messages there are,
and a straggler rate changes which FNs are aggregated (a straggler sends and receives
fewer kinds of message), but never the size of a message of a given kind
(`tests/mlpayloads/test_fog_node_independence.py` checks this at p=2 and p=6, with and
without stragglers). So a record is measured once at `MEASURE_FOG_NODES` FNs with every
FN aggregated and is keyed only by what fixes the bytes: data set, model, method, B,
dtype, resolved split, local steps, plus the data source, the package version and the
cache format. The number of rounds and the seed only say how a missing record is
measured; they change no byte count and are not in the key.

Other runs (``fogcosim payloads --fog-nodes P``, ``--straggler-rate``, ``--delays``,
``--lr``) record that run's per-round details (arrival order, who was aggregated, bytes
per FN) and are cached under a key that also holds those settings. Cache files are
written atomically; where they live is described in `mlpayloads.cache`. Looking up a
cached record does not import torch.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from fogcosim import __version__
from fogcosim.atomic import write_json, write_text
from mlpayloads import cache
from mlpayloads.catalog import DATASET_MODELS, DEFAULT_LR, METHOD_NAMES, describe_source
from mlpayloads.config import MeasureConfig
from mlpayloads.records import PayloadRecord

#: FNs a reusable record is measured with. Two is the fewest at which the cloud averages
#: more than one FN's upload and sends its download to more than one FN, so every code
#: path of a round runs; more FNs only repeat the same messages (and cost time: every FN
#: trains in every round).
MEASURE_FOG_NODES = 2

#: Rounds measured for a missing record unless asked otherwise.
DEFAULT_ROUNDS = 2

#: Columns of payloads.csv, in order.
CSV_COLUMNS = (
    "dataset",
    "data_source",
    "model",
    "method",
    "fog_nodes",
    "batch_size",
    "dtype",
    "split",
    "rounds",
    "upload_bytes_per_node",
    "download_bytes_per_node",
    "analytic_upload_elements",
    "analytic_download_elements",
    "upload_header_bytes",
    "download_header_bytes",
    "param_count_total",
    "param_count_local",
    "activation_elements",
    "seconds_per_round",
)


def payload_record(
    dataset: str,
    model: str,
    method: str,
    batch_size: int,
    dtype: str = "float32",
    *,
    split: str | None = None,
    local_steps: int = 1,
    rounds: int = DEFAULT_ROUNDS,
    cache_dir: Path | None = None,
    data_dir: Path | None = None,
    seed: int = 0,
    progress: bool = True,
) -> PayloadRecord:
    """The payload record for these inputs, valid for any FN count: cached, else measured.

    A missing record is measured at `MEASURE_FOG_NODES` FNs, no stragglers, for `rounds`
    rounds from `seed` (a cached record may hold another number of rounds: neither
    changes any byte count). Raises UserError for an unknown or mismatched data set,
    model, method, dtype or split, for batch_size, local_steps or rounds below 1, and
    for local_steps > 1 with a method other than fl.
    """
    config = MeasureConfig(
        dataset=dataset,
        model=model,
        method=method,
        fog_nodes=MEASURE_FOG_NODES,
        batch_size=batch_size,
        dtype=dtype,
        split=split,
        rounds=rounds,
        seed=seed,
        local_steps=local_steps,
        data_dir=data_dir,
    )
    return cached_measure(config, cache_dir, progress=progress)


def is_reusable(config: MeasureConfig) -> bool:
    """Whether `config` is the standard measurement that serves every FN count."""
    return (
        config.fog_nodes == MEASURE_FOG_NODES
        and config.straggler_rate == 0
        and config.delays is None
        and config.lr == DEFAULT_LR
    )


def cache_key(config: MeasureConfig) -> str:
    """A hash of what the record depends on (config must be validated); see the module."""
    fields: dict[str, Any] = {
        "kind": "payload",
        "dataset": config.dataset,
        "model": config.model,
        "method": config.method,
        "batch_size": config.batch_size,
        "dtype": config.dtype,
        "split": config.split,
        "local_steps": config.local_steps,
        "data_source": describe_source(config.dataset, config.data_dir),
        "package_version": __version__,
    }
    if not is_reusable(config):
        fields["run"] = {
            "fog_nodes": config.fog_nodes,
            "straggler_rate": config.straggler_rate,
            "delays": config.delays,
            "lr": config.lr,
            "rounds": config.rounds,
            "seed": config.seed,
        }
    return cache.key_of(fields)


def record_path(config: MeasureConfig, cache_dir: Path | None = None) -> Path:
    """The cache file of a (validated) config's record."""
    name = f"{config.dataset}-{config.model}-{config.method}-B{config.batch_size}"
    return cache.cache_folder(cache_dir) / "payloads" / f"{name}-{cache_key(config)}.json"


def cached_measure(
    config: MeasureConfig,
    cache_dir: Path | None = None,
    *,
    on_round: Callable[[int], None] | None = None,
    progress: bool = True,
) -> PayloadRecord:
    """`measure(config)` through the cache (torch is imported only to measure)."""
    config = config.validated()
    path = record_path(config, cache_dir)
    record = cache.load(path, PayloadRecord.from_dict)
    if record is not None:
        return record
    from mlpayloads import measure  # torch: only when measuring

    record = measure.measure(config, on_round=on_round, progress=progress)
    cache.store(path, record.to_dict())
    return record


def paper_grid() -> list[tuple[str, str, str]]:
    """Every (data set, model, method) of the paper, in order."""
    return [
        (d, m, meth)
        for d, models in DATASET_MODELS.items()
        for m in models
        for meth in METHOD_NAMES
    ]


def csv_row(record: PayloadRecord) -> dict[str, object]:
    """One payloads.csv row for `record`."""
    d = record.to_dict()
    d["rounds"] = len(record.rounds)
    return {c: ("" if d[c] is None else d[c]) for c in CSV_COLUMNS}


def write_table(records: Iterable[PayloadRecord], out_dir: Path) -> tuple[Path, Path]:
    """Write `out_dir/payloads.csv` and `out_dir/payloads.json`, atomically."""
    records = list(records)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row(r) for r in records)
    csv_path, json_path = out_dir / "payloads.csv", out_dir / "payloads.json"
    write_text(csv_path, buf.getvalue())
    write_json(json_path, [r.to_dict() for r in records])
    return csv_path, json_path


def format_table(records: Iterable[PayloadRecord]) -> str:
    """A plain-text table of the records, one line per record."""
    head = (
        f"{'dataset':8} {'model':6} {'method':6} {'split':6} {'up B/FN':>11} {'down B/FN':>11} "
        f"{'T1 up el.':>10} {'T1 down el.':>11} {'|w|':>9} {'|w_local|':>9} {'s/round':>8}"
    )
    lines = [head]
    for r in records:
        lines.append(
            f"{r.dataset:8} {r.model:6} {r.method:6} {r.split or '-':6} "
            f"{r.upload_bytes_per_node:>11,} {r.download_bytes_per_node:>11,} "
            f"{r.analytic_upload_elements:>10,} {r.analytic_download_elements:>11,} "
            f"{r.param_count_total:>9,} {r.param_count_local:>9,} {r.seconds_per_round:>8.2f}"
        )
    return "\n".join(lines)
