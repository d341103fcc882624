# SPDX-License-Identifier: MIT
"""The round timeline of a rounds-paced run, from its results (in memory or its result files).

Both backends' round-protocol apps record the same vectors (see
`simulation.model.roundspec` and omnetpp_src/fogcosim/RoundApp.cc): per fog node
`roundStart`, `roundFogCompute` and `roundDownload`; at the cloud
`roundUpload` and `roundAggregated` (value round * p + fog node), and
`roundCloudCompute` and `roundDone`. This module turns them into rounds.csv,
one row per round and fog node, so the training phase and the report never
need to know which backend ran. Over TCP a row also has the bytes TCP resent on
the FN's connection (both ways) during the round (`analysis.run.tcp`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.run.frames import frame
from analysis.run.round_split import (
    SPLIT_COLUMNS,
    cloud_stages,
    flow_names,
    fog_split,
    recorded_flows,
    split_means,
)
from analysis.run.tcp import connection_state, retransmissions, round_retransmissions, tcp_rows
from fogcosim.errors import UserError
from fogcosim.resultfiles.runresults import RunResults, as_results

if TYPE_CHECKING:
    import pandas as pd

ROUNDS_CSV = "rounds.csv"
COLUMNS = [
    "round", "fn", "round_start_s", "upload_done_s", "aggregated", "download_done_s",
    "compute_fog_s", "compute_cloud_s", "round_done_s", "retransmitted_bytes", *SPLIT_COLUMNS,
]  # fmt: skip


def rounds_table(
    scenario: dict[str, Any], manifest: list[dict[str, Any]], raw: RunResults | pd.DataFrame
) -> pd.DataFrame:
    """One row per (round, fog node) of the rounds the cloud completed."""
    spec = scenario.get("rounds")
    if not spec:
        return frame([], COLUMNS)
    apps = {r["host"]: r["module"] for r in manifest if r["role"] == "rounds"}
    fogs, cloud = spec["fog_nodes"], spec["cloud"]
    p = len(fogs)
    table = as_results(raw)
    done_t, done_r = table.vector(apps[cloud], "roundDone:vector")
    up_t, up_v = table.vector(apps[cloud], "roundUpload:vector")
    _, agg_v = table.vector(apps[cloud], "roundAggregated:vector")
    cc_t, cc_v = table.vector(apps[cloud], "roundCloudCompute:vector")
    uploads = {(int(v) // p, int(v) % p): t for t, v in zip(up_t, up_v, strict=True)}
    aggregated = {(int(v) // p, int(v) % p) for v in agg_v}
    recorder = next((r["module"] for r in manifest if r["role"] == "flow"), "")
    stages = cloud_stages(cc_t, cc_v, done_t, len(spec["stages"]))
    closes = [float(t) for t in done_t]
    # the cloud computes its rounds one after another: attribute each computation by time
    cloud_time = np.zeros(len(done_t))
    for t, v in zip(cc_t, cc_v, strict=True):
        r = int(np.searchsorted(done_t, t))  # the first round done at or after it
        if r < len(cloud_time):
            cloud_time[r] += v
    rexmit = retransmissions(manifest, table)
    tcp = spec.get("transport") == "tcp"
    rows = []
    for i, fog in enumerate(fogs):
        start_t, start_r = table.vector(apps[fog], "roundStart:vector")
        resent = round_retransmissions(fog, cloud, start_t, start_r, rexmit) if tcp else {}
        fc_t, fc_v = table.vector(apps[fog], "roundFogCompute:vector")
        dl_t, dl_r = table.vector(apps[fog], "roundDownload:vector")
        starts = {int(r): t for t, r in zip(start_t, start_r, strict=True)}
        downloads = {int(r): t for t, r in zip(dl_t, dl_r, strict=True)}
        fog_time = np.zeros(len(done_t))
        for t, v in zip(fc_t, fc_v, strict=True):  # a computation belongs to the last round begun
            begun = int(np.searchsorted(start_t, t, side="right")) - 1
            if begun >= 0 and int(start_r[begun]) < len(fog_time):
                fog_time[int(start_r[begun])] += v
        up_flows, down_flows = flow_names(spec, fog)
        split = fog_split(
            starts=starts,
            closes=closes,
            cloud=stages,
            aggregated={r for r, f in aggregated if f == i},
            uploads=recorded_flows(table, recorder, up_flows),
            downloads=recorded_flows(table, recorder, down_flows),
        )
        for r, t_done in zip(done_r.astype(int), done_t, strict=True):
            net_up, net_down, wait = split.get(r, (math.nan, math.nan, math.nan))
            rows.append(
                {
                    "round": r,
                    "fn": i,
                    "round_start_s": starts.get(r, math.nan),
                    "upload_done_s": uploads.get((r, i), math.nan),
                    "aggregated": (r, i) in aggregated,
                    "download_done_s": downloads.get(r, math.nan),
                    "compute_fog_s": fog_time[r],
                    "compute_cloud_s": cloud_time[r],
                    "round_done_s": t_done,
                    "retransmitted_bytes": resent.get(r, 0.0) if tcp else math.nan,
                    "network_up_s": net_up,
                    "network_down_s": net_down,
                    "wait_s": wait,
                }
            )
    rows.sort(key=lambda row: (row["round"], row["fn"]))  # stable, as pandas' sort_values
    return frame(rows, COLUMNS)


def aggregated_sets(table: pd.DataFrame) -> list[tuple[int, ...]]:
    """Each completed round's aggregated fog nodes, in round order."""
    return [
        tuple(int(f) for f in group.loc[group["aggregated"], "fn"])
        for _, group in table.groupby("round", sort=True)
    ]


def round_metrics(table: pd.DataFrame, fog_nodes: int) -> dict[str, float]:
    """Mean round time, the effective straggler rate (1 - aggregated/p, over rounds), the split.

    A round's time runs from its first fog node's start to the cloud's update: the
    protocol's own time, without the wait for the next batch. The split
    (`analysis.run.round_split.split_means`): an aggregated FN's round, start to last
    download, and its parts.
    """
    if table.empty:
        return {}
    per_round = table.groupby("round").agg(
        done=("round_done_s", "first"), start=("round_start_s", "min"), k=("aggregated", "sum")
    )
    durations = per_round["done"].to_numpy() - per_round["start"].to_numpy()
    return {
        "rounds_done": len(per_round),
        "mean_round_s": float(np.mean(durations)),
        "straggler_rate_eff": float(np.mean(1 - per_round["k"].to_numpy() / fog_nodes)),
    } | (split_means(table) if "wait_s" in table else {})


class RunStalledError(UserError):
    """The round protocol could not go on: the watchdog ended the run (see `stall_diagnosis`)."""


def _drops(results: RunResults, module: str, flow: str) -> list[tuple[float, int, int]]:
    """A flow's dropped messages: (time s, message number, link-direction index)."""
    t, msg = results.vector(module, f"{flow}:dropped:vector")
    _, at = results.vector(module, f"{flow}:droppedAt:vector")
    return [(float(a), int(b), int(c)) for a, b, c in zip(t, msg, at, strict=True)]


def stall_diagnosis(
    scenario: dict[str, Any], manifest: list[dict[str, Any]], raw: RunResults | pd.DataFrame
) -> str | None:
    """One line saying which round stalled, whom it waited for, and where that was lost.

    None when the watchdog did not end the run. The round-protocol apps record
    `roundStall` (round x p + FN) when a round stays open `stall_timeout` past its
    start, or at once when TCP gave up on an FN's connection; the FlowRecorder
    records every dropped message and the link direction whose queue dropped it,
    and over TCP the TcpRecorder what TCP did on each connection (`analysis.run.tcp`).
    """
    spec = scenario.get("rounds")
    table = as_results(raw)
    if not spec or not table.has_vectors:
        return None
    fogs, cloud = spec["fog_nodes"], spec["cloud"]
    p = len(fogs)
    apps = {r["module"]: r["host"] for r in manifest if r["role"] == "rounds"}
    stalls = [
        (float(t), int(v) // p, int(v) % p, host)
        for module, host in apps.items()
        for t, v in zip(*table.vector(module, "roundStall:vector"), strict=True)
    ]
    if not stalls:
        return None
    at, rnd, fog, host = min(stalls)
    waiting = sorted({f for _, r, f, _ in stalls if r == rnd})
    recorder = next((r["module"] for r in manifest if r["role"] == "flow"), "")
    links = {r["direction"]: f"{r['host']}->{r['dest']}" for r in manifest if r["role"] == "queue"}
    kinds = [(st["up_kind"], st["down_kind"]) for st in spec["stages"]]
    flows = [f"{k}_{fogs[fog]}" for pair in kinds for k in pair if k]
    lost = sorted(
        (t, flow, links.get(where, "an unknown queue"))
        for flow in flows
        for t, msg, where in _drops(table, recorder, flow)
        if msg == rnd
    )
    who = (
        f"the cloud waited for {fogs[fog]}'s upload"
        if host == cloud
        else f"{fogs[fog]} waited for the round's last download"
    )
    others = f" (and {len(waiting) - 1} more fog nodes)" if len(waiting) > 1 else ""
    timeout = spec["stall_timeout_ps"] / 1e12
    head = f"round {rnd} stalled at {at:g} s, {timeout:g} s after it began: {who}{others}"
    if spec.get("transport") == "tcp":
        tcp = tcp_rows(manifest, table)
        closed = [r for r in tcp if r["state"] == "CLOSED" and r["end"].startswith("rounds_")]
        if closed:  # TCP gave up on a connection: the apps ended the run at once
            end = closed[0]
            return (
                f"round {rnd} stopped at {at:g} s: TCP at {end['host']} gave up on "
                f"{end['end'].split('@')[0].removeprefix('rounds_')}'s connection after "
                f"{int(end['timeouts'])} retransmission timeouts (RTO {end['rto_s']:g} s); the "
                "path drops what TCP resends: give the queues more room ([simulation] "
                "queue_capacity) or lower the load"
            )
        sender = fogs[fog] if host == cloud else cloud  # whose message did not arrive
        state = connection_state(tcp, fogs[fog], sender)
        return (
            f"{head}; {state}; TCP resends what a full queue drops, but not in time: give the "
            "queues more room ([simulation] queue_capacity) or raise [traffic.ml] "
            "stall_timeout if rounds of this network legitimately take that long"
        )
    if lost:
        t, flow, link = lost[0]
        cap = scenario.get("queue_capacity")
        room = f"its {cap} frames" if cap else "its capacity"
        return (
            f"{head}; message {flow} of round {rnd} was dropped at {t:.6f} s by the full queue "
            f"of {link} ({room}); UDP does not resend a lost message, so the protocol cannot go "
            "on: give the queues more room ([simulation] queue_capacity)"
        )
    return (
        f"{head}; none of its messages was lost, the round just did not close within "
        f"stall_timeout = {timeout:g} s: raise [traffic.ml] stall_timeout if rounds of this "
        "network legitimately take that long"
    )
