# SPDX-License-Identifier: MIT
"""The engine's histogram against histograms recorded by real OMNeT++ 6.1.

`simulation.embedded.omnetpp_histogram` is a clean-room cHistogram; these
fixtures (tests/fixtures/histograms/, produced with OMNeT++ + INET, replayed here
without them) are what proves it equal:

* ``cases.json``: value sequences fed to a real ``cHistogram("histogram")`` (what
  ``HistogramRecorder`` creates; ``setUpBins()`` before reading, as the .sca writer
  does), results printed with ``%a``.  Floats are stored as ``repr()`` strings
  (exact round trip; "nan", "inf", "-0.0" included).  Short sequences are stored;
  long ones (extension, merging, >1000 values) as a ``recipe`` for
  :func:`recipe_values`, which must therefore never change.
* ``inet.json``: per-sink end-to-end delays of INET runs (``delays_ps``, seconds are
  ``d * 1e-12``, arrival order) with the ``field``/``bin`` lines of INET's .sca and
  the exact edges the same cHistogram gives for that sequence.

* ``probe.json``: sequences chosen to pin one behaviour each (outliers blocking
  extension, merging, precollection, collation, bin-size rounding ties, bin
  counting, subnormal spans, large hints) plus engine-like delays, run through
  a real cHistogram by the probe module in ``probe/`` (``probe/regenerate.py``).

All floats are compared exactly: ``float.hex`` plus the sign bit (so -0.0 is not
0.0, and OMNeT++'s NaN, which has the sign bit set and is written ``-nan``, is not
Python's ``nan``), never with a tolerance.  Some cases also carry the exact
``field``/``bin`` lines the real .sca writer produced for them.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulation.embedded.omnetpp_histogram import (
    HistogramError,
    HistogramResult,
    OmnetppHistogram,
    format_bin_lines,
    format_field_lines,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "histograms"
FLOAT_FIELDS = ("mean", "stddev", "min", "max", "sum", "sqrsum")


def _load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text())["cases"]
    return cases


def _lcg(seed: int) -> Iterator[int]:
    """64-bit LCG (Knuth MMIX constants): portable, exact integer stream."""
    s = seed & 0xFFFFFFFFFFFFFFFF
    while True:
        s = (s * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        yield s >> 33


def recipe_values(recipe: dict[str, Any]) -> list[float]:
    """Regenerate a long fixture sequence; values are ``int * scale``, exact in any Python.

    walk: a random walk, ``start`` plus per-step ``uniform[-width, width] + bias``; at
    index ``jump_at`` (if given) it also jumps by ``jump`` (a new extreme at a chosen
    point, e.g. right at the end of precollection).
    burst: ``uniform[0, width)`` with every ``every``-th value multiplied by ``10**k``,
    k cycling 1..max_exp, and negated every other time (far values force bin merging).
    collate: 0..9, then ``pairs`` x (new maximum, a repeat of the 10th, 9th, 1st or 11th
    value), then maximum * jump: repeats of the first 10 stored whole numbers do not
    count towards the 1000, those of the 11th do.
    """
    rnd = _lcg(recipe["seed"])
    scale = float(recipe["scale"])
    n, width = recipe.get("n", 0), recipe["width"]
    out: list[float] = []
    if recipe["kind"] == "walk":
        x = recipe["start"]
        for i in range(n):
            x += next(rnd) % (2 * width + 1) - width + recipe["bias"]
            if i == recipe.get("jump_at"):
                x += recipe["jump"]
            out.append(float(x) * scale)
    elif recipe["kind"] == "burst":
        bursts = 0
        for i in range(n):
            v = next(rnd) % width
            if i % recipe["every"] == recipe["every"] - 1:
                bursts += 1
                v *= 10 ** (bursts % recipe["max_exp"] + 1) * (-1 if bursts % 2 else 1)
            out.append(float(v) * scale)
    elif recipe["kind"] == "collate":
        out = [float(i) * scale for i in range(10)]
        x = 9
        for _ in range(recipe["pairs"]):
            x += 1 + next(rnd) % width
            out.append(float(x) * scale)
            out.append(out[(9, 8, 0, 10)[next(rnd) % 4]])
        out.append(float(x * recipe["jump"]) * scale)
    else:
        raise ValueError(recipe["kind"])
    return out


def _values(case: dict[str, Any]) -> list[float]:
    if "recipe" in case:
        return recipe_values(case["recipe"])
    return [float(v) for v in case["values"]]


def _run(values: list[float], hint: int = -1) -> HistogramResult:
    h = OmnetppHistogram(hint)
    h.collect_all(values)
    return h.result()


def _bits(x: float) -> tuple[str, float]:
    """Exact identity of a double, sign included (also of zeros and NaNs)."""
    return float.hex(x), math.copysign(1.0, x)


def _assert_exact(got: HistogramResult, want: dict[str, Any]) -> None:
    assert got.count == want["count"]
    for name in FLOAT_FIELDS:
        assert _bits(getattr(got, name)) == _bits(float(want[name])), name
    assert [_bits(e) for e in got.bin_edges] == [_bits(float(e)) for e in want["edges"]]
    assert list(got.bin_counts) == want["counts"]
    assert (got.underflow, got.overflow) == (want["underflow"], want["overflow"])


CASES = _load("cases.json")
INET = _load("inet.json")
PROBE = _load("probe.json")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_chistogram(case: dict[str, Any]) -> None:
    got = _run(_values(case), case.get("num_bins_hint", -1))
    _assert_exact(got, case["expected"])
    if "sca_lines" in case:  # what the real OmnetppScalarFileWriter wrote
        assert format_field_lines(got) + format_bin_lines(got) == case["sca_lines"]


@pytest.mark.parametrize("case", INET, ids=[c["id"] for c in INET])
def test_matches_inet_sca(case: dict[str, Any]) -> None:
    got = _run([d * 1e-12 for d in case["delays_ps"]])
    _assert_exact(got, case["expected"])
    assert format_field_lines(got) == case["sca_fields"]
    assert format_bin_lines(got) == case["sca_bins"]


@pytest.mark.parametrize("case", PROBE, ids=[c["id"] for c in PROBE])
def test_matches_probed_chistogram(case: dict[str, Any]) -> None:
    if "delays_ps" in case:
        values = [d * 1e-12 for d in case["delays_ps"]]
    else:
        values = [float(v) for v in case["values"]]
    _assert_exact(_run(values, case.get("num_bins_hint", -1)), case["expected"])


def test_probe_fixtures_pin_each_behaviour() -> None:
    """Guards against trimming probe.json until a behaviour is no longer checked."""
    kinds = {c["kind"] for c in PROBE}
    assert {
        "outliers",
        "merge_all",
        "merge_groups",
        "precollect",
        "collate",
        "round125",
        "bin_count",
        "dedup",
        "subnormal",
        "hint",
        "delays",
    } <= kinds
    blocked = {c["id"]: c["expected"] for c in PROBE if c["id"] in {"outliers-0", "outliers-1"}}
    assert blocked["outliers-0"]["overflow"] == blocked["outliers-1"]["underflow"] == 2


def test_too_far_apart_is_a_one_line_error() -> None:
    h = OmnetppHistogram()
    h.collect_all([-1e308, 1e308])
    with pytest.raises(HistogramError, match="too far apart"):
        h.result()


def test_a_hint_must_be_positive() -> None:
    with pytest.raises(HistogramError, match="num_bins_hint"):
        OmnetppHistogram(0)


def test_fixtures_cover_the_strategy() -> None:
    """The fixtures exercise every phase (guards against trimming them too far)."""
    kinds = {c["kind"] for c in CASES}
    assert {
        "empty",
        "single",
        "all_equal",
        "inf_nan",
        "walk",
        "burst",
        "collate",
        "int_collate",
    } <= kinds
    long_ones = [c for c in CASES if "recipe" in c and len(recipe_values(c["recipe"])) > 1001]
    assert len(long_ones) >= 8
    assert len(INET) >= 15
    assert any(e == "-0.0" for c in CASES for e in c["expected"]["edges"])  # printed "-0"
    sca = [c for c in CASES if "sca_lines" in c]
    assert any("-nan" in line for c in sca for line in c["sca_lines"])
    # and one where %.14g would print equal edges, so the writer switched to %.16g
    assert any("bin\t9007199254740" in line for c in sca for line in c["sca_lines"])


def test_empty_histogram_is_zero_to_one() -> None:
    r = OmnetppHistogram().result()
    assert (r.count, r.bin_edges, r.bin_counts) == (0, (0.0, 1.0), (0,))
    assert (r.underflow, r.overflow) == (0, 0)
    assert all(math.isnan(x) for x in (r.mean, r.stddev, r.min, r.max))
    assert format_field_lines(r)[1:3] == ["field mean -nan", "field stddev -nan"]
    assert format_bin_lines(r) == ["bin\t-inf\t0", "bin\t0\t0", "bin\t1\t0"]


def test_result_does_not_end_precollection() -> None:
    """result() bins a copy: collecting more afterwards equals never having looked."""
    a, b = OmnetppHistogram(), OmnetppHistogram()
    for i in range(30):
        a.collect(i * 0.37)
        b.collect(i * 0.37)
    a.result()
    for h in (a, b):
        h.collect(100.0)
    assert a.result() == b.result()


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(st.lists(finite | st.integers(-50, 50).map(float), max_size=1200))
def test_invariants(values: list[float]) -> None:
    r = _run(values)
    assert r.count == len(values)
    assert sum(r.bin_counts) + r.underflow + r.overflow == r.count
    assert r.underflow == r.overflow == 0  # default strategy always extends for finite values
    assert all(a < b for a, b in itertools.pairwise(r.bin_edges))
    if values:
        assert r.bin_edges[0] <= min(values) and max(values) < r.bin_edges[-1]
