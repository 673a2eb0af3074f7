"""Setting up the demo database: areas, real files, online sources and the example data.

Each step returns a :class:`StepResult` (what was loaded, from where, how many rows) so the
``demo`` command can print a summary. Every step is idempotent: running the demo again changes nothing.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from livsvillkor.core import exampledata
from livsvillkor.core.errors import InputError
from livsvillkor.core.paths import SOURCE_ROOT, repo_file

MUNICIPALITY = "1490"
KEY_TABLE = "scb/deso_regso_key_2018/kopplingstabell-deso-regso-20210702.csv"
CATALOGUE = "catalogues/boras.yaml"
PROFILES = "demo/example-data.yaml"


@dataclass
class StepResult:
    step: str
    source: str
    detail: str
    rows: int = 0


def shared_data_dirs() -> list[Path]:
    """Where a checkout keeps the project's shared public data (``../shared/data`` beside the repo)."""
    dirs = []
    if os.environ.get("LIVSVILLKOR_SHARED_DATA"):
        dirs.append(Path(os.environ["LIVSVILLKOR_SHARED_DATA"]))
    for base in (Path(settings.BASE_DIR), SOURCE_ROOT):
        dirs.append(base.parent / "shared" / "data")
    return dirs


def find_key_table() -> Path | None:
    for d in shared_data_dirs():
        candidate = d / KEY_TABLE
        if candidate.exists():
            return candidate
    return None


# ---------------------------------------------------------------------------------------------------
# Areas


def load_areas(key_table: Path | None) -> list[StepResult]:
    """SCB's DeSO/RegSO key (when available) and the Borås area file; without the key, the area file's
    kommundelar and områdesutveckling areas are created without their DeSO members."""
    from livsvillkor.geo.models import Area
    from livsvillkor.geo.services import import_areas_key, load_area_file

    area_file = repo_file("areas/boras.yaml")
    results = []
    have_deso = Area.objects.filter(kind=Area.Kind.DESO, municipality_code=MUNICIPALITY).exists()
    if key_table is not None and not have_deso:
        with tempfile.TemporaryDirectory() as tmp:
            res = import_areas_key(_municipality_rows(key_table, Path(tmp)))
        results.append(
            StepResult("Områden", key_table.name, f"Borås DeSO och RegSO: {res.message}", res.created)
        )
    elif have_deso:
        n = Area.objects.filter(municipality_code=MUNICIPALITY, kind__in=["deso", "regso"]).count()
        results.append(
            StepResult("Områden", "SCB nyckeltabell", f"redan inlästa ({n} DeSO och RegSO i Borås)")
        )
    if Area.objects.filter(kind=Area.Kind.DESO, municipality_code=MUNICIPALITY).exists():
        res = load_area_file(area_file)
        results.append(StepResult("Områden", area_file.name, res.message, res.created))
    else:
        res = _area_file_without_members(area_file)
        results.append(
            StepResult(
                "Områden",
                area_file.name,
                f"{res} kommundelar och områdesutvecklingsområden (utan DeSO: nyckeltabellen saknas)",
                res,
            )
        )
    return results


def _municipality_rows(key_table: Path, tmp: Path) -> Path:
    """A copy of SCB's key table with only the municipality's rows (the demo needs Borås only; the
    whole of Sweden takes ten times longer). RegSO codes are numbered per municipality, so they are
    the same as from the full table."""
    from livsvillkor.geo.services import read_text

    lines = read_text(key_table).splitlines()
    pattern = re.compile(rf"(^|[;,\t\"]){MUNICIPALITY}[ABC]\d{{4}}([;,\t\"]|$)")
    kept = [lines[0], *(line for line in lines[1:] if pattern.search(line))]
    if len(kept) == 1:
        raise InputError(f"{key_table}: inga DeSO för kommunen {MUNICIPALITY}")
    out = tmp / key_table.name
    out.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return out


@transaction.atomic
def _area_file_without_members(path: Path) -> int:
    from livsvillkor.core.yamlfile import load_validated
    from livsvillkor.geo.models import Area
    from livsvillkor.geo.services import AreaFile

    data, _ = load_validated(path, AreaFile)
    muni, _ = Area.objects.get_or_create(
        code=data.municipality,
        vintage="",
        defaults={"name": "Borås", "kind": Area.Kind.MUNICIPALITY, "municipality_code": data.municipality},
    )
    saved = {}
    for entry in data.areas:
        saved[entry.code], _ = Area.objects.update_or_create(
            code=entry.code,
            vintage="",
            defaults={
                "name": entry.name,
                "kind": entry.kind,
                "municipality_code": data.municipality,
                "population": entry.population,
                "population_year": entry.population_year,
                "source": data.source,
                "attributes": {"inferred": entry.inferred},
                "parent": muni,
            },
        )
    for entry in data.areas:
        if entry.parent in saved:
            saved[entry.code].parent = saved[entry.parent]
            saved[entry.code].save(update_fields=["parent"])
    return len(saved)


def build_cells(seed: int) -> exampledata.Cells:
    from livsvillkor.geo.models import Area

    areas = [
        {
            "code": a.code,
            "kind": a.kind,
            "population": a.population,
            "parent_code": a.parent.code if a.parent else None,
        }
        for a in Area.objects.filter(municipality_code=MUNICIPALITY).select_related("parent")
    ]
    if not any(a["kind"] == "municipality" for a in areas):
        raise InputError(f"kommunen {MUNICIPALITY} saknas bland områdena; läs in områdena först")
    membership = [
        (member, group)
        for group, member in Area.members.through.objects.filter(
            from_area__municipality_code=MUNICIPALITY, from_area__kind__in=["district", "custom"]
        ).values_list("from_area__code", "to_area__code")
    ]
    return exampledata.build_cells(areas, membership, seed)


# ---------------------------------------------------------------------------------------------------
# Real data: files (--data DIR) and online sources (--online)


def _catalogue_codes() -> tuple[list[str], dict[str, str]]:
    from livsvillkor.framework.catalogue import parse_catalogue_file

    data, _ = parse_catalogue_file(repo_file(CATALOGUE))
    codes = [i.code for i in data.indicators]
    aliases = {a: i.code for i in data.indicators for a in i.aliases}
    return codes, aliases


def import_data_dir(directory: Path, progress=None) -> list[StepResult]:
    """Import the real files in ``directory``: SCB web exports (through the repository's mappings,
    matched by the SCB table code at the start of the file name) and tidy files."""
    from livsvillkor.observations.importers.scb_export import load_mapping, parse_export
    from livsvillkor.observations.services import file_sha256, import_observations, read_tidy

    if not directory.is_dir():
        raise InputError(f"{directory}: katalogen finns inte")
    codes, aliases = _catalogue_codes()
    known = set(codes)
    mappings_dir = repo_file("mappings")
    results = []
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in {".xlsx", ".csv"})
    if not files:
        raise InputError(f"{directory}: inga .xlsx- eller .csv-filer")
    for path in files:
        table = path.stem.split("_")[0]
        mappings = sorted(mappings_dir.glob(f"scb-{table}-*.yaml"))
        if mappings:
            for mapping_path in mappings:
                mapping = load_mapping(mapping_path)
                code = aliases.get(mapping.indicator, mapping.indicator)
                if code not in known:
                    results.append(
                        StepResult(
                            "Riktiga data",
                            path.name,
                            f"hoppas över: {mapping.indicator} finns inte i katalogen",
                        )
                    )
                    continue
                mapping.municipality = MUNICIPALITY
                tidy = parse_export(path, mapping)
                tidy["indicator"] = code
                res = import_observations(
                    tidy,
                    source="scb-export",
                    parameters={"mapping": mapping_path.name, "table": mapping.table, "file": path.name},
                    file_name=path.name,
                    file_hash=file_sha256(path),
                    attribution=mapping.attribution,
                    progress=progress,
                )
                results.append(
                    StepResult(
                        "Riktiga data",
                        f"{path.name} ({mapping_path.name})",
                        f"{code}: {res.message}",
                        res.rows,
                    )
                )
        else:
            tidy = read_tidy(path)
            if "indicator" not in tidy.columns:
                results.append(
                    StepResult("Riktiga data", path.name, "hoppas över: ingen mappning och ingen tidy-fil")
                )
                continue
            tidy["indicator"] = tidy["indicator"].map(lambda c: aliases.get(c, c))
            res = import_observations(
                tidy,
                source="tidy",
                parameters={"file": path.name},
                file_name=path.name,
                file_hash=file_sha256(path),
                progress=progress,
            )
            results.append(StepResult("Riktiga data", path.name, res.message, res.rows))
    return results


def fetch_online(years: list[int], progress=None, cache_dir: str | None = None) -> list[StepResult]:
    """Fetch the catalogue's Kolada indicators for Borås (needs internet)."""
    from livsvillkor.framework.models import Indicator
    from livsvillkor.observations.importers.kolada import fetch_and_import

    kpis = sorted(set(Indicator.objects.exclude(kolada_id="").values_list("kolada_id", flat=True)))
    res = fetch_and_import(kpis, [MUNICIPALITY], years, cache_dir=cache_dir, progress=progress)
    return [
        StepResult("Kolada", "Kolada API v3", f"{len(kpis)} nyckeltal för Borås: {res.message}", res.rows),
        StepResult(
            "SCB",
            "PxWeb",
            "SCB-tabeller hämtas med `livsvillkor import pxweb --table … --selection FIL` (ett urval per tabell)",
        ),
    ]


def indicators_with_real_data() -> set[str]:
    from livsvillkor.observations.models import Observation

    return set(
        Observation.objects.exclude(batch__source=exampledata.EXAMPLE_SOURCE)
        .values_list("indicator__code", flat=True)
        .distinct()
    )


# ---------------------------------------------------------------------------------------------------
# Example data


def load_example_data(progress=None) -> list[StepResult]:
    """Generate and import example data for every catalogue indicator that has no real data."""
    from livsvillkor.framework.models import Indicator
    from livsvillkor.observations.models import ImportBatch, Observation
    from livsvillkor.observations.services import import_observations

    profiles = exampledata.load_profiles(repo_file(PROFILES))
    codes, _ = _catalogue_codes()
    real = indicators_with_real_data()
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    specs = [
        exampledata.IndicatorSpec(
            code=i.code,
            value_type=i.value_type,
            polarity=i.polarity,
            breakdowns=list(i.breakdowns),
            levels=list(i.geographic_levels),
            source_type=i.source_type,
            decimals=i.decimals,
        )
        for code in codes
        if (i := indicators.get(code)) is not None and code not in real
    ]
    cells = build_cells(profiles.seed)
    generated = exampledata.generate(specs, profiles, cells, progress=progress)
    frame = generated.frame
    digest = generated.digest
    stale = Observation.objects.filter(batch__source=exampledata.EXAMPLE_SOURCE).exclude(
        indicator__code__in=[s.code for s in specs]
    )
    removed = stale.delete()[0] if stale.exists() else 0
    latest = ImportBatch.objects.filter(source=exampledata.EXAMPLE_SOURCE).order_by("-pk").first()
    if latest is not None and latest.file_hash == digest and not removed:
        detail = f"oförändrade: {len(frame)} värden för {len(specs)} indikatorer (importomgång {latest.pk})"
        return [StepResult("Exempeldata", PROFILES, detail, 0)]
    result = import_observations(
        frame,
        source=exampledata.EXAMPLE_SOURCE,
        parameters={
            "profiles": PROFILES,
            "seed": profiles.seed,
            "cells": cells.kind,
            "indicators": len(specs),
            "years": [profiles.first_year, profiles.last_year],
        },
        file_name=Path(PROFILES).name,
        file_hash=digest,
        attribution=exampledata.ATTRIBUTION,
        progress=progress,
    )
    detail = f"{len(specs)} indikatorer, {cells.kind.upper() if cells.kind == 'deso' else 'kommundelar'} som minsta område: {result.message}"
    if real:
        detail += f"; {len(real & set(codes))} indikatorer har riktiga data och fick inga exempelvärden"
    if removed:
        detail += f"; {removed} gamla exempelvärden borttagna"
    return [StepResult("Exempeldata", PROFILES, detail, result.rows)]
