"""Indicator, effect-goal, area and compare pages on generated data (Django test client)."""

import io
import json

import pandas as pd
import pytest
from django.core.cache import cache

from tests.portal.sample import SUPPRESSED_CELL, load_sample

pytestmark = pytest.mark.django_db

IND = "lag-ekonomisk-standard"


@pytest.fixture
def data(boras_framework):
    cache.clear()
    load_sample()
    return boras_framework


def _html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_indicator_page_shows_metadata_charts_tables_and_banner(client, data):
    html = _html(client, f"/indikatorer/{IND}/")
    assert "Invånare med låg ekonomisk standard" in html
    assert "Källa: SCB" in html
    assert "lägre är bättre" in html  # polarity
    assert 'href="/effektmal/2.1/"' in html and 'href="/effektmal/3.1/"' in html
    assert "Exempeldata – inte officiell statistik" in html
    for chart in (
        "chart-trend",
        "chart-breakdown-sex",
        "chart-breakdown-background",
        "chart-areas",
        "chart-gap",
    ):
        assert f'id="{chart}"' in html, chart
        assert f'id="{chart}-spec"' in html
    # Without JavaScript: tables and text summaries are in the page.
    assert "<table>" in html and 'class="chart-summary"' in html
    assert "Minskande och förbättras" in html  # trend label with polarity
    assert "Lutningsindex (SII)" in html and "Relativt ojämlikhetsindex (RII)" in html
    assert "Kartan visas inte" in html  # no boundaries loaded in the sample


def test_indicator_page_level_and_gap_pickers(client, data):
    html = _html(client, f"/indikatorer/{IND}/?niva=regso&skillnad=background")
    assert "Borås RegSO 1" in html
    assert "Skillnad (D)" in html and "Kvot (R)" in html
    assert "Mellan svensk och utländsk bakgrund</strong>: Skillnaden ökar" in html


def test_unknown_indicator_is_404(client, data):
    _html(client, "/indikatorer/finns-inte/", 404)
    _html(client, f"/indikatorer/{IND}/data/trend.pdf", 404)
    _html(client, f"/indikatorer/{IND}/data/nope.csv", 404)


def test_downloads_return_the_chart_data(client, data):
    html = _html(client, f"/indikatorer/{IND}/?niva=district")
    assert f"/indikatorer/{IND}/data/areas.csv?niva=district" in html
    response = client.get(f"/indikatorer/{IND}/data/areas.csv?niva=district")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    table = pd.read_csv(io.StringIO(text), dtype=str, nrows=10)
    assert set(table["Område"]) == {
        "Brämhult",
        "Centrum",
        "Göta",
        "Norrby",
        "Sjöbo",
        "Trandared",
        "Dalsjöfors",
        "Fristad",
        "Sandhult",
        "Viskafors",
    }
    # The sample is example data: never credited to the indicator's real source.
    assert "Exempeldata, genererad av Livsvillkor – inte officiell statistik" in text
    assert "Källa: SCB" not in text
    xlsx = client.get(f"/indikatorer/{IND}/data/areas.xlsx?niva=district")
    frame = pd.read_excel(io.BytesIO(xlsx.content), sheet_name="Data", dtype=str)
    assert list(frame["Område"]) == list(table["Område"])
    stat = json.loads(client.get(f"/indikatorer/{IND}/data/areas.json?niva=district").content)
    assert stat["version"] == "2.0" and stat["source"].startswith("Exempeldata")
    assert list(stat["dimension"]["area"]["category"]["index"]) == list(table["Område"])


def test_suppressed_cell_is_dots_on_the_page_in_downloads_and_chart_data(client, data):
    indicator, period, area, _category = SUPPRESSED_CELL  # the Norrby total of 2024
    url = f"/indikatorer/{indicator}/?niva=district"
    html = _html(client, url)
    row = html[html.index('<th scope="row">Norrby</th>') :]
    row = row[: row.index("</tr>")]
    assert ">..</abbr>" in row and "0,0" not in row
    # The chart data (what vega draws) has no number for the cell, and its label is "..".
    spec_json = html[html.index('id="chart-areas-spec"') :]
    spec_json = spec_json[spec_json.index(">") + 1 : spec_json.index("</script>")]
    spec = json.loads(spec_json)
    values = [
        v for d in spec["datasets"].values() for v in d if isinstance(v, dict) and v.get("area") == "Norrby"
    ]
    assert values and all(v["value"] is None and v["label"] == ".." for v in values)
    # Every download says "..", never 0 or blank.
    csv_text = client.get(f"/indikatorer/{indicator}/data/areas.csv?niva=district").content.decode(
        "utf-8-sig"
    )
    table = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False, nrows=10).set_index("Område")
    assert table.loc["Norrby", "Värde"] == ".."
    assert table.loc["Norrby", "Konfidensintervall, nedre"] == ".."
    xlsx = client.get(f"/indikatorer/{indicator}/data/areas.xlsx?niva=district").content
    sheet = pd.read_excel(io.BytesIO(xlsx), sheet_name="Data", dtype=str).set_index("Område")
    assert sheet.loc["Norrby", "Värde"] == ".."
    stat = json.loads(client.get(f"/indikatorer/{indicator}/data/areas.json?niva=district").content)
    position = stat["dimension"]["area"]["category"]["index"]["Norrby"]
    assert stat["value"][position] is None and stat["status"][str(position)] == ".."
    # The compare page shows the same cell in its trend table for the period.
    html = _html(client, f"/jamfor/?indikator={indicator}&omrade={area}&omrade=1490")
    trend_row = html[html.index(f'<th scope="row">{period}</th>') :]
    assert trend_row[: trend_row.index("</tr>")].count(">..</abbr>") == 1


def test_effect_goal_page_has_cards_and_the_assessment_proposal(client, data):
    html = _html(client, "/effektmal/2.1/")
    assert "Förslag till bedömning" in html
    assert "Beräknat förslag" in html
    assert "förbättring(ar)" in html and "av 2 indikatorer" in html
    assert 'href="/indikatorer/lag-ekonomisk-standard/"' in html
    assert 'href="/indikatorer/forvarvsarbetande-20-64/"' in html
    assert 'id="chart-spark-lag-ekonomisk-standard"' in html
    assert 'href="/effektmal/2.1/data/lag-ekonomisk-standard.csv"' in html
    text = client.get("/effektmal/2.1/data/lag-ekonomisk-standard.csv").content.decode("utf-8-sig")
    table = pd.read_csv(io.StringIO(text), dtype=str, nrows=10)
    assert list(table["Period"]) == [str(y) for y in range(2015, 2025)]
    assert client.get("/effektmal/2.1/data/trangboddhet.csv").status_code == 404  # not linked to 2.1
    assert "tone-better" in html
    assert "Exempeldata – inte officiell statistik" in html


def test_effect_goal_without_indicators_says_so(client, data):
    html = _html(client, "/effektmal/1.1/")
    assert "Inga indikatorer är kopplade till effektmålet ännu." in html
    assert "Exempeldata" not in html


def test_area_pages(client, data):
    html = _html(client, "/omraden/")
    assert 'href="/omraden/1490-KD-NORRBY/"' in html
    html = _html(client, "/omraden/1490-OU-NORRBY/")
    assert "Norrby" in html and "4100" in html
    assert 'id="chart-spine"' in html
    assert "Exempeldata – inte officiell statistik" in html
    html = _html(client, "/omraden/1490R002/")
    assert "Områdestyp 2 (2022)" in html
    _html(client, "/omraden/nowhere/", 404)
    response = client.get("/omraden/1490-OU-NORRBY/data.csv")
    text = response.content.decode("utf-8-sig")
    assert "Invånare med låg ekonomisk standard" in text and "Sverige" in text


def test_compare_page(client, data):
    html = _html(client, "/jamfor/")
    assert 'name="indikator"' in html and 'name="omrade"' in html
    html = _html(client, f"/jamfor/?indikator={IND}&omrade=1490-KD-NORRBY&omrade=1490-KD-CENTRUM&omrade=SE")
    assert 'id="chart-compare-trend"' in html and 'id="chart-compare-latest"' in html
    response = client.get(
        f"/jamfor/data/latest.csv?indikator={IND}&omrade=1490-KD-NORRBY&omrade=1490-KD-CENTRUM&omrade=SE"
    )
    table = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str, nrows=3)
    assert set(table["Område"]) == {"Norrby", "Centrum", "Sverige"}
    html = _html(client, f"/jamfor/?indikator={IND}&omrade=1490-KD-NORRBY&omrade=1490&grupp=sex")
    assert 'id="chart-compare-groups"' in html
    response = client.get(
        f"/jamfor/data/groups.csv?indikator={IND}&omrade=1490-KD-NORRBY&omrade=1490&grupp=sex"
    )
    groups = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str, nrows=4)
    assert list(groups["Grupp"]) == ["Norrby", "Norrby", "Borås", "Borås"]
    assert list(groups["Kategori"]) == ["Kvinnor", "Män", "Kvinnor", "Män"]
    html = _html(client, "/jamfor/?indikator=&omrade=nowhere")
    assert "Välj en indikator och minst ett område med värden." in html


def test_english_pages(client, data):
    html = _html(client, f"/en/indikatorer/{IND}/")
    assert '<html lang="en">' in html
    assert "Example data – not official statistics" in html
    assert "Decreasing and getting better" in html  # the statistics core's label, translated
    html = _html(client, "/en/effektmal/2.1/")
    assert "Proposed assessment" in html


def _square(x, y, size=0.02):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_choropleth_with_police_outlines_when_boundaries_exist(client, data):
    from livsvillkor.geo.models import Area

    for i, area in enumerate(Area.objects.filter(kind="district").order_by("code")):
        area.geometry = _square(12.9 + 0.02 * i, 57.7)
        area.save(update_fields=["geometry"])
    Area.objects.create(
        code="police-1",
        name="Norrby (särskilt utsatt område)",
        kind="custom",
        geometry=_square(12.96, 57.7, 0.01),
    )
    html = _html(client, f"/indikatorer/{IND}/?niva=district")
    assert 'id="chart-map"' in html and "Kartan visas inte" not in html
    spec_json = html[html.index('id="chart-map-spec"') :]
    spec = json.loads(spec_json[spec_json.index(">") + 1 : spec_json.index("</script>")])
    text = json.dumps(spec, ensure_ascii=False)
    assert "Norrby (särskilt utsatt område)" in text  # the Police outline layer
    assert 'name="utsatta"' in html
    off = _html(client, f"/indikatorer/{IND}/?niva=district&karta=1")
    off_spec = off[off.index('id="chart-map-spec"') :]
    assert "Norrby (särskilt utsatt område)" not in off_spec[: off_spec.index("</script>")]
    stat = json.loads(client.get(f"/indikatorer/{IND}/data/map.json?niva=district").content)
    assert len(stat["dimension"]["area_code"]["category"]["index"]) == 10


def test_no_banner_for_real_data(client, data):
    from livsvillkor.observations.models import ImportBatch

    ImportBatch.objects.update(source="scb")
    cache.clear()
    html = _html(client, f"/indikatorer/{IND}/")
    assert 'id="chart-trend"' in html
    assert "Exempeldata" not in html
