"""Socio-economic area index and area types, and their use as an ordered dimension."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from livsvillkor.core.errors import InputError
from livsvillkor.stats import areaindex, inequality


def test_index_is_the_mean_of_three_shares_and_missing_gives_a_reason():
    df = pd.DataFrame(
        {
            "low_economic_standard": [30.0, 10.0, np.nan],
            "low_education": [24.0, 5.0, 10.0],
            "assistance_or_unemployment": [12.0, 3.0, 4.0],
        }
    )
    out = areaindex.socioeconomic_index(df)
    assert out["index"].iloc[0] == pytest.approx(22.0)
    assert out["index"].iloc[1] == pytest.approx(6.0)
    assert np.isnan(out["index"].iloc[2]) and out["reason"].iloc[2] == areaindex.REASON_MISSING
    with pytest.raises(InputError, match="low_education"):
        areaindex.socioeconomic_index(df.assign(low_education=[24.0, 150.0, 10.0]))


def test_area_types_from_standard_deviations_per_year():
    rng = np.random.default_rng(3)
    index = np.concatenate([rng.normal(10, 2, 996), [10 + 2 * 2.5, 10 + 2 * 1.5, 10 - 2 * 1.5, 10 - 2 * 2.5]])
    df = pd.DataFrame({"year": 2022, "area": range(index.size), "index": index})
    out = areaindex.area_types(df, ["year"])
    z = (index - index.mean()) / index.std()
    assert np.allclose(out["z"], z)
    expected = np.select([z >= 2, z >= 1, z > -1, z > -2], [1, 2, 3, 4], 5)
    assert (out["area_type"].to_numpy() == expected).all()
    assert out["area_type_label"].iloc[-1] == "Områden med mycket goda socioekonomiska förutsättningar"
    assert set(out["area_type"].dropna()) == {1, 2, 3, 4, 5}
    with pytest.raises(InputError, match="cuts"):
        areaindex.area_types(df, ["year"], cuts=(1, 2, -1, -2))


def test_area_type_works_as_an_ordered_dimension_for_sii():
    rng = np.random.default_rng(4)
    areas = pd.DataFrame(
        {"year": 2022, "index": rng.normal(15, 5, 500), "population": rng.integers(700, 2700, 500)}
    )
    areas = areaindex.area_types(areas, ["year"], weight_col="population")
    # An indicator that is worse where the index is high, summarised per area type.
    areas["employed"] = np.clip(80 - 1.5 * (areas["index"] - 15), 0, 100)
    by_type = (
        areas.assign(w=areas["employed"] * areas["population"])
        .groupby("area_type")
        .agg(population=("population", "sum"), w=("w", "sum"))
        .reset_index()
    )
    by_type["estimate"] = by_type["w"] / by_type["population"]
    by_type["se"] = 0.5
    by_type["subgroup"] = by_type["area_type"].astype(str)
    # Order 1 is the most disadvantaged end, which is area type 1 (stora utmaningar): order = type.
    by_type["subgroup_order"] = by_type["area_type"].astype(int)
    by_type["ordered_dimension"] = 1
    by_type["year"] = 2022
    sii = inequality.compute(by_type, ["year"], ["SII"]).iloc[0]
    # Rank 0 is type 1 and rank 1 type 5: employment rises toward type 5 (low index), so SII > 0.
    assert pd.isna(sii["reason"]) and sii["estimate"] > 0
