"""Chart builders. Each returns a :class:`Chart` (spec + table + summary) from a tidy DataFrame.

Input columns (optional ones in brackets):

* trend_chart:    period, series, value, [ci_low, ci_high, suppressed]
* area_bars:      area, value, [ci_low, ci_high, suppressed, comparison]
* breakdown_bars: category, value, [group, ci_low, ci_high, suppressed]
* sparkline:      period, value, [suppressed]
* choropleth:     area_code, value, [suppressed] plus a GeoJSON FeatureCollection keyed by ``code``

Suppressed values never reach the chart as numbers: their value and CI are blanked and the table and
tooltip say ``..``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd

from livsvillkor.charts.formatting import SUPPRESSED, format_number, format_value

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]
# Significance against a benchmark. With polarity: blue = better, orange = worse (never red/green);
# without polarity: purple = lower, brown-orange = higher.
COMPARISON_COLOURS = {
    "better": "#2166AC",
    "similar": "#9E9E9E",
    "worse": "#D95F02",
    "lower": "#5E3C99",
    "higher": "#B35806",
    "not_compared": "#FFFFFF",
}
COMPARISON_LABELS = {
    "better": "Bättre",
    "similar": "Likvärdigt",
    "worse": "Sämre",
    "lower": "Lägre",
    "higher": "Högre",
    "not_compared": "Inte jämfört",
}
NEUTRAL = "#4D4D4D"


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)


@dataclass
class Chart:
    """What a page or report shows for one chart."""

    id: str
    title: str
    spec: dict[str, Any]
    table: Table
    summary: str
    data: pd.DataFrame  # exactly the numbers shown (suppressed cells blanked), for downloads

    @property
    def alt_text(self) -> str:
        return f"{self.title}. {self.summary}"


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in ("ci_low", "ci_high"):
        if col not in out:
            out[col] = float("nan")
    if "suppressed" not in out:
        out["suppressed"] = False
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    out.loc[out["suppressed"], ["value", "ci_low", "ci_high"]] = float("nan")
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    return out


def _label_column(out: pd.DataFrame, decimals: int, unit: str) -> pd.Series:
    return pd.Series(
        [format_value(v, decimals, unit, s) for v, s in zip(out["value"], out["suppressed"], strict=True)],
        index=out.index,
    )


def _cell(row, decimals: int, unit: str) -> str:
    if row["suppressed"]:
        return SUPPRESSED
    text = format_value(row["value"], decimals, unit)
    if not (math.isnan(row["ci_low"]) or math.isnan(row["ci_high"])):
        text += f" ({format_number(row['ci_low'], decimals)}–{format_number(row['ci_high'], decimals)})"
    return text


def _base_config(chart: alt.TopLevelMixin, description: str) -> dict[str, Any]:
    spec = chart.properties(description=description).to_dict(validate=False)
    spec["config"] = {
        "font": "system-ui, sans-serif",
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#1b1b1b", "titleColor": "#1b1b1b"},
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
        "view": {"stroke": None},
        "aria": True,
        "locale": {"number": {"decimal": ",", "thousands": "\u202f", "grouping": [3]}},
    }
    return spec


def _upper_first(text: str) -> str:
    """Capitalise the first letter only (``str.capitalize`` would lower-case "SII" and "Borås")."""
    return text[:1].upper() + text[1:]


def _has_ci(out: pd.DataFrame) -> bool:
    return bool(out["ci_low"].notna().any() and out["ci_high"].notna().any())


def trend_chart(
    df: pd.DataFrame,
    *,
    chart_id: str,
    title: str,
    subject: str,
    unit: str = "",
    decimals: int = 1,
    target: float | None = None,
    target_label: str = "Mål",
) -> Chart:
    """Lines over time per series with a CI band, and an optional target line."""
    out = _prepare(df).sort_values(["series", "period"])
    out["label"] = _label_column(out, decimals, unit)
    out["period"] = out["period"].astype(str)
    series_order = list(dict.fromkeys(out["series"]))
    colour = alt.Color(
        "series:N",
        title=None,
        sort=series_order,
        scale=alt.Scale(domain=series_order, range=SERIES_COLOURS[: len(series_order)]),
    )
    x = alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0))
    tooltip = [
        alt.Tooltip("series:N", title="Serie"),
        alt.Tooltip("period:O", title="Period"),
        alt.Tooltip("label:N", title="Värde"),
    ]
    base = alt.Chart(out)
    layers = []
    if _has_ci(out):
        layers.append(base.mark_area(opacity=0.18).encode(x=x, y="ci_low:Q", y2="ci_high:Q", color=colour))
    layers.append(
        base.mark_line(point=True, strokeWidth=2.5).encode(
            x=x,
            y=alt.Y("value:Q", title=unit or None, scale=alt.Scale(zero=False)),
            color=colour,
            tooltip=tooltip,
            strokeDash=alt.StrokeDash("series:N", legend=None, sort=series_order),
        )
    )
    if target is not None:
        layers.append(
            alt.Chart(
                pd.DataFrame(
                    {"target": [target], "label": [f"{target_label}: {format_value(target, decimals, unit)}"]}
                )
            )
            .mark_rule(strokeDash=[6, 4], color=NEUTRAL)
            .encode(y="target:Q", tooltip=alt.Tooltip("label:N", title=target_label))
        )
    chart = alt.layer(*layers).properties(width="container", height=280, title=title)

    periods = list(dict.fromkeys(out.sort_values("period")["period"]))
    rows = []
    for period in periods:
        row = [period]
        for series in series_order:
            match = out[(out["period"] == period) & (out["series"] == series)]
            row.append(_cell(match.iloc[0], decimals, unit) if len(match) else "–")
        rows.append(row)
    ci_note = " (95 % konfidensintervall inom parentes)" if _has_ci(out) else ""
    table = Table(
        caption=f"{title}{ci_note}",
        columns=["Period", *series_order],
        rows=rows,
        numeric=[False, *([True] * len(series_order))],
    )
    summary = _trend_summary(out, series_order, subject, decimals, unit)
    data = out[["period", "series", "value", "ci_low", "ci_high", "suppressed"]].reset_index(drop=True)
    return Chart(chart_id, title, _base_config(chart, summary), table, summary, data)


def _trend_summary(out: pd.DataFrame, series_order: list[str], subject: str, decimals: int, unit: str) -> str:
    if not series_order:
        return f"Det finns inga värden för {subject}."
    main = out[(out["series"] == series_order[0]) & out["value"].notna()].sort_values("period")
    if main.empty:
        return f"Inga publicerade värden för {subject} i {series_order[0]}."
    last = main.iloc[-1]
    text = f"{_upper_first(subject)} i {last['series']} var {format_value(last['value'], decimals, unit)} {last['period']}"
    if len(main) > 1:
        first = main.iloc[0]
        text += f" (jämfört med {format_value(first['value'], decimals, unit)} {first['period']})"
    others = []
    for series in series_order[1:3]:
        row = out[(out["series"] == series) & (out["period"] == last["period"])]
        if len(row) and not row.iloc[0]["suppressed"] and pd.notna(row.iloc[0]["value"]):
            others.append(f"{series} {format_value(row.iloc[0]['value'], decimals, unit)}")
    if others:
        text += "; samma år " + ", ".join(others)
    return text + "."


def area_bars(
    df: pd.DataFrame,
    *,
    chart_id: str,
    title: str,
    subject: str,
    unit: str = "",
    decimals: int = 1,
    benchmark: float | None = None,
    benchmark_label: str = "",
) -> Chart:
    """Horizontal bars sorted by value with CI whiskers, coloured by the significance label."""
    out = _prepare(df)
    if "comparison" not in out:
        out["comparison"] = "not_compared"
    out["comparison"] = out["comparison"].fillna("not_compared")
    out["comparison_label"] = out["comparison"].map(COMPARISON_LABELS).fillna("Inte jämfört")
    out = out.sort_values(["suppressed", "value"], ascending=[True, False], na_position="last")
    out["label"] = _label_column(out, decimals, unit)
    order = list(out["area"])
    present = [c for c in COMPARISON_COLOURS if c in set(out["comparison"])]
    y = alt.Y("area:N", sort=order, title=None)
    tooltip = [
        alt.Tooltip("area:N", title="Område"),
        alt.Tooltip("label:N", title="Värde"),
        alt.Tooltip("comparison_label:N", title="Jämfört med " + (benchmark_label or "jämförelsevärdet")),
    ]
    base = alt.Chart(out)
    layers = [
        base.mark_bar(stroke=NEUTRAL, strokeWidth=0.5).encode(
            y=y,
            x=alt.X("value:Q", title=unit or None),
            color=alt.Color(
                "comparison_label:N",
                title=f"Jämfört med {benchmark_label}" if benchmark_label else None,
                scale=alt.Scale(
                    domain=[COMPARISON_LABELS[c] for c in present],
                    range=[COMPARISON_COLOURS[c] for c in present],
                ),
            ),
            tooltip=tooltip,
        ),
        base.mark_text(align="left", dx=4, color="#1b1b1b")
        .encode(y=y, x=alt.value(2), text="label:N")
        .transform_filter("datum.value == null"),
    ]
    if _has_ci(out):
        layers.append(base.mark_rule(color="#1b1b1b").encode(y=y, x="ci_low:Q", x2="ci_high:Q"))
    if benchmark is not None:
        layers.append(
            alt.Chart(
                pd.DataFrame(
                    {
                        "b": [benchmark],
                        "label": [f"{benchmark_label}: {format_value(benchmark, decimals, unit)}"],
                    }
                )
            )
            .mark_rule(strokeDash=[6, 4], color="#1b1b1b", strokeWidth=2)
            .encode(x="b:Q", tooltip=alt.Tooltip("label:N", title="Jämförelse"))
        )
    height = max(120, 22 * len(out))
    chart = alt.layer(*layers).properties(width="container", height=height, title=title)
    rows = [[r["area"], _cell(r, decimals, unit), r["comparison_label"]] for _, r in out.iterrows()]
    table = Table(
        caption=title,
        columns=[
            "Område",
            "Värde (95 % KI)",
            f"Jämfört med {benchmark_label}" if benchmark_label else "Jämförelse",
        ],
        rows=rows,
        numeric=[False, True, False],
    )
    summary = _bars_summary(out, subject, decimals, unit, benchmark, benchmark_label)
    data = out[["area", "value", "ci_low", "ci_high", "suppressed", "comparison"]].reset_index(drop=True)
    return Chart(chart_id, title, _base_config(chart, summary), table, summary, data)


def _bars_summary(out, subject, decimals, unit, benchmark, benchmark_label) -> str:
    shown = out[out["value"].notna()]
    if shown.empty:
        return f"Inga publicerade värden för {subject}."
    top, bottom = shown.iloc[0], shown.iloc[-1]
    text = (
        f"{_upper_first(subject)} var högst i {top['area']} ({format_value(top['value'], decimals, unit)}) "
        f"och lägst i {bottom['area']} ({format_value(bottom['value'], decimals, unit)})"
    )
    if benchmark is not None and benchmark_label:
        text += f"; {benchmark_label} {format_value(benchmark, decimals, unit)}"
    hidden = int(out["suppressed"].sum())
    if hidden:
        text += f". {hidden} område{'n' if hidden > 1 else ''} redovisas inte (..) av sekretesskäl"
    return text + "."


def breakdown_bars(
    df: pd.DataFrame,
    *,
    chart_id: str,
    title: str,
    subject: str,
    unit: str = "",
    decimals: int = 1,
) -> Chart:
    """Bars per category (e.g. sex or background), grouped by ``group`` (e.g. area) when present."""
    out = _prepare(df)
    if "group" not in out:
        out["group"] = ""
    out["label"] = _label_column(out, decimals, unit)
    categories = list(dict.fromkeys(out["category"]))
    groups = list(dict.fromkeys(out["group"]))
    colour = alt.Color(
        "category:N",
        title=None,
        sort=categories,
        scale=alt.Scale(domain=categories, range=SERIES_COLOURS[: len(categories)]),
    )
    base = alt.Chart(out)
    encode = {
        "x": alt.X("value:Q", title=unit or None),
        "y": alt.Y("category:N", sort=categories, title=None),
        "color": colour,
        "tooltip": [
            alt.Tooltip("group:N", title="Grupp"),
            alt.Tooltip("category:N", title="Kategori"),
            alt.Tooltip("label:N", title="Värde"),
        ],
    }
    layers = [base.mark_bar().encode(**encode)]
    if _has_ci(out):
        layers.append(
            base.mark_rule(color="#1b1b1b").encode(
                y=alt.Y("category:N", sort=categories), x="ci_low:Q", x2="ci_high:Q"
            )
        )
    chart = alt.layer(*layers).properties(width="container", height=max(60, 26 * len(categories)))
    if len(groups) > 1:
        chart = chart.facet(row=alt.Row("group:N", title=None, sort=groups), data=out)
    chart = chart.properties(title=title)
    rows = []
    for group in groups:
        row = [group] if len(groups) > 1 else []
        for category in categories:
            match = out[(out["group"] == group) & (out["category"] == category)]
            row.append(_cell(match.iloc[0], decimals, unit) if len(match) else "–")
        rows.append(row)
    columns = (["Grupp"] if len(groups) > 1 else []) + categories
    table = Table(title, columns, rows, ([False] if len(groups) > 1 else []) + [True] * len(categories))
    shown = out[out["value"].notna() & (out["group"] == groups[0])]
    if len(shown) >= 2:
        hi = shown.loc[shown["value"].idxmax()]
        lo = shown.loc[shown["value"].idxmin()]
        where = f" i {groups[0]}" if groups[0] else ""
        summary = (
            f"{_upper_first(subject)}{where} var {format_value(hi['value'], decimals, unit)} för {hi['category'].lower()} "
            f"och {format_value(lo['value'], decimals, unit)} för {lo['category'].lower()}."
        )
    else:
        summary = f"För få publicerade värden för att jämföra grupper för {subject}."
    data = out[["group", "category", "value", "ci_low", "ci_high", "suppressed"]].reset_index(drop=True)
    return Chart(chart_id, title, _base_config(chart, summary), table, summary, data)


def sparkline(df: pd.DataFrame, *, chart_id: str, title: str, unit: str = "", decimals: int = 1) -> Chart:
    """A small line without axes, for indicator cards."""
    out = _prepare(df).sort_values("period")
    out["period"] = out["period"].astype(str)
    out["label"] = _label_column(out, decimals, unit)
    chart = (
        alt.Chart(out)
        .mark_line(point=alt.OverlayMarkDef(size=12), color=SERIES_COLOURS[0], strokeWidth=2)
        .encode(
            x=alt.X("period:O", axis=None),
            y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("period:O", title="Period"), alt.Tooltip("label:N", title="Värde")],
        )
        .properties(width=140, height=36)
    )
    shown = out[out["value"].notna()]
    if len(shown):
        summary = (
            f"{title}: från {format_value(shown.iloc[0]['value'], decimals, unit)} {shown.iloc[0]['period']} "
            f"till {format_value(shown.iloc[-1]['value'], decimals, unit)} {shown.iloc[-1]['period']}."
        )
    else:
        summary = f"{title}: inga publicerade värden."
    table = Table(
        title, ["Period", "Värde"], [[r["period"], r["label"]] for _, r in out.iterrows()], [False, True]
    )
    spec = _base_config(chart, summary)
    spec["config"]["view"] = {"stroke": None}
    data = out[["period", "value", "suppressed"]].reset_index(drop=True)
    return Chart(chart_id, title, spec, table, summary, data)


def choropleth(
    df: pd.DataFrame,
    geojson: dict,
    *,
    chart_id: str,
    title: str,
    subject: str,
    unit: str = "",
    decimals: int = 1,
    outlines: dict | None = None,
    outline_label: str = "",
) -> Chart:
    """Areas shaded by value (no map tiles: works offline and in PDF); optional outline layer."""
    out = _prepare(df)
    out["label"] = _label_column(out, decimals, unit)
    by_code = out.set_index("area_code")
    features = []
    for feature in geojson.get("features", []):
        code = feature.get("properties", {}).get("code")
        if code not in by_code.index:
            continue
        row = by_code.loc[code]
        props = dict(feature.get("properties", {}))
        props.update({"value": None if pd.isna(row["value"]) else float(row["value"]), "label": row["label"]})
        features.append({"type": "Feature", "geometry": feature["geometry"], "properties": props})
    base = alt.Chart(alt.Data(values=features)).project(type="mercator")
    layers = [
        base.mark_geoshape(stroke="#ffffff", strokeWidth=0.6).encode(
            color=alt.condition(
                "datum.properties.value == null",
                alt.value("#d9d9d9"),
                alt.Color("properties.value:Q", title=unit or subject, scale=alt.Scale(scheme="blues")),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title="Område"),
                alt.Tooltip("properties.label:N", title="Värde"),
            ],
        )
    ]
    if outlines and outlines.get("features"):
        layers.append(
            alt.Chart(alt.Data(values=outlines["features"]))
            .project(type="mercator")
            .mark_geoshape(fill=None, stroke="#D95F02", strokeWidth=2.5, strokeDash=[4, 2])
            .encode(tooltip=alt.Tooltip("properties.name:N", title=outline_label or "Område"))
        )
    chart = alt.layer(*layers).properties(width="container", height=420, title=title)
    ordered = out.sort_values("value", ascending=False, na_position="last")
    names = {
        f["properties"].get("code"): f["properties"].get("name", f["properties"].get("code"))
        for f in features
    }
    rows = [[names.get(r["area_code"], r["area_code"]), r["label"]] for _, r in ordered.iterrows()]
    table = Table(title, ["Område", "Värde"], rows, [False, True])
    shown = ordered[ordered["value"].notna()]
    if len(shown):
        hi, lo = shown.iloc[0], shown.iloc[-1]
        summary = (
            f"Kartan visar {subject} per område: högst i {names.get(hi['area_code'], hi['area_code'])} "
            f"({hi['label']}), lägst i {names.get(lo['area_code'], lo['area_code'])} ({lo['label']})."
        )
    else:
        summary = f"Kartan visar {subject} per område; inga publicerade värden."
    data = out[["area_code", "value", "suppressed"]].reset_index(drop=True)
    return Chart(chart_id, title, _base_config(chart, summary), table, summary, data)


def spine_chart(
    df: pd.DataFrame,
    *,
    chart_id: str,
    title: str,
    area_label: str,
    municipality_label: str,
    country_label: str,
) -> Chart:
    """All indicators of one area against the municipality and the country (an area profile).

    Input: one row per indicator with ``indicator, period, value, municipality, country, suppressed,
    comparison`` (the area's significance against the municipality), ``unit`` and ``decimals``. Each
    value is drawn as an index with the country = 100 (the municipality = 100 when most indicators have
    no national value), so indicators of different units share one axis; the table gives the values.
    """
    out = df.copy()
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    out.loc[out["suppressed"], "value"] = float("nan")
    for col in ("value", "municipality", "country"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    if "comparison" not in out:
        out["comparison"] = "not_compared"
    out["comparison"] = out["comparison"].fillna("not_compared")
    order = list(out["indicator"])
    use_country = out["country"].notna().sum() * 2 >= len(out) and out["country"].notna().any()
    reference_col, reference_label = (
        ("country", country_label) if use_country else ("municipality", municipality_label)
    )
    long_rows = []
    for _, r in out.iterrows():
        decimals = int(r.get("decimals", 1) or 1)
        unit = r.get("unit", "") or ""
        for series, col in (
            (area_label, "value"),
            (municipality_label, "municipality"),
            (country_label, "country"),
        ):
            suppressed = bool(r["suppressed"]) and col == "value"
            value = r[col]
            ref = r[reference_col]
            index = value / ref * 100 if pd.notna(value) and pd.notna(ref) and ref else None
            long_rows.append(
                {
                    "indicator": r["indicator"],
                    "period": str(r["period"]),
                    "series": series,
                    "value": value,
                    "index": index,
                    "suppressed": suppressed,
                    "label": format_value(value, decimals, unit, suppressed),
                    "comparison": r["comparison"] if col == "value" else "",
                    "comparison_label": COMPARISON_LABELS.get(r["comparison"], "") if col == "value" else "",
                }
            )
    long = pd.DataFrame(long_rows)
    y = alt.Y("indicator:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    tooltip = [
        alt.Tooltip("indicator:N", title="Indikator"),
        alt.Tooltip("series:N", title="Område"),
        alt.Tooltip("label:N", title="Värde"),
    ]
    base = alt.Chart(long)
    shapes = [area_label, municipality_label, country_label]
    present = [c for c in COMPARISON_COLOURS if c in set(out["comparison"])]
    layers = [
        alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(color=NEUTRAL, strokeDash=[4, 3]).encode(x="x:Q"),
        base.transform_filter(f"datum.series != {area_label!r}")
        .mark_point(size=70, filled=True, opacity=0.9)
        .encode(
            y=y,
            x=alt.X("index:Q", title=f"Index, {reference_label} = 100", scale=alt.Scale(zero=False)),
            shape=alt.Shape(
                "series:N",
                title=None,
                sort=shapes,
                scale=alt.Scale(domain=shapes[1:], range=["diamond", "square"]),
            ),
            color=alt.value(NEUTRAL),
            tooltip=tooltip,
        ),
        base.transform_filter(f"datum.series == {area_label!r}")
        .mark_circle(size=150, stroke="#1b1b1b", strokeWidth=1, opacity=1)
        .encode(
            y=y,
            x="index:Q",
            color=alt.Color(
                "comparison_label:N",
                title=f"{area_label} jämfört med {municipality_label}",
                scale=alt.Scale(
                    domain=[COMPARISON_LABELS[c] for c in present],
                    range=[COMPARISON_COLOURS[c] for c in present],
                ),
            ),
            tooltip=[*tooltip, alt.Tooltip("comparison_label:N", title="Jämfört med " + municipality_label)],
        ),
    ]
    chart = alt.layer(*layers).properties(width="container", height=max(120, 28 * len(out)), title=title)
    wide = long.pivot(index="indicator", columns="series", values="label").reindex(order)
    periods = dict(zip(out["indicator"], out["period"].astype(str), strict=True))
    comparisons = dict(zip(out["indicator"], out["comparison"].map(COMPARISON_LABELS), strict=True))
    rows = [
        [
            ind,
            periods[ind],
            wide.loc[ind, area_label],
            wide.loc[ind, municipality_label],
            wide.loc[ind, country_label],
            comparisons[ind],
        ]
        for ind in order
    ]
    table = Table(
        caption=title,
        columns=[
            "Indikator",
            "Period",
            area_label,
            municipality_label,
            country_label,
            f"Jämfört med {municipality_label}",
        ],
        rows=rows,
        numeric=[False, False, True, True, True, False],
    )
    shown = out[out["value"].notna()]
    worse = int((out["comparison"] == "worse").sum())
    better = int((out["comparison"] == "better").sum())
    summary = (
        f"{area_label} har värden för {len(shown)} av {len(out)} indikatorer; "
        f"{better} är bättre och {worse} sämre än {municipality_label} (statistiskt säkerställt)"
    )
    hidden = int(out["suppressed"].sum())
    if hidden:
        summary += f"; {hidden} redovisas inte (..) av sekretesskäl"
    summary += "."
    data = long[["indicator", "period", "series", "value", "suppressed", "comparison"]].reset_index(drop=True)
    return Chart(chart_id, title, _base_config(chart, summary), table, summary, data)
