"""Guards that the suite really runs on the database it claims to (PostgreSQL under make test-postgres)."""

import pytest
from django.db import connection

from tests.conftest import USE_POSTGRES


@pytest.mark.django_db
def test_database_backend():
    expected = "postgresql" if USE_POSTGRES else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
    if USE_POSTGRES:
        assert connection.pg_version >= 150000
