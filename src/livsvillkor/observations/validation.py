"""Validation of tidy observations: every row checked, every problem reported, nothing per row in Python.

Text columns with few distinct values (indicator, period, area code, the breakdown dimensions, flags,
note) are dictionary-encoded with Arrow, and each *distinct* value is checked once; the result is
spread back to the rows through the dictionary codes. Number columns are cast by Arrow in one pass and
only the values that are not plain numbers (decimal commas, the Swedish missing-value symbols, junk)
are looked at one by one. This is what keeps a five-million-row file at a few seconds.

The result is the *prepared* frame the writer loads: database ids, parsed numbers, flags and the
canonical breakdown key, with text columns as categoricals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.framework.models import Indicator
from livsvillkor.geo.models import Area

from .models import Category, Dimension

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
#: Symbols as small integers inside the validator (0 = a number or blank).
_SYMBOL_CODES = {SUPPRESSED: 1, MISSING: 2, NOT_APPLICABLE: 3}

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
#: Plain decimal notation only: no "inf", "nan", hex or other things float() would accept.
PLAIN_NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"


def row_label(label) -> str:
    return f"rad {label}"


def sort_key(where: str):
    m = re.match(r"rad (\d+)$", where)
    return (0, int(m.group(1)), "") if m else (1, 0, where)


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
        areas: dict[str, int] = {}
        if area_codes is None:
            querysets = [Area.objects.all()]
        else:
            # In slices: SQLite limits the number of parameters of one statement.
            codes = sorted(set(area_codes))
            querysets = [
                Area.objects.filter(code__in=codes[i : i + 5000]) for i in range(0, len(codes), 5000)
            ]
        for qs in querysets:
            # Ambiguous codes (the same code in two vintages) resolve to the newest vintage.
            for code, area_id in (
                qs.order_by("code", "vintage").values_list("code", "id").iterator(chunk_size=20000)
            ):
                areas[code] = area_id
        categories: dict[str, set[str]] = {d: set() for d in Dimension.objects.values_list("code", flat=True)}
        for dim, code in Category.objects.values_list("dimension__code", "code"):
            categories[dim].add(code)
        return cls(indicators, scales, areas, categories)


# ---------------------------------------------------------------------------------------------------
# Columns as Arrow text


def _arrow_text(s: pd.Series) -> pa.Array:
    """A column as stripped Arrow strings with no nulls (blank = "")."""
    if isinstance(s.dtype, pd.StringDtype | pd.ArrowDtype) or s.dtype == object:
        if s.dtype == object and not all(isinstance(v, str) for v in s.head(1000) if v is not None):
            # Mixed cells (numbers from an xlsx file, say): pandas' own text form.
            s = s.astype("string")
        try:
            arr = pa.array(s, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.array(s.astype("string"), from_pandas=True)
    else:
        # Numbers from a DataFrame built in code: keep full precision.
        arr = pa.array(
            [None if pd.isna(v) else repr(float(v)) if isinstance(v, float) else str(v) for v in s],
            type=pa.string(),
        )
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return pc.fill_null(arr, "") if arr.null_count else arr


def _trim(arr: pa.Array) -> pa.Array:
    return pc.utf8_trim_whitespace(arr)


class _Text:
    """One text column. ``encoded`` columns also have their distinct values and the codes into them."""

    def __init__(self, name: str, arr: pa.Array, *, encoded: bool):
        """``arr`` is the column as read; surrounding white space is not part of a value."""
        self.name = name
        self.arr = arr
        self.codes: np.ndarray | None = None
        self.uniques: pd.Series | None = None
        if encoded:
            # Encode first and trim the (few) distinct values, not the (many) rows.
            enc = pc.dictionary_encode(arr)
            codes = enc.indices.to_numpy(zero_copy_only=False)
            trimmed = pd.Series(_trim(enc.dictionary).to_pylist(), dtype=object)
            merged, uniques = pd.factorize(trimmed)
            if len(uniques) < len(trimmed):
                codes = merged[codes]
            self.codes = codes
            self.uniques = pd.Series(np.asarray(uniques, dtype=object), dtype=object)

    def __len__(self) -> int:
        return len(self.arr)

    def spread(self, per_unique) -> np.ndarray:
        """Values per distinct value → values per row."""
        return np.asarray(per_unique)[self.codes]

    def values(self, positions: np.ndarray) -> list[str]:
        return _trim(self.arr.take(pa.array(positions, type=pa.int64()))).to_pylist()

    def categorical(self) -> pd.Categorical:
        return pd.Categorical.from_codes(self.codes, categories=pd.Index(self.uniques, dtype=object))


class _Problems(list):
    def __init__(self, labels):
        super().__init__()
        self.labels = labels

    def add_distinct(self, mask, column: _Text, field: str, message: str) -> None:
        """Like :meth:`add`, with a mask over the column's distinct values."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.add(column.spread(mask), column, field, message)

    def add(self, mask, column: _Text | None, field: str, message: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        values = column.values(positions) if column is not None else [None] * len(positions)
        self.extend(
            Problem(row_label(self.labels[p]), message, field=field, value=v)
            for p, v in zip(positions, values, strict=True)
        )


# ---------------------------------------------------------------------------------------------------
# Numbers


def parse_number_array(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse Arrow text of numbers: returns (float64 with NaN for none, symbol codes, bad mask).

    Accepts a decimal comma and spaces (also no-break spaces) as thousands separators; the Swedish
    missing-value symbols come back as codes (``_SYMBOL_CODES``), never as numbers.
    """
    n = len(arr)
    symbol = np.zeros(n, dtype=np.int8)
    try:
        # Blank fields become nulls; a column of plain numbers is cast in one pass, untrimmed.
        numbers = pc.cast(pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr), pa.float64())
        values = numbers.to_numpy(zero_copy_only=False)
        bad = ~np.isfinite(values)  # "nan", "inf" and overflow are not numbers here; blanks are nulls
        if numbers.null_count:
            bad &= numbers.is_valid().to_numpy(zero_copy_only=False)
        if bad.any():
            values = np.where(bad, np.nan, values)
        return values, symbol, bad
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    arr = _trim(arr)
    blank = pc.equal(pc.utf8_length(arr), 0)
    plain = pc.fill_null(pc.match_substring_regex(arr, f"^{PLAIN_NUMBER}$"), False)
    values = pc.cast(pc.if_else(plain, arr, pa.scalar(None, pa.string())), pa.float64()).to_numpy(
        zero_copy_only=False
    )
    rest_mask = ~plain.to_numpy(zero_copy_only=False) & ~blank.to_numpy(zero_copy_only=False)
    bad = np.zeros(n, dtype=bool)
    positions = np.flatnonzero(rest_mask)
    if len(positions):
        rest = pd.Series(arr.take(pa.array(positions)).to_pylist(), index=positions, dtype=object)
        is_symbol = rest.isin(list(MISSING_SYMBOLS))
        symbol[positions[is_symbol.to_numpy()]] = rest[is_symbol].map(_SYMBOL_CODES).to_numpy()
        others = rest[~is_symbol]
        cleaned = others.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace(",", ".", regex=False)
        ok = cleaned.str.fullmatch(PLAIN_NUMBER).fillna(False).astype(bool)
        values[cleaned.index[ok]] = pd.to_numeric(cleaned[ok]).astype("float64").to_numpy()
        bad[cleaned.index[~ok]] = True
    bad |= ~np.isnan(values) & ~np.isfinite(values)
    values[bad] = np.nan
    return values, symbol, bad


def parse_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a text column of numbers: returns (floats, symbol text, bad-mask) as Series."""
    values, symbol, bad = parse_number_array(_arrow_text(s))
    names = np.array(["", SUPPRESSED, MISSING, NOT_APPLICABLE], dtype=object)
    return (
        pd.Series(values, index=s.index, dtype="float64"),
        pd.Series(names[symbol], index=s.index, dtype="string"),
        pd.Series(bad, index=s.index),
    )


# ---------------------------------------------------------------------------------------------------
# The validator


def _combine(n: int, parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """One integer per row for its combination of codes ``(codes, cardinality)``, ordered like the
    tuples of codes (the first part most significant)."""
    key = np.zeros(n, dtype=np.int64)
    room = 1
    for codes, size in parts:
        size = max(size, 1)
        if room * size >= 2**62:  # would overflow: renumber densely, in order, and go on
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64).reshape(-1)
            room = int(key.max()) + 1 if n else 1
        key = key * size + codes.astype(np.int64)
        room *= size
    return key


def _rank(values) -> np.ndarray:
    """The position of each value in sorted order (NaN last)."""
    order = np.argsort(np.asarray(values), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _first_positions(codes: np.ndarray, size: int) -> np.ndarray:
    first = np.empty(size, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return first


def _periods(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start year, end year and a bad mask for each distinct period text."""
    parts = uniques.astype(str).str.extract(f"^{PERIOD_RE}$")
    start = pd.to_numeric(parts[0], errors="coerce").astype("float64").to_numpy()
    end = pd.to_numeric(parts[1], errors="coerce").astype("float64").to_numpy()
    end = np.where(np.isnan(end), start, end)
    with np.errstate(invalid="ignore"):
        bad = np.isnan(start) | (end < start) | (start < 1800) | (end > 2200)
    return start, end, bad


def _flags(uniques: pd.Series) -> tuple[dict[str, np.ndarray], list[list[str]]]:
    """Per distinct flags text: a mask per flag field, and the unknown tokens."""
    masks = {f: np.zeros(len(uniques), dtype=bool) for f in FLAG_FIELDS}
    unknown: list[list[str]] = []
    for j, text in enumerate(uniques):
        bad = []
        for token in re.split(r"[;,\s]+", str(text).lower()):
            if not token:
                continue
            if token in FLAG_ALIASES:
                masks[FLAG_ALIASES[token]][j] = True
            else:
                bad.append(token)
        unknown.append(bad)
    return masks, unknown


def validate_tidy(df: pd.DataFrame, reference: Reference | None = None) -> pd.DataFrame:
    """Check every row of a tidy DataFrame; return the prepared frame or raise :class:`InputError`.

    The row label in messages is the DataFrame's index (the tidy readers set it to the file's row
    number). The prepared frame has ids, parsed numbers, flags and the canonical breakdown key.
    """
    labels = np.asarray(df.index)
    n = len(df)
    columns = {str(c).strip(): df[c] for c in df.columns}
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputError(
            "kolumner saknas: " + ", ".join(missing),
            [Problem("rubrikraden", "kolumnen saknas", field=c) for c in missing],
        )
    for c in INFORMATIVE_COLUMNS:
        columns.pop(c, None)
    text = {c: _Text(c, _arrow_text(s), encoded=c not in NUMERIC_COLUMNS) for c, s in columns.items()}
    area = text["area_code"]
    ref = reference or Reference.load(area_codes=[u for u in area.uniques if u])
    dims = [c for c in text if c not in TIDY_COLUMNS]
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
        if c not in text:
            text[c] = _Text(c, pa.array([""] * n, type=pa.string()), encoded=c not in NUMERIC_COLUMNS)

    problems = _Problems(labels)
    numbers = {}
    for c, col in text.items():
        if col.codes is not None:
            control = col.uniques.str.contains(CONTROL_CHARS, regex=True).to_numpy(dtype=bool)
            long = (col.uniques.str.len() > MAX_TEXT).to_numpy(dtype=bool)
            problems.add_distinct(control, col, c, "otillåtna styrtecken")
            problems.add_distinct(long, col, c, f"för lång text (mer än {MAX_TEXT} tecken)")
        else:
            numbers[c] = parse_number_array(col.arr)
            control = np.zeros(n, dtype=bool)
            odd = np.flatnonzero(numbers[c][2])  # only what is not a number can hold control characters
            if len(odd):
                control[odd] = [bool(re.search(CONTROL_CHARS, v)) for v in col.values(odd)]
            long = pc.utf8_length(col.arr).to_numpy(zero_copy_only=False) > MAX_TEXT
            problems.add(control, col, c, "otillåtna styrtecken")
            problems.add(long, col, c, f"för lång text (mer än {MAX_TEXT} tecken)")

    ind = text["indicator"]
    ind_ids = ind.uniques.map(ref.indicators).astype("float64").to_numpy()
    ind_blank = (ind.uniques == "").to_numpy()
    problems.add_distinct(ind_blank, ind, "indicator", "indikatorkod saknas")
    problems.add_distinct(~ind_blank & np.isnan(ind_ids), ind, "indicator", "okänd indikator")
    indicator_id = ind.spread(ind_ids)

    per = text["period"]
    start_u, end_u, bad_period_u = _periods(per.uniques)
    bad_period = per.spread(bad_period_u) if bad_period_u.any() else np.zeros(n, dtype=bool)
    problems.add(bad_period, per, "period", "ogiltig period: ange år (2022) eller årsintervall (2019-2022)")

    area_ids = area.uniques.map(ref.areas).astype("float64").to_numpy()
    area_blank = (area.uniques == "").to_numpy()
    problems.add_distinct(area_blank, area, "area_code", "områdeskod saknas")
    problems.add_distinct(~area_blank & np.isnan(area_ids), area, "area_code", "okänd områdeskod")
    area_id = area.spread(area_ids)

    dims = sorted(dims)
    for d in dims:
        col = text[d]
        bad_u = (col.uniques != "") & ~col.uniques.isin(sorted(ref.categories[d]))
        problems.add_distinct(bad_u.to_numpy(), col, d, f"okänd kategori i redovisningsgruppen {d}")
    if dims:
        combo = pd.factorize(_combine(n, [(text[d].codes, len(text[d].uniques)) for d in dims]))[0]
        size = int(combo.max()) + 1 if n else 0
        first = _first_positions(combo, size)
        keys = [
            ";".join(f"{d}={v}" for d in dims if (v := text[d].uniques.iloc[text[d].codes[p]]) != "")
            for p in first
        ]
    else:
        combo, keys = np.zeros(n, dtype=np.int64), [""]
    breakdown = pd.Categorical.from_codes(combo, categories=pd.Index(keys, dtype=object))

    for c in NUMERIC_COLUMNS:
        problems.add(numbers[c][2], text[c], c, "inte ett tal")
    value, value_symbol, value_bad = numbers["value"]
    num, den = numbers["numerator"][0], numbers["denominator"][0]
    ci_low, ci_high = numbers["ci_low"][0], numbers["ci_high"][0]
    any_suppressed = np.logical_or.reduce(
        [numbers[c][1] == _SYMBOL_CODES[SUPPRESSED] for c in NUMERIC_COLUMNS]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        problems.add(num < 0, text["numerator"], "numerator", "får inte vara negativt")
        problems.add(den < 0, text["denominator"], "denominator", "får inte vara negativt")
        problems.add(den == 0, text["denominator"], "denominator", "nämnaren får inte vara 0")
        problems.add(
            ci_low > ci_high, text["ci_low"], "ci_low", "nedre konfidensgränsen är större än den övre"
        )
        outside = (value < ci_low) | (value > ci_high)
        problems.add(outside, text["value"], "value", "värdet ligger utanför konfidensintervallet")
        # A value may be left blank when numerator and denominator give it.
        scale = ind.spread(ind.uniques.map(ref.indicators).map(ref.scales).astype("float64").to_numpy())
        derived = num / den * scale
    value = value.copy()
    fill = np.isnan(value) & (value_symbol == 0) & ~np.isnan(derived)
    value[fill] = derived[fill]
    nothing = np.isnan(value) & (value_symbol == 0) & ~any_suppressed & ~bad_period & ~value_bad
    problems.add(
        nothing,
        text["value"],
        "value",
        "värde saknas: ange värde, täljare och nämnare, eller ett tecken för saknat värde (.., -, .)",
    )

    flag_col = text["flags"]
    flag_masks, unknown_tokens = _flags(flag_col.uniques)
    with_unknown = np.array([bool(t) for t in unknown_tokens], dtype=bool)
    for p in np.flatnonzero(flag_col.spread(with_unknown)) if with_unknown.any() else []:
        for token in unknown_tokens[flag_col.codes[p]]:
            problems.append(
                Problem(
                    row_label(labels[p]),
                    "okänd flagga (tillåtna: preliminary, break, estimated, suppressed)",
                    field="flags",
                    value=token,
                )
            )
    flags = {
        f: flag_col.spread(flag_masks[f]) if flag_masks[f].any() else np.zeros(n, dtype=bool)
        for f in FLAG_FIELDS
    }
    flags["suppressed"] = flags["suppressed"] | any_suppressed

    # Duplicates on the natural key, among rows whose codes are known. The rows sorted by the key (ids,
    # then text in byte order) also give the order the writer wants.
    known = ~np.isnan(indicator_id) & ~np.isnan(area_id)
    key = _combine(
        n,
        [
            (_rank(ind_ids)[ind.codes], len(ind.uniques)),
            (_rank(area_ids)[area.codes], len(area.uniques)),
            (_rank(per.uniques.to_numpy(dtype=str))[per.codes], len(per.uniques)),
            (_rank(np.asarray(keys, dtype=str))[combo], len(keys)),
        ],
    )
    rows = np.flatnonzero(known)
    order = rows[np.argsort(key[rows], kind="stable")]
    same = key[order[1:]] == key[order[:-1]]
    dupes = np.zeros(n, dtype=bool)
    dupes[order[1:][same]] = True
    dupes[order[:-1][same]] = True
    if dupes.any():
        first_row: dict[int, int] = {}
        for p in np.flatnonzero(dupes):
            k = int(key[p])
            if k in first_row:
                parts = [ind.values([p])[0], area.values([p])[0], per.values([p])[0], breakdown[p]]
                problems.append(
                    Problem(
                        row_label(labels[p]),
                        "dubblett: samma indikator, period, område och redovisningsgrupp som "
                        f"{row_label(labels[first_row[k]])}",
                        field="indicator, period, area_code",
                        value=" / ".join(str(x) for x in parts if x),
                    )
                )
            else:
                first_row[k] = p
    if problems:
        problems.sort(key=lambda p: sort_key(p.where))
        raise InputError(f"{len(problems)} fel; ingenting har skrivits", list(problems))

    missing_codes = np.where(
        np.isin(value_symbol, [_SYMBOL_CODES[MISSING], _SYMBOL_CODES[NOT_APPLICABLE]]), value_symbol, 0
    )
    # A suppressed or missing value carries no numbers.
    hidden = flags["suppressed"] | (missing_codes != 0)
    out = pd.DataFrame(
        {
            "indicator_id": indicator_id.astype(np.int64),
            "period": per.categorical(),
            "period_start": per.spread(start_u).astype(np.int64),
            "period_end": per.spread(end_u).astype(np.int64),
            "area_id": area_id.astype(np.int64),
            "breakdown": breakdown,
            "value": np.where(hidden, np.nan, value),
            "numerator": np.where(hidden, np.nan, num),
            "denominator": np.where(hidden, np.nan, den),
            "ci_low": np.where(hidden, np.nan, ci_low),
            "ci_high": np.where(hidden, np.nan, ci_high),
            **flags,
            "suppression_reason": pd.Categorical.from_codes(
                flags["suppressed"].astype(np.int8), categories=pd.Index(["", "source"], dtype=object)
            ),
            "missing": pd.Categorical.from_codes(
                missing_codes, categories=pd.Index(["", SUPPRESSED, MISSING, NOT_APPLICABLE], dtype=object)
            ),
            "note": text["note"].categorical(),
        }
    )
    if len(order) > 1 and not (order[1:] > order[:-1]).all():
        out = out.take(order).reset_index(drop=True)
    out.attrs["in_key_order"] = True
    return out
