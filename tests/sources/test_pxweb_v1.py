"""PxWeb API v1 client replayed with SCB's real answers (../shared/data/scb/pxweb_v1/)."""

import json

import httpx
import pytest
import respx

from livsvillkor.sources.base import HttpSession, SourceError
from livsvillkor.sources.pxweb_v1 import PxWebV1Client, decode_json_format, query_body
from tests.conftest import shared_file

BASE = "https://api.scb.se/OV0104/v1/doris/en/ssd"
TABLE = "BE/BE0101/BE0101A/BefolkningNy"


def raw(name: str) -> bytes:
    return shared_file(f"scb/pxweb_v1/{name}").read_bytes()


@pytest.fixture
def scb(shared_data):
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        mock.get(f"/{TABLE}").mock(
            return_value=httpx.Response(200, content=raw("scb_v1_metadata_BE0101A_BefolkningNy_en.json"))
        )
        mock.get("/BE/BE0101/BE0101A").mock(
            return_value=httpx.Response(200, content=raw("scb_v1_levels_BE0101A_en.json"))
        )

        def answer(request):
            fmt = json.loads(request.content)["response"]["format"]
            name = (
                "scb_v1_data_BE0101A_BefolkningNy_jsonstat.json"
                if fmt == "json-stat"
                else "scb_v1_data_BE0101A_BefolkningNy_json.json"
            )
            return httpx.Response(200, content=raw(name))

        mock.post(f"/{TABLE}").mock(side_effect=answer)
        yield mock, PxWebV1Client(HttpSession(sleep=lambda s: None), base_url=BASE)


def recorded_query() -> dict:
    q = json.loads(raw("scb_v1_query_BE0101A_BefolkningNy.json"))["query"]["query"]
    return {item["code"]: item["selection"]["values"] for item in q}


def test_query_body_matches_the_recorded_query_shape(shared_data):
    recorded = json.loads(raw("scb_v1_query_BE0101A_BefolkningNy.json"))["query"]
    assert query_body(recorded_query()) == recorded


def test_data_json_format(scb):
    mock, client = scb
    result = client.data(TABLE, recorded_query())
    frame = result.data
    assert len(frame) == 24
    row = frame[(frame["Civilstand"] == "OG") & (frame["Kon"] == "1") & (frame["Tid"] == "2015")].iloc[0]
    assert row["value"] == 2762601 and row["ContentsCode"] == "BE0101N1"
    assert result.provenance.attribution == "Källa: SCB"
    assert mock.calls[-1].request.method == "POST"


def test_data_json_stat_agrees_with_json(scb):
    _mock, client = scb
    as_json = client.data(TABLE, recorded_query()).data
    as_stat = client.data(TABLE, recorded_query(), response_format="json-stat").data
    key = ["Civilstand", "Kon", "Tid"]
    merged = as_json.merge(as_stat, on=key, suffixes=("_json", "_stat"))
    assert len(merged) == 24
    assert (merged["value_json"] == merged["value_stat"]).all()


def test_metadata_and_levels(scb):
    _mock, client = scb
    meta = client.metadata(TABLE)
    assert set(meta["variable"]) == {"Region", "Civilstand", "Alder", "Kon", "ContentsCode", "Tid"}
    assert "1490" in set(meta.loc[meta["variable"] == "Region", "code"])
    assert meta.loc[meta["variable"] == "Tid", "time"].all()
    levels = client.list("BE/BE0101/BE0101A")
    assert "BefolkningNy" in set(levels["id"]) and set(levels["type"]) == {"t"}


def test_status_symbols_become_missing_values():
    frame = decode_json_format(
        {
            "columns": [
                {"code": "Region", "type": "d"},
                {"code": "Tid", "type": "t"},
                {"code": "X", "type": "c"},
            ],
            "data": [
                {"key": ["1490", "2020"], "values": [".."]},
                {"key": ["1490", "2021"], "values": ["12.5"]},
            ],
        }
    )
    assert frame["status"].tolist() == ["..", ""]
    assert frame["value"].isna().tolist() == [True, False]


def test_malformed_answer_is_refused():
    with pytest.raises(SourceError, match="row 0"):
        decode_json_format(
            {
                "columns": [{"code": "A", "type": "d"}, {"code": "X", "type": "c"}],
                "data": [{"key": [], "values": ["1"]}],
            }
        )
