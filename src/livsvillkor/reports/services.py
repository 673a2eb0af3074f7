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

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from livsvillkor.charts import format_number
from livsvillkor.core.errors import InputError, Problem
from livsvillkor.core.exampledata import ATTRIBUTION as EXAMPLE_ATTRIBUTION
from livsvillkor.core.exampledata import EXAMPLE_NOTICE, is_example_data
from livsvillkor.framework.models import EffectGoal, Framework, Indicator, IndicatorGoalLink, TargetArea
from livsvillkor.reports.document import (
    Assessment,
    AssessmentRow,
    AssessmentTable,
    DefinitionList,
    Notice,
    Paragraph,
    Report,
    Section,
    TableBlock,
)
from livsvillkor.reports.models import GeneratedReport
from livsvillkor.reports.snapshot import take_snapshot

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
# Extension points for the statistics part


def indicator_section(indicator: Indicator, period: str, *, section_id: str = "", level: int = 3) -> Section:
    """The section for one indicator under an effektmål.

    Extension point: today it renders the indicator's metadata (definition, source, unit, polarity
    …). The statistics part adds, for ``period``, the trend chart, the bar chart per area, the short
    table, and the trend, gap and benchmark statements (:mod:`livsvillkor.reports.statements`).
    """
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
    return Section(
        id=section_id or f"indikator-{indicator.code}",
        title=indicator.name,
        level=level,
        blocks=[DefinitionList(items)],
    )


def goal_assessment(goal: EffectGoal, indicators: list[Indicator], period: str) -> AssessmentRow:
    """The computed assessment proposal for one effektmål in ``period``.

    Extension point: today no indicator values are read, so the proposal is "kan inte bedömas"
    with the reason. The statistics part combines the indicators' trend and gap developments here
    with :func:`livsvillkor.followup.rules.assess_goal` (its ``explanation`` is the justification).
    """
    if not indicators:
        reason = NO_INDICATORS
    else:
        count = len(indicators)
        reason = (
            f"{count} {'indikator är kopplad' if count == 1 else 'indikatorer är kopplade'}; "
            f"inga indikatorvärden för {period} är inlästa."
        )
    return AssessmentRow(goal.code, goal.text, Assessment.NOT_ASSESSABLE, reason)


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
    return Section("sammanfattning", "Sammanfattning", 1, blocks, page_break_before=True)


def _target_area_section(area: TargetArea, goals: list, period: str) -> Section:
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
                    indicator, period, section_id=f"{_goal_anchor(goal)}-{indicator.code}", level=3
                )
            )
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
        if facts:
            area_blocks.append(DefinitionList(facts))
        section.children.append(Section(f"omrade-{area.slug}", area.name, 2, area_blocks))
    return section


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
        for area in areas:
            report.sections.append(_target_area_section(area, goals[area.pk], period))
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
