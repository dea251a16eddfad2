"""The allocation model and what a plan is: build, check, extract; the values a solve reports.

One binary per eligible (project, site) pair; each project on at most one site; the needs on a
site within its capacity (mu for land, m2 for factory and platform floor). Locks fix a pair to 1,
forbidden pairs never become variables. :func:`build_model` writes it as a PuLP problem (the arrays
version for HiGHS is :func:`zq_land.engine.heuristics.highs_lp`); :func:`greedy_allocation` is the
quick plan every solve starts from; :func:`check_locks` refuses locks that cannot hold before any
solver runs, and :func:`plan_violations` audits a plan against every rule. The solvers are in
:mod:`.solvers`, the solve itself (:func:`~zq_land.engine.pipeline.solve_allocation`) in :mod:`.pipeline`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import pulp

from .._errors import ValidationReport
from ..scenario import Scenario
from ..text import EMPTY, Text
from . import rules as R
from .eligibility import Candidates, pairs_failures

Status = Literal["optimal", "feasible", "infeasible", "time_limit"]
#: From this many pairs on, the HiGHS models are built from arrays (no PuLP object per pair) and the
#: LP relaxation is solved and rounded first; smaller models keep the PuLP path.
ARRAY_PAIRS: Final = 20_000
#: Columns of ``LpBound.duals`` (one row per capacity row of the LP).
DUAL_COLUMNS: Final = ["site_id", "unit", "capacity", "dual", "binding"]


@dataclass(frozen=True)
class SolveReport:
    """What the solve did, in figures a planner can quote.

    ``bound`` is the best proven upper bound on the objective (亿元) and ``gap`` the relative gap
    (bound - objective) / |objective|; ``lp_bound`` is the LP relaxation's bound, with the packing
    cuts of ``heuristics.packing_cuts`` on large models (``lp_bound_plain`` then keeps the bound of the
    LP without them; both are valid upper bounds, the cut one is tighter).
    """

    status: Status
    solver: str
    objective: float
    bound: float
    gap: float
    build_seconds: float
    solve_seconds: float
    greedy_objective: float
    lp_bound: float
    message: Text = EMPTY
    fallback_notes: tuple[Text, ...] = ()
    n_pairs: int = 0
    time_limit_s: float = 0.0
    lp_bound_plain: float = math.nan
    #: the site-pattern bound (the LP over whole fillings of each site, :mod:`.patterns`) when one was computed
    pattern_bound: float = math.nan


@dataclass(frozen=True)
class Plan:
    """An allocation: one row per project of the input (excluded ones too) and the solve report.

    ``assignments`` columns: ``project_id``, ``site_id`` (None when unplaced), ``placed``, ``excluded``,
    ``locked``, ``unit``, ``need``, ``use_land_mu``, ``use_floor_m2``, ``revit_mu``, ``distance_km``,
    ``investment_yi``, ``coefficient``.
    """

    assignments: pd.DataFrame
    report: SolveReport
    candidates: Candidates
    #: the LP relaxation solved on the way (its bound, capacity duals and values), when one was
    lp: LpBound | None = None

    @property
    def objective(self) -> float:
        return self.report.objective

    @property
    def status(self) -> Status:
        return self.report.status

    def site_of(self, project_id: str) -> str | None:
        """The site a project was given, or None."""
        row = self.assignments.loc[self.assignments["project_id"] == project_id, "site_id"]
        return None if row.empty or row.iloc[0] is None else str(row.iloc[0])


@dataclass(frozen=True)
class LpBound:
    """The LP relaxation: its bound (亿元) and the capacity rows' shadow prices (亿元 per mu or m2)."""

    bound: float
    duals: pd.DataFrame = field(default_factory=pd.DataFrame)
    status: str = "optimal"
    #: the LP value of each candidate pair (row order of ``candidates.pairs``); empty when it failed
    x: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    #: the reduced cost of each pair (HiGHS array path only; empty otherwise)
    reduced: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    #: the bound of the LP without packing cuts when ``bound`` comes from the LP with them (array path)
    plain_bound: float = math.nan
    #: the site-pattern bound (:mod:`.patterns`) when one was computed, beside ``bound`` (the plan's bound is the
    #: lower of the two)
    pattern_bound: float = math.nan
    #: the pattern LP's value of each pair (row order of ``candidates.pairs``), when it was solved; mostly whole
    pattern_x: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)


def check_locks(candidates: Candidates, scenario: Scenario) -> None:
    """Refuse locks that cannot all hold, naming every one of them.

    A lock fails when it names an unknown project or site, an excluded project or site, a forbidden
    pair, a pair that breaks a rule (the rule is named), when one project is locked to two sites, or
    when the locks on one site need more than its capacity.

    Raises
    ------
    InputError
    """
    if not scenario.locks:
        return
    file = str(scenario.source or "<scenario>")
    rep = ValidationReport()
    pj, st = candidates.projects, candidates.sites
    p_pos = {p: i for i, p in enumerate(pj["project_id"])}
    s_pos = {s: j for j, s in enumerate(st["site_id"])}
    by_project: dict[str, set[str]] = defaultdict(set)
    for p, s in scenario.locks:
        by_project[p].add(s)
    for p, targets in sorted(by_project.items()):
        if len(targets) > 1:
            ts = "、".join(sorted(targets))
            rep.error(file, f"项目 {p} 被锁定到多个地块：{ts}", f"project {p} is locked to several sites: "
                      f"{', '.join(sorted(targets))}", item_id=p, column="locks")
    # the rules of every lock between a known project and a known site, evaluated together
    known = list(dict.fromkeys((p_pos[p], s_pos[s]) for p, s in scenario.locks if p in p_pos and s in s_pos))
    failures = dict(zip(known, pairs_failures(st, pj, scenario, known), strict=True))
    seen: set[tuple[str, str]] = set()
    ok_locks: list[tuple[int, int]] = []
    for p, s in scenario.locks:
        if (p, s) in seen:
            continue
        seen.add((p, s))
        where: dict[str, Any] = {"item_id": p, "column": "locks", "found": f"{p} -> {s}"}
        if p not in p_pos:
            rep.error(file, f"锁定项引用了不存在的项目 {p}（地块 {s}）",
                      f"a lock names unknown project {p} (site {s})", **where)
            continue
        if s not in s_pos:
            rep.error(file, f"锁定项目 {p} 到不存在的地块 {s}", f"project {p} is locked to unknown site {s}",
                      **where)
            continue
        fails = failures[(p_pos[p], s_pos[s])]
        if fails:
            zh = "；".join(r.text_zh for r in fails)
            en = "; ".join(r.text_en for r in fails)
            codes = ", ".join(r.code for r in fails)
            rep.error(file, f"锁定 {p} -> {s} 不满足规则（{codes}）：{zh}",
                      f"lock {p} -> {s} breaks a rule ({codes}): {en}", **where)
            continue
        ok_locks.append((p_pos[p], s_pos[s]))
    # several locks on one site: their needs must fit together
    per_site: dict[int, list[int]] = defaultdict(list)
    for p_i, s_j in ok_locks:
        if len(by_project[str(pj.at[p_i, "project_id"])]) == 1:
            per_site[s_j].append(p_i)
    pairs = candidates.pairs.set_index(["p", "s"])["need"]
    for s_j, ps in sorted(per_site.items()):
        total = float(sum(pairs.loc[(p_i, s_j)] for p_i in ps))
        cap = float(st.at[s_j, "capacity"])
        if not R.fits(total, cap):
            sid = str(st.at[s_j, "site_id"])
            unit_zh, unit_en = ("亩", "mu") if st.at[s_j, "kind"] == "land" else ("平方米", "m2")
            names = [str(pj.at[p_i, "project_id"]) for p_i in ps]
            rep.error(file, f"锁定到地块 {sid} 的项目 {'、'.join(names)} 共需 {total:,.1f} {unit_zh}，"
                      f"超过其容量 {cap:,.1f} {unit_zh}",
                      f"the projects locked to site {sid} ({', '.join(names)}) need {total:,.1f} {unit_en}, "
                      f"more than its capacity of {cap:,.1f} {unit_en}", item_id=sid, column="locks")
    rep.raise_if_errors()


def build_model(
    candidates: Candidates, projects: pd.DataFrame | None, scenario: Scenario, *, relax: bool = False
) -> pulp.LpProblem:
    """The PuLP model: variable ``x_k`` for row k of ``candidates.pairs``.

    Parameters
    ----------
    relax
        Continuous variables in [0, 1] and a capacity row for every site with candidates (for the LP
        bound and its shadow prices). Otherwise binaries, and only the capacity rows that can bind.
    """
    pairs = candidates.pairs
    prob = pulp.LpProblem("zq_land_relaxed" if relax else "zq_land", pulp.LpMaximize)
    cat = pulp.LpContinuous if relax else pulp.LpBinary
    locked = pairs["locked"].to_numpy(bool)
    xs = [pulp.LpVariable(f"x_{k}", lowBound=0, upBound=1, cat=cat) for k in range(len(pairs))]
    for k in np.flatnonzero(locked):
        xs[k].lowBound = 1  # after creation: a binary's constructor resets its bounds to [0, 1]
    coef = pairs["coefficient"].to_numpy(float)
    prob += pulp.LpAffineExpression([(xs[k], float(coef[k])) for k in range(len(xs))]), "objective"
    for p, ks in groups(pairs["p"].to_numpy()):
        if len(ks) > 1:
            prob += pulp.LpAffineExpression([(xs[k], 1.0) for k in ks]) <= 1, f"one_{p}"
    need = pairs["need"].to_numpy(float)
    cap = candidates.sites["capacity"].to_numpy(float)
    for s, ks in groups(pairs["s"].to_numpy()):
        if relax or not R.fits(need[ks].sum(), cap[s]):
            row = pulp.LpAffineExpression([(xs[k], float(need[k])) for k in ks])
            prob += row <= float(cap[s]), f"cap_{s}"
    return prob


def greedy_allocation(
    candidates: Candidates, scenario: Scenario, *, prefer: np.ndarray | None = None
) -> np.ndarray:
    """A quick plan: locked pairs first, then pairs by value per share of the site they fill.

    Pairs are taken in decreasing ``coefficient / (need / capacity)``, ties broken by project and site
    position, while the project is unplaced and the site has room. Pairs of value <= 0 are skipped.

    Parameters
    ----------
    prefer
        A per-pair priority taken before the value ratio, e.g. the LP relaxation's values
        (``LpBound.x``): pairs the LP places whole come first, which rounds the LP into a plan.

    Returns
    -------
    numpy.ndarray
        Row positions in ``candidates.pairs`` of the chosen pairs, sorted.
    """
    pairs = candidates.pairs
    if pairs.empty:
        return np.zeros(0, dtype=np.int64)
    cap = candidates.sites["capacity"].to_numpy(float)
    left = cap.copy()
    p_arr, s_arr = pairs["p"].to_numpy(), pairs["s"].to_numpy()
    need = pairs["need"].to_numpy(float)
    coef = pairs["coefficient"].to_numpy(float)
    share = need / np.maximum(cap[s_arr], 1e-12)
    score = coef / np.maximum(share, 1e-12)
    locked = pairs["locked"].to_numpy(bool)
    first = np.zeros(len(pairs)) if prefer is None or len(prefer) != len(pairs) else np.round(prefer, 6)
    # lexsort: last key is primary -> locked first, then preference, then score desc, then p, s
    order = np.lexsort((s_arr, p_arr, -score, -first, ~locked))
    placed: set[int] = set()
    chosen: list[int] = []
    for k in order:
        p, s = int(p_arr[k]), int(s_arr[k])
        if p in placed or (not locked[k] and coef[k] <= 0):
            continue
        if R.fits(need[k], left[s]):
            left[s] -= need[k]
            placed.add(p)
            chosen.append(int(k))
    return np.array(sorted(chosen), dtype=np.int64)


def plan_violations(plan: Plan) -> list[str]:
    """Every rule a plan breaks (empty for a valid plan): the engine's own audit, used by the tests."""
    cand = plan.candidates
    a = plan.assignments
    out: list[str] = []
    placed = a[a["site_id"].notna()]
    if placed["project_id"].duplicated().any():
        out.append("a project placed twice")
    ok = set(zip(cand.pairs["project_id"], cand.pairs["site_id"], strict=True))
    for p, s in zip(placed["project_id"], placed["site_id"], strict=True):
        if (p, s) not in ok:
            out.append(f"{p} -> {s} is not an eligible pair")
    use = placed.groupby("site_id")["need"].sum()
    cap = cand.site_capacity
    for s, u in use.items():
        if not R.fits(u, cap[s]):
            out.append(f"site {s} over capacity: {u} > {cap[s]}")
    for p, s in set(cand.pairs.loc[cand.pairs["locked"], ["project_id", "site_id"]].itertuples(index=False)):
        if plan.site_of(p) != s:
            out.append(f"lock {p} -> {s} not honoured")
    return out


# --- solving ----------------------------------------------------------------------------------------


def objective_grain(cand: Candidates) -> float | None:
    """The step every objective value is a multiple of (0.01 when investments are in 0.01 亿元), or None.

    When the bound is less than one step above a plan's objective, that plan is optimal: the
    solvers are told so (an absolute gap just under the step), which turns hours of closing a
    0.005 亿元 gap into a proof.
    """
    coef = cand.pairs["coefficient"].to_numpy(float)
    if len(coef) == 0:
        return None
    for digits in range(0, 5):
        scaled = coef * 10**digits
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return float(10.0**-digits)
    return None


def within_grain(bound: float, objective: float, grain: float | None) -> bool:
    """Whether ``bound`` proves ``objective`` optimal by the grain: every objective value is a multiple of
    ``grain`` and the bound lies less than one above it, so no better plan exists (False without a grain or
    with a bound not known)."""
    return grain is not None and grain > 0 and bound - objective < grain * (1 - 1e-6)


def abs_gap(cand: Candidates) -> float:
    grain = objective_grain(cand)
    return grain * 0.999 if grain else 1e-6


def best_bound(mip_bound: float, lp_bound: float, obj: float, trivial: float) -> float:
    cands = [b for b in (mip_bound, lp_bound, trivial) if math.isfinite(b)]
    if not cands:
        return math.nan
    return max(min(cands), obj)


def trivial_bound(cand: Candidates) -> float:
    """Every project on its best site (locked ones on theirs), capacity ignored: needs no solver."""
    pairs = cand.pairs
    if pairs.empty:
        return 0.0
    locked = pairs["locked"].to_numpy(bool)
    locked_p = np.isin(pairs["p"].to_numpy(), pairs["p"].to_numpy()[locked])
    free = pairs.loc[~locked_p]
    best_free = free["coefficient"].clip(lower=0.0).groupby(free["p"]).max().sum()
    return float(best_free + pairs.loc[locked, "coefficient"].sum())


def relative_gap(obj: float, bound: float) -> float:
    if not (math.isfinite(obj) and math.isfinite(bound)):
        return math.nan
    diff = max(0.0, bound - obj)
    if diff <= 1e-9 * max(1.0, abs(bound)):
        return 0.0
    return diff / max(abs(obj), 1e-10)


def plan_objective(cand: Candidates, chosen: np.ndarray | None) -> float:
    if chosen is None or len(chosen) == 0:
        return 0.0
    return float(cand.pairs["coefficient"].to_numpy(float)[chosen].sum())


def plan_errors(cand: Candidates, chosen: np.ndarray) -> list[str]:
    pairs = cand.pairs.iloc[chosen]
    out = []
    if pairs["p"].duplicated().any():
        out.append("a project on two sites")
    use = pairs.groupby("s")["need"].sum()
    cap = cand.sites["capacity"].to_numpy(float)
    for s, u in use.items():
        if not R.fits(u, cap[int(s)]):
            out.append(f"site {cand.sites.at[int(s), 'site_id']} over capacity")
    lk = cand.pairs.index[cand.pairs["locked"]].to_numpy()
    if len(np.setdiff1d(lk, chosen)):
        out.append("a lock not honoured")
    return out


def assignments_of(cand: Candidates, chosen: np.ndarray) -> pd.DataFrame:
    pj = cand.projects
    out = pd.DataFrame({"project_id": pj["project_id"].to_numpy(), "site_id": pd.Series([None] * len(pj),
                                                                                        dtype=object)})
    out["placed"] = False
    out["excluded"] = pj["excluded"].to_numpy(bool)
    out["locked"] = False
    for col, fill in (("unit", None), ("need", np.nan), ("use_land_mu", 0.0), ("use_floor_m2", 0.0),
                      ("revit_mu", 0.0), ("distance_km", np.nan), ("coefficient", 0.0)):
        out[col] = pd.Series([fill] * len(pj), dtype=object if fill is None else float)
    out["investment_yi"] = pj["investment_yi"].to_numpy(float)
    if len(chosen):
        sel = cand.pairs.iloc[chosen]
        rows = sel["p"].to_numpy()
        out.loc[rows, "site_id"] = sel["site_id"].to_numpy(object)
        out.loc[rows, "placed"] = True
        for col in ("locked", "unit", "need", "use_land_mu", "use_floor_m2", "revit_mu", "distance_km",
                    "coefficient"):
            out.loc[rows, col] = sel[col].to_numpy()
    return out


def groups(keys: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(key, row positions) per distinct key, in key order."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    uniq, starts = np.unique(keys[order], return_index=True)
    bounds = [*starts[1:], len(order)]
    return [(int(u), order[a:b]) for u, a, b in zip(uniq, starts, bounds, strict=True)]
