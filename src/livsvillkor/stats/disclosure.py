"""Disclosure control (röjandekontroll): primary and secondary cell suppression.

STATISTICS.md section 2. A suppressed cell hides its value, numerator, denominator and CI together and
carries a short Swedish reason; output channels show it as ``..`` (never 0 or blank).

* **Primary suppression** hides a cell whose numerator or denominator is below the threshold of its
  indicator (default: numerator < 5 or denominator < 10; thresholds may differ per row).
* **Secondary suppression** works within one *table*: a total and its parts (the areas of a parent, or
  the categories of one dimension). When the total and all parts but one are published, the hidden part
  can be back-calculated by subtraction, so a further part (the smallest published one) is hidden too.
  When the table has no other published part, the total is hidden instead; and when the total is hidden
  while every part is published (it would be their sum), the smallest part is hidden.

Everything is vectorised over tables with ``groupby``; the only loop is over *rounds* of secondary
suppression (each round fixes every table at once, and one or two rounds normally suffice).

SCB adds controlled noise to population statistics from reference year 2025, so published parts need
not sum to a published total; suppression here is still done as if they did (the conservative choice).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.stats.text import gettext_noop

#: Columns hidden together when a cell is suppressed (those present in the table).
HIDDEN_COLUMNS = ("value", "numerator", "denominator", "ci_low", "ci_high")

REASON_NUMERATOR = gettext_noop("För få observationer (täljare < {threshold})")
REASON_DENOMINATOR = gettext_noop("För få observationer (nämnare < {threshold})")
REASON_SECONDARY = gettext_noop("Sekundär röjandekontroll")
REASON_SOURCE = gettext_noop("Röjandekontrollerad av källan")

_MAX_ROUNDS = 50


def _threshold(df: pd.DataFrame, value: int | pd.Series, name: str) -> np.ndarray:
    """Per-row threshold as a float array (a scalar or a Series aligned on ``df.index``)."""
    if isinstance(value, pd.Series):
        aligned = value.reindex(df.index)
        arr = pd.to_numeric(aligned, errors="coerce").to_numpy(dtype=float)
        if np.isnan(arr).any():
            bad = df.index[np.isnan(arr)][0]
            raise InputError(
                "Ogiltigt tröskelvärde för röjandekontroll",
                [Problem(where=f"rad {bad}", field=name, value=str(aligned.loc[bad]), message="saknas")],
            )
        return arr
    if value is None or isinstance(value, bool) or not np.isfinite(float(value)) or float(value) < 0:
        raise InputError(
            "Ogiltigt tröskelvärde för röjandekontroll",
            [Problem(where="parameter", field=name, value=repr(value), message="måste vara ett tal ≥ 0")],
        )
    return np.full(len(df), float(value))


def _numeric(df: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() & df[column].notna()
    if bad.any():
        idx = df.index[bad.to_numpy()][0]
        raise InputError(
            "Icke-numeriskt värde i röjandekontrollen",
            [
                Problem(
                    where=f"rad {idx}", field=column, value=str(df[column].loc[idx]), message="inte ett tal"
                )
            ],
        )
    return values.to_numpy(dtype=float, na_value=np.nan)


def _reason_text(template: str, thresholds: np.ndarray) -> np.ndarray:
    """Format ``template`` per row; thresholds are usually one value, so format each distinct one once."""
    out = np.empty(len(thresholds), dtype=object)
    for t in np.unique(thresholds):
        shown = int(t) if float(t).is_integer() else t
        out[thresholds == t] = template.format(threshold=shown)
    return out


def apply_disclosure_control(
    df: pd.DataFrame,
    *,
    table_keys: list[str],  # columns identifying one table: a total and its parts
    total_column: str = "is_total",  # bool column: the row is its table's total (absent: no totals)
    min_numerator: int | pd.Series = 5,
    min_denominator: int | pd.Series = 10,
) -> pd.DataFrame:
    """Return a copy with `suppressed` (bool) and `suppression_reason` (str or None/NA); where
    suppressed, `value`, `numerator`, `denominator`, `ci_low`, `ci_high` (those present) are NaN.
    Primary: numerator < min_numerator or denominator < min_denominator. Secondary: within one table,
    if exactly one part is suppressed while the total and the other parts are published, also suppress
    the smallest other published part, repeating until no suppressed part can be derived by
    subtraction; rows already flagged suppressed by the source (`suppressed` column True on input)
    count as suppressed. Vectorised (groupby), no Python loop per table on the hot path.

    Details where the contract is silent:

    * "Smallest" orders published parts by numerator, then denominator, then value (missing last),
      then input order — the part whose loss costs the least information.
    * A table with a suppressed part and no other published part hides its total instead.
    * A suppressed total whose parts are all published (so it is their sum) hides its smallest part.
    * Without ``total_column`` in ``df`` no row is a total, so no secondary suppression is needed.
    * A source-suppressed row keeps its own ``suppression_reason`` when it has one.
    """
    missing = [c for c in table_keys if c not in df.columns]
    if missing:
        raise InputError(
            "Tabellnycklar saknas för röjandekontroll",
            [
                Problem(where="parameter", field="table_keys", value=c, message="kolumnen saknas")
                for c in missing
            ],
        )
    out = df.copy()
    n = len(out)
    min_num = _threshold(out, min_numerator, "min_numerator")
    min_den = _threshold(out, min_denominator, "min_denominator")

    reason = np.full(n, None, dtype=object)
    if "suppression_reason" in out.columns:
        given = out["suppression_reason"].astype(object).to_numpy()
    else:
        given = np.full(n, None, dtype=object)

    if "suppressed" in out.columns:
        source = out["suppressed"].fillna(False).astype(bool).to_numpy()
    else:
        source = np.zeros(n, dtype=bool)
    reason[source] = np.where(pd.isna(given[source]), REASON_SOURCE, given[source])

    numerator = _numeric(out, "numerator") if "numerator" in out.columns else np.full(n, np.nan)
    denominator = _numeric(out, "denominator") if "denominator" in out.columns else np.full(n, np.nan)
    value = _numeric(out, "value") if "value" in out.columns else np.full(n, np.nan)

    # Primary suppression (comparisons with NaN are False: a missing count does not trigger it).
    with np.errstate(invalid="ignore"):
        by_num = (numerator < min_num) & ~source
        by_den = (denominator < min_den) & ~source & ~by_num
    reason[by_num] = _reason_text(REASON_NUMERATOR, min_num[by_num])
    reason[by_den] = _reason_text(REASON_DENOMINATOR, min_den[by_den])
    suppressed = source | by_num | by_den

    # Secondary suppression within tables.
    if total_column in out.columns and n:
        is_total = out[total_column].fillna(False).astype(bool).to_numpy()
        table = out.groupby(table_keys, dropna=False, sort=False).ngroup().to_numpy()
        n_tables = int(table.max()) + 1
        is_part = ~is_total
        # Order for "smallest": numerator, denominator, value (NaN last), then position.
        order = np.lexsort(
            (
                np.arange(n),
                np.nan_to_num(value, nan=np.inf),
                np.nan_to_num(denominator, nan=np.inf),
                np.nan_to_num(numerator, nan=np.inf),
                table,
            )
        )
        has_total = np.bincount(table[is_total], minlength=n_tables) > 0
        for _ in range(_MAX_ROUNDS):
            hidden_parts = np.bincount(table[is_part & suppressed], minlength=n_tables)
            shown_parts = np.bincount(table[is_part & ~suppressed], minlength=n_tables)
            total_hidden = np.bincount(table[is_total & suppressed], minlength=n_tables) > 0
            total_shown = has_total & ~total_hidden
            # A single hidden part next to a published total, or a hidden total next to published parts.
            need_part = (total_shown & (hidden_parts == 1) & (shown_parts >= 1)) | (
                total_hidden & (hidden_parts == 0) & (shown_parts >= 1)
            )
            need_total = total_shown & (hidden_parts == 1) & (shown_parts == 0)
            if not (need_part.any() or need_total.any()):
                break
            candidate = is_part & ~suppressed & need_part[table]
            ordered = order[candidate[order]]
            _, first = np.unique(table[ordered], return_index=True)
            chosen = ordered[first]
            totals = np.flatnonzero(is_total & ~suppressed & need_total[table])
            new = np.concatenate([chosen, totals])
            suppressed[new] = True
            reason[new] = REASON_SECONDARY

    out["suppressed"] = suppressed
    out["suppression_reason"] = pd.array(reason, dtype=object)
    out.loc[~suppressed, "suppression_reason"] = None
    for column in HIDDEN_COLUMNS:
        if column in out.columns:
            numeric = pd.to_numeric(out[column], errors="coerce").astype(float)
            out[column] = numeric.mask(suppressed)
    return out
