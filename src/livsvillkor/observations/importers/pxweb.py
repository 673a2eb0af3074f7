"""``import pxweb --table TAB1234 --selection FILE.yaml [--cache DIR]``: a PxWeb table (API v2 or v1).

The selection file says what to ask for and how the answer becomes tidy rows::

    indicator: utrikes-fodda-andel       # catalogue indicator (or --indicator)
    api: v2                              # v2 (default) or v1
    base_url: https://…                  # optional: another PxWeb server (v1: the database path)
    area: Region                         # the variable holding area codes
    # area_code: "1490"                  # …or one fixed area when the answer has no area variable
    period: Tid                          # the time variable (annual codes, e.g. 2024)
    content: BE0101N1                    # which ContentsCode to use, if the table has several
    filter: {Civilstand: [G]}            # optional: keep only these codes of a variable
    breakdowns:                          # optional: variable → dimension, codes → categories
      sex: {variable: Kon, categories: {"1": men, "2": women, "TotSa": ""}}
    selection:                           # what to POST: variable → value codes
      Region: ["1490"]
      Kon: ["1", "2", "TotSa"]
      Tid: ["2020", "2021", "2022"]

Variables in the answer that are neither area, period, content nor a breakdown must hold a single
code. SCB's status symbols become missing values; SCB's mandatory notes are kept in the batch
parameters. The batch is credited with the server's own attribution ("Källa: SCB").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pydantic

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.core.yamlfile import load_validated
from livsvillkor.observations.services import ImportResult, import_observations
from livsvillkor.sources.base import HttpSession, SourceError, SourceResult
from livsvillkor.sources.cache import ResponseCache
from livsvillkor.sources.pxweb_v1 import PxWebV1Client
from livsvillkor.sources.pxweb_v2 import BASE_URL, PxWebV2Client


class BreakdownIn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    variable: str
    categories: dict[str, str]


class SelectionFile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    indicator: str = ""
    table: str = ""
    api: Literal["v1", "v2"] = "v2"
    base_url: str = ""
    area: str = "Region"
    period: str = "Tid"
    content: str = ""
    area_prefix: str = ""
    area_code: str = ""
    filter: dict[str, list[str]] = {}
    breakdowns: dict[str, BreakdownIn] = {}
    selection: dict[str, Any]

    @pydantic.field_validator("selection")
    @classmethod
    def not_empty(cls, v):
        if not v:
            raise ValueError("selection must name at least one variable")
        return v


STATUS_TO_SYMBOL = {"..": "..", ".": ".", "-": "-", "...": ".."}


def to_tidy(frame: pd.DataFrame, spec: SelectionFile, indicator: str) -> pd.DataFrame:
    """A decoded PxWeb table → tidy rows, following the selection file's mapping."""
    problems: list[Problem] = []
    for var in (spec.period,) if spec.area_code else (spec.area, spec.period):
        if var not in frame.columns:
            problems.append(Problem("urvalsfilen", "variabeln finns inte i svaret", field=var))
    if problems:
        raise InputError("PxWeb-svaret stämmer inte med urvalsfilen", problems)
    frame = frame.copy()
    if spec.content and "ContentsCode" in frame.columns:
        frame = frame[frame["ContentsCode"] == spec.content]
    for var, codes in spec.filter.items():
        if var not in frame.columns:
            raise InputError(
                "PxWeb-svaret stämmer inte med urvalsfilen",
                [Problem("urvalsfilen", "filtervariabeln finns inte i svaret", field=f"filter.{var}")],
            )
        frame = frame[frame[var].isin([str(c) for c in codes])]
    used = {
        spec.area,
        spec.period,
        "value",
        "status",
        *spec.filter,
        *(b.variable for b in spec.breakdowns.values()),
    }
    if spec.content:
        used.add("ContentsCode")
    for column in frame.columns:
        if column not in used and frame[column].nunique() > 1:
            problems.append(
                Problem(
                    "urvalsfilen",
                    "variabeln har flera koder men är varken område, period eller redovisningsgrupp",
                    field=column,
                )
            )
    if problems:
        raise InputError("PxWeb-svaret kan inte göras om till tidy-rader", problems)
    out = pd.DataFrame(
        {
            "indicator": indicator,
            "period": frame[spec.period].astype("string"),
            "area_code": spec.area_code
            if spec.area_code
            else (spec.area_prefix + frame[spec.area].astype("string")),
        },
        index=frame.index,
    )
    for dim, b in spec.breakdowns.items():
        mapped = frame[b.variable].map(b.categories)
        unmapped = frame.loc[mapped.isna(), b.variable].unique().tolist()
        if unmapped:
            raise InputError(
                f"redovisningsgrupp {dim}: koder utan kategori",
                [
                    Problem("urvalsfilen", "koden saknar kategori", field=f"breakdowns.{dim}", value=str(c))
                    for c in unmapped
                ],
            )
        out[dim] = mapped.astype("string")
    status = frame["status"].fillna("").astype("string")
    value = frame["value"].map(lambda v: "" if pd.isna(v) else repr(float(v))).astype("string")
    symbol = status.map(lambda s: STATUS_TO_SYMBOL.get(s, "..") if s else "")
    out["value"] = value.where(value != "", symbol.where(symbol != "", "-"))
    return out.reset_index(drop=True)


def fetch(spec: SelectionFile, table: str, session: HttpSession) -> SourceResult:
    try:
        if spec.api == "v2":
            client = PxWebV2Client(session, base_url=spec.base_url or BASE_URL)
            return client.data(table, spec.selection)
        if not spec.base_url:
            raise InputError("api: v1 kräver base_url (databasens sökväg, t.ex. …/v1/doris/sv/ssd)")
        client = PxWebV1Client(session, base_url=spec.base_url)
        return client.data(table, spec.selection)
    except (SourceError, ValueError) as exc:
        raise InputError(f"PxWeb: {exc}") from exc


def fetch_and_import(
    table: str | None,
    selection_path: str | Path,
    *,
    indicator: str | None = None,
    session: HttpSession | None = None,
    cache_dir: str | None = None,
    progress=None,
    user=None,
) -> ImportResult:
    selection_path = Path(selection_path)
    spec, _ = load_validated(selection_path, SelectionFile)
    table = table or spec.table
    if not table:
        raise InputError("ange tabellen", [Problem("--table", "saknas (eller table: i urvalsfilen)")])
    code = indicator or spec.indicator
    if not code:
        raise InputError(
            "ange indikatorn", [Problem("--indicator", "saknas (eller indicator: i urvalsfilen)")]
        )
    session = session or HttpSession(cache=ResponseCache(cache_dir) if cache_dir else None)
    result = fetch(spec, table, session)
    tidy = to_tidy(result.data, spec, code)
    prov = result.provenance
    return import_observations(
        tidy,
        source=f"pxweb-{spec.api}",
        parameters={
            **prov.parameters,
            "urls": list(prov.urls),
            "retrieved_at": prov.retrieved_at.isoformat(),
            "selection_file": selection_path.name,
            "notes": list(result.notes),
        },
        file_name=selection_path.name,
        file_hash=prov.sha256,
        attribution=prov.attribution,
        progress=progress,
        user=user,
    )


class PxWebImporter:
    name = "pxweb"
    help = "Hämta en tabell från SCB:s PxWeb (API v2 eller v1) med ett urval från en fil och importera den."

    def add_arguments(self, parser):
        parser.add_argument("--table", help="tabell-id (v2, t.ex. TAB6471) eller tabellsökväg (v1)")
        parser.add_argument(
            "--selection", required=True, metavar="FILE.yaml", help="urval och tolkning, se dokumentationen"
        )
        parser.add_argument("--indicator", help="indikatorkod (om inte angiven i urvalsfilen)")
        parser.add_argument("--cache", metavar="DIR", help="spara råsvaren (URL, tid, kontrollsumma) i DIR")

    def run(self, options, progress):
        return fetch_and_import(
            options.get("table"),
            options["selection"],
            indicator=options.get("indicator"),
            cache_dir=options.get("cache"),
            progress=progress,
        ).message


IMPORTER = PxWebImporter()
