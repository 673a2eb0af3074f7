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
