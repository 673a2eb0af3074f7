"""What the assessment rules need, gathered from the database and the statistics core.

Per indicator: its trend (a test on the municipality series), the latest value against a benchmark,
and a gap measure series (D/R between backgrounds or sexes, SII/RII over socio-economic area types,
D/R between kommundelar) with the gap's own trend. Per effect goal: the assessment proposal of
:mod:`livsvillkor.followup.rules` with the counts and the indicators behind them.

Computed statistics are cached (Django cache) under keys that contain the data version — the id of
the newest :class:`~livsvillkor.observations.models.ImportBatch` and of the newest målbild — so every
import invalidates them.

Trend tests, gap trends and benchmark comparisons are those of :mod:`livsvillkor.stats` (trend,
benchmark); this module chooses the series and maps the results to the rules' terms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db.models import Max
from django.utils.translation import gettext

from livsvillkor.charts.formatting import format_value
from livsvillkor.core.exampledata import is_example_data
from livsvillkor.framework.models import EffectGoal, Framework, Indicator
from livsvillkor.geo.models import Area, AreaClassification
from livsvillkor.observations import services as observations
from livsvillkor.observations.models import Category, Dimension, ImportBatch
from livsvillkor.stats import benchmark as stats_benchmark
from livsvillkor.stats import inequality
from livsvillkor.stats import trend as stats_trend
from livsvillkor.stats.intervals import add_intervals

from . import rules

TREND_POINTS = 5
ALPHA = 0.05
Z95 = 1.959963984540054
CACHE_SECONDS = 24 * 3600
AREA_TYPE_SCHEME = "area_type"
#: Gap dimensions in the order the effect-goal assessment prefers them.
GAP_DIMENSIONS = ("area_type", "background", "district", "sex")
GAP_LABELS = {
    "area_type": "Mellan områdestyper",
    "background": "Mellan svensk och utländsk bakgrund",
    "district": "Mellan kommundelar",
    "sex": "Mellan kvinnor och män",
}
MEASURE_LABELS = {
    "D": "Skillnad (D)",
    "R": "Kvot (R)",
    "SII": "Lutningsindex (SII)",
    "RII": "Relativt ojämlikhetsindex (RII)",
}
#: The absolute measure whose trend says whether a gap shrinks, per dimension.
GAP_MEASURES = {
    "area_type": ("SII", "RII"),
    "background": ("D", "R"),
    "district": ("D", "R"),
    "sex": ("D", "R"),
}


# ---------------------------------------------------------------------------------------------------
# Data version and cache


def data_version() -> str:
    """The newest import batch and målbild version: changes with every import and framework load."""
    batch = ImportBatch.objects.aggregate(m=Max("id"))["m"] or 0
    framework = Framework.objects.aggregate(m=Max("id"))["m"] or 0
    return f"{batch}.{framework}"


_NONE = "lv:none"


def cached(parts: tuple, compute: Callable[[], Any], timeout: int = CACHE_SECONDS) -> Any:
    """``compute()`` cached under ``parts`` and the current data version."""
    key = "lv:" + ":".join(str(p) for p in (data_version(), *parts))
    value = cache.get(key)
    if value is None:
        value = compute()
        # A computed None ("no gap in this dimension") is cached too, as a marker.
        cache.set(key, _NONE if value is None else value, timeout)
        return value
    return None if isinstance(value, str) and value == _NONE else value


def example_data_shown(indicators=None) -> bool:
    """True when values of these indicators (or of any, with None) come from the example generator."""

    def compute():
        if indicators is None:
            return is_example_data()
        return any(is_example_data(ind) for ind in indicators)

    key = ("example", ",".join(str(i.pk) for i in indicators) if indicators is not None else "*")
    return cached(key, compute)


# ---------------------------------------------------------------------------------------------------
# Trend (livsvillkor.stats.trend) and benchmark comparison (livsvillkor.stats.benchmark)


@dataclass(frozen=True)
class Trend:
    direction: str | None  # "increasing" / "decreasing" / None when not calculated
    significant: bool | None
    p_value: float | None = None
    slope: float | None = None  # per year, in the unit of the values
    points: int = 0
    method: str = ""
    reason: str = ""
    text: str = ""  # the statistics core's Swedish label

    def development(self, polarity: str) -> rules.Development:
        return rules.development(self.direction, self.significant, polarity)

    def label(self) -> str:
        """The label in the active language (the statistics core's texts are translation msgids)."""
        if self.direction is None or self.significant is None:
            if not self.reason:
                return gettext("Trenden kunde inte beräknas")
            reason = gettext(self.reason)
            if self.reason == stats_trend.REASON_FEW_POINTS.format(n=TREND_POINTS):
                reason = gettext(stats_trend.REASON_FEW_POINTS).format(n=TREND_POINTS)
            return gettext("Trenden kunde inte beräknas (%(reason)s)") % {"reason": reason}
        return gettext(self.text)


METHOD_LABELS = {"chi2_linear_trend": "Cochran–Armitage", "weighted_regression": "viktad regression"}
POLARITY_SIGN = {"higher": 1, "lower": -1, "none": 0}


def _not_calculated(reason: str, points: int = 0) -> Trend:
    return Trend(None, None, points=points, reason=reason)


def _trend_from_row(row) -> Trend:
    direction = row["direction"]
    reason = "" if row["reason"] is None or pd.isna(row["reason"]) else str(row["reason"])
    points = int(row["n_points"])
    if direction == "not_calculated":
        return _not_calculated(reason, points)
    slope = float(row["slope"])
    significant = direction != "no_change"
    if direction == "no_change":
        direction = "increasing" if slope > 0 else "decreasing"
    return Trend(
        direction,
        significant,
        float(row["p_value"]),
        slope,
        points,
        METHOD_LABELS.get(row["method"], row["method"]),
        "",
        str(row["label"]),
    )


def trend_test(frame: pd.DataFrame, value_type: str = "", polarity: str = "none") -> Trend:
    """Trend over the last 5 comparable points of one series (columns of ``observations.series``).

    Numerators and denominators are used (Cochran–Armitage) for proportions only; other value types
    get the weighted regression on their CIs.
    """
    if frame is None or frame.empty:
        return _not_calculated("inga värden")
    data = pd.DataFrame(
        {
            "series": 0,
            "period": frame["period_start"].to_numpy(dtype=float),
            "period_end": frame["period_end"].to_numpy(dtype=float),
            "value": frame["value"].where(~frame["suppressed"].astype(bool)).to_numpy(dtype=float),
            "polarity": POLARITY_SIGN.get(polarity, 0),
        }
    )
    for col in ("ci_low", "ci_high"):
        if col in frame:
            data[col] = frame[col].to_numpy(dtype=float)
    if value_type == "proportion" and {"numerator", "denominator"} <= set(frame.columns):
        data["numerator"] = frame["numerator"].to_numpy(dtype=float)
        data["denominator"] = frame["denominator"].to_numpy(dtype=float)
    if "break_in_series" in frame:
        data["break_in_series"] = frame["break_in_series"].astype(bool).to_numpy()
    result = stats_trend.test_trend(data, ["series"], min_points=TREND_POINTS)
    if result.empty:
        return _not_calculated("inga värden")
    return _trend_from_row(result.iloc[0])


def gap_trend(measures: pd.DataFrame, measure: str) -> Trend:
    """Is the gap shrinking? The statistics core's trend test on one gap measure's own series."""
    data = measures[measures["measure"] == measure].copy()
    if data.empty:
        return _not_calculated("inga värden")
    data["year"] = data["period_start"].astype(float)
    data["period_end"] = data["period_end"].astype(float)
    result = stats_trend.gap_trend(
        data[["measure", "year", "period_end", "estimate", "se", "ci_low", "ci_high", "reason"]],
        [],
        time_col="year",
        min_points=TREND_POINTS,
    )
    if result.empty:
        return _not_calculated("inga värden")
    row = result.iloc[0]
    gap = row["gap_direction"]
    trend = _trend_from_row(row)
    if gap == "not_calculated":
        return trend
    # The direction of the gap's distance from "no inequality": decreasing means shrinking.
    direction = {"shrinking": "decreasing", "widening": "increasing"}.get(gap, trend.direction)
    return Trend(
        direction,
        gap != "no_change",
        trend.p_value,
        trend.slope,
        trend.points,
        trend.method,
        "",
        str(row["gap_label"]),
    )


def compare(values, lows, highs, benchmark, polarity: str, bench_low=None, bench_high=None) -> np.ndarray:
    """Significance label of each value against one benchmark value (``stats.benchmark.compare``)."""
    n = len(values)
    none = benchmark is None or not np.isfinite(benchmark)
    frame = pd.DataFrame(
        {
            "value": np.asarray(values, dtype=float),
            "ci_low": np.asarray(lows, dtype=float),
            "ci_high": np.asarray(highs, dtype=float),
            "benchmark_value": np.full(n, np.nan if none else float(benchmark)),
            "benchmark_ci_low": np.full(n, np.nan if bench_low is None else float(bench_low)),
            "benchmark_ci_high": np.full(n, np.nan if bench_high is None else float(bench_high)),
            "polarity": POLARITY_SIGN.get(polarity, 0),
        }
    )
    return stats_benchmark.compare(frame)["comparison"].to_numpy(dtype=object)


COMPARISON_TEXT = {
    "better": "bättre än",
    "worse": "sämre än",
    "similar": "i nivå med",
    "higher": "högre än",
    "lower": "lägre än",
    "not_compared": "inte jämfört med",
}


# ---------------------------------------------------------------------------------------------------
# Reading series with confidence intervals

#: CI methods we can compute from numerators and denominators, and the value type they need.
COMPUTED_CI = {Indicator.CIMethod.WILSON: "proportion", Indicator.CIMethod.BYAR: "rate"}


def with_intervals(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    """Fill missing 95 % CIs by the indicator's CI method (``stats.intervals``): Wilson for
    proportions, Byar / exact Poisson for rates, from numerators and denominators. Bounds given by the
    source are kept; suppressed cells stay blank."""
    kind = COMPUTED_CI.get(ind.ci_method)
    if frame.empty or kind is None or "numerator" not in frame:
        return frame
    need = (
        frame["ci_low"].isna()
        & frame["numerator"].notna()
        & frame["denominator"].notna()
        & (frame["denominator"] > 0)
        & ~frame["suppressed"].astype(bool)
    )
    if not need.any():
        return frame
    scale = float(ind.scale or 1)
    work = pd.DataFrame(
        {
            "value_type": kind,
            "value": frame.loc[need, "value"].to_numpy(dtype=float),
            "numerator": frame.loc[need, "numerator"].to_numpy(dtype=float),
            "denominator": frame.loc[need, "denominator"].to_numpy(dtype=float),
            "scale": scale,
            "per": scale,
        }
    )
    filled = add_intervals(work, per="per")
    out = frame.copy()
    out.loc[need, "ci_low"] = filled["ci_low"].to_numpy()
    out.loc[need, "ci_high"] = filled["ci_high"].to_numpy()
    return out


def series(ind: Indicator, **kwargs) -> pd.DataFrame:
    """``observations.series`` (disclosure control applied) with CIs filled by :func:`with_intervals`."""
    frame = observations.series(ind, **kwargs)
    return with_intervals(frame, ind)


def latest_by_area(ind: Indicator, level: str, municipality: str) -> pd.DataFrame:
    return with_intervals(observations.latest_by_area(ind, level, municipality=municipality), ind)


# ---------------------------------------------------------------------------------------------------
# Places


@dataclass(frozen=True)
class Places:
    municipality: str
    municipality_name: str
    country: str | None
    county: str | None


def places() -> Places:
    def compute():
        framework = Framework.objects.current()
        code = framework.municipality_code if framework and framework.municipality_code else ""
        muni = Area.objects.filter(code=code, kind=Area.Kind.MUNICIPALITY).first() if code else None
        if muni is None:
            muni = Area.objects.filter(kind=Area.Kind.MUNICIPALITY).order_by("code").first()
        country = Area.objects.filter(kind=Area.Kind.COUNTRY).order_by("code").first()
        county = (
            muni.parent if muni is not None and muni.parent and muni.parent.kind == Area.Kind.COUNTY else None
        )
        return Places(
            muni.code if muni else "",
            muni.name if muni else "",
            country.code if country else None,
            county.code if county else None,
        )

    return cached(("places",), compute)


# ---------------------------------------------------------------------------------------------------
# Gap measures


@dataclass
class Gap:
    dimension: str
    label: str
    measures: pd.DataFrame  # period, measure, estimate, se, ci_low, ci_high, reason
    trend: Trend
    subgroups: pd.DataFrame = field(default_factory=pd.DataFrame)  # period, subgroup, value, ci_low, ci_high

    @property
    def development(self) -> rules.GapDevelopment:
        return rules.gap_development(self.trend.direction, self.trend.significant)

    @property
    def absolute(self) -> str:
        return GAP_MEASURES[self.dimension][0]

    def latest(self) -> pd.DataFrame:
        ok = self.measures[self.measures["estimate"].notna()]
        if ok.empty:
            return ok
        last = ok["period"].max()
        return self.measures[self.measures["period"] == last]


def _se(frame: pd.DataFrame) -> pd.Series:
    return (frame["ci_high"] - frame["ci_low"]) / (2 * Z95)


def _measure_input(rows: pd.DataFrame, ind: Indicator, *, ordered: bool) -> pd.DataFrame:
    """Rows (period, subgroup, value, ci_low, ci_high, population, order, reference) as HEAT input."""
    out = pd.DataFrame(
        {
            "period": rows["period"].astype(str).to_numpy(),
            "subgroup": rows["subgroup"].astype(str).to_numpy(),
            "estimate": rows["value"].to_numpy(dtype=float),
            "se": _se(rows).to_numpy(dtype=float),
            "favourable_indicator": 0 if ind.polarity == Indicator.Polarity.LOWER_IS_BETTER else 1,
            "ordered_dimension": 1 if ordered else 0,
            "indicator_scale": float(ind.scale or 1),
        }
    )
    if "population" in rows and rows["population"].notna().all():
        out["population"] = rows["population"].to_numpy(dtype=float)
    if ordered:
        out["subgroup_order"] = rows["order"].to_numpy(dtype=int)
    if "reference" in rows:
        out["reference_subgroup"] = rows["reference"].astype(int).to_numpy()
    return out


def _gap_rows(ind: Indicator, dimension: str, place: Places) -> tuple[pd.DataFrame, bool]:
    """Subgroup estimates per period for one gap dimension (empty when the data has none)."""
    empty = pd.DataFrame(columns=["period", "subgroup", "value", "ci_low", "ci_high", "population"])
    if dimension in ("background", "sex"):
        frame = series(ind, area_codes=[place.municipality], breakdown=dimension)
        if frame.empty or dimension not in frame:
            return empty, False
        cats = {
            c.code: c
            for c in Category.objects.filter(dimension__code=dimension).only("code", "label", "is_reference")
        }
        frame = frame[frame["value"].notna()]
        rows = pd.DataFrame(
            {
                "period": frame["period"],
                "period_start": frame["period_start"],
                "period_end": frame["period_end"],
                "subgroup": frame[dimension].map(lambda c: cats[c].label if c in cats else c),
                "value": frame["value"],
                "ci_low": frame["ci_low"],
                "ci_high": frame["ci_high"],
                "population": frame["denominator"],
                "reference": frame[dimension].map(
                    lambda c: bool(cats[c].is_reference) if c in cats else False
                ),
            }
        )
        if dimension == "sex":
            rows["reference"] = False
        return rows, False
    if dimension == "district":
        frame = _level_frame(ind, Area.Kind.DISTRICT, place)
        frame = frame[frame["value"].notna()]
        rows = pd.DataFrame(
            {
                "period": frame["period"],
                "period_start": frame["period_start"],
                "period_end": frame["period_end"],
                "subgroup": frame["area_name"],
                "value": frame["value"],
                "ci_low": frame["ci_low"],
                "ci_high": frame["ci_high"],
                "population": frame["denominator"],
            }
        )
        return rows, False
    # area_type: RegSO values pooled per socio-economic area type (numerators and denominators summed).
    if ind.value_type not in (Indicator.ValueType.PROPORTION, Indicator.ValueType.RATE):
        return empty, True
    classes = dict(
        AreaClassification.objects.filter(
            scheme=AREA_TYPE_SCHEME, area__kind=Area.Kind.REGSO, area__municipality_code=place.municipality
        )
        .order_by("area__code", "year")
        .values_list("area__code", "category")
    )
    if not classes:
        return empty, True
    frame = observations.series(ind, area_codes=list(classes))
    frame = frame[frame["numerator"].notna() & frame["denominator"].notna() & (frame["denominator"] > 0)]
    if frame.empty:
        return empty, True
    frame = frame.assign(area_type=frame["area_code"].map(classes))
    pooled = (
        frame.groupby(["period", "period_start", "period_end", "area_type"], as_index=False)[
            ["numerator", "denominator"]
        ]
        .sum()
        .sort_values(["period_end", "area_type"])
    )
    scale = float(ind.scale or 1)
    share = pooled["numerator"] / pooled["denominator"]
    se = np.sqrt(share * (1 - share) / pooled["denominator"]).clip(lower=0) * scale
    value = share * scale
    rows = pd.DataFrame(
        {
            "period": pooled["period"],
            "period_start": pooled["period_start"],
            "period_end": pooled["period_end"],
            "subgroup": "Områdestyp " + pooled["area_type"].astype(str),
            "value": value,
            "ci_low": value - Z95 * se,
            "ci_high": value + Z95 * se,
            "population": pooled["denominator"],
            "order": pd.to_numeric(pooled["area_type"], errors="coerce").fillna(0).astype(int),
        }
    )
    return rows, True


def gap(ind: Indicator, dimension: str) -> Gap | None:
    """The gap measures of one dimension per period and the trend of the absolute one, or None."""

    def compute():
        place = places()
        rows, ordered = _gap_rows(ind, dimension, place)
        if rows.empty:
            return None
        counts = rows.groupby("period")["subgroup"].nunique()
        rows = rows[rows["period"].isin(counts[counts >= 2].index)]
        if rows.empty:
            return None
        measures = inequality.compute(
            _measure_input(rows, ind, ordered=ordered), ["period"], GAP_MEASURES[dimension], level=0.95
        )
        periods = rows.drop_duplicates("period")[["period", "period_start", "period_end"]]
        measures = measures.merge(periods, on="period", how="left").sort_values(["period_end", "measure"])
        trend = gap_trend(measures, GAP_MEASURES[dimension][0])
        return Gap(
            dimension,
            GAP_LABELS[dimension],
            measures.reset_index(drop=True),
            trend,
            rows.reset_index(drop=True),
        )

    return cached(("gap", ind.pk, dimension), compute)


def available_gaps(ind: Indicator) -> list[Gap]:
    out = []
    for dimension in GAP_DIMENSIONS:
        g = gap(ind, dimension)
        if g is not None and g.measures["estimate"].notna().any():
            out.append(g)
    return out


# ---------------------------------------------------------------------------------------------------
# Per indicator


def _level_frame(ind: Indicator, level: str, place: Places) -> pd.DataFrame:
    codes = list(
        Area.objects.filter(kind=level, municipality_code=place.municipality).values_list("code", flat=True)
    )
    if not codes:
        return pd.DataFrame(
            columns=[
                "period",
                "period_start",
                "period_end",
                "area_code",
                "area_name",
                "value",
                "ci_low",
                "ci_high",
                "denominator",
                "suppressed",
            ]
        )
    return series(ind, area_codes=codes)


@dataclass
class IndicatorStatus:
    """What a card or an assessment needs about one indicator."""

    code: str
    name: str
    polarity: str
    unit: str
    decimals: int
    series: pd.DataFrame  # municipality totals (period, value, ci_low, ci_high, suppressed, …)
    latest: dict | None
    benchmark: dict | None  # {"area": name, "value": …, "comparison": …}
    trend: Trend
    gap: Gap | None

    @property
    def development(self) -> rules.Development:
        return self.trend.development(self.polarity)

    @property
    def gap_development(self) -> rules.GapDevelopment:
        return self.gap.development if self.gap else rules.GapDevelopment.NOT_ASSESSABLE

    @property
    def latest_label(self) -> str:
        if not self.latest:
            return ""
        return format_value(self.latest["value"], self.decimals, self.unit)

    @property
    def trend_label(self) -> str:
        return self.trend.label()

    @property
    def arrow(self) -> str:
        if self.trend.direction is None or not self.trend.significant:
            return "→"
        return "↑" if self.trend.direction == "increasing" else "↓"

    @property
    def tone(self) -> str:
        """Colour class: improving / worsening by polarity, neutral for no polarity or no change."""
        dev = self.development
        if dev == rules.Development.IMPROVING:
            return "better"
        if dev == rules.Development.WORSENING:
            return "worse"
        return "neutral"

    def as_rule_input(self) -> rules.IndicatorDevelopment:
        return rules.IndicatorDevelopment(
            self.code, self.development, self.gap_development, self.trend.reason
        )


def indicator_status(ind: Indicator) -> IndicatorStatus:
    def compute():
        place = places()
        codes = [c for c in (place.municipality, place.country) if c]
        frame = series(ind, area_codes=codes) if codes else pd.DataFrame()
        muni = frame[frame["area_code"] == place.municipality] if len(frame) else frame
        muni = muni.sort_values(["period_end", "period_start"]) if len(muni) else muni
        trend = (
            trend_test(muni, ind.value_type, ind.polarity) if len(muni) else _not_calculated("inga värden")
        )
        latest = None
        benchmark = None
        shown = muni[muni["value"].notna()] if len(muni) else muni
        if len(shown):
            last = shown.iloc[-1]
            latest = {
                "period": last["period"],
                "value": float(last["value"]),
                "ci_low": None if pd.isna(last["ci_low"]) else float(last["ci_low"]),
                "ci_high": None if pd.isna(last["ci_high"]) else float(last["ci_high"]),
            }
            if place.country:
                same = frame[(frame["area_code"] == place.country) & (frame["period"] == last["period"])]
                if len(same) and pd.notna(same.iloc[0]["value"]):
                    b = same.iloc[0]
                    label = compare(
                        [last["value"]],
                        [last["ci_low"]],
                        [last["ci_high"]],
                        float(b["value"]),
                        ind.polarity,
                        b["ci_low"],
                        b["ci_high"],
                    )[0]
                    benchmark = {"area": b["area_name"], "value": float(b["value"]), "comparison": label}
        gaps = available_gaps(ind)
        return IndicatorStatus(
            ind.code,
            ind.short_name or ind.name,
            ind.polarity,
            ind.unit,
            ind.decimals,
            muni.reset_index(drop=True) if len(muni) else pd.DataFrame(),
            latest,
            benchmark,
            trend,
            gaps[0] if gaps else None,
        )

    return cached(("status", ind.pk), compute)


# ---------------------------------------------------------------------------------------------------
# Per effect goal


@dataclass
class GoalProposal:
    goal_code: str
    statuses: list[IndicatorStatus]
    result: rules.GoalResult

    def names(self, codes: list[str]) -> list[str]:
        by_code = {s.code: s.name for s in self.statuses}
        return [by_code.get(c, c) for c in codes]


def effect_goal_proposal(goal: EffectGoal) -> GoalProposal:
    """The computed assessment proposal of one effect goal, with its indicators' statuses."""

    def compute():
        indicators = list(
            Indicator.objects.filter(effect_goals=goal, is_active=True).order_by(
                "-goal_links__primary", "code"
            )
        )
        statuses = [indicator_status(i) for i in indicators]
        result = rules.assess_goal([s.as_rule_input() for s in statuses])
        return GoalProposal(goal.code, statuses, result)

    return cached(("goal", goal.pk), compute)


# ---------------------------------------------------------------------------------------------------
# Breakdowns and area profiles (shared by the pages and the reports)


def breakdown_frames(ind: Indicator, period: str) -> list[tuple[str, str, pd.DataFrame]]:
    """The municipality's values in ``period`` per breakdown dimension (sex, background …).

    Returns ``(dimension code, dimension label, frame)`` with the frame's columns category, value,
    ci_low, ci_high, suppressed, in the categories' order; only single-dimension breakdowns.
    """
    place = places()
    every = series(ind, area_codes=[place.municipality], periods=[period], breakdown="*")
    dims = [d for d in every.attrs.get("dimensions", []) if d in every]
    if not dims:
        return []
    labels = dict(Dimension.objects.values_list("code", "label"))
    cat_labels = {
        (c.dimension.code, c.code): (c.label, c.order) for c in Category.objects.select_related("dimension")
    }
    out = []
    for dim in dims:
        rows = every[(every["breakdown"] != "") & (every[dim] != "")]
        rows = rows[rows["breakdown"].str.count(";") == 0]
        if rows.empty:
            continue
        ordered = sorted(rows.itertuples(), key=lambda r: cat_labels.get((dim, getattr(r, dim)), ("", 99))[1])
        frame = pd.DataFrame(
            {
                "category": [
                    cat_labels.get((dim, getattr(r, dim)), (getattr(r, dim), 0))[0] for r in ordered
                ],
                "value": [r.value for r in ordered],
                "ci_low": [r.ci_low for r in ordered],
                "ci_high": [r.ci_high for r in ordered],
                "suppressed": [bool(r.suppressed) for r in ordered],
            }
        )
        out.append((dim, labels.get(dim, dim), frame))
    return out


def area_profile_records(area: Area) -> pd.DataFrame:
    """Every active indicator's latest value in ``area`` against the municipality and the country.

    Columns: indicator, period, value, municipality, country, suppressed, comparison, unit,
    decimals (the input of ``charts.spine_chart``); empty when the area has no values.
    """
    return cached(("area-records", area.pk), lambda: area_profiles([area])[area.code])


def area_profiles(
    areas: list[Area], frames: Callable[[Indicator], pd.DataFrame] | None = None
) -> dict[str, pd.DataFrame]:
    """:func:`area_profile_records` of several areas, reading each indicator's series once.

    ``frames(ind)`` may supply the series (the areas, the municipality and the country among its
    rows; e.g. one the caller has read already)."""
    place = places()
    codes = [a.code for a in areas]
    wanted = [*codes, place.municipality] + ([place.country] if place.country else [])
    records: dict[str, list[dict]] = {code: [] for code in codes}
    for ind in Indicator.objects.filter(is_active=True).order_by("code"):
        frame = frames(ind) if frames is not None else series(ind, area_codes=wanted)
        if frame.empty:
            continue
        for code in codes:
            here = frame[frame["area_code"] == code]
            if here.empty:
                continue
            last = here.sort_values(["period_end", "period_start"]).iloc[-1]
            same = frame[frame["period"] == last["period"]].set_index("area_code")
            muni = same.loc[place.municipality] if place.municipality in same.index else None
            country = same.loc[place.country] if place.country and place.country in same.index else None
            suppressed = bool(last["suppressed"])
            comparison = "not_compared"
            if muni is not None and not suppressed and pd.notna(muni["value"]):
                comparison = compare(
                    [last["value"]], [last["ci_low"]], [last["ci_high"]], float(muni["value"]), ind.polarity
                )[0]
            records[code].append(
                {
                    "indicator": ind.short_name or ind.name,
                    "period": last["period"],
                    "value": np.nan if suppressed else last["value"],
                    "municipality": np.nan if muni is None else muni["value"],
                    "country": np.nan if country is None else country["value"],
                    "suppressed": suppressed,
                    "comparison": comparison,
                    "unit": ind.unit,
                    "decimals": ind.decimals,
                }
            )
    return {code: pd.DataFrame(rows) for code, rows in records.items()}
