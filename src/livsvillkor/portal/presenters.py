"""Charts of the portal pages, assembled from the follow-up services and the observation store.

Views call these and render; a download view calls the very same function with the same parameters,
so a download holds exactly the numbers its chart shows. Results are cached under the data version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import get_language

from livsvillkor.charts.builders import (
    COMPARISON_LABELS,
    Chart,
    area_bars,
    breakdown_bars,
    choropleth,
    sparkline,
    spine_chart,
    trend_chart,
)
from livsvillkor.charts.formatting import format_value
from livsvillkor.core import exampledata
from livsvillkor.followup import services
from livsvillkor.framework.models import Indicator
from livsvillkor.geo.models import Area
from livsvillkor.observations.models import Category, Dimension, Observation

LEVELS = {
    Area.Kind.DISTRICT: "Kommundelar",
    Area.Kind.REGSO: "RegSO",
    Area.Kind.DESO: "DeSO",
}
POLICE_PREFIX = "police-"


def attribution(ind: Indicator, derived: bool = False) -> str:
    """The source line of a chart or download; example data is never credited to a real source."""
    if exampledata.is_example_data(ind):
        return exampledata.ATTRIBUTION
    return source_attribution(ind, derived)


def source_attribution(ind: Indicator, derived: bool = False) -> str:
    """Where the indicator's real values come from (its metadata), whatever data is loaded now."""
    source = ind.source_name or ind.get_source_type_display()
    if derived or ind.source_type == Indicator.SourceType.DERIVED:
        return f"Beräkning: Livsvillkor, utifrån data från {source}"
    return f"Källa: {source}"


def _subject(ind: Indicator) -> str:
    name = ind.short_name or ind.name
    return name[:1].lower() + name[1:]


LIFE_STAGES = {
    "children": "Barn och unga (0–19 år)",
    "young-adults": "Unga vuxna (20–29 år)",
    "working-age": "Vuxna i arbetsför ålder (20–64 år)",
    "older": "Äldre (65 år och äldre)",
}


def life_stages(ind: Indicator) -> list[str]:
    return [LIFE_STAGES.get(code, code) for code in ind.life_stages or []]


@dataclass
class IndicatorPage:
    charts: dict[str, Chart]
    status: services.IndicatorStatus
    gaps: list[services.Gap]
    gap: services.Gap | None
    levels: list[tuple[str, str]]
    level: str
    latest_text: str
    map_note: str = ""
    gap_rows: list[dict] = field(default_factory=list)
    outlines_available: bool = False
    outlines: bool = True


def _bars_frame(frame: pd.DataFrame, ind: Indicator, benchmark_row) -> pd.DataFrame:
    values = frame["value"].to_numpy(dtype=float)
    comparison = services.compare(
        values,
        frame["ci_low"].to_numpy(dtype=float),
        frame["ci_high"].to_numpy(dtype=float),
        None if benchmark_row is None else float(benchmark_row["value"]),
        ind.polarity,
    )
    return pd.DataFrame(
        {
            "area": frame["area_name"].to_numpy(),
            "value": values,
            "ci_low": frame["ci_low"].to_numpy(dtype=float),
            "ci_high": frame["ci_high"].to_numpy(dtype=float),
            "suppressed": frame["suppressed"].astype(bool).to_numpy(),
            "comparison": comparison,
        }
    )


def _levels_with_data(ind: Indicator, municipality: str) -> list[str]:
    kinds = set(
        Observation.objects.filter(
            indicator=ind, breakdown="", area__municipality_code=municipality, area__kind__in=list(LEVELS)
        )
        .values_list("area__kind", flat=True)
        .distinct()
    )
    return [k for k in LEVELS if k in kinds]


def indicator_page(
    ind: Indicator, level: str | None, dimension: str | None, outlines: bool = True
) -> IndicatorPage:
    key = ("indicator-page", ind.pk, level or "", dimension or "", outlines, get_language())
    return services.cached(key, lambda: _indicator_page(ind, level, dimension, outlines))


def _indicator_page(
    ind: Indicator, level: str | None, dimension: str | None, outlines: bool
) -> IndicatorPage:
    place = services.places()
    status = services.indicator_status(ind)
    subject = _subject(ind)
    unit, decimals = ind.unit, ind.decimals
    charts: dict[str, Chart] = {}

    # Trend: the municipality with the county and Sweden as benchmarks.
    codes = [c for c in (place.municipality, place.county, place.country) if c]
    totals = services.series(ind, area_codes=codes)
    if len(totals):
        order = {c: i for i, c in enumerate(codes)}
        totals = totals.assign(_o=totals["area_code"].map(order)).sort_values(["_o", "period_end"])
        trend_df = pd.DataFrame(
            {
                "period": totals["period"],
                "series": totals["area_name"],
                "value": totals["value"],
                "ci_low": totals["ci_low"],
                "ci_high": totals["ci_high"],
                "suppressed": totals["suppressed"].astype(bool),
            }
        )
        charts["trend"] = trend_chart(
            trend_df,
            chart_id="chart-trend",
            title=f"{ind.name} över tid",
            subject=subject,
            unit=unit,
            decimals=decimals,
            target=ind.target_value,
            target_label=f"Mål {ind.target_year}" if ind.target_year else "Mål",
        )

    # Breakdowns of the municipality's latest period.
    latest_period = status.latest["period"] if status.latest else None
    if latest_period:
        for dim, label, df in services.breakdown_frames(ind, latest_period):
            charts[f"breakdown-{dim}"] = breakdown_bars(
                df,
                chart_id=f"chart-breakdown-{dim}",
                title=f"{ind.name} efter {label.lower()}, {place.municipality_name} {latest_period}",
                subject=subject,
                unit=unit,
                decimals=decimals,
            )

    # Area comparison at the chosen level, against the municipality.
    levels = _levels_with_data(ind, place.municipality)
    chosen = level if level in levels else (levels[0] if levels else "")
    map_note = ""
    if chosen:
        frame = services.latest_by_area(ind, chosen, place.municipality)
        if len(frame):
            period = frame["period"].max()
            frame = frame[frame["period"] == period]
            bench = (
                totals[(totals["area_code"] == place.municipality) & (totals["period"] == period)]
                if len(totals)
                else totals
            )
            bench_row = bench.iloc[0] if len(bench) and pd.notna(bench.iloc[0]["value"]) else None
            charts["areas"] = area_bars(
                _bars_frame(frame, ind, bench_row),
                chart_id="chart-areas",
                title=f"{ind.name} per område ({LEVELS[chosen]}), {period}",
                subject=subject,
                unit=unit,
                decimals=decimals,
                benchmark=None if bench_row is None else float(bench_row["value"]),
                benchmark_label=place.municipality_name,
            )
            geometries = dict(
                Area.objects.filter(
                    kind=chosen, municipality_code=place.municipality, geometry__isnull=False
                ).values_list("code", "geometry")
            )
            if geometries:
                names = dict(Area.objects.filter(code__in=list(geometries)).values_list("code", "name"))
                geojson = {
                    "type": "FeatureCollection",
                    "features": [
                        {"type": "Feature", "geometry": g, "properties": {"code": c, "name": names.get(c, c)}}
                        for c, g in geometries.items()
                    ],
                }
                police = {
                    "type": "FeatureCollection",
                    "features": [
                        {"type": "Feature", "geometry": g, "properties": {"code": c, "name": n}}
                        for c, n, g in Area.objects.filter(
                            code__startswith=POLICE_PREFIX, geometry__isnull=False
                        ).values_list("code", "name", "geometry")
                    ],
                }
                charts["map"] = choropleth(
                    frame.assign(suppressed=frame["suppressed"].astype(bool))[
                        ["area_code", "value", "suppressed"]
                    ],
                    geojson,
                    chart_id="chart-map",
                    title=f"Karta: {ind.name} ({LEVELS[chosen]}), {period}",
                    subject=subject,
                    unit=unit,
                    decimals=decimals,
                    outlines=police if outlines else None,
                    outline_label="Polisens utsatta områden",
                )
            else:
                map_note = (
                    "Kartan visas inte: det finns inga områdesgränser inlästa för den här områdesnivån."
                )

    # Equity panel: the chosen gap dimension.
    gaps = services.available_gaps(ind)
    gap = next((g for g in gaps if g.dimension == dimension), gaps[0] if gaps else None)
    gap_rows = []
    if gap is not None:
        absolute = gap.measures[gap.measures["measure"] == gap.absolute]
        gap_df = pd.DataFrame(
            {
                "period": absolute["period"],
                "series": services.MEASURE_LABELS[gap.absolute],
                "value": absolute["estimate"],
                "ci_low": absolute["ci_low"],
                "ci_high": absolute["ci_high"],
                "suppressed": False,
            }
        )
        gap_df["series"] = place.municipality_name or gap.label
        charts["gap"] = trend_chart(
            gap_df,
            chart_id="chart-gap",
            title=f"Skillnad {gap.label.lower()}: {services.MEASURE_LABELS[gap.absolute]} över tid",
            subject=f"{services.MEASURE_LABELS[gap.absolute]} {gap.label.lower()} för {subject}",
            unit="",
            decimals=2,
        )
        for _, r in gap.latest().iterrows():
            gap_rows.append(
                {
                    "measure": services.MEASURE_LABELS.get(r["measure"], r["measure"]),
                    "kind": "relativt" if r["measure"] in ("R", "RII") else "absolut",
                    "period": r["period"],
                    "estimate": format_value(r["estimate"], 2),
                    "ci": (
                        f"{format_value(r['ci_low'], 2)}–{format_value(r['ci_high'], 2)}"
                        if np.isfinite(r["ci_low"]) and np.isfinite(r["ci_high"])
                        else "–"
                    ),
                    "reason": r["reason"] or "",
                }
            )

    has_outlines = Area.objects.filter(code__startswith=POLICE_PREFIX, geometry__isnull=False).exists()
    latest_text = ""
    if status.latest:
        latest_text = (
            f"{ind.name} i {place.municipality_name} var "
            f"{format_value(status.latest['value'], decimals, unit)} {status.latest['period']}"
        )
        if status.benchmark:
            latest_text += (
                f", {services.COMPARISON_TEXT[status.benchmark['comparison']]} {status.benchmark['area']} "
                f"({format_value(status.benchmark['value'], decimals, unit)})"
            )
        latest_text += "."
    return IndicatorPage(
        charts,
        status,
        gaps,
        gap,
        [(k, LEVELS[k]) for k in levels],
        chosen,
        latest_text,
        map_note,
        gap_rows,
        has_outlines and "map" in charts,
        outlines,
    )


def indicator_card_chart(status: services.IndicatorStatus) -> Chart | None:
    if status.series is None or status.series.empty:
        return None
    df = status.series[["period", "value", "suppressed"]].copy()
    return sparkline(
        df,
        chart_id=f"chart-spark-{status.code}",
        title=status.name,
        unit=status.unit,
        decimals=status.decimals,
    )


# ---------------------------------------------------------------------------------------------------
# Area profile


@dataclass
class AreaProfile:
    chart: Chart | None
    classification: str
    rows: int


def area_profile(area: Area) -> AreaProfile:
    return services.cached(("area-profile", area.pk, get_language()), lambda: _area_profile(area))


def _area_profile(area: Area) -> AreaProfile:
    place = services.places()
    frame = services.area_profile_records(area)
    records = frame.to_dict("records")
    chart = None
    if records:
        chart = spine_chart(
            frame,
            chart_id="chart-spine",
            title=f"Alla indikatorer för {area.name} jämfört med {place.municipality_name} och Sverige",
            area_label=area.name,
            municipality_label=place.municipality_name or "Kommunen",
            country_label="Sverige",
        )
    classification = ""
    latest = area.classifications.filter(scheme=services.AREA_TYPE_SCHEME).order_by("-year").first()
    if latest is not None:
        classification = f"{latest.label or latest.category} ({latest.year})"
    return AreaProfile(chart, classification, len(records))


# ---------------------------------------------------------------------------------------------------
# Compare


COMPARE_DIMENSIONS = ("sex", "background")


def compare_charts(ind: Indicator, area_codes: list[str], dimension: str = "") -> dict[str, Chart]:
    key = ("compare", ind.pk, ",".join(area_codes), dimension, get_language())
    return services.cached(key, lambda: _compare_charts(ind, area_codes, dimension))


def _group_chart(ind: Indicator, area_codes: list[str], dimension: str) -> Chart | None:
    """The latest period's categories of one dimension (e.g. women/men) in each chosen area."""
    frame = services.series(ind, area_codes=area_codes, breakdown=dimension)
    if frame.empty or dimension not in frame:
        return None
    frame = frame[frame["period_end"] == frame["period_end"].max()]
    cats = {c.code: (c.label, c.order) for c in Category.objects.filter(dimension__code=dimension)}
    order = {c: i for i, c in enumerate(area_codes)}
    frame = frame.assign(
        _a=frame["area_code"].map(order), _c=frame[dimension].map(lambda c: cats.get(c, (c, 99))[1])
    ).sort_values(["_a", "_c"])
    df = pd.DataFrame(
        {
            "group": frame["area_name"],
            "category": frame[dimension].map(lambda c: cats.get(c, (c, 0))[0]),
            "value": frame["value"],
            "ci_low": frame["ci_low"],
            "ci_high": frame["ci_high"],
            "suppressed": frame["suppressed"].astype(bool),
        }
    )
    label = Dimension.objects.filter(code=dimension).values_list("label", flat=True).first() or dimension
    return breakdown_bars(
        df,
        chart_id="chart-compare-groups",
        title=f"{ind.name} efter {label.lower()} per område, {frame['period'].iloc[0]}",
        subject=_subject(ind),
        unit=ind.unit,
        decimals=ind.decimals,
    )


def _compare_charts(ind: Indicator, area_codes: list[str], dimension: str = "") -> dict[str, Chart]:
    frame = services.series(ind, area_codes=area_codes)
    charts: dict[str, Chart] = {}
    if frame.empty:
        return charts
    order = {c: i for i, c in enumerate(area_codes)}
    frame = frame.assign(_o=frame["area_code"].map(order)).sort_values(["_o", "period_end"])
    subject = _subject(ind)
    charts["trend"] = trend_chart(
        pd.DataFrame(
            {
                "period": frame["period"],
                "series": frame["area_name"],
                "value": frame["value"],
                "ci_low": frame["ci_low"],
                "ci_high": frame["ci_high"],
                "suppressed": frame["suppressed"].astype(bool),
            }
        ),
        chart_id="chart-compare-trend",
        title=f"{ind.name}: jämförelse mellan områden över tid",
        subject=subject,
        unit=ind.unit,
        decimals=ind.decimals,
    )
    period = frame["period_end"].max()
    latest = frame[frame["period_end"] == period]
    place = services.places()
    bench = latest[latest["area_code"] == place.municipality]
    bench_row = bench.iloc[0] if len(bench) and pd.notna(bench.iloc[0]["value"]) else None
    charts["latest"] = area_bars(
        _bars_frame(latest, ind, bench_row),
        chart_id="chart-compare-latest",
        title=f"{ind.name}: jämförelse mellan områden, {latest['period'].iloc[0]}",
        subject=subject,
        unit=ind.unit,
        decimals=ind.decimals,
        benchmark=None if bench_row is None else float(bench_row["value"]),
        benchmark_label=place.municipality_name if bench_row is not None else "",
    )
    if dimension in COMPARE_DIMENSIONS:
        groups = _group_chart(ind, area_codes, dimension)
        if groups is not None:
            charts["groups"] = groups
    return charts


def comparison_label(code: str) -> str:
    return COMPARISON_LABELS.get(code, code)
