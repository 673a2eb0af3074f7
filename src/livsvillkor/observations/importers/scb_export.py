"""``import scb-export FILE --mapping M.yaml``: a table downloaded from SCB's Statistikdatabasen.

Such a file (xlsx or csv) has a title row, one or more header rows above the values, *stub* columns on
the left (the region, sometimes the year), one row per region, and a footer. The mapping file says what
the stub columns and header rows are, which columns give the numerator, denominator or value (summing
several columns where needed), which header levels are breakdown dimensions, and the period; nothing
here is specific to one table, so another export of the same layout needs only a mapping.

Mapping (YAML)::

    indicator: born-outside-sweden        # an existing indicator code
    table: 000005FB                       # SCB's reference code (checked against the footer if given)
    stub: [region]                        # the left-hand columns, in order (``region`` required)
    header: [period, birth_region, sex]   # the header rows above the values, top to bottom
    numerator:   {birth_region: [Europa utom Sverige, övriga världen inkl. uppgift saknas], sex: totalt}
    denominator: {birth_region: totalt, sex: totalt}
    # value: {...}                        # the published value itself, if the table has one
    # period: "2022"                      # when neither stub nor header has a ``period`` level
    # breakdowns: {sex: {level: sex, categories: {kvinnor: women, män: men, totalt: ""}}}

A selector maps a level to one label, a list of labels (their columns are summed) or ``"*"`` (all).
Levels neither selected, nor a breakdown, nor ``period`` must have a single label in the selected
columns. A region cell may hold an area code (``1490C1040``), a code and a name (``1490 Borås``) or a
RegSO label (``Borås (Norrby)``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pydantic

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.core.yamlfile import load_validated
from livsvillkor.geo.models import Area
from livsvillkor.geo.services import read_text
from livsvillkor.observations.services import (
    MISSING_SYMBOLS,
    SUPPRESSED,
    file_sha256,
    import_observations,
)

Selector = dict[str, str | list[str]]


class BreakdownMap(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    level: str
    categories: dict[str, str]  # header label → category code; "" = the total


class Mapping(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    indicator: str
    table: str = ""
    title: str = ""
    attribution: str = "Källa: SCB"
    stub: list[str]
    header: list[str]
    period: str | None = None
    numerator: Selector | None = None
    denominator: Selector | None = None
    value: Selector | None = None
    breakdowns: dict[str, BreakdownMap] = {}
    municipality: str | None = None  # keep only regions of this municipality (by code prefix)

    @pydantic.model_validator(mode="after")
    def consistent(self):
        levels = self.stub + self.header
        if self.stub.count("region") != 1:
            raise ValueError("stub must name exactly one 'region' column")
        if len(set(levels)) != len(levels):
            raise ValueError("level names in stub and header must be unique")
        if "period" not in levels and not self.period:
            raise ValueError("give 'period' or name a 'period' level in stub or header")
        if self.value is None and (self.numerator is None or self.denominator is None):
            raise ValueError("give 'value', or 'numerator' and 'denominator'")
        for role in ("numerator", "denominator", "value"):
            for level in getattr(self, role) or {}:
                if level not in self.header:
                    raise ValueError(f"{role}: {level!r} is not a header level")
        for dim, b in self.breakdowns.items():
            if b.level not in levels:
                raise ValueError(f"breakdowns.{dim}: {b.level!r} is not a level")
        return self


def read_grid(path: Path) -> list[list]:
    """All cells of the first sheet (xlsx) or the csv file, as a list of rows."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        import zipfile
        from xml.etree.ElementTree import ParseError

        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            wb.close()
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, ParseError, EOFError) as exc:
            raise InputError(f"{path}: XLSX-filen är trasig eller inte en XLSX-fil ({exc})") from exc
        return rows
    if suffix in {".csv", ".txt"}:
        import csv
        import io

        text = read_text(path)
        first_lines = "\n".join(text.splitlines()[:10])
        sep = max([";", ",", "\t"], key=first_lines.count)
        return [list(r) for r in csv.reader(io.StringIO(text), delimiter=sep)]
    raise InputError(f"{path}: okänt filformat {suffix!r} (tillåtna: .xlsx, .csv)")


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def area_resolver(municipality: str | None = None):
    """Map a region cell to an area code: the code itself, ``code name``, or a RegSO label."""
    qs = Area.objects.all()
    if municipality:
        qs = qs.filter(municipality_code=municipality) | Area.objects.filter(kind__in=["country", "county"])
    codes = set(qs.values_list("code", flat=True))
    labels = {}
    for code, name, attrs in qs.filter(kind__in=["regso", "municipality"]).values_list(
        "code", "name", "attributes"
    ):
        labels[(attrs or {}).get("label") or name] = code
    labels.setdefault("Riket", "SE")
    labels.setdefault("Sverige", "SE")

    def resolve(cell: str) -> str:
        if cell in codes:
            return cell
        head = cell.split(" ", 1)[0]
        if head in codes and re.match(r"^[0-9A-Z]+$", head):
            return head
        return labels.get(cell, cell)

    return resolve


def parse_export(path: Path | str, mapping: Mapping) -> pd.DataFrame:
    """Turn an SCB export into a tidy DataFrame indexed by the file's row numbers (1-based)."""
    path = Path(path)
    grid = read_grid(path)
    if not grid:
        raise InputError(f"{path}: filen är tom")
    width = max(len(r) for r in grid)
    grid = [list(r) + [None] * (width - len(r)) for r in grid]
    n_stub, n_head = len(mapping.stub), len(mapping.header)
    region_col = mapping.stub.index("region")

    def is_number(v) -> bool:
        if isinstance(v, int | float):
            return True
        text = _text(v).replace(" ", "").replace(",", ".")
        return text in MISSING_SYMBOLS or bool(re.fullmatch(r"[+-]?\d+(\.\d*)?", text))

    def is_data(r):
        # A stub header row ("år", "region", "kvinnor" …) has text where a data row has numbers.
        row = grid[r]
        return _text(row[region_col]) != "" and any(is_number(v) for v in row[n_stub:])

    first = next((r for r in range(n_head, len(grid)) if is_data(r)), None)
    if first is None:
        raise InputError(f"{path}: inga dataraader hittades (kontrollera stub och header i mappningen)")
    last = first
    while last + 1 < len(grid) and _text(grid[last + 1][region_col]) != "":
        last += 1
    if mapping.table:
        footer = {_text(v) for row in grid[last + 1 :] for v in row[:1]}
        if footer and mapping.table not in footer and any("referenskod" in f.lower() for f in footer):
            raise InputError(
                f"{path}: filen är inte tabell {mapping.table} enligt sidfoten",
                [Problem(path.name, "fel tabell för mappningen", field="table", value=mapping.table)],
            )

    # Header labels per value column, forward-filled to the right (SCB merges header cells).
    header_rows = grid[first - n_head : first]
    columns = []
    for j in range(n_stub, width):
        if all(_text(grid[r][j]) == "" for r in range(first, last + 1)):
            continue
        columns.append(j)
    labels: dict[str, list[str]] = {}
    problems = []
    for level, row in zip(mapping.header, header_rows, strict=True):
        filled, current = [], ""
        for j in range(n_stub, width):
            current = _text(row[j]) or current
            filled.append(current)
        labels[level] = [filled[j - n_stub] for j in columns]
        if any(v == "" for v in labels[level]):
            problems.append(
                Problem(
                    f"{path.name}: rad {first - n_head + mapping.header.index(level) + 1}",
                    "rubrikraden är tom",
                    field=level,
                )
            )
    if problems:
        raise InputError(f"{path}: rubrikerna stämmer inte med mappningen", problems)

    # Long form: one record per data row × value column.
    stub_values = {level: [] for level in mapping.stub}
    for i, level in enumerate(mapping.stub):
        current = ""
        for r in range(first, last + 1):
            current = _text(grid[r][i]) or (current if level != "region" else "")
            stub_values[level].append(current)
    n_rows, n_cols = last - first + 1, len(columns)
    long = pd.DataFrame(
        {
            "row": np.repeat(np.arange(first + 1, last + 2), n_cols),
            "column": np.tile(np.array(columns), n_rows),
            **{
                level: np.repeat(np.array(stub_values[level], dtype=object), n_cols) for level in mapping.stub
            },
            **{level: np.tile(np.array(labels[level], dtype=object), n_rows) for level in mapping.header},
            "cell": [grid[r][j] for r in range(first, last + 1) for j in columns],
        }
    )
    if mapping.period and "period" not in long.columns:
        long["period"] = mapping.period
    return _combine(path, long, mapping)


def _select(long: pd.DataFrame, selector: Selector) -> pd.Series:
    mask = pd.Series(True, index=long.index)
    for level, wanted in selector.items():
        if wanted == "*":
            continue
        mask &= long[level].isin([wanted] if isinstance(wanted, str) else wanted)
    return mask


def _combine(path: Path, long: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    breakdown_levels = {b.level: dim for dim, b in mapping.breakdowns.items()}
    keys = ["row", "region", "period", *breakdown_levels]
    problems: list[Problem] = []
    # Check every header label named in the mapping exists, so a typo is not silently "no data".
    for role in ("numerator", "denominator", "value"):
        for level, wanted in (getattr(mapping, role) or {}).items():
            for label in [] if wanted == "*" else [wanted] if isinstance(wanted, str) else wanted:
                if label not in set(long[level]):
                    problems.append(
                        Problem(
                            path.name,
                            f"rubriken finns inte i filen (finns: {', '.join(sorted(set(long[level])))})",
                            field=f"{role}.{level}",
                            value=label,
                        )
                    )
    for dim, b in mapping.breakdowns.items():
        for label in sorted(set(long[b.level]) - set(b.categories)):
            problems.append(
                Problem(
                    path.name,
                    "rubriken saknas i breakdowns-mappningen",
                    field=f"breakdowns.{dim}",
                    value=label,
                )
            )
    if problems:
        raise InputError(f"{path}: mappningen passar inte filen", problems)

    cells = long["cell"]
    text = cells.map(_text)
    symbol = text.where(text.isin(list(MISSING_SYMBOLS)), "")
    numeric = pd.to_numeric(
        cells.where(symbol == "").map(
            lambda v: v if not isinstance(v, str) else v.replace(" ", "").replace(",", ".")
        ),
        errors="coerce",
    )
    bad = (symbol == "") & (text != "") & numeric.isna()
    for _, rec in long[bad].iterrows():
        problems.append(
            Problem(
                f"rad {rec['row']}",
                "inte ett tal",
                field=f"kolumn {rec['column'] + 1}",
                value=_text(rec["cell"]),
            )
        )
    if problems:
        raise InputError(f"{path}: {len(problems)} fel; ingenting har skrivits", problems)
    long = long.assign(number=numeric, symbol=symbol.replace("", np.nan))

    result = None
    for role in ("numerator", "denominator", "value"):
        selector = getattr(mapping, role)
        if selector is None:
            continue
        part = long[_select(long, selector)]
        free = [
            lv
            for lv in mapping.header
            if lv not in selector and lv not in breakdown_levels and lv != "period"
        ]
        for level in free:
            if part.groupby(keys, sort=False)[level].nunique().max() > 1:
                raise InputError(
                    f"{path}: nivån {level!r} har flera rubriker för {role}; välj en i mappningen",
                    [
                        Problem(
                            path.name,
                            "tvetydigt urval",
                            field=f"{role}.{level}",
                            value=", ".join(sorted(set(part[level]))),
                        )
                    ],
                )
        grouped = part.groupby(keys, sort=False)
        summed = grouped["number"].sum(min_count=1)
        # A sum with a suppressed or missing part is itself suppressed / missing, never a partial sum.
        rank = part["symbol"].map({SUPPRESSED: 3, "-": 2, ".": 1}).fillna(0)
        worst = rank.groupby([part[k] for k in keys], sort=False).max()
        sym = worst.map({3: SUPPRESSED, 2: "-", 1: ".", 0: ""})
        out = pd.DataFrame({role: summed.map(lambda v: "" if pd.isna(v) else repr(float(v)))})
        out[role] = out[role].where(sym == "", sym)
        result = out if result is None else result.join(out, how="outer")
    result = result.reset_index()
    tidy = pd.DataFrame(
        {
            "indicator": mapping.indicator,
            "period": result["period"],
            "area_code": result["region"].map(area_resolver(mapping.municipality)),
            **{c: result[c] if c in result else "" for c in ("value", "numerator", "denominator")},
            "note": "",
        }
    )
    for level, dim in breakdown_levels.items():
        tidy[dim] = result[level].map(mapping.breakdowns[dim].categories)
    tidy.index = result["row"].to_numpy()
    if mapping.municipality:
        tidy = tidy[tidy["area_code"].str.startswith(mapping.municipality)]
    return tidy.sort_index(kind="stable")


def load_mapping(path: Path | str) -> Mapping:
    return load_validated(Path(path), Mapping)[0]


def import_scb_export(
    path: Path | str, mapping_path: Path | str, *, municipality: str | None = None, user=None, progress=None
):
    path, mapping_path = Path(path), Path(mapping_path)
    mapping = load_mapping(mapping_path)
    if municipality:
        mapping.municipality = municipality
    tidy = parse_export(path, mapping)
    return import_observations(
        tidy,
        source="scb-export",
        parameters={
            "mapping": mapping_path.name,
            "table": mapping.table,
            "file": path.name,
            "municipality": mapping.municipality or "",
        },
        file_name=path.name,
        file_hash=file_sha256(path),
        user=user,
        attribution=mapping.attribution,
        progress=progress,
    )


class ScbExport:
    name = "scb-export"
    help = "En tabell nedladdad från SCB:s Statistikdatabasen (xlsx/csv), tolkad med en mappningsfil."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--mapping", required=True, metavar="M.yaml")
        parser.add_argument(
            "--municipality", help="importera bara områden i denna kommun (kommunkod, t.ex. 1490)"
        )

    def run(self, options, progress):
        return import_scb_export(
            options["file"], options["mapping"], municipality=options["municipality"], progress=progress
        ).message


IMPORTER = ScbExport()
