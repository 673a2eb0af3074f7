"""Comparison with a benchmark (STATISTICS.md section 3) and rank thirds, vectorised over rows.

:func:`compare` judges each area value against a benchmark (riket, the county, the municipality,
similar municipalities) by its confidence interval:

* benchmark without a CI: the area differs when the benchmark value lies outside the area's CI;
* benchmark with a CI (itself an estimate): the area differs when the two CIs do not overlap.

With polarity the result is *better / similar / worse*; without it *lower / similar / higher*; *not
compared* when the area has no CI or there is no benchmark value. Pages must not colour results of
indicators without polarity red/green.

:func:`rank_thirds` is a different thing — Kolada-style best third / middle / worst third by rank —
and its labels say so; it never claims significance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.stats.intervals import z_value
from livsvillkor.stats.text import gettext_noop

LABELS = {
    "better": gettext_noop("Bättre"),
    "similar": gettext_noop("Likvärdig"),
    "worse": gettext_noop("Sämre"),
    "lower": gettext_noop("Lägre"),
    "higher": gettext_noop("Högre"),
    "not_compared": gettext_noop("Inte jämförd"),
}
RANK_LABELS = {
    1: gettext_noop("Bästa tredjedelen (rang)"),
    2: gettext_noop("Mellersta tredjedelen (rang)"),
    3: gettext_noop("Sämsta tredjedelen (rang)"),
}


def _col(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    values = pd.to_numeric(df[name], errors="coerce")
    bad = values.isna() & df[name].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "Icke-numeriskt värde i jämförelsen",
            [
                Problem(
                    where=f"rad {df.index[i]}",
                    field=name,
                    value=str(df[name].iloc[i]),
                    message="inte ett tal",
                )
            ],
        )
    return values.to_numpy(dtype=float, na_value=np.nan)


def compare(
    df: pd.DataFrame,
    *,
    value_col: str = "value",
    benchmark_col: str = "benchmark_value",
    polarity_col: str = "polarity",
    level: float | None = None,
) -> pd.DataFrame:
    """Add ``comparison`` and ``comparison_label`` to a copy of ``df`` (one row per area value).

    Columns: ``value_col`` with ``ci_low``/``ci_high`` (or ``se``: with ``level`` given, the interval
    is ``value ± z·se`` at that level, e.g. 0.998 — then ``se`` wins over given bounds);
    ``benchmark_col`` with optional ``benchmark_ci_low``/``benchmark_ci_high`` (or
    ``benchmark_se``); ``polarity_col``: 1 higher is better, −1 lower is better, 0/empty none.
    """
    out = df.copy()
    value = _col(out, value_col)
    low, high = _col(out, "ci_low"), _col(out, "ci_high")
    bench = _col(out, benchmark_col)
    b_low, b_high = _col(out, "benchmark_ci_low"), _col(out, "benchmark_ci_high")
    se, b_se = _col(out, "se"), _col(out, "benchmark_se")
    if level is not None:
        z = z_value(level)
        low = np.where(np.isnan(se), low, value - z * se)
        high = np.where(np.isnan(se), high, value + z * se)
        b_low = np.where(np.isnan(b_se), b_low, bench - z * b_se)
        b_high = np.where(np.isnan(b_se), b_high, bench + z * b_se)
    has_b_ci = ~np.isnan(b_low) & ~np.isnan(b_high)
    # The benchmark's range: its CI, or the point itself.
    ref_low = np.where(has_b_ci, b_low, bench)
    ref_high = np.where(has_b_ci, b_high, bench)
    comparable = ~np.isnan(low) & ~np.isnan(high) & ~np.isnan(bench) & ~np.isnan(value)
    higher = comparable & (low > ref_high)
    lower = comparable & (high < ref_low)
    polarity = np.sign(np.nan_to_num(_col(out, polarity_col)))
    result = np.full(len(out), "similar", dtype=object)
    result[higher] = "higher"
    result[lower] = "lower"
    judged = polarity != 0
    result[judged & higher] = np.where(polarity[judged & higher] > 0, "better", "worse")
    result[judged & lower] = np.where(polarity[judged & lower] > 0, "worse", "better")
    result[~comparable] = "not_compared"
    out["comparison"] = result
    out["comparison_label"] = [LABELS[r] for r in result]
    return out


def rank_thirds(
    df: pd.DataFrame,
    group_cols: list[str],
    *,
    value_col: str = "value",
    polarity_col: str = "polarity",
) -> pd.DataFrame:
    """Add ``rank_third`` (1 best, 2 middle, 3 worst third by rank within each group) and its label.

    Needs polarity (which end is best); rows without polarity or value get no third. Ties share the
    better rank. This is a ranking, not a significance test, and its labels say "(rang)".
    """
    out = df.copy()
    value = _col(out, value_col)
    polarity = np.sign(np.nan_to_num(_col(out, polarity_col)))
    oriented = pd.Series(np.where(polarity != 0, value * polarity, np.nan), index=out.index)
    keys = [out[c] for c in group_cols] if group_cols else [pd.Series(0, index=out.index)]
    grouped = oriented.groupby(keys, dropna=False)
    rank = grouped.rank(ascending=False, method="min")
    n = grouped.transform("count")
    third = np.ceil(3 * rank / n)
    out["rank_third"] = pd.array(np.where(np.isnan(third), pd.NA, third), dtype="Int64")
    out["rank_label"] = [RANK_LABELS.get(int(t)) if not pd.isna(t) else None for t in out["rank_third"]]
    return out
