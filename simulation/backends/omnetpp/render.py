# SPDX-License-Identifier: MIT
"""Render a Scenario into an OMNeT++ NED network and an INET `omnetpp.ini`.

Templates live in `ned/` and `omnetpp_ini/` at the repository root, or in an
installed wheel's copy of them (found by `simulation.shipped`). Jinja2 with
StrictUndefined: a missing value is an error, never an empty string. All names
that reach the templates were validated as identifiers by the Scenario, so a
profile cannot inject NED or ini syntax.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2

from fogcosim import __version__, atomic
from fogcosim.errors import UserError
from simulation.backends.omnetpp.render_tsn import explicit_forwarding, tsn_drop_lines, tsn_lines
from simulation.backends.omnetpp.versions import DEFAULT_DIALECT, L2_CONFIGURATOR
from simulation.model import units
from simulation.model.apps import (
    CHUNK_PORT_OFFSET,
    MESSAGE_PORTS,
    App,
    manifest,
    message_parts,
    plan_apps,
    tcp_ends,
)
from simulation.model.naming import NED_TYPES, TSN_NED_TYPES, link_directions
from simulation.model.scenario import PriorityLevel, Scenario, priority_levels, tcp_configs
from simulation.shipped import data_folder

NED_IMPORTS = {
    "StandardHost": "inet.node.inet.StandardHost",
    "EthernetSwitch": "inet.node.ethernet.EthernetSwitch",
    "Router": "inet.node.inet.Router",
    "TsnDevice": "inet.node.tsn.TsnDevice",
    "TsnSwitch": "inet.node.tsn.TsnSwitch",
}


@dataclass(frozen=True)
class Rendered:
    """Paths of one rendered scenario."""

    directory: Path
    ned: Path
    ini: Path
    scenario_json: Path
    manifest_json: Path


def _env() -> jinja2.Environment:
    folders = [str(data_folder("ned")), str(data_folder("omnetpp_ini"))]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def queue_lines(scenario: Scenario) -> tuple[str, list[str]]:
    """Ini lines that configure every Ethernet interface queue, and a comment."""
    if scenario.scheduling == "tsn":
        return tsn_lines(scenario)
    capacity = -1 if scenario.queue_capacity is None else scenario.queue_capacity
    data = scenario.queue_bytes
    limits = ([] if capacity == -1 else [f"{capacity} frames"]) + (
        [] if data is None else [f"{data} B"]
    )
    cap_text = "unbounded" if not limits else " and ".join(limits) + ", drop-tail"
    data_line = [] if data is None else [f"**.eth[*].queue{{}}.dataCapacity = {data}B"]
    if scenario.scheduling == "fifo":
        return f"one FIFO per interface, {cap_text}", [
            f"**.eth[*].queue.packetCapacity = {capacity}",
            *(line.format("") for line in data_line),
        ]
    levels = priority_levels(scenario)
    filters = ", ".join(f'"{_level_filter(level)}"' for level in levels)
    comment = "strict priority, " + " > ".join(_level_label(lv) for lv in levels) + f", {cap_text}"
    return comment, [
        '**.eth[*].queue.typename = "PriorityQueue"',
        f"**.eth[*].queue.numQueues = {len(levels)}",
        '**.eth[*].queue.classifier.typename = "ContentBasedClassifier"',
        f"**.eth[*].queue.classifier.packetFilters = [{filters}]",
        # DropTailQueue: INET's default PacketQueue has no dropper and would never drop
        '**.eth[*].queue.queue[*].typename = "DropTailQueue"',
        f"**.eth[*].queue.queue[*].packetCapacity = {capacity}",
        *(line.format(".queue[*]") for line in data_line),
        # the compound queue itself must not bound the total: it has no dropper, and
        # the interface's default capacity (1000) would be exceeded, not enforced
        "**.eth[*].queue.packetCapacity = -1",
    ]


def _level_filter(level: PriorityLevel) -> str:
    """A cMatchExpression on packet names (`<class>_<flow>_<chunk>-<n>`) selecting one level."""
    taken = [f"{cls}_*" for cls in level.classes] + [f"{f.cls}_{f.name}_*" for f in level.included]
    expression = " or ".join(taken)
    if level.excluded:
        others = " or ".join(f"{f.cls}_{f.name}_*" for f in level.excluded)
        expression = f"({expression}) and not ({others})"
    return expression


def _level_label(level: PriorityLevel) -> str:
    parts = list(level.classes) + [f.name for f in level.included]
    return "/".join(parts)


#: What every interface queue records: INET's own PacketQueue statistics.
QUEUE_RESULTS = (
    "droppedPacketsQueueOverflow:count",
    "queueLength:max",
    "queueLength:timeavg",
    "queueBitLength:max",
    "queueBitLength:timeavg",
    "queueingTime:histogram",
)


def drop_lines(scenario: Scenario) -> list[str]:
    """Ini lines that record every interface queue's drops and occupancy (one queue per level).

    Under strict priority the levels' queues record them: INET's compound
    PriorityQueue counts its own length wrong (it goes negative).
    """
    if scenario.scheduling == "tsn":
        return tsn_drop_lines(scenario)
    queue = "**.eth[*].queue" + (".queue[*]" if scenario.scheduling == "strict-priority" else "")
    return [f"{queue}.{name}.scalar-recording = true" for name in QUEUE_RESULTS] + [
        f"{queue}.queueLength.result-recording-modes = max,timeavg",
        f"{queue}.queueBitLength.result-recording-modes = max,timeavg",
        f"{queue}.queueingTime.result-recording-modes = histogram",
    ]


def sink_delays(scenario: Scenario) -> bool:
    """Whether sinks record INET's `endToEndDelay` (not with frame preemption, see the ini)."""
    return not (scenario.tsn is not None and scenario.tsn.preemption)


def flow_entries(scenario: Scenario) -> str:
    """The FlowRecorder's `flows` parameter: name, chunks, deadline (ps or -1), path.

    The path is the link-direction index of each hop (`link_directions` order),
    so the recorder can say at which hop a flow's frames waited.
    """
    index = {(d.src, d.dst): i for i, d in enumerate(link_directions(scenario))}
    entries = []
    for f in scenario.all_flows():
        deadline = -1 if f.deadline_ps is None else f.deadline_ps
        nodes = scenario.path(f.src, f.dst)
        hops = ",".join(str(index[hop]) for hop in itertools.pairwise(nodes))
        entries.append(f"{f.name} {message_parts(f)} {deadline} {hops}")
    return ";".join(entries)


def loop_entries(scenario: Scenario) -> str:
    """The FlowRecorder's `loops` parameter: request, reply, round-trip deadline (ps or -1)."""
    by_name = {f.name: f for f in scenario.flows}
    entries = []
    for reply in scenario.flows:
        if reply.trigger is not None:
            deadline = by_name[reply.trigger].loop_deadline_ps
            entries.append(f"{reply.trigger} {reply.name} {-1 if deadline is None else deadline}")
    return ";".join(entries)


#: TCP vectors recorded with `record_vectors = "tcp"`: congestion control and RTT, and
#: every segment sent with data (sndNxt) and received (rcvSeq); with "all", also the rest
#: of INET's TcpConnection statistics (`simulation.embedded.transport.tcp.signals`). Plain
#: `True` records fogcosim's own vectors only (a TCP vector has a sample per segment).
TCP_VECTORS = ("cwnd", "ssthresh", "rtt", "srtt", "rttvar", "rto", "numRtos", "sndNxt", "rcvSeq")
TCP_VECTORS_ALL = (
    *TCP_VECTORS, "sndWnd", "rcvWnd", "rcvAdv", "sndAck", "rcvAck", "unacked", "dupAcks",
    "rcvOooSeg", "rcvNASeg", "tcpRcvQueueBytes", "tcpRcvQueueDrops", "tcpRcvPayloadBytes",
)  # fmt: skip


def tcp_vectors(record_vectors: bool | str) -> tuple[str, ...]:
    """The TCP connection vectors a run records (none without vectors)."""
    if record_vectors == "all":
        return TCP_VECTORS_ALL
    return TCP_VECTORS if record_vectors == "tcp" else ()


def tcp_lines(scenario: Scenario, record_vectors: bool | str) -> list[str]:
    """Ini lines for INET's Tcp on every host that runs TCP, and its recorded vectors."""
    lines = []
    for host, (config, _) in tcp_configs(scenario).items():
        lines += [f"*.{host}.tcp.{k} = {v}" for k, v in config.inet_parameters().items()]
    if lines:
        for name in tcp_vectors(record_vectors):
            lines += [
                f"**.tcp.conn-*.{name}.result-recording-modes = vector",
                f"**.tcp.conn-*.{name}:vector.vector-recording = true",
            ]
    return lines


def tcp_entries(scenario: Scenario) -> str:
    """The TcpRecorder's `ends` parameter: label, host, peer, server port, server end."""
    return ";".join(
        f"{e.label} {e.host} {e.peer} {e.server_port} {1 if e.server else 0}"
        for e in tcp_ends(scenario)
    )


def interface_entries(scenario: Scenario) -> str:
    """The FlowRecorder's `interfaces` parameter: each link direction's sending interface.

    In link-direction order (`simulation.model.naming.link_directions`), so a drop's
    location is recorded as an index both backends agree on.
    """
    return " ".join(f"{d.src}.eth[{d.src_gate}]" for d in link_directions(scenario))


def time_comment(scenario: Scenario) -> str:
    """What the simulated time covers, for the ini's comment."""
    window = (
        "one hyperperiod (the least common multiple of all flow periods)"
        if scenario.duration_ps is None
        else f"{units.format_time(scenario.measured_ps)} of measured time"
    )
    if scenario.warmup_ps:
        return f"A warm-up of {units.format_time(scenario.warmup_ps)}, then {window}."
    return f"Simulated time: {window}."


def _app_view(app: App, scenario: Scenario) -> dict[str, object]:
    view = dict(vars(app))
    view["period"] = units.format_time(app.period_ps)
    view["start"] = units.format_time(app.start_ps)
    if app.role == "rounds":
        view["params"] = round_app_params(scenario, app)
    elif app.role == "loop":
        view["params"] = loop_app_params(scenario, app)
    elif app.role == "tcp-client":
        server = next(
            a
            for a in plan_apps(scenario)[app.dest]
            if a.role == "tcp-server" and a.flow == app.flow
        )
        view["server"] = f"{scenario.network}.{server.module}"
    return view


def loop_app_params(scenario: Scenario, app: App) -> list[tuple[str, str]]:
    """The ini parameters of one fogcosim.LoopApp (a closed loop's server)."""
    del scenario
    port = MESSAGE_PORTS[app.cls]
    return [
        ("localPort", str(app.port)),
        ("requestChunks", str(app.chunk_count)),
        ("replyName", f'"{app.cls}_{app.flow}"'),
        ("destAddress", f'"{app.dest}"'),
        ("destPort", str(port)),
        ("chunkPort", str(port + CHUNK_PORT_OFFSET)),
        ("replyBytes", str(app.size_bytes)),
        ("processingPs", str(app.processing_ps)),
    ]


def itervars(scenario: Scenario) -> list[tuple[str, str]]:
    """The run's iteration variables in ini order, values as the ini writes them."""
    return [
        ("fogNodes", str(scenario.fog_nodes)),
        ("method", f'"{scenario.method}"'),
        ("seed", str(scenario.seed)),
    ]


def round_app_params(scenario: Scenario, app: App) -> list[tuple[str, str]]:
    """The ini parameters of one fogcosim.RoundApp (simulation/model/roundspec.py)."""
    spec = scenario.rounds
    assert spec is not None
    stages = ";".join(
        f"{s.up_kind} {s.up_bytes} {s.cloud_fixed_ps} {s.cloud_per_fn_ps} {s.down_kind or '-'} "
        f"{s.down_bytes} {1 if s.down_to_all else 0}"
        for s in spec.stages
    )
    cloud_app = next(a for a in plan_apps(scenario)[spec.cloud] if a.role == "rounds")
    params = [
        ("role", '"cloud"' if app.host == spec.cloud else '"fog"'),
        ("fogNodes", '"' + " ".join(spec.fog_nodes) + '"'),
        ("cloud", f'"{spec.cloud}"'),
        ("port", str(app.port)),
        ("stages", f'"{stages}"'),
        ("policy", f'"{spec.policy}"'),
        ("quorum", str(spec.quorum)),
        ("roundDeadlinePs", str(-1 if spec.round_deadline_ps is None else spec.round_deadline_ps)),
        ("batchPeriodPs", str(spec.batch_period_ps)),
        ("rounds", str(-1 if spec.rounds is None else spec.rounds)),
        ("stallTimeoutPs", str(-1 if spec.stall_timeout_ps is None else spec.stall_timeout_ps)),
        ("transport", f'"{spec.transport}"'),
    ]
    if app.host == spec.cloud and spec.transport == "tcp":
        plan = plan_apps(scenario)
        fog_apps = [
            f"{scenario.network}.{a.module}"
            for fog in spec.fog_nodes
            for a in plan[fog]
            if a.role == "rounds"
        ]
        params.append(("fogApps", '"' + " ".join(fog_apps) + '"'))
    if app.host != spec.cloud:
        i = spec.fog_nodes.index(app.host)
        factors = spec.compute_factors[i] if spec.compute_factors else ()
        params += [
            ("fogIndex", str(i)),
            ("fogBeforePs", '"' + " ".join(str(s.fog_before_ps[i]) for s in spec.stages) + '"'),
            ("computeFactorsPpm", '"' + " ".join(map(str, factors)) + '"'),
            ("cloudApp", f'"{scenario.network}.{cloud_app.module}"'),
        ]
    return params


#: INET's Udp module binds an unbound socket to a port of 1024..5000 (`Udp::getEphemeralPort`)
EPHEMERAL_PORTS = 5000 - 1024 + 1


def _check_ephemeral_ports(scenario: Scenario, plan: dict[str, list[App]]) -> None:
    """Refuse a host with more UDP sources than INET has ephemeral ports.

    Every chunk of a message above one datagram is a UDP source of its own (see
    `simulation.model.apps`); opp_run would stop with "Ephemeral port range 1024..5000
    exhausted" partway through the run.
    """
    for host, apps in plan.items():
        sources = sum(1 for a in apps if a.role == "source")
        if sources > EPHEMERAL_PORTS:
            raise UserError(
                f"{scenario.name}: host {host} would run {sources:,} UDP sources (one per "
                f"datagram of each message), more than INET's {EPHEMERAL_PORTS:,} ephemeral "
                "ports; the OMNeT++ backend cannot run it: use --backend embedded, fewer fog "
                'nodes, or pacing = "rounds" (one TCP connection per fog node)'
            )


def render_text(
    scenario: Scenario,
    record_vectors: bool | str = False,
    backend: str = "omnetpp",
    dialect: str = DEFAULT_DIALECT,
) -> tuple[str, str]:
    """The NED and ini text of a scenario (`backend` is recorded as the measurement label).

    `dialect` is INET's major.minor ("4.5", "4.6"): the one NED difference between them.
    """
    if dialect not in L2_CONFIGURATOR:
        raise UserError(f"unknown INET version {dialect!r} (allowed: {', '.join(L2_CONFIGURATOR)})")
    env = _env()
    ned_types = TSN_NED_TYPES if scenario.scheduling == "tsn" else NED_TYPES
    types = sorted({ned_types[n.kind] for n in scenario.nodes})
    nodes = [{"name": n.name, "ned_type": ned_types[n.kind]} for n in scenario.nodes]
    connections = [
        {
            "a": lk.a,
            "b": lk.b,
            "datarate": units.format_rate(lk.datarate_bps),
            "delay": units.format_time(lk.delay_ps),
        }
        for lk in scenario.links
    ]
    ned = env.get_template("network.ned.j2").render(
        version=__version__,
        scenario=scenario,
        package=None,
        ned_types=[NED_IMPORTS[t] for t in types],
        l2_configurator="" if explicit_forwarding(scenario) else L2_CONFIGURATOR[dialect],
        nodes=nodes,
        connections=connections,
        tcp=bool(tcp_ends(scenario)),
    )
    plan = plan_apps(scenario)
    _check_ephemeral_ports(scenario, plan)
    comment, qlines = queue_lines(scenario)
    payload = scenario.ml_payload
    ml_text = (
        "none (no ML traffic)"
        if payload is None
        else f"{payload.method}: upload {payload.upload_bytes} B, download "
        f"{payload.download_bytes} B per fog node per round ({payload.source})"
    )
    ini = env.get_template("omnetpp.ini.j2").render(
        version=__version__,
        scenario=scenario,
        sim_time_limit=units.format_time(scenario.sim_time_limit_ps),
        warmup=units.format_time(scenario.warmup_ps) if scenario.warmup_ps else "",
        time_comment=time_comment(scenario),
        drop_lines=drop_lines(scenario),
        flow_entries=flow_entries(scenario),
        interface_entries=interface_entries(scenario),
        loop_entries=loop_entries(scenario),
        queue_comment=comment,
        queue_lines=qlines,
        record_vectors=bool(record_vectors),
        sink_delays=sink_delays(scenario),
        rounds=scenario.rounds is not None,
        tcp_lines=tcp_lines(scenario, record_vectors),
        tcp_entries=tcp_entries(scenario),
        itervars=itervars(scenario),
        backend=backend,
        ml_payload=ml_text,
        ports=", ".join(f"{c} {p}" for c, p in MESSAGE_PORTS.items()),
        hosts=[
            {"name": host, "apps": [_app_view(a, scenario) for a in apps]}
            for host, apps in plan.items()
        ],
    )
    return ned, ini


def render(
    scenario: Scenario,
    out_dir: Path,
    record_vectors: bool | str = False,
    dialect: str = DEFAULT_DIALECT,
) -> Rendered:
    """Write NED, ini, scenario.json and manifest.json into `out_dir` (atomically each)."""
    ned_text, ini_text = render_text(scenario, record_vectors, dialect=dialect)
    out_dir = Path(out_dir)
    paths = Rendered(
        out_dir,
        out_dir / f"{scenario.network}.ned",
        out_dir / "omnetpp.ini",
        out_dir / "scenario.json",
        out_dir / "manifest.json",
    )
    atomic.write_text(paths.ned, ned_text)
    atomic.write_text(paths.ini, ini_text)
    atomic.write_text(paths.scenario_json, json.dumps(scenario.to_dict(), indent=1) + "\n")
    atomic.write_text(paths.manifest_json, json.dumps(manifest(scenario), indent=1) + "\n")
    return paths
