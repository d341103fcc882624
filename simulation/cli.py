# SPDX-License-Identifier: MIT
"""`fogcosim render`: one scenario's NED and ini; argument helpers for the other commands.

`fogcosim run` and `fogcosim sweep` (simulate, then summarise) are registered by
`analysis.cli.run` and `analysis.cli.study`, since they use both packages and `analysis` sits
above `simulation`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from fogcosim.clihelp import examples
from fogcosim.errors import UserError
from simulation.backends.omnetpp.backend import OmnetppInstall, find_install
from simulation.backends.omnetpp.render import render
from simulation.backends.omnetpp.versions import DEFAULT_DIALECT, NED_DIALECTS
from simulation.model import units
from simulation.model.scenario import Scenario, tcp_configs
from simulation.model.tcpconfig import TcpConfig
from simulation.profile.build import build_scenario, load_profile, with_time
from simulation.profile.traffic import METHODS


def positive_int(text: str) -> int:
    """Argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1 (allowed: 1 or more)")
    return value


def int_list(text: str) -> list[int]:
    """Argparse type: comma-separated fog-node counts, each >= 1."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of integers"
        ) from None
    for v in values:
        if v < 1:
            raise argparse.ArgumentTypeError(f"fog-node count {v} is below 1 (allowed: 1 or more)")
    return values


def method_list(text: str) -> list[str]:
    """Argparse type: comma-separated method names."""
    values = [v.strip() for v in text.split(",") if v.strip()]
    for v in values:
        if v not in METHODS:
            raise argparse.ArgumentTypeError(
                f"unknown method {v!r} (allowed: {', '.join(METHODS)})"
            )
    return values


def add_point_args(p: argparse.ArgumentParser) -> None:
    """Arguments that name one point of a profile: profile, fog-node count, method, seed."""
    p.add_argument("--profile", required=True, help="shipped profile name or path to a .toml")
    p.add_argument(
        "--fog-nodes", type=positive_int, required=True, metavar="N", help="fog nodes (FNs)"
    )
    p.add_argument(
        "--method",
        choices=METHODS,
        required=True,
        help="training method: none (no ML traffic), cc, fl or fcddt",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="network seed: draws start offsets and periods"
    )


def add_scenario_args(p: argparse.ArgumentParser) -> None:
    """Arguments that name one scenario: the point (`add_point_args`), training seed and more."""
    add_point_args(p)
    p.add_argument(
        "--train-seed",
        type=int,
        metavar="T",
        help='pacing = "rounds": training seed (model init, data order; default: --seed)',
    )
    p.add_argument(
        "--variant",
        metavar="NAME",
        help="one of the profile's [[simulation.variants]] (default: the profile as written)",
    )
    p.add_argument(
        "--no-vectors",
        dest="vectors",
        action="store_false",
        help="do not record the delay vectors (p50/p99 then stay empty; a sweep records them "
        "by the same default)",
    )
    p.add_argument(
        "--vectors",
        dest="vectors",
        action="store_true",
        help=argparse.SUPPRESS,  # the default; kept so older command lines still work
    )
    add_time_args(p)
    p.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder for the run's files"
    )


def time_text(text: str) -> int:
    """Argparse type: a time such as '2s' or '500ms', in picoseconds."""
    try:
        return units.parse_time_ps(text)
    except units.QuantityError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_time_args(p: argparse.ArgumentParser) -> None:
    """How long to simulate: measured time (or hyperperiods) and a warm-up before it."""
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--sim-time", type=time_text, metavar="T",
        help="measured time after the warm-up, e.g. 5s (default: the profile's, else one "
        "hyperperiod)",
    )  # fmt: skip
    group.add_argument(
        "--hyperperiods", type=positive_int, metavar="K", help="measure K hyperperiods"
    )
    p.add_argument(
        "--warmup", type=time_text, metavar="T",
        help="simulate T first and record nothing of it (OMNeT++'s warmup-period)",
    )  # fmt: skip


def register(sub: Any) -> None:
    """Add `render` and `run` to the fogcosim command."""
    p = sub.add_parser(
        "render",
        help="write the NED network and omnetpp.ini of one scenario",
        **examples(
            "fogcosim render --profile paper-sec21 --fog-nodes 7 --method fl --out out/ned",
            "fogcosim render --profile my-plant.toml --fog-nodes 6 --method none "
            "--inet-version 4.5 --out out/ned",
        ),
    )
    add_scenario_args(p)
    p.add_argument(
        "--inet-version", choices=NED_DIALECTS, default=None,
        help="INET the NED is for (default: the installed INET, else the newest validated)",
    )  # fmt: skip
    p.set_defaults(func=cmd_render)


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario that `add_scenario_args` names, with its simulated-time options."""
    if args.train_seed is not None and args.train_seed < 0:
        raise UserError(f"--train-seed {args.train_seed} is negative (allowed: 0 or more)")
    profile = load_profile(args.profile).with_variant(args.variant or "")
    scenario = build_scenario(
        profile, args.fog_nodes, args.method, args.seed, train_seed=args.train_seed
    )
    trains = scenario.rounds is not None and scenario.rounds.training is not None
    if args.train_seed is not None and not trains:
        raise UserError(
            f"--train-seed: {scenario.name} trains nothing (training seeds apply to the ML "
            'methods of a profile with [traffic.ml] pacing = "rounds")'
        )
    if args.sim_time is not None and args.sim_time <= 0:
        raise UserError(f"--sim-time must be positive (got {args.sim_time} ps)")
    return with_time(scenario, args.sim_time, args.hyperperiods, args.warmup)


def tcp_summary(scenario: Scenario) -> list[tuple[str, TcpConfig]]:
    """The TCP parameters in use, with the hosts that run each set (for `render`'s output)."""
    by_config: dict[TcpConfig, list[str]] = {}
    for host, (config, _) in tcp_configs(scenario).items():
        by_config.setdefault(config, []).append(host)
    return [(", ".join(hosts), config) for config, hosts in by_config.items()]


def cmd_render(args: argparse.Namespace) -> int:
    """Render one scenario into --out."""
    scenario = scenario_from_args(args)
    dialect = args.inet_version
    if dialect is None:
        found = find_install()
        installed = isinstance(found, OmnetppInstall)
        dialect = found.versions().dialect if installed else DEFAULT_DIALECT  # type: ignore[union-attr]
    paths = render(scenario, args.out, record_vectors=args.vectors, dialect=dialect)
    print(
        f"rendered {scenario.name}: hyperperiod {scenario.hyperperiod_ps / 1e12:g}s, "
        f"simulated {scenario.sim_time_limit_ps / 1e12:g}s"
        + (f" (warm-up {scenario.warmup_ps / 1e12:g}s)" if scenario.warmup_ps else "")
    )
    for path in (paths.ned, paths.ini, paths.scenario_json, paths.manifest_json):
        print(f"  {path}")
    if scenario.profile_defaults:
        print("defaults used (not in the profile; recorded in scenario.json):")
        for name, value in scenario.profile_defaults:
            print(f"  {name} = {value}")
    for host_set, config in tcp_summary(scenario):
        print(f"TCP on {host_set}: {config.describe()}")
    return 0
