"""Large first loads drop the observation table's secondary indexes (and on PostgreSQL its unique and
foreign-key constraints) and rebuild them inside the import's transaction: the schema comes out the
same, the data is right, and a failure part-way restores everything."""

from __future__ import annotations

import pytest
from django.db import connection

from livsvillkor.core.errors import InputError
from livsvillkor.observations import services
from livsvillkor.observations.models import ImportBatch, Observation

from .helpers import make_areas, make_indicators, row, write_csv

pytestmark = pytest.mark.django_db

TABLE = Observation._meta.db_table


def schema() -> dict:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {
        name: (tuple(c["columns"]), c["unique"], c["index"], c["foreign_key"], c["primary_key"])
        for name, c in found.items()
    }


@pytest.fixture
def codes():
    make_indicators()
    make_areas()


def rows():
    areas = ["1490C1300", "1490C1340", "1490C1370", "1490C1040", "1490"]
    out = []
    for period in range(2010, 2023):
        for k, area in enumerate(areas):
            out.append(row(period=str(period), area_code=area, numerator=str(100 + k), denominator="1000"))
            out.append(
                row(
                    indicator="population-by-background",
                    period=str(period),
                    area_code=area,
                    value=str(period + k),
                    background="foreign",
                    note="O'Brien; 'citat'" if k == 0 else "",
                )
            )
    return out


def test_bulk_load_rebuilds_the_same_schema_and_writes_every_row(tmp_path, codes, monkeypatch):
    monkeypatch.setattr(services, "BULK_MIN_ROWS", 10)
    used = []
    real = services._indexes_rebuilt

    def spy(cursor, vendor, progress=None):
        used.append(vendor)
        return real(cursor, vendor, progress)

    monkeypatch.setattr(services, "_indexes_rebuilt", spy)
    before = schema()
    assert any(c[1] and not c[4] for c in before.values()), "the natural key is a unique index"
    result = services.import_tidy_file(write_csv(tmp_path / "all.csv", rows()))
    assert used == [connection.vendor]
    assert schema() == before
    assert (result.created, result.updated) == (130, 0)
    o = Observation.objects.get(indicator__code="born-outside-sweden", area__code="1490C1340", period="2015")
    assert o.value == pytest.approx(101 / 1000 * 100) and o.batch_id == result.batch.pk
    quoted = Observation.objects.filter(note="O'Brien; 'citat'")
    assert quoted.count() == 13 and {q.breakdown for q in quoted} == {"background=foreign"}
    # The rebuilt natural key still refuses a second copy of a key.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(
            indicator=o.indicator,
            area=o.area,
            period=o.period,
            period_start=2015,
            period_end=2015,
            breakdown="",
            value=1,
            batch=o.batch,
        )
    # A second, small import of the same indicators goes through the merge (no bulk load).
    again = services.import_tidy_file(write_csv(tmp_path / "all.csv", rows()))
    assert used == [connection.vendor] and again.unchanged == 130


def test_bulk_load_is_skipped_when_the_table_is_bigger_than_the_import(tmp_path, codes, monkeypatch):
    monkeypatch.setattr(services, "BULK_MIN_ROWS", 10)
    services.import_tidy_file(write_csv(tmp_path / "first.csv", rows()))
    used = []
    monkeypatch.setattr(services, "_indexes_rebuilt", lambda *a: used.append(a) or pytest.fail("bulk"))
    small = [row(indicator="employment-rate-16-64", period=str(p), value="70") for p in range(2010, 2022)]
    result = services.import_tidy_file(write_csv(tmp_path / "small.csv", small))
    assert result.created == 12 and used == []


def test_a_failure_during_a_bulk_load_restores_the_indexes_and_writes_nothing(tmp_path, codes, monkeypatch):
    monkeypatch.setattr(services, "BULK_MIN_ROWS", 10)
    before = schema()
    real = services._fill_stage

    def fail_after_writing(cursor, frame, vendor, progress, table=services.STAGE):
        real(cursor, frame, vendor, progress, table=table)
        raise InputError("avbruten mitt i skrivningen")

    monkeypatch.setattr(services, "_fill_stage", fail_after_writing)
    with pytest.raises(InputError, match="avbruten"):
        services.import_tidy_file(write_csv(tmp_path / "all.csv", rows()))
    assert schema() == before
    assert Observation.objects.count() == 0 and ImportBatch.objects.count() == 0
