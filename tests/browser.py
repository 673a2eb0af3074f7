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


# One Playwright driver and one Chromium per test process. Test modules import the ``browser``
# fixture, which gives each module its own session-scoped fixture; Playwright's sync API cannot run
# two drivers at once in one thread, so every instance shares these and the last one closes them.
_SHARED: dict = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        skip_or_fail(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - part of the lock file
        skip_or_fail("playwright is not installed")
    if _SHARED["users"] == 0:
        _SHARED["playwright"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    _SHARED["users"] += 1
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED["users"] -= 1
        if _SHARED["users"] == 0:
            _SHARED.pop("browser").close()
            _SHARED.pop("playwright").stop()


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
