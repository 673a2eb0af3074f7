"""Confidence intervals chosen by value type (STATISTICS.md section 1), at any level (95 % and 99.8 %).

Every function is vectorised: it takes scalars or numpy arrays (or pandas Series) and returns a pair of
float arrays ``(low, high)``. Where an input makes an interval undefined (a zero denominator, a
negative count) the bounds are NaN.

=========================  ==========================================================================
value type                 method
=========================  ==========================================================================
proportion                 :func:`wilson` — Wilson score interval, never outside [0, 1]
crude rate / count         :func:`poisson_count` — Byar's approximation for counts ≥ 10, exact Poisson
                           (chi-square quantiles) below 10; :func:`crude_rate` scales it per N
directly standardised rate :func:`dobson` — Dobson's method (Byar/exact limits on the total count,
                           scaled through the DSR's variance)
mean                       :func:`t_interval` — Student's t from SD and n
estimate with given SE     :func:`from_se` — estimate ± z·SE
=========================  ==========================================================================

:func:`add_intervals` applies the right one to each row of a tidy table by its ``value_type``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from livsvillkor.core.errors import InputError, Problem

#: The two levels the project publishes: ordinary 95 % and the stricter 99.8 % (control limits).
LEVELS = (0.95, 0.998)

#: Below this many events a rate's interval is exact Poisson; from it on, Byar's approximation.
BYAR_MIN_COUNT = 10


def z_value(level: float = 0.95) -> float:
    """Two-sided standard normal quantile for ``level`` (1.959964 for 95 %, 3.090232 for 99.8 %)."""
    if not 0 < level < 1:
        raise InputError(
            "Ogiltig konfidensnivå",
            [
                Problem(
                    where="parameter", field="level", value=repr(level), message="måste ligga mellan 0 och 1"
                )
            ],
        )
    return float(special.ndtri(1 - (1 - level) / 2))


def _arr(x) -> np.ndarray:
    return np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(x)), errors="coerce"), dtype=float)


def wilson(numerator, denominator, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``numerator / denominator`` (as a fraction 0–1).

    ``(p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = x/n``. Unlike the Wald interval it
    stays inside [0, 1] and behaves at p = 0 and p = 1. NaN where n ≤ 0 or x is outside [0, n].
    """
    x, n = np.broadcast_arrays(_arr(numerator), _arr(denominator))
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        centre = p + z * z / (2 * n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        denom = 1 + z * z / n
        low = np.clip((centre - half) / denom, 0.0, 1.0)
        high = np.clip((centre + half) / denom, 0.0, 1.0)
    # Exact at the edges (rounding would otherwise leave 1 − 2e-16 for p = 1).
    low[x == 0] = 0.0
    high[x == n] = 1.0
    bad = ~((n > 0) & (x >= 0) & (x <= n))
    low[bad] = np.nan
    high[bad] = np.nan
    return low, high


def exact_poisson(count, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval for a Poisson count O: ``χ²(α/2; 2O)/2`` to ``χ²(1−α/2; 2O+2)/2``.

    The lower limit is 0 for O = 0. Works for non-integer counts (weighted data) too.
    """
    o = _arr(count)
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        low = np.where(o > 0, stats.chi2.ppf(alpha / 2, 2 * o) / 2, 0.0)
        high = stats.chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
    bad = ~(o >= 0)
    low[bad] = np.nan
    high[bad] = np.nan
    return low.astype(float), high.astype(float)


def byar(count, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson interval for a count O.

    Lower ``O·(1 − 1/(9O) − z/(3√O))³``, upper ``(O+1)·(1 − 1/(9(O+1)) + z/(3√(O+1)))³``.
    """
    o = _arr(count)
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        o1 = o + 1
        high = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    low = np.where(o == 0, 0.0, low)
    bad = ~(o >= 0)
    low[bad] = np.nan
    high[bad] = np.nan
    return low, high


def poisson_count(count, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Interval for a count: exact Poisson below :data:`BYAR_MIN_COUNT` events, Byar's from it on."""
    o = _arr(count)
    el, eh = exact_poisson(o, level)
    bl, bh = byar(o, level)
    small = o < BYAR_MIN_COUNT
    return np.where(small, el, bl), np.where(small, eh, bh)


def crude_rate(count, population, per: float = 100_000, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Interval for a crude rate ``count / population × per`` from :func:`poisson_count` limits."""
    o, n = np.broadcast_arrays(_arr(count), _arr(population))
    low, high = poisson_count(o, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(n > 0, per / n, np.nan)
    return low * scale, high * scale


def dobson(total_count, dsr, dsr_variance, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Dobson's interval for a directly standardised rate.

    With O the total observed count, ``DSR`` the standardised rate and ``var`` its variance
    (``Σ wᵢ² Oᵢ / nᵢ²`` on the rate scale), the limits are ``DSR + √(var/O)·(O_L − O)`` and
    ``DSR + √(var/O)·(O_U − O)`` where ``(O_L, O_U)`` are the Poisson limits on O
    (:func:`poisson_count`). STATISTICS.md asks to suppress the value when O < 10; that is the caller's
    disclosure rule, the interval itself is still defined. NaN where O ≤ 0.
    """
    o, d, v = np.broadcast_arrays(_arr(total_count), _arr(dsr), _arr(dsr_variance))
    ol, oh = poisson_count(o, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(o > 0, np.sqrt(v / o), np.nan)
    return d + factor * (ol - o), d + factor * (oh - o)


def directly_standardised_rate(
    counts, populations, standard, per: float = 100_000, level: float = 0.95
) -> dict[str, float]:
    """DSR with Dobson's interval for one area from per-stratum counts, populations and standard weights.

    ``DSR = Σ wᵢ·Oᵢ/nᵢ / Σ wᵢ × per``; ``var = Σ (wᵢ/Σw)²·Oᵢ/nᵢ² × per²``. Returns a dict with
    ``value, ci_low, ci_high, count``. For many areas at once, compute the sums with ``groupby`` and call
    :func:`dobson` on the arrays.
    """
    o, n, w = np.broadcast_arrays(_arr(counts), _arr(populations), _arr(standard))
    if (n <= 0).any() or (o < 0).any() or (w < 0).any():
        raise InputError(
            "Ogiltiga indata för standardiserad kvot",
            [
                Problem(
                    where="parameter",
                    field="counts/populations/standard",
                    message="måste vara ≥ 0 (population > 0)",
                )
            ],
        )
    share = w / w.sum()
    dsr = float(np.sum(share * o / n) * per)
    var = float(np.sum(share**2 * o / n**2) * per * per)
    low, high = dobson(o.sum(), dsr, var, level)
    return {"value": dsr, "ci_low": float(low[0]), "ci_high": float(high[0]), "count": float(o.sum())}


def t_interval(mean, sd, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student's t interval for a mean: ``mean ± t(1−α/2; n−1)·sd/√n``. NaN where n < 2."""
    m, s, k = np.broadcast_arrays(_arr(mean), _arr(sd), _arr(n))
    alpha = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(1 - alpha / 2, k - 1)
        half = t * s / np.sqrt(k)
    half = np.where((k >= 2) & (s >= 0), half, np.nan)
    return m - half, m + half


def from_se(estimate, se, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Normal interval from a given standard error: ``estimate ± z·SE``. NaN where SE is missing or < 0."""
    e, s = np.broadcast_arrays(_arr(estimate), _arr(se))
    z = z_value(level)
    half = np.where(s >= 0, z * s, np.nan)
    return e - half, e + half


def se_from_bounds(ci_low, ci_high, level: float = 0.95) -> np.ndarray:
    """Standard error implied by a symmetric interval: ``(high − low) / (2z)`` (as HEAT does)."""
    lo, hi = np.broadcast_arrays(_arr(ci_low), _arr(ci_high))
    return (hi - lo) / (2 * z_value(level))


VALUE_TYPES = ("proportion", "rate", "dsr", "mean", "se")


def add_intervals(df: pd.DataFrame, *, level: float = 0.95, per: float | str = "per") -> pd.DataFrame:
    """Return a copy of a tidy table with ``ci_low``/``ci_high`` filled per row by ``value_type``.

    Columns used by type — ``proportion``: numerator, denominator (value as a share; bounds are
    multiplied by ``scale`` when that column exists, e.g. 100 for per cent); ``rate``: numerator,
    denominator and ``per`` (a column name or a number); ``dsr``: numerator (total count), value,
    ``variance``; ``mean``: value, ``sd``, ``n``; ``se``: value, ``se``. Bounds already present
    (given by the source) are kept. An unknown value type is an :class:`InputError` naming the row.
    """
    out = df.copy()
    n = len(out)
    vt = out["value_type"].astype(object).to_numpy()
    unknown = ~np.isin(vt, VALUE_TYPES)
    if unknown.any():
        rows = np.flatnonzero(unknown)[:10]
        raise InputError(
            "Okänd värdetyp",
            [
                Problem(
                    where=f"rad {out.index[i]}",
                    field="value_type",
                    value=str(vt[i]),
                    message="okänd värdetyp",
                )
                for i in rows
            ],
        )

    def col(name):
        return _arr(out[name]) if name in out.columns else np.full(n, np.nan)

    low = np.full(n, np.nan)
    high = np.full(n, np.nan)
    scale = col("scale")
    scale = np.where(np.isnan(scale), 1.0, scale)
    m = vt == "proportion"
    if m.any():
        lo, hi = wilson(col("numerator")[m], col("denominator")[m], level)
        low[m], high[m] = lo * scale[m], hi * scale[m]
    m = vt == "rate"
    if m.any():
        per_value = col(per) if isinstance(per, str) else np.full(n, float(per))
        per_value = np.where(np.isnan(per_value), 100_000.0, per_value)
        low[m], high[m] = crude_rate(col("numerator")[m], col("denominator")[m], per_value[m], level)
    m = vt == "dsr"
    if m.any():
        low[m], high[m] = dobson(col("numerator")[m], col("value")[m], col("variance")[m], level)
    m = vt == "mean"
    if m.any():
        low[m], high[m] = t_interval(col("value")[m], col("sd")[m], col("n")[m], level)
    m = vt == "se"
    if m.any():
        low[m], high[m] = from_se(col("value")[m], col("se")[m], level)
    given_low, given_high = col("ci_low"), col("ci_high")
    keep = ~np.isnan(given_low) & ~np.isnan(given_high)
    out["ci_low"] = np.where(keep, given_low, low)
    out["ci_high"] = np.where(keep, given_high, high)
    return out
