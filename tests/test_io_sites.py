"""read_sites on every accepted format, encoding and CRS, with areas, repair and header handling."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import DX, DY, LAT, LON, sites_frame, write_vector
from shapely.geometry import Point, Polygon, box

from zq_land import geo
from zq_land._errors import ValidationReport
from zq_land.io import SITE_TABLE_COLUMNS, read_sites
from zq_land.vocab import M2_PER_MU


def _zip(folder: Path, stem: str, out: Path, *, subdir: str = "") -> Path:
    with zipfile.ZipFile(out, "w") as zf:
        for p in sorted(folder.glob(stem + ".*")):
            zf.write(p, f"{subdir}{p.name}")
    return out


def _gk_square(easting: float, northing: float, size: float = 1000.0) -> Polygon:
    return box(easting, northing, easting + size, northing + size)


# --- formats ---------------------------------------------------------------------------------------
def test_geojson_gives_the_canonical_table(sites_geojson: Path) -> None:
    gdf = read_sites(sites_geojson)
    assert list(gdf.columns[: len(SITE_TABLE_COLUMNS)]) == list(SITE_TABLE_COLUMNS)
    assert gdf.geometry.name == "geometry" and gdf.crs.to_epsg() == 4326
    assert gdf["site_id"].tolist() == ["S1", "S2", "S3"]
    assert gdf["kind"].tolist() == ["land", "factory", "platform"]
    assert gdf["industries"].tolist() == ["nev_parts;battery", "", "electronics"]
    assert gdf["status"].tolist() == ["inefficient", "vacant", "vacant"]
    assert np.isnan(gdf["min_invest_wan_per_mu"]).all()
    assert gdf["available_from"].isna().all() and str(gdf["available_from"].dtype) == "datetime64[ns]"
    assert gdf["name"].tolist()[0] == "中恒地块" and gdf["zone"].tolist() == ["", "", ""]
    # area filled from geometry; representative point inside its polygon
    assert (gdf["area_mu"] == gdf["area_mu_geom"]).all()
    assert 1400 < gdf["area_mu"].iat[0] < 1600
    for lon, lat, g in zip(gdf["lon"], gdf["lat"], gdf.geometry, strict=True):
        assert g.contains(Point(lon, lat))
    assert gdf.attrs["source_crs"] == "EPSG:4326"
    assert gdf.attrs["metric_crs"] == "EPSG:4547"


def test_gpkg_layer_and_extra_columns_kept(tmp_path: Path) -> None:
    frame = sites_frame(备注=["a", "b", "c"], owner=["x", "y", "z"])
    path = write_vector(frame, tmp_path / "sites.gpkg", layer="parcels")
    gdf = read_sites(path)
    assert list(gdf.columns[-3:]) == ["备注", "owner", "geometry"]
    assert gdf["备注"].tolist() == ["a", "b", "c"]


def test_zipped_shapefile_in_a_subfolder(tmp_path: Path) -> None:
    write_vector(sites_frame(), tmp_path / "parcels.shp")
    z = _zip(tmp_path, "parcels", tmp_path / "parcels.zip", subdir="export/")
    gdf = read_sites(z)
    assert gdf["site_id"].tolist() == ["S1", "S2", "S3"]
    assert gdf["name"].tolist() == ["中恒地块", "新桥厂房", "孵化平台"]


def test_shp_path_and_folder(tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    shp = write_vector(sites_frame(), folder / "parcels.shp")
    assert read_sites(shp)["kind"].tolist() == ["land", "factory", "platform"]
    assert read_sites(folder)["site_id"].tolist() == ["S1", "S2", "S3"]


def test_zip_with_two_shapefiles_reads_the_named_layer(tmp_path: Path) -> None:
    write_vector(sites_frame(), tmp_path / "a.shp")
    write_vector(sites_frame(site_id=["T1", "T2", "T3"]), tmp_path / "b.shp")
    z = tmp_path / "two.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in tmp_path.glob("[ab].*"):
            zf.write(p, p.name)
    assert read_sites(z, layer="b")["site_id"].tolist() == ["T1", "T2", "T3"]


# --- encodings and cut field names --------------------------------------------------------------------
def _chinese_frame() -> gpd.GeoDataFrame:
    f = sites_frame()
    return gpd.GeoDataFrame(
        {
            "地块编号": f["site_id"],
            "地块名称": f["name"],
            "类型": ["土地", "厂房", "平台"],
            "建筑面积(平方米)": f["floor_area_m2"],
            "状态": ["低效", "空闲", "空闲"],
            "允许产业": ["汽车零部件、电池", "", "电子信息"],
            "片区": ["中恒", "新桥", "大旺"],
        },
        geometry=f.geometry,
        crs=f.crs,
    )


def test_gbk_shapefile_without_cpg_reads_as_chinese(tmp_path: Path) -> None:
    write_vector(_chinese_frame(), tmp_path / "gbk.shp", encoding="gbk")
    os.remove(tmp_path / "gbk.cpg")
    gdf = read_sites(tmp_path / "gbk.shp")
    assert gdf["name"].tolist() == ["中恒地块", "新桥厂房", "孵化平台"]
    assert gdf["zone"].tolist() == ["中恒", "新桥", "大旺"]
    assert gdf["kind"].tolist() == ["land", "factory", "platform"]
    # 建筑面积(平方米) is cut to 10 GBK bytes: still recognised as floor_area_m2
    assert gdf["floor_area_m2"].tolist()[1:] == [20000.0, 5000.0]
    assert gdf["industries"].iat[0] == "nev_parts;battery"


def test_utf8_shapefile_with_cut_chinese_field_names(tmp_path: Path) -> None:
    # GDAL cuts UTF-8 names at 10 bytes mid-character (地块编号 -> 地块编 + 1 byte); the reader repairs them.
    write_vector(_chinese_frame(), tmp_path / "u.shp")
    os.remove(tmp_path / "u.cpg")
    gdf = read_sites(tmp_path / "u.shp")
    assert gdf["site_id"].tolist() == ["S1", "S2", "S3"]
    assert gdf["floor_area_m2"].tolist()[1:] == [20000.0, 5000.0]
    assert gdf["name"].iat[0] == "中恒地块"


def test_cpg_is_honoured(tmp_path: Path) -> None:
    write_vector(_chinese_frame(), tmp_path / "g.shp", encoding="gbk")
    assert (tmp_path / "g.cpg").read_text().strip().upper() == "GBK"
    assert read_sites(tmp_path / "g.shp")["name"].iat[1] == "新桥厂房"


def test_truncated_english_headers_in_a_shapefile(tmp_path: Path) -> None:
    frame = sites_frame(
        min_invest_wan_per_mu=[500.0, None, None], available_from=["2022-05-30", "2023-01-01", ""]
    )
    frame = frame.rename(columns={"floor_area_m2": "floor_area_m2_leasable"})
    write_vector(frame, tmp_path / "t.shp")  # -> min_invest, available_, floor_area
    gdf = read_sites(tmp_path / "t.shp", columns={"floor_area": "floor_area_m2"})
    assert gdf["min_invest_wan_per_mu"].iat[0] == 500.0
    assert gdf["available_from"].iat[0] == pd.Timestamp("2022-05-30")
    assert gdf["floor_area_m2"].iat[1] == 20000.0


def test_prefix_matching_only_for_shapefiles(tmp_path: Path) -> None:
    frame = sites_frame().rename(columns={"status": "availablex"})
    frame["available_"] = ["2022-01-01"] * 3
    gdf = read_sites(write_vector(frame, tmp_path / "s.geojson"))
    assert gdf["available_from"].isna().all()  # a GeoJSON's 'available_' is not a cut name
    assert "available_" in gdf.columns


# --- CRS and areas ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("epsg", "easting"), [(4526, 38_385_000.0), (4547, 385_000.0)])
def test_gauss_kruger_square_is_1500_mu(tmp_path: Path, epsg: int, easting: float) -> None:
    northing = 2_581_000.0  # about 23.33 N
    frame = gpd.GeoDataFrame(
        {"site_id": ["GK1"], "kind": ["land"]}, geometry=[_gk_square(easting, northing)], crs=f"EPSG:{epsg}"
    )
    gdf = read_sites(write_vector(frame, tmp_path / f"gk{epsg}.gpkg"))
    assert gdf["area_mu"].iat[0] == pytest.approx(1500.0, rel=0.005)
    assert gdf.attrs["source_crs"] == f"EPSG:{epsg}"
    assert 112.7 < gdf["lon"].iat[0] < 112.9 and 23.2 < gdf["lat"].iat[0] < 23.4


def test_gk_shapefile_with_prj_in_a_zip(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"site_id": ["GK1", "GK2"], "kind": ["land", "land"]},
        geometry=[_gk_square(38_385_000, 2_581_000), _gk_square(38_387_000, 2_581_000, 500)],
        crs="EPSG:4526",
    )
    write_vector(frame, tmp_path / "gk.shp")
    gdf = read_sites(_zip(tmp_path, "gk", tmp_path / "gk.zip"))
    assert gdf["area_mu"].tolist() == pytest.approx([1500.0, 375.0], rel=0.005)


def test_cgcs2000_geographic_is_drawn_as_wgs84(tmp_path: Path) -> None:
    frame = sites_frame().set_crs("EPSG:4490", allow_override=True)
    gdf = read_sites(write_vector(frame, tmp_path / "cgcs.geojson", driver="GeoJSON", RFC7946="NO"))
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.iat[0].bounds == pytest.approx((LON, LAT, LON + DX, LAT + DY))


def test_utm_source_reprojected(tmp_path: Path) -> None:
    frame = sites_frame().to_crs("EPSG:32649")
    gdf = read_sites(write_vector(frame, tmp_path / "utm.gpkg"))
    assert gdf.geometry.iat[0].bounds == pytest.approx((LON, LAT, LON + DX, LAT + DY), abs=1e-7)
    assert gdf.attrs["source_crs"] == "EPSG:32649"


def test_no_crs_but_degrees_is_taken_as_wgs84_with_a_warning(tmp_path: Path) -> None:
    write_vector(sites_frame(), tmp_path / "nocrs.shp")
    os.remove(tmp_path / "nocrs.prj")
    rep = ValidationReport()
    gdf = read_sites(tmp_path / "nocrs.shp", report=rep)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.attrs["source_crs"].startswith("none")
    assert any("no CRS" in p.message_en and p.column == "geometry" for p in rep.warnings)


def test_declared_area_kept_and_warned_when_off_by_more_than_5_percent(tmp_path: Path) -> None:
    geom_mu = float(geo.area_mu(sites_frame())[0])
    path = write_vector(sites_frame(area_mu=[geom_mu * 1.2, geom_mu * 1.03, None]), tmp_path / "a.geojson")
    rep = ValidationReport()
    gdf = read_sites(path, report=rep)
    assert gdf["area_mu"].iat[0] == pytest.approx(geom_mu * 1.2)
    assert gdf["area_mu"].iat[2] == pytest.approx(gdf["area_mu_geom"].iat[2])
    warns = [p for p in rep.warnings if p.column == "area_mu"]
    assert [p.item_id for p in warns] == ["S1"]  # 3 % is within tolerance
    assert f"{geom_mu * 1.2:,.2f}" in warns[0].message_en and f"{geom_mu:,.2f}" in warns[0].message_en


@pytest.mark.parametrize("source", ["EPSG:4326", "EPSG:4547"], ids=["wgs84", "cgcs2000-gk"])
def test_areas_and_inside_points_are_geopandas_own_in_any_source_crs(source: str) -> None:
    """One projection into the metric CRS (the way back its inverse): the areas are exactly GeoPandas's, the
    points are GeoPandas's representative points to within a nanometre, and lie inside their polygons."""
    frame = sites_frame().set_crs("EPSG:4326", allow_override=True)
    concave = Polygon([(LON, LAT), (LON + 3 * DX, LAT), (LON + 3 * DX, LAT + DY), (LON + DX, LAT + DY),
                       (LON + DX, LAT + 3 * DY), (LON, LAT + 3 * DY)])  # an L: its centroid lies outside
    frame = pd.concat([frame.iloc[:1], frame], ignore_index=True)
    frame.loc[0, "geometry"] = concave
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326").to_crs(source)
    metric = geo.metric_crs_of(frame)
    area, lon, lat = geo.measure(frame, crs=metric)
    in_metric = frame.to_crs(metric)
    assert np.array_equal(area, in_metric.geometry.area.to_numpy() / M2_PER_MU)
    expected = in_metric.geometry.representative_point().to_crs("EPSG:4326")
    assert np.allclose(lon, expected.x, rtol=0, atol=1e-12) and np.allclose(lat, expected.y, rtol=0, atol=1e-12)
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    assert points.within(frame.to_crs("EPSG:4326").geometry.reset_index(drop=True)).all()


def test_metric_crs_choice() -> None:
    assert geo.metric_crs_for(112.83).to_epsg() == 4547
    assert geo.metric_crs_for(111.4).to_epsg() == 4546
    assert geo.metric_crs_for(2.35, 48.85).to_epsg() == 32631


def test_haversine_and_gcj02_shift() -> None:
    # one degree of latitude is about 111.2 km
    assert float(geo.haversine_km(112.83, 23.0, 112.83, 24.0)) == pytest.approx(111.19, abs=0.05)
    gx, gy = geo.wgs84_to_gcj02([112.83], [23.33])
    shift_km = float(geo.haversine_km(112.83, 23.33, gx[0], gy[0]))
    assert 0.3 < shift_km < 0.9 and gx[0] > 112.83 and gy[0] < 23.33  # east-south-east, ~0.6 km
    ox, oy = geo.wgs84_to_gcj02([2.35], [48.85])
    assert (ox[0], oy[0]) == (2.35, 48.85)


# --- geometry repair --------------------------------------------------------------------------------
def test_self_intersecting_polygon_repaired_and_named(tmp_path: Path) -> None:
    bowtie = Polygon([(LON, LAT), (LON + DX, LAT + DY), (LON + DX, LAT), (LON, LAT + DY), (LON, LAT)])
    assert not bowtie.is_valid
    frame = sites_frame()
    frame.loc[1, "geometry"] = bowtie
    rep = ValidationReport()
    gdf = read_sites(write_vector(frame, tmp_path / "bow.geojson"), report=rep)
    g = gdf.geometry.iat[1]
    assert g.is_valid and g.geom_type in ("Polygon", "MultiPolygon")
    assert 700 < gdf["area_mu_geom"].iat[1] < 800  # two triangles: half the box
    fixes = [p for p in rep.warnings if p.column == "geometry"]
    assert [p.item_id for p in fixes] == ["S2"] and "repaired" in fixes[0].message_en


# --- headers and values -------------------------------------------------------------------------------
def test_chinese_headers_values_and_user_mapping(tmp_path: Path) -> None:
    f = sites_frame()
    frame = gpd.GeoDataFrame(
        {
            "DKBH": f["site_id"],
            "名称": f["name"],
            "类型": ["土地", "标准厂房租赁", "孵化器"],
            "可租面积": ["", "２０，０００", "5,000 平方米"],
            "状态": ["低效", "闲置", "已占用"],
            "产业": ["新能源汽车零部件；储能", "全部", "电子"],
            "投资强度": ["600", "", ""],
            "可供日期": ["2022年5月30日", "2022/6/1", ""],
            "链主": ["", "", "小鹏汽车"],
        },
        geometry=f.geometry,
        crs=f.crs,
    )
    gdf = read_sites(write_vector(frame, tmp_path / "zh.geojson"), columns={"DKBH": "site_id"})
    assert gdf["site_id"].tolist() == ["S1", "S2", "S3"]
    assert gdf["kind"].tolist() == ["land", "factory", "platform"]
    assert gdf["status"].tolist() == ["inefficient", "vacant", "occupied"]
    assert gdf["floor_area_m2"].tolist()[1:] == [20000.0, 5000.0]
    assert gdf["industries"].tolist() == ["nev_parts;battery", "", "electronics"]
    assert gdf["min_invest_wan_per_mu"].iat[0] == 600.0
    assert gdf["available_from"].tolist()[:2] == [pd.Timestamp("2022-05-30"), pd.Timestamp("2022-06-01")]
    assert gdf["anchor"].tolist() == ["", "", "XPeng"]
    assert "DKBH" not in gdf.columns


def test_missing_status_column_defaults_to_vacant_with_a_warning(tmp_path: Path) -> None:
    path = write_vector(sites_frame().drop(columns="status"), tmp_path / "s.geojson")
    rep = ValidationReport()
    assert read_sites(path, report=rep)["status"].tolist() == ["vacant"] * 3
    assert [p.column for p in rep.warnings] == ["status"]


def test_numeric_site_ids_have_no_decimal_point(tmp_path: Path) -> None:
    gdf = read_sites(write_vector(sites_frame(site_id=[101.0, 102.0, 103.0]), tmp_path / "n.shp"))
    assert gdf["site_id"].tolist() == ["101", "102", "103"]


def test_occupied_factory_needs_no_floor_area_and_zero_floor_is_a_warning(tmp_path: Path) -> None:
    path = write_vector(
        sites_frame(floor_area_m2=[None, None, 0.0], status=["vacant", "occupied", "vacant"]),
        tmp_path / "s.geojson",
    )
    rep = ValidationReport()
    gdf = read_sites(path, report=rep)
    assert gdf["status"].iat[1] == "occupied" and np.isnan(gdf["floor_area_m2"].iat[1])
    assert [(p.item_id, p.column) for p in rep.warnings] == [("S3", "floor_area_m2")]
    assert "no project will be placed on it" in rep.warnings[0].message_en
