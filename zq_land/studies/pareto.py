"""The trade-off between investment, revitalization and supplier proximity, by the epsilon-constraint method.

Three objectives of a plan: the investment it places (亿元, more is better), the inefficient land and
floor it revitalizes (``revit_mu``: mu of land plus m2 of floor / 666.67, more is better) and the mean
distance from a placed chain supplier to its anchor (km, less is better; the ``mean_supplier_anchor_km``
KPI). Each point of the front maximises the investment subject to ``revitalized >= eps_r`` and
``mean distance <= eps_d`` (written linearly as ``sum((d_k - eps_d) x_k) <= 0`` over supplier pairs), solved
by HiGHS to a proven optimum. The levels run from the investment optimum's own values to the most
revitalization any plan reaches and to the nearest supplier site, ``levels`` steps each. A point another
point beats on all three (at least as good, better on one) is marked dominated; the rest are the front.
A plan that places no supplier has no mean distance (empty) and meets every distance level.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pulp

from ..engine.eligibility import Candidates, eligible_pairs
from ..engine.model import build_model, check_locks
from ..engine.results import check_scenario_ids
from ..engine.solvers import solve_highs
from ..i18n import t
from ..outputs.files import strict_json_bytes
from ..scenario import Scenario, Weights
from .engine import Cluster, dask_cluster, run_tasks
from .sweep import _read_inputs, csv_bytes

#: Fonts with Chinese glyphs, in order of preference (Debian: fonts-noto-cjk, fonts-wqy-zenhei).
CJK_FONTS: Final = ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "SimHei", "Microsoft YaHei",
                    "PingFang SC")
_TOL: Final = 1e-6


@dataclass(frozen=True)
class ParetoBase:
    """What every point's task needs: the candidate pairs (investment as the objective) and the levels."""

    candidates: Candidates
    scenario: Scenario
    levels: tuple[tuple[float | None, float | None], ...]  # (eps revitalized mu, eps mean km) per point


@dataclass(frozen=True)
class ParetoResult:
    """The front as a table (one row per point), each point's plan, and the run's figures."""

    points: pd.DataFrame
    plans: dict[int, pd.DataFrame]
    summary: dict[str, Any]

    def files(self, *, lang: str = "zh") -> dict[str, bytes]:
        """``pareto.csv``, ``pareto.png``, ``plans/point_NN.csv`` and ``pareto_summary.json`` (last)."""
        out = {"pareto.csv": csv_bytes(self.points), "pareto.png": front_png(self.points, lang=lang)}
        for i, plan in sorted(self.plans.items()):
            out[plan_file(i)] = csv_bytes(plan)
        summary = dict(self.summary)
        summary["files"] = {k: hashlib.sha256(v).hexdigest() for k, v in out.items()}
        out["pareto_summary.json"] = strict_json_bytes(summary) + b"\n"  # never NaN or Infinity
        return out


def plan_file(point: int) -> str:
    """Where a point's plan is written in the output folder."""
    return f"plans/point_{point:02d}.csv"


def run_pareto(
    scenario: Scenario,
    *,
    levels: int = 4,
    workers: int | None = None,
    scheduler: str | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    on_cluster: Callable[[Cluster], None] | None = None,
    sites: Any = None,
    projects: pd.DataFrame | None = None,
) -> ParetoResult:
    """The front of ``scenario``'s inputs, rules, locks and exclusions (its weights are not used).

    ``levels`` steps of revitalization times ``levels`` steps of mean supplier distance (fewer when an
    objective has no range), each point a proven optimum solved as a task on the Dask cluster.
    ``sites`` and ``projects``, when given, are used instead of the scenario's files.

    Raises
    ------
    InputError
        When an input or the scenario is unusable, or the scheduler cannot be reached.
    """
    t0 = time.perf_counter()
    if levels < 1 or levels > 20:
        from .._errors import input_error

        raise input_error("<command line>", "--levels 须在 1 到 20 之间", "--levels must be from 1 to 20",
                          column="--levels", found=str(levels))
    sc = scenario.with_(weights=Weights(investment=1.0),
                        solver=replace(scenario.solver, threads=1, mip_gap=0.0))
    sites, projects, warnings, inputs = _read_inputs(sc, sites, projects)
    check_scenario_ids(sc, sites, projects)
    cand = eligible_pairs(pd.DataFrame(sites.drop(columns=sites.geometry.name)), projects, sc)
    check_locks(cand, sc)
    _, dist, supplier = _objective_arrays(cand)
    with dask_cluster(workers=workers, scheduler=scheduler) as cluster:
        if on_cluster is not None:
            on_cluster(cluster)
        # the corners: the investment optimum, and the most revitalization any plan reaches
        corner = ParetoBase(cand, sc, ((None, None),))
        best = solve_point(0, corner)
        most_revit = _max_revitalization(cand, sc)
        grid = _levels(best, most_revit, dist[supplier], levels)
        base = ParetoBase(cand, sc, grid)  # point 0 is the investment optimum, solved above
        run = run_tasks(cluster, solve_point, range(1, len(grid)), shared=base, name="zq-land-pareto",
                        on_progress=None if on_progress is None else lambda d, n: on_progress("pareto", d, n))
        n_workers = cluster.workers
    points = [best, *(run.results[i] for i in sorted(run.results))]
    table = _front_table(points, grid, run.errors)
    plans = {int(p["index"]): _plan_table(cand, p["chosen"]) for p in points if p["chosen"] is not None}
    summary = {
        "scenario": sc.name, "points": len(grid), "points_solved": len(points), "levels": levels,
        "workers": n_workers, "seconds": round(time.perf_counter() - t0, 3),
        "on_front": int(table["on_front"].sum()),
        "proven_optimal": int((table["status"] == "optimal").sum()),
        "infeasible": int((table["status"] == "infeasible").sum()),
        "investment_optimum_yi": best["investment_yi"], "revitalization_max_mu": round(most_revit, 6),
        "method": "epsilon-constraint: max investment s.t. revitalized >= eps_r, mean supplier km <= eps_d",
        "failures": {"count": len(run.errors), "points": sorted(run.errors)},
        "inputs": inputs, "warnings": list(warnings),
    }
    return ParetoResult(table, plans, summary)


def solve_point(index: int, base: ParetoBase) -> dict[str, Any]:
    """One point: the most investment within its levels, proven by HiGHS (a Dask task).

    A second MIP then keeps that investment and, among the plans that reach it, takes the one of most
    revitalization and least supplier distance (both scaled to their range): maximising the investment
    alone returns any of its optima, often one that another point beats on the other two objectives.
    """
    t0 = time.perf_counter()
    cand, sc = base.candidates, base.scenario
    eps_r, eps_d = base.levels[index]
    first = _solve_within(cand, sc, eps_r, eps_d, deadline=time.monotonic() + sc.solver.time_limit_s)
    chosen = None if first.chosen is None else np.sort(first.chosen).astype(np.int64)
    tie = "none"
    if chosen is not None and first.status == "optimal":
        invest = float(cand.pairs["investment_yi"].to_numpy(float)[chosen].sum())
        second = _solve_within(cand, sc, eps_r, eps_d, deadline=time.monotonic() + sc.solver.time_limit_s,
                               secondary=True, keep_investment=invest, warm=chosen)
        if second.chosen is not None:
            chosen, tie = np.sort(second.chosen).astype(np.int64), str(second.status)
    out: dict[str, Any] = {"index": index, "status": first.status if chosen is not None else "infeasible",
                           "tie_break": tie, "chosen": chosen, "seconds": time.perf_counter() - t0}
    out.update(_figures(cand, chosen))
    return out


def _solve_within(
    cand: Candidates, sc: Scenario, eps_r: float | None, eps_d: float | None, *, deadline: float,
    secondary: bool = False, keep_investment: float | None = None, warm: np.ndarray | None = None,
) -> Any:
    """The MIP of one point: investment (or the secondary objectives) within the levels."""
    revit, dist, supplier = _objective_arrays(cand)
    pairs = cand.pairs
    if secondary:
        scale_r = max(float(revit.sum()), 1.0)
        scale_d = max(float(np.nansum(dist[supplier])), 1.0)
        coef = revit / scale_r - np.where(supplier, np.nan_to_num(dist), 0.0) / scale_d
        cand = replace(cand, pairs=pairs.assign(coefficient=coef))
    model = build_model(cand, None, sc)
    xs = {int(v.name[2:]): v for v in model.variables() if v.name.startswith("x_")}
    if eps_r is not None:
        model += pulp.lpSum(float(revit[k]) * xs[k] for k in xs if revit[k] > 0) >= float(eps_r), "eps_revit"
    if eps_d is not None:
        terms = [(float(dist[k] - eps_d), xs[k]) for k in xs if supplier[k]]
        if terms:
            model += pulp.lpSum(c * x for c, x in terms) <= 0.0, "eps_mean_km"
    if keep_investment is not None:  # investments are in 0.01 亿元: half a step below keeps the optimum
        inv = pairs["investment_yi"].to_numpy(float)
        model += pulp.lpSum(float(inv[k]) * xs[k] for k in xs) >= keep_investment - 0.005, "keep_investment"
    start = None
    if warm is not None:
        start = np.zeros(len(pairs))
        start[warm] = 1.0
    return solve_highs(model, cand, sc, deadline=deadline, warm=start)


def front_png(points: pd.DataFrame, *, lang: str = "zh") -> bytes:
    """The front as a PNG: revitalization across, investment up, mean supplier distance as colour.

    Chinese labels need a CJK font (:data:`CJK_FONTS`); without one the chart is drawn in English.
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font()
    if font is None:
        lang = "en"
    with rc_context({"font.family": "sans-serif", "font.sans-serif": [font or "DejaVu Sans", "DejaVu Sans"],
                     "axes.unicode_minus": False}):
        fig = Figure(figsize=(8, 5.5), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ok = points[points["investment_placed_yi"].notna()]
        front, beaten = ok[ok["on_front"]], ok[~ok["on_front"]]
        if len(beaten):
            ax.scatter(beaten["revitalized_mu"], beaten["investment_placed_yi"], s=28, facecolors="none",
                       edgecolors="#9a9a9a", label=t("pareto.dominated", lang))
        if len(front):
            km = front["mean_supplier_km"].fillna(0.0)
            dots = ax.scatter(front["revitalized_mu"], front["investment_placed_yi"], c=km, cmap="viridis_r",
                              s=70, edgecolors="#222", linewidths=0.6, label=t("pareto.front", lang), zorder=3)
            fig.colorbar(dots, ax=ax, label=t("pareto.axis_km", lang))
            for row in front.itertuples():
                ax.annotate(str(row.point), (row.revitalized_mu, row.investment_placed_yi), xytext=(4, 4),
                            textcoords="offset points", fontsize=8)
        ax.set_xlabel(t("pareto.axis_revit", lang))
        ax.set_ylabel(t("pareto.axis_investment", lang))
        ax.set_title(t("pareto.title", lang))
        ax.grid(True, alpha=0.3)
        if len(ok):
            ax.legend(loc="best", fontsize=8)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def cjk_font() -> str | None:
    """The first installed font of :data:`CJK_FONTS`, or None."""
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in have), None)


# --- private helpers ------------------------------------------------------------------------------


def _objective_arrays(cand: Candidates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pairs = cand.pairs
    dist = pairs["distance_km"].to_numpy(float)
    return pairs["revit_mu"].to_numpy(float), dist, np.isfinite(dist)


#: The figures of a point without a plan (infeasible levels, or a task that failed twice).
_NO_PLAN: Final = {"investment_yi": None, "revitalized_mu": None, "revitalized_land_mu": None,
                   "revitalized_floor_m2": None, "mean_supplier_km": None, "suppliers_placed": 0,
                   "projects_placed": 0}


def _figures(cand: Candidates, chosen: np.ndarray | None) -> dict[str, Any]:
    if chosen is None:
        return dict(_NO_PLAN)
    pairs = cand.pairs.iloc[chosen]
    revit, dist, supplier = _objective_arrays(cand)
    land = pairs["unit"].to_numpy() == "mu"
    inefficient = pairs["revit_mu"].to_numpy(float) > 0
    km = dist[chosen][supplier[chosen]]
    return {
        "investment_yi": round(float(pairs["investment_yi"].sum()), 6),
        "revitalized_mu": round(float(revit[chosen].sum()), 6),
        "revitalized_land_mu": round(float(pairs["need"].to_numpy(float)[land & inefficient].sum()), 6),
        "revitalized_floor_m2": round(float(pairs["need"].to_numpy(float)[~land & inefficient].sum()), 6),
        "mean_supplier_km": round(float(km.mean()), 6) if len(km) else None,
        "suppliers_placed": len(km), "projects_placed": len(chosen),
    }


def _max_revitalization(cand: Candidates, sc: Scenario) -> float:
    revit, _, _ = _objective_arrays(cand)
    if not (revit > 0).any():
        return 0.0
    flipped = replace(cand, pairs=cand.pairs.assign(coefficient=revit))
    outcome = solve_highs(build_model(flipped, None, sc), flipped, sc,
                           deadline=time.monotonic() + sc.solver.time_limit_s, warm=None)
    # (its value bounds the levels only; a plan short of the optimum just leaves the top level unused)
    return float(revit[outcome.chosen].sum()) if outcome.chosen is not None else 0.0


def _levels(best: dict[str, Any], most_revit: float, supplier_km: np.ndarray,
            n: int) -> tuple[tuple[float | None, float | None], ...]:
    """The grid of (eps revitalization, eps mean km): from the investment optimum's values outwards."""
    r0 = float(best["revitalized_mu"] or 0.0)
    revit = [None] if most_revit <= r0 + _TOL or n == 1 else [None, *np.linspace(r0, most_revit, n)[1:].tolist()]
    d0 = best["mean_supplier_km"]
    near = float(supplier_km.min()) if len(supplier_km) else None
    if d0 is None or near is None or d0 <= near + _TOL or n == 1:
        km: list[float | None] = [None]
    else:
        km = [None, *np.linspace(d0, near, n)[1:].tolist()]
    return tuple((r, d) for r in revit for d in km)


def _front_table(points: list[dict[str, Any]], grid: tuple[tuple[float | None, float | None], ...],
                 errors: dict[int, str]) -> pd.DataFrame:
    by_index = {int(p["index"]): p for p in points}
    rows = []
    for i, (eps_r, eps_d) in enumerate(grid):
        p = by_index.get(i, {"status": "failed", "chosen": None, **_NO_PLAN})
        rows.append({
            "point": i, "eps_revitalized_mu": eps_r, "eps_mean_supplier_km": eps_d,
            "status": p["status"] if i not in errors else "failed", "tie_break": p.get("tie_break", "none"),
            "investment_placed_yi": p["investment_yi"], "revitalized_mu": p["revitalized_mu"],
            "revitalized_land_mu": p["revitalized_land_mu"], "revitalized_floor_m2": p["revitalized_floor_m2"],
            "mean_supplier_km": p["mean_supplier_km"], "suppliers_placed": p["suppliers_placed"],
            "projects_placed": p["projects_placed"], "plan": plan_file(i) if p["chosen"] is not None else "",
        })
    table = pd.DataFrame(rows)
    on_front, same_as = _dominance(table)
    table.insert(table.columns.get_loc("plan"), "on_front", on_front)
    table.insert(table.columns.get_loc("plan"), "same_as", same_as)
    return table


def _dominance(table: pd.DataFrame) -> tuple[list[bool], list[object]]:
    """Which points no other point beats (investment up, revitalization up, distance down); repeats."""
    ok = table["investment_placed_yi"].notna().to_numpy()
    inv = table["investment_placed_yi"].to_numpy(float)
    rev = table["revitalized_mu"].to_numpy(float)
    km = table["mean_supplier_km"].astype(float).fillna(0.0).to_numpy(float)  # no supplier placed: no distance
    n = len(table)
    front, same = [False] * n, [pd.NA] * n
    for a in range(n):
        if not ok[a]:
            continue
        beaten = False
        for b in range(n):
            if b == a or not ok[b]:
                continue
            ge = inv[b] >= inv[a] - _TOL and rev[b] >= rev[a] - _TOL and km[b] <= km[a] + _TOL
            gt = inv[b] > inv[a] + _TOL or rev[b] > rev[a] + _TOL or km[b] < km[a] - _TOL
            if ge and gt:
                beaten = True
                break
            if ge and not gt and b < a and same[a] is pd.NA:
                same[a] = b
        front[a] = not beaten
    return front, same


def _plan_table(cand: Candidates, chosen: np.ndarray) -> pd.DataFrame:
    pj = cand.projects
    site = np.full(len(pj), "", dtype=object)
    pairs = cand.pairs.iloc[chosen]
    site[pairs["p"].to_numpy()] = pairs["site_id"].to_numpy(object)
    return pd.DataFrame({
        "project_id": pj["project_id"].astype(str).to_numpy(),
        "name": pj["name"].astype(str).to_numpy() if "name" in pj.columns else "",
        "site_id": site, "status": np.where(site != "", "placed", "unplaced"),
    })


def write_pareto(result: ParetoResult, out_dir: str | Path, *, lang: str = "zh") -> dict[str, Path]:
    """Write the front's files into ``out_dir``, all or nothing."""
    from ._files import publish_files

    return publish_files(result.files(lang=lang), Path(out_dir), marker="pareto_summary.json")
