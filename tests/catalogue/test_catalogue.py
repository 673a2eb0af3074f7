"""The Borås indicator catalogue: content checks against the real Kolada catalogue, and loading it."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from livsvillkor.core.errors import InputError
from livsvillkor.framework.catalogue import load_catalogue, parse_catalogue_file
from livsvillkor.framework.models import Indicator, IndicatorGoalLink
from livsvillkor.framework.services import parse_framework_file
from tests.conftest import shared_file

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "catalogues" / "boras.yaml"
FRAMEWORK = ROOT / "frameworks" / "boras-2021-2024.yaml"


@pytest.fixture(scope="module")
def catalogue():
    return parse_catalogue_file(CATALOGUE)[0]


@pytest.fixture(scope="module")
def kolada_kpis(shared_data):
    records = json.loads(shared_file("kolada/rkolada_2026-03_v3_kpi_df.json").read_text(encoding="utf-8"))
    return {r["id"]: r for r in records}


def test_every_kolada_id_exists_in_the_real_kpi_catalogue(catalogue, kolada_kpis):
    ids = {i.code: i.source.kolada_id for i in catalogue.indicators if i.source.kolada_id}
    assert len(ids) >= 25
    unknown = {code: kid for code, kid in ids.items() if kid not in kolada_kpis}
    assert not unknown, f"Kolada ids not in Kolada's KPI catalogue: {unknown}"
    # and every one is published for municipalities (K = kommun, A = all)
    not_for_municipalities = {
        k: v for k, v in ids.items() if kolada_kpis[v]["municipality_type"] not in ("K", "A")
    }
    assert not not_for_municipalities


def test_every_effect_goal_has_at_least_two_indicators(catalogue):
    framework = parse_framework_file(FRAMEWORK)
    goal_codes = [g.code for ta in framework.target_areas for g in ta.effect_goals]
    assert len(goal_codes) == 13
    counts = {code: sum(code in i.goals for i in catalogue.indicators) for code in goal_codes}
    assert all(n >= 2 for n in counts.values()), counts
    primary = {code: sum(i.goals[:1] == [code] for i in catalogue.indicators) for code in goal_codes}
    assert all(n >= 1 for n in primary.values()), primary
    assert {g for i in catalogue.indicators for g in i.goals} <= set(goal_codes)


def test_size_overall_goal_and_area_development(catalogue):
    assert 40 <= len(catalogue.indicators) <= 60
    assert sum(i.overall_goal for i in catalogue.indicators) >= 2
    assert sum(i.area_development for i in catalogue.indicators) >= 2
    # local sources without a Kolada id are first-class
    assert {i.source.type for i in catalogue.indicators} >= {"kolada", "survey", "register", "derived", "scb"}


@pytest.mark.django_db
def test_load_catalogue_upserts_and_links(boras_framework):
    result = load_catalogue(CATALOGUE)
    n = Indicator.objects.count()
    assert len(result.created) == n == len(parse_catalogue_file(CATALOGUE)[0].indicators)
    emp = Indicator.objects.get(code="sysselsattningsgrad-20-64")
    assert (emp.kolada_id, emp.value_type, emp.scale, emp.polarity) == ("N02267", "proportion", 100, "higher")
    assert emp.breakdowns == ["sex", "background"] and "deso" in emp.geographic_levels
    links = IndicatorGoalLink.objects.filter(indicator__code="gymnasieexamen-inom-3-ar").order_by("-primary")
    assert [(link.effect_goal.code, link.primary) for link in links] == [("1.2", True), ("2.1", False)]
    with_goals = Indicator.objects.filter(goal_links__isnull=False).distinct()
    for ind in with_goals:
        assert ind.goal_links.filter(primary=True).count() == 1, ind.code
    # Running it again changes nothing.
    again = load_catalogue(CATALOGUE)
    assert not again.created and not again.updated and len(again.unchanged) == n
    assert IndicatorGoalLink.objects.count() == result.links


@pytest.mark.django_db
def test_changed_file_updates_in_place(boras_framework, tmp_path):
    load_catalogue(CATALOGUE)
    text = (
        CATALOGUE.read_text(encoding="utf-8")
        .replace('goals: ["1.2", "2.1"]', 'goals: ["2.1"]', 1)
        .replace("name: Ohälsotal\n", "name: Ohälsotal (dagar)\n")
    )
    changed = tmp_path / "boras.yaml"
    changed.write_text(text, encoding="utf-8")
    result = load_catalogue(changed)
    assert set(result.updated) == {"ohalsotal"}
    links = IndicatorGoalLink.objects.filter(indicator__code="gymnasieexamen-inom-3-ar")
    assert [(link.effect_goal.code, link.primary) for link in links] == [("2.1", True)]
    assert Indicator.objects.get(code="ohalsotal").name == "Ohälsotal (dagar)"


@pytest.mark.django_db
def test_unknown_goal_and_bad_values_write_nothing(boras_framework, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        CATALOGUE.read_text(encoding="utf-8").replace('goals: ["3.3"]\n', 'goals: ["3.9"]\n', 1),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_catalogue(bad)
    assert "effect goal '3.9'" in str(info.value) and "bad.yaml:" in str(info.value)
    assert Indicator.objects.count() == 0

    bad.write_text(
        CATALOGUE.read_text(encoding="utf-8").replace("kolada_id: N02267", "kolada_id: X2267", 1),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_catalogue(bad)
    assert "kolada_id" in str(info.value)
    assert Indicator.objects.count() == 0


def test_duplicate_codes_are_named_with_their_line(tmp_path):
    text = CATALOGUE.read_text(encoding="utf-8").replace(
        "code: ohalsotal\n", "code: sjalvskattad-god-halsa\n"
    )
    bad = tmp_path / "dup.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        parse_catalogue_file(bad)
    problem = info.value.problems[0]
    assert "duplicate indicator code 'sjalvskattad-god-halsa'" in problem.message
    line = int(problem.where.rsplit(":", 1)[1])
    assert "code: sjalvskattad-god-halsa" in text.splitlines()[line - 1]


@pytest.mark.django_db
def test_command(boras_framework):
    out = StringIO()
    call_command("load-catalogue", stdout=out)
    assert "created" in out.getvalue() and Indicator.objects.exists()
    with pytest.raises(CommandError, match="file not found"):
        call_command("load-catalogue", "no-such-file.yaml", stdout=StringIO())


@pytest.mark.django_db
def test_without_a_framework_the_error_says_what_to_do():
    with pytest.raises(InputError, match="load-framework"):
        load_catalogue(CATALOGUE)


def test_aliases_cover_the_repository_mappings(catalogue):
    """The SCB export mappings name indicators by their own codes; the catalogue maps them."""
    import yaml

    from livsvillkor.framework.catalogue import alias_map

    aliases = alias_map(CATALOGUE)
    mapped = {
        yaml.safe_load(p.read_text(encoding="utf-8"))["indicator"] for p in (ROOT / "mappings").glob("*.yaml")
    }
    covered = {code for code in mapped if code in aliases}
    assert covered == {
        "born-outside-sweden",
        "foreign-background",
        "compulsory-education-25-64",
        "low-economic-standard",
        "employment-rate-16-64",
    }
    codes = {i.code for i in catalogue.indicators}
    assert set(aliases.values()) <= codes and not set(aliases) & codes


def test_alias_used_twice_is_an_error(tmp_path):
    text = CATALOGUE.read_text(encoding="utf-8").replace(
        "aliases: [foreign-background]", "aliases: [born-outside-sweden]"
    )
    bad = tmp_path / "alias.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="born-outside-sweden"):
        parse_catalogue_file(bad)
