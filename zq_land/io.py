"""Reading the planners' files: sites (GIS layers) and projects (CSV / Excel), with validation.

Both readers gather every problem of a file into one :class:`ValidationReport` and raise a single
:class:`InputError` carrying it, so a planner fixes a file in one pass. Rows are numbered as in a
spreadsheet (header = row 1, first record = row 2); for GIS layers that is the attribute table as
Excel or LibreOffice shows it. Messages name the file, the row, the site or project id when known,
and the column, in Chinese and English.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io as _io
import os
import shutil
import struct
import tempfile
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from . import geo
from ._errors import InputError, ValidationReport
from ._validate import (
    col_label,
    cpg_to_codec,
    detect_text_encoding,
    is_missing,
    match_headers,
    parse_date,
    parse_number,
    split_codes,
    text_of,
)
from .vocab import (
    ANCHOR_ALIASES,
    INDUSTRIES,
    INDUSTRY_LOOKUP,
    INDUSTRY_ZH,
    KIND_LOOKUP,
    KIND_ZH,
    KINDS,
    MODE_LOOKUP,
    MODE_ZH,
    MODES,
    PROJECT_COLUMNS,
    PROJECT_HEADERS,
    SITE_COLUMNS,
    SITE_HEADERS,
    STATUS_LOOKUP,
    STATUS_ZH,
    canonical_anchor,
    header_lookup,
    norm_token,
)

#: Columns of the sites table, in order (docs/ARCHITECTURE.md); extra user columns follow.
SITE_TABLE_COLUMNS: tuple[str, ...] = (*SITE_COLUMNS, "lon", "lat", "area_mu_geom")
SITE_EXTENSIONS = (".gpkg", ".geojson", ".json", ".zip", ".shp")
PROJECT_EXTENSIONS = (".csv", ".txt", ".xlsx", ".xlsm")
#: Declared and computed areas may differ by this share before a warning.
AREA_TOLERANCE = 0.05
#: Zip safety limits: total uncompressed size and compression ratio.
ZIP_MAX_BYTES = 500 * 1024 * 1024
ZIP_MAX_RATIO = 100
#: Header search depth for Excel/CSV title rows.
HEADER_SEARCH_ROWS = 5
_ANY_INDUSTRY = {"any", "all", "全部", "不限", "任意", "所有"}


# ==============================================================================================
# public API
# ==============================================================================================
def read_sites(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    layer: str | None = None,
    report: ValidationReport | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate a sites layer into the canonical sites table (EPSG:4326).

    Parameters
    ----------
    path
        GeoPackage, GeoJSON, zipped Shapefile, ``.shp`` or a folder holding one.
    columns
        The user's header mapping ``{their header: canonical column}``.
    encoding
        Text encoding of a Shapefile's ``.dbf``; default: the ``.cpg``, else detected (UTF-8 or GBK).
    layer
        Layer of a GeoPackage, or the Shapefile's name when a zip or folder holds several.
    report
        When given, every problem found (warnings included) is appended to it.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns as in docs/ARCHITECTURE.md, then the user's extra columns.
        ``attrs["source_crs"]`` is the CRS the file declared, ``attrs["metric_crs"]`` the one used for areas.

    Raises
    ------
    InputError
        With the report of every problem of the file when any is an error.
    """
    path = Path(path)
    rep = ValidationReport()
    try:
        with contextlib.ExitStack() as stack:
            gdf = _read_sites(path, str(path), columns, encoding, layer, rep, stack)
    finally:
        if report is not None:
            report.extend(rep)
    return _accepted(gdf, rep, path, "无法读取地块文件", "the sites file could not be read")


def read_projects(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """Read and validate the project pipeline (CSV or Excel) into the canonical projects table.

    Parameters
    ----------
    path
        ``.csv`` (UTF-8, UTF-8 with BOM, GBK/GB18030: detected) or ``.xlsx``.
    columns
        The user's header mapping ``{their header: canonical column}``.
    sheet
        Excel worksheet; default the first.
    encoding
        CSV encoding; default detected.
    report
        When given, every problem found (warnings included) is appended to it.

    Returns
    -------
    pandas.DataFrame
        Columns as in docs/ARCHITECTURE.md, then the user's extra columns; ``attrs["rows"]`` holds
        each project's spreadsheet row number.

    Raises
    ------
    InputError
        With the report of every problem of the file when any is an error.
    """
    path = Path(path)
    rep = ValidationReport()
    try:
        df = _read_projects(path, str(path), columns, sheet, encoding, rep)
    finally:
        if report is not None:
            report.extend(rep)
    return _accepted(df, rep, path, "无法读取项目文件", "the projects file could not be read")


def validate_files(
    *,
    sites: str | Path | None = None,
    projects: str | Path | None = None,
    site_columns: Mapping[str, str] | None = None,
    project_columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    site_layer: str | None = None,
) -> ValidationReport:
    """Check a sites file and/or a projects file; never raises for bad data.

    Besides each file's own problems, cross-checks the two: a project whose anchor matches no
    ``occupied`` site, and modes that no site kind can serve, are reported as warnings.

    Returns
    -------
    ValidationReport
        ``ok`` is True when the files can be used (warnings allowed).
    """
    return check_files(
        sites=sites,
        projects=projects,
        site_columns=site_columns,
        project_columns=project_columns,
        sheet=sheet,
        site_layer=site_layer,
    )[0]


def check_files(
    *,
    sites: str | Path | None = None,
    projects: str | Path | None = None,
    site_columns: Mapping[str, str] | None = None,
    project_columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    site_layer: str | None = None,
) -> tuple[ValidationReport, gpd.GeoDataFrame | None, pd.DataFrame | None]:
    """Like :func:`validate_files`, also returning the tables that could be read (else None)."""
    rep = ValidationReport()
    site_df: gpd.GeoDataFrame | None = None
    proj_df: pd.DataFrame | None = None
    if sites is not None:
        with contextlib.suppress(InputError):
            site_df = read_sites(sites, columns=site_columns, layer=site_layer, report=rep)
    if projects is not None:
        with contextlib.suppress(InputError):
            proj_df = read_projects(projects, columns=project_columns, sheet=sheet, report=rep)
    if site_df is not None and proj_df is not None:
        _cross_check(site_df, proj_df, str(projects), rep)
    return rep, site_df, proj_df


def summarize_sites(gdf: gpd.GeoDataFrame) -> str:
    """One line describing a sites table: counts by kind and total capacity."""
    counts = gdf["kind"].value_counts()
    land = gdf.loc[gdf["kind"] == "land", "area_mu"].sum()
    floor = gdf.loc[gdf["kind"] != "land", "floor_area_m2"].sum()
    parts = ", ".join(f"{k} {int(counts.get(k, 0))}" for k in KINDS)
    return (
        f"{len(gdf)} sites ({parts}); land {land:,.1f} mu, floor {floor:,.0f} m2; "
        f"CRS {gdf.attrs.get('source_crs', '?')}"
    )


def summarize_projects(df: pd.DataFrame) -> str:
    """One line describing a projects table: counts by mode and total investment."""
    counts = df["mode"].value_counts()
    parts = ", ".join(f"{m} {int(counts.get(m, 0))}" for m in MODES)
    return f"{len(df)} projects ({parts}); investment {df['investment_yi'].sum():,.2f} 亿元"


_T = TypeVar("_T", gpd.GeoDataFrame, pd.DataFrame)


def _accepted(table: _T | None, rep: ValidationReport, path: Path, zh: str, en: str) -> _T:
    """The table read, or InputError with the file's report when anything in it is an error."""
    if table is None or not rep.ok:
        if rep.ok:  # defensive: a refusal always carries an error
            rep.error(path, zh, en)
        raise InputError(rep)
    return table


def _require_columns(
    required: Iterable[str], present: Iterable[str], found: list[Any], file: str, rep: ValidationReport
) -> None:
    """One error per required canonical column that no column of the file provides."""
    have = set(present)
    found_cols = ", ".join(map(str, found))
    for req in required:
        if req not in have:
            rep.error(
                file,
                f"缺少必需列 {col_label(req)}；文件中的列：{found_cols}",
                f"required column '{req}' is missing; columns found: {found_cols}",
                column=req,
                expected=req,
                found=found_cols,
            )


# ==============================================================================================
# sites: opening the file
# ==============================================================================================
def _read_sites(
    path: Path,
    file: str,
    columns: Mapping[str, str] | None,
    encoding: str | None,
    layer: str | None,
    rep: ValidationReport,
    stack: contextlib.ExitStack,
) -> gpd.GeoDataFrame | None:
    if not _size_ok(path, file, rep):
        return None
    opened = _open_vector(path, file, encoding, layer, rep, stack)
    if opened is None:
        return None
    raw, truncated = opened
    if len(raw) == 0:
        rep.error(file, "文件中没有任何要素（地块）", "the file holds no features (sites)")
        return None
    source_crs = raw.crs
    attr_cols = [c for c in raw.columns if c != raw.geometry.name]
    mapping = match_headers(
        attr_cols, SITE_HEADERS, mapping=columns, truncated=truncated, file=file, report=rep
    )
    _require_columns(("site_id", "kind"), mapping.values(), attr_cols, file, rep)
    table = _site_values(raw, mapping, file, rep)
    geoms = _site_geometries(raw, table, file, rep)
    gdf = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, crs=raw.crs), crs=raw.crs)
    gdf, crs_text = _to_wgs84(gdf, source_crs, file, rep)
    if gdf is None:
        return None
    metric = geo.metric_crs_of(gdf)
    usable = ~(gdf.geometry.isna() | gdf.geometry.is_empty)
    geom_mu = np.full(len(gdf), np.nan)
    lon = np.full(len(gdf), np.nan)
    lat = np.full(len(gdf), np.nan)
    if usable.any():
        sub = gdf.loc[usable]
        geom_mu[usable.to_numpy()] = geo.area_mu(sub, crs=metric)
        lo, la = geo.representative_lonlat(sub, crs=metric)
        lon[usable.to_numpy()] = lo
        lat[usable.to_numpy()] = la
    gdf["area_mu_geom"] = geom_mu
    gdf["lon"] = lon
    gdf["lat"] = lat
    _check_areas(gdf, file, rep)
    extra = [c for c in raw.columns if c not in mapping and c != raw.geometry.name]
    for c in extra:
        name = c if c not in SITE_TABLE_COLUMNS else f"{c}_orig"
        gdf[name] = raw[c].to_numpy()
    ordered = [
        *SITE_TABLE_COLUMNS,
        *[c for c in gdf.columns if c not in SITE_TABLE_COLUMNS and c != "geometry"],
    ]
    out = gpd.GeoDataFrame(gdf[ordered], geometry=gdf.geometry, crs=geo.WGS84).reset_index(drop=True)
    out.attrs["source_crs"] = crs_text
    out.attrs["metric_crs"] = f"EPSG:{metric.to_epsg()}"
    out.attrs["source_file"] = file
    return out


def _open_vector(
    path: Path,
    file: str,
    encoding: str | None,
    layer: str | None,
    rep: ValidationReport,
    stack: contextlib.ExitStack,
) -> tuple[gpd.GeoDataFrame, bool] | None:
    """Open any accepted container; returns the raw layer and whether headers may be cut at 10 bytes."""
    if not path.exists():
        rep.error(file, "找不到地块文件", "sites file not found", found=str(path))
        return None
    suffix = path.suffix.lower()
    if path.is_dir():
        target = _pick_vector(path, file, layer, rep, recursive=False)
    elif suffix == ".zip":
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zq_land_zip_")))
        if not _safe_extract(path, tmp, file, rep):
            return None
        target = _pick_vector(tmp, file, layer, rep, recursive=True)
    elif suffix in (".shp", ".gpkg", ".geojson", ".json"):
        target = path
    else:
        rep.error(
            file,
            f"不支持的文件类型“{path.suffix}”；可用：GeoPackage (.gpkg)、GeoJSON (.geojson)、"
            "压缩的 Shapefile (.zip)、.shp 或含 .shp 的文件夹",
            f"unsupported file type '{path.suffix}'; accepted: GeoPackage (.gpkg), GeoJSON (.geojson), "
            "zipped Shapefile (.zip), .shp or a folder holding one",
            found=path.suffix,
            expected=", ".join(SITE_EXTENSIONS),
        )
        return None
    if target is None:
        return None
    if target.is_file() and target.stat().st_size == 0:
        rep.error(file, f"文件“{target.name}”是空的（0 字节）", f"file '{target.name}' is empty (0 bytes)")
        return None
    is_shp = target.suffix.lower() == ".shp"
    read_layer = layer
    if is_shp:
        enc = _prepare_shapefile(target, file, encoding, rep, stack)
        if enc is None:
            return None
        target, encoding = enc
        read_layer = None
    else:
        read_layer = _pick_layer(target, file, layer, rep)
        if read_layer is None:
            return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # GeoJSON dates as text, so that a bad date is reported by row and column, not by GDAL
            opts = {"DATE_AS_STRING": "YES"} if target.suffix.lower() in (".geojson", ".json") else {}
            raw = pyogrio.read_dataframe(target, layer=read_layer, encoding=encoding, **opts)
    except Exception as exc:  # GDAL raises many kinds for truncated or foreign files
        rep.error(
            file,
            f"无法读取文件（可能已损坏、被截断或不是 GIS 文件）：{_short(exc)}",
            f"cannot read the file (damaged, truncated or not a GIS file): {_short(exc)}",
            found=type(exc).__name__,
        )
        return None
    if not isinstance(raw, gpd.GeoDataFrame):
        rep.error(file, "该图层没有几何（不是空间图层）", "the layer has no geometry (not a spatial layer)")
        return None
    return raw, is_shp


def _pick_vector(
    folder: Path, file: str, layer: str | None, rep: ValidationReport, *, recursive: bool
) -> Path | None:
    pattern = "**/*" if recursive else "*"
    found = sorted(
        p
        for p in folder.glob(pattern)
        if p.is_file() and "__MACOSX" not in p.parts and not p.name.startswith("._")
    )
    shps = [p for p in found if p.suffix.lower() == ".shp"]
    others = [p for p in found if p.suffix.lower() in (".gpkg", ".geojson", ".json")]
    cands = shps or others
    if not cands:
        names = ", ".join(p.name for p in found[:20]) or "-"
        rep.error(
            file,
            f"其中没有 .shp（或 .gpkg/.geojson）文件；找到：{names}",
            f"it holds no .shp (or .gpkg/.geojson) file; found: {names}",
            found=names,
        )
        return None
    if layer is not None and len(cands) > 1:
        hit = [p for p in cands if p.stem == layer or p.name == layer]
        if len(hit) == 1:
            return hit[0]
        names = ", ".join(p.stem for p in cands)
        rep.error(
            file,
            f"找不到图层“{layer}”；可用：{names}",
            f"layer '{layer}' not found; available: {names}",
            found=layer,
            expected=names,
        )
        return None
    if len(cands) > 1:
        names = ", ".join(p.stem for p in cands)
        rep.error(
            file,
            f"包含多个图层：{names}；请指定要读取的图层（layer / --sites-layer）",
            f"it holds several layers: {names}; say which one to read (layer= / --sites-layer)",
            found=names,
        )
        return None
    return cands[0]


def _pick_layer(target: Path, file: str, layer: str | None, rep: ValidationReport) -> str | None:
    try:
        layers = [str(n) for n, _g in pyogrio.list_layers(target)]
    except Exception as exc:
        rep.error(
            file,
            f"无法读取文件（可能已损坏、被截断或不是 GIS 文件）：{_short(exc)}",
            f"cannot read the file (damaged, truncated or not a GIS file): {_short(exc)}",
            found=type(exc).__name__,
        )
        return None
    if not layers:
        rep.error(file, "文件中没有图层", "the file holds no layer")
        return None
    if layer is not None:
        if layer in layers:
            return layer
        rep.error(
            file,
            f"找不到图层“{layer}”；可用：{', '.join(layers)}",
            f"layer '{layer}' not found; available: {', '.join(layers)}",
            found=layer,
            expected=", ".join(layers),
        )
        return None
    if len(layers) > 1:
        rep.error(
            file,
            f"包含多个图层：{', '.join(layers)}；请指定要读取的图层（layer / --sites-layer）",
            f"it holds several layers: {', '.join(layers)}; say which one to read (layer= / --sites-layer)",
            found=", ".join(layers),
        )
        return None
    return layers[0]


def _safe_extract(archive: Path, dest: Path, file: str, rep: ValidationReport) -> bool:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        rep.error(file, f"不是有效的 zip 压缩包：{_short(exc)}", f"not a valid zip archive: {_short(exc)}")
        return False
    with zf:
        infos = zf.infolist()
        bad = [
            i.filename
            for i in infos
            if i.filename.startswith(("/", "\\"))
            or ".." in Path(i.filename.replace("\\", "/")).parts
            or (len(i.filename) > 1 and i.filename[1] == ":")
        ]
        if bad:
            rep.error(
                file,
                f"压缩包含有不安全的路径（绝对路径或 ..）：{', '.join(bad[:5])}，拒绝解压",
                f"the archive holds unsafe paths (absolute or '..'): {', '.join(bad[:5])}; refused",
                found=", ".join(bad[:5]),
            )
            return False
        if not _zip_sizes_ok(infos, file, rep):
            return False
        try:
            for info in infos:
                if info.is_dir():
                    continue
                out = dest / info.filename.replace("\\", "/")
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            rep.error(
                file, f"压缩包已损坏，无法解压：{_short(exc)}", f"the archive is damaged: {_short(exc)}"
            )
            return False
    return True


def _prepare_shapefile(
    shp: Path, file: str, encoding: str | None, rep: ValidationReport, stack: contextlib.ExitStack
) -> tuple[Path, str] | None:
    """Check a Shapefile's parts, choose its encoding, and repair cut UTF-8 field names."""
    parts = {p.suffix.lower(): p for p in shp.parent.glob(shp.stem + ".*") if p.stem == shp.stem}
    missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
    if missing:
        rep.error(
            file,
            f"Shapefile“{shp.name}”缺少组成文件：{', '.join(missing)}",
            f"Shapefile '{shp.name}' lacks its {', '.join(missing)} part",
            found=", ".join(missing),
        )
        return None
    dbf = parts[".dbf"]
    header = _dbf_fields(dbf)
    if header is None:
        rep.error(
            file,
            f"“{dbf.name}”不是有效的 dBase 属性表（已损坏或被截断）",
            f"'{dbf.name}' is not a valid dBase attribute table (damaged or truncated)",
        )
        return None
    names, text_bytes = header
    enc = encoding
    if enc is None and ".cpg" in parts:
        enc = cpg_to_codec(parts[".cpg"].read_text(encoding="ascii", errors="ignore"))
    if enc is None:
        enc = detect_text_encoding([*(_utf8_trimmed(n) for n in names), *text_bytes])
    fixed = [_trim_to_codec(n, enc) for n in names]
    if fixed != names:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zq_land_shp_")))
        for ext, p in parts.items():
            if ext in (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj"):
                shutil.copy(p, tmp / p.name)
        _rewrite_dbf_names(tmp / dbf.name, fixed)
        shp = tmp / shp.name
    return shp, enc


def _dbf_fields(dbf: Path, max_records: int = 5000) -> tuple[list[bytes], list[bytes]] | None:
    """Raw field names and the bytes of text fields of the first records of a .dbf."""
    try:
        with dbf.open("rb") as fh:
            head = fh.read(32)
            if len(head) < 32:
                return None
            n_rec, hlen, rlen = struct.unpack("<IHH", head[4:12])
            desc = fh.read(max(hlen - 32, 0))
            names: list[bytes] = []
            text_slices: list[tuple[int, int]] = []
            offset = 1
            for i in range(0, len(desc) - 31, 32):
                d = desc[i : i + 32]
                if d[0] == 0x0D:
                    break
                names.append(d[:11].split(b"\x00")[0])
                length = d[16]
                if d[11:12] == b"C":
                    length = d[16] + 256 * d[17]
                    text_slices.append((offset, length))
                offset += length
            body = fh.read(rlen * min(n_rec, max_records))
    except OSError:
        return None
    chunks: list[bytes] = []
    for r in range(0, len(body) - rlen + 1, max(rlen, 1)):
        rec = body[r : r + rlen]
        chunks.extend(rec[o : o + n].rstrip(b" \x00") for o, n in text_slices)
    return names, [c for c in chunks if c]


def _utf8_trimmed(name: bytes) -> bytes:
    # A UTF-8 name cut at 10 bytes ends with a partial character: drop it before testing.
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        dec.decode(name, final=False)
    except UnicodeDecodeError:
        return name
    for cut in range(0, 4):
        with contextlib.suppress(UnicodeDecodeError):
            (name[: len(name) - cut] if cut else name).decode("utf-8")
            return name[: len(name) - cut] if cut else name
    return name


def _trim_to_codec(name: bytes, enc: str) -> bytes:
    for cut in range(0, 4):
        part = name[: len(name) - cut] if cut else name
        try:
            part.decode(enc)
            return part
        except (UnicodeDecodeError, LookupError):
            continue
    return name


def _rewrite_dbf_names(dbf: Path, names: list[bytes]) -> None:
    data = bytearray(dbf.read_bytes())
    for i, name in enumerate(names):
        start = 32 + 32 * i
        data[start : start + 11] = name[:10].ljust(11, b"\x00")
    dbf.write_bytes(bytes(data))


# ==============================================================================================
# sites: values, geometry, CRS, areas
# ==============================================================================================
def _site_values(
    raw: gpd.GeoDataFrame, mapping: Mapping[str, str], file: str, rep: ValidationReport
) -> pd.DataFrame:
    """Parse and check every canonical attribute; returns the table without geometry."""
    src = {canon: col for col, canon in mapping.items()}
    n = len(raw)
    rows = [i + 2 for i in range(n)]

    def col(canon: str) -> list[Any]:
        return list(raw[src[canon]]) if canon in src else [None] * n

    ids = [text_of(v) for v in col("site_id")]
    out = pd.DataFrame(index=range(n))
    out["site_id"] = ids
    if "site_id" in src:
        _check_ids(ids, rows, "site_id", file, rep, what_zh="地块", what_en="site")
    out["name"] = [text_of(v) for v in col("name")]
    out["kind"] = _coded(
        col("kind"), ids, rows, "kind", KIND_LOOKUP, KIND_ZH, file, rep, required="kind" in src
    )
    if "status" in src:
        status = _coded(
            col("status"),
            ids,
            rows,
            "status",
            STATUS_LOOKUP,
            STATUS_ZH,
            file,
            rep,
            required=False,
            default="vacant",
        )
    else:
        status = ["vacant"] * n
        rep.warn(
            file,
            "没有 status（状态）列：所有地块按“空闲”(vacant) 处理",
            "no 'status' column: every site is taken as vacant",
            column="status",
        )
    out["status"] = status
    for canon in ("area_mu", "floor_area_m2", "min_invest_wan_per_mu"):
        out[canon] = _numbers(col(canon), ids, rows, canon, file, rep, minimum=0.0)
    out["industries"] = _industries(col("industries"), ids, rows, file, rep)
    out["zone"] = [text_of(v) for v in col("zone")]
    out["available_from"] = _dates(col("available_from"), ids, rows, "available_from", file, rep)
    out["anchor"] = [canonical_anchor(text_of(v)) for v in col("anchor")]
    for i, (kind, floor, st) in enumerate(zip(out["kind"], out["floor_area_m2"], status, strict=True)):
        # Occupied sites (anchors) are drawn, never allocated: their capacity does not matter.
        if kind not in ("factory", "platform") or st == "occupied":
            continue
        where = {"row": rows[i], "item_id": ids[i] or None, "column": "floor_area_m2"}
        if floor != floor:
            rep.error(
                file,
                f"{KIND_ZH[kind]}类地块缺少 floor_area_m2（建筑面积），没有可租的容量",
                f"a {kind} site needs floor_area_m2 (leasable floor space): without it it has no capacity",
                expected="> 0",
                **where,
            )
        elif floor == 0:
            rep.warn(
                file,
                f"{KIND_ZH[kind]}类地块的 floor_area_m2（建筑面积）为 0：不会分配任何项目",
                f"the {kind} site has floor_area_m2 = 0: no project will be placed on it",
                found="0",
                **where,
            )
    return out


def _site_geometries(
    raw: gpd.GeoDataFrame, table: pd.DataFrame, file: str, rep: ValidationReport
) -> list[BaseGeometry | None]:
    """Check geometry types, repair invalid polygons, keep only polygonal parts."""
    out: list[BaseGeometry | None] = []
    for i, g in enumerate(raw.geometry):
        where = {"row": i + 2, "item_id": table["site_id"].iat[i] or None, "column": "geometry"}
        # A land site's capacity comes from area_mu or, failing that, from its geometry.
        no_area = table["kind"].iat[i] == "land" and not (table["area_mu"].iat[i] >= 0)
        tail_zh = "；它也没有 area_mu（面积），因此没有容量" if no_area else ""
        tail_en = "; it has no area_mu either, so it has no capacity" if no_area else ""
        if g is None or g.is_empty:
            rep.error(
                file,
                f"地块缺少几何（边界为空）{tail_zh}",
                f"the site has no geometry (empty shape){tail_en}",
                expected="Polygon / MultiPolygon",
                **where,
            )
            out.append(None)
            continue
        if g.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
            rep.error(
                file,
                f"地块几何须为面（Polygon/MultiPolygon），实际为 {g.geom_type}{tail_zh}",
                f"site geometry must be Polygon/MultiPolygon, found {g.geom_type}{tail_en}",
                found=g.geom_type,
                expected="Polygon / MultiPolygon",
                **where,
            )
            out.append(None)
            continue
        reason = ""
        if not g.is_valid:
            reason = str(shapely.is_valid_reason(g))
            g = shapely.make_valid(g)
        poly = _polygonal(g)
        if poly is None or poly.is_empty or poly.area == 0:
            after_zh, after_en = ("修复后", "after repair ") if reason else ("", "")
            rep.error(
                file,
                f"地块几何{after_zh}没有面积（不是可用的面）{tail_zh}",
                f"the site geometry has no area {after_en}(no usable polygon){tail_en}",
                found=reason or g.geom_type,
                **where,
            )
            out.append(None)
            continue
        if reason:
            rep.warn(
                file,
                f"地块几何无效（{reason}），已自动修复（make_valid，仅保留面部分）",
                f"invalid site geometry ({reason}) was repaired (make_valid, polygonal parts kept)",
                found=reason,
                **where,
            )
        out.append(poly)
    return out


def _polygonal(g: BaseGeometry) -> BaseGeometry | None:
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _to_wgs84(
    gdf: gpd.GeoDataFrame, crs: pyproj.CRS | None, file: str, rep: ValidationReport
) -> tuple[gpd.GeoDataFrame | None, str]:
    """Bring the layer to EPSG:4326, refusing coordinates that do not fit the declared (or no) CRS."""
    usable = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if usable.empty:
        return gdf.set_crs(geo.WGS84, allow_override=True), crs.to_string() if crs else "none"
    minx, miny, maxx, maxy = (float(v) for v in usable.total_bounds)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    at = f"x≈{cx:,.0f}, y≈{cy:,.0f}" if max(abs(cx), abs(cy)) > 1000 else f"x≈{cx:.4f}, y≈{cy:.4f}"
    degrees = abs(minx) <= 180 and abs(maxx) <= 180 and abs(miny) <= 90 and abs(maxy) <= 90
    if crs is None:
        if degrees:
            rep.warn(
                file,
                "文件没有声明坐标系；坐标像经纬度，按 WGS84 (EPSG:4326) 处理",
                "the file declares no CRS; its coordinates look like degrees and are taken as WGS84 "
                "(EPSG:4326)",
                column="geometry",
            )
            return gdf.set_crs(geo.WGS84), "none (assumed EPSG:4326)"
        _refuse_projected_without_crs(cx, cy, at, file, rep)
        return None, "none"
    epsg = crs.to_epsg()
    label = f"EPSG:{epsg}" if epsg else crs.name
    if crs.is_geographic:
        if not degrees:
            if abs(cx) <= 90 and abs(cy) <= 180:
                rep.error(
                    file,
                    f"坐标的经纬度似乎写反了（{at}），请交换 x/y",
                    f"longitude and latitude look swapped ({at}); swap x and y",
                    column="geometry",
                    found=at,
                )
            else:
                hint = geo.projected_crs_hint(cx, cy)
                rep.error(
                    file,
                    f"文件声明为经纬度坐标系 {label}，但坐标不是经纬度（{at}）"
                    + (f"；可能是 {hint}" if hint else ""),
                    f"the file declares the geographic CRS {label} but its coordinates are not degrees ({at})"
                    + (f"; likely {hint}" if hint else ""),
                    column="geometry",
                    found=at,
                )
            return None, label
        if epsg in (4326, geo.CGCS2000_GEOGRAPHIC):
            # CGCS2000 and WGS84 differ by centimetres: drawn as EPSG:4326 without transformation.
            return gdf.set_crs(geo.WGS84, allow_override=True), label
        return _checked_to_crs(gdf, label, at, file, rep), label
    if degrees:
        rep.error(
            file,
            f"文件声明为投影坐标系 {label}，但坐标像经纬度（{at}）；请核对坐标系声明（.prj 或 crs）",
            f"the file declares the projected CRS {label} but its coordinates look like degrees ({at}); "
            "check the declared CRS (.prj or crs member)",
            column="geometry",
            found=at,
        )
        return None, label
    if geo.looks_swapped(cx, cy):
        _refuse_swapped(at, label, file, rep)
        return None, label
    if epsg is not None and epsg in geo.GK3_PLAIN and cx >= 1.0e7:
        rep.error(
            file,
            f"文件声明为 {label}（无带号），但东坐标带有带号前缀（{at}）；应为 EPSG:{epsg - 21}",
            f"the file declares {label} (no zone prefix) but its eastings carry a zone prefix ({at}); "
            f"it is probably EPSG:{epsg - 21}",
            column="geometry",
            found=at,
            expected=f"EPSG:{epsg - 21}",
        )
        return None, label
    if epsg is not None and epsg in geo.GK3_PREFIXED and cx < 1.0e7:
        rep.error(
            file,
            f"文件声明为 {label}（带号），但东坐标没有带号前缀（{at}）；应为 EPSG:{epsg + 21}",
            f"the file declares {label} (zone-prefixed eastings) but its eastings have no prefix ({at}); "
            f"it is probably EPSG:{epsg + 21}",
            column="geometry",
            found=at,
            expected=f"EPSG:{epsg + 21}",
        )
        return None, label
    return _checked_to_crs(gdf, label, at, file, rep), label


def _checked_to_crs(
    gdf: gpd.GeoDataFrame, label: str, at: str, file: str, rep: ValidationReport
) -> gpd.GeoDataFrame | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = gdf.to_crs(geo.WGS84)
    b = out.geometry[~(out.geometry.isna() | out.geometry.is_empty)].total_bounds
    if not (
        np.all(np.isfinite(b))
        and abs(b[0]) <= 180
        and abs(b[2]) <= 180
        and abs(b[1]) <= 90
        and abs(b[3]) <= 90
    ):
        rep.error(
            file,
            f"坐标（{at}）与文件声明的坐标系 {label} 不符，无法换算为经纬度",
            f"the coordinates ({at}) do not fit the declared CRS {label}: they do not convert to degrees",
            column="geometry",
            found=at,
        )
        return None
    return out


def _refuse_projected_without_crs(cx: float, cy: float, at: str, file: str, rep: ValidationReport) -> None:
    if geo.looks_swapped(cx, cy):
        _refuse_swapped(at, "none", file, rep)
        return
    hint = geo.projected_crs_hint(cx, cy)
    rep.error(
        file,
        f"文件没有坐标系（缺少 .prj），且坐标像投影坐标而非经纬度（{at}）"
        + (f"；很可能是 {hint}" if hint else "")
        + "；请补上 .prj 或在 GIS 中指定坐标系后另存",
        f"the file has no CRS (no .prj) and its coordinates look projected, not degrees ({at})"
        + (f"; likely {hint}" if hint else "")
        + "; add the .prj or set the CRS in your GIS and save again",
        column="geometry",
        found=at,
        expected="a declared CRS",
    )


def _refuse_swapped(at: str, label: str, file: str, rep: ValidationReport) -> None:
    rep.error(
        file,
        f"坐标的 X/Y 列似乎写反了（{at}）：x 像北坐标、y 像东坐标（高斯-克吕格测量表常先写 X=北坐标）；"
        "请交换后再导入",
        f"the coordinate columns look swapped ({at}): x looks like a northing and y like an easting "
        "(Gauss-Kruger survey tables list X = northing first); swap them and import again",
        column="geometry",
        found=at,
        expected=f"easting first in {label}" if label != "none" else "easting first",
    )


def _check_areas(gdf: gpd.GeoDataFrame, file: str, rep: ValidationReport) -> None:
    """Fill area_mu from the geometry; warn when a declared area and the geometry disagree."""
    declared = gdf["area_mu"].to_numpy(dtype=float)
    geom = gdf["area_mu_geom"].to_numpy(dtype=float)
    for i in range(len(gdf)):
        sid = gdf["site_id"].iat[i] or None
        d, g = declared[i], geom[i]
        if np.isnan(d):
            continue
        if g > 0 and abs(d - g) > AREA_TOLERANCE * g:
            rep.warn(
                file,
                f"填写的面积 {d:,.2f} 亩与几何计算的 {g:,.2f} 亩相差 {abs(d - g) / g:.0%}（超过 5%）；"
                "以填写的面积为准",
                f"declared area {d:,.2f} mu differs from the {g:,.2f} mu of the geometry by "
                f"{abs(d - g) / g:.0%} (over 5 %); the declared area is used",
                row=i + 2,
                item_id=sid,
                column="area_mu",
                found=f"{d:g}",
                expected=f"{g:.2f}",
            )
    gdf["area_mu"] = np.where(np.isnan(declared), geom, declared)


# ==============================================================================================
# projects
# ==============================================================================================
def _read_projects(
    path: Path,
    file: str,
    columns: Mapping[str, str] | None,
    sheet: str | None,
    encoding: str | None,
    rep: ValidationReport,
) -> pd.DataFrame | None:
    if not path.is_file():
        rep.error(file, "找不到项目文件", "projects file not found", found=str(path))
        return None
    if not _size_ok(path, file, rep):
        return None
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        rows = _csv_rows(path, file, encoding, rep)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, file, sheet, rep)
    else:
        hint_zh = "；.xls 请在 Excel 中另存为 .xlsx" if suffix == ".xls" else ""
        hint_en = "; save a .xls as .xlsx in Excel" if suffix == ".xls" else ""
        rep.error(
            file,
            f"不支持的文件类型“{path.suffix}”；可用：.csv、.xlsx{hint_zh}",
            f"unsupported file type '{path.suffix}'; accepted: .csv, .xlsx{hint_en}",
            found=path.suffix,
            expected=", ".join(PROJECT_EXTENSIONS),
        )
        return None
    if rows is None:
        return None
    if not any(any(not is_missing(c) for c in r) for r in rows):
        rep.error(file, "文件是空的：没有表头也没有数据", "the file is empty: no header and no data")
        return None
    found = _find_header(rows, columns)
    if found is None:
        first = next(r for r in rows if any(not is_missing(c) for c in r))
        seen = ", ".join(text_of(c) for c in first if not is_missing(c))
        known = ", ".join(PROJECT_COLUMNS)
        rep.error(
            file,
            f"前 {HEADER_SEARCH_ROWS} 行中找不到可识别的表头；文件中的列：{seen}；可识别：{known}"
            "（或用列映射指定）",
            f"no known header in the first {HEADER_SEARCH_ROWS} rows; columns found: {seen}; known: "
            f"{known} (or map your columns)",
            row=rows.index(first) + 1,
            found=seen,
            expected=known,
        )
        return None
    hidx, header = found
    body = rows[hidx + 1 :]
    width = max([len(header), *(len(r) for r in body)])
    names = _header_names(header, width, body)
    _refuse_duplicate_headers(header, hidx + 1, file, rep)
    records: list[list[Any]] = []
    row_numbers: list[int] = []
    for k, r in enumerate(body):
        cells = list(r) + [None] * (width - len(r))
        if all(is_missing(c) for c in cells):
            continue  # blank rows between data are fine
        records.append([cells[j] for j in names])
        row_numbers.append(hidx + 2 + k)
    raw = pd.DataFrame(records, columns=list(names.values()), dtype=object)
    if raw.empty:
        rep.error(file, "表头下没有任何项目数据", "no project rows under the header", row=hidx + 1)
        return None
    mapping = match_headers(
        list(raw.columns), PROJECT_HEADERS, mapping=columns, truncated=False, file=file, report=rep
    )
    return _project_values(raw, mapping, row_numbers, file, rep)


def _csv_rows(path: Path, file: str, encoding: str | None, rep: ValidationReport) -> list[list[Any]] | None:
    data = path.read_bytes()
    if not data.strip():
        rep.error(file, "文件是空的", "the file is empty")
        return None
    if encoding:
        enc = encoding
    elif data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16"
    else:
        enc = detect_text_encoding([data])
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        row = data[: exc.start].count(b"\n") + 1 if isinstance(exc, UnicodeDecodeError) else None
        at_zh = f"第 {row} 行有无法识别的字节；" if row else ""
        at_en = f"row {row} holds bytes that are not text; " if row else ""
        rep.error(
            file,
            f"{at_zh}无法按 {enc} 解码文件：{_short(exc)}；请另存为 UTF-8 或 GBK 的 CSV",
            f"{at_en}cannot decode the file as {enc}: {_short(exc)}; save it as UTF-8 or GBK CSV",
            row=row,
            found=enc,
        )
        return None
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(r) for r in csv.reader(_io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        rep.error(file, f"CSV 格式错误：{_short(exc)}", f"malformed CSV: {_short(exc)}")
        return None


def max_input_bytes() -> int:
    """The largest input file accepted: ``ZQ_LAND_MAX_INPUT_MB`` (default 1,024 MB)."""
    try:
        mb = float(os.environ.get("ZQ_LAND_MAX_INPUT_MB", "1024"))
    except ValueError:
        mb = 1024.0
    return int(mb * 2**20)


def _size_ok(path: Path, file: str, rep: ValidationReport) -> bool:
    if not path.is_file():
        return True  # folders (.shp sets) are checked part by part by GDAL; missing files elsewhere
    size, limit = path.stat().st_size, max_input_bytes()
    if size > limit:
        rep.error(
            file,
            f"文件 {size / 2**20:,.0f} MB，超过上限 {limit / 2**20:,.0f} MB（ZQ_LAND_MAX_INPUT_MB）",
            f"the file is {size / 2**20:,.0f} MB, over the {limit / 2**20:,.0f} MB limit (ZQ_LAND_MAX_INPUT_MB)",
            found=f"{size} bytes",
        )
        return False
    return True


def _zip_sizes_ok(infos: list[zipfile.ZipInfo], file: str, rep: ValidationReport) -> bool:
    """Refuse archives (zipped Shapefiles, and .xlsx, which are zips too) that unpack too big."""
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if total > ZIP_MAX_BYTES:
        rep.error(
            file,
            f"压缩包解压后 {total / 2**20:,.0f} MB，超过上限 {ZIP_MAX_BYTES / 2**20:.0f} MB",
            f"the archive unpacks to {total / 2**20:,.0f} MB, over the {ZIP_MAX_BYTES / 2**20:.0f} MB limit",
            found=f"{total} bytes",
        )
        return False
    # Tiny archives of padded .dbf files compress very well; the ratio matters only when big.
    if total > 10 * 2**20 and total / packed > ZIP_MAX_RATIO:
        rep.error(
            file,
            f"压缩比 {total / packed:,.0f} 超过 {ZIP_MAX_RATIO}，疑似压缩炸弹，拒绝解压",
            f"compression ratio {total / packed:,.0f} is over {ZIP_MAX_RATIO} (a zip bomb?); refused",
            found=f"{total / packed:.0f}",
        )
        return False
    return True


def _xlsx_rows(path: Path, file: str, sheet: str | None, rep: ValidationReport) -> list[list[Any]] | None:
    import openpyxl

    try:
        with zipfile.ZipFile(path) as zf:
            if not _zip_sizes_ok(zf.infolist(), file, rep):
                return None
    except (zipfile.BadZipFile, OSError):
        pass  # not a zip at all: openpyxl below says so in its own words
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        rep.error(
            file,
            f"无法读取 Excel 文件（已损坏或不是 .xlsx）：{_short(exc)}",
            f"cannot read the Excel file (damaged or not .xlsx): {_short(exc)}",
            found=type(exc).__name__,
        )
        return None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            rep.error(
                file,
                f"找不到工作表“{sheet}”；可用：{', '.join(wb.sheetnames)}",
                f"worksheet '{sheet}' not found; available: {', '.join(wb.sheetnames)}",
                column=None,
                found=sheet,
                expected=", ".join(wb.sheetnames),
            )
            return None
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _find_header(rows: list[list[Any]], columns: Mapping[str, str] | None) -> tuple[int, list[Any]] | None:
    lookup = header_lookup(dict(PROJECT_HEADERS))
    user = {norm_token(k) for k in (columns or {})}
    best: tuple[int, int] | None = None
    for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = sum(1 for c in r if not is_missing(c) and (norm_token(c) in lookup or norm_token(c) in user))
        if score and (best is None or score > best[1]):
            best = (i, score)
    return None if best is None else (best[0], rows[best[0]])


def _refuse_duplicate_headers(header: list[Any], row: int, file: str, rep: ValidationReport) -> None:
    """Two columns under one known header name: which one is meant cannot be guessed."""
    lookup = header_lookup(dict(PROJECT_HEADERS))
    seen: dict[str, list[str]] = {}
    for c in header:
        if not is_missing(c):
            seen.setdefault(norm_token(c), []).append(text_of(c))
    for key, texts in seen.items():
        if len(texts) > 1 and key in lookup:
            rep.error(
                file,
                f"多列都表示 {col_label(lookup[key])}：{len(texts)} 列的表头都是“{texts[0]}”；请删除或改名多余的列",
                f"several columns mean {lookup[key]}: {len(texts)} columns are headed '{texts[0]}'; remove or "
                "rename the extra ones",
                row=row,
                column=texts[0],
                found=", ".join(texts),
            )


def _header_names(header: list[Any], width: int, body: list[list[Any]]) -> dict[int, str]:
    """Column index -> unique header name; unnamed columns holding data get their Excel letter."""
    from openpyxl.utils import get_column_letter

    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    for j in range(width):
        h = text_of(header[j]) if j < len(header) else ""
        if not h:
            if not any(j < len(r) and not is_missing(r[j]) for r in body):
                continue
            h = f"column_{get_column_letter(j + 1)}"
        if h in seen:
            seen[h] += 1
            h = f"{h}.{seen[h]}"  # kept apart here; _header_duplicates() refuses two columns of one meaning
        else:
            seen[h] = 0
        names[j] = h
    return names


def _project_values(
    raw: pd.DataFrame, mapping: Mapping[str, str], rows: list[int], file: str, rep: ValidationReport
) -> pd.DataFrame:
    src = {canon: col for col, canon in mapping.items()}
    n = len(raw)
    _require_columns(("project_id", "investment_yi", "mode"), src, list(raw.columns), file, rep)

    def col(canon: str) -> list[Any]:
        return list(raw[src[canon]]) if canon in src else [None] * n

    ids = [text_of(v) for v in col("project_id")]
    if "project_id" in src:
        _check_ids(
            ids,
            rows,
            "project_id",
            file,
            rep,
            what_zh="项目",
            what_en="project",
            empty_zh="该行有数据但没有 project_id（项目编号）",
            empty_en="this row has values but no project_id",
        )
    out = pd.DataFrame(index=range(n))
    out["project_id"] = ids
    out["name"] = [text_of(v) for v in col("name")]
    if "industry" in src:
        industry = _coded(
            col("industry"),
            ids,
            rows,
            "industry",
            INDUSTRY_LOOKUP,
            INDUSTRY_ZH,
            file,
            rep,
            required=False,
            default="other",
            warn_default=True,
        )
    else:
        industry = ["other"] * n
        rep.warn(
            file,
            "没有 industry（产业类别）列：所有项目按“其他”(other) 处理",
            "no 'industry' column: every project is taken as 'other'",
            column="industry",
        )
    out["industry"] = industry
    out["anchor"] = [canonical_anchor(text_of(v)) for v in col("anchor")]
    out["investment_yi"] = _numbers(
        col("investment_yi"),
        ids,
        rows,
        "investment_yi",
        file,
        rep,
        minimum=0.0,
        required="investment_yi" in src,
    )
    modes = _coded(col("mode"), ids, rows, "mode", MODE_LOOKUP, MODE_ZH, file, rep, required="mode" in src)
    out["mode"] = modes
    land = _numbers(col("land_need_mu"), ids, rows, "land_need_mu", file, rep, minimum=0.0)
    floor = _numbers(col("floor_need_m2"), ids, rows, "floor_need_m2", file, rep, minimum=0.0)
    for i, m in enumerate(modes):
        needs = {
            "land": ("land_need_mu",),
            "land_or_lease": ("land_need_mu", "floor_need_m2"),
            "lease": ("floor_need_m2",),
            "platform": ("floor_need_m2",),
        }.get(m, ())
        for need in needs:
            v = (land if need == "land_need_mu" else floor)[i]
            if not (v > 0):
                unit = "亩" if need == "land_need_mu" else "平方米"
                rep.error(
                    file,
                    f"落地方式为“{MODE_ZH[m]}”({m}) 的项目须填写 {col_label(need)} > 0（{unit}）",
                    f"a project with mode '{m}' needs {need} > 0",
                    row=rows[i],
                    item_id=ids[i] or None,
                    column=need,
                    found="" if v != v else f"{v:g}",
                    expected="> 0",
                )
    out["land_need_mu"] = [v if v > 0 else np.nan for v in land]
    out["floor_need_m2"] = [v if v > 0 else np.nan for v in floor]
    meetings = _numbers(col("review_meeting"), ids, rows, "review_meeting", file, rep, minimum=0.0)
    for i, v in enumerate(meetings):
        if v != v:
            continue
        if not float(v).is_integer():
            zh, en, expected = (f"review_meeting（评审批次）须为整数，实际为 {v:g}",
                                f"review_meeting must be a whole number, found {v:g}", "integer")
        elif v > 100_000:
            zh, en, expected = (f"review_meeting（评审批次）数值过大：{v:g}",
                                f"review_meeting is implausibly large: {v:g}", "1..100000")
        else:
            continue
        rep.error(file, zh, en, row=rows[i], item_id=ids[i] or None, column="review_meeting", found=f"{v:g}",
                  expected=expected)
    out["review_meeting"] = pd.array(
        [int(v) if v == v and float(v).is_integer() and v <= 100_000 else pd.NA for v in meetings], dtype="Int64"
    )
    prio = _numbers(col("priority"), ids, rows, "priority", file, rep, minimum=None)
    out["priority"] = [0.0 if v != v else v for v in prio]
    out["p_land"] = _probabilities(col("p_land"), ids, rows, "p_land", file, rep)
    out = out.astype(
        {"investment_yi": float, "land_need_mu": float, "floor_need_m2": float, "priority": float,
         "p_land": float}
    )
    for c in raw.columns:
        if c not in mapping:
            name = c if c not in PROJECT_COLUMNS else f"{c}_orig"
            out[name] = raw[c].to_numpy()
    out.attrs["rows"] = list(rows)
    out.attrs["source_file"] = file
    return out


# ==============================================================================================
# shared value checks
# ==============================================================================================
def _check_ids(
    ids: list[str],
    rows: list[int],
    column: str,
    file: str,
    rep: ValidationReport,
    *,
    what_zh: str,
    what_en: str,
    empty_zh: str | None = None,
    empty_en: str | None = None,
) -> None:
    first: dict[str, int] = {}
    for i, sid in enumerate(ids):
        if not sid:
            rep.error(
                file,
                empty_zh or f"{column} 为空：每个{what_zh}都需要编号",
                empty_en or f"{column} is empty: every {what_en} needs an id",
                row=rows[i],
                column=column,
                expected="a unique id",
            )
            continue
        if sid in first:
            rep.error(
                file,
                f"{column}“{sid}”重复：第{first[sid]}行与第{rows[i]}行",
                f"duplicate {column} '{sid}': rows {first[sid]} and {rows[i]}",
                row=rows[i],
                item_id=sid,
                column=column,
                found=sid,
                expected="a unique id",
            )
        else:
            first[sid] = rows[i]


def _coded(
    values: list[Any],
    ids: list[str],
    rows: list[int],
    column: str,
    lookup: Mapping[str, str],
    zh: Mapping[str, str],
    file: str,
    rep: ValidationReport,
    *,
    required: bool,
    default: str = "",
    warn_default: bool = False,
) -> list[str]:
    accepted = ", ".join(f"{k} {v}" for k, v in zh.items())
    out: list[str] = []
    for i, v in enumerate(values):
        if is_missing(v):
            if required:
                rep.error(
                    file,
                    f"{col_label(column)} 为空；可用：{accepted}",
                    f"{column} is empty; accepted: {accepted}",
                    row=rows[i],
                    item_id=ids[i] or None,
                    column=column,
                    expected=accepted,
                )
            elif warn_default and default:
                rep.warn(
                    file,
                    f"{col_label(column)} 为空，按“{zh[default]}”({default}) 处理",
                    f"{column} is empty; taken as '{default}'",
                    row=rows[i],
                    item_id=ids[i] or None,
                    column=column,
                )
            out.append(default)
            continue
        code = lookup.get(norm_token(v))
        if code is None:
            rep.error(
                file,
                f"{col_label(column)} 的值“{text_of(v)}”无法识别；可用：{accepted}",
                f"unknown {column} '{text_of(v)}'; accepted: {accepted}",
                row=rows[i],
                item_id=ids[i] or None,
                column=column,
                found=text_of(v),
                expected=accepted,
            )
            out.append(default)
            continue
        out.append(code)
    return out


def _numbers(
    values: list[Any],
    ids: list[str],
    rows: list[int],
    column: str,
    file: str,
    rep: ValidationReport,
    *,
    minimum: float | None,
    required: bool = False,
) -> list[float]:
    out: list[float] = []
    for i, v in enumerate(values):
        x = parse_number(v)
        where = {"row": rows[i], "item_id": ids[i] or None, "column": column}
        if x is None:
            rep.error(
                file,
                f"{col_label(column)} 须为数字，实际为“{text_of(v)}”",
                f"{column} must be a number, found '{text_of(v)}'",
                found=text_of(v),
                expected="a number",
                **where,
            )
            out.append(np.nan)
            continue
        if x != x:
            if required:
                rep.error(
                    file,
                    f"{col_label(column)} 为空，须填写数字",
                    f"{column} is empty; a number is required",
                    expected="a number",
                    **where,
                )
            out.append(np.nan)
            continue
        if minimum is not None and x < minimum:
            rep.error(
                file,
                f"{col_label(column)} 不能为负数，实际为 {x:g}",
                f"{column} must not be negative, found {x:g}",
                found=f"{x:g}",
                expected=f">= {minimum:g}",
                **where,
            )
            out.append(np.nan)
            continue
        out.append(x)
    return out


def _probabilities(
    values: list[Any], ids: list[str], rows: list[int], column: str, file: str, rep: ValidationReport
) -> list[float]:
    """Probabilities from 0 to 1 (``0.75`` or ``75%``); NaN when empty (the scenario's default applies)."""
    share = [parse_number(str(v).strip()[:-1]) if isinstance(v, str) and str(v).strip().endswith(("%", "％"))
             else None for v in values]
    nums = _numbers([v if s is None else s for v, s in zip(values, share, strict=True)], ids, rows, column, file,
                    rep, minimum=0.0)
    out = []
    for i, v in enumerate(nums):
        if share[i] is not None and v == v:
            v = v / 100.0
        if v > 1.0:
            rep.error(file, f"{col_label(column)} 须在 0 到 1 之间（或 0% 到 100%），实际为 {text_of(values[i])}",
                      f"{column} must be from 0 to 1 (or 0% to 100%), found '{text_of(values[i])}'",
                      row=rows[i], item_id=ids[i] or None, column=column, found=text_of(values[i]),
                      expected="0..1")
            v = np.nan
        out.append(v)
    return out


def _industries(
    values: list[Any], ids: list[str], rows: list[int], file: str, rep: ValidationReport
) -> list[str]:
    accepted = ", ".join(f"{k} {v}" for k, v in INDUSTRY_ZH.items())
    out: list[str] = []
    for i, v in enumerate(values):
        codes: list[str] = []
        for tok in split_codes(v):
            if norm_token(tok) in _ANY_INDUSTRY:
                codes = []
                break
            code = INDUSTRY_LOOKUP.get(norm_token(tok))
            if code is None:
                rep.error(
                    file,
                    f"industries（允许产业）中的“{tok}”无法识别；可用：{accepted}",
                    f"unknown industry '{tok}' in industries; accepted: {accepted}",
                    row=rows[i],
                    item_id=ids[i] or None,
                    column="industries",
                    found=tok,
                    expected=accepted,
                )
            elif code not in codes:
                codes.append(code)
        out.append(";".join(sorted(codes, key=INDUSTRIES.index)))
    return out


def _dates(
    values: list[Any], ids: list[str], rows: list[int], column: str, file: str, rep: ValidationReport
) -> pd.Series:
    out: list[pd.Timestamp] = []
    for i, v in enumerate(values):
        d = parse_date(v)
        if d is None:
            rep.error(
                file,
                f"{col_label(column)} 须为日期（如 2022-05-30），实际为“{text_of(v)}”",
                f"{column} must be a date such as 2022-05-30, found '{text_of(v)}'",
                row=rows[i],
                item_id=ids[i] or None,
                column=column,
                found=text_of(v),
                expected="YYYY-MM-DD",
            )
            d = pd.NaT
        out.append(d)
    return pd.Series(pd.to_datetime(out), dtype="datetime64[ns]")


def _cross_check(sites: gpd.GeoDataFrame, projects: pd.DataFrame, file: str, rep: ValidationReport) -> None:
    occupied = sites[sites["status"] == "occupied"]
    rows = projects.attrs.get("rows", [None] * len(projects))
    for i, (pid, anchor) in enumerate(zip(projects["project_id"], projects["anchor"], strict=True)):
        if not anchor:
            continue
        aliases = [anchor, *ANCHOR_ALIASES.get(anchor, [])]
        by_col = (occupied["anchor"] == anchor).any()
        by_name = (
            occupied["name"]
            .map(lambda s, al=aliases: any(norm_token(a) in norm_token(s) for a in al if a))
            .any()
        )
        if not (by_col or by_name):
            rep.warn(
                file,
                f"配套龙头“{anchor}”在地块中找不到对应的已占用 (occupied) 地块；请在地块表中标注，"
                "或在情景的 [anchors] 中给出其位置",
                f"anchor '{anchor}' matches no occupied site; mark its site (status occupied, anchor column) "
                "or give its position in the scenario's [anchors]",
                row=rows[i],
                item_id=pid,
                column="anchor",
                found=anchor,
            )
    kinds = set(sites.loc[sites["status"] != "occupied", "kind"])
    serve = {
        "land": {"land"},
        "lease": {"factory"},
        "platform": {"platform"},
        "land_or_lease": {"land", "factory"},
    }
    for mode, need in serve.items():
        n = int((projects["mode"] == mode).sum())
        if n and not (need & kinds):
            rep.warn(
                file,
                f"{n} 个项目的落地方式为“{MODE_ZH[mode]}”，但没有可用的 {'/'.join(sorted(need))} 类地块",
                f"{n} projects have mode '{mode}' but no available {'/'.join(sorted(need))} site exists",
                column="mode",
                found=mode,
            )


def _short(exc: BaseException) -> str:
    text = unicodedata.normalize("NFKC", str(exc)).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


__all__ = [
    "PROJECT_EXTENSIONS",
    "SITE_EXTENSIONS",
    "SITE_TABLE_COLUMNS",
    "check_files",
    "read_projects",
    "read_sites",
    "summarize_projects",
    "summarize_sites",
    "validate_files",
]
