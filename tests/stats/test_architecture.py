"""``livsvillkor.stats`` is pure Python: importing it must not import Django."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from livsvillkor.stats import inequality


def test_stats_never_imports_django():
    code = (
        "import sys\n"
        "from livsvillkor.stats import areaindex, benchmark, disclosure, heat, inequality, intervals, progress, trend\n"
        "print('django' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_empty_input_and_no_group_columns():
    empty = pd.DataFrame({"subgroup": [], "estimate": []})
    out = inequality.compute(empty, [])
    assert out.empty and list(out.columns)[-6:] == [
        "measure",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "reason",
    ]
    one = pd.DataFrame(
        {"subgroup": ["a", "b", "c"], "estimate": [1.0, 2.0, 3.0], "population": [1.0, 1.0, 1.0]}
    )
    res = inequality.compute(one, [], ["D", "BGV"])
    assert list(res["estimate"]) == [2.0, _bgv_by_hand()]


def _bgv_by_hand():
    return sum((v - 2.0) ** 2 for v in (1.0, 2.0, 3.0)) / 3
