"""Per-mu efficiency (亩均): the optional columns and their bad cells, per-mu floors, the tax weight, A-D grading
and the D-grade sites in every output (files, workbook, map, brief), on a hand-solvable toy and the sample."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import sites_frame, write_csv, write_vector

from zq_land import (
    InputError,
    allocate,
    build_brief,
    check_projects,
    cli,
    load_scenario,
    read_projects,
    read_run,
    read_sites,
    scenario_from_dict,
    why_not,
    write_outputs,
)
from zq_land.engine.rules import grades_by_share
from zq_land.outputs.brief.document import Heading, Table
from zq_land.sample import sample_scenarios

HEADER = ["project_id", "name", "industry", "investment_yi", "mode", "land_need_mu", "tax_wan", "output_wan", "jobs"]


def _toy(tmp_path: Path, *, min_tax: float | None = None) -> tuple[Path, Path]:
    """One 100-mu plot (L1) for two 100-mu projects: A invests more (5 亿元) but pays less tax (10 万元/亩)
    than B (4 亿元, 40 万元/亩). L2 is an occupied firm paying 2 万元/亩, L3 an inefficient plot (too small for
    either project) whose firm pays 60 万元/亩."""
    sites = sites_frame(site_id=["L1", "L2", "L3"], name=["一号地块", "二号地块", "三号地块"], kind=["land"] * 3,
                        area_mu=[100.0, 100.0, 50.0], floor_area_m2=[None] * 3,
                        status=["vacant", "occupied", "inefficient"], industries=[""] * 3,
                        tax_wan=[None, 200.0, 3000.0], min_tax_wan_per_mu=[min_tax, None, None])
    s = write_vector(sites, tmp_path / "sites.geojson")
    p = write_csv(tmp_path / "projects.csv", [
        HEADER,
        ["A", "高投资低税收", "equipment", "5", "land", "100", "1000", "30000", "200"],
        ["B", "低投资高税收", "electronics", "4", "land", "100", "4000", "50000", "300"],
    ])
    return s, p


def _scenario(sites: Path, projects: Path, **extra: object) -> object:
    data = {"name": "toy", "sites": str(sites), "projects": str(projects),
            "policy": {"grade_shares": [0.34, 0.33, 0.0, 0.33]}, **extra}
    return scenario_from_dict(data)


def test_new_columns_parse_units_and_refuse_bad_cells_by_row_id_and_column(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    good = write_csv(tmp_path / "good.csv", [
        ["项目编号", "投资额(亿元)", "落地方式", "用地需求(亩)", "预计税收(万元)", "预计产值(万元)", "就业人数"],
        ["P1", "2", "供地", "40", "350万元", "1.2亿元", "80人"],
        ["P2", "1", "供地", "20", "", "", ""],
    ])
    df = read_projects(good)
    assert df["tax_wan"].tolist()[0] == 350.0 and df["output_wan"].tolist()[0] == 12_000.0
    assert df["jobs"].tolist()[0] == 80.0 and df[["tax_wan", "output_wan", "jobs"]].iloc[1].isna().all()

    bad = write_csv(tmp_path / "bad.csv", [
        HEADER,
        ["P1", "", "other", "1", "land", "10", "-5", "100", "10"],
        ["P2", "", "other", "1", "land", "10", "30万元/亩", "100", "10"],
        ["P3", "", "other", "1", "land", "10", "10", "很多", "10"],
        ["P4", "", "other", "1", "land", "10", "10", "100", "12.5"],
    ])
    rep = check_projects(bad).report
    found = {(p.row, p.item_id, p.column) for p in rep.errors}
    assert found == {(2, "P1", "tax_wan"), (3, "P2", "tax_wan"), (4, "P3", "output_wan"), (5, "P4", "jobs")}
    unit = next(p for p in rep.errors if p.item_id == "P2")
    assert "单位" in unit.message.zh and "wrong unit" in unit.message.en and "万元" in unit.message.en
    assert cli.main(["validate", "--sites", str(_toy(tmp_path)[0]), "--projects", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "bad.csv, row 2 / 第2行, id P1, column tax_wan" in out and "不能为负数" in out and "negative" in out
    # a plot's tax floor with projects that give no tax: usable, with a warning naming them
    floored = _toy(tmp_path, min_tax=20.0)[0]
    assert cli.main(["validate", "--sites", str(floored), "--projects", str(good)]) == 0
    out = capsys.readouterr().out
    assert "min_tax_wan_per_mu" in out and "1 land project(s) have no tax_wan to check it against: P2" in out


def test_floor_excludes_with_a_reason_and_the_tax_weight_changes_the_plan(tmp_path: Path) -> None:
    sites, projects = _toy(tmp_path)
    plain = allocate(_scenario(sites, projects))
    assert plain.solve.status == "optimal" and plain.solve.objective == pytest.approx(5.0)
    assert dict(zip(plain.assignments["project_id"], plain.assignments["site_id"], strict=True)) == {"A": "L1", "B": ""}
    # tax weight 1: the pipeline pays 5000 万元 on 200 mu (25 万元/亩) and invests 9 亿元 per 5000 万元 of tax, so
    # A counts 5 + (1000 - 25 x 100) x 9/5000 = 2.3 and B 4 + (4000 - 2500) x 9/5000 = 6.7
    taxed = allocate(_scenario(sites, projects, weights={"investment": 1.0, "tax": 1.0}))
    assert taxed.solve.objective == pytest.approx(4 + 1500 * 9 / 5000)
    assert taxed.assignments.set_index("project_id").at["B", "site_id"] == "L1"
    # with little weight on investment, A (below the average tax per mu) is worth less than the land it takes
    thin = allocate(_scenario(sites, projects, weights={"investment": 0.1, "tax": 1.0},
                              forbid=[{"project": "B", "site": "L1"}]))
    a = thin.assignments.set_index("project_id")
    assert thin.solve.objective == pytest.approx(0.0) and a.at["A", "reason_code"] == "not_chosen"
    assert "亩均税收低于本批项目平均" in a.at["A", "reason_zh"]
    assert "below the pipeline's average" in a.at["A", "reason_en"]
    # a 20 万元/亩 floor, set by the plot or by the scenario: A (10 万元/亩) may not go there
    (tmp_path / "floored").mkdir()
    for floored in (allocate(_scenario(*_toy(tmp_path / "floored", min_tax=20.0))),
                    allocate(_scenario(sites, projects, policy={"default_min_tax_wan_per_mu": 20.0}))):
        a = floored.assignments.set_index("project_id")
        assert a.at["B", "site_id"] == "L1" and a.at["A", "status"] == "unplaced"
        assert "亩均税收不足" in a.at["A", "reason_zh"] and "tax per mu too low:" in a.at["A", "reason_en"]
        why = why_not("A", "L1", floored.sites, floored.projects, floored.scenario)
        assert [(r.code, r.text.zh) for r in why] == [("tax_floor", "亩均税收 10.0 万元/亩，低于地块下限 20.0 万元/亩")]
        assert "tax per mu of 10.0 万元/mu is below the site's floor of 20.0" in why[0].text.en


def test_grades_and_candidates_reach_every_output(tmp_path: Path) -> None:
    sites, projects = _toy(tmp_path)
    result = allocate(_scenario(sites, projects))
    su = result.site_use.set_index("site_id")
    # per mu of the firm's plot (L2, L3) or of the space the placed projects take (L1: 1000 / 100)
    assert su["tax_wan_per_mu"].to_dict() == {"L1": 10.0, "L2": 2.0, "L3": 60.0}
    assert su["grade"].to_dict() == {"L1": "B", "L2": "D", "L3": "A"}
    k = result.kpis
    assert (k["tax_wan_per_mu"], k["output_wan_per_mu"], k["jobs_per_mu"]) == (10.0, 300.0, 2.0)
    assert k["revitalization_candidates"] == ["L2"] and k["grade_counts"] == {"A": 1, "B": 1, "C": 0, "D": 1}
    out = tmp_path / "run"
    write_outputs(result, out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["tax_wan_per_mu"] == 10.0
    assert summary["efficiency_by_industry"]["equipment"]["tax_placed_wan"] == 1000
    csv = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    assert csv.set_index("project_id").at["A", "tax_wan_per_mu"] == 10.0
    wb = openpyxl.load_workbook(out / "assignments.xlsx", read_only=True)
    assert {"亩均效益", "盘活候选(D类)"} <= set(wb.sheetnames)
    heads = [c.value for c in next(wb["亩均效益"].iter_rows(max_row=1))]
    assert "亩均税收（万元/亩）" in heads and "落位项目就业（人）" in heads
    geo = read_sites(out / "sites.geojson")
    assert geo.set_index("site_id")["candidate"].to_dict() == {"L1": False, "L2": True, "L3": False}
    page = (out / "map.html").read_text(encoding="utf-8")  # the layer control lists the layer, escaped
    assert json.dumps("D类载体（盘活候选）（1）")[1:-1] in page and '"zq-candidate"}],"id":["L2"]' in page
    for lang, heading, site in (("zh", "（三）亩均效益与盘活候选", "二号地块"),
                                ("en", "1.3 Per-mu efficiency and revitalization candidates", "L2")):
        blocks = build_brief(read_run(out), lang=lang).blocks  # type: ignore[arg-type]
        at = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == heading)
        by_industry, candidates = [b for b in blocks[at:] if isinstance(b, Table)][:2]
        assert by_industry.rows[-1][1:] == ("30,000", "1,000", "200", "500.0", "300.0", "10.0")  # the total row
        assert [(site in row[0], row[-1]) for row in candidates.rows] == [(True, "D")]


def test_existing_firms_alone_are_graded(tmp_path: Path) -> None:
    """Projects without figures, firms with them on the occupied and inefficient plots: the firms are graded
    per mu of their plot, and the plan has no per-mu KPIs of its own."""
    sites, _ = _toy(tmp_path)
    projects = write_csv(tmp_path / "plain.csv", [HEADER[:6], ["A", "", "equipment", "5", "land", "100"]])
    result = allocate(_scenario(sites, projects))
    assert result.site_use.set_index("site_id")["grade"].to_dict() == {"L1": "", "L2": "D", "L3": "A"}
    assert result.kpis["revitalization_candidates"] == ["L2"] and "tax_wan_per_mu" not in result.kpis
    assert "tax_wan" not in result.assignments.columns
    # a tax floor cannot check a project without a tax figure: it passes, and the run says so
    floored = allocate(_scenario(sites, projects, policy={"default_min_tax_wan_per_mu": 20.0}))
    assert floored.assignments.set_index("project_id").at["A", "site_id"] == "L1"
    (note,) = floored.kpis["per_mu_warnings"]
    assert "未按亩均税收下限检查：A" in note["zh"] and "not checked against the tax-per-mu floor: A" in note["en"]


def test_grade_shares_follow_zhejiang_and_ties_share_the_better_grade() -> None:
    grades = grades_by_share(list(range(20, 0, -1)), (0.25, 0.45, 0.25, 0.05))
    assert [grades.count(g) for g in "ABCD"] == [5, 9, 5, 1] and grades[0] == "A" and grades[-1] == "D"
    assert grades_by_share([3.0, 3.0, 1.0, float("nan")], (0.25, 0.45, 0.25, 0.05)) == ["A", "A", "C", ""]
    assert scenario_from_dict({"policy": {"grade_shares": [25, 45, 25, 5]}}).policy.grade_shares == (
        0.25, 0.45, 0.25, 0.05)
    with pytest.raises(InputError, match="grade_shares"):
        scenario_from_dict({"policy": {"grade_shares": [0.5, 0.5, 0.5, 0.5]}})
    with pytest.raises(InputError, match="grade_by"):
        scenario_from_dict({"policy": {"grade_by": "jobs"}})


def test_the_sample_plan_is_the_same_without_the_new_columns(tmp_path: Path) -> None:
    sc = load_scenario(sample_scenarios()["review_2022_optimised"])
    assert sc.projects is not None
    full = read_projects(sc.projects)
    assert full[["output_wan", "tax_wan", "jobs"]].notna().all().all() and len(full) == 109
    raw = pd.read_csv(sc.projects, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    stripped = tmp_path / "projects.csv"
    raw.drop(columns=["output_wan", "tax_wan", "jobs"]).to_csv(stripped, index=False)
    with_figures = allocate(sc)
    without = allocate(sc.with_(projects=stripped))
    assert "tax_wan" not in without.assignments.columns and "tax_wan_per_mu" not in without.kpis
    cols = ["project_id", "site_id", "status"]
    pd.testing.assert_frame_equal(with_figures.assignments[cols], without.assignments[cols])
    assert with_figures.solve.objective == pytest.approx(without.solve.objective)
    assert with_figures.kpis["revitalization_candidates"]  # the sample's figures give D-grade plots


def test_the_results_page_shows_the_per_mu_section_in_both_languages() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=90)
    at.run()
    at.session_state["nav"] = "情景"
    at.run()
    at.number_input(key="sc_w_tax").set_value(1.0)
    at.number_input(key="sc_tax_floor").set_value(1.0)  # low: the recorded locks must stay admissible
    at.button(key="btn_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["results_cache"][at.session_state["current_result"]]
    assert result.scenario.weights.tax == 1.0 and result.scenario.policy.default_min_tax_wan_per_mu == 1.0
    metrics = {m.label: m.value for m in at.metric}
    assert {"亩均投资（万元/亩）", "亩均产值（万元/亩）", "亩均税收（万元/亩）", "亩均就业（人/亩）",
            "落位项目年税收（万元/年）"} <= set(metrics)
    assert "亩均效益" in [s.value for s in at.subheader]
    tables = {str(d.value.columns[0]): d.value for d in at.dataframe}
    assert "亩均税收（万元/亩）" in tables["产业类别"].columns and tables["产业类别"].iloc[-1, 0] == "合计"
    candidates = [d.value for d in at.dataframe if "亩均评级" in d.value.columns and "项目数" in d.value.columns]
    assert candidates and set(candidates[-1]["亩均评级"]) == {"D"}
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Tax per mu (10k yuan/mu)" in {m.label for m in at.metric}
    assert "Per-mu efficiency" in [s.value for s in at.subheader]
    assert any("Sites graded on tax per mu" in m.value for m in at.markdown)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
def test_the_d_grade_site_is_drawn_and_listed_on_the_map_in_a_browser(tmp_path: Path) -> None:
    from test_browser import offline_page

    from zq_land import result_map, standalone_html

    result = allocate(_scenario(*_toy(tmp_path)))
    html = standalone_html(result_map(result, lang="zh"))
    errors: list[str] = []
    with offline_page() as page:
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_content(html, wait_until="load")
        page.wait_for_selector("path.zq-candidate", state="attached", timeout=20_000)
        assert page.locator("path.zq-candidate").count() == 1
        assert "D类载体（盘活候选）（1）" in page.locator(".leaflet-control-layers-overlays").inner_text()
        page.locator("path.zq-candidate").first.click(force=True)
        page.wait_for_selector(".leaflet-popup-content", timeout=10_000)
        assert "地块编号：L2" in page.locator(".leaflet-popup-content").inner_text()
    assert not errors
