# SPDX-License-Identifier: MIT
"""Write an engine run as the OMNeT++ result files the rendered INET model would write.

Same module paths, result names, recording modes and attributes as INET 4.5
with the rendered ini (see `omnetpp_ini/omnetpp.ini.j2`): per link direction
`packetBytes:sum`, `busy:timeavg` and `utilization:last` (OMNeT++'s own
definition: busy time up to the end of the channel's last transmission, over
that time); per app `packetReceived:*` and `packetSent:*`; per sink the
`endToEndDelay:histogram` statistic with `cHistogram`'s bins
(`simulation.embedded.omnetpp_histogram`), and with vectors on, `endToEndDelay:vector`.
Config lines are the rendered ini's entries, so a reader sees the same
configuration either way. Run attributes are OMNeT++'s, with the backend named
in `measurement` (`backend=embedded`); `datetime` comes from SOURCE_DATE_EPOCH
(default 0) and `processid` is 0, so the same scenario always gives
byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fogcosim.resultfiles.runresults import RunResults
from fogcosim.resultfiles.writer import RunHeader, ScalarFileWriter, VectorFileWriter
from simulation.backends.base import RESULT_SUBDIR
from simulation.backends.omnetpp.render import itervars, render_text, sink_delays
from simulation.embedded.omnetpp_histogram import OmnetppHistogram
from simulation.embedded.stats import EngineResult, FlowStats, QueueStats, SinkStats, SourceStats
from simulation.model.apps import FLOW_RECORDER, TCP_RECORDER
from simulation.model.scenario import Scenario

CONFIG_NAME = "General"
_INI_LINE = re.compile(r"^\s*([^#;=\s][^=]*?)\s*=\s*(.*?)\s*$")
#: `${name=value}`: an iteration variable with one value, recorded as that value
_ITERVAR = re.compile(r"\$\{(\w+)=([^}]*)\}")
_CHANNEL_ATTRS = {
    "packetBytes:sum": {
        "interpolationmode": "none",
        "recordingmode": "sum",
        "source": "packetBytes(messageSent)",
        "unit": "B",
    },
    "busy:timeavg": {
        "interpolationmode": "sample-hold",
        "recordingmode": "timeavg",
        "source": "channelBusy",
    },
    "utilization:last": {"recordingmode": "last", "source": "timeavg(channelBusy)"},
}


def _counter(mode: str, signal: str, title: str) -> dict[str, str]:
    return {
        "interpolationmode": "none",
        "recordingmode": mode,
        "source": signal,
        "title": f"{title}, {mode}",
    }


_DELAY_ATTRS = {
    "interpolationmode": "none",
    "source": "dataAge(packetReceived)",
    "title": "end-to-end delay",
    "unit": "s",
}


#: Attributes of the round-protocol vectors (fogcosim.RoundApp records them the same way).
ROUND_VECTOR_ATTRS = {"interpolationmode": "none", "recordingmode": "vector"}
_FLOW_DELAY_ATTRS = {"interpolationmode": "none", "title": "message delay", "unit": "s"}
_QUEUE_DROP_ATTRS = {
    "interpolationmode": "none",
    "recordingmode": "count",
    "source": "packetDropReasonIsQueueOverflow(packetDropped)",
    "title": "dropped packets: queue overflow, count",
    "unit": "pk",
}


def ini_config(ini_text: str) -> list[tuple[str, str]]:
    """The `key = value` entries of an ini in file order, as OMNeT++ records them."""
    entries = []
    for line in ini_text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";", "[")):
            continue
        match = _INI_LINE.match(stripped)
        if not match:
            continue
        key, value = match.group(1), _ITERVAR.sub(r"\2", match.group(2))
        unquoted = "." not in key or key.endswith(".typename")
        if unquoted and len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]  # OMNeT++ records option strings and type names unquoted
        entries.append((key, value))
    return entries


def run_id(scenario: Scenario) -> str:
    """A run id unique to the run's inputs and the same every time (OMNeT++: date and pid)."""
    text = json.dumps(scenario.to_dict(), sort_keys=True) + "\0embedded"
    return f"{CONFIG_NAME}-0-{hashlib.sha256(text.encode()).hexdigest()[:20]}"


def _header(result: EngineResult, config: list[tuple[str, str]]) -> RunHeader:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    sc = result.scenario
    return RunHeader.omnetpp(
        run_id=run_id(sc),
        itervars=dict(itervars(sc)),
        configname=CONFIG_NAME,
        network=sc.network,
        seedset=sc.seed,
        experiment=result.scenario.name,
        measurement="backend=embedded",
        datetime=datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None),
        processid=0,
        resultdir=RESULT_SUBDIR,
        config=config,
    )


def write_results(
    result: EngineResult,
    out_dir: Path,
    record_vectors: bool | str,
    capture: RunResults | None = None,
) -> list[Path]:
    """Write `results/<config>-<itervars>-#0.sca` (and `.vec`) under `out_dir`, as OMNeT++ does.

    With `capture`, every result written is also recorded there, as a reader of
    the files will read it (the run's metrics come from it, not from the files).
    """
    sc = result.scenario
    net = sc.network
    _, ini = render_text(sc, record_vectors=record_vectors, backend="embedded")
    header = _header(result, ini_config(ini))
    folder = Path(out_dir) / RESULT_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    sca_path = folder / f"{header.file_stem}.sca"
    written = [sca_path]
    limit = result.sim_time_ps
    with ScalarFileWriter(sca_path, *header, capture=capture) as sca:
        for port in result.ports:
            module = port.direction.channel_module(net)
            values = {
                "packetBytes:sum": port.bytes,
                "busy:timeavg": port.timeavg(limit),
                "utilization:last": port.utilization_last(),
            }
            for name, value in values.items():
                sca.scalar(module, name, value, _CHANNEL_ATTRS[name])
        sinks = {s.app.module: s for s in result.sinks}
        sources = {s.app.module: s for s in result.sources}
        delays = sink_delays(sc)
        for module in _app_modules(result):
            _write_app(sca, f"{net}.{module}", sinks.get(module), sources.get(module), delays)
        for queue in result.queues:
            _write_queue(sca, net, queue, limit)
        for flow in result.flows:
            if flow.loop is not None and not flow.flow.closed_reply:
                _write_loop(sca, f"{net}.{FLOW_RECORDER}", flow)
        for flow in result.flows:
            _write_flow(sca, f"{net}.{FLOW_RECORDER}", flow)
        if result.tcp is not None:
            _write_tcp(sca, f"{net}.{TCP_RECORDER}", result.tcp)
    round_vectors = [
        (events[0], app.module, name, times, values, events)
        for app in result.apps
        for name, (times, values, events) in app.vectors.items()
    ]
    drop_vectors = [
        (f.drops[0][3], f"{net}.{FLOW_RECORDER}", f"{f.flow.name}:{name}:vector",
         [d[0] for d in f.drops], [float(d[k]) for d in f.drops], [d[3] for d in f.drops])
        for f in result.flows
        if f.drops
        for name, k in (("dropped", 1), ("droppedAt", 2))
    ]  # fmt: skip
    round_vectors += drop_vectors
    tcp_vectors = _tcp_vectors(result)
    if record_vectors or round_vectors or tcp_vectors:
        vec_path = folder / f"{header.file_stem}.vec"
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
        # (first event, module, name, times ps, values, events, attributes), in OMNeT++'s
        # order: a vector is declared when it records its first value
        vectors: list[tuple[int, str, str, list[int], list[float], list[int], dict[str, str]]]
        vectors = [
            (e[0], module, name, t, v, e, {**ROUND_VECTOR_ATTRS, "title": _vector_title(name)})
            for _, module, name, t, v, e in round_vectors
        ] + tcp_vectors
        if record_vectors:
            for s in result.sinks if sink_delays(sc) else ():
                if s.delays_ps:
                    vectors.append(
                        (s.events[0], f"{net}.{s.app.module}", "endToEndDelay:vector",
                         s.arrival_ps, [d * 1e-12 for d in s.delays_ps], s.events,
                         {**_DELAY_ATTRS, "recordingmode": "vector"})
                    )  # fmt: skip
            for f in result.flows:
                loop = f.loop
                if loop is not None and not f.flow.closed_reply and loop.rtts_ps:
                    vectors.append(
                        (loop.events[0], f"{net}.{FLOW_RECORDER}", f"{f.flow.name}:rtt:vector",
                         loop.arrival_ps, [r * 1e-12 for r in loop.rtts_ps], loop.events,
                         {**_FLOW_DELAY_ATTRS, "title": "loop round trip",
                          "recordingmode": "vector"})
                    )  # fmt: skip
                if f.delays_ps:
                    vectors.append(
                        (f.events[0], f"{net}.{FLOW_RECORDER}", f"{f.flow.name}:delay:vector",
                         f.arrival_ps, [d * 1e-12 for d in f.delays_ps], f.events,
                         {**_FLOW_DELAY_ATTRS, "recordingmode": "vector"})
                    )  # fmt: skip
        vectors.sort(key=lambda r: (r[0], r[1], r[2]))
        with VectorFileWriter(vec_path, *header, mtime=epoch, capture=capture) as vec:
            for _, module, name, times, samples, events, attrs in vectors:
                vec.vector(
                    module, name, times, samples, attrs, event_numbers=events, time_unit="ps"
                )
        written.append(vec_path)
    return written


#: Titles of the FlowRecorder's drop vectors (by the name's middle part).
_DROP_TITLES = {"dropped": "dropped message", "droppedAt": "dropped at link direction"}
#: Attributes of INET's TcpConnection vectors (`@statistic(record=vector)`).
TCP_VECTOR_ATTRS = {"interpolationmode": "sample-hold", "recordingmode": "vector"}
#: Attributes of fogcosim.TcpRecorder's retransmission vector.
REXMIT_VECTOR_ATTRS = {
    "interpolationmode": "none",
    "recordingmode": "vector",
    "title": "retransmitted segment",
    "unit": "B",
}


def _tcp_vectors(
    result: EngineResult,
) -> list[tuple[int, str, str, list[int], list[float], list[int], dict[str, str]]]:
    """INET's vectors of every TCP connection module, and the TcpRecorder's retransmissions."""
    tcp = result.tcp
    if tcp is None:
        return []
    net = result.scenario.network
    out = []
    holders = [(f"{e.host}.tcp.conn-{e.socket_id}", e.vectors) for e in tcp.endpoints] + [
        (f"{li.host}.tcp.conn-{li.socket_id}", li.vectors) for li in tcp.listeners
    ]
    for module, vectors in holders:
        for name, (times, values, events) in vectors.items():
            out.append(
                (events[0], f"{net}.{module}", f"{name}:vector", times, values, events,
                 TCP_VECTOR_ATTRS)
            )  # fmt: skip
    for e in tcp.endpoints:
        if e.rexmit_times:
            out.append(
                (e.rexmit_events[0], f"{net}.{TCP_RECORDER}", f"{e.label}:retransmitted:vector",
                 e.rexmit_times, e.rexmit_sizes, e.rexmit_events, REXMIT_VECTOR_ATTRS)
            )  # fmt: skip
    return out


def _vector_title(name: str) -> str:
    """The title attribute fogcosim's modules give a vector (round and drop vectors)."""
    parts = name.split(":")
    return _DROP_TITLES.get(parts[1], parts[0]) if len(parts) == 3 else parts[0]


def _write_app(
    sca: ScalarFileWriter,
    full: str,
    sink: SinkStats | None,
    source: SourceStats | None,
    delays: bool = True,
) -> None:
    """One app's results, as INET's UdpSink / UdpBasicApp record them."""
    received = (sink.received, sink.bytes) if sink else (0, 0)
    for mode, value in zip(("count", "sum(packetBytes)"), received, strict=True):
        sca.scalar(full, f"packetReceived:{mode}", value,
                   _counter(mode, "packetReceived", "packets received"))  # fmt: skip
    if sink is not None and delays:
        hist = OmnetppHistogram()
        hist.collect_all(d * 1e-12 for d in sink.delays_ps)
        stats = hist.result()
        attrs = {**_DELAY_ATTRS, "recordingmode": "histogram"}
        sca.statistic(full, "endToEndDelay:histogram", stats, attrs, histogram=stats)
    if source is not None:
        for mode, value in zip(
            ("count", "sum(packetBytes)"), (source.sent, source.bytes), strict=True
        ):
            sca.scalar(full, f"packetSent:{mode}", value,
                       _counter(mode, "packetSent", "packets sent"))  # fmt: skip


def _occupancy_attrs(name: str, mode: str, unit: str, title: str) -> dict[str, str]:
    sources = {"queueLength": "count", "queueBitLength": "sum"}
    op = sources[name]
    arg = "packetLength({})" if op == "sum" else "{}"
    terms = " - ".join(
        f"{op}({arg.format(sig)})" for sig in ("packetPulled", "packetRemoved", "packetDropped")
    )
    first = f"{op}({arg.format('packetPushStarted')})"
    return {
        "autoWarmupFilter": "false",
        "interpolationmode": "sample-hold",
        "recordingmode": mode,
        "source": f"warmup(atomic(constant0(packetPushEnded) + {first} - {terms}))",
        "title": f"{title}, {mode}",
        "unit": unit,
    }


_WAIT_ATTRS = {
    "interpolationmode": "none",
    "recordingmode": "histogram",
    "source": "queueingTime(packetPulled)",
    "title": "queueing times",
    "unit": "s",
}


def _write_queue(sca: ScalarFileWriter, net: str, queue: QueueStats, end: int) -> None:
    """A queue's overflow drops and occupancy, as INET's PacketQueue records them."""
    module = f"{net}.{queue.node}.eth[{queue.gate}].queue"
    if queue.module is not None:  # a TSN interface's queue: drops only (occupancy: not yet)
        sca.scalar(
            f"{net}.{queue.module}", "droppedPacketsQueueOverflow:count", queue.drops,
            _QUEUE_DROP_ATTRS,
        )  # fmt: skip
        return
    if queue.level is not None:
        module += f".queue[{queue.level}]"
    length_max, length_avg, bits_max, bits_avg = queue.finish(end)
    for name, unit, title, values in (
        ("queueLength", "pk", "queue length", (length_max, length_avg)),
        ("queueBitLength", "b", "queue bit length", (bits_max, bits_avg)),
    ):
        for mode, value in zip(("max", "timeavg"), values, strict=True):
            sca.scalar(module, f"{name}:{mode}", value, _occupancy_attrs(name, mode, unit, title))
    hist = OmnetppHistogram()
    hist.collect_all(w * 1e-12 for w in queue.waits_ps)
    stats = hist.result()
    sca.statistic(module, "queueingTime:histogram", stats, _WAIT_ATTRS, histogram=stats)
    sca.scalar(module, "droppedPacketsQueueOverflow:count", queue.drops, _QUEUE_DROP_ATTRS)


def _write_flow(sca: ScalarFileWriter, module: str, flow: FlowStats) -> None:
    """One flow's message counts and delays, as the project's FlowRecorder module records them."""
    name = flow.flow.name
    for stat, value in (
        ("sent", flow.sent),
        ("delivered", flow.delivered),
        ("dropped", flow.dropped),
        ("inFlight", flow.in_flight),
        ("inFlightOverdue", flow.overdue),
        ("deadlineMisses", flow.deadline_misses),
    ):
        sca.scalar(module, f"{name}:{stat}:count", value)
    for hop, (frames, total, longest) in sorted(flow.hop_waits.items()):
        sca.scalar(module, f"{name}:hop{hop}Wait:count", frames)
        sca.scalar(module, f"{name}:hop{hop}Wait:mean", total * 1e-12 / frames)
        sca.scalar(module, f"{name}:hop{hop}Wait:max", longest * 1e-12)
    if flow.censored_ps:  # the ages of the messages still in flight at the end
        ages = flow.censored_ps
        sca.scalar(module, f"{name}:inFlightAge:max", max(ages) * 1e-12)
        sca.scalar(module, f"{name}:inFlightAge:mean", sum(ages) * 1e-12 / len(ages))
    hist = OmnetppHistogram()
    hist.collect_all(d * 1e-12 for d in flow.delays_ps)
    stats = hist.result()
    attrs = {**_FLOW_DELAY_ATTRS, "recordingmode": "histogram"}
    sca.statistic(module, f"{name}:delay:histogram", stats, attrs, histogram=stats)


def _write_loop(sca: ScalarFileWriter, module: str, request: FlowStats) -> None:
    """A closed loop's round trips, under its request flow's name (as the FlowRecorder does)."""
    loop = request.loop
    assert loop is not None
    name = request.flow.name
    for stat, value in (
        ("loopCompleted", len(loop.rtts_ps)),
        ("loopLost", loop.lost),
        ("loopPending", len(loop.pending_ps)),
        ("loopMisses", loop.misses),
    ):
        sca.scalar(module, f"{name}:{stat}:count", value)
    hist = OmnetppHistogram()
    hist.collect_all(r * 1e-12 for r in loop.rtts_ps)
    stats = hist.result()
    attrs = {**_FLOW_DELAY_ATTRS, "title": "loop round trip", "recordingmode": "histogram"}
    sca.statistic(module, f"{name}:rtt:histogram", stats, attrs, histogram=stats)


def _write_tcp(sca: ScalarFileWriter, module: str, tcp: Any) -> None:
    """Per TCP connection end, what fogcosim.TcpRecorder records (in its `ends` order)."""
    by_label = {e.label: e for e in tcp.endpoints}
    for label in tcp.labels:
        e = by_label[label]
        conn = e.conn
        for stat, value in (
            ("segmentsSent:count", e.segments),
            ("bytesSent:sum", e.bytes),
            ("retransmittedSegments:count", e.retransmitted),
            ("retransmittedBytes:sum", e.retransmitted_bytes),
            ("timeouts:count", conn.num_rtos),
            ("rto:last", conn.rtt.rto * 1e-12),
            ("state:last", conn.state),
        ):
            sca.scalar(module, f"{label}:{stat}", value)


def _app_modules(result: EngineResult) -> list[str]:
    """App modules (`host.app[i]`): hosts in scenario order, apps in index order."""
    by_host: dict[str, list[tuple[int, str]]] = {h.name: [] for h in result.scenario.hosts}
    for app in [s.app for s in result.sinks] + [s.app for s in result.sources]:
        by_host[app.host].append((app.index, app.module))
    return [m for apps in by_host.values() for _, m in sorted(apps)]
