"""Coordinate reference systems of sites layers: bring a layer to EPSG:4326, or refuse coordinates that
do not fit the declared CRS (or no CRS) with a message that says what they look like.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pyproj

from .. import geo
from .._errors import ValidationReport


def to_wgs84(
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
