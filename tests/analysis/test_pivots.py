# SPDX-License-Identifier: MIT
"""The pivot helpers: tidy tables with attributes, iteration variables and run attributes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analysis
from fogcosim.resultfiles import reader as R

RUN0 = "General-0-20261128-00:22:15-16499"


def test_runs_one_row_per_run_with_itervars_first(reference_raw):
    table = analysis.runs(reference_raw)
    assert len(table) == 4 and table[R.RUN].is_unique
    assert list(table.columns[:3]) == ["run", "N", "ml"]
    row = table.set_index("run").loc[RUN0]
    assert (row["N"], row["ml"], row["replication"], row["network"]) == (
        "4",
        "20000",
        "#0",
        "RefFog",
    )
    assert sorted(pd.to_numeric(table["ml"]).unique()) == [20000, 60000]


def test_runs_with_config_entries_first_entry_wins(reference_raw):
    table = analysis.runs(reference_raw, include_itervars=False, include_runattrs=False,
                          include_config=True)  # fmt: skip
    assert table.set_index("run").loc[RUN0, "*.configurator.config"] == 'xmldoc("config.xml")'
    # "network" is both a run attribute and a config key: the second one gets a suffix
    both = analysis.runs(reference_raw, include_config=True)
    assert {"network", "network_config"} <= set(both.columns)


def test_scalars_have_float_values_units_and_itervars(reference_raw):
    table = analysis.scalars(reference_raw)
    assert table["value"].dtype == np.float64
    assert len(table) == (reference_raw[R.TYPE] == R.SCALAR).sum()
    row = table[(table.run == RUN0) & (table.module == "RefFog.cloud.ethg$o[0].channel")
                & (table.name == "packetBytes:sum")].iloc[0]  # fmt: skip
    assert (row["value"], row["unit"], row["N"], row["ml"]) == (807332.0, "B", "4", "20000")
    assert "configname" not in table.columns
    assert "configname" in analysis.scalars(reference_raw, include_runattrs=True).columns


def test_scalars_without_attrs_or_itervars(reference_raw):
    table = analysis.scalars(reference_raw, include_attrs=False, include_itervars=False)
    assert list(table.columns) == ["run", "module", "name", "value"]


def test_statistics_include_histograms_unless_asked(reference_raw):
    both = analysis.statistics(reference_raw)
    plain = analysis.statistics(reference_raw, include_histograms=False)
    assert len(both) == 48 + 276 and len(plain) == 48
    assert both["count"].dtype == np.int64
    assert set(plain["name"]) == {"rcvdPkLifetime:stats"}


def test_histograms_carry_bins(reference_raw):
    table = analysis.histograms(reference_raw)
    assert len(table) == 276
    for edges, values in zip(table["binedges"], table["binvalues"], strict=True):
        assert len(edges) == len(values) + 1
    counted = table.apply(lambda r: r["binvalues"].sum() + r["underflows"] + r["overflows"], axis=1)
    assert (counted == table["count"]).all()


def test_vectors_and_vector_samples_agree(reference_raw):
    wide = analysis.vectors(reference_raw)
    long = analysis.vector_samples(reference_raw)
    assert len(wide) == 36 and wide["unit"].eq("s").all()
    assert len(long) == sum(len(t) for t in wide["vectime"])
    first = wide.iloc[0]
    mine = long[
        (long["run"] == first["run"])
        & (long["module"] == first["module"])
        & (long["name"] == first["name"])
    ]
    np.testing.assert_array_equal(mine["time"], first["vectime"])
    np.testing.assert_array_equal(mine["value"], first["vecvalue"])
    assert list(long.columns) == ["run", "module", "name", "time", "value", "N", "ml"]


def test_pivots_do_not_depend_on_raw_row_order(reference_raw):
    shuffled = reference_raw.sample(frac=1.0, random_state=1)
    key = ["run", "module", "name"]
    a = analysis.scalars(reference_raw).sort_values(key).reset_index(drop=True)
    b = analysis.scalars(shuffled).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b[a.columns])


@pytest.mark.parametrize(
    "pivot",
    [analysis.scalars, analysis.parameters, analysis.statistics, analysis.histograms,
     analysis.vectors, analysis.vector_samples, analysis.runs],
)  # fmt: skip
def test_pivots_of_an_empty_frame(pivot):
    empty = R.raw_frame([])
    assert list(empty.columns) == list(R.COLUMNS)
    assert pivot(empty).empty
