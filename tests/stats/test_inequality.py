"""Summary measures of inequality: direction rules, applicability, errors, batches and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from livsvillkor.core.errors import InputError
from livsvillkor.stats import inequality
from livsvillkor.stats.inequality import MEASURES, compute

ANALYTIC = ("D", "R", "BGV", "TI", "MLD", "PAR", "PAF", "ACI", "RCI", "SII", "RII")
NON_ORDERED_MEASURES = [m for m in MEASURES if m not in inequality.ORDERED_ONLY]
WEIGHTED = (
    "BGV",
    "BGSD",
    "COV",
    "MDMW",
    "MDBW",
    "MDRW",
    "IDISW",
    "TI",
    "MLD",
    "PAR",
    "PAF",
    "ACI",
    "RCI",
    "SII",
    "RII",
)


def frame(estimates, *, se=None, pop=None, ordered=False, fav=True, ref=None, group="g", scale=100):
    n = len(estimates)
    return pd.DataFrame(
        {
            "group": group,
            "subgroup": [f"s{i}" for i in range(n)],
            "estimate": estimates,
            "se": se if se is not None else [1.0] * n,
            "population": pop if pop is not None else [100.0] * n,
            "ordered_dimension": int(ordered),
            "subgroup_order": list(range(1, n + 1)) if ordered else 0,
            "favourable_indicator": int(fav),
            "reference_subgroup": [int(i == ref) for i in range(n)],
            "indicator_scale": scale,
        }
    )


def one(df, measure, **kw):
    return compute(df, ["group"], [measure], **kw).iloc[0]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"ordered": True, "fav": True}, 60 - 20),  # most advantaged − most disadvantaged
        ({"ordered": True, "fav": False}, 20 - 60),  # most disadvantaged − most advantaged
        ({"ordered": False, "fav": True}, 70 - 20),  # highest − lowest
        ({"ordered": False, "fav": False}, 70 - 20),  # highest − lowest (HEAT, whatever the polarity)
        ({"ordered": False, "fav": True, "ref": 2}, 40 - 20),  # reference − lowest
        ({"ordered": False, "fav": False, "ref": 2}, 70 - 40),  # highest − reference
    ],
)
def test_difference_direction_rules(kwargs, expected):
    df = frame([20.0, 30.0, 40.0, 70.0, 60.0], **kwargs)
    row = one(df, "D")
    assert row["estimate"] == pytest.approx(expected)
    assert row["se"] == pytest.approx(np.sqrt(2))
    r = one(df, "R")
    d_pairs = {40: (60, 20), -40: (20, 60), 50: (70, 20), 20: (40, 20), 30: (70, 40)}
    a, b = d_pairs[expected]
    assert r["estimate"] == pytest.approx(a / b)
    assert r["ci_low"] < r["estimate"] < r["ci_high"]


def test_simple_formulas_by_hand():
    df = frame([10.0, 20.0, 30.0], se=[1.0, 2.0, 3.0], pop=[100.0, 200.0, 700.0])
    mu = 0.1 * 10 + 0.2 * 20 + 0.7 * 30
    assert one(df, "BGV")["estimate"] == pytest.approx(
        0.1 * (10 - mu) ** 2 + 0.2 * (20 - mu) ** 2 + 0.7 * (30 - mu) ** 2
    )
    assert one(df, "MDMU")["estimate"] == pytest.approx((abs(10 - mu) + abs(20 - mu) + abs(30 - mu)) / 3)
    assert one(df, "MDBW")["estimate"] == pytest.approx(0.1 * 20 + 0.2 * 10)
    r = np.array([10, 20, 30]) / mu
    p = np.array([0.1, 0.2, 0.7])
    assert one(df, "TI")["estimate"] == pytest.approx(1000 * np.sum(p * r * np.log(r)))
    assert one(df, "MLD")["estimate"] == pytest.approx(1000 * np.sum(-p * np.log(r)))
    assert one(df, "PAR")["estimate"] == pytest.approx(30 - mu)
    assert one(df, "PAF")["estimate"] == pytest.approx(100 * (30 - mu) / mu)
    # Adverse: the best subgroup is the lowest, and PAR runs downwards.
    adverse = frame([10.0, 20.0, 30.0], pop=[100.0, 200.0, 700.0], fav=False)
    assert one(adverse, "PAR")["estimate"] == pytest.approx(10 - mu)


def test_measures_that_do_not_apply_get_a_reason_and_the_batch_goes_on():
    two = frame([10.0, 20.0], group="two")
    ordered = frame([10.0, 20.0, 30.0, 40.0], ordered=True, group="ordered")
    missing = frame([10.0, np.nan, np.nan, 30.0, 35.0, 40.0, 45.0], group="missing")  # 2/7 > 15 %
    ok = frame([10.0, 20.0, 30.0, 25.0], group="ok")
    out = compute(pd.concat([two, ordered, missing, ok]), ["group"])
    reason = out.set_index(["group", "measure"])["reason"]
    assert reason["two", "BGV"] == inequality.REASON_MORE_THAN_TWO
    assert pd.isna(reason["two", "D"])
    assert reason["ordered", "TI"] == inequality.REASON_NON_ORDERED_ONLY
    assert reason["ok", "SII"] == inequality.REASON_ORDERED_ONLY
    assert reason["ok", "MDRU"] == inequality.REASON_REFERENCE
    missing_rows = out[(out["group"] == "missing") & ~out["measure"].isin(inequality.ORDERED_ONLY)]
    assert (missing_rows["reason"] == inequality.REASON_MISSING).all()
    assert out[(out["group"] == "ok") & out["reason"].isna()]["estimate"].notna().all()
    assert out[out["reason"].notna()][["estimate", "se", "ci_low", "ci_high"]].isna().all().all()
    assert len(out) == 4 * len(MEASURES)
    trimmed = compute(pd.concat([two, ok]), ["group"], applicable_only=True)
    assert "SII" not in set(trimmed["measure"]) and "BGV" in set(trimmed["measure"])


def test_one_missing_subgroup_of_seven_is_allowed_on_a_non_ordered_dimension():
    df = frame([10.0, np.nan, 20.0, 30.0, 35.0, 40.0, 45.0])
    row = one(df, "BGV")
    assert pd.isna(row["reason"])
    expected = one(frame([10.0, 20.0, 30.0, 35.0, 40.0, 45.0]), "BGV")["estimate"]
    assert row["estimate"] == pytest.approx(expected)
    ordered = frame([10.0, np.nan, 20.0, 30.0, 35.0, 40.0, 45.0], ordered=True)
    assert one(ordered, "SII")["reason"] == inequality.REASON_MISSING_ORDERED


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("population", -1.0, "negativt"),
        ("se", -0.5, "negativt"),
        ("estimate", "många", "inte ett tal"),
        ("subgroup", "s0", "dubblett"),
        ("favourable_indicator", 2, "0 eller 1"),
    ],
)
def test_malformed_input_names_the_group_and_column(column, value, message):
    df = frame([10.0, 20.0, 30.0], group="Borås 2024")
    df[column] = df[column].astype(object)
    df.loc[1, column] = value
    with pytest.raises(InputError) as info:
        compute(df, ["group"])
    text = str(info.value)
    assert "group=Borås 2024" in text and column in text and message in text


def test_bad_parameters():
    df = frame([10.0, 20.0, 30.0])
    with pytest.raises(InputError, match="XYZ"):
        compute(df, ["group"], ["XYZ"])
    with pytest.raises(InputError, match="sii_model"):
        compute(df, ["group"], sii_model="probit")
    with pytest.raises(InputError, match="estimate"):
        compute(df.drop(columns="estimate"), ["group"])


def test_se_from_interval_bounds_when_se_is_missing():
    df = frame([10.0, 20.0, 30.0])
    df["se"] = np.nan
    df["ci_lb"] = df["estimate"] - 1.959964
    df["ci_ub"] = df["estimate"] + 1.959964
    assert one(df, "D")["se"] == pytest.approx(np.sqrt(2), rel=1e-6)


def _random_groups(n_groups, rng, ordered=False):
    frames = []
    for i in range(n_groups):
        j = int(rng.integers(3, 8))
        frames.append(
            frame(
                list(rng.uniform(5, 95, j)),
                se=list(rng.uniform(0.5, 4, j)),
                pop=list(rng.uniform(50, 5000, j)),
                ordered=ordered,
                fav=bool(rng.integers(0, 2)),
                ref=int(rng.integers(0, j)),
                group=f"g{i:03d}",
            )
        )
    return frames


@pytest.mark.parametrize("ordered", [False, True])
def test_a_batch_equals_the_groups_computed_one_by_one(ordered):
    rng = np.random.default_rng(7)
    frames = _random_groups(12, rng, ordered=ordered)
    measures = [m for m in MEASURES if m not in inequality.SIMULATED]
    batch = compute(pd.concat(frames), ["group"], measures)
    single = pd.concat([compute(f, ["group"], measures) for f in frames], ignore_index=True)
    pd.testing.assert_frame_equal(batch, single, check_exact=False, rtol=1e-9)


def test_linear_sii_matches_statsmodels_wls_with_hc1():
    est = np.array([20.0, 30.0, 40.0, 50.0, 60.0])
    pop = np.array([78.0, 91.0, 162.0, 103.0, 105.0])
    df = frame(list(est), pop=list(pop), ordered=True)
    row = one(df, "SII", sii_model="linear")
    p = pop / pop.sum()
    rank = np.cumsum(p) - p / 2
    fit = sm.WLS(est / 100, sm.add_constant(rank), weights=pop).fit(cov_type="HC1")
    assert row["estimate"] == pytest.approx(100 * fit.params[1])
    assert row["se"] == pytest.approx(100 * fit.bse[1])
    rii = one(df, "RII", sii_model="linear")
    assert rii["estimate"] == pytest.approx((fit.params[0] + fit.params[1]) / fit.params[0])


def test_logit_sii_matches_a_statsmodels_binomial_glm():
    est = np.array([75.6, 91.0, 96.0, 97.0, 98.9])
    pop = np.array([2072.4, 2112.2, 1983.1, 2052.1, 1900.0])
    df = frame(list(est), pop=list(pop), ordered=True)
    n = np.ceil(pop)
    prop = np.round(est / 100 * n) / n
    p = pop / pop.sum()
    rank = np.cumsum(p) - p / 2
    fit = sm.GLM(prop, sm.add_constant(rank), family=sm.families.Binomial(), var_weights=n * n).fit()
    b0, b1 = fit.params
    expit = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    assert one(df, "SII")["estimate"] == pytest.approx(100 * (expit(b0 + b1) - expit(b0)), rel=1e-8)
    assert one(df, "RII")["estimate"] == pytest.approx(expit(b0 + b1) / expit(b0), rel=1e-8)


def test_simulation_is_reproducible_and_draws_matter():
    df = frame([10.0, 20.0, 30.0, 25.0], se=[2.0, 2.0, 3.0, 1.0])
    a = one(df, "BGSD", draws=200, seed=5)
    b = one(df, "BGSD", draws=200, seed=5)
    c = one(df, "BGSD", draws=200, seed=6)
    assert (a["ci_low"], a["ci_high"]) == (b["ci_low"], b["ci_high"])
    assert a["ci_low"] != c["ci_low"]
    assert np.isnan(one(df, "BGSD", draws=0)["ci_low"])


@st.composite
def groups(draw, ordered=False):
    j = draw(st.integers(3, 7))
    est = draw(st.lists(st.floats(1, 99), min_size=j, max_size=j))
    se = draw(st.lists(st.floats(0.1, 5), min_size=j, max_size=j))
    pop = draw(st.lists(st.floats(10, 10_000), min_size=j, max_size=j))
    return frame(
        est, se=se, pop=pop, ordered=ordered, fav=draw(st.booleans()), ref=draw(st.integers(0, j - 1))
    )


@settings(max_examples=30, deadline=None)
@given(groups(), st.randoms(use_true_random=False))
def test_property_permuting_subgroups_changes_no_unordered_measure(df, random):
    rows = list(range(len(df)))
    random.shuffle(rows)
    a = compute(df, ["group"], NON_ORDERED_MEASURES, draws=20)
    b = compute(df.iloc[rows], ["group"], NON_ORDERED_MEASURES, draws=20)
    pd.testing.assert_series_equal(a["estimate"], b["estimate"], rtol=1e-9)
    pd.testing.assert_series_equal(a["se"], b["se"], rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.booleans().flatmap(lambda o: groups(ordered=o)), st.floats(0.01, 1000))
def test_property_scaling_populations_changes_no_weighted_measure(df, factor):
    scaled = df.assign(population=df["population"] * factor)
    measures = [m for m in WEIGHTED if m not in ("SII", "RII")]  # SII/RII round counts of people
    a = compute(df, ["group"], measures, draws=0)
    b = compute(scaled, ["group"], measures, draws=0)
    pd.testing.assert_series_equal(a["estimate"], b["estimate"], rtol=1e-7)
    # PAR/PAF's SE (Walter) treats the populations as sample sizes, so only their estimates are invariant.
    same_se = ~a["measure"].isin(["PAR", "PAF"])
    pd.testing.assert_series_equal(a["se"][same_se], b["se"][same_se], rtol=1e-6)
    lin_a = compute(df, ["group"], ["SII", "RII"], sii_model="linear")
    lin_b = compute(scaled, ["group"], ["SII", "RII"], sii_model="linear")
    pd.testing.assert_series_equal(lin_a["estimate"], lin_b["estimate"], rtol=1e-7)


@settings(max_examples=30, deadline=None)
@given(st.booleans().flatmap(lambda o: groups(ordered=o)), st.sampled_from([0.95, 0.998]))
def test_property_intervals_contain_the_estimate(df, level):
    out = compute(df, ["group"], ANALYTIC, level=level)
    ok = out[out["reason"].isna() & out["ci_low"].notna()]
    assert len(ok) > 0
    assert (ok["ci_low"] <= ok["estimate"] + 1e-9).all() and (ok["estimate"] <= ok["ci_high"] + 1e-9).all()


def test_coverage_of_d_and_r_by_simulation():
    """Empirical coverage of the 95 % CIs of D and R over 20 000 simulated surveys (fixed seed)."""
    rng = np.random.default_rng(2026)
    n_sim, n = 20_000, 400
    true = np.array([0.6, 0.4])
    p_hat = rng.binomial(n, true, size=(n_sim, 2)) / n
    df = pd.DataFrame(
        {
            "group": np.repeat(np.arange(n_sim), 2),
            "subgroup": np.tile(["a", "b"], n_sim),
            "estimate": 100 * p_hat.ravel(),
            "se": 100 * np.sqrt(p_hat * (1 - p_hat) / n).ravel(),
            "population": 1000.0,
            "ordered_dimension": 1,
            "subgroup_order": np.tile([2, 1], n_sim),  # a = most advantaged
        }
    )
    out = compute(df, ["group"], ["D", "R"])
    d = out[out["measure"] == "D"]
    r = out[out["measure"] == "R"]
    cover_d = ((d["ci_low"] <= 20) & (20 <= d["ci_high"])).mean()
    cover_r = ((r["ci_low"] <= 1.5) & (1.5 <= r["ci_high"])).mean()
    assert abs(cover_d - 0.95) <= 0.015, cover_d
    assert abs(cover_r - 0.95) <= 0.015, cover_r
