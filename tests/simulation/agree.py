# SPDX-License-Identifier: MIT
"""Result-for-result comparison of two runs' raw results (real OMNeT++ against the engine).

Two-way: a result one run has and the other lacks fails, whichever side has it,
so the engine can neither miss a result OMNeT++ records nor invent one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.run.pivots import scalars, statistics, vectors


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def assert_same_results(what: str, real: set[tuple[str, str]], ours: set[tuple[str, str]]) -> None:
    """The two runs recorded the same (module, name) results of one kind."""
    missing, extra = sorted(real - ours), sorted(ours - real)
    assert not missing and not extra, (
        f"{what}: only OMNeT++ has {missing[:5]} ({len(missing)}); "
        f"only the engine has {extra[:5]} ({len(extra)})"
    )


def assert_scalars_agree(real: pd.DataFrame, ours: pd.DataFrame) -> None:
    """Both have the same scalars, equal (counts exactly, floats within 1e-9)."""
    a = scalars(real, include_attrs=False, include_itervars=False).set_index(["module", "name"])
    b = scalars(ours, include_attrs=False, include_itervars=False).set_index(["module", "name"])
    assert_same_results("scalars", set(a.index), set(b.index))
    bad = [k for k in a.index if not _close(float(a.loc[k, "value"]), float(b.loc[k, "value"]))]
    assert not bad, [(k, a.loc[k, "value"], b.loc[k, "value"]) for k in bad[:5]]


def assert_statistics_agree(real: pd.DataFrame, ours: pd.DataFrame) -> None:
    """Both have the same statistics and histograms, with equal fields and bins."""
    a = statistics(real, include_itervars=False).set_index(["module", "name"])
    b = statistics(ours, include_itervars=False).set_index(["module", "name"])
    assert_same_results("statistics", set(a.index), set(b.index))
    for key in a.index:
        assert int(a.loc[key, "count"]) == int(b.loc[key, "count"]), key
        for col in ("mean", "min", "max"):
            assert _close(float(a.loc[key, col]), float(b.loc[key, col])), (key, col)
    ha = real[real["type"] == "histogram"].set_index(["module", "name"])
    hb = ours[ours["type"] == "histogram"].set_index(["module", "name"])
    assert_same_results("histograms", set(ha.index), set(hb.index))
    for key in ha.index:
        np.testing.assert_array_equal(hb.loc[key, "binedges"], ha.loc[key, "binedges"])
        np.testing.assert_array_equal(hb.loc[key, "binvalues"], ha.loc[key, "binvalues"])


def assert_vectors_agree(real: pd.DataFrame, ours: pd.DataFrame) -> None:
    """Both have the same vectors: equal samples, times within 1 ns."""
    a = vectors(real, include_itervars=False).set_index(["module", "name"])
    b = vectors(ours, include_itervars=False).set_index(["module", "name"])
    assert_same_results("vectors", set(a.index), set(b.index))
    for key in a.index:
        ta, tb = a.loc[key, "vectime"], b.loc[key, "vectime"]
        assert len(ta) == len(tb), key
        assert np.max(np.abs(ta - tb), initial=0) <= 1e-9, key  # 1 ns
        np.testing.assert_allclose(b.loc[key, "vecvalue"], a.loc[key, "vecvalue"], rtol=1e-12)
