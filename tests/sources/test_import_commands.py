"""``livsvillkor import kolada`` and ``import pxweb``: replayed answers through the real clients into the store."""

import json
from io import StringIO

import httpx
import pytest
import respx
from django.core.management import call_command
from django.core.management.base import CommandError

from livsvillkor.core.errors import InputError
from livsvillkor.framework.models import Indicator
from livsvillkor.geo.models import Area
from livsvillkor.observations.importers import kolada as kolada_importer
from livsvillkor.observations.importers import pxweb as pxweb_importer
from livsvillkor.observations.importers import registry
from livsvillkor.observations.models import ImportBatch, Observation
from livsvillkor.sources.base import HttpSession
from livsvillkor.sources.kolada import KoladaClient
from tests.conftest import shared_file
from tests.sources.kolada_server import BASE, KoladaServer
from tests.sources.test_pxweb_v2 import COUNTY_CODES

pytestmark = pytest.mark.django_db


def test_both_importers_are_registered():
    names = set(registry())
    assert {"kolada", "pxweb"} <= names


@pytest.fixture
def brp(shared_data):
    """An indicator for Kolada's N03702 (real value rows exist for eight municipalities)."""
    ind = Indicator.objects.create(
        code="brp-per-invanare",
        name="BRP per invånare",
        value_type="mean",
        source_type="kolada",
        kolada_id="N03702",
    )
    muni = [("0319", "Älvkarleby"), ("0562", "Finspång"), ("0687", "Tranås")]
    for code, name in muni:
        Area.objects.create(code=code, name=name, kind="municipality", municipality_code=code)
    return ind


def test_import_kolada_writes_one_batch_and_is_idempotent(brp):
    server = KoladaServer()
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=server)
        client = KoladaClient(HttpSession(sleep=lambda s: None))
        result = kolada_importer.fetch_and_import(
            ["N03702"], ["0319", "0562", "0687"], list(range(2012, 2024)), client=client
        )
        assert result.created == 3 * 12 and result.rows == 36
        batch = result.batch
        assert batch.source == "kolada" and batch.attribution == "Källa: Kolada"
        assert batch.parameters["kpi"] == ["N03702"] and batch.parameters["urls"][0].startswith(BASE)
        assert len(batch.file_hash) == 64
        obs = Observation.objects.get(indicator=brp, area__code="0319", period="2012", breakdown="")
        assert obs.value == pytest.approx(253.891158)
        again = kolada_importer.fetch_and_import(
            ["N03702"], ["0319", "0562", "0687"], list(range(2012, 2024)), client=client
        )
    assert again.created == 0 and again.unchanged == 36
    assert Observation.objects.count() == 36


def test_import_kolada_refuses_kpis_outside_the_catalogue(brp):
    with pytest.raises(InputError) as info:
        kolada_importer.fetch_and_import(["N03702", "N99999"], ["0319"], [2020], client=object())
    assert "N99999" in str(info.value) and "N03702" not in str(info.value.problems)
    assert not ImportBatch.objects.exists()


def test_gender_and_preliminary_become_sex_and_flags():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "kpi": ["N02267"] * 3,
            "municipality_id": ["1490"] * 3,
            "period": [2025] * 3,
            "gender": ["T", "K", "M"],
            "value": [80.1, None, 81.0],
            "count": [1, 1, 1],
            "status": ["", "Saknas", ""],
            "preliminary": [True, True, False],
        }
    )
    tidy = kolada_importer.to_tidy(frame, {"N02267": "sysselsattningsgrad-20-64"})
    assert tidy["sex"].tolist() == ["", "women", "men"]
    assert tidy["value"].tolist() == ["80.1", "-", "81.0"]
    assert tidy["flags"].tolist() == ["preliminary", "preliminary", ""]


def test_years_option():
    assert kolada_importer.parse_years("2015-2017,2020") == [2015, 2016, 2017, 2020]
    with pytest.raises(InputError, match="år"):
        kolada_importer.parse_years("2020-2015")


V1_BASE = "https://api.scb.se/OV0104/v1/doris/en/ssd"
V1_TABLE = "BE/BE0101/BE0101A/BefolkningNy"


@pytest.fixture
def married(shared_data):
    Area.objects.create(code="SE", name="Sverige", kind="country")
    return Indicator.objects.create(code="gifta", name="Gifta", value_type="count", source_type="scb")


def write_selection(tmp_path, **extra):
    query = json.loads(shared_file("scb/pxweb_v1/scb_v1_query_BE0101A_BefolkningNy.json").read_text())[
        "query"
    ]["query"]
    spec = {
        "indicator": "gifta",
        "api": "v1",
        "base_url": V1_BASE,
        "area_code": "SE",
        "period": "Tid",
        "filter": {"Civilstand": ["G"]},
        "breakdowns": {"sex": {"variable": "Kon", "categories": {"1": "men", "2": "women"}}},
        "selection": {q["code"]: q["selection"]["values"] for q in query},
        **extra,
    }
    path = tmp_path / "selection.yaml"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return path


def v1_mock():
    mock = respx.mock(base_url=V1_BASE)
    mock.post(f"/{V1_TABLE}").mock(
        return_value=httpx.Response(
            200, content=shared_file("scb/pxweb_v1/scb_v1_data_BE0101A_BefolkningNy_json.json").read_bytes()
        )
    )
    return mock


def test_import_pxweb_v1_through_the_command(married, tmp_path):
    selection = write_selection(tmp_path)
    out = StringIO()
    with v1_mock() as mock:
        call_command(
            "import",
            "pxweb",
            "--table",
            V1_TABLE,
            "--selection",
            str(selection),
            stdout=out,
            stderr=StringIO(),
        )
        sent = json.loads(mock.calls[0].request.content)
    assert sent["query"][1]["code"] == "Civilstand" and sent["response"]["format"] == "json"
    assert Observation.objects.count() == 6  # 2 sexes × 3 years, married only
    men_2015 = Observation.objects.get(indicator=married, period="2015", breakdown="sex=men")
    assert men_2015.value == 1651482
    batch = ImportBatch.objects.get()
    assert batch.source == "pxweb-v1" and batch.attribution == "Källa: SCB"
    assert "6 rader" in out.getvalue()


def test_import_pxweb_unmapped_variable_is_named(married, tmp_path):
    selection = write_selection(tmp_path, filter={})
    with v1_mock(), pytest.raises(CommandError, match="Civilstand"):
        call_command(
            "import",
            "pxweb",
            "--table",
            V1_TABLE,
            "--selection",
            str(selection),
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert not Observation.objects.exists()


def test_import_pxweb_v2_monthly_periods_are_refused_with_the_row(tmp_path, shared_data):
    Indicator.objects.create(code="folkmangd", name="Folkmängd", value_type="count", source_type="scb")
    for code in COUNTY_CODES:
        Area.objects.create(code=code, name=code, kind="county")
    data = shared_file("scb/pxweb_v2/TAB6471_data.json")
    spec = {
        "indicator": "folkmangd",
        "filter": {"Alder": ["20-29"], "Kon": ["TotSa"]},
        "selection": {
            "Region": ["01"],
            "Alder": ["20-29"],
            "Kon": ["TotSa"],
            "ContentsCode": ["000007SF"],
            "Tid": ["2026M01"],
        },
    }
    path = tmp_path / "sel.yaml"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with respx.mock(base_url="https://statistikdatabasen.scb.se/api/v2") as mock:
        mock.get("/config").mock(
            return_value=httpx.Response(200, content=shared_file("scb/pxweb_v2/config.json").read_bytes())
        )
        mock.post("/tables/TAB6471/data").mock(return_value=httpx.Response(200, content=data.read_bytes()))
        with pytest.raises(InputError) as info:
            pxweb_importer.fetch_and_import("TAB6471", path, session=HttpSession(sleep=lambda s: None))
    assert any(p.field == "period" and p.value == "2026M01" for p in info.value.problems)
    assert not Observation.objects.exists()
