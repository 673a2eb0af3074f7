"""Import benchmark: generate a tidy CSV and import it into SQLite and PostgreSQL; print rows/s.

    .venv/bin/python bench/import_bench.py                 # 5 000 000 rows, both databases
    .venv/bin/python bench/import_bench.py --rows 500000 --backend sqlite

Goals: ≥ 100 k rows/s on SQLite, ≥ 300 k rows/s on PostgreSQL (bulk COPY). PostgreSQL runs in a
throw-away cluster started with the machine's PostgreSQL binaries (as the test suite does).

Each database gets the first import of the file into an empty table (read, validate, write, rebuild
the indexes: the stages are printed), then the same file again (every row unchanged), then a
baseline in the same process: the already validated rows written into a bare table with no indexes
or constraints (unlogged on PostgreSQL) by the plainest bulk path. The baseline is what the machine
can write at all; "first import / baseline" is how close the whole import comes to it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"sqlite": 100_000, "postgres": 300_000}
BASELINES = {
    "sqlite": "executemany into a bare table (writing only)",
    "postgres": "COPY into a bare unlogged table (writing only)",
}
SEXES = ["", "women", "men"]
AGES = ["", "16-64", "65+"]


def shape(rows: int) -> tuple[int, int, int]:
    """Indicators × areas × periods × 5 breakdowns ≈ rows."""
    indicators, periods = 10, 20
    areas = max(1, rows // (indicators * periods * 5))
    return indicators, areas, periods


def generate(path: Path, rows: int) -> int:
    import numpy as np
    import pandas as pd

    indicators, areas, periods = shape(rows)
    breakdowns = [("", ""), ("women", ""), ("men", ""), ("", "16-64"), ("", "65+")]
    rng = np.random.default_rng(1)
    n = indicators * areas * periods * len(breakdowns)
    idx = np.arange(n)
    b = idx % len(breakdowns)
    rest = idx // len(breakdowns)
    a = rest % areas
    rest //= areas
    p = rest % periods
    i = rest // periods
    den = rng.integers(50, 3000, n)
    num = (den * rng.random(n)).astype(int)
    frame = pd.DataFrame(
        {
            "indicator": np.char.add("ind-", i.astype(str)),
            "period": (2000 + p).astype(str),
            "area_code": np.char.add("B", np.char.zfill(a.astype(str), 6)),
            "sex": np.array([s for s, _ in breakdowns])[b],
            "age": np.array([g for _, g in breakdowns])[b],
            "value": np.round(num / den * 100, 3),
            "numerator": num,
            "denominator": den,
        }
    )
    frame.to_csv(path, index=False)
    return n


def run_one(csv_path: Path, rows: int) -> dict:
    """In a process whose DATABASE_URL is already set: migrate, create codes, import twice."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from livsvillkor.framework.models import Indicator
    from livsvillkor.geo.models import Area
    from livsvillkor.observations.services import import_tidy_file, read_tidy, validate_tidy

    indicators, areas, _ = shape(rows)
    Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"ind-{k}", name=f"ind {k}", value_type="proportion", scale=100, source_type="manual"
            )
            for k in range(indicators)
        ]
    )
    Area.objects.bulk_create(
        [Area(code=f"B{k:06d}", name=f"B{k}", kind="deso") for k in range(areas)], batch_size=5000
    )
    out = {"backend": connection.vendor}
    t = time.perf_counter()
    frame = read_tidy(csv_path)
    out["read_s"] = time.perf_counter() - t
    t = time.perf_counter()
    validate_tidy(frame)
    out["validate_s"] = time.perf_counter() - t
    del frame
    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, time.perf_counter())

    t = time.perf_counter()
    first = import_tidy_file(csv_path, progress=progress)
    out["first_import_s"] = time.perf_counter() - t
    marks = [("read", t), *sorted(stages.items(), key=lambda kv: kv[1]), ("end", t + out["first_import_s"])]
    out["stages"] = {a[0]: round(b[1] - a[1], 2) for a, b in zip(marks, marks[1:], strict=False)}
    out["rows"] = first.rows
    out["created"] = first.created
    t = time.perf_counter()
    second = import_tidy_file(csv_path)
    out["reimport_s"] = time.perf_counter() - t
    out["unchanged"] = second.unchanged
    import resource

    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["baseline_s"] = baseline(csv_path)
    return out


def baseline(csv_path: Path) -> float:
    """The machine's floor for writing these rows, timed in the same process: the validated rows
    loaded into a bare copy of the table (no indexes, no constraints; unlogged on PostgreSQL) with
    the plainest bulk path (COPY on PostgreSQL, executemany of every column on SQLite)."""
    import io

    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    from django.db import connection, transaction

    from livsvillkor.observations.models import Observation
    from livsvillkor.observations.services import STAGE_COLUMNS, read_tidy, validate_tidy

    frame = validate_tidy(read_tidy(csv_path))[STAGE_COLUMNS].assign(batch_id=1)
    table = Observation._meta.db_table
    columns = list(frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE UNLOGGED TABLE bench_raw (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )
            arrow = pa.Table.from_pandas(
                frame.astype({c: str for c in frame.columns if frame[c].dtype == "category"})
            )
            buffer = io.BytesIO()
            pa_csv.write_csv(arrow, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
            data = buffer.getvalue()
            t = time.perf_counter()
            with (
                transaction.atomic(),
                cursor.cursor.copy(
                    f"COPY bench_raw ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, "
                    "FORCE_NOT_NULL (period, breakdown, suppression_reason, missing, note))"
                ) as copy,
            ):
                for start in range(0, len(data), 1 << 20):
                    copy.write(data[start : start + (1 << 20)])
            return time.perf_counter() - t
        cursor.execute(f"CREATE TABLE bench_raw AS SELECT * FROM {table} WHERE 0")
        values = []
        for c in columns:
            v = frame[c].astype(object) if frame[c].dtype == "category" else frame[c]
            v = v.to_numpy()
            values.append(
                np.where(np.isnan(v), None, v.astype(object)).tolist() if v.dtype.kind == "f" else v.tolist()
            )
        t = time.perf_counter()
        with transaction.atomic():
            cursor.cursor.executemany(
                f"INSERT INTO bench_raw ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                zip(*values, strict=True),
            )
        return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(Path(args.child), args.rows)))
        return

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory(prefix="livsvillkor-bench-") as tmp:
        tmp = Path(tmp)
        csv_path = tmp / "tidy.csv"
        t = time.perf_counter()
        n = generate(csv_path, args.rows)
        print(
            f"generated {n:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s"
        )
        urls = {}
        if args.backend in ("sqlite", "both"):
            urls["sqlite"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        if args.backend in ("postgres", "both"):
            from tests import pgcluster

            urls["postgres"] = pgcluster.start()
        for name, url in urls.items():
            env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="livsvillkor.settings")
            env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
            done = subprocess.run(
                [sys.executable, __file__, "--rows", str(args.rows), "--child", str(csv_path)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                print(done.stderr[-3000:])
                raise SystemExit(f"{name}: benchmark failed")
            r = json.loads(done.stdout.strip().splitlines()[-1])
            rows = r["rows"]
            goal = GOALS[name]
            rate = rows / r["first_import_s"]
            print(
                f"{name:9s} first import {rate:>10,.0f} rows/s ({r['first_import_s']:.1f} s: "
                f"read {r['read_s']:.1f} s, validate {r['validate_s']:.1f} s)  goal {goal:,} rows/s: "
                f"{'met' if rate >= goal else 'NOT met'}\n"
                f"{'':9s} stages of the first import (s): {r['stages']}; peak memory {r['peak_rss_mb']:,.0f} MB\n"
                f"{'':9s} re-import (all unchanged) {rows / r['reimport_s']:>10,.0f} rows/s ({r['reimport_s']:.1f} s)\n"
                f"{'':9s} baseline: {BASELINES[name]} {rows / r['baseline_s']:>10,.0f} rows/s "
                f"({r['baseline_s']:.1f} s); first import / baseline = {r['baseline_s'] / r['first_import_s']:.2f}"
            )


if __name__ == "__main__":
    main()
