"""The workspace store on both back ends: a GeoPackage file and a throwaway PostGIS (``store_url``).

What a planner relies on: a run read back is the run saved (the export's bytes are equal), the
GeoPackage opens as layers in GDAL (QGIS), decisions are never lost or silently overwritten, an
older store is upgraded and a newer one refused, a killed save leaves nothing behind, and two writers
at once both succeed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from conftest import sites_frame, write_csv, write_vector
from sqlalchemy import func, select, text

from zq_land import (
    AllocationResult,
    Weights,
    allocate,
    assignments_csv_bytes,
    file_fingerprint,
    load_scenario,
    read_projects,
    read_sites,
    sample_scenarios,
    sample_sites,
    sites_geojson_bytes,
    summary_json_bytes,
)
from zq_land.store import (
    SCHEMA_VERSION,
    DecisionConflict,
    Store,
    StoreError,
    add_decision,
    adopt_run,
    decision_locks,
    list_decisions,
    open_store,
    supersede_decision,
)
from zq_land.store._frames import frame_rows
from zq_land.store._schema import PROJECT_COLUMNS, SITE_COLUMNS, build_schema, create
from zq_land.store._store import _engine, _parse_url

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("store_worker.py")


@pytest.fixture(scope="module")
def sample_result() -> AllocationResult:
    """The 2022 review as recorded, solved once for the module."""
    if not sample_sites().exists():
        pytest.skip("the sample data is not generated yet")
    return allocate(load_scenario(sample_scenarios()["review_2022_recorded"]))


@pytest.fixture
def store(store_url: str) -> Any:
    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict[str, dict[str, str]]]:
    """Plots S1 (land, 100 mu), S2 (factory, 20,000 m2), S3 (platform, 5,000 m2); projects P1 (land 60 mu),
    P2 (land 50 mu), P3 (lease 8,000 m2), P4 (platform 1,500 m2)."""
    sites_path = write_vector(sites_frame(area_mu=[100.0, None, None]), tmp_path / "tiny.geojson")
    rows = [["project_id", "name", "industry", "investment_yi", "mode", "land_need_mu", "floor_need_m2"],
            ["P1", "甲", "nev_parts", "5", "land", "60", ""], ["P2", "乙", "battery", "4", "land", "50", ""],
            ["P3", "丙", "nev_parts", "1", "lease", "", "8000"],
            ["P4", "丁", "electronics", "0.3", "platform", "", "1500"]]
    projects_path = write_csv(tmp_path / "tiny.csv", rows)
    files = {"sites": file_fingerprint(sites_path), "projects": file_fingerprint(projects_path)}
    return read_sites(sites_path), read_projects(projects_path), files


# --- runs -------------------------------------------------------------------------------------------

def test_a_run_read_back_is_the_run_saved(store: Store, sample_result: AllocationResult) -> None:
    r = sample_result
    run_id = store.save_run(r, label="第5次评审会前", by="张三")
    back = store.load_run(run_id)
    # the contract's test: the export of the stored run has the same bytes as solve's
    assert assignments_csv_bytes(back) == assignments_csv_bytes(r)
    assert summary_json_bytes(back) == summary_json_bytes(r)
    assert sites_geojson_bytes(back) == sites_geojson_bytes(r)
    for name in ("assignments", "site_use", "unplaced", "shadow_prices", "projects"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(r, name), check_exact=True)
    pd.testing.assert_frame_equal(pd.DataFrame(back.sites.drop(columns="geometry")),
                                  pd.DataFrame(r.sites.drop(columns="geometry")), check_exact=True)
    assert back.sites.geometry.geom_equals_exact(r.sites.geometry, tolerance=0).all()
    assert back.sites.crs == r.sites.crs and back.sites.attrs == r.sites.attrs
    assert back.solve == r.solve and back.kpis == r.kpis and back.inputs == r.inputs
    assert back.anchor_points == r.anchor_points and r.anchor_points  # where the suppliers' distances end
    assert back.scenario.weights == r.scenario.weights and back.scenario.locks == r.scenario.locks
    assert back.scenario.sites == Path(r.scenario.sites).resolve()  # input paths are kept absolute

    [info] = store.list_runs()
    assert (info.id, info.label, info.created_by, info.scenario) == (run_id, "第5次评审会前", "张三", r.scenario.name)
    assert info.status == "optimal" and info.objective == pytest.approx(192.8)
    assert info.projects_placed == r.kpis["projects_placed"]
    assert set(info.as_json()) >= {"id", "scenario", "status", "objective", "created"}
    assert abs((dt.datetime.now(dt.UTC) - info.created).total_seconds()) < 120


def test_a_field_added_to_results_later_is_kept(store: Store, sample_result: AllocationResult,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer AllocationResult (e.g. with warnings or a reference's figures) round-trips its new fields."""
    import dataclasses

    import zq_land.store._store as impl

    @dataclasses.dataclass(frozen=True)
    class Later(AllocationResult):
        warnings: tuple[str, ...] = ()
        moved_vs_reference: int | None = None
        alternatives: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    alts = pd.DataFrame({"project_id": ["P1"], "site_id": ["S2"], "rank": [1], "loss_yi": [0.25]})
    later = Later(**{**sample_result.__dict__, "warnings": ("面积与几何不符 | area differs",),
                     "moved_vs_reference": 3, "alternatives": alts})
    monkeypatch.setattr(impl, "AllocationResult", Later)
    back = store.load_run(store.save_run(later))
    assert isinstance(back, Later) and back.warnings == later.warnings and back.moved_vs_reference == 3
    pd.testing.assert_frame_equal(back.alternatives, alts)


def test_list_filters_rename_delete(store: Store, sample_result: AllocationResult) -> None:
    r = sample_result
    first = store.save_run(r)
    other = r.scenario.with_(name="another", weights=Weights(investment=1.0, projects=0.5))
    second = store.save_run(AllocationResult(**{**r.__dict__, "scenario": other}))
    assert [x.id for x in store.list_runs()] == [second, first]  # newest first
    assert [x.id for x in store.list_runs(scenario="another")] == [second]
    today = dt.datetime.now().date()
    assert len(store.list_runs(since=today, until=today)) == 2
    assert store.list_runs(until=today - dt.timedelta(days=1)) == []
    assert len(store.list_runs(dataset_id=store.list_runs()[0].dataset_id)) == 2  # one data set, saved once
    assert len(store.datasets()) == 1

    store.rename_run(first, "  recorded, shown at meeting 5 ")
    assert store.run_info(first).label == "recorded, shown at meeting 5"
    store.delete_run(first)
    assert [x.id for x in store.list_runs()] == [second]
    with pytest.raises(StoreError, match=f"no run #{first}"):
        store.load_run(first)
    with pytest.raises(StoreError, match="方案 #999 不存在"):
        store.delete_run(999)
    with store.reading() as conn:
        left = conn.execute(select(func.count()).select_from(store.schema.table("run_assignments"))).scalar()
    assert left == len(r.assignments)  # the deleted run's rows went with it
    third = store.save_run(r)
    assert third > second  # a deleted run's id is never given again


def test_scenarios_are_versioned_by_content(store: Store, sample_result: AllocationResult) -> None:
    r = sample_result
    a = store.save_run(r)
    b = store.save_run(r)
    changed = r.scenario.with_(weights=Weights(investment=1.0, revitalization=0.5))
    c = store.save_run(AllocationResult(**{**r.__dict__, "scenario": changed}))
    versions = {x.id: x.scenario_version for x in store.list_runs()}
    assert versions == {a: 1, b: 1, c: 2}
    assert store.load_run(c).scenario.weights.revitalization == 0.5


def test_bad_urls_are_refused_with_a_message() -> None:
    for url in ("runs.sqlite", "mysql://x/y", ""):
        with pytest.raises(StoreError, match=r"a store is a file path ending in \.gpkg or a postgresql:// URL"):
            open_store(url)
    for url in ("postgresql://nobody:secret@127.0.0.1:9/none?connect_timeout=2",
                "postgresql+psycopg2://nobody:secret@127.0.0.1:9/none?connect_timeout=2"):
        with pytest.raises(StoreError, match="cannot reach the database server") as exc:
            open_store(url)
        assert "secret" not in exc.value.report.text()  # a password is never shown


def test_a_sqlite_url_of_a_gpkg_is_the_same_store(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'a.gpkg'}") as s:
        assert s.backend == "geopackage" and s.list_runs() == []
    assert (tmp_path / "a.gpkg").exists()


def test_a_file_that_is_not_a_geopackage_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "notes.gpkg"
    fake.write_text("这不是数据库 " * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="not a GeoPackage"):
        open_store(fake)
    assert fake.read_text(encoding="utf-8").startswith("这不是数据库")  # left as it was


# --- the GeoPackage and PostGIS layers ----------------------------------------------------------------

def test_the_geopackage_opens_in_gdal_with_sites_and_placements_as_layers(
    tmp_path: Path, sample_result: AllocationResult
) -> None:
    import pyogrio

    path = tmp_path / "ws.gpkg"
    with open_store(path) as s:
        run_id = s.save_run(sample_result)
        assert s.integrity_check() == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # GDAL warns about anything in the file it does not understand
        layers = dict(pyogrio.list_layers(path))
        sites = pyogrio.read_dataframe(path, layer="sites")
        placed = pyogrio.read_dataframe(path, layer="placements", where=f"run_id = {run_id}")
    assert {"sites", "placements", "site_use_map", "decided"} <= set(layers)
    assert layers["runs"] is None and layers["sites"] is not None  # tables listed as tables, layers as layers
    assert sites.crs.to_epsg() == 4326 and len(sites) == len(sample_result.sites)
    assert sites.geometry.geom_equals_exact(sample_result.sites.geometry, tolerance=1e-12).all()
    a = sample_result.assignments
    assert sorted(placed["project_id"]) == sorted(a.loc[a["status"] == "placed", "project_id"])
    one = placed.iloc[0]
    assert one.geometry.equals(sample_result.sites.set_index("site_id").geometry[one["site_id"]])
    with open(path, "rb") as fh:
        head = fh.read(100)
    assert head[68:72] == b"GPKG"  # the application id GDAL and QGIS look for


def test_postgis_holds_geometry_in_epsg_4326_with_the_same_layers(pg_cluster: Any,
                                                                  sample_result: AllocationResult) -> None:
    url = pg_cluster.new_database()
    with open_store(url) as s:
        s.save_run(sample_result)
        with s.reading() as conn:
            cols = dict(conn.execute(text("SELECT f_table_name, srid FROM geometry_columns")).all())
            n = conn.execute(text("SELECT count(*) FROM placements WHERE ST_IsValid(geom)")).scalar()
    assert cols == {"sites": 4326, "placements": 4326, "site_use_map": 4326, "decided": 4326}
    assert n == sample_result.kpis["projects_placed"]


# --- decisions ------------------------------------------------------------------------------------------

def test_decisions_conflicts_supersede_and_adopt(store: Store, tiny: Any) -> None:
    sites, projects, files = tiny
    ds = store.save_dataset(sites, projects, files=files, by="李四")
    assert store.save_dataset(sites, projects, files=files) == ds  # the same files are one data set

    first = add_decision(store, "P1", "S1", meeting=5, meeting_date=dt.date(2022, 5, 10), note="龙头配套", by="张三")
    assert (first.need, first.unit, first.active) == (60.0, "mu", True)
    # rule 1: the project has an active decision; the conflict names it and says how to change it
    with pytest.raises(DecisionConflict, match=rf"#{first.id} P1 → S1 \(meeting 5, 2022-05-10, 张三") as exc:
        add_decision(store, "P1", "S2", by="王五")
    assert [d.id for d in exc.value.existing] == [first.id]
    assert f"decisions supersede {first.id}" in exc.value.report.text("en")
    # rule 2: 60 + 50 mu do not fit the 100 mu of S1
    with pytest.raises(DecisionConflict, match="plot S1 holds 100 mu and 60 mu is decided") as exc2:
        add_decision(store, "P2", "S1")
    assert [d.id for d in exc2.value.existing] == [first.id]
    # rule 3: a lease project cannot land on land; unknown ids are named
    with pytest.raises(StoreError, match="project P3 \\(mode lease\\) cannot land on the land plot S1"):
        add_decision(store, "P3", "S1")
    with pytest.raises(StoreError, match="plot S9 is not in data set"):
        add_decision(store, "P3", "S9")
    assert [d.id for d in list_decisions(store)] == [first.id]  # nothing of the refused ones was saved

    old, new = supersede_decision(store, first.id, site_id="S1", note="面积调整", by="张三")
    assert not old.active and old.superseded_by == "张三" and old.replaced_by == new.id
    assert new is not None and new.active and new.project_id == "P1"
    with pytest.raises(DecisionConflict, match=f"decision #{first.id} was already superseded"):
        supersede_decision(store, first.id, site_id="S1")
    withdrawn, none = supersede_decision(store, new.id, note="项目撤回")
    assert none is None and not withdrawn.active
    assert list_decisions(store) == []
    history = list_decisions(store, active_only=False)
    assert [d.id for d in history] == [first.id, new.id]  # superseded, never deleted
    p2 = add_decision(store, "P2", "S1", dataset_id=ds)  # the plot is free again
    assert decision_locks(store, ["P1", "P2"], ["S1"]) == [("P2", "S1")]
    assert decision_locks(store, ["P1"], ["S1"]) == []  # only ids the data has
    assert p2.dataset_id == ds


def test_adopting_a_run_is_all_or_nothing(store: Store, tiny: Any) -> None:
    from zq_land import Scenario

    sites, projects, files = tiny
    result = allocate(Scenario(name="tiny"), sites=sites, projects=projects)
    placed = dict(result.assignments.loc[result.assignments["status"] == "placed", ["project_id", "site_id"]]
                  .itertuples(index=False))
    assert placed == {"P1": "S1", "P3": "S2", "P4": "S3"}  # P2 (4 亿元) loses S1 to P1 (5 亿元)
    run_id = store.save_run(AllocationResult(**{**result.__dict__, "inputs": files}))
    kept = add_decision(store, "P3", "S2")  # already decided as the run has it: kept, not doubled
    blocker = add_decision(store, "P2", "S1")  # 50 mu: P1's 60 mu no longer fit
    with pytest.raises(DecisionConflict, match="no room for the 60 mu of project P1") as exc:
        adopt_run(store, run_id, meeting=6)
    assert [d.id for d in exc.value.existing] == [blocker.id]
    assert [d.id for d in list_decisions(store)] == [kept.id, blocker.id]  # none of the run's went in
    supersede_decision(store, blocker.id, note="让位")
    made = adopt_run(store, run_id, meeting=6, meeting_date=dt.date(2022, 6, 1))
    assert {(d.project_id, d.site_id) for d in made} == {("P1", "S1"), ("P4", "S3")}
    assert {(d.project_id, d.site_id) for d in list_decisions(store)} == set(placed.items())
    assert all(d.run_id == run_id and d.meeting == 6 for d in made)
    store.delete_run(run_id)
    assert len(list_decisions(store)) == 3  # deleting the run keeps its decisions


# --- migrations -------------------------------------------------------------------------------------------

def test_an_older_store_is_upgraded_and_a_newer_one_refused(store_url: str, tiny: Any) -> None:
    sites, projects, _ = tiny
    backend, sa_url, _shown = _parse_url(store_url)
    old = build_schema(backend, 1)
    engine = _engine(backend, sa_url)
    with engine.connect() as conn:
        conn.execution_options(zq_write=True)
        with conn.begin():
            create(conn, old, program="0.0.9")
            now = dt.datetime.now(dt.UTC)
            ds = conn.execute(old.table("datasets").insert().values(
                name="v1", content_key="k", site_columns=[], project_columns=[], n_sites=3, n_projects=4,
                frames={}, created=now, created_by="x").returning(old.table("datasets").c.id)).scalar_one()
            conn.execute(old.table("sites").insert(), frame_rows(sites, SITE_COLUMNS, geometry="geometry",
                                                                 dataset_id=ds))
            conn.execute(old.table("projects").insert(), frame_rows(projects, PROJECT_COLUMNS, dataset_id=ds))
            conn.execute(old.table("decisions").insert().values(
                dataset_id=ds, project_id="P1", site_id="S1", meeting=3, note="", decided_by="x", created=now))
    engine.dispose()
    assert "need" not in old.table("decisions").c

    with open_store(store_url) as s:  # upgraded at open, in one transaction
        [d] = list_decisions(s)
        assert (d.need, d.unit) == (60.0, "mu")  # backfilled from the decision's data set
        with s.reading() as conn:
            versions = list(conn.execute(select(s.schema.table("schema_version").c.version)).scalars())
            conn.execute(text("SELECT count(*) FROM decided")).scalar()  # the layer of version 2 exists
            assert conn.execute(text("SELECT count(*) FROM sweeps")).scalar() == 0  # the tables of version 3
        assert sorted(versions) == [1, 2, 3] == list(range(1, SCHEMA_VERSION + 1))
        assert s.save_sweep({"scenario": "old store", "samples": 2}, {"a.csv": b"x"}) == 1
        with pytest.raises(DecisionConflict, match="plot S1 holds 100 mu and 60 mu is decided"):
            add_decision(s, "P2", "S1")
        with s.writing() as conn:
            conn.execute(s.schema.table("schema_version").insert().values(
                version=SCHEMA_VERSION + 1, applied=dt.datetime.now(dt.UTC), program="9.0"))
    with pytest.raises(StoreError, match=rf"schema version is {SCHEMA_VERSION + 1}, newer than the "
                                         rf"{SCHEMA_VERSION} this program") as exc:
        open_store(store_url)
    assert "请升级 zq_land" in exc.value.report.text("zh")


# --- sweeps -----------------------------------------------------------------------------------------------

def test_a_sweep_is_kept_byte_for_byte_listed_and_deleted(store_url: str) -> None:
    files = {"sweep_projects.csv": "\ufeffproject_id,p_placed\nP1,0.5\n".encode(), "robust_plan.csv": b"\x00\xff"}
    summary = {"scenario": "年度抽样", "samples": 40, "samples_solved": 39, "seed": 7, "workers": 2,
               "seconds": 12.5, "land_needed_90_mu": 310.0}
    with open_store(store_url) as s:
        first = s.save_sweep(summary, files, by="planner")
        second = s.save_sweep({**summary, "samples": 8}, {}, label="试算")
        listed = s.list_sweeps()
        assert [x.id for x in listed] == [second, first]  # newest first
        assert (listed[1].scenario, listed[1].samples, listed[1].samples_solved, listed[1].workers,
                listed[1].created_by, listed[1].files) == ("年度抽样", 40, 39, 2, "planner",
                                                          ("robust_plan.csv", "sweep_projects.csv"))
        assert listed[0].label == "试算" and listed[0].files == ()
        assert json.loads(json.dumps(listed[1].as_json()))["files"] == ["robust_plan.csv", "sweep_projects.csv"]
        got_summary, got_files = s.load_sweep(first)
        assert got_files == files and got_summary["land_needed_90_mu"] == 310.0
        assert [x.id for x in s.list_sweeps(scenario="年度抽样", limit=1)] == [second]
        s.delete_sweep(second)
        assert [x.id for x in s.list_sweeps()] == [first]
        with pytest.raises(StoreError, match=f"there is no sweep #{second}"):
            s.load_sweep(second)
        with pytest.raises(StoreError, match="names no scenario"):
            s.save_sweep({"samples": 1}, {})
        sf = s.schema.table("sweep_files")
        with s.writing() as conn:  # a file changed behind the store's back is refused, not returned
            conn.execute(sf.update().where(sf.c.name == "robust_plan.csv").values(content=b"tampered"))
        with pytest.raises(StoreError, match=r"robust_plan\.csv of sweep #1 is damaged"):
            s.load_sweep(first)


# --- two processes ----------------------------------------------------------------------------------------

def _worker(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ZQ_LAND_USER": "worker"}
    return subprocess.Popen([sys.executable, str(WORKER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)


def _together(tmp_path: Path, *workers: subprocess.Popen[str]) -> None:
    """Let the workers go at the same moment, once each has said it is ready."""
    for w in workers:
        assert w.stdout is not None and w.stdout.readline().strip() == "READY"
    (tmp_path / "go").touch()


def _done(p: subprocess.Popen[str]) -> Any:
    out, err = p.communicate(timeout=240)
    assert p.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow
def test_two_writers_at_once_both_succeed(store_url: str, tmp_path: Path) -> None:
    open_store(store_url).close()  # both workers find the schema made
    go = str(tmp_path / "go")
    a, b = _worker("save", store_url, "3", go), _worker("save", store_url, "3", go)
    _together(tmp_path, a, b)
    ids = _done(a) + _done(b)
    with open_store(store_url) as s:
        runs = s.list_runs()
        assert sorted(r.id for r in runs) == sorted(ids) and len(set(ids)) == 6
        assert len(s.datasets()) == 1  # the same data set, saved once though both wrote it at once
        assert len({r.scenario_version for r in runs}) == 1
        assert s.integrity_check() == []
        assert len(s.load_run(ids[-1]).assignments) == 40


@pytest.mark.slow
def test_two_planners_deciding_the_same_plot_at_once(store: Store, store_url: str, tiny: Any,
                                                     tmp_path: Path) -> None:
    sites, projects, files = tiny
    store.save_dataset(sites, projects, files=files)
    go = str(tmp_path / "go")
    a, b = _worker("decide", store_url, "P1", "S1", go), _worker("decide", store_url, "P2", "S1", go)
    _together(tmp_path, a, b)
    outcomes = [_done(a), _done(b)]
    won = [o for o in outcomes if "id" in o]
    lost = [o for o in outcomes if "conflict" in o]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0]["names"] == [won[0]["id"]]  # the refusal names the decision that took the plot
    assert f"#{won[0]['id']}" in lost[0]["conflict"]
    assert [d.id for d in list_decisions(store)] == [won[0]["id"]]


@pytest.mark.slow
def test_a_save_killed_midway_leaves_the_store_as_it_was(store_url: str, sample_result: AllocationResult) -> None:
    with open_store(store_url) as s:
        before = s.save_run(sample_result)
    p = _worker("hang", store_url)
    assert p.stdout is not None
    line = p.stdout.readline()
    assert line.strip() == "MID", p.stderr.read() if p.stderr else ""
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=30)
    with open_store(store_url) as s:  # a killed SQLite writer leaves a hot journal: opening rolls it back
        assert [r.id for r in s.list_runs()] == [before]
        assert len(s.datasets()) == 1  # the killed run's data set went with it
        assert s.integrity_check() == []
        with s.reading() as conn:
            rows = conn.execute(select(func.count()).select_from(s.schema.table("run_assignments"))).scalar()
        assert rows == len(sample_result.assignments)
        after = s.save_run(sample_result)  # and the store takes new runs
        assert after > before
        assert assignments_csv_bytes(s.load_run(after)) == assignments_csv_bytes(sample_result)
