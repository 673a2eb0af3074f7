"""The standalone HTML report in a real headless Chromium: axe-core finds no accessibility violations."""

import pytest

from livsvillkor.reports.render_html import render_html
from livsvillkor.reports.snapshot import take_snapshot
from tests.browser import axe_violations, browser, page  # noqa: F401 - fixtures

from .documents import small_report

pytestmark = pytest.mark.browser


@pytest.fixture
def report_file(tmp_path):
    report = small_report()
    take_snapshot(report)
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def test_report_html_has_no_axe_violations(report_file, page):  # noqa: F811
    page.goto(report_file.as_uri())
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("svg[role=img]").count() == 2
    assert axe_violations(page) == []


def test_report_html_table_of_contents_links_work(report_file, page):  # noqa: F811
    page.goto(report_file.as_uri())
    page.get_by_role("link", name="Effektmål 2.2: Alla i arbete").click()
    assert page.url.endswith("#effektmal-2-2")
    assert page.locator("#effektmal-2-2-heading").is_visible()


@pytest.fixture
def internal_site(live_server, settings, tmp_path):
    from django.contrib.auth import get_user_model

    from livsvillkor.framework.services import load_framework
    from tests.conftest import ROOT

    settings.VAR_DIR = tmp_path
    load_framework(ROOT / "frameworks" / "boras-2021-2024.yaml")
    get_user_model().objects.create_user("redaktor", password="x-secret-123", is_staff=True)
    return live_server.url


@pytest.mark.django_db(transaction=True)
def test_internal_report_page_logs_in_generates_and_has_no_axe_violations(internal_site, page):  # noqa: F811
    page.goto(internal_site + "/intern/rapporter/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", "redaktor")
    page.fill("#id_password", "x-secret-123")
    page.click("input[type=submit]")
    assert page.url.endswith("/intern/rapporter/")
    assert axe_violations(page) == []
    page.fill("#id_period", "2025")
    page.uncheck("input[value=pdf]")
    page.click("button[type=submit]")
    row = page.locator("tbody tr").first
    assert row.locator("a").count() == 2  # HTML and XLSX
    assert axe_violations(page) == []
    page.fill("#id_period", "20x5")
    page.click("button[type=submit]")
    assert "'20x5'" in page.locator("[role=alert]").inner_text()
    assert axe_violations(page) == []
