"""The indicator catalogue file (``catalogues/*.yaml``): its schema and loading it into the database.

Loading upserts :class:`~livsvillkor.framework.models.Indicator` rows by ``code`` and links each to
the effect goals it names in the framework the file refers to (its newest adopted version). The first
goal listed is the primary link. Links to goals of *other* framework versions are kept: indicators
outlive a målbild. The whole file is checked before anything is written; any problem raises an
:class:`~livsvillkor.core.errors.InputError` naming the file, line and key, and nothing is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from livsvillkor.core.errors import InputError, Problem
from livsvillkor.core.yamlfile import LineIndex, load_validated, problem_at

from .models import EffectGoal, Framework, Indicator, IndicatorGoalLink
from .schema import SLUG

SCHEMA_ID = "livsvillkor/catalogue/1"
KOLADA_ID = r"^[NU]\d{5}$"
GOAL_CODE = r"^\d+\.\d+$"

LifeStage = Literal["children", "young-adults", "working-age", "older"]
Breakdown = Literal["sex", "background", "age", "education"]
Level = Literal["country", "county", "municipality", "district", "regso", "deso", "custom"]

# Percentages are stored as percentages; the scale says what 1 unit of the ratio is shown as.
DEFAULT_SCALE = {"proportion": 100}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SourceIn(Strict):
    type: Literal["kolada", "scb", "survey", "register", "manual", "derived"]
    name: str = Field(default="", max_length=200)
    kolada_id: str = Field(default="", pattern=rf"({KOLADA_ID})|^$")
    scb_table: str = Field(default="", max_length=100)
    url: str = ""

    @model_validator(mode="after")
    def kolada_needs_id(self):
        if self.type == "kolada" and not self.kolada_id:
            raise ValueError("a Kolada source needs kolada_id")
        if self.type != "kolada" and self.kolada_id and self.type not in ("scb",):
            raise ValueError(f"kolada_id given for a {self.type} source; use type: kolada")
        return self


class YearValue(Strict):
    year: int = Field(ge=1900, le=2100)
    value: float


class TargetIn(Strict):
    value: float
    year: int | None = Field(default=None, ge=1900, le=2100)


class SuppressionIn(Strict):
    min_numerator: int = Field(default=5, ge=0)
    min_denominator: int = Field(default=10, ge=0)


class IndicatorIn(Strict):
    code: str = Field(pattern=SLUG, max_length=80)
    name: str = Field(min_length=1, max_length=300)
    short_name: str = Field(default="", max_length=120)
    definition: str = ""
    unit: str = Field(default="", max_length=40)
    value_type: Literal["proportion", "rate", "mean", "count", "index", "ratio"]
    scale: int | None = Field(default=None, ge=1)
    decimals: int = Field(default=1, ge=0, le=6)
    polarity: Literal["higher", "lower", "none"] = "none"
    life_stages: list[LifeStage] = []
    source: SourceIn
    breakdowns: list[Breakdown] = []
    levels: list[Level] = Field(min_length=1)
    frequency: str = Field(default="", max_length=40)
    baseline: YearValue | None = None
    target: TargetIn | None = None
    ci_method: Literal["wilson", "byar", "dobson", "t", "given", "none"] = "none"
    suppression: SuppressionIn = SuppressionIn()
    caveats: str = ""
    goals: list[str] = []
    overall_goal: bool = False
    area_development: bool = False
    active: bool = True
    aliases: list[str] = []

    @field_validator("aliases")
    @classmethod
    def alias_slugs(cls, aliases: list[str]) -> list[str]:
        for a in aliases:
            if not re.match(SLUG, a):
                raise ValueError(f"alias {a!r} is not a slug")
        return aliases

    @field_validator("goals")
    @classmethod
    def goal_codes(cls, goals: list[str]) -> list[str]:
        for g in goals:
            if not re.match(GOAL_CODE, g):
                raise ValueError(f"effect goal code {g!r} is not like '1.2'")
        if len(set(goals)) != len(goals):
            raise ValueError("an effect goal is listed twice")
        return goals

    @model_validator(mode="after")
    def follows_something(self):
        if not (self.goals or self.overall_goal or self.area_development):
            raise ValueError(
                "an indicator must follow at least one effect goal, the overall goal or områdesutveckling"
            )
        return self


class CatalogueFile(Strict):
    schema_: Literal["livsvillkor/catalogue/1"] = Field(alias="schema")
    framework: str = Field(default="", pattern=rf"({SLUG})|^$")
    indicators: list[IndicatorIn] = Field(min_length=1)


def parse_catalogue_file(path: str | Path) -> tuple[CatalogueFile, LineIndex]:
    path = Path(path)
    data, index = load_validated(path, CatalogueFile)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, ind in enumerate(data.indicators):
        if ind.code in seen:
            problems.append(
                problem_at(
                    path,
                    index,
                    ("indicators", i, "code"),
                    f"duplicate indicator code '{ind.code}' (also indicators[{seen[ind.code]}])",
                )
            )
        else:
            seen[ind.code] = i
    names: dict[str, str] = {i.code: "code" for i in data.indicators}
    for i, ind in enumerate(data.indicators):
        for j, alias in enumerate(ind.aliases):
            if alias in names:
                problems.append(
                    problem_at(
                        path,
                        index,
                        ("indicators", i, "aliases", j),
                        f"alias '{alias}' is already used as an indicator code or alias",
                    )
                )
            names[alias] = ind.code
    if problems:
        raise InputError(f"{path}: {len(problems)} problem(s) in the file", problems)
    return data, index


def alias_map(path: str | Path) -> dict[str, str]:
    """Alias (a code used by an import mapping) → catalogue indicator code."""
    data, _ = parse_catalogue_file(path)
    return {alias: ind.code for ind in data.indicators for alias in ind.aliases}


@dataclass
class CatalogueResult:
    framework: Framework
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    links: int = 0
    not_in_file: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = (
            f"Indicator catalogue: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged; {self.links} links to the effect goals of "
            f"{self.framework.name} (v{self.framework.version})"
        )
        if self.not_in_file:
            text += f"; {len(self.not_in_file)} indicator(s) in the database are not in the file (left as they are)"
        return text


def _fields(ind: IndicatorIn) -> dict:
    return {
        "name": ind.name,
        "short_name": ind.short_name,
        "definition": " ".join(ind.definition.split()),
        "unit": ind.unit,
        "value_type": ind.value_type,
        "scale": ind.scale or DEFAULT_SCALE.get(ind.value_type, 1),
        "decimals": ind.decimals,
        "polarity": ind.polarity,
        "life_stages": list(ind.life_stages),
        "source_type": ind.source.type,
        "source_name": ind.source.name,
        "kolada_id": ind.source.kolada_id,
        "scb_table": ind.source.scb_table,
        "source_url": ind.source.url,
        "breakdowns": list(ind.breakdowns),
        "geographic_levels": list(ind.levels),
        "frequency": ind.frequency,
        "baseline_year": ind.baseline.year if ind.baseline else None,
        "baseline_value": ind.baseline.value if ind.baseline else None,
        "target_value": ind.target.value if ind.target else None,
        "target_year": ind.target.year if ind.target else None,
        "ci_method": ind.ci_method,
        "suppression_min_numerator": ind.suppression.min_numerator,
        "suppression_min_denominator": ind.suppression.min_denominator,
        "caveats": ind.caveats,
        "covers_overall_goal": ind.overall_goal,
        "area_development": ind.area_development,
        "is_active": ind.active,
    }


def _framework_for(data: CatalogueFile, path: Path) -> Framework:
    if data.framework:
        fw = Framework.objects.published().filter(slug=data.framework).order_by("-version").first()
        if fw is None:
            raise InputError(
                f"{path}: framework '{data.framework}' is not loaded; run `livsvillkor load-framework` first"
            )
        return fw
    fw = Framework.objects.current()
    if fw is None:
        raise InputError(f"{path}: no framework is loaded; run `livsvillkor load-framework` first")
    return fw


@transaction.atomic
def load_catalogue(path: str | Path) -> CatalogueResult:
    """Upsert the catalogue's indicators and their effect-goal links. Re-running changes nothing."""
    path = Path(path)
    data, index = parse_catalogue_file(path)
    fw = _framework_for(data, path)
    goals = {g.code: g for g in EffectGoal.objects.filter(target_area__framework=fw)}
    problems = [
        problem_at(
            path,
            index,
            ("indicators", i, "goals", j),
            f"effect goal '{code}' is not in {fw.slug} v{fw.version}",
        )
        for i, ind in enumerate(data.indicators)
        for j, code in enumerate(ind.goals)
        if code not in goals
    ]
    if problems:
        raise InputError(f"{path}: {len(problems)} problem(s) in the file", problems)

    result = CatalogueResult(framework=fw)
    existing = {i.code: i for i in Indicator.objects.all()}
    for ind in data.indicators:
        values = _fields(ind)
        obj = existing.get(ind.code)
        if obj is None:
            obj = Indicator.objects.create(code=ind.code, **values)
            result.created.append(ind.code)
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            result.updated.append(ind.code)
        else:
            result.unchanged.append(ind.code)
        wanted = {code: i == 0 for i, code in enumerate(ind.goals)}
        links = {
            link.effect_goal.code: link
            for link in IndicatorGoalLink.objects.filter(
                indicator=obj, effect_goal__target_area__framework=fw
            ).select_related("effect_goal")
        }
        for code, link in links.items():
            if code not in wanted:
                link.delete()
            elif link.primary != wanted[code]:
                link.primary = wanted[code]
                link.save(update_fields=["primary"])
        IndicatorGoalLink.objects.bulk_create(
            IndicatorGoalLink(indicator=obj, effect_goal=goals[code], primary=primary)
            for code, primary in wanted.items()
            if code not in links
        )
        result.links += len(wanted)
    in_file = {ind.code for ind in data.indicators}
    result.not_in_file = sorted(set(existing) - in_file)
    return result
