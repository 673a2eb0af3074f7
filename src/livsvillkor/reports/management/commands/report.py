"""``livsvillkor report followup --period 2025 --format html,pdf,xlsx --out DIR``."""

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from livsvillkor.core.errors import InputError
from livsvillkor.reports.services import (
    FORMATS,
    build_followup_document,
    parse_formats,
    parse_period,
    record_generated,
    render_report,
    write_report,
)

BUILDERS = {"followup": build_followup_document}


class Command(BaseCommand):
    help = (
        "Generate a report from the database as HTML, PDF (tagged) and/or XLSX. "
        "Nothing is written when an argument is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", choices=sorted(BUILDERS), help="report type: followup (the biennial follow-up)"
        )
        parser.add_argument("--period", required=True, help="the follow-up year, e.g. 2025")
        parser.add_argument(
            "--format",
            default=",".join(FORMATS),
            help=f"comma-separated formats (default: {','.join(FORMATS)})",
        )
        parser.add_argument("--out", required=True, help="output directory (created if missing)")
        parser.add_argument(
            "--example-data",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="mark the report 'Exempeldata – inte officiell statistik' "
            "(default: when the database holds example data)",
        )

    def handle(self, *args, kind, period, format, out, example_data, **options):
        problems = []
        for check, value in ((parse_formats, format), (parse_period, period)):
            try:
                check(value)
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise CommandError(str(InputError("Invalid arguments; nothing was written", problems)))
        try:
            formats = parse_formats(format)
            report = BUILDERS[kind](period, example_data=example_data)
            rendered = render_report(report, formats)
            period = period.strip()
            paths = write_report(rendered, out, f"{kind}-{period}")
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        record = record_generated(rendered, kind, period)
        for path in paths:
            self.stdout.write(f"Wrote {path}")
        previous = record.previous()
        if previous is not None:
            same = previous.data_hash == record.data_hash
            self.stdout.write(
                f"{'Same content as' if same else 'Content changed since'} the report generated "
                f"{timezone.localtime(previous.created_at):%Y-%m-%d %H:%M} (sha256:{previous.data_hash[:16]})."
            )
        timings = ", ".join(f"{part} {seconds:.1f} s" for part, seconds in rendered.seconds.items())
        self.stdout.write(
            f"Snapshot: sha256:{report.snapshot.data_hash} (code {report.snapshot.code_version}, "
            f"git {report.snapshot.git_commit}); {timings}"
        )
