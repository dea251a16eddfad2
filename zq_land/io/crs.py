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



#: Mainland China and its islands, in degrees (lon_min, lat_min, lon_max, lat_max).
CHINA_BOUNDS = (73.4, 3.8, 135.1, 53.6)
#: Where the planners' sites are expected (Zhaoqing and its neighbours, with a margin of ~100 km); a setting:
#: ``ZQ_LAND_EXTENT="lon_min,lat_min,lon_max,lat_max"`` (an empty value turns the check off).
DEFAULT_EXTENT = (110.3, 21.8, 114.0, 25.3)
#: The widest a site may be, in degrees of longitude or latitude (a whole-globe polygon is not a parcel).
MAX_SITE_SPAN_DEG = 1.0


def check_locations(
    gdf: gpd.GeoDataFrame, crs: pyproj.CRS | None, file: str, rep: ValidationReport
) -> bool:
    """Refuse sites that cannot be parcels (spanning the globe, crossing the antimeridian); warn, naming the
    sites, when they fall outside the declared CRS's area of use, outside China or far from the expected
    extent (:func:`expected_extent`). ``gdf`` is in EPSG:4326; returns False when a site was refused."""
    geoms = gdf.geometry
    ok = ~(geoms.isna() | geoms.is_empty)
    if not ok.any():
        return True
    b = geoms.bounds.to_numpy(dtype=float)
    ids = gdf["site_id"].astype(str).to_numpy()
    rows = np.arange(len(gdf)) + 2
    span = np.fmax(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
    wide = ok.to_numpy() & (span > MAX_SITE_SPAN_DEG)
    for i in np.flatnonzero(wide)[:20]:
        across = b[i, 0] < -179 and b[i, 2] > 179 and b[i, 3] - b[i, 1] <= MAX_SITE_SPAN_DEG
        zh = "跨越 180° 经线" if across else f"跨度 {span[i]:.1f}°（约 {span[i] * 111:,.0f} 公里）"
        en = "crosses the antimeridian (180°)" if across else f"spans {span[i]:.1f}° (about {span[i] * 111:,.0f} km)"
        rep.error(file, f"地块{zh}，不可能是一块用地；请核对几何", f"the site {en}: it cannot be a parcel; check "
                  "its geometry", row=int(rows[i]), item_id=ids[i] or None, column="geometry",
                  found=f"{b[i, 0]:.3f},{b[i, 1]:.3f},{b[i, 2]:.3f},{b[i, 3]:.3f}",
                  expected=f"<= {MAX_SITE_SPAN_DEG:g}°")
    if wide.any():
        return False
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    valid = ok.to_numpy()

    def outside(box: tuple[float, float, float, float], margin: float = 0.0) -> np.ndarray:
        w, s_, e, n = box
        return valid & ((cx < w - margin) | (cx > e + margin) | (cy < s_ - margin) | (cy > n + margin))

    def say(mask: np.ndarray, zh: str, en: str, expected: str) -> None:
        hit = np.flatnonzero(mask)
        if not len(hit):
            return
        named = ", ".join(ids[i] for i in hit[:10]) + (f" … (+{len(hit) - 10})" if len(hit) > 10 else "")
        at = f"x≈{cx[hit[0]]:.4f}, y≈{cy[hit[0]]:.4f}"
        rep.warn(file, f"{len(hit)} 个地块{zh}：{named}（如 {at}）；请核对坐标系与坐标",
                 f"{len(hit)} site(s) {en}: {named} (e.g. {at}); check the CRS and the coordinates",
                 row=int(rows[hit[0]]), item_id=ids[hit[0]] or None, column="geometry", found=at,
                 expected=expected)

    aou = getattr(crs, "area_of_use", None) if crs is not None else None
    if aou is not None and crs is not None and crs.to_epsg() not in (4326, geo.CGCS2000_GEOGRAPHIC):
        box = (aou.west, aou.south, aou.east, aou.north)
        if box[0] <= box[2]:  # an area of use across 180° is not checked
            label = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name
            say(outside(box, 0.5), f"位于所声明坐标系 {label} 的适用范围之外",
                f"lie outside the area of use of the declared CRS {label}", ",".join(f"{v:g}" for v in box))
    in_china = ~outside(CHINA_BOUNDS)
    say(~in_china & valid, "位于中国境外", "lie outside China", ",".join(f"{v:g}" for v in CHINA_BOUNDS))
    extent = expected_extent()
    if extent is not None:
        say(outside(extent) & in_china, "远离预期范围（设置 ZQ_LAND_EXTENT）",
            "lie far from the expected extent (setting ZQ_LAND_EXTENT)", ",".join(f"{v:g}" for v in extent))
    return True


def expected_extent() -> tuple[float, float, float, float] | None:
    """Where sites are expected: ``ZQ_LAND_EXTENT`` (``lon_min,lat_min,lon_max,lat_max``; empty = off), else
    :data:`DEFAULT_EXTENT`."""
    import os

    raw = os.environ.get("ZQ_LAND_EXTENT")
    if raw is None:
        return DEFAULT_EXTENT
    try:
        w, s_, e, n = (float(v) for v in raw.split(","))
    except ValueError:
        return None
    return (w, s_, e, n) if w < e and s_ < n else None


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
