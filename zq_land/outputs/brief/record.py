"""The record of one run that a brief is made from, read from a ``solve --out`` folder, an audit zip or a result.

All three go through :func:`run_from_files` (file name -> bytes), so a brief made in the app from the
result in memory is the brief of the audit zip the app offers, and of the folder ``solve --out`` wrote.
A missing or damaged file is refused with a message naming it (and the column or key), in Chinese
and English.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import tomllib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import pandas as pd

from ..._errors import input_error
from ...engine.results import AllocationResult
from ...scenario import Scenario, scenario_from_dict
from ..files import audit_bundle_bytes

#: Output files of a run the brief reads; ``moves.csv`` is optional (a run with a reference plan).
REQUIRED_FILES = ("summary.json", "assignments.csv", "sites.geojson", "scenario.toml")
OPTIONAL_FILES = ("moves.csv",)
SUMMARY_KEYS = ("status", "projects_total", "projects_placed", "investment_total_yi", "investment_placed_yi",
                "land_placed_mu", "floor_placed_m2", "revitalized_land_mu", "revitalized_floor_m2")
ASSIGNMENT_COLUMNS = ("project_id", "name", "site_id", "status", "reason", "industry", "mode", "anchor",
                      "investment_yi", "land_need_mu", "floor_need_m2", "site_kind", "used_mu", "used_m2")
SITE_COLUMNS = ("site_id", "name", "kind", "status", "unit", "capacity", "used", "free", "n_projects")
MOVE_COLUMNS = ("project_id", "name", "reference_site_id", "site_id", "change", "buys_zh", "buys_en")
MOVE_CHANGES = ("moved", "unplaced", "newly_placed")
#: A zip entry larger than this is refused rather than read into memory (the sample's largest is 0.2 MB).
MAX_ENTRY_BYTES = 512 * 2**20


@dataclass(frozen=True)
class RunRecord:
    """What a brief is made from: the run's figures, plan, sites, scenario and (optional) moves."""

    source: str  # the folder or zip it was read from, for messages
    written: dt.datetime | None  # when the run's outputs were written (local time)
    summary: Mapping[str, Any]
    scenario: Scenario
    scenario_sha256: str  # of the run's scenario.toml (the copy as run, with the inputs' hashes)
    scenario_bytes: int
    assignments: pd.DataFrame  # assignments.csv: one row per project, coded values as in the contract
    sites: gpd.GeoDataFrame  # sites.geojson (EPSG:4326) with each site's use
    moves: pd.DataFrame | None  # moves.csv, None when the run had no reference plan


def read_run(path: str | Path) -> RunRecord:
    """Read a ``solve --out`` folder or an audit bundle (``.zip``).

    Raises
    ------
    InputError
        When the path is missing, not a folder or zip, or a file the brief needs is missing or damaged.
    """
    p = Path(path)
    if not p.exists():
        raise input_error(p, "找不到运行结果（应为 solve --out 的输出文件夹或审计包 .zip）",
                          "the run was not found (expected a solve --out folder or an audit .zip)")
    if p.is_dir():
        files: dict[str, bytes] = {}
        for name in REQUIRED_FILES + OPTIONAL_FILES:
            f = p / name
            if f.is_file():
                files[name] = f.read_bytes()
        stamp = p / "summary.json"
        written = dt.datetime.fromtimestamp(stamp.stat().st_mtime) if stamp.is_file() else None
        return run_from_files(files, source=str(p), written=written)
    if not zipfile.is_zipfile(p):
        raise input_error(p, "既不是文件夹也不是 zip 审计包", "neither a folder nor a zip audit bundle",
                          found=p.suffix or p.name, expected="RUN_DIR | BUNDLE.zip")
    files, written = _zip_files(p.read_bytes(), source=str(p))
    return run_from_files(files, source=str(p), written=written)


def run_from_result(result: AllocationResult) -> RunRecord:
    """The record of a result held in memory: the brief of the audit bundle the app offers for it."""
    bundle = audit_bundle_bytes(result, lang="zh")  # Chinese and English reasons both
    files, written = _zip_files(bundle, source=result.scenario.name)
    return run_from_files(files, source=result.scenario.name, written=written)


def run_from_files(files: Mapping[str, bytes], *, source: str, written: dt.datetime | None = None) -> RunRecord:
    """Parse and check a run's output files (name -> bytes); every problem found is reported at once."""
    missing = [n for n in REQUIRED_FILES if n not in files]
    if missing:
        raise input_error(_where(source, missing[0]), f"运行结果缺少文件：{'、'.join(missing)}",
                          f"the run lacks the file(s): {', '.join(missing)}", found=", ".join(sorted(files)),
                          expected=", ".join(REQUIRED_FILES))
    summary = _summary(files["summary.json"], _where(source, "summary.json"))
    scenario = _scenario(files["scenario.toml"], _where(source, "scenario.toml"))
    assignments = _csv(files["assignments.csv"], _where(source, "assignments.csv"), ASSIGNMENT_COLUMNS)
    sites = _sites(files["sites.geojson"], _where(source, "sites.geojson"))
    moves = None
    if "moves.csv" in files:
        moves = _csv(files["moves.csv"], _where(source, "moves.csv"), MOVE_COLUMNS)
        bad = sorted(set(moves["change"]) - set(MOVE_CHANGES))
        if bad:
            raise input_error(_where(source, "moves.csv"), f"“change”列的值无法识别：{bad[0]}",
                              f"unknown value in column 'change': {bad[0]}", column="change", found=bad[0],
                              expected=" | ".join(MOVE_CHANGES))
    return RunRecord(source=source, written=written, summary=summary, scenario=scenario,
                     scenario_sha256=hashlib.sha256(files["scenario.toml"]).hexdigest(),
                     scenario_bytes=len(files["scenario.toml"]),
                     assignments=_typed_assignments(assignments), sites=sites, moves=moves)


# --- private helpers ------------------------------------------------------------------------------


def _where(source: str, name: str) -> str:
    return str(PurePosixPath(source) / name) if source else name


def _zip_files(data: bytes, *, source: str) -> tuple[dict[str, bytes], dt.datetime | None]:
    """The run's files in a zip, by name: those beside its shallowest ``summary.json`` (the outputs, at the
    root or in a folder of their own; a bundle may also hold inputs of the same names elsewhere)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = {i.filename: i for i in z.infolist() if not i.is_dir()}
        summaries = sorted((n for n in infos if PurePosixPath(n).name == "summary.json"),
                           key=lambda n: (n.count("/"), n))
        folder = PurePosixPath(summaries[0]).parent if summaries else PurePosixPath("")
        files = {}
        for name in REQUIRED_FILES + OPTIONAL_FILES:
            info = infos.get(str(folder / name) if str(folder) != "." else name)
            if info is None:
                continue
            if info.file_size > MAX_ENTRY_BYTES:
                raise input_error(_where(source, info.filename), "审计包中的文件过大，拒绝读取",
                                  "a file in the bundle is too large to read", found=f"{info.file_size} bytes")
            files[name] = z.read(info)  # checks the CRC
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise input_error(source, f"审计包已损坏，无法读取：{exc}", f"the audit bundle is damaged: {exc}") from None
    written = dt.datetime(*infos[summaries[0]].date_time) if summaries else None
    return files, written


def _text(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise input_error(file, f"文件不是 UTF-8 编码：{exc}", f"the file is not UTF-8: {exc}") from None


def _summary(data: bytes, file: str) -> dict[str, Any]:
    try:
        summary = json.loads(_text(data, file))
    except json.JSONDecodeError as exc:
        raise input_error(file, f"不是有效的 JSON：{exc}", f"not valid JSON: {exc}") from None
    if not isinstance(summary, dict):
        raise input_error(file, "内容须为 JSON 对象", "the content must be a JSON object", found=type(summary).__name__)
    for key in SUMMARY_KEYS:
        v = summary.get(key)
        ok = isinstance(v, str) if key == "status" else isinstance(v, int | float) and not isinstance(v, bool)
        if not ok or (isinstance(v, float) and not math.isfinite(v)):
            raise input_error(file, f"缺少“{key}”或其值无效", f"'{key}' is missing or not valid", column=key,
                              found=repr(v))
    return summary


def _scenario(data: bytes, file: str) -> Scenario:
    try:
        raw = tomllib.loads(_text(data, file))
    except tomllib.TOMLDecodeError as exc:
        raise input_error(file, f"不是有效的 TOML：{exc}", f"not valid TOML: {exc}") from None
    return scenario_from_dict(raw, source=file)


def _csv(data: bytes, file: str, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        df = pd.read_csv(io.StringIO(_text(data, file)), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise input_error(file, f"不是可读的 CSV：{exc}", f"not a readable CSV: {exc}") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise input_error(file, f"缺少列：{', '.join(missing)}", f"lacks the column(s): {', '.join(missing)}",
                          column=missing[0])
    return df


def _typed_assignments(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in ("investment_yi", "land_need_mu", "floor_need_m2", "used_mu", "used_m2", "intensity_wan_per_mu",
                "distance_km", "output_wan", "tax_wan", "jobs", "space_mu", "invest_wan_per_mu", "output_wan_per_mu",
                "tax_wan_per_mu", "jobs_per_mu"):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col].replace("", None), errors="coerce")
    if "reason_en" not in out.columns:  # a run solved with --lang en has its reasons in English only
        out["reason_en"] = out["reason"]
    return out


def _sites(data: bytes, file: str) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        g = pyogrio.read_dataframe(io.BytesIO(data))
    except Exception as exc:  # pyogrio raises its own DataSourceError and GDAL errors of several kinds
        why = "" if "/vsimem/" in str(exc) else str(exc)  # GDAL names its in-memory copy, not the file
        raise input_error(file, "不是可读的 GeoJSON" + (f"：{why}" if why else ""),
                          "not a readable GeoJSON" + (f": {why}" if why else "")) from None
    missing = [c for c in SITE_COLUMNS if c not in g.columns]
    if missing:
        raise input_error(file, f"缺少列：{', '.join(missing)}", f"lacks the column(s): {', '.join(missing)}",
                          column=missing[0])
    if g.crs is None:
        g = g.set_crs(4326)
    bad = g.geometry.isna() | g.geometry.is_empty
    if bad.any():
        sid = str(g.loc[bad, "site_id"].iloc[0])
        raise input_error(file, "地块没有几何图形", "a site has no geometry", item_id=sid, column="geometry")
    for col in ("name", "zone", "anchor", "name_en", "grade"):
        if col in g.columns:
            g[col] = g[col].fillna("").astype(str)
    g["site_id"] = g["site_id"].astype(str)
    return g
