# SPDX-License-Identifier: MIT
"""The TSN fixtures are real OMNeT++ runs in which each mechanism does its job.

test_agreement.py checks the engine against every fixture; here the fixtures
themselves are checked, so a case cannot agree trivially: against its
strict-priority twin (same traffic, VLAN tags, no gates/shapers/preemption),
preemption shortens the critical worst case, a credit-based shaper slows the
ML traffic it shapes, and gates hold critical traffic to its windows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.run.pivots import statistics
from fogcosim.resultfiles.reader import read_result_files
from simulation.backends.omnetpp.versions import VALIDATED

FIXTURES = Path(__file__).parent.parent / "fixtures" / "omnetpp"
PAIRS = [f"{o}-{i}" for o, i in VALIDATED]
RECORDED = [p for p in PAIRS if (FIXTURES / p / "tsn-gates-star-n18-fl").is_dir()]
TSN_CASES = {
    "tsn-strict-star-n18-fl", "tsn-strict-line-n12-fcddt", "tsn-gates-star-n18-fl",
    "tsn-gates-line-n12-fl", "tsn-cbs-star-n18-fl", "tsn-cbs-line-n12-fl",
    "tsn-preempt-star-n18-fl", "tsn-preempt-line-n12-fcddt", "tsn-gates-cbs-star-n4-fl",
    "tsn-gates-rounds-n8-fl", "tsn-golden-n3-fl", "tsn-golden-preempt-n3-fl",
}  # fmt: skip


def test_both_validated_pairs_have_every_tsn_case():
    assert RECORDED == PAIRS
    for pair in RECORDED:
        names = {p.name for p in (FIXTURES / pair).iterdir()}
        assert names >= TSN_CASES, sorted(TSN_CASES - names)
        assert len([n for n in names if n.startswith("tsn-ties-")]) >= 15


def _delays(pair: str, case: str, cls: str) -> tuple[float, float]:
    """(worst, mean of means) delay in us of one traffic class's flows."""
    folder = FIXTURES / pair / case
    manifest = json.loads((folder / "manifest.json").read_text())
    names = {f"{r['flow']}:delay:histogram" for r in manifest
             if r["role"] == "flow" and r["class"] == cls}  # fmt: skip
    st = statistics(read_result_files(folder / "results"), include_itervars=False)
    st = st[st["name"].isin(names)]
    return float(st["max"].max()) * 1e6, float(st["mean"].mean()) * 1e6


@pytest.mark.parametrize("pair", RECORDED)
@pytest.mark.parametrize("case", ["star-n18-fl", "line-n12-fcddt"])
def test_preemption_shortens_the_critical_worst_case(pair, case):
    strict = _delays(pair, f"tsn-strict-{case}", "critical")
    preempt = _delays(pair, f"tsn-preempt-{case}", "critical")
    assert preempt[0] < strict[0], (preempt, strict)


@pytest.mark.parametrize("pair", RECORDED)
def test_a_shaper_slows_the_class_it_shapes(pair):
    strict = _delays(pair, "tsn-strict-star-n18-fl", "ml")
    shaped = _delays(pair, "tsn-cbs-star-n18-fl", "ml")
    # 300 Mbps of 1 Gbps for the ML class: its bursts take over three times as long
    assert shaped[1] > 3 * strict[1], (shaped, strict)


@pytest.mark.parametrize("pair", RECORDED)
def test_gates_hold_critical_traffic_to_its_windows(pair):
    strict = _delays(pair, "tsn-strict-star-n18-fl", "critical")
    gated = _delays(pair, "tsn-gates-star-n18-fl", "critical")
    # a critical message reaching sw0 outside its 60 us window of 500 us waits for the next
    # one (the list is not aligned with the flows' offsets): longer, but bounded by a cycle
    # plus the message's frames
    assert strict[0] < gated[0] < strict[0] + 500, (gated, strict)
