"""The snapshot of a report: a deterministic hash of everything it says, and the code that made it.

The hash is SHA-256 over a canonical JSON form of the document: every text and every number in
every section, block, chart (its data, table and summary) and notice, in document order. The
generation time and the snapshot itself are left out, so generating again on unchanged data gives
the same hash, and changing any number gives a different one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import subprocess
from datetime import date, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

import livsvillkor
from livsvillkor.charts import Chart
from livsvillkor.reports.document import Report, Snapshot

EXCLUDED_FIELDS = {"snapshot", "generated_at"}


def _number(value: float) -> Any:
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == int(value) and abs(value) < 2**53:
        return int(value)  # 80.0 and 80 are the same number
    return float(repr(value))


def _frame(df: pd.DataFrame) -> dict[str, Any]:
    return {
        "columns": [str(c) for c in df.columns],
        "rows": [[canonical(v) for v in row] for row in df.itertuples(index=False, name=None)],
    }


def canonical(obj: Any) -> Any:
    """A JSON-serialisable, order-preserving form of a document object."""
    if obj is None or isinstance(obj, str | bool):
        return obj
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return _number(obj)
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, pd.DataFrame):
        return _frame(obj)
    if isinstance(obj, Chart):
        return {
            "type": "chart",
            "id": obj.id,
            "title": obj.title,
            "summary": obj.summary,
            "table": canonical(obj.table),
            "data": _frame(obj.data),
        }
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {"type": type(obj).__name__}
        for f in dataclasses.fields(obj):
            if f.name not in EXCLUDED_FIELDS:
                out[f.name] = canonical(getattr(obj, f.name))
        return out
    if isinstance(obj, list | tuple):
        return [canonical(item) for item in obj]
    if isinstance(obj, dict):
        return {str(k): canonical(v) for k, v in obj.items()}
    if hasattr(obj, "item"):  # numpy and pandas scalars
        return canonical(obj.item())
    if obj is pd.NA or obj is pd.NaT:
        return None
    raise TypeError(f"cannot put a {type(obj).__name__} into a report snapshot")


def canonical_json(report: Report) -> str:
    return json.dumps(canonical(report), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def data_hash(report: Report) -> str:
    return hashlib.sha256(canonical_json(report).encode("utf-8")).hexdigest()


@cache
def git_commit() -> str:
    """The commit the code runs from, or ``unknown`` outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(livsvillkor.__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = result.stdout.strip()
    if result.returncode != 0 or len(commit) != 40:
        return "unknown"
    return commit


def take_snapshot(report: Report) -> Snapshot:
    """Compute the snapshot of ``report`` and store it on the report (returned as well)."""
    snapshot = Snapshot(
        data_hash=data_hash(report), code_version=livsvillkor.__version__, git_commit=git_commit()
    )
    report.snapshot = snapshot
    return snapshot
