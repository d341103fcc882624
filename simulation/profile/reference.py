# SPDX-License-Identifier: MIT
"""The profile reference (docs/profile-reference.md), rendered from `simulation.profile.schema`.

`python -m simulation.profile.reference > docs/profile-reference.md` (`make docs`)
writes it; a test checks the committed file equals this output, so the reference
cannot drift from what the validator accepts.
"""

from __future__ import annotations

import sys

from simulation.profile.schema import KINDS, SCHEMA, Field, Table, default_text

ORDER = (
    "",
    "profile",
    "topology",
    "link",
    "topology.hosts[]",
    "simulation",
    "simulation.priorities",
    "simulation.variants[]",
    "simulation.variants[].set",
    "traffic",
    "traffic.cloud",
    "traffic.neighbours",
    "traffic.ml",
    "traffic.ml.bytes",
    "traffic.ml.bytes.method",
    "traffic.flows[]",
    "tcp",
    "compute",
    "compute.fog_device_counts",
    "compute.devices",
    "compute.devices.class",
    "compute.fog_overrides",
    "tsn",
    "tsn.pcp",
    "tsn.gates[]",
    "tsn.gates[].entries[]",
    "tsn.shapers[]",
)

HEADER = """# Profile reference

A profile is a TOML file describing a factory network and its traffic
(`simulation/profile/profiles/*.toml` ship with fogcosim; copy one and edit it). This
page is generated from the schema the validator uses (`simulation/profile/schema.py`,
`make docs`), so every field listed here is accepted and nothing else is.

- Unknown keys are errors that name the closest valid key.
- Traffic appears only where the profile declares it: without `[traffic.cloud]`
  or `[traffic.neighbours]` there is none of the paper's critical traffic.
- A default marked *shapes* changes the simulated network or traffic; when a
  profile relies on one, `fogcosim render` prints it and `scenario.json` records
  it under `profile_defaults`.
- Units follow OMNeT++: times `s ms us ns ps`, rates `bps kbps Mbps Gbps`,
  lengths `m km cm`, compute speeds `FLOPS ... TFLOPS`.
"""


def _title(path: str) -> str:
    if path == "":
        return "Top level"
    if path == "tsn.gates[].entries[]":
        return "Gate entries (`entries` of [[tsn.gates]])"
    if path.endswith("[]"):
        return f"[[{path[:-2]}]]"
    if path == "link":
        return "Link tables"
    if path == "traffic.ml.bytes.method":
        return "[traffic.ml.bytes.<method>]"
    if path == "compute.devices.class":
        return "[compute.devices.<name>]"
    return f"[{path}]"


def _row(f: Field) -> str:
    kind = KINDS[f.kind]
    if f.choices:
        kind += " " + ", ".join(f"`{c}`" for c in f.choices)
    bounds = []
    if f.minimum is not None:
        bounds.append(f">= {f.minimum:g}")
    if f.maximum is not None:
        bounds.append(f"< {f.maximum:g}")
    if bounds:
        kind += " (" + ", ".join(bounds) + ")"
    default = default_text(f).replace("|", "\\|")
    if f.shapes and not f.required and default != "(none)":
        default += " *(shapes)*"
    doc = f.doc + (f" Example: `{f.example}`." if f.example else "")
    return f"| `{f.key}` | {kind} | {default} | {doc} |"


def _table(t: Table) -> list[str]:
    lines = [f"## {_title(t.path)}", "", t.doc, ""]
    fields = list(t.fields) + ([t.values] if t.values is not None else [])
    lines += ["| key | type | default | meaning |", "|---|---|---|---|"]
    lines += [_row(f) for f in fields]
    return [*lines, ""]


def render_reference() -> str:
    """The whole reference as Markdown."""
    missing = set(SCHEMA) - set(ORDER)
    if missing:  # a new table must be placed in the reference
        raise KeyError(f"tables not in the reference order: {sorted(missing)}")
    lines = [HEADER]
    for path in ORDER:
        lines += _table(SCHEMA[path])
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_reference())
