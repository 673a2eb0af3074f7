"""``livsvillkor demo``: offline example data, idempotence, the area-file fallback and ``--data``."""

from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.db.models import Sum

from livsvillkor.core import demo, exampledata
from livsvillkor.core.paths import repo_file
from livsvillkor.framework.catalogue import parse_catalogue_file
from livsvillkor.framework.models import Indicator
from livsvillkor.geo.models import Area
from livsvillkor.observations.models import ImportBatch, Observation
from tests.conftest import shared_file

pytestmark = pytest.mark.django_db


def run_demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def value(code, area, period, breakdown=""):
    return Observation.objects.get(
        indicator__code=code, area__code=area, period=period, breakdown=breakdown
    ).value


@pytest.fixture
def key_table(shared_data, monkeypatch):
    path = shared_file(demo.KEY_TABLE)
    monkeypatch.setattr(demo, "find_key_table", lambda: path)
    return path


def test_offline_demo_is_complete_plausible_and_idempotent(key_table, monkeypatch):
    monkeypatch.setenv("LIVSVILLKOR_ADMIN_PASSWORD", "test-password")
    output = run_demo()
    assert "Exempeldata – inte officiell statistik" in output
    catalogue = [i.code for i in parse_catalogue_file(repo_file(demo.CATALOGUE))[0].indicators]
    with_data = set(Observation.objects.values_list("indicator__code", flat=True).distinct())
    assert with_data == set(catalogue)
    assert exampledata.is_example_data()
    batch = ImportBatch.objects.get(source=exampledata.EXAMPLE_SOURCE)
    assert batch.attribution.startswith("Exempeldata")
    assert Area.objects.filter(kind="deso", municipality_code="1490").count() == 77

    # every level the catalogue names is there: municipality, 10 kommundelar, RegSO, DeSO
    emp = Observation.objects.filter(indicator__code="sysselsattningsgrad-20-64", period="2019", breakdown="")
    assert set(emp.values_list("area__kind", flat=True)) == {
        "municipality",
        "district",
        "regso",
        "deso",
        "custom",
    }
    assert emp.filter(area__kind="district").count() == 10
    assert emp.filter(area__kind="regso").count() == 47 and emp.filter(area__kind="deso").count() == 77
    years = sorted(
        set(
            Observation.objects.filter(indicator__code="sysselsattningsgrad-20-64").values_list(
                "period", flat=True
            )
        )
    )
    assert years == [str(y) for y in range(2015, 2026)]

    # consistent with the real Borås figures (BORAS.md section 5)
    assert value("sysselsattningsgrad-20-64", "1490", "2019") == pytest.approx(80, abs=2)
    assert value("barn-lag-ekonomisk-standard", "1490", "2019", "background=swedish") == pytest.approx(
        2.5, abs=0.8
    )
    assert value("barn-lag-ekonomisk-standard", "1490", "2019", "background=foreign") == pytest.approx(
        23, abs=3
    )
    for ou in ("1490-OU-NORRBY", "1490-OU-HASSLEHOLMEN"):
        assert value("barn-lag-ekonomisk-standard", ou, "2022") > 2.5 * value(
            "barn-lag-ekonomisk-standard", "1490", "2022"
        )
        assert (
            value("sysselsattningsgrad-20-64", ou, "2022")
            < value("sysselsattningsgrad-20-64", "1490", "2022") - 8
        )
    assert 250 <= value("personer-i-hemloshet", "1490", "2020") <= 420

    # areas are the sums of their DeSO, totals the sums of their groups
    district = Area.objects.get(code="1490-KD-NORRBY")
    member_num = Observation.objects.filter(
        indicator__code="lag-ekonomisk-standard", period="2021", breakdown="", area__in=district.members.all()
    ).aggregate(n=Sum("numerator"), d=Sum("denominator"))
    total = Observation.objects.get(
        indicator__code="lag-ekonomisk-standard", period="2021", breakdown="", area=district
    )
    assert (total.numerator, total.denominator) == (member_num["n"], member_num["d"])
    groups = Observation.objects.filter(
        indicator__code="lag-ekonomisk-standard",
        period="2021",
        area__code="1490",
        breakdown__startswith="background=",
    ).aggregate(n=Sum("numerator"))
    assert (
        value("lag-ekonomisk-standard", "1490", "2021")
        and groups["n"]
        == Observation.objects.get(
            indicator__code="lag-ekonomisk-standard", period="2021", area__code="1490", breakdown=""
        ).numerator
    )
    sexes = Observation.objects.filter(indicator__code="ohalsotal", period="2020", area__code="1490").exclude(
        breakdown=""
    )
    assert set(sexes.values_list("breakdown", flat=True)) == {"sex=women", "sex=men"}
    assert value("ohalsotal", "1490", "2020", "sex=women") > value("ohalsotal", "1490", "2020", "sex=men")
    # indicators without a background breakdown have none
    assert not Observation.objects.filter(
        indicator__code="ohalsotal", breakdown__contains="background"
    ).exists()

    # running it again changes nothing
    count = Observation.objects.count()
    output = run_demo()
    assert "oförändrade" in output
    assert Observation.objects.count() == count
    assert ImportBatch.objects.filter(source=exampledata.EXAMPLE_SOURCE).count() == 1


def test_without_the_key_table_the_area_file_alone_is_used(monkeypatch):
    monkeypatch.setattr(demo, "find_key_table", lambda: None)
    run_demo()
    assert not Area.objects.filter(kind="deso").exists()
    assert Area.objects.filter(kind="district").count() == 10
    emp = Observation.objects.filter(indicator__code="sysselsattningsgrad-20-64", period="2019", breakdown="")
    assert set(emp.values_list("area__kind", flat=True)) == {"municipality", "district"}
    norrby = value("oppet-arbetslosa-18-65", "1490-KD-NORRBY", "2024")
    assert norrby > value("oppet-arbetslosa-18-65", "1490", "2024")
    assert ImportBatch.objects.get(source="example").parameters["cells"] == "district"


def test_data_dir_replaces_example_values_with_real_deso_values(key_table):
    run_demo()
    exports = shared_file("scb/deso_2022_exports")
    output = run_demo("--data", str(exports))
    real = Observation.objects.exclude(batch__source=exampledata.EXAMPLE_SOURCE)
    codes = set(real.values_list("indicator__code", flat=True))
    assert {
        "utrikes-fodda-andel",
        "lag-ekonomisk-standard",
        "forgymnasial-utbildning-25-64",
        "sysselsattningsgrad-16-64",
    } <= codes
    # the real values are DeSO values, and those indicators carry no example values any more
    assert real.filter(indicator__code="lag-ekonomisk-standard", area__kind="deso").count() == 77
    assert not Observation.objects.filter(batch__source="example", indicator__code__in=codes).exists()
    assert "hoppas över" in output  # population tables have no catalogue indicator
    norrby = Observation.objects.get(
        indicator__code="utrikes-fodda-andel", area__code="1490C1300", breakdown=""
    )
    assert norrby.batch.source == "scb-export" and norrby.value > 50
    # the other indicators keep their example data, and running again changes nothing
    assert Observation.objects.filter(batch__source="example", indicator__code="ohalsotal").exists()
    count = Observation.objects.count()
    run_demo("--data", str(exports))
    assert Observation.objects.count() == count


def test_generation_is_deterministic_and_every_indicator_has_a_profile():
    profiles = exampledata.load_profiles(repo_file(demo.PROFILES))
    catalogue = parse_catalogue_file(repo_file(demo.CATALOGUE))[0]
    assert {i.code for i in catalogue.indicators} == set(profiles.indicators)
    areas = [{"code": "1490", "kind": "municipality", "population": None, "parent_code": None}] + [
        {"code": f"1490-KD-{n}", "kind": "district", "population": 10000 + 500 * i, "parent_code": "1490"}
        for i, n in enumerate(["NORRBY", "SJOBO", "CENTRUM", "FRISTAD"])
    ]
    specs = [
        exampledata.IndicatorSpec(
            i.code, i.value_type, i.polarity, list(i.breakdowns), list(i.levels), i.source.type
        )
        for i in catalogue.indicators
    ]
    first = exampledata.generate(specs, profiles, exampledata.build_cells(areas, [], profiles.seed))
    second = exampledata.generate(specs, profiles, exampledata.build_cells(areas, [], profiles.seed))
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert first.digest == second.digest
    frame = first.frame
    props = frame[
        frame["indicator"].isin([i.code for i in catalogue.indicators if i.value_type == "proportion"])
    ]
    assert props["value"].between(0, 100).all()
    assert np.isfinite(frame["value"].astype(float)).all()


def test_is_example_data_per_indicator(boras_framework):
    call_command("load-catalogue", stdout=StringIO())
    assert not exampledata.is_example_data()
    assert not exampledata.is_example_data(Indicator.objects.first())


def test_online_fetches_every_catalogue_kpi_in_chunks(boras_framework, shared_data):
    """``--online`` through the real Kolada client, replayed: all catalogue KPIs, 25 per path segment."""
    import respx

    from tests.sources.kolada_server import BASE, KoladaServer

    call_command("load-catalogue", stdout=StringIO())
    Area.objects.create(code="1490", name="Borås", kind="municipality", municipality_code="1490")
    server = KoladaServer()
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=server)
        results = demo.fetch_online(list(range(2015, 2026)))
    kpis = set(Indicator.objects.exclude(kolada_id="").values_list("kolada_id", flat=True))
    data_paths = {r.url.path for r in server.requests if r.url.path.startswith("/v3/data/")}
    asked = [p.split("/data/kpi/")[1].split("/")[0].split(",") for p in data_paths]
    assert sorted(k for chunk in asked for k in chunk) == sorted(kpis)
    assert max(len(chunk) for chunk in asked) == 25
    assert all("/municipality/1490/year/2015,2016" in p for p in data_paths)
    assert results[0].step == "Kolada"
    assert ImportBatch.objects.get(source="kolada").attribution == "Källa: Kolada"


def test_data_dir_tidy_files_use_catalogue_codes_and_aliases(boras_framework, tmp_path):
    call_command("load-catalogue", stdout=StringIO())
    Area.objects.create(code="1490", name="Borås", kind="municipality", municipality_code="1490")
    (tmp_path / "egna.csv").write_text(
        "indicator,period,area_code,value,sex\n"
        "low-economic-standard,2023,1490,14.2,\n"
        "personer-i-hemloshet,2023,1490,352,\n"
        "personer-i-hemloshet,2023,1490,101,women\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    results = demo.import_data_dir(tmp_path)
    assert [r.rows for r in results] == [3]
    assert value("lag-ekonomisk-standard", "1490", "2023") == 14.2  # the alias resolved to the catalogue code
    assert value("personer-i-hemloshet", "1490", "2023", "sex=women") == 101
    assert demo.indicators_with_real_data() == {"lag-ekonomisk-standard", "personer-i-hemloshet"}
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(demo.InputError, match="inga"):
        demo.import_data_dir(empty)
    with pytest.raises(demo.InputError, match="finns inte"):
        demo.import_data_dir(tmp_path / "missing")
