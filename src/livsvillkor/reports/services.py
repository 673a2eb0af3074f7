"""Building report documents from the database, and writing them as HTML, PDF and XLSX.

:func:`build_followup_document` builds the biennial follow-up (uppföljning) of a målbild. Two
functions are the extension points for the statistics part, which will be filled in when the
observations and statistics land: :func:`indicator_section` (today: the indicator's metadata) and
:func:`goal_assessment` (today: "kan inte bedömas" with the reason).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from livsvillkor.charts import breakdown_bars, format_number, trend_chart
from livsvillkor.charts.builders import spine_chart
from livsvillkor.charts.formatting import SUPPRESSED
from livsvillkor.core.errors import InputError, Problem
from livsvillkor.core.exampledata import ATTRIBUTION as EXAMPLE_ATTRIBUTION
from livsvillkor.core.exampledata import EXAMPLE_NOTICE, is_example_data
from livsvillkor.followup import services as followup
from livsvillkor.framework.models import EffectGoal, Framework, Indicator, IndicatorGoalLink, TargetArea
from livsvillkor.geo.models import Area
from livsvillkor.reports.document import (
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
from livsvillkor.reports.models import GeneratedReport
from livsvillkor.reports.snapshot import take_snapshot
from livsvillkor.reports.statements import benchmark_statement, change_statement, gap_statement

FORMATS = ("html", "pdf", "xlsx")
NO_INDICATORS = "Inga indikatorer är kopplade ännu."
_PERIOD = re.compile(r"^\d{4}$")


# --------------------------------------------------------------------------------------------------
# Input checks


def parse_period(period: str) -> int:
    """A follow-up period is a year (``2025``); anything else is an :class:`InputError`."""
    text = str(period).strip()
    if not _PERIOD.match(text) or not 1990 <= int(text) <= 2100:
        raise InputError(
            "Invalid report period",
            [Problem("--period", "expected a year between 1990 and 2100, e.g. 2025", "period", str(period))],
        )
    return int(text)


def parse_formats(formats: str | Sequence[str]) -> list[str]:
    """``"html,pdf"`` or ``["html", "pdf"]`` → ``["html", "pdf"]``; unknown names are an InputError."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = [item.strip().lower() for item in items if item.strip()]
    problems = [
        Problem("--format", f"unknown format; choose from {', '.join(FORMATS)}", "format", item)
        for item in wanted
        if item not in FORMATS
    ]
    if not wanted:
        problems.append(
            Problem("--format", f"no format given; choose from {', '.join(FORMATS)}", "format", "")
        )
    if problems:
        raise InputError("Invalid report format", problems)
    return list(dict.fromkeys(wanted))


def framework_for_period(year: int) -> Framework:
    """The newest adopted målbild that had started by ``year`` (the one this follow-up follows)."""
    framework = (
        Framework.objects.published()
        .filter(valid_from__year__lte=year)
        .order_by("-valid_from", "-version")
        .first()
    )
    if framework is None:
        raise InputError(
            "No målbild to follow up",
            [
                Problem(
                    "--period",
                    "no adopted målbild valid from this year or earlier; load one with `livsvillkor load-framework`",
                    "period",
                    str(year),
                )
            ],
        )
    return framework


# --------------------------------------------------------------------------------------------------
# Texts shared by the sections


def source_line(indicator: Indicator, organisation: str = "") -> str:
    """The attribution line for an indicator's values.

    SCB and Kolada must be named as the source; a value we derive ourselves is credited to the
    organisation that computed it, never to Kolada.
    """
    organisation = organisation or settings.LIVSVILLKOR["ORGANISATION"]
    kind = indicator.source_type
    if kind == Indicator.SourceType.SCB:
        return "Källa: SCB" + (f", {indicator.scb_table}" if indicator.scb_table else "")
    if kind == Indicator.SourceType.KOLADA:
        return "Källa: Kolada" + (f" ({indicator.kolada_id})" if indicator.kolada_id else "")
    if kind == Indicator.SourceType.DERIVED:
        basis = f" utifrån {indicator.source_name}" if indicator.source_name else ""
        return f"Beräkning: {organisation}{basis}"
    return f"Källa: {indicator.source_name or organisation}"


def _attribution(indicator: Indicator, organisation: str) -> str:
    kind = indicator.source_type
    if kind == Indicator.SourceType.SCB:
        return "Källa: SCB"
    if kind == Indicator.SourceType.KOLADA:
        return "Källa: Kolada"
    return source_line(indicator, organisation)


def _value(value: float | None, decimals: int, unit: str) -> str:
    text = format_number(value, decimals)
    return f"{text}\u00a0{unit}" if unit else text


def _goal_anchor(goal: EffectGoal) -> str:
    return "effektmal-" + goal.code.replace(".", "-")


def _goal_title(goal: EffectGoal) -> str:
    return f"Effektmål {goal.code}" + (f": {goal.short_name}" if goal.short_name else "")


def _linked_indicators(goal: EffectGoal) -> list[Indicator]:
    links = (
        IndicatorGoalLink.objects.filter(effect_goal=goal, indicator__is_active=True)
        .select_related("indicator")
        .order_by("-primary", "indicator__code")
    )
    return [link.indicator for link in links]


# --------------------------------------------------------------------------------------------------
# Statistics per indicator and per effektmål (the same services as the pages)

#: How a gap dimension is named in a sentence ("Skillnaden mellan …").
GAP_BETWEEN = {
    "area_type": "områdestyperna",
    "background": "personer med svensk och utländsk bakgrund",
    "district": "kommundelarna",
    "sex": "kvinnor och män",
}
TREND_DIRECTION_WORD = {"increasing": "increase", "decreasing": "decrease"}
KEY_GAPS_PER_AREA = 6


def _subject(indicator: Indicator) -> str:
    name = indicator.short_name or indicator.name
    return name[:1].lower() + name[1:]


def _metadata(indicator: Indicator) -> DefinitionList:
    items: list[tuple[str, str]] = []
    if indicator.definition:
        items.append((_("Definition"), indicator.definition))
    items.append((_("Källa"), source_line(indicator)))
    if indicator.unit:
        items.append((_("Enhet"), indicator.unit))
    items.append((_("Värdetyp"), str(indicator.get_value_type_display())))
    items.append((_("Polaritet"), str(indicator.get_polarity_display())))
    if indicator.life_stages:
        items.append((_("Livsskeden"), ", ".join(str(stage) for stage in indicator.life_stages)))
    if indicator.frequency:
        items.append((_("Frekvens"), indicator.frequency))
    if indicator.baseline_value is not None:
        year = f" ({indicator.baseline_year})" if indicator.baseline_year else ""
        items.append(
            (_("Basvärde"), _value(indicator.baseline_value, indicator.decimals, indicator.unit) + year)
        )
    if indicator.target_value is not None:
        year = f" år {indicator.target_year}" if indicator.target_year else ""
        items.append(
            (_("Målvärde"), _value(indicator.target_value, indicator.decimals, indicator.unit) + year)
        )
    items.append((_("Konfidensintervall"), str(indicator.get_ci_method_display())))
    if indicator.caveats:
        items.append((_("Förbehåll"), indicator.caveats))
    return DefinitionList(items)


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _focus_area_codes() -> dict[str, str]:
    """Area code → name of the current målbild's områdesutveckling areas."""
    framework = Framework.objects.current()
    if framework is None:
        return {}
    return {fa.area_code: fa.name for fa in framework.focus_areas.order_by("order") if fa.area_code}


def _trend_statement(indicator: Indicator, status: followup.IndicatorStatus) -> Statement:
    """The change over the trend test's window, a change only when the test is significant."""
    subject = _subject(indicator)
    shown = status.series[status.series["value"].notna()] if len(status.series) else status.series
    if len(shown) < 2:
        text = change_statement(subject, None, "", None, "", reason=_("för få publicerade värden"))
        return Statement(text, "trend")
    window = shown.iloc[-max(2, min(len(shown), status.trend.points or followup.TREND_POINTS)) :]
    first, last = window.iloc[0], window.iloc[-1]
    args = (subject, float(first["value"]), first["period"], float(last["value"]), last["period"])
    trend = status.trend
    reason = trend.label() if trend.significant is None else None
    try:
        text = change_statement(
            *args,
            unit=indicator.unit,
            decimals=indicator.decimals,
            significant=trend.significant,
            direction=TREND_DIRECTION_WORD.get(trend.direction or ""),
            polarity=indicator.polarity,
            reason=reason,
        )
    except ValueError:
        # A significant trend whose end points point the other way: never claim either direction.
        text = change_statement(
            *args,
            unit=indicator.unit,
            decimals=indicator.decimals,
            significant=None,
            reason=_("trendtestet och periodens första och sista värde pekar åt olika håll"),
        )
    if trend.significant is not None and trend.method:
        text += f" ({_('Trendtest')}: {trend.method}, {len(window)} {_('mätpunkter')}.)"
    return Statement(text, "trend")


def _benchmark_statements(indicator: Indicator, status: followup.IndicatorStatus, totals) -> list[Statement]:
    """The latest value against Sweden and the county, by the benchmark significance test."""
    place = followup.places()
    if not status.latest:
        return []
    latest = status.latest
    out = []
    for code in (place.country, place.county):
        if not code or not len(totals):
            continue
        same = totals[(totals["area_code"] == code) & (totals["period"] == latest["period"])]
        if same.empty or pd.isna(same.iloc[0]["value"]):
            continue
        bench = same.iloc[0]
        comparison = followup.compare(
            [latest["value"]],
            [latest["ci_low"] if latest["ci_low"] is not None else np.nan],
            [latest["ci_high"] if latest["ci_high"] is not None else np.nan],
            float(bench["value"]),
            indicator.polarity,
            _number(bench["ci_low"]),
            _number(bench["ci_high"]),
        )[0]
        try:
            text = benchmark_statement(
                f"{_subject(indicator)} i {place.municipality_name}",
                latest["value"],
                latest["period"],
                float(bench["value"]),
                str(bench["area_name"]),
                comparison,
                indicator.unit,
                indicator.decimals,
            )
        except ValueError:
            text = benchmark_statement(
                f"{_subject(indicator)} i {place.municipality_name}",
                latest["value"],
                latest["period"],
                float(bench["value"]),
                str(bench["area_name"]),
                None,
                indicator.unit,
                indicator.decimals,
                reason=_("värdena är lika"),
            )
        out.append(Statement(text, "benchmark"))
    return out


def _gap_statement(gap: followup.Gap, indicator_unit: str = "") -> Statement:
    absolute = gap.measures[(gap.measures["measure"] == gap.absolute) & gap.measures["estimate"].notna()]
    between = GAP_BETWEEN.get(gap.dimension, gap.label)
    name = gap.absolute
    if absolute.empty:
        return Statement(gap_statement(name, None, None, between=between), "gap")
    window = absolute.iloc[-max(1, min(len(absolute), gap.trend.points or followup.TREND_POINTS)) :]
    first, last = window.iloc[0], window.iloc[-1]
    first_value, last_value = float(first["estimate"]), float(last["estimate"])
    significant = gap.trend.significant
    reason = gap.trend.label() if significant is None else None
    if len(window) < 2:
        significant, reason = None, _("bara en mätpunkt")
    elif significant:
        shrinking = abs(last_value) < abs(first_value)
        if abs(last_value) == abs(first_value) or shrinking != (gap.trend.direction == "decreasing"):
            significant = None
            reason = _("trendtestet och periodens första och sista värde pekar åt olika håll")
    absolute_unit = "procentenheter" if indicator_unit == "%" and name in ("D", "SII") else ""
    text = gap_statement(
        name,
        first_value,
        last_value,
        absolute_unit,
        significant,
        between=between,
        first_period=first["period"],
        last_period=last["period"],
        decimals=2,
        reason=reason,
    )
    return Statement(text, "gap")


def _trend_frame(indicator: Indicator, totals, focus: dict[str, str]) -> pd.DataFrame:
    place = followup.places()
    codes = [c for c in (place.municipality, *focus, place.county, place.country) if c]
    order = {c: i for i, c in enumerate(codes)}
    frame = totals[totals["area_code"].isin(codes)]
    frame = frame.assign(_o=frame["area_code"].map(order)).sort_values(["_o", "period_end"])
    return pd.DataFrame(
        {
            "period": frame["period"].astype(str).to_numpy(),
            "series": frame["area_name"].astype(str).to_numpy(),
            "value": frame["value"].to_numpy(dtype=float),
            "ci_low": frame["ci_low"].to_numpy(dtype=float),
            "ci_high": frame["ci_high"].to_numpy(dtype=float),
            "suppressed": frame["suppressed"].astype(bool).to_numpy(),
        }
    )


def _short_table(indicator: Indicator, trend_df: pd.DataFrame, table_id: str) -> TableBlock | None:
    """Per area: the first and the last value of the trend window, suppressed cells as ``..``."""
    rows: list[list] = []
    periods = list(dict.fromkeys(trend_df["period"]))
    if not periods:
        return None
    wanted = [periods[-min(len(periods), followup.TREND_POINTS)], periods[-1]]
    wanted = list(dict.fromkeys(wanted))
    for series_name in dict.fromkeys(trend_df["series"]):
        row: list = [series_name]
        for period in wanted:
            match = trend_df[(trend_df["series"] == series_name) & (trend_df["period"] == period)]
            if match.empty:
                row.append(None)
            elif bool(match.iloc[0]["suppressed"]):
                row.append(SUPPRESSED)
            else:
                row.append(_number(match.iloc[0]["value"]))
        rows.append(row)
    unit = f" ({indicator.unit})" if indicator.unit else ""
    return TableBlock(
        caption=f"{indicator.name}{unit}, {' och '.join(wanted)}",
        columns=[_("Område"), *wanted],
        rows=rows,
        numeric=[False] + [True] * len(wanted),
        decimals=indicator.decimals,
        source=source_line(indicator),
        id=table_id,
    )


def _totals(indicator: Indicator) -> pd.DataFrame:
    """The indicator's series for the municipality, the områdesutveckling areas, county and Sweden."""

    def compute():
        place = followup.places()
        codes = [c for c in (place.municipality, *_focus_area_codes(), place.county, place.country) if c]
        return followup.series(indicator, area_codes=codes) if codes else pd.DataFrame()

    return followup.cached(("report-totals", indicator.pk), compute)


def indicator_statements(indicator: Indicator) -> list[Statement]:
    """The trend, benchmark and gap statements of one indicator (the pages' statistics)."""
    return followup.cached(("report-statements", indicator.pk), lambda: _indicator_statements(indicator))


def _indicator_statements(indicator: Indicator) -> list[Statement]:
    status = followup.indicator_status(indicator)
    totals = _totals(indicator)
    statements = [_trend_statement(indicator, status), *_benchmark_statements(indicator, status, totals)]
    gaps = followup.available_gaps(indicator)
    if gaps:
        statements.append(_gap_statement(gaps[0], indicator.unit))
    return statements


def indicator_section(
    indicator: Indicator, period: str, *, section_id: str = "", level: int = 3, see_also: str = ""
) -> Section:
    """The section for one indicator under an effektmål.

    For the municipality (and the områdesutveckling areas with values): a trend chart with the
    county and Sweden, a short table of the trend window's first and last values, the trend,
    benchmark and gap statements (significance-tested by :mod:`livsvillkor.followup.services`, the
    pages' services), a breakdown chart per dimension (sex, background) of the latest period and the
    gap measure's own trend; then the indicator's metadata. Disclosure control is applied by the
    observation store, so suppressed values are ``..``.
    """
    section_id = section_id or f"indikator-{indicator.code}"
    if see_also:
        # The indicator is shown in full under another effektmål: its statements and a pointer only.
        blocks: list = [
            *indicator_statements(indicator),
            Paragraph(_("Diagram, tabell och beskrivning finns under %(where)s.") % {"where": see_also}),
        ]
        return Section(id=section_id, title=indicator.name, level=level, blocks=blocks)
    place = followup.places()
    status = followup.indicator_status(indicator)
    focus = _focus_area_codes()
    blocks: list = []
    totals = _totals(indicator)
    source = source_line(indicator)
    if len(totals):
        trend_df = _trend_frame(indicator, totals, focus)
        blocks.append(
            ChartBlock(
                trend_chart(
                    trend_df,
                    chart_id=f"{section_id}-trend",
                    title=f"{indicator.name} över tid",
                    subject=_subject(indicator),
                    unit=indicator.unit,
                    decimals=indicator.decimals,
                    target=indicator.target_value,
                    target_label=f"Mål {indicator.target_year}" if indicator.target_year else "Mål",
                ),
                source=source,
                unit=indicator.unit,
                decimals=indicator.decimals,
            )
        )
        table = _short_table(indicator, trend_df, f"{section_id}-tabell")
        if table is not None:
            blocks.append(table)
    else:
        blocks.append(Paragraph(_("Inga värden är inlästa för indikatorn.")))
    blocks.extend(indicator_statements(indicator))  # trend, benchmark, then the gap statement
    gaps = followup.available_gaps(indicator)
    for gap in gaps[:1]:
        absolute = gap.measures[gap.measures["measure"] == gap.absolute]
        label = followup.MEASURE_LABELS[gap.absolute]
        blocks.append(
            ChartBlock(
                trend_chart(
                    pd.DataFrame(
                        {
                            "period": absolute["period"].astype(str).to_numpy(),
                            "series": place.municipality_name or gap.label,
                            "value": absolute["estimate"].to_numpy(dtype=float),
                            "ci_low": absolute["ci_low"].to_numpy(dtype=float),
                            "ci_high": absolute["ci_high"].to_numpy(dtype=float),
                            "suppressed": False,
                        }
                    ),
                    chart_id=f"{section_id}-gap",
                    title=f"{indicator.name}: skillnad {gap.label.lower()}, {label} över tid",
                    subject=f"{label} {gap.label.lower()} för {_subject(indicator)}",
                    decimals=2,
                ),
                source=f"Beräkning: {settings.LIVSVILLKOR['ORGANISATION']} utifrån {source[7:] if source.startswith('Källa: ') else source}",
                decimals=2,
            )
        )
    if status.latest:
        for dim, label, frame in followup.breakdown_frames(indicator, status.latest["period"]):
            if dim not in ("sex", "background"):
                continue
            blocks.append(
                ChartBlock(
                    breakdown_bars(
                        frame,
                        chart_id=f"{section_id}-{dim}",
                        title=f"{indicator.name} efter {label.lower()}, "
                        f"{place.municipality_name} {status.latest['period']}",
                        subject=_subject(indicator),
                        unit=indicator.unit,
                        decimals=indicator.decimals,
                    ),
                    source=source,
                    unit=indicator.unit,
                    decimals=indicator.decimals,
                )
            )
    blocks.append(_metadata(indicator))
    return Section(id=section_id, title=indicator.name, level=level, blocks=blocks)


def goal_assessment(goal: EffectGoal, indicators: list[Indicator], period: str) -> AssessmentRow:
    """The computed assessment proposal for one effektmål (:func:`followup.effect_goal_proposal`).

    The justification is the rules' counts, with the indicators behind the improvements,
    worsenings and changing gaps named.
    """
    if not indicators:
        return AssessmentRow(goal.code, goal.text, Assessment.NOT_ASSESSABLE, NO_INDICATORS)
    proposal = followup.effect_goal_proposal(goal)
    result = proposal.result
    text = result.explanation
    for label, codes in (
        (_("Förbättring"), result.improving),
        (_("Försämring"), result.worsening),
        (_("Skillnaden minskar"), result.gaps_narrowing),
        (_("Skillnaden ökar"), result.gaps_widening),
    ):
        if codes:
            text += f" {label}: {', '.join(proposal.names(codes))}."
    if result.assessment == Assessment.NOT_ASSESSABLE and result.total:
        text += " " + _("Färre än hälften av indikatorerna kan bedömas.")
    return AssessmentRow(goal.code, goal.text, result.assessment, text)


def key_gaps(indicators: Iterable[Indicator]) -> TableBlock | None:
    """The key gaps of a målområde: each indicator's main gap, the changing ones first."""
    rows = []
    for indicator in dict.fromkeys(indicators):
        gaps = followup.available_gaps(indicator)
        if not gaps:
            continue
        gap = gaps[0]
        latest = gap.latest()
        absolute = latest[latest["measure"] == gap.absolute]
        if absolute.empty:
            continue
        row = absolute.iloc[0]
        rank = 0 if gap.trend.significant else 1
        rows.append(
            (
                rank,
                -abs(float(row["estimate"])),
                [
                    indicator.name,
                    gap.label,
                    followup.MEASURE_LABELS[gap.absolute],
                    str(row["period"]),
                    float(row["estimate"]),
                    str(gap.development.label),
                ],
            )
        )
    if not rows:
        return None
    rows.sort(key=lambda item: (item[0], item[1]))
    return TableBlock(
        caption=_("Viktiga skillnader mellan grupper"),
        columns=[_("Indikator"), _("Indelning"), _("Mått"), _("Period"), _("Värde"), _("Utveckling")],
        rows=[r for _rank, _size, r in rows[:KEY_GAPS_PER_AREA]],
        numeric=[False, False, False, False, True, False],
        decimals=2,
    )


# --------------------------------------------------------------------------------------------------
# The follow-up report


def _reading_guide(framework: Framework, period: str) -> Section:
    adopted = ""
    if framework.adopted_by:
        adopted = f", antagen av {framework.adopted_by}"
        if framework.adopted_on:
            adopted += f" {framework.adopted_on.isoformat()}"
    blocks = [
        Paragraph(
            f"Rapporten är uppföljningen {period} av {framework.name} ({framework.period_label}){adopted}. "
            "Den tas fram ur samma databas och med samma beräkningar som webbplatsens sidor."
        ),
        Paragraph(
            "Först kommer en sammanfattning med det övergripande målet och en tabell per målområde med "
            "bedömningen av varje effektmål. Därefter redovisas varje målområde med dess effektmål och de "
            "indikatorer som följer upp dem, sedan områdesutvecklingen. Sist finns en metodbilaga om "
            "konfidensintervall, mått på ojämlikhet, röjandekontroll och källor."
        ),
        DefinitionList(
            [
                (
                    Assessment.POSITIVE.label,
                    "Fler indikatorer visar en statistiskt säkerställd förbättring än en försämring, och ingen "
                    "skillnad mellan grupper ökar.",
                ),
                (Assessment.UNCHANGED.label, "Ingen övervägande statistiskt säkerställd förändring."),
                (
                    Assessment.NEGATIVE.label,
                    "Fler indikatorer visar en statistiskt säkerställd försämring än en förbättring, och ingen "
                    "skillnad mellan grupper minskar.",
                ),
                (
                    Assessment.NOT_ASSESSABLE.label,
                    "Färre än hälften av indikatorerna kan bedömas, eller inga är kopplade; skälet anges.",
                ),
            ],
            caption="Bedömning av effektmålen",
        ),
        Paragraph(
            "En förändring beskrivs som en ökning eller minskning bara när den är statistiskt säkerställd. "
            "Två punkter (..) betyder att uppgiften inte redovisas av sekretesskäl; ett streck (–) att "
            "uppgift saknas."
        ),
    ]
    if framework.follow_up_text:
        blocks.append(Paragraph(framework.follow_up_text))
    return Section("lasanvisning", "Om rapporten och läsanvisning", 1, blocks)


def _summary(
    framework: Framework,
    areas: list[TargetArea],
    goals: dict[int, list],
    period: str,
    overall: list[Indicator],
) -> Section:
    blocks: list = [Paragraph(f"Övergripande mål: {framework.overall_goal}.")]
    if framework.overall_goal_description:
        blocks.append(Paragraph(framework.overall_goal_description))
    if overall:
        blocks.append(
            DefinitionList(
                [(i.name, source_line(i)) for i in overall], caption="Indikatorer för det övergripande målet"
            )
        )
    for area in areas:
        rows = [goal_assessment(goal, indicators, period) for goal, indicators in goals[area.pk]]
        blocks.append(
            AssessmentTable(f"Målområde {area.code}: {area.name}", rows, id=f"bedomning-{area.code}")
        )
        gaps = key_gaps(i for _goal, indicators in goals[area.pk] for i in indicators)
        if gaps is not None:
            gaps.caption = f"{gaps.caption}, målområde {area.code}"
            gaps.id = f"skillnader-{area.code}"
            blocks.append(gaps)
    return Section("sammanfattning", "Sammanfattning", 1, blocks, page_break_before=True)


def _target_area_section(area: TargetArea, goals: list, period: str, shown: dict[int, str]) -> Section:
    """One målområde; ``shown`` (indicator id → effektmål title) keeps each indicator's charts to
    its first effektmål, later ones refer to it."""
    blocks: list = []
    if area.summary:
        blocks.append(Paragraph(area.summary))
    if area.description:
        blocks.append(Paragraph(area.description))
    section = Section(
        f"malomrade-{area.code}", f"Målområde {area.code}: {area.name}", 1, blocks, page_break_before=True
    )
    for goal, indicators in goals:
        goal_section = Section(_goal_anchor(goal), _goal_title(goal), 2, [Paragraph(goal.text)])
        if not indicators:
            goal_section.blocks.append(Paragraph(NO_INDICATORS))
        for indicator in indicators:
            goal_section.children.append(
                indicator_section(
                    indicator,
                    period,
                    section_id=f"{_goal_anchor(goal)}-{indicator.code}",
                    level=3,
                    see_also=shown.get(indicator.pk, ""),
                )
            )
            shown.setdefault(indicator.pk, _goal_title(goal))
        section.children.append(goal_section)
    return section


def _area_development(framework: Framework, indicators: list[Indicator]) -> Section | None:
    focus_areas = list(framework.focus_areas.all())
    if not focus_areas and not framework.area_development_text:
        return None
    blocks: list = []
    if framework.area_development_text:
        blocks.append(Paragraph(framework.area_development_text))
    if indicators:
        blocks.append(
            DefinitionList(
                [(i.name, source_line(i)) for i in indicators], caption="Indikatorer för områdesutvecklingen"
            )
        )
    section = Section("omradesutveckling", "Områdesutveckling", 1, blocks, page_break_before=True)
    codes = [fa.area_code for fa in focus_areas if fa.area_code]
    places_by_code = {a.code: a for a in Area.objects.filter(code__in=codes).order_by("valid_from")}
    profiles = followup.area_profiles(list(places_by_code.values()), _totals) if places_by_code else {}
    for area in focus_areas:
        facts = [
            (label, value)
            for label, value in (
                ("Leds av", area.lead),
                ("Startade", area.started),
                ("Områdeskod", area.area_code),
            )
            if value
        ]
        area_blocks: list = []
        if area.description:
            area_blocks.append(Paragraph(area.description))
        area_blocks.extend(
            _area_profile_blocks(places_by_code.get(area.area_code), profiles.get(area.area_code), area.slug)
        )
        if facts:
            area_blocks.append(DefinitionList(facts))
        section.children.append(Section(f"omrade-{area.slug}", area.name, 2, area_blocks))
    return section


def _area_profile_blocks(area: Area | None, records: pd.DataFrame | None, slug: str) -> list:
    """The area profile of an områdesutveckling area: population, area type and the spine chart."""
    place = followup.places()
    if area is None:
        return [Paragraph(_("Området finns inte i områdesindelningarna; ingen områdesprofil."))]
    classification = area.classifications.filter(scheme=followup.AREA_TYPE_SCHEME).order_by("-year").first()
    area_type = (
        f"{classification.label or classification.category} ({classification.year})"
        if classification
        else None
    )
    blocks: list = [
        TableBlock(
            caption=f"{_('Områdesprofil')}: {area.name}",
            columns=[_("Folkmängd"), _("År"), _("Områdestyp")],
            rows=[[area.population, area.population_year, area_type]],
            numeric=[True, False, False],
            decimals=0,
            id=f"omrade-{slug}-fakta",
        )
    ]
    if records is None or records.empty:
        blocks.append(Paragraph(_("Inga indikatorvärden finns för området.")))
        return blocks
    chart = spine_chart(
        records,
        chart_id=f"omrade-{slug}-profil",
        title=f"Alla indikatorer för {area.name} jämfört med {place.municipality_name} och Sverige",
        area_label=area.name,
        municipality_label=place.municipality_name or "Kommunen",
        country_label="Sverige",
    )
    blocks.append(ChartBlock(chart, source=_("Källa: SCB, Kolada och egna beräkningar")))
    return blocks


CI_METHODS = [
    ("Wilson", "Andelar (täljare och nämnare): Wilsons intervall, som alltid ligger mellan 0 och 100 %."),
    (
        "Byar / exakt Poisson",
        "Antal och kvoter per invånare: Byars approximation vid minst 10 händelser, annars exakta "
        "Poissongränser (chi-två-kvantiler).",
    ),
    (
        "Dobson",
        "Direktstandardiserade kvoter: Byars gränser för antalet, skalade med vikterna; redovisas inte när "
        "antalet är under 10.",
    ),
    ("Students t", "Medelvärden: t-fördelningen med standardavvikelse och antal."),
    ("Från källan", "Skattningar med givet standardfel eller intervall (t.ex. enkäter): källans gränser."),
]
INEQUALITY_MEASURES = [
    ("Differens (D)", "Skillnaden mellan två grupper, t.ex. områdestyp 5 och 1, i indikatorns enhet."),
    ("Kvot (R)", "Kvoten mellan två grupper; visas på logaritmisk skala."),
    (
        "Lutningsindex (SII)",
        "Skillnaden mellan den mest och minst gynnade änden av en ordnad indelning (t.ex. områdestyp), "
        "skattad med regression på gruppernas rangplats och viktad med befolkningen.",
    ),
    ("Relativt ojämlikhetsindex (RII)", "Samma regression som SII, uttryckt som kvot."),
    (
        "Koncentrationsindex (ACI, RCI)",
        "Hur indikatorn fördelar sig längs en ordnad indelning; absolut och relativt.",
    ),
    (
        "Befolkningsattributiv risk (PAR, PAF)",
        "Hur mycket genomsnittet skulle förbättras om alla hade den bästa gruppens värde; absolut och i procent.",
    ),
    (
        "Spridningsmått (BGV, Theil, MLD m.fl.)",
        "För indelningar utan ordning, t.ex. kommundelar: hur mycket grupperna skiljer sig från genomsnittet.",
    ),
]


def _method_appendix(
    indicators: list[Indicator], attributions: list[str], example_data: bool, organisation: str
) -> Section:
    ci = Section(
        "metod-konfidensintervall",
        "Konfidensintervall och signifikans",
        2,
        [
            Paragraph(
                "Intervallen är 95-procentiga. Metoden väljs efter indikatorns värdetyp. En skillnad mot ett "
                "jämförelsevärde är statistiskt säkerställd när intervallet inte omfattar jämförelsevärdet."
            ),
            DefinitionList(CI_METHODS, caption="Metoder"),
            Paragraph(
                "Trender prövas när det finns minst fem jämförbara, icke överlappande mätpunkter utan "
                "tidsseriebrott: för andelar med chi-två-test för linjär trend, annars med viktad regression "
                "av värdet på tiden."
            ),
        ],
    )
    inequality = Section(
        "metod-ojamlikhet",
        "Mått på ojämlikhet",
        2,
        [
            Paragraph(
                "Ojämlikhet mäts med WHO:s sammanfattande mått. Måtten som kräver en ordnad indelning används "
                "bara för sådana, och inga mått beräknas när mer än 15 % av grupperna saknar värde."
            ),
            DefinitionList(INEQUALITY_MEASURES),
        ],
    )
    suppression_blocks: list = [
        Paragraph(
            "Små tal redovisas inte. En uppgift döljs när täljaren är under indikatorns gräns (normalt 5 "
            "personer) eller nämnaren under dess gräns (normalt 10). Dessutom döljs ytterligare en uppgift "
            "när en dold uppgift annars skulle kunna räknas fram ur en summa. En dold uppgift visas som två "
            "punkter (..), aldrig som 0 eller tom."
        ),
        Paragraph(
            "SCB lägger från referensåret 2025 in ett kontrollerat brus i befolkningsstatistiken. Delar behöver "
            "därför inte summera till totalen; summorna justeras inte."
        ),
    ]
    if indicators:
        suppression_blocks.append(
            TableBlock(
                caption="Gränser för röjandekontroll per indikator",
                columns=["Indikator", "Minsta täljare", "Minsta nämnare"],
                rows=[
                    [i.name, i.suppression_min_numerator, i.suppression_min_denominator]
                    for i in sorted(indicators, key=lambda i: i.code)
                ],
                numeric=[False, True, True],
                decimals=0,
                id="rojandegranser",
            )
        )
    suppression = Section("metod-rojandekontroll", "Röjandekontroll", 2, suppression_blocks)
    source_blocks: list = [
        Paragraph(
            "Uppgifter från SCB och Kolada redovisas med källan angiven. Värden som beräknats ur dem, t.ex. "
            f"mått på ojämlikhet, anges som beräkningar av {organisation}, inte som uppgifter från källan."
        )
    ]
    if indicators:
        source_blocks.append(
            DefinitionList(
                [(i.name, source_line(i, organisation)) for i in sorted(indicators, key=lambda i: i.code)]
            )
        )
    if attributions:
        source_blocks.append(DefinitionList([("Källor i rapporten", "; ".join(attributions))]))
    if example_data:
        source_blocks.append(Notice(str(EXAMPLE_NOTICE), "warning"))
    sources = Section("metod-kallor", "Källor", 2, source_blocks)
    return Section(
        "metod", "Metodbilaga", 1, [], children=[ci, inequality, suppression, sources], page_break_before=True
    )


def build_followup_document(period: str, *, example_data: bool | None = None) -> Report:
    """The biennial follow-up report for ``period`` (a year), built from the database.

    ``example_data`` puts the notice "Exempeldata – inte officiell statistik" on the cover and in the
    method appendix; by default it is there when the database holds example observations.
    """
    year = parse_period(period)
    if example_data is None:
        example_data = is_example_data()
    period = str(year)
    framework = framework_for_period(year)
    organisation = framework.organisation or settings.LIVSVILLKOR["ORGANISATION"]
    with translation.override("sv"):
        areas = list(framework.target_areas.order_by("order"))
        goals: dict[int, list[tuple[EffectGoal, list[Indicator]]]] = {}
        used: dict[int, Indicator] = {}
        for area in areas:
            goals[area.pk] = []
            for goal in area.effect_goals.order_by("order"):
                indicators = _linked_indicators(goal)
                goals[area.pk].append((goal, indicators))
                used.update((i.pk, i) for i in indicators)
        active = Indicator.objects.filter(is_active=True).order_by("code")
        overall = list(active.filter(covers_overall_goal=True))
        area_development = list(active.filter(area_development=True))
        for indicator in [*overall, *area_development]:
            used.setdefault(indicator.pk, indicator)
        indicators = sorted(used.values(), key=lambda i: i.code)
        attributions = list(dict.fromkeys(_attribution(i, organisation) for i in indicators))
        if example_data:
            attributions.append(EXAMPLE_ATTRIBUTION)

        report = Report(
            title=f"Uppföljning {period}",
            subtitle=framework.name
            if framework.period_label in framework.name
            else f"{framework.name} {framework.period_label}",
            period_label=f"Uppföljningsår {period}",
            language="sv",
            organisation=organisation,
            attributions=attributions,
            notices=[Notice(str(EXAMPLE_NOTICE), "warning")] if example_data else [],
        )
        report.sections.append(_reading_guide(framework, period))
        report.sections.append(_summary(framework, areas, goals, period, overall))
        shown: dict[int, str] = {}
        for area in areas:
            report.sections.append(_target_area_section(area, goals[area.pk], period, shown))
        development = _area_development(framework, area_development)
        if development is not None:
            report.sections.append(development)
        report.sections.append(_method_appendix(indicators, attributions, example_data, organisation))
    report.validate()
    return report


# --------------------------------------------------------------------------------------------------
# Rendering and writing


@dataclass
class RenderedReport:
    report: Report
    files: dict[str, bytes]  # format → content
    seconds: dict[str, float]


def render_report(report: Report, formats: Iterable[str]) -> RenderedReport:
    """Snapshot the report and render it into every format in memory (nothing is written)."""
    # Imported here: WeasyPrint and vl-convert take a second to load, and every management command
    # (and the web process) imports this module.
    from livsvillkor.reports.render_html import render_chart_svgs, render_html
    from livsvillkor.reports.render_pdf import render_pdf
    from livsvillkor.reports.render_xlsx import render_xlsx

    wanted = parse_formats(list(formats))
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    take_snapshot(report)
    if report.generated_at is None:
        report.generated_at = timezone.now()
    svgs = render_chart_svgs(report) if {"html", "pdf"} & set(wanted) else {}
    seconds["charts"] = time.perf_counter() - start
    files: dict[str, bytes] = {}
    renderers = {
        "html": lambda: render_html(report, svgs).encode("utf-8"),
        "pdf": lambda: render_pdf(report, svgs),
        "xlsx": lambda: render_xlsx(report),
    }
    for fmt in wanted:
        start = time.perf_counter()
        files[fmt] = renderers[fmt]()
        seconds[fmt] = time.perf_counter() - start
    return RenderedReport(report, files, seconds)


def record_generated(rendered: RenderedReport, kind: str, period: str) -> GeneratedReport:
    """Keep the snapshot of a generated report, so a later run can say whether the data changed."""
    snapshot = rendered.report.snapshot
    if snapshot is None:
        raise ValueError("rendered.report: render the report (which takes its snapshot) before recording it")
    return GeneratedReport.objects.create(
        kind=kind,
        period=period,
        title=rendered.report.title,
        data_hash=snapshot.data_hash,
        code_version=snapshot.code_version,
        git_commit=snapshot.git_commit,
        formats=",".join(rendered.files),
    )


def write_report(rendered: RenderedReport, out_dir: str | Path, basename: str) -> list[Path]:
    """Write the rendered files as ``out_dir/basename.<format>``; the directory is created if needed."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", basename):
        raise InputError(
            "Invalid file name", [Problem("basename", "letters, digits, . _ - only", "basename", basename)]
        )
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(
            "Invalid output directory", [Problem("--out", "exists and is not a directory", "out", str(out))]
        )
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt, content in rendered.files.items():
        path = out / f"{basename}.{fmt}"
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(content)
        tmp.replace(path)
        paths.append(path)
    return paths
