"""Canonical sites and projects tables built inline for the engine's tests (no file readers).

Columns follow ``docs/ARCHITECTURE.md``; geometry is a tiny square around each site's point so the
tables look like what ``read_sites`` returns, but the engine only reads the columns. Seeded random
instances come from the one generator of tests and benchmarks, :func:`benchmarks.generate.make_instance`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from zq_land.scenario import Scenario, scenario_from_dict

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
