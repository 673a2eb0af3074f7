"""A report as a tagged PDF (PDF/UA-1) printed by WeasyPrint from the report's HTML.

WeasyPrint makes the bookmarks from the headings (``bookmark-level`` in the print CSS), the table of
contents' page numbers from ``target-counter``, the document title from ``<title>`` and the language
from ``<html lang>``. Each chart is the same SVG as in the HTML report, referenced as an ``<img>``
whose ``alt`` becomes the figure's alt text in the tag tree; the SVGs are served from memory by
:class:`ChartFetcher`, which fetches nothing else (a report never reaches the network).
"""

from __future__ import annotations

from urllib.parse import quote, unquote

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from livsvillkor.reports.document import Report
from livsvillkor.reports.render_html import render_chart_svgs, render_html

PDF_VARIANT = "pdf/ua-1"
CHART_SCHEME = "livsvillkor-chart"


def chart_url(chart_id: str) -> str:
    return f"{CHART_SCHEME}:{quote(chart_id, safe='')}.svg"


class ChartFetcher(URLFetcher):
    """Serves ``livsvillkor-chart:<id>.svg`` from the rendered SVGs; refuses every other URL."""

    def __init__(self, svgs: dict[str, str]):
        super().__init__(fail_on_errors=True)
        self.svgs = svgs

    def fetch(self, url, headers=None):
        prefix = f"{CHART_SCHEME}:"
        if not url.startswith(prefix) or not url.endswith(".svg"):
            raise ValueError(f"a report fetches no external resources: {url}")
        chart_id = unquote(url[len(prefix) : -len(".svg")])
        if chart_id not in self.svgs:
            raise ValueError(f"no SVG rendered for chart {chart_id!r}")
        return URLFetcherResponse(
            url, self.svgs[chart_id].encode("utf-8"), headers={"Content-Type": "image/svg+xml"}
        )


def html_to_pdf(document_html: str, svgs: dict[str, str] | None = None) -> bytes:
    document = weasyprint.HTML(string=document_html, base_url=None, url_fetcher=ChartFetcher(svgs or {}))
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(report: Report, svgs: dict[str, str] | None = None) -> bytes:
    """The PDF of ``report``; pass ``svgs`` (from :func:`render_chart_svgs`) to reuse rendered charts."""
    if svgs is None:
        svgs = render_chart_svgs(report)
    return html_to_pdf(render_html(report, svgs, chart_url=chart_url), svgs)
