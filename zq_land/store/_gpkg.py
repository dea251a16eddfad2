"""What makes the embedded store a GeoPackage (OGC 12-128r18) that QGIS and GDAL open.

GeoAlchemy2's GeoPackage dialect needs SpatiaLite loaded into ``sqlite3`` (``enable_load_extension``),
which many Python builds lack (this project's pyenv 3.11, macOS framework builds): so on SQLite the
geometry column is :class:`GpkgGeometry`, which writes the standard GeoPackage binary (spec 2.1.3: an
8-byte header, the envelope, then ISO WKB from shapely) and reads it back with shapely. The
metadata tables are the spec's three required ones; feature tables and views are registered in
``gpkg_contents`` and ``gpkg_geometry_columns``, non-spatial tables as ``attributes``. No R-tree index:
GDAL's R-tree triggers call ``ST_MinX`` and friends, which plain SQLite does not have.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.types import TypeDecorator, UserDefinedType

#: PRAGMA application_id of a GeoPackage ("GPKG") and user_version of spec 1.3.
APPLICATION_ID = 0x47504B47
USER_VERSION = 10300
#: flags byte: little-endian, envelope [minx, maxx, miny, maxy]; bit 4 marks an empty geometry
_FLAGS_XY = 0b0000_0011
_FLAG_EMPTY = 0b0001_0000
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def gpb_from_geometries(geoms: Sequence[Any] | np.ndarray, srid: int) -> list[bytes | None]:
    """GeoPackage binary blobs of shapely geometries (None stays None)."""
    arr = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(arr)
    wkb = shapely.to_wkb(arr, byte_order=1, flavor="iso")
    bounds = shapely.bounds(arr)
    empty = shapely.is_empty(arr)
    out: list[bytes | None] = []
    for i in range(len(arr)):
        if missing[i]:
            out.append(None)
        elif empty[i]:
            out.append(b"GP\x00" + bytes([_FLAG_EMPTY | 1]) + struct.pack("<i", srid) + wkb[i])
        else:
            x0, y0, x1, y1 = bounds[i]
            out.append(b"GP\x00" + bytes([_FLAGS_XY]) + struct.pack("<i4d", srid, x0, x1, y0, y1) + wkb[i])
    return out


def geometries_from_gpb(blobs: Iterable[bytes | memoryview | None]) -> np.ndarray:
    """Shapely geometries of GeoPackage binary blobs (also accepts plain or extended WKB)."""
    wkb: list[bytes | None] = []
    for b in blobs:
        if b is None:
            wkb.append(None)
            continue
        b = bytes(b)
        if b[:2] == b"GP":
            wkb.append(b[8 + _ENVELOPE_BYTES[(b[3] >> 1) & 0x07]:])
        else:
            wkb.append(b)
    return shapely.from_wkb(np.asarray(wkb, dtype=object))


class GpkgGeometry(UserDefinedType[Any]):
    """A GeoPackage geometry column (declared ``GEOMETRY``): shapely geometries or GeoPackage blobs in,
    shapely geometries out."""

    cache_ok = True

    def __init__(self, srid: int = 4326) -> None:
        self.srid = srid

    def get_col_spec(self, **kw: Any) -> str:
        return "GEOMETRY"

    def bind_processor(self, dialect: Any) -> Any:
        def process(value: Any) -> bytes | None:
            if value is None or isinstance(value, bytes):
                return value
            return gpb_from_geometries([value], self.srid)[0]

        return process

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        def process(value: Any) -> Any:
            return None if value is None else geometries_from_gpb([value])[0]

        return process


class JsonText(TypeDecorator[Any]):
    """JSON kept as TEXT, one of the column types a GeoPackage allows (GDAL reads other types as geometry)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, allow_nan=False)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


def metadata_tables(md: MetaData) -> None:
    """The three tables every GeoPackage has (spec 1.1.2, 1.1.3, 2.1.5), added to ``md``."""
    Table("gpkg_spatial_ref_sys", md,
          Column("srs_name", Text, nullable=False), Column("srs_id", Integer, primary_key=True),
          Column("organization", Text, nullable=False), Column("organization_coordsys_id", Integer, nullable=False),
          Column("definition", Text, nullable=False), Column("description", Text))
    Table("gpkg_contents", md,
          Column("table_name", Text, primary_key=True), Column("data_type", Text, nullable=False),
          Column("identifier", Text, unique=True), Column("description", Text, server_default=""),
          Column("last_change", Text, nullable=False,
                 server_default=text("(strftime('%Y-%m-%dT%H:%M:%fZ','now'))")),
          Column("min_x", Float), Column("min_y", Float), Column("max_x", Float), Column("max_y", Float),
          Column("srs_id", Integer))
    Table("gpkg_geometry_columns", md,
          Column("table_name", Text, nullable=False), Column("column_name", Text, nullable=False),
          Column("geometry_type_name", Text, nullable=False), Column("srs_id", Integer, nullable=False),
          Column("z", Integer, nullable=False), Column("m", Integer, nullable=False),
          PrimaryKeyConstraint("table_name", "column_name"))


def initialise(conn: Connection, md: MetaData, srid: int) -> None:
    """Mark the file a GeoPackage and fill the required spatial reference systems (and ``srid``'s)."""
    import pyproj

    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.exec_driver_sql(f"PRAGMA user_version = {USER_VERSION}")
    srs = md.tables["gpkg_spatial_ref_sys"]
    have = set(conn.execute(select(srs.c.srs_id)).scalars())
    crs = pyproj.CRS.from_epsg(srid)
    rows = [
        {"srs_name": "Undefined cartesian SRS", "srs_id": -1, "organization": "NONE",
         "organization_coordsys_id": -1, "definition": "undefined", "description": "undefined cartesian"},
        {"srs_name": "Undefined geographic SRS", "srs_id": 0, "organization": "NONE",
         "organization_coordsys_id": 0, "definition": "undefined", "description": "undefined geographic"},
        {"srs_name": crs.name, "srs_id": srid, "organization": "EPSG", "organization_coordsys_id": srid,
         "definition": crs.to_wkt("WKT1_GDAL"), "description": crs.name},
    ]
    new = [r for r in rows if r["srs_id"] not in have]
    if new:
        conn.execute(insert(srs), new)


def register(conn: Connection, md: MetaData, *, features: Iterable[str], attributes: Iterable[str],
             srid: int, geometry_column: str = "geom") -> None:
    """Register feature tables or views (with their geometry column) and attribute tables."""
    contents, geoms = md.tables["gpkg_contents"], md.tables["gpkg_geometry_columns"]
    have = set(conn.execute(select(contents.c.table_name)).scalars())
    for name in features:
        if name not in have:
            conn.execute(insert(contents).values(table_name=name, data_type="features", identifier=name,
                                                 srs_id=srid))
            conn.execute(insert(geoms).values(table_name=name, column_name=geometry_column,
                                              geometry_type_name="GEOMETRY", srs_id=srid, z=0, m=0))
    for name in attributes:
        if name not in have:
            conn.execute(insert(contents).values(table_name=name, data_type="attributes", identifier=name))


def touch(conn: Connection, md: MetaData, names: Iterable[str], bounds: Sequence[float] | None = None) -> None:
    """Record a change of the layers ``names`` (QGIS reads ``last_change`` and the extent)."""
    contents = md.tables["gpkg_contents"]
    values: dict[str, Any] = {"last_change": func.strftime("%Y-%m-%dT%H:%M:%fZ", "now")}
    if bounds is not None and all(np.isfinite(bounds)):  # the extent grows to cover every data set
        c = contents.c
        values.update(min_x=func.min(func.coalesce(c.min_x, bounds[0]), bounds[0]),
                      min_y=func.min(func.coalesce(c.min_y, bounds[1]), bounds[1]),
                      max_x=func.max(func.coalesce(c.max_x, bounds[2]), bounds[2]),
                      max_y=func.max(func.coalesce(c.max_y, bounds[3]), bounds[3]))
    conn.execute(contents.update().where(contents.c.table_name.in_(list(names))).values(**values))
