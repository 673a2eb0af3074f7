"""A report's numbers as an XLSX workbook (openpyxl).

Sheets: ``Innehåll`` (what each sheet holds, with links), ``Källor och metod`` (attribution, notices,
the snapshot, how to read ``..``), then one sheet per chart, table and assessment table in document
order. Numbers are real numbers (full precision, displayed with the block's decimals); a suppressed
value is the text ``..`` with a cell comment and a note under the table.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from livsvillkor.charts.builders import COMPARISON_LABELS
from livsvillkor.charts.export import LABELS as COLUMN_LABELS  # the same headings as the chart downloads
from livsvillkor.charts.export import NUMBER_COLUMNS as VALUE_COLUMNS
from livsvillkor.reports.document import (
    SUPPRESSED,
    AssessmentTable,
    Cell,
    ChartBlock,
    Report,
    Section,
    Statement,
    TableBlock,
    is_missing,
)

CONTENTS_SHEET = "Innehåll"
METHOD_SHEET = "Källor och metod"
STATEMENTS_SHEET = "Formuleringar"
MAX_SHEET_NAME = 31
SUPPRESSED_NOTE = "Uppgiften redovisas inte av sekretesskäl (röjandekontroll)."
SUPPRESSED_LEGEND = ".. = uppgiften redovisas inte av sekretesskäl (röjandekontroll)."
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
_INVALID = re.compile(r"[\[\]:*?/\\]")


class SheetNamer:
    """Excel sheet names: at most 31 characters, no ``[]:*?/\\``, unique regardless of case."""

    def __init__(self, reserved: Iterable[str] = ()):
        self.used = {name.casefold() for name in reserved}
        self.count = 0

    def __call__(self, title: str) -> str:
        self.count += 1
        clean = " ".join(_INVALID.sub(" ", title).split()).strip("'") or "Blad"
        base = f"{self.count:02d} {clean}"[:MAX_SHEET_NAME].rstrip()
        name, n = base, 1
        while name.casefold() in self.used:
            n += 1
            suffix = f" ({n})"
            name = base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
        self.used.add(name.casefold())
        return name


def number_format(decimals: int) -> str:
    return "0" if decimals <= 0 else "0." + "0" * decimals


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _write_cell(ws: Worksheet, row: int, col: int, value: Cell, fmt: str | None = None) -> bool:
    """Write one cell; return True when it is a suppressed value (``..`` with a comment)."""
    cell = ws.cell(row=row, column=col)
    if value == SUPPRESSED:
        cell.value = SUPPRESSED
        cell.comment = Comment(SUPPRESSED_NOTE, "Livsvillkor")
        cell.alignment = Alignment(horizontal="right")
        return True
    if is_missing(value):
        cell.value = None
        return False
    cell.value = value
    if fmt and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = fmt
    return False


def _header(ws: Worksheet, title: str, lines: list[str]) -> int:
    ws.cell(row=1, column=1, value=title).font = TITLE
    row = 2
    for line in lines:
        if line:
            ws.cell(row=row, column=1, value=line)
            row += 1
    return row + 1


def _footer(ws: Worksheet, row: int, any_suppressed: bool, source: str, attributions: list[str]) -> None:
    row += 1
    if any_suppressed:
        ws.cell(row=row, column=1, value=SUPPRESSED_LEGEND)
        row += 1
    for line in [source] if source else attributions:
        ws.cell(row=row, column=1, value=line)
        row += 1


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(60, width + 2))


def _chart_sheet(ws: Worksheet, block: ChartBlock, section: Section, attributions: list[str]) -> None:
    chart = block.chart
    data: pd.DataFrame = chart.data
    columns = [c for c in data.columns if c != "suppressed"]
    columns = [
        c
        for c in columns
        if not (c in ("ci_low", "ci_high") and data[c].isna().all())
        and not (c == "group" and (data[c].fillna("") == "").all())
    ]
    unit = f" ({block.unit})" if block.unit else ""
    row = _header(ws, chart.title, [chart.summary, f"Avsnitt: {section.title}"])
    for col, name in enumerate(columns, start=1):
        label = COLUMN_LABELS.get(name, name) + (unit if name in VALUE_COLUMNS else "")
        ws.cell(row=row, column=col, value=label).font = BOLD
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    fmt = number_format(block.decimals)
    suppressed = data["suppressed"] if "suppressed" in data else pd.Series(False, index=data.index)
    any_suppressed = False
    widths = [len(COLUMN_LABELS.get(c, c)) for c in columns]
    for record, hidden in zip(data[columns].itertuples(index=False, name=None), suppressed, strict=True):
        row += 1
        for col, (name, value) in enumerate(zip(columns, record, strict=True), start=1):
            value = _plain(value)
            if bool(hidden) and name in VALUE_COLUMNS:
                value = SUPPRESSED
            elif name == "comparison":
                value = COMPARISON_LABELS.get(value, value)
            any_suppressed |= _write_cell(ws, row, col, value, fmt)
            widths[col - 1] = max(widths[col - 1], len(str(value or "")))
    _widths(ws, widths)
    _footer(ws, row, any_suppressed, block.source, attributions)


def _table_sheet(ws: Worksheet, block: TableBlock, section: Section, attributions: list[str]) -> None:
    row = _header(ws, block.caption, [f"Avsnitt: {section.title}"])
    for col, name in enumerate(block.columns, start=1):
        ws.cell(row=row, column=col, value=name).font = BOLD
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    fmt = number_format(block.decimals)
    any_suppressed = False
    widths = [len(c) for c in block.columns]
    for values in block.rows:
        row += 1
        for col, value in enumerate(values, start=1):
            any_suppressed |= _write_cell(ws, row, col, value, fmt)
            widths[col - 1] = max(widths[col - 1], len(str(value if value is not None else "")))
    _widths(ws, widths)
    _footer(ws, row, any_suppressed, block.source, attributions)


def _assessment_sheet(ws: Worksheet, block: AssessmentTable, section: Section) -> None:
    row = _header(ws, block.caption, [f"Avsnitt: {section.title}"])
    for col, name in enumerate(["Kod", "Effektmål", "Bedömning", "Motivering"], start=1):
        ws.cell(row=row, column=col, value=name).font = BOLD
    for item in block.rows:
        row += 1
        for col, value in enumerate(
            [item.code, item.text, item.assessment.label, item.justification], start=1
        ):
            ws.cell(row=row, column=col, value=value).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(ws, [6, 60, 16, 50])


def _method_sheet(ws: Worksheet, report: Report) -> None:
    row = _header(ws, METHOD_SHEET, [report.title, report.subtitle, report.period_label])
    lines: list[tuple[str, str]] = []
    for attribution in report.attributions:
        lines.append(("Källa", attribution))
    for notice in report.notices:
        lines.append(("Observera", notice.text))
    lines.append(("..", SUPPRESSED_NOTE))
    lines.append(("Konfidensintervall", "95 %; kolumnerna nedre och övre anger intervallets gränser."))
    if report.snapshot:
        lines.append(("Dataunderlag", f"sha256:{report.snapshot.data_hash}"))
        lines.append(
            (
                "Programversion",
                f"Livsvillkor {report.snapshot.code_version} (git {report.snapshot.git_commit})",
            )
        )
    if report.generated_at:
        lines.append(("Skapad", report.generated_at.replace(tzinfo=None).isoformat(timespec="seconds")))
    for label, text in lines:
        ws.cell(row=row, column=1, value=label).font = BOLD
        ws.cell(row=row, column=2, value=text)
        row += 1
    _widths(ws, [16, 90])


STATEMENT_KINDS = {"trend": "Trend", "benchmark": "Jämförelse", "gap": "Skillnad", "assessment": "Bedömning"}


def _statements_sheet(ws: Worksheet, statements: list[tuple[Section, Statement]]) -> None:
    """Every generated sentence with its section, so the numbers in the texts are in the workbook too."""
    row = _header(ws, "Formuleringar om trender, jämförelser och skillnader", [])
    for col, name in enumerate(["Avsnitt", "Typ", "Text"], start=1):
        ws.cell(row=row, column=col, value=name).font = BOLD
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    for section, block in statements:
        row += 1
        ws.cell(row=row, column=1, value=section.title)
        ws.cell(row=row, column=2, value=STATEMENT_KINDS.get(block.kind, block.kind))
        ws.cell(row=row, column=3, value=block.text).alignment = Alignment(wrap_text=True)
    _widths(ws, [40, 12, 100])


def render_xlsx(report: Report) -> bytes:
    """Every chart, table and assessment table of ``report`` as one workbook."""
    report.validate()
    wb = Workbook()
    contents = wb.active
    contents.title = CONTENTS_SHEET
    method = wb.create_sheet(METHOD_SHEET)
    namer = SheetNamer(reserved=[CONTENTS_SHEET, METHOD_SHEET, STATEMENTS_SHEET])
    statements = [(section, block) for section, block in report.blocks() if isinstance(block, Statement)]
    entries: list[tuple[str, str, str]] = []
    for section, block in report.blocks():
        if isinstance(block, ChartBlock):
            title = block.chart.title
            ws = wb.create_sheet(namer(title))
            _chart_sheet(ws, block, section, report.attributions)
        elif isinstance(block, TableBlock):
            title = block.caption
            ws = wb.create_sheet(namer(title))
            _table_sheet(ws, block, section, report.attributions)
        elif isinstance(block, AssessmentTable):
            title = block.caption
            ws = wb.create_sheet(namer(title))
            _assessment_sheet(ws, block, section)
        else:
            continue
        entries.append((ws.title, title, section.title))

    row = _header(
        contents,
        report.title,
        [report.subtitle, report.period_label, report.snapshot.label if report.snapshot else ""],
    )
    for col, name in enumerate(["Blad", "Innehåll", "Avsnitt"], start=1):
        contents.cell(row=row, column=col, value=name).font = BOLD
    if statements:
        _statements_sheet(wb.create_sheet(STATEMENTS_SHEET), statements)
        entries.append((STATEMENTS_SHEET, "Formuleringar om trender, jämförelser och skillnader", ""))
    for sheet, title, section_title in [(METHOD_SHEET, METHOD_SHEET, ""), *entries]:
        row += 1
        link = contents.cell(row=row, column=1, value=sheet)
        link.hyperlink = f"#'{sheet}'!A1"
        link.style = "Hyperlink"
        contents.cell(row=row, column=2, value=title)
        contents.cell(row=row, column=3, value=section_title)
    _widths(contents, [MAX_SHEET_NAME, 60, 50])
    _method_sheet(method, report)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
