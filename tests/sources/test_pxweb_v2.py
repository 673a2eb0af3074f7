"""PxWebApi 2.0 client replayed with SCB's real 2026 answers (../shared/data/scb/pxweb_v2/)."""

import json

import httpx
import pytest
import respx

from livsvillkor.sources.base import HttpSession, RateLimiter, SourceError
from livsvillkor.sources.pxweb_v2 import BASE_URL, PxWebV2Client, parse_selection
from tests.conftest import shared_file


def body(name: str) -> bytes:
    return shared_file(f"scb/pxweb_v2/{name}").read_bytes()


@pytest.fixture
def slept():
    return []


@pytest.fixture
def scb(shared_data, slept):
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        mock.get("/config").mock(return_value=httpx.Response(200, content=body("config.json")))
        mock.get("/tables/TAB6471/metadata").mock(
            return_value=httpx.Response(200, content=body("TAB6471_metadata.json"))
        )
        mock.post("/tables/TAB6471/data").mock(
            return_value=httpx.Response(200, content=body("TAB6471_data.json"))
        )
        mock.get("/codeLists/agg_Ålder10årJ").mock(
            return_value=httpx.Response(200, content=body("codelist_agg_Alder10arJ.json"))
        )
        mock.get(url__regex=r"/tables/?\?.*pageNumber=2").mock(
            return_value=httpx.Response(200, content=body("search.json"))
        )
        mock.get(url__regex=r"/tables/?\?").mock(
            return_value=httpx.Response(200, content=body("tables.json"))
        )
        yield mock, PxWebV2Client(HttpSession(sleep=slept.append))


COUNTY_CODES = [
    "01",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "12",
    "13",
    "14",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
]

SELECTION = {
    "Region": COUNTY_CODES,
    "Alder": {
        "codelist": "agg_Ålder10årJ",
        "values": [
            "-9",
            "10-19",
            "20-29",
            "30-39",
            "40-49",
            "50-59",
            "60-69",
            "70-79",
            "80-89",
            "90-99",
            "100+",
        ],
    },
    "Kon": ["TotSa", "1", "2"],
    "ContentsCode": ["000007SF"],
    "Tid": ["2026M01", "2026M02", "2026M03", "2026M04"],
}


def test_config_sets_the_rate_limit_and_attribution(scb):
    _mock, client = scb
    cfg = client.config()
    assert (cfg.max_calls, cfg.time_window, cfg.max_data_cells) == (3, 1.0, 150000)
    assert cfg.attribution == "Källa: SCB"
    assert client.session.limiter.calls == 3 and client.session.limiter.window == 1.0


def test_data_is_posted_with_the_explicit_selection_and_decoded(scb):
    mock, client = scb
    result = client.data("TAB6471", SELECTION)
    data_calls = [c for c in mock.calls if c.request.url.path.endswith("/data")]
    assert len(data_calls) == 1 and data_calls[0].request.method == "POST"
    sent = json.loads(data_calls[0].request.content)
    assert sent["selection"][1] == {
        "variableCode": "Alder",
        "valueCodes": SELECTION["Alder"]["values"],
        "codelist": "agg_Ålder10årJ",
    }
    assert data_calls[0].request.url.params["outputFormat"] == "json-stat2"
    frame = result.data
    assert len(frame) == 21 * 11 * 3 * 1 * 4
    first = frame.iloc[0]
    assert (first["Region"], first["Alder"], first["Kon"], first["Tid"], first["value"]) == (
        "01",
        "0-9",
        "TotSa",
        "2026M01",
        245284.0,
    )
    # the last cell of the cube is the last value of the answer
    raw = json.loads(body("TAB6471_data.json"))
    assert frame.iloc[-1]["value"] == raw["value"][-1]
    assert frame.iloc[-1]["Region"] == "25" and frame.iloc[-1]["Tid"] == "2026M04"
    assert any("Cell Key Method" in n for n in result.notes), "mandatory CKM note must be kept"
    assert frame.attrs["labels"]["Region"]["14"] == "Västra Götalands län"
    assert result.provenance.attribution == "Källa: SCB"
    assert result.provenance.parameters["table"] == "TAB6471"


def test_metadata_lists_borås_and_codelists(scb):
    _mock, client = scb
    meta = client.metadata("TAB6471")
    assert meta.category_labels["Region"]["1490"] == "Borås"
    assert len(meta.category_labels["Region"]) == 312
    assert meta.roles["time"] == ["Tid"]
    assert meta.data.empty


def test_codelist_aggregation_maps_ages(scb):
    _mock, client = scb
    meta = json.loads(body("TAB6471_metadata.json"))
    href = meta["dimension"]["Region"]["extension"]["codelists"][0]["links"][0]["href"]
    assert href.split("?")[0] == client._url("codeLists/vs_CKM01Riket")  # the server's own link shape
    frame = client.codelist("agg_Ålder10årJ")
    assert frame.attrs["type"] == "Aggregation"
    assert sorted(frame.loc[frame["code"] == "-9", "member"].astype(int)) == list(range(10))


def test_table_search_follows_next_page(scb):
    _mock, client = scb
    result = client.search_tables("folkmängd", max_pages=2, page_size=20)
    assert len(result.data) == 20 + 10
    assert result.data.iloc[0]["id"] == "TAB4707"
    assert len(result.provenance.urls) == 2


def test_too_many_cells_is_refused_before_the_request(scb):
    mock, client = scb
    huge = {
        "Region": [str(i) for i in range(400)],
        "Alder": [str(i) for i in range(101)],
        "Kon": ["1", "2", "TotSa"],
        "Tid": ["2025M01", "2025M02"],
    }
    with pytest.raises(SourceError, match="150000"):
        client.data("TAB6471", huge)
    assert not [c for c in mock.calls if c.request.url.path.endswith("/data")]


def test_bad_selection_files_are_refused():
    with pytest.raises(ValueError, match="Kon"):
        parse_selection({"Kon": []})
    with pytest.raises(ValueError, match="unknown key"):
        parse_selection({"Alder": {"code_list": "x", "values": ["1"]}})


def test_400_is_explained(shared_data):
    with respx.mock(base_url=BASE_URL) as mock:
        mock.get("/config").mock(return_value=httpx.Response(200, content=body("config.json")))
        mock.post("/tables/TAB6471/data").mock(
            return_value=httpx.Response(
                400, json={"title": "Bad Request", "detail": "Unknown variable Kommun"}
            )
        )
        client = PxWebV2Client(HttpSession(sleep=lambda s: None))
        with pytest.raises(SourceError) as info:
            client.data("TAB6471", {"Kommun": ["1490"]})
    assert "Unknown variable Kommun" in str(info.value) and "HTTP 400" in str(info.value)


def test_rate_limiter_waits_when_the_window_is_full():
    now = [0.0]
    waits = []

    def sleep(s):
        waits.append(s)
        now[0] += s

    limiter = RateLimiter(3, 1.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        assert limiter.wait() == 0
    now[0] += 0.25
    assert limiter.wait() == pytest.approx(0.75)
    assert waits == [pytest.approx(0.75)]
