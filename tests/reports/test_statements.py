import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livsvillkor.reports.document import Assessment
from livsvillkor.reports.statements import (
    assessment_of_change,
    benchmark_statement,
    change_statement,
    gap_statement,
)

CHANGE_WORDS = re.compile(r"ökade|minskade|ökning|minskning|förbättr|försämr", re.IGNORECASE)
COMPARISON_WORDS = re.compile(r"högre|lägre|bättre|sämre", re.IGNORECASE)

subjects = st.sampled_from(
    [
        "andelen sysselsatta 20–64 år",
        "andelen barn i ekonomiskt utsatta hushåll",
        "medellivslängd",
        "antal vräkningar per 100 000 invånare",
        "trångboddhet (norm 3)",
    ]
) | st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö 0123456789–-", min_size=1, max_size=40).filter(
    lambda s: s.strip() and not CHANGE_WORDS.search(s) and not COMPARISON_WORDS.search(s)
)
values = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(-1000, 1000),
    st.none(),
    st.just(math.nan),
)
periods = st.one_of(st.integers(1990, 2100), st.sampled_from(["2019–2020", "2023", "2021/22"]))
units = st.sampled_from(["", "%", "procentenheter", "per 1 000 inv", "år"])
reasons = st.one_of(
    st.none(), st.sampled_from(["färre än fem mätpunkter", "tidsseriebrott 2021", "inget KI"])
)
polarities = st.sampled_from(["higher", "lower", "none", None])
directions = st.sampled_from(["increase", "decrease", None])


def test_significant_increase_reads_like_the_issue():
    text = change_statement(
        "andelen sysselsatta 20–64 år", 78, 2019, 80, 2023, "%", 0, True, "increase", "higher"
    )
    assert text.startswith(
        "Andelen sysselsatta 20–64 år ökade från 78\u00a0% (2019) till 80\u00a0% (2023), "
        "en statistiskt säkerställd ökning"
    )
    assert "(positiv utveckling)" in text


def test_significant_decrease_of_a_higher_is_better_indicator_is_negative():
    text = change_statement("andelen sysselsatta", 80.0, 2019, 76.5, 2023, "%", 1, True, "decrease", "higher")
    assert "minskade från 80,0\u00a0% (2019) till 76,5\u00a0% (2023)" in text
    assert "statistiskt säkerställd minskning (negativ utveckling)" in text


def test_significant_change_without_polarity_makes_no_judgement():
    text = change_statement("antal invånare", 100, 2019, 120, 2023, "", 0, True, "increase", "none")
    assert "ökade" in text and "positiv" not in text and "negativ" not in text


def test_not_significant_says_unchanged():
    text = change_statement(
        "andelen sysselsatta 20–64 år", 78, 2019, 80, 2023, "%", 0, False, "increase", "higher"
    )
    assert text == (
        "Andelen sysselsatta 20–64 år var 80\u00a0% (2023) jämfört med 78\u00a0% (2019); "
        "förändringen är inte statistiskt säkerställd (oförändrad)."
    )


def test_untested_says_cannot_be_assessed_with_the_reason():
    text = change_statement(
        "andelen", 78, 2019, 80, 2023, "%", 0, None, None, "higher", "färre än fem mätpunkter"
    )
    assert text.endswith("utvecklingen kan inte bedömas: färre än fem mätpunkter.")
    assert change_statement("andelen", None, 2019, 80, 2023, "%").endswith(
        "kan inte bedömas: värden saknas för jämförelsen."
    )


def test_a_direction_that_contradicts_the_values_is_refused():
    with pytest.raises(ValueError, match="direction"):
        change_statement("andelen", 80, 2019, 78, 2023, "%", 0, True, "increase", "higher")
    with pytest.raises(ValueError, match="direction"):
        change_statement("andelen", 78, 2019, 80, 2023, "%", 0, True, None, "higher")
    with pytest.raises(ValueError, match="polarity"):
        change_statement("andelen", 78, 2019, 80, 2023, "%", 0, False, None, "up")


@settings(max_examples=400, deadline=None)
@given(
    subject=subjects,
    first=values,
    first_period=periods,
    last=values,
    last_period=periods,
    unit=units,
    decimals=st.integers(0, 3),
    significant=st.sampled_from([False, None]),
    direction=directions,
    polarity=polarities,
    reason=reasons,
)
def test_change_statement_never_claims_a_change_that_is_not_significant(
    subject, first, first_period, last, last_period, unit, decimals, significant, direction, polarity, reason
):
    text = change_statement(
        subject,
        first,
        first_period,
        last,
        last_period,
        unit,
        decimals,
        significant,
        direction,
        polarity,
        reason,
    )
    assert not CHANGE_WORDS.search(text), text
    assert ("oförändrad" in text) or ("kan inte bedömas" in text)


@settings(max_examples=400, deadline=None)
@given(
    first=values,
    last=values,
    unit=units,
    significant=st.sampled_from([False, None]),
    between=st.sampled_from(["områdestyp 1 och 5", "kvinnor och män", "inrikes och utrikes födda"]),
    first_period=st.one_of(st.none(), periods),
    last_period=st.one_of(st.none(), periods),
    decimals=st.integers(0, 2),
    reason=reasons,
)
def test_gap_statement_never_claims_a_change_that_is_not_significant(
    first, last, unit, significant, between, first_period, last_period, decimals, reason
):
    text = gap_statement(
        "SII",
        first,
        last,
        unit,
        significant,
        between=between,
        first_period=first_period,
        last_period=last_period,
        decimals=decimals,
        reason=reason,
    )
    assert not CHANGE_WORDS.search(text), text
    assert ("oförändrad" in text) or ("kan inte bedömas" in text)


@settings(max_examples=300, deadline=None)
@given(
    subject=subjects,
    value=values,
    bench=values,
    comparison=st.sampled_from(["similar", "not_compared", None]),
    unit=units,
    reason=reasons,
)
def test_benchmark_statement_never_claims_a_difference_that_is_not_significant(
    subject, value, bench, comparison, unit, reason
):
    text = benchmark_statement(subject, value, 2023, bench, "riket", comparison, unit, 1, reason)
    assert not COMPARISON_WORDS.search(text), text


def test_gap_statement_reads_like_the_issue():
    assert (
        gap_statement("SII", 21, 18, "procentenheter", True)
        == "Skillnaden mellan områdestyp 1 och 5 minskade (SII 21 → 18 procentenheter)."
    )
    assert "ökade (SII 18 → 21 procentenheter, 2019–2023)" in gap_statement(
        "SII", 18, 21, "procentenheter", True, first_period=2019, last_period=2023
    )
    # A gap's size is its absolute value: −21 → 18 narrowed.
    assert "minskade" in gap_statement("SII", -21, 18, "procentenheter", True)
    with pytest.raises(ValueError, match="significant"):
        gap_statement("SII", 21, -21, "procentenheter", True)


def test_benchmark_statement_with_polarity_and_without():
    better = benchmark_statement("andelen", 80, 2023, 78, "riket", "better", "%", 0)
    assert (
        better
        == "Andelen var 80\u00a0% (2023), statistiskt säkerställt högre än riket (78\u00a0%), ett bättre värde."
    )
    lower = benchmark_statement("andelen", 70, 2023, 78, "riket", "lower", "%", 0)
    assert "statistiskt säkerställt lägre än riket" in lower and "sämre" not in lower
    with pytest.raises(ValueError, match="comparison"):
        benchmark_statement("andelen", 70, 2023, 78, "riket", "higher", "%", 0)


@pytest.mark.parametrize(
    ("significant", "direction", "polarity", "expected"),
    [
        (True, "increase", "higher", Assessment.POSITIVE),
        (True, "decrease", "lower", Assessment.POSITIVE),
        (True, "decrease", "higher", Assessment.NEGATIVE),
        (True, "increase", "lower", Assessment.NEGATIVE),
        (True, "increase", "none", Assessment.UNCHANGED),  # counted as unchanged by the follow-up rules
        (False, "increase", "higher", Assessment.UNCHANGED),
        (False, None, "none", Assessment.UNCHANGED),
        (None, "increase", "higher", Assessment.NOT_ASSESSABLE),
    ],
)
def test_assessment_of_change(significant, direction, polarity, expected):
    assert assessment_of_change(significant, direction, polarity) is expected
