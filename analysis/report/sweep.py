# SPDX-License-Identifier: MIT
"""report.md and plots/*.png of a sweep folder, for any plant.

`write_report(out_dir)` reads what `fogcosim sweep` left there (summary.csv,
provenance.json, statuses.json, runs/<key>/) and writes the report and its
plots atomically. Everything in it is computed from the runs (link rates, the
fog-node counts run, the links that carry ML traffic, per-flow results); the
paper's Table 4 and its dashed lines appear only when the profile declares it
as its reference (`[profile] reference = "sec21-table4"`). Tables and plot
series come from `analysis.study.reshape`/`runs`, plots are drawn by
`analysis.report.plots`; this module only loads, formats and writes, so a report can
always be regenerated from the folder (`fogcosim report DIR`).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.report import protection as report_protection
from analysis.report import rounds as report_rounds
from analysis.report import rounds_plots as report_rounds_plots
from analysis.report import variants as report_variants
from analysis.report.plant import (
    TOP_FLOWS,
    flows_section,
    flows_unavailable,
    links_section,
    lost_section,
    overload_section,
)
from analysis.report.plots import sweep as plots
from analysis.report.tables import (
    STAND_IN,
    STATUSES,
    delivery_section,
    deltas_section,
    failed_section,
    ml_sources,
    payload_section,
    percentile_section,
    results_section,
    stand_in_note,
    table4_section,
)
from analysis.run.metrics import delay_samples, link_utilization, load_results
from analysis.study import reshape
from analysis.study import runs as reshape_runs
from analysis.study.data import (
    Reference,
    RunData,
    link_rates_text,
    load_runs,
    profile_meta,
    queueing_text,
    reference_of,
    run_dir,
    train_seed_of,
    variants_of,
)
from analysis.study.reshape import PAPER_BASELINE
from analysis.study.summary import SUMMARY
from fogcosim import atomic
from fogcosim.errors import FogcosimError, UserError
from simulation.profile.build import PROFILE_DIR
from simulation.sweep.grid import PROVENANCE, RUNS_DIR

REPORT = "report.md"
PLOTS = "plots"
PLOT_NAMES = (
    "delay_vs_fog_nodes", "bandwidth_vs_fog_nodes", "link_utilization_vs_fog_nodes",
    "link_utilization", "flow_deadlines", "delay_ecdf", *report_rounds_plots.PLOT_NAMES,
    report_protection.PLOT_NAME,
    *report_variants.PLOT_NAMES,
)  # fmt: skip
#: Link directions followed over fog-node counts, besides the busiest one carrying ML traffic.
TOP_TREND_LINKS = 3
REQUIRED = (
    "method",
    "fog_nodes",
    "seed",
    "critical_delay_mean_us",
    "all_delay_mean_us",
    "bandwidth_mean",
)
TOP_LINKS = 20


@dataclass
class Sweep:
    """What a sweep folder holds, as the report reads it."""

    out_dir: Path
    summary: pd.DataFrame
    provenance: dict[str, Any]
    statuses: list[dict[str, Any]] | None


@dataclass
class Case:
    """Per-link utilization and delay samples of the runs of one fog-node count."""

    fog_nodes: int
    links: pd.DataFrame
    samples: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def load_sweep(out_dir: Path) -> Sweep:
    """Read a sweep folder; a `UserError` names what is missing or unreadable."""
    out_dir = Path(out_dir)
    path = out_dir / SUMMARY
    if not path.is_file():
        where = (
            f"{out_dir}: no {SUMMARY} in this folder"
            if out_dir.is_dir()
            else f"{out_dir}: no such folder"
        )
        raise UserError(
            f"{where}; expected the output folder of `fogcosim sweep` "
            f"({SUMMARY}, {PROVENANCE}, {RUNS_DIR}/<run>/)"
        )
    try:
        summary = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: cannot read as CSV: {' '.join(str(exc).split())}") from None
    missing = [c for c in REQUIRED if c not in summary.columns] if len(summary) else []
    if missing:
        raise UserError(
            f"{path}: missing columns {', '.join(missing)} (write it with `fogcosim sweep`)"
        )
    return Sweep(out_dir, summary, _json(out_dir / PROVENANCE) or {}, _json(out_dir / STATUSES))


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_report(out_dir: Path) -> Path:
    """Write `out_dir/report.md` and `out_dir/plots/*.png`; return the report's path."""
    sweep = load_sweep(out_dir)
    reference = reference_of(sweep.provenance)
    head = header(sweep)
    lines: list[str] = []
    written: set[str] = set()
    summary = sweep.summary
    if len(summary) and "variant" not in summary:
        summary = summary.assign(variant="")
    summary = summary.assign(variant=variants_of(summary)) if len(summary) else summary
    variants = report_variants.load_variants(sweep.out_dir, summary) if len(summary) else None
    if variants is not None:
        lines += report_variants.variants_section(variants)
        lines += write_plots(sweep.out_dir, report_variants.variant_plots(variants), "", written)
    keys = ["profile", "variant", "backend"]
    groups = (
        list(summary.groupby(keys, sort=False))
        if len(summary) and set(keys) <= set(summary.columns)
        else [(("", "", ""), summary)]
    )
    parts: list[tuple[str, pd.DataFrame, dict[str, dict[str, Any]]]] = []
    for (profile, variant, backend), rows in groups:
        name = f"{profile}-{variant}" if variant else profile
        suffix = f"-{name}-{backend}" if len(groups) > 1 else ""
        if len(groups) > 1:
            lines += [
                f"# {profile}, variant {variant} on {backend}" if variant
                else f"# {profile} on {backend}",
                "",
            ]  # fmt: skip
        if rows.empty:
            lines += [
                "No completed runs: summary.csv has no rows, so there is nothing to tabulate.",
                "",
            ]
            continue
        data = load_runs(sweep.out_dir, rows)
        backends = {str(b) for _, _, b in (k for k, _ in groups)}
        parts.append(
            (f"{variant or profile}" + (f" [{backend}]" if len(backends) > 1 else ""), rows,
             data.scenarios)
        )  # fmt: skip
        group = group_sections(sweep.out_dir, rows, data, reference, sweep.provenance)
        lines += group.lines
        plot_lines, names = plot_section(sweep.out_dir, rows, group, suffix)
        lines += plot_lines
        written |= names
    # the study's comparison of mechanisms first, then each variant's own sections
    lines = head + _protection(sweep, parts, written) + lines
    lines += failed_section(sweep.statuses, summary, sweep.provenance.get("points") or [])
    for name in PLOT_NAMES:  # leave no stale plot of an earlier report beside this one
        for old in (sweep.out_dir / PLOTS).glob(f"{name}*.png"):
            if old.name not in written:
                old.unlink()
    report = sweep.out_dir / REPORT
    atomic.write_text(report, "\n".join(lines).rstrip() + "\n")
    return report


def _protection(
    sweep: Sweep,
    parts: list[tuple[str, pd.DataFrame, dict[str, dict[str, Any]]]],
    written: set[str],
) -> list[str]:
    """The price-of-protection section and plot, where the groups ran different mechanisms.

    Variants of one profile share every draw of a seed, so they are compared
    seed by seed (paired); groups of different profiles by Welch's test.
    """
    descriptions = report_protection.variant_descriptions(
        str(sweep.provenance.get("profile_text") or "")
    )
    groups = report_protection.mechanism_groups(parts, descriptions)
    if len(groups) < 2 or not report_protection.differ_in_mechanism(groups):
        return []
    paired = len({str(p) for g in groups for p in g.rows.get("profile", [])}) <= 1
    lines, table = report_protection.protection_section(groups, paired)
    plot = report_protection.protection_plot(table, groups)
    if plot is not None:
        name, fig, alt, caption = plot
        file = f"{name}.png"
        atomic.write_bytes(sweep.out_dir / PLOTS / file, plots.png_bytes(fig))
        written.add(file)
        lines += [f"![{alt}]({PLOTS}/{file})", "", f"**Figure.** {caption}", ""]
    return lines


@dataclass
class GroupReport:
    """The sections of one (profile, backend) group and what its plots need."""

    lines: list[str]
    reference: Reference
    data: RunData
    case: Case | None
    links: list[tuple[str, str]]
    trends: pd.DataFrame
    flows: pd.DataFrame | None
    flow_case: int | None
    #: round tables and accuracies of a rounds-paced study; None for a periodic one
    training: report_rounds.Training | None = None


def group_sections(
    out_dir: Path,
    rows: pd.DataFrame,
    data: RunData,
    reference: Reference,
    provenance: dict[str, Any],
) -> GroupReport:
    """The tables of one (profile, backend) group, from its summary rows and run folders."""
    picked = reshape_runs.pick_links(data.links, TOP_TREND_LINKS)
    trends = reshape_runs.link_trends(data.links, [link for link, _ in picked])
    agg = None if data.flows is None else reshape_runs.flow_summary(data.flows)
    flow_case = None if agg is None or agg.empty else int(agg["fog_nodes"].max())
    lines = plant_facts(rows, data, reference)
    lines += overload_section(rows)
    if reference.paper:
        lines += table4_section(rows, reshape_runs.busiest_ml_link(data.links))
    else:
        lines += results_section(rows)
    lines += deltas_section(rows, reference.paper)
    training = report_rounds.load_training(out_dir, rows, data.scenarios)
    if training is not None:
        lines += report_rounds.training_section(rows, training)
    lines += links_section(trends, picked)
    if agg is None or flow_case is None:
        lines += flows_unavailable(data.without_flows, len(data.scenarios))
    else:
        at = agg[agg["fog_nodes"] == flow_case]
        lines += flows_section(
            agg, flow_case, reshape_runs.pick_flows(at, TOP_FLOWS), data.without_flows
        )
        lines += lost_section(reshape_runs.lost_flows(agg))
    lines += payload_section(rows, provenance)
    lines += percentile_section(rows)
    lines += delivery_section(rows)
    return GroupReport(
        lines, reference, data, load_case(out_dir, rows), picked, trends, agg, flow_case, training
    )


def plant_facts(rows: pd.DataFrame, data: RunData, reference: Reference) -> list[str]:
    """What was simulated, from the run folders: link rates, queueing, fog-node counts run."""
    counts = ", ".join(str(n) for n in sorted({int(n) for n in rows["fog_nodes"]}))
    if reference.paper:
        ref = f"the paper's Table 4 (Qian & Barzegaran, SEC '21), {reference.why}"
    else:
        ref = f"none ({reference.why}): every number here comes from this study's runs"
    return [
        "## Plant",
        "",
        f"- Link rates: {link_rates_text(data.scenarios)}",
        f"- Queueing: {queueing_text(data.scenarios)}",
        f"- Fog-node counts run: {counts}",
        f"- Published reference: {ref}",
        "",
    ]


# ---------------------------------------------------------------- header


def header(sweep: Sweep) -> list[str]:
    """Title, what was run with what, data provenance and the command that reproduces it."""
    prov, summary = sweep.provenance, sweep.summary
    profile = prov.get("profile") or ", ".join(sorted(set(summary.get("profile", []))))
    backends = sorted(set(summary["backend"])) if "backend" in summary else []
    versions = ", ".join(f"{k} {v}" for k, v in (prov.get("versions") or {}).items()) or "unknown"
    opp = prov.get("omnetpp")
    if opp:
        versions += f"; OMNeT++ `{opp.get('opp_run', '?')}`, INET `{opp.get('inet_root', '?')}`"
    seeds = sorted({int(s) for s in summary["seed"]}) if len(summary) else prov.get("seeds", [])
    trains = train_seeds(summary) if len(summary) else prov.get("train_seeds", [])
    seed_text = f"network seeds {', '.join(map(str, seeds))}" + (
        f"; training seeds {', '.join(map(str, trains))} (runs that train)" if trains else ""
    )
    lines = [
        f"# fogcosim sweep report: {profile or 'unknown profile'}",
        "",
        f"- Profile: {profile} (`{prov.get('profile_path', '?')}`, "
        f"sha256 `{str(prov.get('profile_sha256', '?'))[:12]}`; full text in {PROVENANCE})"
        + (f": {description}" if (description := profile_meta(prov).get("description")) else ""),
        f"- Backend(s): {', '.join(backends) or prov.get('backend', 'unknown')}"
        f" (requested: {prov.get('backend_requested', '?')})",
        f"- Runs: {len(summary)} in {SUMMARY}; fog nodes "
        f"{', '.join(str(n) for n in sorted(set(summary.get('fog_nodes', []))))}; methods "
        f"{', '.join(sorted(set(summary.get('method', [])), key=reshape.method_rank))}; "
        f"{seed_text}",
        f"- Git revision: `{prov.get('git_revision', 'unknown')}`",
        f"- Versions: {versions}",
        f"- Sweep started: {prov.get('started', 'unknown')}; report written: "
        f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
        f"- Data provenance: {stand_in_note(ml_sources(summary))}",
    ]
    if not prov:
        lines.append(f"- {PROVENANCE} is missing or unreadable: profile and versions are unknown.")
    command, notes = reproduce_command(sweep)
    lines += ["", "Reproduce:", "", "```sh", command, f"fogcosim report {sweep.out_dir}", "```", ""]
    return lines + [f"{n}" for n in notes] + ([""] if notes else [])


def reproduce_command(sweep: Sweep) -> tuple[str, list[str]]:
    """The `fogcosim sweep` command line that re-runs this sweep, and caveats about it."""
    prov, summary, notes = sweep.provenance, sweep.summary, []
    points = prov.get("points") or summary[["fog_nodes", "method", "seed"]].to_dict("records")
    nodes = list(dict.fromkeys(int(p["fog_nodes"]) for p in points))
    methods = list(dict.fromkeys(str(p["method"]) for p in points))
    seeds = sorted({int(p["seed"]) for p in points})
    path = Path(prov.get("profile_path", ""))
    profile = prov.get("profile", "PROFILE")
    shipped = PROFILE_DIR / f"{profile}.toml"
    if path.parent.name != "profiles" or path.name != shipped.name:
        profile = str(path) if prov.get("profile_path") else profile
    elif _changed(shipped, prov.get("profile_sha256")):
        notes.append(
            f"Note: the shipped profile `{shipped.name}` has changed since this sweep (sha256 "
            f"differs); to re-run exactly, save `profile_text` from {PROVENANCE} to a file "
            "and pass that file as `--profile`."
        )
    backend = prov.get("backend") or (summary["backend"].iloc[0] if len(summary) else "auto")
    parts = ["fogcosim sweep", f"--profile {profile}", f"--fog-nodes {','.join(map(str, nodes))}"]
    trains = sorted({int(t) for p in points if (t := train_seed_of(p)) is not None})
    parts += [f"--methods {','.join(methods)}", f"--seeds {len(seeds)}"]
    if trains and trains != seeds:
        parts.append(f"--train-seeds {len(trains)}")
    parts.append(f"--backend {backend}")
    if seeds != list(range(len(seeds))):
        notes.append(f"Note: this sweep ran seeds {seeds}; `--seeds K` runs seeds 0..K-1.")
    if trains and trains != list(range(len(trains))):
        notes.append(
            f"Note: this sweep ran training seeds {trains}; `--train-seeds T` runs 0..T-1."
        )
    if (
        "percentiles_from" in summary
        and len(summary)
        and (summary["percentiles_from"] != "vectors").all()
    ):
        parts.append("--no-vectors")
    parts.append(f"--out {sweep.out_dir}")
    return " ".join(parts), notes


def train_seeds(summary: pd.DataFrame) -> list[int]:
    """The training seeds of a summary's runs that train ([] for a periodic study)."""
    if "train_seed" not in summary:
        return []
    return sorted({int(t) for t in pd.to_numeric(summary["train_seed"]).dropna()})


def _changed(shipped: Path, sha256: str | None) -> bool:
    """Whether a shipped profile's text differs from the one a sweep recorded."""
    if not sha256 or not shipped.is_file():
        return False
    return hashlib.sha256(shipped.read_bytes()).hexdigest() != sha256


# ---------------------------------------------------------------- run folders


def load_case(out_dir: Path, rows: pd.DataFrame) -> Case | None:
    """Links and delay samples of the most fog nodes with run results; None if no run folder."""
    network = reshape.network_rows(rows)  # one run per network seed: the same network results
    present = [r for r in network.itertuples() if (run_dir(out_dir, r) / "results").is_dir()]
    if not present:
        return None
    n = max(int(r.fog_nodes) for r in present)
    case = Case(n, pd.DataFrame(), pd.DataFrame())
    links, samples = [], []
    for r in (r for r in present if int(r.fog_nodes) == n):
        folder = run_dir(out_dir, r)
        try:
            scenario, manifest, results = load_results(folder)
            keys = {"method": r.method, "seed": int(r.seed)}
            links.append(link_utilization(scenario, results).assign(**keys))
            samples.append(delay_samples(manifest, results).assign(**keys))
        except (FogcosimError, OSError, ValueError, KeyError) as exc:
            case.notes.append(f"{folder.name}: not read ({' '.join(str(exc).split())})")
    case.links = pd.concat(links, ignore_index=True) if links else pd.DataFrame()
    case.samples = pd.concat(samples, ignore_index=True) if samples else pd.DataFrame()
    return case


# ---------------------------------------------------------------- plots

#: A plot to write: file stem, figure, alt text, caption.
Plot = tuple[str, Any, str, str]


def plot_section(
    out_dir: Path, rows: pd.DataFrame, group: GroupReport, suffix: str
) -> tuple[list[str], set[str]]:
    """Draw and write the plots of one (profile, backend) group; their Markdown and file names."""
    lines: list[str] = ["## Plots", ""]
    written: set[str] = set()
    paper = group.reference.paper
    todo = [delay_plot(rows, paper), bandwidth_plot(rows, paper)]
    notes = [f"Run folders not read: {'; '.join(group.data.notes)}."] if group.data.notes else []
    if group.links:
        todo.append(link_trend_plot(group.trends, group.links))
    case = group.case
    if case is None:
        notes.append("Per-link and delay-distribution plots: no run folders with results found.")
    else:
        notes += [f"Run folders not read: {'; '.join(case.notes)}."] if case.notes else []
        todo += [links_plot(case)] if not case.links.empty else []
    if group.flows is not None and group.flow_case is not None:
        plot = deadline_plot(group.flows, group.flow_case)
        if plot is None:
            notes.append(
                f"Worst-case delay against deadline: no flow at {group.flow_case} FNs declares "
                "a deadline."
            )
        else:
            todo.append(plot)
    if case is not None:
        if case.samples.empty:
            notes.append(
                f"Delay distribution: the runs at {case.fog_nodes} FNs recorded no delay vectors."
            )
        else:
            todo.append(ecdf_plot(case, rows))
    if group.training is not None:
        trained, missing = report_rounds_plots.training_plots(rows, group.training)
        todo += trained
        notes += missing
    lines += write_plots(out_dir, todo, suffix, written)
    return lines + [n for note in notes for n in (note, "")], written


def write_plots(out_dir: Path, todo: list[Plot], suffix: str, written: set[str]) -> list[str]:
    """Write each plot as `<name><suffix>.png` (adding it to `written`); its Markdown lines."""
    lines = []
    for number, (name, fig, alt, caption) in enumerate(todo, start=1):
        file = f"{name}{suffix}.png"
        atomic.write_bytes(out_dir / PLOTS / file, plots.png_bytes(fig))
        written.add(file)
        lines += [f"![{alt}]({PLOTS}/{file})", "", f"**Figure {number}.** {caption}", ""]
    return lines


def _figure_note(rows: pd.DataFrame, spread: str) -> str:
    stand_in = any(STAND_IN in s for s in ml_sources(rows))
    return f"Error bars: {spread}." + (
        " ML payloads measured on stand-in data." if stand_in else ""
    )


def _overload_caption(series: list[pd.DataFrame]) -> str:
    if any(s["overloaded"].any() for s in series if "overloaded" in s):
        return " Red rings: a run of that cell was overloaded (offered load > 100% of a link)."
    return ""


def delay_plot(rows: pd.DataFrame, paper: bool) -> Plot:
    """Mean critical and all-message delay vs fog nodes; with `paper`, the paper's values dashed."""
    critical = reshape.series_vs_nodes(rows, "critical_delay_mean_us")
    every = reshape.series_vs_nodes(rows, "all_delay_mean_us")
    spread = reshape.spread_caption([critical, every])
    published = reshape.paper_table4().rename(columns={"paper_delay_us": "value"})
    title = "Mean end-to-end delay vs fog nodes"
    fig = plots.delay_figure(
        critical,
        every,
        published if paper else None,
        paper_baseline=PAPER_BASELINE[0] if paper else None,
        title=title,
        note=_figure_note(rows, spread),
    )
    caption = (
        "Mean end-to-end delay per method vs fog-node count: critical messages (left) and all "
        f"messages (right), mean over seeds; error bars: {spread}; methods are nudged apart on "
        "x so equal values stay visible." + _overload_caption([critical, every]) + " "
    )
    if paper:
        caption += (
            'Dashed, hollow markers: the paper\'s Table 4 (its mean delay "for all messages"), '
            "the same values in both panels; dotted grey: the paper's no-ML average "
            f"({PAPER_BASELINE[0]:.0f} µs). "
        )
    return "delay_vs_fog_nodes", fig, title, caption + stand_in_note(ml_sources(rows))


def bandwidth_plot(rows: pd.DataFrame, paper: bool) -> Plot:
    """Bandwidth usage vs fog nodes: mean over link directions, and the busiest direction."""
    mean = reshape.series_vs_nodes(rows, "bandwidth_mean", 100.0)
    busiest = reshape.series_vs_nodes(rows, "bandwidth_max", 100.0)
    spread = reshape.spread_caption([mean, busiest])
    where = _busiest_links(rows)
    title = "Bandwidth usage vs fog nodes"
    fig = plots.bandwidth_figure(
        mean,
        busiest,
        busiest_title=f"busiest link direction ({where})",
        title=title,
        note=_figure_note(rows, spread),
    )
    caption = (
        "Bandwidth usage (busy fraction of the simulated time, % of link capacity) per method vs "
        "fog-node count: averaged over every link direction (left) and of the busiest direction "
        f"({where}) (right); error bars: {spread}." + _overload_caption([mean, busiest])
    )
    if paper:
        low = min(b for cases in reshape.PAPER_TABLE4.values() for _, b in cases.values())
        high = max(b for cases in reshape.PAPER_TABLE4.values() for _, b in cases.values())
        caption += (
            f" The paper's bandwidth values ({low:.0f}–{high:.0f}%) are not drawn: its metric is "
            f"undefined and its no-ML baseline alone is {PAPER_BASELINE[1]:.0f}%."
        )
    return "bandwidth_vs_fog_nodes", fig, title, caption


def trend_series(trends: pd.DataFrame, link: str) -> pd.DataFrame:
    """A link's utilisation per method and FN count as a `draw_series` frame.

    Error bars: the 95% t interval of the mean over the cell's seeds (none for 1),
    as every other plot's (`reshape.error_bars`).
    """
    t = trends[trends["link"] == link]
    std = t["busy_std"] if "busy_std" in t else pd.Series(float("nan"), index=t.index)
    n = t["n"] if "n" in t else pd.Series(1, index=t.index)
    bars = reshape.error_bars(pd.DataFrame({"std": std, "n": n}, index=t.index))
    return pd.DataFrame(
        {
            "method": t["method"],
            "fog_nodes": t["fog_nodes"],
            "mean": t["busy_pct"],
            "err_low": bars["err_low"],
            "err_high": bars["err_high"],
            "n": n,
            "spread": bars["spread"],
            "overloaded": t["offered_pct"] > 100.0,
        }
    )


def link_trend_plot(trends: pd.DataFrame, picked: list[tuple[str, str]]) -> Plot:
    """Utilisation of the followed link directions vs fog-node count, one panel each."""
    panels = [(f"{link}\n({why})", trend_series(trends, link)) for link, why in picked]
    spread = reshape.spread_caption([series for _, series in panels])
    title = "Link utilisation vs fog nodes"
    fig = plots.trend_figure(
        panels,
        ylabel="utilisation (busy % of capacity)",
        title=title,
        note=f"Mean over seeds; error bars: {spread}.",
    )
    caption = (
        "Busy fraction of the simulated time (% of capacity), mean over seeds, per method vs "
        "fog-node count, of "
        + "; ".join(f"`{link}` ({why})" for link, why in picked)
        + f"; error bars: {spread}. Red rings: the load offered to that link exceeds its "
        "capacity. The table **Link utilisation vs fog-node count** gives the numbers and the "
        "offered load."
    )
    return "link_utilization_vs_fog_nodes", fig, title, caption


def deadline_plot(agg: pd.DataFrame, fog_nodes: int) -> Plot | None:
    """Worst-case delay of the flows with a deadline against it, at `fog_nodes`; None if none."""
    at = agg[agg["fog_nodes"] == fog_nodes]
    chosen = reshape_runs.pick_flows(at, TOP_FLOWS, with_deadline=True)
    if not chosen:
        return None
    total = at.loc[at["deadline_us"].notna(), "flow"].nunique()
    points = reshape_runs.deadline_points(at, chosen)
    shown = f"all {total}" if len(chosen) == total else f"{len(chosen)} of {total}"
    title = f"Worst-case delay against deadline at {fog_nodes} FNs"
    fig = plots.deadline_figure(points, title=title, note="Worst seed's maximum delay.")
    caption = (
        f"Worst-case end-to-end delay (the worst seed's maximum) of {shown} flows with a deadline "
        f"at {fog_nodes} fog nodes, one marker per method, and each flow's deadline (black bar); "
        "log scale. A marker above its bar missed the deadline; a flow whose messages were all "
        "lost has no marker (see **Flows that lost messages**)."
    )
    if len(chosen) < total:
        caption += " Shown: those that missed or lost first, then the closest to their deadline."
    return "flow_deadlines", fig, title, caption


def links_plot(case: Case) -> Plot:
    """Per-link utilization of the largest case, the busiest TOP_LINKS directions."""
    ranking = reshape.link_ranking(case.links, TOP_LINKS)
    total = case.links["link"].nunique()
    shown = f"top {TOP_LINKS} of {total}" if total > TOP_LINKS else f"all {total}"
    n = case.fog_nodes
    title = f"Link utilization at {n} FNs ({shown} link directions, mean over seeds)"
    caption = (
        f"Utilization of each link direction (`src->dst`) at {n} fog nodes, the largest case "
        "with run folders: busy fraction of the simulated time in % (log scale), mean over seeds; "
        f"{shown} directions, ranked by their highest value over the methods."
    )
    return "link_utilization", plots.links_figure(ranking, title=title), title, caption


def ecdf_plot(case: Case, rows: pd.DataFrame) -> Plot:
    """Delay distribution per traffic class and method of the largest case (seeds pooled)."""
    classes = [c for c in ("critical", "ml", "background") if c in set(case.samples["class"])]
    seeds = ", ".join(str(s) for s in sorted(set(case.samples["seed"])))
    n = case.fog_nodes
    title = f"Message delay distribution at {n} FNs (seeds {seeds} pooled)"
    fig = plots.ecdf_figure(reshape.ecdf(case.samples), classes, title=title)
    caption = (
        f"Empirical CDF of the end-to-end delay of every delivered message at {n} fog nodes, one "
        f"panel per traffic class present ({', '.join(classes)}), one line per method, seeds "
        f"{seeds} pooled ({pooled_counts(case.samples, classes)}), from the delay vectors. "
        "Top: ECDF, fraction of messages with delay ≤ x; "
        "bottom: its tail, fraction with delay ≥ x, on log-log axes (dotted line: 1%, where the "
        "p99 lies). The no-ML baseline is dashed."
    )
    if "ml" in classes:
        caption += " " + stand_in_note(ml_sources(rows))
    return "delay_ecdf", fig, title, caption


def pooled_counts(samples: pd.DataFrame, classes: list[str]) -> str:
    """How many messages each line pools, e.g. "critical: no ML 1,230, FL 1,228 messages"."""
    parts = []
    for cls in classes:
        at = samples[samples["class"] == cls].groupby("method").size()
        ordered = sorted(at.index, key=reshape.method_rank)
        cells = ", ".join(f"{reshape.LABELS.get(m, m)} {int(at[m]):,}" for m in ordered)
        parts.append(f"{cls}: {cells}")
    return "; ".join(parts) + " messages"


def _busiest_links(rows: pd.DataFrame) -> str:
    """Which direction was busiest, e.g. "cloud->sw0 in 20 of 24 runs"."""
    if "bandwidth_max_link" not in rows:
        return "link unknown"
    counts = rows["bandwidth_max_link"].dropna().astype(str).value_counts()
    if counts.empty:
        return "link unknown"
    return f"{counts.index[0]} in {counts.iloc[0]} of {len(rows)} runs"
