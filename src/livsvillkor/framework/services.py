"""Operations on målbilder: loading a framework file into a new version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from livsvillkor.core.errors import InputError
from livsvillkor.core.yamlfile import load_validated, problem_at

from .models import CityProcess, EffectGoal, FocusArea, Framework, Level, SteeringDocument, TargetArea
from .schema import FrameworkFile, normalise_text, semantic_problems


@dataclass(frozen=True)
class LoadResult:
    framework: Framework
    created: bool

    @property
    def message(self) -> str:
        fw = self.framework
        if not self.created:
            return f"{fw.name}: unchanged (version {fw.version} already holds this content)"
        goals = EffectGoal.objects.filter(target_area__framework=fw).count()
        return (
            f"{fw.name}: loaded as version {fw.version} "
            f"({fw.target_areas.count()} target areas, {goals} effect goals)"
        )


def parse_framework_file(path: str | Path) -> FrameworkFile:
    """Validate a framework file completely; raise :class:`InputError` naming every problem."""
    path = Path(path)
    data, index = load_validated(path, FrameworkFile)
    problems = [problem_at(path, index, loc, message) for loc, message in semantic_problems(data)]
    if problems:
        raise InputError(f"{path}: {len(problems)} problem(s) in the file", problems)
    return data


def content_hash(data: FrameworkFile) -> str:
    payload = json.dumps(data.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@transaction.atomic
def load_framework(path: str | Path) -> LoadResult:
    """Load a framework file. The same content twice changes nothing; changed content is a new version."""
    data = parse_framework_file(path)
    digest = content_hash(data)
    existing = Framework.objects.select_for_update().filter(slug=data.slug).order_by("-version")
    latest = existing.first()
    if latest is not None and latest.content_hash == digest:
        return LoadResult(latest, created=False)
    version = latest.version + 1 if latest else 1
    fw = Framework.objects.create(
        slug=data.slug,
        version=version,
        name=data.name,
        organisation=data.organisation,
        municipality_code=data.municipality_code,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        adopted_by=data.adopted_by,
        adopted_on=data.adopted_on,
        status=data.status,
        validity_text=data.validity_text,
        introduction=normalise_text(data.introduction),
        purpose=normalise_text(data.purpose),
        overall_goal=data.overall_goal.title,
        overall_goal_description=normalise_text(data.overall_goal.description),
        follow_up_interval_years=data.follow_up.interval_years,
        follow_up_basis=data.follow_up.basis,
        follow_up_main_source=data.follow_up.main_source,
        follow_up_text=normalise_text(data.follow_up.text),
        steering_documents_intro=normalise_text(data.steering_documents.intro),
        processes_intro=normalise_text(data.city_processes.intro),
        area_development_text=normalise_text(data.area_development.description),
        content_hash=digest,
        source_file=Path(path).name,
    )
    Level.objects.bulk_create(
        Level(framework=fw, code=lv.code, name=lv.name, description=normalise_text(lv.description), order=i)
        for i, lv in enumerate(data.levels)
    )
    for i, ta_in in enumerate(data.target_areas):
        ta = TargetArea.objects.create(
            framework=fw,
            code=ta_in.code,
            slug=ta_in.slug,
            name=ta_in.name,
            summary=normalise_text(ta_in.summary),
            description=normalise_text(ta_in.description),
            order=i,
        )
        EffectGoal.objects.bulk_create(
            EffectGoal(target_area=ta, code=g.code, text=g.text, short_name=g.short_name, order=j)
            for j, g in enumerate(ta_in.effect_goals)
        )
    FocusArea.objects.bulk_create(
        FocusArea(
            framework=fw,
            slug=fa.slug,
            name=fa.name,
            description=normalise_text(fa.description),
            lead=fa.lead,
            started=fa.started,
            area_code=fa.area_code,
            order=i,
        )
        for i, fa in enumerate(data.area_development.focus_areas)
    )
    SteeringDocument.objects.bulk_create(
        SteeringDocument(framework=fw, name=name, order=i)
        for i, name in enumerate(data.steering_documents.items)
    )
    CityProcess.objects.bulk_create(
        CityProcess(framework=fw, name=name, order=i) for i, name in enumerate(data.city_processes.items)
    )
    return LoadResult(fw, created=True)


def current_framework() -> Framework | None:
    return Framework.objects.current()
