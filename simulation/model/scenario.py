# SPDX-License-Identifier: MIT
"""The Scenario: one frozen, validated description of a simulation run.

Every backend consumes a `Scenario` and nothing re-derives topology or traffic
elsewhere. Times are integer picoseconds (OMNeT++'s default resolution), rates
integer bit/s, sizes integer bytes, so the hyperperiod (the least common
multiple of all flow periods) is exact.

Randomness (flow start offsets, neighbour periods) is drawn once, from the
scenario's seed, when the Scenario is built: the simulators themselves are
deterministic, and a repetition of a study is a run with another seed.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, Literal, get_args

from simulation.embedded.frames import MAX_UDP_PAYLOAD as MAX_UDP_PAYLOAD
from simulation.model.roundspec import POLICIES, RoundsSpec, Stage, Training
from simulation.model.scenario_error import ScenarioError
from simulation.model.tcpconfig import TcpConfig
from simulation.model.tree import Forest
from simulation.model.tsn import TsnSpec, tsn_from_dict, tsn_to_dict, validate_tsn

NodeKind = Literal["fog", "cloud", "host", "switch", "gateway"]
TrafficClass = Literal["critical", "ml", "background"]
Scheduling = Literal["fifo", "strict-priority", "tsn"]
Transport = Literal["udp", "tcp"]

NODE_KINDS: tuple[str, ...] = get_args(NodeKind)
TRAFFIC_CLASSES: tuple[str, ...] = get_args(TrafficClass)
SCHEDULING_MODES: tuple[str, ...] = get_args(Scheduling)
TRANSPORTS: tuple[str, ...] = get_args(Transport)
#: Nodes that run applications: fog nodes, the cloud, and a profile's named hosts (PLCs, ...).
HOST_KINDS = frozenset({"fog", "cloud", "host"})

#: Ethernet rates INET's EthernetMac accepts (it rejects other channel datarates).
ETHERNET_RATES_BPS: tuple[int, ...] = (
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    25_000_000_000,
    40_000_000_000,
    100_000_000_000,
    200_000_000_000,
    400_000_000_000,
)
DEFAULT_MAX_HYPERPERIOD_PS = 60 * 10**12

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Words that would clash with NED keywords or the generated network's own submodules.
RESERVED_NAMES = frozenset(
    {
        "network", "module", "simple", "channel", "import", "package", "parameters",
        "gates", "submodules", "connections", "types", "for", "if", "true", "false",
        "this", "parent", "default", "configurator", "macForwardingTableConfigurator",
        "visualizer", "int", "double", "string", "bool", "xml", "object", "volatile",
        "like", "extends", "sizeof", "index", "const",
    }
)  # fmt: skip


def check_identifier(value: object, what: str, field: str | None = None) -> str:
    """Return `value` if it is a safe NED/ini identifier, else raise naming it.

    Names from profiles end up verbatim in NED and ini files; allowing only
    identifiers means nothing in a profile can inject NED or ini syntax.
    """
    if not isinstance(value, str) or not _IDENT.match(value):
        raise ScenarioError(
            f"{what} {value!r} is not a valid name (allowed: letters, digits and '_', "
            "not starting with a digit; no spaces or quotes)",
            field,
        )
    if value in RESERVED_NAMES:
        raise ScenarioError(f"{what} {value!r} is a reserved word in NED", field)
    return value


@dataclass(frozen=True)
class Node:
    """A network node: a fog node, the cloud or a named host; a switch; a gateway (IP router)."""

    name: str
    kind: NodeKind

    @property
    def is_host(self) -> bool:
        """Hosts run applications; switches and gateways only forward."""
        return self.kind in HOST_KINDS


@dataclass(frozen=True)
class Link:
    """A full-duplex point-to-point Ethernet link between nodes `a` and `b`."""

    a: str
    b: str
    datarate_bps: int
    delay_ps: int

    def other(self, name: str) -> str:
        """The node at the far end from `name`."""
        return self.b if name == self.a else self.a


@dataclass(frozen=True)
class Flow:
    """A periodic message stream: `size_bytes` sent from `src` to `dst` every `period_ps`.

    The first message leaves at `offset_ps` (0 <= offset < period), the next ones
    every period after that, for the whole simulated time.
    """

    name: str
    cls: TrafficClass
    src: str
    dst: str
    period_ps: int
    size_bytes: int
    offset_ps: int = 0
    transport: Transport = "udp"
    priority: int = 0
    #: Largest acceptable end-to-end delay of one message (None: no deadline).
    deadline_ps: int | None = None
    #: A closed loop's reply: sent `processing_ps` after each message of the request flow
    #: `trigger` arrives (numbered as that request); not periodic (its period is the request's).
    trigger: str | None = None
    processing_ps: int = 0
    #: A closed loop's request: largest acceptable round trip, request sent to reply received.
    loop_deadline_ps: int | None = None

    @property
    def closed_reply(self) -> bool:
        """Whether this flow is the reply of a closed loop (sent on arrivals, not by a clock)."""
        return self.trigger is not None

    #: 802.1Q priority code point of its frames (scheduling "tsn" only).
    pcp: int = 0
    #: The flow's TCP connection (transport "tcp": one connection for the whole run).
    tcp: TcpConfig | None = None


@dataclass(frozen=True)
class MlPayload:
    """Where a scenario's ML message sizes came from (for provenance in every output)."""

    method: str
    upload_bytes: int
    download_bytes: int
    source: str


@dataclass(frozen=True)
class Scenario:
    """A complete, validated simulation input. Construct it; it validates itself."""

    name: str
    profile: str
    network: str
    method: str
    fog_nodes: int
    seed: int
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    flows: tuple[Flow, ...]
    scheduling: Scheduling = "fifo"
    #: Frames an interface queue holds before it drops (None: unbounded).
    queue_capacity: int | None = None
    #: Bytes of frames an interface queue holds before it drops (None: no byte limit).
    queue_bytes: int | None = None
    mtu: int = 1500
    max_hyperperiod_ps: int = DEFAULT_MAX_HYPERPERIOD_PS
    ml_payload: MlPayload | None = None
    description: str = ""
    #: Simulated time before statistics are recorded (OMNeT++'s `warmup-period`).
    warmup_ps: int = 0
    #: Simulated time measured after the warm-up (None: one hyperperiod).
    duration_ps: int | None = None
    #: Profile fields that took their schema default, as (dotted field, value) pairs.
    profile_defaults: tuple[tuple[str, str], ...] = ()
    #: The training's round protocol (`pacing = "rounds"`); None: ML traffic is periodic flows.
    rounds: RoundsSpec | None = None
    #: 802.1Q traffic classes, gates, shapers, preemption (scheduling "tsn" only).
    tsn: TsnSpec | None = None
    #: The profile variant it was built from ("" for the profile as written).
    variant: str = ""

    def __post_init__(self) -> None:
        _validate(self)

    # ---- derived views (pure functions of the fields) ----
    @cached_property
    def hyperperiod_ps(self) -> int:
        """Least common multiple of all flow periods: the simulated duration."""
        return _hyperperiod(self.flows)

    def all_flows(self) -> list[Flow]:
        """The periodic flows, then the round protocol's message streams (period 0).

        Per-flow results cover both; a round-protocol stream is named by message kind and
        fog node (`gradient_fog3`) and its messages are numbered by round.
        """
        flows = list(self.flows)
        if self.rounds is not None:
            spec = self.rounds
            flows += [
                Flow(
                    name, "ml", src, dst, 0, size, transport=spec.transport,  # type: ignore[arg-type]
                    priority=spec.priority, pcp=spec.pcp, tcp=spec.tcp,
                )
                for name, _, src, dst, size in spec.flows()
            ]  # fmt: skip
        return flows

    @property
    def measured_ps(self) -> int:
        """Length of the measured window: `duration_ps`, or one hyperperiod."""
        return self.hyperperiod_ps if self.duration_ps is None else self.duration_ps

    @property
    def sim_time_limit_ps(self) -> int:
        """Where the simulation stops: the warm-up plus the measured window."""
        return self.warmup_ps + self.measured_ps

    @cached_property
    def forest(self) -> Forest:
        """The topology rooted once, for paths in time linear in their length."""
        return Forest((n.name for n in self.nodes), ((lk.a, lk.b) for lk in self.links))

    @cached_property
    def node_by_name(self) -> dict[str, Node]:
        """Nodes keyed by name."""
        return {n.name: n for n in self.nodes}

    @cached_property
    def link_by_ends(self) -> dict[frozenset[str], Link]:
        """Links keyed by their two ends (either order)."""
        return {frozenset((lk.a, lk.b)): lk for lk in self.links}

    @property
    def hosts(self) -> tuple[Node, ...]:
        """Fog nodes and the cloud, in declaration order."""
        return tuple(n for n in self.nodes if n.is_host)

    def path(self, src: str, dst: str) -> list[str]:
        """The unique node path from `src` to `dst` (the topology is a tree)."""
        path = self.forest.path(src, dst)
        if path is None:
            raise ScenarioError(f"no path from {src!r} to {dst!r}")
        return path

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (times in ps) for provenance files.

        Without TSN it holds no TSN keys (no `tsn`, no flow `pcp`), so it is what
        it was before TSN existed.
        """
        flows = [asdict(f) for f in self.flows]
        rounds = None if self.rounds is None else asdict(self.rounds)
        if self.tsn is None:
            for flow in flows:
                del flow["pcp"]
            if rounds is not None:
                del rounds["pcp"]
        out: dict[str, Any] = {
            "name": self.name,
            "profile": self.profile,
            "network": self.network,
            "method": self.method,
            "fog_nodes": self.fog_nodes,
            "seed": self.seed,
            "scheduling": self.scheduling,
            "queue_capacity": self.queue_capacity,
            "queue_bytes": self.queue_bytes,
            "mtu": self.mtu,
            "max_hyperperiod_ps": self.max_hyperperiod_ps,
            "hyperperiod_ps": self.hyperperiod_ps,
            "warmup_ps": self.warmup_ps,
            "duration_ps": self.duration_ps,
            "profile_defaults": dict(self.profile_defaults),
            "rounds": rounds,
            "ml_payload": None if self.ml_payload is None else vars(self.ml_payload),
            "nodes": [vars(n) for n in self.nodes],
            "links": [vars(lk) for lk in self.links],
            "flows": flows,
            "description": self.description,
        }
        if self.tsn is not None:
            out["tsn"] = tsn_to_dict(self.tsn)
        if self.variant:
            out["variant"] = self.variant
        return out


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    """Rebuild a Scenario from `Scenario.to_dict()` output (e.g. a run's scenario.json)."""
    payload = data.get("ml_payload")
    return Scenario(
        name=data["name"],
        profile=data["profile"],
        network=data["network"],
        method=data["method"],
        fog_nodes=data["fog_nodes"],
        seed=data["seed"],
        nodes=tuple(Node(**n) for n in data["nodes"]),
        links=tuple(Link(**lk) for lk in data["links"]),
        flows=tuple(Flow(**{**f, "tcp": tcp_from_dict(f.get("tcp"))}) for f in data["flows"]),
        scheduling=data["scheduling"],
        queue_capacity=data["queue_capacity"],
        queue_bytes=data.get("queue_bytes"),
        mtu=data["mtu"],
        max_hyperperiod_ps=data.get("max_hyperperiod_ps", DEFAULT_MAX_HYPERPERIOD_PS),
        ml_payload=None if payload is None else MlPayload(**payload),
        description=data.get("description", ""),
        warmup_ps=data.get("warmup_ps", 0),
        duration_ps=data.get("duration_ps"),
        profile_defaults=tuple((data.get("profile_defaults") or {}).items()),
        rounds=None if data.get("rounds") is None else rounds_from_dict(data["rounds"]),
        tsn=None if data.get("tsn") is None else tsn_from_dict(data["tsn"]),
        variant=data.get("variant", ""),
    )


def rounds_from_dict(data: dict[str, Any]) -> RoundsSpec:
    """Rebuild a RoundsSpec from `asdict` output."""
    stages = tuple(
        Stage(**{**st, "fog_before_ps": tuple(st["fog_before_ps"])}) for st in data["stages"]
    )
    factors = tuple(tuple(f) for f in data.get("compute_factors", ()))
    training = data.get("training")
    return RoundsSpec(
        **{
            **data,
            "fog_nodes": tuple(data["fog_nodes"]),
            "stages": stages,
            "fog_flops": tuple(data.get("fog_flops", ())),
            "compute_factors": factors,
            "training": None if training is None else Training(**training),
            "tcp": tcp_from_dict(data.get("tcp")),
        }
    )


def tcp_from_dict(data: dict[str, Any] | None) -> TcpConfig | None:
    """Rebuild a TcpConfig from `asdict` output (None: the transport is UDP)."""
    return None if data is None else TcpConfig(**data)


@dataclass(frozen=True)
class PriorityLevel:
    """One queue level under strict priority: the classes it serves, and single flows moved."""

    priority: int
    #: classes whose flows are at this level (but for `excluded`)
    classes: tuple[str, ...]
    #: flows of other classes' levels that a profile moved here (`priority = ...`)
    included: tuple[Flow, ...]
    #: flows of `classes` that a profile moved to another level
    excluded: tuple[Flow, ...]


def priority_levels(scenario: Scenario) -> list[PriorityLevel]:
    """The queue levels, highest priority (lowest value) first.

    A class sits at the level most of its flows have (its [simulation.priorities]
    value); a flow whose `priority` differs is an exception moved to its own level.
    """
    counts: dict[str, dict[int, int]] = {}
    flows = scenario.all_flows()
    for flow in flows:
        per = counts.setdefault(flow.cls, {})
        per[flow.priority] = per.get(flow.priority, 0) + 1
    class_level = {cls: min(per, key=lambda p: (-per[p], p)) for cls, per in counts.items()}
    levels = sorted({f.priority for f in scenario.flows})
    out = []
    for p in levels:
        classes = tuple(c for c in TRAFFIC_CLASSES if class_level.get(c) == p)
        moved_in = tuple(f for f in scenario.flows if f.priority == p and class_level[f.cls] != p)
        moved_out = tuple(f for f in scenario.flows if f.cls in classes and f.priority != p)
        out.append(PriorityLevel(p, classes, moved_in, moved_out))
    return out


def flow_levels(scenario: Scenario) -> dict[str, int]:
    """Each flow's queue level (index into `priority_levels`)."""
    flows = scenario.all_flows()
    index = {p: i for i, p in enumerate(sorted({f.priority for f in flows}))}
    return {f.name: index[f.priority] for f in flows}


def _hyperperiod(flows: tuple[Flow, ...]) -> int:
    periods = [f.period_ps for f in flows]
    return math.lcm(*periods) if periods else 0


def _validate(sc: Scenario) -> None:
    check_identifier(sc.network, "network name", "network")
    if sc.fog_nodes < 1:
        raise ScenarioError(f"fog-node count {sc.fog_nodes} is below 1 (allowed: 1 or more)")
    if sc.scheduling not in SCHEDULING_MODES:
        raise ScenarioError(
            f"unknown scheduling {sc.scheduling!r} (allowed: {', '.join(SCHEDULING_MODES)})",
            "scheduling",
        )
    if sc.tsn is not None and sc.scheduling != "tsn":
        raise ScenarioError(
            f'TSN settings ([tsn]) apply to scheduling = "tsn" only (this is {sc.scheduling!r})',
            "simulation.scheduling",
        )
    if sc.queue_capacity is not None and sc.queue_capacity < 1:
        raise ScenarioError(
            f"queue capacity {sc.queue_capacity} must be at least 1 frame (or unbounded)",
            "simulation.queue_capacity",
        )
    if sc.queue_bytes is not None and sc.scheduling == "tsn":
        raise ScenarioError(
            'queue_bytes is not modelled with scheduling = "tsn" yet; bound the TSN queues in '
            "frames (queue_capacity)",
            "simulation.queue_bytes",
        )
    if sc.queue_bytes is not None and sc.queue_bytes < sc.mtu + 18:
        raise ScenarioError(
            f"queue_bytes {sc.queue_bytes} B cannot hold one full-size frame of this MTU "
            f"({sc.mtu + 18} B: {sc.mtu} B of IPv4 + 14 B header + 4 B FCS); allowed: "
            f"{sc.mtu + 18} or more",
            "simulation.queue_bytes",
        )
    if sc.warmup_ps < 0:
        raise ScenarioError(f"warm-up {sc.warmup_ps} ps is negative", "simulation.warmup")
    if sc.duration_ps is not None and sc.duration_ps <= 0:
        raise ScenarioError(
            f"simulated time {sc.duration_ps} ps must be positive", "simulation.sim_time"
        )
    if not 576 <= sc.mtu <= 1500:
        raise ScenarioError(
            f"MTU {sc.mtu} B outside 576..1500 B (INET's Ethernet carries at most 1500 B "
            "per frame; no jumbo frames)",
            "simulation.mtu",
        )
    _validate_nodes_and_links(sc)
    _validate_flows(sc)
    if sc.rounds is not None:
        _validate_rounds(sc, sc.rounds)
    if sc.scheduling == "tsn":
        validate_tsn(sc)
    _validate_tcp_hosts(sc)
    if sc.measured_ps <= 0:
        raise ScenarioError(
            "nothing to simulate: no periodic flow sets a hyperperiod; give the simulated time "
            "(--sim-time, or [simulation] sim_time)",
            "simulation.sim_time",
        )


def _validate_rounds(sc: Scenario, spec: RoundsSpec) -> None:
    hosts = {n.name for n in sc.nodes if n.is_host}
    for name in (*spec.fog_nodes, spec.cloud):
        if name not in hosts:
            raise ScenarioError(f"round protocol host {name!r} is not a host", "traffic.ml")
    p = len(spec.fog_nodes)
    if spec.policy not in POLICIES:
        raise ScenarioError(
            f"unknown policy {spec.policy!r} (allowed: {', '.join(POLICIES)})", "traffic.ml.policy"
        )
    if not 1 <= spec.quorum <= p:
        raise ScenarioError(f"quorum {spec.quorum} outside 1..{p}", "traffic.ml.straggler_rate")
    if spec.policy == "deadline" and not (spec.round_deadline_ps or 0) > 0:
        raise ScenarioError(
            "policy 'deadline' needs a positive round_deadline", "traffic.ml.round_deadline"
        )
    if spec.batch_period_ps < 0:
        raise ScenarioError("batch_period must not be negative", "traffic.ml.batch_period")
    if spec.compute_factors and len(spec.compute_factors) != p:
        raise ScenarioError("round protocol: compute factors for every FN or none", "compute")
    if spec.rounds is not None and spec.rounds < 1:
        raise ScenarioError(f"rounds {spec.rounds} must be at least 1", "rounds")
    if not spec.stages or any(len(st.fog_before_ps) != p for st in spec.stages):
        raise ScenarioError("round protocol: every stage needs one fog compute time per FN")
    _validate_transport(sc, spec.transport, spec.tcp, "traffic.ml")


def _validate_transport(sc: Scenario, transport: str, tcp: TcpConfig | None, where: str) -> None:
    """The transport is known; TCP has its parameters and its segments fit the MTU."""
    if transport not in TRANSPORTS:
        raise ScenarioError(
            f"transport {transport!r} is not supported (allowed: {', '.join(TRANSPORTS)})",
            f"{where}.transport",
        )
    if transport == "tcp":
        if tcp is None:
            raise ScenarioError("transport 'tcp' needs its TCP parameters", f"{where}.tcp")
        tcp.check_mtu(sc.mtu, f"{where}.tcp")
    elif tcp is not None:
        raise ScenarioError(
            f"TCP parameters given for transport {transport!r} (allowed with transport 'tcp')",
            f"{where}.tcp",
        )


def tcp_configs(sc: Scenario) -> dict[str, tuple[TcpConfig, str]]:
    """Per host that runs TCP: its parameters and the first thing (flow, round protocol) using it.

    INET's `Tcp` module has one set of parameters per host, so every TCP connection of a
    host must use the same (checked when the scenario is built).
    """
    users: list[tuple[str, str, TcpConfig, str]] = []
    for i, f in enumerate(sc.flows):
        if f.tcp is not None:
            users.append((f.src, f"flows[{i}]", f.tcp, f"flow {f.name!r}"))
            users.append((f.dst, f"flows[{i}]", f.tcp, f"flow {f.name!r}"))
    spec = sc.rounds
    if spec is not None and spec.tcp is not None:
        for host in (*spec.fog_nodes, spec.cloud):
            users.append((host, "traffic.ml", spec.tcp, "the round protocol"))
    found: dict[str, tuple[TcpConfig, str]] = {}
    for host, where, config, what in users:
        if host not in found:
            found[host] = (config, what)
        elif found[host][0] != config:
            raise ScenarioError(
                f"host {host!r} runs TCP for {found[host][1]} and for {what} with different "
                "parameters; INET's Tcp module has one set per host (allowed: the same tcp "
                "table for every TCP connection of a host)",
                f"{where}.tcp",
            )
    return found


def _validate_tcp_hosts(sc: Scenario) -> None:
    if tcp_configs(sc) and sc.scheduling == "strict-priority":
        raise ScenarioError(
            "strict-priority scheduling with TCP traffic is not supported yet (TCP segments "
            'carry no message name to classify them by); allowed: scheduling = "fifo", or '
            'transport = "udp"',
            "simulation.scheduling",
        )


def _validate_nodes_and_links(sc: Scenario) -> None:
    seen: set[str] = set()
    for i, node in enumerate(sc.nodes):
        check_identifier(node.name, "node name", f"nodes[{i}].name")
        if node.kind not in NODE_KINDS:
            raise ScenarioError(
                f"node {node.name!r} has unknown kind {node.kind!r} "
                f"(allowed: {', '.join(NODE_KINDS)})",
                f"nodes[{i}].kind",
            )
        if node.name in seen:
            raise ScenarioError(f"duplicate node name {node.name!r}", f"nodes[{i}].name")
        seen.add(node.name)
    if sum(n.kind == "cloud" for n in sc.nodes) > 1:
        raise ScenarioError("more than one node of kind 'cloud'")
    pairs: set[frozenset[str]] = set()
    for i, link in enumerate(sc.links):
        for end in (link.a, link.b):
            if end not in seen:
                raise ScenarioError(
                    f"link {link.a}--{link.b} names unknown node {end!r}", f"links[{i}]"
                )
        if link.a == link.b:
            raise ScenarioError(f"link from {link.a!r} to itself", f"links[{i}]")
        if frozenset((link.a, link.b)) in pairs:
            raise ScenarioError(f"two links between {link.a!r} and {link.b!r}", f"links[{i}]")
        pairs.add(frozenset((link.a, link.b)))
        if link.datarate_bps not in ETHERNET_RATES_BPS:
            allowed = ", ".join(f"{r // 1_000_000}Mbps" for r in ETHERNET_RATES_BPS)
            raise ScenarioError(
                f"link {link.a}--{link.b} datarate {link.datarate_bps} bps is not an Ethernet "
                f"rate (allowed: {allowed})",
                f"links[{i}].datarate",
            )
        if link.delay_ps < 0:
            raise ScenarioError(
                f"link {link.a}--{link.b} has negative delay {link.delay_ps} ps",
                f"links[{i}].delay",
            )
    # Ethernet without spanning tree must be loop-free; a forest also makes every
    # path unique, so both backends forward along the same route.
    root = {name: name for name in seen}

    def find(x: str) -> str:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for i, link in enumerate(sc.links):
        ra, rb = find(link.a), find(link.b)
        if ra == rb:
            raise ScenarioError(
                f"link {link.a}--{link.b} closes a loop; switched Ethernet without "
                "spanning tree must be loop-free (a tree)",
                f"links[{i}]",
            )
        root[ra] = rb
    for i, node in enumerate(sc.nodes):
        degree = sc.forest.degree[node.name]
        if node.is_host and degree == 0:
            raise ScenarioError(f"host {node.name!r} has no link to any node", f"nodes[{i}]")
        if node.is_host and degree > 1:
            peers = sorted(lk.other(node.name) for lk in sc.links if node.name in (lk.a, lk.b))
            raise ScenarioError(
                f"host {node.name!r} is linked to {degree} nodes ({', '.join(peers)}); a host "
                "has one link, since hosts do not forward traffic (as in INET): put a switch "
                "between them",
                f"nodes[{i}]",
            )


def _validate_flows(sc: Scenario) -> None:
    hosts = {n.name for n in sc.nodes if n.is_host}
    names: set[str] = set()
    for i, flow in enumerate(sc.flows):
        where = f"flows[{i}]"
        check_identifier(flow.name, "flow name", f"{where}.name")
        if flow.name in names:
            raise ScenarioError(f"duplicate flow name {flow.name!r}", f"{where}.name")
        names.add(flow.name)
        if flow.cls not in TRAFFIC_CLASSES:
            raise ScenarioError(
                f"flow {flow.name!r} has unknown class {flow.cls!r} "
                f"(allowed: {', '.join(TRAFFIC_CLASSES)})",
                f"{where}.class",
            )
        for end, label in ((flow.src, "src"), (flow.dst, "dst")):
            if end not in hosts:
                raise ScenarioError(
                    f"flow {flow.name!r} {label} {end!r} is not a host "
                    f"(allowed: {_preview(sorted(hosts))})",
                    f"{where}.{label}",
                )
        if flow.src == flow.dst:
            raise ScenarioError(f"flow {flow.name!r} sends to itself", f"{where}.dst")
        if flow.period_ps <= 0:
            raise ScenarioError(
                f"flow {flow.name!r} period must be positive (got {flow.period_ps} ps)",
                f"{where}.period",
            )
        if flow.size_bytes <= 0:
            raise ScenarioError(
                f"flow {flow.name!r} size must be positive (got {flow.size_bytes} B)",
                f"{where}.size",
            )
        if not 0 <= flow.offset_ps < flow.period_ps:
            raise ScenarioError(
                f"flow {flow.name!r} offset {flow.offset_ps} ps outside [0, period)",
                f"{where}.offset",
            )
        try:
            _validate_transport(sc, flow.transport, flow.tcp, where)
        except ScenarioError as exc:
            raise ScenarioError(f"flow {flow.name!r}: {exc}", exc.field) from None
        if flow.priority < 0:
            raise ScenarioError(
                f"flow {flow.name!r} priority {flow.priority} must be >= 0 (0 = highest)",
                f"{where}.priority",
            )
        if not 0 <= flow.pcp <= 7:
            raise ScenarioError(
                f"flow {flow.name!r} PCP {flow.pcp} outside 0..7 (802.1Q priorities)",
                f"{where}.pcp",
            )
        if flow.deadline_ps is not None and flow.deadline_ps <= 0:
            raise ScenarioError(
                f"flow {flow.name!r} deadline must be positive (got {flow.deadline_ps} ps)",
                f"{where}.deadline",
            )
        if not sc.forest.connected(flow.src, flow.dst):
            raise ScenarioError(
                f"flow {flow.name!r}: {flow.src!r} and {flow.dst!r} are not connected",
                f"{where}",
            )
    _validate_loops(sc)
    hp = _hyperperiod(sc.flows)
    if hp > sc.max_hyperperiod_ps:
        raise ScenarioError(
            f"hyperperiod {hp / 1e12:g}s (LCM of all flow periods) exceeds the limit "
            f"{sc.max_hyperperiod_ps / 1e12:g}s; choose commensurate periods or raise "
            "simulation.max_hyperperiod",
            "simulation.max_hyperperiod",
        )


def _validate_loops(sc: Scenario) -> None:
    """A closed loop's reply answers an existing request, back along the same hosts."""
    by_name = {f.name: f for f in sc.flows}
    replies = {f.trigger for f in sc.flows if f.trigger is not None}
    for i, flow in enumerate(sc.flows):
        where = f"flows[{i}]"
        if flow.processing_ps < 0:
            raise ScenarioError(
                f"flow {flow.name!r}: processing {flow.processing_ps} ps is negative",
                f"{where}.processing",
            )
        if flow.loop_deadline_ps is not None:
            if flow.name not in replies:
                raise ScenarioError(
                    f"flow {flow.name!r}: loop_deadline without a closed-loop reply",
                    f"{where}.loop_deadline",
                )
            if flow.loop_deadline_ps <= 0:
                raise ScenarioError(
                    f"flow {flow.name!r}: loop_deadline must be positive", f"{where}.loop_deadline"
                )
        if flow.trigger is None:
            continue
        request = by_name.get(flow.trigger)
        if request is None or request.closed_reply:
            raise ScenarioError(
                f"flow {flow.name!r} answers {flow.trigger!r}, which is not a request flow",
                f"{where}.trigger",
            )
        if (request.src, request.dst) != (flow.dst, flow.src):
            raise ScenarioError(
                f"flow {flow.name!r} must go back from {request.dst!r} to {request.src!r}, the "
                f"way its request {request.name!r} came",
                f"{where}.src",
            )
        if request.transport != "udp" or flow.transport != "udp":
            raise ScenarioError(
                f"closed loop {request.name!r}: only UDP requests and replies are modelled",
                f"{where}.transport",
            )


def _preview(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")
