"""Reading a sites layer: open the container, match the headers, parse the values, repair the geometry,
bring it to EPSG:4326, measure areas and points in a metric CRS, and assemble the canonical sites table.

Rows are numbered as in a spreadsheet (header = row 1, first feature = row 2): the attribute table as
Excel or LibreOffice shows it. Messages name the file, the row, the site id when known, and the column.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import geo
from .._errors import ValidationReport
from .._gc import gc_paused
from ..vocab import (
    KIND_LOOKUP,
    KIND_ZH,
    KINDS,
    SITE_COLUMNS,
    SITE_EFFICIENCY_HEADERS,
    SITE_HEADERS,
    STATUS_LOOKUP,
    STATUS_ZH,
    canonical_anchor,
)
from .containers import open_vector, size_ok
from .crs import check_locations, to_wgs84
from .geometry import check_areas, measure_sites, site_geometries
from .headers import match_headers, require_columns
from .result import ReadResult, mapping_choices, read_result
from .values import (
    check_ids,
    code_column,
    date_column,
    efficiency_columns,
    industry_column,
    number_column,
    text_column,
)

#: Columns of the sites table, in order (docs/ARCHITECTURE.md); extra user columns follow.
SITE_TABLE_COLUMNS: tuple[str, ...] = (*SITE_COLUMNS, "lon", "lat", "area_mu_geom")


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
    result = check_sites(path, columns=columns, encoding=encoding, layer=layer)
    if report is not None:
        report.extend(result.report)
    return result.table_or_raise(path, "无法读取地块文件", "the sites file could not be read")


def check_sites(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    layer: str | None = None,
) -> ReadResult[gpd.GeoDataFrame]:
    """Read a sites layer as :func:`read_sites` does, without raising for bad data.

    Returns
    -------
    ReadResult
        The table (None when refused), the report, and the headers a planner may map.
    """
    path = Path(path)
    rep = ValidationReport()
    with contextlib.ExitStack() as stack, gc_paused():  # cells read one by one by the ten thousand (zq_land._gc)
        gdf, headers, complete = _read_sites(path, str(path), columns, encoding, layer, rep, stack)
    return read_result(gdf, rep, headers, complete=complete)



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



def _read_sites(
    path: Path,
    file: str,
    columns: Mapping[str, str] | None,
    encoding: str | None,
    layer: str | None,
    rep: ValidationReport,
    stack: contextlib.ExitStack,
) -> tuple[gpd.GeoDataFrame | None, tuple[str, ...], bool]:
    """The table (or None), the headers a planner may map, and whether every required column was found."""
    if not size_ok(path, file, rep):
        return None, (), True
    opened = open_vector(path, file, encoding, layer, rep, stack)
    if opened is None:
        return None, (), True
    raw, truncated = opened
    if len(raw) == 0:
        rep.error(file, "文件中没有任何要素（地块）", "the file holds no features (sites)")
        return None, (), True
    source_crs = raw.crs
    attr_cols = [c for c in raw.columns if c != raw.geometry.name]
    mapping = match_headers(
        attr_cols, {**SITE_HEADERS, **SITE_EFFICIENCY_HEADERS}, mapping=columns, truncated=truncated, file=file,
        report=rep,
    )
    complete = require_columns(("site_id", "kind"), mapping.values(), attr_cols, file, rep)
    headers = mapping_choices(attr_cols, mapping, complete=complete)
    table = _site_values(raw, mapping, file, rep)
    geoms = site_geometries(raw, table, file, rep)
    gdf = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms, crs=raw.crs), crs=raw.crs)
    gdf, crs_text = to_wgs84(gdf, source_crs, file, rep)
    if gdf is None:
        return None, headers, complete
    if not check_locations(gdf, source_crs, file, rep):
        return None, headers, complete
    metric = measure_sites(gdf)
    check_areas(gdf, file, rep)
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
    return out, headers, complete



def _site_values(
    raw: gpd.GeoDataFrame, mapping: Mapping[str, str], file: str, rep: ValidationReport
) -> pd.DataFrame:
    """Parse and check every canonical attribute; returns the table without geometry."""
    src = {canon: col for col, canon in mapping.items()}
    n = len(raw)
    rows = [i + 2 for i in range(n)]

    def col(canon: str) -> list[Any]:
        return list(raw[src[canon]]) if canon in src else [None] * n

    ids = text_column(col("site_id"), None, rows, "site_id", file, rep)
    out = pd.DataFrame(index=range(n))
    out["site_id"] = ids
    if "site_id" in src:
        check_ids(ids, rows, "site_id", file, rep, what_zh="地块", what_en="site")
    out["name"] = text_column(col("name"), ids, rows, "name", file, rep)
    out["kind"] = code_column(
        col("kind"), ids, rows, "kind", KIND_LOOKUP, KIND_ZH, file, rep, required="kind" in src
    )
    if "status" in src:
        status = code_column(
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
        out[canon] = number_column(col(canon), ids, rows, canon, file, rep, minimum=0.0)
    out["industries"] = industry_column(col("industries"), ids, rows, file, rep)
    out["zone"] = text_column(col("zone"), ids, rows, "zone", file, rep)
    out["available_from"] = date_column(col("available_from"), ids, rows, "available_from", file, rep)
    out["anchor"] = [canonical_anchor(v) for v in text_column(col("anchor"), ids, rows, "anchor", file, rep)]
    # the 亩均 columns (existing firms' figures, per-mu floors), only when the file has them
    present = [c for c in SITE_EFFICIENCY_HEADERS if c in src]
    for name, values in efficiency_columns(col, present, ids, rows, file, rep).items():
        out[name] = np.asarray(values, dtype=float)
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
