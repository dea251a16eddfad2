"""validate_files and the `validate` command: verdicts, exit codes, messages, cross-checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_HEADER, PROJECT_ROWS, sites_frame, write_csv, write_vector

from zq_land import cli
from zq_land.io import validate_files

REPO = Path(__file__).resolve().parents[1]


def _sites_with_anchor(tmp: Path) -> Path:
    frame = sites_frame(
        site_id=["S1", "S2", "S3", "XP"],
        name=["中恒地块", "新桥厂房", "孵化平台", "小鹏汽车肇庆基地"],
        kind=["land", "factory", "platform", "land"],
        floor_area_m2=[None, 20000.0, 5000.0, None],
        status=["inefficient", "vacant", "vacant", "occupied"],
        industries=["", "", "", ""],
    )
    return write_vector(frame, tmp / "sites.geojson")


def test_validate_files_never_raises_and_gathers_both_files(tmp_path: Path) -> None:
    sites = write_vector(sites_frame(kind=["land", "shop", "platform"]), tmp_path / "s.geojson")
    projects = write_csv(
        tmp_path / "p.csv", [PROJECT_HEADER, ["P1", "x", "food", "", "-1", "lease", "", "10", ""]]
    )
    rep = validate_files(sites=sites, projects=projects)
    assert not rep.ok
    assert {(Path(p.file).name, p.column) for p in rep.errors} == {
        ("s.geojson", "kind"),
        ("p.csv", "investment_yi"),
    }


def test_cross_check_anchor_without_occupied_site(tmp_path: Path, projects_csv: Path) -> None:
    rep = validate_files(sites=_sites_with_anchor(tmp_path), projects=projects_csv)
    assert rep.ok
    anchor_warnings = [p for p in rep.warnings if p.column == "anchor"]
    # P001 supplies XPeng (its base is an occupied site, found by name); P003's Ruiqing CATL has no site.
    assert [(p.item_id, p.row, p.found) for p in anchor_warnings] == [("P003", 4, "Ruiqing CATL")]
    assert "matches no occupied site" in anchor_warnings[0].message_en


def test_cross_check_mode_without_site_kind(tmp_path: Path, projects_csv: Path) -> None:
    sites = write_vector(
        sites_frame(kind=["land", "factory", "factory"], floor_area_m2=[None, 1.0, 1.0]),
        tmp_path / "s.geojson",
    )
    rep = validate_files(sites=sites, projects=projects_csv)
    assert rep.ok
    assert any("mode 'platform' but no available platform site" in p.message_en for p in rep.warnings)


def test_cli_usable_files_exit_0(
    tmp_path: Path, projects_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(
        ["validate", "--sites", str(_sites_with_anchor(tmp_path)), "--projects", str(projects_csv)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "[警告 WARNING] projects.csv, row 4 / 第4行, id P003, column anchor" in out
    assert "4 sites (land 2, factory 1, platform 1)" in out
    assert "3 projects (land 1, lease 1, platform 1, land_or_lease 0); investment 1,212.80 亿元" in out
    assert out.strip().splitlines()[-1].startswith("可用 USABLE: 0 个错误 errors, 1 个警告 warnings")


def test_cli_refused_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sites = write_vector(sites_frame(status=["vacant", "sold", "vacant"]), tmp_path / "bad.geojson")
    code = cli.main(["validate", "--sites", str(sites), "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 2
    assert (
        "[错误 ERROR] bad.geojson, row 3 / 第3行, id S2, column status / 列“status”: unknown status 'sold'"
        in out
    )
    assert "无法识别" not in out  # --lang en prints English only
    assert out.strip().splitlines()[-1].startswith("不可用 REFUSED: 1 个错误 errors")


def test_cli_column_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = sites_frame().rename(columns={"site_id": "DKBH", "kind": "LX"})
    sites = write_vector(frame, tmp_path / "s.geojson")
    assert cli.main(["validate", "--sites", str(sites)]) == 2
    assert "required column 'site_id' is missing" in capsys.readouterr().out
    code = cli.main(
        ["validate", "--sites", str(sites), "--map-sites-col", "DKBH=site_id", "--map-sites-col", "LX=kind"]
    )
    assert code == 0, capsys.readouterr().out


def test_cli_project_mapping_and_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import write_xlsx

    header = ["编码", *PROJECT_HEADER[1:]]
    xlsx = write_xlsx(tmp_path / "p.xlsx", [header, *PROJECT_ROWS], sheet="库", extra_sheet="封面")
    args = ["validate", "--sites", str(_sites_with_anchor(tmp_path)), "--projects", str(xlsx)]
    assert cli.main([*args, "--sheet", "库", "--map-projects-col", "编码=project_id"]) == 0
    assert cli.main([*args, "--map-projects-col", "编码=project_id"]) == 2  # first sheet is the cover
    assert "no known header" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],
        ["validate", "--sites", "x", "--map-sites-col", "nope"],
        ["validate", "--sites", "x", "--lang", "fr"],
        ["frobnicate"],
    ],
)
def test_cli_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_cli_unexpected_error_exit_1_without_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zq_land.io as zio

    def boom(**_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(zio, "check_files", boom)
    monkeypatch.delenv("ZQ_LAND_DEBUG", raising=False)
    assert cli.main(["validate", "--sites", str(tmp_path / "s.geojson")]) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: disk on fire" in err and "Traceback" not in err
    monkeypatch.setenv("ZQ_LAND_DEBUG", "1")
    with pytest.raises(RuntimeError, match="disk on fire"):
        cli.main(["validate", "--sites", str(tmp_path / "s.geojson")])


def test_python_m_zq_land_exit_codes(tmp_path: Path, sites_geojson: Path) -> None:
    bad = write_vector(sites_frame(site_id=["A", "A", "B"]), tmp_path / "dup.geojson")
    run = [sys.executable, "-m", "zq_land", "validate", "--sites"]
    ok = subprocess.run([*run, str(sites_geojson)], cwd=REPO, capture_output=True, text=True, timeout=120)
    refused = subprocess.run([*run, str(bad)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert refused.returncode == 2
    assert "duplicate site_id 'A': rows 2 and 3" in refused.stdout and "Traceback" not in refused.stderr
