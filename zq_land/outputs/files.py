"""The output files of a run: the set is written all or nothing (a staging folder beside the output folder,
then moved in), never over a file the user gave as input nor over one the tool did not write, and one run
at a time per folder. The CSV keeps the contract's English column names
(``project_id``, ``site_id``, ``status``, ``reason``); the workbook's headers follow the language.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import hashlib
import json
import math
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import input_error
from .._gc import gc_paused
from ..engine.results import AllocationResult
from .audit import audit_zip_bytes, bundle_entries, zip_entries
from .tables import assignment_frame, labelled, spreadsheet_safe
from .workbook import workbook_bytes

#: The file in every output folder that lists what the tool wrote there (name -> SHA-256): a file of an
#: output's name that it does not list (a planner's own ``summary.json``) is never overwritten.
MARKER = ".zq_land_outputs.json"


def write_outputs(
    result: AllocationResult,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    protect: Iterable[str | Path] = (),
    map_html: Callable[[AllocationResult], str] | None = None,
    extra: Mapping[str, bytes] | None = None,
    summary_extra: Mapping[str, Any] | None = None,
    rendered: Callable[[], Mapping[str, bytes] | None] | None = None,
) -> dict[str, Path]:
    """Write every output of a run into ``out_dir``, all or nothing, and return their paths by name.

    The set is written into a staging folder beside ``out_dir`` and then moved in: an interrupted or
    failed run (a full disk, Ctrl-C, SIGTERM) leaves the previous complete set; a second run into the
    same folder at the same time is refused (:func:`output_folder_lock`). ``protect`` lists input files
    that must never be overwritten (the scenario's inputs are always protected); files the tool did not
    write (not listed in the folder's marker) are never overwritten either. ``extra`` adds files to the
    set (name -> bytes), such as an audit bundle or the alternatives; ``summary_extra`` adds figures to
    ``summary.json`` (written once, with the set). ``rendered``, asked once the other files are made, gives
    ``assignments.xlsx`` and ``map.html`` of this result rendered elsewhere (the command line's helper process,
    :mod:`zq_land.outputs.helper`); when it gives None they are rendered here.
    """
    out = Path(out_dir)
    guard = {Path(p).resolve() for p in protect}
    for p in (result.scenario.sites, result.scenario.projects, result.scenario.source,
              result.scenario.stability.reference):
        if p is not None:
            guard.add(Path(p).resolve())
    check_output_folder(out)
    names = ["assignments.csv", "assignments.xlsx", "sites.geojson", "map.html", "summary.json", "scenario.toml",
             *(["moves.csv"] if result.moves is not None else []), *(extra or {}), "audit.zip"]
    clash = [out / n for n in names if (out / n).resolve() in guard]
    if clash:
        raise input_error(clash[0], "输出会覆盖输入文件，请换一个输出文件夹",
                          "an output would overwrite an input file; choose another output folder",
                          column="--out", found=str(clash[0]))
    with output_folder_lock(out):
        _refuse_foreign_files(out, names)
        def workbook_and_map() -> Mapping[str, bytes]:
            got = rendered() if rendered is not None else None
            if got is not None:
                return got
            if map_html is None:  # Folium is imported only when the map is made here
                from .helper import render

                return render(result, lang)
            return {"assignments.xlsx": workbook_bytes(result, lang=lang),
                    "map.html": map_html(result).encode("utf-8")}

        with gc_paused():  # millions of short-lived lists and dicts: the cycle collector's passes over them cost
            # more than building them (nothing the outputs build is a cycle that must go before the end)
            data = output_files(result, lang=lang, extra=extra, summary_extra=summary_extra,
                                rendered=workbook_and_map)
        _publish({name: functools.partial(bytes, blob) for name, blob in data.items()}, out)
    return {n: out / n for n in names}


def prepare_outputs() -> None:
    """Load what :func:`write_outputs` needs whatever the plan: the map's and the workbook's libraries (Folium
    compiles its templates at import; openpyxl's writer), the files every map inlines (Leaflet, the map's
    script, the context layer) and the library versions the audit copy records. The command line runs it
    beside the solver (:func:`zq_land.alongside_solver`), so that a solve's outputs follow it at once."""
    from openpyxl.cell import _writer  # noqa: F401 (what workbook_bytes imports)
    from openpyxl.styles import Font  # noqa: F401

    from . import _offline, maps
    from .audit import versions

    _offline.inline_head()
    maps.map_script()
    maps._context_features()
    versions()


def output_files(
    result: AllocationResult, *, lang: str = "zh", map_html: str | None = None,
    extra: Mapping[str, bytes] | None = None, summary_extra: Mapping[str, Any] | None = None,
    rendered: Callable[[], Mapping[str, bytes]] | None = None,
) -> dict[str, bytes]:
    """Every output file of a run (name -> bytes), ``audit.zip`` last: it holds the others and the inputs,
    and the folder's ``scenario.toml`` is its own (the inputs' paths relative to the bundle's root, their
    hashes and the absolute paths the run read in its comments). ``rendered``, asked once the files but the
    audit copy are made, gives ``assignments.xlsx`` and ``map.html`` (then ``map_html`` is not used)."""
    csv = assignments_csv_bytes(result, lang=lang, headers="en")
    geojson = sites_geojson_bytes(result)
    summary = (strict_json_bytes({**result.summary(), **summary_extra}) if summary_extra
               else summary_json_bytes(result))
    moves = moves_csv_bytes(result) if result.moves is not None else None
    got = rendered() if rendered is not None else None
    data: dict[str, bytes] = {
        "assignments.csv": csv,
        "assignments.xlsx": got["assignments.xlsx"] if got is not None else workbook_bytes(result, lang=lang),
        "sites.geojson": geojson,
    }
    if got is not None:
        data["map.html"] = got["map.html"]
    elif map_html is not None:
        data["map.html"] = map_html.encode("utf-8")
    data["summary.json"] = summary
    if moves is not None:
        data["moves.csv"] = moves
    data.update(extra or {})
    entries = bundle_entries(result, data)
    data["scenario.toml"] = entries["scenario.toml"]
    data["audit.zip"] = zip_entries(entries)
    return data


def moves_csv_bytes(result: AllocationResult) -> bytes:
    """``moves.csv`` (UTF-8 BOM): each project placed differently from the reference plan and what it buys."""
    from ..engine.stability import MOVE_COLUMNS

    moves = result.moves if result.moves is not None else pd.DataFrame(columns=list(MOVE_COLUMNS))
    return spreadsheet_safe(moves[list(MOVE_COLUMNS)]).to_csv(index=False).encode("utf-8-sig")


def check_output_folder(out_dir: str | Path) -> None:
    """Refuse an output folder that cannot be one (a file, beneath a file, a name too long), before solving.

    Raises
    ------
    InputError
        Naming the path and what is wrong with it (column ``--out``).
    """
    out = Path(out_dir)
    try:
        if out.exists() and not out.is_dir():
            raise input_error(out, "输出位置已存在且不是文件夹", "the output path exists and is not a folder",
                              column="--out", found=str(out))
        for parent in out.absolute().parents:
            if parent.exists():
                if not parent.is_dir():
                    raise input_error(out, f"输出文件夹位于文件“{parent}”之下", f"the output folder lies beneath "
                                      f"the file '{parent}', which is not a folder", column="--out",
                                      found=str(parent))
                break
    except OSError as exc:  # ENAMETOOLONG, ELOOP, EACCES
        raise input_error(out, f"输出路径无法使用：{exc.strerror or exc}",
                          f"the output path cannot be used: {exc.strerror or exc}", column="--out",
                          found=str(out)[:200]) from None


@contextlib.contextmanager
def output_folder_lock(out_dir: str | Path) -> Iterator[None]:
    """Hold the output folder for this process: a second run into it meanwhile is refused (exit 2).

    The lock is a file beside the folder holding the process id; a lock whose process has ended is
    taken over. Re-entrant within one process (the CLI takes it before solving, :func:`write_outputs`
    again before writing).
    """
    out = Path(out_dir)
    check_output_folder(out)
    full = _full(out)
    lock = full.parent / f".{full.name}.zq_land.lock"
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise input_error(out, f"无法创建输出文件夹：{exc.strerror or exc}",
                          f"cannot create the output folder: {exc.strerror or exc}", column="--out") from None
    mine = False
    for _attempt in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid = _lock_pid(lock)
            if pid == os.getpid():
                yield  # already held by this process
                return
            if pid is not None and _alive(pid):
                raise input_error(out, f"另一个运行（进程 {pid}）正在写入此输出文件夹；请等待其结束或换一个文件夹",
                                  f"another run (process {pid}) is writing into this output folder; wait for it "
                                  "or choose another folder", column="--out", found=str(lock)) from None
            lock.unlink(missing_ok=True)  # left by a run that ended without removing it
            continue
        except OSError as exc:
            raise input_error(out, f"无法写入输出文件夹：{exc.strerror or exc}",
                              f"cannot write the output folder: {exc.strerror or exc}", column="--out") from None
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        mine = True
        break
    if not mine:
        raise input_error(out, "无法锁定输出文件夹", "cannot lock the output folder", column="--out", found=str(lock))
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def assignments_csv_bytes(result: AllocationResult, *, lang: str = "zh", headers: str = "en") -> bytes:
    """The assignment table as CSV in UTF-8 with BOM (so Excel opens Chinese correctly).

    ``headers="en"`` keeps the contract's column names; ``headers="lang"`` labels them in ``lang``.
    """
    df = assignment_frame(result, lang=lang, codes=headers != "en")
    if headers != "en":
        df = labelled(df, lang)
    df = spreadsheet_safe(df)  # a name starting with '=' must not become a formula when Excel opens the CSV
    return df.to_csv(index=False).encode("utf-8-sig")


def sites_geojson_bytes(result: AllocationResult) -> bytes:
    """Every site column, ``area_mu`` filled in, and each site's used and free capacity, in EPSG:4326."""
    per_mu = [c for c in ("output_wan", "tax_wan", "jobs", "space_mu", "output_wan_per_mu", "tax_wan_per_mu",
                          "jobs_per_mu", "grade", "candidate") if c in result.site_use.columns]
    # a site's own firm figures keep their names; the plan's sums on it (firm + placed) are prefixed
    use = result.site_use[["site_id", "unit", "capacity", "used", "free", "utilisation", "n_projects",
                           "investment_yi", "project_ids", *per_mu]]
    use = use.rename(columns={c: f"plan_{c}" for c in ("output_wan", "tax_wan", "jobs") if c in per_mu})
    g = result.sites.merge(use, on="site_id", how="left")
    g = g.to_crs(4326) if g.crs is not None else g.set_crs(4326)
    for c in g.columns:
        if pd.api.types.is_datetime64_any_dtype(g[c]):
            g[c] = g[c].dt.strftime("%Y-%m-%d").where(g[c].notna(), None)
    return geojson_text(g).encode("utf-8")


def geojson_text(g: Any) -> str:
    """``g.to_json(drop_id=True, ensure_ascii=False)`` of a GeoDataFrame in EPSG:4326, character for
    character, with the polygons' coordinates taken out in one go (shapely's per-geometry
    ``__geo_interface__`` took a second at 12,000 sites)."""
    if g.crs is not None and not g.crs.equals("epsg:4326"):
        return str(g.to_json(drop_id=True, ensure_ascii=False))
    if not g.columns.is_unique:
        raise ValueError("GeoDataFrame cannot contain duplicated column names.")
    cols = g.columns.drop(g.geometry.name)
    geoms = _geojson_geometries(np.asarray(g.geometry.array, dtype=object))
    if len(cols):
        props = g[cols].astype(object)
        props[pd.isna(g[cols]).values] = None  # as geopandas' na="null"
        names = list(cols)
        features = [{"type": "Feature", "properties": dict(zip(names, row, strict=True)), "geometry": geom}
                    for row, geom in zip(props.values.tolist(), geoms, strict=True)]
    else:
        features = [{"type": "Feature", "properties": {}, "geometry": geom} for geom in geoms]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _geojson_geometries(geoms: Any) -> list[Any]:
    """shapely's ``mapping`` of each geometry (None when missing or empty); Polygons and MultiPolygons in 2D
    without an empty part, nearly every site, from one vectorised pass over all their coordinates."""
    import shapely
    from shapely.geometry import mapping

    out: list[Any] = [None] * len(geoms)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    fast = present & np.isin(shapely.get_type_id(geoms), (3, 6)) & ~shapely.has_z(geoms)
    idx = np.flatnonzero(fast)
    parts, part_of = shapely.get_parts(geoms[idx], return_index=True)
    empty_part = shapely.is_empty(parts)
    if empty_part.any():  # shapely writes an empty part of a MultiPolygon its own way: leave those to it
        fast[idx[np.unique(part_of[empty_part])]] = False
        idx = np.flatnonzero(fast)
        parts, part_of = shapely.get_parts(geoms[idx], return_index=True)
    for i in np.flatnonzero(present & ~fast).tolist():
        out[i] = mapping(geoms[i])
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    xy = coords.tolist()  # lists, not shapely's tuples: the same JSON
    ring_end = np.cumsum(np.bincount(coord_of, minlength=len(rings))).tolist()
    part_end = np.cumsum(np.bincount(ring_of, minlength=len(parts))).tolist()
    geom_end = np.cumsum(np.bincount(part_of, minlength=len(idx))).tolist()
    ring_coords = [xy[a:b] for a, b in zip([0, *ring_end][:len(ring_end)], ring_end, strict=True)]
    part_coords = [ring_coords[a:b] for a, b in zip([0, *part_end][:len(part_end)], part_end, strict=True)]
    multi = (shapely.get_type_id(geoms[idx]) == 6).tolist()
    for k, (i, a, b) in enumerate(zip(idx.tolist(), [0, *geom_end][:len(geom_end)], geom_end, strict=True)):
        if multi[k]:
            out[i] = {"type": "MultiPolygon", "coordinates": part_coords[a:b]}
        else:
            out[i] = {"type": "Polygon", "coordinates": part_coords[a]}
    return out


def summary_json_bytes(result: AllocationResult) -> bytes:
    """``summary.json``: strict JSON (a non-finite figure, which JSON cannot hold, is written as null)."""
    return strict_json_bytes(result.summary())


def strict_json_bytes(data: Any) -> bytes:
    """``data`` as indented UTF-8 JSON that every parser reads: NaN and infinities become null."""
    return json.dumps(_finite(data), ensure_ascii=False, indent=2, default=_json_default,
                      allow_nan=False).encode("utf-8")


def audit_bundle_bytes(
    result: AllocationResult, *, lang: str = "zh", map_html: str | None = None,
    inputs: Mapping[str, Mapping[str, bytes]] | None = None,
) -> bytes:
    """The replayable audit bundle ``solve`` writes as ``audit.zip`` (:func:`~zq_land.outputs.audit.audit_zip_bytes`):
    the outputs, the inputs (``inputs``: the app's uploads by input and file name; else the files read, or the
    tables as read), the scenario pointing at them, hashes and versions."""
    data = output_files(result, lang=lang, map_html=map_html)
    if inputs is None:
        return data["audit.zip"]
    data.pop("audit.zip")
    return audit_zip_bytes(result, data, inputs=inputs)


# --- private helpers ------------------------------------------------------------------------------


def atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _publish(files: Mapping[str, Callable[[], bytes]], out: Path) -> None:
    """Render every file into a staging folder beside ``out``, then move the set in, the marker last."""
    out = _full(out)  # "." and "a/.." have no name of their own to stage beside
    parent = out.parent
    # staging folders a killed run (SIGKILL, power cut) left: this process holds the folder's lock, so no
    # other run is staging into them
    for stale in parent.glob(f".{glob.escape(out.name)}.*.tmp"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise input_error(out, f"无法写入输出文件夹：{exc.strerror or exc}",
                          f"cannot write the output folder: {exc.strerror or exc}", column="--out") from None
    try:
        digests: dict[str, str] = {}
        for name, render in files.items():
            data = render()
            (stage / name).write_bytes(data)
            digests[name] = hashlib.sha256(data).hexdigest()
            _share(stage / name)
        (stage / MARKER).write_text(json.dumps({"tool": "zq_land", "files": digests}, indent=1), encoding="utf-8")
        _share(stage / MARKER)
        umask = os.umask(0)
        os.umask(umask)
        stage.chmod(0o777 & ~umask)
        with _signals_held():  # the moves take milliseconds: no Ctrl-C between them
            if not out.exists():  # an existing folder, even empty, stays (it may be a shell's working folder)
                os.rename(stage, out)
            else:
                old = _marker_files(out)
                (out / MARKER).unlink(missing_ok=True)
                for name in files:
                    os.replace(stage / name, out / name)
                for name in sorted(set(old) - set(files)):  # the previous set's files this one lacks
                    (out / name).unlink(missing_ok=True)
                os.replace(stage / MARKER, out / MARKER)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _full(out: Path) -> Path:
    try:
        return out.resolve()
    except OSError:  # a loop of symlinks: say it where the path is used
        return out.absolute()


def _refuse_foreign_files(out: Path, names: Iterable[str]) -> None:
    """Refuse to overwrite a file of an output's name that this tool did not write (or that was changed)."""
    if not out.is_dir():
        return
    listed = _marker_files(out)
    foreign = []
    for name in names:
        path = out / name
        if path.is_file() and listed.get(name) != _sha256(path):
            foreign.append(name)
    if foreign:
        raise input_error(out, f"输出文件夹中已有并非本工具写入（或之后被修改）的文件：{', '.join(foreign)}；"
                          "请移走这些文件或换一个输出文件夹",
                          f"the output folder holds files this tool did not write (or that were changed since): "
                          f"{', '.join(foreign)}; move them or choose another output folder",
                          column="--out", found=", ".join(foreign))


def _marker_files(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {k: str(v) for k, v in files.items()
            if isinstance(k, str) and "/" not in k and "\\" not in k and k not in ("", ".", "..")}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _share(path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)  # mkstemp / mkdtemp make private files; outputs are for sharing


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    blockable = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    held = {signal.SIGINT, signal.SIGTERM}
    if blockable:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        if blockable:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def _lock_pid(lock: Path) -> int | None:
    try:
        return int(lock.read_text(encoding="utf-8").strip() or "0") or None
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _finite(o: Any) -> Any:
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_finite(v) for v in o]
    if hasattr(o, "item") and not isinstance(o, str | bytes):
        try:
            return _finite(o.item())
        except (TypeError, ValueError):
            return o
    return o


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "isoformat"):
        return o.isoformat()
    return str(o)
