# SPDX-License-Identifier: MIT
"""Traffic profiles: TOML files describing a factory layout and its traffic.

A profile is named by a shipped name (`simulation/profile/profiles/<name>.toml`) or a
path. `build_scenario` turns (profile, fog nodes, method, seed) into a
validated `Scenario`; every error names the file, the field and what is allowed.
"""

from __future__ import annotations

import copy
import dataclasses
import random
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fogcosim.errors import UserError
from simulation.model.load import (
    default_stall_timeout_ps,
    unmeetable_deadline,
    unmeetable_flow_deadline,
)
from simulation.model.roundspec import RoundsSpec
from simulation.model.scenario import (
    TRAFFIC_CLASSES,
    MlPayload,
    Scenario,
    ScenarioError,
    check_identifier,
)
from simulation.profile.rounds import compute_factors, rounds_spec
from simulation.profile.tcp import read_tcp, read_transport
from simulation.profile.tomlfields import ProfileError, Section
from simulation.profile.topology import build_topology
from simulation.profile.traffic import (
    METHODS,
    FlowDraft,
    cloud_exchange,
    draw_offsets,
    explicit_flows,
    ml_exchange,
    neighbour_exchange,
)
from simulation.profile.tsn import build_tsn, class_pcps
from simulation.tsn_synthesis.problem import build_problem
from simulation.tsn_synthesis.schedule import synthesise

PROFILE_DIR = Path(__file__).with_name("profiles")

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
    #: Published results the reports compare with ("none" or "sec21-table4").
    reference: str = "none"
    #: Training seeds a sweep runs (None: as many as `seeds`, paired run by run).
    train_seeds: int | None = None
    #: Whether the ML traffic is the training's round protocol (`[traffic.ml] pacing`).
    rounds_paced: bool = False
    #: The variants a sweep runs side by side ([[simulation.variants]]), by name, in order.
    variants: tuple[str, ...] = ()
    #: The variant this profile is ("" for the profile as written).
    variant: str = ""

    def fog_counts(self, default: tuple[int, ...]) -> tuple[int, ...]:
        """FN counts to build it at: `default`, or its own where its devices fix the count.

        A profile that assigns device classes by counts or by list
        (`[compute.fog_device_counts]`, `fog_devices`) builds only at the FN count they
        add up to (its `[simulation] fog_nodes`); tools that try every shipped profile
        at fixed counts (agreement, validation) use this.
        """
        compute = self.document.get("compute", {})
        fixed = "fog_device_counts" in compute or "fog_devices" in compute
        return self.fog_nodes if fixed else default

    def root(self, defaults: dict[str, str] | None = None) -> Section:
        """The whole profile as a Section checked against the schema."""
        return Section(self.document, "", self.path, "", defaults)

    def with_variant(self, name: str) -> Profile:
        """The profile with variant `name`'s fields set ("" = as written)."""
        if not name:
            return self
        if name not in self.variants:
            allowed = ", ".join(self.variants) or "none: the profile declares no variants"
            raise UserError(f"{self.path}: no variant {name!r} (allowed: {allowed})")
        i = self.variants.index(name)
        item = Section(self.document, "", self.path, "").sub("simulation").tables("variants")[i]
        document = copy.deepcopy(self.document)
        apply_variant(document, item)
        _check_tables(Section(document, "", self.path, ""))
        paced = document.get("traffic", {}).get("ml", {}).get("pacing") == "rounds"
        return dataclasses.replace(self, document=document, variant=name, rounds_paced=paced)


def apply_variant(document: dict[str, Any], item: Section) -> None:
    """Apply one [[simulation.variants]] item to a parsed profile: its `unset`, then its `set`.

    A dotted field names tables from the top (`simulation.scheduling`); a part
    ending in `[]` stands for every item of an array of tables
    (`traffic.flows[].pcp`: the `pcp` of every flow). `set` creates missing
    tables; `unset` removes what it names and refuses a field the profile does
    not have (a typo would otherwise change nothing).
    """
    for dotted in item.get("unset"):
        slots = _slots(document, dotted, item, "unset", create=False)
        present = [(where, key) for where, key in slots if key in where]
        if not present:
            raise item.error("unset", f"{dotted!r}: not in the profile (nothing to unset)")
        for where, key in present:
            del where[key]
    for dotted, value in item.sub("set").items():
        for where, key in _slots(document, dotted, item, "set", create=True):
            where[key] = copy.deepcopy(value)


def _slots(
    document: dict[str, Any], dotted: str, item: Section, field: str, create: bool
) -> list[tuple[dict[str, Any], str]]:
    """(table, key) of every place a dotted field names (`[]`: each item of an array)."""
    parts = dotted.split(".")
    if not all(parts) or parts[-1].endswith("[]"):
        raise item.error(field, f"{dotted!r}: expected a dotted field such as "
                         "'simulation.scheduling' or 'traffic.flows[].pcp'")  # fmt: skip
    tables: list[dict[str, Any]] = [document]
    for part in parts[:-1]:
        nxt: list[dict[str, Any]] = []
        for where in tables:
            if part.endswith("[]"):
                items = where.get(part[:-2])
                if items is None and not create:
                    continue
                if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
                    raise item.error(field, f"{dotted!r}: {part[:-2]!r} is not an array of "
                                     "tables")  # fmt: skip
                nxt += items
                continue
            sub = where.setdefault(part, {}) if create else where.get(part)
            if sub is None:
                continue
            if not isinstance(sub, dict):
                hint = f" (for every item of an array of tables: '{part}[]')"
                raise item.error(field, f"{dotted!r}: {part!r} is not a table" + (
                    hint if isinstance(sub, list) else ""))  # fmt: skip
            nxt.append(sub)
        tables = nxt
    return [(where, parts[-1]) for where in tables]


def load_profile(name_or_path: str | Path) -> Profile:
    """Read a profile and check its structure and top-level facts (the rest per build)."""
    path = resolve_profile(name_or_path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from None
    root = Section(document, "", path, "")
    _check_tables(root)
    meta = root.sub("profile")
    name = meta.get("name")
    try:
        check_identifier(name.replace("-", "_"), "profile name")
    except ScenarioError as exc:
        raise meta.error("name", str(exc)) from None
    topo = root.sub("topology")
    network = topo.get("network")
    try:
        check_identifier(network, "network name")
    except ScenarioError as exc:
        raise topo.error("network", str(exc)) from None
    sim = root.sub("simulation")
    fog_nodes = sim.get("fog_nodes")
    if not fog_nodes or any(n < 1 for n in fog_nodes):
        raise sim.error("fog_nodes", f"expected a non-empty list of integers >= 1, got {fog_nodes}")
    methods = sim.get("methods")
    if not methods:
        raise sim.error("methods", f"expected a non-empty list from {', '.join(METHODS)}")
    traffic = root.sub("traffic")
    paced = traffic.has("ml") and traffic.sub("ml").get("pacing") == "rounds"
    train_seeds = sim.get("train_seeds")
    if train_seeds is not None and not paced:
        raise sim.error(
            "train_seeds",
            'applies to pacing = "rounds" profiles only (a periodic study trains nothing)',
        )
    variants = tuple(v.get("name") for v in sim.tables("variants"))
    if len(set(variants)) != len(variants):
        raise sim.error("variants", f"two variants share a name ({', '.join(variants)})")
    profile = Profile(
        path, name, meta.get("description"), network, tuple(fog_nodes), tuple(methods),
        sim.get("seeds"), document, meta.get("reference"), train_seeds, paced, variants,
    )  # fmt: skip
    for variant in variants:  # every variant's fields are checked when the profile loads
        try:
            profile.with_variant(variant)
        except UserError as exc:
            raise ProfileError(f"{path}: simulation.variants[{variant}]: {exc}") from None
    return profile


def _check_tables(section: Section) -> None:
    """Check every nested table's keys against the schema (unknown keys are named at load)."""
    for f in section.table.fields:
        if f.kind in ("table", "link") and isinstance(section.data.get(f.key), dict):
            sub = section.sub(f.key)
            if sub.table.fields:
                _check_tables(sub)
            else:
                for key, value in sub.data.items():
                    if (
                        sub.table.values
                        and sub.table.values.kind == "table"
                        and isinstance(value, dict)
                    ):
                        _check_tables(sub.sub(key))
        elif f.kind == "tables" and f.key in section.data:
            for item in section.tables(f.key):
                _check_tables(item)


def build_scenario(
    profile: Profile,
    fog_nodes: int,
    method: str,
    seed: int = 0,
    measure: PayloadMeasurer | None = None,
    train_seed: int | None = None,
) -> Scenario:
    """The Scenario for one point of a study: profile x fog-node count x method x seeds.

    `seed` is the network seed (start offsets, neighbour periods: `random.Random(seed)`);
    `train_seed` the training's (model init, data shards, batch order, torch and NumPy
    generators of their own), recorded in a rounds-paced scenario's training (None: equal
    to `seed`). The two never share a generator, so either can change alone. A scenario
    whose training seed differs from its network seed is named `...-s<seed>-t<train_seed>`.
    """
    if fog_nodes < 1:
        raise UserError(f"fog-node count {fog_nodes} is below 1 (allowed: 1 or more)")
    if method not in METHODS:
        raise UserError(f"unknown method {method!r} (allowed: {', '.join(METHODS)})")
    try:
        return _scenario_at(profile, fog_nodes, method, seed, measure, train_seed)
    except UserError as exc:
        raise at_fog_nodes(exc, fog_nodes) from None


def at_fog_nodes(exc: UserError, fog_nodes: int) -> UserError:
    """The same error, saying the fog-node count it arose at.

    A profile can be valid at one count and not at another (a host attached to a
    switch that exists only at larger counts), so a sweep's error says which.
    """
    suffix = f" (at {fog_nodes} fog nodes)"
    message = str(exc)
    if message.endswith(suffix):
        return exc
    out = copy.copy(exc)
    out.args = (message + suffix, *exc.args[1:])
    return out


def _scenario_at(
    profile: Profile,
    fog_nodes: int,
    method: str,
    seed: int,
    measure: PayloadMeasurer | None,
    train_seed: int | None,
) -> Scenario:
    """`build_scenario`'s body, once its arguments are known to be valid."""
    defaults: dict[str, str] = {}
    root = profile.root(defaults)
    sim = root.sub("simulation")
    scheduling = sim.get("scheduling")
    queue_capacity = sim.get("queue_capacity")
    queue_bytes = sim.get("queue_bytes")
    mtu = sim.get("mtu")
    max_hp = sim.get("max_hyperperiod")
    prio = sim.sub("priorities")
    priorities = {cls: prio.get(cls) for cls in TRAFFIC_CLASSES}
    warmup = sim.get("warmup")
    if sim.has("sim_time") and sim.has("hyperperiods"):
        raise sim.error("sim_time", "give either sim_time or hyperperiods, not both")
    sim_time = sim.get("sim_time")
    hyperperiods = sim.get("hyperperiods")

    topology = build_topology(root.sub("topology"), fog_nodes)
    tsn_section = root.sub("tsn")
    tsn = pcps = None
    if scheduling == "tsn":
        tsn = build_tsn(tsn_section, topology.links)
        pcps = class_pcps(tsn_section)
    elif root.has("tsn"):
        raise root.error("tsn", f'applies to scheduling = "tsn" only (this is {scheduling!r})')
    rng = random.Random(seed)
    traffic = root.sub("traffic")
    drafts: list[FlowDraft] = []
    rounds = None
    if traffic.has("cloud"):
        drafts += cloud_exchange(traffic.sub("cloud"), fog_nodes)
    if traffic.has("neighbours"):
        drafts += neighbour_exchange(traffic.sub("neighbours"), fog_nodes, rng)
    drafts += explicit_flows(traffic.tables("flows"), mtu)
    payload = None
    if method != "none":
        if not traffic.has("ml"):
            raise traffic.error(
                "ml", f"missing: method {method!r} needs a [traffic.ml] table (or run method none)"
            )
        ml = traffic.sub("ml")
        pacing = ml.get("pacing")
        _check_pacing_keys(ml, pacing)
        if pacing == "rounds":
            if ml.has("bytes"):
                raise ml.error(
                    "bytes",
                    'applies to pacing = "periodic" only (rounds measure every message\'s size)',
                )
            rounds = rounds_spec(ml, root.sub("compute"), method, fog_nodes, priorities["ml"], seed)
            rounds = with_train_seed(rounds, seed if train_seed is None else train_seed)
            transport = read_transport(ml, "tcp")
            tcp = read_tcp(ml.sub("tcp"), mtu) if transport == "tcp" else None
            rounds = dataclasses.replace(rounds, transport=transport, tcp=tcp)
            if pcps is not None:
                rounds = dataclasses.replace(rounds, pcp=pcps["ml"])
            up = sum(st.up_bytes for st in rounds.stages)
            down = sum(st.down_bytes for st in rounds.stages)
            payload = MlPayload(method, up, down, rounds.source)
        else:
            payload = _payload(ml, method, fog_nodes, measure)
            drafts += ml_exchange(ml, fog_nodes, payload, mtu)
    if pcps is None:
        for d in drafts:
            if d.pcp is not None:
                raise ScenarioError(
                    f'{profile.path}: {d.origin}.pcp: applies to scheduling = "tsn" only',
                    f"{d.origin}.pcp",
                )
    flows = draw_offsets(drafts, rng, priorities, pcps)
    try:
        scenario = Scenario(
            name=scenario_name(
                profile.name + (f"-{profile.variant}" if profile.variant else ""),
                fog_nodes,
                method,
                seed,
                rounds,
            ),
            variant=profile.variant,
            profile=profile.name,
            network=profile.network,
            method=method,
            fog_nodes=fog_nodes,
            seed=seed,
            nodes=topology.nodes,
            links=topology.links,
            flows=tuple(flows),
            scheduling=scheduling,
            queue_capacity=queue_capacity,
            queue_bytes=queue_bytes,
            mtu=mtu,
            max_hyperperiod_ps=max_hp,
            ml_payload=payload,
            description=profile.description,
            profile_defaults=tuple(sorted(defaults.items())),
            rounds=rounds,
            tsn=tsn,
            # a time to validate with when no periodic flow sets a hyperperiod (with_time
            # below sets the final one)
            duration_ps=sim_time
            if sim_time is not None
            else rounds_time_cap(rounds)
            if rounds is not None and hyperperiods is None
            else None,
        )
        late = unmeetable_flow_deadline(scenario)
        if late is not None:
            which = "loop_deadline" if "loop_deadline" in late[1] else "deadline"
            raise ScenarioError(late[1], f"flows[{late[0]}].{which}")
        if rounds is not None:
            problem = unmeetable_deadline(scenario)
            if problem:
                raise ScenarioError(problem, "traffic.ml.round_deadline")
            stall = traffic.sub("ml").get("stall_timeout") or default_stall_timeout_ps(scenario)
            rounds = dataclasses.replace(rounds, stall_timeout_ps=stall)
            scenario = dataclasses.replace(scenario, rounds=rounds)
        if tsn is not None and tsn_section.get("synthesize") is not None:
            scenario = synthesized_gates(scenario, tsn_section)
        if rounds is not None and sim_time is None and hyperperiods is None:
            sim_time = rounds_time_cap(rounds)
            root.sub("simulation").note_default("sim_time", "a cap the rounds end before")
        return with_time(scenario, sim_time, hyperperiods, warmup)
    except ScenarioError as exc:
        field = _profile_field(exc.field, drafts)
        where = f"{field}: " if field else ""
        raise ScenarioError(f"{profile.path}: {where}{exc}", field) from None


def with_train_seed(spec: RoundsSpec, train_seed: int) -> RoundsSpec:
    """The round protocol with its training drawn from `train_seed` (the network is unchanged)."""
    if spec.training is None:
        return spec
    return dataclasses.replace(spec, training=dataclasses.replace(spec.training, seed=train_seed))


def scenario_name(
    profile: str, fog_nodes: int, method: str, seed: int, rounds: RoundsSpec | None
) -> str:
    """`<profile>-n<FNs>-<method>-s<seed>`, plus `-t<train seed>` where the two seeds differ."""
    name = f"{profile}-n{fog_nodes}-{method}-s{seed}"
    train = None if rounds is None or rounds.training is None else rounds.training.seed
    return name if train is None or train == seed else f"{name}-t{train}"


#: [traffic.ml] keys that apply to one pacing only.
PACING_KEYS = {
    "periodic": ("period", "offsets", "directions", "request_bytes", "reply_after", "bytes"),
    "rounds": (
        "policy",
        "straggler_rate",
        "round_deadline",
        "stall_timeout",
        "batch_period",
        "target_accuracy",
        "train_rounds",
        "partition",
        "dirichlet_alpha",
    ),
}


def _check_pacing_keys(ml: Section, pacing: str) -> None:
    for other, keys in PACING_KEYS.items():
        if other == pacing:
            continue
        for key in keys:
            if ml.has(key) and key != "bytes":
                raise ml.error(key, f"applies to pacing = {other!r} only (this is {pacing!r})")


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


def rounds_time_cap(spec: RoundsSpec) -> int:
    """Default simulated time of a rounds-paced run: far more than its rounds need.

    The simulation ends when every fog node has the last round's download, or
    when the watchdog finds a round stalled; a round that is not stalled lasts
    less than `stall_timeout`, so the rounds end (or stall) before this cap.
    """
    stall = spec.stall_timeout_ps or 60 * 10**12
    return (spec.rounds or 1) * (spec.batch_period_ps + stall) + stall


def synthesized_gates(scenario: Scenario, tsn: Section) -> Scenario:
    """The scenario with gate control lists fogcosim synthesised for its protected flows.

    The protected flows (default: every critical flow) get the gate of their
    class (their PCP's traffic class) on every port of their paths; the other
    classes close one guard band before each window. One CP-SAT worker keeps
    the optimal schedule the same every time (a run's inputs define it).
    """
    spec = scenario.tsn
    assert spec is not None
    method = tsn.get("synthesize")
    if spec.gates:
        raise tsn.error("synthesize", "give [[tsn.gates]] or synthesize, not both")
    if spec.preemption:
        raise tsn.error("synthesize", "gates are not combined with frame preemption (express)")
    protect = tsn.get("protect")
    names = {f.name: f for f in scenario.flows}
    for name in protect or ():
        if name not in names:
            raise tsn.error("protect", f"unknown flow {name!r}")
    protected = (
        [names[n] for n in protect]
        if protect
        else [f for f in scenario.flows if f.cls == "critical"]
    )
    if not protected:
        raise tsn.error("synthesize", "no critical flow to protect (give protect = [...])")
    classes = {spec.queue_of(f.pcp) for f in protected}
    if len(classes) != 1:
        raise tsn.error("protect", "the protected flows must share one traffic class (one PCP)")
    problem = build_problem(
        scenario, [f.name for f in protected], protected_class=classes.pop(), vlan_tag=True,
        guard_band="explicit",
    )  # fmt: skip
    schedule = synthesise(problem, method, workers=1)
    new = dataclasses.replace(
        spec, gates=schedule.gcls, origins=("tsn.synthesize",) * len(schedule.gcls),
        synthesis=method, guarantees=tuple(sorted(schedule.latency_bound_ps.items())),
        synthesis_seconds=schedule.seconds,
    )  # fmt: skip
    return dataclasses.replace(scenario, tsn=new)


def with_rounds(scenario: Scenario, rounds: int) -> Scenario:
    """The scenario's round protocol stopping after `rounds` rounds (the simulation ends then)."""
    spec = scenario.rounds
    if spec is None:
        raise UserError(
            f'{scenario.name}: no round protocol to train (set [traffic.ml] pacing = "rounds")'
        )
    if rounds < 1:
        raise UserError(f"rounds {rounds} must be at least 1")
    # the devices' round-to-round factors for the new number of rounds (the same draws)
    factors = compute_factors(spec.speed_variation, len(spec.fog_nodes), rounds, scenario.seed)
    training = spec.training and dataclasses.replace(spec.training, rounds=rounds)
    new = dataclasses.replace(spec, rounds=rounds, compute_factors=factors, training=training)
    duration = scenario.duration_ps
    if duration == rounds_time_cap(spec):
        duration = rounds_time_cap(new)
    return dataclasses.replace(scenario, rounds=new, duration_ps=duration)


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


#: "measured": every message of a round; "table1": only those the paper's Table 1 counts
#: (FCDDT's exact backward adds an exchange it leaves out; see mlpayloads).
ACCOUNTING = ("measured", "table1")


def _payload(
    ml: Section, method: str, fog_nodes: int, measure: PayloadMeasurer | None
) -> MlPayload:
    """Per-round ML bytes: explicit in [traffic.ml.bytes.<method>], else measured."""
    explicit = ml.sub("bytes")
    for key in explicit.data:
        if key not in METHODS[1:]:
            raise explicit.error(key, f"unknown method (allowed: {', '.join(METHODS[1:])})")
    if explicit.has(method):
        entry = explicit.sub(method)
        up, down = entry.get("upload"), entry.get("download")
        return MlPayload(method, up, down, f"profile {ml.field('bytes')}.{method}")
    return (measure or measure_payload)(ml, method, fog_nodes)


def measure_payload(ml: Section, method: str, fog_nodes: int) -> MlPayload:
    """Measure (or reuse the cached measurement of) the method's real bytes per FN per round.

    The bytes per FN do not depend on `fog_nodes`: one cached record serves every FN
    count, and a cached lookup does not import torch.
    """
    from mlpayloads.table import payload_record

    dataset, model, batch = ml.get("dataset"), ml.get("model"), ml.get("batch_size")
    dtype, split, rounds = ml.get("dtype"), ml.get("split"), ml.get("rounds")
    accounting = ml.get("accounting")
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
