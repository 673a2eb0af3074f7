"""Confidence intervals by value type (STATISTICS.md section 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint

from livsvillkor.core.errors import InputError
from livsvillkor.stats import intervals


@pytest.mark.parametrize("level", intervals.LEVELS)
def test_wilson_matches_statsmodels(level):
    x = np.array([0, 1, 3, 7, 50, 99, 100, 12, 0, 5])
    n = np.array([10, 10, 20, 30, 100, 100, 100, 1000, 1, 5])
    low, high = intervals.wilson(x, n, level)
    ref_low, ref_high = proportion_confint(x, n, alpha=1 - level, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)


def test_wilson_rejects_impossible_counts():
    low, high = intervals.wilson([5, -1, 3], [0, 10, 2])
    assert np.isnan(low).all() and np.isnan(high).all()


@pytest.mark.parametrize("level", intervals.LEVELS)
def test_exact_poisson_matches_scipy_poisson_tails(level):
    alpha = 1 - level
    for o in [0, 1, 2, 5, 9, 25]:
        low, high = intervals.exact_poisson(o, level)
        # Upper limit U: P(X ≤ O | U) = α/2; lower limit L: P(X ≥ O | L) = α/2.
        upper = optimize.brentq(lambda m, o=o: stats.poisson.cdf(o, m) - alpha / 2, 1e-9, 200)
        assert high[0] == pytest.approx(upper, rel=1e-7)
        if o == 0:
            assert low[0] == 0
        else:
            lower = optimize.brentq(lambda m, o=o: stats.poisson.sf(o - 1, m) - alpha / 2, 1e-9, 200)
            assert low[0] == pytest.approx(lower, rel=1e-7)


def test_byar_is_close_to_exact_for_larger_counts_and_used_from_ten():
    counts = np.array([10, 50, 200, 1000])
    bl, bh = intervals.byar(counts)
    el, eh = intervals.exact_poisson(counts)
    np.testing.assert_allclose(bl, el, rtol=0.01)
    np.testing.assert_allclose(bh, eh, rtol=0.01)
    low, high = intervals.poisson_count([9, 10])
    assert low[0] == intervals.exact_poisson(9)[0][0]
    assert low[1] == intervals.byar(10)[0][0]


def test_crude_rate_scales_the_count_interval():
    low, high = intervals.crude_rate(25, 50_000, per=100_000)
    cl, ch = intervals.poisson_count(25)
    assert low[0] == pytest.approx(cl[0] * 2)
    assert high[0] == pytest.approx(ch[0] * 2)


def test_dobson_with_one_stratum_is_the_crude_rate_interval():
    out = intervals.directly_standardised_rate([30], [12_000], [1.0], per=100_000)
    low, high = intervals.crude_rate(30, 12_000, per=100_000)
    assert out["value"] == pytest.approx(250.0)
    assert out["ci_low"] == pytest.approx(low[0])
    assert out["ci_high"] == pytest.approx(high[0])


def test_dobson_with_strata_contains_the_rate():
    out = intervals.directly_standardised_rate([5, 20, 60], [10_000, 8_000, 4_000], [0.5, 0.3, 0.2])
    assert out["ci_low"] < out["value"] < out["ci_high"]


def test_t_interval_matches_scipy():
    low, high = intervals.t_interval(10.0, 2.0, 16, 0.998)
    ref = stats.t.interval(0.998, 15, loc=10.0, scale=2.0 / 4)
    assert (low[0], high[0]) == pytest.approx(ref)
    assert np.isnan(intervals.t_interval(1.0, 1.0, 1)[0][0])


def test_z_values_and_bad_level():
    assert intervals.z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert intervals.z_value(0.998) == pytest.approx(3.090232, abs=1e-6)
    with pytest.raises(InputError, match="level"):
        intervals.z_value(95)


def test_add_intervals_by_value_type_keeps_given_bounds():
    df = pd.DataFrame(
        {
            "value_type": ["proportion", "rate", "mean", "se", "se"],
            "value": [30.0, 250.0, 10.0, 5.0, 5.0],
            "numerator": [30, 25, np.nan, np.nan, np.nan],
            "denominator": [100, 10_000, np.nan, np.nan, np.nan],
            "scale": [100, np.nan, np.nan, np.nan, np.nan],
            "per": [np.nan, 100_000, np.nan, np.nan, np.nan],
            "sd": [np.nan, np.nan, 2.0, np.nan, np.nan],
            "n": [np.nan, np.nan, 16, np.nan, np.nan],
            "se": [np.nan, np.nan, np.nan, 1.0, 1.0],
            "ci_low": [np.nan, np.nan, np.nan, np.nan, 1.0],
            "ci_high": [np.nan, np.nan, np.nan, np.nan, 9.5],
        }
    )
    out = intervals.add_intervals(df)
    assert out.loc[0, "ci_low"] == pytest.approx(100 * intervals.wilson(30, 100)[0][0])
    assert (out["ci_low"] < out["value"]).all() and (out["value"] < out["ci_high"]).all()
    assert out.loc[3, "ci_high"] == pytest.approx(5 + 1.959964, abs=1e-6)
    assert (out.loc[4, "ci_low"], out.loc[4, "ci_high"]) == (1.0, 9.5)
    df.loc[1, "value_type"] = "kvot"
    with pytest.raises(InputError, match="kvot"):
        intervals.add_intervals(df)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000), st.floats(0, 1), st.sampled_from(intervals.LEVELS))
def test_property_intervals_contain_the_estimate(n, share, level):
    x = int(round(share * n))
    low, high = intervals.wilson(x, n, level)
    assert 0 <= low[0] <= x / n <= high[0] <= 1
    low, high = intervals.poisson_count(x, level)
    assert low[0] <= x <= high[0]


def test_wilson_coverage_by_simulation():
    """Empirical coverage of the 95 % Wilson interval is within ±1.5 % of 95 % (fixed seed)."""
    rng = np.random.default_rng(20261122)
    hits = []
    for p, n in [(0.3, 80), (0.5, 200), (0.15, 400)]:
        x = rng.binomial(n, p, size=20_000)
        low, high = intervals.wilson(x, np.full(x.shape, n))
        hits.append(((low <= p) & (p <= high)).mean())
    for h in hits:
        assert abs(h - 0.95) <= 0.015, hits
