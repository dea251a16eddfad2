"""`python -m zq_land solve` and `compare` on the bundled 2022 sample: every output, as a planner opens it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from zq_land.cli import main
from zq_land.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
SAMPLES = sorted(p.name for p in SCEN.glob("*.toml"))
SUMMARY_KEYS = {
    "status", "objective", "bound", "gap", "projects_total", "projects_placed", "investment_total_yi",
    "investment_placed_yi", "land_placed_mu", "floor_placed_m2", "revitalized_land_mu", "revitalized_floor_m2",
    "solve_seconds", "solver",
}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("recorded")
    assert main(["solve", str(SCEN / "review_2022_recorded.toml"), "--out", str(out), "--quiet"]) == 0
    return out


def test_four_sample_scenarios_exist() -> None:
    assert {"review_2022_recorded.toml", "review_2022_optimised.toml", "nev_cluster.toml",
            "land_saving.toml"} <= set(SAMPLES)


@pytest.mark.parametrize("name", SAMPLES)
def test_each_sample_scenario_solves_and_writes_every_output(name: str, tmp_path: Path) -> None:
    assert main(["solve", str(SCEN / name), "--out", str(tmp_path), "--quiet"]) == 0
    for f in ("assignments.csv", "assignments.xlsx", "sites.geojson", "map.html", "summary.json", "scenario.toml"):
        assert (tmp_path / f).stat().st_size > 0, f
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) >= SUMMARY_KEYS
    assert summary["status"] in {"optimal", "feasible", "time_limit"}
    a = pd.read_csv(tmp_path / "assignments.csv", encoding="utf-8-sig", dtype={"site_id": str})
    # every project placed, or unplaced with a reason in words
    unplaced = a[a["status"] == "unplaced"]
    assert unplaced["reason"].fillna("").astype(str).str.len().gt(5).all()
    assert summary["projects_placed"] == int((a["status"] == "placed").sum())


def test_csv_has_bom_and_contract_columns(recorded: Path) -> None:
    raw = (recorded / "assignments.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    a = pd.read_csv(recorded / "assignments.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(a.columns[:3]) == ["project_id", "name", "site_id"]
    assert {"project_id", "site_id", "status", "reason"} <= set(a.columns)
    assert set(a["status"]) <= {"placed", "unplaced"}
    assert len(a) == 109
    assert (a.loc[a["status"] == "unplaced", "site_id"] == "").all()
    assert "中恒地块" in set(a["site_name"])  # Chinese survives the round trip


def test_recorded_scenario_keeps_the_reported_placements(recorded: Path) -> None:
    sc = load_scenario(SCEN / "review_2022_recorded.toml")
    a = pd.read_csv(recorded / "assignments.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    got = dict(zip(a["project_id"], a["site_id"], strict=True))
    assert len(sc.locks) >= 20
    for pid, sid in sc.locks:
        assert got[pid] == sid
    on = a.groupby("site_name")["project_id"].count()
    assert on["中恒地块"] >= 14
    lingnan = a[a["name"].str.contains("岭南文化创意产业园")]
    assert lingnan["site_name"].iloc[0] == "原新桥钢结构厂地块"


def test_summary_figures_match_the_table(recorded: Path) -> None:
    s = json.loads((recorded / "summary.json").read_text(encoding="utf-8"))
    a = pd.read_csv(recorded / "assignments.csv", encoding="utf-8-sig", dtype={"site_id": str})
    placed = a[a["status"] == "placed"]
    assert s["projects_total"] == 109
    assert s["investment_total_yi"] == pytest.approx(192.8, abs=0.05)
    assert s["investment_placed_yi"] == pytest.approx(placed["investment_yi"].sum(), abs=1e-6)
    assert s["land_placed_mu"] == pytest.approx(placed["used_mu"].sum(), abs=1e-6)
    # only investment weighted: the objective is exactly the investment placed
    assert s["objective"] == pytest.approx(s["investment_placed_yi"], abs=1e-6)
    assert s["status"] == "optimal" and s["gap"] == pytest.approx(0.0, abs=1e-9)


def test_workbook_has_chinese_sheets_headers_and_frozen_panes(recorded: Path) -> None:
    wb = openpyxl.load_workbook(recorded / "assignments.xlsx")
    assert wb.sheetnames[:4] == ["分配结果", "载体使用", "未落位项目", "指标"]
    ws = wb["分配结果"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["项目编号", "项目名称", "地块编号"]
    assert "原因" in headers and "落位状态" in headers
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 110
    assert ws.column_dimensions["B"].width >= 10
    use = wb["载体使用"]
    assert [c.value for c in use[1]][:2] == ["地块编号", "载体名称"]
    kpi = {r[0].value: r[1].value for r in wb["指标"].iter_rows(min_row=2)}
    assert kpi["项目总数"] == 109


def test_sites_geojson_is_wgs84_with_area_and_capacity(recorded: Path) -> None:
    g = gpd.read_file(recorded / "sites.geojson")
    assert g.crs.to_epsg() == 4326
    src = gpd.read_file(ROOT / "parcels" / "zhaoqing_hitech.geojson")
    assert len(g) == len(src)
    assert {"site_id", "kind", "status", "area_mu", "used", "free", "capacity"} <= set(g.columns)
    assert g["area_mu"].notna().all()
    zh = g.set_index("name").loc["中恒地块"]
    assert zh["used"] + zh["free"] == pytest.approx(zh["capacity"])
    assert zh["used"] <= zh["capacity"] + 1e-6


def test_map_opens_offline(recorded: Path) -> None:
    html = (recorded / "map.html").read_text(encoding="utf-8")
    assert "L.map" in html or "L.Map" in html
    assert not re.search(r"<script[^>]*\ssrc=[\"']?(https?:)?//", html)
    assert not re.search(r"<link[^>]*\shref=[\"']?(https?:)?//", html)


def test_audit_copy_reloads_and_names_the_inputs(recorded: Path) -> None:
    text = (recorded / "scenario.toml").read_text(encoding="utf-8")
    assert "sha256" in text and "pulp" in text and "highspy" in text
    sc = load_scenario(recorded / "scenario.toml")
    orig = load_scenario(SCEN / "review_2022_recorded.toml")
    assert sc.locks == orig.locks and sc.weights == orig.weights
    # the folder's copy is audit.zip's: its inputs are bundled, their paths relative to the bundle's root,
    # and the files the run read are named (with their hashes) in its comments
    assert sc.sites == recorded / "inputs" / "sites" / "zhaoqing_hitech.geojson"
    assert str(orig.sites.resolve()) in text


def test_the_audit_zip_holds_every_output_whole_and_deflated(recorded: Path) -> None:
    """audit.zip holds each output byte for byte, each deflated: the workbook too, a zip itself, so that a
    truncated bundle can never be read as the workbook's own directory."""
    import zipfile

    with zipfile.ZipFile(recorded / "audit.zip") as z:
        infos = {i.filename: i for i in z.infolist()}
        for name in ("assignments.csv", "assignments.xlsx", "sites.geojson", "map.html", "summary.json"):
            assert z.read(name) == (recorded / name).read_bytes(), name
    assert {i.compress_type for i in infos.values()} == {zipfile.ZIP_DEFLATED}
    assert infos["map.html"].compress_size < infos["map.html"].file_size / 2


def test_flags_override_scenario_paths(tmp_path: Path) -> None:
    proj = tmp_path / "my_projects.csv"
    df = pd.read_csv(SCEN / "projects_2022.csv", encoding="utf-8-sig").head(10)
    df.to_csv(proj, index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    assert main(["solve", str(SCEN / "review_2022_optimised.toml"), "--projects", str(proj),
                 "--out", str(out), "--quiet"]) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["projects_total"] == 10


def test_solve_without_scenario_uses_sites_and_projects(tmp_path: Path) -> None:
    assert main(["solve", "--sites", str(ROOT / "parcels" / "zhaoqing_hitech.geojson"),
                 "--projects", str(SCEN / "projects_2022.csv"), "--out", str(tmp_path), "--quiet"]) == 0
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["projects_total"] == 109


def test_output_never_overwrites_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = tmp_path / "assignments.csv"
    shutil.copy(SCEN / "projects_2022.csv", proj)
    before = proj.read_bytes()
    rc = main(["solve", "--sites", str(ROOT / "parcels" / "zhaoqing_hitech.geojson"), "--projects", str(proj),
               "--out", str(tmp_path)])
    assert rc == 2
    err = capsys.readouterr()
    assert "overwrite an input" in err.out + err.err
    assert proj.read_bytes() == before


def test_solve_refuses_a_bad_scenario_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nsites = "a.geojson"\n[weigths]\ninvestment = 1\n', encoding="utf-8")
    assert main(["solve", str(bad), "--out", str(tmp_path / "o")]) == 2
    text = "".join(capsys.readouterr())
    assert "weigths" in text and "bad.toml" in text


def test_solve_needs_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "--out", str(tmp_path)]) == 2
    assert "--sites" in "".join(capsys.readouterr())


def test_compare_prints_kpi_deltas_and_moves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["compare", str(SCEN / "review_2022_recorded.toml"), str(SCEN / "review_2022_optimised.toml"),
               "--out", str(tmp_path), "--lang", "en"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "projects placed" in out and "B - A" in out
    assert "moved" in out or "no project moved" in out
    wb = openpyxl.load_workbook(tmp_path / "comparison.xlsx")
    assert len(wb.sheetnames) == 2
    assert (tmp_path / "A" / "summary.json").exists() and (tmp_path / "B" / "summary.json").exists()


def test_solve_starts_from_an_earlier_runs_assignments(recorded: Path, tmp_path: Path) -> None:
    """--start takes the assignments.csv of an earlier run: same proven optimum, the start file untouched,
    and writing the new run over the folder that holds the start file is refused."""
    start = recorded / "assignments.csv"
    before = start.read_bytes()
    out = tmp_path / "land"
    assert main(["solve", str(SCEN / "land_saving.toml"), "--out", str(out), "--quiet", "--start", str(start)]) == 0
    cold = tmp_path / "cold"
    assert main(["solve", str(SCEN / "land_saving.toml"), "--out", str(cold), "--quiet"]) == 0
    warm_s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    cold_s = json.loads((cold / "summary.json").read_text(encoding="utf-8"))
    assert warm_s["status"] == cold_s["status"] == "optimal"
    assert warm_s["objective"] == pytest.approx(cold_s["objective"], abs=1e-6)
    assert start.read_bytes() == before
    assert main(["solve", str(SCEN / "land_saving.toml"), "--out", str(recorded), "--quiet",
                 "--start", str(start)]) == 2
    assert start.read_bytes() == before


@pytest.mark.parametrize(("content", "words"), [
    (None, "does not exist"),
    ("项目编号,地块编号\nXM22-001,L01\n", "project_id"),
    (b"\xff\xfe\x00garbage", "UTF-8"),
])
def test_a_bad_start_file_is_refused_with_exit_2(
    content: str | bytes | None, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = tmp_path / "start.csv"
    if isinstance(content, str):
        start.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        start.write_bytes(content)
    rc = main(["solve", str(SCEN / "review_2022_recorded.toml"), "--out", str(tmp_path / "o"), "--start", str(start)])
    text = "".join(capsys.readouterr())
    assert rc == 2
    assert words in text and "start.csv" in text
    assert "Traceback" not in text
