"""If not here, where? Each placed project's next-best sites and the exact objective lost (issue 14).

For a placed project and another site it may use, the *loss* is the plan's objective minus the optimum
of the same model with that pair fixed (everything else re-optimised). Every candidate's loss has a
cheap lower bound from the LP relaxation: with ``z`` the LP optimum and ``d`` the pair's reduced cost,
fixing a pair the LP leaves at 0 gives at most ``z - |d|`` (the LP's value is concave in the pair), so
``loss >= objective - (z - |d|)``. The candidates are re-solved (HiGHS, warm-started from the plan with
the project moved and its new site made to fit) in the order of that bound, until ``k`` exact losses are
known and every other candidate's bound is no smaller: those are then proven no better (at best tied),
unsolved.

When the repaired start already meets the bound, the loss is exact without a solve (note ``bound``).
Every re-solved plan within ``tolerance`` of the optimum is a near-optimal plan: how often each project
lands on each site over them is the selection frequency, and the sites every one of them uses are the
irreplaceable ones.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..engine import heuristics as heur
from ..engine import rules as R
from ..engine.eligibility import Candidates, eligible_pairs
from ..engine.model import abs_gap, assignments_of, plan_errors
from ..engine.pipeline import solve_allocation
from ..engine.solvers import solve_highs_arrays
from ..outputs.tables import spreadsheet_safe
from ..scenario import Scenario
from ..text import Text

#: Columns of ``alternatives.csv``.
ALTERNATIVE_COLUMNS = ("project_id", "site_id", "rank", "loss_yi", "note", "current_site_id", "proven",
                       "loss_bound_yi", "note_zh", "note_en")
#: Columns of ``selection_frequency.csv``.
FREQUENCY_COLUMNS = ("project_id", "site_id", "plans", "share")


@dataclass(frozen=True)
class AlternativesResult:
    """The alternatives of every placed project, and the selection frequency over near-optimal plans."""

    table: pd.DataFrame  # ALTERNATIVE_COLUMNS, by project then rank
    frequency: pd.DataFrame  # FREQUENCY_COLUMNS
    irreplaceable: tuple[str, ...]  # sites used by every near-optimal plan found
    objective: float
    plans: int  # near-optimal plans counted (the base plan included)
    solves: int
    pruned: int  # candidates the LP bound proved no better than the k-th, never solved
    seconds: float
    tolerance: float
    notes: tuple[Text, ...] = field(default_factory=tuple)

    def for_project(self, project_id: str) -> pd.DataFrame:
        return self.table[self.table["project_id"] == project_id]


def run_alternatives(
    sites: pd.DataFrame,
    projects: pd.DataFrame,
    scenario: Scenario,
    assignments: pd.DataFrame,
    *,
    k: int = 3,
    tolerance: float = 0.01,
    time_limit_s: float = 5.0,
    budget_s: float = 120.0,
    candidates: Candidates | None = None,
) -> AlternativesResult:
    """The ``k`` next-best sites of each placed project of ``assignments``, with exact losses.

    Parameters
    ----------
    assignments
        The plan (``project_id``, ``site_id``; empty/None = unplaced), normally an optimal one: the losses
        are counted from its objective.
    k
        Alternatives per project.
    tolerance
        Share of the objective within which a re-solved plan counts as near-optimal (selection frequency).
    time_limit_s
        Per re-solve; a solve stopped by it gives an upper bound on the loss (``proven`` false).
    budget_s
        All re-solves together; past it the remaining candidates are quoted from their repaired start
        (an upper bound on the loss) and the LP bound (a lower one), ``proven`` false.
    candidates
        The eligible pairs of the plan's run, when at hand (else computed again).
    """
    t0 = time.perf_counter()
    cand = candidates if candidates is not None else eligible_pairs(sites, projects, scenario)
    pairs = cand.pairs
    arrays = heur.PairArrays.of(cand)
    base = _chosen(cand, assignments)
    obj = arrays.objective(base)
    notes: list[Text] = []
    if cand.pairs.empty or k < 1:
        return AlternativesResult(pd.DataFrame(columns=list(ALTERNATIVE_COLUMNS)),
                                  pd.DataFrame(columns=list(FREQUENCY_COLUMNS)), (), obj, 1, 0, 0,
                                  time.perf_counter() - t0, tolerance)
    z, reduced, x_lp = _lp(arrays)
    mip, _, _ = heur.highs_lp(arrays, relax=False)
    lower0 = np.asarray(mip.col_lower_, dtype=float).copy()
    grain = abs_gap(cand)
    near: list[np.ndarray] = [base]
    rows: list[dict[str, Any]] = []
    solves = pruned = 0
    pid = pairs["project_id"].to_numpy(str)
    sid = pairs["site_id"].to_numpy(str)
    for j0 in base:
        p = int(arrays.p[j0])
        if arrays.locked[j0]:
            continue  # a locked project stays: the planner decided
        others = [int(j) for j in arrays.of_project(p) if j != j0]
        if not others:
            continue
        # the LP's bound on each candidate's optimum, and the loss it proves at least
        bound = np.array([z if x_lp[j] > 1e-9 else z - abs(reduced[j]) for j in others])
        loss_lb = np.maximum(0.0, obj - np.minimum(bound, obj))
        order = np.lexsort((sid[others], loss_lb))
        exact: list[tuple[float, int, bool, float, str]] = []  # loss, pair, proven, bound on loss, how
        for pos, i in enumerate(order):
            j = others[i]
            kth = sorted(e[0] for e in exact)[k - 1] if len(exact) >= k else math.inf
            if loss_lb[i] + 1e-9 >= kth:
                pruned += len(order) - pos  # the bound proves these no better than the k-th (ties at best)
                break
            start = _moved(arrays, base, j0, j)
            s_obj = arrays.objective(start)
            if obj - s_obj <= loss_lb[i] + grain:  # the start meets the bound: exact without a solve
                exact.append((obj - s_obj, j, True, loss_lb[i], "bound"))
                if obj - s_obj <= tolerance * abs(obj) + 1e-9:
                    near.append(start)
                continue
            if time.perf_counter() - t0 > budget_s:
                exact.append((obj - s_obj, j, False, loss_lb[i], "budget"))
                continue
            lower = lower0.copy()
            lower[j] = 1.0
            mip.col_lower_ = lower
            out = solve_highs_arrays(mip, cand, scenario, deadline=time.monotonic() + time_limit_s, warm=start)
            solves += 1
            plan, proven, how = start, False, "start"
            b = out.bound if math.isfinite(out.bound) else obj
            good_start = not plan_errors(cand, start)
            if out.chosen is not None and arrays.objective(out.chosen) >= s_obj - 1e-9:
                plan, proven, how = out.chosen, out.status == "optimal", "solve"
            elif not good_start and out.chosen is None:
                continue  # the locks leave no room for it there: no plan has the pair
            elif out.status in ("optimal", "none") and good_start:
                # HiGHS lost a feasible start (its presolve has been seen to: a lower "optimum", or a false
                # infeasibility): the pipeline, with the pair locked, re-solves it from the start
                fixed = solve_allocation(sites, projects, scenario.with_(locks=(*scenario.locks, (pid[j], sid[j]))),
                                         time_limit_s=time_limit_s, starts=[_as_assignments(cand, start)])
                solves += 1
                if fixed.objective >= s_obj - 1e-9:
                    plan = _chosen(cand, fixed.assignments)
                    proven, how, b = fixed.status == "optimal", "solve", fixed.report.bound
            p_obj = arrays.objective(plan)
            exact.append((obj - p_obj, j, proven, max(loss_lb[i], obj - b), how))
            if obj - p_obj <= tolerance * abs(obj) + 1e-9:
                near.append(np.sort(plan))
        mip.col_lower_ = lower0
        exact.sort(key=lambda e: (round(e[0] / max(grain, 1e-12)), sid[e[1]]))
        for rank, (loss, j, proven, lb, how) in enumerate(exact[:k], start=1):
            rows.append(_row(pid[j], sid[j], sid[j0], rank, loss, proven, lb, how))
    table = pd.DataFrame(rows, columns=list(ALTERNATIVE_COLUMNS))
    freq, irreplaceable = _frequency(cand, near)
    return AlternativesResult(table, freq, irreplaceable, obj, len(near), solves, pruned,
                              time.perf_counter() - t0, tolerance, tuple(notes))


def alternatives_csv_bytes(result: AlternativesResult, *, lang: str = "zh") -> bytes:
    """``alternatives.csv`` (UTF-8 with BOM); ``note`` in ``lang``."""
    t = result.table.copy()
    if len(t):
        t["note"] = t["note_zh"] if lang == "zh" else t["note_en"]
    return spreadsheet_safe(t).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def frequency_csv_bytes(result: AlternativesResult) -> bytes:
    """``selection_frequency.csv`` (UTF-8 with BOM)."""
    return spreadsheet_safe(result.frequency).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def alternatives_summary(result: AlternativesResult) -> dict[str, Any]:
    """The figures ``summary.json`` carries under ``alternatives``."""
    t = result.table
    return {
        "k": int(t["rank"].max()) if len(t) else 0, "rows": len(t),
        "projects": int(t["project_id"].nunique()) if len(t) else 0,
        "proven": int(t["proven"].sum()) if len(t) else 0, "solves": result.solves, "pruned": result.pruned,
        "near_optimal_plans": result.plans, "tolerance": result.tolerance,
        "irreplaceable_sites": list(result.irreplaceable), "seconds": round(result.seconds, 3),
    }


def alternatives_files(result: AlternativesResult, *, lang: str = "zh") -> dict[str, bytes]:
    """``alternatives.csv`` and ``selection_frequency.csv`` by name, for a run's output set
    (``write_outputs(..., extra=...)``: one set, all or nothing)."""
    return {"alternatives.csv": alternatives_csv_bytes(result, lang=lang),
            "selection_frequency.csv": frequency_csv_bytes(result)}


def write_alternatives(result: AlternativesResult, out: str | Path, *, lang: str = "zh") -> list[str]:
    """Write ``alternatives.csv`` and ``selection_frequency.csv`` into ``out``; their names."""
    from ..outputs.files import atomic_write

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in alternatives_files(result, lang=lang).items():
        atomic_write(folder / name, data)
    return ["alternatives.csv", "selection_frequency.csv"]


# --- steps ---------------------------------------------------------------------------------------------


def _chosen(cand: Candidates, assignments: pd.DataFrame) -> np.ndarray:
    """The plan's pairs (rows of ``cand.pairs``); pairs that are not eligible are ignored."""
    placed = assignments[assignments["site_id"].notna() & (assignments["site_id"].astype(str) != "")]
    index = pd.Series(np.arange(len(cand.pairs)), index=pd.MultiIndex.from_arrays(
        [cand.pairs["project_id"].astype(str), cand.pairs["site_id"].astype(str)]))
    keys = pd.MultiIndex.from_arrays([placed["project_id"].astype(str), placed["site_id"].astype(str)])
    return np.sort(index.reindex(keys).dropna().to_numpy(np.int64))


def _as_assignments(cand: Candidates, chosen: np.ndarray) -> pd.DataFrame:
    return assignments_of(cand, chosen)[["project_id", "site_id"]]


def _lp(a: heur.PairArrays) -> tuple[float, np.ndarray, np.ndarray]:
    """The LP relaxation with packing cuts: its optimum, each pair's reduced cost and LP value."""
    from ..engine.solvers import new_highs

    lp, _, _ = heur.highs_lp(a, relax=True, cuts=True)
    h = new_highs(60.0)
    h.passModel(lp)
    h.run()
    import highspy

    sol = h.getSolution()
    n = len(a.p)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal or not sol.dual_valid or not sol.value_valid:
        return math.inf, np.zeros(n), np.ones(n)  # no bound: every candidate is solved
    return (float(h.getInfo().objective_function_value), np.asarray(sol.col_dual, float),
            np.asarray(sol.col_value, float))


def _moved(a: heur.PairArrays, base: np.ndarray, j0: int, j: int) -> np.ndarray:
    """The plan with the project of ``j0`` moved to pair ``j``; projects on the new site leave it, the least
    valuable first (locked ones stay), until it fits."""
    plan = [int(x) for x in base if x != j0]
    s = int(a.s[j])
    on = sorted((x for x in plan if a.s[x] == s and not a.locked[x]), key=lambda x: (a.coef[x], x))
    used = float(a.need[[x for x in plan if a.s[x] == s]].sum()) if plan else 0.0
    drop: set[int] = set()
    for x in on:
        if R.fits(used + a.need[j], a.cap[s]):
            break
        drop.add(x)
        used -= float(a.need[x])
    return np.sort(np.array([x for x in plan if x not in drop] + [j], dtype=np.int64))


def _row(pid: str, sid: str, current: str, rank: int, loss: float, proven: bool, lb: float,
         how: str) -> dict[str, Any]:
    loss = max(0.0, loss)
    if how == "bound":
        zh, en = "上界已证明（无需重解）", "proven by the bound (no re-solve needed)"
    elif how == "budget":
        zh = f"时间预算已用完，未重解：损失介于 {max(0.0, lb):,.4f} 与 {loss:,.4f} 亿元之间"
        en = f"not re-solved (time budget used up): the loss is between {max(0.0, lb):,.4f} and {loss:,.4f} 亿元"
    elif proven:
        zh, en = "固定该组合后重解，已证明最优", "re-solved with this pair fixed, proven optimal"
    else:
        zh = f"重解未在时限内证明：损失介于 {max(0.0, lb):,.4f} 与 {loss:,.4f} 亿元之间"
        en = f"re-solve not proven within the time limit: the loss is between {max(0.0, lb):,.4f} and {loss:,.4f} 亿元"
    lead_zh = f"若不在 {current}：{sid}，损失 {loss:,.2f} 亿元；"
    lead_en = f"if not on {current}: {sid}, costs {loss:,.2f} 亿元; "
    return {"project_id": pid, "site_id": sid, "rank": rank, "loss_yi": round(loss, 6), "note": lead_zh + zh,
            "current_site_id": current, "proven": bool(proven or how == "bound"),
            "loss_bound_yi": round(max(0.0, lb), 6), "note_zh": lead_zh + zh, "note_en": lead_en + en}


def _frequency(cand: Candidates, plans: list[np.ndarray]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    pairs = cand.pairs
    counts = np.zeros(len(pairs), dtype=np.int64)
    used_by_all: set[str] | None = None
    for plan in plans:
        counts[plan] += 1
        sites = set(pairs["site_id"].to_numpy(str)[plan])
        used_by_all = sites if used_by_all is None else used_by_all & sites
    hit = counts > 0
    freq = pd.DataFrame({"project_id": pairs["project_id"].to_numpy(str)[hit],
                         "site_id": pairs["site_id"].to_numpy(str)[hit], "plans": counts[hit]})
    freq["share"] = (freq["plans"] / max(1, len(plans))).round(6)
    freq = freq.sort_values(["project_id", "share", "site_id"], ascending=[True, False, True], ignore_index=True)
    return freq[list(FREQUENCY_COLUMNS)], tuple(sorted(str(s) for s in used_by_all or ()))
