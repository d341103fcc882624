# SPDX-License-Identifier: MIT
"""Left-justify a placement: every frame as early as it can be, keeping each port's order.

A solver's placement may leave slack a latency objective does not see (a
fragment sent early, then held): harmless for the guarantees, but it splits
windows and so lengthens the gate lists. With the order of messages on every
port fixed, all the rules of `placement` are constraints of the form
`x >= y + c` between frame starts; their least solution (from each frame's
idle-network time, raised until every constraint holds) is no later than the
given placement anywhere, so no latency grows, and it keeps the same orders.
Only the orders of neighbours in each port's cyclic order are needed: the
others follow from them (the start-up rule too).
"""

from __future__ import annotations

from simulation.tsn_synthesis.placement import Starts
from simulation.tsn_synthesis.problem import Problem

#: Variables are (message, hop, frame); a constraint says var >= other + const.
_Var = tuple[int, int, int]


def left_justify(problem: Problem, starts: Starts, max_passes: int = 200) -> Starts:
    """The earliest placement with the same port orders as `starts` (or `starts` itself)."""
    cons: dict[_Var, list[tuple[_Var, int]]] = {}

    def need(var: _Var, other: _Var, const: int) -> None:
        cons.setdefault(var, []).append((other, const))

    messages = problem.messages
    per_port: list[list[tuple[int, int, int]]] = [[] for _ in problem.ports]
    for j, m in enumerate(messages):
        for h, pi in enumerate(m.ports):
            port = problem.ports[pi]
            for i in range(1, m.frames):
                need((j, h, i), (j, h, i - 1), m.tx_ps[h][i - 1] + port.ifg_ps)
            if h:
                prev = problem.ports[m.ports[h - 1]]
                for i in range(m.frames):
                    need((j, h, i), (j, h - 1, i), m.tx_ps[h - 1][i] + prev.delay_ps)
            per_port[pi].append((starts[j][h][0] % problem.cycle_ps, j, h))
    cycle = problem.cycle_ps
    for pi, entries in enumerate(per_port):
        entries.sort()
        port = problem.ports[pi]
        for n, (_, ja, ha) in enumerate(entries):
            _, jb, hb = entries[(n + 1) % len(entries)]
            if len(entries) == 1:
                break
            a, b = messages[ja], messages[jb]
            # b's start relative to a's, in the placement: the shift that puts b after a
            sa, sb = starts[ja][ha][0], starts[jb][hb][0]
            shift = sa - sb + ((sb - sa) % cycle)  # b's copy that follows a
            na = a.frames - 1
            end = a.tx_ps[ha][na] + port.ifg_ps
            need((jb, hb, 0), (ja, ha, na), end - shift)
            if shift > 0 and not port.is_source:  # start-up rule: b of the next cycle
                pb = problem.ports[b.ports[hb - 1]]
                const = end - b.tx_ps[hb - 1][0] - pb.delay_ps
                need((jb, hb - 1, 0), (ja, ha, na), const - shift)
            if not port.is_source:  # arrival order: a's last frame in before b's first
                pa = problem.ports[a.ports[ha - 1]]
                pb = problem.ports[b.ports[hb - 1]]
                const = a.tx_ps[ha - 1][na] + pa.delay_ps + 1 - b.tx_ps[hb - 1][0] - pb.delay_ps
                need((jb, hb - 1, 0), (ja, ha - 1, na), const - shift)
    value: dict[_Var, int] = {}
    for j, m in enumerate(messages):
        early = problem.alone(m)
        for h in range(len(m.ports)):
            for i in range(m.frames):
                value[(j, h, i)] = early[h][i]
    order = sorted(value, key=lambda v: starts[v[0]][v[1]][v[2]])
    for _ in range(max_passes):
        changed = False
        for var in order:
            best = max((value[o] + c for o, c in cons.get(var, ())), default=value[var])
            if best > value[var]:
                value[var] = best
                changed = True
        if not changed:
            break
    else:
        return starts
    out = tuple(
        tuple(tuple(value[(j, h, i)] for i in range(m.frames)) for h in range(len(m.ports)))
        for j, m in enumerate(messages)
    )
    # the least solution lies below any solution; if not, `starts` broke a rule: keep it
    if any(value[v] > starts[v[0]][v[1]][v[2]] for v in value):
        return starts
    return out
