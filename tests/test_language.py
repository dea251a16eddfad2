"""Each language whole (issue 16): the app's strings, the labels and the readers' headers as a planner writes them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from zq_land import check_projects, code_label, header, scenario_description, scenario_label, t
from zq_land.i18n import SAMPLE_SCENARIO_WORDS, SOLVER_WORDS, START_WORDS, STRINGS, solver_label
from zq_land.text import LABELS

CJK = re.compile(r"[\u4e00-\u9fff]")
ASCII_PUNCT_BY_CJK = re.compile(r"[\u4e00-\u9fff][:;,?!()]|[:;,?!()][\u4e00-\u9fff]")


def test_chinese_strings_take_full_width_punctuation_and_english_ones_no_chinese() -> None:
    bad_zh = {k: zh for k, (zh, _) in STRINGS.items() if ASCII_PUNCT_BY_CJK.search(zh)}
    assert not bad_zh, bad_zh
    bad_en = {k: en for k, (_, en) in STRINGS.items() if CJK.search(en) and k != "app.language"}
    assert not bad_en, bad_en
    assert header("investment_yi", "zh") == "投资额（亿元）"
    assert header("investment_yi", "en") == "Investment (100M yuan)"
    assert all(not ASCII_PUNCT_BY_CJK.search(label.header("zh")) for label in LABELS.values())


def test_no_optimiser_jargon_in_the_chinese_ui() -> None:
    jargon = ("上界", "间隙", "目标值", "松弛", "影子价格", "w ×", "求证明最优")
    assert not {k: zh for k, (zh, _) in STRINGS.items() if any(j in zh for j in jargon)}
    line = t("kpi.solver_line", "zh", objective="12.50", bound="12.50", gap="0.00%", seconds="1.2")
    assert line == "方案得分 12.50 亿元当量，理论最高 12.50 亿元当量，差距不超过 0.00%；计算用时 1.2 秒。"


def test_what_found_the_plan_is_said_in_words_without_codes() -> None:
    """Every solver code a report can carry, alone or with the start plan kept (``highs+lp-rounding``), reads in
    Chinese with no Latin letters but the programs' names, and in English with no Chinese."""
    codes = [*SOLVER_WORDS, *(f"{s}+{k}" for s in SOLVER_WORDS for k in START_WORDS)]
    for code in codes:
        zh, en = solver_label(code, "zh"), solver_label(code, "en")
        assert not re.search(r"[A-Za-z]", zh.replace("HiGHS", "").replace("CBC", "")), zh
        assert not CJK.search(en) and not any(part in en for part in code.split("+")), en
    assert solver_label("highs+pattern-plan", "zh") == ("HiGHS 混合整数规划，保留更好的起始方案："
                                                        "由地块整体装填组合成的方案")
    assert solver_label("Other-Solver", "en") == "Other-Solver"  # a code not known is shown as it is


def test_codes_are_words_in_english_and_names_in_chinese() -> None:
    assert code_label("industry", "nev_parts", "en") == "auto parts"
    assert code_label("mode", "land_or_lease", "en") == "land or lease"
    assert code_label("industry", "nev_parts", "zh") == "汽车零部件"


def test_the_samples_scenarios_are_named_and_described_in_the_uis_language() -> None:
    for name, (zh, desc_zh, desc_en) in SAMPLE_SCENARIO_WORDS.items():
        assert scenario_label(name, "zh") == zh and scenario_label(name, "en") == name
        assert scenario_description(name, "x", "zh") == desc_zh and not re.search(r"[A-Za-z]{3,}", desc_zh.replace(
            "CATL", ""))
        assert scenario_description(name, "x", "en") == desc_en and not CJK.search(desc_en)
    assert scenario_label("我的方案", "en") == "我的方案"  # a planner's own name stays as written


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_bureaus_headers_are_recognised(tmp_path: Path, encoding: str) -> None:
    """Headers as a bureau writes them: full-width brackets, ㎡, its own words (NFKC, then the synonyms)."""
    f = tmp_path / "bureau.csv"
    f.write_bytes(("序号,项目编号,企业名称,所属行业,总投资（亿元）,供地方式,拟用地面积（亩）,租赁面积（㎡）\n"
                   "1,X1,甲公司,汽车零部件,2.5,供地,30,\n2,X2,乙公司,电子信息,0.8,租赁,,2000\n").encode(encoding))
    res = check_projects(f)
    assert res.table is not None and not [p for p in res.report if p.severity == "error"]
    got = res.table.set_index("project_id")
    assert got.loc["X1", "name"] == "甲公司" and got.loc["X1", "industry"] == "nev_parts"
    assert got.loc["X1", "investment_yi"] == 2.5 and got.loc["X1", "mode"] == "land"
    assert got.loc["X1", "land_need_mu"] == 30 and got.loc["X2", "floor_need_m2"] == 2000


def test_the_workbooks_kpis_and_solver_figures_read_as_a_planner_reads() -> None:
    """KPI sheet: counts whole (not 6.0), the share in % (97.1, not 0.9707); the solver sheet in words."""
    import io

    import openpyxl

    from zq_land import allocate, load_scenario, sample_scenarios, workbook_bytes

    result = allocate(load_scenario(sample_scenarios()["review_2022_optimised"]))
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(result, lang="zh")))
    kpis = {r[0]: r[1] for r in book["指标"].iter_rows(min_row=2, values_only=True)}
    assert kpis["已落位项目"] == result.kpis["projects_placed"] and isinstance(kpis["已落位项目"], int)
    share = kpis["已落位投资占比（%）"]
    assert share == round(100 * result.kpis["investment_placed_share"], 1) and 1 < share <= 100
    assert kpis["已落位投资（亿元）"] == round(result.kpis["investment_placed_yi"], 2)
    solver = {r[0]: r[1] for ws in book.worksheets if ws.title not in ("指标",) for r in ws.iter_rows(
        min_row=2, values_only=True) if r and r[0] in ("求解状态", "方案得分（亿元当量）")}
    assert solver.get("求解状态") == "已证明最优"


def test_why_not_for_an_unplaced_project_is_a_whole_sentence() -> None:
    """An unplaced project's site is "" in the assignments: the reason must not end in "placed on ..." with nothing."""
    from zq_land import allocate, load_scenario, sample_scenarios, why_not

    result = allocate(load_scenario(sample_scenarios()["review_2022_optimised"]))
    a = result.assignments
    a = a.assign(site_id=a["site_id"].fillna(""))
    unplaced = a.loc[a["site_id"] == "", "project_id"]
    if unplaced.empty:  # every project placed: make one unplaced in the table the reasons read
        pid = str(a["project_id"].iloc[0])
        a.loc[a["project_id"] == pid, "site_id"] = ""
    else:
        pid = str(unplaced.iloc[0])
    texts = [r.text_zh for s in result.sites["site_id"].astype(str)
             for r in why_not(pid, s, result.sites, result.projects, result.scenario, result_assignments=a)]
    assert texts and not [x for x in texts if x.rstrip().endswith(("安排在", "placed on"))], texts


def test_the_panel_refuses_a_pin_that_breaks_a_rule_and_names_the_plot() -> None:
    """In the app: choosing a plot shows it by name with its projects and capacity in units; a pin of a project
    on a plot that fails a rule (an occupied anchor's base) is refused where it is asked, with the reason."""
    from test_app import _app, _ok, _run_scenario

    at = _app()
    result = _run_scenario(at)
    a = result.assignments
    pid = str(a.loc[a["status"] == "placed", "project_id"].iloc[0])
    occupied = str(result.sites.loc[result.sites["status"] == "occupied", "site_id"].iloc[0])
    at.selectbox(key="res_why_site").set_value(occupied)
    at.selectbox(key="res_why_project").set_value(pid).run()
    _ok(at)
    assert at.button(key="btn_pin").disabled
    assert any("不能锁定到这里" in c.value for c in at.caption)
    assert any("已占用" in m.value for m in at.markdown)  # the rule that fails, in words
    # a plot with projects: its name as the panel's heading, its capacity in 亩
    full = str(a.loc[a["status"] == "placed", "site_id"].value_counts().index[0])
    at.selectbox(key="res_why_site").set_value(full).run()
    _ok(at)
    name = str(result.sites.set_index("site_id").loc[full, "name"])
    assert any(m.value.replace("\\", "") == f"#### {name}（{full}）" for m in at.markdown)  # as typed
    assert {"容量（亩）", "已配置（亩）", "剩余（亩）"} <= {m.label for m in at.metric}


def _stray(text: str, lang: str) -> list[str]:
    from test_browser_ui import stray_words

    return stray_words(text, lang)


def _shown_texts(at: object) -> list[str]:
    """Every text the app shows on its current page (headings, captions, labels, metrics, table headers and
    cells): a browser draws table cells on a canvas, so the browser test cannot read them."""
    out: list[str] = []
    for kind in ("title", "subheader", "header", "markdown", "caption", "info", "success", "warning", "error"):
        out += [re.sub(r"\\(.)", r"\1", str(e.value)) for e in getattr(at, kind)  # Markdown escapes, as shown
                if not str(e.value).lstrip().startswith("<style>")]
    out += [str(m.label) for m in at.metric] + [str(m.value) for m in at.metric]  # type: ignore[attr-defined]
    for kind in ("selectbox", "multiselect", "radio", "button", "toggle", "number_input", "text_input"):
        out += [str(w.label) for w in getattr(at, kind)]
    for df in at.dataframe:  # type: ignore[attr-defined]
        v = df.value
        config = json.loads(df.proto.columns or "{}")  # column_config: the headers the planner sees
        out += [str(config.get(str(c), {}).get("label") or c) for c in v.columns
                if not config.get(str(c), {}).get("hidden")]
        for col in v.columns:
            if v[col].dtype == object:
                out += [str(x) for x in v[col].tolist()]
    return out


@pytest.mark.slow
def test_every_page_and_table_reads_whole_in_both_languages() -> None:
    """Each page of the app in Chinese and English, tables included: no raw code (nev_parts, None), no stray
    word of the other language (names of formats and services and the data's own ids and names aside)."""
    from test_app import _app, _ok, _open, _run_scenario

    at = _app()
    _run_scenario(at)
    findings: dict[str, list[str]] = {}
    for lang, pages in (("zh", ("数据", "情景", "结果", "对比", "方案记录", "不确定性", "时间轴")),
                        ("en", ("Data", "Scenario", "Results", "Compare", "Runs", "Uncertainty", "Timeline"))):
        if lang == "en":
            at.radio(key="lang").set_value("en").run()
            _ok(at)
        for page in pages:
            _open(at, page)
            bad = sorted({w for text in _shown_texts(at) for w in _stray(text, lang)})
            if bad:
                findings[f"{lang}/{page}"] = bad
    assert not findings, "\n".join(f"{k}: {v}" for k, v in findings.items())
