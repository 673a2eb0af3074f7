"""Benchmark the report renderers on a synthetic follow-up report of realistic size.

13 effektmål × 4 indicators (by default), each with a trend chart, a bar chart per kommundel and a
table: 104 charts and 52 tables. Prints seconds per part and the total; the goal for the real Borås
report is 60 s in all (HTML + PDF + XLSX).

    .venv/bin/python bench/report_bench.py [--indicators-per-goal 4] [--out DIR]

``--demo`` times the real report instead: the Borås demo database (run ``livsvillkor demo`` first;
the database of the settings, e.g. ``LIVSVILLKOR_VAR_DIR``), every catalogue indicator, built from
the statistics with a cold cache.

    .venv/bin/python bench/report_bench.py --demo [--period 2025] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livsvillkor.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--indicators-per-goal", type=int, default=4)
    parser.add_argument("--out", type=Path, help="also write the three files here")
    parser.add_argument("--demo", action="store_true", help="the real report on the demo database")
    parser.add_argument("--period", default="2025", help="with --demo: the follow-up year")
    args = parser.parse_args()

    import django

    django.setup()
    import vl_convert

    from livsvillkor.reports.render_html import render_chart_svgs, render_html
    from livsvillkor.reports.render_pdf import render_pdf
    from livsvillkor.reports.render_xlsx import render_xlsx
    from livsvillkor.reports.snapshot import take_snapshot
    from livsvillkor.reports.synthetic import synthetic_report

    # The renderer's one-off start-up (about 0.4 s) is paid once per process, outside the figures.
    vl_convert.vegalite_to_svg(
        {"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}}
    )

    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(part: str, func):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        timings[part] = time.perf_counter() - start
        cpu[part] = time.process_time() - start_cpu
        return result

    if args.demo:
        from django.core.cache import cache

        from livsvillkor.reports.services import build_followup_document

        cache.clear()
        report = timed("document: statistics + chart specs", lambda: build_followup_document(args.period))
    else:
        report = timed("document + chart specs (Altair)", lambda: synthetic_report(args.indicators_per_goal))
    timed("snapshot hash", lambda: take_snapshot(report))
    svgs = timed("charts to SVG (vl-convert)", lambda: render_chart_svgs(report))
    html = timed("HTML", lambda: render_html(report, svgs))
    pdf = timed("PDF (WeasyPrint, PDF/UA-1)", lambda: render_pdf(report, svgs))
    xlsx = timed("XLSX (openpyxl)", lambda: render_xlsx(report))

    charts = len(report.charts())
    tables = sum(1 for _s, b in report.blocks() if b.block_type == "table")
    if args.demo:
        indicators = sum(1 for s in report.walk() if s.level == 3)
        print(f"Demo report {args.period}: {indicators} indicator sections, {charts} charts, {tables} tables")
    else:
        print(
            f"Synthetic report: 13 effektmål × {args.indicators_per_goal} indicators, {charts} charts, {tables} tables"
        )
    print(f"HTML {len(html) / 1e6:.1f} MB, PDF {len(pdf) / 1e6:.1f} MB, XLSX {len(xlsx) / 1e6:.2f} MB")
    print(f"{'part':<34} {'wall':>9} {'CPU':>9}")
    for part, seconds in timings.items():
        print(f"{part:<34} {seconds:7.2f} s {cpu[part]:7.2f} s")
    print(
        f"{'total':<34} {sum(timings.values()):7.2f} s {sum(cpu.values()):7.2f} s   (goal for the real report: ≤ 60 s)"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"load average {load:.1f} on {os.cpu_count()} CPUs (wall time grows with other load; CPU time less so)"
    )
    if charts:
        print(f"per chart: SVG {1000 * timings['charts to SVG (vl-convert)'] / charts:.0f} ms")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bench-report.html").write_text(html, encoding="utf-8")
        (args.out / "bench-report.pdf").write_bytes(pdf)
        (args.out / "bench-report.xlsx").write_bytes(xlsx)
        print(f"wrote {args.out}/bench-report.{{html,pdf,xlsx}}")


if __name__ == "__main__":
    main()
