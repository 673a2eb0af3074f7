"""A synthetic follow-up document of realistic size, for the benchmark and the renderer tests.

Three målområden with 5 + 3 + 5 effektmål, ``indicators_per_goal`` indicators each, and per
indicator a trend chart, a bar chart per kommundel, a table by sex and generated statements. The
numbers are random (seeded, so the same arguments give the same document) and the document carries
the example-data notice: it is never official statistics.
"""

from __future__ import annotations

import numpy as np
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
from livsvillkor.reports.statements import assessment_of_change, change_statement, gap_statement

EXAMPLE_DATA_NOTICE = "Exempeldata – inte officiell statistik"
GOALS_PER_AREA = {"1": 5, "2": 3, "3": 5}
DISTRICTS = [
    "Brämhult",
    "Centrum",
    "Göta",
    "Norrby",
    "Sjöbo",
    "Trandared",
    "Dalsjöfors",
    "Fristad",
    "Sandhult",
    "Viskafors",
]


def _indicator(rng: np.random.Generator, goal: str, number: int, first_year: int, last_year: int):
    code = f"syn-{goal.replace('.', '-')}-{number}"
    name = f"Syntetisk indikator {goal}.{number}"
    years = list(range(first_year, last_year + 1))
    level = rng.uniform(20, 80)
    slope = rng.normal(0, 0.8)
    rows = []
    for series, offset in (("Borås", 0.0), ("Riket", rng.normal(0, 4))):
        for i, year in enumerate(years):
            value = float(np.clip(level + offset + slope * i + rng.normal(0, 1.2), 1, 99))
            half = float(rng.uniform(0.8, 2.5))
            rows.append(
                (year, series, round(value, 3), round(value - half, 3), round(value + half, 3), False)
            )
    trend = pd.DataFrame(rows, columns=["period", "series", "value", "ci_low", "ci_high", "suppressed"])
    trend_block = ChartBlock(
        trend_chart(
            trend, chart_id=f"{code}-trend", title=f"{name} över tid", subject=name.lower(), unit="%"
        ),
        source="Källa: SCB",
        unit="%",
    )
    riket = float(trend[(trend["series"] == "Riket") & (trend["period"] == last_year)]["value"].iloc[0])
    areas = []
    for district in DISTRICTS:
        value = float(np.clip(level + rng.normal(0, 12), 1, 99))
        half = float(rng.uniform(2, 6))
        hidden = district == "Sandhult" and number % 2 == 0
        comparison = "similar" if abs(value - riket) < half else ("better" if value > riket else "worse")
        areas.append(
            (district, round(value, 3), round(value - half, 3), round(value + half, 3), hidden, comparison)
        )
    bars = pd.DataFrame(areas, columns=["area", "value", "ci_low", "ci_high", "suppressed", "comparison"])
    bars_block = ChartBlock(
        area_bars(
            bars,
            chart_id=f"{code}-areas",
            title=f"{name} per kommundel {last_year}",
            subject=name.lower(),
            unit="%",
            benchmark=riket,
            benchmark_label="riket",
        ),
        source="Källa: SCB",
        unit="%",
    )
    table_rows = []
    for year in years[-5:]:
        women, men = (round(float(np.clip(level + rng.normal(0, 5), 1, 99)), 1) for _ in range(2))
        table_rows.append(
            [str(year), women, men if year != years[-3] else SUPPRESSED, round((women + men) / 2, 1)]
        )
    table = TableBlock(
        caption=f"{name} efter kön, procent",
        columns=["År", "Kvinnor", "Män", "Totalt"],
        rows=table_rows,
        numeric=[False, True, True, True],
        source="Källa: SCB",
        id=f"{code}-table",
    )
    main = trend[trend["series"] == "Borås"].sort_values("period")
    first, last = float(main["value"].iloc[0]), float(main["value"].iloc[-1])
    significant = abs(last - first) > 3
    direction = None if not significant else ("increase" if last > first else "decrease")
    statement = change_statement(
        name.lower(), first, first_year, last, last_year, "%", 1, significant, direction, "higher"
    )
    gap_first, gap_last = rng.uniform(5, 25), rng.uniform(5, 25)
    gap = gap_statement(
        "SII",
        gap_first,
        gap_last,
        "procentenheter",
        significant=bool(abs(gap_first - gap_last) > 5),
        decimals=0,
    )
    section = Section(
        id=f"indikator-{code}",
        title=name,
        level=3,
        blocks=[
            DefinitionList(
                [("Definition", f"Andel av befolkningen som uppfyller villkor {number}."), ("Källa", "SCB")]
            ),
            Statement(statement, "trend"),
            Statement(gap, "gap"),
            trend_block,
            bars_block,
            table,
        ],
    )
    return section, assessment_of_change(significant, direction, "higher"), name


def synthetic_report(
    indicators_per_goal: int = 4, *, first_year: int = 2015, last_year: int = 2024, seed: int = 7
) -> Report:
    rng = np.random.default_rng(seed)
    report = Report(
        title=f"Uppföljning {last_year + 1}",
        subtitle="Socialt hållbart Borås – syntetiskt exempel",
        period_label=f"{first_year}–{last_year}",
        organisation="Borås Stad",
        notices=[Notice(EXAMPLE_DATA_NOTICE, "warning")],
        attributions=["Källa: SCB", "Källa: Kolada"],
    )
    summary = Section(
        "sammanfattning", "Sammanfattning", 1, [Paragraph("Jämlika livsvillkor och god hälsa.")]
    )
    report.sections.append(summary)
    for area, goal_count in GOALS_PER_AREA.items():
        area_section = Section(f"malomrade-{area}", f"Målområde {area}", 1, page_break_before=True)
        rows = []
        for g in range(1, goal_count + 1):
            goal = f"{area}.{g}"
            goal_section = Section(f"effektmal-{goal.replace('.', '-')}", f"Effektmål {goal}", 2)
            goal_section.blocks.append(Paragraph(f"Formulering av effektmål {goal}."))
            assessments = []
            for n in range(1, indicators_per_goal + 1):
                section, assessment, _name = _indicator(rng, goal, n, first_year, last_year)
                goal_section.children.append(section)
                assessments.append(assessment)
            overall = max(Assessment, key=assessments.count) if assessments else Assessment.NOT_ASSESSABLE
            rows.append(AssessmentRow(goal, f"Effektmål {goal}", overall, "Syntetisk bedömning."))
            area_section.children.append(goal_section)
        summary.blocks.append(AssessmentTable(f"Effektmål i målområde {area}", rows, id=f"bedomning-{area}"))
        report.sections.append(area_section)
    return report
