"""The follow-up services on generated data: trend tests, benchmark labels, gap measures, proposals."""

import numpy as np
import pandas as pd
import pytest
from django.core.cache import cache

from livsvillkor.followup import rules, services
from livsvillkor.framework.models import EffectGoal, Indicator
from livsvillkor.framework.services import load_framework
from livsvillkor.observations.models import ImportBatch
from livsvillkor.observations.services import import_observations
from tests.conftest import ROOT
from tests.portal.sample import load_sample


def _series(values, *, ci=None, num=None, den=None, start=2015, breaks=None):
    n = len(values)
    frame = pd.DataFrame(
        {
            "period_start": np.arange(start, start + n),
            "period_end": np.arange(start, start + n),
            "value": np.asarray(values, dtype=float),
            "suppressed": False,
            "break_in_series": breaks if breaks is not None else [False] * n,
        }
    )
    if ci is not None:
        frame["ci_low"] = frame["value"] - ci
        frame["ci_high"] = frame["value"] + ci
    if num is not None:
        frame["numerator"] = np.asarray(num, dtype=float)
        frame["denominator"] = np.asarray(den, dtype=float)
    return frame


def test_trend_needs_five_points():
    trend = services.trend_test(_series([1, 2, 3, 4]))
    assert trend.direction is None and "Färre än 5" in trend.reason
    assert trend.development("higher") == rules.Development.NOT_ASSESSABLE


def test_trend_refuses_a_series_break():
    trend = services.trend_test(_series([1, 2, 3, 4, 5], breaks=[False, False, True, False, False]))
    assert trend.direction is None and "Tidsseriebrott" in trend.reason
    assert trend.development("higher") == rules.Development.NOT_ASSESSABLE


def test_cochran_armitage_detects_a_rising_proportion():
    den = [1000] * 5
    num = [100, 120, 140, 160, 180]
    trend = services.trend_test(_series([n / 10 for n in num], num=num, den=den), "proportion", "higher")
    assert trend.method == "Cochran–Armitage"
    assert trend.direction == "increasing" and trend.significant
    assert trend.development("lower") == rules.Development.WORSENING
    assert trend.label() == "Ökande och förbättras"
    # Numerators of a rate are not a binomial count: the regression on the CIs is used instead.
    rate = _series([n / 10 for n in num], num=num, den=den, ci=0.5)
    assert services.trend_test(rate, "rate").method == "viktad regression"


def test_cochran_armitage_matches_the_textbook_statistic():
    # Chi-square for linear trend = z²; compare with statsmodels' Cochran-Armitage-equivalent test.
    from statsmodels.stats.contingency_tables import Table

    num = np.array([30, 35, 28, 45, 50])
    den = np.array([300, 310, 290, 305, 300])
    trend = services.trend_test(_series(num / den * 100, num=num, den=den), "proportion")
    table = Table(np.column_stack([num, den - num]))
    expected = table.test_ordinal_association(row_scores=np.arange(5), col_scores=np.array([1, 0]))
    # statsmodels gives Mantel's linear-by-linear statistic, which is Cochran–Armitage's × √((N−1)/N).
    from scipy.stats import norm

    n = den.sum()
    z_ours = norm.isf(trend.p_value / 2)
    assert z_ours * np.sqrt((n - 1) / n) == pytest.approx(abs(expected.zscore), rel=1e-9)
    assert trend.direction == "increasing" and trend.significant


def test_weighted_regression_no_change_on_noisy_flat_series():
    trend = services.trend_test(_series([10, 12, 9, 11, 10], ci=5))
    assert trend.method == "viktad regression"
    assert trend.significant is False
    assert trend.development("higher") == rules.Development.NO_CHANGE
    assert trend.label() == "Ingen signifikant förändring"


def test_compare_labels_with_and_without_polarity():
    values, lows, highs = [20, 11, 5], [18, 9, 4], [22, 13, 6]
    assert list(services.compare(values, lows, highs, 10.0, "higher")) == ["better", "similar", "worse"]
    assert list(services.compare(values, lows, highs, 10.0, "lower")) == ["worse", "similar", "better"]
    assert list(services.compare(values, lows, highs, 10.0, "none")) == ["higher", "similar", "lower"]
    assert list(services.compare([20], [np.nan], [np.nan], 10.0, "higher")) == ["not_compared"]


@pytest.fixture
def sample(db):
    cache.clear()
    load_framework(ROOT / "frameworks" / "boras-2021-2024.yaml")
    load_sample()
    return Indicator.objects.get(code="lag-ekonomisk-standard")


def test_indicator_status_on_sample(sample):
    status = services.indicator_status(sample)
    # The generated share falls 0.5 points a year: a significant improvement for a "lower" indicator.
    assert status.trend.direction == "decreasing" and status.trend.significant
    assert status.development == rules.Development.IMPROVING
    assert status.latest["period"] == "2024"
    assert status.benchmark["area"] == "Sverige"
    assert status.benchmark["comparison"] in {"better", "similar", "worse"}
    assert status.gap is not None and status.gap.dimension == "area_type"


def test_gap_between_backgrounds_widens(sample):
    gap = services.gap(sample, "background")
    assert set(gap.measures["measure"]) == {"D", "R"}
    latest = gap.latest().set_index("measure")
    assert latest.loc["D", "estimate"] > 0
    # The generated foreign-background share grows relative to the Swedish one every year.
    assert gap.development == rules.GapDevelopment.WIDENING


def test_area_type_gap_uses_sii(sample):
    gap = services.gap(sample, "area_type")
    latest = gap.latest().set_index("measure")
    assert {"SII", "RII"} <= set(latest.index)
    assert np.isfinite(latest.loc["SII", "estimate"])
    assert latest.loc["SII", "ci_low"] < latest.loc["SII", "estimate"] < latest.loc["SII", "ci_high"]


def test_effect_goal_proposal_counts_its_indicators(sample):
    goal = EffectGoal.objects.get(code="2.1")
    proposal = services.effect_goal_proposal(goal)
    codes = {s.code for s in proposal.statuses}
    assert codes == {"lag-ekonomisk-standard", "forvarvsarbetande-20-64"}
    assert proposal.result.total == 2
    assert "lag-ekonomisk-standard" in proposal.result.improving


def test_cache_is_invalidated_by_an_import(sample):
    before = services.indicator_status(sample)
    version = services.data_version()
    frame = pd.DataFrame(
        [
            {
                "indicator": sample.code,
                "period": "2025",
                "area_code": "1490",
                "value": "1",
                "numerator": "700",
                "denominator": "70000",
            }
        ]
    ).astype(str)
    import_observations(frame, source="test", parameters={})
    assert services.data_version() != version
    assert services.data_version().startswith(f"{ImportBatch.objects.latest('id').id}.")
    after = services.indicator_status(sample)
    assert before.latest["period"] == "2024" and after.latest["period"] == "2025"


def test_missing_intervals_are_computed_by_the_indicators_method(sample):
    from livsvillkor.stats.intervals import wilson

    frame = pd.DataFrame(
        {
            "value": [10.0, 50.0, np.nan],
            "numerator": [10.0, 50.0, np.nan],
            "denominator": [100.0, 100.0, np.nan],
            "ci_low": [np.nan, 40.0, np.nan],
            "ci_high": [np.nan, 60.0, np.nan],
            "suppressed": [False, False, True],
        }
    )
    out = services.with_intervals(frame, sample)  # a proportion (scale 100) with Wilson intervals
    lo, hi = wilson(np.array([10.0]), np.array([100.0]))
    assert out.loc[0, "ci_low"] == pytest.approx(lo[0] * 100) and out.loc[0, "ci_high"] == pytest.approx(
        hi[0] * 100
    )
    assert (out.loc[1, "ci_low"], out.loc[1, "ci_high"]) == (40.0, 60.0)  # given by the source: kept
    assert np.isnan(out.loc[2, "ci_low"])  # suppressed: stays blank
    sample.ci_method = Indicator.CIMethod.NONE
    assert np.isnan(services.with_intervals(frame, sample).loc[0, "ci_low"])
