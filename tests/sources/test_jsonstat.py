"""JSON-stat decoding details: sparse values, the three forms of status, notes, and bad cubes."""

import math

import pytest

from livsvillkor.sources.base import SourceError
from livsvillkor.sources.jsonstat import decode


def cube(**extra):
    return {
        "version": "2.0",
        "class": "dataset",
        "id": ["Region", "Tid"],
        "size": [2, 3],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": ["1490", "1401"], "label": {"1490": "Borås", "1401": "Härryda"}},
            },
            "Tid": {"label": "år", "category": {"index": {"2021": 0, "2022": 1, "2023": 2}}},
        },
        "note": ["Allmän not", "Måste visas"],
        "extension": {"noteMandatory": {"1": True}},
        **extra,
    }


def test_row_major_order_with_list_index_and_notes():
    table = decode(cube(value=[1, 2, 3, 4, 5, 6]))
    frame = table.data
    assert list(zip(frame["Region"], frame["Tid"], frame["value"], strict=True))[:4] == [
        ("1490", "2021", 1.0),
        ("1490", "2022", 2.0),
        ("1490", "2023", 3.0),
        ("1401", "2021", 4.0),
    ]
    assert table.mandatory_notes == ["Måste visas"] and table.notes[0] == "Allmän not"
    assert table.labelled()["Region_label"].iloc[0] == "Borås"


def test_sparse_values_and_status_object():
    table = decode(cube(value={"0": 10, "5": 60}, status={"1": "..", "4": "."}))
    frame = table.data
    assert frame["value"].iloc[0] == 10 and frame["value"].iloc[5] == 60
    assert math.isnan(frame["value"].iloc[1])
    assert frame["status"].tolist() == ["", "..", "", "", ".", ""]


def test_status_as_one_string_or_a_list():
    assert set(decode(cube(value=[1] * 6, status="p")).data["status"]) == {"p"}
    listed = decode(cube(value=[1, None, 3, 4, 5, 6], status=["", "..", "", "", "", ""])).data
    assert listed["status"].iloc[1] == ".." and math.isnan(listed["value"].iloc[1])


def test_inconsistent_cubes_are_refused():
    with pytest.raises(SourceError, match="5 values"):
        decode(cube(value=[1, 2, 3, 4, 5]))
    broken = cube(value=[1] * 6)
    broken["size"] = [2, 4]
    with pytest.raises(SourceError, match="size 4"):
        decode(broken)
    with pytest.raises(SourceError, match="not a JSON-stat dataset"):
        decode({"foo": 1, "bar": 2})
