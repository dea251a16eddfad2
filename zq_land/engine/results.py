"""Allocation results as values: one frozen :class:`AllocationResult` per scenario run.

The CLI, the app, the exports and the tests all consume the same object: the assignments table (one row
per project), site use (one row per site), unplaced projects with their reasons, the KPIs and the solver's
figures. :func:`allocate` is the single entry point from a scenario (or loaded tables) to a result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .._errors import ValidationReport, input_error
from .._gc import gc_paused
from ..scenario import Scenario
from ..text import KPI_LABELS, Text, kpi_header
from ..vocab import FOUR_PLUS_FOUR, M2_PER_MU, NEV_INDUSTRIES
from . import efficiency
from . import rules as R

if TYPE_CHECKING:
    from .eligibility import Candidates
    from .model import Plan, SolveReport
    from .progress import Progress

@dataclass(frozen=True)
class AllocationResult:
    """Everything a scenario run produced. Tables are never mutated after construction."""

    scenario: Scenario
    sites: gpd.GeoDataFrame
    projects: pd.DataFrame
    assignments: pd.DataFrame
    site_use: pd.DataFrame
    unplaced: pd.DataFrame
    kpis: dict[str, Any]
    solve: SolveReport
    shadow_prices: pd.DataFrame
    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: float = 0.0
    #: every anchor (canonical name) with the points the run measured its suppliers' distances to
    anchor_points: Mapping[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    #: every warning of the readers and of the run, as text (``Problem.text("both")`` for the readers')
    warnings: tuple[str, ...] = ()
    #: the reference plan (``project_id``, ``site_id``) the run moved the fewest projects of, if any
    reference: pd.DataFrame | None = None
    #: the projects placed differently from the reference (``stability.MOVE_COLUMNS``), None without one
    moves: pd.DataFrame | None = None
    #: a plan shown while the solve goes on (:mod:`.progress`), never kept, saved or exported as the run's result
    interim: bool = False

    @property
    def kept_and_moved(self) -> tuple[int | None, int | None]:
        """(kept, moved) of the reference's placed projects; (None, None) without a reference."""
        if self.reference is None or self.moves is None:
            return None, None
        from .stability import kept_and_moved

        return kept_and_moved(self.moves, self.reference, self.projects["project_id"])

    def summary(self) -> dict[str, Any]:
        """The figures of ``summary.json`` (SCHEMA.md names first)."""
        rep = self.solve
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "status": rep.status,
            "objective": _num(rep.objective),
            "bound": _num(rep.bound),
            "gap": _num(rep.gap),
            "solver": rep.solver,
            "solve_seconds": round(float(rep.solve_seconds), 3),
        }
        keys = [
            "projects_total", "projects_placed", "investment_total_yi", "investment_placed_yi",
            "land_placed_mu", "floor_placed_m2", "revitalized_land_mu", "revitalized_floor_m2",
        ]
        out.update({k: self.kpis[k] for k in keys})
        out.update({k: v for k, v in self.kpis.items() if k not in out})
        out["greedy_objective"] = _num(rep.greedy_objective)
        out["lp_bound"] = _num(rep.lp_bound)
        # large models: the LP bound above includes the packing cuts; this one is the LP without them
        out["lp_bound_plain"] = _num(rep.lp_bound_plain)
        # large models: the LP over whole fillings of each site (the tighter one; the plan's bound is the lowest)
        out["pattern_bound"] = _num(rep.pattern_bound)
        out["message"] = rep.message.as_dict()
        out["notes"] = [n.as_dict() for n in rep.fallback_notes]
        out["total_seconds"] = round(self.seconds, 3)
        out["inputs"] = self.inputs
        kept, moved = self.kept_and_moved
        out["moved_vs_reference"] = moved
        out["kept_vs_reference"] = kept
        out["max_loss_share"] = self.scenario.stability.max_loss_share if self.reference is not None else None
        out["area_source"] = self.scenario.policy.area_source
        out["time_limit_s"] = round(float(rep.time_limit_s), 3)
        # only a proven optimum is the canonical plan: a run stopped by its limit may differ when re-run
        out["reproducible"] = rep.status == "optimal"
        out["warnings"] = list(self.warnings)
        return out


#: The comparison's last row: each result's objective under its own weights.
OBJECTIVE_LABEL = Text("目标值（各自权重下）", "Objective (own weights)")
#: The solver gets at least this long even when reading the inputs used up the time limit.
MIN_SOLVE_S = 1.0


def allocate(
    scenario: Scenario,
    *,
    sites: gpd.GeoDataFrame | None = None,
    projects: pd.DataFrame | None = None,
    starts: Sequence[pd.DataFrame] = (),
    started: float | None = None,
    reference: pd.DataFrame | None = None,
    warnings: Sequence[str] = (),
    progress: Progress | None = None,
) -> AllocationResult:
    """Run a scenario: read its inputs (unless given), solve, explain, and gather the KPIs.

    ``starts`` are earlier plans on the same data (their ``assignments``) to start the solver from,
    as the app passes after a weight change (see :func:`zq_land.engine.pipeline.solve_allocation`).
    The scenario's time limit counts from ``started`` (a ``time.monotonic()`` stamp; default: this
    call), so reading the inputs comes out of it: the command line passes its own start, and
    ``--time-limit 60`` then bounds the whole command but the writing of the outputs.

    ``reference`` (else the scenario's ``[stability] reference`` file) is the plan to move the fewest
    projects of. Every warning of the readers is kept in the result (``warnings``); a caller that read
    the tables itself passes their warnings in ``warnings``.

    ``progress`` (:class:`~zq_land.engine.progress.Progress`) lets another thread see the best plan found so far
    as an interim result (``interim`` set, status ``feasible``, its gap to the bound known) while this call runs;
    the result returned is the same with or without it.

    Raises
    ------
    InputError
        When an input file is unusable or the scenario's locks contradict the data.
    """
    from .pipeline import solve_allocation

    t0 = time.perf_counter()
    started = time.monotonic() if started is None else started
    if progress is not None:
        progress.started = started
    inputs: dict[str, dict[str, str]] = {}
    rep = ValidationReport()
    if sites is None:
        if scenario.sites is None:
            raise input_error(str(scenario.source or "<scenario>"), "情景未指定地块文件（sites）",
                              "the scenario names no sites file ('sites')", column="sites")
        from ..io import file_fingerprint, read_sites

        _require_file(scenario, "sites", scenario.sites)
        sites = read_sites(scenario.sites, columns=dict(scenario.site_columns) or None, report=rep)
        inputs["sites"] = file_fingerprint(scenario.sites)
    if projects is None:
        if scenario.projects is None:
            raise input_error(str(scenario.source or "<scenario>"), "情景未指定项目文件（projects）",
                              "the scenario names no projects file ('projects')", column="projects")
        from ..io import file_fingerprint, read_projects

        _require_file(scenario, "projects", scenario.projects)
        projects = read_projects(
            scenario.projects, columns=dict(scenario.project_columns) or None, sheet=scenario.project_sheet,
            report=rep,
        )
        inputs["projects"] = file_fingerprint(scenario.projects)

    notes = [*warnings, *(p.text("both") for p in rep.warnings)]
    source = scenario.policy.area_source
    if source != "declared" and any("area_mu" in n and "declared area" in n for n in notes):
        words = {"geometry": ("几何面积", "the geometry's area"), "smaller": ("填写面积与几何面积中较小者",
                                                                         "the smaller of the two")}[source]
        notes.append(f"[警告 WARNING] {scenario.source or '<scenario>'}: 本情景 policy.area_source = {source}，"
                     f"地块容量按{words[0]}计算（上面“以填写的面积为准”不适用） | policy.area_source = {source}: plot "
                     f"capacities use {words[1]} (not the declared area the warnings above mention)")
    if reference is None and scenario.stability.reference is not None:
        from ..io import file_fingerprint
        from .stability import read_reference

        _require_file(scenario, "stability.reference", scenario.stability.reference)
        reference = read_reference(scenario.stability.reference)
        inputs["reference"] = file_fingerprint(scenario.stability.reference)
    check_scenario_ids(scenario, sites, projects)
    if reference is not None:
        notes += _reference_warnings(reference, projects, scenario)
    left = scenario.solver.time_limit_s - (time.monotonic() - started)
    if progress is not None:
        shown = list(notes)  # as they stand now (the note of an unproven final plan is added after the solve)
        progress.wrap(lambda plan: replace(_results(scenario, sites, projects, plan, reference, shown, inputs, t0),
                                           interim=True))
    plan = solve_allocation(sites, projects, scenario, starts=starts, time_limit_s=max(MIN_SOLVE_S, left),
                            reference=reference, progress=progress)
    if plan.report.status in ("time_limit", "feasible"):
        limit = f"{plan.report.time_limit_s:g}"
        notes.append(f"[警告 WARNING] 求解: 求解器未证明最优（{plan.report.status}，时限 {limit} 秒），"
                     "再次运行可能得到不同方案；放宽 solver.time_limit_s 可复现 | the solver did not prove the "
                     f"plan optimal ({plan.report.status}, limit {plan.report.time_limit_s:g} s): a re-run may "
                     "give another plan; a longer solver.time_limit_s makes it reproducible")
    with gc_paused():  # the tables of a city-scale plan (zq_land._gc)
        return _results(scenario, sites, projects, plan, reference, notes, inputs, t0)


def _results(scenario: Scenario, sites: gpd.GeoDataFrame, projects: pd.DataFrame, plan: Plan,
             reference: pd.DataFrame | None, notes: list[str], inputs: dict[str, dict[str, str]],
             t0: float) -> AllocationResult:
    """What :func:`allocate` makes of a plan: the reasons, the tables, the KPIs."""
    from .reasons import unplaced_reasons

    cands = plan.candidates
    reasons = unplaced_reasons(plan, cands, sites, projects, scenario)
    prices = _shadow_prices(plan, scenario)
    assignments = _assignments_table(plan.assignments, sites, projects, cands, reasons, scenario)
    # 亩均 figures, grades and candidates: added only when the inputs carry figures (engine/efficiency.py)
    assignments = efficiency.project_figures(assignments, projects, scenario)
    site_use = efficiency.site_figures(_site_use_table(assignments, sites, prices, scenario), assignments, sites,
                                       scenario)
    kpis = compute_kpis(assignments, site_use)
    floor_notes = efficiency.floor_warnings(projects, sites, scenario)
    if floor_notes:
        kpis["per_mu_warnings"] = [n.as_dict() for n in floor_notes]
        # nothing hidden: the 亩均 floors' warnings join the run's warnings too
        notes += [f"[警告 WARNING] 亩均: {n.zh} | {n.en}" for n in floor_notes]
    unplaced = assignments.loc[assignments["status"] != "placed"].reset_index(drop=True)
    # the anchors of the sites too (a chain leader with no supplier in the list is still drawn)
    site_anchors = sites["anchor"].fillna("").astype(str) if "anchor" in sites.columns else []
    anchors = {**R.anchor_points(site_anchors, sites, scenario), **cands.anchors}
    moves = None
    if reference is not None:
        from .stability import moves_against, what_moves_buy

        moves = what_moves_buy(moves_against(assignments, reference), assignments, reference,
                               dict(zip(sites["site_id"].astype(str), sites["status"].astype(str), strict=True)))
    return AllocationResult(
        scenario=scenario, sites=sites, projects=projects, assignments=assignments, site_use=site_use,
        unplaced=unplaced, kpis=kpis, solve=plan.report, shadow_prices=prices, inputs=inputs,
        seconds=time.perf_counter() - t0, anchor_points=dict(sorted(anchors.items())),
        warnings=tuple(notes), reference=reference, moves=moves,
    )


def compute_kpis(assignments: pd.DataFrame, site_use: pd.DataFrame) -> dict[str, Any]:
    """Projects, investment, land and floor placed; revitalization; intensity; supplier distances."""
    a = assignments
    placed = a["status"] == "placed"
    on_land = placed & (a["site_kind"] == "land")
    land_mu = float(a.loc[on_land, "used_mu"].sum())
    inv_on_land = float(a.loc[on_land, "investment_yi"].sum())
    dist = a.loc[placed & (a["anchor"] != ""), "distance_km"].dropna()
    inv_total = float(a["investment_yi"].sum())
    inv_placed = float(a.loc[placed, "investment_yi"].sum())
    kpis: dict[str, Any] = {
        "projects_total": len(a),
        "projects_placed": int(placed.sum()),
        "projects_unplaced": int((~placed).sum()),
        "investment_total_yi": round(inv_total, 4),
        "investment_placed_yi": round(inv_placed, 4),
        "investment_placed_share": round(inv_placed / inv_total, 4) if inv_total else 0.0,
        "land_placed_mu": round(land_mu, 3),
        "floor_placed_m2": round(float(a.loc[placed & (a["site_kind"] != "land"), "used_m2"].sum()), 1),
        "revitalized_land_mu": round(float(a.loc[on_land & (a["site_status"] == "inefficient"), "used_mu"].sum()), 3),
        "revitalized_floor_m2": round(
            float(a.loc[placed & (a["site_kind"] != "land") & (a["site_status"] == "inefficient"), "used_m2"].sum()), 1
        ),
        "intensity_wan_per_mu": round(float(R.intensity_wan_per_mu(inv_on_land, land_mu)), 1) if land_mu > 0 else None,
        "mean_supplier_anchor_km": round(float(dist.mean()), 3) if len(dist) else None,
        "placed_land": int(on_land.sum()),
        "placed_lease": int((placed & (a["site_kind"] == "factory")).sum()),
        "placed_platform": int((placed & (a["site_kind"] == "platform")).sum()),
        "placed_nev": int((placed & a["industry"].isin(NEV_INDUSTRIES)).sum()),
        "placed_four_plus_four": int((placed & a["industry"].isin(FOUR_PLUS_FOUR)).sum()),
        "sites_used": int((site_use["n_projects"] > 0).sum()) if len(site_use) else 0,
    }
    kpis["placed_by_mode"] = {
        str(m): int(n) for m, n in a.loc[placed].groupby("mode").size().items()
    }
    kpis["placed_by_industry"] = {
        str(m): int(n) for m, n in a.loc[placed].groupby("industry").size().items()
    }
    kpis.update(efficiency.efficiency_kpis(assignments, site_use))
    return kpis


@dataclass(frozen=True)
class Comparison:
    """Two results side by side: KPI deltas and the projects whose placement changed."""

    name_a: str
    name_b: str
    kpis: pd.DataFrame  # kpi, label_zh, label_en, a, b, delta
    moved: pd.DataFrame  # project_id, name, site_a, site_b, change


def compare_results(a: AllocationResult, b: AllocationResult) -> Comparison:
    """KPI deltas (b - a) and every project placed differently in b than in a."""
    rows = []
    for key in KPI_LABELS:
        if key not in a.kpis and key not in b.kpis:
            continue  # a KPI neither run has (the 亩均 ones without figures)
        va, vb = a.kpis.get(key), b.kpis.get(key)
        delta = (vb - va) if isinstance(va, int | float) and isinstance(vb, int | float) else None
        rows.append({"kpi": key, "label_zh": kpi_header(key, "zh"), "label_en": kpi_header(key, "en"), "a": va,
                     "b": vb, "delta": round(delta, 4) if isinstance(delta, float) else delta})
    oa, ob = _num(a.solve.objective), _num(b.solve.objective)
    rows.append({"kpi": "objective", "label_zh": OBJECTIVE_LABEL.zh, "label_en": OBJECTIVE_LABEL.en,
                 "a": oa, "b": ob, "delta": None if oa is None or ob is None else round(ob - oa, 4)})
    kpis = pd.DataFrame(rows, dtype=object)
    left = a.assignments[["project_id", "name", "site_id"]].rename(columns={"site_id": "site_a"})
    right = b.assignments[["project_id", "site_id"]].rename(columns={"site_id": "site_b"})
    m = left.merge(right, on="project_id", how="outer")
    m["site_a"] = m["site_a"].fillna("")
    m["site_b"] = m["site_b"].fillna("")
    m = m.loc[m["site_a"] != m["site_b"]].copy()
    m["change"] = np.select(
        [m["site_a"] == "", m["site_b"] == ""], ["newly_placed", "unplaced"], default="moved"
    )
    return Comparison(a.scenario.name, b.scenario.name, kpis, m.reset_index(drop=True))


def check_scenario_ids(scenario: Scenario, sites: pd.DataFrame, projects: pd.DataFrame) -> None:
    """Refuse exclusions and forbidden pairs that name unknown ids (a typo would silently do nothing).

    Locks and anchors are checked by the optimiser, which also knows the rules.
    """
    file = str(scenario.source or "<scenario>")
    site_ids = set(sites["site_id"].astype(str))
    project_ids = set(projects["project_id"].astype(str))
    rep = ValidationReport()

    def unknown(key: str, kind_zh: str, kind_en: str, ident: str, known: set[str]) -> None:
        if ident not in known:
            rep.error(file, f"“{key}”中的{kind_zh}编号“{ident}”在数据中不存在", f"'{key}' names the {kind_en} id "
                      f"'{ident}', which is not in the data", item_id=ident, column=key, found=ident)

    for sid in sorted(scenario.exclude_sites):
        unknown("exclude_sites", "地块", "site", sid, site_ids)
    for pid in sorted(scenario.exclude_projects):
        unknown("exclude_projects", "项目", "project", pid, project_ids)
    for pid, sid in scenario.forbid:
        unknown("forbid", "项目", "project", pid, project_ids)
        unknown("forbid", "地块", "site", sid, site_ids)
    rep.raise_if_errors()


# --- private helpers ------------------------------------------------------------------------------


def _shadow_prices(plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """Capacity shadow prices from the plan's own LP relaxation, when it was solved to the end.

    No second LP is solved here: when the solve's time limit cut the LP short, a re-solve would break
    the limit the planner set (at 2,000 x 5,000 it took 19 s). The duals are an aid; without a proven LP
    there are none, and the plan is never lost over them.
    """
    from .reasons import capacity_shadow_prices

    lp = plan.lp
    if lp is None or lp.status != "optimal":
        return pd.DataFrame(columns=["site_id", "unit", "dual", "binding", "text_zh", "text_en"])
    return capacity_shadow_prices(plan.candidates, scenario, lp=lp)


def _reference_warnings(reference: pd.DataFrame, projects: pd.DataFrame, scenario: Scenario) -> list[str]:
    """The reference plan's projects that are not in the data (they cannot be kept), as one warning."""
    unknown = sorted(set(reference["project_id"].astype(str)) - set(projects["project_id"].astype(str)))
    if not unknown:
        return []
    ids = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
    file = str(scenario.stability.reference or "reference")
    return [f"[警告 WARNING] {file}: 参考方案中有 {len(unknown)} 个项目不在项目数据中（{ids}），不计入保留与调整 | "
            f"{len(unknown)} project(s) of the reference plan are not in the projects data ({ids}); they count "
            "neither as kept nor as moved"]


def _require_file(scenario: Scenario, key: str, path: Path | None) -> None:
    if path is not None and not Path(path).exists():
        raise input_error(
            str(scenario.source or "<scenario>"),
            f"找不到情景“{key}”所指的文件：{path}",
            f"the scenario's '{key}' file was not found: {path}",
            column=key, found=str(path),
        )


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else round(f, 6)


def _assignments_table(
    plan_assign: pd.DataFrame,
    sites: pd.DataFrame,
    projects: pd.DataFrame,
    cands: Candidates,
    reasons: pd.DataFrame,
    scenario: Scenario,
) -> pd.DataFrame:
    cols = ["project_id", "name", "industry", "mode", "anchor", "investment_yi", "land_need_mu",
            "floor_need_m2", "review_meeting"]
    out = projects[[c for c in cols if c in projects.columns]].copy()
    chosen = plan_assign[["project_id", "site_id"]].copy()
    chosen["site_id"] = chosen["site_id"].where(chosen["site_id"].notna(), "")
    out = out.merge(chosen, on="project_id", how="left")
    out["site_id"] = out["site_id"].fillna("").astype(str)
    s = sites.set_index("site_id")
    sid = out["site_id"].where(out["site_id"] != "", None)
    out["site_name"] = sid.map(s["name"]).fillna("")
    out["site_kind"] = sid.map(s["kind"]).fillna("")
    out["site_status"] = sid.map(s["status"]).fillna("")
    out["zone"] = sid.map(s["zone"]).fillna("") if "zone" in s.columns else ""
    on_land = out["site_kind"] == "land"
    on_floor = out["site_kind"].isin(["factory", "platform"])
    need = np.nan_to_num(R.need_on_site(out["site_kind"], out["land_need_mu"], out["floor_need_m2"]))
    out["used_mu"] = np.where(on_land, need, 0.0)
    out["used_m2"] = np.where(on_floor, need, 0.0)
    out["intensity_wan_per_mu"] = R.intensity_wan_per_mu(out["investment_yi"], out["used_mu"]).round(1)
    # distance from a placed supplier to its anchor, as the eligibility step measured it
    pairs = cands.pairs
    measures = ["distance_km", "anchor_lon", "anchor_lat"]
    rows = _chosen_pairs(out, cands) if len(pairs) else None
    if rows is not None and all(pairs[c].dtype == np.float64 for c in measures):
        found = rows >= 0
        for c in measures:  # what the merge below gives, without a merge over 1M pairs (0.7 s at city scale)
            out[c] = np.where(found, pairs[c].to_numpy()[np.where(found, rows, 0)], np.nan)
        out["distance_km"] = out["distance_km"].round(3)
    elif len(pairs):
        d = pairs[["project_id", "site_id", *measures]]
        out = out.merge(d, on=["project_id", "site_id"], how="left")
        out["distance_km"] = out["distance_km"].round(3)
    else:
        out["distance_km"] = out["anchor_lon"] = out["anchor_lat"] = np.nan
    locks = dict(scenario.locks)
    out["locked"] = [locks.get(p) == sid_ for p, sid_ in zip(out["project_id"], out["site_id"], strict=True)]
    placed = out["site_id"] != ""
    excluded = out["project_id"].isin(scenario.exclude_projects)
    # the contract's two statuses; an excluded project is unplaced with reason_code excluded_project
    out["status"] = np.where(placed, "placed", "unplaced")
    out["excluded"] = excluded.to_numpy()
    r = reasons.set_index("project_id") if len(reasons) else pd.DataFrame(
        columns=["reason_code", "reason_zh", "reason_en"]
    )
    out["reason_code"] = out["project_id"].map(r["reason_code"]).fillna("") if len(r) else ""
    out["reason_zh"] = out["project_id"].map(r["reason_zh"]).fillna("") if len(r) else ""
    out["reason_en"] = out["project_id"].map(r["reason_en"]).fillna("") if len(r) else ""
    out.loc[placed, ["reason_code", "reason_zh", "reason_en"]] = ""
    out["reason"] = out["reason_zh"]
    return out.reset_index(drop=True)


def _chosen_pairs(out: pd.DataFrame, cands: Candidates) -> np.ndarray | None:
    """For each row of ``out`` (``project_id``, ``site_id``), the row of its pair in ``cands.pairs``, -1 for
    none; None when the positions cannot stand for the ids (ids not unique, a pair twice)."""
    pairs = cands.pairs
    if not {"p", "s"} <= set(pairs.columns):
        return None
    pids = pd.Index(cands.projects["project_id"].astype(str))
    sids = pd.Index(cands.sites["site_id"].astype(str))
    if not (pids.is_unique and sids.is_unique and out["project_id"].map(type).eq(str).all()):
        return None
    pp = pids.get_indexer(out["project_id"])
    ss = sids.get_indexer(out["site_id"].astype(str))
    p_all, s_all = pairs["p"].to_numpy(np.int64), pairs["s"].to_numpy(np.int64)
    wanted = np.zeros(len(pids), dtype=bool)
    wanted[pp[(pp >= 0) & (ss >= 0)]] = True
    keep = np.flatnonzero(wanted[p_all])  # only the chosen projects' pairs can match
    if not keep.size:  # none (a plan placed off the pairs): no distances, as the merge gives
        return np.full(len(out), -1, dtype=np.int64)
    keys = pd.Index(p_all[keep] * len(sids) + s_all[keep])
    if not keys.is_unique:
        return None
    ask = np.where((pp >= 0) & (ss >= 0), pp * len(sids) + ss, -1)
    at = keys.get_indexer(ask)
    return np.where(at >= 0, keep[np.maximum(at, 0)], -1)


def _site_use_table(
    assignments: pd.DataFrame, sites: pd.DataFrame, prices: pd.DataFrame, scenario: Scenario
) -> pd.DataFrame:
    s = pd.DataFrame(sites.drop(columns="geometry", errors="ignore"))
    base = s[["site_id", "name", "kind", "status", "zone", "area_mu", "floor_area_m2"]].copy()
    is_land = base["kind"] == "land"
    # an occupied site takes no new project: it holds nothing
    geom = s["area_mu_geom"] if "area_mu_geom" in s.columns else base["area_mu"]
    base["capacity"], base["unit"] = R.site_capacity(base["kind"], base["area_mu"], base["floor_area_m2"],
                                                     usable_land_ratio=scenario.policy.usable_land_ratio,
                                                     status=base["status"], area_source=scenario.policy.area_source,
                                                     area_mu_geom=geom)
    placed = assignments.loc[assignments["status"] == "placed"]
    g = placed.groupby("site_id")
    agg = pd.DataFrame({
        "used_mu": g["used_mu"].sum(),
        "used_m2": g["used_m2"].sum(),
        "n_projects": g.size(),
        "investment_yi": g["investment_yi"].sum(),
        "projects": g["name"].agg(lambda x: "、".join(map(str, x))),
        "project_ids": g["project_id"].agg(lambda x: ";".join(map(str, x))),
    })
    out = base.merge(agg, left_on="site_id", right_index=True, how="left")
    out[["used_mu", "used_m2", "investment_yi"]] = out[["used_mu", "used_m2", "investment_yi"]].fillna(0.0)
    out["n_projects"] = out["n_projects"].fillna(0).astype(int)
    out[["projects", "project_ids"]] = out[["projects", "project_ids"]].fillna("")
    out["used"] = np.where(is_land, out["used_mu"], out["used_m2"])
    out["free"] = np.maximum(out["capacity"] - out["used"], 0.0)
    out["utilisation"] = np.where(out["capacity"] > 0, out["used"] / out["capacity"].where(out["capacity"] > 0), 0.0)
    out["intensity_wan_per_mu"] = np.where(
        is_land, R.intensity_wan_per_mu(out["investment_yi"], out["used_mu"]), np.nan)
    out["free_mu_equiv"] = np.where(is_land, out["free"], out["free"] / M2_PER_MU)
    if len(prices):
        p = prices.set_index("site_id")
        out["shadow_price"] = out["site_id"].map(p["dual"])
        out["shadow_price_zh"] = out["site_id"].map(p["text_zh"]).fillna("")
        out["shadow_price_en"] = out["site_id"].map(p["text_en"]).fillna("")
    else:
        out["shadow_price"] = np.nan
        out["shadow_price_zh"] = ""
        out["shadow_price_en"] = ""
    return out.reset_index(drop=True)


def kpi_rows(kpis: Mapping[str, Any], lang: str = "zh") -> list[tuple[str, Any]]:
    """KPI label/value pairs for display and export, in the given language."""
    return [(kpi_header(key, lang), kpis[key]) for key in KPI_LABELS if key in kpis]
