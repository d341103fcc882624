# SPDX-License-Identifier: MIT
"""Write a synthesised schedule as the profile's `[[tsn.gates]]` tables.

One table per port, in the profile format both backends read, so a user can
read, edit and run the schedule like a hand-written one:

    [[tsn.gates]]
    node = "sw0"            # the node whose port it is
    peer = "cloud"          # the port that sends towards this neighbour
    cycle = "1200ms"
    base = "0s"
    entries = [
      { duration = "30us", open = [7] },
      { duration = "970us", open = [0, 1, 2, 3, 4, 5, 6] },
    ]

Times are exact to the picosecond in the largest OMNeT++ unit that keeps them
whole (`units.format_time`); `open` lists the traffic classes whose gates are
open. What the schedule guarantees goes into comments above the tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fogcosim.atomic import write_text
from simulation.model.gcl import NUM_CLASSES, GateControlList
from simulation.model.units import format_time
from simulation.tsn_synthesis.schedule import Schedule


def open_classes(mask: int) -> list[int]:
    """The traffic classes whose bit is set in `mask`, ascending."""
    return [q for q in range(NUM_CLASSES) if mask >> q & 1]


def gates_toml(gcls: Iterable[GateControlList]) -> str:
    """The `[[tsn.gates]]` tables of `gcls`."""
    parts = []
    for g in gcls:
        lines = [
            "[[tsn.gates]]",
            f'node = "{g.node}"',
            f'peer = "{g.peer}"',
            f'cycle = "{format_time(g.cycle_ps)}"',
            f'base = "{format_time(g.base_ps)}"',
            "entries = [",
        ]
        for e in g.entries:
            classes = ", ".join(str(q) for q in open_classes(e.open_mask))
            lines.append(f'  {{ duration = "{format_time(e.duration_ps)}", open = [{classes}] }},')
        lines.append("]")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def schedule_toml(schedule: Schedule, source: str = "") -> str:
    """The whole file: what was synthesised and what it guarantees (comments), then the gates."""
    p = schedule.problem
    proven = {True: ", proven optimal", False: ", optimality not proven", None: ""}
    head = [
        f"# Gate schedule synthesised by fogcosim ({schedule.method}"
        f"{proven[schedule.proven_optimal]}) in {schedule.seconds:.3f} s"
        + (f" for {source}" if source else ""),
        f"# Protected traffic class {p.protected_class}: its gate opens only for the "
        f"{len(p.messages)} messages of {len(p.flows)} flows per {format_time(p.cycle_ps)} cycle;",
        f"# the other classes close {p.guard_band} guard bands before each window. "
        f"802.1Q tag {'on' if p.vlan_tag else 'off'}.",
        "# Guaranteed latency per flow (release to delivery if every protected frame is "
        "released on time), and its deadline:",
    ]
    width = max(len(f.name) for f in p.flows)
    for f in p.flows:
        bound, deadline = schedule.latency_bound_ps[f.name], p.deadline_ps[f.name]
        head.append(
            f"#   {f.name:<{width}}  {format_time(bound):>14}  (deadline {format_time(deadline)})"
        )
    return "\n".join(head) + "\n\n" + gates_toml(schedule.gcls)


def write_schedule(schedule: Schedule, path: Path, source: str = "") -> None:
    """Write `schedule_toml` to `path` atomically."""
    write_text(path, schedule_toml(schedule, source))
