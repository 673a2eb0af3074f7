"""Observations: validate and import tidy data, read series back, and the tidy file format.

Every import — tidy files, SCB web exports, the Kolada/PxWeb connectors, the demo data — goes through
:func:`import_observations`. It validates every row first (vectorised; all problems are reported at
once, nothing is written when there is one) and then upserts on the natural key
``(indicator, area, period, breakdown)`` in one transaction with set-based SQL against a staging table
(filled with COPY on PostgreSQL), recording a revision for every value that changed.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.framework.models import Indicator
from livsvillkor.geo.models import Area

from .models import Category, Dimension, ImportBatch, Observation, ObservationRevision

TIDY_COLUMNS = [
    "indicator",
    "period",
    "area_code",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "flags",
    "note",
]
NUMERIC_COLUMNS = ["value", "numerator", "denominator", "ci_low", "ci_high"]
REQUIRED_COLUMNS = ["indicator", "period", "area_code", "value"]
#: Columns our own exports add for readers; accepted and ignored on import so that exports round-trip.
INFORMATIVE_COLUMNS = ["area_name", "suppression_reason", "source"]

#: Swedish missing-value symbols in statistical tables.
SUPPRESSED = ".."  # sekretess / för få observationer
MISSING = "-"  # uppgift saknas
NOT_APPLICABLE = "."  # uppgift kan inte förekomma
MISSING_SYMBOLS = {SUPPRESSED, MISSING, NOT_APPLICABLE}

#: Flags in the tidy ``flags`` column (separated by ``;``, ``,`` or spaces); short forms accepted.
FLAG_ALIASES = {
    "preliminary": "preliminary",
    "p": "preliminary",
    "break": "break_in_series",
    "break_in_series": "break_in_series",
    "b": "break_in_series",
    "estimated": "estimated",
    "e": "estimated",
    "suppressed": "suppressed",
    "s": "suppressed",
}
FLAG_FIELDS = ["preliminary", "break_in_series", "estimated", "suppressed"]
FLAG_NAMES = {
    "preliminary": "preliminary",
    "break_in_series": "break",
    "estimated": "estimated",
    "suppressed": "suppressed",
}

PERIOD_RE = r"(\d{4})(?:-(\d{4}))?"
MAX_TEXT = 2000
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"

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
# Validation


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s == "")


def _row_label(index) -> str:
    return f"rad {index}"


def _problems(df: pd.DataFrame, labels, mask: pd.Series, column: str, message: str) -> list[Problem]:
    """One problem per masked row; rows are named by ``labels`` (the file's row numbers)."""
    if not mask.any():
        return []
    positions = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
    values = df[column].to_numpy(dtype=object)[positions] if column in df.columns else [None] * len(positions)
    return [
        Problem(
            _row_label(labels[p] if labels is not None else p),
            message,
            field=column,
            value=None if pd.isna(v) else str(v),
        )
        for p, v in zip(positions, values, strict=True)
    ]


def _to_float(text: pd.Series) -> pd.Series:
    """Strings to float64 (blank → NaN): one Arrow cast when every value is a plain number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(text.to_numpy(dtype=object), type=pa.string())
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        return pd.Series(values, index=text.index, dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.to_numeric(text, errors="coerce").astype("float64")


def parse_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a text column of numbers: returns (floats, symbol, bad-mask).

    Accepts a decimal comma and spaces (also no-break spaces) as thousands separators; the Swedish
    missing-value symbols are returned separately, never as numbers. Plain numbers take a vectorised
    fast path; only the rest is looked at value by value.
    """
    text = s.fillna("").str.strip()
    numbers = _to_float(text)
    blank = text == ""
    slow = numbers.isna() & ~blank
    symbol = pd.Series("", index=s.index, dtype="string")
    bad = pd.Series(False, index=s.index)
    if slow.any():
        rest = text[slow]
        is_symbol = rest.isin(list(MISSING_SYMBOLS))
        symbol[rest.index[is_symbol]] = rest[is_symbol]
        cleaned = (
            rest[~is_symbol]
            .str.replace(r"[\s\u00a0\u202f]", "", regex=True)
            .str.replace(",", ".", regex=False)
        )
        # Only plain decimal notation: no "inf", "nan", hex or other things float() would accept.
        plain = cleaned.str.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?").fillna(False).astype(bool)
        numbers[cleaned.index[plain]] = pd.to_numeric(cleaned[plain]).astype("float64")
        bad[cleaned.index[~plain]] = True
    bad |= ~blank & numbers.notna() & ~np.isfinite(numbers.fillna(0.0))
    numbers = numbers.where(~bad)
    return numbers, symbol, bad


@dataclass
class Reference:
    """Codes the validation checks against, loaded once per import."""

    indicators: dict[str, int]
    scales: dict[int, int]
    areas: dict[str, int]
    categories: dict[str, set[str]]

    @classmethod
    def load(cls, area_codes: Iterable[str] | None = None) -> Reference:
        indicators = dict(Indicator.objects.values_list("code", "id"))
        scales = dict(Indicator.objects.values_list("id", "scale"))
        qs = Area.objects.all()
        if area_codes is not None:
            qs = qs.filter(code__in=list(area_codes))
        areas: dict[str, int] = {}
        # Ambiguous codes (the same code in two vintages) resolve to the newest vintage.
        for code, area_id in (
            qs.order_by("code", "vintage").values_list("code", "id").iterator(chunk_size=20000)
        ):
            areas[code] = area_id
        categories: dict[str, set[str]] = {d: set() for d in Dimension.objects.values_list("code", flat=True)}
        for dim, code in Category.objects.values_list("dimension__code", "code"):
            categories[dim].add(code)
        return cls(indicators, scales, areas, categories)


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in df.columns:
        s = df[c]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            s = s.astype("string")
        else:
            # Numbers from a DataFrame built in code or read from xlsx: keep full precision.
            s = s.map(
                lambda v: "" if pd.isna(v) else repr(float(v)) if isinstance(v, float) else str(v)
            ).astype("string")
        out[str(c).strip()] = s.fillna("").str.strip()
    return pd.DataFrame(out, index=df.index)


def validate_tidy(df: pd.DataFrame, reference: Reference | None = None) -> pd.DataFrame:
    """Check every row of a tidy DataFrame; return the prepared frame or raise :class:`InputError`.

    The row label in messages is the DataFrame's index (the tidy readers set it to the file's row
    number). The prepared frame has ids, parsed numbers, flags and the canonical breakdown key.
    """
    labels = list(df.index)
    df = _as_text(df.reset_index(drop=True))
    problems: list[Problem] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            "kolumner saknas: " + ", ".join(missing),
            [Problem("rubrikraden", "kolumnen saknas", field=c) for c in missing],
        )
    ref = reference or Reference.load(area_codes=pd.unique(df["area_code"]))
    df = df.drop(columns=[c for c in INFORMATIVE_COLUMNS if c in df.columns])
    dims = [c for c in df.columns if c not in TIDY_COLUMNS]
    unknown_dims = [c for c in dims if c not in ref.categories]
    if unknown_dims:
        raise InputError(
            "okända kolumner: " + ", ".join(unknown_dims),
            [
                Problem(
                    "rubrikraden",
                    "okänd kolumn: varken en tidy-kolumn eller en redovisningsgrupp",
                    field=c,
                    value=c,
                )
                for c in unknown_dims
            ],
        )
    for c in TIDY_COLUMNS:
        if c not in df.columns:
            df[c] = pd.Series("", index=df.index, dtype="string")

    for c in df.columns:
        problems += _problems(
            df, labels, df[c].str.contains(CONTROL_CHARS, regex=True).fillna(False), c, "otillåtna styrtecken"
        )
        problems += _problems(
            df, labels, df[c].str.len() > MAX_TEXT, c, f"för lång text (mer än {MAX_TEXT} tecken)"
        )

    out = pd.DataFrame(index=df.index)
    out["indicator_id"] = df["indicator"].map(ref.indicators)
    problems += _problems(df, labels, _blank(df["indicator"]), "indicator", "indikatorkod saknas")
    problems += _problems(
        df, labels, ~_blank(df["indicator"]) & out["indicator_id"].isna(), "indicator", "okänd indikator"
    )

    # Plain years vectorised; only year ranges ("2019-2022") go through the regular expression.
    is_year = (df["period"].str.len() == 4) & df["period"].str.isdigit()
    start = pd.to_numeric(df["period"].where(is_year), errors="coerce").astype("float64")
    end = start.copy()
    ranges = df["period"][~is_year]
    if len(ranges):
        periods = ranges.str.extract(f"^{PERIOD_RE}$")
        first = (
            pd.to_numeric(periods[0], errors="coerce").astype("Float64").to_numpy("float64", na_value=np.nan)
        )
        last = (
            pd.to_numeric(periods[1], errors="coerce").astype("Float64").to_numpy("float64", na_value=np.nan)
        )
        start[ranges.index] = first
        end[ranges.index] = np.where(np.isnan(last), first, last)
    bad_period = start.isna() | (end < start) | (start < 1800) | (end > 2200)
    problems += _problems(
        df, labels, bad_period, "period", "ogiltig period: ange år (2022) eller årsintervall (2019-2022)"
    )
    out["period"] = df["period"]
    out["period_start"] = start
    out["period_end"] = end

    out["area_id"] = df["area_code"].map(ref.areas)
    problems += _problems(df, labels, _blank(df["area_code"]), "area_code", "områdeskod saknas")
    problems += _problems(
        df, labels, ~_blank(df["area_code"]) & out["area_id"].isna(), "area_code", "okänd områdeskod"
    )

    key = pd.Series("", index=df.index, dtype="string")
    for d in sorted(dims):
        values = df[d]
        bad = ~_blank(values) & ~values.isin(sorted(ref.categories[d]))
        problems += _problems(df, labels, bad, d, f"okänd kategori i redovisningsgruppen {d}")
        part = (f"{d}=" + values).where(~_blank(values), "")
        key = key.where(part == "", key.where(key == "", key + ";") + part)
    out["breakdown"] = key

    parsed = {}
    for c in NUMERIC_COLUMNS:
        numbers, symbol, bad = parse_numbers(df[c])
        problems += _problems(df, labels, bad, c, "inte ett tal")
        parsed[c] = (numbers, symbol)
        out[c] = numbers
    value_symbol = parsed["value"][1]
    any_suppressed = pd.concat([parsed[c][1] == SUPPRESSED for c in NUMERIC_COLUMNS], axis=1).any(axis=1)

    for c in ("numerator", "denominator"):
        problems += _problems(df, labels, out[c] < 0, c, "får inte vara negativt")
    problems += _problems(df, labels, out["denominator"] == 0, "denominator", "nämnaren får inte vara 0")
    problems += _problems(
        df, labels, out["ci_low"] > out["ci_high"], "ci_low", "nedre konfidensgränsen är större än den övre"
    )
    outside = (out["value"] < out["ci_low"]) | (out["value"] > out["ci_high"])
    problems += _problems(df, labels, outside, "value", "värdet ligger utanför konfidensintervallet")

    # A value may be left blank when numerator and denominator give it.
    scale = out["indicator_id"].map(ref.scales).astype("float64")
    derived = out["numerator"] / out["denominator"] * scale
    fill = out["value"].isna() & (value_symbol == "") & derived.notna()
    out["value"] = out["value"].where(~fill, derived)
    nothing = out["value"].isna() & (value_symbol == "") & ~any_suppressed & ~bad_period
    problems += _problems(
        df,
        labels,
        nothing & ~parse_numbers(df["value"])[2],
        "value",
        "värde saknas: ange värde, täljare och nämnare, eller ett tecken för saknat värde (.., -, .)",
    )

    flags = {f: pd.Series(False, index=df.index) for f in FLAG_FIELDS}
    with_flags = df["flags"][df["flags"] != ""]
    tokens = with_flags.str.lower().str.split(r"[;,\s]+", regex=True)
    exploded = tokens.explode()
    exploded = exploded[~_blank(exploded)]
    if len(exploded):
        unknown = ~exploded.isin(list(FLAG_ALIASES))
        for i, v in exploded[unknown].items():
            problems.append(
                Problem(
                    _row_label(labels[i]),
                    "okänd flagga (tillåtna: preliminary, break, estimated, suppressed)",
                    field="flags",
                    value=v,
                )
            )
        canon = exploded[~unknown].map(FLAG_ALIASES)
        for f in FLAG_FIELDS:
            hit = canon[canon == f].index.unique()
            flags[f].loc[hit] = True
    for f in FLAG_FIELDS:
        out[f] = flags[f]
    out["suppressed"] = out["suppressed"] | any_suppressed
    out["suppression_reason"] = pd.Series("", index=df.index, dtype="string").where(
        ~out["suppressed"], "source"
    )
    out["missing"] = value_symbol.where(value_symbol.isin([MISSING, NOT_APPLICABLE]), "")
    # A suppressed or missing value carries no numbers.
    hidden = out["suppressed"] | (out["missing"] != "")
    for c in NUMERIC_COLUMNS:
        out[c] = out[c].where(~hidden)
    out["note"] = df["note"]

    dupes = (
        out.duplicated(["indicator_id", "area_id", "period", "breakdown"], keep=False)
        & out["indicator_id"].notna()
        & out["area_id"].notna()
    )
    if dupes.any():
        dup_frame = df.loc[dupes, ["indicator", "area_code", "period"]].assign(
            breakdown=out.loc[dupes, "breakdown"]
        )
        first_row = {}
        for i, rec in zip(dup_frame.index, dup_frame.itertuples(index=False), strict=True):
            k = tuple(rec)
            if k in first_row:
                problems.append(
                    Problem(
                        _row_label(labels[i]),
                        f"dubblett: samma indikator, period, område och redovisningsgrupp som {_row_label(labels[first_row[k]])}",
                        field="indicator, period, area_code",
                        value=" / ".join(str(x) for x in k if x),
                    )
                )
            else:
                first_row[k] = i
    if problems:
        problems.sort(key=lambda p: _sort_key(p.where))
        raise InputError(f"{len(problems)} fel; ingenting har skrivits", problems)
    out["indicator_id"] = out["indicator_id"].astype("int64")
    out["area_id"] = out["area_id"].astype("int64")
    out["period_start"] = out["period_start"].astype("int64")
    out["period_end"] = out["period_end"].astype("int64")
    return out


def _sort_key(where: str):
    m = re.match(r"rad (\d+)$", where)
    return (0, int(m.group(1)), "") if m else (1, 0, where)


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


def _fill_stage(
    cursor, frame: pd.DataFrame, vendor: str, progress: ProgressCallback | None, table: str = STAGE
) -> None:
    """Bulk-load ``frame`` (its columns in order) into ``table``: COPY on PostgreSQL, executemany on SQLite."""
    total = len(frame)
    names = list(frame.columns)
    if vendor == "postgresql":
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        # Arrow writes the CSV in C: floats in their shortest exact form, missing numbers (NaN) as
        # unquoted empty fields (NULL for COPY) and every text quoted (so "" stays an empty string).
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
        columns = ", ".join(names)
        not_null = ", ".join(["period", "breakdown", "suppression_reason", "missing", "note"])
        for start in range(0, total, CHUNK):
            buffer = io.BytesIO()
            pa_csv.write_csv(arrow.slice(start, CHUNK), buffer, options)
            with cursor.cursor.copy(
                f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))"
            ) as copy:
                copy.write(buffer.getvalue())
            if progress:
                progress("write", min(start + CHUNK, total), total)
        return
    for start in range(0, total, CHUNK):
        part = frame.iloc[start : start + CHUNK]
        columns = []
        for c in names:
            values = part[c].to_numpy()
            if values.dtype.kind == "f":
                columns.append(np.where(np.isnan(values), None, values.astype(object)).tolist())
            else:
                columns.append(part[c].tolist())
        rows = zip(*columns, strict=True)
        placeholders = ", ".join(["?"] * len(names))
        cursor.cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders})", rows)
        if progress:
            progress("write", min(start + CHUNK, total), total)


def _write(prepared: pd.DataFrame, batch: ImportBatch, progress: ProgressCallback | None) -> tuple[int, int]:
    vendor = connection.vendor
    obs = Observation._meta.db_table
    rev = ObservationRevision._meta.db_table
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    join = " AND ".join(f"o.{c} = s.{c}" for c in KEY_COLUMNS)
    differs = " OR ".join(f"o.{c} {distinct} s.{c}" for c in DATA_COLUMNS + ["period_start", "period_end"])
    frame = prepared[STAGE_COLUMNS].copy()
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
