# SPDX-License-Identifier: MIT
"""Reports of a custom plant (no published reference) and `fogcosim compare`, on real sweeps.

One small sweep of the plant fixture profile (6 fog nodes, methods none and fl,
one seed, embedded backend, one worker) serves the report tests; the
comparison adds a strict-priority copy of the same profile.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.report.compare import COMPARE, write_compare
from analysis.report.format import num
from analysis.report.plots.sweep import legend_columns
from fogcosim.cli import main
from fogcosim.errors import UserError

PLANT = Path(__file__).resolve().parents[1] / "fixtures" / "profiles" / "plant-cells.toml"
PNG = b"\x89PNG\r\n\x1a\n"
#: Every number of the paper's Table 4 as it would show in a table cell, and its wording.
PAPER_CELLS = [
    "| 49 |", "| 52 |", "| 56 |", "| 57 |", "| 65 |", "| 71 |", "| 84 |", "| 96 |",
    "| 18 |", "| 31 |",
]  # fmt: skip
PAPER_WORDS = ["Table 4", "paper", "Qian", "SEC '21", "55 µs", "4, 7, 10, 12, 15, 18"]


def sweep(profile: Path, out: Path, report: bool = True) -> Path:
    args = ["sweep", "--profile", str(profile), "--fog-nodes", "6", "--methods", "none,fl"]
    args += ["--seeds", "1", "--backend", "embedded", "--workers", "1", "--out", str(out)]
    args += [] if report else ["--no-report"]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sweep(PLANT, tmp_path_factory.mktemp("plant") / "fifo")


def test_custom_profile_report_has_no_paper_values(plant: Path) -> None:
    text = (plant / "report.md").read_text()
    for word in PAPER_WORDS:
        assert word not in text, word
    for cell in PAPER_CELLS:
        assert cell not in text, cell
    assert "paper" not in text.lower()
    assert "## Delay and bandwidth per method and fog-node count" in text
    # what the profile says: 100 Mbps fog and host links, 1 Gbps trunk and cloud links;
    # 6 fog nodes at 2 per cell make 3 cells on a line, so 2 trunk links
    assert (
        "- Link rates: 1 Gbps: cloud–switch ×1, switch–switch ×2; 100 Mbps: fog–switch ×6, "
        "host–switch ×2" in text
    )
    assert "- Queueing: fifo, 20 frames per queue" in text
    assert "- Fog-node counts run: 6" in text
    assert "- Runs: 2 in summary.csv; fog nodes 6; methods none, fl" in text
    plots = {p.stem for p in (plant / "plots").glob("*.png")}
    assert {"link_utilization_vs_fog_nodes", "flow_deadlines"} <= plots


def test_custom_profile_report_per_flow_results(plant: Path) -> None:
    text = (plant / "report.md").read_text()
    flows = pd.read_csv(plant / "runs" / "n6-fl-s0" / "flows.csv").set_index("flow")
    loop = flows.loc["loop1"]
    assert (
        f"| `loop1` | critical | plc1 → fog4 | FL | 300.0 | {loop['sent']} | {loop['delivered']} "
        f"| 0 | 0 | {num(loop['delay_mean_us'])} | {num(loop['delay_p99_us'])} | "
        f"{num(loop['delay_max_us'])} | 0 | 0.0% |" in text
    )
    # flows that lost messages, from flows.csv's `lost`, named per method
    lost = sorted(flows.index[flows["lost"]])
    assert "camera" in lost
    section = text.split("## Flows that lost messages")[1].split("\n## ")[0]
    fl = next(line for line in section.splitlines() if line.startswith("| FL | 6 |"))
    assert fl.startswith(f"| FL | 6 | {len(lost)} | {int(flows['dropped'].sum())} | `camera` (")
    assert "## Link utilisation vs fog-node count" in text
    assert "(busiest link direction carrying ML traffic)" in text


def test_report_of_an_older_sweep_says_per_flow_is_unavailable(plant: Path, tmp_path: Path) -> None:
    """Run folders written before flows.csv and the summary's new columns existed."""
    from analysis.report.sweep import write_report

    old = tmp_path / "old"
    old_runs = old / "runs"
    old_runs.mkdir(parents=True)
    for run in (plant / "runs").iterdir():
        (old_runs / run.name).mkdir()
        for item in ("scenario.json", "manifest.json", "metrics.json"):
            (old_runs / run.name / item).write_bytes((run / item).read_bytes())
        (old_runs / run.name / "results").mkdir()
        for f in (run / "results").iterdir():
            (old_runs / run.name / "results" / f.name).write_bytes(f.read_bytes())
    summary = pd.read_csv(plant / "summary.csv")
    summary.drop(columns=["overloaded", "flows", "dropped_messages"]).to_csv(
        old / "summary.csv", index=False
    )
    text = write_report(old).read_text()
    assert "Unavailable: 2 of 2 run folders hold no flows.csv" in text
    assert "Unavailable: summary.csv has no `overloaded` column" in text
    assert "## Link utilisation vs fog-node count" in text
    assert not (old / "plots" / "flow_deadlines.png").exists()


def test_compare_fifo_and_strict_priority(
    plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PLANT.read_text().replace('scheduling = "fifo"', 'scheduling = "strict-priority"')
    assert 'scheduling = "strict-priority"' in text
    strict = tmp_path / "plant-cells.toml"  # same profile name: labels add the folder names
    strict.write_text(text)
    priority = sweep(strict, tmp_path / "priority", report=False)
    out = tmp_path / "cmp"
    assert main(["compare", str(plant), str(priority), "--out", str(out)]) == 0
    assert capsys.readouterr().out.endswith(f"wrote {out / COMPARE}\n")
    md = (out / COMPARE).read_text()
    # studies that ran different scheduling are labelled by their mechanism too
    a, b = "plant-cells (fifo) [FIFO]", "plant-cells (priority) [strict priority]"
    assert md.startswith(f"# fogcosim comparison: {a} vs {b}")
    assert "| `simulation.scheduling` | `fifo` | `strict-priority` |" in md
    assert "| fifo, 20 frames per queue |" in md
    assert "| strict-priority, 20 frames per queue |" in md
    assert f"| method | FNs | {a} | {b} |" in md
    # the per-flow deadline results of each study, as its own flows.csv has them
    cells = []
    for folder in (plant, priority):
        loop = pd.read_csv(folder / "runs" / "n6-fl-s0" / "flows.csv").set_index("flow")
        r = loop.loc["loop1"]
        cells.append(
            f"{num(r['delay_max_us'])} / 300, {int(r['deadline_misses'])} missed "
            f"({r['miss_ratio']:.1%})"
        )
    assert f"| `loop1` | FL | {cells[0]} | {cells[1]} |" in md
    assert re.search(r"\| `safety` \| no ML \| [\d.]+ / 2000, 0 missed", md)
    for name in ("compare_delay_vs_fog_nodes", "compare_flow_deadlines"):
        assert (out / "plots" / f"{name}.png").read_bytes().startswith(PNG)
        assert f"(plots/{name}.png)" in md


@pytest.mark.parametrize("make", [False, True])
def test_compare_errors_are_one_line(
    plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], make: bool
) -> None:
    other = tmp_path / "not-a-sweep"
    if make:
        other.mkdir()
    assert main(["compare", str(plant), str(other), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"fogcosim compare: error: {other}: ")
    assert "expected the output folder of `fogcosim sweep`" in err
    assert not (tmp_path / "c" / COMPARE).exists()


def test_compare_needs_two_different_folders(plant: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="at least two sweep folders"):
        write_compare([plant], tmp_path)
    with pytest.raises(UserError, match="given twice"):
        write_compare([plant, plant / ".." / plant.name], tmp_path)


def test_compare_labels_studies_by_description_or_as_told(
    plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # one profile name, another description: the columns say which is which
    text = PLANT.read_text().replace('scheduling = "fifo"', 'scheduling = "strict-priority"')
    text = re.sub(r'description = ".*"', 'description = "strict priority"', text, count=1)
    strict = tmp_path / "plant-cells.toml"
    strict.write_text(text)
    priority = sweep(strict, tmp_path / "priority-4f2a9c1e", report=False)
    out = tmp_path / "cmp"
    assert main(["compare", str(plant), str(priority), "--out", str(out)]) == 0
    md = (out / COMPARE).read_text()
    assert "plant-cells (strict priority)" in md.splitlines()[0]
    # labels as told, and a bad label is one line naming it
    assert main(["compare", str(plant), str(priority), "--out", str(out),
                 "--label", f"fifo={plant}", "--label", f"prio={priority}"]) == 0  # fmt: skip
    assert (out / COMPARE).read_text().startswith("# fogcosim comparison: fifo vs prio")
    capsys.readouterr()
    assert main(["compare", str(plant), str(priority), "--out", str(out),
                 "--label", f"x={tmp_path}"]) == 2  # fmt: skip
    assert "is not one of the compared folders" in capsys.readouterr().err


def test_legends_take_as_many_columns_as_fit() -> None:
    fig = Figure(figsize=(7, 5))
    assert legend_columns(fig, ["FL", "CC", "FCDDT"], 4, fontsize=9) == 4
    long = ["FL · paper-sec21 (paper-sec21-1a2b3c4d, 10 seeds)"] * 3
    assert legend_columns(fig, long, 4, fontsize=9) < 4


def test_report_names_the_hop_where_the_worst_flow_waited(tmp_path: Path) -> None:
    """A 64 B control message from fog1 every 1 ms waits behind fog1's FL upload."""
    ctl = (
        '[[traffic.flows]]\nname = "ctl"\nclass = "critical"\nsrc = "fog1"\ndst = "cloud"\n'
        'period = "1ms"\nsize_bytes = 64\ndeadline = "500us"\n\n[traffic.ml]'
    )
    profile = tmp_path / "plant-ctl.toml"
    profile.write_text(PLANT.read_text().replace("[traffic.ml]", ctl, 1))
    out = sweep(profile, tmp_path / "ctl")
    flows = pd.read_csv(out / "runs" / "n6-fl-s0" / "flows.csv").set_index("flow")
    worst = flows["miss_ratio"].idxmax()
    row = flows.loc[worst]
    assert worst == "ctl" and row["deadline_misses"] > 0
    # its frames wait at its own uplink, where the FL upload leaves from
    assert row["worst_wait_link"] == "fog1->cell0"
    assert row["worst_wait_max_us"] > 500
    hops = pd.read_csv(out / "runs" / "n6-fl-s0" / "hops.csv")
    assert row["worst_wait_max_us"] == hops.loc[hops["flow"] == "ctl", "wait_max_us"].max()
    text = (out / "report.md").read_text()
    assert (
        f"- `ctl` (FL) missed {row['miss_ratio']:.1%} of its deadlines, waiting up to "
        f"{num(row['worst_wait_max_us'])} us at fog1->cell0." in text
    )
