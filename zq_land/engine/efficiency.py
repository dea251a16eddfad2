"""Per-mu efficiency (亩均论英雄) of a plan: figures per project, per site and per industry, A-D grades,
and the D-grade sites as revitalization candidates.

Everything here is optional: a projects table without ``output_wan``, ``tax_wan`` or ``jobs`` and a sites
table without the firms' figures give the result tables and KPIs they gave before (the functions return
their input unchanged, and no KPI is added). The rules (space in mu, per-mu figures, floors, grading) are
in :mod:`zq_land.engine.rules`; this module applies them to a plan's tables.

Space: a project on land takes its land need (mu); in a factory or platform its floor need in mu (m2 /
666.67), as the revitalization weight counts it. A site's figures are per mu of the space its firms hold,
as Zhejiang grades firms on their own land: the whole site (``area_mu`` for land, ``floor_area_m2`` / 666.67
for a factory or platform) when the sites table gives the figures of a firm already there, else the space
the projects placed on it take (its free part is free capacity, shown with the site use, not inefficiency).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ..text import Text
from ..vocab import EFFICIENCY_COUNT, EFFICIENCY_MONEY, INDUSTRIES, M2_PER_MU
from . import rules as R

if TYPE_CHECKING:
    from ..scenario import Scenario

#: The figures a project or a site's firm may give (万元 per year; people).
FIGURES: Final = (*EFFICIENCY_MONEY, *EFFICIENCY_COUNT)
#: The per-mu columns, from the figure they divide.
PER_MU: Final = {"investment": "invest_wan_per_mu", "output_wan": "output_wan_per_mu",
                 "tax_wan": "tax_wan_per_mu", "jobs": "jobs_per_mu"}
#: The per-mu figure each ``policy.grade_by`` grades on.
GRADE_ON: Final = {"tax": "tax_wan_per_mu", "output": "output_wan_per_mu"}


def has_figures(table: pd.DataFrame) -> bool:
    """Whether a projects or sites table carries any 亩均 figure column."""
    return any(c in table.columns for c in FIGURES)


def project_figures(assignments: pd.DataFrame, projects: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The assignments with each project's figures, its space (``space_mu``), its per-mu figures on the site it
    got (亩均投资, 亩均产值, 亩均税收 in 万元/亩, 亩均就业 in 人/亩) and its A-D ``grade`` among the placed
    projects (``policy.grade_by``). Unchanged when the projects carry no figure."""
    if not has_figures(projects):
        return assignments
    out = assignments.copy()
    fig = projects.set_index("project_id")
    for c in FIGURES:
        out[c] = out["project_id"].map(fig[c]).astype(float) if c in fig.columns else np.nan
    placed = (out["status"] == "placed").to_numpy()
    space = R.space_mu(out["site_kind"], out["land_need_mu"], out["floor_need_m2"])
    out["space_mu"] = np.where(placed, space, np.nan).round(3)
    out["invest_wan_per_mu"] = R.intensity_wan_per_mu(out["investment_yi"], out["space_mu"]).round(1)
    for c in FIGURES:
        out[PER_MU[c]] = R.per_mu(out[c], out["space_mu"]).round(2 if c == "jobs" else 1)
    on = GRADE_ON[scenario.policy.grade_by]
    graded = np.where(placed, out[on].to_numpy(float), np.nan)
    out["grade"] = R.grades_by_share(graded, scenario.policy.grade_shares, ids=list(out["project_id"].astype(str)))
    return out


def site_figures(site_use: pd.DataFrame, assignments: pd.DataFrame, sites: pd.DataFrame,
                 scenario: Scenario) -> pd.DataFrame:
    """Site use with each site's figures (its firm's, from the sites table, plus those of the projects placed
    on it), per mu of the site's space, its A-D ``grade`` among the sites that have a figure, and
    ``candidate`` (a D-grade site: a revitalization candidate). Unchanged when neither table has figures."""
    if not (has_figures(assignments) or has_figures(sites)):
        return site_use
    out = site_use.copy()
    s = pd.DataFrame(sites.drop(columns="geometry", errors="ignore")).set_index("site_id")
    placed = assignments.loc[assignments["status"] == "placed"]
    for c in FIGURES:
        firm = out["site_id"].map(s[c]).astype(float) if c in s.columns else pd.Series(np.nan, index=out.index)
        if c in placed.columns:
            new = out["site_id"].map(placed.groupby("site_id")[c].sum(min_count=1)).astype(float)
        else:
            new = pd.Series(np.nan, index=out.index)
        out[f"firm_{c}"] = firm.to_numpy()
        # the sum where either is known (a firm's figure, or a placed project's)
        out[c] = np.where(firm.isna() & new.isna(), np.nan, firm.fillna(0.0) + new.fillna(0.0))
    is_land = (out["kind"] == "land").to_numpy()
    area = pd.to_numeric(out["area_mu"], errors="coerce").to_numpy(float)
    floor = pd.to_numeric(out["floor_area_m2"], errors="coerce").to_numpy(float) / M2_PER_MU
    has_firm = out[[f"firm_{c}" for c in FIGURES]].notna().any(axis=1).to_numpy()
    used = out["site_id"].map(placed.groupby("site_id")["space_mu"].sum()).astype(float).to_numpy() \
        if "space_mu" in placed.columns else np.full(len(out), np.nan)
    out["space_mu"] = np.where(has_firm, np.where(is_land, area, floor), used).round(3)
    inv = out["investment_yi"].to_numpy(float)
    out["invest_wan_per_mu"] = np.where(inv > 0, R.intensity_wan_per_mu(inv, out["space_mu"]), np.nan).round(1)
    for c in FIGURES:
        out[PER_MU[c]] = R.per_mu(out[c], out["space_mu"]).round(2 if c == "jobs" else 1)
    on = GRADE_ON[scenario.policy.grade_by]
    out["grade"] = R.grades_by_share(out[on], scenario.policy.grade_shares, ids=list(out["site_id"].astype(str)))
    out["candidate"] = out["grade"] == "D"
    return out


def efficiency_kpis(assignments: pd.DataFrame, site_use: pd.DataFrame) -> dict[str, Any]:
    """The plan's 亩均 KPIs (empty without figures): output, tax and jobs placed; investment, output, tax and
    jobs per mu of the space the placed projects take; the sites graded and the D-grade ones; and the same
    per industry (``efficiency_by_industry``)."""
    out: dict[str, Any] = {}
    if "space_mu" in assignments.columns:  # the projects carry figures
        placed = assignments.loc[assignments["status"] == "placed"]
        out.update(_totals(placed))
        order = {code: i for i, code in enumerate(INDUSTRIES)}
        groups = sorted(placed.groupby("industry"), key=lambda kv: (order.get(str(kv[0]), len(order)), str(kv[0])))
        out["efficiency_by_industry"] = {str(ind): _totals(g) for ind, g in groups}
    if "grade" in site_use.columns:  # the projects or the sites' firms carry figures
        out["sites_graded"] = int((site_use["grade"] != "").sum())
        out["grade_d_sites"] = int((site_use["grade"] == "D").sum())
        out["grade_counts"] = {g: int((site_use["grade"] == g).sum()) for g in ("A", "B", "C", "D")}
        out["revitalization_candidates"] = [str(x) for x in site_use.loc[site_use["candidate"], "site_id"]]
    return out


def floor_warnings(projects: pd.DataFrame, sites: pd.DataFrame, scenario: Scenario) -> list[Text]:
    """A warning per per-mu floor that some land-seeking projects cannot be checked against (no figure):
    the rule lets them pass (:func:`zq_land.engine.rules.below_per_mu_floor`), and the planner should know."""
    out: list[Text] = []
    lands = projects["mode"].isin(["land", "land_or_lease"]) if "mode" in projects.columns else projects.index < 0
    for figure, zh, en in (("tax_wan", "亩均税收", "tax"), ("output_wan", "亩均产值", "output")):
        col = f"min_{figure}_per_mu"
        site_floor = col in sites.columns and bool(pd.to_numeric(sites[col], errors="coerce").notna().any())
        if not (site_floor or getattr(scenario.policy, f"default_{col}") is not None):
            continue
        values = projects[figure] if figure in projects.columns else pd.Series(np.nan, index=projects.index)
        missing = projects.loc[lands & values.isna(), "project_id"].astype(str).tolist()
        if missing:
            ids = "、".join(missing[:10]) + ("…" if len(missing) > 10 else "")
            out.append(Text(f"{len(missing)} 个供地项目没有 {figure}（{zh}所需的数字，万元），未按{zh}下限检查：{ids}",
                            f"{len(missing)} land projects have no {figure} and were not checked against the {en}"
                            f"-per-mu floor: {', '.join(missing[:10])}{'...' if len(missing) > 10 else ''}"))
    return out


def _totals(rows: pd.DataFrame) -> dict[str, Any]:
    space = float(rows["space_mu"].sum())
    out: dict[str, Any] = {}
    for c, key in (("output_wan", "output_placed_wan"), ("tax_wan", "tax_placed_wan"), ("jobs", "jobs_placed")):
        known = rows[c].notna()
        out[key] = round(float(rows.loc[known, c].sum()), 1) if known.any() else None
    out["space_placed_mu"] = round(space, 3)
    inv = float(rows["investment_yi"].sum())
    out["invest_wan_per_mu"] = round(float(R.intensity_wan_per_mu(inv, space)), 1) if space > 0 else None
    for c in FIGURES:
        known = rows[c].notna()
        mu = float(rows.loc[known, "space_mu"].sum())
        value = float(rows.loc[known, c].sum())
        out[PER_MU[c]] = round(float(R.per_mu(value, mu)), 2 if c == "jobs" else 1) if known.any() and mu > 0 else None
    return out


def kpi_table(by_industry: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """``efficiency_by_industry`` as a table: one row per industry, the per-mu figures as columns."""
    cols = ["output_placed_wan", "tax_placed_wan", "jobs_placed", "space_placed_mu", *PER_MU.values()]
    rows = [{"industry": k, **{c: v.get(c) for c in cols}} for k, v in by_industry.items()]
    return pd.DataFrame(rows, columns=["industry", *cols])
