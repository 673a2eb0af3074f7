"""Web benchmark: serve a demo database on loopback and drive it with 20 concurrent clients.

    python bench/web_bench.py [--requests 2000] [--concurrency 20] [--workers 4]

1. Builds a throw-away SQLite demo database in a temporary folder (``livsvillkor demo``; when that
   leaves no observations, the generated example data of ``tests/portal/sample.py`` is loaded).
2. Starts gunicorn on 127.0.0.1 with an access log that records each request's server time.
3. From a second process, sends a bounded number of GET requests with ``--concurrency`` clients over
   the statistics pages (indicator pages above all), after one warm-up request per URL.
4. Prints p50/p95/p99 per page type, both as the client saw it and as gunicorn measured it, and the
   errors. The goal is a server-time p95 of at most 150 ms for an indicator page.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(env: dict) -> None:
    python = sys.executable
    subprocess.run([python, "-m", "livsvillkor", "demo"], env=env, check=True, cwd=ROOT, capture_output=True)
    code = (
        "import django; django.setup()\n"
        "from livsvillkor.observations.models import Observation\n"
        "if not Observation.objects.exists():\n"
        "    from tests.portal.sample import load_sample; load_sample()\n"
        "print(Observation.objects.count())\n"
    )
    out = subprocess.run([python, "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True)
    print(f"demo database: {out.stdout.strip()} observations")


def urls(env: dict) -> dict[str, list[str]]:
    code = (
        "import django, json; django.setup()\n"
        "from livsvillkor.framework.models import Indicator, EffectGoal\n"
        "from livsvillkor.geo.models import Area\n"
        "from livsvillkor.observations.models import Observation\n"
        "inds = list(Observation.objects.values_list('indicator__code', flat=True).distinct()[:12])\n"
        "goals = sorted(set(EffectGoal.objects.filter(indicators__code__in=inds).values_list('code', flat=True)))\n"
        "areas = list(Area.objects.filter(kind__in=['district', 'custom']).values_list('code', flat=True)[:8])\n"
        "print(json.dumps({'inds': inds, 'goals': goals, 'areas': areas}))\n"
    )
    import json

    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    found = json.loads(out.stdout)
    pages = {
        "indicator": [f"/indikatorer/{c}/" for c in found["inds"]]
        + [f"/indikatorer/{c}/?niva=regso" for c in found["inds"][:4]],
        "effect goal": [f"/effektmal/{c}/" for c in found["goals"]],
        "area": [f"/omraden/{c}/" for c in found["areas"]],
        "compare": [
            f"/jamfor/?indikator={c}&omrade={found['areas'][0]}&omrade={found['areas'][1]}"
            for c in found["inds"][:4]
        ]
        if len(found["areas"]) >= 2
        else [],
        "download": [f"/indikatorer/{c}/data/trend.csv" for c in found["inds"][:4]],
    }
    return {k: v for k, v in pages.items() if v}


def wait_for(base: str, timeout: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/", timeout=60)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def drive(base: str, plan: list[tuple[str, str]], concurrency: int, queue) -> None:
    """The client process: ``concurrency`` threads, one HTTP client each, share a bounded request list."""
    import threading

    import httpx

    local = threading.local()

    def one(item):
        kind, path = item
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=base, timeout=60)
        start = time.perf_counter()
        try:
            response = client.get(path)
            ok = response.status_code == 200
            status = response.status_code
        except httpx.HTTPError as exc:
            ok, status = False, type(exc).__name__
        return kind, path, (time.perf_counter() - start) * 1000, ok, status

    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        queue.put(list(pool.map(one, plan)))


def percentiles(values: list[float]) -> str:
    import numpy as np

    if not values:
        return "–"
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return f"p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms  (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lv-bench-") as tmp:
        env = dict(os.environ)
        env.update(
            {
                "LIVSVILLKOR_VAR_DIR": tmp,
                "LIVSVILLKOR_HOME": str(ROOT),
                "LIVSVILLKOR_DEBUG": "0",
                "LIVSVILLKOR_CACHE_DIR": str(Path(tmp) / "cache"),
                "DJANGO_SETTINGS_MODULE": "livsvillkor.settings",
                "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")]),
            }
        )
        env.pop("DATABASE_URL", None)
        prepare_database(env)
        pages = urls(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "access.log"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "livsvillkor.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--preload",
                "--access-logfile",
                str(log),
                "--access-logformat",
                "%(U)s?%(q)s %(s)s %(D)s",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(base)
            import httpx

            cold = {}
            for kind, paths in pages.items():
                for path in paths:
                    start = time.perf_counter()
                    httpx.get(base + path, timeout=60)
                    cold.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
            log.write_text("")  # count only the measured run below
            # Mostly indicator pages, as in real use; the plan is fixed and bounded.
            weights = {"indicator": 6, "effect goal": 2, "area": 1, "compare": 1, "download": 1}
            cycle = [(k, p) for k, paths in pages.items() for p in paths for _ in range(weights.get(k, 1))]
            plan = [cycle[i % len(cycle)] for i in range(args.requests)]
            queue = multiprocessing.Queue()
            client = multiprocessing.Process(target=drive, args=(base, plan, args.concurrency, queue))
            started = time.perf_counter()
            client.start()
            results = queue.get()
            client.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

        server_ms: dict[str, list[float]] = {}
        kind_of = {p: k for k, paths in pages.items() for p in paths}
        for line in log.read_text().splitlines():
            m = re.match(r"(\S+) (\d+) (\d+)$", line)
            if not m:
                continue
            path = m.group(1).rstrip("?")
            kind = kind_of.get(path)
            if kind:
                server_ms.setdefault(kind, []).append(int(m.group(3)) / 1000)
        errors = [r for r in results if not r[3]]
        print(
            f"\n{len(results)} requests, {args.concurrency} concurrent clients, {args.workers} gunicorn workers, "
            f"{elapsed:.1f} s ({len(results) / elapsed:.0f} requests/s); errors: {len(errors)}"
        )
        for kind in pages:
            client_ms = [r[2] for r in results if r[0] == kind]
            print(f"{kind:12s} server  {percentiles(server_ms.get(kind, []))}")
            print(f"{'':12s} client  {percentiles(client_ms)}")
            print(f"{'':12s} first (uncached) request: {percentiles(cold.get(kind, []))}")
        for kind, path, _ms, _ok, status in errors[:10]:
            print(f"error: {kind} {path}: {status}")
        goal = server_ms.get("indicator", [])
        if goal:
            import numpy as np

            p95 = float(np.percentile(goal, 95))
            print(
                f"\nindicator page server p95 = {p95:.1f} ms (goal ≤ 150 ms): {'met' if p95 <= 150 else 'NOT met'}"
            )


if __name__ == "__main__":
    main()
