"""Kolada (RKA's database of municipal key figures), API v3.

* Lists come in pages: ``{"count": n, "values": [...], "next_url": ..., "previous_url": ...}``; we
  follow ``next_url`` until it is empty, asking for ``per_page`` rows (Kolada allows at most 5 000).
* Several ids go comma-separated into one path segment; Kolada accepts at most 25 per segment, so
  longer lists are split into chunks and the answers concatenated.
* A data row holds one value per gender (``T`` total, ``K`` women, ``M`` men). Rows flagged
  ``isdeleted`` are withdrawn values and are dropped.
* A value is *preliminary* when its year is the KPI's ``publ_period`` and the final
  ``publication_date`` has not been reached yet (Kolada first publishes preliminary figures on
  ``prel_publication_date``).
* Attribution: "Källa: Kolada". Values we compute from Kolada data are ours and must not carry it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd

from .base import FetchLog, HttpSession, Provenance, SourceError, SourceResult, chunked, now_utc
from .cache import CachedResponse

BASE_URL = "https://api.kolada.se/v3"
ATTRIBUTION = "Källa: Kolada"
MAX_IDS_PER_SEGMENT = 25
MAX_PER_PAGE = 5000
GENDERS = ("T", "K", "M")
KPI_ID = re.compile(r"^[NU]\d{5}$")
MUNICIPALITY_ID = re.compile(r"^\d{4}$")
GROUP_ID = re.compile(r"^G\d+$")
PEER_GROUP_PREFIX = "Liknande kommuner"

DATA_COLUMNS = ["kpi", "municipality_id", "period", "gender", "value", "count", "status", "preliminary"]


def explain_422(response: CachedResponse) -> str:
    """Turn Kolada's validation answer into a sentence a user can act on."""
    import json

    reasons: list[str] = []
    try:
        payload = json.loads(response.body.decode("utf-8"))
        detail = payload.get("detail", payload) if isinstance(payload, dict) else payload
        if isinstance(detail, list):
            for item in detail:
                if isinstance(item, dict):
                    loc = ".".join(str(p) for p in item.get("loc", []))
                    reasons.append(f"{loc}: {item.get('msg', '')}".strip(": "))
                else:
                    reasons.append(str(item))
        elif detail:
            reasons.append(str(detail))
    except (ValueError, AttributeError):
        reasons.append(response.body[:200].decode("utf-8", "replace"))
    if response.status == 422:
        return (
            "Kolada rejected the request as invalid (422): "
            + ("; ".join(reasons) or "no reason given")
            + ". Check the KPI ids (like N02267), municipality ids (4 digits, like 1490) and years."
        )
    return f"Kolada answered with an error: {'; '.join(reasons) or 'no details'}"


class KoladaClient:
    source = "kolada"

    def __init__(
        self, session: HttpSession | None = None, *, base_url: str = BASE_URL, per_page: int = MAX_PER_PAGE
    ):
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        self.session = session or HttpSession()
        self.base_url = base_url.rstrip("/")
        self.per_page = per_page

    # --- plumbing -----------------------------------------------------------------------------
    def _pages(self, path: str, params: dict | None, log: FetchLog) -> list[dict]:
        """All ``values`` of a paged list, following ``next_url``."""
        url: str | None = f"{self.base_url}/{path.lstrip('/')}"
        query = {**(params or {}), "per_page": self.per_page}
        values: list[dict] = []
        seen: set[str] = set()
        while url:
            payload = self.session.get_json(url, params=query, log=log, explain=explain_422)
            if not isinstance(payload, dict) or "values" not in payload:
                raise SourceError("unexpected answer from Kolada (no 'values' list)", url=url)
            values.extend(payload["values"])
            next_url = payload.get("next_url") or None
            if next_url in seen:
                raise SourceError("Kolada's paging loops (next_url seen before)", url=next_url)
            if next_url:
                seen.add(next_url)
            url, query = next_url, None  # next_url already carries the query string
        return values

    def _provenance(self, log: FetchLog, parameters: dict) -> Provenance:
        return Provenance(
            source=self.source,
            urls=tuple(log.urls),
            retrieved_at=now_utc(),
            parameters=parameters,
            sha256=log.digest(),
            attribution=ATTRIBUTION,
        )

    # --- metadata -----------------------------------------------------------------------------
    def search_kpis(self, title: str) -> SourceResult:
        log = FetchLog()
        rows = self._pages("kpi", {"title": title}, log)
        return SourceResult(kpi_frame(rows), self._provenance(log, {"title": title}))

    def get_kpis(self, ids: Iterable[str]) -> SourceResult:
        ids = _validated(ids, KPI_ID, "KPI id")
        log = FetchLog()
        rows: list[dict] = []
        for chunk in chunked(ids, MAX_IDS_PER_SEGMENT):
            rows.extend(self._pages(f"kpi/{','.join(chunk)}", None, log))
        return SourceResult(kpi_frame(rows), self._provenance(log, {"kpi": ids}))

    def municipalities(self, *, kind: str | None = None) -> SourceResult:
        """Municipalities (``K``) and regions (``L``)."""
        log = FetchLog()
        rows = self._pages("municipality", {"type": kind} if kind else None, log)
        frame = pd.DataFrame(rows, columns=["id", "title", "type"])
        return SourceResult(frame, self._provenance(log, {"type": kind} if kind else {}))

    def municipality_groups(self, *, title: str | None = None) -> SourceResult:
        """Groups with their members, one row per (group, member)."""
        log = FetchLog()
        rows = self._pages("municipality_groups", {"title": title} if title else None, log)
        return SourceResult(group_frame(rows), self._provenance(log, {"title": title} if title else {}))

    def peer_groups(self, municipality_name: str) -> SourceResult:
        """The dated "Liknande kommuner <topic>, <Kommun>, <year>" groups made for one municipality.

        RKA recomputes these groups and gives them new ids, so they are found by title, never by a
        stored id. The result has one row per (group, member) plus the group's ``topic`` and ``year``.
        """
        groups = self.municipality_groups(title=municipality_name)
        frame = groups.data
        pattern = re.compile(
            rf"^{PEER_GROUP_PREFIX},? ?(?P<topic>.*?), {re.escape(municipality_name)}, (?P<year>\d{{4}})$"
        )
        parts = frame["title"].str.extract(pattern)
        result = frame.assign(topic=parts["topic"].str.strip(), year=pd.to_numeric(parts["year"]))
        result = result[parts["year"].notna()].reset_index(drop=True)
        result["year"] = result["year"].astype("int64")
        params = {**groups.provenance.parameters, "municipality": municipality_name}
        return SourceResult(result, Provenance(**{**groups.provenance.__dict__, "parameters": params}))

    # --- data ---------------------------------------------------------------------------------
    def data(
        self,
        kpis: Iterable[str],
        municipalities: Iterable[str],
        years: Iterable[int] | None = None,
        *,
        kpi_metadata: pd.DataFrame | None = None,
        today: dt.date | None = None,
    ) -> SourceResult:
        """Values for KPIs × municipalities (or groups) × years, one row per gender."""
        kpis = _validated(kpis, KPI_ID, "KPI id")
        munis = [str(m) for m in municipalities]
        bad = [m for m in munis if not (MUNICIPALITY_ID.match(m) or GROUP_ID.match(m))]
        if bad:
            raise ValueError(
                f"invalid municipality or group id(s): {', '.join(bad)} (expected 4 digits or G…)"
            )
        if not munis:
            raise ValueError("at least one municipality id is needed")
        year_list = sorted({int(y) for y in years}) if years else []
        log = FetchLog()
        raw: list[dict] = []
        for kc in chunked(kpis, MAX_IDS_PER_SEGMENT):
            for mc in chunked(munis, MAX_IDS_PER_SEGMENT):
                path = f"data/kpi/{','.join(kc)}/municipality/{','.join(mc)}"
                if year_list:
                    for yc in chunked([str(y) for y in year_list], MAX_IDS_PER_SEGMENT):
                        raw.extend(self._pages(f"{path}/year/{','.join(yc)}", None, log))
                else:
                    raw.extend(self._pages(path, None, log))
        if kpi_metadata is None:
            kpi_metadata = self.get_kpis(kpis).data
        frame = data_frame(raw, kpi_metadata, today or dt.date.today())
        params = {"kpi": kpis, "municipality": munis, "years": year_list}
        return SourceResult(frame, self._provenance(log, params))


def _validated(ids: Iterable[str], pattern: re.Pattern, label: str) -> list[str]:
    ids = [str(i).strip() for i in ids]
    if not ids:
        raise ValueError(f"at least one {label} is needed")
    bad = [i for i in ids if not pattern.match(i)]
    if bad:
        raise ValueError(f"invalid {label}(s): {', '.join(bad)}")
    return list(dict.fromkeys(ids))


KPI_COLUMNS = [
    "id",
    "title",
    "description",
    "is_divided_by_gender",
    "municipality_type",
    "operating_area",
    "prel_publication_date",
    "publication_date",
    "publ_period",
    "has_ou_data",
]


def kpi_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in KPI_COLUMNS:
        if column not in frame:
            frame[column] = None
    return frame[KPI_COLUMNS].drop_duplicates("id").reset_index(drop=True)


def group_frame(rows: list[dict]) -> pd.DataFrame:
    records = [
        {
            "group_id": g["id"],
            "title": g["title"],
            "member_id": m.get("member_id") or m.get("id"),
            "member_title": m.get("member_title") or m.get("title"),
        }
        for g in rows
        for m in g.get("members", [])
    ]
    return pd.DataFrame(records, columns=["group_id", "title", "member_id", "member_title"])


def _date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def preliminary_years(kpi_metadata: pd.DataFrame, today: dt.date) -> dict[str, int]:
    """KPI id → the year whose values are still preliminary on ``today`` (absent: none are)."""
    result: dict[str, int] = {}
    for row in kpi_metadata.itertuples(index=False):
        prel, final, period = _date(row.prel_publication_date), _date(row.publication_date), row.publ_period
        if not period or not str(period).isdigit():
            continue
        if prel and prel <= today and (final is None or today < final):
            result[row.id] = int(period)
    return result


def data_frame(raw: list[dict], kpi_metadata: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Flatten Kolada data rows to one row per KPI × municipality × year × gender."""
    records = []
    for row in raw:
        for v in row.get("values", []):
            if v.get("isdeleted"):
                continue
            gender = v.get("gender", "T")
            if gender not in GENDERS:
                raise SourceError(f"unknown gender code {gender!r} for {row.get('kpi')} {row.get('period')}")
            records.append(
                {
                    "kpi": row["kpi"],
                    "municipality_id": str(row["municipality"]),
                    "period": int(row["period"]),
                    "gender": gender,
                    "value": v.get("value"),
                    "count": v.get("count"),
                    "status": v.get("status") or "",
                }
            )
    frame = pd.DataFrame.from_records(records, columns=DATA_COLUMNS[:-1])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame["count"] = pd.to_numeric(frame["count"], errors="coerce").astype("Int64")
    frame["period"] = frame["period"].astype("int64")
    prel = preliminary_years(kpi_metadata, today)
    frame["preliminary"] = [prel.get(k) == p for k, p in zip(frame["kpi"], frame["period"], strict=True)]
    frame = frame.drop_duplicates(["kpi", "municipality_id", "period", "gender"], keep="last")
    return frame.sort_values(["kpi", "municipality_id", "period", "gender"]).reset_index(drop=True)
