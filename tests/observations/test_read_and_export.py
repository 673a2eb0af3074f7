import json

import openpyxl
import pandas as pd
import pytest
from django.core.management import call_command

from livsvillkor.observations.exports import export
from livsvillkor.observations.services import import_observations, latest_by_area, series

from .helpers import make_areas, make_indicators, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    make_indicators()
    make_areas()
    rows = [
        # 1490C1300: numerator 3 < 5 → suppressed by disclosure control on the way out.
        row(period="2021", area_code="1490C1300", numerator="3", denominator="200"),
        row(period="2022", area_code="1490C1300", numerator="30", denominator="200"),
        row(period="2022", area_code="1490C1340", numerator="40", denominator="100"),
        row(period="2022", area_code="1490C1370", value=".."),
        row(period="2020", area_code="1490C1040", numerator="10", denominator="50", note="=1+1"),
        row(period="2022", area_code="1490", numerator="1000", denominator="5000", flags="preliminary"),
        row(indicator="population-by-background", area_code="1490C1300", value="2364"),
        row(indicator="population-by-background", area_code="1490C1300", value="2057", background="foreign"),
        row(indicator="population-by-background", area_code="1490C1300", value="307", background="swedish"),
    ]
    import_observations(pd.DataFrame(rows), source="test", parameters={}, attribution="Källa: SCB")


def test_series_applies_disclosure_control(data):
    frame = series("born-outside-sweden", area_codes=["1490C1300"])
    assert list(frame["period"]) == ["2021", "2022"]
    first, second = frame.iloc[0], frame.iloc[1]
    assert first["suppressed"] and pd.isna(first["value"]) and pd.isna(first["numerator"])
    assert "5" in first["suppression_reason"]
    assert not second["suppressed"] and second["value"] == pytest.approx(15.0)
    raw = series("born-outside-sweden", area_codes=["1490C1300"], disclose=False)
    assert raw.iloc[0]["value"] == pytest.approx(1.5)


def test_series_breakdowns(data):
    assert len(series("population-by-background")) == 1  # totals only
    parts = series("population-by-background", breakdown="background")
    assert dict(zip(parts["background"], parts["value"], strict=True)) == {"foreign": 2057, "swedish": 307}
    assert len(series("population-by-background", breakdown="*")) == 3


def test_latest_by_area(data):
    frame = latest_by_area("born-outside-sweden", level="deso")
    latest = dict(zip(frame["area_code"], frame["period"], strict=True))
    assert latest == {"1490C1300": "2022", "1490C1340": "2022", "1490C1370": "2022", "1490C1040": "2020"}
    assert frame.set_index("area_code").loc["1490C1370", "suppressed"]


def test_csv_export_shows_suppression_and_source(data, tmp_path, capsys):
    call_command("export", "--indicator", "born-outside-sweden", "--period", "2021", "--period", "2022")
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[0].startswith("indicator,period,area_code,area_name,value,numerator,denominator")
    suppressed = next(line for line in lines if ",2021,1490C1300," in line)
    assert ",..,..,..," in suppressed  # value, numerator, denominator hidden together
    assert all(line.endswith("Källa: SCB") for line in lines[1:])
    # The export reads back as a tidy file.
    path = tmp_path / "export.csv"
    path.write_text(out, encoding="utf-8")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(frame) == 5 and (frame["value"] == "..").sum() == 2


def test_xlsx_and_jsonstat_exports(data, tmp_path):
    n = export(["population-by-background"], "xlsx", tmp_path / "x.xlsx")
    assert n == 3
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert wb.sheetnames == ["Data", "Om"] and wb["Om"]["A1"].value == "Källa: SCB"
    export(["born-outside-sweden"], "xlsx", tmp_path / "y.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "y.xlsx")["Data"]
    notes = [c for c in sheet.iter_rows(values_only=False) for c in c if c.value == "=1+1"]
    assert notes and all(c.data_type == "s" for c in notes)  # a note is never a formula
    export(["born-outside-sweden", "population-by-background"], "jsonstat", tmp_path / "x.json")
    doc = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert doc["version"] == "2.0" and doc["class"] == "dataset" and doc["source"] == "Källa: SCB"
    assert doc["id"] == ["indicator", "area", "period", "background"]
    assert len(doc["value"]) == int(pd.Series(doc["size"]).prod())
    size = doc["size"]
    idx = {d: doc["dimension"][d]["category"]["index"] for d in doc["id"]}

    def at(ind, area, period, bg):
        pos = 0
        for d, key, n in zip(doc["id"], (ind, area, period, bg), size, strict=True):
            pos = pos * n + idx[d][key]
        return pos

    assert doc["value"][at("population-by-background", "1490C1300", "2022", "foreign")] == 2057
    assert doc["value"][at("born-outside-sweden", "1490C1340", "2022", "total")] == pytest.approx(40.0)
    suppressed = at("born-outside-sweden", "1490C1300", "2021", "total")
    assert doc["value"][suppressed] is None and doc["status"][str(suppressed)] == ".."
    assert list(idx["background"]) == ["total", "swedish", "foreign"]
