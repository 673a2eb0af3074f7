"""The HEAT Plus reader and the ``livsvillkor measures`` command (no database: pytest-django blocks it)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from livsvillkor.core.errors import InputError
from livsvillkor.stats import heat
from tests.conftest import shared_file

INDONESIA = "who_heat/heatplus_template_example_Indonesia_DHS.csv"
STRATA = "who_heat/heat_measures_sample_strata.csv"


def run(*args) -> str:
    out = io.StringIO()
    call_command("measures", *args, stdout=out)
    return out.getvalue()


def test_indonesia_template_as_json_gives_non_ordered_measures_with_intervals():
    records = json.loads(run(str(shared_file(INDONESIA)), "--format", "json", "--draws", "50"))
    source = pd.read_csv(shared_file(INDONESIA))
    groups = source.groupby(["setting", "date", "indicator_abbr", "dimension"]).ngroups
    assert len(records) == groups * 21
    assert set(records[0]) == {
        "setting",
        "date",
        "indicator_abbr",
        "dimension",
        "measure",
        "estimate",
        "se",
        "ci_lb",
        "ci_ub",
        "reason",
    }
    by_measure = {}
    for rec in records:
        by_measure.setdefault(rec["measure"], []).append(rec)
    for m in ("BGV", "MDBU", "TI", "PAF", "D", "R"):
        for rec in by_measure[m]:
            assert rec["reason"] is None
            assert rec["ci_lb"] < rec["ci_ub"]
            if m != "MDBU":  # analytic intervals are centred on the estimate; MDBU's is simulated
                assert rec["ci_lb"] <= rec["estimate"] <= rec["ci_ub"]
    for rec in by_measure["SII"]:
        assert rec["reason"] == "Gäller bara ordnade dimensioner" and rec["estimate"] is None
    # The template has no se column values but CI bounds: SEs are derived from them.
    assert all(rec["se"] is not None for rec in by_measure["D"])


def test_strata_file_with_flags_and_year_column_as_csv():
    text = run(str(shared_file(STRATA)), "--measures", "D,SII,BGV", "--applicable-only")
    out = pd.read_csv(io.StringIO(text))
    assert list(out.columns) == heat.OUTPUT_COLUMNS
    assert set(out["measure"]) == {"D", "SII", "BGV"}
    sii = out[out["measure"] == "SII"]
    done = sii[sii["reason"].isna()]
    assert len(done) >= 15 and (done["ci_lb"] < done["ci_ub"]).all()
    # A few strata lack populations, and the fertility rate (TFR) is not a share that a logit model
    # can fit: those say so instead of stopping the batch.
    assert set(sii["reason"].dropna()) <= {"Befolkningsstorlek saknas", "Skattning utanför indikatorns skala"}


def test_options_set_missing_flags(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "setting,date,indicator_abbr,dimension,subgroup,estimate,se,population\n"
        "Borås,2024,lowinc,Områdestyp,1,30,2,1000\n"
        "Borås,2024,lowinc,Områdestyp,2,20,2,1000\n"
        "Borås,2024,lowinc,Områdestyp,3,10,2,1000\n",
        encoding="utf-8",
    )
    favourable = pd.read_csv(io.StringIO(run(str(path), "--measures", "D,SII", "--ordered", "Områdestyp")))
    adverse = pd.read_csv(
        io.StringIO(run(str(path), "--measures", "D", "--ordered", "Områdestyp", "--adverse", "lowinc"))
    )
    assert favourable.set_index("measure").loc["D", "estimate"] == pytest.approx(10 - 30)
    assert adverse.set_index("measure").loc["D", "estimate"] == pytest.approx(30 - 10)
    assert favourable.set_index("measure").loc["SII", "estimate"] < 0
    out = tmp_path / "out.json"
    run(str(path), "--format", "json", "--output", str(out), "--scale", "1000")
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 21


def test_bad_input_is_a_clear_error_and_nothing_is_written(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "setting,date,indicator_abbr,dimension,subgroup,estimate,se,population\n"
        "A,2020,x,Sex,F,12,1,-5\n"
        "A,2020,x,Sex,M,abc,1,5\n"
        "A,2020,x,Sex,M,3,1,5\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError) as info:
        run(str(path), "--output", str(out))
    text = str(info.value)
    assert "rad 2: population" in text and "rad 3: estimate" in text and "subgroup" in text
    assert not out.exists()
    with pytest.raises(InputError, match="estimate"):
        heat.read_heat(io.StringIO("setting,date,indicator_abbr,dimension,subgroup\nA,1,x,y,z\n"))
