"""The planners' app: the upload path as a function, and the pages under ``streamlit.testing`` (no browser).

AppTest cannot upload files, so uploads are tested as :func:`ui.data.handle_upload` calls and injected
into a session through ``st.session_state["pending_upload"]`` (the same path the uploader takes).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_HEADER, PROJECT_ROWS, sites_frame, write_csv, write_vector, write_xlsx
from streamlit.testing.v1 import AppTest

from ui.common import problems_frame
from ui.data import PENDING, handle_upload
from ui.scenario import parse_scenario_toml
from zq_land import scenario_label, soffice_path
from zq_land.engine.eligibility import why_not
from zq_land.engine.results import AllocationResult
from zq_land.sample import sample_scenarios, sample_sites
from zq_land.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SAMPLE_SCENARIOS, SAMPLE_SITES = sample_scenarios(), sample_sites()

pytestmark = pytest.mark.skipif(not SAMPLE_SITES.exists(), reason="the sample data is not generated yet")

BAD_CSV = b"foo,bar\n1,2\n"
ODD_CSV = "编码,项目,金额,方式,用地,厂房\nQ1,甲项目,2.5,供地,30,\nQ2,乙项目,0.8,租赁,,2000\n".encode()


# --- the upload path, as a plain function -------------------------------------------------------

@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary-files folder of the test's own, to prove uploads leave nothing behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.parametrize(
    ("kind", "name", "data", "words"),
    [
        ("sites", "parcels.shp", b"x", ".shp"),
        ("sites", "plan.docx", b"x", ".docx"),
        ("projects", "projects.xls", b"x", ".xls"),
        ("projects", "projects.csv", b"", "0"),
    ],
)
def test_upload_refuses_wrong_type_or_empty_file(kind: Any, name: str, data: bytes, words: str,
                                                 private_tmp: Path) -> None:
    out = handle_upload(kind, name, data)
    assert not out.ok and out.table is None
    assert words in out.report.errors[0].message_en
    assert out.report.errors[0].file == name
    assert not list(private_tmp.iterdir())


def test_upload_refuses_a_file_over_the_size_limit(private_tmp: Path) -> None:
    out = handle_upload("projects", "big.csv", b"x" * 2048, max_bytes=1024)
    assert not out.ok
    assert "too large" in out.report.errors[0].message_en and "上限" in out.report.errors[0].message_zh


def test_upload_of_garbage_gives_a_report_not_an_exception(private_tmp: Path) -> None:
    out = handle_upload("sites", "sites.geojson", b"{not json at all")
    assert not out.ok and out.report.errors
    frame = problems_frame(out.report, "zh")
    assert list(frame.columns) == ["级别", "文件", "行", "编号", "列", "说明"]
    assert set(frame["文件"]) == {"sites.geojson"}  # the planner's name, never the temporary path
    assert set(frame["级别"]) == {"错误"}
    assert not list(private_tmp.iterdir())  # the temporary directory is gone


def test_upload_reads_good_files_and_removes_the_temporary_copy(
    sites_geojson: Path, projects_csv: Path, private_tmp: Path
) -> None:
    sites = handle_upload("sites", sites_geojson.name, sites_geojson.read_bytes())
    assert sites.ok and sites.table is not None and list(sites.table["site_id"]) == ["S1", "S2", "S3"]
    assert sites.info is not None and len(sites.info.sha256) == 64 and sites.info.name == "sites.geojson"
    projects = handle_upload("projects", "C:\\Users\\规划科\\项目清单.csv", projects_csv.read_bytes())
    assert projects.ok and projects.filename == "项目清单.csv"
    assert projects.table is not None and len(projects.table) == len(PROJECT_ROWS)
    assert not list(private_tmp.iterdir())


@pytest.mark.parametrize("fmt", ["gpkg", "zip"])
def test_upload_reads_geopackage_and_zipped_shapefile(fmt: str, tmp_path: Path, private_tmp: Path) -> None:
    import zipfile

    if fmt == "gpkg":
        path = write_vector(sites_frame(), tmp_path / "sites.gpkg", layer="sites")
    else:
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        write_vector(sites_frame(), shp_dir / "sites.shp", encoding="utf-8")
        path = tmp_path / "sites.zip"
        with zipfile.ZipFile(path, "w") as z:
            for f in shp_dir.iterdir():
                z.write(f, f.name)
    out = handle_upload("sites", path.name, path.read_bytes())
    assert out.ok, out.report.text()
    assert out.table is not None and set(out.table["name"]) == {"中恒地块", "新桥厂房", "孵化平台"}
    assert not list(private_tmp.iterdir())


def test_upload_reads_an_excel_project_list(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "项目.xlsx", [PROJECT_HEADER, *PROJECT_ROWS])
    out = handle_upload("projects", path.name, path.read_bytes())
    assert out.ok and out.table is not None and list(out.table["project_id"]) == ["P001", "P002", "P003"]


def test_unrecognised_headers_lead_to_a_mapping_that_reads_the_file(private_tmp: Path) -> None:
    out = handle_upload("projects", "odd.csv", ODD_CSV)
    assert not out.ok
    assert out.headers == ("编码", "项目", "金额", "方式", "用地", "厂房")
    mapping = {"编码": "project_id", "项目": "name", "金额": "investment_yi", "方式": "mode",
               "用地": "land_need_mu",
               "厂房": "floor_need_m2"}
    mapped = handle_upload("projects", "odd.csv", ODD_CSV, columns=mapping)
    assert mapped.ok, mapped.report.text()
    assert mapped.table is not None and list(mapped.table["project_id"]) == ["Q1", "Q2"]
    assert dict(mapped.columns) == mapping
    assert mapped.headers == ()


def test_headers_of_a_read_table_are_its_extra_columns(tmp_path: Path) -> None:
    rows = [[*PROJECT_HEADER, "备注"], *[[*r, "x"] for r in PROJECT_ROWS]]
    out = handle_upload("projects", "p.csv", write_csv(tmp_path / "p.csv", rows).read_bytes())
    assert out.ok and out.headers == ("备注",)


def test_scenario_toml_parsing() -> None:
    sc = load_scenario(SAMPLE_SCENARIOS["review_2022_optimised"])
    parsed, rep = parse_scenario_toml("mine.toml", sc.to_toml().encode())
    assert parsed is not None and rep.ok and parsed.weights == sc.weights
    bad, rep = parse_scenario_toml("bad.toml", b"name = \n")
    assert bad is None and "TOML" in rep.errors[0].message_en
    typo, rep = parse_scenario_toml("typo.toml", b"[weigths]\ninvestment = 1\n")
    assert typo is None and rep.errors[0].column == "weigths"
    assert problems_frame(rep, "en")["File"].tolist() == ["typo.toml"]


# --- the pages ------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _no_proven_results_of_other_tests() -> None:
    """Each test starts with an empty process-wide cache of proven results (``ui.state``), as a new app does."""
    from ui.state import forget_proven

    forget_proven()


def _app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _open(at: AppTest, label: str) -> AppTest:
    at.session_state["nav"] = label
    at.run()
    _ok(at)
    return at


def _run_scenario(at: AppTest) -> AllocationResult:
    _open(at, "情景" if at.session_state["lang"] == "zh" else "Scenario")
    at.button(key="btn_run").click().run()
    _ok(at)
    return _current(at)


def _current(at: AppTest) -> AllocationResult:
    result = at.session_state["results_cache"][at.session_state["current_result"]]
    assert isinstance(result, AllocationResult)
    return result


def _table(at: AppTest, *columns: str, absent: tuple[str, ...] = ()) -> Any:
    """The first table on the page holding all of ``columns`` and none of ``absent``."""
    tables = [d.value for d in at.dataframe]
    hits = [df for df in tables
            if set(columns) <= set(map(str, df.columns)) and not set(absent) & set(map(str, df.columns))]
    assert hits, f"no table with {columns}; tables: {[list(df.columns) for df in tables]}"
    return hits[0]


def test_runs_the_sample_scenario_and_shows_kpis_and_assignments() -> None:
    at = _app()
    assert [tab.label for tab in at.tabs] == ["数据", "情景", "结果", "对比", "方案记录", "不确定性", "时间轴"]
    result = _run_scenario(at)
    assert at.session_state["nav"] == "结果"  # a run opens the results page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已落位项目"] == f"{result.kpis['projects_placed']} / {result.kpis['projects_total']}"
    assert metrics["求解状态"] == "已证明最优"
    assert "盘活低效土地（亩）" in metrics and "供地投资强度（万元/亩）" in metrics
    table = _table(at, "项目编号", "落位状态")
    assert len(table) == len(result.assignments) == 109
    assert {"项目编号", "地块编号", "落位状态", "原因"} <= set(table.columns)
    assert set(table["落位状态"]) <= {"已落位", "未落位"}
    assert [s.value for s in at.success][:1] == [f"求解完成：{scenario_label(result.scenario.name)}（已证明最优）"]
    assert {d.proto.label for d in at.get("download_button")} == {
        "Excel 工作簿", "落位表 CSV", "地块 GeoJSON", "离线地图 HTML", "审计包 ZIP", "汇报材料 Word",
        *(["汇报材料 PDF"] if soffice_path() else [])}
    assert len(list(at.get("component_instance"))) == 1  # the result map, drawn with returned_objects=[]
    # the filters narrow the assignment table
    at.multiselect(key="res_f_site_kind").set_value(["platform"]).run()
    _ok(at)
    table = _table(at, "项目编号", "落位状态")
    assert 0 < len(table) == int((result.assignments["site_kind"] == "platform").sum())
    assert set(table["载体类型"]) == {"平台"}


def test_switching_language_relabels_and_keeps_the_page() -> None:
    at = _app()
    _open(at, "情景")
    at.radio(key="lang").set_value("en").run()
    _ok(at)
    assert at.session_state["nav"] == "Scenario"
    assert [tab.label for tab in at.tabs] == ["Data", "Scenario", "Results", "Compare", "Runs", "Uncertainty",
                                              "Timeline"]
    assert at.button(key="btn_run").label == "Run"
    assert at.title[0].value == "Zhaoqing High-tech Zone land and factory allocation"
    _run_scenario(at)
    assert "Projects placed" in {m.label for m in at.metric}
    table = _table(at, "Project ID", "Status")
    assert {"Project ID", "Site ID", "Status", "Reason"} <= set(table.columns)
    assert set(table["Status"]) <= {"placed", "unplaced"}


def test_a_bad_upload_is_refused_with_a_table_and_the_data_stays() -> None:
    at = _app()
    at.session_state[PENDING] = ("projects", "bad.csv", BAD_CSV)
    at.run()
    _ok(at)
    assert any("bad.csv" in e.value and "无法使用" in e.value for e in at.error)
    problems = _table(at, "级别", "说明")
    assert list(problems.columns) == ["级别", "文件", "行", "编号", "列", "说明"]
    assert "找不到可识别的表头" in problems["说明"].iloc[0]
    assert {m.label: m.value for m in at.metric}["项目数"] == "109"  # the sample is still in use
    # the mapping step offers the file's headers
    assert {"foo", "bar"} <= {s.label for s in at.selectbox}


def test_column_mapping_step_reads_the_file_again() -> None:
    at = _app()
    at.session_state[PENDING] = ("projects", "odd.csv", ODD_CSV)
    at.run()
    _ok(at)
    mapping = {"编码": "project_id", "项目": "name", "金额": "investment_yi", "方式": "mode",
               "用地": "land_need_mu",
               "厂房": "floor_need_m2"}
    for box in at.selectbox:
        if box.label in mapping:
            box.set_value(mapping[box.label])
    at.button(key="btn_map_apply_projects").click().run()
    _ok(at)
    assert {m.label: m.value for m in at.metric}["项目数"] == "2"
    assert any("odd.csv" in s.value for s in at.success)
    assert at.session_state["data"].project_columns == tuple(mapping.items())


def _movable(result: AllocationResult) -> tuple[str, str]:
    """An unlocked placed project and another site it may take (eligible, with room)."""
    a = result.assignments
    on = dict(zip(a["project_id"], a["site_id"], strict=True))
    use = result.site_use
    for pid, kind in a.loc[~a["locked"] & (a["status"] == "placed"), ["project_id", "site_kind"]].itertuples(
        index=False
    ):
        for sid in use.loc[(use["kind"] == kind) & (use["free"] > 0), "site_id"]:  # cheap pre-filter
            if sid == on[pid]:
                continue
            codes = [r.code for r in why_not(pid, sid, result.sites, result.projects, result.scenario,
                                             result_assignments=a)]
            if codes == ["not_chosen"]:
                return str(pid), str(sid)
    raise AssertionError("no movable project in the sample")


def test_pin_from_the_results_updates_the_lock_table_and_the_rerun_places_it() -> None:
    at = _app()
    first = _run_scenario(at)
    pid, sid = _movable(first)
    at.selectbox(key="res_why_project").set_value(pid)
    at.selectbox(key="res_why_site").set_value(sid).run()
    _ok(at)
    assert any("未被选中" in m.value for m in at.markdown)  # why_not, in Chinese
    at.button(key="btn_pin").click().run()
    _ok(at)
    assert (pid, sid) in at.session_state["locks"]
    assert any(pid in i.value for i in at.info)
    assert at.warning and "重新运行" in at.warning[0].value  # the shown result is now stale
    at.button(key="btn_rerun_pins").click().run()
    _ok(at)
    second = _current(at)
    placed = second.assignments.set_index("project_id")
    assert placed.loc[pid, "site_id"] == sid and bool(placed.loc[pid, "locked"])
    assert (pid, sid) in second.scenario.locks
    # the lock table on the scenario page starts from the new locks
    _open(at, "情景")
    assert at.session_state["locks_base"][-1] == (pid, sid)


def test_locks_set_in_session_state_reach_the_solver() -> None:
    at = _app()
    first = _run_scenario(at)
    pid, sid = _movable(first)
    at.session_state["locks"] = [*at.session_state["locks"], (pid, sid)]
    at.session_state["locks_ver"] = int(at.session_state["locks_ver"]) + 1
    second = _run_scenario(at)
    assert second.assignments.set_index("project_id").loc[pid, "site_id"] == sid
    # forbidding the pair moves it off again
    at.session_state["locks"] = [p for p in at.session_state["locks"] if p != (pid, sid)]
    at.session_state["forbid"] = [(pid, sid)]
    at.session_state["locks_ver"] = int(at.session_state["locks_ver"]) + 1
    at.session_state["forbid_ver"] = int(at.session_state["forbid_ver"]) + 1
    third = _run_scenario(at)
    assert third.assignments.set_index("project_id").loc[pid, "site_id"] != sid


def test_scenario_settings_survive_switching_pages_and_unchanged_runs_are_cached() -> None:
    at = _app()
    _open(at, "情景")
    at.number_input(key="sc_w_projects").set_value(2.0).run()
    _open(at, "数据")
    _open(at, "情景")
    assert at.number_input(key="sc_w_projects").value == 2.0
    first = _run_scenario(at)
    assert first.scenario.weights.projects == 2.0
    second = _run_scenario(at)  # same settings, same data: served from the session's cache
    assert second.solve is first.solve
    assert len(at.session_state["results_cache"]) == 1


def test_a_loaded_scenario_fills_the_widgets() -> None:
    at = _app()
    sc = load_scenario(SAMPLE_SCENARIOS["nev_cluster"]).with_(name="我的情景")
    at.session_state["sc_uploaded"] = sc
    at.session_state["_apply_base"] = sc
    _open(at, "情景")
    assert at.selectbox(key="sc_base").value == "uploaded"
    assert at.text_input(key="sc_name").value == "我的情景"
    assert at.number_input(key="sc_w_proximity").value == 1.0
    assert at.session_state["locks"] == []


def test_invalid_settings_are_shown_as_a_table() -> None:
    at = _app()
    _open(at, "情景")
    for k in ("investment", "projects", "revitalization", "priority"):
        at.number_input(key=f"sc_w_{k}").set_value(0.0)
    at.run()
    _ok(at)
    assert at.button(key="btn_run").disabled
    problems = _table(at, "级别", "说明")
    assert "weights" in set(problems["列"])


def test_compare_runs_recorded_and_optimised() -> None:
    at = _app()
    _open(at, "对比")
    assert at.info  # needs two results
    at.button(key="btn_run_pair").click().run()
    _ok(at)
    kpis = _table(at, "指标", "差值（B-A）")
    assert {"指标", "方案A", "方案B", "差值（B-A）"} <= set(kpis.columns)
    assert "已落位投资（亿元）" in set(kpis["指标"])
    moved = _table(at, "方案A载体")
    assert len(moved) > 0 and {"项目编号", "方案A载体", "方案B载体", "变化"} <= set(moved.columns)
    assert len(list(at.get("component_instance"))) == 1  # the map of the changes
    labels = [h.label for h in at.session_state["history"]]
    assert labels[0].startswith("2022 review as recorded")
    assert labels[1].startswith("2022 review re-optimised")


def test_two_sessions_keep_their_own_data_and_results(tmp_path: Path) -> None:
    sites = write_vector(sites_frame(area_mu=[200.0, None, None]), tmp_path / "sites.geojson")
    projects = write_csv(tmp_path / "projects.csv", [PROJECT_HEADER, *PROJECT_ROWS])
    one, two = _app(), _app()
    _run_scenario(one)
    for kind, path in (("sites", sites), ("projects", projects)):
        two.session_state[PENDING] = (kind, path.name, path.read_bytes())
        two.run()
        _ok(two)
    assert {m.label: m.value for m in two.metric}["项目数"] == "3"
    _open(two, "结果")
    assert two.info and "尚无结果" in two.info[0].value  # one's result is not two's
    assert len(_run_scenario(two).assignments) == 3
    _open(one, "数据")
    assert {m.label: m.value for m in one.metric}["项目数"] == "109"  # two's upload is not one's
    assert len(_current(one).assignments) == 109
    assert len(one.session_state["results_cache"]) == len(two.session_state["results_cache"]) == 1


def test_new_files_replace_the_sample_and_stale_locks_are_dropped(tmp_path: Path) -> None:
    sites = write_vector(sites_frame(area_mu=[200.0, None, None]), tmp_path / "地块.geojson")
    projects = write_csv(tmp_path / "项目.csv", [PROJECT_HEADER, *PROJECT_ROWS])
    at = _app()
    assert at.session_state["locks"]  # the recorded 2022 placements
    at.session_state[PENDING] = ("sites", sites.name, sites.read_bytes())
    at.run()
    _ok(at)
    assert any("已移除" in w.value for w in at.warning)  # locks on the sample's sites no longer apply
    assert at.session_state["locks"] == []
    at.session_state[PENDING] = ("projects", projects.name, projects.read_bytes())
    at.run()
    _ok(at)
    assert {m.label: m.value for m in at.metric}["地块数"] == "3"
    result = _run_scenario(at)
    placed = dict(zip(result.assignments["project_id"], result.assignments["site_id"], strict=True))
    assert placed == {"P001": "S1", "P002": "S2", "P003": "S3"}
    assert result.inputs["sites"]["path"] == "地块.geojson" and len(result.inputs["sites"]["sha256"]) == 64
    assert result.scenario.sites == Path("地块.geojson")  # the saved TOML names the files in use


def test_every_ui_string_key_used_by_the_app_exists() -> None:
    import re

    from zq_land.i18n import STRINGS

    used: set[str] = set()
    for path in [APP, *sorted((ROOT / "ui").glob("*.py"))]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    assert len(used) > 100
    # keys built at run time, family by family
    from ui import results, scenario, state

    used |= {f"page.{p}" for p in state.PAGES} | {f"sample.{k}" for k in SAMPLE_SCENARIOS}
    used |= {f"sc.w_{w}" for w in scenario.WEIGHTS} | {f"sc.w_{w}_help" for w in scenario.WEIGHTS}
    used |= {f"solve.{s}" for s in ("optimal", "feasible", "infeasible", "time_limit")}
    used |= {f"change.{c}" for c in ("moved", "newly_placed", "unplaced")}
    used |= {f"res.filter_{c}" for c in results.FILTERS} | {"result_status.placed", "result_status.unplaced"}
    used |= {f"prob.{c}" for c in ("severity", "file", "row", "id", "column", "message", "error", "warning")}
    used |= {f"data.upload_{k}{x}" for k in ("sites", "projects") for x in ("", "_help")}
    assert not sorted(used - set(STRINGS))


def test_unplaced_projects_are_listed_with_their_reasons() -> None:
    at = _app()
    _open(at, "情景")
    land = [s for s in at.multiselect(key="sc_excl_sites").options if s.startswith("L")]
    at.session_state["locks"] = []
    at.session_state["locks_ver"] = int(at.session_state["locks_ver"]) + 1
    at.multiselect(key="sc_excl_sites").set_value(land).run()
    result = _run_scenario(at)
    assert result.kpis["projects_unplaced"] > 0
    unplaced = _table(at, "项目编号", "原因", "用地需求（亩）", absent=("落位状态",))
    assert len(unplaced) == len(result.unplaced)
    assert all(unplaced["原因"].str.len() > 0)
    assert any(s.value.startswith("未落位项目及原因") for s in at.subheader)


def test_a_weight_change_gives_the_plan_a_fresh_session_gets() -> None:
    """After a weight change the answer does not depend on the session's earlier plans (issue 11: 1,367 mu of
    land in one session and 1,352 mu in the next): the canonical solve takes no start plan."""
    at = _app()
    _open(at, "情景")
    at.number_input(key="sc_w_revitalization").set_value(0.5).run()
    first = _run_scenario(at)
    _open(at, "情景")
    at.number_input(key="sc_w_revitalization").set_value(1.0).run()
    second = _run_scenario(at)
    assert second.scenario.weights.revitalization == 1.0
    assert second.solve.status == "optimal"
    assert first.solve.status == "optimal"
    assert "started from an earlier plan" not in " ".join(n.en for n in second.solve.fallback_notes)
    from ui.state import forget_proven

    forget_proven()  # the fresh session solves (else it would be given the proven plan of the first)
    fresh = _app()
    _open(fresh, "情景")
    fresh.number_input(key="sc_w_revitalization").set_value(1.0).run()
    again = _run_scenario(fresh)
    assert again.solve is not second.solve  # solved again, not shared
    assert again.assignments["site_id"].tolist() == second.assignments["site_id"].tolist()


def test_a_proven_plan_is_shared_with_another_session_and_a_plan_not_proven_is_not() -> None:
    """Another session (a reloaded page is one) asking for the same run on the same files gets the proven plan of
    the first at once, with its settings shown as its own; a result whose optimum is not proven stays in its
    session."""
    import dataclasses

    from ui.state import keep_proven, proven_result

    one = _app()
    _open(one, "情景")
    one.number_input(key="sc_w_revitalization").set_value(0.7).run()
    first = _run_scenario(one)
    assert first.solve.status == "optimal"
    two = _app()
    _open(two, "情景")
    two.number_input(key="sc_w_revitalization").set_value(0.7).run()
    shared = _run_scenario(two)
    assert shared.solve is first.solve  # not solved again
    assert shared.assignments["site_id"].tolist() == first.assignments["site_id"].tolist()
    assert shared.scenario.weights.revitalization == 0.7
    assert len(two.session_state["results_cache"]) == 1  # now one of the second session's own runs
    _open(two, "结果")
    _ok(two)
    assert {m.label for m in two.metric} >= {"已落位项目"}
    key = two.session_state["current_result"]
    unproven = dataclasses.replace(first, solve=dataclasses.replace(first.solve, status="time_limit"))
    keep_proven(key + "-unproven", unproven)
    assert proven_result(key + "-unproven") is None
    assert proven_result(key) is not None


def test_the_settings_shown_are_solved_ahead_and_run_finds_the_plan_made() -> None:
    """The scenario page solves the settings it shows in the background; a click on "run" once that is done
    gets its result without solving (the very result object), and the plan is the one a solve gives."""
    import time

    from ui.scenario import build_scenario
    from ui.state import forget_proven, proven_result, result_key

    at = _app()
    _open(at, "情景")
    at.number_input(key="sc_w_revitalization").set_value(0.3).run()
    _ok(at)
    data = at.session_state["data"]
    key = result_key(build_scenario_from(at, build_scenario, data), data)
    deadline = time.monotonic() + 120
    while proven_result(key) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    ahead = proven_result(key)
    assert ahead is not None, "the settings shown were not solved ahead"
    ran = _run_scenario(at)
    assert ran.solve is ahead.solve and ran.scenario.weights.revitalization == 0.3
    forget_proven()
    fresh = _app()
    _open(fresh, "情景")
    fresh.number_input(key="sc_w_revitalization").set_value(0.3).run()
    again = _run_scenario(fresh)
    assert again.assignments["site_id"].tolist() == ran.assignments["site_id"].tolist()


def build_scenario_from(at: AppTest, build: Any, data: Any) -> Any:
    """The scenario the page builds from the session's widgets (``ui.scenario.build_scenario``), outside a run."""
    from unittest import mock

    with mock.patch("streamlit.session_state", at.session_state):
        return build(data)
