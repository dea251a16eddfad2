"""Seeded generator of realistic allocation instances, from the 2022 sample's scale to a whole city: the one
generator of the benchmarks and the tests (tests/engine_factory.py only builds small tables inline).

Sites of every kind (land, factory, platform, occupied anchors) with tight or loose capacity,
industry restrictions, investment-intensity floors and inefficient status; projects in all four modes,
with anchors and suppliers. Geometry is a grid of squares around the zone so that reading and maps can
be timed too. The same (n_projects, n_sites, seed, tightness) gives the same instance.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import box

from zq_land.vocab import INDUSTRIES, M2_PER_MU, WAN_PER_YI

_LON0, _LAT0 = 112.60, 23.05  # south-west corner of the generated grid (Zhaoqing)
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(23.3))


def make_instance(
    n_projects: int,
    n_sites: int,
    *,
    seed: int = 0,
    tightness: float = 0.8,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """A (sites, projects) pair in the canonical tables of docs/ARCHITECTURE.md.

    ``tightness`` is total demand / total capacity per kind: above 1 not everything fits.
    """
    rng = np.random.default_rng(seed)
    n_anchor = max(2, n_sites // 400)
    kinds = rng.choice(["land", "factory", "platform"], size=n_sites - n_anchor, p=[0.55, 0.3, 0.15])
    kinds = np.concatenate([np.array(["land"] * n_anchor), kinds])
    status = np.where(rng.random(n_sites) < 0.35, "inefficient", "vacant").astype(object)
    status[:n_anchor] = "occupied"

    # projects first: their needs drive the capacities so that `tightness` means something
    modes = rng.choice(["land", "lease", "platform", "land_or_lease"], size=n_projects, p=[0.35, 0.3, 0.25, 0.10])
    industries = rng.choice(INDUSTRIES, size=n_projects)
    land_need = np.where(np.isin(modes, ["land", "land_or_lease"]), np.round(rng.lognormal(3.3, 0.7, n_projects), 1),
                         np.nan)
    floor_need = np.where(modes == "platform", np.round(rng.lognormal(7.8, 0.5, n_projects), -1),
                          np.where(np.isin(modes, ["lease", "land_or_lease"]),
                                   np.round(rng.lognormal(8.6, 0.6, n_projects), -1), np.nan))
    intensity = rng.uniform(150, 900, n_projects)  # 万元/亩
    invest = np.where(np.isfinite(land_need), land_need * intensity / WAN_PER_YI,
                      np.nan_to_num(floor_need) / M2_PER_MU * rng.uniform(100, 600, n_projects) / WAN_PER_YI)
    invest = np.round(np.maximum(invest, 0.05), 3)
    anchor_names = [f"Anchor {i + 1}" for i in range(n_anchor)]
    anchors = np.where(rng.random(n_projects) < 0.3, rng.choice(anchor_names, size=n_projects), "")
    projects = pd.DataFrame({
        "project_id": [f"P{i:05d}" for i in range(n_projects)],
        "name": [f"示例项目{i:05d}" for i in range(n_projects)],
        "industry": industries,
        "anchor": anchors,
        "investment_yi": invest,
        "mode": modes,
        "land_need_mu": land_need,
        "floor_need_m2": floor_need,
        "review_meeting": pd.array(rng.integers(1, 14, n_projects), dtype="Int64"),
        "priority": np.zeros(n_projects),
    })

    n_land = int((kinds[n_anchor:] == "land").sum())
    n_fac = int((kinds == "factory").sum())
    n_plat = int((kinds == "platform").sum())
    land_demand = np.nansum(land_need[modes == "land"]) + 0.5 * np.nansum(land_need[modes == "land_or_lease"])
    fac_demand = np.nansum(floor_need[modes == "lease"]) + 0.5 * np.nansum(floor_need[modes == "land_or_lease"])
    plat_demand = np.nansum(floor_need[modes == "platform"])

    def sizes(n: int, total: float) -> np.ndarray:
        if n == 0:
            return np.zeros(0)
        w = rng.lognormal(0, 0.6, n)
        return w / w.sum() * total / tightness

    area = np.full(n_sites, np.nan)
    floor = np.full(n_sites, np.nan)
    land_idx = np.flatnonzero(kinds == "land")
    area[land_idx[:n_anchor]] = rng.uniform(800, 3000, n_anchor)
    area[land_idx[n_anchor:]] = np.round(sizes(n_land, land_demand), 1)
    floor[kinds == "factory"] = np.round(sizes(n_fac, fac_demand), -1)
    floor[kinds == "platform"] = np.round(sizes(n_plat, plat_demand), -1)
    # footprint of a factory or platform: its floor over 2 storeys
    area = np.where(np.isnan(area), np.nan_to_num(floor) / 2 / M2_PER_MU, area)

    restricted = rng.random(n_sites) < 0.4
    allowed = [";".join(sorted(rng.choice(INDUSTRIES, size=int(rng.integers(2, 6)), replace=False))) if r else ""
               for r in restricted]
    floors = np.where((kinds == "land") & (rng.random(n_sites) < 0.5), rng.choice([200, 300, 400, 500], n_sites),
                      np.nan)
    site_anchor = np.array([""] * n_sites, dtype=object)
    site_anchor[:n_anchor] = anchor_names

    # a grid of square parcels, each sized to its area
    side_m = np.sqrt(np.maximum(area, 1.0) * M2_PER_MU)
    cols = int(np.ceil(np.sqrt(n_sites)))
    pitch = float(side_m.max()) * 1.1
    ix, iy = np.arange(n_sites) % cols, np.arange(n_sites) // cols
    x0 = _LON0 + ix * pitch / _M_PER_DEG_LON
    y0 = _LAT0 + iy * pitch / _M_PER_DEG_LAT
    geoms = box(x0, y0, x0 + side_m / _M_PER_DEG_LON, y0 + side_m / _M_PER_DEG_LAT)
    sites = gpd.GeoDataFrame({
        "site_id": [f"S{i:05d}" for i in range(n_sites)],
        "name": [f"示例地块{i:05d}" for i in range(n_sites)],
        "kind": kinds,
        "area_mu": np.round(area, 2),
        "floor_area_m2": floor,
        "status": status,
        "industries": allowed,
        "min_invest_wan_per_mu": floors,
        "zone": [f"片区{k % 12 + 1}" for k in range(n_sites)],
        "available_from": pd.NaT,
        "anchor": site_anchor,
        "lon": x0 + side_m / 2 / _M_PER_DEG_LON,
        "lat": y0 + side_m / 2 / _M_PER_DEG_LAT,
        "area_mu_geom": np.round(area, 2),
    }, geometry=geoms, crs=4326)
    sites["available_from"] = pd.to_datetime(sites["available_from"])
    return sites, projects


def write_instance(
    sites: gpd.GeoDataFrame, projects: pd.DataFrame, folder: str | Path, *, stem: str
) -> tuple[Path, Path]:
    """Write an instance as the files a planner would bring (GeoPackage + CSV with BOM)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sp = folder / f"{stem}_sites.gpkg"
    pp = folder / f"{stem}_projects.csv"
    keep = ["site_id", "name", "kind", "area_mu", "floor_area_m2", "status", "industries",
            "min_invest_wan_per_mu", "zone", "anchor", "geometry"]
    sites[keep].to_file(sp, driver="GPKG", engine="pyogrio")
    projects.to_csv(pp, index=False, encoding="utf-8-sig")
    return sp, pp
