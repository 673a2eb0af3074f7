"""Headless Chromium on the statistics pages: charts render, tables by keyboard, downloads, axe-core."""

import io
from urllib.parse import urljoin

import pandas as pd
import pytest
from django.core.cache import cache

from livsvillkor.framework.services import load_framework
from tests.browser import axe_violations, browser, page  # noqa: F401 - fixtures
from tests.conftest import ROOT
from tests.portal.sample import load_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "indicator": "/indikatorer/lag-ekonomisk-standard/",
    "indicator (RegSO, background gap)": "/indikatorer/forvarvsarbetande-20-64/?niva=regso&skillnad=background",
    "indicator without polarity": "/indikatorer/trangboddhet/",
    "effect goal": "/effektmal/2.1/",
    "effect goal 3.1": "/effektmal/3.1/",
    "area (områdesutveckling)": "/omraden/1490-OU-NORRBY/",
    "area (district)": "/omraden/1490-KD-CENTRUM/",
    "area list": "/omraden/",
    "indicator list": "/indikatorer/",
    "compare": "/jamfor/?indikator=behorighet-gymnasiet&omrade=1490-KD-NORRBY&omrade=1490-KD-GOTA&omrade=1490",
    "indicator (English)": "/en/indikatorer/lag-ekonomisk-standard/",
}


@pytest.fixture
def site(live_server):
    cache.clear()
    load_framework(ROOT / "frameworks" / "boras-2021-2024.yaml")
    load_sample()
    return live_server.url


@pytest.mark.parametrize("name", list(PAGES))
def test_statistics_page_renders_charts_without_axe_violations(site, page, name):  # noqa: F811
    response = page.goto(site + PAGES[name])
    assert response.status == 200
    assert page.locator("h1").count() == 1
    figures = page.locator("figure.chart")
    if figures.count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('figure.chart')].every(f => f.classList.contains('chart-drawn'))",
            timeout=15000,
        )
        for i in range(figures.count()):
            assert figures.nth(i).locator(".chart-canvas svg").count() == 1
    assert axe_violations(page) == []


def test_table_toggle_works_by_keyboard(site, page):  # noqa: F811
    page.goto(site + "/indikatorer/lag-ekonomisk-standard/")
    figure = page.locator("#chart-trend")
    page.wait_for_function("() => document.querySelector('#chart-trend').classList.contains('chart-drawn')")
    details = figure.locator("details.chart-table")
    assert details.evaluate("d => d.open") is False
    assert not figure.locator("table").is_visible()
    for _ in range(80):
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement.closest('#chart-trend') && document.activeElement.tagName")
            == "SUMMARY"
        ):
            break
    else:
        pytest.fail("the table toggle was not reachable by keyboard")
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open") is True
    assert figure.locator("table").is_visible()
    page.keyboard.press("Space")
    assert details.evaluate("d => d.open") is False


def test_download_returns_the_rows_the_table_shows(site, page):  # noqa: F811
    page.goto(site + "/indikatorer/lag-ekonomisk-standard/?niva=district")
    figure = page.locator("#chart-areas")
    shown = figure.locator("tbody th").evaluate_all("cells => cells.map(c => c.textContent.trim())")
    assert len(shown) == 10
    with page.expect_download() as info:
        figure.get_by_role("link", name="CSV").click()
    path = info.value.path()
    text = open(path, encoding="utf-8-sig").read()
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, nrows=len(shown))
    assert list(table["Område"]) == shown
    href = figure.get_by_role("link", name="JSON-stat").get_attribute("href")
    response = page.request.get(urljoin(site, href))
    assert response.json()["dimension"]["area"]["category"]["label"] == {a: a for a in shown}


def test_english_switch_on_indicator_page(site, page):  # noqa: F811
    page.goto(site + "/indikatorer/lag-ekonomisk-standard/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/indikatorer/lag-ekonomisk-standard/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Example data – not official statistics").is_visible()
    assert page.get_by_role("heading", name="Development over time").is_visible()


def test_pages_work_without_javascript(site, browser):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    nojs = context.new_page()
    nojs.goto(site + "/effektmal/2.1/")
    assert nojs.locator("figure.chart details[open] table").count() >= 2
    assert nojs.locator("figure.chart svg").count() == 0
    nojs.goto(site + "/jamfor/")
    nojs.select_option("#indikator", "lag-ekonomisk-standard")
    nojs.check("text=Norrby (kommundel)")
    nojs.get_by_role("button", name="Jämför").click()
    assert nojs.locator("#chart-compare-latest table").is_visible()
    context.close()
