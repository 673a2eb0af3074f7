"""Benchmark of the statistics core at national DeSO scale (a script that prints figures, not a test).

Input: the 5 984 DeSO of Sweden (SCB 2022 tables in ``../shared/data/scb/deso_2022_tables/``), grouped
by their municipality (the first four characters of the DeSO code), with populations from the age
table. Twenty indicators × ten years are derived from eight real DeSO shares (foreign born, at most
compulsory school, long higher education, rented, tenant-owned and owner-occupied dwellings, ages
0–19 and 65+): each indicator is a fixed linear mix of one share with a yearly drift and noise from a
fixed seed, so values are realistic in level and spread but the years are synthetic. Standard errors
are binomial for a 10 % sample of the DeSO population.

Every measure applicable to this non-ordered dimension (DeSO within municipality) is computed with
its CI by :func:`livsvillkor.stats.inequality.compute`, then by a straightforward per-group loop kept
below (plain numpy per group, the same formulas and the same number of simulation draws), in the same
process on the same input. The loop runs on a random sample of groups (``--loop-groups``, all with
``--loop-groups 0``) and its rate is compared with the vectorised rate. The loop's point estimates are
checked against the vectorised ones.

Run: ``python bench/stats_bench.py [--draws 100] [--loop-groups 2000]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from livsvillkor.stats import inequality  # noqa: E402

SHARED = Path(os.environ.get("LIVSVILLKOR_SHARED_DATA", ROOT.parent / "shared" / "data"))
TABLES = SHARED / "scb" / "deso_2022_tables"
MEASURES = [m for m in inequality.MEASURES if m not in inequality.ORDERED_ONLY]
YEARS = range(2013, 2023)
N_INDICATORS = 20


def base_shares() -> pd.DataFrame:
    """Eight real shares (per cent) per DeSO plus its population and municipality."""
    age = pd.read_csv(TABLES / "age_demographics_deso.csv", dtype={"deso": str})
    edu = pd.read_csv(TABLES / "education_demographics_deso.csv", dtype={"deso": str})
    born = pd.read_csv(TABLES / "foreignborn_demographics_deso.csv", dtype={"deso": str})
    house = pd.read_csv(TABLES / "housing_demographics_deso.csv", dtype={"deso": str}).iloc[:, :5]
    df = age[["deso", "total"]].rename(columns={"total": "population"})
    young = age[["0-4 år", "5-9 år", "10-14 år", "15-19 år"]].sum(axis=1)
    old = age[["65-69 år", "70-74 år", "75-79 år", "80-år"]].sum(axis=1)
    df["age_0_19"] = 100 * young / age["total"]
    df["age_65"] = 100 * old / age["total"]
    df = df.merge(born[["deso", "foreign", "total"]], on="deso", how="left")
    df["foreign_born"] = 100 * df["foreign"] / df["total"]
    edu_total = edu.drop(columns="deso").sum(axis=1)
    edu = edu.assign(
        low_edu=100 * edu["middle_school"] / edu_total,
        high_edu=100 * edu["post_gymnasium_more_than_3"] / edu_total,
    )
    df = df.merge(edu[["deso", "low_edu", "high_edu"]], on="deso", how="left")
    dwell = house.iloc[:, 1:5].sum(axis=1)
    house = house.assign(
        rented=100 * house["hyresrätt"] / dwell,
        tenant_owned=100 * house["bostadsrätt"] / dwell,
        owned=100 * house["äganderätt"] / dwell,
    )
    df = df.merge(house[["deso", "rented", "tenant_owned", "owned"]], on="deso", how="left")
    df["municipality"] = df["deso"].str[:4]
    return df.drop(columns=["foreign", "total"])


def build_input(seed: int = 2022) -> pd.DataFrame:
    """The long input table: DeSO × 20 indicators × 10 years (one row per subgroup)."""
    base = base_shares()
    shares = ["foreign_born", "low_edu", "high_edu", "rented", "tenant_owned", "owned", "age_0_19", "age_65"]
    rng = np.random.default_rng(seed)
    n = len(base)
    frames = []
    for k in range(N_INDICATORS):
        source = base[shares[k % len(shares)]].fillna(base[shares[k % len(shares)]].mean()).to_numpy()
        a, b = rng.uniform(0.5, 1.2), rng.uniform(-5, 15)
        drift = rng.uniform(-0.6, 0.6)
        for t, year in enumerate(YEARS):
            value = np.clip(a * source + b + drift * t + rng.normal(0, 1.5, n), 0.5, 99.5)
            sample = np.maximum(base["population"].to_numpy() / 10, 20)
            frames.append(
                pd.DataFrame(
                    {
                        "municipality": base["municipality"].to_numpy(),
                        "indicator": f"ind{k:02d}",
                        "year": year,
                        "subgroup": base["deso"].to_numpy(),
                        "estimate": value,
                        "se": 100 * np.sqrt(value / 100 * (1 - value / 100) / sample),
                        "population": base["population"].to_numpy().astype(float),
                        "favourable_indicator": k % 2,
                        "ordered_dimension": 0,
                        "reference_subgroup": 0,
                        "indicator_scale": 100,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------------
# The straightforward per-group loop (reference implementation for the comparison)
# ---------------------------------------------------------------------------------------------------


def loop_group(y, se, pop, fav, draws, rng, z=1.959963984540054):
    """All non-ordered measures of one group with CIs, the obvious way: plain numpy on its rows."""
    out = {}
    p = pop / pop.sum()
    mu = np.sum(p * y)
    hi, lo = np.argmax(y), np.argmin(y)
    d = y[hi] - y[lo]
    d_se = np.sqrt(se[hi] ** 2 + se[lo] ** 2)
    out["D"] = (d, d_se, d - z * d_se, d + z * d_se)
    r = y[hi] / y[lo]
    r_se = np.sqrt((se[hi] / y[hi]) ** 2 + (se[lo] / y[lo]) ** 2)
    out["R"] = (r, r_se, r * np.exp(-z * r_se), r * np.exp(z * r_se))
    dev = y - mu
    bgv = np.sum(p * dev**2)
    bgv_se = np.sqrt(
        4 * np.sum(p**2 * se**2 * dev**2)
        + 2 * (np.sum(p**2 * se**2) ** 2 - np.sum(p**4 * se**4) + np.sum(p**2 * (1 - p) ** 2 * se**4))
    )
    out["BGV"] = (bgv, bgv_se, bgv - z * bgv_se, bgv + z * bgv_se)
    rr = y / mu
    ti = 1000 * np.sum(p * rr * np.log(rr))
    v = np.sum(p * rr * (1 + np.log(rr)))
    ti_se = 1000 * np.sqrt(np.sum((1 + np.log(rr) - v) ** 2 * p**2 * se**2 / mu**2))
    out["TI"] = (ti, ti_se, ti - z * ti_se, ti + z * ti_se)
    mld = 1000 * np.sum(-p * np.log(rr))
    mld_se = 1000 * np.sqrt(np.sum(se**2 * p**2 / mu**2 * (1 - 1 / rr) ** 2))
    out["MLD"] = (mld, mld_se, mld - z * mld_se, mld + z * mld_se)
    best = np.argmax(y) if fav else np.argmin(y)
    diff = y[best] - mu
    par = 0.0 if (fav and diff < 0) or (not fav and diff > 0) else diff
    c = y[best] / 100 * pop[best]
    dd = pop[best] - c
    a = mu / 100 * pop.sum() - c
    b = pop.sum() - a - pop[best]
    N = a + b + c + dd
    af_se = np.sqrt(c * N * (a * dd * (N - c) + b * c**2) / ((a + c) ** 3 * (c + dd) ** 3))
    out["PAR"] = (par, mu * af_se, par - z * mu * af_se, par + z * mu * af_se)
    paf = 100 * par / mu
    out["PAF"] = (paf, 100 * af_se, paf - z * 100 * af_se, paf + z * 100 * af_se)

    def simple(yy, m):
        dev = np.abs(yy - m)
        bestv = yy.max() if fav else yy.min()
        bgsd = np.sqrt(np.sum(p * (yy - m) ** 2))
        return {
            "BGSD": bgsd,
            "COV": 100 * bgsd / m,
            "MDMU": dev.mean(),
            "MDMW": np.sum(p * dev),
            "MDBU": np.abs(yy - bestv).mean(),
            "MDBW": np.sum(p * np.abs(yy - bestv)),
            "IDISU": 100 * dev.mean() / m,
            "IDISW": 100 * np.sum(p * dev) / m,
        }

    point = simple(y, mu)
    sims = {k: [] for k in point}
    for _ in range(draws):
        yy = y + se * rng.standard_normal(y.size)
        while ((yy < 0) | (yy > 100)).any():
            bad = (yy < 0) | (yy > 100)
            yy[bad] = y[bad] + se[bad] * rng.standard_normal(bad.sum())
        vals = simple(yy, np.sum(p * yy))
        for k, val in vals.items():
            sims[k].append(val)
    for k, val in point.items():
        lo_q, hi_q = np.percentile(sims[k], [2.5, 97.5])
        out[k] = (val, np.nan, lo_q, hi_q)
    return out


def run_loop(df: pd.DataFrame, keys: list[str], draws: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    results = {}
    for key, g in df.groupby(keys, sort=True):
        results[key] = loop_group(
            g["estimate"].to_numpy(),
            g["se"].to_numpy(),
            g["population"].to_numpy(),
            bool(g["favourable_indicator"].iloc[0]),
            draws,
            rng,
        )
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100, help="simulation draws per group (100)")
    parser.add_argument("--loop-groups", type=int, default=2000, help="groups timed in the loop (0 = all)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not TABLES.is_dir():
        sys.exit(f"DeSO tables not found: {TABLES}")

    t0 = time.perf_counter()
    df = build_input()
    t_build = time.perf_counter() - t0
    keys = ["municipality", "indicator", "year"]
    n_groups = df.groupby(keys).ngroups
    print(
        f"input: {len(df):,} rows (DeSO × indicator × year), {n_groups:,} groups, {df['municipality'].nunique()} municipalities"
    )
    print(f"built in {t_build:.2f} s; cores available: {os.cpu_count()}; draws: {args.draws}")

    t0, c0 = time.perf_counter(), time.process_time()
    vec = inequality.compute(df, keys, MEASURES, draws=args.draws, seed=args.seed)
    t_vec, c_vec = time.perf_counter() - t0, time.process_time() - c0
    computed = vec["reason"].isna().sum()
    print(
        f"vectorised: {n_groups:,} groups × {len(MEASURES)} measures = {len(vec):,} results ({computed:,} computed) "
        f"in {t_vec:.2f} s → {n_groups / t_vec:,.0f} groups/s (CPU time of all threads: {c_vec:.2f} s)"
    )

    groups = df[keys].drop_duplicates().sort_values(keys)
    if args.loop_groups and args.loop_groups < len(groups):
        groups = groups.sample(args.loop_groups, random_state=args.seed)
    subset = df.merge(groups, on=keys)
    t0, c0 = time.perf_counter(), time.process_time()
    loop = run_loop(subset, keys, args.draws, args.seed)
    t_loop, c_loop = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"loop: {len(loop):,} groups in {t_loop:.2f} s → {len(loop) / t_loop:,.0f} groups/s (CPU {c_loop:.2f} s)"
    )
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    t0 = time.perf_counter()
    inequality.compute(subset, keys, MEASURES, draws=args.draws, seed=args.seed)
    t_sub = time.perf_counter() - t0
    print(f"vectorised on the loop's groups: {t_sub:.2f} s → {len(loop) / t_sub:,.0f} groups/s")
    ratio = (n_groups / t_vec) / (len(loop) / t_loop)
    print(f"ratio (vectorised national rate / loop rate): {ratio:,.0f}×")

    # The loop is a second implementation: its point estimates must agree.
    indexed = vec.set_index([*keys, "measure"])["estimate"]
    worst = 0.0
    for key, res in loop.items():
        for m, (est, *_rest) in res.items():
            ref = indexed.loc[(*key, m)]
            worst = max(worst, abs(est - ref) / max(abs(ref), 1e-12))
    print(f"largest relative difference loop vs vectorised (estimates): {worst:.1e}")


if __name__ == "__main__":
    main()
