"""A replay of Kolada API v3 built from real records (the rKolada cache in ../shared/data/kolada/).

No raw paged HTTP bodies of Kolada v3 exist here, so the paging envelope documented by Kolada
(``count``, ``values``, ``next_url``, ``previous_url``) is put around the real records. The client
under test talks to this through respx, i.e. through its real HTTP code path.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from functools import cache
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from tests.conftest import shared_file

BASE = "https://api.kolada.se/v3"


@cache
def load_kpis() -> list[dict]:
    return json.loads(shared_file("kolada/rkolada_2026-03_v3_kpi_df.json").read_text(encoding="utf-8"))


@cache
def load_groups() -> list[dict]:
    return json.loads(shared_file("kolada/rkolada_2026-03_v3_munic_g.json").read_text(encoding="utf-8"))


def load_municipalities() -> list[dict]:
    with shared_file("kolada/rkolada_2026-03_v3_munic.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_value_rows() -> list[dict]:
    """Real value rows (gender, count, status, value, kpi, year, municipality_id) as v3 data objects."""
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for name in ("kolada/rkolada_2026-03_v3_grp_data.csv", "kolada/rkolada_2026-03_v3_n00945.csv"):
        with shared_file(name).open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                grouped[(r["kpi"], r["municipality_id"], int(r["year"]))].append(
                    {
                        "gender": r["gender"],
                        "count": int(r["count"]) if r["count"] else 0,
                        "status": r["status"] or None,
                        "value": float(r["value"]) if r["value"] not in ("", "NA") else None,
                        "isdeleted": False,
                    }
                )
    return [
        {"kpi": k, "municipality": m, "period": y, "values": values} for (k, m, y), values in grouped.items()
    ]


class KoladaServer:
    """Serves the v3 routes from the records above, paging by ``per_page`` and ``page``."""

    def __init__(self):
        self.kpis = load_kpis()
        self.groups = load_groups()
        self.municipalities = load_municipalities()
        self.data_rows = load_value_rows()
        self.requests: list[httpx.Request] = []
        self.fail_first: list[int] = []  # statuses to answer before serving (e.g. [429, 429])

    def page(self, request: httpx.Request, items: list) -> httpx.Response:
        query = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        per_page = int(query.get("per_page", 5000))
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        next_url = None
        if page * per_page < len(items):
            next_url = f"{str(request.url).split('?')[0]}?{urlencode({**query, 'page': page + 1})}"
        return httpx.Response(
            200, json={"count": len(chunk), "values": chunk, "next_url": next_url, "previous_url": None}
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_first:
            status = self.fail_first.pop(0)
            return httpx.Response(status, headers={"Retry-After": "2"}, json={"detail": "Too many requests"})
        path = urlsplit(str(request.url)).path.removeprefix("/v3/")
        query = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        parts = path.split("/")
        if parts[0] == "kpi":
            if len(parts) > 1:
                ids = parts[1].split(",")
                if len(ids) > 25:
                    return httpx.Response(
                        422, json={"detail": [{"loc": ["path", "id"], "msg": "at most 25 ids"}]}
                    )
                return self.page(request, [k for k in self.kpis if k["id"] in ids])
            title = query.get("title", "").lower()
            return self.page(request, [k for k in self.kpis if title in k["title"].lower()])
        if parts[0] == "municipality":
            kind = query.get("type")
            return self.page(request, [m for m in self.municipalities if not kind or m["type"] == kind])
        if parts[0] == "municipality_groups":
            title = query.get("title", "").lower()
            return self.page(request, [g for g in self.groups if title in g["title"].lower()])
        if parts[0] == "data":
            spec = dict(zip(parts[1::2], parts[2::2], strict=True))
            kpis = spec["kpi"].split(",")
            munis = spec["municipality"].split(",")
            years = {int(y) for y in spec["year"].split(",")} if "year" in spec else None
            for ids in (kpis, munis, list(years or [])):
                if len(ids) > 25:
                    return httpx.Response(
                        422, json={"detail": [{"loc": ["path"], "msg": "at most 25 ids per segment"}]}
                    )
            rows = [
                r
                for r in self.data_rows
                if r["kpi"] in kpis and r["municipality"] in munis and (years is None or r["period"] in years)
            ]
            return self.page(request, rows)
        return httpx.Response(404, json={"detail": "Not Found"})
