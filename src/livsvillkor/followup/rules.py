"""The assessment rules of the follow-up, as plain functions (no database), so they are easy to test
and the same in pages and reports.

Per indicator: its *development* (significant improvement / no significant change / significant
worsening / cannot be assessed), from a trend test and the indicator's polarity; and its *gap
development* (is the chosen gap measure shrinking significantly, growing, unchanged, or not
assessable). Per effect goal: *positive* when improvements outnumber worsenings and no gap widens
significantly; *negative* when worsenings outnumber improvements and no gap narrows significantly;
*unchanged* otherwise; *cannot be assessed* when fewer than half of its indicators are assessable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Development(StrEnum):
    IMPROVING = "improving"
    NO_CHANGE = "no_change"
    WORSENING = "worsening"
    INCREASING = "increasing"  # significant change of an indicator without polarity
    DECREASING = "decreasing"
    NOT_ASSESSABLE = "not_assessable"

    @property
    def label(self) -> str:
        return DEVELOPMENT_LABELS[self]


DEVELOPMENT_LABELS = {
    Development.IMPROVING: "Statistiskt säkerställd förbättring",
    Development.NO_CHANGE: "Ingen statistiskt säkerställd förändring",
    Development.WORSENING: "Statistiskt säkerställd försämring",
    Development.INCREASING: "Statistiskt säkerställd ökning",
    Development.DECREASING: "Statistiskt säkerställd minskning",
    Development.NOT_ASSESSABLE: "Kan inte bedömas",
}


class GapDevelopment(StrEnum):
    NARROWING = "narrowing"
    NO_CHANGE = "no_change"
    WIDENING = "widening"
    NOT_ASSESSABLE = "not_assessable"

    @property
    def label(self) -> str:
        return GAP_LABELS[self]


GAP_LABELS = {
    GapDevelopment.NARROWING: "Skillnaden minskar",
    GapDevelopment.NO_CHANGE: "Ingen säkerställd förändring av skillnaden",
    GapDevelopment.WIDENING: "Skillnaden ökar",
    GapDevelopment.NOT_ASSESSABLE: "Skillnaden kan inte bedömas",
}


class GoalAssessment(StrEnum):
    POSITIVE = "positive"
    UNCHANGED = "unchanged"
    NEGATIVE = "negative"
    NOT_ASSESSABLE = "not_assessable"

    @property
    def label(self) -> str:
        return GOAL_LABELS[self]


GOAL_LABELS = {
    GoalAssessment.POSITIVE: "Positiv",
    GoalAssessment.UNCHANGED: "Oförändrad",
    GoalAssessment.NEGATIVE: "Negativ",
    GoalAssessment.NOT_ASSESSABLE: "Kan inte bedömas",
}


def development(direction: str | None, significant: bool | None, polarity: str) -> Development:
    """Development of one indicator from its trend test.

    ``direction`` is ``"increasing"``/``"decreasing"`` (or None when the trend could not be
    calculated); ``polarity`` is ``"higher"``, ``"lower"`` or ``"none"``.
    """
    if direction is None or significant is None:
        return Development.NOT_ASSESSABLE
    if not significant:
        return Development.NO_CHANGE
    if direction not in ("increasing", "decreasing"):
        return Development.NOT_ASSESSABLE
    if polarity == "none":
        return Development.INCREASING if direction == "increasing" else Development.DECREASING
    good = (direction == "increasing") == (polarity == "higher")
    return Development.IMPROVING if good else Development.WORSENING


def gap_development(direction: str | None, significant: bool | None) -> GapDevelopment:
    """Development of a gap measure's own series (its magnitude: smaller is more equal)."""
    if direction is None or significant is None:
        return GapDevelopment.NOT_ASSESSABLE
    if not significant:
        return GapDevelopment.NO_CHANGE
    return GapDevelopment.NARROWING if direction == "decreasing" else GapDevelopment.WIDENING


@dataclass(frozen=True)
class IndicatorDevelopment:
    indicator: str
    development: Development
    gap: GapDevelopment = GapDevelopment.NOT_ASSESSABLE
    reason: str = ""


@dataclass
class GoalResult:
    assessment: GoalAssessment
    improving: list[str] = field(default_factory=list)
    worsening: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_assessable: list[str] = field(default_factory=list)
    gaps_narrowing: list[str] = field(default_factory=list)
    gaps_widening: list[str] = field(default_factory=list)

    @property
    def assessable(self) -> int:
        return len(self.improving) + len(self.worsening) + len(self.unchanged)

    @property
    def total(self) -> int:
        return self.assessable + len(self.not_assessable)

    @property
    def explanation(self) -> str:
        text = (
            f"{len(self.improving)} förbättring(ar), {len(self.worsening)} försämring(ar), "
            f"{len(self.unchanged)} utan säkerställd förändring och {len(self.not_assessable)} som inte kan "
            f"bedömas av {self.total} indikatorer"
        )
        if self.gaps_widening or self.gaps_narrowing:
            text += (
                f"; skillnaden ökar för {len(self.gaps_widening)} och minskar för {len(self.gaps_narrowing)}"
            )
        return text + "."


def assess_goal(items: list[IndicatorDevelopment]) -> GoalResult:
    """The computed proposal for one effect goal, with the indicators behind each count."""
    result = GoalResult(GoalAssessment.NOT_ASSESSABLE)
    for item in items:
        if item.development == Development.IMPROVING:
            result.improving.append(item.indicator)
        elif item.development == Development.WORSENING:
            result.worsening.append(item.indicator)
        elif item.development == Development.NOT_ASSESSABLE:
            result.not_assessable.append(item.indicator)
        else:  # no change, or a significant change of an indicator without polarity
            result.unchanged.append(item.indicator)
        if item.gap == GapDevelopment.NARROWING:
            result.gaps_narrowing.append(item.indicator)
        elif item.gap == GapDevelopment.WIDENING:
            result.gaps_widening.append(item.indicator)
    if result.total == 0 or result.assessable * 2 < result.total:
        result.assessment = GoalAssessment.NOT_ASSESSABLE
    elif len(result.improving) > len(result.worsening) and not result.gaps_widening:
        result.assessment = GoalAssessment.POSITIVE
    elif len(result.worsening) > len(result.improving) and not result.gaps_narrowing:
        result.assessment = GoalAssessment.NEGATIVE
    else:
        result.assessment = GoalAssessment.UNCHANGED
    return result
