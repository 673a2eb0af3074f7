"""A corpus of malformed inputs: each gives a clear error naming where, and writes nothing."""

import zipfile

import pandas as pd
import pytest

from livsvillkor.core.errors import InputError
from livsvillkor.observations.models import ImportBatch, Observation
from livsvillkor.observations.services import import_tidy_file

from .helpers import make_areas, make_indicators, row, write_csv

pytestmark = pytest.mark.django_db

HEADER = "indicator,period,area_code,value,numerator,denominator,note\n"


@pytest.fixture(autouse=True)
def codes():
    make_indicators()
    make_areas()
    yield
    # Every case in this file must leave the database without observations or batches.
    assert Observation.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def good_xlsx(path):
    pd.DataFrame([row(value="1"), row(area_code="1490C1340", value="2")], dtype=object).to_excel(
        path, index=False
    )
    return path


def test_truncated_xlsx(tmp_path):
    whole = good_xlsx(tmp_path / "whole.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="XLSX-filen är trasig"):
        import_tidy_file(cut)


def test_xlsx_with_a_damaged_member(tmp_path):
    path = good_xlsx(tmp_path / "good.xlsx")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 3]
            dst.writestr(item, data)
    with pytest.raises(InputError, match="trasig"):
        import_tidy_file(damaged)


def test_not_a_spreadsheet_at_all(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"%PDF-1.7 this is not a workbook")
    with pytest.raises(InputError, match="inte en XLSX-fil"):
        import_tidy_file(path)
    other = tmp_path / "data.json"
    other.write_text("{}")
    with pytest.raises(InputError, match="okänt filformat"):
        import_tidy_file(other)


def test_utf16_csv_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_text(HEADER + "born-outside-sweden,2022,1490C1300,1,,,Borås\n", encoding="utf-16")
    with pytest.raises(InputError, match="UTF-16"):
        import_tidy_file(path)


def test_windows_1252_csv_is_read_correctly(tmp_path, codes):
    path = tmp_path / "cp1252.csv"
    path.write_bytes((HEADER + "born-outside-sweden,2022,1490C1300,1,,,Södra Älvsborg\n").encode("cp1252"))
    result = import_tidy_file(path)
    assert Observation.objects.get().note == "Södra Älvsborg"
    # Clean up so the corpus-wide check (nothing written) applies to the malformed cases only.
    Observation.objects.all().delete()
    ImportBatch.objects.filter(pk=result.batch.pk).delete()


@pytest.mark.parametrize(
    "value, reason",
    [
        ("1,2,3", "inte ett tal"),
        ("12 kr", "inte ett tal"),
        ("inf", "inte ett tal"),
        ("nan", "inte ett tal"),
        ("0x1F", "inte ett tal"),
        ("1e999", "inte ett tal"),
        ("—", "inte ett tal"),
    ],
)
def test_bad_numbers(tmp_path, value, reason):
    path = write_csv(tmp_path / "bad.csv", [row(value="1"), row(area_code="1490C1340", value=value)])
    with pytest.raises(InputError) as exc:
        import_tidy_file(path)
    [problem] = exc.value.problems
    assert (problem.where, problem.field, problem.value) == ("rad 3", "value", value)
    assert reason in problem.message


def test_duplicate_keys_name_both_rows(tmp_path):
    rows = [row(value="1"), row(area_code="1490C1340", value="2"), row(value="3")]
    with pytest.raises(InputError) as exc:
        import_tidy_file(write_csv(tmp_path / "dup.csv", rows))
    [problem] = exc.value.problems
    assert problem.where == "rad 4" and "rad 2" in problem.message


def test_unknown_codes_and_missing_columns(tmp_path):
    rows = [
        row(indicator="nope", value="1"),
        row(area_code="0000X0000", value="1"),
        row(area_code="", value="1"),
    ]
    with pytest.raises(InputError) as exc:
        import_tidy_file(write_csv(tmp_path / "codes.csv", rows))
    assert [(p.where, p.field) for p in exc.value.problems] == [
        ("rad 2", "indicator"),
        ("rad 3", "area_code"),
        ("rad 4", "area_code"),
    ]
    path = tmp_path / "cols.csv"
    path.write_text("indikator;period;område\nx;2022;1490\n", encoding="utf-8")
    with pytest.raises(InputError, match="kolumner saknas: indicator, area_code, value"):
        import_tidy_file(path)


@pytest.mark.parametrize(
    "note",
    [
        "Robert'); DROP TABLE observations_observation;--",
        '=HYPERLINK("http://example.invalid")',
        "null\x00byte",
        "bell\x07",
        "x" * 5000,
    ],
    ids=["sql", "formula", "nul", "control", "long"],
)
def test_hostile_strings(tmp_path, note):
    rows = [row(value="1", note=note), row(area_code="1490C1340", value="1", note="ok")]
    if note.startswith("Robert") or note.startswith("="):
        # Harmless text: stored as it is, never executed, and the other rows are unaffected.
        path = write_csv(tmp_path / "ok.csv", rows)
        result = import_tidy_file(path)
        assert Observation.objects.get(area__code="1490C1300").note == note
        Observation.objects.all().delete()
        ImportBatch.objects.filter(pk=result.batch.pk).delete()
        return
    if "\x00" in note:
        with pytest.raises(InputError, match="binär"):
            import_tidy_file(write_csv(tmp_path / "bad.csv", rows))
        return
    with pytest.raises(InputError) as exc:
        import_tidy_file(write_csv(tmp_path / "bad.csv", rows))
    assert [(p.where, p.field) for p in exc.value.problems] == [("rad 2", "note")]


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="kan inte läsas"):
        import_tidy_file(empty)
