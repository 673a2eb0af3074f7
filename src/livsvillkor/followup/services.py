"""What the assessment rules need, gathered from the database and the statistics core.

Per indicator: its trend (a test on the municipality series), the latest value against a benchmark,
and a gap measure series (D/R between backgrounds or sexes, SII/RII over socio-economic area types,
D/R between kommundelar) with the gap's own trend. Per effect goal: the assessment proposal of
:mod:`livsvillkor.followup.rules` with the counts and the indicators behind them.

Computed statistics are cached (Django cache) under keys that contain the data version — the id of
the newest :class:`~livsvillkor.observations.models.ImportBatch` and of the newest målbild — so every
import invalidates them.

Trend tests (STATISTICS.md section 4) until ``livsvillkor.stats`` has its own module: eligible with at
least 5 comparable, non-overlapping points and no series break among the last 5; proportions with
numerators and denominators get the chi-square test for linear trend (Cochran–Armitage); other series
an inverse-variance weighted regression of value on time when every point has a CI, otherwise an
ordinary least-squares regression with a t test of the slope.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db.models import Max
from scipy import stats as sps

from livsvillkor.charts.formatting import format_value
from livsvillkor.framework.models import EffectGoal, Framework, Indicator
from livsvillkor.geo.models import Area, AreaClassification
from livsvillkor.observations import services as observations
from livsvillkor.observations.models import Category, ImportBatch
from livsvillkor.stats import inequality

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


def cached(parts: tuple, compute: Callable[[], Any], timeout: int = CACHE_SECONDS) -> Any:
    """``compute()`` cached under ``parts`` and the current data version."""
    key = "lv:" + ":".join(str(p) for p in (data_version(), *parts))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def example_data_shown() -> bool:
    """True when any shown value comes from generated example data (import source ``demo``)."""
    return cached(("example",), lambda: ImportBatch.objects.filter(source__startswith="demo").exists())


# ---------------------------------------------------------------------------------------------------
# Trend


@dataclass(frozen=True)
class Trend:
    direction: str | None  # "increasing" / "decreasing" / None when not calculated
    significant: bool | None
    p_value: float | None = None
    slope: float | None = None  # per year, in the unit of the values
    points: int = 0
    method: str = ""
    reason: str = ""

    def development(self, polarity: str) -> rules.Development:
        return rules.development(self.direction, self.significant, polarity)

    def label(self, polarity: str) -> str:
        """The Swedish label of STATISTICS.md section 4."""
        if self.direction is None or self.significant is None:
            return (
                f"Trenden kunde inte beräknas ({self.reason})"
                if self.reason
                else "Trenden kunde inte beräknas"
            )
        if not self.significant:
            return "Ingen statistiskt säkerställd förändring"
        word = "Ökande" if self.direction == "increasing" else "Minskande"
        if polarity == "none":
            return word
        better = (self.direction == "increasing") == (polarity == "higher")
        return f"{word} och blir {'bättre' if better else 'sämre'}"


def _not_calculated(reason: str, points: int = 0) -> Trend:
    return Trend(None, None, points=points, reason=reason)


def _comparable(frame: pd.DataFrame) -> tuple[pd.DataFrame | None, str]:
    """The last TREND_POINTS published, non-overlapping points, or None and why not."""
    shown = frame[frame["value"].notna() & ~frame["suppressed"].astype(bool)]
    shown = shown.sort_values(["period_end", "period_start"])
    if len(shown) < TREND_POINTS:
        return None, f"färre än {TREND_POINTS} jämförbara värden"
    last = shown.tail(TREND_POINTS)
    starts = last["period_start"].to_numpy()
    ends = last["period_end"].to_numpy()
    if (starts[1:] <= ends[:-1]).any():
        return None, "överlappande perioder"
    if "break_in_series" in last and last["break_in_series"].iloc[1:].astype(bool).any():
        return None, "tidsseriebrott"
    return last, ""


def _regression(x: np.ndarray, y: np.ndarray, se: np.ndarray | None) -> tuple[float, float, str]:
    """Slope and two-sided p-value: inverse-variance weighted when ``se`` is given, else OLS."""
    if se is not None and np.all(np.isfinite(se)) and np.all(se > 0):
        w = 1.0 / se**2
        xm = np.sum(w * x) / np.sum(w)
        ym = np.sum(w * y) / np.sum(w)
        sxx = np.sum(w * (x - xm) ** 2)
        slope = np.sum(w * (x - xm) * (y - ym)) / sxx
        z = slope / math.sqrt(1.0 / sxx)
        return float(slope), float(2 * sps.norm.sf(abs(z))), "viktad regression"
    fit = sps.linregress(x, y)
    p = float(fit.pvalue) if np.isfinite(fit.pvalue) else 1.0
    return float(fit.slope), p, "linjär regression"


def trend_test(frame: pd.DataFrame, value_type: str = "", scale: float = 1) -> Trend:
    """Trend over the last 5 comparable points of one series (columns of ``observations.series``)."""
    if frame is None or frame.empty:
        return _not_calculated("inga värden")
    last, reason = _comparable(frame)
    if last is None:
        return _not_calculated(reason, int(frame["value"].notna().sum()))
    x = ((last["period_start"] + last["period_end"]) / 2).to_numpy(dtype=float)
    num = last["numerator"].to_numpy(dtype=float) if "numerator" in last else np.full(len(last), np.nan)
    den = last["denominator"].to_numpy(dtype=float) if "denominator" in last else np.full(len(last), np.nan)
    if (
        value_type == "proportion"
        and np.all(np.isfinite(num))
        and np.all(np.isfinite(den))
        and np.all(den > 0)
    ):
        # Cochran–Armitage chi-square test for linear trend in proportions.
        p_bar = num.sum() / den.sum()
        t = np.sum(x * (num - den * p_bar))
        var = p_bar * (1 - p_bar) * (np.sum(den * x**2) - np.sum(den * x) ** 2 / den.sum())
        if var <= 0:
            return _not_calculated("ingen variation", len(last))
        z = t / math.sqrt(var)
        p = float(2 * sps.norm.sf(abs(z)))
        slope, _, _ = _regression(x, last["value"].to_numpy(dtype=float), None)
        direction = "increasing" if t > 0 else "decreasing"
        return Trend(direction, p < ALPHA, p, slope, len(last), "Cochran–Armitage")
    y = last["value"].to_numpy(dtype=float)
    se = None
    if {"ci_low", "ci_high"} <= set(last.columns):
        se = (last["ci_high"].to_numpy(dtype=float) - last["ci_low"].to_numpy(dtype=float)) / (2 * Z95)
        if not np.all(np.isfinite(se)):
            se = None
    if np.allclose(y, y[0]):
        return Trend("increasing", False, 1.0, 0.0, len(last), "konstant serie")
    slope, p, method = _regression(x, y, se)
    direction = "increasing" if slope > 0 else "decreasing"
    return Trend(direction, p < ALPHA, p, slope, len(last), method)


# ---------------------------------------------------------------------------------------------------
# Benchmark comparison (STATISTICS.md section 3)


def compare(values, lows, highs, benchmark, polarity: str, bench_low=None, bench_high=None) -> np.ndarray:
    """Vectorised significance label of each value against one benchmark value.

    Similar when the benchmark lies inside the value's CI (or, when the benchmark has a CI too, when
    the two intervals overlap); otherwise better/worse (with polarity) or lower/higher (without).
    ``not_compared`` when the value has no CI or there is no benchmark.
    """
    v = np.asarray(values, dtype=float)
    lo = np.asarray(lows, dtype=float)
    hi = np.asarray(highs, dtype=float)
    out = np.full(v.shape, "not_compared", dtype=object)
    if benchmark is None or not np.isfinite(benchmark):
        return out
    b_lo = benchmark if bench_low is None or not np.isfinite(bench_low) else bench_low
    b_hi = benchmark if bench_high is None or not np.isfinite(bench_high) else bench_high
    ok = np.isfinite(v) & np.isfinite(lo) & np.isfinite(hi)
    above = ok & (lo > b_hi)
    below = ok & (hi < b_lo)
    out[ok] = "similar"
    if polarity == "none":
        out[above], out[below] = "higher", "lower"
    else:
        good_above = polarity == "higher"
        out[above] = "better" if good_above else "worse"
        out[below] = "worse" if good_above else "better"
    return out


COMPARISON_TEXT = {
    "better": "bättre än",
    "worse": "sämre än",
    "similar": "i nivå med",
    "higher": "högre än",
    "lower": "lägre än",
    "not_compared": "inte jämfört med",
}


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
        frame = observations.series(ind, area_codes=[place.municipality], breakdown=dimension)
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
        absolute = measures[measures["measure"] == GAP_MEASURES[dimension][0]]
        series = pd.DataFrame(
            {
                "period_start": absolute["period_start"],
                "period_end": absolute["period_end"],
                "value": absolute["estimate"].abs(),
                "ci_low": absolute["estimate"].abs() - Z95 * absolute["se"],
                "ci_high": absolute["estimate"].abs() + Z95 * absolute["se"],
                "suppressed": False,
            }
        )
        trend = trend_test(series)
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
        return pd.DataFrame(columns=["period", "area_code", "area_name", "value"])
    return observations.series(ind, area_codes=codes)


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
        return self.trend.label(self.polarity)

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
        frame = observations.series(ind, area_codes=codes) if codes else pd.DataFrame()
        muni = frame[frame["area_code"] == place.municipality] if len(frame) else frame
        muni = muni.sort_values(["period_end", "period_start"]) if len(muni) else muni
        trend = trend_test(muni, ind.value_type, ind.scale) if len(muni) else _not_calculated("inga värden")
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
