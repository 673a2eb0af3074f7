import pytest
from hypothesis import given
from hypothesis import strategies as st

from livsvillkor.followup.rules import (
    Development,
    GapDevelopment,
    GoalAssessment,
    IndicatorDevelopment,
    assess_goal,
    development,
    gap_development,
)


@pytest.mark.parametrize(
    "direction, significant, polarity, expected",
    [
        ("increasing", True, "higher", Development.IMPROVING),
        ("increasing", True, "lower", Development.WORSENING),
        ("decreasing", True, "lower", Development.IMPROVING),
        ("decreasing", True, "higher", Development.WORSENING),
        ("increasing", False, "higher", Development.NO_CHANGE),
        ("increasing", True, "none", Development.INCREASING),
        (None, None, "higher", Development.NOT_ASSESSABLE),
    ],
)
def test_development(direction, significant, polarity, expected):
    assert development(direction, significant, polarity) == expected


def test_gap_development():
    assert gap_development("decreasing", True) == GapDevelopment.NARROWING
    assert gap_development("increasing", True) == GapDevelopment.WIDENING
    assert gap_development("increasing", False) == GapDevelopment.NO_CHANGE
    assert gap_development(None, None) == GapDevelopment.NOT_ASSESSABLE


def item(name, dev, gap=GapDevelopment.NOT_ASSESSABLE):
    return IndicatorDevelopment(name, dev, gap)


def test_positive_when_improvements_outnumber_and_no_gap_widens():
    result = assess_goal(
        [item("a", Development.IMPROVING), item("b", Development.IMPROVING), item("c", Development.WORSENING)]
    )
    assert result.assessment == GoalAssessment.POSITIVE
    assert result.improving == ["a", "b"] and result.worsening == ["c"]
    assert "2 förbättring(ar), 1 försämring(ar)" in result.explanation


def test_a_widening_gap_blocks_positive():
    result = assess_goal(
        [item("a", Development.IMPROVING, GapDevelopment.WIDENING), item("b", Development.NO_CHANGE)]
    )
    assert result.assessment == GoalAssessment.UNCHANGED
    assert result.gaps_widening == ["a"]


def test_negative_and_unchanged():
    assert (
        assess_goal([item("a", Development.WORSENING), item("b", Development.NO_CHANGE)]).assessment
        == GoalAssessment.NEGATIVE
    )
    assert (
        assess_goal([item("a", Development.WORSENING), item("b", Development.IMPROVING)]).assessment
        == GoalAssessment.UNCHANGED
    )
    narrowing = [item("a", Development.WORSENING, GapDevelopment.NARROWING)]
    assert assess_goal(narrowing).assessment == GoalAssessment.UNCHANGED


def test_cannot_be_assessed_when_fewer_than_half_assessable():
    items = [
        item("a", Development.IMPROVING),
        item("b", Development.NOT_ASSESSABLE),
        item("c", Development.NOT_ASSESSABLE),
    ]
    assert assess_goal(items).assessment == GoalAssessment.NOT_ASSESSABLE
    # exactly half is enough
    assert assess_goal(items[:2]).assessment == GoalAssessment.POSITIVE
    assert assess_goal([]).assessment == GoalAssessment.NOT_ASSESSABLE


developments = st.sampled_from(list(Development))
gaps = st.sampled_from(list(GapDevelopment))


@given(st.lists(st.tuples(developments, gaps), max_size=12))
def test_counts_always_add_up_and_order_does_not_matter(pairs):
    items = [item(str(i), d, g) for i, (d, g) in enumerate(pairs)]
    result = assess_goal(items)
    assert result.total == len(items)
    assert assess_goal(list(reversed(items))).assessment == result.assessment
    if result.assessment == GoalAssessment.POSITIVE:
        assert len(result.improving) > len(result.worsening) and not result.gaps_widening
    if result.assessment == GoalAssessment.NEGATIVE:
        assert len(result.worsening) > len(result.improving) and not result.gaps_narrowing
