"""Real headless Chromium against a live server: rendering, keyboard use and axe-core checks."""

import pytest

from livsvillkor.core.services import load_demo_content
from livsvillkor.framework.services import load_framework
from tests.browser import axe_violations, browser, page  # noqa: F401 - fixtures
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "start": "/",
    "target area": "/malomraden/forutsattningar-for-arbete/",
    "effect goal": "/effektmal/1.2/",
    "about": "/om-malbilden/",
    "news list": "/nyheter/",
    "news detail": "/nyheter/malformuleringar-beslutade/",
    "contact": "/kontakt/",
    "start (English)": "/en/",
    "effect goal (English)": "/en/effektmal/3.5/",
}


@pytest.fixture
def site(live_server):
    load_framework(ROOT / "frameworks" / "boras-2021-2024.yaml")
    load_demo_content()
    return live_server.url


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(site, page, name):  # noqa: F811
    response = page.goto(site + PAGES[name])
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert axe_violations(page) == []


def test_narrow_screen_has_no_axe_violations(site, page):  # noqa: F811
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(site + "/malomraden/boende-och-narmiljo/")
    assert axe_violations(page) == []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, "the page scrolls sideways on a phone"


def test_skip_link_and_keyboard_navigation(site, page):  # noqa: F811
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hoppa till innehållet"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab onward reaches the first target area card and Enter follows it.
    for _ in range(30):
        page.keyboard.press("Tab")
        if "Målområde 1" in page.evaluate("document.activeElement.textContent"):
            break
    else:
        pytest.fail("the target area link was not reachable by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url("**/malomraden/god-start-i-livet/")
    assert "God start i livet" in page.locator("h1").inner_text()


def test_focus_is_visible(site, page):  # noqa: F811
    page.goto(site + "/om-malbilden/")
    link = page.locator("main a").first
    link.focus()
    outline = link.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"


def test_language_switch(site, page):  # noqa: F811
    page.goto(site + "/effektmal/2.1/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/effektmal/2.1/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to content").count() == 1
    page.get_by_role("link", name="Svenska").click()
    page.wait_for_url(site + "/effektmal/2.1/")
    assert page.locator("html").get_attribute("lang") == "sv"


def test_print_stylesheet_hides_navigation(site, page):  # noqa: F811
    page.goto(site + "/")
    page.emulate_media(media="print")
    assert not page.locator(".main-nav").is_visible()
    assert page.locator("h1").is_visible()
