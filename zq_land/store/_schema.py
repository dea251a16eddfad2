"""The store's one schema, for both back ends, at each version; the views that make the QGIS layers.

Version history (each step is a function in :data:`MIGRATIONS`, run in one transaction at open):

1. data sets (sites with geometry, projects), scenarios, runs with their assignments and site use,
   decisions; the layers ``sites``, ``placements`` and ``site_use_map``.
2. each decision records the need it takes on its plot (``need``, ``unit``), so the capacity rule no
   longer depends on which data set is loaded; the layer ``decided`` (active decisions on their plots).
3. sweeps (issue 15): each ``sweep --store`` keeps its summary and every output file it wrote
   (``sweeps``, ``sweep_files``), so a sweep can be listed and exported again like a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import JSON as _JSON
from sqlalchemy import BigInteger as _BigInteger
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeEngine

from . import _gpkg

Backend = Literal["geopackage", "postgis"]
#: The schema this program writes; a store at a higher version is refused.
SCHEMA_VERSION: Final = 3
#: Geometry is kept in EPSG:4326, the CRS of the canonical sites table (docs/STORE.md says why).
SRID: Final = 4326

#: Typed columns of the stored tables (anything else a table carries goes to its ``extra`` JSON).
SITE_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("site_id", "text"), ("name", "text"), ("kind", "text"), ("area_mu", "float"), ("floor_area_m2", "float"),
    ("status", "text"), ("industries", "text"), ("min_invest_wan_per_mu", "float"), ("zone", "text"),
    ("available_from", "date"), ("anchor", "text"), ("lon", "float"), ("lat", "float"),
    ("area_mu_geom", "float"),
)
PROJECT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("project_id", "text"), ("name", "text"), ("industry", "text"), ("anchor", "text"),
    ("investment_yi", "float"), ("mode", "text"), ("land_need_mu", "float"), ("floor_need_m2", "float"),
    ("review_meeting", "int"), ("priority", "float"),
)
ASSIGNMENT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("project_id", "text"), ("name", "text"), ("industry", "text"), ("mode", "text"), ("anchor", "text"),
    ("investment_yi", "float"), ("land_need_mu", "float"), ("floor_need_m2", "float"),
    ("review_meeting", "int"), ("site_id", "text"), ("site_name", "text"), ("site_kind", "text"),
    ("site_status", "text"), ("zone", "text"), ("used_mu", "float"), ("used_m2", "float"),
    ("intensity_wan_per_mu", "float"), ("distance_km", "float"), ("locked", "bool"), ("status", "text"),
    ("excluded", "bool"), ("reason_code", "text"), ("reason_zh", "text"), ("reason_en", "text"),
)
SITE_USE_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("site_id", "text"), ("name", "text"), ("kind", "text"), ("status", "text"), ("zone", "text"),
    ("area_mu", "float"), ("floor_area_m2", "float"), ("capacity", "float"), ("unit", "text"),
    ("used_mu", "float"), ("used_m2", "float"), ("n_projects", "int"), ("investment_yi", "float"),
    ("projects", "text"), ("project_ids", "text"), ("used", "float"), ("free", "float"),
    ("utilisation", "float"), ("intensity_wan_per_mu", "float"), ("free_mu_equiv", "float"),
    ("shadow_price", "float"), ("shadow_price_zh", "text"), ("shadow_price_en", "text"),
)
#: QGIS layers (views with a geometry column) and the attribute tables listed in the GeoPackage.
LAYER_VIEWS: Final = {1: ("placements", "site_use_map"), 2: ("decided",)}
ATTRIBUTE_TABLES: Final = {1: ("datasets", "projects", "scenarios", "runs", "run_assignments", "run_site_use",
                               "decisions"), 3: ("sweeps", "sweep_files")}

_SQL_TYPES: Final[dict[str, Callable[[], TypeEngine[Any]]]] = {
    "text": Text, "float": Double, "int": Integer, "bool": Boolean, "date": Date,
}


@dataclass(frozen=True)
class Schema:
    """The tables of one back end at one version."""

    backend: Backend
    version: int
    md: MetaData

    def table(self, name: str) -> Table:
        return self.md.tables[name]


def build_schema(backend: Backend, version: int = SCHEMA_VERSION) -> Schema:
    """The store's tables as of ``version`` (older versions are built for migrations and their tests)."""
    md = MetaData()
    sqlite = backend == "geopackage"
    # a GeoPackage allows only some column types: JSON is kept as TEXT, every integer as INTEGER
    JSON: Any = _gpkg.JsonText if sqlite else _JSON
    BigInteger: Any = Integer if sqlite else _BigInteger
    when = DateTime(timezone=True)
    # sqlite_autoincrement: the ids of deleted runs are never given to new ones
    if sqlite:
        _gpkg.metadata_tables(md)
    Table("schema_version", md, Column("version", Integer, primary_key=True, autoincrement=False),
          Column("applied", when, nullable=False), Column("program", Text, nullable=False))
    Table("datasets", md,
          Column("id", Integer, primary_key=True), Column("name", Text, nullable=False),
          Column("content_key", Text, nullable=False, unique=True),
          Column("sites_file", Text), Column("sites_bytes", BigInteger), Column("sites_sha256", Text),
          Column("projects_file", Text), Column("projects_bytes", BigInteger), Column("projects_sha256", Text),
          Column("site_columns", JSON, nullable=False), Column("project_columns", JSON, nullable=False),
          Column("n_sites", Integer, nullable=False), Column("n_projects", Integer, nullable=False),
          Column("frames", JSON, nullable=False),
          Column("created", when, nullable=False), Column("created_by", Text, nullable=False),
          sqlite_autoincrement=True)
    geometry: TypeEngine[Any]
    if sqlite:
        geometry = _gpkg.GpkgGeometry(SRID)
    else:
        from geoalchemy2 import Geometry

        geometry = Geometry("GEOMETRY", srid=SRID, spatial_index=True)
    Table("sites", md, Column("fid", Integer, primary_key=True), *_owned("dataset_id", "datasets"),
          *_typed(SITE_COLUMNS), Column("extra", JSON), Column("geom", geometry),
          UniqueConstraint("dataset_id", "site_id"), sqlite_autoincrement=True)
    Table("projects", md, Column("fid", Integer, primary_key=True), *_owned("dataset_id", "datasets"),
          *_typed(PROJECT_COLUMNS), Column("extra", JSON), UniqueConstraint("dataset_id", "project_id"),
          sqlite_autoincrement=True)
    Table("scenarios", md,
          Column("id", Integer, primary_key=True), Column("name", Text, nullable=False),
          Column("version", Integer, nullable=False), Column("sha256", Text, nullable=False),
          Column("toml", Text, nullable=False),
          Column("created", when, nullable=False), Column("created_by", Text, nullable=False),
          UniqueConstraint("name", "version"), Index("ix_scenarios_sha256", "sha256"), sqlite_autoincrement=True)
    Table("runs", md,
          Column("id", Integer, primary_key=True),
          Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False, index=True),
          Column("scenario_id", Integer, ForeignKey("scenarios.id"), nullable=False, index=True),
          Column("label", Text, nullable=False), Column("status", Text, nullable=False),
          Column("objective", Double), Column("bound", Double), Column("gap", Double), Column("solver", Text),
          Column("projects_total", Integer), Column("projects_placed", Integer),
          Column("investment_placed_yi", Double), Column("seconds", Double),
          Column("started", when), Column("created", when, nullable=False, index=True),
          Column("created_by", Text, nullable=False), Column("source", Text, nullable=False),
          # the large documents last: SQLite then reads a listed run's figures without stepping over them
          Column("kpis", JSON, nullable=False), Column("summary", JSON, nullable=False),
          Column("report", JSON, nullable=False), Column("inputs", JSON, nullable=False),
          Column("frames", JSON, nullable=False), sqlite_autoincrement=True)
    Table("run_assignments", md, Column("fid", Integer, primary_key=True), *_owned("run_id", "runs"),
          *_typed(ASSIGNMENT_COLUMNS), Column("extra", JSON), sqlite_autoincrement=True)
    Table("run_site_use", md, Column("fid", Integer, primary_key=True), *_owned("run_id", "runs"),
          *_typed(SITE_USE_COLUMNS), Column("extra", JSON), sqlite_autoincrement=True)
    need = [Column("need", Double), Column("unit", Text)] if version >= 2 else []
    decisions = Table(
        "decisions", md,
        Column("id", Integer, primary_key=True),
        Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False),
        Column("project_id", Text, nullable=False, index=True), Column("site_id", Text, nullable=False, index=True),
        *need,
        Column("meeting", Integer), Column("meeting_date", Date), Column("note", Text, nullable=False),
        Column("decided_by", Text, nullable=False), Column("created", when, nullable=False),
        # the run it was adopted from: a plain number, so deleting that run never touches a decision
        Column("run_id", Integer),
        Column("superseded_at", when), Column("superseded_by", Text), Column("supersede_note", Text),
        Column("replaced_by", Integer), sqlite_autoincrement=True)
    # the database itself keeps one active decision per project, even against a writer that skips the checks
    Index("ux_decisions_active_project", decisions.c.project_id, unique=True,
          sqlite_where=decisions.c.superseded_at.is_(None), postgresql_where=decisions.c.superseded_at.is_(None))
    if version >= 3:
        _sweep_tables(md, when, JSON)
    return Schema(backend, version, md)


def _sweep_tables(md: MetaData, when: Any, JSON: Any) -> None:
    """A recorded sweep: its figures (the typed columns list it) and the files it wrote, byte for byte."""
    Table("sweeps", md,
          Column("id", Integer, primary_key=True), Column("label", Text, nullable=False),
          Column("scenario", Text, nullable=False), Column("samples", Integer, nullable=False),
          Column("samples_solved", Integer), Column("seed", Integer), Column("workers", Integer),
          Column("seconds", Double), Column("created", when, nullable=False, index=True),
          Column("created_by", Text, nullable=False), Column("source", Text, nullable=False),
          Column("summary", JSON, nullable=False), sqlite_autoincrement=True)
    Table("sweep_files", md, Column("fid", Integer, primary_key=True), *_owned("sweep_id", "sweeps"),
          Column("name", Text, nullable=False), Column("sha256", Text, nullable=False),
          Column("content", LargeBinary, nullable=False), UniqueConstraint("sweep_id", "name"),
          sqlite_autoincrement=True)


def create(conn: Connection, schema: Schema, *, program: str) -> None:
    """Create every table and view of ``schema`` in an empty store and stamp its version."""
    import datetime as dt

    schema.md.create_all(conn)
    if schema.backend == "geopackage":
        _gpkg.initialise(conn, schema.md, SRID)
    for version in range(1, schema.version + 1):
        create_views(conn, schema.backend, version)
    register_layers(conn, schema)
    conn.execute(schema.table("schema_version").insert().values(
        version=schema.version, applied=dt.datetime.now(dt.UTC), program=program))


def register_layers(conn: Connection, schema: Schema) -> None:
    """List the layers and tables in the GeoPackage's contents (PostGIS finds them by itself)."""
    if schema.backend != "geopackage":
        return
    views = [v for k, names in LAYER_VIEWS.items() if k <= schema.version for v in names]
    tables = [t for k, names in ATTRIBUTE_TABLES.items() if k <= schema.version for t in names]
    _gpkg.register(conn, schema.md, features=["sites", *views], attributes=tables, srid=SRID)


def create_views(conn: Connection, backend: Backend, version: int) -> None:
    """The layer views introduced at ``version``."""
    for name in LAYER_VIEWS.get(version, ()):
        conn.execute(text(f"CREATE VIEW {name} AS {_VIEW_SQL[name]}"))


_VIEW_SQL: Final = {
    # one feature per placed project, drawn on its site; filter by run_id in QGIS
    "placements": """
        SELECT a.fid AS fid, a.run_id AS run_id, r.label AS run_label, a.project_id AS project_id,
               a.name AS project_name, a.industry AS industry, a.mode AS mode, a.investment_yi AS investment_yi,
               a.site_id AS site_id, a.site_name AS site_name, a.used_mu AS used_mu, a.used_m2 AS used_m2,
               a.locked AS locked, s.geom AS geom
        FROM run_assignments a JOIN runs r ON r.id = a.run_id
        JOIN sites s ON s.dataset_id = r.dataset_id AND s.site_id = a.site_id
        WHERE a.status = 'placed'""",
    # every site of a run's data set with its use in that run
    "site_use_map": """
        SELECT u.fid AS fid, u.run_id AS run_id, r.label AS run_label, u.site_id AS site_id, u.name AS name,
               u.kind AS kind, u.status AS status, u.unit AS unit, u.capacity AS capacity, u.used AS used,
               u.free AS free, u.utilisation AS utilisation, u.n_projects AS n_projects,
               u.project_ids AS project_ids, s.geom AS geom
        FROM run_site_use u JOIN runs r ON r.id = u.run_id
        JOIN sites s ON s.dataset_id = r.dataset_id AND s.site_id = u.site_id""",
    # the active decisions, each on its plot as the decision's data set drew it
    "decided": """
        SELECT d.id AS fid, d.project_id AS project_id, d.site_id AS site_id, d.need AS need, d.unit AS unit,
               d.meeting AS meeting, d.meeting_date AS meeting_date, d.note AS note,
               d.decided_by AS decided_by, s.geom AS geom
        FROM decisions d JOIN sites s ON s.dataset_id = d.dataset_id AND s.site_id = d.site_id
        WHERE d.superseded_at IS NULL""",
}


# --- migrations -----------------------------------------------------------------------------------

def _v1_to_v2(conn: Connection, backend: Backend) -> None:
    """Decisions record their need on the plot, from the project row of the decision's data set."""
    conn.execute(text("ALTER TABLE decisions ADD COLUMN need DOUBLE PRECISION"))
    conn.execute(text("ALTER TABLE decisions ADD COLUMN unit TEXT"))
    conn.execute(text("""
        UPDATE decisions SET
          unit = (SELECT CASE WHEN s.kind = 'land' THEN 'mu' ELSE 'm2' END FROM sites s
                  WHERE s.dataset_id = decisions.dataset_id AND s.site_id = decisions.site_id),
          need = (SELECT CASE WHEN s.kind = 'land' THEN p.land_need_mu ELSE p.floor_need_m2 END
                  FROM sites s JOIN projects p ON p.dataset_id = s.dataset_id
                  WHERE s.dataset_id = decisions.dataset_id AND s.site_id = decisions.site_id
                    AND p.project_id = decisions.project_id)"""))
    create_views(conn, backend, 2)


def _v2_to_v3(conn: Connection, backend: Backend) -> None:
    """The tables of recorded sweeps (nothing else changes)."""
    md = build_schema(backend, 3).md
    for name in ("sweeps", "sweep_files"):
        md.tables[name].create(conn)


#: MIGRATIONS[v] upgrades a store from version v to v + 1.
MIGRATIONS: Final[dict[int, Callable[[Connection, Backend], None]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def _typed(columns: tuple[tuple[str, str], ...]) -> list[Column[Any]]:
    return [Column("pos", Integer, nullable=False)] + [Column(n, _SQL_TYPES[k]()) for n, k in columns]


def _owned(key: str, parent: str) -> list[Column[Any]]:
    """The column tying a row to its data set or run; the rows go when their owner goes."""
    return [Column(key, Integer, ForeignKey(f"{parent}.id", ondelete="CASCADE"), nullable=False, index=True)]
