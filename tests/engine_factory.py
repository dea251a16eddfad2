"""Canonical sites and projects tables built inline for the engine's tests (no file readers).

Columns follow ``docs/ARCHITECTURE.md``; geometry is a tiny square around each site's point so the
tables look like what ``read_sites`` returns, but the engine only reads the columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from zq_land.scenario import Scenario, scenario_from_dict
from zq_land.vocab import INDUSTRIES

SITE_DEFAULTS: dict[str, Any] = {
    "name": "",
    "kind": "land",
    "area_mu": np.nan,
    "floor_area_m2": np.nan,
    "status": "vacant",
    "industries": "",
    "min_invest_wan_per_mu": np.nan,
    "zone": "",
    "available_from": pd.NaT,
    "anchor": "",
    "lon": 112.82,
    "lat": 23.33,
}
PROJECT_DEFAULTS: dict[str, Any] = {
    "name": "",
    "industry": "other",
    "anchor": "",
    "investment_yi": 1.0,
    "mode": "land",
    "land_need_mu": np.nan,
    "floor_need_m2": np.nan,
    "review_meeting": pd.NA,
    "priority": 0.0,
}


def make_sites(rows: Iterable[Mapping[str, Any]]) -> gpd.GeoDataFrame:
    """A canonical sites GeoDataFrame from dicts holding at least ``site_id``."""
    recs = [{"site_id": r["site_id"], **SITE_DEFAULTS, **r} for r in rows]
    df = pd.DataFrame.from_records(recs)
    df["available_from"] = pd.to_datetime(df["available_from"])
    df["area_mu_geom"] = df["area_mu"]
    d = 0.001
    geom = [box(lo - d, la - d, lo + d, la + d) for lo, la in zip(df["lon"], df["lat"], strict=True)]
    return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")


def make_projects(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A canonical projects DataFrame from dicts holding at least ``project_id``."""
    recs = [{"project_id": r["project_id"], **PROJECT_DEFAULTS, **r} for r in rows]
    df = pd.DataFrame.from_records(recs)
    df["review_meeting"] = df["review_meeting"].astype("Int64")
    return df


def scenario(**data: Any) -> Scenario:
    """A validated scenario from plain data, e.g. ``scenario(solver={"time_limit_s": 5})``."""
    return scenario_from_dict(data)


def random_instance(
    n_projects: int, n_sites: int, *, seed: int = 0, industries: int = 6, tight: float = 0.6
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """A seeded random pipeline and site layer shaped like the 2022 review (land, lease, platform).

    ``tight`` is total capacity / total need per kind: below 1 the sites cannot hold every project.
    """
    rng = np.random.default_rng(seed)
    codes = list(INDUSTRIES[:industries])
    modes = rng.choice(
        ["land", "lease", "platform", "land_or_lease"], size=n_projects, p=[0.35, 0.3, 0.25, 0.1]
    )
    land_need = np.round(rng.lognormal(3.2, 0.7, n_projects), 1)
    floor_need = np.round(rng.lognormal(8.3, 0.6, n_projects), 0)
    inv = np.round(land_need * rng.uniform(0.02, 0.09, n_projects) + rng.uniform(0.05, 0.6, n_projects), 2)
    projects = make_projects(
        {
            "project_id": f"P{i + 1:04d}",
            "industry": str(rng.choice(codes)),
            "mode": str(m),
            "investment_yi": float(inv[i]),
            "land_need_mu": float(land_need[i]) if m in ("land", "land_or_lease") else np.nan,
            "floor_need_m2": float(floor_need[i]) if m in ("lease", "platform", "land_or_lease") else np.nan,
            "anchor": str(rng.choice(["", "", "XPeng"])),
            "priority": float(rng.integers(0, 3)),
        }
        for i, m in enumerate(modes)
    )
    kinds = rng.choice(["land", "factory", "platform"], size=n_sites, p=[0.45, 0.35, 0.2])
    land_total = float(np.nansum(projects["land_need_mu"]))
    floor_total = float(np.nansum(projects["floor_need_m2"]))
    n_land, n_floor = max(1, int((kinds == "land").sum())), max(1, int((kinds != "land").sum()))
    rows = []
    for j, k in enumerate(kinds):
        ind = "" if rng.random() < 0.5 else ";".join(rng.choice(codes, size=2, replace=False))
        row: dict[str, Any] = {
            "site_id": f"S{j + 1:04d}",
            "kind": str(k),
            "industries": ind,
            "status": str(rng.choice(["vacant", "inefficient"])),
            "lon": 112.79 + 0.07 * rng.random(),
            "lat": 23.26 + 0.12 * rng.random(),
        }
        if k == "land":
            row["area_mu"] = round(float(rng.uniform(0.3, 1.7) * tight * land_total / n_land), 1)
            if rng.random() < 0.3:
                row["min_invest_wan_per_mu"] = float(rng.choice([150.0, 250.0]))
        else:
            row["floor_area_m2"] = round(float(rng.uniform(0.3, 1.7) * tight * floor_total / n_floor), 0)
        rows.append(row)
    rows.append(
        {
            "site_id": "XP",
            "name": "小鹏汽车肇庆基地",
            "kind": "land",
            "area_mu": 3000.0,
            "status": "occupied",
            "anchor": "XPeng",
            "lon": 112.83,
            "lat": 23.30,
        }
    )
    return make_sites(rows), projects
