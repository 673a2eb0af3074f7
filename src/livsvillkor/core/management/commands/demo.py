"""``livsvillkor demo``: set up the Borås demo database (idempotent: running it again changes nothing).

Offline by default: migrate, the målbild, the indicator catalogue, the Borås areas (SCB's DeSO–RegSO
key from ``../shared/data`` when it is there, else the kommundelar of ``areas/boras.yaml`` alone),
example data for every catalogue indicator 2015–2025, demo content and the admin user.

``--data DIR`` imports real files from DIR (SCB web exports through ``mappings/``, tidy files); those
indicators then get no example values. ``--online`` fetches the catalogue's Kolada indicators.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from livsvillkor.core import demo
from livsvillkor.core.errors import InputError
from livsvillkor.core.paths import repo_file
from livsvillkor.core.services import ensure_admin_user, load_demo_content
from livsvillkor.framework.catalogue import load_catalogue
from livsvillkor.framework.services import load_framework
from livsvillkor.observations.progress import STAGES, progress_bar

STAGES.setdefault("generate", "Skapar exempeldata")


class Command(BaseCommand):
    help = "Set up the Borås demo: målbild, catalogue, areas, example data, demo content and the admin user."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data", metavar="DIR", help="import real files from DIR (SCB exports, tidy files)"
        )
        parser.add_argument(
            "--online", action="store_true", help="fetch the real Kolada values (needs internet)"
        )
        parser.add_argument("--areas-key", metavar="FILE", help="SCB's DeSO–RegSO key table (CSV)")
        parser.add_argument("--cache", metavar="DIR", help="with --online: keep the raw responses in DIR")

    def handle(self, *args, **options):
        started = time.monotonic()
        console = Console(file=self.stdout._out, highlight=False)
        if not console.is_terminal:
            console.width = 130
        results: list[demo.StepResult] = []
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3") and str(db["NAME"]) != ":memory:":
            Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)  # var/ in a fresh clone
        try:
            call_command("migrate", interactive=False, verbosity=0)
            results.append(demo.StepResult("Databas", "migreringar", "klar"))
            fw = load_framework(repo_file("frameworks/boras-2021-2024.yaml"))
            results.append(demo.StepResult("Målbild", "frameworks/boras-2021-2024.yaml", fw.message))
            cat = load_catalogue(repo_file(demo.CATALOGUE))
            results.append(demo.StepResult("Indikatorer", demo.CATALOGUE, cat.message, len(cat.created)))
            key = Path(options["areas_key"]) if options["areas_key"] else demo.find_key_table()
            if options["areas_key"] and not key.exists():
                raise InputError(f"{key}: filen finns inte")
            results += demo.load_areas(key)
            with progress_bar(self.stderr._out) as progress:
                if options["data"]:
                    results += demo.import_data_dir(Path(options["data"]), progress=progress)
                if options["online"]:
                    results += demo.fetch_online(
                        list(range(2015, 2026)), progress=progress, cache_dir=options["cache"]
                    )
                results += demo.load_example_data(progress=progress)
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        results.append(demo.StepResult("Portal", "demo/content.yaml", load_demo_content()))
        table = Table(title="Livsvillkor – demodatabasen", show_lines=False)
        table.add_column("Steg")
        table.add_column("Från")
        table.add_column("Resultat")
        for r in results:
            table.add_row(r.step, r.source, r.detail)
        console.print(table)
        console.print(
            "[bold]Exempeldata – inte officiell statistik.[/bold] Värden från källan 'example' är påhittade."
        )
        self.stdout.write(ensure_admin_user().message)
        self.stdout.write(f"Klart på {time.monotonic() - started:.1f} s.")
