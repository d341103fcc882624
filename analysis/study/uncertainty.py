# SPDX-License-Identifier: MIT
"""How sure a mean over seeds is, and whether two of them differ: one definition for every table.

A study repeats each point over seeds; a mean over n seeds is shown with its
spread (sample standard deviation, n - 1) and its 95% confidence interval, a
Student t interval with n - 1 degrees of freedom (`estimate`).

Two means are called different only when a t-test rejects equality at the 5%
level (two-sided); otherwise the report says the difference is not significant
with the seeds it has. Which test depends on how the runs were drawn:

- **paired** (`paired_p`): the methods of one study at one network seed share
  every draw of that seed (the same critical flows, offsets and periods; and in
  a rounds study, at one training seed, the same training draws): common random
  numbers. The per-seed differences then carry the methods' difference without
  the seed's own variation, and the test is a one-sample t-test of those
  differences against 0 (n - 1 degrees of freedom), as for the deltas against
  the no-ML baseline. Used where both cells have values at 2 or more common seeds.
- **Welch** (`welch_p`): unequal-variance t-test of the two samples, for cells
  that share no seeds (two studies in `fogcosim compare`).

Non-overlapping intervals are not the criterion: two 95% intervals of paired
cells can overlap a lot while every seed shows the same difference. scipy.stats
computes the quantiles and the tests.
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
PAIRED_WORDS = "paired t-test on the per-seed differences (runs of equal seeds share their draws)"


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


def _no_spread(*groups: np.ndarray) -> bool:
    """Whether every group is one value repeated (to rounding: 1e-9 of its magnitude)."""
    return all(np.ptp(g) <= 1e-9 * max(1.0, float(np.max(np.abs(g)))) for g in groups)


def welch_p(a: Iterable[float], b: Iterable[float]) -> float:
    """Two-sided p-value of Welch's t-test that a and b have equal means (NaN below 2 each).

    Two groups without spread (every seed gave the same value) differ exactly
    when their values differ: p is then 0 or 1.
    """
    x, y = clean(a), clean(b)
    if len(x) < 2 or len(y) < 2:
        return math.nan
    if _no_spread(x, y):
        return 1.0 if _no_spread(np.array([x[0], y[0]])) else 0.0
    with warnings.catch_warnings():
        # a group without spread (a baseline equal in every seed) is fine for Welch's test;
        # scipy warns about its zero variance as if it were lost precision
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_ind(x, y, equal_var=False).pvalue)


def paired_p(differences: Iterable[float]) -> float:
    """Two-sided p-value of the one-sample t-test that paired differences average 0 (NaN: < 2).

    Differences without spread (every seed the same) are significant exactly
    when they are not 0: p is then 0 or 1.
    """
    d = clean(differences)
    if len(d) < 2:
        return math.nan
    if _no_spread(d):
        return 1.0 if abs(d[0]) <= 1e-9 * max(1.0, float(np.max(np.abs(d)))) else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # as in welch_p
        return float(stats.ttest_1samp(d, 0.0).pvalue)


def differ(a: Iterable[float], b: Iterable[float]) -> bool | None:
    """True if the means differ at 5% (Welch), False if not, None if not testable (< 2 each)."""
    p = welch_p(a, b)
    return None if math.isnan(p) else p < ALPHA


def excludes_zero(values: Iterable[float]) -> bool | None:
    """Whether paired differences average other than 0 at 5% (their 95% interval excludes 0).

    None below 2 differences. The same test as `paired_p`: the t interval
    excludes 0 exactly when the one-sample t-test rejects 0 at 5%.
    """
    p = paired_p(values)
    return None if math.isnan(p) else p < ALPHA


#: A cell's values: a sequence (unpaired), or seed key -> value (paired where keys are shared).
Values = Sequence[float] | Mapping[object, float]


@dataclass(frozen=True)
class Step:
    """The test between two neighbours of an order."""

    significant: bool | None  # None: not testable (fewer than 2 values, or 2 common seeds)
    paired: bool
    n: int  # the values (paired: common seeds) the test used


def compare(a: Values, b: Values) -> Step:
    """Test a against b: paired on their common seeds where both are keyed and share 2+."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        common = [k for k in a if k in b and np.isfinite(a[k]) and np.isfinite(b[k])]
        if len(common) >= 2:
            p = paired_p([float(b[k]) - float(a[k]) for k in common])
            return Step(p < ALPHA, True, len(common))
    x = clean(a.values() if isinstance(a, Mapping) else a)
    y = clean(b.values() if isinstance(b, Mapping) else b)
    p = welch_p(x, y)
    return Step(None if math.isnan(p) else p < ALPHA, False, min(len(x), len(y)))


@dataclass(frozen=True)
class Order:
    """Groups from lowest to highest mean, and which neighbours differ significantly."""

    names: list[str]
    #: the test between each neighbour pair (i, i+1)
    tests: list[Step]
    #: smallest number of values of any group compared
    n_min: int

    @property
    def steps(self) -> list[bool | None]:
        """Per neighbour pair: True (differ at 5%), False (not significant), None (untested)."""
        return [t.significant for t in self.tests]

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


def order(groups: Mapping[str, Values]) -> Order:
    """Sort groups by mean and test each neighbour pair (`compare`: paired where it can be)."""
    have: dict[str, Values] = {}
    for name, values in groups.items():
        if isinstance(values, Mapping):
            kept = {k: float(v) for k, v in values.items() if v is not None and np.isfinite(v)}
            if kept:
                have[name] = kept
        elif len(clean(values)):
            have[name] = list(clean(values))

    def mean(name: str) -> float:
        v = have[name]
        return float(np.mean(list(v.values()) if isinstance(v, Mapping) else v))

    names = sorted(have, key=mean)
    tests = [compare(have[a], have[b]) for a, b in itertools.pairwise(names)]
    return Order(names, tests, min((len(v) for v in have.values()), default=0))


def order_note(orders: Iterable[Order], unit: str = "method") -> str:
    """The legend of order texts: what <, ≈ and ? mean, which test, over how many seeds."""
    found = list(orders)
    tests = [t for o in found for t in o.tests]
    if not tests:
        return ""
    counts = sorted({t.n for t in tests})
    seeds = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
    how = []
    if any(t.paired for t in tests):
        how.append(f"{PAIRED_WORDS} at the 5% level")
    if any(not t.paired for t in tests):
        how.append(f"{TEST_WORDS}" + (f" ({unit}s without common seeds)" if how else ""))
    words = [f"`<`: lower at 95% confidence ({'; '.join(how)}; {seeds} seeds per {unit})"]
    if any(t.significant is False for t in tests):
        words.append(f"`≈`: the difference is not significant with {seeds} seeds")
    if any(t.significant is None for t in tests):
        words.append("`?`: not testable (fewer than 2 seeds)")
    return "; ".join(words) + "."


@dataclass(frozen=True)
class Difference:
    """The difference b − a of two cells, with its 95% interval and the test behind it."""

    mean: float
    low: float  # NaN where not testable
    high: float
    p: float  # two-sided; NaN where not testable
    n: int  # common seeds (paired) or the smaller sample (Welch)
    paired: bool

    @property
    def significant(self) -> bool | None:
        """Whether the difference is significant at 5% (None: not testable)."""
        return None if math.isnan(self.p) else self.p < ALPHA


def difference(a: Values, b: Values) -> Difference:
    """The difference b − a: paired on 2+ common seeds where both are keyed, else Welch.

    Paired: the mean of the per-seed differences with their t interval and the
    one-sample t-test (`paired_p`). Welch: the difference of the means with the
    Welch–Satterthwaite interval of `scipy.stats.ttest_ind` (`welch_p`). Values
    without spread give a zero-width interval at the difference.
    """
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        common = [k for k in a if k in b and np.isfinite(a[k]) and np.isfinite(b[k])]
        if len(common) >= 2:
            d = clean(float(b[k]) - float(a[k]) for k in common)
            est = estimate(d)
            low, high = (est.low, est.high) if math.isfinite(est.low) else (est.mean, est.mean)
            return Difference(est.mean, low, high, paired_p(d), len(common), True)
    x = clean(a.values() if isinstance(a, Mapping) else a)
    y = clean(b.values() if isinstance(b, Mapping) else b)
    if not len(x) or not len(y):
        return Difference(math.nan, math.nan, math.nan, math.nan, 0, False)
    diff = float(y.mean() - x.mean())
    p = welch_p(x, y)
    low = high = math.nan
    if not math.isnan(p):
        if _no_spread(x, y):
            low = high = diff
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # as in welch_p
                ci = stats.ttest_ind(y, x, equal_var=False).confidence_interval(LEVEL)
            low, high = float(ci.low), float(ci.high)
    return Difference(diff, low, high, p, min(len(x), len(y)), False)
