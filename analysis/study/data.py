# SPDX-License-Identifier: MIT
"""What the report and the comparison read from a sweep's run folders, beside summary.csv.

summary.csv holds one row of metrics per run; the run folders also hold each
run's scenario (link rates, which flows cross which link, its offered load),
its link utilisation (`busy:timeavg` in the .sca files) and its per-flow table
(flows.csv). `load_runs` reads what it can and names the run folders it could
not, so the report of an older or partial sweep still comes out; nothing here
formats or draws.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.run.flows import FLOWS_CSV
from analysis.run.metrics import link_utilization
from fogcosim.errors import FogcosimError
from fogcosim.resultfiles.runresults import RunResults
from simulation.model.load import offered_load
from simulation.model.scenario import scenario_from_dict
from simulation.profile.schema import table
from simulation.sweep.grid import PROVENANCE, RUNS_DIR

#: The reference that shows the paper's Table 4 (`[profile] reference`).
PAPER = "sec21-table4"
REFERENCES: tuple[str, ...] = next(
    f for f in table("profile").fields if f.key == "reference"
).choices
#: Before `[profile] reference` existed, this shipped profile was the paper's.
LEGACY_PAPER_PROFILE = "paper-sec21"

LINK_COLUMNS = [
    "method", "fog_nodes", "seed", "train_seed", "link", "src", "dst", "datarate_bps", "busy",
    "offered", "carries_ml",
]  # fmt: skip


@dataclass(frozen=True)
class Reference:
    """Which published results a study's report compares with, and how that was decided."""

    name: str
    why: str

    @property
    def paper(self) -> bool:
        """Whether the paper's Table 4 (and its dashed lines) belong in the report."""
        return self.name == PAPER


def profile_meta(provenance: dict[str, Any]) -> dict[str, Any]:
    """The `[profile]` table of the profile text a sweep recorded ({} when unreadable)."""
    try:
        meta = tomllib.loads(provenance.get("profile_text") or "").get("profile", {})
    except tomllib.TOMLDecodeError:
        return {}
    return meta if isinstance(meta, dict) else {}


def reference_of(provenance: dict[str, Any]) -> Reference:
    """The `[profile] reference` of the profile text a sweep recorded ("none" when unknown)."""
    text = provenance.get("profile_text")
    if not text:
        return Reference("none", f"unknown ({PROVENANCE} holds no profile text)")
    try:
        meta = tomllib.loads(text).get("profile", {})
    except tomllib.TOMLDecodeError:
        return Reference("none", f"unknown (the profile text in {PROVENANCE} is not valid TOML)")
    meta = meta if isinstance(meta, dict) else {}
    if "reference" in meta:
        value = meta["reference"]
        if value in REFERENCES:
            return Reference(str(value), "declared by the profile (`[profile] reference`)")
        allowed = ", ".join(repr(r) for r in REFERENCES)
        return Reference("none", f"unknown value {value!r} in the profile (allowed: {allowed})")
    if meta.get("name") == LEGACY_PAPER_PROFILE:
        return Reference(
            PAPER,
            f"assumed: the profile text predates `[profile] reference` and is the shipped "
            f"{LEGACY_PAPER_PROFILE}, the paper's profile",
        )
    return Reference("none", "the profile declares none")


def train_seed_of(row: Any) -> int | None:
    """A summary row's (or point's) training seed; None where it trains nothing or predates it."""
    value = row.get("train_seed") if hasattr(row, "get") else getattr(row, "train_seed", None)
    return None if value is None or pd.isna(value) else int(value)


def run_key(row: Any) -> str:
    """A run's folder name, `[<variant>-]n<FNs>-<method>-s<seed>[-t<train seed>]`, from its keys.

    The training seed is named only where it differs from the network seed, the
    variant only where the row has one (as `simulation.sweep.grid.SweepPoint.key`
    names the folder).
    """
    key = f"n{int(row['fog_nodes'])}-{row['method']}-s{int(row['seed'])}"
    train = train_seed_of(row)
    key = key if train is None or train == int(row["seed"]) else f"{key}-t{train}"
    variant = variant_of(row)
    return f"{variant}-{key}" if variant else key


def variant_of(row: Any) -> str:
    """A summary row's or point's variant ("" for none; NaN where a CSV left it empty)."""
    value = row.get("variant") if hasattr(row, "get") else getattr(row, "variant", "")
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def variants_of(summary: pd.DataFrame) -> pd.Series:
    """A summary's variant column as text ("" where a CSV left it empty or it is absent)."""
    if "variant" not in summary:
        return pd.Series("", index=summary.index, dtype=object)
    return summary["variant"].map(lambda v: "" if pd.isna(v) else str(v)).astype(object)


def run_dir(out_dir: Path, row: Any) -> Path:
    """The run folder of a summary row (`runs/<run_key>`, as the sweep names it)."""
    return Path(out_dir) / RUNS_DIR / run_key(run_keys(row) | {"variant": variant_of(row)})


@dataclass
class RunData:
    """Scenarios, link utilisation and per-flow tables of the runs of one summary group."""

    #: run key -> scenario.json
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: one row per run and link direction (LINK_COLUMNS); busy and offered are fractions
    links: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LINK_COLUMNS))
    #: flows.csv rows with method, fog_nodes, seed; None when no run folder holds a flows.csv
    flows: pd.DataFrame | None = None
    #: runs with a run folder but no flows.csv (written before fogcosim wrote it)
    without_flows: list[str] = field(default_factory=list)
    #: run folders that could not be read, with why
    notes: list[str] = field(default_factory=list)


def load_runs(out_dir: Path, rows: pd.DataFrame) -> RunData:
    """Read scenario.json, the .sca link statistics and flows.csv of every run of `rows`.

    Links and flows are read once per network seed: runs that differ only in
    their training seed have the same network results, and counting them twice
    would weigh that network seed twice.
    """
    data = RunData()
    links, flows = [], []
    seen: set[tuple[str, int, int]] = set()
    for r in rows.itertuples():
        folder = run_dir(out_dir, r)
        if not folder.is_dir():
            continue
        keys = run_keys(r)
        try:
            scenario = json.loads((folder / "scenario.json").read_text())
        except (OSError, ValueError) as exc:
            data.notes.append(f"{folder.name}: scenario.json not read ({_one_line(exc)})")
            continue
        data.scenarios[folder.name] = scenario
        network = (str(r.method), int(r.fog_nodes), int(r.seed))
        if network in seen:  # the same network results under another training seed
            continue
        seen.add(network)
        sca = sorted((folder / "results").glob("*.sca"))
        if sca:
            try:
                links.append(run_links(scenario, RunResults.read(sca)).assign(**keys))
            except (FogcosimError, OSError, ValueError, KeyError) as exc:
                data.notes.append(f"{folder.name}: link statistics not read ({_one_line(exc)})")
        if (folder / FLOWS_CSV).is_file():
            if (table := run_table(folder, FLOWS_CSV, keys, data.notes)) is not None:
                flows.append(table)
        else:
            data.without_flows.append(folder.name)
    if links:
        data.links = pd.concat(links, ignore_index=True)[LINK_COLUMNS]
    if flows:
        data.flows = pd.concat(flows, ignore_index=True)
    return data


def run_keys(row: Any) -> dict[str, Any]:
    """A summary row's method, fog_nodes and seeds, as columns for its per-run tables.

    `train_seed` is None (NaN in a table) for a run that trains nothing; `variant`
    only where the run belongs to one.
    """
    keys = {
        "method": row.method,
        "fog_nodes": int(row.fog_nodes),
        "seed": int(row.seed),
        "train_seed": train_seed_of(row),
    }
    variant = variant_of(row)
    return keys | {"variant": variant} if variant else keys


def run_table(
    folder: Path, name: str, keys: dict[str, Any], notes: list[str]
) -> pd.DataFrame | None:
    """A run's CSV table `name` with the run's `keys` as columns; unreadable: None and a note."""
    try:
        return pd.read_csv(folder / name).assign(**keys)
    except (OSError, ValueError) as exc:
        notes.append(f"{folder.name}: {name} not read ({_one_line(exc)})")
        return None


def run_links(scenario: dict[str, Any], results: RunResults) -> pd.DataFrame:
    """Per link direction of one run: measured busy fraction, offered load, whether ML uses it."""
    table = link_utilization(scenario, results)
    sc = scenario_from_dict(scenario)
    ml = {f.name for f in sc.flows if f.cls == "ml"}
    loads = {d.label: d for d in offered_load(sc)}
    table["offered"] = table["link"].map(lambda label: loads[label].load)
    table["carries_ml"] = table["link"].map(lambda label: bool(ml & set(loads[label].flows)))
    return table


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


# ---------------------------------------------------------------- facts from scenarios


def rate_text(bps: float) -> str:
    """A data rate in words: 1 Gbps, 100 Mbps, 512 kbps."""
    for unit, scale in (("Gbps", 1e9), ("Mbps", 1e6), ("kbps", 1e3)):
        if bps >= scale:
            return f"{bps / scale:g} {unit}"
    return f"{bps:g} bps"


def link_rates(scenario: dict[str, Any]) -> list[tuple[str, float, int]]:
    """The links of a scenario by the kinds they join: (e.g. "fog–switch", bit/s, how many)."""
    kinds = {n["name"]: n["kind"] for n in scenario.get("nodes", [])}
    counts: dict[tuple[str, float], int] = {}
    for link in scenario.get("links", []):
        pair = "–".join(sorted((kinds.get(link["a"], "?"), kinds.get(link["b"], "?"))))
        key = (pair, float(link["datarate_bps"]))
        counts[key] = counts.get(key, 0) + 1
    return sorted(((k[0], k[1], n) for k, n in counts.items()), key=lambda t: (-t[1], t[0]))


def link_rates_text(scenarios: dict[str, dict[str, Any]]) -> str:
    """The link rates of the largest scenario run, e.g. "1 Gbps: cloud–switch ×1; 100 Mbps: ..."."""
    if not scenarios:
        return "unknown (no run folder holds a scenario.json)"
    key, scenario = max(scenarios.items(), key=lambda kv: (int(kv[1].get("fog_nodes", 0)), kv[0]))
    by_rate: dict[float, list[str]] = {}
    for pair, bps, n in link_rates(scenario):
        by_rate.setdefault(bps, []).append(f"{pair} ×{n}")
    parts = [f"{rate_text(bps)}: {', '.join(pairs)}" for bps, pairs in by_rate.items()]
    return f"{'; '.join(parts)} (links of `{key}`)"


#: Short names of the scheduling mechanisms, for labels and plot legends.
SHORT = {
    "fifo": "FIFO",
    "strict-priority": "strict priority",
    "tsn": "802.1Q priority",
    "gates": "gates",
    "shapers": "CBS",
    "express": "preemption",
}


def mechanism(scenario: dict[str, Any], short: bool = False) -> str:
    """The scheduling mechanism a run's scenario.json describes, in words.

    FIFO, strict priority (by class), or under 802.1Q ("tsn") its mechanisms:
    time-aware gates (synthesised by a method, or given), credit-based shaping,
    frame preemption; 802.1Q strict priority where it has none of them.
    `short`: a label for legends ("gates (greedy)", "CBS", "preemption").
    """
    scheduling = str(scenario.get("scheduling", "?"))
    if scheduling != "tsn":
        long = {"fifo": "FIFO", "strict-priority": "strict priority by class"}
        return (SHORT if short else long).get(scheduling, scheduling)
    tsn = scenario.get("tsn") or {}
    parts = []
    if tsn.get("gates"):
        how = tsn.get("synthesis") or ""
        if short:
            parts.append(f"gates ({how})" if how else "gates")
        else:
            parts.append(
                f"802.1Qbv time-aware gates (synthesised, {how})" if how
                else "802.1Qbv time-aware gates (given)"
            )  # fmt: skip
    if tsn.get("shapers"):
        parts.append(SHORT["shapers"] if short else "802.1Qav credit-based shaping")
    if tsn.get("express") is not None:
        parts.append(SHORT["express"] if short else "802.1Qbu/802.3br frame preemption")
    if not parts:
        return SHORT["tsn"] if short else "802.1Q strict priority by PCP"
    return " + ".join(parts)


def queueing_text(scenarios: dict[str, dict[str, Any]]) -> str:
    """Scheduling and queue capacity as the scenarios ran them, e.g. "fifo, 20 frames per queue".

    Under 802.1Q ("tsn") the mechanisms follow in brackets (`mechanism`).
    """
    seen = sorted({(_scheduling_text(s), s.get("queue_capacity") or 0) for s in scenarios.values()})
    if not seen:
        return "unknown (no run folder holds a scenario.json)"
    return "; ".join(
        f"{sched}, {f'{cap} frames per queue' if cap else 'unbounded queues'}"
        for sched, cap in seen
    )


def _scheduling_text(scenario: dict[str, Any]) -> str:
    scheduling = str(scenario.get("scheduling", "?"))
    return f"tsn ({mechanism(scenario)})" if scheduling == "tsn" else scheduling
