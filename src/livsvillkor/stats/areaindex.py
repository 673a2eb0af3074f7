"""Socio-economic area index and area types 1–5 (STATISTICS.md section 7, Segregationsbarometern style).

Per area (RegSO or DeSO) and year, the index is the mean of three shares (per cent):

* persons with low economic standard,
* persons aged 20–64 with at most compulsory schooling,
* persons aged 20–64 with long-term social assistance and/or long-term unemployment.

The area type comes from the number of standard deviations ``z = (index − mean) / sd`` the index lies
from the mean of all areas of the same year (the national distribution when the input is national):
type 1 (stora socioekonomiska utmaningar) for the highest z … type 5 (mycket goda socioekonomiska
förutsättningar) for the lowest. The cut-offs are a parameter; the default (2, 1, −1, −2) is our
choice — the published classification by Delmos/SCB is not available here. Area type is an ordered
dimension: use it as ``subgroup_order`` (1 = most disadvantaged) for SII/RII and concentration indices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.stats.text import gettext_noop

SHARE_COLUMNS = ("low_economic_standard", "low_education", "assistance_or_unemployment")
DEFAULT_CUTS = (2.0, 1.0, -1.0, -2.0)
LABELS = {
    1: gettext_noop("Områden med stora socioekonomiska utmaningar"),
    2: gettext_noop("Områden med socioekonomiska utmaningar"),
    3: gettext_noop("Socioekonomiskt blandade områden"),
    4: gettext_noop("Områden med goda socioekonomiska förutsättningar"),
    5: gettext_noop("Områden med mycket goda socioekonomiska förutsättningar"),
}
REASON_MISSING = gettext_noop("En andel saknas")


def socioeconomic_index(df: pd.DataFrame, shares: tuple[str, str, str] = SHARE_COLUMNS) -> pd.DataFrame:
    """Add ``index`` (the mean of the three share columns, per cent) and ``reason`` to a copy.

    A share outside 0–100 or non-numeric is an :class:`InputError` naming the row and column; a
    missing share leaves the index empty with a reason.
    """
    out = df.copy()
    problems = []
    values = []
    for column in shares:
        if column not in out.columns:
            problems.append(Problem(where="indata", field=column, message="kolumnen saknas"))
            continue
        v = pd.to_numeric(out[column], errors="coerce")
        bad = (v.isna() & out[column].notna()) | (v < 0) | (v > 100)
        for i in np.flatnonzero(bad.to_numpy())[:5]:
            problems.append(
                Problem(
                    where=f"rad {out.index[i]}",
                    field=column,
                    value=str(out[column].iloc[i]),
                    message="ska vara en andel 0–100",
                )
            )
        values.append(v.to_numpy(dtype=float, na_value=np.nan))
    if problems:
        raise InputError("Felaktiga indata för socioekonomiskt index", problems)
    stacked = np.vstack(values)
    missing = np.isnan(stacked).any(axis=0)
    out["index"] = np.where(missing, np.nan, stacked.mean(axis=0))
    out["reason"] = pd.array(np.where(missing, REASON_MISSING, None), dtype=object)
    return out


def area_types(
    df: pd.DataFrame,
    group_cols: list[str],
    *,
    index_col: str = "index",
    cuts: tuple[float, float, float, float] = DEFAULT_CUTS,
    weight_col: str | None = None,
) -> pd.DataFrame:
    """Add ``z``, ``area_type`` (1–5, nullable) and ``area_type_label`` to a copy.

    Mean and SD are taken over the areas of each group (e.g. ``["year"]``), weighted by ``weight_col``
    (e.g. population) when given. ``cuts`` are the z boundaries in decreasing order: z ≥ cuts[0] is
    type 1, cuts[1] ≤ z < cuts[0] type 2, cuts[2] < z < cuts[1] type 3, cuts[3] < z ≤ cuts[2] type 4,
    z ≤ cuts[3] type 5.
    """
    if not all(a > b for a, b in zip(cuts, cuts[1:], strict=False)) or len(cuts) != 4:
        raise InputError(
            "Ogiltiga gränser för områdestyper",
            [
                Problem(
                    where="parameter", field="cuts", value=repr(cuts), message="fyra tal i fallande ordning"
                )
            ],
        )
    out = df.copy()
    index = pd.to_numeric(out[index_col], errors="coerce").astype(float)
    w = (
        pd.Series(1.0, index=out.index)
        if weight_col is None
        else pd.to_numeric(out[weight_col], errors="coerce")
    )
    w = w.where(index.notna())
    keys = [out[c] for c in group_cols] if group_cols else [pd.Series(0, index=out.index)]
    sw = w.groupby(keys, dropna=False).transform("sum")
    mean = (w * index).groupby(keys, dropna=False).transform("sum") / sw
    var = (w * (index - mean) ** 2).groupby(keys, dropna=False).transform("sum") / sw
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (index - mean) / np.sqrt(var)
    z = z.to_numpy(dtype=float)
    area_type = np.select(
        [z >= cuts[0], z >= cuts[1], z > cuts[2], z > cuts[3], z <= cuts[3]], [1, 2, 3, 4, 5], 0
    ).astype(float)
    area_type[np.isnan(z)] = np.nan
    out["z"] = z
    out["area_type"] = pd.array(area_type, dtype="Int64")
    out["area_type_label"] = [LABELS.get(int(t)) if not pd.isna(t) else None for t in out["area_type"]]
    return out
