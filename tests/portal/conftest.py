import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached statistics and pages are keyed on database ids, which a rolled-back test may reuse."""
    cache.clear()
    yield
    cache.clear()
