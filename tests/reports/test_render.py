"""Document → HTML / PDF / XLSX round trips on a small hand-built report."""

import io
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from livsvillkor.reports.document import ChartBlock, Statement, TableBlock
from livsvillkor.reports.render_html import render_chart_svgs, render_html
from livsvillkor.reports.render_pdf import ChartFetcher, render_pdf
from livsvillkor.reports.render_xlsx import CONTENTS_SHEET, METHOD_SHEET, SheetNamer, render_xlsx
from livsvillkor.reports.snapshot import take_snapshot
from tests.conftest import skip_or_fail

from . import pdfread
from .documents import small_report


class Outline(HTMLParser):
    """Collects headings, ids, links, SVG roots and the element sequence of an HTML document."""

    def __init__(self):
        super().__init__()
        self.headings, self.ids, self.links, self.svgs, self.sequence = [], set(), [], [], []
        self.lang = None
        self._heading = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.sequence.append(tag)
        if tag == "html":
            self.lang = attrs.get("lang")
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self.links.append(attrs["href"][1:])
        if tag == "svg" and attrs.get("role") == "img":
            self.svgs.append(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data

    def handle_endtag(self, tag):
        if self._heading is not None and tag == f"h{self._heading[0]}":
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None


@pytest.fixture(scope="module")
def report():
    report = small_report()
    take_snapshot(report)
    return report


@pytest.fixture(scope="module")
def svgs(report):
    return render_chart_svgs(report)


@pytest.fixture(scope="module")
def html(report, svgs):
    return render_html(report, svgs)


@pytest.fixture(scope="module")
def pdf(report, svgs):
    return render_pdf(report, svgs)


@pytest.fixture(scope="module")
def pdf_text(pdf, tmp_path_factory):
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (Debian poppler-utils) is not installed")
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


# --- HTML -------------------------------------------------------------------------------------------


def test_html_is_swedish_with_one_h1_and_no_skipped_heading_levels(html):
    outline = Outline()
    outline.feed(html)
    assert outline.lang == "sv"
    levels = [level for level, _ in outline.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    titles = [title for _, title in outline.headings]
    assert "Målområde 2: Förutsättningar för arbete" in titles
    assert "Andel sysselsatta 20–64 år" in titles


def test_html_table_of_contents_links_to_existing_sections(html):
    outline = Outline()
    outline.feed(html)
    assert {"sammanfattning", "malomrade-2", "effektmal-2-2"} <= set(outline.links)
    assert set(outline.links) <= outline.ids


def test_html_charts_are_inline_svg_with_alt_text_then_summary_and_table(report, html):
    outline = Outline()
    outline.feed(html)
    charts = report.charts()
    assert len(outline.svgs) == len(charts) == 2
    for attrs, block in zip(outline.svgs, charts, strict=True):
        assert attrs["aria-label"] == block.chart.alt_text
        start = html.index(f'id="chart-{block.chart.id}"')
        after = html[start:]
        svg_at = after.index("<svg")
        summary_at = after.index(block.chart.summary.replace("'", "&#x27;"))
        table_at = after.index("<table")
        assert svg_at < summary_at < table_at


def test_html_shows_numbers_the_swedish_way_and_suppressed_as_dots(html):
    assert "76,2" in html or "76,3" in html  # 76.25 at one decimal
    assert "1\u202f234" in html
    assert re.search(r'<td class="num suppressed">\.\.</td>', html)
    assert "Exempeldata – inte officiell statistik" in html
    assert "Källa: SCB" in html


def test_html_has_print_rules_and_the_snapshot(report, html):
    assert "counter(page)" in html and "counter(pages)" in html
    assert "target-counter(attr(href), page)" in html
    assert "string-set: chapter" in html
    assert "break-before: page" in html
    assert f"sha256:{report.snapshot.data_hash}" in html


def test_html_escapes_text(report, svgs):
    report.sections[0].title = "Sammanfattning <script>alert(1)</script>"
    try:
        document = render_html(report, svgs)
    finally:
        report.sections[0].title = "Sammanfattning"
    assert "<script>alert(1)</script>" not in document
    assert "&lt;script&gt;" in document


# --- PDF --------------------------------------------------------------------------------------------


def test_pdf_is_tagged_with_swedish_language_and_title(pdf):
    assert pdf.startswith(b"%PDF-")
    catalog = pdfread.catalog(pdf)
    assert "/StructTreeRoot" in catalog
    assert "/MarkInfo <</Marked true>>" in catalog
    assert "/Lang (sv)" in catalog
    assert "/Outlines" in catalog
    assert pdfread.info_title(pdf).startswith("Uppföljning 2025")


def test_pdf_bookmarks_follow_the_headings(pdf):
    titles = pdfread.outline_titles(pdf)
    for expected in (
        "Sammanfattning",
        "Målområde 2: Förutsättningar för arbete",
        "Effektmål 2.2: Alla i arbete",
        "Andel sysselsatta 20–64 år",
    ):
        assert expected in titles
    assert "Uppföljning 2025" not in titles  # the cover title is not a bookmark


def test_pdf_charts_are_figures_with_alt_text(report, pdf):
    alts = pdfread.figure_alts(pdf)
    assert sorted(alts) == sorted(block.chart.alt_text for block in report.charts())


def test_pdf_text_has_headings_numbers_toc_page_numbers_and_snapshot(report, pdf_text):
    text = flat(pdf_text)
    assert "Målområde 2: Förutsättningar för arbete" in text
    assert "I Borås ska alla, även utsatta grupper, finnas i arbete" in text
    assert re.search(r"Effektmål 2\.2: Alla i arbete \.{3,} \d+", text)  # TOC with page number
    assert re.search(r"Sida \d+ av \d+", text)
    assert "78,0 % (76,5–79,5)" in text.replace("\u00a0", " ")
    assert ".." in text
    assert report.snapshot.data_hash in pdf_text.replace("\n", "").replace(" ", "")


def test_pdf_fetcher_refuses_every_other_url():
    fetcher = ChartFetcher({"a": "<svg/>"})
    for url in ("https://example.org/x.svg", "file:///etc/passwd", "livsvillkor-chart:b.svg"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("livsvillkor-chart:a.svg").read() == b"<svg/>"


# --- XLSX -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook(report):
    return load_workbook(io.BytesIO(render_xlsx(report)))


def sheet_values(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_xlsx_has_contents_method_and_one_sheet_per_chart_and_table(report, workbook):
    names = workbook.sheetnames
    assert names[:2] == [CONTENTS_SHEET, METHOD_SHEET]
    tables = [b for _s, b in report.blocks() if isinstance(b, ChartBlock | TableBlock)]
    statements = any(isinstance(b, Statement) for _s, b in report.blocks())
    assert statements
    assert len(names) == 2 + len(tables) + 1 + 1  # + the assessment table and the statements
    assert names[-1] == "Formuleringar"
    assert all(len(name) <= 31 for name in names)
    assert len({n.casefold() for n in names}) == len(names)
    listed = [row[0] for row in sheet_values(workbook[CONTENTS_SHEET])]
    assert set(names[1:]) <= set(listed)


def test_xlsx_chart_sheets_hold_the_chart_numbers(report, workbook):
    for block in report.charts():
        ws = next(workbook[n] for n in workbook.sheetnames if workbook[n]["A1"].value == block.chart.title)
        cells = [v for row in sheet_values(ws) for v in row]
        numbers = {round(v, 6) for v in cells if isinstance(v, int | float)}
        data = block.chart.data
        shown = data[~data["suppressed"]]
        for column in ("value", "ci_low", "ci_high"):
            for value in shown[column]:
                assert round(float(value), 6) in numbers, (block.chart.id, column, value)
        hidden = data[data["suppressed"]]
        assert cells.count("..") >= 3 * len(hidden)  # value and both CI bounds
        assert "Källa: SCB" in cells


def test_xlsx_table_sheet_keeps_numbers_as_numbers_and_suppressed_as_dots_with_a_note(workbook):
    ws = next(
        workbook[n]
        for n in workbook.sheetnames
        if workbook[n]["A1"].value == "Sysselsatta efter kön, procent"
    )
    rows = sheet_values(ws)
    header = rows.index(["År", "Kvinnor", "Män", "Antal"])
    assert rows[header + 1] == ["2021", 76.25, 79.5, 1234]
    assert rows[header + 2] == ["2023", 12.5, "..", 987]
    suppressed = ws.cell(row=header + 3, column=3)
    assert suppressed.comment is not None and "sekretess" in suppressed.comment.text
    assert ws.cell(row=header + 2, column=2).number_format == "0.0"
    flat_cells = [v for row in rows for v in row if v]
    assert any(str(v).startswith(".. = ") for v in flat_cells)


def test_xlsx_method_sheet_has_attribution_notice_and_snapshot(report, workbook):
    cells = [v for row in sheet_values(workbook[METHOD_SHEET]) for v in row if v]
    assert "Källa: SCB" in cells
    assert "Exempeldata – inte officiell statistik" in cells
    assert f"sha256:{report.snapshot.data_hash}" in cells


def test_sheet_names_are_short_valid_and_unique():
    namer = SheetNamer(reserved=["Innehåll"])
    names = [namer(t) for t in ["Andel [%] per område: 2023/24?", "x" * 80, "x" * 80, "Innehåll", ""]]
    assert all(len(n) <= 31 for n in names)
    assert len(set(names)) == len(names)
    assert not any(set("[]:*?/\\") & set(n) for n in names)
    assert names[0] == "01 Andel % per område 2023 24"
