# SPDX-License-Identifier: MIT
"""Malformed input never escapes as anything but ResultFileError (or parses correctly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import ResultFileError
from fogcosim.resultfiles import reader as R
from fogcosim.resultfiles.parser import parse_bytes
from fogcosim.resultfiles.reader import raw_frame
from fogcosim.resultfiles.vectordata import (
    VectorData,
    _read_bulk,
    _read_line_by_line,
    _RejectedError,
)

VALID = b"""version 3
run "Fuzz-0-20260101-00:00:00-1"
attr configname Fuzz
attr iterationvars "$N=2, $x=\\"a b\\""
itervar N 2
itervar x "\\"a b\\""
config **.app.startTime "uniform(0s, 1s)"
config *.numHosts 2

scalar net.host[0] "packets sent" 42
attr unit pk
scalar net.host[1] rate:last -inf
par net.host[0] name "\\"h0\\""
statistic net.sink delay:histogram
field count 3
field mean 2
field stddev 1
field min 1
field max 3
field sum 6
field sqrsum 14
attr unit s
bin\t-inf\t0
bin\t0\t1
bin\t2\t2
bin\t4\t0
statistic net.sink delay:stats
field count 0
field mean -nan
field sum 0
field sqrsum 0
vector 0 net.host[0] queue:vector ETV
attr unit pk
vector 1 net.host[1] "rtt vector" TV
vector 2 net.host[1] never:vector ETV
0\t1\t0.1\t5
0\t2\t0.2\t6
1\t0.15\t1e-3
0\t3\t0.3\tnan
1\t0.25\t2e-3
vector 3 net.host[0] late:vector ETV
3\t9\t0.9\t1

run "Fuzz-1-20260101-00:00:00-1"
attr configname Fuzz

vector 0 net.host[0] queue:vector ETV
0\t1\t0.5\t7

"""


def _parse(data: bytes) -> pd.DataFrame | None:
    """The raw frame, or None for a ResultFileError; any other exception fails the test."""
    try:
        return raw_frame([parse_bytes(data, "fuzz.vec")])
    except ResultFileError as err:
        assert "\n" not in str(err) and str(err).startswith("fuzz.vec")
        return None


FULL = _parse(VALID)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scalars(raw: pd.DataFrame) -> set[tuple[str, str, str, float]]:
    rows = raw[raw[R.TYPE] == R.SCALAR]
    return set(zip(rows[R.RUN], rows[R.MODULE], rows[R.NAME], rows[R.VALUE], strict=True))


def _vectors(raw: pd.DataFrame) -> dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]:
    rows = raw[raw[R.TYPE] == R.VECTOR]
    keys = zip(rows[R.RUN], rows[R.MODULE], rows[R.NAME], strict=True)
    return dict(zip(keys, zip(rows[R.VECTIME], rows[R.VECVALUE], strict=True), strict=True))


def test_the_sample_parses_completely():
    assert FULL is not None
    assert len(_scalars(FULL)) == 2 and len(_vectors(FULL)) == 4
    assert (FULL[R.TYPE] == R.PARAM).sum() == 1 and (FULL[R.TYPE] == R.HISTOGRAM).sum() == 1


@FUZZ
@given(st.integers(0, len(VALID)))
def test_truncation_gives_a_prefix_or_the_error(cut):
    data = VALID[:cut]
    raw = _parse(data)
    if not data.endswith(b"\n"):
        assert raw is None, "a file cut mid-line must be reported as truncated"
        return
    if raw is None:
        return
    assert FULL is not None
    assert _scalars(raw) <= _scalars(FULL)
    full = _vectors(FULL)
    for key, (times, values) in _vectors(raw).items():
        n = len(times)
        np.testing.assert_array_equal(times, full[key][0][:n])
        np.testing.assert_array_equal(values, full[key][1][:n])


LINES = VALID.split(b"\n")
garbage_line = st.one_of(
    st.sampled_from(
        [b"field count 1", b"bin 0 1", b"attr a", b'"', b"7 1 2 3", b"0\t1\t0.1", b"scalar a b",
         b"vector 0 m n ETV", b"version 2", b"run", b"itervar a b", b"# comment", b"\t", b"1 x"]
    ),
    st.binary(max_size=20).filter(lambda b: b"\n" not in b),
)  # fmt: skip


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["delete", "insert", "duplicate", "swap"]),
            st.integers(0, len(LINES) - 1),
            garbage_line,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_line_deletions_insertions_and_garbage(edits):
    lines = list(LINES)
    for op, i, garbage in edits:
        i = min(i, len(lines) - 1)
        if op == "delete":
            del lines[i]
        elif op == "insert":
            lines.insert(i, garbage)
        elif op == "duplicate":
            lines.insert(i, lines[i])
        else:
            j = min(i + 1, len(lines) - 1)
            lines[i], lines[j] = lines[j], lines[i]
    _parse(b"\n".join(lines))


@FUZZ
@given(st.integers(0, len(VALID) - 1), st.sampled_from(list(b' \t"\\#0129.-eEx\x00\xff\r\x0cnaif')))
def test_one_character_changed(i, byte):
    _parse(VALID[:i] + bytes([byte]) + VALID[i + 1 :])


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data):
    _parse(data)


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_after_a_valid_header(data):
    _parse(VALID[:300] + data)


id_token = st.sampled_from(["0", "1", "0.0", "1e0", "2", "00", "9" * 30, "1e999", "1.5"])
number_token = st.one_of(
    st.sampled_from(["1e999", "-1e999", "9" * 30, "1.0", "1e0", "0x1", "nan", "-nan", "inf",
                     "-0", "1.5", "00", "+1", "1_0", "", '"1"', "Infinity", "1e", ".5", "5."]),
    st.floats(allow_nan=True).map(repr),
    st.integers(-(2**70), 2**70).map(str),
)  # fmt: skip


def _declared() -> dict[int, VectorData]:
    return {0: VectorData("ETV"), 1: VectorData("TV")}


@FUZZ
@given(
    st.lists(
        st.tuples(id_token, st.lists(number_token, min_size=1, max_size=4)), min_size=1, max_size=6
    )
)
def test_bulk_and_line_by_line_paths_agree(rows):
    """Whatever numpy's bulk path accepts, the exact line-by-line path reads the same."""
    segment = "\n".join("\t".join([first, *rest]) for first, rest in rows)
    bulk, exact = _declared(), _declared()
    try:
        _read_bulk(segment, bulk)
    except _RejectedError:
        return  # the parser falls back to the line-by-line path, which decides
    _read_line_by_line(segment, 1, exact, "fuzz.vec", True)
    for vector_id in bulk:
        for a, b in zip(bulk[vector_id].arrays(), exact[vector_id].arrays(), strict=True):
            np.testing.assert_array_equal(a, b)


OLD = (
    b"run General-1-20140101-12:00:00-1234\n"
    b'attr iterationvars "$N=4"\nattr N 4\nparam **.numHosts 4\n\n'
    b"scalar . \tN \t4\nscalar Net.a \tup \t1.#INF\nattr unit  s\n"
    b"statistic Net.sink \tdelay\nfield count 1\nfield mean -1.#IND\n"
    b"bin\t-INF\t0\nbin\t0\t1\nbin\t2\t0\n"
    b"vector 0  Net.a  rtt  ETV\n0\t12\t0.5\t0.001\nvector 1 Net.a old 1\n1\t0.75\t3\n"
)


def test_the_old_sample_parses_completely():
    raw = _parse(OLD)
    assert raw is not None
    assert len(_scalars(raw)) == 2 and len(_vectors(raw)) == 2
    assert (raw[R.TYPE] == R.ITERVAR).sum() == 1 and (raw[R.TYPE] == R.HISTOGRAM).sum() == 1


@FUZZ
@given(st.integers(0, len(OLD) - 1), st.sampled_from(list(b' \t"\\#0129.-eEx\x00\xff\rINFQDrv')))
def test_one_character_changed_in_a_file_without_version_line(i, byte):
    _parse(OLD[:i] + bytes([byte]) + OLD[i + 1 :])
