"""A small generated data set for page tests and the web benchmark (not official statistics).

Areas: Sweden, the county, Borås, the 10 kommundelar, RegSO with socio-economic area types 1–5 and the
områdesutveckling area Norrby. Indicators: proportions and a rate linked to effect goals of the loaded
målbild, 2015–2024, totals plus breakdowns by sex and background. Everything goes through
``observations.services.import_observations`` (source ``example``, so pages show the banner), like any real import. One
district cell (the Norrby total of 2024, indicator ``trangboddhet``) has a numerator below the threshold,
so disclosure control shows it as ``..``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from livsvillkor.core.exampledata import EXAMPLE_SOURCE
from livsvillkor.framework.models import EffectGoal, Indicator, IndicatorGoalLink
from livsvillkor.geo.models import Area, AreaClassification
from livsvillkor.observations.dimensions import load_dimensions
from livsvillkor.observations.models import Category, Dimension
from livsvillkor.observations.services import import_observations
from livsvillkor.stats.intervals import wilson

YEARS = list(range(2015, 2025))
DISTRICTS = [
    ("1490-KD-BRAMHULT", "Brämhult"),
    ("1490-KD-CENTRUM", "Centrum"),
    ("1490-KD-GOTA", "Göta"),
    ("1490-KD-NORRBY", "Norrby"),
    ("1490-KD-SJOBO", "Sjöbo"),
    ("1490-KD-TRANDARED", "Trandared"),
    ("1490-KD-DALSJOFORS", "Dalsjöfors"),
    ("1490-KD-FRISTAD", "Fristad"),
    ("1490-KD-SANDHULT", "Sandhult"),
    ("1490-KD-VISKAFORS", "Viskafors"),
]
# (code, name, effect goals, polarity, base share %, yearly change in percentage points)
INDICATORS = [
    ("lag-ekonomisk-standard", "Invånare med låg ekonomisk standard", ["2.1", "3.1"], "lower", 16.0, -0.5),
    ("forvarvsarbetande-20-64", "Förvärvsarbetande 20–64 år", ["2.1", "2.2"], "higher", 74.0, 0.6),
    ("behorighet-gymnasiet", "Elever i åk 9 behöriga till gymnasiet", ["1.2", "2.2"], "higher", 82.0, -0.1),
    ("trangboddhet", "Trångbodda invånare", ["3.1"], "none", 14.0, 0.3),
]
SUPPRESSED_CELL = ("trangboddhet", "2024", "1490-KD-NORRBY", "")


def make_areas() -> dict[str, Area]:
    se, _ = Area.objects.get_or_create(code="SE", vintage="", defaults={"name": "Sverige", "kind": "country"})
    county, _ = Area.objects.get_or_create(
        code="14", vintage="", defaults={"name": "Västra Götalands län", "kind": "county", "parent": se}
    )
    muni, _ = Area.objects.get_or_create(
        code="1490",
        vintage="",
        defaults={
            "name": "Borås",
            "kind": "municipality",
            "parent": county,
            "municipality_code": "1490",
            "population": 113000,
            "population_year": 2023,
        },
    )
    out = {a.code: a for a in (se, county, muni)}
    for i, (code, name) in enumerate(DISTRICTS):
        out[code], _ = Area.objects.get_or_create(
            code=code,
            vintage="",
            defaults={
                "name": name,
                "kind": "district",
                "parent": muni,
                "municipality_code": "1490",
                "population": 9000 + 500 * i,
                "population_year": 2023,
            },
        )
    for i in range(20):
        code = f"1490R{i + 1:03d}"
        out[code], created = Area.objects.get_or_create(
            code=code,
            vintage="RegSO2018",
            defaults={
                "name": f"Borås RegSO {i + 1}",
                "kind": "regso",
                "parent": muni,
                "municipality_code": "1490",
                "population": 3000 + 100 * i,
            },
        )
        if created:
            AreaClassification.objects.create(
                area=out[code],
                scheme="area_type",
                year=2022,
                category=str(i % 5 + 1),
                label=f"Områdestyp {i % 5 + 1}",
            )
    norrby, created = Area.objects.get_or_create(
        code="1490-OU-NORRBY",
        vintage="",
        defaults={
            "name": "Norrby",
            "kind": "custom",
            "parent": muni,
            "municipality_code": "1490",
            "population": 4100,
            "population_year": 2023,
        },
    )
    if created:
        norrby.members.set([out["1490R001"], out["1490R006"]])
    out[norrby.code] = norrby
    return out


def make_indicators() -> dict[str, Indicator]:
    out = {}
    for code, name, goals, polarity, _base, _slope in INDICATORS:
        ind, _ = Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "definition": f"Andel ({name.lower()}), genererade exempelvärden.",
                "unit": "%",
                "value_type": "proportion",
                "scale": 100,
                "decimals": 1,
                "polarity": polarity,
                "life_stages": ["working-age"],
                "source_type": "scb",
                "source_name": "SCB",
                "breakdowns": ["sex", "background"],
                "geographic_levels": ["municipality", "district", "regso"],
                "ci_method": "wilson",
                "target_value": 10.0 if code == "lag-ekonomisk-standard" else None,
                "target_year": 2030 if code == "lag-ekonomisk-standard" else None,
            },
        )
        for i, goal_code in enumerate(goals):
            for goal in EffectGoal.objects.filter(code=goal_code):
                IndicatorGoalLink.objects.get_or_create(
                    indicator=ind, effect_goal=goal, defaults={"primary": i == 0}
                )
        out[code] = ind
    return out


def sample_frame(seed: int = 2015) -> pd.DataFrame:
    """The tidy rows (text columns, as a file would give them)."""
    rng = np.random.default_rng(seed)
    rows = []
    area_effect = {code: rng.normal(0, 4) for code, _ in DISTRICTS}
    area_effect["1490-KD-NORRBY"] = 9.0
    regso = [f"1490R{i + 1:03d}" for i in range(20)]
    for i, code in enumerate(regso):
        area_effect[code] = (3 - (i % 5 + 1)) * 3.0 + rng.normal(0, 1)
    area_effect["1490-OU-NORRBY"] = 11.0
    sizes = {"SE": 6_000_000, "14": 1_000_000, "1490": 70_000, "1490-OU-NORRBY": 2_600}
    for code, _ in DISTRICTS:
        sizes[code] = 7_000
    for code in regso:
        sizes[code] = 2_000
    for ind_code, _name, _goals, _pol, base, slope in INDICATORS:
        for t, year in enumerate(YEARS):
            for area, size in sizes.items():
                effect = area_effect.get(area, 0.0) + (1.5 if area == "SE" else 0.0)
                share = np.clip((base + effect + slope * t) / 100, 0.01, 0.99)
                cells = [("", "", 1.0, share)]
                if area in ("1490", "SE") or area.startswith("1490-KD") or area == "1490-OU-NORRBY":
                    cells += [
                        ("sex", "women", 0.5, share * 1.05),
                        ("sex", "men", 0.5, share * 0.95),
                        ("background", "swedish", 0.7, share * (0.8 - 0.01 * t)),
                        ("background", "foreign", 0.3, min(share * (1.45 + 0.08 * t), 0.99)),
                    ]
                for dim, cat, part, p in cells:
                    den = int(size * part)
                    num = int(rng.binomial(den, p))
                    if (ind_code, str(year), area, cat) == SUPPRESSED_CELL:
                        num = 3
                    lo, hi = wilson(np.array([num]), np.array([den]))
                    rows.append(
                        {
                            "indicator": ind_code,
                            "period": str(year),
                            "area_code": area,
                            "sex": cat if dim == "sex" else "",
                            "background": cat if dim == "background" else "",
                            "value": f"{num / den * 100:.6f}",
                            "numerator": str(num),
                            "denominator": str(den),
                            "ci_low": f"{lo[0] * 100:.6f}",
                            "ci_high": f"{hi[0] * 100:.6f}",
                            "flags": "",
                            "note": "",
                        }
                    )
    return pd.DataFrame(rows).astype(str)


def load_sample(seed: int = 2015) -> None:
    """Areas, indicators (linked to the loaded målbild's effect goals) and observations."""
    # Transactional (live-server) tests flush the tables the data migration filled.
    load_dimensions(Dimension, Category)
    make_areas()
    make_indicators()
    import_observations(
        sample_frame(seed), source=EXAMPLE_SOURCE, parameters={"seed": seed}, attribution="Källa: SCB"
    )
