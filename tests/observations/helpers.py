"""Small builders shared by the observation tests (indicators, areas, tidy files)."""

from __future__ import annotations

import csv
from pathlib import Path

from livsvillkor.framework.models import Indicator
from livsvillkor.geo.models import Area

# The indicators the repository's SCB mappings name (mappings/*.yaml).
MAPPING_INDICATORS = {
    "born-outside-sweden": ("proportion", 100),
    "population": ("count", 1),
    "foreign-background": ("proportion", 100),
    "population-by-background": ("count", 1),
    "compulsory-education-25-64": ("proportion", 100),
    "low-economic-standard": ("proportion", 100),
    "employment-rate-16-64": ("proportion", 100),
}


def make_indicators(codes=None) -> dict[str, Indicator]:
    out = {}
    for code, (value_type, scale) in MAPPING_INDICATORS.items():
        if codes is None or code in codes:
            out[code], _ = Indicator.objects.get_or_create(
                code=code,
                defaults={
                    "name": code.replace("-", " "),
                    "value_type": value_type,
                    "scale": scale,
                    "source_type": "scb",
                },
            )
    return out


def make_areas() -> dict[str, Area]:
    """A handful of areas without reading the key table: Sweden, the county, Borås and four DeSO."""
    se = Area.objects.create(code="SE", name="Sverige", kind="country")
    county = Area.objects.create(code="14", name="Västra Götalands län", kind="county", parent=se)
    muni = Area.objects.create(
        code="1490", name="Borås", kind="municipality", parent=county, municipality_code="1490"
    )
    out = {a.code: a for a in (se, county, muni)}
    for code in ("1490C1300", "1490C1340", "1490C1370", "1490C1040"):
        out[code] = Area.objects.create(
            code=code, name=code, kind="deso", vintage="DeSO2018", parent=muni, municipality_code="1490"
        )
    return out


def write_csv(path: Path, rows: list[dict], *, delimiter=",", encoding="utf-8") -> Path:
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, delimiter=delimiter, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(indicator="born-outside-sweden", period="2022", area_code="1490C1300", **kw) -> dict:
    base = {
        "indicator": indicator,
        "period": period,
        "area_code": area_code,
        "value": "",
        "numerator": "",
        "denominator": "",
        "ci_low": "",
        "ci_high": "",
        "flags": "",
        "note": "",
    }
    base.update(kw)
    return base
