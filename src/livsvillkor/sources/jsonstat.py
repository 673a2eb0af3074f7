"""Decoding JSON-stat (2.0, and the 1.x answers of PxWeb API v1) into a tidy table.

A JSON-stat dataset is a cube: ``id`` names the dimensions, ``size`` their lengths, and ``value``
holds the cells in row-major order (the last dimension varies fastest), either as a list or, when
sparse, as an object keyed by the flat index. ``status`` marks cells (SCB: ``..`` not available,
``.`` not applicable, ``-`` nil) as one string for all cells, a list, or an object.

Notes: a dataset's ``note`` list holds texts the publisher may require to be shown; SCB lists the
mandatory ones in ``extension.noteMandatory`` (keyed by the note's position). Dimensions can carry
the same; category notes are kept too. :class:`JsonStatTable` keeps them apart so a page can show the
mandatory ones next to the figures.

Answers stored through R have every scalar wrapped in a one-element list; :func:`decode` accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .base import SourceError


def _u(x: Any) -> Any:
    """Unwrap a one-element list around a scalar (R-serialised JSON)."""
    while isinstance(x, list) and len(x) == 1 and not isinstance(x[0], dict | list):
        x = x[0]
    return x


def _as_list(x: Any) -> list:
    if x is None:
        return []
    if not isinstance(x, list):
        return [x]
    return [_u(e) for e in x]


def _notes(x: Any) -> list[str]:
    return [str(n) for n in _as_list(x) if n not in (None, "")]


@dataclass
class JsonStatTable:
    data: pd.DataFrame
    label: str = ""
    source: str = ""
    updated: str = ""
    dimension_labels: dict[str, str] = field(default_factory=dict)
    category_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    roles: dict[str, list[str]] = field(default_factory=dict)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    mandatory_notes: list[str] = field(default_factory=list)

    def labelled(self) -> pd.DataFrame:
        """The table with a ``<dimension>_label`` column beside each code column."""
        frame = self.data.copy()
        for dim, labels in self.category_labels.items():
            frame[f"{dim}_label"] = frame[dim].map(labels)
        return frame


def _category_codes(dimension: dict, size: int, dim_id: str) -> list[str]:
    category = dimension.get("category", {})
    index = category.get("index")
    if index is None:
        labels = category.get("label", {})
        if len(labels) == 1 and size == 1:
            return [next(iter(labels))]
        if size == 1 and not labels:
            return ["0"]
        raise SourceError(f"JSON-stat dimension {dim_id!r} has no category index")
    if isinstance(index, list):
        codes = [str(_u(c)) for c in index]
    else:
        ordered = sorted(((int(_u(pos)), str(code)) for code, pos in index.items()))
        codes = [code for _pos, code in ordered]
    if len(codes) != size:
        raise SourceError(f"JSON-stat dimension {dim_id!r}: {len(codes)} categories but size {size}")
    return codes


def _mandatory(notes: list[str], extension: dict | None) -> list[str]:
    flags = (extension or {}).get("noteMandatory") or {}
    result = []
    for key, is_mandatory in flags.items():
        if _u(is_mandatory) and str(key).isdigit() and int(key) < len(notes):
            result.append(notes[int(key)])
    return result


def decode(payload: dict, *, metadata_only: bool = False) -> JsonStatTable:
    """Decode a JSON-stat 2.0 dataset, or a JSON-stat 1.x response holding one dataset.

    With ``metadata_only`` (a PxWeb v2 ``/metadata`` answer has dimensions but no values) the table
    is empty and only labels, roles, units and notes are filled in.
    """
    if not isinstance(payload, dict):
        raise SourceError("JSON-stat answer is not an object")
    if payload.get("class") == "dataset" or "version" in payload:
        ds = payload
        dims = ds.get("dimension", {})
        ids = [str(i) for i in _as_list(ds.get("id"))]
        sizes = [int(s) for s in _as_list(ds.get("size"))]
        roles = {k: [str(i) for i in _as_list(v)] for k, v in (ds.get("role") or {}).items()}
    else:  # JSON-stat 1.x: {"dataset": {...}} with id/size/role inside "dimension"
        if "dataset" in payload:
            ds = payload["dataset"]
        elif len(payload) == 1 and isinstance(next(iter(payload.values())), dict):
            ds = next(iter(payload.values()))
        else:
            raise SourceError("not a JSON-stat dataset (no 'class': 'dataset' and no 'dataset' key)")
        dims = dict(ds.get("dimension", {}))
        ids = [str(i) for i in _as_list(dims.pop("id", None))]
        sizes = [int(s) for s in _as_list(dims.pop("size", None))]
        roles = {k: [str(i) for i in _as_list(v)] for k, v in (dims.pop("role", None) or {}).items()}
    if not ids or len(ids) != len(sizes):
        raise SourceError("JSON-stat dataset has no dimensions or mismatched id/size")

    codes: list[list[str]] = []
    category_labels: dict[str, dict[str, str]] = {}
    dimension_labels: dict[str, str] = {}
    units: dict[str, dict[str, Any]] = {}
    notes = _notes(ds.get("note"))
    mandatory = _mandatory(notes, ds.get("extension"))
    for dim_id, size in zip(ids, sizes, strict=True):
        dim = dims.get(dim_id)
        if dim is None:
            raise SourceError(f"JSON-stat dataset lacks the dimension {dim_id!r} named in 'id'")
        dim_codes = _category_codes(dim, size, dim_id)
        codes.append(dim_codes)
        labels = dim.get("category", {}).get("label", {}) or {}
        category_labels[dim_id] = {c: str(_u(labels.get(c, c))) for c in dim_codes}
        dimension_labels[dim_id] = str(_u(dim.get("label", dim_id)))
        if dim.get("category", {}).get("unit"):
            units[dim_id] = dim["category"]["unit"]
        dim_notes = _notes(dim.get("note"))
        notes.extend(dim_notes)
        mandatory.extend(_mandatory(dim_notes, dim.get("extension")))
        for code, cat_notes in (dim.get("category", {}).get("note") or {}).items():
            notes.extend(f"{category_labels[dim_id].get(code, code)}: {n}" for n in _notes(cat_notes))

    if metadata_only:
        empty = pd.DataFrame({d: pd.Series([], dtype="string") for d in ids})
        empty["value"] = pd.Series([], dtype="float64")
        empty["status"] = pd.Series([], dtype="string")
        codes_only = empty
    n = int(np.prod(sizes))
    raw_values = None if metadata_only else ds.get("value")
    values = np.full(0 if metadata_only else n, np.nan)
    if isinstance(raw_values, dict):
        for key, v in raw_values.items():
            v = _u(v)
            values[int(key)] = np.nan if v is None else float(v)
    elif not metadata_only:
        flat = _as_list(raw_values)
        if len(flat) != n:
            raise SourceError(f"JSON-stat dataset has {len(flat)} values but its dimensions give {n} cells")
        values = np.array([np.nan if v is None else float(v) for v in flat], dtype="float64")

    if metadata_only:
        return JsonStatTable(
            data=codes_only,
            label=str(_u(ds.get("label", ""))),
            source=str(_u(ds.get("source", ""))),
            updated=str(_u(ds.get("updated", ""))),
            dimension_labels=dimension_labels,
            category_labels=category_labels,
            roles=roles,
            units=units,
            notes=notes,
            mandatory_notes=list(dict.fromkeys(mandatory)),
        )
    status = np.full(n, "", dtype=object)
    raw_status = ds.get("status")
    if isinstance(raw_status, str):
        status[:] = raw_status
    elif isinstance(raw_status, dict):
        for key, s in raw_status.items():
            status[int(key)] = str(_u(s) or "")
    elif isinstance(raw_status, list):
        flat = _as_list(raw_status)
        if len(flat) == 1:
            status[:] = str(flat[0] or "")
        elif len(flat) == n:
            status[:] = [str(s or "") for s in flat]
        else:
            raise SourceError(f"JSON-stat status has {len(flat)} entries for {n} cells")

    columns: dict[str, Any] = {}
    repeat = n
    for dim_id, dim_codes in zip(ids, codes, strict=True):
        repeat //= len(dim_codes)
        tile = n // (repeat * len(dim_codes))
        columns[dim_id] = np.tile(np.repeat(np.array(dim_codes, dtype=object), repeat), tile)
    columns["value"] = values
    columns["status"] = status
    frame = pd.DataFrame(columns)
    for dim_id in ids:
        frame[dim_id] = frame[dim_id].astype("string")
    frame["status"] = frame["status"].astype("string")
    return JsonStatTable(
        data=frame,
        label=str(_u(ds.get("label", ""))),
        source=str(_u(ds.get("source", ""))),
        updated=str(_u(ds.get("updated", ""))),
        dimension_labels=dimension_labels,
        category_labels=category_labels,
        roles=roles,
        units=units,
        notes=notes,
        mandatory_notes=list(dict.fromkeys(mandatory)),
    )
