# SPDX-License-Identifier: MIT
"""Corners of the result-file grammar, each checked against what OMNeT++'s loader does."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fogcosim.resultfiles import reader as R
from fogcosim.resultfiles.parser import parse_bytes
from fogcosim.resultfiles.reader import raw_frame
from fogcosim.resultfiles.tokens import split_line


def _raw(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return raw_frame([parse_bytes(data, "t.sca")])


def _rows(raw, kind):
    return raw[raw[R.TYPE] == kind]


@pytest.mark.parametrize(
    ("line", "tokens"),
    [
        ("scalar a b 1", ["scalar", "a", "b", "1"]),
        ("  scalar\t\ta  b ", ["scalar", "a", "b"]),
        ('attr title "a \\"quoted\\" title"', ["attr", "title", 'a "quoted" title']),
        ('attr x "tab\\there\\nnl"', ["attr", "x", "tab\there\nnl"]),
        ('attr x "\\x41\\x4a\\q\\\\"', ["attr", "x", "AJq\\"]),
        ('attr x ""', ["attr", "x", ""]),
        ('attr "a b"c', ["attr", "a b", "c"]),  # a token may follow a closing quote directly
        ('attr a"b c', ["attr", 'a"b', "c"]),  # a quote inside an unquoted token is a character
        ('attr x "cut\\x"', ["attr", "x", "cut"]),  # \x without digits is NUL: ends the C string
    ],
)
def test_tokenizer_follows_omnetpp_linetokenizer(line, tokens):
    assert split_line(line, plain_whitespace=False) == tokens
    if '"' not in line:
        assert split_line(line) == tokens


def test_version_2_file_with_itervars_as_attributes_and_param_lines():
    raw = _raw(
        "version 2\n"
        "run General-0-20200101-00:00:00-1\n"
        "attr configname General\n"
        'attr iterationvars "$N=4, $rate=\\"1 Mbps\\""\n'
        "attr N 4\n"
        'attr rate "\\"1 Mbps\\""\n'
        "param **.x 5\n"
        "\n"
        "scalar Net.a s 1\n"
        "vector 0 Net.a v\n"
        "0\t0.5\t3\n"
    )
    itervars = _rows(raw, R.ITERVAR)
    assert dict(zip(itervars[R.ATTRNAME], itervars[R.ATTRVALUE], strict=True)) == {
        "N": "4", "rate": '"1 Mbps"',
    }  # fmt: skip
    assert set(_rows(raw, R.RUNATTR)[R.ATTRNAME]) == {"configname", "iterationvars"}
    assert _rows(raw, R.CONFIG)[[R.ATTRNAME, R.ATTRVALUE]].values.tolist() == [["**.x", "5"]]
    vector = _rows(raw, R.VECTOR).iloc[0]  # no column spec: TV
    assert vector[R.VECTIME].tolist() == [0.5] and vector[R.VECVALUE].tolist() == [3.0]


def test_comments_crlf_file_lines_and_blank_lines_are_ignored():
    raw = _raw(
        b"# written by hand\r\nversion 3\r\nrun r\r\n\r\n  # indented comment\r\n"
        b"file 1 2\r\nscalar m n 2.5\r\n"
    )
    assert _rows(raw, R.SCALAR)[R.VALUE].tolist() == [2.5]


def test_equal_bin_edges_are_merged_and_weighted_fields_are_used():
    raw = _raw(
        "version 3\nrun r\n"
        "statistic m h\nfield count 4\nfield min 0\nfield max 3\n"
        "field weights 8\nfield weightedSum 12\nfield sqrSumWeights 20\nfield weightedSqrSum 30\n"
        "bin -inf 1\nbin 0 1\nbin 1 1\nbin 1 2\nbin 2 0\nbin 3 1\n"
    )
    hist = _rows(raw, R.HISTOGRAM).iloc[0]
    assert hist[R.BINEDGES].tolist() == [0, 1, 2, 3]
    assert hist[R.BINVALUES].tolist() == [1, 3, 0]
    assert (hist[R.UNDERFLOWS], hist[R.OVERFLOWS]) == (1, 1)
    assert (hist[R.COUNT], hist[R.SUMWEIGHTS], hist[R.MEAN]) == (4, 8, 1.5)
    assert math.isclose(hist[R.STDDEV], math.sqrt((8 * 30 - 12 * 12) / (8 * 8 - 20)))


def test_statistic_corner_values():
    raw = _raw(
        "version 3\nrun r\n"
        "statistic m one\nfield count 1\nfield min 2\nfield max 2\nfield sum 2\nfield sqrsum 4\n"
        "statistic m same\nfield count 3\nfield min 2\nfield max 2\nfield sum 6\nfield sqrsum 12\n"
        "statistic m nofields\n"
    )
    stats = _rows(raw, R.STATISTIC).set_index(R.NAME)
    assert stats.loc["one", R.MEAN] == 2 and math.isnan(stats.loc["one", R.STDDEV])
    assert stats.loc["same", R.STDDEV] == 0  # min == max: 0, whatever the sums say
    assert stats.loc["nofields", R.COUNT] == -1 and math.isnan(stats.loc["nofields", R.MEAN])


def test_data_lines_may_be_interleaved_indented_and_of_mixed_columns():
    raw = _raw(
        "version 3\nrun r\n"
        "vector 0 m a ETV\nvector 1 m b TV\nvector 2 m c TEV\n"
        "0 1 0.1 10\n1 0.2 20\n0 2 0.3 30\n  1 0.4 40\n2 0.5 7 50\n1\t0.6\t60\n"
    )
    vectors = _rows(raw, R.VECTOR).set_index(R.NAME)
    np.testing.assert_array_equal(vectors.loc["a", R.VECTIME], [0.1, 0.3])
    np.testing.assert_array_equal(vectors.loc["b", R.VECVALUE], [20, 40, 60])
    np.testing.assert_array_equal(vectors.loc["c", R.VECTIME], [0.5])
    np.testing.assert_array_equal(vectors.loc["c", R.VECVALUE], [50])


def test_unicode_names_and_non_ascii_whitespace_inside_tokens():
    raw = _raw("version 3\nrun r\nscalar n\u00e4t.h\u00f6st na\u00a0me 1\n")
    row = _rows(raw, R.SCALAR).iloc[0]
    assert (row[R.MODULE], row[R.NAME]) == ("n\u00e4t.h\u00f6st", "na\u00a0me")


def test_attributes_of_a_result_and_a_run_are_kept_apart():
    raw = _raw("version 3\nrun r\nattr network N\nscalar m s 1\nattr unit s\nattr unit ms\n")
    attrs = _rows(raw, R.ATTR)
    assert attrs[[R.NAME, R.ATTRNAME, R.ATTRVALUE]].values.tolist() == [["s", "unit", "ms"]]
    assert _rows(raw, R.RUNATTR)[R.ATTRVALUE].tolist() == ["N"]
