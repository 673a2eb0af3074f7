"""Observations: validate and import tidy data, read series back, and the tidy file format.

Every import — tidy files, SCB web exports, the Kolada/PxWeb connectors, the demo data — goes through
:func:`import_observations`. It validates every row first (vectorised; all problems are reported at
once, nothing is written when there is one) and then upserts on the natural key
``(indicator, area, period, breakdown)`` in one transaction with set-based SQL against a staging table
(filled with COPY on PostgreSQL), recording a revision for every value that changed.

Rows for indicators that have no observations yet skip the staging table and go straight into the
table, sorted by the natural key. When such a load is large (``BULK_MIN_ROWS``) and the table holds
no more rows than it brings, the table's secondary indexes (and on PostgreSQL its unique and
foreign-key constraints) are dropped and rebuilt inside the same transaction, as PostgreSQL's manual
advises for populating a table. ``bench/import_bench.py`` measures all of this.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.framework.models import Indicator
from livsvillkor.geo.models import Area

from .models import ImportBatch, Observation, ObservationRevision
from .validation import (  # noqa: F401  (the tidy format's names, used by importers and exports)
    FLAG_ALIASES,
    FLAG_FIELDS,
    FLAG_NAMES,
    INFORMATIVE_COLUMNS,
    MISSING,
    MISSING_SYMBOLS,
    NOT_APPLICABLE,
    NUMERIC_COLUMNS,
    REQUIRED_COLUMNS,
    SUPPRESSED,
    TIDY_COLUMNS,
    Reference,
    parse_numbers,
    validate_tidy,
)

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    batch: ImportBatch
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    revisions: int = 0

    @property
    def message(self) -> str:
        return (
            f"{self.rows} rader: {self.created} nya, {self.updated} ändrade ({self.revisions} revisioner), "
            f"{self.unchanged} oförändrade (importomgång {self.batch.pk})"
        )


# ---------------------------------------------------------------------------------------------------
# Writing

STAGE_COLUMNS = [
    "indicator_id",
    "area_id",
    "period",
    "period_start",
    "period_end",
    "breakdown",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "preliminary",
    "break_in_series",
    "estimated",
    "suppressed",
    "suppression_reason",
    "missing",
    "note",
]
KEY_COLUMNS = ["indicator_id", "area_id", "period", "breakdown"]
DATA_COLUMNS = [c for c in STAGE_COLUMNS if c not in KEY_COLUMNS and c not in ("period_start", "period_end")]
STAGE = "lv_observation_stage"
CHUNK = 100_000


def _stage_ddl(vendor: str) -> str:
    real = "double precision" if vendor == "postgresql" else "REAL"
    temp = "TEMPORARY TABLE" if vendor != "postgresql" else "TEMPORARY TABLE"
    tail = " ON COMMIT DROP" if vendor == "postgresql" else ""
    return (
        f"CREATE {temp} {STAGE} (indicator_id bigint NOT NULL, area_id bigint NOT NULL, period varchar(9) NOT NULL, "
        "period_start integer NOT NULL, period_end integer NOT NULL, breakdown varchar(200) NOT NULL, "
        f"value {real}, numerator {real}, denominator {real}, ci_low {real}, ci_high {real}, "
        "preliminary boolean NOT NULL, break_in_series boolean NOT NULL, estimated boolean NOT NULL, "
        "suppressed boolean NOT NULL, suppression_reason varchar(100) NOT NULL, missing varchar(1) NOT NULL, "
        f"note text NOT NULL){tail}"
    )


def _sql_literal(value) -> str:
    """A constant as an SQLite literal (only numbers, booleans, NULL and text reach here)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "NULL"
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def _python_column(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = np.asarray(values.cat.categories, dtype=object)
        return categories[values.cat.codes.to_numpy()].tolist()
    array = values.to_numpy()
    if array.dtype.kind == "f":
        missing = np.isnan(array)
        if missing.any():
            return np.where(missing, None, array.astype(object)).tolist()
    return array.tolist()


def _in_key_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows sorted by the natural key, so that the key's index is filled from one end (appending
    to a B-tree is far cheaper than inserting all over it, and a sorted index builds faster)."""
    if frame.attrs.get("in_key_order"):  # validate_tidy sorted it already
        return frame
    keys = []
    for c in reversed(KEY_COLUMNS):  # np.lexsort sorts by its last key first
        values = frame[c]
        if isinstance(values.dtype, pd.CategoricalDtype):
            rank = np.argsort(np.argsort(np.asarray(values.cat.categories, dtype=str), kind="stable"))
            keys.append(rank[values.cat.codes.to_numpy()])
        else:
            keys.append(values.to_numpy())
    order = np.lexsort(keys)
    if (order[1:] > order[:-1]).all():
        return frame
    return frame.take(order)


def _fill_stage(
    cursor, frame: pd.DataFrame, vendor: str, progress: ProgressCallback | None, table: str = STAGE
) -> None:
    """Bulk-load ``frame`` (its columns in order) into ``table``: COPY on PostgreSQL, executemany on SQLite."""
    total = len(frame)
    names = list(frame.columns)
    if vendor == "postgresql":
        import pyarrow as pa
        import pyarrow.csv as pa_csv
        from psycopg.copy import QueuedLibpqWriter

        # Arrow writes the CSV in C: floats in their shortest exact form, missing numbers (NaN) as
        # unquoted empty fields (NULL for COPY) and every text quoted (so "" stays an empty string).
        # Categorical columns go over as dictionary arrays, which Arrow writes as their values.
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
        columns = ", ".join(names)
        not_null = ", ".join(["period", "breakdown", "suppression_reason", "missing", "note"])
        # A queued writer sends from a thread of its own, so that Arrow writes the next chunk while
        # the server parses this one.
        with cursor.cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))",
            writer=QueuedLibpqWriter(cursor.cursor),
        ) as copy:
            for start in range(0, total, CHUNK):
                buffer = io.BytesIO()
                pa_csv.write_csv(arrow.slice(start, CHUNK), buffer, options)
                copy.write(buffer.getvalue())
                if progress:
                    progress("write", min(start + CHUNK, total), total)
        return
    for start in range(0, total, CHUNK):
        part = frame.iloc[start : start + CHUNK]
        # Columns that hold one value throughout the chunk (the batch, the flags, often the notes) go
        # into the statement as literals: binding fewer parameters per row is what makes SQLite fast.
        constant = {}
        for c in names:
            values = part[c]
            if isinstance(values.dtype, pd.CategoricalDtype):
                single = (
                    len(values.cat.categories)
                    and (values.cat.codes.to_numpy() == values.cat.codes.iloc[0]).all()
                )
            else:
                array = values.to_numpy()
                single = (array == array[0]).all() or (array.dtype.kind == "f" and np.isnan(array).all())
            if single:
                constant[c] = _sql_literal(values.iloc[0])
        constant.pop(names[0], None)  # executemany runs once per row of its parameters: bind one at least
        bound = [c for c in names if c not in constant]
        sql = (
            f"INSERT INTO {table} ({', '.join(bound + list(constant))}) "
            f"VALUES ({', '.join(['?'] * len(bound) + list(constant.values()))})"
        )
        cursor.cursor.executemany(sql, zip(*[_python_column(part[c]) for c in bound], strict=True))
        if progress:
            progress("write", min(start + CHUNK, total), total)


#: Imports of at least this many rows into a table that holds no more rows than they bring are loaded
#: with the table's secondary indexes and constraints dropped and rebuilt (``_indexes_rebuilt``).
BULK_MIN_ROWS = 200_000


def _bulk_load(cursor, vendor: str, rows: int) -> bool:
    """Whether to load without indexes: a large import into a table no bigger than the import."""
    if rows < BULK_MIN_ROWS:
        return False
    obs = Observation._meta.db_table
    if vendor == "postgresql":
        # Counted, not estimated (statistics lag behind imports), but no further than the import's size.
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {obs} LIMIT %s) AS t", [rows + 1])
        return cursor.fetchone()[0] <= rows
    cursor.execute(f"SELECT coalesce(max(id) - min(id) + 1, 0) FROM {obs}")  # an upper bound, from the key
    return cursor.fetchone()[0] <= rows


@contextmanager
def _indexes_rebuilt(cursor, vendor: str, progress: ProgressCallback | None = None):
    """Drop the observation table's secondary indexes (and on PostgreSQL its unique and foreign-key
    constraints) and create them again after the block, all inside the import's transaction.

    Building an index over sorted data is several times cheaper than updating it row by row, and one
    validating join per foreign key replaces a trigger call per row (PostgreSQL's advice for loading
    a table). An error, or a killed process, rolls the drops back with the rest of the import.
    On PostgreSQL this takes an exclusive lock: pages reading observations wait until the load ends.
    """
    obs = Observation._meta.db_table
    if vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {obs} IN ACCESS EXCLUSIVE MODE")
        # Check the deferred constraints of what this transaction wrote so far (the batch row): ALTER
        # TABLE refuses to run on a table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
            [obs],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
            "AND k.conrelid = i.indrelid) ORDER BY c.relname",
            [obs],
        )
        indexes = cursor.fetchall()
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    else:
        constraints = []  # SQLite keeps its constraints in the table definition
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
            "ORDER BY name",
            [obs],
        )
        indexes = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {obs} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    restore = [sql for _, sql in indexes]
    restore += [f'ALTER TABLE {obs} ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints]
    yield
    for done, sql in enumerate(restore):
        if progress:
            progress("index", done, len(restore))
        cursor.execute(sql)
    if progress:
        progress("index", len(restore), len(restore))
    if vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _write(prepared: pd.DataFrame, batch: ImportBatch, progress: ProgressCallback | None) -> tuple[int, int]:
    vendor = connection.vendor
    obs = Observation._meta.db_table
    rev = ObservationRevision._meta.db_table
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    join = " AND ".join(f"o.{c} = s.{c}" for c in KEY_COLUMNS)
    differs = " OR ".join(f"o.{c} {distinct} s.{c}" for c in DATA_COLUMNS + ["period_start", "period_end"])
    frame = _in_key_order(prepared[STAGE_COLUMNS])
    for c in ("preliminary", "break_in_series", "estimated", "suppressed"):
        frame[c] = frame[c].astype(bool)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # One import at a time per table: concurrent upserts of the same keys would race.
            cursor.execute(f"LOCK TABLE {obs} IN SHARE ROW EXCLUSIVE MODE")
        else:
            # A large page cache keeps the index B-trees in memory while millions of rows go in.
            cursor.execute("PRAGMA cache_size = -262144")
        indicator_ids = [int(i) for i in frame["indicator_id"].unique()]
        if not Observation.objects.filter(indicator_id__in=indicator_ids).exists():
            # Nothing to merge with (checked under the lock): load straight into the table.
            if _bulk_load(cursor, vendor, len(frame)):
                with _indexes_rebuilt(cursor, vendor, progress):
                    _fill_stage(cursor, frame.assign(batch_id=batch.pk), vendor, progress, table=obs)
            else:
                _fill_stage(cursor, frame.assign(batch_id=batch.pk), vendor, progress, table=obs)
            return len(frame), 0
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(_stage_ddl(vendor))
        _fill_stage(cursor, frame, vendor, progress)
        if vendor == "postgresql":
            cursor.execute(f"CREATE INDEX ON {STAGE} ({', '.join(KEY_COLUMNS)})")
            cursor.execute(f"ANALYZE {STAGE}")
        if progress:
            progress("merge", 0, 1)
        cursor.execute(
            f"INSERT INTO {rev} (observation_id, batch_id, previous_batch_id, old_value, new_value, old_numerator, "
            "new_numerator, old_denominator, new_denominator, old_suppressed, new_suppressed) "
            "SELECT o.id, %s, o.batch_id, o.value, s.value, o.numerator, s.numerator, o.denominator, s.denominator, "
            f"o.suppressed, s.suppressed FROM {STAGE} s JOIN {obs} o ON {join} WHERE {differs}",
            [batch.pk],
        )
        updated = cursor.rowcount
        if updated:
            sets = ", ".join(f"{c} = s.{c}" for c in DATA_COLUMNS + ["period_start", "period_end"])
            cursor.execute(
                f"UPDATE {obs} AS o SET {sets}, batch_id = %s FROM {STAGE} AS s WHERE {join} AND ({differs})",
                [batch.pk],
            )
        columns = ", ".join(STAGE_COLUMNS)
        cursor.execute(
            f"INSERT INTO {obs} ({columns}, batch_id) SELECT {', '.join('s.' + c for c in STAGE_COLUMNS)}, %s "
            f"FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {obs} o WHERE {join})",
            [batch.pk],
        )
        created = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        if progress:
            progress("merge", 1, 1)
    return created, updated


def import_observations(
    df: pd.DataFrame,
    *,
    source: str,
    parameters: dict,
    file_name: str = "",
    file_hash: str = "",
    user=None,
    attribution: str = "",
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Validate a tidy DataFrame and upsert it as one import batch (see the module docstring).

    Raises :class:`InputError` listing every problem (row, column, value, reason); nothing is written
    then. Re-importing identical data creates no revision and leaves every row unchanged.
    """
    if progress:
        progress("validate", 0, len(df))
    prepared = validate_tidy(df)
    if progress:
        progress("validate", len(df), len(df))
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source=source,
            parameters=parameters,
            file_name=file_name,
            file_hash=file_hash,
            user=user if getattr(user, "pk", None) else None,
            attribution=attribution,
            rows=len(prepared),
        )
        created, updated = _write(prepared, batch, progress) if len(prepared) else (0, 0)
        batch.created, batch.updated = created, updated
        batch.unchanged = len(prepared) - created - updated
        batch.finished_at = timezone.now()
        batch.save(update_fields=["created", "updated", "unchanged", "finished_at"])
    return ImportResult(
        batch=batch,
        rows=len(prepared),
        created=created,
        updated=updated,
        unchanged=batch.unchanged,
        revisions=updated,
    )


# ---------------------------------------------------------------------------------------------------
# Tidy files


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_tidy(path: Path | str) -> pd.DataFrame:
    """Read a tidy CSV (UTF-8, or Windows-1252; ``,`` ``;`` or tab separated) or XLSX file as text.

    The index is set to the file's row number (the header is row 1) so that messages point at it.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: filen finns inte")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        df = _read_tidy_xlsx(path)
    elif suffix in {".csv", ".txt", ".tsv"}:
        df = _read_tidy_csv(path)
    else:
        raise InputError(f"{path}: okänt filformat {suffix!r} (tillåtna: .csv, .xlsx)")
    df.columns = [str(c).strip().lower() for c in df.columns]
    df.index = pd.RangeIndex(2, len(df) + 2)
    return df


def _read_tidy_csv(path: Path) -> pd.DataFrame:
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if b"\x00" in head:
        raise InputError(f"{path}: filen är binär eller UTF-16; spara den som CSV i UTF-8")
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            encoding = "cp1252"
    first = head.split(b"\n", 1)[0].decode(encoding, errors="replace")
    sep = max([",", ";", "\t"], key=first.count)
    fast = _read_csv_arrow(path, sep, encoding, first)
    if fast is not None:
        return fast
    try:
        return pd.read_csv(
            path,
            sep=sep,
            dtype="string",
            keep_default_na=False,
            encoding=encoding,
            engine="c",
            na_filter=False,
        )
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: teckenkodningen är varken UTF-8 eller Windows-1252 ({exc})") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"{path}: CSV-filen kan inte läsas: {exc}") from exc


def _read_csv_arrow(path: Path, sep: str, encoding: str, first_line: str) -> pd.DataFrame | None:
    """Arrow's multi-threaded CSV reader, every column as text; ``None`` when it cannot read the file
    (the pandas reader then reads it, or says what is wrong with it)."""
    import csv

    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = next(csv.reader([first_line.lstrip("\ufeff").rstrip("\r")], delimiter=sep), [])
    if not names or len(set(names)) != len(names):
        return None
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(
                encoding="utf8" if encoding == "utf-8-sig" else encoding, block_size=1 << 24
            ),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    if table.column_names != names:
        return None
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _read_tidy_xlsx(path: Path) -> pd.DataFrame:
    import zipfile
    from xml.etree.ElementTree import ParseError

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, ParseError, EOFError) as exc:
        raise InputError(
            f"{path}: XLSX-filen är trasig eller inte en XLSX-fil ({exc.__class__.__name__}: {exc})"
        ) from exc
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, ParseError, EOFError) as exc:
        raise InputError(f"{path}: XLSX-filen är trasig ({exc})") from exc
    finally:
        wb.close()
    if not rows:
        raise InputError(f"{path}: arket är tomt")
    header = ["" if h is None else str(h) for h in rows[0]]
    body = [tuple("" if v is None else v for v in r) for r in rows[1:]]
    while body and all(v == "" for v in body[-1]):
        body.pop()
    data = {h: [r[j] if j < len(r) else "" for r in body] for j, h in enumerate(header) if h}
    return pd.DataFrame(data, dtype=object)


def import_tidy_file(
    path: Path | str, *, user=None, progress: ProgressCallback | None = None
) -> ImportResult:
    path = Path(path)
    df = read_tidy(path)
    return import_observations(
        df,
        source="tidy",
        parameters={"file": path.name},
        file_name=path.name,
        file_hash=file_sha256(path),
        user=user,
        progress=progress,
    )


# ---------------------------------------------------------------------------------------------------
# Reading


def _parse_breakdown(keys: pd.Series) -> pd.DataFrame:
    dims = sorted({part.split("=", 1)[0] for k in keys.unique() if k for part in k.split(";")})
    out = pd.DataFrame(index=keys.index)
    for d in dims:
        out[d] = keys.str.extract(rf"(?:^|;){re.escape(d)}=([^;]*)")[0].fillna("")
    return out


def flags_text(frame: pd.DataFrame) -> pd.Series:
    parts = [np.where(frame[f].astype(bool), FLAG_NAMES[f], "") for f in FLAG_FIELDS if f != "suppressed"]
    joined = (
        pd.Series(
            [";".join(p for p in row if p) for row in zip(*parts, strict=True)],
            index=frame.index,
            dtype="string",
        )
        if len(frame)
        else pd.Series([], dtype="string")
    )
    return joined


def series(
    indicator: str | Indicator,
    area_codes: Iterable[str] | None = None,
    periods: Iterable[str] | None = None,
    breakdown: str | Iterable[str] | None = None,
    *,
    disclose: bool = True,
) -> pd.DataFrame:
    """Observations of one indicator as a tidy DataFrame, with disclosure control applied.

    ``breakdown``: ``None`` gives totals only; a dimension code (or several) gives the rows broken down
    by exactly those dimensions; ``"*"`` gives every row.
    """
    ind = indicator if isinstance(indicator, Indicator) else _indicator(indicator)
    qs = Observation.objects.filter(indicator=ind)
    if area_codes is not None:
        qs = qs.filter(area__code__in=list(area_codes))
    if periods is not None:
        qs = qs.filter(period__in=[str(p) for p in periods])
    if breakdown is None:
        qs = qs.filter(breakdown="")
    elif breakdown != "*":
        wanted = sorted([breakdown] if isinstance(breakdown, str) else list(breakdown))
        pattern = "^" + ";".join(f"{re.escape(d)}=[^;=]+" for d in wanted) + "$"
        qs = qs.filter(breakdown__regex=pattern)
    return _frame(ind, qs, disclose=disclose)


def latest_by_area(
    indicator: str | Indicator,
    level: str = Area.Kind.DESO,
    *,
    municipality: str | None = None,
    disclose: bool = True,
) -> pd.DataFrame:
    """The newest total per area of one kind (``level``), e.g. every DeSO's latest value."""
    ind = indicator if isinstance(indicator, Indicator) else _indicator(indicator)
    qs = Observation.objects.filter(indicator=ind, breakdown="", area__kind=level)
    if municipality:
        qs = qs.filter(area__municipality_code=municipality)
    frame = _frame(ind, qs, disclose=False)
    if frame.empty:
        return frame
    frame = frame.sort_values(["area_code", "period_end", "period_start"])
    frame = frame.groupby("area_code", sort=True).tail(1).reset_index(drop=True)
    return apply_disclosure(frame, ind) if disclose else frame


def _indicator(code: str) -> Indicator:
    try:
        return Indicator.objects.get(code=code)
    except Indicator.DoesNotExist:
        raise InputError(
            f"okänd indikator: {code!r}", [Problem("--indicator", "okänd indikator", value=code)]
        ) from None


OUTPUT_COLUMNS = [
    "indicator",
    "period",
    "area_code",
    "area_name",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "flags",
    "note",
    "suppressed",
    "suppression_reason",
]


def _frame(ind: Indicator, qs, *, disclose: bool) -> pd.DataFrame:
    fields = [
        "period",
        "period_start",
        "period_end",
        "area__code",
        "area__name",
        "area__kind",
        "breakdown",
        "value",
        "numerator",
        "denominator",
        "ci_low",
        "ci_high",
        "preliminary",
        "break_in_series",
        "estimated",
        "suppressed",
        "suppression_reason",
        "missing",
        "note",
        "batch__attribution",
    ]
    rows = list(qs.order_by("period_start", "period_end", "area__code", "breakdown").values_list(*fields))
    frame = pd.DataFrame(rows, columns=fields)
    frame = frame.rename(
        columns={
            "area__code": "area_code",
            "area__name": "area_name",
            "area__kind": "area_kind",
            "batch__attribution": "attribution",
        }
    )
    frame.insert(0, "indicator", ind.code)
    for c in NUMERIC_COLUMNS:
        frame[c] = frame[c].astype("float64")
    dims = (
        _parse_breakdown(frame["breakdown"].astype("string"))
        if len(frame)
        else pd.DataFrame(index=frame.index)
    )
    for d in dims.columns:
        frame[d] = dims[d]
    frame.attrs["dimensions"] = list(dims.columns)
    frame["flags"] = flags_text(frame)
    if disclose and len(frame):
        frame = apply_disclosure(frame, ind)
    return frame


def apply_disclosure(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    """Suppress small cells with the indicator's thresholds (``livsvillkor.stats.disclosure``).

    One table is one indicator, period and area: its total and the categories of its breakdown, so a
    suppressed category cannot be derived from the total and the other categories.
    """
    from livsvillkor.stats.disclosure import apply_disclosure_control

    work = frame.copy()
    work["suppressed"] = work["suppressed"].astype(bool)
    work["suppression_reason"] = work["suppression_reason"].astype(object).where(work["suppressed"], None)
    work["is_total"] = work["breakdown"] == ""
    checked = apply_disclosure_control(
        work,
        table_keys=["indicator", "period", "area_code"],
        total_column="is_total",
        min_numerator=ind.suppression_min_numerator,
        min_denominator=ind.suppression_min_denominator,
    )
    checked["suppression_reason"] = (
        checked["suppression_reason"].astype(object).where(checked["suppressed"], "")
    )
    checked.attrs = frame.attrs
    return checked.drop(columns=["is_total"])
