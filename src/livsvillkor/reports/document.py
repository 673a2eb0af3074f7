"""The report document model: plain dataclasses, no formatting and no Django.

A :class:`Report` is a tree of :class:`Section` objects, each holding a list of blocks. Every block
type has a ``block_type`` the renderers dispatch on. Texts are plain text (the HTML renderer escapes them).

Table cells (:data:`Cell`) are numbers, text, ``None`` (missing, shown as ``–``) or the string
:data:`SUPPRESSED` (``..``, a value withheld by disclosure control). Numbers stay numbers so the XLSX
holds real numbers and the HTML formats them the Swedish way.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from livsvillkor.charts import Chart
from livsvillkor.charts.formatting import SUPPRESSED
from livsvillkor.followup.rules import GoalAssessment

Cell = str | int | float | None

__all__ = [
    "SUPPRESSED",
    "Assessment",
    "AssessmentRow",
    "AssessmentTable",
    "Block",
    "Cell",
    "ChartBlock",
    "DefinitionList",
    "DocumentError",
    "Notice",
    "Paragraph",
    "Report",
    "Section",
    "Snapshot",
    "Statement",
    "TableBlock",
]


class DocumentError(ValueError):
    """The document is malformed (duplicate ids, skipped heading levels, ragged tables)."""


# The four assessments (bedömning) of an effektmål, as the follow-up rules compute them.
Assessment = GoalAssessment


@dataclass
class Paragraph:
    block_type: ClassVar[str] = "paragraph"
    text: str


@dataclass
class Statement:
    """A generated sentence about the statistics (see :mod:`.statements`)."""

    block_type: ClassVar[str] = "statement"
    text: str
    kind: str = "trend"  # trend | gap | benchmark | assessment


@dataclass
class Notice:
    """A boxed notice, e.g. the example-data notice."""

    block_type: ClassVar[str] = "notice"
    text: str
    level: str = "info"  # info | warning


@dataclass
class ChartBlock:
    """A chart with its data table and summary; ``source`` is its attribution line (``Källa: SCB``)."""

    block_type: ClassVar[str] = "chart"
    chart: Chart
    source: str = ""
    unit: str = ""
    decimals: int = 1


@dataclass
class TableBlock:
    block_type: ClassVar[str] = "table"
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    numeric: list[bool] = field(default_factory=list)
    decimals: int = 1
    source: str = ""
    id: str = ""


@dataclass
class AssessmentRow:
    code: str
    text: str
    assessment: Assessment
    justification: str = ""


@dataclass
class AssessmentTable:
    """The summary table of effektmål with their assessment (positiv / oförändrad / …)."""

    block_type: ClassVar[str] = "assessment_table"
    caption: str
    rows: list[AssessmentRow]
    id: str = ""


@dataclass
class DefinitionList:
    block_type: ClassVar[str] = "definitions"
    items: list[tuple[str, str]]
    caption: str = ""


Block = Paragraph | Statement | Notice | ChartBlock | TableBlock | AssessmentTable | DefinitionList


@dataclass
class Section:
    id: str
    title: str
    level: int = 1
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    page_break_before: bool = False
    in_toc: bool = True

    def walk(self) -> Iterator[Section]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Snapshot:
    """What a generated report was made from: a hash of its content and the code version."""

    data_hash: str
    code_version: str
    git_commit: str

    @property
    def short_hash(self) -> str:
        return self.data_hash[:16]

    @property
    def label(self) -> str:
        commit = self.git_commit[:12] if self.git_commit != "unknown" else "okänd"
        return f"Dataunderlag sha256:{self.short_hash} · programversion {self.code_version} (git {commit})"


@dataclass
class Report:
    title: str
    subtitle: str = ""
    period_label: str = ""
    language: str = "sv"
    sections: list[Section] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    attributions: list[str] = field(default_factory=list)
    organisation: str = ""
    snapshot: Snapshot | None = None
    generated_at: datetime | None = None  # never part of the snapshot hash

    def walk(self) -> Iterator[Section]:
        for section in self.sections:
            yield from section.walk()

    def blocks(self) -> Iterator[tuple[Section, Block]]:
        for section in self.walk():
            for block in section.blocks:
                yield section, block

    def charts(self) -> list[ChartBlock]:
        return [b for _s, b in self.blocks() if isinstance(b, ChartBlock)]

    def validate(self) -> None:
        """Raise :class:`DocumentError` naming every problem a renderer would trip over."""
        problems: list[str] = []
        seen_sections: set[str] = set()
        seen_charts: set[str] = set()

        def check(section: Section, expected_level: int, path: str) -> None:
            where = f"{path}/{section.id or '?'}"
            if not section.id:
                problems.append(f"{where}: section '{section.title}' has no id")
            elif section.id in seen_sections:
                problems.append(f"{where}: duplicate section id '{section.id}'")
            seen_sections.add(section.id)
            if section.level != expected_level:
                problems.append(
                    f"{where}: level {section.level}, expected {expected_level} (heading levels may not skip)"
                )
            if section.level > 5:
                problems.append(f"{where}: level {section.level} is deeper than 5")
            for i, block in enumerate(section.blocks):
                if isinstance(block, ChartBlock):
                    if block.chart.id in seen_charts:
                        problems.append(f"{where}: block {i}: duplicate chart id '{block.chart.id}'")
                    seen_charts.add(block.chart.id)
                elif isinstance(block, TableBlock):
                    problems.extend(_table_problems(block, f"{where}: block {i}"))
            for child in section.children:
                check(child, expected_level + 1, where)

        for section in self.sections:
            check(section, 1, "")
        if problems:
            raise DocumentError("The report document is malformed:\n  " + "\n  ".join(problems))


def _table_problems(table: TableBlock, where: str) -> list[str]:
    problems = []
    width = len(table.columns)
    if table.numeric and len(table.numeric) != width:
        problems.append(
            f"{where}: table '{table.caption}' has {width} columns but {len(table.numeric)} numeric flags"
        )
    for r, row in enumerate(table.rows, start=1):
        if len(row) != width:
            problems.append(
                f"{where}: table '{table.caption}' row {r} has {len(row)} cells, expected {width}"
            )
        for c, cell in enumerate(row, start=1):
            if isinstance(cell, float) and math.isinf(cell):
                problems.append(f"{where}: table '{table.caption}' row {r} column {c}: infinite value")
            elif cell is not None and not isinstance(cell, str | int | float):
                problems.append(
                    f"{where}: table '{table.caption}' row {r} column {c}: unsupported cell type "
                    f"{type(cell).__name__}"
                )
    return problems


def is_missing(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell))
