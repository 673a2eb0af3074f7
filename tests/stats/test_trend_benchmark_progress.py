"""Trend tests, benchmark comparison, rank thirds and progress toward a target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.contingency_tables import Table

from livsvillkor.core.errors import InputError
from livsvillkor.stats import benchmark, inequality, progress, trend

YEARS = [2018, 2019, 2020, 2021, 2022, 2023]


def proportion_series(series, numerators, denominators, polarity=1):
    return pd.DataFrame(
        {
            "series": series,
            "period": YEARS[-len(numerators) :],
            "numerator": numerators,
            "denominator": denominators,
            "value": 100 * np.array(numerators) / np.array(denominators),
            "polarity": polarity,
        }
    )


def test_chi_square_for_linear_trend_matches_statsmodels():
    x = np.array([40, 45, 52, 58, 66, 70])
    n = np.array([200, 210, 205, 198, 207, 201])
    out = trend.test_trend(proportion_series("a", x, n), ["series"]).iloc[0]
    # Only the last five points are used.
    table = np.column_stack([x[1:], n[1:] - x[1:]])
    res = Table(table).test_ordinal_association(
        row_scores=np.array(YEARS[1:], float), col_scores=np.array([1.0, 0.0])
    )
    N = n[1:].sum()
    assert out["method"] == "chi2_linear_trend"
    assert out["n_points"] == 5 and out["first_period"] == 2019 and out["last_period"] == 2023
    assert out["statistic"] == pytest.approx(res.zscore**2 * N / (N - 1), rel=1e-9)
    assert out["direction"] == "increasing" and out["assessment"] == "better"
    assert out["label"] == "Ökande och förbättras"


def test_weighted_regression_matches_statsmodels_with_known_variances():
    y = np.array([10.0, 10.4, 11.1, 11.0, 12.2])
    se = np.array([0.3, 0.4, 0.3, 0.5, 0.4])
    df = pd.DataFrame({"series": "s", "period": YEARS[1:], "value": y, "se": se, "polarity": -1})
    out = trend.test_trend(df, ["series"]).iloc[0]
    fit = sm.WLS(y, sm.add_constant(np.array(YEARS[1:], float)), weights=1 / se**2).fit(
        cov_type="fixed scale", cov_kwds={"scale": 1.0}
    )
    assert out["method"] == "weighted_regression"
    assert out["slope"] == pytest.approx(fit.params[1])
    assert out["p_value"] == pytest.approx(fit.pvalues[1])
    assert out["label"] == "Ökande och försämras"


def test_trend_eligibility_rules_and_labels():
    flat = proportion_series("flat", [50, 51, 49, 50, 50], [100] * 5, polarity=0)
    short = proportion_series("short", [50, 60, 70, 80], [100] * 4)
    broken = proportion_series("broken", [10, 20, 30, 40, 50], [100] * 5)
    broken["break_in_series"] = [False, False, True, False, False]
    pooled = pd.DataFrame(
        {
            "series": "pooled",
            "period": [2010, 2012, 2014, 2016, 2018],
            "period_end": [2013, 2015, 2017, 2019, 2021],
            "value": [1.0, 2, 3, 4, 5],
            "se": 0.1,
        }
    )
    no_se = pd.DataFrame({"series": "nose", "period": YEARS[1:], "value": [1.0, 2, 3, 4, 5]})
    out = trend.test_trend(pd.concat([flat, short, broken, pooled, no_se]), ["series"]).set_index("series")
    assert out.loc["flat", "label"] == "Ingen signifikant förändring"
    assert out.loc["short", "reason"] == "Färre än 5 jämförbara tidpunkter"
    assert out.loc["broken", "reason"] == trend.REASON_BREAK
    assert out.loc["pooled", "reason"] == trend.REASON_OVERLAP
    assert out.loc["nose", "reason"] == trend.REASON_NO_SE
    assert (out.loc[["short", "broken"], "label"] == "Kunde inte beräknas").all()
    # A break before the first point of the window does not matter.
    early = proportion_series("early", [10, 20, 30, 40, 50, 60], [100] * 6)
    early["break_in_series"] = [False, True, False, False, False, False]
    assert pd.isna(trend.test_trend(early, ["series"]).iloc[0]["reason"])


def test_gap_trend_on_inequality_measures_over_years():
    rows = []
    for i, year in enumerate(range(2016, 2023)):
        for j, base in enumerate([30.0, 40.0, 50.0, 60.0]):
            # The spread between subgroups shrinks every year.
            rows.append(
                {
                    "period": year,
                    "subgroup": f"s{j}",
                    "estimate": 45 + (base - 45) * (1 - 0.12 * i),
                    "se": 0.5,
                    "population": 1000.0,
                    "ordered_dimension": 1,
                    "subgroup_order": j + 1,
                }
            )
    measures = inequality.compute(pd.DataFrame(rows), ["period"], ["D", "R", "SII", "BGV"])
    out = trend.gap_trend(measures, [], time_col="period").set_index("measure")
    assert out.loc["D", "gap_direction"] == "shrinking"
    assert out.loc["R", "gap_direction"] == "shrinking"
    assert out.loc["SII", "gap_label"] == "Gapet minskar"
    assert "BGV" not in out.index  # not applicable to an ordered dimension: no series at all


def test_benchmark_comparison_with_and_without_polarity():
    df = pd.DataFrame(
        {
            "value": [60.0, 40.0, 50.0, 60.0, 60.0, 60.0],
            "ci_low": [55.0, 35.0, 45.0, 55.0, np.nan, 55.0],
            "ci_high": [65.0, 45.0, 55.0, 65.0, np.nan, 65.0],
            "benchmark_value": [50.0, 50.0, 50.0, 50.0, 50.0, 50.0],
            "benchmark_ci_low": [np.nan, np.nan, np.nan, np.nan, np.nan, 48.0],
            "benchmark_ci_high": [np.nan, np.nan, np.nan, np.nan, np.nan, 56.0],
            "polarity": [1, 1, 1, 0, 1, -1],
        }
    )
    out = benchmark.compare(df)
    assert list(out["comparison"]) == ["better", "worse", "similar", "higher", "not_compared", "similar"]
    assert list(out["comparison_label"])[:2] == ["Bättre", "Sämre"]
    # The stricter 99.8 % level from the SE makes a 95 % difference "similar".
    df2 = pd.DataFrame({"value": [54.0], "se": [1.5], "benchmark_value": [50.0], "polarity": [-1]})
    assert benchmark.compare(df2, level=0.95)["comparison"].iloc[0] == "worse"
    assert benchmark.compare(df2, level=0.998)["comparison"].iloc[0] == "similar"


def test_rank_thirds_are_labelled_as_ranks():
    df = pd.DataFrame({"kommun": list("ABCDEF"), "value": [1.0, 2, 3, 4, 5, 6], "polarity": -1})
    out = benchmark.rank_thirds(df, [])
    assert list(out["rank_third"]) == [1, 1, 2, 2, 3, 3]
    assert out["rank_label"].iloc[0] == "Bästa tredjedelen (rang)"


@pytest.mark.parametrize(
    ("row", "status"),
    [
        ({"latest_value": 82.0, "target_value": 80.0}, "target_achieved"),
        ({"latest_value": 70.0, "target_value": 80.0}, "substantial_progress"),
        ({"latest_value": 66.0, "target_value": 80.0}, "moderate_progress"),
        ({"latest_value": 61.0, "target_value": 80.0}, "limited_progress"),
        ({"latest_value": 55.0, "target_value": 80.0}, "deterioration"),
        ({"latest_value": 66.0}, "substantial_progress"),
        ({"latest_value": 61.8}, "moderate_progress"),
        ({"latest_value": 60.2}, "limited_progress"),
        ({"latest_value": 59.0}, "deterioration"),
        ({"latest_value": 59.0, "direction": -1}, "limited_progress"),
        ({"latest_value": np.nan}, "not_available"),
    ],
)
def test_progress_statuses(row, status):
    base = {"base_year": 2015, "base_value": 60.0, "latest_year": 2020, "target_year": 2025, "direction": 1}
    out = progress.assess(pd.DataFrame([{**base, **row}])).iloc[0]
    assert out["status"] == status, out.to_dict()
    assert out["status_label"] == progress.LABELS[status]


def test_progress_ratio_and_limit_scaling():
    df = pd.DataFrame(
        [{"base_year": 2015, "base_value": 96.0, "latest_year": 2020, "latest_value": 97.0, "direction": 1}]
    )
    plain = progress.assess(df).iloc[0]
    limited = progress.assess(df.assign(limit=100.0)).iloc[0]
    assert plain["status"] == "limited_progress"  # 0.2 % a year
    assert limited["status"] == "substantial_progress"  # near the 100 % ceiling the thresholds shrink
    with_target = progress.assess(df.assign(target_value=99.0, target_year=2025)).iloc[0]
    expected = ((97 / 96) ** (1 / 5) - 1) / ((99 / 96) ** (1 / 10) - 1)
    assert with_target["ratio"] == pytest.approx(expected)
    with pytest.raises(InputError, match="base_value"):
        progress.assess(df.astype({"base_value": object}).assign(base_value="nittio"))
