"""The app keeps its work in the store: a run survives a new session (F5) and a server restart, the runs
page reopens, renames, compares and adopts runs, and adopted decisions lock later runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from conftest import PROJECT_HEADER, PROJECT_ROWS, sites_frame, write_csv, write_vector
from test_app import _app, _current, _ok, _open, _run_scenario, _table

from ui.data import PENDING
from zq_land import sample_sites
from zq_land.store import list_decisions, open_store

pytestmark = [pytest.mark.skipif(not sample_sites().exists(), reason="the sample data is not generated yet"),
              pytest.mark.slow]


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "workspace" / "zq_land.gpkg"
    monkeypatch.setenv("ZQ_LAND_STORE", str(path))
    return path


def test_a_run_survives_a_new_session_and_a_server_restart(store_path: Path) -> None:
    one = _app()
    first = _run_scenario(one)
    with open_store(store_path) as s:
        [saved] = s.list_runs()
    assert saved.source == "app" and saved.scenario == first.scenario.name

    st.cache_resource.clear()  # a restarted server opens the store anew
    two = _app()  # a new session: F5, or a colleague's browser
    again = _current(two)
    assert again.assignments.equals(first.assignments) and again.kpis == first.kpis
    _open(two, "结果")
    assert not two.warning  # the reopened run matches the session's data and scenario: not stale
    _open(two, "方案记录")
    runs = _table(two, "编号", "名称", "记录人")
    assert list(runs["编号"]) == [saved.id]

    two.text_input(key=f"runs_label_{saved.id}").set_value("第5次评审会汇报稿").run()
    two.button(key="btn_runs_rename").click().run()
    _ok(two)
    _open(one, "方案记录")  # the other session sees the new label
    assert list(_table(one, "编号", "名称")["名称"]) == ["第5次评审会汇报稿"]


def test_a_run_of_the_command_line_opens_in_the_app(store_path: Path, sites_geojson: Path,
                                                   projects_csv: Path, tmp_path: Path) -> None:
    from zq_land.cli import main

    assert main(["solve", "--sites", str(sites_geojson), "--projects", str(projects_csv), "--out",
                 str(tmp_path / "out"), "--store", str(store_path), "--quiet"]) == 0
    at = _app()  # the store's latest data set and run: the command line's
    assert at.session_state["data"].sites_file.name == "sites.geojson"
    assert len(_current(at).assignments) == 3
    _open(at, "结果")
    assert not at.warning  # not flagged stale: the app names the same inputs its own way


def test_an_upload_becomes_a_data_set_that_a_new_session_starts_from(store_path: Path, tmp_path: Path) -> None:
    sites = write_vector(sites_frame(area_mu=[200.0, None, None]), tmp_path / "地块.geojson")
    projects = write_csv(tmp_path / "项目.csv", [PROJECT_HEADER, *PROJECT_ROWS])
    one = _app()
    for kind, path in (("sites", sites), ("projects", projects)):
        one.session_state[PENDING] = (kind, path.name, path.read_bytes())
        one.run()
        _ok(one)
    with open_store(store_path) as s:
        names = [(d.sites_file, d.projects_file, d.n_sites, d.n_projects) for d in s.datasets()]
    # the sites upload with the sample's projects, then both uploads: each a data set
    assert names[0] == ("地块.geojson", "项目.csv", 3, 3) and len(names) == 2
    two = _app()  # a new session starts from the store's latest data set, not the sample
    assert {m.label: m.value for m in two.metric}["项目数"] == "3"
    assert two.session_state["data"].sites_file.name == "地块.geojson"


def test_adopted_placements_lock_later_runs_and_two_runs_compare(store_path: Path) -> None:
    at = _app()
    recorded = _run_scenario(at)
    at.session_state["sc_w_projects"] = 0.5  # a second run with other weights
    at.session_state["locks"] = []
    second = _run_scenario(at)
    assert second.assignments["locked"].sum() == 0
    _open(at, "方案记录")
    with open_store(store_path) as s:
        newest, oldest = (r.id for r in s.list_runs())
    assert _table(at, "指标", "方案A", "方案B") is not None  # the two runs compared
    at.selectbox(key="runs_pick").set_value(oldest).run()
    at.number_input(key="runs_meeting").set_value(5).run()
    at.button(key="btn_runs_adopt").click().run()
    _ok(at)
    with open_store(store_path) as s:
        decided = list_decisions(s)
    placed = recorded.assignments.loc[recorded.assignments["status"] == "placed"]
    assert len(decided) == len(placed) and {d.meeting for d in decided} == {5}
    assert _table(at, "编号", "项目编号", "地块编号", "占用") is not None
    locked = _run_scenario(at)  # the decisions now bind: every decided placement is locked
    pairs = set(zip(locked.assignments["project_id"], locked.assignments["site_id"], strict=True))
    assert {(d.project_id, d.site_id) for d in decided} <= pairs
    assert int(locked.assignments["locked"].sum()) == len(decided)
    assert newest != oldest
