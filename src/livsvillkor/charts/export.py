"""Downloads of exactly what a chart shows: CSV, XLSX and JSON-stat 2.0, with attribution.

The input is :attr:`Chart.data`, in which suppressed cells are already blanked; here they are written
as ``..`` (with JSON-stat status ``..``), never as 0 or an empty number.
"""

from __future__ import annotations

import io
import json
import math

import pandas as pd

from livsvillkor.charts.builders import Chart
from livsvillkor.charts.formatting import SUPPRESSED

NUMBER_COLUMNS = ("value", "ci_low", "ci_high")
LABELS = {
    "period": "Period",
    "series": "Serie",
    "area": "Område",
    "area_code": "Områdeskod",
    "category": "Kategori",
    "group": "Grupp",
    "value": "Värde",
    "ci_low": "Konfidensintervall, nedre",
    "ci_high": "Konfidensintervall, övre",
    "comparison": "Jämförelse",
}


def _dimension_columns(data: pd.DataFrame) -> list[str]:
    return [c for c in data.columns if c not in (*NUMBER_COLUMNS, "suppressed", "comparison")]


def download_frame(chart: Chart) -> pd.DataFrame:
    """The chart's data as text cells: numbers with a dot decimal, suppressed cells as ``..``."""
    data = chart.data.copy()
    suppressed = data.get("suppressed", pd.Series(False, index=data.index)).fillna(False).astype(bool)
    out = pd.DataFrame(index=data.index)
    for col in _dimension_columns(data):
        out[LABELS.get(col, col)] = data[col].astype(str)
    for col in NUMBER_COLUMNS:
        if col not in data or (col != "value" and data[col].isna().all()):
            continue
        text = data[col].map(lambda v: "" if pd.isna(v) else f"{v:.10g}")
        out[LABELS[col]] = text.where(~suppressed, SUPPRESSED)
    if "comparison" in data:
        out[LABELS["comparison"]] = data["comparison"].fillna("")
    return out.reset_index(drop=True)


def to_csv(chart: Chart, attribution: str) -> bytes:
    buffer = io.StringIO()
    download_frame(chart).to_csv(buffer, index=False)
    buffer.write(f'"{chart.title}"\n"{attribution}"\n"Värden som inte får redovisas visas som \'..\'."\n')
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(chart: Chart, attribution: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        download_frame(chart).to_excel(writer, sheet_name="Data", index=False)
        pd.DataFrame(
            {"": [chart.title, chart.summary, attribution, "Värden som inte får redovisas visas som '..'."]}
        ).to_excel(writer, sheet_name="Om", index=False, header=False)
    return buffer.getvalue()


def to_jsonstat(chart: Chart, attribution: str) -> dict:
    """A JSON-stat 2.0 dataset with one dimension per non-number column of the chart data."""
    data = chart.data.reset_index(drop=True)
    dims = _dimension_columns(data)
    suppressed = data.get("suppressed", pd.Series(False, index=data.index)).fillna(False).astype(bool)
    categories = {d: list(dict.fromkeys(data[d].astype(str))) for d in dims}
    sizes = [len(categories[d]) for d in dims]
    total = math.prod(sizes) if sizes else 1
    values: list[float | None] = [None] * total
    status: dict[str, str] = {}
    for i, row in data.iterrows():
        index = 0
        for d, size in zip(dims, sizes, strict=True):
            index = index * size + categories[d].index(str(row[d]))
        if suppressed[i]:
            status[str(index)] = SUPPRESSED
        elif pd.notna(row["value"]):
            values[index] = float(row["value"])
    dataset = {
        "version": "2.0",
        "class": "dataset",
        "label": chart.title,
        "source": attribution,
        "id": dims,
        "size": sizes,
        "dimension": {
            d: {
                "label": LABELS.get(d, d),
                "category": {
                    "index": {c: i for i, c in enumerate(categories[d])},
                    "label": {c: c for c in categories[d]},
                },
            }
            for d in dims
        },
        "value": values,
        "extension": {"summary": chart.summary},
        "note": ["Värden som inte får redovisas har status '..'."],
    }
    if status:
        dataset["status"] = status
    return dataset


def to_jsonstat_bytes(chart: Chart, attribution: str) -> bytes:
    return json.dumps(to_jsonstat(chart, attribution), ensure_ascii=False).encode("utf-8")
