"""The output files of a run: every file is written atomically (a temporary file in the same folder, then a
rename), and never over a file the user gave as input. The CSV keeps the contract's English column names
(``project_id``, ``site_id``, ``status``, ``reason``); the workbook's headers follow the language.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .._errors import input_error
from ..engine.results import AllocationResult
from .audit import audit_zip_bytes, bundle_entries, zip_entries
from .tables import assignment_frame, labelled
from .workbook import workbook_bytes


def write_outputs(
    result: AllocationResult,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    protect: Iterable[str | Path] = (),
    map_html: Callable[[AllocationResult], str] | None = None,
) -> dict[str, Path]:
    """Write every output of a run into ``out_dir`` and return their paths by name.

    ``protect`` lists input files that must never be overwritten (the scenario's inputs are always
    protected).
    """
    out = Path(out_dir)
    guard = {Path(p).resolve() for p in protect}
    for p in (result.scenario.sites, result.scenario.projects, result.scenario.source,
              result.scenario.stability.reference):
        if p is not None:
            guard.add(Path(p).resolve())
    if out.exists() and not out.is_dir():
        raise input_error(out, "输出位置已存在且不是文件夹", "the output path exists and is not a folder",
                          column="--out")
    out.mkdir(parents=True, exist_ok=True)

    names = ["assignments.csv", "assignments.xlsx", "sites.geojson", "map.html", "summary.json", "scenario.toml"]
    if result.moves is not None:
        names.append("moves.csv")
    names.append("audit.zip")
    paths = {name: out / name for name in names}
    clash = [p for p in paths.values() if p.resolve() in guard]
    if clash:
        raise input_error(clash[0], "输出会覆盖输入文件，请换一个输出文件夹",
                          "an output would overwrite an input file; choose another output folder",
                          column="--out", found=str(clash[0]))
    if map_html is None:
        from .maps import result_map, standalone_html

        def map_html(r: AllocationResult) -> str:
            m = result_map(r, lang=lang, show_supplier_lines=True)
            return standalone_html(m)

    data = output_files(result, lang=lang, map_html=map_html(result))
    _write_set(out, data)
    return paths


def output_files(result: AllocationResult, *, lang: str = "zh", map_html: str | None = None) -> dict[str, bytes]:
    """Every output file of a run (name -> bytes), ``audit.zip`` last (it holds the others and the inputs)."""
    data: dict[str, bytes] = {
        "assignments.csv": assignments_csv_bytes(result, lang=lang, headers="en"),
        "assignments.xlsx": workbook_bytes(result, lang=lang),
        "sites.geojson": sites_geojson_bytes(result),
    }
    if map_html is not None:
        data["map.html"] = map_html.encode("utf-8")
    data["summary.json"] = summary_json_bytes(result)
    if result.moves is not None:
        data["moves.csv"] = moves_csv_bytes(result)
    entries = bundle_entries(result, data)
    # the folder's scenario.toml is the bundle's: its inputs' paths are relative to audit.zip's root, their
    # hashes and the absolute paths the run read are in its comments
    data["scenario.toml"] = entries["scenario.toml"]
    data["audit.zip"] = zip_entries(entries)
    return data


def moves_csv_bytes(result: AllocationResult) -> bytes:
    """``moves.csv`` (UTF-8 BOM): each project placed differently from the reference plan and what it buys."""
    from ..engine.stability import MOVE_COLUMNS

    moves = result.moves if result.moves is not None else pd.DataFrame(columns=list(MOVE_COLUMNS))
    return moves[list(MOVE_COLUMNS)].to_csv(index=False).encode("utf-8-sig")


def assignments_csv_bytes(result: AllocationResult, *, lang: str = "zh", headers: str = "en") -> bytes:
    """The assignment table as CSV in UTF-8 with BOM (so Excel opens Chinese correctly).

    ``headers="en"`` keeps the contract's column names; ``headers="lang"`` labels them in ``lang``.
    """
    df = assignment_frame(result, lang=lang, codes=headers != "en")
    if headers != "en":
        df = labelled(df, lang)
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
    return g.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")


def summary_json_bytes(result: AllocationResult) -> bytes:
    return json.dumps(result.summary(), ensure_ascii=False, indent=2, default=_json_default).encode("utf-8")


def audit_bundle_bytes(
    result: AllocationResult, *, lang: str = "zh", map_html: str | None = None,
    inputs: Mapping[str, Mapping[str, bytes]] | None = None,
) -> bytes:
    """The replayable audit bundle ``solve`` writes as ``audit.zip`` (:func:`~zq_land.outputs.audit.audit_zip_bytes`):
    the outputs, the inputs (``inputs``: the app's uploads by input and file name; else the files read), the
    scenario pointing at them, hashes and versions."""
    data = output_files(result, lang=lang, map_html=map_html)
    if inputs is None:
        return data["audit.zip"]
    data.pop("audit.zip")
    return audit_zip_bytes(result, data, inputs=inputs)


# --- private helpers ------------------------------------------------------------------------------


def _write_set(out: Path, data: Mapping[str, bytes]) -> None:
    """All the files or none: written into a hidden folder beside them, then each moved into place (a
    failure while writing leaves the earlier outputs as they were)."""
    tmp = Path(tempfile.mkdtemp(prefix=".zq_land-out-", dir=out))
    try:
        for name, blob in data.items():
            (tmp / name).write_bytes(blob)
        umask = os.umask(0)
        os.umask(umask)
        for name in data:
            os.chmod(tmp / name, 0o666 & ~umask)
            os.replace(tmp / name, out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "isoformat"):
        return o.isoformat()
    return str(o)
