import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from livsvillkor.core.errors import InputError
from livsvillkor.observations.models import ImportBatch, Observation, ObservationRevision
from livsvillkor.observations.services import import_observations, import_tidy_file

from .helpers import make_areas, make_indicators, row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup_db():
    make_indicators()
    make_areas()


def good_rows():
    return [
        row(area_code="1490C1300", numerator="1557", denominator="2364", value="65,86"),
        row(area_code="1490C1340", numerator="1091", denominator="1664", value="65.57"),
        row(area_code="1490C1370", value="..", note="för få"),
        row(area_code="1490C1040", value="-"),
        row(area_code="1490", numerator="20000", denominator="113000", flags="preliminary;estimated"),
        row(indicator="population-by-background", area_code="1490C1300", value="2057", background="foreign"),
        row(indicator="population-by-background", area_code="1490C1300", value="2364", background=""),
    ]


def test_good_file_imports_every_row_with_symbols_and_breakdowns(tmp_path, setup_db):
    path = write_csv(tmp_path / "good.csv", good_rows())
    result = import_tidy_file(path)
    assert (result.created, result.updated, result.unchanged, result.revisions) == (7, 0, 0, 0)
    o = Observation.objects.get(area__code="1490C1300", indicator__code="born-outside-sweden")
    assert o.value == pytest.approx(65.86) and o.numerator == 1557 and o.denominator == 2364
    suppressed = Observation.objects.get(area__code="1490C1370")
    assert suppressed.suppressed and suppressed.suppression_reason == "source" and suppressed.value is None
    assert Observation.objects.get(area__code="1490C1040").missing == "-"
    muni = Observation.objects.get(area__code="1490")
    # A blank value is computed from numerator / denominator × the indicator's scale (100).
    assert muni.value == pytest.approx(20000 / 113000 * 100)
    assert muni.preliminary and muni.estimated and not muni.break_in_series
    keys = set(
        Observation.objects.filter(indicator__code="population-by-background").values_list(
            "breakdown", flat=True
        )
    )
    assert keys == {"", "background=foreign"}
    batch = ImportBatch.objects.get()
    assert batch.file_name == "good.csv" and len(batch.file_hash) == 64 and batch.rows == 7


def test_reimport_is_idempotent_and_a_changed_value_makes_one_revision(tmp_path, setup_db):
    rows = good_rows()
    path = write_csv(tmp_path / "good.csv", rows)
    import_tidy_file(path)
    again = import_tidy_file(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert Observation.objects.count() == 7 and ObservationRevision.objects.count() == 0

    rows[1]["value"] = "70.1"
    path2 = write_csv(tmp_path / "changed.csv", rows)
    changed = import_tidy_file(path2)
    assert (changed.created, changed.updated, changed.unchanged, changed.revisions) == (0, 1, 6, 1)
    rev = ObservationRevision.objects.get()
    assert (rev.old_value, rev.new_value) == (pytest.approx(65.57), pytest.approx(70.1))
    assert rev.observation.area.code == "1490C1340" and rev.batch == changed.batch
    assert rev.previous_batch_id != changed.batch.pk
    assert Observation.objects.count() == 7


def test_three_bad_rows_are_all_reported_and_nothing_is_written(tmp_path, setup_db):
    rows = good_rows()
    rows[1]["value"] = "12x"  # file row 3
    rows[3]["area_code"] = "9999C9999"  # file row 5
    rows[5]["indicator"] = "no-such-indicator"  # file row 7
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(InputError) as exc:
        import_tidy_file(path)
    problems = exc.value.problems
    assert [(p.where, p.field, p.value) for p in problems] == [
        ("rad 3", "value", "12x"),
        ("rad 5", "area_code", "9999C9999"),
        ("rad 7", "indicator", "no-such-indicator"),
    ]
    assert "okänd områdeskod" in problems[1].message and "okänd indikator" in problems[2].message
    assert Observation.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_command_reports_errors_and_exits_non_zero(tmp_path, setup_db):
    path = write_csv(
        tmp_path / "bad.csv", [row(value="abc"), row(area_code="1490C1340", value="1", period="22")]
    )
    with pytest.raises(CommandError) as exc:
        call_command("import", "tidy", str(path))
    text = str(exc.value)
    assert "rad 2: value: inte ett tal (value: 'abc')" in text
    assert "rad 3: period" in text
    assert Observation.objects.count() == 0


def test_xlsx_tidy_file(tmp_path, setup_db):
    frame = pd.DataFrame(good_rows(), dtype=object)
    frame.loc[0, "value"] = 65.86  # a real number cell
    path = tmp_path / "good.xlsx"
    frame.to_excel(path, index=False)
    result = import_tidy_file(path)
    assert result.created == 7
    assert (
        Observation.objects.get(area__code="1490C1300", indicator__code="born-outside-sweden").value == 65.86
    )


def test_dataframe_api_checks_columns_ranges_and_categories(setup_db):
    df = pd.DataFrame(
        [
            row(value="50", ci_low="60", ci_high="70"),
            row(area_code="1490C1340", value="1", numerator="-3", denominator="0"),
            row(indicator="population-by-background", value="5", background="martian"),
            row(area_code="1490C1370", value="1", flags="weird"),
            row(area_code="1490C1040", period="2023-2019", value="1"),
        ]
    )
    with pytest.raises(InputError) as exc:
        import_observations(df, source="test", parameters={})
    found = {(p.where, p.field) for p in exc.value.problems}
    assert {
        ("rad 0", "value"),
        ("rad 1", "numerator"),
        ("rad 1", "denominator"),
        ("rad 2", "background"),
        ("rad 3", "flags"),
        ("rad 4", "period"),
    } <= found
    with pytest.raises(InputError, match="okända kolumner: colour"):
        import_observations(pd.DataFrame([row(value="1", colour="blue")]), source="test", parameters={})
    assert Observation.objects.count() == 0


def test_values_and_text_arrive_exactly_on_first_load_and_merge(setup_db):
    """The bulk load keeps every float bit-exact and text with quotes, separators and newlines intact."""
    tricky = 'a "quoted", text;\nover two lines'
    df = pd.DataFrame(
        [
            row(area_code="1490C1300", value=repr(0.1 + 0.2), note=tricky),
            row(area_code="1490C1340", value="1e-300", ci_low="", ci_high=""),
            row(area_code="1490C1370", value="123456789.123456789", note=""),
        ]
    )
    import_observations(df, source="test", parameters={})
    df.loc[2, "value"] = repr(2 / 3)
    second = import_observations(df, source="test", parameters={})
    assert (second.created, second.updated, second.unchanged) == (0, 1, 2)
    got = {o.area.code: o for o in Observation.objects.select_related("area")}
    assert got["1490C1300"].value == 0.1 + 0.2 and got["1490C1300"].note == tricky
    assert got["1490C1340"].value == 1e-300 and got["1490C1340"].ci_low is None
    assert got["1490C1370"].value == 2 / 3 and got["1490C1370"].note == ""


def test_reference_lookup_of_more_area_codes_than_sqlite_takes_parameters(db):
    from livsvillkor.geo.models import Area
    from livsvillkor.observations.validation import Reference

    Area.objects.bulk_create(
        [Area(code=f"X{i:06d}", name=f"X{i}", kind="deso") for i in range(40_000)], batch_size=5000
    )
    codes = [f"X{i:06d}" for i in range(40_000)] + ["missing"]
    ref = Reference.load(area_codes=codes)
    assert len(ref.areas) == 40_000 and "missing" not in ref.areas


def test_values_shared_by_every_row_are_written_exactly(tmp_path, setup_db):
    """On SQLite a column that holds one value throughout goes into the statement as a literal."""
    note = "O'Brien; 'citat' -- \"inte\" SQL"
    rows = [
        row(area_code=code, value="12.5", note=note, flags="preliminary", ci_low="1e-5", ci_high="99")
        for code in ("1490C1300", "1490C1340", "1490C1370")
    ]
    result = import_tidy_file(write_csv(tmp_path / "same.csv", rows))
    assert result.created == 3
    stored = list(
        Observation.objects.values_list("note", "value", "ci_low", "ci_high", "preliminary", "batch_id")
    )
    assert stored == [(note, 12.5, 1e-5, 99.0, True, result.batch.pk)] * 3
