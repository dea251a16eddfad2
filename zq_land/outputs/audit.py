"""The audit of a run: the scenario as run (TOML that loads again), and ``audit.zip``, a bundle that replays.

``audit.zip`` holds the run's outputs at its root (``assignments.csv``, ``assignments.xlsx``,
``sites.geojson``, ``map.html``, ``summary.json``, ``moves.csv`` with a reference), the input files
themselves under ``inputs/`` (sites, projects, the reference plan), ``scenario.toml`` whose paths point
there (relative to the bundle), and ``manifest.json``: the SHA-256 of every other entry, the tool's, Python's
and the libraries' versions. :func:`replay_bundle` checks every hash, solves the bundled scenario again
from the bundled inputs and compares the plan.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import platform
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from .._errors import input_error
from ..engine.results import AllocationResult

MANIFEST = "manifest.json"
#: Entries larger than this are refused on replay rather than unpacked (a guard against zip bombs).
MAX_ENTRY_BYTES = 2 * 2**30


def audit_scenario_bytes(
    result: AllocationResult, *, paths: Mapping[str, str] | None = None, canonical: bool = False
) -> bytes:
    """The scenario as run, with its inputs' SHA-256 and the versions used, as TOML.

    ``paths`` gives the input paths to write (``sites``, ``projects``, ``reference``), as the bundle does
    with its relative ones; by default the absolute paths the run read. ``canonical``: the inputs are the
    tables as read (standard column names), so the scenario's column mapping and sheet are left out.
    """
    from .. import __version__
    from ..scenario import dumps_toml

    sc = result.scenario
    lines = [
        f"# zq_land {__version__}: scenario as run, for the audit of a review meeting",
        f"# python {platform.python_version()}; " + "; ".join(f"{k} {v}" for k, v in versions().items()),
    ]
    for key, fp in result.inputs.items():
        lines.append(f"# input {key}: {fp['path']} ({fp['bytes']} bytes) sha256 {fp['sha256']}")
    lines.append(f"# solver: {result.solve.solver}, status {result.solve.status}, "
                 f"objective {result.solve.objective}, bound {result.solve.bound}")
    data = sc.to_dict()
    if canonical:
        data.pop("columns", None)
        data.pop("sheet", None)
    for key in ("sites", "projects"):
        if paths and key in paths:
            data[key] = paths[key]
        elif getattr(sc, key) is not None:
            data[key] = str(Path(getattr(sc, key)).resolve())
    ref = sc.stability.reference
    if result.reference is not None or ref is not None:
        stab = dict(data.get("stability", {}))
        stab["max_loss_share"] = sc.stability.max_loss_share
        if paths and "reference" in paths:
            stab["reference"] = paths["reference"]
        elif ref is not None:
            stab["reference"] = str(Path(ref).resolve())
        data["stability"] = stab
    return ("\n".join(lines) + "\n" + dumps_toml(data)).encode("utf-8")


def audit_zip_bytes(
    result: AllocationResult, outputs: Mapping[str, bytes], *, inputs: Mapping[str, Mapping[str, bytes]] | None = None,
) -> bytes:
    """The replayable bundle: ``outputs`` (name -> bytes) at the root, the inputs under ``inputs/``, the
    scenario pointing there, and the manifest of hashes and versions (:func:`bundle_entries`, zipped)."""
    return zip_entries(bundle_entries(result, outputs, inputs=inputs))


def bundle_entries(
    result: AllocationResult, outputs: Mapping[str, bytes], *, inputs: Mapping[str, Mapping[str, bytes]] | None = None,
) -> dict[str, bytes]:
    """The bundle's files by name, ``manifest.json`` last.

    ``inputs`` (``sites``/``projects``/``reference`` -> file name -> bytes) gives inputs held in memory; by
    default the files the run read (a Shapefile with its sibling files, a folder whole), and for inputs
    given as tables (the app's, the store's) the tables as read.
    """
    from .. import __version__

    files = dict(inputs) if inputs is not None else _input_files(result)
    tables = _table_files(result, skip=set(files))  # inputs given as tables (the app): the tables as read
    files.update(tables)
    entries: dict[str, bytes] = {}
    paths: dict[str, str] = {}
    for key, named in files.items():
        for i, (name, data) in enumerate(sorted(named.items())):
            arc = f"inputs/{key}/{name}"
            entries[arc] = data
            if i == 0 or name == _main_name(result, key):
                paths[key] = _main_path(result, key, arc, named)
    if result.reference is not None and "reference" not in files:
        entries["inputs/reference/reference.csv"] = result.reference.to_csv(index=False).encode("utf-8-sig")
        paths["reference"] = "inputs/reference/reference.csv"
    entries.update({k: v for k, v in outputs.items() if k not in ("scenario.toml", "audit.zip")})
    entries["scenario.toml"] = audit_scenario_bytes(result, paths=paths, canonical=bool(tables))
    manifest = {
        "zq_land": __version__, "python": platform.python_version(), "versions": versions(),
        "scenario": result.scenario.name, "status": result.solve.status, "inputs": paths,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(entries.items())},
    }
    entries = dict(sorted(entries.items()))
    entries[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    return entries


def zip_entries(entries: Mapping[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(_info(name), data)
    return buf.getvalue()


@dataclass(frozen=True)
class ReplayOutcome:
    """A replayed bundle: whether the plan is identical, and the projects placed differently."""

    identical: bool
    differences: pd.DataFrame  # project_id, site_in_bundle, site_now
    result: AllocationResult
    paths: dict[str, Path]


def read_bundle(path: str | Path) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Every entry of an audit bundle (name -> bytes) and its manifest, every hash checked.

    Raises
    ------
    InputError
        When the bundle is missing, not a zip, damaged, lacks its manifest or scenario, or an entry's
        SHA-256 differs from the manifest's (the entry is named).
    """
    p = Path(path)
    if not p.is_file():
        raise input_error(p, "找不到审计包", "the audit bundle was not found")
    try:
        with zipfile.ZipFile(p) as z:
            files = {}
            for info in z.infolist():
                if info.is_dir():
                    continue
                name = PurePosixPath(info.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise input_error(p, f"审计包含不安全的路径：{info.filename}",
                                      f"the bundle holds an unsafe path: {info.filename}", found=info.filename)
                if info.file_size > MAX_ENTRY_BYTES:
                    raise input_error(p, f"审计包中的文件过大：{info.filename}",
                                      f"an entry is too large: {info.filename}", found=f"{info.file_size} bytes")
                files[info.filename] = z.read(info)  # checks the CRC
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise input_error(p, f"审计包已损坏，无法读取：{exc}", f"the audit bundle is damaged: {exc}") from None
    if MANIFEST not in files or "scenario.toml" not in files:
        missing = MANIFEST if MANIFEST not in files else "scenario.toml"
        raise input_error(p, f"审计包缺少 {missing}（不是 solve 写出的 audit.zip？）",
                          f"the bundle lacks {missing} (not an audit.zip written by solve?)", column=missing)
    try:
        manifest = json.loads(files[MANIFEST].decode("utf-8"))
        hashes = dict(manifest["files"])
    except (ValueError, KeyError, TypeError) as exc:
        raise input_error(p, f"审计包的 manifest.json 已损坏：{exc}", f"the bundle's manifest.json is damaged: {exc}",
                          column=MANIFEST) from None
    for name, want in sorted(hashes.items()):
        if name not in files:
            raise input_error(p, f"审计包缺少清单所列的文件 {name}", f"the bundle lacks {name}, listed in its manifest",
                              item_id=name, column="files")
        got = hashlib.sha256(files[name]).hexdigest()
        if got != want:
            raise input_error(p, f"文件 {name} 的 SHA-256 与清单不符（已被改动）",
                              f"the SHA-256 of {name} differs from the manifest (it was changed)", item_id=name,
                              column="sha256", found=got, expected=str(want))
    extra = sorted(set(files) - set(hashes) - {MANIFEST})
    if extra:
        raise input_error(p, f"审计包含清单之外的文件 {extra[0]}", f"the bundle holds {extra[0]}, not in its manifest",
                          item_id=extra[0])
    return files, manifest


def replay_bundle(path: str | Path, out_dir: str | Path, *, lang: str = "zh") -> ReplayOutcome:
    """Solve an audit bundle again from its own inputs, write the outputs into ``out_dir``, compare the plan.

    Raises
    ------
    InputError
        As :func:`read_bundle`, or when the bundled scenario or inputs cannot be read.
    """
    from ..engine.results import allocate
    from ..scenario import load_scenario
    from .files import write_outputs

    files, _ = read_bundle(path)
    with tempfile.TemporaryDirectory(prefix="zq_land_replay_") as tmp:
        root = Path(tmp)
        for name, data in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        sc = load_scenario(root / "scenario.toml")
        result = allocate(sc)
        paths = write_outputs(result, out_dir, lang=lang, protect=[path])
    before = pd.read_csv(io.BytesIO(files["assignments.csv"]), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    now_bytes = paths["assignments.csv"].read_bytes()
    now = pd.read_csv(io.BytesIO(now_bytes), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    m = before[["project_id", "site_id"]].merge(now[["project_id", "site_id"]], on="project_id", how="outer",
                                                suffixes=("_in_bundle", "_now")).fillna("")
    diff = m.loc[m["site_id_in_bundle"] != m["site_id_now"]].rename(
        columns={"site_id_in_bundle": "site_in_bundle", "site_id_now": "site_now"}).reset_index(drop=True)
    identical = now_bytes == files["assignments.csv"]
    return ReplayOutcome(identical, diff, result, paths)


def versions() -> dict[str, str]:
    """The versions of the libraries a plan depends on (the solver's first)."""
    return dict(_installed_versions())


@functools.cache
def _installed_versions() -> tuple[tuple[str, str], ...]:
    # once a process: each lookup scans the installed distributions (~2 ms), and a run asks three times
    # (the audit copy of the scenario, the manifest, the workbook's run sheet)
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for pkg in ("highspy", "pulp", "numpy", "pandas", "geopandas", "pyogrio", "shapely", "pyproj", "folium",
                "openpyxl"):
        try:
            out.append((pkg, version(pkg)))
        except PackageNotFoundError:
            out.append((pkg, "missing"))
    return tuple(out)


_versions = versions  # the older private name


# --- private helpers ------------------------------------------------------------------------------


def _info(name: str) -> zipfile.ZipInfo:
    """A zip entry dated now (the brief reads when the run was written from it), mode 0644."""
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _source(result: AllocationResult, key: str) -> Path | None:
    sc = result.scenario
    if key == "reference":
        return sc.stability.reference
    value = getattr(sc, key, None)
    return None if value is None else Path(value)


def _input_files(result: AllocationResult) -> dict[str, dict[str, bytes]]:
    """The files the run read, by input: a folder whole, a Shapefile with its siblings, else the file."""
    out: dict[str, dict[str, bytes]] = {}
    for key in ("sites", "projects", "reference"):
        src = _source(result, key)
        if src is None or not src.exists():
            continue
        if src.is_dir():
            out[key] = {f"{src.name}/{f.relative_to(src).as_posix()}": f.read_bytes()
                        for f in sorted(src.rglob("*")) if f.is_file()}
        elif src.suffix.lower() == ".shp":
            out[key] = {f.name: f.read_bytes() for f in sorted(src.parent.glob(src.stem + ".*")) if f.is_file()}
        else:
            out[key] = {src.name: src.read_bytes()}
    return out


def _table_files(result: AllocationResult, *, skip: set[str]) -> dict[str, dict[str, bytes]]:
    """The sites (GeoJSON) and projects (CSV, UTF-8 BOM) tables as the run read them, for inputs that came as
    tables rather than files; the readers read them back to the same tables (standard column names)."""
    out: dict[str, dict[str, bytes]] = {}
    if "sites" not in skip:
        g = result.sites.drop(columns=[c for c in ("lon", "lat", "area_mu_geom") if c in result.sites.columns])
        g = g.to_crs(4326) if g.crs is not None else g.set_crs(4326)
        for c in g.columns:
            if pd.api.types.is_datetime64_any_dtype(g[c]):
                g[c] = g[c].dt.strftime("%Y-%m-%d").where(g[c].notna(), None)
        out["sites"] = {"sites.geojson": g.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")}
    if "projects" not in skip:
        out["projects"] = {"projects.csv": pd.DataFrame(result.projects).to_csv(index=False).encode("utf-8-sig")}
    return out


def _main_name(result: AllocationResult, key: str) -> str | None:
    src = _source(result, key)
    return None if src is None else src.name


def _main_path(result: AllocationResult, key: str, arc: str, named: Mapping[str, bytes]) -> str:
    """The bundle path the scenario names for an input: the file itself, or the folder of a folder input."""
    src = _source(result, key)
    if src is not None and src.is_dir():
        return f"inputs/{key}/{src.name}"
    main = _main_name(result, key)
    if main is not None and main in named:
        return f"inputs/{key}/{main}"
    return arc
