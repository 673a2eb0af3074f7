"""Export observations as tidy CSV, XLSX or JSON-stat 2.0, with disclosure control and attribution.

Suppressed cells are written as ``..`` (the Swedish convention), never as 0 or blank; every format
carries the source attribution (``Källa: SCB``) of the batches the values came from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from django.utils import timezone

from livsvillkor.framework.models import Indicator

from .models import Category, Dimension
from .services import NUMERIC_COLUMNS, SUPPRESSED, _indicator, series

FORMATS = ("csv", "xlsx", "jsonstat")


def attribution_for(ind: Indicator, frame: pd.DataFrame) -> str:
    given = sorted({a for a in frame.get("attribution", pd.Series(dtype=str)).dropna() if a})
    if given:
        return "; ".join(given)
    if ind.source_type == Indicator.SourceType.SCB:
        return "Källa: SCB"
    if ind.source_type == Indicator.SourceType.KOLADA:
        return "Källa: Kolada"
    return f"Källa: {ind.source_name}" if ind.source_name else ""


def export_frame(indicators: list[str], area_codes=None, periods=None) -> tuple[pd.DataFrame, list[str], str]:
    """All rows (every breakdown) of the indicators, disclosure-controlled, as tidy output columns."""
    frames, dims, sources = [], [], []
    for code in indicators:
        ind = _indicator(code)
        frame = series(ind, area_codes=area_codes, periods=periods, breakdown="*")
        sources.append(attribution_for(ind, frame))
        dims += [d for d in frame.attrs.get("dimensions", []) if d not in dims]
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for d in dims:
        frame[d] = frame[d].fillna("") if d in frame else ""
    attribution = "; ".join(sorted({s for s in sources if s}))
    return frame, dims, attribution


def tidy_output(frame: pd.DataFrame, dims: list[str], attribution: str) -> pd.DataFrame:
    out = frame[["indicator", "period", "area_code", "area_name", *dims]].copy()
    for c in NUMERIC_COLUMNS:
        text = frame[c].map(lambda v: "" if pd.isna(v) else f"{v:.10g}")
        text = text.where(~frame["suppressed"].astype(bool), SUPPRESSED)
        if c == "value":
            text = text.where(frame["missing"] == "", frame["missing"])
        out[c] = text
    out["flags"] = frame["flags"]
    out["note"] = frame["note"]
    out["suppression_reason"] = frame["suppression_reason"].fillna("")
    out["source"] = attribution
    return out


def write_csv(frame, dims, attribution, path: Path) -> None:
    tidy_output(frame, dims, attribution).to_csv(path, index=False, encoding="utf-8")


def write_xlsx(frame, dims, attribution, path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        tidy_output(frame, dims, attribution).to_excel(writer, sheet_name="Data", index=False)
        # Text such as a note beginning with "=" must stay text, never become a formula.
        for cells in writer.sheets["Data"].iter_rows():
            for cell in cells:
                if cell.data_type == "f":
                    cell.data_type = "s"
        about = pd.DataFrame(
            {
                "": [
                    attribution,
                    "Värden som inte får redovisas (röjandekontroll) visas som '..'.",
                    f"Uttaget {timezone.localtime():%Y-%m-%d %H:%M}",
                ]
            }
        )
        about.to_excel(writer, sheet_name="Om", index=False, header=False)


def jsonstat(frame: pd.DataFrame, dims: list[str], attribution: str) -> dict:
    """A JSON-stat 2.0 dataset: dimensions indicator × area × period (× breakdown dimensions)."""
    ids = ["indicator", "area", "period", *dims]
    columns = ["indicator", "area_code", "period", *dims]
    labels = {d.code: d.label for d in Dimension.objects.filter(code__in=dims)}
    cats = list(Category.objects.filter(dimension__code__in=dims).select_related("dimension"))
    cat_labels = {(c.dimension.code, c.code): c.label for c in cats}
    cat_order = {(c.dimension.code, c.code): c.order for c in cats}
    ind_names = dict(
        Indicator.objects.filter(code__in=frame["indicator"].unique()).values_list("code", "name")
    )
    dimension, sizes, codes_per_dim = {}, [], []
    for dim_id, col in zip(ids, columns, strict=True):
        values = frame[col].fillna("")
        if dim_id in dims:  # the total first, then the categories in their defined order
            codes = sorted(values.unique(), key=lambda c, d=dim_id: (c != "", cat_order.get((d, c), 0), c))
        else:
            codes = list(dict.fromkeys(values))
        if dim_id == "period":
            codes = sorted(codes)
        json_codes = [c or "total" for c in codes]
        if dim_id == "indicator":
            label, names = "Indikator", {c: ind_names.get(c, c) for c in codes}
        elif dim_id == "area":
            label = "Område"
            names = dict(zip(frame["area_code"], frame["area_name"], strict=True))
        elif dim_id == "period":
            label, names = "Period", {c: c for c in codes}
        else:
            label, names = labels.get(dim_id, dim_id), {c: cat_labels.get((dim_id, c), c) for c in codes}
        dimension[dim_id] = {
            "label": label,
            "category": {
                "index": {jc: i for i, jc in enumerate(json_codes)},
                "label": {
                    jc: (names.get(c, c) if c else "Totalt") for c, jc in zip(codes, json_codes, strict=True)
                },
            },
        }
        sizes.append(len(codes))
        codes_per_dim.append({c: i for i, c in enumerate(codes)})
    total = 1
    for s in sizes:
        total *= s
    values: list = [None] * total
    status: dict[str, str] = {}
    for rec in frame.itertuples(index=False):
        row = rec._asdict()
        pos = 0
        for col, index, size in zip(columns, codes_per_dim, sizes, strict=True):
            pos = pos * size + index[row[col] if row[col] == row[col] and row[col] is not None else ""]
        if row["suppressed"]:
            status[str(pos)] = SUPPRESSED
        elif row["missing"]:
            status[str(pos)] = row["missing"]
        else:
            v = row["value"]
            values[pos] = None if pd.isna(v) else float(v)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": ", ".join(ind_names.get(c, c) for c in frame["indicator"].unique()),
        "source": attribution,
        "updated": timezone.now().isoformat(timespec="seconds"),
        "id": ids,
        "size": sizes,
        "dimension": dimension,
        "value": values,
        "status": status,
        "note": ["Värden som inte får redovisas (röjandekontroll) har status '..'."],
    }


def write_jsonstat(frame, dims, attribution, path: Path) -> None:
    Path(path).write_text(
        json.dumps(jsonstat(frame, dims, attribution), ensure_ascii=False), encoding="utf-8"
    )


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "jsonstat": write_jsonstat}


def export(indicators: list[str], fmt: str, path: Path | str, *, area_codes=None, periods=None) -> int:
    frame, dims, attribution = export_frame(indicators, area_codes=area_codes, periods=periods)
    WRITERS[fmt](frame, dims, attribution, Path(path))
    return len(frame)
