"""The six real SCB exports import with the repository's mappings; values checked against the files."""

import openpyxl
import pytest
from django.core.management import call_command

from livsvillkor.core.errors import InputError
from livsvillkor.core.paths import repo_file
from livsvillkor.geo.models import Area
from livsvillkor.geo.services import import_areas_key
from livsvillkor.observations.importers.scb_export import import_scb_export, load_mapping, parse_export
from livsvillkor.observations.models import ImportBatch, Observation
from tests.conftest import shared_file

from .helpers import make_indicators

pytestmark = pytest.mark.django_db

EXPORTS = "scb/deso_2022_exports/"
KEY = "scb/deso_regso_key_2018/kopplingstabell-deso-regso-20210702.csv"


def borås_rows(name):
    """Rows of the file whose first cell is a Borås DeSO code, read directly with openpyxl."""
    wb = openpyxl.load_workbook(shared_file(EXPORTS + name), read_only=True)
    rows = {
        r[0]: r
        for r in wb.worksheets[0].iter_rows(values_only=True)
        if isinstance(r[0], str) and r[0].startswith("1490")
    }
    wb.close()
    return rows


def stub_rows(name):
    wb = openpyxl.load_workbook(shared_file(EXPORTS + name), read_only=True)
    rows = {
        r[1]: r
        for r in wb.worksheets[0].iter_rows(values_only=True)
        if isinstance(r[1], str) and r[1].startswith("1490")
    }
    wb.close()
    return rows


# file, mapping, indicator, expected (value, numerator, denominator) from a raw row
CASES = [
    (
        "000005FB_20240813-152341.xlsx",
        "scb-000005FB-born-outside-sweden",
        "born-outside-sweden",
        borås_rows,
        lambda r: ((r[2] + r[3]) / r[4] * 100, r[2] + r[3], r[4]),
    ),
    (
        "000005FC_20240806-102837.xlsx",
        "scb-000005FC-population",
        "population",
        stub_rows,
        lambda r: (r[2], None, None),
    ),
    (
        "000005FE_20240813-152154.xlsx",
        "scb-000005FE-foreign-background",
        "foreign-background",
        borås_rows,
        lambda r: (r[2] / r[3] * 100, r[2], r[3]),
    ),
    (
        "000005MO_20240813-151714.xlsx",
        "scb-000005MO-compulsory-education",
        "compulsory-education-25-64",
        borås_rows,
        lambda r: (r[1] / sum(r[1:6]) * 100, r[1], sum(r[1:6])),
    ),
    (
        "000006TA_20240813-153551.xlsx",
        "scb-000006TA-low-economic-standard",
        "low-economic-standard",
        borås_rows,
        lambda r: (r[1], None, r[3]),
    ),
    (
        "000007A8_20240813-151334.xlsx",
        "scb-000007A8-employment-rate-16-64",
        "employment-rate-16-64",
        borås_rows,
        lambda r: (r[1] / r[5] * 100, r[1], r[5]),
    ),
]


@pytest.fixture
def sweden(shared_data):
    import_areas_key(shared_file(KEY))
    make_indicators()


@pytest.fixture
def boras(shared_data):
    import_areas_key(shared_file(KEY), municipality="1490")
    make_indicators()


@pytest.mark.parametrize("name, mapping, indicator, reader, expected", CASES, ids=[c[2] for c in CASES])
def test_real_export_imports_for_boras(boras, name, mapping, indicator, reader, expected):
    result = import_scb_export(
        shared_file(EXPORTS + name), repo_file(f"mappings/{mapping}.yaml"), municipality="1490"
    )
    assert result.created == 77
    raw = reader(name)
    assert len(raw) == 77
    stored = {
        o.area.code: o for o in Observation.objects.filter(indicator__code=indicator).select_related("area")
    }
    assert set(stored) == set(raw)
    for code, r in raw.items():
        value, numerator, denominator = expected(r)
        o = stored[code]
        assert o.period in ("2022", "2023")
        assert o.value == pytest.approx(value), code
        assert o.numerator == (None if numerator is None else pytest.approx(numerator))
        assert o.denominator == (None if denominator is None else pytest.approx(denominator))
    assert result.batch.attribution == "Källa: SCB"


def test_norrby_share_born_outside_sweden(boras):
    import_scb_export(
        shared_file(EXPORTS + CASES[0][0]),
        repo_file("mappings/scb-000005FB-born-outside-sweden.yaml"),
        municipality="1490",
    )
    # 1490C1300: Europe outside Sweden 351 + rest of the world 1 206 of 2 364 (the file's own counts).
    o = Observation.objects.get(area__code="1490C1300", indicator__code="born-outside-sweden")
    assert (o.numerator, o.denominator) == (1557, 2364)
    assert o.value == pytest.approx(65.863, abs=1e-3)


def test_whole_sweden_and_breakdown_mapping(sweden):
    result = import_scb_export(
        shared_file(EXPORTS + CASES[2][0]), repo_file("mappings/scb-000005FE-population-by-background.yaml")
    )
    assert result.created == 3 * 5984
    values = dict(
        Observation.objects.filter(
            area__code="1490C1340", indicator__code="population-by-background"
        ).values_list("breakdown", "value")
    )
    assert values == {"": 1664, "background=swedish": 129, "background=foreign": 1535}


def test_other_export_of_the_same_layout_needs_only_a_mapping(boras, tmp_path):
    """A csv export with RegSO labels, the year as stub, and sex as a breakdown: no code changes."""
    text = (
        '"Medelinkomst per region efter år, region och kön"\n\n'
        '"år";"region";"kvinnor";"män";"totalt"\n'
        '"2023";"Borås (Norrby)";"140,5";"..";"150,0"\n'
        '"";"Borås (Hässleholmen väst)";"120";"130";"125"\n'
        '"";"1490 Borås";"260";"300";"280"\n\n'
        '"Källa: SCB"\n'
    )
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("cp1252"))
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "indicator: population\nstub: [period, region]\nheader: [sex]\nvalue: {}\n"
        "breakdowns: {sex: {level: sex, categories: {kvinnor: women, män: men, totalt: ''}}}\n",
        encoding="utf-8",
    )
    call_command("import", "scb-export", str(path), "--mapping", str(mapping))
    got = {
        (o.area.code, o.breakdown): (o.value, o.suppressed)
        for o in Observation.objects.filter(indicator__code="population").select_related("area")
    }
    norrby = Area.objects.get(kind="regso", name="Norrby", municipality_code="1490").code
    assert got[(norrby, "sex=women")] == (140.5, False)
    assert got[(norrby, "sex=men")] == (None, True)
    assert got[("1490", "")] == (280, False)
    assert len(got) == 9


def test_mapping_that_does_not_fit_is_a_clear_error(boras, tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "indicator: born-outside-sweden\nstub: [region]\nheader: [period, birth_region, sex]\n"
        "numerator: {birth_region: Afrika}\ndenominator: {birth_region: totalt}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        import_scb_export(shared_file(EXPORTS + CASES[0][0]), mapping)
    assert exc.value.problems[0].field == "numerator.birth_region" and exc.value.problems[0].value == "Afrika"
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicator: x\nstub: [period]\nheader: []\nvalue: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match="region"):
        parse_export(shared_file(EXPORTS + CASES[0][0]), load_mapping(bad))
    assert ImportBatch.objects.count() == 0
