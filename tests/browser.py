"""Browser fixtures: Playwright driving Debian's Chromium, with axe-core accessibility checks."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import skip_or_fail

CHROMIUM = os.environ.get("LIVSVILLKOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


_SESSION: dict = {}


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run, shared by every test module that imports this fixture.

    Each module that imports the fixture gets its own copy of it; Playwright's sync API allows only one
    running instance per thread, so the first copy starts it and the others reuse it.
    """
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        skip_or_fail(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - part of the lock file
        skip_or_fail("playwright is not installed")
    owner = "browser" not in _SESSION
    if owner:
        _SESSION["playwright"] = sync_playwright().start()
        _SESSION["browser"] = _SESSION["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    yield _SESSION["browser"]
    if owner:
        _SESSION.pop("browser").close()
        _SESSION.pop("playwright").stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def axe_violations(page) -> list[str]:
    """Run axe-core (bundled with axe-playwright-python, works offline) and describe each violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    out = []
    for violation in results.response.get("violations", []):
        targets = [", ".join(node.get("target", [])) for node in violation.get("nodes", [])][:5]
        out.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']} at {targets}")
    return out
