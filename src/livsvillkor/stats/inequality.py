"""The 21 summary measures of inequality of WHO *healthequal* / HEAT, vectorised over many groups.

Input is a long table with one row per **subgroup** and some **group** columns (e.g. setting, year,
indicator, dimension) that say which rows belong together. :func:`compute` returns one row per group
and measure with ``estimate, se, ci_low, ci_high, reason``. ``reason`` (Swedish) is set, and the
numbers are NaN, when a measure does not apply to the group or its input is insufficient; the rest of
the batch is still computed. Malformed input raises :class:`~livsvillkor.core.errors.InputError`
naming the group and column.

Columns of the input (HEAT Plus names)
--------------------------------------
``subgroup`` (required), ``estimate`` (required), ``se`` (or ``ci_lb``/``ci_ub``, from which
``se = (ub − lb)/(2·1.96)``), ``population``, ``setting_average``, ``favourable_indicator`` (1/0,
default 1), ``ordered_dimension`` (1/0, default 0), ``subgroup_order`` (1 = most disadvantaged),
``reference_subgroup`` (1/0, default 0), ``indicator_scale`` (default 100).

Notation (STATISTICS.md section 6): subgroups j = 1…J with estimate yⱼ, standard error seⱼ and
population Nⱼ; pⱼ = Nⱼ/ΣN; μ = Σ pⱼyⱼ (the supplied setting average when populations are missing);
rⱼ = yⱼ/μ; z the normal quantile of the confidence level.

Conventions (where healthequal, HEAT and STATISTICS.md differ, the choice is stated here)
--------------------------------------------------------------------------------------
* D and R pick their two subgroups as HEAT's table 1: ordered — most advantaged vs most
  disadvantaged (favourable) or the reverse (adverse); non-ordered without a reference — highest vs
  lowest whatever the polarity (HEAT and healthequal's ``r()``); with a reference — reference vs the
  lowest (favourable) or highest vs reference (adverse).
* ``se`` of R and RII is on the log scale (as healthequal); their CIs are on the ratio scale.
* TI and MLD are ×1000 like healthequal, **and so are their SE and CI** (healthequal leaves the SE
  unscaled, which makes its intervals 1000 times too narrow).
* PAF's SE is Walter's SE of the attributable fraction ×100, i.e. in per cent like PAF itself
  (healthequal reports the fraction's SE next to a per-cent PAF, 100 times too narrow).
* SII's SE is on the indicator's scale (healthequal reports it on the 0–1 scale).
* Simulation CIs (BGSD, COV, MDMU, MDMW, MDBU, MDBW, MDRU, MDRW, IDISU, IDISW) draw each yⱼ from
  N(yⱼ, seⱼ) truncated to [0, scale] for scales 1 and 100 and to [0, ∞) otherwise, with a fixed seed
  and ``draws`` draws; their ``se`` is NaN.
* More than 15 % of subgroups without an estimate refuses every measure of the group; on an ordered
  dimension any missing subgroup refuses the group (ranks would be wrong).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.stats.intervals import z_value
from livsvillkor.stats.text import gettext_noop

#: The 21 measures in HEAT's order of presentation.
MEASURES = (
    "D",
    "R",
    "BGV",
    "BGSD",
    "COV",
    "MDMU",
    "MDMW",
    "MDBU",
    "MDBW",
    "MDRU",
    "MDRW",
    "IDISU",
    "IDISW",
    "TI",
    "MLD",
    "PAR",
    "PAF",
    "ACI",
    "RCI",
    "SII",
    "RII",
)

#: Measures whose CI comes from simulation (no analytic SE formula).
SIMULATED = ("BGSD", "COV", "MDMU", "MDMW", "MDBU", "MDBW", "MDRU", "MDRW", "IDISU", "IDISW")
#: Measures for non-ordered dimensions only.
NON_ORDERED_ONLY = (
    "BGV",
    "BGSD",
    "COV",
    "MDMU",
    "MDMW",
    "MDBU",
    "MDBW",
    "MDRU",
    "MDRW",
    "IDISU",
    "IDISW",
    "TI",
    "MLD",
)
#: Measures for ordered dimensions only.
ORDERED_ONLY = ("ACI", "RCI", "SII", "RII")
#: Measures reported on a log scale (their ``se`` is on the log scale).
LOG_SCALE = ("R", "RII")

REASON_MISSING = gettext_noop("För många delgrupper saknar skattning (mer än 15 %)")
REASON_MISSING_ORDERED = gettext_noop("En delgrupp i en ordnad dimension saknar skattning")
REASON_NO_DATA = gettext_noop("Inga skattningar")
REASON_MIN_TWO = gettext_noop("Kräver minst två delgrupper")
REASON_MORE_THAN_TWO = gettext_noop("Kräver fler än två delgrupper")
REASON_ORDERED_ONLY = gettext_noop("Gäller bara ordnade dimensioner")
REASON_NON_ORDERED_ONLY = gettext_noop("Gäller bara icke ordnade dimensioner")
REASON_REFERENCE = gettext_noop("Kräver exakt en referensdelgrupp")
REASON_POPULATION = gettext_noop("Befolkningsstorlek saknas")
REASON_MEAN = gettext_noop("Medelvärdet är inte positivt")
REASON_ZERO = gettext_noop("Jämförelsegruppens skattning är noll eller negativ")
REASON_NEGATIVE = gettext_noop("Negativa skattningar")
REASON_EQUAL = gettext_noop("Alla skattningar är lika")
REASON_RANGE = gettext_noop("Skattning utanför indikatorns skala")
REASON_ORDER = gettext_noop("Delgruppsordningen är inte entydig")
REASON_FIT = gettext_noop("Regressionen gick inte att skatta")

_MISSING_SHARE = 0.15
_SIM_CELLS = 4_000_000  # rows × draws per simulation chunk (memory bound)


@dataclass
class Result:
    """Per-group arrays for one measure (length = number of groups)."""

    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    reason: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Result:
        nan = np.full(n, np.nan)
        return cls(nan.copy(), nan.copy(), nan.copy(), nan.copy(), np.full(n, None, dtype=object))

    def refuse(self, mask: np.ndarray, reason: str) -> None:
        """Set ``reason`` where ``mask`` and no reason is set yet; blank the numbers there."""
        mask = mask & (self.reason == None)  # noqa: E711 (elementwise on an object array)
        self.reason[mask] = reason

    def finish(self) -> Result:
        refused = self.reason != None  # noqa: E711
        for name in ("estimate", "se", "ci_low", "ci_high"):
            arr = np.array(getattr(self, name), dtype=float)
            arr[refused] = np.nan
            setattr(self, name, arr)
        return self


@dataclass
class Groups:
    """The prepared input: valid rows sorted by group (and subgroup order), plus per-group facts."""

    n_groups: int
    g: np.ndarray  # row → group
    est: np.ndarray
    se: np.ndarray
    pop: np.ndarray
    order: np.ndarray
    is_ref: np.ndarray
    starts: np.ndarray  # first row of each group (valid only where J > 0)
    J: np.ndarray
    fav: np.ndarray
    ordered: np.ndarray
    scale: np.ndarray
    setting_average: np.ndarray
    base_reason: np.ndarray  # reason refusing every measure (missing subgroups) or None
    level: float = 0.95
    draws: int = 100
    seed: int = 123456
    sii_model: str = "logit"
    wanted: frozenset = frozenset(MEASURES)
    _cache: dict = field(default_factory=dict)

    # -- segment helpers -------------------------------------------------------------------------
    def gsum(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.g, weights=x, minlength=self.n_groups).astype(float, copy=False)

    def _reduce(self, ufunc, x: np.ndarray, fill: float) -> np.ndarray:
        out = np.full(self.n_groups, fill, dtype=float)
        ne = self.J > 0
        if ne.any():
            out[ne] = ufunc.reduceat(x, self.starts[ne])
        return out

    def gmax(self, x: np.ndarray) -> np.ndarray:
        return self._reduce(np.maximum, x, np.nan)

    def gmin(self, x: np.ndarray) -> np.ndarray:
        return self._reduce(np.minimum, x, np.nan)

    @property
    def z(self) -> float:
        return z_value(self.level)

    @property
    def has_pop(self) -> np.ndarray:
        """Groups where every subgroup has a population and their total is positive."""
        if "has_pop" not in self._cache:
            missing = self.gsum(np.isnan(self.pop).astype(float)) > 0
            total = self.gsum(np.nan_to_num(self.pop))
            self._cache["has_pop"] = ~missing & (total > 0)
        return self._cache["has_pop"]

    @property
    def share(self) -> np.ndarray:
        """pⱼ = Nⱼ / ΣN per row (NaN in groups without populations)."""
        if "share" not in self._cache:
            total = self.gsum(np.nan_to_num(self.pop))
            with np.errstate(invalid="ignore", divide="ignore"):
                self._cache["share"] = self.pop / total[self.g]
        return self._cache["share"]

    @property
    def mu(self) -> np.ndarray:
        """μ = Σ pⱼyⱼ, or the supplied setting average where populations are missing."""
        if "mu" not in self._cache:
            weighted = self.gsum(np.nan_to_num(self.share * self.est))
            self._cache["mu"] = np.where(self.has_pop, weighted, self.setting_average)
        return self._cache["mu"]

    @property
    def se_complete(self) -> np.ndarray:
        """Groups where every subgroup has a standard error."""
        if "se_complete" not in self._cache:
            self._cache["se_complete"] = self.gsum(np.isnan(self.se).astype(float)) == 0
        return self._cache["se_complete"]

    def result(self, kind: str = "any") -> Result:
        """A blank result with the reasons that come first: the dimension type (``kind`` is "any",
        "ordered" or "non_ordered"), then missing subgroups, then no data at all."""
        res = Result.empty(self.n_groups)
        if kind == "ordered":
            res.refuse(~self.ordered, REASON_ORDERED_ONLY)
        elif kind == "non_ordered":
            res.refuse(self.ordered, REASON_NON_ORDERED_ONLY)
        for reason in pd.unique(self.base_reason[self.base_reason != None]):  # noqa: E711
            res.refuse(self.base_reason == reason, reason)
        res.refuse(self.J == 0, REASON_NO_DATA)
        return res

    def first_row(self, mask_rows: np.ndarray) -> np.ndarray:
        """Per group, the index of the first row where ``mask_rows`` holds (−1 where none)."""
        idx = np.flatnonzero(mask_rows)
        out = np.full(self.n_groups, -1, dtype=np.int64)
        if idx.size:
            gi = self.g[idx]  # rows are sorted by group, so a new group starts where gi changes
            first = np.flatnonzero(np.concatenate([[True], gi[1:] != gi[:-1]]))
            out[gi[first]] = idx[first]
        return out


# ---------------------------------------------------------------------------------------------------
# Simple measures
# ---------------------------------------------------------------------------------------------------


def _pair(G: Groups) -> tuple[np.ndarray, np.ndarray]:
    """Rows (y1, y2) compared by D and R, per HEAT's table 1 (−1 where undefined)."""
    n = G.n_groups
    y1 = np.full(n, -1, dtype=np.int64)
    y2 = np.full(n, -1, dtype=np.int64)
    ne = G.J > 0
    lo_row = np.where(ne, G.starts, -1)  # rows are sorted by order: first = most disadvantaged
    hi_row = np.where(ne, G.starts + G.J - 1, -1)
    fav = G.fav
    # Non-ordered: rows of the highest and lowest estimate (first in subgroup order on ties).
    gmax, gmin = G.gmax(G.est), G.gmin(G.est)
    max_row = G.first_row(G.est == gmax[G.g])
    min_row = G.first_row(G.est == gmin[G.g])
    ref_count = G.gsum(G.is_ref.astype(float))
    ref_row = G.first_row(G.is_ref)
    ordered = G.ordered
    with_ref = ~ordered & (ref_count == 1)
    no_ref = ~ordered & ~with_ref
    y1[ordered] = np.where(fav, hi_row, lo_row)[ordered]
    y2[ordered] = np.where(fav, lo_row, hi_row)[ordered]
    y1[no_ref] = max_row[no_ref]
    y2[no_ref] = min_row[no_ref]
    y1[with_ref] = np.where(fav, ref_row, max_row)[with_ref]
    y2[with_ref] = np.where(fav, min_row, ref_row)[with_ref]
    return y1, y2


def difference(G: Groups) -> Result:
    """D = y₁ − y₂ (subgroups chosen by HEAT's direction rules); SE = √(se₁² + se₂²); CI D ± z·SE.

    Simple, absolute; any dimension with at least two subgroups.
    """
    res = G.result()
    res.refuse(G.J < 2, REASON_MIN_TWO)
    y1, y2 = _pair(G)
    ok = (y1 >= 0) & (y2 >= 0)
    a, b = np.where(ok, y1, 0), np.where(ok, y2, 0)
    res.estimate = np.where(ok, G.est[a] - G.est[b], np.nan)
    res.se = np.where(ok, np.sqrt(G.se[a] ** 2 + G.se[b] ** 2), np.nan)
    res.ci_low = res.estimate - G.z * res.se
    res.ci_high = res.estimate + G.z * res.se
    return res.finish()


def ratio(G: Groups) -> Result:
    """R = y₁ / y₂; SE(ln R) = √(se₁²/y₁² + se₂²/y₂²); CI exp(ln R ± z·SE).

    Simple, relative; any dimension with at least two subgroups. ``se`` is on the log scale.
    """
    res = G.result()
    res.refuse(G.J < 2, REASON_MIN_TWO)
    y1, y2 = _pair(G)
    ok = (y1 >= 0) & (y2 >= 0)
    a, b = np.where(ok, y1, 0), np.where(ok, y2, 0)
    num, den = G.est[a], G.est[b]
    res.refuse(ok & ((den <= 0) | (num <= 0)), REASON_ZERO)
    with np.errstate(invalid="ignore", divide="ignore"):
        res.estimate = np.where(ok, num / den, np.nan)
        res.se = np.sqrt((G.se[a] / num) ** 2 + (G.se[b] / den) ** 2)
        log_r = np.log(res.estimate)
    res.ci_low = np.exp(log_r - G.z * res.se)
    res.ci_high = np.exp(log_r + G.z * res.se)
    return res.finish()


# ---------------------------------------------------------------------------------------------------
# Non-ordered complex measures
# ---------------------------------------------------------------------------------------------------


def _non_ordered_result(G: Groups, needs_pop: bool = True, relative: bool = False) -> Result:
    res = G.result("non_ordered")
    res.refuse(G.J <= 2, REASON_MORE_THAN_TWO)
    if needs_pop:
        res.refuse(~G.has_pop, REASON_POPULATION)
    else:
        res.refuse(~G.has_pop & np.isnan(G.setting_average), REASON_POPULATION)
    if relative:
        res.refuse(~(G.mu > 0), REASON_MEAN)
    return res


def _segment_rows(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Row indices of the segments ``[starts[i], starts[i] + counts[i])`` concatenated (no Python loop)."""
    total = int(counts.sum())
    local_starts = np.cumsum(counts) - counts
    return np.arange(total) + np.repeat(starts - local_starts, counts)


def _kernel(
    Y: np.ndarray,
    starts: np.ndarray,
    J: np.ndarray,
    p: np.ndarray,
    fav: np.ndarray,
    ref_row: np.ndarray,
    mu_given: np.ndarray | None,
    wanted: Iterable[str],
) -> dict[str, np.ndarray]:
    """Non-ordered measures from a matrix of estimates Y (draws × rows), segment by segment.

    Groups are contiguous row segments (``starts``, sizes ``J``); returns ``{measure: draws × groups}``.
    Used with one draw for the point estimates and with many for the simulation. The layout (draws
    first) makes the segment reductions run along contiguous memory, and in-place arithmetic keeps the
    number of passes over the large matrix low.
    """
    wanted = set(wanted)
    dtype = Y.dtype
    K = Y.shape[0]
    pr = p.astype(dtype)[None, :]
    inv_j = (1.0 / J).astype(dtype)[None, :]

    def seg_sum(x):
        return np.add.reduceat(x, starts, axis=1)

    if mu_given is None:
        mu = seg_sum(pr * Y)
    else:
        mu = np.repeat(mu_given.astype(dtype)[None, :], K, axis=0)
    out: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        if wanted & {"BGV", "BGSD", "COV", "MDMU", "MDMW", "IDISU", "IDISW"}:
            dev = Y - np.repeat(mu, J, axis=1)
            if wanted & {"BGV", "BGSD", "COV"}:
                sq = dev * dev
                sq *= pr
                bgv = seg_sum(sq)
                del sq
                out["BGV"] = bgv
                out["BGSD"] = np.sqrt(bgv)
                out["COV"] = 100 * out["BGSD"] / mu
            if wanted & {"MDMU", "MDMW", "IDISU", "IDISW"}:
                np.abs(dev, out=dev)
                out["MDMU"] = seg_sum(dev) * inv_j
                dev *= pr
                out["MDMW"] = seg_sum(dev)
                out["IDISU"] = 100 * out["MDMU"] / mu
                out["IDISW"] = 100 * out["MDMW"] / mu
            del dev
        if wanted & {"MDBU", "MDBW"}:
            if fav.all():
                best = np.maximum.reduceat(Y, starts, axis=1)
            elif not fav.any():
                best = np.minimum.reduceat(Y, starts, axis=1)
            else:
                best = np.where(
                    fav[None, :],
                    np.maximum.reduceat(Y, starts, axis=1),
                    np.minimum.reduceat(Y, starts, axis=1),
                )
            adev = Y - np.repeat(best, J, axis=1)
            np.abs(adev, out=adev)
            out["MDBU"] = seg_sum(adev) * inv_j
            adev *= pr
            out["MDBW"] = seg_sum(adev)
            del adev
        if wanted & {"MDRU", "MDRW"}:
            if (ref_row >= 0).any():
                ref = Y[:, np.maximum(ref_row, 0)]
                adev = Y - np.repeat(ref, J, axis=1)
                np.abs(adev, out=adev)
                out["MDRU"] = seg_sum(adev) * inv_j
                adev *= pr
                out["MDRW"] = seg_sum(adev)
            else:
                out["MDRU"] = out["MDRW"] = np.full((K, starts.size), np.nan, dtype=dtype)
    return out


def _point(G: Groups, measure: str) -> np.ndarray:
    """Point estimate of a non-ordered measure for every group (NaN where not computable)."""
    key = ("point", measure)
    if key not in G._cache:
        ne = G.J > 0
        out = np.full(G.n_groups, np.nan)
        if ne.any():
            ref_row = G.first_row(G.is_ref)[ne]
            # Unweighted measures need no populations: use μ (or the setting average), zero weights.
            p = np.nan_to_num(G.share)
            vals = _kernel(G.est[None, :], G.starts[ne], G.J[ne], p, G.fav[ne], ref_row, G.mu[ne], [measure])
            out[ne] = vals[measure][0]
        G._cache[key] = out
    return G._cache[key]


#: Standard normal quantiles at the midpoints of 65 536 equal-probability cells: a draw is a random
#: 16-bit index into this table (inverse-transform sampling at 16-bit resolution, tails beyond ±4.3 SD
#: cut). Three times faster than ``standard_normal`` and indistinguishable for 2.5/97.5 percentiles.
_NORMAL_TABLE = special.ndtri((np.arange(65536) + 0.5) / 65536).astype(np.float32)


def _standard_normal(rng, shape) -> np.ndarray:
    """Standard normal draws (float32) of ``shape``: four 16-bit table indices per raw 64-bit output."""
    n = int(np.prod(shape))
    index = rng.bit_generator.random_raw(-(-n // 4)).view(np.uint16)[:n]
    return np.take(_NORMAL_TABLE, index).reshape(shape)


def _truncated_normal(rng, mean, sd, low, high, draws: int) -> np.ndarray:
    """``draws × len(mean)`` float32 draws of N(mean, sd) truncated to [low, high] (rejected values are
    drawn again, only those)."""
    n = mean.size
    y = _standard_normal(rng, (draws, n))
    y *= sd.astype(np.float32)[None, :]
    y += mean.astype(np.float32)[None, :]
    lo32, hi32 = low.astype(np.float32), high.astype(np.float32)
    bad = np.flatnonzero(((y < lo32[None, :]) | (y > hi32[None, :])).ravel())
    flat = y.reshape(-1)
    for _ in range(200):
        if bad.size == 0:
            break
        cols = bad % n
        flat[bad] = mean[cols] + sd[cols] * _standard_normal(rng, bad.size)
        still = (flat[bad] < lo32[cols]) | (flat[bad] > hi32[cols])
        bad = bad[still]
    if bad.size:
        cols = bad % n
        flat[bad] = np.clip(flat[bad], lo32[cols], hi32[cols])
    return y


def _percentiles(v: np.ndarray, q: list[float]) -> list[np.ndarray]:
    """Percentiles along axis 0 (numpy's default linear method) by one sort of the draws."""
    v = np.sort(v, axis=0)
    k = v.shape[0]
    out = []
    for pct in q:
        h = (k - 1) * pct / 100
        lo = int(np.floor(h))
        hi = min(lo + 1, k - 1)
        out.append(v[lo].astype(float) + (h - lo) * (v[hi].astype(float) - v[lo].astype(float)))
    return out


def _simulate(G: Groups) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Simulation percentiles of the simulated measures asked for: ``{measure: (low, high)}`` per group.

    Eligible groups: non-ordered, more than two subgroups, every SE present. Work is split into chunks of
    whole groups (at most a fixed number of rows × draws cells each) run on a thread pool (numpy releases
    the GIL); chunk *i* draws from a generator seeded with ``(seed, i)``, so results are reproducible.
    """
    if "sim" in G._cache:
        return G._cache["sim"]
    n = G.n_groups
    wanted = [m for m in SIMULATED if m in G.wanted]
    result = {m: (np.full(n, np.nan), np.full(n, np.nan)) for m in SIMULATED}
    eligible = ~G.ordered & (G.J > 2) & G.se_complete & (G.has_pop | ~np.isnan(G.setting_average))
    eligible &= G.base_reason == None  # noqa: E711
    groups = np.flatnonzero(eligible)
    G._cache["sim"] = result
    if groups.size == 0 or G.draws <= 0 or not wanted:
        return result
    K = int(G.draws)
    alpha = 1 - G.level
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    ref_first = G.first_row(G.is_ref)
    per_chunk = max(1, _SIM_CELLS // K)
    cum = np.cumsum(G.J[groups])
    cuts = np.searchsorted(cum, np.arange(per_chunk, int(cum[-1]), per_chunk), side="left") + 1
    edges = np.unique(np.concatenate([[0], np.minimum(cuts, groups.size), [groups.size]]))
    chunks = [groups[a:b] for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]

    def run(index: int, chunk: np.ndarray) -> None:
        rng = np.random.default_rng([G.seed, index])
        J = G.J[chunk]
        rows = _segment_rows(G.starts[chunk], J)
        starts = np.cumsum(J) - J
        scale = np.repeat(G.scale[chunk], J)
        upper = np.where((scale == 100) | (scale == 1), scale, np.inf)
        Y = _truncated_normal(rng, G.est[rows], G.se[rows], np.zeros(rows.size), upper, K)
        pop_ok = G.has_pop[chunk]
        p = np.nan_to_num(G.share[rows])
        ref_row = np.where(ref_first[chunk] >= 0, ref_first[chunk] - G.starts[chunk] + starts, -1)
        here = [m for m in wanted if m not in ("MDRU", "MDRW") or (ref_row >= 0).any()]
        vals = _kernel(Y, starts, J, p, G.fav[chunk], ref_row, None, here)
        if not pop_ok.all():
            # Without populations, unweighted measures use the (fixed) setting average as μ.
            fixed = _kernel(Y, starts, J, p, G.fav[chunk], ref_row, G.setting_average[chunk], here)
            for m in here:
                vals[m] = np.where(pop_ok[None, :], vals[m], fixed[m])
        for m in here:
            v = vals[m]
            undefined = np.isnan(v).any(axis=0)  # e.g. a relative measure with μ = 0 in some draw
            low, high = _percentiles(np.nan_to_num(v), q)
            low[undefined] = np.nan
            high[undefined] = np.nan
            result[m][0][chunk] = low
            result[m][1][chunk] = high

    workers = max(1, min(len(chunks), os.cpu_count() or 1, 8))
    if workers == 1:
        for i, chunk in enumerate(chunks):
            run(i, chunk)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(len(chunks)), chunks))
    return result


def _simulated_measure(G: Groups, measure: str, needs_pop: bool, relative: bool) -> Result:
    res = _non_ordered_result(G, needs_pop=needs_pop, relative=relative)
    if measure in ("MDRU", "MDRW"):
        res.refuse(G.gsum(G.is_ref.astype(float)) != 1, REASON_REFERENCE)
    res.estimate = _point(G, measure).copy()
    low, high = _simulate(G)[measure]
    res.ci_low, res.ci_high = low.copy(), high.copy()
    return res.finish()


def between_group_variance(G: Groups) -> Result:
    """BGV = Σ pⱼ(yⱼ − μ)²; analytic SE (Ahn et al. 2018):
    √(4·Σpⱼ²seⱼ²(yⱼ−μ)² + 2·((Σpⱼ²seⱼ²)² − Σpⱼ⁴seⱼ⁴ + Σpⱼ²(1−pⱼ)²seⱼ⁴)); CI BGV ± z·SE.

    Absolute, weighted; non-ordered, more than two subgroups.
    """
    res = _non_ordered_result(G)
    res.estimate = _point(G, "BGV").copy()
    p, se = G.share, G.se
    dev = G.est - G.mu[G.g]
    s_dev = G.gsum(p**2 * se**2 * dev**2)
    s2 = G.gsum(p**2 * se**2)
    s4 = G.gsum(p**4 * se**4)
    se4 = G.gsum(p**2 * (1 - p) ** 2 * se**4)
    with np.errstate(invalid="ignore"):
        res.se = np.sqrt(4 * s_dev + 2 * (s2**2 - s4 + se4))
    res.ci_low = res.estimate - G.z * res.se
    res.ci_high = res.estimate + G.z * res.se
    return res.finish()


def between_group_sd(G: Groups) -> Result:
    """BGSD = √BGV. Absolute, weighted; non-ordered, > 2 subgroups. CI by simulation."""
    return _simulated_measure(G, "BGSD", needs_pop=True, relative=False)


def coefficient_of_variation(G: Groups) -> Result:
    """COV = 100·BGSD/μ. Relative, weighted; non-ordered, > 2 subgroups. CI by simulation."""
    return _simulated_measure(G, "COV", needs_pop=True, relative=True)


def mean_difference_mean_unweighted(G: Groups) -> Result:
    """MDMU = (1/J)·Σ|yⱼ − μ|. Absolute; non-ordered, > 2 subgroups. CI by simulation."""
    return _simulated_measure(G, "MDMU", needs_pop=False, relative=False)


def mean_difference_mean_weighted(G: Groups) -> Result:
    """MDMW = Σ pⱼ|yⱼ − μ|. Absolute, weighted; non-ordered, > 2 subgroups. CI by simulation."""
    return _simulated_measure(G, "MDMW", needs_pop=True, relative=False)


def mean_difference_best_unweighted(G: Groups) -> Result:
    """MDBU = (1/J)·Σ|yⱼ − y_best|, best = max y (favourable) or min y (adverse). CI by simulation."""
    return _simulated_measure(G, "MDBU", needs_pop=False, relative=False)


def mean_difference_best_weighted(G: Groups) -> Result:
    """MDBW = Σ pⱼ|yⱼ − y_best|. Absolute, weighted; non-ordered, > 2 subgroups. CI by simulation."""
    return _simulated_measure(G, "MDBW", needs_pop=True, relative=False)


def mean_difference_reference_unweighted(G: Groups) -> Result:
    """MDRU = (1/J)·Σ|yⱼ − y_ref| (exactly one reference subgroup). CI by simulation."""
    return _simulated_measure(G, "MDRU", needs_pop=False, relative=False)


def mean_difference_reference_weighted(G: Groups) -> Result:
    """MDRW = Σ pⱼ|yⱼ − y_ref| (exactly one reference subgroup). CI by simulation."""
    return _simulated_measure(G, "MDRW", needs_pop=True, relative=False)


def index_of_disparity_unweighted(G: Groups) -> Result:
    """IDISU = 100·MDMU/μ. Relative; non-ordered, > 2 subgroups. CI by simulation."""
    return _simulated_measure(G, "IDISU", needs_pop=False, relative=True)


def index_of_disparity_weighted(G: Groups) -> Result:
    """IDISW = 100·MDMW/μ. Relative, weighted; non-ordered, > 2 subgroups. CI by simulation."""
    return _simulated_measure(G, "IDISW", needs_pop=True, relative=True)


def _theil_parts(G: Groups):
    y = np.where(G.est == 0, 1e-6, G.est)  # healthequal's guard against log(0)
    p = G.share
    mu = G.gsum(np.nan_to_num(p * y))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = y / mu[G.g]
        log_r = np.log(r)
    return p, mu, r, log_r


def theil_index(G: Groups) -> Result:
    """TI = 1000·Σ pⱼ rⱼ ln rⱼ; SE = 1000·√(Σ (1 + ln rⱼ − v)²·pⱼ²seⱼ²/μ²) with v = Σ pⱼrⱼ(1 + ln rⱼ)
    (Ahn et al. 2018); CI TI ± z·SE (both ×1000, unlike healthequal's unscaled SE).

    Relative, weighted; non-ordered, > 2 subgroups; estimates must be ≥ 0 (zeros count as 10⁻⁶).
    """
    res = _non_ordered_result(G, relative=True)
    res.refuse(G.gmin(G.est) < 0, REASON_NEGATIVE)
    p, mu, r, log_r = _theil_parts(G)
    res.estimate = 1000 * G.gsum(p * r * log_r)
    v = G.gsum(p * r * (1 + log_r))
    with np.errstate(invalid="ignore", divide="ignore"):
        res.se = 1000 * np.sqrt(G.gsum((1 + log_r - v[G.g]) ** 2 * p**2 * G.se**2 / mu[G.g] ** 2))
    res.ci_low = res.estimate - G.z * res.se
    res.ci_high = res.estimate + G.z * res.se
    return res.finish()


def mean_log_deviation(G: Groups) -> Result:
    """MLD = 1000·Σ pⱼ(−ln rⱼ); SE = 1000·√(Σ seⱼ²pⱼ²/μ²·(1 − 1/rⱼ)²) (Ahn et al. 2018); CI MLD ± z·SE.

    Relative, weighted; non-ordered, > 2 subgroups; estimates must be ≥ 0 (zeros count as 10⁻⁶).
    """
    res = _non_ordered_result(G, relative=True)
    res.refuse(G.gmin(G.est) < 0, REASON_NEGATIVE)
    p, mu, r, log_r = _theil_parts(G)
    res.estimate = 1000 * G.gsum(-p * log_r)
    with np.errstate(invalid="ignore", divide="ignore"):
        res.se = 1000 * np.sqrt(G.gsum(G.se**2 * p**2 / mu[G.g] ** 2 * (1 - 1 / r) ** 2))
    res.ci_low = res.estimate - G.z * res.se
    res.ci_high = res.estimate + G.z * res.se
    return res.finish()


# ---------------------------------------------------------------------------------------------------
# Impact measures
# ---------------------------------------------------------------------------------------------------


def _attributable(G: Groups):
    """Reference row, PAR, and Walter's SE of the attributable fraction (as a fraction, not %)."""
    best_val = np.where(G.fav, G.gmax(G.est), G.gmin(G.est))
    best_row = G.first_row(G.est == best_val[G.g])
    top_row = np.where(G.J > 0, G.starts + G.J - 1, -1)  # ordered: most advantaged
    ref_row = np.where(G.ordered, top_row, best_row)
    ok = ref_row >= 0
    r = np.where(ok, ref_row, 0)
    ref_est, ref_pop = G.est[r], G.pop[r]
    mu = G.mu
    diff = ref_est - mu
    against = (G.fav & (diff < 0)) | (~G.fav & (diff > 0))
    par = np.where(ok, np.where(against, 0.0, diff), np.nan)
    total = G.gsum(np.nan_to_num(G.pop))
    scale = G.scale
    c = ref_est / scale * ref_pop
    d = ref_pop - c
    a = mu / scale * total - c
    b = total - a - ref_pop
    N = a + b + c + d
    with np.errstate(invalid="ignore", divide="ignore"):
        se_fraction = np.sqrt(c * N * (a * d * (N - c) + b * c**2) / ((a + c) ** 3 * (c + d) ** 3))
    return par, se_fraction


def population_attributable_risk(G: Groups) -> Result:
    """PAR = y_ref − μ, 0 when that runs against the improvement direction; y_ref is the most
    advantaged subgroup (ordered) or the best one (non-ordered). SE = μ·SE(AF) with Walter's (1978)
    SE of the attributable fraction from the 2×2 table of the reference vs the rest; CI PAR ± z·SE.

    Absolute; any dimension, more than two subgroups; needs populations.
    """
    res = G.result()
    res.refuse(G.J <= 2, REASON_MORE_THAN_TWO)
    res.refuse(~G.has_pop, REASON_POPULATION)
    par, se_fraction = _attributable(G)
    res.estimate = par
    res.se = np.abs(G.mu) * se_fraction
    res.ci_low = par - G.z * res.se
    res.ci_high = par + G.z * res.se
    return res.finish()


def population_attributable_fraction(G: Groups) -> Result:
    """PAF = 100·PAR/μ; SE = 100·SE(AF) (Walter 1978, in per cent); CI PAF ± z·SE.

    Relative; any dimension, more than two subgroups; needs populations and μ > 0.
    """
    res = G.result()
    res.refuse(G.J <= 2, REASON_MORE_THAN_TWO)
    res.refuse(~G.has_pop, REASON_POPULATION)
    res.refuse(~(G.mu > 0), REASON_MEAN)
    par, se_fraction = _attributable(G)
    with np.errstate(invalid="ignore", divide="ignore"):
        res.estimate = 100 * par / G.mu
    res.se = 100 * se_fraction
    res.ci_low = res.estimate - G.z * res.se
    res.ci_high = res.estimate + G.z * res.se
    return res.finish()


# ---------------------------------------------------------------------------------------------------
# Ordered measures: concentration indices and regression on the rank
# ---------------------------------------------------------------------------------------------------


def _ordered_result(G: Groups) -> Result:
    res = G.result("ordered")
    res.refuse(G.J <= 2, REASON_MORE_THAN_TWO)
    res.refuse(~G.has_pop, REASON_POPULATION)
    dup = np.zeros(G.n_groups, dtype=bool)
    same = np.zeros(G.est.size, dtype=bool)
    same[1:] = (G.order[1:] == G.order[:-1]) & (G.g[1:] == G.g[:-1])
    dup[G.g[same]] = True
    res.refuse(dup, REASON_ORDER)
    return res


def _rank(G: Groups) -> np.ndarray:
    """Fractional rank of each subgroup's midpoint: (share of the population before j + ½pⱼ)."""
    if "rank" not in G._cache:
        p = np.nan_to_num(G.share)
        cum = np.cumsum(p)
        before = cum - p
        offset = np.zeros(G.n_groups)
        ne = G.J > 0
        offset[ne] = before[G.starts[ne]]
        G._cache["rank"] = before - offset[G.g] + p / 2
    return G._cache["rank"]


def _wls(G: Groups, x: np.ndarray, y: np.ndarray, w: np.ndarray):
    """Per-group weighted least squares of y on (1, x): intercept, slope, and sums for variances."""
    sw = G.gsum(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        xm = G.gsum(w * x) / sw
        ym = G.gsum(w * y) / sw
        dx = x - xm[G.g]
        sxx = G.gsum(w * dx * dx)
        slope = G.gsum(w * dx * (y - ym[G.g])) / sxx
        intercept = ym - slope * xm
    return intercept, slope, sxx, sw, xm


def _concentration(G: Groups) -> tuple[np.ndarray, np.ndarray]:
    """RCI and its SE by the convenient regression 2σᵣ²·yⱼ/μ = α + β·rankⱼ weighted by Nⱼ."""
    rank = _rank(G)
    p = np.nan_to_num(G.share)
    sigma2 = G.gsum(p * (rank - 0.5) ** 2)
    mu = G.gsum(p * G.est)
    with np.errstate(invalid="ignore", divide="ignore"):
        lhs = 2 * sigma2[G.g] * G.est / mu[G.g]
    w = np.nan_to_num(G.pop)
    intercept, slope, sxx, _, _ = _wls(G, rank, lhs, w)
    resid = lhs - intercept[G.g] - slope[G.g] * rank
    with np.errstate(invalid="ignore", divide="ignore"):
        dispersion = G.gsum(w * resid**2) / (G.J - 2)
        se = np.sqrt(dispersion / sxx)
    return slope, se


def absolute_concentration_index(G: Groups) -> Result:
    """ACI = μ·RCI = 2·cov_w(y, rank): the slope of 2σᵣ²·yⱼ on rankⱼ, weighted by Nⱼ, with the
    model-based (Gaussian GLM) SE; rankⱼ = cumulative share before j + ½pⱼ from the most
    disadvantaged. CI ACI ± z·SE. Absolute, weighted; ordered, more than two subgroups.
    """
    res = _ordered_result(G)
    rci, se = _concentration(G)
    mu = G.gsum(np.nan_to_num(G.share) * G.est)
    res.estimate = mu * rci
    res.se = np.abs(mu) * se
    res.ci_low = res.estimate - G.z * res.se
    res.ci_high = res.estimate + G.z * res.se
    return res.finish()


def relative_concentration_index(G: Groups) -> Result:
    """RCI = ACI/μ: the slope of 2σᵣ²·yⱼ/μ on rankⱼ weighted by Nⱼ (Kakwani's convenient regression),
    SE from the weighted regression; CI RCI ± z·SE. Relative, weighted; ordered, > 2 subgroups; μ > 0.
    """
    res = _ordered_result(G)
    res.refuse(~(G.mu > 0), REASON_MEAN)
    res.estimate, res.se = _concentration(G)
    res.ci_low = res.estimate - G.z * res.se
    res.ci_high = res.estimate + G.z * res.se
    return res.finish()


def _rank_regression(G: Groups):
    """Fit y/scale on the rank in every group at once; return per-group (b0, b1, V = HC1 covariance,
    model), where V is (v00, v01, v11) and ``model`` is "logit" or "linear".

    * logit (healthequal's default): quasi-binomial GLM of counts yⱼ = round(Nⱼ·est/scale) out of
      ⌈Nⱼ⌉ with prior weights ⌈Nⱼ⌉ (as ``glm(cbind(y, n − y) ~ rank, weights = pop)``), solved by
      iteratively reweighted least squares for all groups together;
    * linear (PHE): weighted least squares of est/scale on the rank with weights Nⱼ.
    Both with the HC1 sandwich covariance, as healthequal's ``avg_comparisons(vcov = "HC1")``.
    """
    key = ("fit", G.sii_model)
    if key not in G._cache:
        with np.errstate(all="ignore"):
            G._cache[key] = _fit_rank_regression(G)
    return G._cache[key]


def _fit_rank_regression(G: Groups):
    rank = _rank(G)
    scale = G.scale[G.g]
    y_sc = G.est / scale
    if G.sii_model == "logit":
        n = np.ceil(np.nan_to_num(G.pop))
        events = np.round(y_sc * n)
        with np.errstate(invalid="ignore", divide="ignore"):
            prop = np.where(n > 0, events / n, 0.0)
        prior = n * n
        mu0 = (n * prop + 0.5) / (n + 1)
        eta = np.log(mu0 / (1 - mu0))
        b0 = np.zeros(G.n_groups)
        b1 = np.zeros(G.n_groups)
        relevant = G.ordered & (G.J > 2)  # convergence is judged on the groups SII/RII apply to
        if not relevant.any():
            relevant = np.ones(G.n_groups, dtype=bool)
        for it in range(100):
            m = special.expit(eta)
            var = np.maximum(m * (1 - m), 1e-300)
            w = prior * var
            zwork = eta + (prop - m) / var
            nb0, nb1, sxx, sw, xm = _wls(G, rank, zwork, w)
            moved = np.maximum(np.abs(nb0 - b0), np.abs(nb1 - b1))[relevant]
            change = np.nanmax(moved) if it and np.isfinite(moved).any() else (np.inf if it == 0 else 0.0)
            b0, b1 = nb0, nb1
            eta = b0[G.g] + b1[G.g] * rank
            if change < 1e-12:
                break
        m = special.expit(eta)
        w = prior * m * (1 - m)
        u = prior * (prop - m)  # score contributions (working residual × working weight)
    else:
        w = np.nan_to_num(G.pop)
        b0, b1, sxx, sw, xm = _wls(G, rank, y_sc, w)
        u = w * (y_sc - b0[G.g] - b1[G.g] * rank)
    # Bread B = X'WX (2×2 per group); meat M = Σ u² x x'; HC1 = J/(J−2) · B⁻¹ M B⁻¹.
    s0, s1, s2 = G.gsum(w), G.gsum(w * rank), G.gsum(w * rank * rank)
    m0, m1, m2 = G.gsum(u * u), G.gsum(u * u * rank), G.gsum(u * u * rank * rank)
    with np.errstate(invalid="ignore", divide="ignore"):
        det = s0 * s2 - s1 * s1
        i00, i01, i11 = s2 / det, -s1 / det, s0 / det
        # V = I M I with symmetric I, M.
        a00 = i00 * m0 + i01 * m1
        a01 = i00 * m1 + i01 * m2
        a10 = i01 * m0 + i11 * m1
        a11 = i01 * m1 + i11 * m2
        v00 = a00 * i00 + a01 * i01
        v01 = a00 * i01 + a01 * i11
        v11 = a10 * i01 + a11 * i11
        hc1 = G.J / (G.J - 2)
    return b0, b1, (v00 * hc1, v01 * hc1, v11 * hc1)


def _delta_se(g0: np.ndarray, g1: np.ndarray, v) -> np.ndarray:
    v00, v01, v11 = v
    with np.errstate(invalid="ignore"):
        return np.sqrt(g0 * g0 * v00 + 2 * g0 * g1 * v01 + g1 * g1 * v11)


def _regression_result(G: Groups) -> Result:
    res = _ordered_result(G)
    res.refuse(G.gmax(G.est) == G.gmin(G.est), REASON_EQUAL)
    if G.sii_model == "logit":
        out_of_range = (G.gmin(G.est) < 0) | (G.gmax(G.est) > G.scale)
        res.refuse(out_of_range, REASON_RANGE)
    return res


def slope_index_of_inequality(G: Groups) -> Result:
    """SII = scale·(ŷ(rank 1) − ŷ(rank 0)) from a regression of yⱼ/scale on rankⱼ weighted by Nⱼ:
    healthequal's logit model (default) or the linear (PHE) model; SE by the delta method with the
    HC1 covariance, on the indicator's scale; CI SII ± z·SE. Absolute; ordered, > 2 subgroups.
    """
    res = _regression_result(G)
    b0, b1, v = _rank_regression(G)
    scale = G.scale
    if G.sii_model == "logit":
        m1, m0 = special.expit(b0 + b1), special.expit(b0)
        d1, d0 = m1 * (1 - m1), m0 * (1 - m0)
        est, se = m1 - m0, _delta_se(d1 - d0, d1, v)
    else:
        est, se = b1, np.sqrt(v[2])
    res.refuse(~np.isfinite(est), REASON_FIT)
    res.estimate = scale * est
    res.se = scale * se
    res.ci_low = res.estimate - G.z * res.se
    res.ci_high = res.estimate + G.z * res.se
    return res.finish()


def relative_index_of_inequality(G: Groups) -> Result:
    """RII = ŷ(rank 1)/ŷ(rank 0) from the same regression as SII; SE of ln RII by the delta method
    with the HC1 covariance (``se`` on the log scale); CI exp(ln RII ± z·SE). Ordered, > 2 subgroups.
    """
    res = _regression_result(G)
    b0, b1, v = _rank_regression(G)
    with np.errstate(invalid="ignore", divide="ignore"):
        if G.sii_model == "logit":
            m1, m0 = special.expit(b0 + b1), special.expit(b0)
            log_rii = np.log(m1) - np.log(m0)
            se = _delta_se(m0 - m1, 1 - m1, v)
        else:
            top = b0 + b1
            res.refuse(~((b0 > 0) & (top > 0)), REASON_ZERO)
            log_rii = np.log(top) - np.log(b0)
            se = _delta_se(1 / top - 1 / b0, 1 / top, v)
    res.refuse(~np.isfinite(log_rii), REASON_FIT)
    res.estimate = np.exp(log_rii)
    res.se = se
    res.ci_low = np.exp(log_rii - G.z * se)
    res.ci_high = np.exp(log_rii + G.z * se)
    return res.finish()


#: measure → function computing it for every group.
FUNCTIONS: dict[str, Callable[[Groups], Result]] = {
    "D": difference,
    "R": ratio,
    "BGV": between_group_variance,
    "BGSD": between_group_sd,
    "COV": coefficient_of_variation,
    "MDMU": mean_difference_mean_unweighted,
    "MDMW": mean_difference_mean_weighted,
    "MDBU": mean_difference_best_unweighted,
    "MDBW": mean_difference_best_weighted,
    "MDRU": mean_difference_reference_unweighted,
    "MDRW": mean_difference_reference_weighted,
    "IDISU": index_of_disparity_unweighted,
    "IDISW": index_of_disparity_weighted,
    "TI": theil_index,
    "MLD": mean_log_deviation,
    "PAR": population_attributable_risk,
    "PAF": population_attributable_fraction,
    "ACI": absolute_concentration_index,
    "RCI": relative_concentration_index,
    "SII": slope_index_of_inequality,
    "RII": relative_index_of_inequality,
}


# ---------------------------------------------------------------------------------------------------
# Preparation and the public entry point
# ---------------------------------------------------------------------------------------------------


def _label(keys: pd.DataFrame, i: int) -> str:
    row = keys.iloc[i]
    return ", ".join(f"{k}={row[k]}" for k in keys.columns) or "(hela tabellen)"


def _numeric_column(df, column, default, group_cols, problems, *, negative_ok=True):
    if column not in df.columns:
        return np.full(len(df), default, dtype=float)
    raw = df[column]
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.astype(float)
        bad = np.zeros(len(raw), dtype=bool)
    else:
        values = pd.to_numeric(raw, errors="coerce")
        candidates = (values.isna() & raw.notna()).to_numpy()
        bad = candidates.copy()
        if candidates.any():
            bad[candidates] = raw[candidates].astype(str).str.strip().to_numpy() != ""
    for i in np.flatnonzero(bad)[:5]:
        problems.append(
            Problem(
                where=_label(df[group_cols], i), field=column, value=str(raw.iloc[i]), message="inte ett tal"
            )
        )
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    if not negative_ok:
        for i in np.flatnonzero(arr < 0)[:5]:
            problems.append(
                Problem(
                    where=_label(df[group_cols], i),
                    field=column,
                    value=str(raw.iloc[i]),
                    message="negativt värde",
                )
            )
    if default is not None and not np.isnan(default):
        arr = np.where(np.isnan(arr), default, arr)
    return arr


def prepare(
    df: pd.DataFrame,
    group_cols: list[str],
    *,
    level: float = 0.95,
    draws: int = 100,
    seed: int = 123456,
    sii_model: str = "logit",
) -> tuple[Groups, pd.DataFrame]:
    """Validate the input and build :class:`Groups`; returns it with the group keys (one row per group).

    Raises :class:`InputError` for malformed input: missing columns, a non-numeric estimate, SE or
    population, a negative SE or population, a duplicate subgroup within a group, a flag that is not 0/1
    or varies within a group.
    """
    problems: list[Problem] = []
    missing = [c for c in [*group_cols, "subgroup", "estimate"] if c not in df.columns]
    if missing:
        raise InputError(
            "Kolumner saknas i indata för ojämlikhetsmått",
            [Problem(where="indata", field=c, message="kolumnen saknas") for c in missing],
        )
    if sii_model not in ("logit", "linear"):
        raise InputError(
            "Okänd modell för SII/RII",
            [
                Problem(
                    where="parameter",
                    field="sii_model",
                    value=sii_model,
                    message="ska vara logit eller linear",
                )
            ],
        )
    if int(draws) < 0:
        raise InputError(
            "Ogiltigt antal dragningar",
            [Problem(where="parameter", field="draws", value=str(draws), message="måste vara ≥ 0")],
        )
    z95 = z_value(0.95)
    data = df.reset_index(drop=True)
    est = _numeric_column(data, "estimate", np.nan, group_cols, problems)
    se = _numeric_column(data, "se", np.nan, group_cols, problems, negative_ok=False)
    if "ci_lb" in data.columns and "ci_ub" in data.columns:
        lb = _numeric_column(data, "ci_lb", np.nan, group_cols, problems)
        ub = _numeric_column(data, "ci_ub", np.nan, group_cols, problems)
        se = np.where(np.isnan(se), (ub - lb) / (2 * z95), se)
    pop = _numeric_column(data, "population", np.nan, group_cols, problems, negative_ok=False)
    avg = _numeric_column(data, "setting_average", np.nan, group_cols, problems)
    fav = _numeric_column(data, "favourable_indicator", 1.0, group_cols, problems)
    ordered = _numeric_column(data, "ordered_dimension", 0.0, group_cols, problems)
    order = _numeric_column(data, "subgroup_order", 0.0, group_cols, problems)
    ref = _numeric_column(data, "reference_subgroup", 0.0, group_cols, problems)
    scale = _numeric_column(data, "indicator_scale", 100.0, group_cols, problems)
    for name, arr in (
        ("favourable_indicator", fav),
        ("ordered_dimension", ordered),
        ("reference_subgroup", ref),
    ):
        for i in np.flatnonzero(~np.isin(arr, (0.0, 1.0)))[:5]:
            problems.append(
                Problem(
                    where=_label(data[group_cols], i),
                    field=name,
                    value=str(data[name].iloc[i]),
                    message="ska vara 0 eller 1",
                )
            )
    dup = data.duplicated([*group_cols, "subgroup"], keep="first").to_numpy()
    for i in np.flatnonzero(dup)[:5]:
        problems.append(
            Problem(
                where=_label(data[group_cols], i),
                field="subgroup",
                value=str(data["subgroup"].iloc[i]),
                message="dubblett i gruppen",
            )
        )
    if problems:
        raise InputError("Felaktiga indata för ojämlikhetsmått", problems)

    if group_cols:
        gid = data.groupby(group_cols, sort=True, dropna=False).ngroup().to_numpy()
    else:
        gid = np.zeros(len(data), dtype=np.int64)
    n_groups = int(gid.max()) + 1 if len(data) else 0
    first = np.full(n_groups, -1, dtype=np.int64)
    first[gid[::-1]] = np.arange(len(data))[::-1]
    keys = data.iloc[first][group_cols].reset_index(drop=True)

    # Group-level flags must be constant within a group.
    for name, arr in (
        ("favourable_indicator", fav),
        ("ordered_dimension", ordered),
        ("indicator_scale", scale),
    ):
        lo = np.full(n_groups, np.inf)
        hi = np.full(n_groups, -np.inf)
        np.minimum.at(lo, gid, arr)
        np.maximum.at(hi, gid, arr)
        for gi in np.flatnonzero(lo != hi)[:5]:
            problems.append(Problem(where=_label(keys, gi), field=name, message="varierar inom gruppen"))
    if problems:
        raise InputError("Felaktiga indata för ojämlikhetsmått", problems)
    g_fav = np.zeros(n_groups, dtype=bool)
    g_fav[gid] = fav == 1
    g_ord = np.zeros(n_groups, dtype=bool)
    g_ord[gid] = ordered == 1
    g_scale = np.ones(n_groups)
    g_scale[gid] = scale
    g_avg = np.full(n_groups, np.nan)
    np.fmax.at(g_avg, gid, avg)

    n_all = np.bincount(gid, minlength=n_groups)
    miss = np.isnan(est)
    n_miss = np.bincount(gid, weights=miss.astype(float), minlength=n_groups)
    base = np.full(n_groups, None, dtype=object)
    base[g_ord & (n_miss > 0)] = REASON_MISSING_ORDERED
    base[~g_ord & (n_miss / np.maximum(n_all, 1) > _MISSING_SHARE)] = REASON_MISSING

    keep = ~miss
    # Rows in subgroup order (ordered) or by subgroup label (non-ordered), so that ties between equal
    # estimates are broken the same way whatever the row order of the input.
    position = np.arange(len(data), dtype=float)
    label_rank, _ = pd.factorize(data["subgroup"].astype(str), sort=True)
    sort_key = np.where(g_ord[gid], order, label_rank.astype(float))
    idx = np.flatnonzero(keep)
    idx = idx[np.lexsort((position[idx], sort_key[idx], gid[idx]))]
    g = gid[idx]
    J = np.bincount(g, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(J)[:-1]]).astype(np.int64)
    G = Groups(
        n_groups=n_groups,
        g=g,
        est=est[idx],
        se=se[idx],
        pop=pop[idx],
        order=order[idx],
        is_ref=ref[idx] == 1,
        starts=starts,
        J=J,
        fav=g_fav,
        ordered=g_ord,
        scale=g_scale,
        setting_average=g_avg,
        base_reason=base,
        level=level,
        draws=int(draws),
        seed=int(seed),
        sii_model=sii_model,
    )
    return G, keys


def compute(
    df: pd.DataFrame,
    group_cols: list[str],
    measures: Iterable[str] | None = None,
    *,
    draws: int = 100,
    seed: int = 123456,
    sii_model: str = "logit",
    level: float = 0.95,
    applicable_only: bool = False,
) -> pd.DataFrame:
    """Compute summary measures of inequality for every group of ``df`` in one vectorised pass.

    Parameters
    ----------
    df:
        One row per subgroup (columns: see the module docstring).
    group_cols:
        Columns identifying one group (e.g. ``["setting", "date", "indicator_abbr", "dimension"]``).
    measures:
        Measure codes (default: all 21, :data:`MEASURES`).
    draws, seed:
        Number of simulation draws and the seed for the simulation CIs.
    sii_model:
        ``"logit"`` (healthequal's default) or ``"linear"`` (the PHE variant) for SII and RII.
    level:
        Confidence level (0.95 or 0.998).
    applicable_only:
        Drop rows whose measure does not apply to the dimension (ordered vs non-ordered, too few
        subgroups) instead of returning them with a reason.

    Returns
    -------
    DataFrame with ``group_cols`` + ``measure, estimate, se, ci_low, ci_high, reason``, one row per
    group × measure, groups in sorted order and measures in the order asked.
    """
    wanted = list(MEASURES if measures is None else measures)
    unknown = [m for m in wanted if m not in FUNCTIONS]
    if unknown:
        raise InputError(
            "Okänt ojämlikhetsmått",
            [Problem(where="parameter", field="measures", value=m, message="okänt mått") for m in unknown],
        )
    G, keys = prepare(df, group_cols, level=level, draws=draws, seed=seed, sii_model=sii_model)
    G.wanted = frozenset(wanted)
    frames = []
    for m in wanted:
        r = FUNCTIONS[m](G)
        frame = keys.copy()
        frame["measure"] = m
        frame["estimate"] = r.estimate
        frame["se"] = r.se
        frame["ci_low"] = r.ci_low
        frame["ci_high"] = r.ci_high
        frame["reason"] = pd.array(r.reason, dtype=object)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=[*group_cols, "measure", "estimate", "se", "ci_low", "ci_high", "reason"])
    out = pd.concat(frames, ignore_index=True)
    n = G.n_groups
    order = np.argsort(np.tile(np.arange(n), len(wanted)), kind="stable")
    out = out.iloc[order].reset_index(drop=True)
    if applicable_only:
        structural = {
            REASON_ORDERED_ONLY,
            REASON_NON_ORDERED_ONLY,
            REASON_MORE_THAN_TWO,
            REASON_MIN_TWO,
            REASON_REFERENCE,
        }
        out = out[~out["reason"].isin(structural)].reset_index(drop=True)
    return out
