"""PX file parsing against the reference PxWebApi's files and its own JSON-stat metadata of them."""

import json

import pytest

from livsvillkor.sources.base import SourceError
from livsvillkor.sources.px import parse
from tests.conftest import shared_file


def ref(name):
    return shared_file(f"scb/pxwebapi_reference/{name}")


def test_tab004_matches_the_reference_servers_metadata(shared_data):
    px = parse(ref("TAB004.px"))
    frame = px.to_frame()
    meta = json.loads(ref("MetadataById_tab004_js2.json").read_text(encoding="utf-8"))
    assert list(frame.columns[:-2]) == meta["id"]
    assert len(frame) == __import__("math").prod(meta["size"])
    for dim in meta["id"]:
        assert list(dict.fromkeys(frame[dim])) == list(meta["dimension"][dim]["category"]["index"])
    first = frame.iloc[0]
    assert (first["SECTOR"], first["GREENHOUSEGAS"], first["TIME"], first["value"]) == (
        "0.1",
        "CH4",
        "1990",
        296860.0,
    )
    assert (frame["status"] == "..").sum() > 0
    assert frame.loc[frame["status"] == "..", "value"].isna().all()


def test_latin1_file_with_swedish_labels(shared_data):
    px = parse(ref("TAB001.px"))
    sv = px.to_frame("sv")
    assert sv.attrs["labels"]["REGION"]["AT"] == "Österrike"
    assert sv.attrs["labels"]["SEX"]["F"] == "Kvinnor"
    en = px.to_frame()
    assert en.attrs["labels"]["SEX"]["F"] == "Female"
    row = en[(en["REGION"] == "AT") & (en["SEX"] == "F") & (en["AGE"] == "TOTAL") & (en["TIME"] == "1991")]
    assert row["value"].iloc[0] == 4041797


def test_utf8_file_declaring_latin1_and_single_cell(shared_data):
    frame = parse(ref("tab4_fewcells.px")).to_frame("sv")
    assert len(frame) == 1 and frame["value"].iloc[0] == 445
    assert frame.attrs["labels"]["SECTOR"]["7.0"].startswith("LÖSNINGSMEDEL")


def test_cell_count_mismatch_is_an_error():
    text = 'STUB="a";HEADING="b";VALUES("a")="x","y";VALUES("b")="1";DATA=\n1 2 3;'
    with pytest.raises(SourceError, match="3 cells"):
        parse(text.encode()).to_frame()


def test_continued_strings_and_quoted_symbols():
    text = (
        'LANGUAGE="sv";STUB="region";HEADING="år";\n'
        'VALUES("region")="Borås "\n"stad","Ulricehamn";\n'
        'VALUES("år")="2020";CODES("region")="1490","1491";DATA=\n"..", 12;'
    )
    frame = parse(text.encode("utf-8")).to_frame()
    assert frame.attrs["labels"]["region"] == {"1490": "Borås stad", "1491": "Ulricehamn"}
    assert frame["status"].tolist() == ["..", ""]
    assert frame["value"].isna().tolist() == [True, False] and frame["value"].iloc[1] == 12
