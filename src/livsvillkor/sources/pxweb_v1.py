"""PxWeb API v1: SCB's older API and the PxWeb sites of Folkhälsomyndigheten, regions and others.

The API is a tree: GET on a folder lists its children (``{"id", "type": "l"|"t", "text"}``), GET on a
table gives its variables, POST on a table with a query returns data. We ask for the ``json`` format
(``columns`` + ``data``, one entry per cell combination with one value per content column) and also
decode ``json-stat`` answers. Status symbols in the values (``..``, ``.``, ``-``) become a missing
value and a status.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import jsonstat
from .base import FetchLog, HttpSession, Provenance, RateLimiter, SourceError, SourceResult, now_utc

SCB_V1 = "https://api.scb.se/OV0104/v1/doris/sv/ssd"
STATUS_SYMBOLS = {"..", ".", "-", "...", "…"}


def query_body(selection: dict[str, Any], response_format: str = "json") -> dict[str, Any]:
    """A v1 query from ``{"Region": ["1490"], "Alder": {"filter": "agg:Ålder5år", "values": [...]}}``."""
    if not isinstance(selection, dict) or not selection:
        raise ValueError("a selection maps each variable code to a list of value codes")
    query = []
    for code, item in selection.items():
        filter_ = "item"
        if isinstance(item, dict):
            filter_ = item.get("filter", "item")
            item = item.get("values")
        if isinstance(item, str | int):
            item = [item]
        if not isinstance(item, list) or not item:
            raise ValueError(f"selection for {code!r} must be a non-empty list of value codes")
        query.append({"code": str(code), "selection": {"filter": filter_, "values": [str(v) for v in item]}})
    return {"query": query, "response": {"format": response_format}}


def decode_json_format(payload: dict) -> pd.DataFrame:
    """Decode the v1 ``json`` answer: key columns by code, then one row per content column."""
    columns = payload.get("columns")
    rows = payload.get("data")
    if not isinstance(columns, list) or not isinstance(rows, list):
        raise SourceError("not a PxWeb v1 json answer (no 'columns' and 'data')")
    key_cols = [c["code"] for c in columns if c.get("type") in ("d", "t")]
    content_cols = [c["code"] for c in columns if c.get("type") == "c"]
    if not content_cols:
        raise SourceError("PxWeb v1 answer has no content column")
    records = []
    for i, row in enumerate(rows):
        key, values = row.get("key", []), row.get("values", [])
        if len(key) != len(key_cols) or len(values) != len(content_cols):
            raise SourceError(f"PxWeb v1 answer row {i} does not match its columns")
        for content, raw in zip(content_cols, values, strict=True):
            text = str(raw).strip()
            if text in STATUS_SYMBOLS:
                value, status = np.nan, text
            else:
                try:
                    value, status = float(text.replace(",", ".")), ""
                except ValueError as exc:
                    raise SourceError(f"PxWeb v1 answer row {i}: not a number: {raw!r}") from exc
            records.append(
                {
                    **dict(zip(key_cols, key, strict=True)),
                    "ContentsCode": content,
                    "value": value,
                    "status": status,
                }
            )
    frame = pd.DataFrame.from_records(records, columns=[*key_cols, "ContentsCode", "value", "status"])
    for col in [*key_cols, "ContentsCode", "status"]:
        frame[col] = frame[col].astype("string")
    frame["value"] = frame["value"].astype("float64")
    frame.attrs["comments"] = [c.get("comment", "") for c in payload.get("comments", [])]
    return frame


class PxWebV1Client:
    source = "pxweb-v1"

    def __init__(
        self,
        session: HttpSession | None = None,
        *,
        base_url: str = SCB_V1,
        calls_per_period: int = 30,
        period_seconds: float = 10,
        attribution: str = "Källa: SCB",
    ):
        self.session = session or HttpSession()
        if self.session.limiter is None and calls_per_period:
            self.session.limiter = RateLimiter(calls_per_period, period_seconds, sleep=self.session.sleep)
        self.base_url = base_url.rstrip("/")
        self.attribution = attribution

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path.strip('/')}" if path else self.base_url

    def list(self, path: str = "") -> pd.DataFrame:
        payload = self.session.get_json(self._url(path))
        if not isinstance(payload, list):
            raise SourceError("expected a folder listing (a list)", url=self._url(path))
        return pd.DataFrame(
            [
                {"id": e.get("id"), "type": e.get("type"), "text": e.get("text"), "updated": e.get("updated")}
                for e in payload
            ],
            columns=["id", "type", "text", "updated"],
        )

    def metadata(self, table_path: str) -> pd.DataFrame:
        """One row per (variable, value) with labels, elimination and time flags."""
        payload = self.session.get_json(self._url(table_path))
        if not isinstance(payload, dict) or "variables" not in payload:
            raise SourceError("expected table metadata (with 'variables')", url=self._url(table_path))
        rows = []
        for var in payload["variables"]:
            texts = var.get("valueTexts") or var["values"]
            for code, text in zip(var["values"], texts, strict=True):
                rows.append(
                    {
                        "variable": var["code"],
                        "variable_text": var.get("text", ""),
                        "code": code,
                        "text": text,
                        "elimination": bool(var.get("elimination", False)),
                        "time": bool(var.get("time", False)),
                    }
                )
        frame = pd.DataFrame(rows)
        frame.attrs["title"] = payload.get("title", "")
        return frame

    def data(
        self, table_path: str, selection: dict[str, Any], *, response_format: str = "json"
    ) -> SourceResult:
        body = query_body(selection, response_format)
        log = FetchLog()
        payload = self.session.post_json(self._url(table_path), body, log=log)
        if response_format == "json":
            frame = decode_json_format(payload)
            notes: tuple[str, ...] = tuple(frame.attrs.get("comments", []))
        elif response_format in ("json-stat", "json-stat2"):
            table = jsonstat.decode(payload)
            frame, notes = table.data, tuple(table.mandatory_notes)
        else:
            raise ValueError(f"unsupported response format {response_format!r} (use json or json-stat)")
        provenance = Provenance(
            source=self.source,
            urls=tuple(log.urls),
            retrieved_at=now_utc(),
            parameters={"table": table_path, "query": body},
            sha256=log.digest(),
            attribution=self.attribution,
        )
        return SourceResult(frame, provenance, notes=notes)
