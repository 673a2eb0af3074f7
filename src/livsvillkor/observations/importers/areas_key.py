"""``import areas-key FILE``: SCB's DeSO→RegSO key table → country, counties, municipalities, RegSO, DeSO."""

from livsvillkor.geo.services import import_areas_key


class AreasKey:
    name = "areas-key"
    help = "SCB:s nyckeltabell DeSO–RegSO (CSV): skapar land, län, kommuner, RegSO och DeSO."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--municipality", help="bara denna kommun (kommunkod, t.ex. 1490)")

    def run(self, options, progress):
        return import_areas_key(options["file"], municipality=options["municipality"]).message


IMPORTER = AreasKey()
