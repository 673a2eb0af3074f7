"""Swedish sentences generated from statistics, careful about significance.

The rule every function here keeps: a change, a gap change or a difference from a benchmark is put
into words as a change ("ökade", "minskade", "högre", "bättre" …) only when the caller says the test
was significant. A non-significant result is reported as unchanged ("oförändrad", "ingen statistiskt
säkerställd skillnad"); an unknown one (``significant=None``) as "kan inte bedömas" with the reason.

The functions take plain numbers and test results, so they work with whatever computed them.
Inconsistent input (a significant increase whose last value is lower than the first) is a caller
error and raises :class:`ValueError` naming the parameter.
"""

from __future__ import annotations

import math
from typing import Literal

from livsvillkor.charts.formatting import format_value
from livsvillkor.followup.rules import Development, development
from livsvillkor.reports.document import Assessment

Direction = Literal["increase", "decrease"]
Polarity = Literal["higher", "lower", "none"]

TREND_DIRECTION = {"increase": "increasing", "decrease": "decreasing"}  # the follow-up rules' words
DEFAULT_REASON = "statistisk signifikans kunde inte beräknas"
MISSING_REASON = "värden saknas för jämförelsen"


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _check_polarity(polarity: str | None) -> str:
    polarity = polarity or "none"
    if polarity not in ("higher", "lower", "none"):
        raise ValueError(f"polarity: expected 'higher', 'lower' or 'none', got {polarity!r}")
    return polarity


def _with_reason(text: str, reason: str | None, default: str) -> str:
    reason = (reason or default).strip().rstrip(".")
    return f"{text}: {reason}."


def change_direction(first_value: float, last_value: float) -> Direction | None:
    if last_value > first_value:
        return "increase"
    if last_value < first_value:
        return "decrease"
    return None


def assessment_of_change(
    significant: bool | None, direction: Direction | None, polarity: str | None
) -> Assessment:
    """The assessment proposal for one significance-tested change, by the follow-up rules.

    Significant and in the direction the polarity calls good → positive; against it → negative;
    not significant, or a significant change of an indicator without polarity → unchanged (as
    :func:`livsvillkor.followup.rules.assess_goal` counts it); not tested → cannot be assessed.
    """
    polarity = _check_polarity(polarity)
    if significant is None:
        return Assessment.NOT_ASSESSABLE
    if not significant:
        return Assessment.UNCHANGED
    if direction not in ("increase", "decrease"):
        raise ValueError(f"direction: a significant change needs 'increase' or 'decrease', got {direction!r}")
    result = development(TREND_DIRECTION[direction], True, polarity)
    return {Development.IMPROVING: Assessment.POSITIVE, Development.WORSENING: Assessment.NEGATIVE}.get(
        result, Assessment.UNCHANGED
    )


def change_statement(
    subject: str,
    first_value: float | None,
    first_period: str | int,
    last_value: float | None,
    last_period: str | int,
    unit: str = "",
    decimals: int = 0,
    significant: bool | None = None,
    direction: Direction | None = None,
    polarity: str | None = "none",
    reason: str | None = None,
) -> str:
    """One sentence on how ``subject`` changed between two periods.

    >>> change_statement("andelen sysselsatta 20–64 år", 78, 2019, 80, 2023, "%", 0, True, "increase", "higher")
    'Andelen sysselsatta 20–64 år ökade från 78 % (2019) till 80 % (2023), en statistiskt säkerställd ökning (positiv utveckling).'
    """
    polarity = _check_polarity(polarity)
    subject_start = _sentence_start(subject.strip())
    if _missing(first_value) or _missing(last_value):
        return _with_reason(f"{subject_start} kan inte bedömas", reason, MISSING_REASON)
    first = f"{format_value(first_value, decimals, unit)} ({first_period})"
    last = f"{format_value(last_value, decimals, unit)} ({last_period})"
    if significant is None:
        return _with_reason(
            f"{subject_start} var {last} jämfört med {first}; utvecklingen kan inte bedömas",
            reason,
            DEFAULT_REASON,
        )
    if not significant:
        return (
            f"{subject_start} var {last} jämfört med {first}; "
            "förändringen är inte statistiskt säkerställd (oförändrad)."
        )
    if direction not in ("increase", "decrease"):
        raise ValueError(f"direction: a significant change needs 'increase' or 'decrease', got {direction!r}")
    observed = change_direction(float(first_value), float(last_value))
    if observed != direction:
        raise ValueError(
            f"direction: {direction!r} contradicts the values (first_value={first_value}, last_value={last_value})"
        )
    verb, noun = ("ökade", "ökning") if direction == "increase" else ("minskade", "minskning")
    text = f"{subject_start} {verb} från {first} till {last}, en statistiskt säkerställd {noun}"
    assessment = assessment_of_change(True, direction, polarity)
    if assessment is Assessment.POSITIVE:
        text += " (positiv utveckling)"
    elif assessment is Assessment.NEGATIVE:
        text += " (negativ utveckling)"
    return text + "."


def gap_statement(
    measure_name: str,
    first: float | None,
    last: float | None,
    unit: str = "",
    significant: bool | None = None,
    *,
    between: str = "områdestyp 1 och 5",
    first_period: str | int | None = None,
    last_period: str | int | None = None,
    decimals: int = 0,
    reason: str | None = None,
) -> str:
    """One sentence on how a gap (a measure of inequality, e.g. SII) changed.

    The gap's size is its absolute value: it "minskade" when ``|last| < |first|``.

    >>> gap_statement("SII", 21, 18, "procentenheter", True)
    'Skillnaden mellan områdestyp 1 och 5 minskade (SII 21 → 18 procentenheter).'
    """
    subject = f"Skillnaden mellan {between}".strip()
    if _missing(first) or _missing(last):
        return _with_reason(f"{subject} ({measure_name}) kan inte bedömas", reason, MISSING_REASON)
    unit_text = f" {unit}" if unit else ""
    first_text = format_value(first, decimals)
    last_text = format_value(last, decimals)
    periods = (
        f", {first_period}–{last_period}" if first_period is not None and last_period is not None else ""
    )
    when_last = f" {last_period}" if last_period is not None else ""
    when_first = f" {first_period}" if first_period is not None else " tidigare"
    if significant is None:
        return _with_reason(
            f"{subject} ({measure_name}) var {last_text}{unit_text}{when_last} jämfört med "
            f"{first_text}{unit_text}{when_first}; utvecklingen kan inte bedömas",
            reason,
            DEFAULT_REASON,
        )
    if not significant:
        return (
            f"{subject} ({measure_name}) var {last_text}{unit_text}{when_last} jämfört med "
            f"{first_text}{unit_text}{when_first}; förändringen är inte statistiskt säkerställd (oförändrad)."
        )
    if abs(float(last)) == abs(float(first)):
        raise ValueError(
            f"significant: a gap of the same size ({first} and {last}) cannot have changed significantly"
        )
    verb = "minskade" if abs(float(last)) < abs(float(first)) else "ökade"
    return f"{subject} {verb} ({measure_name} {first_text} → {last_text}{unit_text}{periods})."


BenchmarkComparison = Literal["better", "similar", "worse", "lower", "higher", "not_compared"]


def benchmark_statement(
    subject: str,
    value: float | None,
    period: str | int,
    benchmark_value: float | None,
    benchmark_label: str,
    comparison: str | None,
    unit: str = "",
    decimals: int = 0,
    reason: str | None = None,
) -> str:
    """One sentence comparing a value with a benchmark (riket, länet, liknande kommuner …).

    ``comparison`` is the significance label from the benchmark test: with polarity ``better`` /
    ``similar`` / ``worse``, without ``lower`` / ``similar`` / ``higher``; ``not_compared`` or ``None``
    when there was no test.
    """
    subject_start = _sentence_start(subject.strip())
    if _missing(value) or _missing(benchmark_value):
        return _with_reason(
            f"{subject_start} kan inte jämföras med {benchmark_label}", reason, MISSING_REASON
        )
    value_text = f"{format_value(value, decimals, unit)} ({period})"
    bench_text = f"{benchmark_label} ({format_value(benchmark_value, decimals, unit)})"
    if comparison in (None, "not_compared"):
        return _with_reason(
            f"{subject_start} var {value_text}, att jämföra med {bench_text}; skillnaden kan inte bedömas",
            reason,
            "konfidensintervall saknas",
        )
    if comparison == "similar":
        return f"{subject_start} var {value_text}, ingen statistiskt säkerställd skillnad mot {bench_text}."
    if comparison not in ("better", "worse", "lower", "higher"):
        raise ValueError(
            f"comparison: expected better, similar, worse, lower, higher or not_compared, got {comparison!r}"
        )
    observed = change_direction(float(benchmark_value), float(value))
    if observed is None:
        raise ValueError(f"comparison: {comparison!r} but the value equals the benchmark ({value})")
    side = "högre" if observed == "increase" else "lägre"
    if comparison in ("lower", "higher") and side != {"lower": "lägre", "higher": "högre"}[comparison]:
        raise ValueError(
            f"comparison: {comparison!r} contradicts the values (value={value}, benchmark={benchmark_value})"
        )
    text = f"{subject_start} var {value_text}, statistiskt säkerställt {side} än {bench_text}"
    if comparison == "better":
        text += ", ett bättre värde"
    elif comparison == "worse":
        text += ", ett sämre värde"
    return text + "."
