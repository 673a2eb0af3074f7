"""Chart specifications, data tables and text summaries, shared by the pages and the reports.

Plain Python (no Django). Each builder takes a tidy DataFrame and returns a :class:`Chart`: one
Vega-Lite spec built with Altair, the table of exactly the numbers the chart shows (suppressed cells
as ``..``), and a one-line Swedish summary generated from those numbers. The same object renders
interactively in the browser (vega-embed) and as SVG in a PDF (vl-convert).
"""

from __future__ import annotations

from livsvillkor.charts.builders import (
    Chart,
    area_bars,
    breakdown_bars,
    choropleth,
    sparkline,
    trend_chart,
)
from livsvillkor.charts.formatting import format_number, format_value

__all__ = [
    "Chart",
    "area_bars",
    "breakdown_bars",
    "choropleth",
    "format_number",
    "format_value",
    "sparkline",
    "trend_chart",
]
