"""Server-side tests of the public pages (Django test client)."""

import pytest
from django.urls import reverse

from livsvillkor.core.services import load_demo_content
from livsvillkor.framework.models import EffectGoal
from tests.framework.test_load_framework import EXPECTED_GOALS

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(boras_framework):
    load_demo_content()
    return boras_framework


def test_start_page_lists_the_three_target_areas(client, site):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    for name in [
        "God start i livet och goda uppväxtvillkor",
        "Förutsättningar för arbete",
        "Boende och närmiljö",
    ]:
        assert name in html
    assert "Skapa jämlika livsvillkor och god hälsa" in html
    assert "Områdesutveckling" in html and "Norrby" in html and "Sjöbo" in html
    assert "Kommunstyrelsen har beslutat om effektmålen" in html  # latest news
    assert "boras.stad@boras.se" in html  # contact details from the admin
    assert 'href="#main"' in html  # skip link


@pytest.mark.parametrize(
    "slug, codes",
    [
        ("god-start-i-livet", ["1.1", "1.2", "1.3", "1.4", "1.5"]),
        ("forutsattningar-for-arbete", ["2.1", "2.2", "2.3"]),
        ("boende-och-narmiljo", ["3.1", "3.2", "3.3", "3.4", "3.5"]),
    ],
)
def test_target_area_page_lists_its_effect_goals_verbatim(client, site, slug, codes):
    response = client.get(reverse("portal:target-area", args=[slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for code in codes:
        assert EXPECTED_GOALS[code] in html
    others = set(EXPECTED_GOALS) - set(codes)
    assert not any(EXPECTED_GOALS[c] in html for c in others)


def test_effect_goal_page(client, site):
    response = client.get(reverse("portal:effect-goal", args=["2.2"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert EXPECTED_GOALS["2.2"] in html
    assert "Förutsättningar för arbete" in html
    assert reverse("portal:effect-goal", args=["2.1"]) in html  # previous
    assert reverse("portal:effect-goal", args=["2.3"]) in html  # next


def test_every_effect_goal_has_a_page(client, site):
    for goal in EffectGoal.objects.all():
        assert client.get(goal.get_absolute_url()).status_code == 200


def test_about_page(client, site):
    html = client.get(reverse("portal:about")).content.decode()
    assert "2021–2024" in html
    assert "Kommunstyrelsen" in html
    assert "Stadenövergripande nivå" in html and "Områdesutveckling" in html
    assert "Program mot hemlöshet" in html and "Visionen om framtidens Borås" in html
    assert "Lokalt inflytandearbete" in html
    assert "Välfärdsbokslutet" in html
    assert "vart 2:a år" in html


def test_news_list_and_detail(client, site):
    html = client.get(reverse("portal:news-list")).content.decode()
    assert html.index("Hässleborna") < html.index("Kommunstyrelsen har beslutat")  # newest first
    detail = client.get(reverse("portal:news-detail", args=["drommen-om-norrby"]))
    assert detail.status_code == 200
    assert "1 580" in detail.content.decode()


def test_unpublished_news_is_hidden(client, site):
    from livsvillkor.portal.models import NewsItem

    NewsItem.objects.filter(slug="drommen-om-norrby").update(is_published=False)
    assert client.get(reverse("portal:news-detail", args=["drommen-om-norrby"])).status_code == 404
    assert "Drömmen om Norrby" not in client.get(reverse("portal:news-list")).content.decode()


@pytest.mark.parametrize(
    "url",
    ["/malomraden/finns-inte/", "/effektmal/9.9/", "/nyheter/finns-inte/", "/effektmal/%3Cscript%3E/"],
)
def test_unknown_things_are_404(client, site, url):
    assert client.get(url).status_code == 404


def test_english_pages(client, site):
    html = client.get("/en/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Three target areas" in html
    # the framework texts themselves stay Swedish
    assert "Förutsättningar för arbete" in html
    assert client.get("/en/om-malbilden/").status_code == 200


def test_language_links_point_to_the_same_page(client, site):
    html = client.get(reverse("portal:effect-goal", args=["1.3"])).content.decode()
    assert 'href="/en/effektmal/1.3/"' in html


def test_start_page_without_a_framework(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Ingen målbild är inläst" in response.content.decode()


def test_admin_is_in_swedish(admin_client, site):
    html = admin_client.get("/admin/").content.decode()
    assert "Målbilder" in html and "Effektmål" in html and "Nyheter" in html
    assert admin_client.get("/admin/framework/framework/").status_code == 200
    assert admin_client.get("/admin/framework/indicator/").status_code == 200
    assert admin_client.get("/admin/portal/newsitem/add/").status_code == 200
