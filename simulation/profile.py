"""Traffic profiles: TOML files describing a factory layout and its traffic.

A profile is named by a shipped name (`simulation/profiles/<name>.toml`) or a
path. `build_scenario` turns (profile, fog nodes, method, seed) into a
validated `Scenario`; every error names the file, the field and what is allowed.
"""

from __future__ import annotations

import dataclasses
import random
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fogcosim.errors import UserError
from simulation import units
from simulation.scenario import (
    DEFAULT_MAX_HYPERPERIOD_PS,
    SCHEDULING_MODES,
    TRAFFIC_CLASSES,
    MlPayload,
    Scenario,
    ScenarioError,
    check_identifier,
)
from simulation.tomlfields import ProfileError, Section
from simulation.topology import build_topology
from simulation.traffic import (
    METHODS,
    FlowDraft,
    cloud_exchange,
    draw_offsets,
    explicit_flows,
    ml_exchange,
    neighbour_exchange,
)

PROFILE_DIR = Path(__file__).with_name("profiles")
DEFAULT_PRIORITIES = {"critical": 0, "ml": 1, "background": 1}
PAPER_FOG_NODES = (4, 7, 10, 12, 15, 18)

PayloadMeasurer = Callable[[Section, str, int], MlPayload]


def shipped_profiles() -> list[str]:
    """Names of the profiles that ship with fogcosim."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def resolve_profile(name_or_path: str | Path) -> Path:
    """A shipped profile name or a path to a .toml file -> the file's path."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise UserError(f"profile file {text!r} does not exist")
        return path
    shipped = PROFILE_DIR / f"{text}.toml"
    if shipped.is_file():
        return shipped
    raise UserError(
        f"unknown profile {text!r} (shipped: {', '.join(shipped_profiles())}; or a path to a .toml)"
    )


@dataclass(frozen=True)
class Profile:
    """A parsed profile: its file, top-level facts, and the raw document for building."""

    path: Path
    name: str
    description: str
    network: str
    fog_nodes: tuple[int, ...]
    methods: tuple[str, ...]
    seeds: int
    document: dict[str, Any]

    def section(self, dotted: str) -> Section:
        """A fresh Section for a dotted table path ({} when absent)."""
        node: Any = self.document
        for part in dotted.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return Section(node if isinstance(node, dict) else {}, dotted, self.path)


def load_profile(name_or_path: str | Path) -> Profile:
    """Read and check a profile's top-level structure (the rest is checked per build)."""
    path = resolve_profile(name_or_path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from None
    root = Section(document, "", path)
    root.sub("topology")
    for key in ("profile", "simulation", "traffic"):
        root.sub(key, {})
    root.reject_unknown()
    meta = root.sub("profile")
    name = meta.string("name")
    try:
        check_identifier(name.replace("-", "_"), "profile name")
    except ScenarioError as exc:
        raise meta.error("name", str(exc)) from None
    description = meta.string("description", "")
    meta.reject_unknown()
    topo = root.sub("topology")
    network = topo.string("network")
    try:
        check_identifier(network, "network name")
    except ScenarioError as exc:
        raise topo.error("network", str(exc)) from None
    sim = root.sub("simulation", {})
    fog_nodes = sim.raw("fog_nodes", list(PAPER_FOG_NODES))
    if not isinstance(fog_nodes, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in fog_nodes
    ):
        raise sim.error("fog_nodes", f"expected a list of integers >= 1, got {fog_nodes!r}")
    methods = sim.raw("methods", list(METHODS))
    if not isinstance(methods, list) or any(m not in METHODS for m in methods):
        raise sim.error("methods", f"expected a list from {', '.join(METHODS)}, got {methods!r}")
    seeds = sim.integer("seeds", 3, minimum=1)
    return Profile(
        path, name, description, network, tuple(fog_nodes), tuple(methods), seeds, document
    )


def build_scenario(
    profile: Profile,
    fog_nodes: int,
    method: str,
    seed: int = 0,
    measure: PayloadMeasurer | None = None,
) -> Scenario:
    """The Scenario for one point of a study: profile x fog-node count x method x seed."""
    if fog_nodes < 1:
        raise UserError(f"fog-node count {fog_nodes} is below 1 (allowed: 1 or more)")
    if method not in METHODS:
        raise UserError(f"unknown method {method!r} (allowed: {', '.join(METHODS)})")
    sim = profile.section("simulation")
    for key in ("fog_nodes", "methods", "seeds"):
        sim.raw(key, None)
    scheduling = sim.choice("scheduling", SCHEDULING_MODES, "fifo")
    queue_capacity = sim.raw("queue_capacity", None)
    if queue_capacity is not None:
        queue_capacity = sim.integer("queue_capacity", minimum=1)
    mtu = sim.integer("mtu", 1500)
    max_hp = sim.quantity("max_hyperperiod", units.parse_time_ps, DEFAULT_MAX_HYPERPERIOD_PS)
    warmup = sim.time_ps("warmup", 0, positive=False)
    if warmup < 0:
        raise sim.error("warmup", "must not be negative")
    if sim.has("sim_time") and sim.has("hyperperiods"):
        raise sim.error("sim_time", "give either sim_time or hyperperiods, not both")
    sim_time = sim.time_ps("sim_time", None)
    hyperperiods = sim.integer("hyperperiods", None, minimum=1)
    priorities = dict(DEFAULT_PRIORITIES)
    prio = sim.sub("priorities", {})
    for cls in TRAFFIC_CLASSES:
        priorities[cls] = prio.integer(cls, priorities[cls], minimum=0)
    prio.reject_unknown()
    sim.reject_unknown()

    topology = build_topology(profile.section("topology"), fog_nodes)
    rng = random.Random(seed)
    traffic = profile.section("traffic")
    drafts = cloud_exchange(traffic.sub("cloud", {}), fog_nodes)
    drafts += neighbour_exchange(traffic.sub("neighbours", {}), fog_nodes, rng)
    drafts += explicit_flows(traffic.table_list("flows"))
    ml = traffic.sub("ml", {})
    payload = None if method == "none" else _payload(ml, method, fog_nodes, measure)
    drafts += ml_exchange(ml, fog_nodes, payload)
    ml_keys_used(ml)
    ml.reject_unknown()
    traffic.reject_unknown()
    flows = draw_offsets(drafts, rng, priorities)
    try:
        scenario = Scenario(
            name=f"{profile.name}-n{fog_nodes}-{method}-s{seed}",
            profile=profile.name,
            network=profile.network,
            method=method,
            fog_nodes=fog_nodes,
            seed=seed,
            nodes=topology.nodes,
            links=topology.links,
            flows=tuple(flows),
            scheduling=scheduling,  # type: ignore[arg-type]
            queue_capacity=queue_capacity,
            mtu=mtu,
            max_hyperperiod_ps=max_hp,
            ml_payload=payload,
            description=profile.description,
        )
        return with_time(scenario, sim_time, hyperperiods, warmup)
    except ScenarioError as exc:
        field = _profile_field(exc.field, drafts)
        where = f"{field}: " if field else ""
        raise ScenarioError(f"{profile.path}: {where}{exc}", field) from None


def with_time(
    scenario: Scenario,
    sim_time_ps: int | None = None,
    hyperperiods: int | None = None,
    warmup_ps: int | None = None,
) -> Scenario:
    """The scenario with another measured time and warm-up (None keeps what it has).

    `sim_time_ps` is the measured time after the warm-up; `hyperperiods` measures
    that many hyperperiods instead (one of the two at most).
    """
    if sim_time_ps is not None and hyperperiods is not None:
        raise UserError("give either a simulated time or a number of hyperperiods, not both")
    duration = scenario.duration_ps if sim_time_ps is None else sim_time_ps
    if hyperperiods is not None:
        if hyperperiods < 1:
            raise UserError(f"hyperperiods {hyperperiods} must be at least 1")
        duration = hyperperiods * scenario.hyperperiod_ps
    warmup = scenario.warmup_ps if warmup_ps is None else warmup_ps
    if (duration, warmup) == (scenario.duration_ps, scenario.warmup_ps):
        return scenario
    return dataclasses.replace(scenario, duration_ps=duration, warmup_ps=warmup)


_FLOW_FIELD = re.compile(r"^flows\[(\d+)\](.*)$")
#: Scenario flow attributes -> the profile keys that set them.
_PROFILE_KEYS = {".size": ".size_bytes", ".class": ".class"}


def _profile_field(field: str | None, drafts: list[FlowDraft]) -> str | None:
    """Map a Scenario field (`flows[12].src`) to the profile field that made it."""
    match = _FLOW_FIELD.match(field or "")
    if not match:
        return field
    origin = drafts[int(match.group(1))].origin
    rest = match.group(2)
    return origin + _PROFILE_KEYS.get(rest, rest) if origin.startswith("traffic.flows") else origin


_ML_KEYS = ("dataset", "model", "batch_size", "dtype", "split", "rounds", "accounting", "bytes")
#: "measured": every message of a round; "table1": only those the paper's Table 1 counts
#: (FCDDT's exact backward adds an exchange it leaves out; see mlpayloads).
ACCOUNTING = ("measured", "table1")


def _payload(
    ml: Section, method: str, fog_nodes: int, measure: PayloadMeasurer | None
) -> MlPayload:
    """Per-round ML bytes: explicit in [traffic.ml.bytes.<method>], else measured."""
    explicit = ml.sub("bytes", {})
    if explicit.has(method):
        entry = explicit.sub(method)
        up = entry.integer("upload", minimum=0)
        down = entry.integer("download", minimum=0)
        entry.reject_unknown()
        return MlPayload(method, up, down, f"profile {ml.field('bytes')}.{method}")
    return (measure or measure_payload)(ml, method, fog_nodes)


def measure_payload(ml: Section, method: str, fog_nodes: int) -> MlPayload:
    """Measure (or reuse the cached measurement of) the method's real bytes per FN per round.

    The bytes per FN do not depend on `fog_nodes`: one cached record serves every FN
    count, and a cached lookup does not import torch.
    """
    from mlpayloads.table import payload_record

    dataset = ml.string("dataset", "mnist")
    model = ml.string("model", "mlp")
    batch = ml.integer("batch_size", 100, minimum=1)
    dtype = ml.string("dtype", "float32")
    split = ml.raw("split", None)
    rounds = ml.integer("rounds", 3, minimum=1)
    accounting = ml.choice("accounting", ACCOUNTING, "measured")
    try:
        rec = payload_record(dataset, model, method, batch, dtype, split=split, rounds=rounds)
    except UserError as exc:
        raise ProfileError(f"{ml.file}: {ml.path}: {exc}") from None
    up, down = (
        rec.table1_bytes()
        if accounting == "table1"
        else (rec.upload_bytes_per_node, rec.download_bytes_per_node)
    )
    what = "measured" if accounting == "measured" else "measured, Table-1 messages only"
    return MlPayload(
        method, up, down, f"{what}: {dataset}/{model} B={batch} {dtype} ({rec.data_source})"
    )


def ml_keys_used(ml: Section) -> None:
    """Mark the measurement keys read (they are only read when a method measures)."""
    for key in _ML_KEYS:
        ml.raw(key, None)
