"""The follow-up report generated on the Borås demo database (``livsvillkor demo``'s steps).

One module-scoped run: the demo, then the report with one indicator per effektmål (the primary
one) plus the områdesutveckling areas, rendered to HTML, PDF and XLSX once and checked by every
test here. The database is flushed afterwards so other modules start empty.
"""

import io
import math
import re
import shutil
import subprocess
from io import StringIO

import pandas as pd
import pytest
from django.core.cache import cache
from django.core.management import call_command
from openpyxl import load_workbook

from livsvillkor.core import demo
from livsvillkor.followup import services as followup
from livsvillkor.framework.models import EffectGoal, Indicator, IndicatorGoalLink
from livsvillkor.reports.document import ChartBlock, Statement, TableBlock
from livsvillkor.reports.services import build_followup_document, render_report
from tests.conftest import shared_file, skip_or_fail

from . import pdfread

pytestmark = pytest.mark.django_db

CHANGE_WORDS = re.compile(r"\b(ökade|minskade|ökning|minskning)\b")


@pytest.fixture(scope="module")
def demo_report(django_db_setup, django_db_blocker):
    key = shared_file(demo.KEY_TABLE)
    with django_db_blocker.unblock():
        cache.clear()
        try:
            call_command("demo", "--areas-key", str(key), stdout=StringIO(), stderr=StringIO())
            primary = set(
                IndicatorGoalLink.objects.filter(primary=True)
                .order_by("effect_goal__code", "indicator__code")
                .values_list("indicator_id", flat=True)
            )
            # Keep the runtime modest: the primary indicators of the 13 effektmål only.
            Indicator.objects.exclude(pk__in=primary).update(is_active=False)
            cache.clear()
            document = build_followup_document("2025")
            rendered = render_report(document, ["html", "pdf", "xlsx"])
            statuses = {
                i.code: followup.indicator_status(i) for i in Indicator.objects.filter(is_active=True)
            }
            names = list(Indicator.objects.filter(is_active=True).values_list("name", flat=True))
            goals = list(EffectGoal.objects.values_list("code", "text"))
            yield rendered, statuses, names, goals
        finally:
            call_command("flush", interactive=False, verbosity=0)
            cache.clear()


@pytest.fixture(scope="module")
def pdf_text(demo_report, tmp_path_factory):
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (Debian poppler-utils) is not installed")
    path = tmp_path_factory.mktemp("pdf") / "followup.pdf"
    path.write_bytes(demo_report[0].files["pdf"])
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_pdf_names_all_13_effect_goals_and_every_indicator(demo_report, pdf_text):
    _rendered, _statuses, names, goals = demo_report
    assert len(goals) == 13
    for code, text in goals:
        assert f"Effektmål {code}" in pdf_text
        assert " ".join(text.split()) in pdf_text, code
    assert len(names) >= 10
    for name in names:
        assert " ".join(name.split()) in pdf_text, name
    assert "Exempeldata – inte officiell statistik" in pdf_text
    snapshot = demo_report[0].report.snapshot
    assert snapshot.short_hash in pdf_text


def test_pdf_is_tagged_with_bookmarks_and_chart_alt_texts(demo_report):
    rendered = demo_report[0]
    pdf = rendered.files["pdf"]
    catalog = pdfread.catalog(pdf)
    assert (
        "/StructTreeRoot" in catalog and "/MarkInfo <</Marked true>>" in catalog and "/Lang (sv)" in catalog
    )
    titles = pdfread.outline_titles(pdf)
    assert sum(1 for t in titles if t.startswith("Effektmål ")) == 13
    assert "Områdesutveckling" in titles and "Metodbilaga" in titles
    alts = pdfread.figure_alts(pdf)
    assert len(alts) == len(rendered.report.charts())
    assert all(alt.strip() for alt in alts)


def test_every_indicator_has_a_trend_chart_statements_and_a_short_table(demo_report):
    report = demo_report[0].report
    full = [s for s in report.walk() if s.level == 3 and any(isinstance(b, ChartBlock) for b in s.blocks)]
    assert {s.title for s in full} == set(demo_report[2])
    for section in full:
        kinds = [b.kind for b in section.blocks if isinstance(b, Statement)]
        assert "trend" in kinds, section.id
        assert any(isinstance(b, TableBlock) for b in section.blocks), section.id
    # the gap statement (SII/D) and a benchmark against Sweden where the data has them
    assert any("Skillnaden mellan" in b.text for _s, b in report.blocks() if isinstance(b, Statement))
    statuses = {Indicator.objects.get(code=c).name: st for c, st in demo_report[1].items()}
    for section in full:
        status = statuses[section.title]
        benchmarks = [b.text for b in section.blocks if isinstance(b, Statement) and b.kind == "benchmark"]
        if status.benchmark:  # Sweden has a value for the latest period
            assert any(status.benchmark["area"] in text for text in benchmarks), section.id
    # the area profiles of the områdesutveckling areas, each with its spine chart
    development = next(s for s in report.sections if s.id == "omradesutveckling")
    assert development.children
    for child in development.children:
        assert any(isinstance(b, ChartBlock) for b in child.blocks), child.id


def test_a_change_that_is_not_significant_is_not_called_an_increase_or_decrease(demo_report, pdf_text):
    report, statuses = demo_report[0].report, demo_report[1]
    by_name = {Indicator.objects.get(code=code).name: status for code, status in statuses.items()}
    checked = 0
    for section in report.walk():
        status = by_name.get(section.title)
        if status is None:
            continue
        trend = next(b.text for b in section.blocks if isinstance(b, Statement) and b.kind == "trend")
        if status.trend.significant is not True:
            assert not CHANGE_WORDS.search(trend), trend
            assert "oförändrad" in trend or "kan inte bedömas" in trend, trend
            assert re.sub(r"\s", "", trend) in re.sub(r"\s", "", pdf_text)  # lines may break at "/"
            checked += 1
        else:
            assert "statistiskt säkerställd" in trend, trend
    assert checked, "the demo data should have at least one indicator without a significant trend"


def _number_cells(ws) -> list[float]:
    return [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, int | float)]


def test_xlsx_holds_the_numbers_shown(demo_report):
    rendered = demo_report[0]
    wb = load_workbook(io.BytesIO(rendered.files["xlsx"]))
    sheets = {wb[n]["A1"].value: wb[n] for n in wb.sheetnames}
    report = rendered.report
    for _section, block in report.blocks():
        if isinstance(block, ChartBlock):
            ws = sheets[block.chart.title]
            values = pd.to_numeric(block.chart.data.get("value", pd.Series(dtype=float)), errors="coerce")
            shown = [float(v) for v in values if not math.isnan(v)]
            cells = _number_cells(ws)
            for value in shown:
                assert any(math.isclose(value, c, rel_tol=1e-9, abs_tol=1e-9) for c in cells), (
                    block.chart.title,
                    value,
                )
        elif isinstance(block, TableBlock):
            ws = sheets[block.caption]
            cells = _number_cells(ws)
            for row in block.rows:
                for cell in row:
                    if isinstance(cell, int | float) and not math.isnan(cell):
                        assert any(math.isclose(cell, c, abs_tol=1e-9) for c in cells), (block.caption, cell)
    statements = [b.text for _s, b in report.blocks() if isinstance(b, Statement)]
    texts = {row[2] for row in wb["Formuleringar"].iter_rows(values_only=True) if len(row) > 2}
    assert statements and set(statements) <= texts


def test_summary_shows_the_computed_proposal_per_effect_goal(demo_report):
    report = demo_report[0].report
    summary = next(s for s in report.sections if s.id == "sammanfattning")
    rows = [row for b in summary.blocks if b.block_type == "assessment_table" for row in b.rows]
    assert len(rows) == 13
    for row in rows:
        goal = EffectGoal.objects.get(code=row.code)
        result = followup.effect_goal_proposal(goal).result
        assert row.assessment == result.assessment
        assert row.justification.startswith(result.explanation)
