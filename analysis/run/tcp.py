# SPDX-License-Identifier: MIT
"""TCP's own results of one run: per connection end (tcp.csv), per round and FN, at a stall.

Both backends record the same per end on the `tcpStats` module (fogcosim.TcpRecorder
in OMNeT++, `simulation.embedded.tcplayer` in the engine): segments and payload bytes
sent, retransmitted segments and bytes (data below the highest sequence number already
sent), each retransmission as a sample of `<label>:retransmitted:vector`, and at the end
the connection's retransmission timeouts, current RTO and TCP state. An end's label is
`<connection>@<host>`: a TCP flow's connection is named after the flow, an FN's round
protocol connection `rounds_<fn>` (`simulation.model.apps.tcp_ends`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.run.frames import frame
from fogcosim.resultfiles.runresults import RunResults, as_results

if TYPE_CHECKING:
    import pandas as pd

TCP_CSV = "tcp.csv"
#: INET's TcpState numbers (its `state` statistic): the ones a diagnosis names.
STATES = {1: "CLOSED", 2: "LISTEN", 3: "SYN_SENT", 4: "SYN_RCVD", 5: "ESTABLISHED"}
COLUMNS = [
    "end", "host", "peer", "segments", "bytes", "retransmitted", "retransmitted_bytes",
    "timeouts", "rto_s", "state",
]  # fmt: skip


def _ends(manifest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in manifest if r["role"] == "tcp"]


def tcp_table(manifest: list[dict[str, Any]], raw: RunResults | pd.DataFrame) -> pd.DataFrame:
    """`tcp_rows` as a DataFrame (empty, with the columns, for a run without TCP)."""
    return frame(tcp_rows(manifest, as_results(raw)), COLUMNS)


def tcp_rows(manifest: list[dict[str, Any]], results: RunResults) -> list[dict[str, Any]]:
    """One row per TCP connection end (none for a run without TCP)."""
    ends = _ends(manifest)
    if not ends:
        return []
    values = results.module_scalars(ends[0]["module"])

    def value(label: str, stat: str) -> float:
        return float(values.get(f"{label}:{stat}", math.nan))

    rows = []
    for e in ends:
        label = e["label"]
        state = value(label, "state:last")
        rows.append(
            {
                "end": label,
                "host": e["host"],
                "peer": e["dest"],
                "segments": value(label, "segmentsSent:count"),
                "bytes": value(label, "bytesSent:sum"),
                "retransmitted": value(label, "retransmittedSegments:count"),
                "retransmitted_bytes": value(label, "retransmittedBytes:sum"),
                "timeouts": value(label, "timeouts:count"),
                "rto_s": value(label, "rto:last"),
                "state": STATES.get(int(state), str(int(state))) if state == state else "",
            }
        )
    return rows


def retransmissions(
    manifest: list[dict[str, Any]], results: RunResults
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per end label: the times (s) and bytes of its retransmitted segments."""
    ends = _ends(manifest)
    if not ends:
        return {}
    module = ends[0]["module"]
    suffix = ":retransmitted:vector"
    return {
        name.removesuffix(suffix): results.vector(module, name)
        for name in results.vector_names(module)
        if name.endswith(suffix)
    }


def round_retransmissions(
    fog: str, cloud: str, starts: np.ndarray, rounds: np.ndarray, rexmit: dict[str, Any]
) -> dict[int, float]:
    """Bytes retransmitted on an FN's connection (both ways) per round it began.

    A retransmission belongs to the last round the FN began at or before it (its
    round's upload, or that round's downloads). A segment lost at the tail of a round's
    message that TCP only resends once the next round's data brings duplicate ACKs (or its
    1 s minimum RTO fires after the next round began) counts in that next round.
    """
    out: dict[int, float] = {}
    for label in (f"rounds_{fog}@{fog}", f"rounds_{fog}@{cloud}"):
        times, sizes = rexmit.get(label, (np.empty(0), np.empty(0)))
        for t, b in zip(times, sizes, strict=True):
            begun = int(np.searchsorted(starts, t, side="right")) - 1
            if begun >= 0:
                r = int(rounds[begun])
                out[r] = out.get(r, 0.0) + float(b)
    return out


def connection_state(rows: list[dict[str, Any]], fog: str, sender: str) -> str:
    """What TCP did at `sender`'s end of an FN's round-protocol connection (for a stall)."""
    r = next((row for row in rows if row["end"] == f"rounds_{fog}@{sender}"), None)
    if r is None:
        return f"{fog}'s TCP connection: no results"
    what = (
        f"{sender} sent {r['bytes']:,.0f} B of data ({int(r['retransmitted'])} segments "
        f"resent), {int(r['timeouts'])} retransmission timeouts, RTO now {r['rto_s']:g} s"
    )
    if r["state"] == "CLOSED":
        what += "; TCP gave up and closed the connection"
    return f"{fog}'s TCP connection: {what}"
