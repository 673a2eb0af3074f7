"""The internal (staff-only) page that generates the follow-up report and offers the files."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from livsvillkor.core.errors import InputError
from livsvillkor.reports.models import GeneratedReport
from livsvillkor.reports.services import (
    FORMATS,
    build_followup_document,
    parse_formats,
    parse_period,
    record_generated,
    render_report,
    write_report,
)

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def reports_dir() -> Path:
    return Path(settings.VAR_DIR) / "reports"


def basename(report: GeneratedReport) -> str:
    return f"uppfoljning-{report.period}-{report.pk}"


def _files(report: GeneratedReport) -> list[str]:
    folder = reports_dir()
    return [fmt for fmt in report.formats.split(",") if (folder / f"{basename(report)}.{fmt}").is_file()]


@staff_member_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    """GET: the form and the earlier reports; POST: generate the report (period, formats)."""
    errors: list[str] = []
    period = str(timezone.now().year)
    chosen = list(FORMATS)
    if request.method == "POST":
        period = request.POST.get("period", "").strip()
        chosen = request.POST.getlist("format")
        try:
            year = parse_period(period)
            formats = parse_formats(chosen)
            document = build_followup_document(str(year))
            rendered = render_report(document, formats)
        except InputError as error:
            errors = [f"{p.field or p.where}: {p.value!r} – {p.message}" for p in error.problems]
        else:
            record = record_generated(rendered, GeneratedReport.Kind.FOLLOWUP, str(year))
            write_report(rendered, reports_dir(), basename(record))
            return redirect(reverse("reports:list") + f"?skapad={record.pk}#rapport-{record.pk}")
    generated = [(r, _files(r)) for r in GeneratedReport.objects.all()[:50]]
    created = request.GET.get("skapad", "")
    return render(
        request,
        "reports/intern/report_list.html",
        {
            "errors": errors,
            "period": period,
            "formats": [(fmt, fmt.upper(), fmt in chosen) for fmt in FORMATS],
            "generated": generated,
            "created": int(created) if created.isdigit() else None,
            "title": _("Rapporter"),
        },
        status=400 if errors else 200,
    )


@staff_member_required
def report_file(request, pk: int, fmt: str):
    """One generated file as a download."""
    report = get_object_or_404(GeneratedReport, pk=pk)
    if fmt not in FORMATS:
        raise Http404(_("Okänt format"))
    path = reports_dir() / f"{basename(report)}.{fmt}"
    if not path.is_file():
        raise Http404(_("Filen finns inte längre"))
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=CONTENT_TYPES[fmt]
    )
