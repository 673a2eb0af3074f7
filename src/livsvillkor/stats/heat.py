"""Reader for WHO's HEAT Plus upload layout, and summary measures per setting × date × indicator × dimension.

The layout (one row per subgroup): ``setting, date, source, indicator_abbr, indicator_name, dimension,
subgroup, estimate, se, ci_lb, ci_ub, population, setting_average, favourable_indicator,
ordered_dimension, subgroup_order, reference_subgroup, indicator_scale``. WHO's own files vary: the
template example lacks the flag columns and some say ``year`` for ``date``. Missing flag columns
default to favourable, non-ordered, scale 100; :func:`read_heat` can override them per indicator and
dimension.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable

import numpy as np
import pandas as pd

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.stats import inequality

#: The columns of the HEAT Plus upload template, in its order.
COLUMNS = (
    "setting",
    "date",
    "source",
    "indicator_abbr",
    "indicator_name",
    "dimension",
    "subgroup",
    "estimate",
    "se",
    "ci_lb",
    "ci_ub",
    "population",
    "setting_average",
    "favourable_indicator",
    "ordered_dimension",
    "subgroup_order",
    "reference_subgroup",
    "indicator_scale",
)
REQUIRED = ("setting", "date", "indicator_abbr", "dimension", "subgroup", "estimate")
#: Columns identifying one group of subgroups.
GROUP_COLUMNS = ["setting", "date", "indicator_abbr", "dimension"]
#: Columns of the measures output.
OUTPUT_COLUMNS = [*GROUP_COLUMNS, "measure", "estimate", "se", "ci_lb", "ci_ub", "reason"]

_NUMERIC = (
    "estimate",
    "se",
    "ci_lb",
    "ci_ub",
    "population",
    "setting_average",
    "indicator_scale",
    "subgroup_order",
)
_FLAGS = ("favourable_indicator", "ordered_dimension", "reference_subgroup")


def read_heat(
    source: str | os.PathLike | io.IOBase,
    *,
    adverse: Iterable[str] = (),
    ordered: Iterable[str] = (),
    scale: float | None = None,
) -> pd.DataFrame:
    """Read a HEAT Plus CSV into the input layout of :func:`livsvillkor.stats.inequality.compute`.

    ``adverse`` names indicators (``indicator_abbr``) that are adverse, ``ordered`` names dimensions
    that are ordered (their ``subgroup_order`` is taken from the file, or from the order of first
    appearance when that column is empty), ``scale`` sets ``indicator_scale`` where the file has none.
    Bad input raises :class:`InputError` naming the line (as in the file, header = line 1) and column.
    """
    try:
        df = pd.read_csv(source, dtype=str, keep_default_na=False, na_values=["", "NA", "NaN"])
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            "Kunde inte läsa HEAT-filen", [Problem(where=str(source), message=str(exc))]
        ) from exc
    df.columns = [c.strip().lower() for c in df.columns]
    if "date" not in df.columns and "year" in df.columns:
        df = df.rename(columns={"year": "date"})
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(
            "Kolumner saknas i HEAT-filen",
            [Problem(where="rubrikraden", field=c, message="kolumnen saknas") for c in missing],
        )
    problems: list[Problem] = []
    line = np.arange(len(df)) + 2
    for column in _NUMERIC + _FLAGS:
        if column not in df.columns:
            continue
        raw = df[column]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna()
        for i in np.flatnonzero(bad.to_numpy())[:5]:
            problems.append(
                Problem(where=f"rad {line[i]}", field=column, value=raw.iloc[i], message="inte ett tal")
            )
        if column in ("se", "population"):
            for i in np.flatnonzero((values < 0).to_numpy())[:5]:
                problems.append(
                    Problem(where=f"rad {line[i]}", field=column, value=raw.iloc[i], message="negativt värde")
                )
        df[column] = values.astype(float)
    for column in ("setting", "date", "indicator_abbr", "dimension", "subgroup"):
        for i in np.flatnonzero(df[column].isna().to_numpy())[:5]:
            problems.append(Problem(where=f"rad {line[i]}", field=column, message="värde saknas"))
    dup = df.duplicated([*GROUP_COLUMNS, "subgroup"], keep="first").to_numpy()
    for i in np.flatnonzero(dup)[:5]:
        problems.append(
            Problem(
                where=f"rad {line[i]} ({df['setting'].iloc[i]}, {df['date'].iloc[i]}, "
                f"{df['indicator_abbr'].iloc[i]}, {df['dimension'].iloc[i]})",
                field="subgroup",
                value=df["subgroup"].iloc[i],
                message="delgruppen förekommer två gånger i samma grupp",
            )
        )
    if problems:
        raise InputError("Felaktig HEAT-fil", problems)

    adverse, ordered = set(adverse), set(ordered)
    if "favourable_indicator" not in df.columns:
        df["favourable_indicator"] = 1.0
    df["favourable_indicator"] = df["favourable_indicator"].fillna(1.0)
    if adverse:
        df.loc[df["indicator_abbr"].isin(adverse), "favourable_indicator"] = 0.0
    if "ordered_dimension" not in df.columns:
        df["ordered_dimension"] = 0.0
    df["ordered_dimension"] = df["ordered_dimension"].fillna(0.0)
    if ordered:
        df.loc[df["dimension"].isin(ordered), "ordered_dimension"] = 1.0
    if "subgroup_order" not in df.columns:
        df["subgroup_order"] = np.nan
    no_order = (df["ordered_dimension"] == 1) & df["subgroup_order"].isna()
    if no_order.any():
        # Order of first appearance within each group.
        appearance = df.groupby(GROUP_COLUMNS, sort=False).cumcount() + 1
        df.loc[no_order, "subgroup_order"] = appearance[no_order].astype(float)
    if "indicator_scale" not in df.columns:
        df["indicator_scale"] = np.nan
    df["indicator_scale"] = df["indicator_scale"].fillna(100.0 if scale is None else float(scale))
    if "reference_subgroup" not in df.columns:
        df["reference_subgroup"] = 0.0
    df["reference_subgroup"] = df["reference_subgroup"].fillna(0.0)
    return df


def heat_measures(
    df: pd.DataFrame,
    measures: Iterable[str] | None = None,
    *,
    draws: int = 100,
    seed: int = 123456,
    sii_model: str = "logit",
    level: float = 0.95,
    applicable_only: bool = False,
) -> pd.DataFrame:
    """Summary measures for every setting × date × indicator × dimension of a :func:`read_heat` table.

    Returns :data:`OUTPUT_COLUMNS` (``ci_lb``/``ci_ub`` as in HEAT).
    """
    out = inequality.compute(
        df,
        GROUP_COLUMNS,
        measures,
        draws=draws,
        seed=seed,
        sii_model=sii_model,
        level=level,
        applicable_only=applicable_only,
    )
    return out.rename(columns={"ci_low": "ci_lb", "ci_high": "ci_ub"})[OUTPUT_COLUMNS]
