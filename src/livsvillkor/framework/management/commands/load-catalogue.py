"""``livsvillkor load-catalogue [FILE]``: load an indicator catalogue (default ``catalogues/boras.yaml``)."""

from django.core.management.base import BaseCommand, CommandError

from livsvillkor.core.errors import InputError
from livsvillkor.core.paths import repo_file
from livsvillkor.framework.catalogue import load_catalogue


class Command(BaseCommand):
    help = "Load an indicator catalogue YAML file (upsert by code) and link indicators to effect goals."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="catalogue file (default: catalogues/boras.yaml)")

    def handle(self, *args, **options):
        path = options["file"] or repo_file("catalogues/boras.yaml")
        try:
            result = load_catalogue(path)
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.message)
