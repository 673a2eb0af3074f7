"""Trend over time (STATISTICS.md section 4), vectorised over many series.

:func:`test_trend` takes a long table with one row per series × period and returns one row per series.

* **Eligibility**: at least ``min_points`` (5) comparable, non-overlapping points and no series break
  among the points used. The last ``min_points`` points are used.
* **Proportions** (numerator and denominator present): chi-square test for linear trend
  (Cochran–Armitage) with the period as score:
  ``T = Σ xᵢ(tᵢ − t̄)``, ``t̄ = Σ nᵢtᵢ / Σ nᵢ``, ``Var T = p̄(1 − p̄)·Σ nᵢ(tᵢ − t̄)²``, ``χ² = T²/Var T`` (1 df).
* **Other value types**: inverse-variance weighted regression of the value on the period with known
  variances (``se`` or ``(ci_high − ci_low)/(2·1.96)``); ``z = slope / SE(slope)``.
* **Labels**: increasing / decreasing, with polarity "… and getting better / worse"; no significant
  change; could not be calculated (with the reason).

:func:`gap_trend` applies the same regression to a gap measure's own series (output of
:func:`livsvillkor.stats.inequality.compute` over periods): is the gap shrinking?
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.stats.intervals import z_value
from livsvillkor.stats.text import gettext_noop

LABELS = {
    ("increasing", None): gettext_noop("Ökande"),
    ("decreasing", None): gettext_noop("Minskande"),
    ("increasing", "better"): gettext_noop("Ökande och förbättras"),
    ("increasing", "worse"): gettext_noop("Ökande och försämras"),
    ("decreasing", "better"): gettext_noop("Minskande och förbättras"),
    ("decreasing", "worse"): gettext_noop("Minskande och försämras"),
    ("no_change", None): gettext_noop("Ingen signifikant förändring"),
    ("not_calculated", None): gettext_noop("Kunde inte beräknas"),
}
GAP_LABELS = {
    "shrinking": gettext_noop("Gapet minskar"),
    "widening": gettext_noop("Gapet ökar"),
    "no_change": gettext_noop("Ingen signifikant förändring av gapet"),
    "not_calculated": gettext_noop("Kunde inte beräknas"),
}

REASON_FEW_POINTS = gettext_noop("Färre än {n} jämförbara tidpunkter")
REASON_BREAK = gettext_noop("Tidsseriebrott bland de senaste tidpunkterna")
REASON_OVERLAP = gettext_noop("Överlappande perioder")
REASON_NO_SE = gettext_noop("Osäkerhetsmått saknas")
REASON_DEGENERATE = gettext_noop("Ingen variation att testa")

OUTPUT_COLUMNS = [
    "n_points",
    "first_period",
    "last_period",
    "method",
    "slope",
    "statistic",
    "p_value",
    "direction",
    "assessment",
    "label",
    "reason",
]


def _num(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df.columns:
        return np.full(len(df), np.nan)
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() & df[column].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "Icke-numeriskt värde i tidsserien",
            [
                Problem(
                    where=f"rad {df.index[i]}",
                    field=column,
                    value=str(df[column].iloc[i]),
                    message="inte ett tal",
                )
            ],
        )
    return values.to_numpy(dtype=float, na_value=np.nan)


def test_trend(
    df: pd.DataFrame,
    group_cols: list[str],
    *,
    time_col: str = "period",
    value_col: str = "value",
    polarity_col: str = "polarity",
    break_col: str = "break_in_series",
    min_points: int = 5,
    level: float = 0.95,
) -> pd.DataFrame:
    """Test every series of ``df`` for a linear trend over its last ``min_points`` points.

    Columns: ``group_cols``, ``time_col`` (a number, e.g. the year), ``value_col``; for proportions
    ``numerator`` and ``denominator``; otherwise ``se`` or ``ci_low``/``ci_high``; optionally
    ``period_end`` (pooled periods: points overlap when one starts before the previous one ends),
    ``break_col`` (True where the series breaks *before* this point) and ``polarity_col`` (1 higher is
    better, −1 lower is better, 0/empty no judgement). Rows with a missing value are not points.

    Returns one row per series: ``group_cols`` + :data:`OUTPUT_COLUMNS`. ``direction`` is increasing,
    decreasing, no_change or not_calculated; ``assessment`` better/worse (with polarity) or empty.
    """
    missing = [c for c in [*group_cols, time_col, value_col] if c not in df.columns]
    if missing:
        raise InputError(
            "Kolumner saknas för trendtest",
            [Problem(where="indata", field=c, message="kolumnen saknas") for c in missing],
        )
    data = df.reset_index(drop=True)
    t = _num(data, time_col)
    y = _num(data, value_col)
    keep = ~np.isnan(y) & ~np.isnan(t)
    data = data[keep].reset_index(drop=True)
    t, y = t[keep], y[keep]
    num, den = _num(data, "numerator"), _num(data, "denominator")
    se = _num(data, "se")
    if "ci_low" in data.columns and "ci_high" in data.columns:
        se = np.where(np.isnan(se), (_num(data, "ci_high") - _num(data, "ci_low")) / (2 * z_value(0.95)), se)
    end = _num(data, "period_end")
    end = np.where(np.isnan(end), t, end)
    brk = (
        data[break_col].fillna(False).astype(bool).to_numpy()
        if break_col in data.columns
        else np.zeros(len(data), bool)
    )
    pol = np.nan_to_num(_num(data, polarity_col))

    if group_cols:
        gid_all = data.groupby(group_cols, sort=True, dropna=False).ngroup().to_numpy()
    else:
        gid_all = np.zeros(len(data), dtype=np.int64)
    n_groups = int(gid_all.max()) + 1 if len(data) else 0
    order = np.lexsort((t, gid_all))
    gid, t, y, num, den, se, end, brk, pol = (a[order] for a in (gid_all, t, y, num, den, se, end, brk, pol))
    keys_first = np.full(n_groups, -1)
    keys_first[gid[::-1]] = order[::-1]
    keys = data.iloc[keys_first][group_cols].reset_index(drop=True) if n_groups else data[group_cols].iloc[:0]

    # The last min_points points of each series.
    count = np.bincount(gid, minlength=n_groups)
    rank_from_end = count[gid] - 1 - (np.arange(gid.size) - (np.cumsum(count) - count)[gid])
    use = rank_from_end < min_points
    g = gid[use]
    tt, yy, xx, nn, ss, ee, bb = t[use], y[use], num[use], den[use], se[use], end[use], brk[use]
    first_in_window = rank_from_end[use] == np.minimum(count[g], min_points) - 1

    def gsum(v):
        return np.bincount(g, weights=v, minlength=n_groups)

    n_points = np.bincount(g, minlength=n_groups)
    reason = np.full(n_groups, None, dtype=object)
    reason[n_points < min_points] = REASON_FEW_POINTS.format(n=min_points)
    # A break before any but the first point of the window breaks comparability.
    broken = gsum((bb & ~first_in_window).astype(float)) > 0
    reason[(reason == None) & broken] = REASON_BREAK  # noqa: E711
    overlap = np.zeros(g.size, dtype=bool)
    overlap[1:] = (g[1:] == g[:-1]) & (tt[1:] <= ee[:-1])  # starts before the previous point ends
    reason[(reason == None) & (gsum(overlap.astype(float)) > 0)] = REASON_OVERLAP  # noqa: E711

    is_prop = (gsum(np.isnan(xx) | np.isnan(nn)) == 0) & (n_points > 0)
    method = np.where(is_prop, "chi2_linear_trend", "weighted_regression").astype(object)

    with np.errstate(invalid="ignore", divide="ignore"):
        # Cochran–Armitage chi-square for linear trend (proportions).
        N = gsum(np.nan_to_num(nn))
        pbar = gsum(np.nan_to_num(xx)) / N
        tbar = gsum(np.nan_to_num(nn) * tt) / N
        dt = tt - tbar[g]
        T = gsum(np.nan_to_num(xx) * dt)
        varT = pbar * (1 - pbar) * gsum(np.nan_to_num(nn) * dt * dt)
        chi2 = T * T / varT
        p_chi = stats.chi2.sf(chi2, 1)
        slope_prop = T / gsum(np.nan_to_num(nn) * dt * dt)  # least-squares slope of the proportion
        # Inverse-variance weighted regression (other types).
        w = 1 / ss**2
        sw = gsum(np.nan_to_num(w))
        tw = gsum(np.nan_to_num(w) * tt) / sw
        dtw = tt - tw[g]
        sxx = gsum(np.nan_to_num(w) * dtw * dtw)
        slope_w = gsum(np.nan_to_num(w) * dtw * yy) / sxx
        z = slope_w * np.sqrt(sxx)
        p_reg = 2 * special.ndtr(-np.abs(z))
    no_se = ~is_prop & (gsum((np.isnan(ss) | (ss <= 0)).astype(float)) > 0)
    reason[(reason == None) & no_se] = REASON_NO_SE  # noqa: E711
    slope = np.where(is_prop, slope_prop, slope_w)
    statistic = np.where(is_prop, chi2, z)
    p_value = np.where(is_prop, p_chi, p_reg)
    sign = np.where(is_prop, np.sign(T), np.sign(slope_w))
    reason[(reason == None) & ~np.isfinite(p_value)] = REASON_DEGENERATE  # noqa: E711

    alpha = 1 - level
    significant = p_value < alpha
    direction = np.where(significant, np.where(sign > 0, "increasing", "decreasing"), "no_change").astype(
        object
    )
    polarity = np.zeros(n_groups)
    polarity[gid] = np.sign(pol)  # constant within a series
    assessment = np.full(n_groups, None, dtype=object)
    judged = significant & (polarity != 0)
    assessment[judged] = np.where(sign[judged] * polarity[judged] > 0, "better", "worse")
    failed = reason != None  # noqa: E711
    direction[failed] = "not_calculated"
    assessment[failed] = None
    label = np.array([LABELS[(d, a)] for d, a in zip(direction, assessment, strict=True)], dtype=object)

    first_period = np.full(n_groups, np.nan)
    last_period = np.full(n_groups, np.nan)
    np.fmax.at(last_period, g, tt)
    first_period[:] = np.inf
    np.minimum.at(first_period, g, tt)
    first_period[np.isinf(first_period)] = np.nan
    out = keys.copy()
    out["n_points"] = n_points
    out["first_period"] = first_period
    out["last_period"] = last_period
    out["method"] = method
    for name, arr in (("slope", slope), ("statistic", statistic), ("p_value", p_value)):
        out[name] = np.where(failed, np.nan, arr)
    out["direction"] = direction
    out["assessment"] = pd.array(assessment, dtype=object)
    out["label"] = label
    out["reason"] = pd.array(reason, dtype=object)
    return out


#: Value of "no inequality" per gap measure (1 for ratios, 0 otherwise).
NULL_VALUE = {"R": 1.0, "RII": 1.0}


def gap_trend(
    measures: pd.DataFrame,
    group_cols: list[str],
    *,
    time_col: str = "period",
    min_points: int = 5,
    level: float = 0.95,
) -> pd.DataFrame:
    """Is the gap shrinking? A trend test on each gap measure's own series.

    ``measures`` is the output of :func:`livsvillkor.stats.inequality.compute` for several periods
    (columns ``group_cols`` including ``measure``, ``time_col``, ``estimate``, ``se``, ``ci_low``,
    ``ci_high``). The gap is taken as its distance from "no inequality" (0, or 1 for R and RII on the
    log scale, whose ``se`` is on the log scale), oriented so that the series' mean distance is
    positive; the weighted regression then tests whether it moves toward or away from zero.

    Returns :func:`test_trend`'s columns plus ``gap_direction`` (shrinking, widening, no_change,
    not_calculated) and ``gap_label`` (Swedish).
    """
    if "measure" not in group_cols:
        group_cols = [*group_cols, "measure"]
    data = measures[measures["reason"].isna()] if "reason" in measures.columns else measures
    data = data.copy()
    ratio = data["measure"].isin(list(NULL_VALUE))
    est = pd.to_numeric(data["estimate"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.where(ratio, np.log(est), est)
    se = pd.to_numeric(data["se"], errors="coerce").to_numpy(dtype=float) if "se" in data.columns else np.nan
    if "ci_low" in data.columns:
        lo = pd.to_numeric(data["ci_low"], errors="coerce").to_numpy(dtype=float)
        hi = pd.to_numeric(data["ci_high"], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            from_ci = np.where(ratio, (np.log(hi) - np.log(lo)), hi - lo) / (2 * z_value(level))
        se = np.where(np.isnan(se), from_ci, se)
    data["_distance"] = distance
    data["_orient"] = np.sign(data.groupby(group_cols, dropna=False)["_distance"].transform("mean")).replace(
        0, 1
    )
    data["value"] = data["_distance"] * data["_orient"]
    data["se"] = se
    data["polarity"] = -1  # smaller distance is better
    cols = [*group_cols, time_col, "value", "se", "polarity"]
    if "break_in_series" in data.columns:
        cols.append("break_in_series")
    out = test_trend(data[cols], group_cols, time_col=time_col, min_points=min_points, level=level)
    gap = np.where(
        out["direction"] == "decreasing",
        "shrinking",
        np.where(out["direction"] == "increasing", "widening", out["direction"]),
    )
    out["gap_direction"] = gap
    out["gap_label"] = [GAP_LABELS[x] for x in gap]
    return out
