"""Bad input is refused with a message naming the file, the row or id, and the column; never a traceback."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from conftest import (
    DX,
    LAT,
    LON,
    PROJECT_HEADER,
    PROJECT_ROWS,
    sites_frame,
    write_csv,
    write_vector,
    write_xlsx,
)
from shapely.geometry import LineString, Point, Polygon, box

from zq_land._errors import InputError, Problem
from zq_land.io import read_projects, read_sites

Build = Callable[[Path], Path]


def _problem(exc: pytest.ExceptionInfo[InputError], column: str | None) -> Problem:
    hits = [p for p in exc.value.report.errors if p.column == column]
    assert hits, f"no error on column {column!r}: {exc.value.report.text()}"
    return hits[0]


def _assert_where(p: Problem, path: Path, *, row: int | None = None, item_id: str | None = None) -> None:
    text = p.text()
    assert path.name in text
    if row is not None:
        assert p.row == row and f"row {row}" in text
    if item_id is not None:
        assert p.item_id == item_id and item_id in text
    if p.column:
        assert p.column in text
    assert p.message_zh and p.message_en and p.message_zh != p.message_en


# ==============================================================================================
# sites: problems on a row / a column
# ==============================================================================================
def _frame_file(tmp: Path, name: str = "s.geojson", **cols: object) -> Path:
    return write_vector(sites_frame(**cols), tmp / name)  # type: ignore[arg-type]


ROW_CASES: list[tuple[str, Build, str, str, int | None, str | None]] = [
    # (case, build, regex on the English message, column, row, site id)
    (
        "empty site_id",
        lambda t: _frame_file(t, site_id=["S1", "", "S3"]),
        r"site_id is empty",
        "site_id",
        3,
        None,
    ),
    (
        "unknown kind",
        lambda t: _frame_file(t, kind=["land", "warehouse", "platform"]),
        r"unknown kind 'warehouse'; accepted: land 土地, factory 厂房, platform 平台",
        "kind",
        3,
        "S2",
    ),
    (
        "empty kind",
        lambda t: _frame_file(t, kind=["land", "", "platform"]),
        r"kind is empty",
        "kind",
        3,
        "S2",
    ),
    (
        "unknown status",
        lambda t: _frame_file(t, status=["vacant", "sold", "vacant"]),
        r"unknown status 'sold'; accepted: vacant",
        "status",
        3,
        "S2",
    ),
    (
        "unknown industry",
        lambda t: _frame_file(t, industries=["nev_parts;spaceships", "", ""]),
        r"unknown industry 'spaceships'.*accepted: nev_vehicle",
        "industries",
        2,
        "S1",
    ),
    (
        "negative area",
        lambda t: _frame_file(t, area_mu=[-5.0, None, None]),
        r"area_mu must not be negative, found -5",
        "area_mu",
        2,
        "S1",
    ),
    (
        "text in a number column",
        lambda t: _frame_file(t, floor_area_m2=["", "about 2万", "5000"]),
        r"floor_area_m2 must be a number, found 'about 2万'",
        "floor_area_m2",
        3,
        "S2",
    ),
    (
        "factory without floor area",
        lambda t: _frame_file(t, floor_area_m2=[None, None, 5000.0]),
        r"a factory site needs floor_area_m2.*no capacity",
        "floor_area_m2",
        3,
        "S2",
    ),
    (
        "bad date",
        lambda t: _frame_file(t, available_from=["2022-13-45", "", "soon"]),
        r"available_from must be a date such as 2022-05-30, found '2022-13-45'",
        "available_from",
        2,
        "S1",
    ),
    (
        "negative investment floor",
        lambda t: _frame_file(t, min_invest_wan_per_mu=["-1", "", ""]),
        r"min_invest_wan_per_mu must not be negative",
        "min_invest_wan_per_mu",
        2,
        "S1",
    ),
]


@pytest.mark.parametrize(
    ("case", "build", "regex", "column", "row", "sid"), ROW_CASES, ids=[c[0] for c in ROW_CASES]
)
def test_bad_site_values(
    tmp_path: Path, case: str, build: Build, regex: str, column: str, row: int | None, sid: str | None
) -> None:
    path = build(tmp_path)
    with pytest.raises(InputError, match=regex) as exc:
        read_sites(path)
    _assert_where(_problem(exc, column), path, row=row, item_id=sid)


def test_duplicate_site_id_names_both_rows(tmp_path: Path) -> None:
    path = _frame_file(tmp_path, site_id=["S1", "S2", "S1"])
    with pytest.raises(InputError, match=r"duplicate site_id 'S1': rows 2 and 4") as exc:
        read_sites(path)
    _assert_where(_problem(exc, "site_id"), path, row=4, item_id="S1")


@pytest.mark.parametrize("missing", ["site_id", "kind"])
def test_missing_required_site_column(tmp_path: Path, missing: str) -> None:
    path = write_vector(sites_frame().drop(columns=missing), tmp_path / "s.geojson")
    with pytest.raises(
        InputError, match=rf"required column '{missing}' is missing; columns found: .*name"
    ) as exc:
        read_sites(path)
    _assert_where(_problem(exc, missing), path)


def test_all_problems_of_a_file_in_one_report(tmp_path: Path) -> None:
    path = _frame_file(
        tmp_path,
        kind=["land", "shop", "platform"],
        status=["vacant", "vacant", "gone"],
        floor_area_m2=[None, 100.0, -3.0],
    )
    with pytest.raises(InputError) as exc:
        read_sites(path)
    cols = sorted((p.item_id or "", p.column or "") for p in exc.value.report.errors)
    assert cols == [("S2", "kind"), ("S3", "floor_area_m2"), ("S3", "floor_area_m2"), ("S3", "status")]


# ==============================================================================================
# sites: geometry
# ==============================================================================================
def _with_geometry(tmp: Path, geom: object, name: str = "g.geojson") -> Path:
    frame = sites_frame()
    frame = gpd.GeoDataFrame(
        frame.drop(columns="geometry"),
        geometry=[frame.geometry.iat[0], geom, frame.geometry.iat[2]],
        crs=4326,
    )
    return write_vector(frame, tmp / name)


@pytest.mark.parametrize(
    ("case", "geom", "regex"),
    [
        ("missing geometry", None, r"the site has no geometry"),
        ("point", Point(LON, LAT), r"must be Polygon/MultiPolygon, found Point"),
        (
            "line",
            LineString([(LON, LAT), (LON + DX, LAT)]),
            r"must be Polygon/MultiPolygon, found LineString",
        ),
        (
            "repair leaves nothing",
            Polygon([(LON, LAT), (LON + DX, LAT), (LON + 2 * DX, LAT), (LON, LAT)]),
            r"no area after repair",
        ),
    ],
)
def test_bad_site_geometry(tmp_path: Path, case: str, geom: object, regex: str) -> None:
    path = _with_geometry(tmp_path, geom)
    with pytest.raises(InputError, match=regex) as exc:
        read_sites(path)
    _assert_where(_problem(exc, "geometry"), path, row=3, item_id="S2")


def test_land_without_area_and_geometry_says_no_capacity(tmp_path: Path) -> None:
    frame = sites_frame()
    frame.loc[0, "geometry"] = None
    path = write_vector(frame, tmp_path / "g.geojson")
    with pytest.raises(InputError, match=r"no geometry.*no area_mu either, so it has no capacity") as exc:
        read_sites(path)
    _assert_where(_problem(exc, "geometry"), path, row=2, item_id="S1")


# ==============================================================================================
# sites: CRS
# ==============================================================================================
def _gk_frame(x: float, y: float, crs: str | None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": ["GK1"], "kind": ["land"]}, geometry=[box(x, y, x + 1000, y + 1000)], crs=crs
    )


def test_no_crs_and_projected_coordinates_refused_with_a_hint(tmp_path: Path) -> None:
    write_vector(_gk_frame(38_385_000, 2_581_000, "EPSG:4526"), tmp_path / "gk.shp")
    os.remove(tmp_path / "gk.prj")
    with pytest.raises(InputError, match=r"has no CRS .*look projected.*EPSG:4526.*EPSG:4547") as exc:
        read_sites(tmp_path / "gk.shp")
    _assert_where(_problem(exc, "geometry"), tmp_path / "gk.shp")


def test_no_crs_plain_gk_coordinates_suggest_4547(tmp_path: Path) -> None:
    write_vector(_gk_frame(385_000, 2_581_000, None), tmp_path / "gk.shp")
    with pytest.raises(InputError, match=r"has no CRS.*likely EPSG:4547"):
        read_sites(tmp_path / "gk.shp")


@pytest.mark.parametrize(
    ("x", "y", "crs"),
    [(2_581_000, 38_385_000, "EPSG:4526"), (2_581_000, 385_000, "EPSG:4547"), (2_581_000, 385_000, None)],
)
def test_swapped_gauss_kruger_columns_refused(tmp_path: Path, x: float, y: float, crs: str | None) -> None:
    path = write_vector(_gk_frame(x, y, crs), tmp_path / "swap.gpkg")
    with pytest.raises(InputError, match=r"coordinate columns look swapped.*x looks like a northing") as exc:
        read_sites(path)
    _assert_where(_problem(exc, "geometry"), path)


def test_declared_plain_gk_but_prefixed_eastings(tmp_path: Path) -> None:
    path = write_vector(_gk_frame(38_385_000, 2_581_000, "EPSG:4547"), tmp_path / "wrong.gpkg")
    with pytest.raises(InputError, match=r"declares EPSG:4547 \(no zone prefix\).*probably EPSG:4526"):
        read_sites(path)


def test_geographic_crs_with_projected_numbers(tmp_path: Path) -> None:
    path = write_vector(_gk_frame(38_385_000, 2_581_000, "EPSG:4490"), tmp_path / "bad.gpkg")
    with pytest.raises(
        InputError, match=r"declares the geographic CRS EPSG:4490 but its coordinates are not degrees"
    ):
        read_sites(path)


def test_lat_lon_swapped_in_degrees(tmp_path: Path) -> None:
    frame = sites_frame()
    frame = frame.set_geometry(frame.geometry.map(lambda g: Polygon([(y, x) for x, y in g.exterior.coords])))
    path = write_vector(frame, tmp_path / "latlon.gpkg")
    with pytest.raises(InputError, match=r"longitude and latitude look swapped"):
        read_sites(path)


# ==============================================================================================
# sites: containers
# ==============================================================================================
def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "sites.kml"
    path.write_text("<kml/>")
    with pytest.raises(InputError, match=r"unsupported file type '\.kml'; accepted: GeoPackage") as exc:
        read_sites(path)
    _assert_where(exc.value.report.errors[0], path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"sites file not found"):
        read_sites(tmp_path / "nope.geojson")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.geojson"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"file 'empty.geojson' is empty \(0 bytes\)"):
        read_sites(path)


def test_no_features(tmp_path: Path) -> None:
    path = tmp_path / "none.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError, match=r"holds no features"):
        read_sites(path)


def test_truncated_geopackage(tmp_path: Path) -> None:
    good = _frame_file(tmp_path, "good.gpkg")
    path = tmp_path / "cut.gpkg"
    path.write_bytes(good.read_bytes()[:3000])
    with pytest.raises(
        InputError, match=r"cannot read the file \(damaged, truncated or not a GIS file\)"
    ) as exc:
        read_sites(path)
    _assert_where(exc.value.report.errors[0], path)


def test_geopackage_with_two_layers_asks_which(tmp_path: Path) -> None:
    path = tmp_path / "two.gpkg"
    write_vector(sites_frame(), path, layer="parcels")
    write_vector(sites_frame(), path, layer="roads", append=False)
    with pytest.raises(InputError, match=r"several layers: parcels, roads; say which"):
        read_sites(path)
    assert len(read_sites(path, layer="roads")) == 3
    with pytest.raises(InputError, match=r"layer 'rivers' not found; available: parcels, roads"):
        read_sites(path, layer="rivers")


def test_zip_with_two_shapefiles_asks_which(tmp_path: Path) -> None:
    for stem in ("east", "west"):
        write_vector(sites_frame(), tmp_path / f"{stem}.shp")
    z = tmp_path / "two.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in tmp_path.glob("*.*"):
            if p.stem in ("east", "west"):
                zf.write(p, p.name)
    with pytest.raises(InputError, match=r"several layers: east, west") as exc:
        read_sites(z)
    _assert_where(exc.value.report.errors[0], z)


def test_zip_with_path_traversal_refused(tmp_path: Path) -> None:
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../outside.shp", b"x")
        zf.writestr("ok.dbf", b"x")
    with pytest.raises(InputError, match=r"unsafe paths .*\.\./outside\.shp; refused"):
        read_sites(z)
    assert not (tmp_path.parent / "outside.shp").exists()


def test_zip_too_big_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zq_land.io.containers as zio

    monkeypatch.setattr(zio, "ZIP_MAX_BYTES", 1000)
    z = tmp_path / "big.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", b"0" * 5000)
    with pytest.raises(InputError, match=r"unpacks to .* MB, over the"):
        read_sites(z)


def test_zip_bomb_ratio_refused(tmp_path: Path) -> None:
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.dbf", b"\0" * (11 * 2**20))
    with pytest.raises(InputError, match=r"compression ratio [\d,]+ is over 100 \(a zip bomb\?\); refused"):
        read_sites(z)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.zip"
    path.write_bytes(b"this is not a zip")
    with pytest.raises(InputError, match=r"not a valid zip archive"):
        read_sites(path)


def test_zip_without_shapefile(tmp_path: Path) -> None:
    z = tmp_path / "docs.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match=r"holds no \.shp .*found: readme\.txt"):
        read_sites(z)


def test_shapefile_missing_dbf(tmp_path: Path) -> None:
    write_vector(sites_frame(), tmp_path / "part.shp")
    os.remove(tmp_path / "part.dbf")
    with pytest.raises(InputError, match=r"Shapefile 'part\.shp' lacks its \.dbf part"):
        read_sites(tmp_path / "part.shp")


def test_mapping_to_unknown_column_and_absent_column(tmp_path: Path, sites_geojson: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_sites(sites_geojson, columns={"name": "title", "DKBH": "site_id"})
    msgs = exc.value.report.text()
    assert "column mapping 'name=title' targets an unknown column" in msgs
    assert "mapped column 'DKBH' is not in the file" in msgs


def test_two_columns_claiming_one_name(tmp_path: Path) -> None:
    path = write_vector(
        sites_frame(地块编号=["A", "B", "C"], 编号=["a", "b", "c"]).drop(columns="site_id"),
        tmp_path / "dup.geojson",
    )
    with pytest.raises(InputError, match=r"several columns mean site_id: '地块编号', '编号'") as exc:
        read_sites(path)
    _assert_where(_problem(exc, "site_id"), path)


# ==============================================================================================
# projects
# ==============================================================================================
def _projects(tmp: Path, *rows: list[str], header: list[str] = PROJECT_HEADER) -> Path:
    return write_csv(tmp / "projects.csv", [header, *rows])


def _row(**changes: str) -> list[str]:
    base = dict(zip(PROJECT_HEADER, PROJECT_ROWS[0], strict=True))
    base.update(changes)
    return [base[h] for h in PROJECT_HEADER]


PROJECT_CASES: list[tuple[str, list[list[str]], str, str, int, str | None]] = [
    (
        "row with values and no id",
        [_row(project_id="P1"), _row(project_id="")],
        r"this row has values but no project_id",
        "project_id",
        3,
        None,
    ),
    (
        "negative investment",
        [_row(investment_yi="-3")],
        r"investment_yi must not be negative, found -3",
        "investment_yi",
        2,
        "P001",
    ),
    (
        "text investment",
        [_row(investment_yi="约三亿")],
        r"investment_yi must be a number, found '约三亿'",
        "investment_yi",
        2,
        "P001",
    ),
    (
        "missing investment",
        [_row(investment_yi="")],
        r"investment_yi is empty; a number is required",
        "investment_yi",
        2,
        "P001",
    ),
    (
        "unknown mode",
        [_row(mode="buy")],
        r"unknown mode 'buy'; accepted: land 供地, lease 租赁",
        "mode",
        2,
        "P001",
    ),
    (
        "land without land need",
        [_row(mode="land", land_need_mu="")],
        r"mode 'land' needs land_need_mu > 0",
        "land_need_mu",
        2,
        "P001",
    ),
    (
        "lease without floor need",
        [_row(mode="租赁", floor_need_m2="0")],
        r"mode 'lease' needs floor_need_m2 > 0",
        "floor_need_m2",
        2,
        "P001",
    ),
    (
        "land_or_lease needs both",
        [_row(mode="land_or_lease", floor_need_m2="")],
        r"mode 'land_or_lease' needs floor_need_m2 > 0",
        "floor_need_m2",
        2,
        "P001",
    ),
    (
        "unknown industry",
        [_row(industry="区块链")],
        r"unknown industry '区块链'; accepted: nev_vehicle",
        "industry",
        2,
        "P001",
    ),
    (
        "fractional review meeting",
        [_row(review_meeting="2.5")],
        r"review_meeting must be a whole number, found 2.5",
        "review_meeting",
        2,
        "P001",
    ),
    ("text priority", [[*_row(), "high"]], r"priority must be a number, found 'high'", "priority", 2, "P001"),
]


@pytest.mark.parametrize(
    ("case", "rows", "regex", "column", "row", "pid"), PROJECT_CASES, ids=[c[0] for c in PROJECT_CASES]
)
def test_bad_project_values(
    tmp_path: Path, case: str, rows: list[list[str]], regex: str, column: str, row: int, pid: str | None
) -> None:
    header = [*PROJECT_HEADER, "priority"] if case == "text priority" else PROJECT_HEADER
    path = _projects(tmp_path, *rows, header=header)
    with pytest.raises(InputError, match=regex) as exc:
        read_projects(path)
    _assert_where(_problem(exc, column), path, row=row, item_id=pid)


def test_duplicate_project_id_names_both_rows(tmp_path: Path) -> None:
    path = _projects(tmp_path, _row(), _row(project_id="P002"), _row())
    with pytest.raises(InputError, match=r"duplicate project_id 'P001': rows 2 and 4") as exc:
        read_projects(path)
    _assert_where(_problem(exc, "project_id"), path, row=4, item_id="P001")


def test_missing_required_project_column(tmp_path: Path) -> None:
    header = [h for h in PROJECT_HEADER if h != "mode"]
    path = write_csv(
        tmp_path / "p.csv", [header, [v for h, v in zip(PROJECT_HEADER, _row(), strict=True) if h != "mode"]]
    )
    with pytest.raises(InputError, match=r"required column 'mode' is missing; columns found: project_id"):
        read_projects(path)


def test_no_header_in_first_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [["甲", "乙", "丙"], ["1", "2", "3"]])
    with pytest.raises(
        InputError, match=r"no known header in the first 5 rows; columns found: 甲, 乙, 丙"
    ) as exc:
        read_projects(path)
    _assert_where(exc.value.report.errors[0], path, row=1)


def test_unknown_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [PROJECT_HEADER, _row()], sheet="2022")
    with pytest.raises(InputError, match=r"worksheet '2023' not found; available: 2022"):
        read_projects(path, sheet="2023")


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(InputError, match=r"cannot read the Excel file"):
        read_projects(path)


@pytest.mark.parametrize(("name", "regex"), [("p.xls", r"save a \.xls as \.xlsx"), ("p.json", r"'\.json'")])
def test_unsupported_project_file(tmp_path: Path, name: str, regex: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    with pytest.raises(InputError, match=rf"unsupported file type .*{regex}"):
        read_projects(path)


def test_empty_csv_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\r\n")
    with pytest.raises(InputError, match=r"the file is empty"):
        read_projects(empty)
    with pytest.raises(InputError, match=r"no project rows under the header"):
        read_projects(_projects(tmp_path))


def test_all_project_problems_gathered(tmp_path: Path) -> None:
    path = _projects(
        tmp_path,
        _row(mode="buy"),
        _row(project_id="P2", investment_yi="-1"),
        _row(project_id="P3", industry="??"),
    )
    with pytest.raises(InputError) as exc:
        read_projects(path)
    where = sorted((p.row, p.column) for p in exc.value.report.errors)
    assert where == [(2, "mode"), (3, "investment_yi"), (4, "industry")]


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zq_land.io import read_projects

    p = tmp_path / "big.csv"
    p.write_text("project_id,investment_yi,mode,floor_need_m2\n" + "P1,1,lease,100\n" * 80_000, encoding="utf-8")
    monkeypatch.setenv("ZQ_LAND_MAX_INPUT_MB", "1")
    with pytest.raises(InputError, match=r"big\.csv.*over the 1 MB limit"):
        read_projects(p)
