"""``livsvillkor load-framework FILE.yaml``: load a målbild file (idempotent; changes make a new version)."""

from django.core.management.base import BaseCommand, CommandError

from livsvillkor.core.errors import InputError
from livsvillkor.framework.services import load_framework


class Command(BaseCommand):
    help = "Load a målbild (goal framework) from a YAML file. Nothing is written if the file is invalid."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.yaml")

    def handle(self, *args, files, **options):
        for path in files:
            try:
                result = load_framework(path)
            except InputError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(result.message)
