"""What a command loads and how it ends (issue 18): ``python -m zq_land`` as a planner runs it, in a subprocess.

A command loads only the libraries its work needs: ``solve`` without a store writes every output without
SQLAlchemy or the store; ``validate`` of a CSV loads neither openpyxl, Folium, the solver nor the store;
``--help`` loads no pandas. The module list comes from ``python -X importtime``, which names every module
the process imported (in any thread). And the quick exit (``os._exit`` after
``main``) keeps what the ordinary exit gives: the exit code, the whole stdout, the atexit handlers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITES = ROOT / "parcels" / "zhaoqing_hitech.geojson"
PROJECTS_CSV = ROOT / "scenarios" / "projects_2022.csv"
RECORDED = ROOT / "scenarios" / "review_2022_recorded.toml"
OUTPUTS = ("assignments.csv", "assignments.xlsx", "sites.geojson", "map.html", "summary.json", "scenario.toml",
           "audit.zip")
#: The libraries of the store, the workbook, the map and the solver (top-level package names).
STORE = {"sqlalchemy"}
EXCEL = {"openpyxl"}
MAP = {"folium", "branca", "jinja2"}
SOLVER = {"pulp", "highspy"}

_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", re.MULTILINE)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ZQ_LAND_STORE", "PYTHONPROFILEIMPORTTIME")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_cli(*args: str, cwd: Path = ROOT) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``python -X importtime -m zq_land ARGS``: the finished process and the modules it imported."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "zq_land", *args], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    return proc, set(_IMPORTED.findall(proc.stderr))


def packages(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_solve_without_a_store_writes_every_output_and_loads_no_store(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc, modules = run_cli("solve", str(RECORDED), "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "optimal" in proc.stdout  # the one-line result, flushed before the quick exit
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["projects_placed"] == 109
    assert not packages(modules) & STORE, "solve without --store loaded the store's SQLAlchemy"
    assert not {m for m in modules if m.startswith("zq_land.store.") and m != "zq_land.store._env"}
    assert packages(modules) >= SOLVER  # the sanity of the method: what it needs is seen
    assert "pyarrow.lib" not in modules, "solve imported pyarrow (0.11-0.16 s), which it does not use"


def test_solve_renders_the_workbook_and_map_in_its_helper_process(tmp_path: Path) -> None:
    """``solve`` leaves the workbook's and the map's libraries to its helper process: this process never loads
    them, and both files are there, whole and of this run."""
    out = tmp_path / "out"
    proc, modules = run_cli("solve", str(RECORDED), "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not packages(modules) & (EXCEL | MAP), sorted(packages(modules) & (EXCEL | MAP))
    from openpyxl import load_workbook

    book = load_workbook(out / "assignments.xlsx", read_only=True)
    assert book.sheetnames[0] == "分配结果"
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert len(rows) == 1 + 109  # the header and every project
    html = (out / "map.html").read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>") and "L.map(" in html
    lines = (out / "assignments.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    project_ids = {line.split(",")[0] for line in lines}
    assert len(project_ids) == 109 and all(pid in html for pid in project_ids)  # every project named on the map
    manifest = json.loads(zipfile.ZipFile(out / "audit.zip").read("manifest.json"))
    for name in ("assignments.xlsx", "map.html"):  # the audit copy holds the very files of the folder
        assert manifest["files"][name] == hashlib.sha256((out / name).read_bytes()).hexdigest(), name


_HELPER_SCRIPT = """
import hashlib, io, json, os, re, sys
from openpyxl import load_workbook
from zq_land import allocate, load_scenario
from zq_land.outputs.files import write_outputs
from zq_land.outputs.helper import OutputHelper, render

result = allocate(load_scenario(sys.argv[1]))
mode = sys.argv[2]
helper = OutputHelper.start()
pid = helper.pid
if mode == "killed":
    os.kill(pid, 9)
sent = helper.send(result, "en")
got = helper.collect(wait_s=0.001 if mode == "slow" else 120.0)
try:
    os.waitpid(pid, os.WNOHANG)
    reaped = False
except ChildProcessError:
    reaped = True
local = render(result, "en")

def cells(blob):
    book = load_workbook(io.BytesIO(blob), read_only=True)
    return {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames}

def page(blob):  # Folium's element names are random per render
    return re.sub(rb"[0-9a-f]{32}", b"ID", blob)

out = {"sent": sent, "answer": got is not None, "reaped": reaped}
if got is not None:
    out["same_cells"] = cells(got["assignments.xlsx"]) == cells(local["assignments.xlsx"])
    out["same_map"] = page(got["map.html"]) == page(local["map.html"])
    out["sheets"] = list(cells(got["assignments.xlsx"]))
paths = write_outputs(result, sys.argv[3], lang="en", rendered=lambda: got)
out["written"] = sorted(p.name for p in paths.values() if p.stat().st_size > 0)
print(json.dumps(out))
"""


@pytest.mark.parametrize("mode", ["whole", "killed", "slow"])
def test_the_helper_renders_what_this_process_would_and_its_failure_costs_nothing(tmp_path: Path, mode: str) -> None:
    """The helper's workbook has the cells and its map the page that rendering here gives (Folium's random
    element names aside); a helper killed, or too slow to answer, gives no answer, is reaped, and the
    command renders both files itself: the set is whole either way."""
    proc = subprocess.run([sys.executable, "-c", _HELPER_SCRIPT, str(RECORDED), mode, str(tmp_path / "out")],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["reaped"]
    assert got["written"] == sorted(OUTPUTS)
    if mode == "whole":
        assert got["sent"] and got["answer"]
        assert got["same_cells"] and got["same_map"]
        assert got["sheets"][0] == "Assignments"  # the language sent
    else:
        assert not got["answer"]


def test_pyarrow_is_refused_only_where_the_command_line_starts_the_process() -> None:
    """pandas imports pyarrow whenever it is installed; ``python -m zq_land solve`` refuses it, while a
    caller of the tool in its own process (the app, a notebook, these tests) keeps it."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c",
                           "import zq_land.cli, pandas; zq_land.cli.main(['validate', '--help'])"],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "pyarrow.lib" in set(_IMPORTED.findall(proc.stderr))


def test_solve_with_a_store_records_the_run(tmp_path: Path) -> None:
    store = tmp_path / "ws.gpkg"
    proc, modules = run_cli("solve", str(RECORDED), "--out", str(tmp_path / "out"), "--quiet", "--store", str(store))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "run recorded: id 1" in proc.stdout
    assert packages(modules) >= STORE
    listed, _ = run_cli("runs", "list", "--store", str(store))
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "2022 review as recorded" in listed.stdout  # committed and readable after the quick exit


def test_preparing_the_outputs_loads_the_map_and_workbook_libraries_and_no_solver_or_store() -> None:
    """What ``solve`` runs beside the solver (``zq_land.prepare_outputs``) is what writing the outputs would
    import afterwards: the map's and the workbook's libraries and modules, nothing of the solver or store."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import zq_land; zq_land.prepare_outputs()"],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = set(_IMPORTED.findall(proc.stderr))
    assert packages(modules) >= EXCEL | MAP
    assert {"zq_land.outputs.maps", "zq_land.outputs.workbook", "openpyxl.cell._writer"} <= modules
    assert not packages(modules) & (STORE | SOLVER)


def test_validate_of_a_csv_loads_no_workbook_map_solver_or_store() -> None:
    proc, modules = run_cli("validate", "--sites", str(SITES), "--projects", str(PROJECTS_CSV))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "USABLE" in proc.stdout
    assert not packages(modules) & (STORE | EXCEL | MAP | SOLVER), sorted(packages(modules) & (STORE | EXCEL | MAP
                                                                                               | SOLVER))


def test_help_loads_no_pandas() -> None:
    proc, modules = run_cli("--help")
    assert proc.returncode == 0
    assert "solve" in proc.stdout
    assert not packages(modules) & {"pandas", "numpy", "geopandas", *STORE, *EXCEL, *MAP, *SOLVER}


@pytest.mark.parametrize("projects, code", [(PROJECTS_CSV, 0), (SITES, 2)], ids=["usable", "refused"])
def test_the_quick_exit_keeps_the_code_the_output_and_the_atexit_handlers(projects: Path, code: int) -> None:
    script = ("import atexit, runpy, sys\n"
              "atexit.register(lambda: print('atexit handler ran', flush=True))\n"
              f"sys.argv = ['zq_land', 'validate', '--sites', {str(SITES)!r}, '--projects', {str(projects)!r}]\n"
              "runpy.run_module('zq_land', run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=_env(), capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == code, proc.stderr[-2000:]
    assert ("USABLE" if code == 0 else "REFUSED") in proc.stdout
    assert proc.stdout.rstrip().endswith("atexit handler ran")
