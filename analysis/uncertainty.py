"""How sure a mean over seeds is, and whether two of them differ: one definition for every table.

A study repeats each point over seeds; a mean over n seeds is shown with its
spread (sample standard deviation, n - 1) and its 95% confidence interval, a
Student t interval with n - 1 degrees of freedom (`estimate`). Two means are
called different only when Welch's unequal-variance t-test rejects equality at
the 5% level (`differ`); otherwise the report says the difference is not
significant with the seeds it has. Welch, not the overlap of two intervals:
intervals that overlap a little can still differ at 5%, and the test needs no
equal spreads. scipy.stats computes both quantiles and tests.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Confidence level of every interval, and the significance level of every comparison.
LEVEL = 0.95
ALPHA = 1.0 - LEVEL
#: Words for the interval and the test, as captions and table notes write them.
CI_WORDS = "95% confidence interval of the mean (Student t, n − 1 degrees of freedom)"
TEST_WORDS = "Welch's t-test at the 5% level"


@dataclass(frozen=True)
class Estimate:
    """A mean over n values with its spread and its 95% confidence interval."""

    mean: float
    std: float  # sample standard deviation (n - 1); NaN for n < 2
    n: int
    low: float  # the interval's bounds; NaN for n < 2
    high: float

    @property
    def half_width(self) -> float:
        """Half the interval's width (NaN for n < 2)."""
        return (self.high - self.low) / 2


def clean(values: Iterable[float]) -> np.ndarray:
    """The finite values of `values` as floats (NaN, None and infinities left out)."""
    array = np.asarray([float(v) for v in values if v is not None], dtype=float)
    return array[np.isfinite(array)]


def t_half_width(std: float, n: int) -> float:
    """Half width of the 95% Student t interval of a mean of n values with this std."""
    if n < 2 or not math.isfinite(std):
        return math.nan
    return float(stats.t.ppf(1 - ALPHA / 2, n - 1)) * std / math.sqrt(n)


def estimate(values: Iterable[float]) -> Estimate:
    """Mean, std (n - 1) and 95% t interval of the finite values (NaN where n is too small)."""
    v = clean(values)
    n = len(v)
    if n == 0:
        return Estimate(math.nan, math.nan, 0, math.nan, math.nan)
    mean = float(v.mean())
    std = float(v.std(ddof=1)) if n > 1 else math.nan
    half = t_half_width(std, n)
    return Estimate(mean, std, n, mean - half, mean + half)


def welch_p(a: Iterable[float], b: Iterable[float]) -> float:
    """Two-sided p-value of Welch's t-test that a and b have equal means (NaN below 2 each).

    Two groups without spread (every seed gave the same value) differ exactly
    when their values differ: p is then 0 or 1.
    """
    x, y = clean(a), clean(b)
    if len(x) < 2 or len(y) < 2:
        return math.nan
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        return 1.0 if x[0] == y[0] else 0.0
    with warnings.catch_warnings():
        # a group without spread (a baseline equal in every seed) is fine for Welch's test;
        # scipy warns about its zero variance as if it were lost precision
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_ind(x, y, equal_var=False).pvalue)


def differ(a: Iterable[float], b: Iterable[float]) -> bool | None:
    """True if the means differ at 5% (Welch), False if not, None if not testable (< 2 each)."""
    p = welch_p(a, b)
    return None if math.isnan(p) else p < ALPHA


def excludes_zero(values: Iterable[float]) -> bool | None:
    """Whether the 95% interval of the mean of paired differences excludes 0 (None: < 2)."""
    e = estimate(values)
    if e.n < 2:
        return None
    if e.std == 0:
        return e.mean != 0
    return e.low > 0 or e.high < 0


@dataclass(frozen=True)
class Order:
    """Groups from lowest to highest mean, and which neighbours differ significantly."""

    names: list[str]
    #: per neighbour pair (i, i+1): True (differ at 5%), False (not significant), None (untested)
    steps: list[bool | None]
    #: smallest number of values of any group compared
    n_min: int

    def text(self) -> str:
        """E.g. "CC < FL ≈ FCDDT": `<` significant, `≈` not significant, `?` not testable."""
        if not self.names:
            return "n/a"
        out = self.names[0]
        for name, step in zip(self.names[1:], self.steps, strict=True):
            out += f" {'<' if step else '≈' if step is False else '?'} {name}"
        return out

    @property
    def all_significant(self) -> bool:
        """Whether every neighbour pair differs at 5%."""
        return bool(self.steps) and all(self.steps)


def order(groups: Mapping[str, Sequence[float]]) -> Order:
    """Sort groups by mean and test each neighbour pair with Welch's t-test (groups with values)."""
    have = {k: clean(v) for k, v in groups.items()}
    have = {k: v for k, v in have.items() if len(v)}
    names = sorted(have, key=lambda k: float(have[k].mean()))
    steps = [differ(have[a], have[b]) for a, b in itertools.pairwise(names)]
    return Order(names, steps, min((len(v) for v in have.values()), default=0))


def order_note(orders: Iterable[Order]) -> str:
    """The legend of order texts: what <, ≈ and ? mean, with the seeds they rest on."""
    found = list(orders)
    if not found:
        return ""
    n = sorted({o.n_min for o in found})
    seeds = f"{n[0]}" if len(n) == 1 else f"{n[0]} to {n[-1]}"
    words = [f"`<`: lower at 95% confidence ({TEST_WORDS}, {seeds} seeds per method)"]
    if any(s is False for o in found for s in o.steps):
        words.append(f"`≈`: the difference is not significant with {seeds} seeds")
    if any(s is None for o in found for s in o.steps):
        words.append("`?`: not testable (fewer than 2 seeds)")
    return "; ".join(words) + "."
