"""Cached payload records and the paper's payload table.

`payload_record` is the entry point other packages use (the simulation sizes its ML
traffic with it). A record is cached as JSON under the cache folder, named by a hash
of every input that can change it (all arguments, the resolved split, the rounds,
the data source and the package version); cache files are written atomically.
The cache folder is `cache_dir`, else ``$FOGCOSIM_CACHE``, else
``results/payloads/cache`` relative to the current directory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

from fogcosim import __version__
from fogcosim.atomic import write_json, write_text
from mlpayloads.data import describe_source
from mlpayloads.measure import MeasureConfig, PayloadRecord, measure
from mlpayloads.models import DATASET_MODELS
from mlpayloads.schemes import METHODS

log = logging.getLogger(__name__)

CACHE_ENV = "FOGCOSIM_CACHE"
DEFAULT_CACHE = Path("results/payloads/cache")
#: Bump when the record layout or the measurement changes meaning.
CACHE_FORMAT = 1

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
    fog_nodes: int,
    batch_size: int,
    dtype: str = "float32",
    *,
    split: str | None = None,
    rounds: int = 3,
    cache_dir: Path | None = None,
    data_dir: Path | None = None,
    seed: int = 0,
) -> PayloadRecord:
    """The measured payload record for these inputs: from the cache, else measured and cached.

    Raises UserError for an unknown or mismatched data set, model, method, dtype or
    split, and for fog_nodes, batch_size or rounds below 1.
    """
    config = MeasureConfig(
        dataset=dataset,
        model=model,
        method=method,
        fog_nodes=fog_nodes,
        batch_size=batch_size,
        dtype=dtype,
        split=split,
        rounds=rounds,
        seed=seed,
        data_dir=data_dir,
    )
    return cached_measure(config, cache_dir)


def cache_folder(cache_dir: Path | None = None) -> Path:
    """The cache folder in effect (argument, then $FOGCOSIM_CACHE, then the default)."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else DEFAULT_CACHE


def cache_key(config: MeasureConfig) -> str:
    """A hash of everything the record depends on (config must be validated)."""
    fields = asdict(config)
    fields.pop("data_dir")
    fields["data_source"] = describe_source(config.dataset, config.data_dir)
    fields["package_version"] = __version__
    fields["cache_format"] = CACHE_FORMAT
    text = json.dumps(fields, sort_keys=True, default=list)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def cached_measure(
    config: MeasureConfig,
    cache_dir: Path | None = None,
    *,
    on_round: Callable[[int], None] | None = None,
) -> PayloadRecord:
    """`measure(config)` through the cache."""
    config = config.validated()
    path = (
        cache_folder(cache_dir)
        / f"{config.dataset}-{config.model}-{config.method}-{cache_key(config)}.json"
    )
    if path.is_file():
        try:
            return PayloadRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring unreadable cache file %s (%s)", path, exc)
    record = measure(config, on_round=on_round)
    write_json(path, record.to_dict())
    return record


def paper_grid() -> list[tuple[str, str, str]]:
    """Every (data set, model, method) of the paper, in order."""
    return [
        (d, m, meth) for d, models in DATASET_MODELS.items() for m in models for meth in METHODS
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
