"""A small hand-built report with two charts, a table with a suppressed cell and an assessment table."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from livsvillkor.charts import area_bars, trend_chart
from livsvillkor.reports.document import (
    SUPPRESSED,
    Assessment,
    AssessmentRow,
    AssessmentTable,
    ChartBlock,
    DefinitionList,
    Notice,
    Paragraph,
    Report,
    Section,
    Statement,
    TableBlock,
)

TREND_VALUES = [78.04, 79.21, 80.13, 55.5, 57.25, 58.75]


def trend_frame(values=TREND_VALUES):
    return pd.DataFrame(
        {
            "period": [2019, 2021, 2023] * 2,
            "series": ["Borås"] * 3 + ["Norrby"] * 3,
            "value": values,
            "ci_low": [v - 1.5 for v in values],
            "ci_high": [v + 1.5 for v in values],
            "suppressed": [False] * 5 + [True],
        }
    )


def small_report(trend_values=TREND_VALUES, table_value=12.5, generated_at=None) -> Report:
    trend = trend_chart(
        trend_frame(trend_values),
        chart_id="sysselsatta-trend",
        title="Sysselsatta 20–64 år över tid",
        subject="andelen sysselsatta 20–64 år",
        unit="%",
    )
    bars = area_bars(
        pd.DataFrame(
            {
                "area": ["Norrby", "Centrum", "Sjöbo"],
                "value": [61.25, 83.5, 74.0],
                "ci_low": [58.0, 81.0, 71.0],
                "ci_high": [64.5, 86.0, 77.0],
                "suppressed": [False, False, True],
                "comparison": ["worse", "better", "similar"],
            }
        ),
        chart_id="sysselsatta-omraden",
        title="Sysselsatta 20–64 år per kommundel 2023",
        subject="andelen sysselsatta 20–64 år",
        unit="%",
        benchmark=80.13,
        benchmark_label="Borås",
    )
    goal = Section(
        "effektmal-2-2",
        "Effektmål 2.2: Alla i arbete",
        2,
        [Paragraph("I Borås ska alla, även utsatta grupper, finnas i arbete")],
        children=[
            Section(
                "indikator-sysselsatta",
                "Andel sysselsatta 20–64 år",
                3,
                [
                    DefinitionList([("Definition", "Förvärvsarbetande 20–64 år."), ("Källa", "SCB")]),
                    Statement(
                        "Andelen sysselsatta 20–64 år var 80 % (2023) jämfört med 78 % (2019).", "trend"
                    ),
                    ChartBlock(trend, source="Källa: SCB", unit="%", decimals=1),
                    ChartBlock(bars, source="Källa: SCB", unit="%", decimals=1),
                    TableBlock(
                        caption="Sysselsatta efter kön, procent",
                        columns=["År", "Kvinnor", "Män", "Antal"],
                        rows=[["2021", 76.25, 79.5, 1234], ["2023", table_value, SUPPRESSED, 987]],
                        numeric=[False, True, True, True],
                        decimals=1,
                        source="Källa: SCB",
                        id="sysselsatta-kon",
                    ),
                ],
            )
        ],
    )
    return Report(
        title="Uppföljning 2025",
        subtitle="Målbild för Socialt hållbart Borås 2021–2024",
        period_label="Uppföljningsår 2025",
        organisation="Borås Stad",
        notices=[Notice("Exempeldata – inte officiell statistik", "warning")],
        attributions=["Källa: SCB"],
        generated_at=generated_at or datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
        sections=[
            Section(
                "sammanfattning",
                "Sammanfattning",
                1,
                [
                    AssessmentTable(
                        "Målområde 2: Förutsättningar för arbete",
                        [
                            AssessmentRow(
                                "2.2",
                                "I Borås ska alla … finnas i arbete",
                                Assessment.UNCHANGED,
                                "Ingen säker förändring.",
                            )
                        ],
                    )
                ],
            ),
            Section(
                "malomrade-2",
                "Målområde 2: Förutsättningar för arbete",
                1,
                [Paragraph("Arbete ger egen försörjning.")],
                children=[goal],
                page_break_before=True,
            ),
        ],
    )
