"""The bad-input corpus (tests/data/bad/): every file is refused by the real CLI with exit 2.

Each case of ``tests/data/bad/MANIFEST.toml`` runs ``zq_land.cli.main`` in-process, the way a planner
runs ``python -m zq_land``, and checks: exit code 2; no traceback; every expected substring (file,
row / id, column, key word) in the output; the input files byte-identical afterwards; no temporary
file left behind; no output written. A few cases also run as a real process to prove the exit code.

Cases marked ``xfail`` in the manifest are known reader bugs: they state what *should* happen and run
as ``xfail(strict=True)``, so the fix turns them into failures until the mark is removed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from zq_land.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "bad"
MANIFEST = CORPUS / "MANIFEST.toml"
SAMPLE_SITES = ROOT / "parcels" / "zhaoqing_hitech.geojson"
SAMPLE_PROJECTS = ROOT / "scenarios" / "projects_2022.csv"
CASES: list[dict[str, Any]] = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["case"]
KINDS = {"sites", "projects", "scenario"}
#: The corpus as it is before any test: no run may add a file next to its input.
CORPUS_FILES = sorted(CORPUS.iterdir())
#: Files the reader must never touch: the whole corpus and the sample data the scenarios point at.
WATCHED = [*sorted(p for p in CORPUS.iterdir() if p.is_file()), SAMPLE_SITES, SAMPLE_PROJECTS]


def _argv(case: dict[str, Any], out: Path) -> list[str]:
    path = str(CORPUS / case["file"])
    if case["kind"] == "sites":
        return ["validate", "--sites", path]
    if case["kind"] == "projects":
        return ["validate", "--sites", str(SAMPLE_SITES), "--projects", path]
    return [arg.format(file=path, out=str(out), dir=str(CORPUS)) for arg in case["command"]]


def _params() -> list[Any]:
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
        out.append(pytest.param(case, id=case["file"], marks=marks))
    return out


def _digests() -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in WATCHED}


def _check_output(case: dict[str, Any], code: int, text: str) -> None:
    expected_code = case.get("exit", 2)
    assert "Traceback" not in text, text
    assert "internal error" not in text, text
    missing = [s for s in case["expect"] if s not in text]
    assert not missing, f"missing {missing} in:\n{text}"
    present = [s for s in case.get("absent", []) if s in text]
    assert not present, f"unexpected {present} in:\n{text}"
    assert code == expected_code, f"exit code {code}, expected {expected_code}:\n{text}"


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point tempfile and TMPDIR (which GDAL and PuLP read too) at an empty folder of this test only.

    A shared /tmp listing would race with other test processes; an empty private folder that must
    stay empty is the stricter check.
    """
    d = tmp_path / "tmpdir"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    monkeypatch.setenv("TMPDIR", str(d))
    return d


# ==============================================================================================
# the corpus itself
# ==============================================================================================
def test_manifest_lists_every_file_once() -> None:
    listed = [c["file"] for c in CASES]
    on_disk = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "MANIFEST.toml")
    assert len(listed) == len(set(listed)), "a file is listed twice"
    assert sorted(listed) == on_disk
    assert len(CASES) >= 45


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_manifest_entry_is_well_formed(case: dict[str, Any]) -> None:
    assert set(case) <= {"file", "kind", "expect", "absent", "xfail", "command", "exit"}, case
    assert case.get("exit", 2) in (0, 2), "refused (2) or read with the warning expected (0)"
    assert case.get("exit", 2) == 2 or case["kind"] != "scenario", "a scenario case is a refusal"
    assert case["kind"] in KINDS
    assert case["kind"].rstrip("s") == case["file"].split("_")[0].rstrip("s"), "file named after its kind"
    assert len(case["expect"]) >= 2, "at least the file name and a key word of the problem"
    assert ("command" in case) == (case["kind"] == "scenario")
    # The refusal names a file: this one, or the input a scenario points at (or the command line's flag).
    assert case["file"] in case["expect"] or case["kind"] == "scenario" or case.get("exit") == 0
    assert (CORPUS / case["file"]).stat().st_size < 300 * 1024, "corpus files stay small"


def test_generator_reproduces_the_binary_files(tmp_path: Path) -> None:
    path = ROOT / "tests" / "data" / "make_bad_corpus.py"
    spec = importlib.util.spec_from_file_location("make_bad_corpus", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--out", str(tmp_path)]) == 0
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(mod.WRITERS)
    assert set(made) <= {c["file"] for c in CASES}, "every generated file is in the manifest"
    for name in made:
        new, old = (tmp_path / name).read_bytes(), (CORPUS / name).read_bytes()
        if new == old:
            continue
        # GDAL-made files are byte-stable for one GDAL/PROJ version; across versions, same structure.
        assert name in mod.GDAL_MADE, f"{name} differs: rerun tests/data/make_bad_corpus.py"
        assert abs(len(new) - len(old)) <= 0.25 * len(old), name
        if name.endswith(".zip") and zipfile.is_zipfile(CORPUS / name):
            with zipfile.ZipFile(tmp_path / name) as a, zipfile.ZipFile(CORPUS / name) as b:
                assert a.namelist() == b.namelist(), name


def test_zip_bomb_is_tiny_on_disk_and_trips_the_ratio_limit() -> None:
    from zq_land.io import containers as zio

    bomb = CORPUS / "sites_zip_bomb.zip"
    with zipfile.ZipFile(bomb) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    assert bomb.stat().st_size < 300 * 1024
    assert unpacked > 10 * 2**20, "over the size from which io.py checks the ratio"
    assert unpacked / bomb.stat().st_size > zio.ZIP_MAX_RATIO
    assert unpacked < zio.ZIP_MAX_BYTES, "trips the ratio check, not the size check"


# ==============================================================================================
# every case through the CLI, in-process
# ==============================================================================================
@pytest.mark.parametrize("case", _params())
def test_bad_input_is_refused_with_exit_2(
    case: dict[str, Any], tmp_path: Path, private_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    before = _digests()
    code = main(_argv(case, out))
    captured = capsys.readouterr()
    _check_output(case, code, captured.out + captured.err)
    assert _digests() == before, "an input file was changed"
    assert sorted(CORPUS.iterdir()) == CORPUS_FILES, "a file appeared next to the input"
    assert sorted(p.name for p in private_tmp.iterdir()) == [], "temporary files left behind"
    assert not out.exists() or not any(out.iterdir()), "a refused run wrote outputs"


# ==============================================================================================
# a few cases as a real process: the exit code as the shell sees it
# ==============================================================================================
PROCESS_CASES = [
    "sites_zip_bomb.zip",
    "sites_path_traversal.zip",
    "projects_text_investment.csv",
    "projects_truncated.xlsx",
    "scenario_lock_two_sites.toml",
]


@pytest.mark.parametrize("name", PROCESS_CASES)
def test_python_m_zq_land_exits_2(name: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c["file"] == name)
    assert "xfail" not in case
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONIOENCODING": "utf-8"}
    env.pop("ZQ_LAND_DEBUG", None)
    before = _digests()
    proc = subprocess.run(
        [sys.executable, "-m", "zq_land", *_argv(case, tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    _check_output(case, proc.returncode, proc.stdout + proc.stderr)
    assert _digests() == before
    assert list(tmpdir.iterdir()) == []
