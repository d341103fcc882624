# SPDX-License-Identifier: MIT
"""Check that a run's result files hold every result its manifest and scenario promise.

A `.sca` cut at a line boundary parses cleanly (each line is whole), but lacks
the results after the cut: metrics computed from it would be silently wrong
(fewer messages, another mean delay). Both backends record a fixed set of
results per app and per channel, whatever the traffic (OMNeT++'s statistic
recorders write a statistic even when nothing was collected; the embedded
writer does the same), so any missing one means the files are incomplete.

To require a new per-run result, add it to `expected_results`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fogcosim.errors import UserError
from fogcosim.resultfiles import runresults as R
from fogcosim.resultfiles.runresults import RunResults
from simulation.model.naming import link_directions
from simulation.model.scenario import scenario_from_dict

if TYPE_CHECKING:
    import pandas as pd

#: Per-flow counters the FlowRecorder writes as `<flow>:<stat>:count`.
FLOW_COUNTS = ("sent", "delivered", "dropped", "inFlight", "deadlineMisses")
QUEUE_DROPS = "droppedPacketsQueueOverflow:count"
#: How many missing results an error names (the rest are counted).
SHOWN = 3


class IncompleteResultsError(UserError):
    """A run's result files lack results that its manifest or scenario promise."""


@dataclass(frozen=True)
class ExpectedResult:
    """A result a run must hold: module path, result name, raw row types that count."""

    module: str
    name: str
    kinds: tuple[str, ...] = (R.SCALAR,)

    def __str__(self) -> str:
        return f"{self.module} {self.name}"


def expected_results(
    scenario: dict[str, Any], manifest: list[dict[str, Any]]
) -> list[ExpectedResult]:
    """Every result the files of a finished run hold, from its scenario.json and manifest.json.

    Per sink app (message and chunk sinks) ``packetReceived:count`` and the
    ``endToEndDelay:histogram`` statistic (a ``statistic`` row while it has no
    bins; none under frame preemption); per source app ``packetSent:count``; per
    link direction's channel ``busy:timeavg``, ``utilization:last`` and ``packetBytes:sum``.
    """
    out: list[ExpectedResult] = []
    # with frame preemption sinks record no endToEndDelay
    # (see simulation.backends.omnetpp.render.sink_delays)
    tsn = scenario.get("tsn") or {}
    sink_delays = tsn.get("express") is None
    for app in manifest:
        if app["role"] == "sink":
            out.append(ExpectedResult(app["module"], "packetReceived:count"))
            if sink_delays:
                out.append(
                    ExpectedResult(
                        app["module"], "endToEndDelay:histogram", (R.HISTOGRAM, R.STATISTIC)
                    )
                )
        elif app["role"] == "source":
            out.append(ExpectedResult(app["module"], "packetSent:count"))
        elif app["role"] == "flow":
            out += [
                ExpectedResult(app["module"], f"{app['flow']}:{stat}:count") for stat in FLOW_COUNTS
            ]
            out.append(
                ExpectedResult(
                    app["module"], f"{app['flow']}:delay:histogram", (R.HISTOGRAM, R.STATISTIC)
                )
            )
        elif app["role"] == "queue":
            out.append(ExpectedResult(app["module"], QUEUE_DROPS))
    sc = scenario_from_dict(scenario)
    for direction in link_directions(sc):
        channel = direction.channel_module(sc.network)
        out.extend(
            ExpectedResult(channel, name)
            for name in ("busy:timeavg", "utilization:last", "packetBytes:sum")
        )
    return out


def missing_results(
    raw: RunResults | pd.DataFrame, expected: Iterable[ExpectedResult]
) -> list[ExpectedResult]:
    """The `expected` results that `raw` (the raw layout, or `RunResults`) has no row for."""
    if isinstance(raw, RunResults):
        present = raw.present
    else:  # the raw layout: its attribute and header rows are not results, which is harmless
        present = set(zip(raw["module"], raw["name"], raw["type"], strict=True))
    return [e for e in expected if not any((e.module, e.name, kind) in present for kind in e.kinds)]


def check_complete(
    results_dir: Path, raw: RunResults | pd.DataFrame, expected: list[ExpectedResult]
) -> None:
    """Raise `IncompleteResultsError` naming `results_dir` and the first missing results."""
    missing = missing_results(raw, expected)
    if not missing:
        return
    shown = "; ".join(str(e) for e in missing[:SHOWN])
    more = f"; and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    raise IncompleteResultsError(
        f"{results_dir}: {len(missing)} of {len(expected)} expected results are missing "
        f"(a truncated or unfinished result file?): {shown}{more}"
    )
