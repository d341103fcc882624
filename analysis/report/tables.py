# SPDX-License-Identifier: MIT
"""The Markdown tables of the sweep report, one function per section.

Each takes summary rows of one (profile, backend) group and returns Markdown
lines; the numbers come from `analysis.study.reshape`, so this module only words and
formats them (`analysis.report.sweep` puts the sections together and writes them).
"""

from __future__ import annotations

import tomllib
from typing import Any

import pandas as pd

from analysis.report.format import (
    PM_WORDS,
    label,
    md_table,
    messages_cell,
    num,
    orders_line,
    pm,
    sig,
)
from analysis.study import reshape, uncertainty
from analysis.study.data import rate_text, run_key
from analysis.study.reshape import ML_METHODS, PAPER_BASELINE, PAPER_TABLE4
from analysis.study.runs import overloaded_cells
from analysis.study.summary import SUMMARY
from simulation.profile.schema import table as schema_table

STAND_IN = "stand-in"
STATUSES = "statuses.json"


def stand_in_note(sources: list[str]) -> str:
    """The provenance sentence every place showing ML payload numbers carries."""
    if any(STAND_IN in s for s in sources):
        return (
            "**ML payload sizes were measured on an offline stand-in data set** (scikit-learn's "
            "8×8 digits resized to the data set's image shape), not on the data set itself; "
            "payload sizes depend on tensor shapes only, so they equal the real data set's."
        )
    return "ML payload sizes: " + ("; ".join(sources) if sources else "no ML runs") + "."


def ml_sources(rows: pd.DataFrame) -> list[str]:
    """Distinct ML payload sources of the runs with ML traffic."""
    if "ml_payload_source" not in rows:
        return []
    ml = rows[rows["method"] != "none"]["ml_payload_source"].dropna().astype(str)
    return sorted(set(ml) - {"none"})


# ---------------------------------------------------------------- sections

T4_HEADERS = [
    "method", "FNs", "paper delay (µs)", "critical (µs)", "all (µs)", "paper bandwidth (%)",
    "bandwidth (%)", "busiest (%)", "n",
]  # fmt: skip
BASE_HEADERS = ["FNs", "critical (µs)", "all (µs)", "bandwidth (%)", "busiest (%)", "n"]
DELTA_HEADERS = [
    "method", "FNs", "Δ critical mean (µs)", "Δ all mean (µs)", "Δ bandwidth (pp)",
    "Δ busiest (pp)", "Δ critical p99 (µs)", "n",
]  # fmt: skip
DELTA_MEAN_HEADERS = [
    "method", "paper Δ delay (µs)", "paper Δ bandwidth (pp)", "Δ critical (µs)", "Δ all (µs)",
    "Δ bandwidth (pp)",
]  # fmt: skip


def _ours(r: Any) -> list[str]:
    """Our four Table 4 cells of a `reshape.table4`/`baseline` row."""
    return [
        pm(r.critical_mean, r.critical_std, r.critical_n),
        pm(r.all_mean, r.all_std, r.all_n),
        pm(r.bandwidth_mean, r.bandwidth_std, r.bandwidth_n, sig),
        pm(r.busiest_mean, r.busiest_std, r.busiest_n, sig),
    ]


#: Marks a fog-node count cell whose runs were offered more than a link's capacity.
OVERLOAD_MARK = "⚠"


def load_cells(trend: pd.DataFrame, counts: Any) -> list[str]:
    """One link direction's cells over fog-node counts: `busy% ± std [CI] (offered%)`, ⚠ >100%.

    `trend`: one link and method's `reshape_runs.link_trends` rows; a count it
    lacks is "—".
    """
    at = trend.set_index("fog_nodes")
    cells = []
    for n in counts:
        if n not in at.index:
            cells.append("—")
            continue
        c = at.loc[n]
        over = f" {OVERLOAD_MARK}" if c["offered_pct"] > 100.0 else ""
        busy = pm(c["busy_pct"], c.get("busy_std"), c.get("n", 1), sig)
        cells.append(f"{busy} ({sig(c['offered_pct'])}){over}")
    return cells


def fns(n: Any, method: str, marks: dict[tuple[str, int], int]) -> str:
    """A fog-node count cell, marked where a run of (method, n) was overloaded."""
    return f"{int(n)} {OVERLOAD_MARK}" if marks.get((method, int(n))) else str(int(n))


def overload_key(marks: dict[tuple[str, int], int]) -> list[str]:
    """The sentence explaining the overload mark, where a table carries one."""
    if not marks:
        return []
    return [
        f"{OVERLOAD_MARK} = at least one run of that method and fog-node count was offered more "
        "than 100% of a link's capacity (see **Overloaded runs**): its queues grow for as long as "
        "the traffic lasts, so its delays depend on the simulated time.",
        "",
    ]


def ours_headers() -> list[str]:
    """Headers of our delay and bandwidth table (no published reference)."""
    return ["method", "FNs", "critical (µs)", "all (µs)", "bandwidth (%)", "busiest (%)", "n"]


def results_section(rows: pd.DataFrame) -> list[str]:
    """Our delay and bandwidth per method (no ML included) and fog-node count run."""
    table = reshape.results(rows)
    marks = overloaded_cells(rows)
    lines = [
        "## Delay and bandwidth per method and fog-node count",
        "",
        f"Each cell: {PM_WORDS}. "
        "**critical** = mean delay of critical messages (`critical_delay_mean_us`), **all** = mean "
        "delay of every delivered message (`all_delay_mean_us`); **bandwidth** = busy fraction of "
        "the simulated time averaged over all link directions (`bandwidth_mean`), **busiest** = "
        "that of the busiest link direction (`bandwidth_max`), both in % of link capacity. "
        + stand_in_note(ml_sources(rows)),
        "",
    ]
    body = [
        [label(r.method), fns(r.fog_nodes, r.method, marks), *_ours(r), str(r.critical_n)]
        for r in table.itertuples()
    ]
    lines += md_table(ours_headers(), body) + overload_key(marks)
    return lines + orders_line(
        {
            "critical delay": reshape.method_orders(rows, "critical_delay_mean_us"),
            "bandwidth": reshape.method_orders(rows, "bandwidth_mean"),
        }
    )


def table4_section(rows: pd.DataFrame, ml_link: tuple[str, float] | None) -> list[str]:
    """Our delay and bandwidth per method and FN count beside the paper's Table 4; baseline."""
    t4 = reshape.table4(rows)
    marks = overloaded_cells(rows)
    lines = [
        "## Table 4: delay and bandwidth beside the paper",
        "",
        "Paper values are Table 4 of Qian & Barzegaran (SEC '21, Section 4.4), which reports the "
        '"mean end-to-end delay for all messages" and the "mean bandwidth usage". Ours: '
        f"{PM_WORDS}. "
        "**critical** = mean delay of critical messages (`critical_delay_mean_us`), **all** = mean "
        "delay of every delivered message, ML included (`all_delay_mean_us`); **bandwidth** = "
        "busy fraction of the simulated time averaged over all link directions (`bandwidth_mean`), "
        "**busiest** = that of the busiest link direction (`bandwidth_max`), both in % of link "
        "capacity. — = not run here (or not in the paper). " + stand_in_note(ml_sources(rows)),
        "",
    ]
    table = []
    for r in t4.itertuples():
        paper = [num(r.paper_delay_us, 0), num(r.paper_bandwidth_pct, 0)]
        ours = _ours(r)
        table.append(
            [
                label(r.method),
                fns(r.fog_nodes, r.method, marks),
                paper[0],
                *ours[:2],
                paper[1],
                *ours[2:],
                str(r.critical_n),
            ]
        )
    lines += md_table(T4_HEADERS, table) + overload_key(marks)
    base = reshape.baseline(rows)
    lines += [
        f"No-ML baseline (method `none`). Paper: {PAPER_BASELINE[1]:.0f}% bandwidth and "
        f"{PAPER_BASELINE[0]:.0f} µs, one average over its cases.",
        "",
    ]
    if base.empty:
        lines += ["No baseline runs (method `none`) in this sweep.", ""]
    else:
        table = [
            [fns(r.fog_nodes, "none", marks), *_ours(r), str(r.critical_n)]
            for r in base.itertuples()
        ]
        lines += md_table(BASE_HEADERS, table, right=0)
    return lines + table4_caveats(t4, base, rows, ml_link)


def table4_caveats(
    t4: pd.DataFrame, base: pd.DataFrame, rows: pd.DataFrame, ml_link: tuple[str, float] | None
) -> list[str]:
    """How far ours and the paper's compare: bandwidth definition, which delay, method order."""
    ours_base = f"{base['bandwidth_mean'].mean():.3g}%" if len(base) else "(no baseline run here)"
    lines = [
        "How to read this table:",
        "",
        "- **Bandwidth is not comparable in absolute terms.** The paper does not define its "
        f"bandwidth metric; its no-ML baseline is {PAPER_BASELINE[1]:.0f}%, where ours (busy time "
        f"over the simulated time, averaged over link directions) is {ours_base} on these links. "
        "Compare trends over FN counts and deltas against the baseline, not percentages.",
    ]
    lines += _which_delay(t4, rows, ml_link)
    ml = rows[rows["method"].isin(ML_METHODS)]
    ordered = orders_line(
        {
            "critical delay": reshape.method_orders(ml, "critical_delay_mean_us"),
            "bandwidth": reshape.method_orders(ml, "bandwidth_mean"),
        }
    )
    if ordered:
        lines.append(
            "- **Method order** (lowest first). Paper: FCDDT < FL < CC in both delay and "
            "bandwidth at every FN count. Ours: "
            + ordered[0].removeprefix("**Method order** (lowest first): ")
        )
    return [*lines, ""]


def _which_delay(
    t4: pd.DataFrame, rows: pd.DataFrame, ml_link: tuple[str, float] | None
) -> list[str]:
    """Why the paper's "all messages" delay compares with our critical column, from the numbers.

    `ml_link`: the busiest link direction that carries ML traffic and its rate (bit/s).
    """
    ran = t4[t4["critical_n"] > 0]
    payloads = reshape.ml_payloads(rows)
    sizes = payloads["total_bytes"][payloads["total_bytes"] > 0]
    if ran.empty or sizes.empty or not ml_link:
        return []
    link, rate = ml_link
    low, high = int(sizes.min()), int(sizes.max())
    send = f"{low * 8 / rate * 1e6:,.0f}–{high * 8 / rate * 1e6:,.0f} µs"
    every = f"{ran['all_mean'].min():.0f}–{ran['all_mean'].max():.0f} µs"
    critical = f"{ran['critical_mean'].min():.0f}–{ran['critical_mean'].max():.0f} µs"
    delays = [d for cases in PAPER_TABLE4.values() for d, _ in cases.values()]
    return [
        f"- **Which delay.** The paper calls its {min(delays):.0f}–{max(delays):.0f} µs the mean "
        'end-to-end delay of all messages, yet Section 4.1 says it evaluates the "mean imposed '
        f'delay on the critical messages". The ML data of one FN and round here ({low:,}–{high:,} '
        f"B) takes {send} just to send at {rate_text(rate)} (the rate of `{link}`, the busiest "
        f"link direction carrying ML traffic), so our mean over all messages is {every}, over "
        f"critical messages {critical}. Both are shown; the paper's values are closer to our "
        "**critical** column (or may be per packet)."
    ]


def deltas_section(rows: pd.DataFrame, paper: bool) -> list[str]:
    """Each ML method minus the no-ML run of the same FN count and seed; with `paper`, the paper's.

    The paper's deltas (its "+1%, +4 µs") show only for a study whose reference is its Table 4.
    """
    d = reshape.deltas(rows)
    intro = (
        "Each run minus the no-ML run (`none`) of the same fog-node count and network seed "
        "(summary.csv's `delta_*` columns): a paired difference per seed, so each cell is "
        f"{PM_WORDS}; bandwidth in percentage points. A delta whose interval contains 0 is not "
        "significant with the seeds run."
    )
    if paper:
        intro += ' The paper: FCDDT adds "only 1% and 4 µs" to the baseline\'s bandwidth and delay.'
    lines = ["## Deltas against the no-ML baseline", "", intro, ""]
    if d.empty or d["critical_delay_mean_us"].isna().all():
        return [*lines, "Unavailable: this sweep has no baseline runs (method `none`).", ""]

    def cell(r: Any, short: str, digits: int) -> str:
        return pm(
            getattr(r, short),
            getattr(r, f"{short}_std"),
            getattr(r, f"{short}_n"),
            lambda x: num(x, digits, True),
        )

    table = [
        [
            label(r.method),
            str(r.fog_nodes),
            cell(r, "critical_delay_mean_us", 1),
            cell(r, "all_delay_mean_us", 1),
            cell(r, "bandwidth_mean", 3),
            cell(r, "bandwidth_max", 3),
            cell(r, "critical_delay_p99_us", 1),
            str(r.n),
        ]
        for r in d.itertuples()
    ]
    lines += md_table(DELTA_HEADERS, table)
    lines += significant_deltas(rows)
    if not paper:
        return lines
    published = reshape.paper_deltas().set_index("method")
    columns = ["critical_delay_mean_us", "all_delay_mean_us", "bandwidth_mean"]
    means = d.groupby("method")[columns].mean()
    lines += [
        "Mean over the FN counts run here, beside the paper's (its Table 4 mean over six cases "
        f"minus the baseline's {PAPER_BASELINE[0]:.0f} µs and {PAPER_BASELINE[1]:.0f}%; the text "
        "rounds FCDDT's to +4 µs and +1%):",
        "",
    ]
    table = []
    for m in (m for m in ML_METHODS if m in means.index):
        ours = means.loc[m]
        table.append(
            [label(m), num(published.loc[m, "paper_delta_delay_us"], 1, True)]
            + [num(published.loc[m, "paper_delta_bandwidth_pct"], 1, True)]
            + [num(ours[c], 3 if c == "bandwidth_mean" else 1, True) for c in columns]
        )
    return lines + md_table(DELTA_MEAN_HEADERS, table)


def significant_deltas(rows: pd.DataFrame) -> list[str]:
    """Which ML methods raise the mean critical delay significantly over the baseline, per FN count.

    Significant: the 95% t interval of the per-seed paired delta excludes 0
    (`analysis.study.uncertainty.excludes_zero`); one seed: not testable.
    """
    values = reshape.cell_values(rows[rows["method"] != "none"], "delta_critical_delay_mean_us")
    if not values:
        return []
    groups: dict[str, list[str]] = {"up": [], "down": [], "ns": [], "untested": []}
    for (method, n), by_seed in sorted(values.items(), key=lambda kv: (_rank(kv[0]), kv[0][1])):
        v = list(by_seed.values())
        verdict = uncertainty.excludes_zero(v)
        key = "untested" if verdict is None else "ns" if not verdict else "down"
        if verdict and sum(v) > 0:
            key = "up"
        groups[key].append(f"{label(method)} at {n} FNs")
    words = {
        "up": "raised significantly (95% interval above 0)",
        "down": "lowered significantly (95% interval below 0)",
        "ns": "not significantly changed (95% interval contains 0)",
        "untested": "not testable (1 seed)",
    }
    parts = [f"{words[k]}: {', '.join(v)}" for k, v in groups.items() if v]
    return ["**Mean critical delay against the baseline**: " + "; ".join(parts) + ".", ""]


def _rank(cell: tuple[str, int]) -> int:
    return reshape.method_rank(cell[0])


def payload_section(rows: pd.DataFrame, provenance: dict[str, Any]) -> list[str]:
    """Measured ML bytes per FN and round per method, their source, how the profile sends them."""
    p = reshape.ml_payloads(rows)
    lines = ["## ML payload per fog node and round", ""]
    if p.empty:
        return [*lines, "No ML runs in this sweep.", ""]
    lines += [stand_in_note(sorted(set(p["source"]))), ""]
    table = [
        [
            label(r.method),
            f"{r.upload_bytes:,}",
            f"{r.download_bytes:,}",
            f"{r.total_bytes:,}",
            r.fog_nodes,
            r.source,
        ]
        for r in p.itertuples()
    ]
    headers = ["method", "upload (B/FN/round)", "download (B/FN/round)", "total (B)", "FNs"]
    lines += md_table([*headers, "source"], table, right=1, left_last=1)
    if not provenance.get("profile_text"):
        return [*lines, "How the profile sends ML rounds: unknown (no profile text recorded).", ""]
    ml = _profile_ml(provenance)
    defaults = {f.key: f.default for f in schema_table("traffic.ml").fields}
    directions = ml.get("directions", defaults["directions"])
    if directions == "paper":
        how = (
            f"each round (every {ml.get('period', '?')}) is one FN request of "
            f"{ml.get('request_bytes', '?')} B and one cloud reply of upload + download bytes"
        )
    else:
        how = "each round the upload goes FN → cloud and the download cloud → FN"
    accounting = ml.get("accounting", defaults["accounting"])
    text = (
        f"Profile `[traffic.ml]`: directions = {directions!r}: {how}; accounting = {accounting!r}."
    )
    return [*lines, text, ""]


def _profile_ml(provenance: dict[str, Any]) -> dict[str, Any]:
    """The `[traffic.ml]` table of the profile text saved in provenance.json ({} if none)."""
    try:
        doc = tomllib.loads(provenance.get("profile_text") or "")
    except tomllib.TOMLDecodeError:
        return {}
    ml = doc.get("traffic", {}).get("ml", {})
    return ml if isinstance(ml, dict) else {}


def percentile_section(rows: pd.DataFrame) -> list[str]:
    """p50/p99 of critical delay where the delay vectors were recorded; the exact max always."""
    c = reshape.critical_percentiles(rows)
    lines = ["## Critical delay percentiles", ""]
    if c["with_vectors"].sum() == 0:
        reasons = sorted(set(rows.get("percentiles_from", pd.Series(["unknown"])).astype(str)))
        lines += [
            f"p50 and p99 are unavailable: no run recorded delay vectors ({'; '.join(reasons)}); "
            "the sweep records them unless run with `--no-vectors`, and the sinks' statistics "
            "hold only count, mean and extremes. The maximum below is exact.",
            "",
        ]
    else:
        lines += [
            "From every critical message's delay (the delay vectors). p50 is the mean of the "
            f"runs' own p50s; p99 is the mean of the runs' own p99s, {PM_WORDS} (over the seeds "
            "with vectors); **messages** = the critical messages those runs delivered, pooled "
            "over the seeds (per run in brackets): a run's p99 rests on its own count, so a p99 "
            "over a few hundred messages is its 3rd to 5th largest delay. max = the worst "
            "seed (exact, from the sinks' statistics).",
            "",
        ]
    table = [
        [
            label(r.method),
            str(r.fog_nodes),
            num(r.p50_us),
            pm(r.p99_us, r.p99_std, r.p99_n),
            num(r.max_us),
            messages_cell(r.messages, r.messages_min, r.messages_max, r.with_vectors),
            f"{r.with_vectors} of {r.seeds}",
        ]
        for r in c.itertuples()
    ]
    headers = [
        "method", "FNs", "p50 (µs)", "p99 (µs)", "max (µs)", "messages (per run)",
        "seeds with vectors",
    ]  # fmt: skip
    return lines + md_table(headers, table)


def delivery_section(rows: pd.DataFrame) -> list[str]:
    """Runs that delivered fewer messages than they sent (dropped, or in flight at the end)."""
    lines = ["## Delivery", ""]
    short = []
    for cls in ("critical", "ml", "background"):
        sent, got = f"{cls}_sent", f"{cls}_delivered"
        if sent in rows and got in rows:
            for r in rows[rows[got] < rows[sent]].to_dict("records"):
                short.append([run_key(r), cls, str(r[sent]), str(r[got])])
    if not short:
        return [*lines, "Every message sent was delivered within the simulated time.", ""]
    lines += [
        "A message sent but not delivered was dropped by a full queue or was still in flight "
        "when the run ended (it stops at the end of its simulated time); either way it is not "
        "part of the delay statistics (its delay, likely among the largest, is missing from the "
        "means). Which flows lost messages: see **Flows that lost messages**.",
        "",
    ]
    return lines + md_table(["run", "class", "sent", "delivered"], short, right=2)


def failed_section(
    statuses: list[dict[str, Any]] | None, summary: pd.DataFrame, points: list[dict[str, Any]]
) -> list[str]:
    """Failed runs with their error (statuses.json), and points of the sweep with no summary row."""
    lines = ["## Failed runs", ""]
    if statuses is None:
        lines += [f"{STATUSES} not found: run statuses unknown.", ""]
    failed = [s for s in statuses or [] if s.get("status") == "failed"]
    if failed:
        table = [
            [str(s.get("key", "?")), " ".join(str(s.get("error", "")).split())] for s in failed
        ]
        lines += md_table(["run", "error"], table, right=2)  # both left-aligned
    elif statuses is not None:
        lines += ["None: every run finished.", ""]
    have = {run_key(r) for r in summary.to_dict("records")} if len(summary) else set()
    gone = have | {s.get("key") for s in failed}
    absent = [run_key(p) for p in points if run_key(p) not in gone]
    if absent:
        lines += [
            f"Points with no row in {SUMMARY} (not run, or no metrics): {', '.join(absent)}.",
            "",
        ]
    return lines
