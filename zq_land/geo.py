"""Coordinate helpers: the metric CRS for areas, representative points, distances, GCJ-02 display shift.

Areas and distances are only ever computed in a metric CRS. The metric CRS chosen here is the
CGCS2000 3-degree Gauss-Kruger zone *without* the zone prefix (EPSG:4534-4554, central meridians
75 E-135 E) whose central meridian is nearest the data's mean longitude: the projection Chinese
surveys use, with an area scale error under 0.1 % within a zone. Data outside that band of longitudes
falls back to the UTM zone pyproj estimates.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from shapely import Geometry

from .vocab import M2_PER_MU

WGS84: Final = "EPSG:4326"
#: CGCS2000 geographic: differs from WGS84 by centimetres, so it is drawn as EPSG:4326.
CGCS2000_GEOGRAPHIC: Final = 4490
#: CGCS2000 3-degree Gauss-Kruger zones: with the zone number prefixed to the easting (zone 25-45)
#: and without it (central meridian 75 E-135 E).
GK3_PREFIXED: Final = range(4513, 4534)
GK3_PLAIN: Final = range(4534, 4555)
_EARTH_RADIUS_KM: Final = 6371.0088

FloatArray = npt.NDArray[np.float64]


def metric_crs_for(lon: float, lat: float = 30.0) -> pyproj.CRS:
    """The metric CRS used for areas near ``lon``.

    Parameters
    ----------
    lon, lat
        A representative position in degrees (the data's mean longitude and latitude).

    Returns
    -------
    pyproj.CRS
        The CGCS2000 3-degree Gauss-Kruger zone without prefix (EPSG:4534-4554) for
        73.5 E <= lon <= 136.5 E, else the UTM zone of the position.
    """
    if 73.5 <= lon <= 136.5:
        cm = min(max(round(lon / 3) * 3, 75), 135)
        return pyproj.CRS.from_epsg(GK3_PLAIN.start + (cm - 75) // 3)
    zone = int((lon + 180) // 6) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def metric_crs_of(gdf: gpd.GeoDataFrame) -> pyproj.CRS:
    """The metric CRS (see :func:`metric_crs_for`) for a GeoDataFrame in any declared CRS."""
    ll = gdf if gdf.crs is not None and gdf.crs.is_geographic else gdf.to_crs(WGS84)
    minx, miny, maxx, maxy = ll.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return metric_crs_for(113.0, 23.0)
    return metric_crs_for((minx + maxx) / 2, (miny + maxy) / 2)


def area_mu(gdf: gpd.GeoDataFrame, *, crs: pyproj.CRS | None = None) -> FloatArray:
    """Area of each geometry in mu (1 mu = 666.67 m2), computed in a metric CRS.

    Parameters
    ----------
    gdf
        Polygons in any declared CRS.
    crs
        Metric CRS to use; default :func:`metric_crs_of`.
    """
    _, _, _, metric = _projected(gdf, crs)
    return np.asarray(shapely.area(metric), dtype=float) / M2_PER_MU  # NaN for a missing geometry


def representative_lonlat(
    gdf: gpd.GeoDataFrame, *, crs: pyproj.CRS | None = None
) -> tuple[FloatArray, FloatArray]:
    """Longitude and latitude (degrees) of a point guaranteed inside each geometry.

    The point is computed in the metric CRS (``representative_point`` is not invariant under
    projection) and transformed back to EPSG:4326. Empty geometries give NaN.
    """
    _, lon, lat = measure(gdf, crs=crs)
    return lon, lat


def measure(gdf: gpd.GeoDataFrame, *, crs: pyproj.CRS | None = None) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each geometry's area in mu and the longitude and latitude of a point inside it (:func:`area_mu`,
    :func:`representative_lonlat`), from one projection of the geometries into the metric CRS.

    From EPSG:4326 the way back is the inverse of the way there: one search of PROJ's database (70-130 ms,
    the larger part of reading a file of 1,000 sites) instead of two; the points then differ from those of a
    second search by at most 1.4e-14 degrees (a nanometre). Empty geometries give NaN.
    """
    src, dst, there, metric = _projected(gdf, crs)
    empty = shapely.is_missing(metric) | shapely.is_empty(metric)
    area = shapely.area(metric) / M2_PER_MU  # NaN for a missing geometry, 0 for an empty one
    pts = shapely.point_on_surface(np.where(empty, None, metric))
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    if src == _WGS84_CRS:
        lon, lat = there.transform(x, y, direction=pyproj.enums.TransformDirection.INVERSE)
    else:
        lon, lat = _transformer(dst, _WGS84_CRS).transform(x, y)
    lon = np.where(empty, np.nan, np.asarray(lon, dtype=float))
    lat = np.where(empty, np.nan, np.asarray(lat, dtype=float))
    return np.asarray(area, dtype=float), lon, lat


def _projected(
    gdf: gpd.GeoDataFrame, crs: pyproj.CRS | None
) -> tuple[pyproj.CRS, pyproj.CRS, pyproj.Transformer, Any]:
    """The source CRS, the metric one, the (cached) transformer between them and the geometries projected by it
    (an object array of shapely geometries), as ``GeoDataFrame.to_crs`` projects them."""
    if gdf.crs is None:
        raise ValueError("the geometries have no CRS")
    src = pyproj.CRS.from_user_input(gdf.crs)
    dst = pyproj.CRS.from_user_input(crs) if crs is not None else metric_crs_of(gdf)
    there = _transformer(src, dst)
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    return src, dst, there, shapely.transform(geoms, lambda c: np.column_stack(there.transform(c[:, 0], c[:, 1])))


_WGS84_CRS: Final = pyproj.CRS.from_user_input(WGS84)


@functools.lru_cache(maxsize=16)
def _transformer(src: pyproj.CRS, dst: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)  # as GeoDataFrame.to_crs chooses it


def haversine_km(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in km between points given in degrees (broadcasts like numpy)."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=float)


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 degrees (Gaode's data, e.g. ``cnmaps`` boundaries) back to WGS84: :func:`wgs84_to_gcj02` inverted
    by fixed-point iteration (four steps leave well under 0.01 m)."""
    gx, gy = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = gx.copy(), gy.copy()
    for _ in range(4):
        fx, fy = wgs84_to_gcj02(x, y)
        x, y = x - (fx - gx), y - (fy - gy)
    return x, y


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift WGS84 degrees to GCJ-02 (Gaode/AMap tiles) for display only; never store the result.

    Points outside mainland China's rough bounding box are returned unchanged.
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    a, ee = 6378245.0, 0.00669342162296594323
    dx, dy = x - 105.0, y - 35.0
    dlat = (
        -100.0
        + 2.0 * dx
        + 3.0 * dy
        + 0.2 * dy * dy
        + 0.1 * dx * dy
        + 0.2 * np.sqrt(np.abs(dx))
        + (20.0 * np.sin(6.0 * dx * math.pi) + 20.0 * np.sin(2.0 * dx * math.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(dy * math.pi) + 40.0 * np.sin(dy / 3.0 * math.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(dy / 12.0 * math.pi) + 320 * np.sin(dy * math.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + dx
        + 2.0 * dy
        + 0.1 * dx * dx
        + 0.1 * dx * dy
        + 0.1 * np.sqrt(np.abs(dx))
        + (20.0 * np.sin(6.0 * dx * math.pi) + 20.0 * np.sin(2.0 * dx * math.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(dx * math.pi) + 40.0 * np.sin(dx / 3.0 * math.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(dx / 12.0 * math.pi) + 300.0 * np.sin(dx / 30.0 * math.pi)) * 2.0 / 3.0
    )
    radlat = y / 180.0 * math.pi
    magic = 1 - ee * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (a / sqrtmagic * np.cos(radlat) * math.pi)
    inside = (x > 73.66) & (x < 135.05) & (y > 3.86) & (y < 53.55)
    return np.where(inside, x + dlon, x).astype(float), np.where(inside, y + dlat, y).astype(float)


def shift_geometry_gcj02(geom: Geometry) -> Geometry:
    """A copy of a WGS84 geometry shifted to GCJ-02 (display only)."""

    def _shift(coords: FloatArray) -> FloatArray:
        gx, gy = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([gx, gy])

    return shapely.transform(geom, _shift)


def projected_crs_hint(x: float, y: float) -> str | None:
    """Guess which CGCS2000 Gauss-Kruger CRS coordinates (easting ``x``, northing ``y``) belong to.

    Returns a short text such as ``"EPSG:4526 (3-degree GK zone 38, easting with the 38 prefix)"``
    or None when the magnitudes fit no Chinese Gauss-Kruger grid.
    """
    if not (1.5e6 <= y <= 6.0e6):
        return None
    if 1.0e7 <= x < 4.6e7:
        zone = int(x // 1e6)
        if 25 <= zone <= 45:
            plain = GK3_PLAIN.start + zone - 25
            return (
                f"EPSG:{GK3_PREFIXED.start + zone - 25} (CGCS2000 3-degree Gauss-Kruger zone {zone}, "
                f"easting with the {zone} prefix; without the prefix it would be EPSG:{plain})"
            )
        if 13 <= zone <= 23:
            return f"a CGCS2000 6-degree Gauss-Kruger zone {zone} CRS (EPSG:{4491 + zone - 13})"
        return None
    if 1.0e5 <= x <= 9.0e5:
        return (
            "EPSG:4547 (CGCS2000 3-degree Gauss-Kruger CM 114E, no prefix) near Zhaoqing High-tech Zone, "
            "EPSG:4546 (CM 111E) for western Zhaoqing, or a UTM zone such as EPSG:32649"
        )
    return None


def looks_swapped(x: float, y: float) -> bool:
    """True when ``x`` looks like a Chinese northing and ``y`` like an easting (columns swapped)."""
    northing_x = 1.5e6 <= x <= 6.0e6
    easting_y = (1.0e5 <= y <= 9.0e5) or (1.3e7 <= y < 4.6e7)
    return northing_x and easting_y
