"""The follow-up report built from the Borås målbild in the database, through the command."""

import io
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from livsvillkor.core.errors import InputError
from livsvillkor.framework.models import EffectGoal, Indicator, IndicatorGoalLink
from livsvillkor.reports.models import GeneratedReport
from livsvillkor.reports.services import (
    NO_INDICATORS,
    build_followup_document,
    indicator_section,
    render_report,
)
from tests.conftest import skip_or_fail

from . import pdfread

pytestmark = pytest.mark.django_db

INDICATORS = [
    # code, name, source type, goals (first is primary)
    ("sysselsatta-20-64", "Andel sysselsatta 20–64 år", "scb", ["2.2", "2.1"]),
    ("gymnasiebehorighet", "Elever i åk 9 som är behöriga till gymnasiet", "kolada", ["1.2"]),
    ("ekonomiskt-bistand", "Invånare med långvarigt ekonomiskt bistånd", "kolada", ["2.2"]),
    ("trangboddhet", "Trångbodda barn (norm 3)", "derived", ["3.2", "3.4"]),
    ("trygghet", "Upplevd trygghet i bostadsområdet", "survey", ["3.4"]),
]


@pytest.fixture
def indicators(boras_framework):
    goals = {g.code: g for g in EffectGoal.objects.filter(target_area__framework=boras_framework)}
    created = []
    for code, name, source, goal_codes in INDICATORS:
        indicator = Indicator.objects.create(
            code=code,
            name=name,
            definition=f"Definition av {name.lower()}.",
            unit="%",
            value_type="proportion",
            polarity="higher" if code != "ekonomiskt-bistand" else "lower",
            source_type=source,
            source_name="Trygghetsenkäten" if source == "survey" else "",
            scb_table="AM0207" if source == "scb" else "",
            kolada_id="N15428" if source == "kolada" else "",
            suppression_min_numerator=5 if code != "trygghet" else 7,
            suppression_min_denominator=10 if code != "trygghet" else 30,
            area_development=code == "trygghet",
        )
        for i, goal_code in enumerate(goal_codes):
            IndicatorGoalLink.objects.create(
                indicator=indicator, effect_goal=goals[goal_code], primary=i == 0
            )
        created.append(indicator)
    return created


@pytest.fixture
def rendered(indicators):
    report = build_followup_document("2025", example_data=True)
    return render_report(report, ["html", "pdf", "xlsx"])


def pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (Debian poppler-utils) is not installed")
    path = tmp_path / "followup.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_structure_follows_the_malbild(boras_framework, indicators):
    report = build_followup_document("2025")
    top = [s.id for s in report.sections]
    assert top[:2] == ["lasanvisning", "sammanfattning"]
    assert top[2:5] == ["malomrade-1", "malomrade-2", "malomrade-3"]
    assert top[-1] == "metod"
    guide = report.sections[0]
    terms = [term for block in guide.blocks if block.block_type == "definitions" for term, _ in block.items]
    assert terms == ["Positiv", "Oförändrad", "Negativ", "Kan inte bedömas"]
    goals = [s for s in report.walk() if s.id.startswith("effektmal-") and s.level == 2]
    assert [s.id for s in goals][:2] == ["effektmal-1-1", "effektmal-1-2"]
    assert len(goals) == 13
    goal_22 = next(s for s in goals if s.id == "effektmal-2-2")
    # Effektmål text verbatim, and the linked indicators (primary links first, then by code).
    assert goal_22.blocks[0].text == EffectGoal.objects.get(code="2.2").text
    assert [c.title for c in goal_22.children] == [
        "Invånare med långvarigt ekonomiskt bistånd",
        "Andel sysselsatta 20–64 år",
    ]
    goal_21 = next(s for s in goals if s.id == "effektmal-2-1")
    assert [c.id for c in goal_21.children] == ["effektmal-2-1-sysselsatta-20-64"]
    goal_34 = next(s for s in goals if s.id == "effektmal-3-4")
    assert [c.title for c in goal_34.children] == [
        "Upplevd trygghet i bostadsområdet",
        "Trångbodda barn (norm 3)",
    ]
    goal_11 = next(s for s in goals if s.id == "effektmal-1-1")
    assert [b.text for b in goal_11.blocks][-1] == NO_INDICATORS and not goal_11.children
    assert report.notices == []
    assert report.attributions == [
        "Källa: Kolada",
        "Källa: SCB",
        "Beräkning: Borås Stad",
        "Källa: Trygghetsenkäten",
    ]


def test_indicator_section_renders_the_metadata(indicators):
    section = indicator_section(indicators[0], "2025")
    items = dict(next(b for b in section.blocks if b.block_type == "definitions").items)
    statements = [b.text for b in section.blocks if b.block_type == "statement"]
    assert statements == ["Andel sysselsatta 20–64 år kan inte bedömas: för få publicerade värden."]
    assert section.title == "Andel sysselsatta 20–64 år"
    assert items["Definition"] == "Definition av andel sysselsatta 20–64 år."
    assert items["Källa"] == "Källa: SCB, AM0207"
    assert items["Enhet"] == "%"
    assert items["Polaritet"] == "högre är bättre"
    assert items["Värdetyp"] == "andel"


def test_summary_table_says_why_a_goal_cannot_be_assessed_yet(indicators):
    report = build_followup_document("2025")
    summary = next(s for s in report.sections if s.id == "sammanfattning")
    rows = {
        row.code: row
        for block in summary.blocks
        if block.block_type == "assessment_table"
        for row in block.rows
    }
    assert len(rows) == 13
    assert rows["1.1"].justification == NO_INDICATORS
    assert rows["2.2"].justification.startswith(
        "0 förbättring(ar), 0 försämring(ar), 0 utan säkerställd förändring och 2 som inte kan bedömas"
    )
    assert {row.assessment.label for row in rows.values()} == {"Kan inte bedömas"}


def test_pdf_names_every_effect_goal_and_indicator(rendered, tmp_path):
    text = pdf_text(rendered.files["pdf"], tmp_path)
    for goal in EffectGoal.objects.all():
        assert goal.text in text, goal.code
    for _code, name, _source, _goals in INDICATORS:
        assert name in text
    assert "Exempeldata – inte officiell statistik" in text
    assert "Källa: Kolada" in text and "Beräkning: Borås Stad" in text
    assert "Kan inte bedömas" in text


def test_pdf_is_tagged_and_has_target_area_bookmarks(rendered):
    pdf = rendered.files["pdf"]
    catalog = pdfread.catalog(pdf)
    assert (
        "/StructTreeRoot" in catalog and "/MarkInfo <</Marked true>>" in catalog and "/Lang (sv)" in catalog
    )
    titles = pdfread.outline_titles(pdf)
    for area in (
        "God start i livet och goda uppväxtvillkor",
        "Förutsättningar för arbete",
        "Boende och närmiljö",
    ):
        assert any(area in title for title in titles), area
    assert sum(1 for t in titles if t.startswith("Effektmål ")) == 13
    assert "Metodbilaga" in titles


def test_xlsx_holds_the_table_numbers(rendered):
    wb = load_workbook(io.BytesIO(rendered.files["xlsx"]))
    ws = next(
        wb[n] for n in wb.sheetnames if wb[n]["A1"].value == "Gränser för röjandekontroll per indikator"
    )
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert ["Upplevd trygghet i bostadsområdet", 7, 30] in rows
    assert ["Andel sysselsatta 20–64 år", 5, 10] in rows
    assessment_sheets = [n for n in wb.sheetnames if wb[n]["A1"].value.startswith("Målområde ")]
    assert len(assessment_sheets) == 3


def test_snapshot_is_the_same_when_generated_again_and_changes_with_the_data(indicators):
    first = render_report(build_followup_document("2025"), ["xlsx"]).report.snapshot
    again = render_report(build_followup_document("2025"), ["xlsx"]).report.snapshot
    assert first.data_hash == again.data_hash
    Indicator.objects.filter(code="trygghet").update(suppression_min_denominator=31)
    changed = render_report(build_followup_document("2025"), ["xlsx"]).report.snapshot
    assert changed.data_hash != first.data_hash


def test_command_writes_the_files(indicators, tmp_path):
    out = io.StringIO()
    call_command(
        "report", "followup", "--period", "2025", "--format", "html,xlsx", "--out", str(tmp_path), stdout=out
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["followup-2025.html", "followup-2025.xlsx"]
    html = (tmp_path / "followup-2025.html").read_text(encoding="utf-8")
    snapshot = re.search(r"Snapshot: sha256:([0-9a-f]{64})", out.getvalue()).group(1)
    assert f"sha256:{snapshot}" in html
    assert '<html lang="sv">' in html
    record = GeneratedReport.objects.get()
    assert (record.kind, record.period, record.data_hash, record.formats) == (
        "followup",
        "2025",
        snapshot,
        "html,xlsx",
    )


def test_generating_again_on_unchanged_data_reports_the_same_snapshot(indicators, tmp_path):
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        call_command(
            "report", "followup", "--period", "2025", "--format", "xlsx", "--out", str(tmp_path), stdout=out
        )
        outputs.append(out.getvalue())
    first, second = GeneratedReport.objects.order_by("id")
    assert first.data_hash == second.data_hash
    assert second.previous() == first
    assert "Same content as the report generated" in outputs[1]
    Indicator.objects.filter(code="trygghet").update(name="Upplevd trygghet i området")
    out = io.StringIO()
    call_command(
        "report", "followup", "--period", "2025", "--format", "xlsx", "--out", str(tmp_path), stdout=out
    )
    assert "Content changed since the report generated" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--period", "20x5", "--format", "pdf"], "--period"),
        (["--period", "2025", "--format", "pdf,docx"], "'docx'"),
        (["--period", "1850", "--format", "html"], "between 1990 and 2100"),
    ],
)
def test_command_refuses_bad_arguments_and_writes_nothing(boras_framework, tmp_path, args, expected):
    out = tmp_path / "out"
    with pytest.raises(CommandError, match=re.escape(expected)):
        call_command("report", "followup", *args, "--out", str(out))
    assert not out.exists()
    assert not GeneratedReport.objects.exists()


def test_no_malbild_is_a_clear_error(db):
    with pytest.raises(InputError) as excinfo:
        build_followup_document("2025")
    assert "load-framework" in str(excinfo.value)


def test_a_malbild_that_starts_later_is_not_followed_up(boras_framework):
    with pytest.raises(InputError, match="No målbild"):
        build_followup_document("2019")


def test_an_output_path_that_is_a_file_is_refused(boras_framework, tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a directory")
    with pytest.raises(CommandError, match="not a directory"):
        call_command("report", "followup", "--period", "2025", "--format", "html", "--out", str(target))
    assert target.read_text() == "not a directory"
    assert not GeneratedReport.objects.exists()
