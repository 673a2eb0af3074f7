"""``import tidy FILE``: a tidy CSV/XLSX file (see ``schemas/tidy.schema.json``)."""

from livsvillkor.observations.services import import_tidy_file


class Tidy:
    name = "tidy"
    help = "En tidy-fil (CSV eller XLSX, en rad per värde). Alla rader kontrolleras innan något skrivs."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def run(self, options, progress):
        return import_tidy_file(options["file"], progress=progress).message


IMPORTER = Tidy()
