"""Regenerate the binary files of the bad-input corpus in ``tests/data/bad/``.

The text files of the corpus (CSV, GeoJSON, TOML, .txt) are written by hand and are not touched
here; this script makes only what cannot be written in an editor: Excel workbooks, zipped
Shapefiles, GeoPackages, files cut in half, a GBK file with broken bytes and a tiny zip bomb.
Every file is described in ``tests/data/bad/MANIFEST.toml``.

Usage::

    .venv/bin/python tests/data/make_bad_corpus.py            # rewrite tests/data/bad/
    .venv/bin/python tests/data/make_bad_corpus.py --out DIR  # write elsewhere (the tests compare)

The output is reproducible: a fixed seed, fixed timestamps in zips, workbooks, .dbf headers and
GeoPackages (``OGR_CURRENT_DATE``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import re
import sqlite3
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

SEED = 20221130
#: Every zip entry, workbook property and .dbf header carries this date.
STAMP = dt.datetime(2022, 11, 30, 9, 0, 0)
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
OUT = Path(__file__).resolve().parent / "bad"
#: Uncompressed size of the zip bomb's padding entry: over io.py's 10 MiB floor for the ratio check,
#: while the file itself stays ~25 KB (deflate packs a run of zeros about 1000:1).
BOMB_BYTES = 24 * 2**20

# A Gauss-Kruger (CGCS2000 3-degree zone 38, no prefix: EPSG:4547) square near the zone's offices.
GK_E, GK_N = 385_000.0, 2_581_000.0
LON, LAT = 112.83, 23.33

Writer = Callable[[Path], None]
WRITERS: dict[str, Writer] = {}
#: Files whose bytes come from GDAL (Shapefile parts, GeoPackages): byte-stable for one GDAL/PROJ
#: version only (a .prj's WKT follows the PROJ database).
GDAL_MADE: set[str] = set()


def writes(name: str, *, gdal: bool = False) -> Callable[[Writer], Writer]:
    def register(func: Writer) -> Writer:
        WRITERS[name] = func
        if gdal:
            GDAL_MADE.add(name)
        return func

    return register


# ==============================================================================================
# helpers
# ==============================================================================================
def _zip(entries: Sequence[tuple[str, bytes]], *, level: int = 6) -> bytes:
    """A zip with fixed timestamps and attributes, so that the bytes never change."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=STAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=level)
    return buf.getvalue()


def _rezip(data: bytes) -> bytes:
    """Rewrite an Office zip with fixed timestamps (openpyxl stamps entries and core.xml with now) and
    canonical XML (C14N 2.0: openpyxl writes other bytes with lxml installed than without)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = []
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), body
                )
            if info.filename.endswith((".xml", ".rels")):
                body = XML_DECLARATION + ElementTree.canonicalize(body.decode("utf-8")).encode("utf-8")
            entries.append((info.filename, body))
    return _zip(entries)


def _square(x: float, y: float, size: float) -> Any:
    from shapely.geometry import box

    return box(x, y, x + size, y + size)


def _sites(crs: str | None, origin: tuple[float, float], size: float, **columns: Sequence[Any]) -> Any:
    """Three sites (land, factory, platform) as a GeoDataFrame; keyword columns replace or add."""
    import geopandas as gpd

    data: dict[str, Sequence[Any]] = {
        "site_id": ["S1", "S2", "S3"],
        "name": ["中恒地块", "新桥厂房", "孵化平台"],
        "kind": ["land", "factory", "platform"],
        "floor_area_m2": [None, 20000.0, 5000.0],
        "status": ["inefficient", "vacant", "vacant"],
    }
    data.update(columns)
    x0, y0 = origin
    geoms = [_square(x0 + 2 * size * i, y0, size) for i in range(len(data["site_id"]))]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)


def _shapefile_parts(gdf: Any, stem: str = "parcels", *, encoding: str | None = None) -> dict[str, bytes]:
    """The parts of a Shapefile written by GDAL, with the .dbf date fixed; ``{".shp": bytes, ...}``."""
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="zq_land_corpus_") as tmp:
        path = Path(tmp) / f"{stem}.shp"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyogrio.write_dataframe(gdf, path, encoding=encoding)
        parts = {p.suffix.lower(): p.read_bytes() for p in Path(tmp).iterdir()}
    dbf = bytearray(parts[".dbf"])
    dbf[1:4] = bytes([STAMP.year - 1900, STAMP.month, STAMP.day])
    parts[".dbf"] = bytes(dbf)
    return parts


def _zip_shapefile(parts: dict[str, bytes], stem: str = "parcels", *, skip: Sequence[str] = ()) -> bytes:
    order = [".shp", ".shx", ".dbf", ".prj", ".cpg"]
    return _zip([(f"{stem}{ext}", parts[ext]) for ext in order if ext in parts and ext not in skip])


def _gk_sites(**columns: Sequence[Any]) -> Any:
    return _sites("EPSG:4547", (GK_E, GK_N), 100.0, **columns)


def _write_gpkg(path: Path, layers: Sequence[tuple[str, Any]]) -> None:
    import pyogrio

    if path.exists():
        path.unlink()
    old = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = STAMP.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, frame in layers:
                pyogrio.write_dataframe(
                    frame, path, layer=name, driver="GPKG", append=path.exists(), SPATIAL_INDEX="NO"
                )
    finally:
        if old is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = old
    with sqlite3.connect(path) as con:  # GDAL stamps the contents table: fix it for reproducible bytes
        con.execute("UPDATE gpkg_contents SET last_change = ?", (STAMP.strftime("%Y-%m-%dT%H:%M:%S.000Z"),))
    con.close()
    with sqlite3.connect(path) as con:
        con.execute("VACUUM")
    con.close()


def _workbook(rows: Sequence[Sequence[Any]], *, merges: Sequence[str] = (), title: str = "项目") -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(list(r))
    for m in merges:
        ws.merge_cells(m)
    wb.properties.creator = "zq_land test corpus"
    wb.properties.created = STAMP
    wb.properties.modified = STAMP
    buf = io.BytesIO()
    wb.save(buf)
    return _rezip(buf.getvalue())


def _docx() -> bytes:
    """A minimal Word document (what a planner sends when the list was pasted into a report)."""
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'wordprocessingml.document.main+xml"/></Types>'
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>2022年第三次项目评审会：铭利达新能源关键零部件项目，投资12.5亿元，供地120亩。</w:t></w:r></w:p>"
        "</w:body></w:document>"
    ).encode()
    return _zip([("[Content_Types].xml", content_types), ("word/document.xml", body)])


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


# ==============================================================================================
# sites
# ==============================================================================================
@writes("sites_two_crs.zip", gdal=True)
def _two_crs(path: Path) -> None:
    a = _shapefile_parts(_gk_sites(), "parcels_cgcs2000_gk38")
    b = _shapefile_parts(_sites("EPSG:4326", (LON, LAT), 0.001, site_id=["S4", "S5", "S6"]), "parcels_wgs84")
    entries = [(f"parcels_cgcs2000_gk38{e}", a[e]) for e in (".shp", ".shx", ".dbf", ".prj")]
    entries += [(f"parcels_wgs84{e}", b[e]) for e in (".shp", ".shx", ".dbf", ".prj")]
    path.write_bytes(_zip(entries))


@writes("sites_gk_swapped.zip", gdal=True)
def _gk_swapped(path: Path) -> None:
    # Survey tables list X = northing first: the columns were imported the wrong way round.
    parts = _shapefile_parts(_sites("EPSG:4547", (GK_N, GK_E), 100.0))
    path.write_bytes(_zip_shapefile(parts))


@writes("sites_gk_no_prj.zip", gdal=True)
def _gk_no_prj(path: Path) -> None:
    parts = _shapefile_parts(_gk_sites())
    path.write_bytes(_zip_shapefile(parts, skip=(".prj", ".cpg")))


@writes("sites_gk_missing_dbf.zip", gdal=True)
def _missing_dbf(path: Path) -> None:
    parts = _shapefile_parts(_gk_sites())
    path.write_bytes(_zip_shapefile(parts, skip=(".dbf", ".cpg")))


@writes("sites_gk_dbf_cut.zip", gdal=True)
def _dbf_cut(path: Path) -> None:
    parts = _shapefile_parts(_gk_sites())
    parts[".dbf"] = parts[".dbf"][:20]  # the header itself is cut
    path.write_bytes(_zip_shapefile(parts))


@writes("sites_gbk_unknown_status.zip", gdal=True)
def _gbk_status(path: Path) -> None:
    # GBK text, no .cpg (as Chinese desktop GIS writes it); the message must quote 已出让 ungarbled.
    gdf = _gk_sites(status=["低效", "已出让", "空闲"], kind=["土地", "厂房", "平台"])
    parts = _shapefile_parts(gdf, encoding="gbk")
    path.write_bytes(_zip_shapefile(parts, skip=(".cpg",)))


@writes("sites_truncated.zip", gdal=True)
def _zip_cut(path: Path) -> None:
    whole = _zip_shapefile(_shapefile_parts(_gk_sites()))
    path.write_bytes(whole[: len(whole) // 2])


@writes("sites_path_traversal.zip", gdal=True)
def _traversal(path: Path) -> None:
    parts = _shapefile_parts(_gk_sites())
    entries = [(f"../evil{e}", parts[e]) for e in (".shp", ".shx", ".dbf", ".prj")]
    path.write_bytes(_zip(entries))


@writes("sites_zip_bomb.zip", gdal=True)
def _bomb(path: Path) -> None:
    parts = _shapefile_parts(_gk_sites())
    entries = [(f"parcels{e}", parts[e]) for e in (".shp", ".shx", ".dbf", ".prj")]
    entries.append(("attachments/scan_0001.tif", bytes(BOMB_BYTES)))
    path.write_bytes(_zip(entries, level=9))


@writes("sites_without_shp.zip")
def _no_shp(path: Path) -> None:
    readme = "地块图请见附件 CAD 文件。\nThe parcel map is in the attached CAD drawing.\n".encode()
    path.write_bytes(_zip([("readme.txt", readme), ("parcels.dwg", b"AC1032" + bytes(58))]))


@writes("sites_docx_renamed.zip")
def _docx_zip(path: Path) -> None:
    path.write_bytes(_docx())


@writes("sites_lonely.shp", gdal=True)
def _lonely_shp(path: Path) -> None:
    # A .shp sent without its .shx/.dbf/.prj (a common e-mail mistake).
    path.write_bytes(_shapefile_parts(_gk_sites())[".shp"])


@writes("sites_two_layers.gpkg", gdal=True)
def _two_layers(path: Path) -> None:
    _write_gpkg(
        path, [("parcels_2021", _gk_sites()), ("parcels_2022", _gk_sites(site_id=["T1", "T2", "T3"]))]
    )


@writes("sites_unknown_kind.gpkg", gdal=True)
def _gpkg_kind(path: Path) -> None:
    _write_gpkg(path, [("parcels", _gk_sites(kind=["land", "仓库", "platform"]))])


@writes("sites_attributes_only.gpkg", gdal=True)
def _gpkg_table(path: Path) -> None:
    import pandas as pd

    table = pd.DataFrame({"site_id": ["S1", "S2"], "kind": ["land", "factory"], "floor_area_m2": [None, 2e4]})
    _write_gpkg(path, [("parcels", table)])


@writes("sites_truncated.gpkg", gdal=True)
def _gpkg_cut(path: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="zq_land_corpus_") as tmp:
        whole = Path(tmp) / "whole.gpkg"
        _write_gpkg(whole, [("parcels", _gk_sites())])
        data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@writes("sites_random_bytes.gpkg")
def _noise(path: Path) -> None:
    rng = random.Random(SEED)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(2048)))


# ==============================================================================================
# projects
# ==============================================================================================
@writes("projects_gbk_broken_bytes.csv")
def _gbk_broken(path: Path) -> None:
    rows = [
        ",".join(PROJECT_HEADER_ZH),
        "P001,铭利达新能源关键零部件,汽车零部件,小鹏汽车,12.5,供地,120,,1",
        "P002,震裕租赁,nev_parts,,1.2,租赁,,8000,2",
        "P003,孵化项目,电子信息,,0.3,平台,,1500,3",
    ]
    data = bytearray("\r\n".join(rows).encode("gbk") + b"\r\n")
    # Row 3 lost the second byte of 震 (D5 F0): the byte pairs after it shift by one (震裕租赁 reads as
    # other characters) until a lone lead byte 0xDE meets the comma: an illegal sequence on row 3.
    broken = "P002,震".encode("gbk")
    at = bytes(data).index(broken) + len(broken) - 1
    del data[at]
    path.write_bytes(bytes(data))


@writes("projects_gbk_read_as_utf8.csv")
def _gbk_as_utf8(path: Path) -> None:
    # English headers and ASCII ids; the only Chinese is 平台, whose GBK bytes (C6BD CCA8) also form
    # valid UTF-8 ("ƽ̨"). Row 3 has a real problem: a negative floor need.
    rows = [
        "project_id,name,industry,investment_yi,mode,floor_need_m2",
        "P001,Incubator A,electronics,0.3,平台,1500",
        "P002,Incubator B,electronics,0.2,平台,-5",
    ]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))


@writes("projects_docx_renamed.csv")
def _docx_csv(path: Path) -> None:
    path.write_bytes(_docx())


@writes("projects_report.docx")
def _docx_file(path: Path) -> None:
    path.write_bytes(_docx())


@writes("projects_truncated.xlsx")
def _xlsx_cut(path: Path) -> None:
    whole = _workbook([PROJECT_HEADER, ["P001", "铭利达", "nev_parts", "", 12.5, "land", 120, None, 1]])
    path.write_bytes(whole[: len(whole) // 2])


@writes("projects_zip_bomb.xlsx")
def _xlsx_bomb(path: Path) -> None:
    # an .xlsx is a zip: a worksheet part that unpacks to BOMB_BYTES of zeros
    whole = _workbook([PROJECT_HEADER, ["P001", "铭利达", "nev_parts", "", 12.5, "land", 120, None, 1]])
    with zipfile.ZipFile(io.BytesIO(whole)) as src:
        entries = [(i.filename, src.read(i)) for i in src.infolist()]
    entries.append(("xl/media/image1.bin", bytes(BOMB_BYTES)))
    path.write_bytes(_zip(entries, level=9))


@writes("projects_merged_header.xlsx")
def _merged(path: Path) -> None:
    rows: list[list[Any]] = [
        ["肇庆高新区2022年招商项目评审汇总表", None, None, None],
        ["（第1-13批）", None, None, None],
        ["序号", "企业及建设内容", "总投资（万元）", "用地性质"],
        [1, "铭利达新能源关键零部件", 125000, "工业"],
        [2, "震裕租赁", 12000, "厂房"],
    ]
    path.write_bytes(_workbook(rows, merges=("A1:D1", "A2:D2")))


@writes("projects_wrong_types.xlsx")
def _xlsx_types(path: Path) -> None:
    rows: list[list[Any]] = [
        PROJECT_HEADER,
        [
            "P001",
            "铭利达新能源关键零部件",
            "nev_parts",
            "小鹏汽车",
            dt.datetime(2022, 5, 30),
            "land",
            120,
            None,
            1,
        ],
        ["P002", "震裕租赁", "nev_parts", "", 1.2, "lease", None, "约八千平方米", 2],
    ]
    path.write_bytes(_workbook(rows))


@writes("projects_duplicate_id.xlsx")
def _xlsx_dup(path: Path) -> None:
    rows: list[list[Any]] = [
        ["2022年评审通过项目", None, None],
        PROJECT_HEADER_ZH,
        ["XM-01", "铭利达新能源关键零部件", "汽车零部件", "小鹏汽车", 12.5, "供地", 120, None, 1],
        ["XM-02", "震裕租赁", "汽车零部件", None, 1.2, "租赁", None, 8000, 2],
        ["XM-01", "孵化项目", "电子信息", None, 0.3, "平台", None, 1500, 3],
    ]
    path.write_bytes(_workbook(rows, merges=("A1:C1",)))


@writes("projects_instructions_first_sheet.xlsx")
def _xlsx_two_sheets(path: Path) -> None:
    # The first sheet holds filling instructions; the projects are on the second.
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["说明：请在“项目”工作表中逐行填写，投资额单位为亿元。"])
    ws = wb.create_sheet("项目")
    ws.append(PROJECT_HEADER)
    ws.append(["P001", "铭利达新能源关键零部件", "nev_parts", "", 12.5, "land", 120, None, 1])
    wb.properties.created = STAMP
    wb.properties.modified = STAMP
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_rezip(buf.getvalue()))


@writes("projects_empty_sheet.xlsx")
def _xlsx_empty(path: Path) -> None:
    path.write_bytes(_workbook([]))


@writes("projects_formulas_without_values.xlsx")
def _xlsx_formulas(path: Path) -> None:
    # Written by a tool, never opened in Excel: formulas carry no cached value.
    rows: list[list[Any]] = [
        PROJECT_HEADER,
        ["P001", "铭利达新能源关键零部件", "nev_parts", "", "=10+2.5", "land", 120, None, 1],
        ["P002", "震裕租赁", "nev_parts", "", 1.2, "lease", None, 8000, 2],
    ]
    path.write_bytes(_workbook(rows))


# ==============================================================================================
# scenarios
# ==============================================================================================
@writes("scenario_gbk.toml")
def _gbk_toml(path: Path) -> None:
    text = (
        "# 情景：2022年评审（记事本另存为 ANSI，即 GBK）\n"
        'name = "2022年评审"\n'
        'sites = "../../../parcels/zhaoqing_hitech.geojson"\n'
        'projects = "../../../scenarios/projects_2022.csv"\n'
    )
    path.write_bytes(text.encode("gbk"))


# ==============================================================================================
# round 2 (issue 12): what an adversary found that the corpus missed. Text files are written here
# too, so that every case of a class comes from one place.
# ==============================================================================================
SAMPLE_SITES_REL = "../../../parcels/zhaoqing_hitech.geojson"
SAMPLE_PROJECTS_REL = "../../../scenarios/projects_2022.csv"


def _csv(rows: Sequence[Sequence[Any]]) -> bytes:
    return "".join(",".join("" if v is None else str(v) for v in r) + "\r\n" for r in rows).encode("utf-8")


def _geojson(features: Sequence[tuple[dict[str, Any], Any]], crs: str | None = None) -> bytes:
    """A FeatureCollection of (properties, polygon ring or rings) written by hand (``Infinity`` kept)."""
    import json

    feats = []
    for props, rings in features:
        body = json.dumps(props, ensure_ascii=False)
        feats.append(f'{{"type":"Feature","properties":{body},"geometry":{{"type":"Polygon","coordinates":'
                     f"{json.dumps(rings)}}}}}")
    head = f'"crs":{{"type":"name","properties":{{"name":"{crs}"}}}},' if crs else ""
    return ('{"type":"FeatureCollection",' + head + '"features":[' + ",".join(feats) + "]}\n").encode("utf-8")


def _ring(x: float, y: float, d: float = 0.002) -> list[list[list[float]]]:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def _site(sid: str, **props: Any) -> dict[str, Any]:
    return {"site_id": sid, "name": f"地块{sid}", "kind": "land", "status": "vacant", **props}


def _scenario(body: str) -> bytes:
    return (f'sites = "{SAMPLE_SITES_REL}"\nprojects = "{SAMPLE_PROJECTS_REL}"\n' + body).encode("utf-8")


# --- units inside cells --------------------------------------------------------------------------
@writes("projects_units_converted.csv")
def _units_converted(path: Path) -> None:
    # Every unit here belongs to its column: read, converted, and each conversion warned by row.
    path.write_bytes(_csv([
        PROJECT_HEADER,
        ["P001", "万元写法", "nev_parts", "", "5000万元", "land", "20000平方米", None, 1],
        ["P002", "元写法", "nev_parts", "", "500000000元", "lease", None, "3亩", 1],
        ["P003", "亿元写法", "electronics", "", "2.5亿元", "land", "40亩", None, 2],
    ]))


@writes("projects_unit_wrong_column.csv")
def _unit_wrong_column(path: Path) -> None:
    # 万元/亩 is an intensity, not an investment; 亿元 is not an area.
    path.write_bytes(_csv([
        PROJECT_HEADER,
        ["P001", "强度当投资", "nev_parts", "", "300万元/亩", "land", 50, None, 1],
        ["P002", "金额当面积", "nev_parts", "", 1.0, "land", "5亿元", None, 1],
    ]))


@writes("sites_units_in_cells.geojson")
def _sites_units(path: Path) -> None:
    path.write_bytes(_geojson([
        (_site("U1", area_mu="20000平方米"), _ring(LON, LAT)),
        (_site("U2", kind="factory", floor_area_m2="3亩"), _ring(LON + 0.01, LAT)),
        (_site("U3", area_mu="5亿元"), _ring(LON + 0.02, LAT)),
    ]))


# --- hidden sheets and what Excel says the used range is ------------------------------------------
@writes("projects_hidden_first_sheet.xlsx")
def _hidden_first(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    stale = wb.active
    stale.title = "旧清单"
    stale.append(PROJECT_HEADER)
    stale.append(["OLD-1", "去年的项目", "nev_parts", "", 99.0, "land", 10, None, 1])
    stale.sheet_state = "hidden"
    ws = wb.create_sheet("项目")
    ws.append(PROJECT_HEADER)
    ws.append(["P001", "铭利达新能源关键零部件", "nev_parts", "", 12.5, "land", 120, None, 1])
    ws.append(["P002", "震裕租赁", "nev_parts", "", 1.2, "lease", None, 8000, 2])
    wb.active = 1
    wb.properties.created = STAMP
    wb.properties.modified = STAMP
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_rezip(buf.getvalue()))


def _patch_sheet(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = [(i.filename, edit(src.read(i)) if i.filename == "xl/worksheets/sheet1.xml" else src.read(i))
                   for i in src.infolist()]
    return _zip(entries)


def _two_projects() -> bytes:
    return _workbook([
        PROJECT_HEADER,
        ["P001", "铭利达新能源关键零部件", "nev_parts", "", 12.5, "land", 120, None, 1],
        ["P002", "震裕租赁", "nev_parts", "", 1.2, "lease", None, 8000, 2],
    ])


@writes("projects_used_range_xfd.xlsx")
def _used_range_xfd(path: Path) -> None:
    # The sheet says it is A1:XFD1048576 and holds an empty styled cell there: 2 real rows.
    def edit(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>')

    path.write_bytes(_patch_sheet(_two_projects(), edit))


@writes("projects_value_in_xfd.xlsx")
def _value_in_xfd(path: Path) -> None:
    def edit(xml: bytes) -> bytes:
        return xml.replace(b"</row></sheetData>",
                           b'<c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')

    path.write_bytes(_patch_sheet(_two_projects(), edit))


@writes("projects_damaged_sheet_xml.xlsx")
def _damaged_sheet(path: Path) -> None:
    path.write_bytes(_patch_sheet(_two_projects(), lambda xml: xml[: len(xml) // 2]))


# --- implausible magnitudes ----------------------------------------------------------------------
@writes("projects_investment_1e308.csv")
def _inv_1e308(path: Path) -> None:
    path.write_bytes(_csv([PROJECT_HEADER, ["P001", "天文数字", "nev_parts", "", "1e308", "land", 50, None, 1]]))


@writes("projects_need_subnormal.csv")
def _need_tiny(path: Path) -> None:
    path.write_bytes(_csv([PROJECT_HEADER, ["P001", "几乎为零", "nev_parts", "", 1.0, "land", "1e-320", None, 1]]))


@writes("projects_investment_infinity.csv")
def _inv_inf(path: Path) -> None:
    path.write_bytes(_csv([PROJECT_HEADER, ["P001", "无穷", "nev_parts", "", "Infinity", "land", 50, None, 1]]))


@writes("projects_implausible_magnitudes.csv")
def _implausible(path: Path) -> None:
    # Computable but no zone has them: read, with a warning naming row and column.
    path.write_bytes(_csv([
        PROJECT_HEADER,
        ["P001", "五万亿", "nev_parts", "", 50000, "land", 50, None, 1],
        ["P002", "十万亩", "nev_parts", "", 1.0, "land", 100000, None, 1],
    ]))


@writes("sites_infinity_area.geojson")
def _site_inf(path: Path) -> None:
    data = _geojson([(_site("I1", area_mu=1.0), _ring(LON, LAT))])
    path.write_bytes(data.replace(b'"area_mu": 1.0', b'"area_mu": Infinity'))


@writes("sites_ten_billion_mu.geojson")
def _site_huge(path: Path) -> None:
    path.write_bytes(_geojson([(_site("H1", area_mu=1e10), _ring(LON, LAT)), (_site("H2"), _ring(LON + 0.01, LAT))]))


@writes("sites_whole_globe.geojson")
def _globe(path: Path) -> None:
    path.write_bytes(_geojson([(_site("G1"), [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]])]))


@writes("sites_antimeridian.geojson")
def _antimeridian(path: Path) -> None:
    ring = [[[179.999, 10.0], [-179.999, 10.0], [-179.999, 10.002], [179.999, 10.002], [179.999, 10.0]]]
    path.write_bytes(_geojson([(_site("M1"), ring)]))


@writes("scenario_weight_inf.toml")
def _weight_inf(path: Path) -> None:
    path.write_bytes(_scenario("\n[weights]\ninvestment = inf\n"))


@writes("scenario_weight_1e308.toml")
def _weight_huge(path: Path) -> None:
    path.write_bytes(_scenario("\n[weights]\ninvestment = 1.0\nprojects = 1e308\n"))


@writes("scenario_time_limit_nan.toml")
def _tl_nan(path: Path) -> None:
    path.write_bytes(_scenario("\n[solver]\ntime_limit_s = nan\n"))


# --- coordinates that lie ------------------------------------------------------------------------
@writes("sites_atlantic.geojson")
def _atlantic(path: Path) -> None:
    path.write_bytes(_geojson([(_site("A1", area_mu=3.0), _ring(-30.0, 20.0)),
                               (_site("A2", area_mu=3.0), _ring(LON, LAT))]))


@writes("sites_wrong_gk_zone.zip", gdal=True)
def _wrong_zone(path: Path) -> None:
    # Coordinates of zone 38 (EPSG:4547, central meridian 114°E) under a .prj of zone 37 (111°E): 300 km west.
    parts = _shapefile_parts(_sites("EPSG:4546", (GK_E, GK_N), 100.0))
    path.write_bytes(_zip_shapefile(parts))


# --- bad input that used to exit 1 ---------------------------------------------------------------
@writes("sites_tz_date.gpkg", gdal=True)
def _tz_date(path: Path) -> None:
    import pandas as pd

    gdf = _sites("EPSG:4326", (LON, LAT), 0.002,
                 available_from=pd.to_datetime(["2022-05-01T08:00:00+08:00"] * 3))
    _write_gpkg(path, [("parcels", gdf)])


@writes("scenario_deeply_nested.toml")
def _nested(path: Path) -> None:
    path.write_bytes(_scenario("x = " + "[" * 50_000 + "]" * 50_000 + "\n"))


#: Valid scenarios whose command lines are the bad input (one file per case: the manifest lists each once).
CLI_CASES = {
    "scenario_cli_time_limit_nan.toml": "--time-limit nan",
    "scenario_cli_time_limit_inf.toml": "--time-limit inf",
    "scenario_cli_start_folder.toml": "--start DIR (a folder, not an assignments.csv)",
    "scenario_cli_out_beneath_file.toml": "--out beneath a file",
    "scenario_cli_out_too_long.toml": "--out with a name over 255 bytes",
    "scenario_cli_compare_out_file.toml": "compare --out FILE",
}


def _cli_case(name: str, what: str) -> None:
    def write(path: Path) -> None:
        path.write_bytes(f"# valid: the command line is the bad input ({what})\nname = \"plain\"\n".encode()
                         + _scenario(""))

    writes(name)(write)


for _name, _what in CLI_CASES.items():
    _cli_case(_name, _what)


# --- control characters --------------------------------------------------------------------------
@writes("projects_control_chars.csv")
def _controls(path: Path) -> None:
    path.write_bytes(_csv([
        PROJECT_HEADER,
        ["P001", "铭利达\x07新能源\x1b[31m", "nev_parts", "", 12.5, "land", 120, None, 1],
        ["P\x00002", "震裕\x0b租赁", "nev_parts", "", 1.2, "lease", None, 8000, 2],
    ]))


# ==============================================================================================
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: tests/data/bad)")
    parser.add_argument("names", nargs="*", help="only these files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, write in WRITERS.items():
        if args.names and name not in args.names:
            continue
        write(args.out / name)
        print(f"{name}: {(args.out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
