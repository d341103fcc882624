# SPDX-License-Identifier: MIT
"""The ``payloads`` and ``train`` subcommands of ``fogcosim``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from fogcosim.atomic import write_json
from fogcosim.clihelp import examples
from fogcosim.errors import UserError
from mlpayloads.catalog import DEFAULT_LR, DEVICE_NAMES
from mlpayloads.config import MeasureConfig
from mlpayloads.partition import DEFAULT_ALPHA, PARTITIONS
from mlpayloads.table import DEFAULT_ROUNDS, MEASURE_FOG_NODES, is_reusable

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``payloads`` and ``train`` to the ``fogcosim`` command."""
    pay = subparsers.add_parser(
        "payloads",
        help="measure the bytes each scheme puts on the wire per FN and round",
        description="Train a few rounds and record len(bytes) of every FN<->cloud message.",
        **examples(
            "fogcosim payloads --dataset mnist --model cnn --method fcddt --batch-size 64 "
            "--out fcddt.json",
            "fogcosim payloads --all --batch-size 64 --out out/payloads",
        ),
    )
    _common(pay)
    pay.add_argument(
        "--fog-nodes",
        type=int,
        default=MEASURE_FOG_NODES,
        metavar="P",
        help=f"FNs to measure with (default {MEASURE_FOG_NODES}: the record that serves "
        "every FN count; bytes per message do not depend on P)",
    )
    pay.add_argument(
        "--rounds", type=int, default=DEFAULT_ROUNDS, help=f"rounds to measure ({DEFAULT_ROUNDS})"
    )
    pay.add_argument(
        "--all",
        action="store_true",
        help="every data set, model and method of "
        "the paper into OUT/payloads.csv and OUT/payloads.json",
    )
    pay.add_argument(
        "--cache-dir",
        type=Path,
        help="record cache (default $FOGCOSIM_CACHE, else the user cache folder, "
        "e.g. ~/.cache/fogcosim)",
    )
    pay.add_argument("--out", type=Path, required=True, help="FILE.json, or a folder with --all")
    pay.set_defaults(func=payloads_command)

    tr = subparsers.add_parser(
        "train",
        help="train a scheme to test accuracy and record accuracy per epoch",
        description="Train with CC, FL or FCDDT over p fog nodes; write accuracy per epoch.",
        **examples(
            "fogcosim train --dataset mnist --model mlp --method fl --batch-size 32 "
            "--fog-nodes 8 --epochs 3 --out fl.json",
            "fogcosim train --dataset cifar10 --model lenet5 --method fcddt --batch-size 64 "
            "--fog-nodes 4 --epochs 2 --data-dir ~/data/cifar10 --out fcddt.json",
        ),
    )
    _common(tr)
    tr.add_argument(
        "--fog-nodes", type=int, required=True, metavar="P", help="fog nodes holding the data"
    )
    tr.add_argument("--epochs", type=int, required=True, help="passes over the training set")
    tr.add_argument(
        "--download",
        action="store_true",
        help="fetch missing data files into --data-dir (needs torchvision)",
    )
    tr.add_argument(
        "--partition",
        choices=PARTITIONS,
        default="iid",
        help="how the training set is divided among the FNs (default iid; dirichlet: label "
        "skew, see docs/mlpayloads.md)",
    )
    tr.add_argument(
        "--dirichlet-alpha",
        type=float,
        default=DEFAULT_ALPHA,
        metavar="ALPHA",
        help=f"dirichlet: concentration > 0 (default {DEFAULT_ALPHA}; small = more skewed)",
    )
    tr.add_argument("--no-progress", action="store_true", help="no progress bar")
    tr.add_argument("--out", type=Path, required=True, help="FILE.json")
    tr.set_defaults(func=train_command)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", help="mnist or cifar10")
    p.add_argument("--model", help="mlp, cnn (mnist); lenet5, vgg16 (cifar10)")
    p.add_argument("--method", help="cc, fl or fcddt")
    p.add_argument(
        "--batch-size", type=int, required=True, metavar="B", help="samples per FN per round"
    )
    p.add_argument("--split", help="fcddt: last layer on the fog node (default per model)")
    p.add_argument("--dtype", default="float32", help="wire dtype: float32 (default), float16")
    p.add_argument("--data-dir", type=Path, help="real MNIST/CIFAR-10 files (default: stand-in)")
    p.add_argument(
        "--seed", type=int, default=0, help="model init, data shards and order (default 0)"
    )
    p.add_argument("--lr", type=float, default=DEFAULT_LR, help=f"SGD step (default {DEFAULT_LR})")
    p.add_argument(
        "--straggler-rate",
        type=float,
        default=0.0,
        metavar="ALPHA",
        help="fl, fcddt: aggregate only the first max(1, floor((1-ALPHA)p)) FNs",
    )
    p.add_argument(
        "--delays",
        help="fl, fcddt: comma-separated arrival delay per FN (instead of the seeded RNG)",
    )
    p.add_argument("--local-steps", type=int, default=1, help="fl: local SGD steps per round")
    add_device_arg(p)


def add_device_arg(p: argparse.ArgumentParser) -> None:
    """--device auto|cpu|cuda (training; sizes and FLOPs do not depend on it)."""
    p.add_argument(
        "--device",
        choices=DEVICE_NAMES,
        default="auto",
        help="where training runs: auto (CUDA when torch sees one, else CPU; default), cpu, "
        "cuda (an error without one); sizes and FLOPs are the same on each",
    )


def _parse_delays(text: str | None) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise UserError(f"delays {text!r} must be comma-separated numbers") from None


def _config(args: argparse.Namespace, rounds: int) -> MeasureConfig:
    missing = [f"--{n}" for n in ("dataset", "model", "method") if getattr(args, n) is None]
    if missing:
        raise UserError(f"{' and '.join(missing)} required (or --all with payloads)")
    return MeasureConfig(
        dataset=args.dataset,
        model=args.model,
        method=args.method,
        fog_nodes=args.fog_nodes,
        batch_size=args.batch_size,
        dtype=args.dtype,
        split=args.split,
        rounds=rounds,
        seed=args.seed,
        lr=args.lr,
        straggler_rate=args.straggler_rate,
        delays=_parse_delays(args.delays),
        local_steps=args.local_steps,
        data_dir=args.data_dir,
        partition=getattr(args, "partition", "iid"),
        dirichlet_alpha=getattr(args, "dirichlet_alpha", DEFAULT_ALPHA),
        device=args.device,
    ).validated()


def _check_out_file(path: Path) -> None:
    if path.is_dir():
        raise UserError(f"--out {str(path)!r} is a folder; give a FILE.json")


def payloads_command(args: argparse.Namespace) -> int:
    """``fogcosim payloads``: one record to FILE.json, or the paper's table with --all."""
    from mlpayloads.table import cached_measure

    if args.all:
        return _payloads_all(args)
    _check_out_file(args.out)
    config = _config(args, args.rounds)
    record = cached_measure(config, args.cache_dir)
    write_json(args.out, record.to_dict())
    measured_at = f"measured at p={record.fog_nodes}" + (
        ", valid for any p" if is_reusable(config) else ""
    )
    print(
        f"{record.dataset} {record.model} {record.method} B={record.batch_size} "
        f"{record.dtype}: {record.upload_bytes_per_node} B up, "
        f"{record.download_bytes_per_node} B down per FN per round ({measured_at}; "
        f"data: {record.data_source}) -> {args.out}"
    )
    return 0


def _payloads_all(args: argparse.Namespace) -> int:
    from mlpayloads.table import cached_measure, format_table, paper_grid, write_table

    given = [
        f"--{n}" for n in ("dataset", "model", "method", "split", "delays") if getattr(args, n)
    ]
    if args.straggler_rate:
        given.append("--straggler-rate")
    if given:
        raise UserError(f"--all measures the whole paper grid at alpha=0; drop {', '.join(given)}")
    if args.out.is_file():
        raise UserError(f"--out {str(args.out)!r} is a file; --all writes into a folder")
    rounds = args.rounds
    configs = [
        MeasureConfig(
            dataset=d,
            model=m,
            method=meth,
            fog_nodes=args.fog_nodes,
            batch_size=args.batch_size,
            dtype=args.dtype,
            rounds=rounds,
            seed=args.seed,
            lr=args.lr,
            local_steps=1,
            data_dir=args.data_dir,
            device=args.device,
        ).validated()
        for d, m, meth in paper_grid()
    ]
    records = []
    start = time.perf_counter()
    for config in configs:
        t0 = time.perf_counter()
        record = cached_measure(config, args.cache_dir)
        print(
            f"  {config.dataset} {config.model} {config.method}: "
            f"{time.perf_counter() - t0:.1f} s (data: {record.data_source})",
            file=sys.stderr,
        )
        records.append(record)
    csv_path, json_path = write_table(records, args.out)
    sources = sorted({r.data_source for r in records})
    print(format_table(records))
    print(
        f"data: {'; '.join(sources)}; p={args.fog_nodes}, B={args.batch_size}, "
        f"{args.dtype}, {rounds} rounds; {time.perf_counter() - start:.1f} s"
    )
    print(f"wrote {csv_path} and {json_path}")
    return 0


def train_command(args: argparse.Namespace) -> int:
    """``fogcosim train``: train to test accuracy, write accuracy per epoch to FILE.json."""
    from mlpayloads.training import train

    _check_out_file(args.out)
    config = _config(args, 1)
    result = train(config, args.epochs, download=args.download, progress=not args.no_progress)
    write_json(args.out, result)
    accs = ", ".join(f"{a:.3f}" for a in result["accuracy_per_epoch"])
    print(
        f"test accuracy per epoch: {accs} (data: {result['data_source']}; partition "
        f"{result['partition']}; device {result['device']}) -> {args.out}"
    )
    return 0
