"""Checking a sites file and a projects file together, as ``python -m zq_land validate`` does: each file's
own report, then what only the two together show (an anchor no occupied site matches, a mode no site serves).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .._errors import InputError, ValidationReport
from ..engine.rules import MODE_KINDS, anchor_points
from ..vocab import MODE_ZH
from .projects import read_projects
from .sites import read_sites


def validate_files(
    *,
    sites: str | Path | None = None,
    projects: str | Path | None = None,
    site_columns: Mapping[str, str] | None = None,
    project_columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    site_layer: str | None = None,
) -> ValidationReport:
    """Check a sites file and/or a projects file; never raises for bad data.

    Besides each file's own problems, cross-checks the two: a project whose anchor matches no
    ``occupied`` site, and modes that no site kind can serve, are reported as warnings.

    Returns
    -------
    ValidationReport
        ``ok`` is True when the files can be used (warnings allowed).
    """
    return check_files(
        sites=sites,
        projects=projects,
        site_columns=site_columns,
        project_columns=project_columns,
        sheet=sheet,
        site_layer=site_layer,
    )[0]



def check_files(
    *,
    sites: str | Path | None = None,
    projects: str | Path | None = None,
    site_columns: Mapping[str, str] | None = None,
    project_columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    site_layer: str | None = None,
) -> tuple[ValidationReport, gpd.GeoDataFrame | None, pd.DataFrame | None]:
    """Like :func:`validate_files`, also returning the tables that could be read (else None)."""
    rep = ValidationReport()
    site_df: gpd.GeoDataFrame | None = None
    proj_df: pd.DataFrame | None = None
    if sites is not None:
        with contextlib.suppress(InputError):
            site_df = read_sites(sites, columns=site_columns, layer=site_layer, report=rep)
    if projects is not None:
        with contextlib.suppress(InputError):
            proj_df = read_projects(projects, columns=project_columns, sheet=sheet, report=rep)
    if site_df is not None and proj_df is not None:
        cross_check(site_df, proj_df, str(projects), rep)
    return rep, site_df, proj_df



def cross_check(sites: gpd.GeoDataFrame, projects: pd.DataFrame, file: str, rep: ValidationReport) -> None:
    rows = projects.attrs.get("rows", [None] * len(projects))
    points = anchor_points(projects["anchor"], sites, None)  # without a scenario: the sites alone
    for i, (pid, anchor) in enumerate(zip(projects["project_id"], projects["anchor"], strict=True)):
        if anchor and not points.get(anchor):
            rep.warn(
                file,
                f"配套龙头“{anchor}”在地块中找不到对应的已占用 (occupied) 地块；请在地块表中标注，"
                "或在情景的 [anchors] 中给出其位置",
                f"anchor '{anchor}' matches no occupied site; mark its site (status occupied, anchor column) "
                "or give its position in the scenario's [anchors]",
                row=rows[i],
                item_id=pid,
                column="anchor",
                found=anchor,
            )
    kinds = set(sites.loc[sites["status"] != "occupied", "kind"])
    for mode, serving in MODE_KINDS.items():
        need = set(serving)
        n = int((projects["mode"] == mode).sum())
        if n and not (need & kinds):
            rep.warn(
                file,
                f"{n} 个项目的落地方式为“{MODE_ZH[mode]}”，但没有可用的 {'/'.join(sorted(need))} 类地块",
                f"{n} projects have mode '{mode}' but no available {'/'.join(sorted(need))} site exists",
                column="mode",
                found=mode,
            )
    _per_mu_floor_check(sites, projects, file, rep)


def _per_mu_floor_check(sites: gpd.GeoDataFrame, projects: pd.DataFrame, file: str, rep: ValidationReport) -> None:
    """A land plot sets a 亩均 floor but land projects give no figure to check it against: a warning (the
    rule lets them pass, ``engine.rules.below_per_mu_floor``), naming how many and the first ids."""
    lands = projects["mode"].isin(["land", "land_or_lease"])
    for figure, zh in (("tax_wan", "亩均税收"), ("output_wan", "亩均产值")):
        floor = f"min_{figure}_per_mu"
        if floor not in sites.columns or not (pd.to_numeric(sites[floor], errors="coerce").notna()
                                               & (sites["kind"] == "land")).any():
            continue
        values = projects[figure] if figure in projects.columns else pd.Series(float("nan"), index=projects.index)
        missing = projects.loc[lands & values.isna(), "project_id"].astype(str).tolist()
        if missing:
            ids = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            rep.warn(file, f"有地块设了{zh}下限（{floor}），但 {len(missing)} 个供地项目没有 {figure}（万元），"
                     f"不会按该下限检查：{ids}",
                     f"sites set a {floor} floor but {len(missing)} land project(s) have no {figure} to check it "
                     f"against: {ids}", column=figure, found=ids)
