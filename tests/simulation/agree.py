"""Result-for-result comparison of two runs' raw results (real OMNeT++ against the engine)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.pivots import scalars, statistics, vectors


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def assert_scalars_agree(real: pd.DataFrame, ours: pd.DataFrame) -> None:
    """Every scalar of `real` is in `ours`, equal (counts exactly, floats within 1e-9)."""
    a = scalars(real, include_attrs=False, include_itervars=False).set_index(["module", "name"])
    b = scalars(ours, include_attrs=False, include_itervars=False).set_index(["module", "name"])
    missing = set(a.index) - set(b.index)
    assert not missing, sorted(missing)[:5]
    bad = [k for k in a.index if not _close(float(a.loc[k, "value"]), float(b.loc[k, "value"]))]
    assert not bad, [(k, a.loc[k, "value"], b.loc[k, "value"]) for k in bad[:5]]


def assert_statistics_agree(real: pd.DataFrame, ours: pd.DataFrame) -> None:
    """Every statistic and histogram of `real` is in `ours`, with equal fields and bins."""
    a = statistics(real, include_itervars=False).set_index(["module", "name"])
    b = statistics(ours, include_itervars=False).set_index(["module", "name"])
    assert set(a.index) <= set(b.index)
    for key in a.index:
        assert int(a.loc[key, "count"]) == int(b.loc[key, "count"]), key
        for col in ("mean", "min", "max"):
            assert _close(float(a.loc[key, col]), float(b.loc[key, col])), (key, col)
    ha = real[real["type"] == "histogram"].set_index(["module", "name"])
    hb = ours[ours["type"] == "histogram"].set_index(["module", "name"])
    for key in ha.index:
        np.testing.assert_array_equal(hb.loc[key, "binedges"], ha.loc[key, "binedges"])
        np.testing.assert_array_equal(hb.loc[key, "binvalues"], ha.loc[key, "binvalues"])


def assert_vectors_agree(real: pd.DataFrame, ours: pd.DataFrame) -> None:
    """Every vector of `real` is in `ours`: equal samples, times within 1 ns."""
    if not (real["type"] == "vector").any():
        return
    a = vectors(real, include_itervars=False).set_index(["module", "name"])
    b = vectors(ours, include_itervars=False).set_index(["module", "name"])
    assert set(a.index) <= set(b.index)
    for key in a.index:
        ta, tb = a.loc[key, "vectime"], b.loc[key, "vectime"]
        assert len(ta) == len(tb), key
        assert np.max(np.abs(ta - tb), initial=0) <= 1e-9, key  # 1 ns
        np.testing.assert_allclose(b.loc[key, "vecvalue"], a.loc[key, "vecvalue"], rtol=1e-12)
