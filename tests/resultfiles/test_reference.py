# SPDX-License-Identifier: MIT
"""The reader against ground truth: real OMNeT++ 6.1 + INET 4.5.4 files and their CSV-R export."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from analysis import read_result_files
from fogcosim.resultfiles import reader as R
from tests.conftest import REFERENCE, REFERENCE_RESULTS, REFERENCE_SCA, REFERENCE_VEC

from .csvr import read_export, render


def _assert_same_rows(mine: list[tuple[str, ...]], expected: list[tuple[str, ...]]) -> None:
    """Order-insensitive row-for-row equality (the export orders runs arbitrarily)."""
    missing = Counter(expected) - Counter(mine)
    extra = Counter(mine) - Counter(expected)
    assert not missing and not extra, (
        f"{sum(missing.values())} exported rows not read, e.g. {list(missing)[:3]}; "
        f"{sum(extra.values())} rows read but not exported, e.g. {list(extra)[:3]}"
    )
    assert len(mine) == len(expected)


@pytest.mark.parametrize(
    ("files", "export"), [(REFERENCE_SCA, "scalars.csv"), (REFERENCE_VEC, "vectors.csv")]
)
def test_every_row_matches_the_opp_scavetool_export(files, export):
    header, expected = read_export(REFERENCE / "expected" / export)
    raw = read_result_files(files)
    _assert_same_rows(render(raw, header), expected)


@pytest.mark.parametrize(
    ("files", "export"), [(REFERENCE_SCA, "scalars.csv"), (REFERENCE_VEC, "vectors.csv")]
)
def test_row_order_within_each_run_matches_the_export(files, export):
    """Config entries keep their order (first match wins); results and attrs keep file order."""
    header, expected = read_export(REFERENCE / "expected" / export)
    mine = render(read_result_files(files), header)
    for run in {row[0] for row in expected}:
        for kind in (R.CONFIG, R.SCALAR, R.HISTOGRAM, R.VECTOR, R.ATTR):
            want = [r for r in expected if r[0] == run and r[1] == kind]
            got = [r for r in mine if r[0] == run and r[1] == kind]
            assert got == want, f"{kind} rows of {run} out of order"


def test_a_run_read_from_its_sca_and_vec_is_listed_once(reference_raw):
    runattrs = reference_raw[reference_raw[R.TYPE] == R.RUNATTR]
    runs = reference_raw[R.RUN].unique()
    assert runattrs.groupby(R.RUN).size().to_dict() == dict.fromkeys(runs, 16)
    assert len(reference_raw) == 15560 + 428 - 4 * (16 + 2 + 35)  # both exports, header once


def test_column_layout_and_dtypes(reference_raw):
    assert tuple(reference_raw.columns) == R.COLUMNS
    assert set(reference_raw[R.TYPE]) == {
        R.RUNATTR, R.ITERVAR, R.CONFIG, R.SCALAR, R.STATISTIC, R.HISTOGRAM, R.VECTOR, R.ATTR,
    }  # fmt: skip
    for column in R.FLOAT_COLUMNS:
        assert reference_raw[column].dtype == np.float64
    vector = reference_raw[reference_raw[R.TYPE] == R.VECTOR].iloc[0]
    assert vector[R.VECTIME].dtype == np.float64 and vector[R.VECVALUE].dtype == np.float64


def test_quoted_and_escaped_config_values(reference_raw):
    config = reference_raw[reference_raw[R.TYPE] == R.CONFIG]
    values = dict(zip(config[R.ATTRNAME], config[R.ATTRVALUE], strict=False))
    assert values["*.configurator.config"] == 'xmldoc("config.xml")'
    assert values["*.fog[*].app[0].destAddresses"] == '"cloud"'
    assert values["*.cloud.app[*].startTime"] == "uniform(0s, 400ms)"


def test_histogram_underflow_bin_and_its_sibling_scalar(reference_raw):
    run = "General-0-20261128-00:22:15-16499"
    mine = reference_raw[
        (reference_raw[R.RUN] == run) & (reference_raw[R.MODULE] == "RefFog.cloud.eth[0].queue")
    ]
    hist = mine[mine[R.NAME] == "queueingTime:histogram"].iloc[0]
    assert hist[R.TYPE] == R.HISTOGRAM
    assert hist[R.UNDERFLOWS] == 0 and hist[R.OVERFLOWS] == 0  # the "bin -inf 0" line
    assert hist[R.BINEDGES][0] == 0 and len(hist[R.BINEDGES]) == len(hist[R.BINVALUES]) + 1
    assert hist[R.BINVALUES].sum() == hist[R.COUNT] == 578
    sibling = mine[(mine[R.NAME] == "incomingPacketLengths:sum") & (mine[R.TYPE] != R.ATTR)]
    assert sibling[R.TYPE].tolist() == [R.SCALAR]
    assert sibling[R.VALUE].tolist() == [6421664.0]


def test_empty_statistics_read_as_nan(reference_raw):
    empty = reference_raw[
        (reference_raw[R.NAME] == "rcvdPkLifetime:stats") & (reference_raw[R.TYPE] != R.ATTR)
    ]
    assert (empty[R.COUNT] == 0).all()
    assert empty[[R.MEAN, R.STDDEV, R.MIN, R.MAX]].isna().all().all()


def test_vectors_declared_but_never_written_are_left_out(reference_raw):
    declared = sum(
        1 for line in REFERENCE_VEC[0].read_text().splitlines() if line.startswith("vector ")
    )
    assert declared > 400
    vectors = reference_raw[reference_raw[R.TYPE] == R.VECTOR]
    assert len(vectors) == 36
    assert set(vectors[R.NAME]) == {"endToEndDelay:vector"}
    assert all(
        len(t) == len(v) > 0 for t, v in zip(vectors[R.VECTIME], vectors[R.VECVALUE], strict=True)
    )


def test_file_names_with_commas_equals_and_hash(tmp_path):
    (name,) = [p.name for p in REFERENCE_SCA if p.name.endswith("ml=20000-#0.sca")]
    assert "," in name and "=" in name and "#" in name
    raw = read_result_files([REFERENCE_RESULTS / name, str(REFERENCE_RESULTS / "*20000-#0.vec")])
    assert raw[R.RUN].nunique() == 1
    assert isinstance(raw, pd.DataFrame) and (raw[R.TYPE] == R.VECTOR).sum() == 9
