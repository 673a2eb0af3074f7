"""An import killed with SIGKILL part-way leaves the database exactly as it was before the import."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
N_AREAS = 1000
N_PERIODS = 200

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from livsvillkor.framework.models import Indicator
from livsvillkor.geo.models import Area
Indicator.objects.create(code="x", name="x", value_type="count", source_type="manual")
Area.objects.bulk_create([Area(code=f"A{{i:05d}}", name=f"A{{i}}", kind="deso") for i in range({n})])
"""


def env_for(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="livsvillkor.settings",
        LIVSVILLKOR_TEST_POSTGRES="",
    )
    return env


def current_database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def write_files(tmp_path: Path) -> tuple[Path, Path]:
    small = tmp_path / "small.csv"
    big = tmp_path / "big.csv"
    with open(small, "w") as fh:
        fh.write("indicator,period,area_code,value\n")
        for i in range(50):
            fh.write(f"x,2000,A{i:05d},{i}\n")
    with open(big, "w") as fh:
        fh.write("indicator,period,area_code,value\n")
        for p in range(1901, 1901 + N_PERIODS):
            # Includes the 50 keys of the small file (2000) with new values: updates and revisions too.
            for i in range(N_AREAS):
                fh.write(f"x,{p},A{i:05d},{i + 0.5}\n")
    return small, big


def run(args, env, **kw):
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, **kw
    )


#: Runs ``livsvillkor import tidy FILE`` with one change: once the first rows are written, the commit
#: that ends the import never returns. The kill, at a random moment after that, therefore always lands
#: before the commit (mid-statement or waiting at the commit), however fast the machine writes.
IMPORT_HOLDING_COMMIT = """
import sys, time
from contextlib import contextmanager
import django
django.setup()
from django.core.management import call_command
from django.db import connection
import importlib
command = importlib.import_module("livsvillkor.observations.management.commands.import")
real_progress_bar = command.progress_bar

def hold_commit():
    print("commit held", file=sys.stderr, flush=True)
    time.sleep(3600)

@contextmanager
def progress_bar(stream=None):
    with real_progress_bar(stream) as progress:
        def report(stage, done, total):
            if stage == "write":
                connection._commit = hold_commit
            progress(stage, done, total)
        yield report

command.progress_bar = progress_bar
call_command("import", "tidy", sys.argv[1])
"""


def kill_during_write(big: Path, env: dict) -> int:
    proc = subprocess.Popen(
        [sys.executable, "-c", IMPORT_HOLDING_COMMIT, str(big)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stderr:
        if line.startswith("Skriver"):
            break
    time.sleep(random.uniform(0.05, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return proc.returncode


def test_sigkill_during_import_leaves_sqlite_unchanged(tmp_path):
    db = tmp_path / "db.sqlite3"
    env = env_for(f"sqlite:///{db}")
    done = run(["-c", SETUP.format(n=N_AREAS)], env)
    assert done.returncode == 0, done.stderr
    small, big = write_files(tmp_path)
    done = run(["-m", "livsvillkor", "import", "tidy", str(small)], env)
    assert done.returncode == 0, done.stderr

    def snapshot():
        with sqlite3.connect(db) as con:
            return (
                con.execute(
                    "SELECT count(*), total(value), group_concat(id || ':' || value) FROM observations_observation"
                ).fetchone(),
                con.execute("SELECT count(*) FROM observations_importbatch").fetchone(),
                con.execute("SELECT count(*) FROM observations_observationrevision").fetchone(),
            )

    before = snapshot()
    assert before[0][0] == 50
    assert kill_during_write(big, env) == -signal.SIGKILL
    assert snapshot() == before
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # The database is usable afterwards: the same import now runs to the end.
    done = run(["-m", "livsvillkor", "import", "tidy", str(big)], env)
    assert done.returncode == 0, done.stderr
    assert f"{N_AREAS * N_PERIODS} rader" in done.stdout


@pytest.mark.django_db(transaction=True)
def test_sigkill_during_import_leaves_postgresql_unchanged(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs against the PostgreSQL test database (make test-postgres)")
    from django.core.management import call_command

    from livsvillkor.framework.models import Indicator
    from livsvillkor.geo.models import Area
    from livsvillkor.observations.models import ImportBatch, Observation, ObservationRevision

    Indicator.objects.create(code="x", name="x", value_type="count", source_type="manual")
    Area.objects.bulk_create([Area(code=f"A{i:05d}", name=f"A{i}", kind="deso") for i in range(N_AREAS)])
    small, big = write_files(tmp_path)
    call_command("import", "tidy", str(small))
    url = current_database_url()

    def snapshot():
        return (
            sorted(Observation.objects.values_list("id", "value", "batch_id")),
            ImportBatch.objects.count(),
            ObservationRevision.objects.count(),
        )

    before = snapshot()
    assert len(before[0]) == 50
    assert kill_during_write(big, env_for(url)) == -signal.SIGKILL
    assert snapshot() == before


def test_sigkill_during_a_bulk_first_load_leaves_sqlite_unchanged(tmp_path):
    """The first load of a large file drops and rebuilds the indexes: a kill part-way keeps them."""
    from livsvillkor.observations.services import BULK_MIN_ROWS

    assert N_AREAS * N_PERIODS >= BULK_MIN_ROWS, "the big file must be large enough for a bulk load"
    db = tmp_path / "db.sqlite3"
    env = env_for(f"sqlite:///{db}")
    done = run(["-c", SETUP.format(n=N_AREAS)], env)
    assert done.returncode == 0, done.stderr
    _, big = write_files(tmp_path)

    def snapshot():
        with sqlite3.connect(db) as con:
            return (
                con.execute("SELECT count(*) FROM observations_observation").fetchone(),
                con.execute("SELECT count(*) FROM observations_importbatch").fetchone(),
                sorted(
                    con.execute(
                        "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'observations_observation'"
                    ).fetchall(),
                    key=str,
                ),
            )

    before = snapshot()
    assert before[0] == (0,) and len(before[2]) >= 3
    assert kill_during_write(big, env) == -signal.SIGKILL
    assert snapshot() == before
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.django_db(transaction=True)
def test_sigkill_during_a_bulk_first_load_leaves_postgresql_unchanged(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs against the PostgreSQL test database (make test-postgres)")
    from livsvillkor.framework.models import Indicator
    from livsvillkor.geo.models import Area
    from livsvillkor.observations.models import ImportBatch, Observation

    Indicator.objects.create(code="x", name="x", value_type="count", source_type="manual")
    Area.objects.bulk_create([Area(code=f"A{i:05d}", name=f"A{i}", kind="deso") for i in range(N_AREAS)])
    _, big = write_files(tmp_path)
    url = current_database_url()

    def snapshot():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'observations_observation' ORDER BY 1"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'observations_observation'::regclass ORDER BY 1"
            )
            constraints = cursor.fetchall()
        return Observation.objects.count(), ImportBatch.objects.count(), indexes, constraints

    before = snapshot()
    assert before[0] == 0 and len(before[3]) >= 4
    assert kill_during_write(big, env_for(url)) == -signal.SIGKILL
    assert snapshot() == before
