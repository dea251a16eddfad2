"""The Pareto front on an instance whose front is known (four points), on a local Dask cluster, and its
chart with Chinese labels.

Sites: ``I`` inefficient, 20 mu, battery or food; ``V`` vacant, 20 mu, food; ``N`` and ``F`` vacant, 10 mu,
nev_parts, about 1 km and 6 km from the XPeng anchor. Projects: ``H`` battery, 10 亿元, 5 mu (only ``I``);
``L`` and ``M`` food, 1 亿元, 20 mu; ``S`` and ``T`` XPeng suppliers, 10 and 9 亿元, 10 mu. The investment
optimum (30 亿元) revitalizes 5 mu; revitalizing 20 mu puts a food project on ``I`` and loses ``H`` (21);
keeping the suppliers within the nearest distance loses ``T`` (21); both: 12.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from conftest import DX, DY, LAT, LON, write_csv, write_vector
from shapely.geometry import box

from zq_land.scenario import load_scenario
from zq_land.studies.pareto import front_png, run_pareto, write_pareto

pytestmark = pytest.mark.slow


def _instance(folder: Path) -> Path:
    offsets = {"I": 0.03, "V": 0.05, "N": 0.01, "F": 0.06}  # degrees east of the anchor (~1 km per 0.01)
    sites = gpd.GeoDataFrame({
        "site_id": list(offsets), "name": ["低效地块", "空地", "近地块", "远地块"], "kind": ["land"] * 4,
        "area_mu": [20.0, 20.0, 10.0, 10.0], "status": ["inefficient", "vacant", "vacant", "vacant"],
        "industries": ["battery;food", "food", "nev_parts", "nev_parts"],
    }, geometry=[box(LON + dx, LAT, LON + dx + DX / 20, LAT + DY / 20) for dx in offsets.values()], crs=4326)
    folder.mkdir(parents=True, exist_ok=True)
    write_vector(sites, folder / "sites.geojson")
    write_csv(folder / "projects.csv", [
        ["project_id", "name", "industry", "anchor", "investment_yi", "mode", "land_need_mu"],
        ["H", "电池", "battery", "", "10", "land", "5"], ["L", "食品一", "food", "", "1", "land", "20"],
        ["M", "食品二", "food", "", "1", "land", "20"], ["S", "配套一", "nev_parts", "XPeng", "10", "land", "10"],
        ["T", "配套二", "nev_parts", "XPeng", "9", "land", "10"],
    ])
    path = folder / "scenario.toml"
    path.write_text(f'sites = "sites.geojson"\nprojects = "projects.csv"\n[anchors]\nXPeng = [{LON}, {LAT}]\n',
                    encoding="utf-8")
    return path


def test_front_of_four_known_points(tmp_path: Path) -> None:
    result = run_pareto(load_scenario(_instance(tmp_path / "in")), levels=2, workers=1)
    pts = result.points
    assert pts["investment_placed_yi"].tolist() == [30.0, 21.0, 21.0, 12.0]
    assert pts["revitalized_mu"].tolist() == [5.0, 5.0, 20.0, 20.0]
    assert pts["status"].tolist() == ["optimal"] * 4 and pts["on_front"].all()
    near, both = pts["mean_supplier_km"].iat[1], pts["mean_supplier_km"].iat[0]
    assert near < both and pts["suppliers_placed"].tolist() == [2, 1, 2, 1]
    for row in pts.itertuples():  # every plan keeps its levels
        if pd.notna(row.eps_revitalized_mu):
            assert row.revitalized_mu >= row.eps_revitalized_mu - 1e-6
        if pd.notna(row.eps_mean_supplier_km):
            assert row.mean_supplier_km <= row.eps_mean_supplier_km + 1e-6
    assert pts["eps_mean_supplier_km"].iat[1] == pytest.approx(near)  # the nearest supplier site's distance
    plan3 = result.plans[3].set_index("project_id")["site_id"].to_dict()
    assert plan3["S"] == "N" and plan3["T"] == "" and plan3["H"] == ""
    out = tmp_path / "out"
    write_pareto(result, out)
    table = pd.read_csv(out / "pareto.csv", encoding="utf-8-sig")
    assert table["plan"].tolist() == [f"plans/point_0{i}.csv" for i in range(4)]
    assert all((out / p).is_file() for p in table["plan"])
    assert (out / "pareto.png").read_bytes().startswith(b"\x89PNG")


def test_chart_draws_chinese_labels_with_a_cjk_font() -> None:
    pts = pd.DataFrame({"point": [0, 1], "investment_placed_yi": [30.0, 21.0], "revitalized_mu": [5.0, 20.0],
                        "mean_supplier_km": [3.5, None], "on_front": [True, True]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" for unknown glyphs
        png = front_png(pts, lang="zh")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert front_png(pts, lang="zh") == png  # no timestamp in the file: the same front, the same bytes
