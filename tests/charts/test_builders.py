import json

import pandas as pd
import pytest

from livsvillkor.charts import area_bars, breakdown_bars, choropleth, format_value, sparkline, trend_chart


def trend_frame():
    return pd.DataFrame(
        {
            "period": [2019, 2021, 2023] * 2,
            "series": ["Borås"] * 3 + ["Norrby"] * 3,
            "value": [78.0, 79.2, 80.1, 55.0, 57.0, 58.25],
            "ci_low": [77.0, 78.0, 79.0, 50.0, 52.0, 51.0],
            "ci_high": [79.0, 80.0, 81.0, 60.0, 62.0, 63.0],
            "suppressed": [False] * 5 + [True],
        }
    )


def inline_values(spec):
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "values" and isinstance(value, list):
                    found.extend(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    for dataset in spec.get("datasets", {}).values():
        found.extend(dataset)
    return found


def test_swedish_number_format():
    assert format_value(1234.56, 1, "st") == "1\u202f234,6\u00a0st"
    assert format_value(-2.5, 1, "%") == "−2,5\u00a0%"
    assert format_value(None, 1, "%") == "–"
    assert format_value(12.0, 1, "%", suppressed=True) == ".."


def test_trend_chart_hides_suppressed_values_everywhere():
    chart = trend_chart(
        trend_frame(), chart_id="t", title="Sysselsättning", subject="andelen sysselsatta", unit="%"
    )
    rows = {r[0]: r for r in chart.table.rows}
    assert rows["2023"][2] == ".."
    assert rows["2019"][1] == "78,0\u00a0% (77,0–79,0)"
    dumped = json.dumps(chart.spec)
    assert "58.25" not in dumped and "63.0" not in dumped  # the suppressed value and its CI never leak
    values = [
        v for v in inline_values(chart.spec) if v.get("series") == "Norrby" and v.get("period") == "2023"
    ]
    assert values and all(v["value"] is None or v["value"] != v["value"] for v in values)
    assert any(v.get("label") == ".." for v in values)
    assert chart.data.loc[chart.data["suppressed"], "value"].isna().all()


def test_trend_summary_is_generated_from_the_numbers():
    chart = trend_chart(trend_frame(), chart_id="t", title="S", subject="andelen sysselsatta", unit="%")
    assert chart.summary == "Andelen sysselsatta i Borås var 80,1\u00a0% 2023 (jämfört med 78,0\u00a0% 2019)."
    assert chart.spec["description"] == chart.summary


def test_area_bars_sorted_with_suppressed_last():
    df = pd.DataFrame(
        {
            "area": ["Sjöbo", "Norrby", "Sandhult", "Viskafors"],
            "value": [12.0, 23.0, 2.0, 4.0],
            "suppressed": [False, False, False, True],
            "comparison": ["similar", "worse", "better", "not_compared"],
        }
    )
    chart = area_bars(
        df, chart_id="a", title="T", subject="andelen", unit="%", benchmark=12.0, benchmark_label="Borås"
    )
    assert [r[0] for r in chart.table.rows] == ["Norrby", "Sjöbo", "Sandhult", "Viskafors"]
    assert chart.table.rows[-1][1] == ".."
    assert (
        "högst i Norrby (23,0\u00a0%)" in chart.summary and "lägst i Sandhult (2,0\u00a0%)" in chart.summary
    )
    assert "Borås 12,0\u00a0%" in chart.summary
    assert "redovisas inte" in chart.summary
    colours = json.dumps(chart.spec)
    assert "#2166AC" in colours and "#D95F02" in colours  # blue/orange, never red/green


def test_breakdown_and_sparkline():
    df = pd.DataFrame({"category": ["Svensk bakgrund", "Utländsk bakgrund"], "value": [2.5, 23.0]})
    chart = breakdown_bars(
        df, chart_id="b", title="Barn i ekonomiskt utsatta hushåll", subject="andelen", unit="%"
    )
    assert (
        chart.summary == "Andelen var 23,0\u00a0% för utländsk bakgrund och 2,5\u00a0% för svensk bakgrund."
    )
    spark = sparkline(
        trend_frame().query("series == 'Borås'"), chart_id="s", title="Sysselsättning", unit="%"
    )
    assert "från 78,0\u00a0% 2019 till 80,1\u00a0% 2023" in spark.summary


def test_choropleth_uses_only_known_areas():
    square = {"type": "Polygon", "coordinates": [[[12.9, 57.7], [13.0, 57.7], [13.0, 57.8], [12.9, 57.7]]]}
    geo = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": square, "properties": {"code": "A", "name": "Område A"}},
            {"type": "Feature", "geometry": square, "properties": {"code": "B", "name": "Område B"}},
        ],
    }
    df = pd.DataFrame({"area_code": ["A", "B"], "value": [5.0, 9.0], "suppressed": [False, True]})
    chart = choropleth(df, geo, chart_id="m", title="Karta", subject="andelen", unit="%")
    assert chart.table.rows == [["Område A", "5,0\u00a0%"], ["Område B", ".."]]
    assert "9.0" not in json.dumps(chart.spec)


@pytest.mark.parametrize("builder", ["trend", "bars"])
def test_specs_render_to_svg(builder):
    import vl_convert

    if builder == "trend":
        chart = trend_chart(trend_frame(), chart_id="t", title="T", subject="andelen", unit="%")
    else:
        chart = area_bars(
            pd.DataFrame(
                {"area": ["A", "B"], "value": [1.0, 2.0], "ci_low": [0.5, 1.5], "ci_high": [1.5, 2.5]}
            ),
            chart_id="a",
            title="T",
            subject="andelen",
            unit="%",
        )
    spec = dict(chart.spec, width=500)
    svg = vl_convert.vegalite_to_svg(spec)
    assert svg.startswith("<svg") and "aria" in svg


def test_spine_chart_indexes_against_the_country_or_else_the_municipality():
    import pandas as pd

    from livsvillkor.charts.builders import spine_chart

    rows = pd.DataFrame(
        {
            "indicator": ["A", "B"],
            "period": ["2024", "2024"],
            "value": [30.0, 5.0],
            "municipality": [20.0, 10.0],
            "country": [float("nan"), float("nan")],
            "suppressed": [False, True],
            "comparison": ["worse", "not_compared"],
            "unit": ["%", "%"],
            "decimals": [1, 1],
        }
    )
    chart = spine_chart(
        rows,
        chart_id="s",
        title="T",
        area_label="Norrby",
        municipality_label="Borås",
        country_label="Sverige",
    )
    values = [v for d in chart.spec["datasets"].values() for v in d]
    norrby_a = next(v for v in values if v.get("indicator") == "A" and v.get("series") == "Norrby")
    assert norrby_a["index"] == 150.0  # against Borås: no national values
    norrby_b = next(v for v in values if v.get("indicator") == "B" and v.get("series") == "Norrby")
    assert norrby_b["index"] is None and norrby_b["label"] == ".."
    assert chart.table.rows[1][2] == ".."
    shown = chart.data[(chart.data["indicator"] == "B") & (chart.data["series"] == "Norrby")].iloc[0]
    assert bool(shown["suppressed"]) and pd.isna(shown["value"])
    assert "Index, Borås = 100" in str(chart.spec)
