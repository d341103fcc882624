# SPDX-License-Identifier: MIT
"""Where a fog node's round goes: its compute, the network, waiting, the cloud's compute.

A fog node (FN) aggregated in round r runs one chain of events from its start
of the round to the round's last download (docs/rounds.md): per stage j it
computes, its upload crosses the network, the upload waits at the cloud until
the stage's set is complete (the last aggregated FN's upload, or the deadline),
the cloud computes, and the stage's download crosses the network. So

    last download - start = fog compute + network + waiting + cloud compute

exactly, for every aggregated FN (where nothing comes down, CC with a batch
period, the chain ends when the cloud closes the round). The parts come from
the result files both backends write: the round-protocol apps' vectors give
the starts, the FN's and the cloud's computations and when the cloud began each
(`roundCloudCompute`: recorded at its end, the value its duration), and the
FlowRecorder's per-flow delay vectors (`<kind>_<fog>:delay:vector`: recorded at
a message's arrival, the value the time it spent in the network) give every
message's network time. A message is attributed to a round by when it was sent:
an upload to the FN's round begun last, a download to the cloud's round it
closed or was closing. Runs recorded without vectors (`--no-vectors`) have no
per-flow delays: their network and waiting columns are NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from fogcosim.resultfiles.runresults import RunResults

if TYPE_CHECKING:
    import pandas as pd

#: rounds.csv columns this module adds (seconds).
SPLIT_COLUMNS = ["network_up_s", "network_down_s", "wait_s"]
#: Slack when times computed from two vectors are compared (their text has 14 digits).
EPS = 1e-9


@dataclass(frozen=True)
class Message:
    """One delivered message: when it was sent and when it arrived (s)."""

    sent: float
    arrived: float

    @property
    def network(self) -> float:
        """Time it spent in the network."""
        return self.arrived - self.sent


def messages(results: RunResults, recorder: str, flow: str) -> list[Message] | None:
    """A flow's delivered messages from its delay vector; None when it was not recorded."""
    name = f"{flow}:delay:vector"
    if not results.has_vector(recorder, name):
        return None
    times, delays = results.vector(recorder, name)
    return [Message(float(t - d), float(t)) for t, d in zip(times, delays, strict=True)]


def cloud_stages(
    compute_t: np.ndarray, compute_v: np.ndarray, done_t: np.ndarray, stages: int
) -> list[list[tuple[float, float]]]:
    """Per completed round, each stage's cloud computation as (began, ended), in stage order.

    The cloud computes its rounds one after another, each round's stages in order,
    so a computation belongs to the first round that closed at or after its end.
    """
    per_round: list[list[tuple[float, float]]] = [[] for _ in done_t]
    for t, v in zip(compute_t, compute_v, strict=True):
        r = int(np.searchsorted(done_t, t - EPS))
        if r < len(per_round):
            per_round[r].append((float(t - v), float(t)))
    return [c[:stages] for c in per_round]


def _by_round(starts: Sequence[float], sent: float) -> int:
    """The round whose start is the last at or before `sent` (-1: before the first)."""
    return int(np.searchsorted(np.asarray(starts), sent + EPS, side="right")) - 1


def fog_split(
    *,
    starts: Mapping[int, float],
    closes: Sequence[float],
    cloud: Sequence[Sequence[tuple[float, float]]],
    aggregated: set[int],
    uploads: Sequence[list[Message] | None],
    downloads: Sequence[list[Message] | None],
) -> dict[int, tuple[float, float, float]]:
    """One FN's (network up, network down, waiting) per completed round, in seconds.

    `starts`: round -> when the FN began it; `closes`: each completed round's close
    at the cloud; `cloud`: per round the stages' (began, ended) computations;
    `aggregated`: the rounds it was aggregated in; `uploads`/`downloads`: per stage
    the FN's delivered messages of that stage's upload and download flows (None: not
    recorded; the stage sends nothing down: []). Waiting is the time each of its
    uploads sat at the cloud until the stage's computation began, for aggregated rounds
    only (NaN otherwise); network times sum its delivered uploads and the downloads it
    received in the round.
    """
    rounds = len(closes)
    if any(m is None for m in (*uploads, *downloads)):
        return dict.fromkeys(range(rounds), (math.nan, math.nan, math.nan))
    order = sorted(starts)
    begun = [starts[r] for r in order]
    up = np.zeros(rounds)
    down = np.zeros(rounds)
    wait = np.full(rounds, math.nan)
    wait[[r for r in aggregated if r < rounds]] = 0.0
    for stage, flow in enumerate(uploads):
        for m in flow or ():
            i = _by_round(begun, m.sent)
            r = order[i] if i >= 0 else -1
            if not 0 <= r < rounds:
                continue
            up[r] += m.network
            if r in aggregated and stage < len(cloud[r]):
                wait[r] += cloud[r][stage][0] - m.arrived
    opened = [0.0, *closes[:-1]]
    for flow in downloads:
        for m in flow or ():
            r = int(np.searchsorted(np.asarray(closes), m.sent - EPS))
            if r < rounds and m.sent >= opened[r] - EPS:
                down[r] += m.network
    return {r: (float(up[r]), float(down[r]), float(wait[r])) for r in range(rounds)}


def flow_names(spec: Mapping[str, Any], fog: str) -> tuple[list[str], list[str]]:
    """The FN's upload and download flow names per stage ("" where nothing comes down)."""
    ups = [f"{st['up_kind']}_{fog}" for st in spec["stages"]]
    downs = [f"{st['down_kind']}_{fog}" if st["down_kind"] else "" for st in spec["stages"]]
    return ups, downs


def recorded_flows(
    results: RunResults, recorder: str, names: Sequence[str]
) -> list[list[Message] | None]:
    """Each named flow's delivered messages ("" -> [], a flow never sent: none)."""
    out: list[list[Message] | None] = []
    for name in names:
        if not name:
            out.append([])
            continue
        got = messages(results, recorder, name)
        if got is None and not _any_delay_vector(results, recorder):
            out.append(None)  # recorded without vectors
        else:
            out.append(got or [])  # with vectors, a flow without a vector sent nothing
    return out


def _any_delay_vector(results: RunResults, recorder: str) -> bool:
    return any(n.endswith(":delay:vector") for n in results.vector_names(recorder))


#: summary.csv columns of a rounds-paced run: the mean aggregated FN round and its parts (s).
SPLIT_METRICS = {
    "fn_round_s": "FN round",
    "split_fog_s": "fog compute",
    "split_network_s": "network",
    "split_wait_s": "waiting",
    "split_cloud_s": "cloud compute",
}


def split_means(table: pd.DataFrame) -> dict[str, float]:
    """Means over the aggregated (round, FN) pairs of a rounds.csv: the FN round and its parts.

    An FN's round runs from its start to the round's last download (or, where nothing
    comes down, the cloud's close); its parts add up to it (see the module). NaN parts
    where the run recorded no delay vectors.
    """
    agg = table[table["aggregated"].astype(bool)]
    if agg.empty:
        return {}
    end = agg["download_done_s"].fillna(agg["round_done_s"])
    parts = {
        "fn_round_s": end - agg["round_start_s"],
        "split_fog_s": agg["compute_fog_s"],
        "split_network_s": agg["network_up_s"] + agg["network_down_s"],
        "split_wait_s": agg["wait_s"],
        "split_cloud_s": agg["compute_cloud_s"],
    }
    return {k: float(v.mean()) for k, v in parts.items()}
