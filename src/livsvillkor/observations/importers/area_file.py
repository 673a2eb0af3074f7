"""``import areas FILE.yaml``: our own areas (kommundelar, områdesutveckling areas) as unions of DeSO/RegSO."""

from livsvillkor.core.paths import repo_file
from livsvillkor.geo.services import load_area_file


class AreaFile:
    name = "areas"
    help = "Egna områden (kommundelar, områdesutvecklingsområden) från en YAML-fil, t.ex. areas/boras.yaml."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.yaml", nargs="?", default=None)

    def run(self, options, progress):
        path = options["file"] or repo_file("areas/boras.yaml")
        return load_area_file(path).message


IMPORTER = AreaFile()
