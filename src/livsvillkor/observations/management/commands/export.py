"""``livsvillkor export --indicator … [--area …] [--period …] --format csv|xlsx|jsonstat [-o FILE]``."""

import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from livsvillkor.core.errors import InputError
from livsvillkor.observations.exports import FORMATS, export
from livsvillkor.observations.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Exportera observationer (tidy CSV, XLSX eller JSON-stat 2.0) med röjandekontroll och källhänvisning."
    )

    def add_arguments(self, parser):
        parser.add_argument("--indicator", action="append", required=True, help="indikatorkod (kan upprepas)")
        parser.add_argument("--area", action="append", help="områdeskod (kan upprepas; standard: alla)")
        parser.add_argument("--period", action="append", help="period (kan upprepas; standard: alla)")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", help="fil att skriva (standard: standard ut, ej för xlsx)")

    def handle(self, *args, indicator, area, period, format, output, **options):
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx kräver --output FIL")
        try:
            with progress_bar(self.stderr._out) as progress:
                progress("export", 0, 1)
                if output:
                    n = export(indicator, format, output, area_codes=area, periods=period)
                else:
                    with tempfile.TemporaryDirectory() as tmp:
                        path = Path(tmp) / "export"
                        n = export(indicator, format, path, area_codes=area, periods=period)
                        sys.stdout.write(path.read_text(encoding="utf-8"))
                progress("export", 1, 1)
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"{n} rader exporterade")
