"""Shared fixtures: tiny sites near Zhaoqing High-tech Zone (112.83 E, 23.33 N) and small project tables."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box

LON, LAT = 112.83, 23.33
#: ~1 km x ~1 km in degrees at 23.33 N
DX, DY = 0.0098, 0.009

PROJECT_HEADER = [
    "project_id",
    "name",
    "industry",
    "anchor",
    "investment_yi",
    "mode",
    "land_need_mu",
    "floor_need_m2",
    "review_meeting",
]
#: the same columns under the Chinese headers of the zone's review tables
PROJECT_HEADER_ZH = [
    "项目编号",
    "项目名称",
    "产业类别",
    "配套龙头",
    "投资额(亿元)",
    "落地方式",
    "用地需求(亩)",
    "厂房需求(平方米)",
    "评审批次",
]
PROJECT_ROWS = [
    ["P001", "铭利达新能源关键零部件", "汽车零部件", "小鹏汽车", "12.5", "供地", "120", "", "1"],
    ["P002", "震裕租赁", "nev_parts", "", "1,200", "lease", "", "8000", "2"],
    ["P003", "孵化项目", "电子信息", "瑞庆时代", "0.3", "平台", "", "１５００", "3"],
]


def sites_frame(**columns: Sequence[Any]) -> gpd.GeoDataFrame:
    """Three valid sites (land, factory, platform) in EPSG:4326; keyword columns replace or add columns."""
    data: dict[str, Sequence[Any]] = {
        "site_id": ["S1", "S2", "S3"],
        "name": ["中恒地块", "新桥厂房", "孵化平台"],
        "kind": ["land", "factory", "platform"],
        "floor_area_m2": [None, 20000.0, 5000.0],
        "status": ["inefficient", "vacant", "vacant"],
        "industries": ["nev_parts;battery", "", "electronics"],
    }
    data.update(columns)
    geoms = [box(LON + i * 0.02, LAT, LON + i * 0.02 + DX, LAT + DY) for i in range(len(data["site_id"]))]
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")


def app_page(nav_zh: str, nav_en: str, lang: str = "zh", *, timeout: float = 300) -> Any:
    """The app (``app.py`` under streamlit.testing) in ``lang``, on the page named ``nav_zh`` / ``nav_en``,
    run without an exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=timeout)
    at.run()
    if lang == "en":
        at.radio(key="lang").set_value("en").run()
    at.session_state["nav"] = nav_zh if lang == "zh" else nav_en
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def write_vector(gdf: gpd.GeoDataFrame, path: Path, **kwargs: Any) -> Path:
    """Write with pyogrio, silencing GDAL's field-name laundering warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(gdf, path, **kwargs)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "项目",
    merge: str | None = None,
    extra_sheet: str | None = None,
) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    if extra_sheet:
        wb.active.title = extra_sheet
        wb.active.append(["说明"])
        ws = wb.create_sheet(sheet)
    else:
        ws = wb.active
        ws.title = sheet
    for r in rows:
        ws.append(list(r))
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


@pytest.fixture
def sites_geojson(tmp_path: Path) -> Path:
    return write_vector(sites_frame(), tmp_path / "sites.geojson")


@pytest.fixture
def projects_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "projects.csv", [PROJECT_HEADER, *PROJECT_ROWS])


@pytest.fixture
def make_sites(tmp_path: Path) -> Callable[..., Path]:
    """Write :func:`sites_frame` (with overrides) to ``tmp_path/name``."""

    def _make(name: str = "sites.geojson", **columns: Sequence[Any]) -> Path:
        return write_vector(sites_frame(**columns), tmp_path / name)

    return _make


# --- the workspace store: a throwaway PostGIS cluster for the session, and a store URL per back end ---

@pytest.fixture(autouse=True, scope="session")
def _no_default_store() -> Any:
    """No test writes into the app's default store beside app.py: the store is off unless a test sets one
    (session scope: set before any module's fixture starts a server)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZQ_LAND_STORE", "off")
        # "run" waits for its solve: the pages' tests read the final plan at once (tests/test_interim.py sets a
        # wait and meets the interim plan the planner sees first)
        mp.setenv("ZQ_LAND_INTERIM_S", "off")
        yield


@pytest.fixture(scope="session")
def pg_cluster() -> Any:
    """A running PostgreSQL + PostGIS cluster (skipped when not installed, unless CI requires it)."""
    import os
    import shutil
    import tempfile

    import pg_cluster as pg

    reason = pg.missing_reason()
    if reason is not None:
        if os.environ.get(pg.REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({pg.REQUIRE_ENV}=1)")
        pytest.skip(reason)
    # not under pytest's tmp folder: as root the cluster runs as `postgres`, who cannot enter root's 0700 folder
    base = Path(tempfile.mkdtemp(prefix="zq_land_pg_"))
    try:
        with pg.running_cluster(base) as cluster:
            yield cluster
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["gpkg", "postgis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store of each back end: a new GeoPackage file, or a new PostGIS database."""
    if request.param == "gpkg":
        return str(tmp_path / "store.gpkg")
    return str(request.getfixturevalue("pg_cluster").new_database())
