"""Kolada v3 client, replayed through respx from real records (see kolada_server.py)."""

import datetime as dt

import httpx
import pandas as pd
import pytest
import respx

from livsvillkor.sources.base import HttpSession, SourceError
from livsvillkor.sources.cache import ResponseCache
from livsvillkor.sources.kolada import ATTRIBUTION, KoladaClient, preliminary_years
from tests.sources.kolada_server import BASE, KoladaServer


@pytest.fixture
def server(shared_data):
    return KoladaServer()


@pytest.fixture
def slept():
    return []


@pytest.fixture
def client(server, slept):
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        mock.route().mock(side_effect=server)
        yield KoladaClient(HttpSession(sleep=slept.append), per_page=100)


def test_kpi_search_follows_next_url_over_several_pages(client, server):
    result = client.search_kpis("sysselsättningsgrad")
    assert set(result.data["id"]) >= {"N02267", "N02268", "N02269"}
    # per_page=100 and a broad search ("andel") needs several pages
    wide = client.search_kpis("andel")
    expected = sum("andel" in k["title"].lower() for k in server.kpis)
    assert expected > 100 and len(wide.data) == expected
    assert len(wide.provenance.urls) == -(-expected // 100)
    assert wide.provenance.attribution == ATTRIBUTION == "Källa: Kolada"


def test_kpi_lookup_is_chunked_to_25_ids_per_segment(client, server):
    ids = [k["id"] for k in server.kpis[:60]]
    result = client.get_kpis(ids)
    assert list(result.data["id"]) == ids
    data_requests = [r for r in server.requests if r.url.path.startswith("/v3/kpi/")]
    assert [len(r.url.path.rsplit("/", 1)[1].split(",")) for r in data_requests] == [25, 25, 10]


def test_data_values_by_gender_chunked_municipalities_and_deleted_rows_dropped(client, server):
    members = sorted({r["municipality"] for r in server.data_rows if r["kpi"] == "N03702"})
    others = [m["id"] for m in server.municipalities if m["type"] == "K" and m["id"] not in members]
    wanted = members + others[: 30 - len(members)]
    # Mark one real record as withdrawn, as Kolada does with isdeleted.
    deleted = next(r for r in server.data_rows if r["kpi"] == "N03702" and r["period"] == 2015)
    deleted["values"][0]["isdeleted"] = True
    result = client.data(["N03702", "N03703"], wanted, range(2012, 2024), today=dt.date(2026, 3, 1))
    frame = result.data
    assert len(members) == 8
    assert len(frame) == 2 * 8 * 12 - 1  # two KPIs, eight municipalities, twelve years, one withdrawn
    assert set(frame["kpi"]) == {"N03702", "N03703"}
    gone = (frame["kpi"] == "N03702") & (frame["municipality_id"] == deleted["municipality"])
    assert not (gone & (frame["period"] == 2015)).any()
    data_requests = [r for r in server.requests if r.url.path.startswith("/v3/data/")]
    paths = list(dict.fromkeys(r.url.path for r in data_requests))
    assert [len(p.split("/municipality/")[1].split("/")[0].split(",")) for p in paths] == [25, 5]
    assert len(data_requests) == 3  # the first chunk (192 rows) took two pages of 100
    row = frame[(frame["municipality_id"] == "0319") & (frame["period"] == 2012)].iloc[0]
    assert row["gender"] == "T" and row["value"] == pytest.approx(253.891158)
    assert set(frame["gender"]) == {"T"}
    assert result.provenance.parameters["municipality"] == wanted


def test_preliminary_flag_comes_from_publication_dates(server):
    meta = pd.DataFrame([k for k in server.kpis if k["id"] in ("N00003", "N03702")])
    n00003 = next(k for k in server.kpis if k["id"] == "N00003")  # prel 2026-04-01, final 2026-08-28
    assert preliminary_years(meta, dt.date(2026, 5, 1)) == {"N00003": int(n00003["publ_period"])}
    assert preliminary_years(meta, dt.date(2026, 3, 1)) == {}  # nothing published yet
    assert preliminary_years(meta, dt.date(2026, 9, 1)) == {}  # final figures out


def test_429_is_retried_with_retry_after(client, server, slept):
    server.fail_first = [429, 429]
    result = client.search_kpis("Ohälsotal")
    assert "N00957" in set(result.data["id"])
    assert slept == [2.0, 2.0]


def test_429_gives_up_after_max_retries(server, slept):
    server.fail_first = [429] * 10
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=server)
        client = KoladaClient(HttpSession(sleep=slept.append, max_retries=3))
        with pytest.raises(SourceError, match="429"):
            client.search_kpis("Ohälsotal")
    assert len(slept) == 3


def test_422_from_server_names_the_reason(server):
    with respx.mock(base_url=BASE) as mock:
        mock.get(url__regex=r".*/kpi/.*").mock(
            return_value=httpx.Response(422, json={"detail": [{"loc": ["path", "kpi"], "msg": "invalid id"}]})
        )
        client = KoladaClient(HttpSession(sleep=lambda s: None))
        with pytest.raises(SourceError) as info:
            client.get_kpis(["N99999"])
    text = str(info.value)
    assert "422" in text and "path.kpi: invalid id" in text and "KPI ids" in text


def test_bad_ids_are_refused_before_any_request():
    client = KoladaClient(HttpSession(sleep=lambda s: None))
    with pytest.raises(ValueError, match="X1"):
        client.get_kpis(["N02267", "X1"])
    with pytest.raises(ValueError, match="149"):
        client.data(["N02267"], ["149"], [2020])
    with pytest.raises(ValueError, match="per_page"):
        KoladaClient(per_page=6000)


def test_peer_groups_found_by_title_not_id(client):
    result = client.peer_groups("Borås")
    frame = result.data
    assert {"G37344", "G176214"} <= set(frame["group_id"])
    overall = frame[frame["group_id"] == "G37344"]
    assert overall["topic"].iloc[0] == "övergripande" and overall["year"].iloc[0] == 2025
    assert len(overall) == 7
    assert not frame["title"].str.contains("Gävle, 2024").any()


def test_municipalities(client):
    frame = client.municipalities(kind="K").data
    assert "Borås" in set(frame.loc[frame["id"] == "1490", "title"])
    assert len(frame) == 290


def test_cache_replays_without_the_network(server, slept, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=server)
        first = KoladaClient(HttpSession(sleep=slept.append, cache=cache)).search_kpis("trångboddhet")
    calls = len(server.requests)
    with respx.mock(base_url=BASE) as mock:  # no route: any network call would fail
        second = KoladaClient(HttpSession(sleep=slept.append, cache=cache)).search_kpis("trångboddhet")
        assert not mock.calls
    assert len(server.requests) == calls
    pd.testing.assert_frame_equal(first.data, second.data)
    assert first.provenance.sha256 == second.provenance.sha256
    entries = cache.entries()
    assert entries and entries[0]["url"].startswith(BASE) and len(entries[0]["sha256"]) == 64
