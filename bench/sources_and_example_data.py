"""Figures for the connectors and the demo's example data (prints timings; asserts nothing).

    PYTHONPATH=src .venv/bin/python bench/sources_and_example_data.py

* JSON-stat 2.0 decoding of a cube of PxWeb's largest answer (150 000 cells, SCB's maxDataCells);
* PX parsing of the reference server's TAB001.px (if ../shared/data is there);
* example-data generation for the whole Borås catalogue on 77 DeSO-like cells (no database).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livsvillkor.settings")

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LIVSVILLKOR_SHARED_DATA", ROOT.parent / "shared" / "data"))


def timed(label: str, fn, repeat: int = 3):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label}: {best * 1000:.1f} ms (best of {repeat})")
    return result


def jsonstat_cube():
    from livsvillkor.sources import jsonstat

    sizes = [290, 2, 2, 1, 130]  # region × sex × background × content × year-month ≈ 150 000 cells
    ids = ["Region", "Kon", "Bakgrund", "ContentsCode", "Tid"]
    rng = np.random.default_rng(1)
    payload = {
        "version": "2.0",
        "class": "dataset",
        "id": ids,
        "size": sizes,
        "dimension": {
            d: {"label": d, "category": {"index": {f"{d}{i}": i for i in range(n)}}}
            for d, n in zip(ids, sizes, strict=True)
        },
        "value": rng.integers(0, 10000, int(np.prod(sizes))).tolist(),
        "status": {"5": "..", "17": ".."},
    }
    table = timed(f"JSON-stat 2.0 decode, {int(np.prod(sizes))} cells", lambda: jsonstat.decode(payload))
    print(f"  -> {len(table.data)} tidy rows")


def px_file():
    from livsvillkor.sources.px import parse

    path = SHARED / "scb" / "pxwebapi_reference" / "TAB001.px"
    if not path.exists():
        print(f"PX parse: skipped ({path} not found)")
        return
    frame = timed("PX parse + tidy, TAB001.px", lambda: parse(path).to_frame())
    print(f"  -> {len(frame)} cells")


def example_data():
    import django

    django.setup()
    from livsvillkor.core import exampledata
    from livsvillkor.framework.catalogue import parse_catalogue_file

    profiles = exampledata.load_profiles(ROOT / "demo" / "example-data.yaml")
    catalogue = parse_catalogue_file(ROOT / "catalogues" / "boras.yaml")[0]
    specs = [
        exampledata.IndicatorSpec(
            i.code, i.value_type, i.polarity, list(i.breakdowns), list(i.levels), i.source.type
        )
        for i in catalogue.indicators
    ]
    areas = [{"code": "1490", "kind": "municipality", "population": None, "parent_code": None}]
    areas += [
        {"code": f"1490R{r:03d}", "kind": "regso", "population": None, "parent_code": "1490"}
        for r in range(47)
    ]
    areas += [
        {"code": f"1490C{d:04d}", "kind": "deso", "population": None, "parent_code": f"1490R{d % 47:03d}"}
        for d in range(77)
    ]
    cells = exampledata.build_cells(areas, [], profiles.seed)
    generated = timed(
        f"example data, {len(specs)} indicators × {len(cells.codes)} DeSO × 11 years",
        lambda: exampledata.generate(specs, profiles, cells),
    )
    print(f"  -> {len(generated.frame)} tidy rows")


if __name__ == "__main__":
    jsonstat_cube()
    px_file()
    example_data()
