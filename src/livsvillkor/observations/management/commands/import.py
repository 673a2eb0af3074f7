"""``livsvillkor import <source> …``: import areas, boundaries and observations.

Each source is a module of :mod:`livsvillkor.observations.importers`; see its docstring.
"""

from django.core.management.base import BaseCommand, CommandError

from livsvillkor.core.errors import InputError
from livsvillkor.observations.importers import registry
from livsvillkor.observations.progress import progress_bar


class Command(BaseCommand):
    help = "Importera data. Ingenting skrivs om indata har fel; alla fel listas."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="importer_name", required=True, metavar="SOURCE")
        for name, importer in registry().items():
            importer.add_arguments(sub.add_parser(name, help=importer.help, description=importer.help))

    def handle(self, *args, importer_name, **options):
        importer = registry()[importer_name]
        try:
            with progress_bar(self.stderr._out) as progress:
                message = importer.run(options, progress)
        except InputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(message)
