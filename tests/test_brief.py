"""The review-meeting brief (`python -m zq_land report`): opened as a planner opens it, with python-docx.

The 2022 optimised run is solved once for the module; a tiny run (three sites, five projects, two of
them left out for real reasons) serves the unplaced list, the reference-plan changes, the warnings
and the refusals. The PDF (LibreOffice's rendering of the Word file) is read back with poppler, as a
reviewer's machine would, and its pages are rendered to PNG under ``test-output/brief/`` to be looked at.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import PROJECT_HEADER, sites_frame, write_csv, write_vector
from docx import Document
from docx.document import Document as DocxDocument

from zq_land import (
    AllocationResult,
    allocate,
    audit_bundle_bytes,
    brief_bytes,
    build_brief,
    load_scenario,
    read_run,
    run_from_result,
    soffice_path,
    write_outputs,
)
from zq_land.cli import main

ROOT = Path(__file__).resolve().parents[1]
OPTIMISED = ROOT / "scenarios" / "review_2022_optimised.toml"
OUT_DIR = ROOT / "test-output" / "brief"
POPPLER = all(shutil.which(t) for t in ("pdffonts", "pdftotext", "pdftoppm", "pdfinfo"))
needs_pdf = [
    pytest.mark.slow,
    pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (libreoffice-writer-nogui) is not installed"),
    pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdffonts, pdftotext, pdftoppm) is not installed"),
]
TODAY = dt.date(2023, 1, 16)
#: Codes of the data contract that must never show in a brief (its words say them).
RAW_CODES = ("optimal", "feasible", "time_limit", "land", "lease", "platform", "land_or_lease", "factory",
             "vacant", "inefficient", "occupied", "placed", "unplaced", "nev_parts", "nev_vehicle", "battery",
             "excluded_project", "sites_full", "moved", "newly_placed", "XPeng", "Ruiqing")
#: Latin words a Chinese brief may hold: names of a checksum and of the solver.
NAMES_ALLOWED = {"SHA", "HiGHS", "CBC"}


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[AllocationResult, Path]:
    """The 2022 optimised run: the result in memory and the folder `solve --out` writes."""
    result = allocate(load_scenario(OPTIMISED))
    out = tmp_path_factory.mktemp("optimised")
    write_outputs(result, out)
    return result, out


@pytest.fixture(scope="module")
def sample_docx(sample: tuple[AllocationResult, Path]) -> DocxDocument:
    return Document(io.BytesIO(brief_bytes(read_run(sample[1]), today=TODAY)))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[AllocationResult, Path]:
    """Three sites and five projects: P004 needs more floor than any factory has, P005 is excluded."""
    d = tmp_path_factory.mktemp("tiny")
    write_vector(sites_frame(), d / "sites.geojson")
    write_csv(d / "projects.csv", [
        PROJECT_HEADER,
        ["P001", "铭利达新能源关键零部件", "nev_parts", "XPeng", "12.5", "land", "120", "", "1"],
        ["P002", "震裕租赁", "nev_parts", "", "1.2", "lease", "", "8000", "2"],
        ["P003", "孵化项目", "electronics", "", "0.3", "platform", "", "1500", "3"],
        ["P004", "大型厂房项目", "equipment", "", "3.0", "lease", "", "90000", "3"],
        ["P005", "排除的项目", "food", "", "0.8", "lease", "", "2000", "4"],
    ])
    (d / "tiny.toml").write_text(
        'name = "小型测试"\nsites = "sites.geojson"\nprojects = "projects.csv"\nexclude_projects = ["P005"]\n'
        '[weights]\ninvestment = 1.0\nprojects = 0.5\n[solver]\ntime_limit_s = 20\n', encoding="utf-8")
    result = allocate(load_scenario(d / "tiny.toml"))
    write_outputs(result, d / "run")
    return result, d / "run"


@pytest.fixture(scope="module")
def sample_pdf(sample: tuple[AllocationResult, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("brief") / "brief.pdf"
    assert main(["report", str(sample[1]), "--out", str(out)]) == 0
    return out


def _texts(doc: DocxDocument) -> list[str]:
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            out += [c.text for c in row.cells]
    for section in doc.sections:
        for footer in (section.footer, section.even_page_footer):
            out += [p.text for p in footer.paragraphs]
    return out


def _table(doc: DocxDocument, *headers: str) -> list[list[str]]:
    """The rows (as text) of the table whose header row holds ``headers``."""
    for table in doc.tables:
        head = [c.text for c in table.rows[0].cells]
        if all(h in head for h in headers):
            return [[c.text for c in row.cells] for row in table.rows]
    raise AssertionError(f"no table with {headers}: {[[c.text for c in t.rows[0].cells] for t in doc.tables]}")


def _latin_words(text: str) -> set[str]:
    """Latin words left once ids, file names and checksums are taken out."""
    text = re.sub(r"\b[0-9a-f]{64}\b", " ", text)  # SHA-256
    text = re.sub(r"\S+\.(?:csv|geojson|toml|xlsx|gpkg|zip|shp)\b", " ", text)  # file names
    text = re.sub(r"\b(?:XM\d+-\d+|[A-Z]\d{2,3}|[A-Z]\d{3})\b", " ", text)  # project and site ids
    return set(re.findall(r"[A-Za-z]{2,}", text))


def _docx(record: object, **kw: object) -> DocxDocument:
    return Document(io.BytesIO(brief_bytes(record, today=TODAY, **kw)))  # type: ignore[arg-type]


# --- the 2022 optimised run -----------------------------------------------------------------------


@pytest.mark.slow
def test_the_brief_of_the_2022_run_lists_every_placement_by_plot(
    sample: tuple[AllocationResult, Path], sample_docx: DocxDocument
) -> None:
    result, _ = sample
    rows = _table(sample_docx, "项目编号", "项目名称", "使用面积")
    placed = result.assignments[result.assignments["status"] == "placed"]
    assert len(rows) - 1 == len(placed) == 109
    body = rows[1:]
    assert sorted(r[2] for r in body) == sorted(placed["project_id"])
    site_of = dict(zip(placed["project_id"], placed["site_id"], strict=True))
    for no, plot, pid, *_ in body:
        assert plot.startswith(site_of[pid] + " ")  # the plot column names the project's site
        assert no.isdigit()
    zhongheng = [r for r in body if "中恒地块" in r[1]]
    assert len(zhongheng) == int((placed["site_name"] == "中恒地块").sum()) > 0
    assert all(r[6].endswith((" 亩", " 平方米")) for r in body)  # every space used with its unit
    # the map's key names the plots by the same numbers
    key = {r[0]: r[1] for r in _table(sample_docx, "编号", "地块", "使用率")[1:]}
    assert all(key[no] == plot for no, plot, *_ in body)


@pytest.mark.slow
def test_the_brief_holds_the_map_charts_and_key_figures_in_chinese(
    sample: tuple[AllocationResult, Path], sample_docx: DocxDocument
) -> None:
    doc = sample_docx
    assert len(doc.inline_shapes) == 3  # the map and two charts, as pictures the planner can move
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions == ["图1  各类载体使用情况", "图2  分产业落位投资", "图3  项目落位分布示意图"]
    figures = {r[0]: r[1] for r in _table(doc, "指标", "数值")[1:]}
    s = json.loads((sample[1] / "summary.json").read_text(encoding="utf-8"))
    assert figures["已落位项目"].startswith(f"{s['projects_placed']} 个")
    assert figures["计划投资总额"] == f"{s['investment_total_yi']:,.2f} 亿元" == "192.80 亿元"
    assert figures["已落位投资"] == "192.80 亿元（占 100.0%）"
    assert figures["供地面积"] == f"{s['land_placed_mu']:,.1f} 亩"
    assert figures["使用厂房与平台面积"] == f"{s['floor_placed_m2']:,.0f} 平方米"
    assert figures["盘活低效土地"] == f"{s['revitalized_land_mu']:,.1f} 亩"
    assert figures["盘活低效厂房"] == f"{s['revitalized_floor_m2']:,.0f} 平方米"
    assert figures["供地项目投资强度"] == f"{s['intensity_wan_per_mu']:,.1f} 万元/亩"
    assert figures["配套企业至龙头企业平均距离"] == f"{s['mean_supplier_anchor_km']:,.1f} 公里"
    assert figures["求解状态"] == "已证明最优"
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads[:8] == ["一、总体情况", "二、项目落位分布", "三、分地块落位明细", "四、未落位项目及原因",
                         "五、与参考方案的调整", "六、配置规则与权重", "七、数据来源与校验", "八、数据提示"]
    text = "\n".join(_texts(doc))
    assert "全部 109 个项目均已落位" in text  # the unplaced section says none is left out
    assert "本次运行未设参考方案" in text
    assert "项目个数（权重 0.5）" in text and "未计入的目标：靠近龙头企业、优先级" in text
    assert s["inputs"]["sites"]["sha256"] in text and s["inputs"]["projects"]["sha256"] in text
    for role in ("拟稿", "审核", "签发"):
        assert role in text


@pytest.mark.slow
def test_the_chinese_brief_holds_no_codes_and_no_english(sample_docx: DocxDocument) -> None:
    text = "\n".join(_texts(sample_docx))
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 3000
    for code in RAW_CODES:
        assert not re.search(rf"\b{code}\b", text), code
    assert _latin_words(text) <= NAMES_ALLOWED, _latin_words(text) - NAMES_ALLOWED


@pytest.mark.slow
def test_the_word_file_names_the_government_fonts_and_numbers_its_pages(sample_docx: DocxDocument) -> None:
    doc = sample_docx

    def east_asia(style: str) -> str | None:
        rfonts = doc.styles[style].element.rPr.rFonts
        assert rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsiaTheme") is None
        return rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")

    assert east_asia("Title") == "方正小标宋简体"
    assert east_asia("Heading 1") == "黑体"
    assert east_asia("Heading 2") == "楷体_GB2312"
    assert east_asia("Normal") == "仿宋_GB2312"
    assert doc.styles["Normal"].font.size.pt == 16  # 三号
    assert doc.styles["Title"].font.size.pt == 22  # 二号
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert (round(sec.top_margin.mm), round(sec.left_margin.mm)) == (37, 28)
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (sec.footer, sec.even_page_footer):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and footer.paragraphs[0].text == "— 1 —"
    assert doc.paragraphs[0].style.name == "Title" and doc.paragraphs[0].text == "关于产业项目用地与厂房配置方案的汇报"
    assert doc.paragraphs[1].text == "——同一批项目，不锁定"  # the scenario, by its Chinese name


@pytest.mark.slow
def test_the_english_brief_is_english(sample: tuple[AllocationResult, Path]) -> None:
    doc = _docx(read_run(sample[1]), lang="en")
    paragraphs = [p.text for p in doc.paragraphs if p.text]
    assert paragraphs[0] == "Brief on the placement of industrial projects"
    assert paragraphs[1] == "Scenario: 2022 review re-optimised"
    assert not [p for p in paragraphs if re.search(r"[\u4e00-\u9fff]", p)]
    figures = {r[0]: r[1] for r in _table(doc, "Figure", "Value")[1:]}
    assert figures["Investment placed"] == "192.80 × 100M yuan (100.0%)"
    assert figures["Land granted"] == "1,291.0 mu" and figures["Solver status"] == "proven optimal"
    rows = _table(doc, "Project ID", "Industry")
    assert len(rows) - 1 == 109 and "auto parts" in {r[4] for r in rows}
    assert not {r[4] for r in rows[1:]} & {"nev_parts", "battery", "other_code"}


# --- the PDF ---------------------------------------------------------------------------------------


def _needs_pdf(test: Any) -> Any:
    for mark in needs_pdf:
        test = mark(test)
    return test


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout


@_needs_pdf
def test_the_pdf_embeds_its_cjk_fonts(sample_pdf: Path) -> None:
    rows = _run("pdffonts", str(sample_pdf)).splitlines()[2:]
    assert rows
    fonts = {r.split()[0]: r.split() for r in rows}
    assert all(" yes " in f" {' '.join(r)} " for r in fonts.values()), rows  # every font embedded
    cjk = [n for n in fonts if re.search(r"CJK|UKai|ZenHei", n)]
    assert cjk, rows
    assert "PDF version" in _run("pdfinfo", str(sample_pdf))


@_needs_pdf
def test_the_pdf_reads_as_the_chinese_brief_with_every_placement(
    sample_pdf: Path, sample: tuple[AllocationResult, Path]
) -> None:
    text = _run("pdftotext", "-layout", str(sample_pdf), "-")
    a = pd.read_csv(sample[1] / "assignments.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    placed = a[a["status"] == "placed"]
    assert len(placed) == 109
    missing = [p for p in placed["project_id"] if p not in text]
    assert not missing, missing
    for words in ("关于产业项目用地与厂房配置方案的汇报", "一、总体情况", "已证明最优", "192.80 亿元", "1,291.0 亩",
                  "342,800 平方米", "全部 109 个项目均已落位", "拟稿", "签发"):
        assert words in text, words
    assert re.search(r"图\s*3\s+项目落位分布示意图", text)
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)  # page numbers in the footer
    for code in ("optimal", "nev_parts", "inefficient", "land_or_lease", "placed"):
        assert not re.search(rf"\b{code}\b", text), code


@_needs_pdf
def test_the_pages_render_to_png_for_review(sample_pdf: Path) -> None:
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(sample_pdf))).group(1))  # type: ignore[union-attr]
    assert 6 <= pages <= 20
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in OUT_DIR.glob("page-*.png"):
        old.unlink()
    shutil.copyfile(sample_pdf, OUT_DIR / "brief.pdf")
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(sample_pdf), str(OUT_DIR / "page")], check=True, timeout=120)
    pngs = sorted(OUT_DIR.glob("page-*.png"))
    assert len(pngs) == pages
    assert all(p.stat().st_size > 8_000 for p in pngs)  # a blank A4 page at 70 dpi is far smaller


# --- one loader for the folder, the zip and the app ---------------------------------------------


@pytest.mark.slow
def test_the_app_the_folder_and_the_audit_zip_give_the_same_brief(
    tiny: tuple[AllocationResult, Path], tmp_path: Path
) -> None:
    result, run = tiny
    bundle = tmp_path / "audit.zip"
    bundle.write_bytes(audit_bundle_bytes(result, lang="zh"))
    records = [run_from_result(result), read_run(run), read_run(bundle)]
    briefs = [build_brief(dataclasses.replace(r, written=None), today=TODAY) for r in records]
    assert briefs[0] == briefs[1] == briefs[2]  # every word, table cell and picture alike
    assert records[0].written is not None and records[2].written is not None


def test_a_bundle_with_the_outputs_in_a_folder_and_inputs_beside_them_is_read(
    tiny: tuple[AllocationResult, Path], tmp_path: Path
) -> None:
    _, run = tiny
    bundle = tmp_path / "audit.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.writestr("inputs/sites.geojson", b"not the outputs' sites")  # an input of the same name, deeper
        for f in run.iterdir():
            z.write(f, f"outputs/{f.name}")
    rec = read_run(bundle)
    assert set(rec.sites["site_id"]) == {"S1", "S2", "S3"}


# --- unplaced, reference plan, warnings ---------------------------------------------------------


def test_unplaced_projects_are_listed_with_their_reasons(tiny: tuple[AllocationResult, Path]) -> None:
    result, run = tiny
    doc = _docx(read_run(run))
    rows = _table(doc, "项目编号", "原因")
    un = result.unplaced.set_index("project_id")
    assert sorted(r[0] for r in rows[1:]) == sorted(un.index) == ["P004", "P005"]
    for pid, _name, industry, _inv, need, reason in rows[1:]:
        assert reason == un.loc[pid, "reason_zh"] and reason
        assert industry in ("先进装备制造", "食品饮料") and need.startswith("租赁：")
    assert "90,000 平方米" in {r[4].split("：")[1] for r in rows[1:]}
    text = "\n".join(_texts(doc))
    assert "共 2 个项目暂未落位" in text and "不参与配置的项目：P005 排除的项目" in text


def test_changes_against_the_reference_plan_say_what_each_buys(tiny: tuple[AllocationResult, Path],
                                                              tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny[1], run)
    (run / "moves.csv").write_text(
        "project_id,name,reference_site_id,site_id,change,buys_zh,buys_en\n"
        "P002,震裕租赁,S3,S2,moved,腾出平台空间 1500 平方米,frees 1500 m2 of platform space\n"
        "P004,大型厂房项目,S2,,unplaced,换来两个项目落位,two projects placed instead\n"
        "P003,孵化项目,,S3,newly_placed,新增投资 0.30 亿元,0.30 more of investment\n", encoding="utf-8-sig")
    s = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    s.update(moved_vs_reference=2, kept_vs_reference=1,
             warnings=["[警告 WARNING] sites.geojson, id S1: 地块几何已修复 | the geometry was repaired"])
    (run / "summary.json").write_text(json.dumps(s, ensure_ascii=False), encoding="utf-8")
    doc = _docx(read_run(run))
    rows = _table(doc, "参考方案地块", "本方案地块", "带来的效果")
    assert [r[0] for r in rows[1:]] == ["P002", "P004", "P003"]
    assert [r[4] for r in rows[1:]] == ["换了地块", "不再落位", "新落位"]
    assert rows[1][2].startswith("S3 ") and rows[1][3].startswith("S2 ") and rows[2][3] == "（未落位）"
    assert rows[1][5] == "腾出平台空间 1500 平方米"
    text = "\n".join(_texts(doc))
    assert "调整 2 个、保持不变 1 个" in text
    assert "sites.geojson，编号 S1：地块几何已修复" in text  # the warning in the brief's language alone
    assert "repaired" not in text and "WARNING" not in text
    en = "\n".join(_texts(_docx(read_run(run), lang="en")))
    assert "frees 1500 m2 of platform space" in en and "the geometry was repaired" in en


# --- the command line ----------------------------------------------------------------------------


def test_report_writes_the_docx_atomically(tiny: tuple[AllocationResult, Path], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "汇报" / "brief.DOCX"
    assert main(["report", str(tiny[1]), "--out", str(out), "--lang", "en"]) == 0
    assert "brief written" in capsys.readouterr().out
    assert Document(str(out)).paragraphs[0].text == "Brief on the placement of industrial projects"
    assert [p.name for p in out.parent.iterdir()] == ["brief.DOCX"]  # no temporary file left


@pytest.mark.parametrize("damage", ["missing", "no_summary", "bad_json", "bad_zip", "bad_csv", "not_a_run"])
def test_report_refuses_a_missing_or_damaged_run_with_exit_2(
    damage: str, tiny: tuple[AllocationResult, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny[1], run)
    target, named = run, "run"
    if damage == "missing":
        target, named = tmp_path / "nowhere", "nowhere"
    elif damage == "no_summary":
        (run / "summary.json").unlink()
        named = "summary.json"
    elif damage == "bad_json":
        (run / "summary.json").write_text("{", encoding="utf-8")
        named = "summary.json"
    elif damage == "bad_csv":
        (run / "assignments.csv").write_text("project_id\nP001\n", encoding="utf-8")
        named = "assignments.csv"
    elif damage == "bad_zip":
        data = (tmp_path / "a.zip")
        data.write_bytes(audit_bundle_bytes(tiny[0])[:-200])
        target, named = data, "a.zip"
    elif damage == "not_a_run":
        target = run / "sites.geojson"
        named = "sites.geojson"
    out = tmp_path / "brief.docx"
    assert main(["report", str(target), "--out", str(out)]) == 2
    msg = capsys.readouterr().out
    assert named in msg and re.search(r"[\u4e00-\u9fff]", msg) and re.search(r"[a-z]{4}", msg)
    assert "Traceback" not in msg
    assert not out.exists()


def test_report_refuses_another_extension(tiny: tuple[AllocationResult, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tiny[1]), "--out", str(tmp_path / "brief.txt")]) == 2
    msg = capsys.readouterr().out
    assert "brief.txt" in msg and ".docx" in msg and "须以" in msg
    assert not (tmp_path / "brief.txt").exists()
