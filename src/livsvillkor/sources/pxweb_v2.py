"""SCB's PxWebApi 2.0 (Statistikdatabasen), and any other PxWeb 2 server.

* ``/config`` announces the rate limit (``maxCallsPerTimeWindow`` per ``timeWindow`` seconds) and the
  largest answer (``maxDataCells``); the client reads it once and obeys both.
* Data is always fetched with POST and an explicit selection. A GET without a selection silently
  leaves out (eliminates) dimensions, and a long GET URL fails.
* Answers are JSON-stat 2.0, decoded by :mod:`livsvillkor.sources.jsonstat` with status codes and
  the notes SCB marks as mandatory.
* Attribution is taken from ``/config`` ("Källa: SCB").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import jsonstat
from .base import FetchLog, HttpSession, Provenance, RateLimiter, SourceError, SourceResult, now_utc

BASE_URL = "https://statistikdatabasen.scb.se/api/v2"
DEFAULT_ATTRIBUTION = "Källa: SCB"


@dataclass(frozen=True)
class ServerConfig:
    api_version: str
    max_data_cells: int
    max_calls: int
    time_window: float
    default_language: str
    attribution: str
    license: str


@dataclass(frozen=True)
class VariableSelection:
    """Codes wanted from one variable, optionally through a codelist (aggregation or valueset)."""

    code: str
    values: tuple[str, ...]
    codelist: str | None = None

    def as_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"variableCode": self.code, "valueCodes": list(self.values)}
        if self.codelist:
            body["codelist"] = self.codelist
        return body


def parse_selection(spec: dict[str, Any]) -> list[VariableSelection]:
    """Build a selection from ``{"Region": ["1490"], "Alder": {"codelist": "agg_…", "values": [...]}}``.

    A value list may contain the wildcards PxWeb understands (``*``, ``top(3)``); those cannot be
    counted before the request, so the cell limit is then checked on the answer instead.
    """
    if not isinstance(spec, dict) or not spec:
        raise ValueError("a selection maps each variable code to a list of value codes")
    result = []
    for code, item in spec.items():
        codelist = None
        if isinstance(item, dict):
            unknown = set(item) - {"values", "codelist"}
            if unknown:
                raise ValueError(f"selection for {code!r}: unknown key(s) {', '.join(sorted(unknown))}")
            codelist = item.get("codelist")
            item = item.get("values")
        if isinstance(item, str | int):
            item = [item]
        if not isinstance(item, list) or not item:
            raise ValueError(f"selection for {code!r} must be a non-empty list of value codes")
        result.append(VariableSelection(str(code), tuple(str(v) for v in item), codelist))
    return result


def _is_countable(values: tuple[str, ...]) -> bool:
    return not any(("*" in v) or ("(" in v) for v in values)


class PxWebV2Client:
    source = "scb-pxweb-v2"

    def __init__(self, session: HttpSession | None = None, *, base_url: str = BASE_URL, language: str = "sv"):
        self.session = session or HttpSession()
        self.base_url = base_url.rstrip("/")
        self.language = language
        self._config: ServerConfig | None = None

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def config(self) -> ServerConfig:
        """Read ``/config`` once and throttle the session to the announced rate limit."""
        if self._config is None:
            payload = self.session.get_json(self._url("config"))
            refs = {r.get("language"): r.get("text") for r in payload.get("sourceReferences", [])}
            self._config = ServerConfig(
                api_version=str(payload.get("apiVersion", "")),
                max_data_cells=int(payload.get("maxDataCells") or 0),
                max_calls=int(payload.get("maxCallsPerTimeWindow") or 0),
                time_window=float(payload.get("timeWindow") or 0),
                default_language=str(payload.get("defaultLanguage", "sv")),
                attribution=refs.get(self.language) or refs.get("sv") or DEFAULT_ATTRIBUTION,
                license=str(payload.get("license", "")),
            )
            if self._config.max_calls and self._config.time_window and self.session.limiter is None:
                self.session.limiter = RateLimiter(
                    self._config.max_calls, self._config.time_window, sleep=self.session.sleep
                )
        return self._config

    def _provenance(self, log: FetchLog, parameters: dict) -> Provenance:
        return Provenance(
            source=self.source,
            urls=tuple(log.urls),
            retrieved_at=now_utc(),
            parameters=parameters,
            sha256=log.digest(),
            attribution=self.config().attribution,
        )

    def search_tables(self, query: str, *, max_pages: int = 10, page_size: int = 100) -> SourceResult:
        """Tables whose text matches ``query``; follows the ``next`` page link up to ``max_pages``."""
        cfg = self.config()
        log = FetchLog()
        url: str | None = self._url("tables")
        params: dict | None = {"query": query, "lang": self.language, "pagesize": page_size}
        rows: list[dict] = []
        pages = 0
        while url and pages < max_pages:
            payload = self.session.get_json(url, params=params, log=log)
            rows.extend(payload.get("tables", []))
            pages += 1
            links = (payload.get("page") or {}).get("links") or []
            url = next((link["href"] for link in links if link.get("rel") == "next"), None)
            params = None
        frame = pd.DataFrame(
            [
                {
                    "id": t.get("id"),
                    "label": t.get("label"),
                    "updated": t.get("updated"),
                    "first_period": t.get("firstPeriod"),
                    "last_period": t.get("lastPeriod"),
                    "time_unit": t.get("timeUnit"),
                    "subject_code": t.get("subjectCode"),
                    "source": t.get("source"),
                    "discontinued": bool(t.get("discontinued", False)),
                    "variables": list(t.get("variableNames", [])),
                }
                for t in rows
            ],
            columns=[
                "id",
                "label",
                "updated",
                "first_period",
                "last_period",
                "time_unit",
                "subject_code",
                "source",
                "discontinued",
                "variables",
            ],
        )
        del cfg
        return SourceResult(frame, self._provenance(log, {"query": query}))

    def metadata(self, table: str) -> jsonstat.JsonStatTable:
        self.config()
        payload = self.session.get_json(self._url(f"tables/{table}/metadata"), params={"lang": self.language})
        return jsonstat.decode(payload, metadata_only=True)

    def codelist(self, codelist_id: str) -> pd.DataFrame:
        """A codelist (valueset or aggregation): one row per (code, member code)."""
        self.config()
        payload = self.session.get_json(self._url(f"codeLists/{codelist_id}"), params={"lang": self.language})
        rows = []
        for value in payload.get("values", []):
            members = value.get("valueMap") or [value.get("code")]
            for member in members:
                rows.append({"code": value.get("code"), "label": value.get("label"), "member": str(member)})
        frame = pd.DataFrame(rows, columns=["code", "label", "member"])
        frame.attrs["type"] = payload.get("type", "")
        frame.attrs["label"] = payload.get("label", "")
        return frame

    def data(self, table: str, selection: dict[str, Any] | list[VariableSelection]) -> SourceResult:
        """POST an explicit selection and decode the JSON-stat 2.0 answer into a tidy table."""
        cfg = self.config()
        sel = parse_selection(selection) if isinstance(selection, dict) else list(selection)
        if all(_is_countable(s.values) for s in sel) and cfg.max_data_cells:
            cells = math.prod(len(s.values) for s in sel)
            if cells > cfg.max_data_cells:
                raise SourceError(
                    f"the selection asks for {cells} cells but the server allows {cfg.max_data_cells}; "
                    "split it (for example by year or region) into smaller requests"
                )
        body = {"selection": [s.as_body() for s in sel]}
        log = FetchLog()
        payload = self.session.post_json(
            self._url(f"tables/{table}/data"),
            body,
            params={"lang": self.language, "outputFormat": "json-stat2"},
            log=log,
            explain=_explain_error,
        )
        table_data = jsonstat.decode(payload)
        frame = table_data.data
        frame.attrs["labels"] = table_data.category_labels
        frame.attrs["roles"] = table_data.roles
        params = {"table": table, "selection": body["selection"], "language": self.language}
        return SourceResult(
            frame,
            self._provenance(log, params),
            notes=tuple(table_data.mandatory_notes),
        )


def _explain_error(response) -> str:
    import json

    try:
        payload = json.loads(response.body.decode("utf-8"))
        title = payload.get("title") or payload.get("detail") or ""
        detail = payload.get("detail") if payload.get("title") else ""
        text = f"{title}: {detail}".strip(": ")
    except (ValueError, AttributeError):
        text = response.body[:200].decode("utf-8", "replace")
    if response.status == 400:
        return (
            f"PxWeb rejected the selection: {text}. Check variable and value codes against the table metadata"
        )
    if response.status == 404:
        return f"PxWeb does not know this table or codelist: {text}"
    if response.status == 403:
        return f"PxWeb refused the request (too many cells?): {text}"
    return f"PxWeb answered with an error: {text}"
