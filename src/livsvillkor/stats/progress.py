"""Progress toward a target (STATISTICS.md section 5): Statistics Canada's method as used by Open SDG.

Observed compound annual growth rate from the base year to the latest year,
``CAGRᵢ = (yᵢ / y₀)^(1/(tᵢ − t₀)) − 1``, is compared

* **with a numeric target** yT in year tT: with the rate required to reach it,
  ``CAGR_T = (y_T / y₀)^(1/(t_T − t₀)) − 1``, as the ratio ``R = CAGRᵢ / CAGR_T``:
  target achieved (latest value at or beyond the target in the desired direction), substantial
  progress (R ≥ 0.95), moderate progress (0.6 ≤ R < 0.95), limited progress (0 ≤ R < 0.6),
  deterioration (R < 0);
* **without a numeric target**: by direction only, ``d·CAGRᵢ`` against fixed rates:
  substantial (≥ 1.5 %·C), moderate (≥ 0.5 %·C), limited (≥ 0), deterioration (< 0), where C ≤ 1
  shrinks the positive thresholds near a natural limit (``limit``). Our C is the remaining relative
  distance to the limit, ``min(1, |y_lim − y₀| / |y_lim|)`` — a simplification of Statistics
  Canada's coefficient.

*Not available* when a value is missing or not positive, or the years do not increase. The same
function applies to a gap measure's series (e.g. D between area types 1 and 5 with direction −1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.stats.text import gettext_noop

STATUSES = (
    "target_achieved",
    "substantial_progress",
    "moderate_progress",
    "limited_progress",
    "deterioration",
    "not_available",
)
LABELS = {
    "target_achieved": gettext_noop("Målet nått"),
    "substantial_progress": gettext_noop("Stora framsteg"),
    "moderate_progress": gettext_noop("Måttliga framsteg"),
    "limited_progress": gettext_noop("Begränsade framsteg"),
    "deterioration": gettext_noop("Försämring"),
    "not_available": gettext_noop("Kan inte bedömas"),
}
RATIO_THRESHOLDS = (0.95, 0.6, 0.0)
RATE_THRESHOLDS = (0.015, 0.005, 0.0)

REASON_VALUES = gettext_noop("Bas- eller senaste värde saknas eller är inte positivt")
REASON_YEARS = gettext_noop("Senaste året måste vara efter basåret")
REASON_DIRECTION = gettext_noop("Riktning saknas")
REASON_TARGET = gettext_noop("Målåret måste vara efter basåret och målvärdet positivt")


def _col(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    values = pd.to_numeric(df[name], errors="coerce")
    bad = values.isna() & df[name].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "Icke-numeriskt värde i målbedömningen",
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


def assess(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``cagr``, ``required_cagr``, ``ratio``, ``status``, ``status_label`` and ``reason`` to a copy.

    Columns (one row per indicator, area or gap series): ``base_year``, ``base_value``,
    ``latest_year``, ``latest_value``, ``direction`` (1 increase is desired, −1 decrease), optional
    ``target_value`` and ``target_year``, optional ``limit`` (a natural maximum or minimum).
    """
    out = df.copy()
    t0, y0 = _col(out, "base_year"), _col(out, "base_value")
    ti, yi = _col(out, "latest_year"), _col(out, "latest_value")
    tT, yT = _col(out, "target_year"), _col(out, "target_value")
    d = np.sign(_col(out, "direction"))
    limit = _col(out, "limit")
    n = len(out)
    reason = np.full(n, None, dtype=object)
    reason[np.isnan(d) | (d == 0)] = REASON_DIRECTION
    reason[(reason == None) & ~((y0 > 0) & (yi > 0))] = REASON_VALUES  # noqa: E711
    reason[(reason == None) & ~(ti > t0)] = REASON_YEARS  # noqa: E711
    has_target = ~np.isnan(yT)
    reason[(reason == None) & has_target & ~((tT > t0) & (yT > 0))] = REASON_TARGET  # noqa: E711
    with np.errstate(invalid="ignore", divide="ignore"):
        cagr = (yi / y0) ** (1 / (ti - t0)) - 1
        required = (yT / y0) ** (1 / (tT - t0)) - 1
        ratio = cagr / required
        # Scaling of the positive thresholds near a natural limit in the desired direction.
        c = np.minimum(1.0, np.abs(limit - y0) / np.abs(limit))
    limit_applies = ~np.isnan(limit) & (((d > 0) & (limit > y0)) | ((d < 0) & (limit < y0)))
    c = np.where(limit_applies, c, 1.0)

    status = np.full(n, "not_available", dtype=object)
    achieved = has_target & (d * (yi - yT) >= 0)
    # Target already reached at the base, or required change against the desired direction:
    # treat as achieved when the latest value is at/beyond the target, else by direction below.
    required_ok = has_target & (d * required > 0)
    r = np.where(required_ok, ratio, np.nan)
    s_ratio = np.select(
        [r >= RATIO_THRESHOLDS[0], r >= RATIO_THRESHOLDS[1], r >= RATIO_THRESHOLDS[2], r < 0],
        ["substantial_progress", "moderate_progress", "limited_progress", "deterioration"],
        "not_available",
    )
    rate = d * cagr
    s_rate = np.select(
        [
            rate >= RATE_THRESHOLDS[0] * c,
            rate >= RATE_THRESHOLDS[1] * c,
            rate >= RATE_THRESHOLDS[2],
            rate < 0,
        ],
        ["substantial_progress", "moderate_progress", "limited_progress", "deterioration"],
        "not_available",
    )
    status = np.where(required_ok, s_ratio, s_rate).astype(object)
    status[achieved] = "target_achieved"
    failed = reason != None  # noqa: E711
    status[failed] = "not_available"
    out["cagr"] = np.where(failed, np.nan, cagr)
    out["required_cagr"] = np.where(failed | ~required_ok, np.nan, required)
    out["ratio"] = np.where(failed | ~required_ok, np.nan, ratio)
    out["status"] = status
    out["status_label"] = [LABELS[s] for s in status]
    out["reason"] = pd.array(reason, dtype=object)
    return out
