"""Disclosure control: primary and secondary suppression (STATISTICS.md section 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livsvillkor.core.errors import InputError
from livsvillkor.stats.disclosure import (
    REASON_SECONDARY,
    REASON_SOURCE,
    apply_disclosure_control,
)


def table(numerators, denominators, total=True, area="1490"):
    """One table: parts with the given counts and (optionally) their total as the first row."""
    rows = []
    if total:
        n, d = sum(numerators), sum(denominators)
        rows.append({"area": area, "part": "T", "is_total": True, "numerator": n, "denominator": d})
    for i, (n, d) in enumerate(zip(numerators, denominators, strict=True)):
        rows.append({"area": area, "part": f"p{i}", "is_total": False, "numerator": n, "denominator": d})
    df = pd.DataFrame(rows)
    df["value"] = df["numerator"] / df["denominator"]
    df["ci_low"] = df["value"] - 0.01
    df["ci_high"] = df["value"] + 0.01
    return df


def test_primary_suppression_hides_every_value_column_and_gives_the_reason():
    df = table([3, 40, 50, 60], [30, 100, 120, 20], total=False)
    out = apply_disclosure_control(df, table_keys=["area"])
    assert out["suppressed"].tolist() == [True, False, False, False]
    assert out.loc[0, "suppression_reason"] == "För få observationer (täljare < 5)"
    assert out.loc[0, ["value", "numerator", "denominator", "ci_low", "ci_high"]].isna().all()
    assert out.loc[1, "numerator"] == 40
    assert pd.isna(out.loc[1, "suppression_reason"])
    # The input is not modified.
    assert df.loc[0, "numerator"] == 3


def test_denominator_threshold_and_per_row_thresholds():
    df = table([6, 40], [8, 100], total=False)
    out = apply_disclosure_control(df, table_keys=["area"])
    assert out.loc[0, "suppression_reason"] == "För få observationer (nämnare < 10)"
    # A stricter threshold for the second row only.
    out = apply_disclosure_control(
        df, table_keys=["area"], min_numerator=pd.Series([1, 50], index=df.index), min_denominator=0
    )
    assert out["suppressed"].tolist() == [False, True]
    assert out.loc[1, "suppression_reason"] == "För få observationer (täljare < 50)"


def test_secondary_suppression_hides_the_smallest_other_part():
    df = table([3, 40, 12, 60], [30, 100, 50, 120])
    out = apply_disclosure_control(df, table_keys=["area"])
    suppressed = dict(zip(out["part"], out["suppressed"], strict=True))
    assert suppressed == {"T": False, "p0": True, "p1": False, "p2": True, "p3": False}
    assert out.set_index("part").loc["p2", "suppression_reason"] == REASON_SECONDARY


def test_two_primary_suppressions_need_no_secondary():
    df = table([3, 2, 12, 60], [30, 100, 50, 120])
    out = apply_disclosure_control(df, table_keys=["area"])
    assert out["suppressed"].sum() == 2
    assert not (out["suppression_reason"] == REASON_SECONDARY).any()


def test_the_total_is_hidden_when_no_other_part_can_protect_the_cell():
    df = table([3], [30])
    df.loc[0, ["numerator", "denominator"]] = [40, 90]  # the total also counts an unlisted category
    out = apply_disclosure_control(df, table_keys=["area"])
    assert out["suppressed"].all()
    assert out.loc[0, "suppression_reason"] == REASON_SECONDARY


def test_source_flags_count_as_suppressed_and_keep_their_reason():
    df = table([30, 40, 12, 60], [300, 100, 50, 120])
    df["suppressed"] = [False, False, True, False, False]
    df["suppression_reason"] = [None, None, "Sekretess enligt SCB", None, None]
    out = apply_disclosure_control(df, table_keys=["area"])
    assert out.set_index("part").loc["p1", "suppression_reason"] == "Sekretess enligt SCB"
    assert out["suppressed"].sum() == 2  # p1 by the source, p2 (smallest other) secondarily
    assert out.set_index("part").loc["p2", "suppression_reason"] == REASON_SECONDARY
    df = df.drop(columns="suppression_reason")
    out = apply_disclosure_control(df, table_keys=["area"])
    assert out.set_index("part").loc["p1", "suppression_reason"] == REASON_SOURCE


def test_a_hidden_total_is_not_left_as_the_sum_of_published_parts():
    df = table([30, 40, 12, 60], [300, 100, 50, 120])
    df["suppressed"] = [True, False, False, False, False]
    out = apply_disclosure_control(df, table_keys=["area"])
    assert out["suppressed"].sum() == 2
    assert out.set_index("part").loc["p2", "suppressed"]


def test_tables_are_independent():
    df = pd.concat(
        [table([3, 40, 12], [30, 100, 50], area="A"), table([30, 40, 12], [30, 100, 50], area="B")]
    )
    out = apply_disclosure_control(df.reset_index(drop=True), table_keys=["area"])
    assert out.groupby("area")["suppressed"].sum().to_dict() == {"A": 2, "B": 0}


def test_bad_parameters_name_the_problem():
    df = table([3, 40], [30, 100])
    with pytest.raises(InputError, match="table_keys"):
        apply_disclosure_control(df, table_keys=["region"])
    with pytest.raises(InputError, match="min_numerator"):
        apply_disclosure_control(df, table_keys=["area"], min_numerator=-1)
    df = df.astype({"numerator": object})
    df.loc[1, "numerator"] = "många"
    with pytest.raises(InputError, match="numerator"):
        apply_disclosure_control(df, table_keys=["area"])


@st.composite
def tables(draw):
    n_tables = draw(st.integers(1, 6))
    frames = []
    for t in range(n_tables):
        k = draw(st.integers(1, 6))
        nums = draw(st.lists(st.integers(0, 40), min_size=k, max_size=k))
        dens = [n + draw(st.integers(0, 40)) for n in nums]
        frame = table(nums, dens, total=draw(st.booleans()), area=f"A{t}")
        frame["suppressed"] = (
            draw(st.lists(st.booleans(), min_size=len(frame), max_size=len(frame)))
            if draw(st.booleans())
            else False
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@settings(max_examples=200, deadline=None)
@given(tables())
def test_property_no_small_cell_survives_and_none_can_be_recovered(df):
    out = apply_disclosure_control(df, table_keys=["area"])
    published = ~out["suppressed"]
    # No published cell below the thresholds.
    assert not (published & ((df["numerator"] < 5) | (df["denominator"] < 10))).any()
    # Source flags survive.
    assert out.loc[df["suppressed"].astype(bool), "suppressed"].all()
    # Hidden cells are fully hidden.
    assert out.loc[~published, ["value", "numerator", "denominator", "ci_low", "ci_high"]].isna().all().all()
    # Nothing can be recovered by subtraction (or addition) within a table with a published total.
    for _, t in out.groupby("area"):
        totals, parts = t[t["is_total"]], t[~t["is_total"]]
        if totals.empty:
            continue
        hidden_parts = int(parts["suppressed"].sum())
        total_hidden = bool(totals["suppressed"].iloc[0])
        assert hidden_parts != 1 or total_hidden, "a single hidden part next to a published total"
        assert not (total_hidden and hidden_parts == 0 and len(parts)), "a hidden total next to its parts"


def test_vectorised_on_many_tables():
    rng = np.random.default_rng(1)
    n = 20_000
    df = pd.DataFrame(
        {
            "area": np.repeat(np.arange(n // 5), 5),
            "is_total": np.tile([True, False, False, False, False], n // 5),
            "numerator": rng.integers(0, 60, n),
        }
    )
    df["denominator"] = df["numerator"] + rng.integers(0, 60, n)
    out = apply_disclosure_control(df, table_keys=["area"])
    assert len(out) == n
    assert not (~out["suppressed"] & (df["numerator"] < 5)).any()
