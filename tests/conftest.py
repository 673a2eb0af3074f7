"""Test set-up shared by the whole suite.

* ``LIVSVILLKOR_TEST_POSTGRES=1`` starts a throw-away PostgreSQL cluster with the machine's PostgreSQL
  binaries before Django reads its settings, and points ``DATABASE_URL`` at it (``make test-postgres``).
* Browser tests use Debian's Chromium through Playwright; see ``tests/browser.py``.
* With ``CI=true`` a missing Chromium, PostgreSQL or shared data file is a failure, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import pgcluster

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("LIVSVILLKOR_SHARED_DATA", ROOT.parent / "shared" / "data"))
IN_CI = os.environ.get("CI", "").lower() == "true"

# Playwright's sync API runs an event loop in the test thread; the ORM calls in tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

USE_POSTGRES = os.environ.get("LIVSVILLKOR_TEST_POSTGRES") == "1"


def pytest_report_header(config):
    backend = "throw-away PostgreSQL cluster" if USE_POSTGRES else "SQLite"
    return f"livsvillkor: test database on {backend}; CI={IN_CI}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """With LIVSVILLKOR_TEST_POSTGRES=1, point Django at a throw-away cluster before test DBs are made."""
    if not USE_POSTGRES:
        return
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    url = pgcluster.start()  # raises (never skips) when the PostgreSQL binaries are missing
    db = settings.DATABASES["default"]
    db.clear()
    db.update(dj_database_url.parse(url))
    connections.close_all()
    for alias in list(connections.settings):
        if hasattr(connections._connections, alias):
            del connections[alias]
    connections.__dict__.pop("settings", None)


def skip_or_fail(reason: str):
    """Missing infrastructure: a skip on a developer's machine, a failure in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real public data read at test time (never copied into the repository)."""
    if not SHARED_DATA.is_dir():
        skip_or_fail(f"shared data folder not found: {SHARED_DATA}")
    return SHARED_DATA


def shared_file(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        skip_or_fail(f"shared data file missing: {relative}")
    return path


@pytest.fixture
def boras_framework(db):
    from livsvillkor.framework.services import load_framework

    return load_framework(ROOT / "frameworks" / "boras-2021-2024.yaml").framework


@pytest.fixture(autouse=True)
def _standard_dimensions(request):
    """Keep the standard dimensions (created by a data migration) present in every database test.

    A transactional test (browser tests, the SIGKILL test) ends with a flush that also deletes the
    rows data migrations made; later tests in the same run would then miss them.
    """
    if request.node.get_closest_marker("django_db") is None:
        requested = [name for name in ("transactional_db", "db") if name in request.fixturenames]
        if not requested:
            return
        request.getfixturevalue(requested[0])
    from livsvillkor.observations.dimensions import load_dimensions
    from livsvillkor.observations.models import Category, Dimension

    if not Dimension.objects.exists():
        load_dimensions(Dimension, Category)
