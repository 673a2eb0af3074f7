"""Example data for the demo: plausible, deterministic, and always labelled as example data.

Everything generated here is imported as one batch with source ``example``; :func:`is_example_data`
tells pages, exports and reports to say "Exempeldata – inte officiell statistik".

How the numbers are made (all vectorised, one fixed seed):

* *Cells* are the smallest areas available: Borås' DeSO when the DeSO–RegSO key has been loaded,
  otherwise the kommundelar of the area file. Each cell gets a population, a socio-economic
  disadvantage score ``d`` (high in the DeSO of the områdesutveckling areas Norrby and Hässleholmen,
  in between in Sjöbo, around zero elsewhere) and a share with foreign background that rises with
  ``d``.
* For each indicator and year the cell value is ``link⁻¹(c + area·d + noise)`` (logit for
  proportions, log for rates and means, identity for indexes); per group (Swedish/foreign
  background) when the indicator is broken down by background. The intercept ``c`` is solved so that
  Borås as a whole hits the profile's level for that year (``demo/example-data.yaml``).
* Proportions are made as numerators and denominators per cell, so every area above a cell
  (RegSO, kommundel, områdesutveckling area, the municipality) is the exact sum of its cells, and a
  total is the exact sum of its background groups. Counts are distributed over cells and summed.
  Rates and means are population-weighted means of their cells.
* The sex breakdown splits each area's value as ``total·(1 ∓ sex)`` for women and men.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pydantic
from django.utils.translation import gettext_lazy as _

from livsvillkor.core.yamlfile import load_validated

EXAMPLE_SOURCE = "example"
EXAMPLE_NOTICE = _("Exempeldata – inte officiell statistik")
ATTRIBUTION = "Exempeldata, genererad av Livsvillkor – inte officiell statistik"

# Areas of the områdesutveckling (custom areas of areas/boras.yaml) and how disadvantaged they are.
DISADVANTAGE = {"1490-OU-NORRBY": 2.7, "1490-OU-HASSLEHOLMEN": 2.5, "1490-OU-SJOBO": 1.3}
DISTRICT_DISADVANTAGE = {"1490-KD-NORRBY": 1.5, "1490-KD-SJOBO": 0.6, "1490-KD-CENTRUM": 0.2}
BACKGROUNDS = ("swedish", "foreign")


def is_example_data(indicator=None) -> bool:
    """True when observations (of one indicator, or any) come from the example generator."""
    from livsvillkor.observations.models import Observation

    qs = Observation.objects.filter(batch__source=EXAMPLE_SOURCE)
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    return qs.exists()


class Profile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    level: float | None = None
    year: int = 2019
    trend: float = 0.0
    area: float | None = None
    base: float = 0.5
    background: dict[str, float] | None = None
    sex: float = 0.0
    noise: float | None = None
    years: list[int] | None = None

    @pydantic.model_validator(mode="after")
    def level_or_groups(self):
        if self.level is None and not self.background:
            raise ValueError("give level, or background levels")
        if self.background and set(self.background) != set(BACKGROUNDS):
            raise ValueError("background needs exactly 'swedish' and 'foreign'")
        if not 0 < self.base <= 1:
            raise ValueError("base must be in (0, 1]")
        if abs(self.sex) >= 1:
            raise ValueError("sex must be between -1 and 1")
        return self


class ProfileFile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    seed: int
    first_year: int
    last_year: int
    indicators: dict[str, Profile]


def load_profiles(path: str | Path) -> ProfileFile:
    return load_validated(Path(path), ProfileFile)[0]


@dataclass
class Cells:
    """The smallest areas, their attributes, and which output areas each belongs to."""

    codes: np.ndarray
    population: np.ndarray
    disadvantage: np.ndarray
    foreign_share: np.ndarray
    membership: pd.DataFrame  # columns: cell (index into codes), area_code, kind
    kind: str  # "deso" or "district"


@dataclass
class IndicatorSpec:
    code: str
    value_type: str
    polarity: str
    breakdowns: list[str]
    levels: list[str]
    source_type: str
    decimals: int = 1


@dataclass
class Generated:
    frame: pd.DataFrame
    per_indicator: dict[str, int] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        payload = pd.util.hash_pandas_object(self.frame, index=False).to_numpy().tobytes()
        return hashlib.sha256(payload).hexdigest()


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _rng(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(n.encode("utf-8")) for n in names)])


def build_cells(areas: list[dict], membership: list[tuple[str, str]], seed: int) -> Cells:
    """``areas``: dicts with code, kind, population (may be None), parent_code.
    ``membership``: (member DeSO or district code, custom/district area code) pairs."""
    by_kind: dict[str, list[dict]] = {}
    for a in areas:
        by_kind.setdefault(a["kind"], []).append(a)
    municipality = by_kind["municipality"][0]["code"]
    rng = _rng(seed, "cells")
    member_of: dict[str, list[str]] = {}
    for member, group in membership:
        member_of.setdefault(member, []).append(group)
    if by_kind.get("deso"):
        cells = sorted(by_kind["deso"], key=lambda a: a["code"])
        kind = "deso"
        codes = np.array([c["code"] for c in cells])
        raw = rng.uniform(900, 2400, len(codes))
        district_pop = {a["code"]: a["population"] for a in by_kind.get("district", []) if a["population"]}
        population = raw.copy()
        for district, total in district_pop.items():
            idx = np.array([district in member_of.get(code, []) for code in codes])
            if idx.any():
                population[idx] = raw[idx] / raw[idx].sum() * total
        d = rng.normal(-0.25, 0.55, len(codes))
        for area_code, level in DISADVANTAGE.items():
            idx = np.array([area_code in member_of.get(code, []) for code in codes])
            d[idx] = np.maximum(d[idx], level + rng.normal(0, 0.2, idx.sum()))
        rows = [(i, municipality, "municipality") for i in range(len(codes))]
        parent = {c["code"]: c.get("parent_code") for c in cells}
        kinds = {a["code"]: a["kind"] for a in areas}
        for i, code in enumerate(codes):
            rows.append((i, code, "deso"))
            if parent.get(code) and kinds.get(parent[code]) == "regso":
                rows.append((i, parent[code], "regso"))
            for group in member_of.get(code, []):
                rows.append((i, group, kinds.get(group, "custom")))
    else:
        cells = sorted(by_kind.get("district", []), key=lambda a: a["code"])
        if not cells:
            raise ValueError("no DeSO and no kommundelar: load the area file first")
        kind = "district"
        codes = np.array([c["code"] for c in cells])
        population = np.array([c["population"] or 10000 for c in cells], dtype=float)
        d = np.array([DISTRICT_DISADVANTAGE.get(c, rng.normal(-0.4, 0.3)) for c in codes])
        rows = [(i, municipality, "municipality") for i in range(len(codes))]
        rows += [(i, code, "district") for i, code in enumerate(codes)]
    foreign = _expit(-1.25 + 1.05 * d)
    frame = pd.DataFrame(rows, columns=["cell", "area_code", "kind"]).drop_duplicates()
    return Cells(codes, population, d, foreign, frame, kind)


def _default_area_effect(polarity: str) -> float:
    return {"higher": -0.4, "lower": 0.5}.get(polarity, 0.0)


def _solve_logit(weights: np.ndarray, offsets: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Intercepts c (per row) with Σ w·expit(c + offset) / Σ w = target, by bisection (vectorised)."""
    lo = np.full(target.shape, -20.0)
    hi = np.full(target.shape, 20.0)
    wsum = weights.sum(axis=-1)
    for _step in range(60):
        mid = (lo + hi) / 2
        mean = (weights * _expit(mid[..., None] + offsets)).sum(axis=-1) / wsum
        too_high = mean > target
        hi = np.where(too_high, mid, hi)
        lo = np.where(too_high, lo, mid)
    return (lo + hi) / 2


def generate_indicator(
    spec: IndicatorSpec, profile: Profile, cells: Cells, years: list[int], seed: int
) -> pd.DataFrame:
    """Tidy example rows for one indicator at the levels it is published for."""
    rng = _rng(seed, spec.code)
    years = sorted(profile.years or years)
    y = np.array(years, dtype=float)
    n_cells = len(cells.codes)
    k = profile.area if profile.area is not None else _default_area_effect(spec.polarity)
    groups = list(BACKGROUNDS) if profile.background else ["all"]
    levels = [profile.background[g] for g in groups] if profile.background else [profile.level]
    noise_sd = profile.noise if profile.noise is not None else abs(levels[0]) * 0.01
    year_noise = rng.normal(0, noise_sd, len(years))
    # target per group and year, in the indicator's unit
    target = np.array([[lv + profile.trend * (yy - profile.year) for yy in y] for lv in levels]) + year_noise
    growth = 1 + 0.004 * (y - 2020)
    share = (
        np.stack([1 - cells.foreign_share, cells.foreign_share])
        if profile.background
        else np.ones((1, n_cells))
    )
    # weights[g, y, c]
    weights = share[:, None, :] * cells.population[None, None, :] * growth[None, :, None] * profile.base
    offsets = k * cells.disadvantage[None, None, :] + rng.normal(0, 0.06, (1, len(years), n_cells))
    offsets = np.broadcast_to(offsets, weights.shape)
    vt = spec.value_type
    if vt == "proportion":
        target_p = np.clip(target / 100, 0.001, 0.999)
        c = _solve_logit(weights, offsets, target_p)
        p = _expit(c[..., None] + offsets)
        den = np.maximum(np.round(weights), 1)
        num = np.round(p * den)
        cell_values = {"num": num, "den": den}
    elif vt == "count":
        w = weights * np.exp(offsets)
        totals = np.maximum(target, 0)
        expected = w / w.sum(axis=-1, keepdims=True) * totals[..., None]
        counts = np.floor(expected)
        # largest remainders so the cells add up to the rounded total
        remainder = expected - counts
        missing = (np.round(totals) - counts.sum(axis=-1)).astype(int)
        order = np.argsort(-remainder, axis=-1)
        ranks = np.argsort(order, axis=-1)
        counts += ranks < missing[..., None]
        cell_values = {"count": counts}
    else:
        if vt == "index":
            c = target - (weights * offsets).sum(-1) / weights.sum(-1)
            vals = c[..., None] + offsets
        else:
            pos = np.maximum(target, 1e-6)
            c = np.log(pos) - np.log((weights * np.exp(offsets)).sum(-1) / weights.sum(-1))
            vals = np.exp(c[..., None] + offsets)
        cell_values = {"wv": vals * weights, "w": weights}

    membership = cells.membership[cells.membership["kind"].isin(spec.levels)]
    if membership.empty:
        return pd.DataFrame()
    area_list = np.array(sorted(membership["area_code"].unique()))
    matrix = np.zeros((len(area_list), n_cells))
    matrix[np.searchsorted(area_list, membership["area_code"].to_numpy()), membership["cell"].to_numpy()] = 1
    summed = {key: arr @ matrix.T for key, arr in cell_values.items()}  # (groups, years, areas)
    group_names = list(groups)
    if profile.background:  # totals are the sums of the groups
        summed = {key: np.concatenate([arr.sum(axis=0, keepdims=True), arr]) for key, arr in summed.items()}
        group_names = ["all", *groups]
    n_g, n_y, n_a = len(group_names), len(years), len(area_list)
    agg = pd.DataFrame(
        {
            "group": np.repeat(np.array(group_names, dtype=object), n_y * n_a),
            "period": np.tile(np.repeat(np.array([str(yy) for yy in years], dtype=object), n_a), n_g),
            "area_code": np.tile(area_list.astype(object), n_g * n_y),
            **{key: arr.reshape(-1) for key, arr in summed.items()},
        }
    )

    out = pd.DataFrame({"area_code": agg["area_code"], "period": agg["period"]})
    out["background"] = agg["group"].where(agg["group"] != "all", "")
    if vt == "proportion":
        out["numerator"] = agg["num"]
        out["denominator"] = agg["den"]
        out["value"] = agg["num"] / agg["den"] * 100
    elif vt == "count":
        out["value"] = agg["count"]
    else:
        out["value"] = (agg["wv"] / agg["w"]).round(max(spec.decimals + 1, 2))
    out["sex"] = ""
    if "sex" in spec.breakdowns:
        totals = out[out["background"] == ""]
        parts = []
        for sex, factor in (("women", 1 - profile.sex), ("men", 1 + profile.sex)):
            part = totals.copy()
            part["sex"] = sex
            if vt == "proportion":
                part["denominator"] = np.maximum(np.round(totals["denominator"] / 2), 1)
                rate = np.clip(totals["value"] * factor / 100, 0, 1)
                part["numerator"] = np.round(rate * part["denominator"])
                part["value"] = part["numerator"] / part["denominator"] * 100
            elif vt == "count":
                women = np.round(totals["value"] * (1 - profile.sex) / 2)
                part["value"] = women if sex == "women" else totals["value"] - women
            else:
                part["value"] = (totals["value"] * factor).round(max(spec.decimals + 1, 2))
            parts.append(part)
        out = pd.concat([out, *parts], ignore_index=True)
    if "background" not in spec.breakdowns:
        out = out[out["background"] == ""]
    out.insert(0, "indicator", spec.code)
    last = str(max(years))
    preliminary = spec.source_type in ("kolada", "scb") and max(years) >= 2025
    out["flags"] = np.where((out["period"] == last) & preliminary, "preliminary", "")
    out["note"] = ""
    return out.reset_index(drop=True)


def generate(specs: list[IndicatorSpec], profiles: ProfileFile, cells: Cells, progress=None) -> Generated:
    years = list(range(profiles.first_year, profiles.last_year + 1))
    frames = []
    counts = {}
    for i, spec in enumerate(specs):
        profile = profiles.indicators.get(spec.code)
        if profile is None:
            raise ValueError(f"no example-data profile for indicator {spec.code!r}")
        frame = generate_indicator(spec, profile, cells, years, profiles.seed)
        counts[spec.code] = len(frame)
        frames.append(frame)
        if progress:
            progress("generate", i + 1, len(specs))
    columns = [
        "indicator",
        "period",
        "area_code",
        "sex",
        "background",
        "value",
        "numerator",
        "denominator",
        "flags",
        "note",
    ]
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True).reindex(columns=columns)
    return Generated(frame, counts)
