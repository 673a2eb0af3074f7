"""The schema of a målbild YAML file (``frameworks/*.yaml``), validated with pydantic."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_ID = "livsvillkor/framework/1"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OverallGoal(Strict):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""


class LevelIn(Strict):
    code: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""


class EffectGoalIn(Strict):
    code: str = Field(pattern=r"^\d+\.\d+$", description="target area code, dot, running number")
    text: str = Field(min_length=1)
    short_name: str = Field(default="", max_length=120)


class TargetAreaIn(Strict):
    code: str = Field(pattern=r"^\d+$")
    slug: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=200)
    summary: str = ""
    description: str = ""
    effect_goals: list[EffectGoalIn] = Field(min_length=1)


class FocusAreaIn(Strict):
    slug: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    lead: str = ""
    started: str = ""
    area_code: str = ""


class AreaDevelopmentIn(Strict):
    description: str = ""
    focus_areas: list[FocusAreaIn] = []


class NamedList(Strict):
    intro: str = ""
    items: list[str] = []

    @field_validator("items")
    @classmethod
    def no_blank_items(cls, items: list[str]) -> list[str]:
        for i, item in enumerate(items):
            if not item.strip():
                raise ValueError(f"item {i} is blank")
        return items


class FollowUpIn(Strict):
    interval_years: int = Field(ge=1, le=10)
    basis: str = ""
    main_source: str = ""
    text: str = ""


class FrameworkFile(Strict):
    schema_: Literal["livsvillkor/framework/1"] = Field(alias="schema")
    slug: str = Field(pattern=SLUG, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    organisation: str = Field(min_length=1, max_length=200)
    municipality_code: str = Field(default="", pattern=r"^(\d{4})?$")
    valid_from: dt.date
    valid_to: dt.date | None = None
    adopted_by: str = ""
    adopted_on: dt.date | None = None
    status: Literal["draft", "adopted", "replaced", "archived"] = "adopted"
    validity_text: str = ""
    introduction: str = ""
    purpose: str = ""
    overall_goal: OverallGoal
    levels: list[LevelIn] = []
    target_areas: list[TargetAreaIn] = Field(min_length=1)
    area_development: AreaDevelopmentIn = AreaDevelopmentIn()
    steering_documents: NamedList = NamedList()
    city_processes: NamedList = NamedList()
    follow_up: FollowUpIn

    @field_validator("municipality_code", mode="before")
    @classmethod
    def code_as_text(cls, value):
        return str(value) if isinstance(value, int) else value


def semantic_problems(data: FrameworkFile) -> list[tuple[tuple, str]]:
    """Rules a JSON schema cannot say: unique codes, goals under their own target area, dates."""
    problems: list[tuple[tuple, str]] = []
    if data.valid_to and data.valid_to < data.valid_from:
        problems.append((("valid_to",), "valid_to is before valid_from"))

    def unique(items, attr: str, where: tuple, label: str):
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            value = getattr(item, attr)
            if value in seen:
                problems.append(
                    ((*where, i, attr), f"duplicate {label} '{value}' (also at {where[-1]}[{seen[value]}])")
                )
            else:
                seen[value] = i

    unique(data.levels, "code", ("levels",), "level code")
    unique(data.target_areas, "code", ("target_areas",), "target area code")
    unique(data.target_areas, "slug", ("target_areas",), "target area slug")
    unique(data.area_development.focus_areas, "slug", ("area_development", "focus_areas"), "focus area slug")

    target_codes = {ta.code for ta in data.target_areas}
    goal_seen: dict[str, tuple] = {}
    for t, ta in enumerate(data.target_areas):
        for g, goal in enumerate(ta.effect_goals):
            loc = ("target_areas", t, "effect_goals", g, "code")
            prefix = goal.code.split(".")[0]
            if goal.code in goal_seen:
                first = goal_seen[goal.code]
                problems.append(
                    (
                        loc,
                        f"duplicate effect goal code '{goal.code}' "
                        f"(first at target_areas[{first[1]}].effect_goals[{first[3]}])",
                    )
                )
            else:
                goal_seen[goal.code] = loc
            if prefix not in target_codes:
                problems.append((loc, f"effect goal '{goal.code}' refers to unknown target area '{prefix}'"))
            elif prefix != ta.code:
                problems.append(
                    (loc, f"effect goal '{goal.code}' belongs to target area '{prefix}', not '{ta.code}'")
                )
    return problems


def normalise_text(text: str) -> str:
    """Collapse runs of spaces inside lines; keep paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
