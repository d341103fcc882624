# SPDX-License-Identifier: MIT
"""compare.md and plots/compare_*.png: several studies (sweep folders) side by side.

`write_compare(dirs, out)` reads each sweep folder as `fogcosim report` does
(summary.csv, provenance.json, the run folders) and writes one report with a
column (in tables) or a line style (in plots) per study: what differs between
their profiles, delay, bandwidth, deadline misses and drops per method and
fog-node count, the busiest links over fog-node counts, and each flow's
worst-case delay against its deadline. A study is one sweep folder (one per
backend, if a folder holds several), labelled by its profile name, plus the
folder's name where two share a profile name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.report import protection as report_protection
from analysis.report import rounds as report_rounds
from analysis.report.format import label, md_table, num, pm, sig
from analysis.report.plots import rounds as plots_rounds
from analysis.report.plots import sweep as plots
from analysis.report.sweep import PLOTS, Sweep, load_sweep, trend_series
from analysis.report.tables import OVERLOAD_MARK, STAND_IN, load_cells
from analysis.study import reshape, uncertainty
from analysis.study import rounds as reshape_rounds
from analysis.study import runs as reshape_runs
from analysis.study.data import (
    Reference,
    RunData,
    link_rates_text,
    load_runs,
    mechanism,
    queueing_text,
    reference_of,
    variants_of,
)
from analysis.study.protection import Group
from fogcosim import atomic
from fogcosim.errors import UserError

COMPARE = "compare.md"
PLOT_NAMES = (
    "compare_delay_vs_fog_nodes", "compare_bandwidth_vs_fog_nodes", "compare_links_vs_fog_nodes",
    "compare_flow_deadlines", "compare_accuracy_vs_time",
    f"compare_{report_protection.PLOT_NAME}",
)  # fmt: skip
#: Flows with a deadline shown in the per-flow comparison (the rest are in each study's report).
TOP_FLOWS = 16
#: Profile keys listed under "What differs" at most.
TOP_DIFFS = 40


@dataclass(eq=False)
class Study:
    """One column of the comparison: a sweep folder's rows of one backend, and its run data."""

    folder: Path
    sweep: Sweep
    backend: str
    rows: pd.DataFrame
    reference: Reference
    data: RunData
    flows: pd.DataFrame | None
    #: whether its folder holds runs of more than one backend (then the label names it)
    one_of_several: bool = False
    label: str = ""
    #: round tables and accuracies of a rounds-paced study; None for a periodic one
    training: report_rounds.Training | None = None
    #: the profile variant it ran ("" for the profile as written)
    variant: str = ""

    @property
    def mechanism(self) -> str:
        """What scheduling its runs ran, in words (`analysis.study.data.mechanism`)."""
        found = dict.fromkeys(mechanism(s) for s in self.data.scenarios.values())
        return " / ".join(found) or "?"

    @property
    def short(self) -> str:
        """The mechanism's short label."""
        found = dict.fromkeys(mechanism(s, short=True) for s in self.data.scenarios.values())
        return " / ".join(found) or "?"

    @property
    def profile(self) -> str:
        """The profile name the study ran."""
        recorded = self.sweep.provenance.get("profile") or _first(self.rows, "profile", "")
        return str(recorded or self.folder.resolve().name)


def _first(rows: pd.DataFrame, column: str, default: str) -> str:
    return str(rows[column].iloc[0]) if column in rows and len(rows) else default


def load_studies(dirs: Sequence[Path], labels: Mapping[Path, str] | None = None) -> list[Study]:
    """Read every sweep folder; a `UserError` names one that is not a sweep folder."""
    if len(dirs) < 2:
        raise UserError(f"give at least two sweep folders to compare (got {len(dirs)})")
    seen: dict[Path, Path] = {}
    for d in dirs:
        key = Path(d).resolve()
        if key in seen:
            raise UserError(f"{d}: given twice (as {seen[key]}); compare different sweep folders")
        seen[key] = Path(d)
    studies = []
    for d in dirs:
        sweep = load_sweep(Path(d))
        summary = sweep.summary
        backends = (
            list(dict.fromkeys(summary["backend"].astype(str)))
            if "backend" in summary and len(summary)
            else [str(sweep.provenance.get("backend", "?"))]
        )
        variants = (
            list(dict.fromkeys(variants_of(summary)))
            if "variant" in summary and len(summary)
            else [""]
        )
        for backend in backends:
            for variant in variants:
                rows = (
                    summary[summary["backend"].astype(str) == backend]
                    if "backend" in summary
                    else summary
                )
                if "variant" in rows:
                    rows = rows[variants_of(rows) == variant]
                data = load_runs(sweep.out_dir, rows)
                flows = None if data.flows is None else reshape_runs.flow_summary(data.flows)
                ref = reference_of(sweep.provenance)
                several = len(backends) > 1
                study = Study(Path(d), sweep, backend, rows, ref, data, flows, several)
                study.variant = variant
                study.training = report_rounds.load_training(sweep.out_dir, rows, data.scenarios)
                studies.append(study)
    _label(studies, labels)
    return studies


def _description(study: Study) -> str:
    """The profile's own description (from the profile text the sweep recorded), or ""."""
    text = study.sweep.provenance.get("profile_text") or ""
    try:
        meta = tomllib.loads(text).get("profile", {})
    except tomllib.TOMLDecodeError:
        return ""
    return str(meta.get("description", ""))


def _label(studies: list[Study], labels: Mapping[Path, str] | None = None) -> None:
    """Each study's column name.

    A label the user gave (`--label NAME=DIR`); else the profile name and variant,
    plus, where two studies share them, the profile's description when theirs differ
    (else the folder); plus the backend where a folder has two; plus the mechanism
    where the studies ran different ones.
    """
    given = {Path(k).resolve(): v for k, v in (labels or {}).items()}
    names = [(s.profile, s.variant) for s in studies]
    folders = [f.name for f in {s.folder.resolve() for s in studies}]
    descriptions = [_description(s) for s in studies]
    mechanisms = len({s.mechanism for s in studies}) > 1
    for s, description in zip(studies, descriptions, strict=True):
        own = s.folder.resolve() in given
        if own:
            s.label = given[s.folder.resolve()] + (f"/{s.variant}" if s.variant else "")
        else:
            s.label = s.profile + (f"/{s.variant}" if s.variant else "")
            key = (s.profile, s.variant)
            if names.count(key) > 1:
                same = [d for n, d in zip(names, descriptions, strict=True) if n == key]
                if description and same.count(description) == 1:
                    s.label += f" ({description})"
                else:
                    name = s.folder.resolve().name
                    s.label += f" ({name if folders.count(name) == 1 else s.folder})"
        if s.one_of_several:
            s.label += f" [{s.backend}]"
        mentioned = s.variant and s.short.lower().startswith(s.variant.lower())
        if mechanisms and not own and not mentioned:
            s.label += f" [{s.short}]"


# ---------------------------------------------------------------- writing


def write_compare(
    dirs: Sequence[Path], out: Path, labels: Mapping[Path, str] | None = None
) -> Path:
    """Write `out/compare.md` and `out/plots/compare_*.png`; return the path of compare.md.

    `labels`: a study's column name by its folder (the profile name and more otherwise).
    """
    studies = load_studies(dirs, labels)
    out = Path(out)
    lines = header(studies, dirs, out)
    lines += differences(studies)
    lines += metric_tables(studies)
    lines += training_tables(studies)
    protection = protection_lines(studies)
    lines += protection[0]
    lines += link_tables(studies)
    lines += flow_tables(studies)
    todo = compare_plots(studies) + ([protection[1]] if protection[1] else [])
    written = set()
    lines += ["## Plots", ""]
    for number, (name, fig, alt, caption) in enumerate(todo, start=1):
        file = f"{name}.png"
        atomic.write_bytes(out / PLOTS / file, plots.png_bytes(fig))
        written.add(file)
        lines += [f"![{alt}]({PLOTS}/{file})", "", f"**Figure {number}.** {caption}", ""]
    for name in PLOT_NAMES:  # no stale plot of an earlier comparison beside this one
        for old in (out / PLOTS).glob(f"{name}*.png"):
            if old.name not in written:
                old.unlink()
    path = out / COMPARE
    atomic.write_text(path, "\n".join(lines).rstrip() + "\n")
    return path


def header(studies: list[Study], dirs: Sequence[Path], out: Path) -> list[str]:
    """Title, one row per study (what it is and ran), and the command that rewrites this file."""
    lines = [f"# fogcosim comparison: {' vs '.join(s.label for s in studies)}", ""]
    table = []
    for s in studies:
        rows = s.rows
        over = reshape.flag(rows, "overloaded")
        sha = str(s.sweep.provenance.get("profile_sha256", "?"))[:12]
        table.append(
            [
                f"**{s.label}**",
                f"`{s.folder}`",
                f"{s.profile} (sha256 `{sha}`)",
                s.backend,
                link_rates_text(s.data.scenarios),
                queueing_text(s.data.scenarios),
                ", ".join(str(n) for n in sorted({int(n) for n in rows.get("fog_nodes", [])})),
                ", ".join(
                    label(m) for m in sorted(set(rows.get("method", [])), key=reshape.method_rank)
                ),
                str(rows["seed"].nunique()) if len(rows) else "0",
                str(len(rows)),
                "unknown" if over is None else str(int(over.sum())),
            ]
        )
    headers = [
        "study", "folder", "profile", "backend", "link rates", "queueing", "FNs", "methods",
        "seeds", "runs", "overloaded runs",
    ]  # fmt: skip
    lines += md_table(headers, table, right=len(headers))
    command = " ".join(["fogcosim compare", *(str(d) for d in dirs), f"--out {out}"])
    return [*lines, "Rewrite this file:", "", "```sh", command, "```", ""]


# ---------------------------------------------------------------- what differs


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A TOML document as dotted keys (`topology.fog_link.datarate`, `traffic.flows[0].name`)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in value.items():
            out |= flatten(sub, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for i, sub in enumerate(value):
            out |= flatten(sub, f"{prefix}[{i}]")
        return out
    return {prefix: value}


def differences(studies: list[Study]) -> list[str]:
    """The profile keys whose values differ between the studies (from provenance.json)."""
    lines = ["## What differs", ""]
    docs = []
    for s in studies:
        try:
            docs.append(flatten(tomllib.loads(s.sweep.provenance.get("profile_text") or "")))
        except tomllib.TOMLDecodeError:
            docs.append({})
    if not all(docs):
        missing = [s.label for s, d in zip(studies, docs, strict=True) if not d]
        lines += [f"Profile text unavailable for {', '.join(missing)} (provenance.json).", ""]
    if sum(bool(d) for d in docs) < 2:
        return lines
    keys = sorted({k for d in docs for k in d})
    differ = [k for k in keys if len({repr(d.get(k)) for d in docs if d}) > 1]
    if not differ:
        return [*lines, "The profile texts set the same values.", ""]
    table = [
        [f"`{k}`", *(_value(d.get(k)) if d else "?" for d in docs)] for k in differ[:TOP_DIFFS]
    ]
    lines += [
        f"Profile keys whose values differ ({len(differ)}"
        + (f", the first {TOP_DIFFS} shown" if len(differ) > TOP_DIFFS else "")
        + "); unset = the key is absent (its default applies).",
        "",
    ]
    return lines + md_table(["key", *(s.label for s in studies)], table, right=99)


def _value(v: Any) -> str:
    return "unset" if v is None else f"`{v}`"


# ---------------------------------------------------------------- per method and FN count

#: (title, summary column, how seeds combine, cell format)
Cell = Callable[[pd.Series], str]


def _mean_cell(digits: int = 1, scale: float = 1.0) -> Cell:
    def cell(values: pd.Series) -> str:
        v = pd.to_numeric(values, errors="coerce").dropna() * scale
        fmt = sig if digits < 0 else (lambda x: num(x, digits))
        return pm(v.mean(), v.std(), len(v), fmt) if len(v) else "—"

    return cell


def _max_cell(values: pd.Series) -> str:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return num(v.max()) if len(v) else "—"


def _sum_cell(values: pd.Series) -> str:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return str(int(v.sum())) if len(v) else "—"


def _ratio_cell(values: pd.Series) -> str:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return f"{v.max():.1%}" if len(v) else "—"


MEAN = "mean ± std [95% CI] over seeds"
METRICS: list[tuple[str, str, str, Cell]] = [
    ("Mean critical delay (µs)", "critical_delay_mean_us", MEAN, _mean_cell()),
    ("Worst critical delay (µs)", "critical_delay_max_us", "worst seed", _max_cell),
    ("Mean delay of all messages (µs)", "all_delay_mean_us", MEAN, _mean_cell()),
    ("Bandwidth, mean over link directions (%)", "bandwidth_mean", MEAN, _mean_cell(-1, 100.0)),
    ("Bandwidth of the busiest link direction (%)", "bandwidth_max", MEAN,
     _mean_cell(-1, 100.0)),
    ("Deadline misses", "deadline_misses", "sum over seeds", _sum_cell),
    ("Worst flow's deadline miss ratio", "worst_flow_miss_ratio", "worst seed", _ratio_cell),
    ("Messages dropped by full queues", "dropped_messages", "sum over seeds", _sum_cell),
]  # fmt: skip


def metric_tables(studies: list[Study]) -> list[str]:
    """One table per metric: a row per method and FN count, a column per study."""
    lines = [
        "## Per method and fog-node count",
        "",
        "One column per study; — = not run there (or the column is missing from its "
        f"summary.csv, written before it existed). {OVERLOAD_MARK} = a run of that cell was "
        "offered more than 100% of a link's capacity.",
        "",
    ]
    cells = sorted(
        {
            (str(m), int(n))
            for s in studies
            for m, n in zip(s.rows.get("method", []), s.rows.get("fog_nodes", []), strict=True)
        },
        key=lambda c: (reshape.method_rank(c[0]), c[1]),
    )
    marks = [reshape_runs.overloaded_cells(s.rows) for s in studies]
    network = [reshape.network_rows(s.rows) for s in studies]  # each network seed once
    for title, column, how, cell in METRICS:
        table, orders = [], []
        for method, n in cells:
            row = [label(method), str(n)]
            groups = {}
            for s, rows, mark in zip(studies, network, marks, strict=True):
                hit = rows[(rows["method"] == method) & (rows["fog_nodes"] == n)]
                text = cell(hit[column]) if column in hit and len(hit) else "—"
                row.append(text + (f" {OVERLOAD_MARK}" if mark.get((method, n)) else ""))
                if column in hit:
                    groups[s.label] = pd.to_numeric(hit[column], errors="coerce").tolist()
            if how == MEAN:
                order = uncertainty.order(groups)
                row.append(order.text() if len(order.names) > 1 else "—")
                orders += [order] if len(order.names) > 1 else []
            table.append(row)
        lines += [f"### {title}", "", f"Seeds: {how}.", ""]
        headers = ["method", "FNs", *(s.label for s in studies)]
        lines += md_table(headers + (["order (lowest first)"] if how == MEAN else []), table)
        if orders:
            lines += [uncertainty.order_note(orders, unit="study"), ""]
    return lines


# ---------------------------------------------------------------- training in the loop


def training_tables(studies: list[Study]) -> list[str]:
    """Per training metric, a row per ML method and FN count, a column per study; [] if periodic."""
    trained = [s for s in studies if s.training is not None]
    if not trained:
        return []
    tables = {
        s.label: reshape_rounds.training_table(s.rows).set_index(["method", "fog_nodes"])
        for s in trained
        if s.training is not None
    }
    periodic = [s.label for s in studies if s.training is None]
    sources = sorted(
        {x for s in trained for x in report_rounds.training_sources(s.rows, s.training)}
    )
    lines = [
        "## Training in the loop",
        "",
        "Studies whose ML traffic is the training's round protocol, each run trained with the "
        "aggregated sets its network decided (see each study's report, **Training in the loop**, "
        "for the definitions). One column per study; mean ± std [95% CI] over seeds; — = not run "
        "there"
        + (f" ({', '.join(periodic)}: periodic ML traffic, no training)" if periodic else "")
        + ". "
        + report_rounds.training_data_note(sources),
        "",
    ]
    protocols = [
        [f"**{s.label}**", report_rounds.protocol_text(s.training.scenarios)]
        for s in trained
        if s.training is not None
    ]
    lines += md_table(["study", "round protocol"], protocols, right=2)
    cells = sorted(
        {c for t in tables.values() for c in t.index if c[0] != "none"},
        key=lambda c: (reshape.method_rank(str(c[0])), int(c[1])),
    )
    aligned = {name: _aligned(t, cells) for name, t in tables.items()}
    for header, title, cell in report_rounds.CELLS:
        if header == report_rounds.CRITICAL_MEAN:
            continue  # in **Mean critical delay** above
        table = []
        for i, (method, n) in enumerate(cells):
            row = [label(str(method)), str(int(n))]
            row += [cell(aligned[s.label][i]) if s.label in aligned else "—" for s in studies]
            table.append(row)
        lines += [f"### {title}", ""]
        lines += md_table(["method", "FNs", *(s.label for s in studies)], table)
    return lines


def _aligned(table: pd.DataFrame, cells: list[tuple[str, int]]) -> list[Any]:
    """A study's `training_table` rows for `cells` in order; a cell it did not run counts none."""
    index = pd.MultiIndex.from_tuples(cells, names=["method", "fog_nodes"])
    t = table.reindex(index)
    counts = [c for c in t.columns if c.endswith("_n")]
    extra = ("trained", "rounds_done", "net_seeds", "train_seeds", "with_vectors")
    counts += [c for c in extra if c in t]
    t[counts] = t[counts].fillna(0).astype(int)
    return list(t.reset_index().itertuples())


# ---------------------------------------------------------------- price of protection


def protection_lines(studies: list[Study]) -> tuple[list[str], Plot | None]:
    """The price-of-protection table across studies that ran different scheduling mechanisms.

    Studies that are variants of one sweep folder share every draw of a seed
    and are compared seed by seed (paired); studies of different folders by
    Welch's test, as every comparison here.
    """
    groups = [
        Group(s.label, s.mechanism, s.short, s.rows, s.variant and f"variant {s.variant}")
        for s in studies
    ]
    if not report_protection.differ_in_mechanism(groups):
        return [], None
    paired = len({s.folder.resolve() for s in studies}) == 1
    lines, table = report_protection.protection_section(
        groups, paired, unit="study", units="studies"
    )
    plot = report_protection.protection_plot(table, groups)
    if plot is not None:
        plot = (f"compare_{plot[0]}", *plot[1:])
    return lines, plot


# ---------------------------------------------------------------- links

ROLES = ("busiest link direction carrying ML traffic", "busiest link direction")


def busiest(study: Study) -> dict[str, str]:
    """Role -> link direction of a study: the busiest carrying ML traffic, the busiest of all."""
    out = {}
    ml = reshape_runs.busiest_ml_link(study.data.links)
    if ml:
        out[ROLES[0]] = ml[0]
    top = reshape_runs.pick_links(study.data.links, 1)
    if top:
        out[ROLES[1]] = top[-1][0]
    return out


def roles(studies: list[Study]) -> list[str]:
    """The roles worth a panel: both, unless every study's busiest link carries ML traffic."""
    found = [busiest(s) for s in studies]
    same = all(len(set(b.values())) <= 1 for b in found)
    present = [r for r in ROLES if any(r in b for b in found)]
    return present[:1] if same else present


def link_tables(studies: list[Study]) -> list[str]:
    """Utilisation (offered load) of each study's busiest links per method and FN count."""
    lines = [
        "## Link utilisation vs fog-node count",
        "",
        "Each study's busiest link direction carrying ML traffic and busiest link direction "
        "(highest mean-over-seeds utilisation in any run): busy % of capacity, mean ± std [95% "
        "CI] over seeds, and in brackets the load its flows offer it (above 100%: overloaded).",
        "",
    ]
    counts = sorted({int(n) for s in studies for n in s.data.links.get("fog_nodes", [])})
    table = []
    for s in studies:
        links: dict[str, list[str]] = {}
        for role, link in busiest(s).items():
            links.setdefault(link, []).append(role)
        for link, why in links.items():
            role = " and ".join(why)
            trends = reshape_runs.link_trends(s.data.links, [link])
            for method, group in trends.groupby("method", sort=False):
                row = [s.label, role, f"`{link}`", label(str(method))]
                table.append(row + load_cells(group, counts))
    if not table:
        return [*lines, "Unavailable: no study has run folders with result files (.sca).", ""]
    headers = ["study", "role", "link direction", "method", *(f"{n} FNs" for n in counts)]
    return lines + md_table(headers, table, right=4)


# ---------------------------------------------------------------- flows


def flow_case(studies: list[Study]) -> tuple[int | None, str]:
    """The fog-node count of the per-flow comparison, and how it was chosen."""
    have = [s for s in studies if s.flows is not None and not s.flows.empty]
    common = reshape_runs.largest_common(
        [set(s.flows["fog_nodes"]) for s in have if s.flows is not None]
    )
    if common is not None:
        return common, f"{common} fog nodes, the most that every study with per-flow results ran"
    return None, "each study's largest fog-node count (they ran no count in common)"


def _flows_at(study: Study, n: int | None) -> pd.DataFrame:
    assert study.flows is not None
    at = n if n is not None else int(study.flows["fog_nodes"].max())
    return study.flows[study.flows["fog_nodes"] == at]


def flow_tables(studies: list[Study]) -> list[str]:
    """Per flow with a deadline and method: worst-case delay, deadline and misses per study."""
    lines = ["## Per-flow deadline results", ""]
    missing = [s.label for s in studies if s.flows is None or s.flows.empty]
    if missing:
        lines += [
            f"Per-flow results unavailable for {', '.join(missing)}: its run folders hold no "
            "flows.csv (written before fogcosim wrote per-flow tables; run `fogcosim sweep` "
            "into the folder again to add them).",
            "",
        ]
    have = [s for s in studies if s.label not in missing]
    if not have:
        return lines
    n, why = flow_case(have)
    parts = {s.label: _flows_at(s, n) for s in have}
    union = pd.concat(list(parts.values()), ignore_index=True)
    chosen = reshape_runs.pick_flows(union, TOP_FLOWS, with_deadline=True)
    total = union.loc[union["deadline_us"].notna(), "flow"].nunique()
    if not chosen:
        lines += [f"At {why}: no flow declares a deadline.", ""]
    else:
        shown = f"all {total}" if len(chosen) == total else f"{len(chosen)} of {total}"
        lines += [
            f"At {why}; {shown} flows with a deadline (by name across studies; those that lost "
            "messages or missed first, then the closest to their deadline). Each cell: worst-case "
            "delay (the worst seed's) / the flow's deadline, in µs, then deadline misses summed "
            "over the seeds and the miss ratio (misses / sent); **bold** where it missed.",
            "",
        ]
        methods = sorted(set(union["method"]), key=reshape.method_rank)
        table = []
        for flow in chosen:
            for method in methods:
                row = [f"`{flow}`", label(method)]
                for s in have:
                    hit = parts[s.label]
                    hit = hit[(hit["flow"] == flow) & (hit["method"] == method)]
                    row.append(_deadline_cell(hit.iloc[0]) if len(hit) else "—")
                if any(cell != "—" for cell in row[2:]):
                    table.append(row)
        lines += md_table(["flow", "method", *(s.label for s in have)], table, right=99)
    lines += lost_table(have, parts)
    return lines


def _deadline_cell(r: pd.Series) -> str:
    if pd.isna(r["deadline_us"]):
        return "no deadline"
    misses = 0 if pd.isna(r["deadline_misses"]) else int(r["deadline_misses"])
    ratio = "" if pd.isna(r["miss_ratio"]) else f" ({float(r['miss_ratio']):.1%})"
    text = f"{num(r['delay_max_us'])} / {num(r['deadline_us'], 0)}, {misses} missed{ratio}"
    return f"**{text}**" if misses else text


def lost_table(have: list[Study], parts: dict[str, pd.DataFrame]) -> list[str]:
    """Per method: how many flows lost messages and how many messages, per study."""
    lines = [
        "Flows that lost messages to full queues at the same fog-node count: flows with drops / "
        "messages dropped (summed over seeds).",
        "",
    ]
    methods = sorted({m for p in parts.values() for m in p["method"]}, key=reshape.method_rank)
    table = []
    for method in methods:
        row = [label(method)]
        for s in have:
            p = parts[s.label]
            p = p[p["method"] == method]
            row.append(
                "—"
                if p.empty
                else f"{int((p['lost_seeds'] > 0).sum())} / {int(p['dropped'].sum())}"
            )
        table.append(row)
    return lines + md_table(["method", *(s.label for s in have)], table)


# ---------------------------------------------------------------- plots

Plot = tuple[str, Any, str, str]


def _tagged(frames: list[tuple[Study, pd.DataFrame]]) -> pd.DataFrame:
    parts = [f.assign(study=s.label) for s, f in frames if len(f)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _rings(series: list[pd.DataFrame], meaning: str) -> str:
    """The caption's sentence on red rings, where a plot has any."""
    hit = any("overloaded" in f and f["overloaded"].astype(bool).any() for f in series)
    return f" Red rings: {meaning}." if hit else ""


def compare_plots(studies: list[Study]) -> list[Plot]:
    """Delay, bandwidth and link trends vs fog nodes, and worst-case delay vs deadline."""
    out: list[Plot] = []
    critical = _tagged(
        [(s, reshape.series_vs_nodes(s.rows, "critical_delay_mean_us")) for s in studies]
    )
    every = _tagged([(s, reshape.series_vs_nodes(s.rows, "all_delay_mean_us")) for s in studies])
    styles = "Colour: method; line style and marker: study."
    if len(critical):
        title = "Mean end-to-end delay vs fog nodes"
        fig = plots.delay_figure(
            critical, every, None, paper_baseline=None, title=title, note=styles
        )
        out.append(
            (
                "compare_delay_vs_fog_nodes",
                fig,
                title,
                "Mean end-to-end delay of critical messages (left) and all messages (right) per "
                f"study and method vs fog-node count, mean over seeds; error bars: "
                f"{reshape.spread_caption([critical, every])}. {styles}"
                + _rings([critical, every], "a run of that cell was overloaded"),
            )
        )
        mean = _tagged(
            [(s, reshape.series_vs_nodes(s.rows, "bandwidth_mean", 100.0)) for s in studies]
        )
        top = _tagged(
            [(s, reshape.series_vs_nodes(s.rows, "bandwidth_max", 100.0)) for s in studies]
        )
        title = "Bandwidth usage vs fog nodes"
        fig = plots.bandwidth_figure(
            mean, top, busiest_title="busiest link direction (each study's own)", title=title,
            note=styles,
        )  # fmt: skip
        out.append(
            (
                "compare_bandwidth_vs_fog_nodes",
                fig,
                title,
                "Bandwidth usage (busy % of capacity) averaged over link directions (left) and of "
                f"each run's busiest direction (right), per study and method; error bars: "
                f"{reshape.spread_caption([mean, top])}. {styles}"
                + _rings([mean, top], "a run of that cell was overloaded"),
            )
        )
    panels = []
    for role in roles(studies):
        frames = []
        for s in studies:
            link = busiest(s).get(role)
            if link:
                trends = reshape_runs.link_trends(s.data.links, [link])
                frames.append((s, trend_series(trends, link)))
        if frames:
            panels.append((role, _tagged(frames)))
    if panels:
        title = "Busiest links vs fog nodes"
        fig = plots.trend_figure(
            panels, ylabel="utilisation (busy % of capacity)", title=title, note=styles
        )
        named = "; ".join(
            f"{s.label}: " + ", ".join(f"`{v}`" for v in dict.fromkeys(busiest(s).values()))
            for s in studies
        )
        shown = (
            " and ".join(
                f"{role} ({side})"
                for role, side in zip([p[0] for p in panels], ("left", "right"), strict=False)
            )
            if len(panels) > 1
            else panels[0][0]
        )
        out.append(
            (
                "compare_links_vs_fog_nodes",
                fig,
                title,
                f"Utilisation (busy % of capacity, mean over seeds) of each study's {shown} vs "
                f"fog-node count ({named}); error bars: "
                f"{reshape.spread_caption([p[1] for p in panels])}."
                + _rings(
                    [p[1] for p in panels], "the load offered to that link exceeds its capacity"
                ),
            )
        )
    deadline = deadline_plot(studies)
    accuracy = accuracy_plot(studies)
    return out + ([deadline] if deadline else []) + ([accuracy] if accuracy else [])


def accuracy_plot(studies: list[Study]) -> Plot | None:
    """Accuracy against simulated time per study and method, at the most FNs all trained."""
    have = [s for s in studies if s.training is not None and not s.training.accuracy.empty]
    if not have:
        return None
    frames = {s.label: s.training.accuracy for s in have if s.training is not None}
    n = reshape_runs.largest_common([set(f["fog_nodes"]) for f in frames.values()])
    why = (
        f"{n} fog nodes, the most that every rounds-paced study trained"
        if n is not None
        else "each study's largest fog-node count (they trained no count in common)"
    )
    curves = []
    for s in have:
        acc = frames[s.label]
        at = acc[acc["fog_nodes"] == (n if n is not None else acc["fog_nodes"].max())]
        curves.append((s, reshape_rounds.accuracy_curves(at)))
    targets = {
        float(t)
        for s in have
        for t in pd.to_numeric(s.rows.get("target_accuracy", pd.Series(dtype=float))).dropna()
    }
    sources = sorted({x for s in have for x in report_rounds.training_sources(s.rows, s.training)})
    stand_in = any(STAND_IN in x for x in sources)
    title = "Accuracy against simulated time"
    styles = "Colour: method; line style and marker: study."
    fig = plots_rounds.accuracy_figure(
        _tagged(curves),
        targets.pop() if len(targets) == 1 else None,
        title=title,
        note=styles + (" Accuracy on stand-in data." if stand_in else ""),
    )
    caption = (
        f"Accuracy on held-out data after each round against the simulated time its cloud "
        f"update finished, at {why}, mean over the runs, per study and method; error bars: "
        f"{reshape.spread_caption([c for _, c in curves])}. {styles} Dashed: "
        f"the target accuracy, where the studies share one. "
        + report_rounds.training_data_note(sources)
    )
    return "compare_accuracy_vs_time", fig, title, caption


def deadline_plot(studies: list[Study]) -> Plot | None:
    """Worst-case delay per flow with a deadline, one marker per study and method."""
    have = [s for s in studies if s.flows is not None and not s.flows.empty]
    if not have:
        return None
    n, why = flow_case(have)
    parts = {s.label: _flows_at(s, n) for s in have}
    chosen = reshape_runs.pick_flows(pd.concat(list(parts.values())), TOP_FLOWS, with_deadline=True)
    if not chosen:
        return None
    points = _tagged([(s, reshape_runs.deadline_points(parts[s.label], chosen)) for s in have])
    order = {flow: i for i, flow in enumerate(chosen)}
    points = points.assign(_f=points["flow"].map(order)).sort_values("_f", kind="stable")
    title = "Worst-case delay against deadline"
    fig = plots.deadline_figure(
        points.drop(columns="_f"), title=title, note="Colour: method; marker: study."
    )
    caption = (
        "Worst-case end-to-end delay (the worst seed's maximum) per flow with a deadline at "
        f"{why}; "
        "colour: method, marker shape: study; black bar: the flow's deadline (the longest, where "
        "studies differ); log scale. A marker above its bar missed the deadline; a flow whose "
        "messages were all lost has no marker."
    )
    return "compare_flow_deadlines", fig, title, caption
