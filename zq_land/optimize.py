"""The allocation model: build -> solve -> extract, plus a greedy plan and the LP bound.

One binary per eligible (project, site) pair; each project on at most one site; the needs on a
site within its capacity (mu for land, m2 for factory and platform floor). Locks fix a pair to 1,
forbidden pairs never become variables. HiGHS (in-process, through PuLP) is the default solver,
CBC the fallback, the greedy plan the last resort: a planner always gets a valid plan, and the
report says which of them produced it and how far it may be from the optimum.

The time limit is kept by this module, not trusted to the solver: HiGHS runs in a thread that is
cancelled at the limit and abandoned (its incumbent or the greedy plan returned) a few seconds later.

From ``ARRAY_PAIRS`` pairs on (city scale) the PuLP layer is bypassed: HiGHS gets its models as arrays
(``_heuristics.highs_lp``), the LP relaxation is solved first (its bound is the full model's), rounded
and repaired, then improved by a MIP over the "core" pairs and, when the model is small enough for it
(``MIP_MAX_PAIRS``), by the full MIP, which alone can prove optimality. See ``_solve_large``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import math
import os
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import pulp

from . import _heuristics as heur
from ._errors import SolverError, ValidationReport, input_error
from .eligibility import Candidates, eligible_pairs, pair_failures
from .scenario import Scenario

Status = Literal["optimal", "feasible", "infeasible", "time_limit"]
#: From this many pairs on, the HiGHS models are built from arrays (no PuLP object per pair) and the
#: LP relaxation is solved and rounded first; smaller models keep the PuLP path.
ARRAY_PAIRS: Final = 20_000
#: Above this many pairs HiGHS's MIP presolve alone outlasts a minute (322k pairs: 30 s presolve, no
#: root LP within 60 s): only the core MIPs run, and the plan is quoted with its gap to the LP bound.
MIP_MAX_PAIRS: Final = 150_000
#: Seconds of LP per pair on large models (measured: 1.3e-5 at 93k pairs, 1.8e-5 at 322k); the LPs are
#: not started when 40 % of the time left is less than this, as they could not finish.
LP_S_PER_PAIR: Final = 2e-5
#: Pairs per project (by reduced cost) in the core MIP of large models, besides those the LP uses.
CORE_PER_PROJECT: Final = 25
#: Small models: two HiGHS runs race on the two cores (see ``_race_highs``); not with ``solver.threads = 1``.
RACE: Final = True
#: Columns of ``LpBound.duals`` (one row per capacity row of the LP).
_DUAL_COLUMNS: Final = ["site_id", "unit", "capacity", "dual", "binding"]
#: Seconds past the time limit after which a solver that has not stopped is abandoned.
GRACE_S: Final = 3.0
# HiGHS solves that ignored the cancel and were left running (see _abandon): process-wide by nature.
_ABANDONED: list[tuple[Any, threading.Thread]] = []
_ABANDONED_LOCK = threading.Lock()
# After check_locks, placing only the locked projects is always feasible: a solver that says otherwise
# has failed (CBC does so when its limit stops it in presolve), and the next solver or greedy takes over.
_FALSE_INFEASIBLE: Final = ("求解器误报无可行解（仅安排锁定项目即为可行方案）| the solver reported the model "
                            "infeasible, but placing only the locked projects is feasible")


@dataclass(frozen=True)
class SolveReport:
    """What the solve did, in figures a planner can quote.

    ``bound`` is the best proven upper bound on the objective (亿元) and ``gap`` the relative gap
    (bound - objective) / |objective|; ``lp_bound`` is the LP relaxation's bound, with the packing
    cuts of ``_heuristics.packing_cuts`` on large models (``lp_bound_plain`` then keeps the bound of the
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
    message: str = ""
    fallback_notes: tuple[str, ...] = ()
    n_pairs: int = 0
    time_limit_s: float = 0.0
    lp_bound_plain: float = math.nan


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


def solve_allocation(
    sites: pd.DataFrame,
    projects: pd.DataFrame,
    scenario: Scenario,
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    starts: Sequence[pd.DataFrame] = (),
) -> Plan:
    """Place the projects on the sites as well as the scenario's weights allow.

    Parameters
    ----------
    sites, projects
        Canonical tables (``docs/ARCHITECTURE.md``).
    scenario
        Weights, policy, locks, forbidden pairs, exclusions and solver settings.
    solver
        ``"highs"`` or ``"cbc"``; default the scenario's. The other one is the fallback.
    time_limit_s
        Overrides the scenario's limit, counted from the call. The plan comes back within
        limit + ``GRACE_S`` (3 s) even when a solver ignores its limit.
    starts
        Earlier plans on the same data (``assignments`` with ``project_id`` and ``site_id``), e.g. the
        app's previous runs before a weight change. Each is repaired to this scenario's rules, locks and
        capacities and the best one starts the solver: the plan of nearby weights is usually optimal or
        close, which is what HiGHS needs to finish fast (on the sample, any revitalization-weighted
        optimum starts another such weighting into a proof in 0.1-0.2 s). Pairs that are no longer
        eligible are dropped, unknown ids ignored.

    Returns
    -------
    Plan

    Raises
    ------
    InputError
        When the locks contradict each other or the rules (every such lock is named), or the
        solver name is unknown.
    """
    _silence_highs_banner()
    t0 = time.perf_counter()
    started = time.monotonic()  # the limit counts from here: reading the rules and building count too
    cand = eligible_pairs(sites, projects, scenario)
    check_locks(cand, scenario)
    limit = float(time_limit_s if time_limit_s is not None else scenario.solver.time_limit_s)
    name = (solver or scenario.solver.name).lower()
    if name not in ("highs", "cbc"):
        raise input_error(str(scenario.source or "<scenario>"), f"未知的求解器 {solver!r}，可用 highs 或 cbc",
                          f"unknown solver {solver!r}; use 'highs' or 'cbc'", column="solver.name",
                          found=str(solver))
    old_greedy = greedy_allocation(cand, scenario)
    arrays = heur.PairArrays.of(cand)
    # the greedy plan a planner is quoted: best fit in value orders (and the old ratio order), repaired
    greedy = heur.best_fit_plan(arrays, old=old_greedy) if len(cand.pairs) else old_greedy
    g_obj = _objective(cand, greedy)
    prior = _from_starts(cand, arrays, starts)
    if len(cand.pairs) >= ARRAY_PAIRS and name == "highs" and pulp.HiGHS(msg=False).available():
        return _solve_large(cand, arrays, greedy, g_obj, scenario, started=started, t0=t0, limit=limit, prior=prior)
    model = build_model(cand, projects, scenario)
    build_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    deadline = started + limit
    if cand.pairs.empty:
        report = SolveReport("optimal", "none", 0.0, 0.0, 0.0, build_s, 0.0, 0.0, 0.0,
                             "没有任何可行的项目-地块组合 | no eligible project-site pair", n_pairs=0,
                             time_limit_s=limit)
        return Plan(_assignments(cand, np.zeros(0, dtype=np.int64)), report, cand)

    # a quick LP first (a fifth of the limit at most): its duals, its bound, and the LP rounded into a
    # plan that stands in when the solvers return nothing better; then the LP with packing cuts, whose
    # bound is tighter (on the 2022 sample it equals the optimum for 5 of 6 hard weightings). HiGHS
    # then races from two starting points (see _race_highs).
    relaxed = build_model(cand, projects, scenario, relax=True)
    lp = lp_relaxation(cand, scenario, solver=name, time_limit_s=0.2 * limit, _model=relaxed)
    if math.isfinite(lp.bound) and pulp.HiGHS(msg=False).available():
        with_cuts, _, _ = heur.highs_lp(arrays, relax=True, cuts=True)
        cut = _highs_lp_solve(cand, with_cuts, np.zeros(0, np.int64), with_duals=False,
                              until=time.monotonic() + max(0.05, 0.1 * (deadline - time.monotonic())))
        if math.isfinite(cut.bound) and cut.bound < lp.bound:
            lp = replace(lp, bound=cut.bound, plain_bound=lp.bound)
    heuristic, source = greedy, "greedy"
    if len(lp.x):
        rounded = heur.round_lp(arrays, lp.x)
        if _objective(cand, rounded) > g_obj + 1e-9:
            heuristic, source = rounded, "lp-rounding"
    if prior is not None and _objective(cand, prior) > _objective(cand, heuristic) + 1e-9:
        heuristic, source = prior, "earlier-plan"
    notes: list[str] = _start_note(cand, prior, heuristic)
    order = [name, "cbc" if name == "highs" else "highs"]
    outcome: _Outcome | None = None
    for sname in order:
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            notes.append(f"{sname}: no time left / 时间已用完")
            outcome = outcome or _Outcome(sname, "time_limit", None, math.nan, "no time left")
            break
        try:
            outcome = _run_solver(sname, model, cand, old_greedy, scenario, deadline=deadline, arrays=arrays,
                                  best=heuristic)
        except Exception as exc:  # any solver failure -> the next solver, then greedy
            notes.append(f"{sname}: {type(exc).__name__}: {exc}")
            model = build_model(cand, projects, scenario)  # a fresh model: the failed one may be half-set
            continue
        if outcome.chosen is not None:
            break
        notes.append(f"{sname}: {outcome.message}")
    if not math.isfinite(lp.bound):  # the quick LP did not finish: try again with what is left
        left = deadline - time.monotonic()
        if left > 0.05:
            lp = lp_relaxation(cand, scenario, solver=name, time_limit_s=left,
                               _model=build_model(cand, projects, scenario, relax=True))
        if not math.isfinite(lp.bound):
            notes.append("LP 上界不可用（无求解器或时间已用完）| "
                         "LP bound not available (no LP solver or no time left)")
    solve_s = time.perf_counter() - t1
    return _finish(cand, outcome, heuristic, g_obj, lp, scenario, notes, build_s, solve_s, limit, source)


def _solve_large(
    cand: Candidates, arrays: heur.PairArrays, greedy: np.ndarray, g_obj: float, scenario: Scenario, *,
    started: float, t0: float, limit: float, prior: np.ndarray | None = None,
) -> Plan:
    """Large models: HiGHS fed from arrays; the LP first, rounded and repaired; the MIP (if not too big).

    The LP relaxation (every capacity row, so its duals are the shadow prices) gets at most 40 % of the
    time; its bound is the full model's. Its rounded plan starts a MIP over the core pairs (the LP's and
    those of best reduced cost), whose plan starts the full MIP when the model is small enough for it.
    """
    deadline = started + limit
    notes: list[str] = []
    left = max(0.0, deadline - time.monotonic())
    if 0.4 * left >= LP_S_PER_PAIR * len(cand.pairs):
        relaxed, _, cap_rows = heur.highs_lp(arrays, relax=True, rows="all")
        with_cuts, _, _ = heur.highs_lp(arrays, relax=True, cuts=True)
        build_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        left = max(0.0, deadline - time.monotonic())
        lp = _two_lps(cand, relaxed, cap_rows, with_cuts, until=time.monotonic() + 0.4 * left)
        del relaxed, with_cuts
    else:  # an LP cut off half-way gives nothing, and a solve that ignores the cancel delays the exit
        build_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        lp = LpBound(math.nan, pd.DataFrame(columns=_DUAL_COLUMNS), status="skipped")
        notes.append(f"时限内来不及求解线性松弛（此规模约需 {LP_S_PER_PAIR * len(cand.pairs) / 0.4:.0f} 秒时限）| "
                     f"too little time for the LP relaxation at this size (a limit of about "
                     f"{LP_S_PER_PAIR * len(cand.pairs) / 0.4:.0f} s is needed)")
    heuristic, source = greedy, "greedy"
    if len(lp.x):
        rounded = heur.round_lp(arrays, lp.x)
        if _objective(cand, rounded) > g_obj + 1e-9:
            heuristic, source = rounded, "lp-rounding"
    else:
        notes.append("LP 上界未在时限内求得 | LP bound not available (time limit)")
    if prior is not None and _objective(cand, prior) > _objective(cand, heuristic) + 1e-9:
        heuristic, source = prior, "earlier-plan"
    notes.extend(_start_note(cand, prior, heuristic))
    # the MIPs stop before the limit: extraction, the reasons and the caller's export follow, and they
    # take seconds at this size (measured ~5 s for 1000 x 2000 through `python -m zq_land solve`)
    mip_deadline = deadline - min(0.25 * limit, 8.0 + 2e-5 * len(cand.pairs))
    # the full MIP only when it can get past its presolve (~1e-4 s per pair) and still search
    full_mip = (len(cand.pairs) <= MIP_MAX_PAIRS
                and 0.5 * (mip_deadline - time.monotonic()) > 5.0 + 1e-4 * len(cand.pairs))
    outcome: _Outcome | None = None
    # MIPs over core pairs (what the LP uses, the best reduced costs): much better plans in seconds; no
    # proof (pairs are left out), so each is only a start and a fallback. A second, larger core follows
    # when the full MIP is out of reach and time is left.
    two_cores = not full_mip and mip_deadline - time.monotonic() >= 25.0
    rounds = [(CORE_PER_PROJECT, False, 0.5 if full_mip else 0.45 if two_cores else 1.0)]
    if two_cores:
        rounds.append((2 * CORE_PER_PROJECT, True, 1.0))
    for per_project, by_room, share in rounds:
        left = mip_deadline - time.monotonic()
        first = per_project == CORE_PER_PROJECT
        if not (len(lp.x) and len(lp.reduced)) or left < (0.5 if first else 10.0):
            break
        keep = heur.core_pairs(arrays, lp.x, lp.reduced, heuristic, per_project=per_project, by_room=by_room)
        pos = np.full(len(cand.pairs), -1, dtype=np.int64)
        pos[keep] = np.arange(len(keep))
        core_model, _, _ = heur.highs_lp(arrays.take(keep), relax=False)
        core = _solve_highs_arrays(core_model, cand, scenario, deadline=time.monotonic() + share * left,
                                   warm=pos[heuristic], n_cols=len(keep))
        del core_model
        notes.append(f"core MIP: {len(keep):,} pairs, {core.status}")
        if core.chosen is not None:
            plan = np.sort(keep[core.chosen])
            if not _violations(cand, plan) and _objective(cand, plan) > _objective(cand, heuristic) + 1e-9:
                heuristic, source = plan, "highs-core"
        else:
            notes.append(f"highs (core): {core.message}")
    ran_full = full_mip and mip_deadline - time.monotonic() > 5.0 + 1e-4 * len(cand.pairs)
    if ran_full:
        mip, _, _ = heur.highs_lp(arrays, relax=False)
        outcome = _solve_highs_arrays(mip, cand, scenario, deadline=mip_deadline, warm=heuristic)
        if outcome.chosen is None:
            notes.append(f"highs: {outcome.message}")
            outcome = None
    if outcome is None:
        if not ran_full and any(n.startswith("core MIP") for n in notes):
            notes.append(f"{len(cand.pairs):,} 个组合，整数规划只在核心组合上求解，方案未经全模型证明 | "
                         f"{len(cand.pairs):,} pairs: the MIP ran on the core pairs only (the LP's and those "
                         "of best reduced cost) for lack of time or size; the plan is not proven on the full "
                         "model")
        timed_out = not len(lp.x) or time.monotonic() > mip_deadline
        outcome = _Outcome("lp-core" if len(lp.x) else "greedy", "time_limit" if timed_out else "feasible",
                           heuristic, math.nan)
    solve_s = time.perf_counter() - t1
    return _finish(cand, outcome, heuristic, g_obj, lp, scenario, notes, build_s, solve_s, limit, source)


def _start_note(cand: Candidates, prior: np.ndarray | None, heuristic: np.ndarray) -> list[str]:
    if prior is None or heuristic is not prior:
        return []
    obj = _objective(cand, prior)
    return [f"从此前的方案出发（修正后目标值 {obj:.4f}）| started from an earlier plan (objective {obj:.4f} "
            "once repaired to this scenario)"]


def _from_starts(cand: Candidates, arrays: heur.PairArrays, starts: Sequence[pd.DataFrame]) -> np.ndarray | None:
    """The best of the earlier plans ``starts``, each repaired into a valid plan here; None without any."""
    if not len(starts) or cand.pairs.empty:
        return None
    index = pd.Series(np.arange(len(cand.pairs)), index=pd.MultiIndex.from_arrays(
        [cand.pairs["project_id"].astype(str), cand.pairs["site_id"].astype(str)]))
    best: np.ndarray | None = None
    for plan in starts:
        if not {"project_id", "site_id"} <= set(plan.columns):
            continue
        placed = plan[plan["site_id"].notna()]
        keys = pd.MultiIndex.from_arrays([placed["project_id"].astype(str), placed["site_id"].astype(str)])
        rows = index.reindex(keys).dropna().to_numpy(np.int64)
        x = np.zeros(len(cand.pairs))
        x[rows] = 1.0
        repaired = heur.round_lp(arrays, x)  # the pairs kept where they still fit, the rest filled and repaired
        if best is None or _objective(cand, repaired) > _objective(cand, best) + 1e-9:
            best = repaired
    return best


def _run_highs(h: Any, deadline: float, stop: threading.Event | None = None) -> str:
    """Run a prepared ``highspy.Highs`` under our deadline: 'done', 'cancelled' or 'abandoned'.

    The solve runs in a thread of ours, not ``Highs.startSolve``: that one guards "already running"
    with a lock shared by every ``Highs`` of the process, so two solves could not run at once (the two
    LPs of large models) and a solve left running after a cancel would fail every later one.
    """
    h.HandleUserInterrupt = True  # cancelSolve() then stops the simplex, IPM and MIP at their next check
    thread = threading.Thread(target=h.run, name="zq-land-highs", daemon=True)
    thread.start()
    cancelled = False
    while thread.is_alive():
        thread.join(0.05)
        now = time.monotonic()
        if not cancelled and (now > deadline + 0.2 or (stop is not None and stop.is_set())):
            h.cancelSolve()
            cancelled = True
        if now > deadline + GRACE_S:
            _abandon(h, thread)
            return "abandoned"
    return "cancelled" if cancelled else "done"


def _new_highs(time_limit: float, threads: int = 1) -> Any:
    import highspy

    _silence_highs_banner()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", max(0.05, time_limit))
    return h


def _two_lps(cand: Candidates, relaxed: Any, cap_rows: np.ndarray, with_cuts: Any, *, until: float) -> LpBound:
    """The plain LP (its capacity duals are the shadow prices) and, on the other core at the same time,
    the LP with packing cuts (its bound is tighter, its values round into better plans).

    Measured at 2,000 x 5,000 one after the other: 5.9 s plain, 7.3 s with cuts; together about the
    time of the longer. The cut LP's bound, values and reduced costs are used when it finishes.
    """
    got: dict[str, LpBound] = {}

    def cut_lp() -> None:
        got["cut"] = _highs_lp_solve(cand, with_cuts, np.zeros(0, np.int64), until=until, with_duals=False)

    worker = threading.Thread(target=cut_lp, name="zq-land-cut-lp", daemon=True)
    worker.start()
    plain = _highs_lp_solve(cand, relaxed, cap_rows, until=until)
    worker.join(max(0.0, until - time.monotonic()) + GRACE_S + 0.5)
    cut = got.get("cut")
    if cut is None or not math.isfinite(cut.bound) or not len(cut.x):
        return plain
    bound = min(cut.bound, plain.bound) if math.isfinite(plain.bound) else cut.bound
    return LpBound(bound, plain.duals, plain.status if math.isfinite(plain.bound) else "cuts only",
                   x=cut.x, reduced=cut.reduced, plain_bound=plain.bound)


def _highs_lp_solve(
    cand: Candidates, relaxed: Any, cap_rows: np.ndarray, *, until: float, with_duals: bool = True
) -> LpBound:
    """The LP relaxation (``heur.highs_lp(..., rows="all")``) solved by HiGHS: bound, duals, values."""
    import highspy

    cols = _DUAL_COLUMNS
    h = _new_highs(until - time.monotonic())
    h.passModel(relaxed)
    if _run_highs(h, until) != "done" or h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return LpBound(math.nan, pd.DataFrame(columns=cols), status="failed")
    sol = h.getSolution()
    x = np.clip(np.asarray(sol.col_value, float), 0.0, 1.0)
    bound = float(h.getInfo().objective_function_value)
    reduced = np.asarray(sol.col_dual, float)
    if not with_duals:
        return LpBound(bound, pd.DataFrame(columns=cols), x=x, reduced=reduced)
    n_one = relaxed.num_row_ - len(cap_rows)
    dual = np.abs(np.asarray(sol.row_dual, float)[n_one:])
    act = np.asarray(sol.row_value, float)[n_one:]
    st = cand.sites
    cap = st["capacity"].to_numpy(float)[cap_rows]
    duals = pd.DataFrame({
        "site_id": st["site_id"].to_numpy(object)[cap_rows].astype(str),
        "unit": st["unit"].to_numpy(object)[cap_rows].astype(str),
        "capacity": cap, "dual": dual,
        "binding": np.abs(cap - act) <= 1e-7 * np.maximum(1.0, cap),
    }).sort_values("site_id", kind="stable").reset_index(drop=True)
    return LpBound(bound, duals, x=x, reduced=reduced)


def _solve_highs_arrays(
    mip: Any, cand: Candidates, scenario: Scenario, *, deadline: float, warm: np.ndarray | None,
    n_cols: int | None = None, stop: threading.Event | None = None,
) -> _Outcome:
    import highspy

    settings = scenario.solver
    h = _new_highs(deadline - time.monotonic(), threads=settings.threads or 1)
    h.setOptionValue("mip_rel_gap", settings.mip_gap)
    h.setOptionValue("mip_abs_gap", _abs_gap(cand))
    h.passModel(mip)
    n = len(cand.pairs) if n_cols is None else n_cols
    if warm is not None and settings.warm_start:
        vals = np.zeros(n)
        vals[warm] = 1.0
        h.setSolution(n, np.arange(n, dtype=np.int32), vals)
    how = _run_highs(h, deadline, stop)
    if how == "abandoned":
        return _Outcome("highs", "none", None, math.nan,
                        "HiGHS 超时未停止，已放弃 | HiGHS overran its time limit and was abandoned")
    hs = highspy.HighsModelStatus
    ms = h.getModelStatus()
    info = h.getInfo()
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else math.nan
    if ms in (hs.kInfeasible, hs.kUnboundedOrInfeasible):
        return _Outcome("highs", "none", None, math.nan, _FALSE_INFEASIBLE)
    chosen = None
    if info.primal_solution_status == 2:
        chosen = np.flatnonzero(np.asarray(h.getSolution().col_value, float) > 0.5).astype(np.int64)
    if ms == hs.kOptimal and chosen is not None:
        st: Status = "optimal"
    elif ms in (hs.kTimeLimit, hs.kInterrupt) or how == "cancelled":
        st = "time_limit"
    elif chosen is not None:
        st = "feasible"
    else:
        return _Outcome("highs", "none", None, bound, f"HiGHS status {ms}")
    msg = "" if chosen is not None else "HiGHS 未找到方案 | HiGHS found no plan within the time limit"
    return _Outcome("highs", st, chosen, bound, msg)


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
        fails = pair_failures(st, pj, scenario, p_pos[p], s_pos[s])
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
        if total > cap * (1 + 1e-9) + 1e-9:
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
    for p, ks in _groups(pairs["p"].to_numpy()):
        if len(ks) > 1:
            prob += pulp.LpAffineExpression([(xs[k], 1.0) for k in ks]) <= 1, f"one_{p}"
    need = pairs["need"].to_numpy(float)
    cap = candidates.sites["capacity"].to_numpy(float)
    for s, ks in _groups(pairs["s"].to_numpy()):
        if relax or need[ks].sum() > cap[s] * (1 + 1e-9) + 1e-9:
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
        if need[k] <= left[s] * (1 + 1e-9) + 1e-9:
            left[s] -= need[k]
            placed.add(p)
            chosen.append(int(k))
    return np.array(sorted(chosen), dtype=np.int64)


def lp_relaxation(
    candidates: Candidates,
    scenario: Scenario,
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    _model: pulp.LpProblem | None = None,
) -> LpBound:
    """The LP relaxation's bound and each site's capacity shadow price.

    Parameters
    ----------
    solver
        ``"highs"`` (default, CBC if it fails) or ``"cbc"``.
    time_limit_s
        When the LP is not solved within it, the bound is NaN and ``status`` is ``"failed"``.

    Returns
    -------
    LpBound
        ``duals`` has ``site_id``, ``unit``, ``capacity``, ``dual`` (亿元 per mu or per m2: what one more
        unit of that site's capacity would add to the LP objective) and ``binding``.
    """
    cols = _DUAL_COLUMNS
    if candidates.pairs.empty:
        return LpBound(0.0, pd.DataFrame(columns=cols))
    name = (solver or scenario.solver.name).lower()
    big = len(candidates.pairs) >= ARRAY_PAIRS
    if _model is None and name == "highs" and big and pulp.HiGHS(msg=False).available():
        relaxed, _, cap_rows = heur.highs_lp(heur.PairArrays.of(candidates), relax=True, rows="all")
        until = time.monotonic() + (time_limit_s if time_limit_s is not None else 3600.0)
        lp = _highs_lp_solve(candidates, relaxed, cap_rows, until=until)
        if len(lp.x):
            return lp
    prob = _model if _model is not None else build_model(candidates, None, scenario, relax=True)
    until = time.monotonic() + time_limit_s if time_limit_s is not None else math.inf
    for eng_name in (["highs", "cbc"] if name == "highs" else ["cbc"]):
        left = until - time.monotonic()
        if left <= 0.01:
            continue
        tl = None if math.isinf(left) else left
        eng: pulp.LpSolver = (pulp.HiGHS(msg=False, mip=False, threads=1, timeLimit=tl) if eng_name == "highs"
                              else pulp.PULP_CBC_CMD(msg=False, mip=False, timeLimit=tl))
        if not eng.available():
            continue
        try:
            prob.solve(eng)
        except pulp.PulpSolverError:
            continue
        if prob.status == pulp.LpStatusOptimal and prob.sol_status == pulp.LpSolutionOptimal:
            break  # an LP stopped early is no bound
    else:
        return LpBound(math.nan, pd.DataFrame(columns=cols), status="failed")
    bound = float(sum(float(v.varValue or 0.0) * c for v, c in prob.objective.items()))
    rows = []
    st = candidates.sites
    for cname, con in prob.constraints.items():
        if not cname.startswith("cap_"):
            continue
        s = int(cname[4:])
        dual = abs(float(con.pi or 0.0))
        slack = float(con.slack or 0.0)
        rows.append((str(st.at[s, "site_id"]), str(st.at[s, "unit"]), float(st.at[s, "capacity"]), dual,
                     abs(slack) <= 1e-7 * max(1.0, float(st.at[s, "capacity"]))))
    duals = pd.DataFrame(rows, columns=cols).sort_values("site_id", kind="stable").reset_index(drop=True)
    x = np.zeros(len(candidates.pairs))
    for v in prob.variables():
        if v.name.startswith("x_"):
            x[int(v.name[2:])] = float(v.varValue or 0.0)
    return LpBound(bound, duals, x=x)


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
        if u > cap[s] * (1 + 1e-9) + 1e-6:
            out.append(f"site {s} over capacity: {u} > {cap[s]}")
    for p, s in set(cand.pairs.loc[cand.pairs["locked"], ["project_id", "site_id"]].itertuples(index=False)):
        if plan.site_of(p) != s:
            out.append(f"lock {p} -> {s} not honoured")
    return out


# --- solving ----------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    solver: str
    status: Status | Literal["none"]
    chosen: np.ndarray | None
    bound: float
    message: str = ""


def _run_solver(
    name: str, model: pulp.LpProblem, cand: Candidates, greedy: np.ndarray, scenario: Scenario, *,
    deadline: float, arrays: heur.PairArrays | None = None, best: np.ndarray | None = None,
) -> _Outcome:
    if name == "highs":
        warm = np.zeros(len(cand.pairs))
        warm[greedy] = 1.0
        start = warm if scenario.solver.warm_start else None
        # ``solver.threads = 1`` asks for one thread: no race, and the same plan on every run (sweeps)
        if arrays is None or best is None or not RACE or scenario.solver.threads == 1:
            return _solve_highs(model, cand, scenario, deadline=deadline, warm=start)
        return _race_highs(model, cand, scenario, arrays, deadline=deadline, start=start, best=best)
    return _solve_cbc(model, cand, scenario, deadline=deadline)


def _race_highs(
    model: pulp.LpProblem, cand: Candidates, scenario: Scenario, arrays: heur.PairArrays, *, deadline: float,
    start: np.ndarray | None, best: np.ndarray,
) -> _Outcome:
    """Two HiGHS runs at once, one per core; the first to prove its plan optimal stops the other.

    How long HiGHS takes to prove these small optima swings wildly with its starting plan and options,
    and not the same way for every weighting: on the 2022 sample, for the same model, 0.03-12 s. The
    two runs: the PuLP model from the ratio-order greedy plan (the single run before the race), and the
    model built from arrays from the best plan found so far (greedy, LP rounding or an earlier plan).
    Measured through ``allocate`` on the four bundled scenarios and 16 random weightings: median 1.8 s,
    90th percentile 3.2-3.4 s, slowest 4.3-4.5 s, against 1.7 s, 7.2 s and 9.4 s for the single run
    (a third racer without presolve made it slower: median 2.2 s). Neither proving: the better plan and
    the lower of the two bounds.
    """
    if not pulp.HiGHS(msg=False).available():
        raise SolverError("HiGHS (highspy) is not installed")
    stop = threading.Event()
    mip, _, _ = heur.highs_lp(arrays, relax=False)
    warm_best = best if scenario.solver.warm_start else None
    racers: dict[str, Callable[[], _Outcome]] = {
        "pulp": lambda: _solve_highs(model, cand, scenario, deadline=deadline, warm=start, stop=stop),
        "best": lambda: _solve_highs_arrays(mip, cand, scenario, deadline=deadline, warm=warm_best, stop=stop),
    }
    got: dict[str, _Outcome | BaseException] = {}

    def run(key: str) -> None:
        try:
            out = racers[key]()
            got[key] = out
            if out.status == "optimal":
                stop.set()
        except Exception as exc:  # the others stand without it
            got[key] = exc

    workers = [threading.Thread(target=run, args=(k,), name=f"zq-land-highs-race-{k}", daemon=True)
               for k in racers]
    for w in workers:
        w.start()
    for w in workers:
        w.join(max(0.0, deadline - time.monotonic()) + GRACE_S + 1.0)
    if all(isinstance(g, BaseException) for g in got.values()) and got:
        raise next(iter(got.values()))  # type: ignore[misc]
    outcomes = [o for o in got.values() if isinstance(o, _Outcome)]
    first = outcomes[0] if outcomes else _Outcome("highs", "none", None, math.nan, "HiGHS gave no answer")
    proven = [o for o in outcomes if o.status == "optimal" and o.chosen is not None]
    if proven:
        return max(proven, key=lambda o: _objective(cand, o.chosen))
    with_plan = [o for o in outcomes if o.chosen is not None]
    bounds = [o.bound for o in outcomes if math.isfinite(o.bound)]
    bound = min(bounds) if bounds else math.nan
    if not with_plan:
        return replace(first, bound=bound)
    top = max(with_plan, key=lambda o: _objective(cand, o.chosen))
    return replace(top, bound=bound)


def _solve_highs(
    model: pulp.LpProblem, cand: Candidates, scenario: Scenario, *, deadline: float, warm: np.ndarray | None,
    stop: threading.Event | None = None,
) -> _Outcome:
    if not pulp.HiGHS(msg=False).available():
        raise SolverError("HiGHS (highspy) is not installed")
    import highspy

    _silence_highs_banner()

    settings = scenario.solver
    remaining = max(0.05, deadline - time.monotonic())
    eng = pulp.HiGHS(msg=False, timeLimit=remaining, gapRel=settings.mip_gap, gapAbs=_abs_gap(cand),
                     threads=settings.threads or 1, random_seed=0)
    eng.createAndConfigureSolver(model)
    eng.buildSolverModel(model)
    h = model.solverModel
    if warm is not None:
        idx = np.array([v.index for v in model.variables()], dtype=np.int32)
        vals = np.array([warm[int(v.name[2:])] for v in model.variables()], dtype=np.float64)
        h.setSolution(len(idx), idx, vals)
    how = _run_highs(h, deadline, stop)
    if how == "abandoned":
        return _Outcome("highs", "none", None, math.nan,
                        "HiGHS 超时未停止，已放弃 | HiGHS overran its time limit and was abandoned")
    cancelled = how == "cancelled"
    status, sol_status = eng.findSolutionValues(model)
    model.assignStatus(status, sol_status)
    ms = h.getModelStatus()
    info = h.getInfo()
    hs = highspy.HighsModelStatus
    bound = -float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else math.nan
    if ms in (hs.kInfeasible, hs.kUnboundedOrInfeasible):
        return _Outcome("highs", "none", None, math.nan, _FALSE_INFEASIBLE)
    has_sol = (sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
               and info.primal_solution_status == 2)
    chosen = _chosen(model, len(cand.pairs)) if has_sol else None
    if ms == hs.kOptimal and status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal:
        st: Status = "optimal"
    elif ms in (hs.kTimeLimit, hs.kInterrupt) or cancelled:
        st = "time_limit"
    elif has_sol:
        st = "feasible"
    else:
        return _Outcome("highs", "none", None, bound, f"HiGHS status {ms}")
    msg = "" if chosen is not None else "HiGHS 未找到方案 | HiGHS found no plan within the time limit"
    return _Outcome("highs", st, chosen, bound, msg)


def _solve_cbc(model: pulp.LpProblem, cand: Candidates, scenario: Scenario, *, deadline: float) -> _Outcome:
    settings = scenario.solver
    fd, log = tempfile.mkstemp(prefix="zq_cbc_", suffix=".log")
    os.close(fd)
    # No MIP start for CBC: CBC 2.10 crashes (SIGSEGV) when a start (-mips) is given and the time
    # limit stops it early. A plan worse than the greedy one is replaced by it afterwards anyway.
    # CBC's clock starts after PuLP has written the MPS file and stops before the solution is read
    overhead = 0.3 + 2e-5 * len(cand.pairs)
    remaining = deadline - time.monotonic() - overhead
    eng = pulp.PULP_CBC_CMD(msg=False, timeLimit=round(max(0.1, remaining), 2), gapRel=settings.mip_gap,
                            gapAbs=_abs_gap(cand), threads=settings.threads, warmStart=False, logPath=log,
                            options=["randomSeed 1", "randomCbcSeed 1"])
    try:
        if not eng.available():
            raise SolverError("CBC is not available")
        box: dict[str, Any] = {}
        thread = threading.Thread(target=_run_into, args=(model, eng, box), name="zq_land-cbc", daemon=True)
        thread.start()
        thread.join(max(0.0, deadline - time.monotonic()) + GRACE_S)
        if thread.is_alive():
            return _Outcome("cbc", "none", None, math.nan,
                            "CBC 超时未停止，已放弃 | CBC overran its time limit and was abandoned")
        if "error" in box:
            raise box["error"]
        with open(log, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    finally:
        with contextlib.suppress(OSError):  # an abandoned CBC may still hold it open on some systems
            os.unlink(log)
    status, sol_status = model.status, model.sol_status
    if status == pulp.LpStatusInfeasible:
        return _Outcome("cbc", "none", None, math.nan, _FALSE_INFEASIBLE)
    has_sol = sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    chosen = _chosen(model, len(cand.pairs)) if has_sol else None
    stopped = "Stopped on time" in text or "Stopped on" in text
    obj = _objective(cand, chosen) if chosen is not None else math.nan
    bound = _cbc_bound(text, obj)
    if status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal and not stopped:
        return _Outcome("cbc", "optimal", chosen, obj)
    if chosen is None:
        return _Outcome("cbc", "time_limit" if stopped else "none", None, bound,
                        "CBC 未找到可行解 | CBC found no solution")
    return _Outcome("cbc", "time_limit" if stopped else "feasible", chosen, bound)


def _abandon(h: Any, thread: threading.Thread) -> None:
    """Keep a cancelled HiGHS solve that has not stopped, and wait for it at interpreter exit.

    A C++ solver thread still running when Python finalises aborts the process ("terminate called
    without an active exception"): the CLI would exit 134 instead of 0.
    """
    with _ABANDONED_LOCK:
        if not _ABANDONED:
            atexit.register(_wait_abandoned)
        _ABANDONED.append((h, thread))


def _wait_abandoned(timeout_s: float = 60.0) -> None:
    until = time.monotonic() + timeout_s
    with _ABANDONED_LOCK:
        items = list(_ABANDONED)
    for h, thread in items:
        with contextlib.suppress(Exception):
            h.cancelSolve()
        thread.join(max(0.0, until - time.monotonic()))


def _run_into(model: pulp.LpProblem, eng: pulp.LpSolver, box: dict[str, Any]) -> None:
    try:
        box["status"] = model.solve(eng)
    except Exception as exc:  # reported by the caller
        box["error"] = exc


def _cbc_bound(log: str, obj: float) -> float:
    m = re.search(r"(?:Lower|Upper) bound:\s*(-?[\d.eE+-]+)", log)
    if not m or not math.isfinite(obj):
        return math.nan
    val = float(m.group(1))
    options = [v for v in (val, -val) if v >= obj - 1e-6 * max(1.0, abs(obj))]
    return min(options) if options else math.nan


def _chosen(model: pulp.LpProblem, n: int) -> np.ndarray:
    vals = np.zeros(n)
    for v in model.variables():
        if v.name.startswith("x_"):
            vals[int(v.name[2:])] = float(v.varValue or 0.0)
    return np.flatnonzero(vals > 0.5).astype(np.int64)


def _finish(
    cand: Candidates, outcome: _Outcome | None, heuristic: np.ndarray, g_obj: float, lp: LpBound,
    scenario: Scenario, notes: Sequence[str], build_s: float, solve_s: float, limit: float,
    source: str = "greedy",
) -> Plan:
    """The plan from the solver's outcome, or the heuristic plan (greedy, LP-rounded or core MIP: named by
    ``source``) when it has none or a worse one."""
    n_pairs = len(cand.pairs)
    h_obj = _objective(cand, heuristic)
    lp_b = lp.bound
    plain_b = lp.plain_bound if math.isfinite(lp.plain_bound) else lp_b  # small models: no cuts
    notes = list(notes)
    if outcome is None or outcome.chosen is None:
        stopped = outcome is not None and (outcome.status == "time_limit" or "time" in outcome.message)
        status: Status = "time_limit" if stopped else "feasible"
        bound = _best_bound(outcome.bound if outcome else math.nan, lp_b, h_obj, _trivial_bound(cand))
        grain = objective_grain(cand)
        if grain and bound - h_obj < grain * (1 - 1e-6):
            bound, status = h_obj, "optimal"  # the bound proves the heuristic plan optimal
        msg = "求解器未给出方案，返回贪心方案 | no solver produced a plan; this is the greedy plan"
        if status == "optimal":
            msg = ("求解器未给出方案，返回贪心方案，其已由上界证明最优 | no solver produced a plan; this is "
                   "the greedy plan, proven optimal by the bound")
        rep = SolveReport(status, "greedy", h_obj, bound, _gap(h_obj, bound), build_s, solve_s, g_obj, lp_b,
                          msg, tuple(notes), n_pairs, limit, plain_b)
        return Plan(_assignments(cand, heuristic), rep, cand, lp)
    chosen = outcome.chosen
    obj = _objective(cand, chosen)
    solver_name = outcome.solver
    status = outcome.status if outcome.status != "none" else "feasible"
    problems = _violations(cand, chosen)
    if problems:
        notes.append(f"{outcome.solver}: invalid plan ({'; '.join(problems[:3])}), greedy used")
        chosen, obj, solver_name, status = heuristic, h_obj, "greedy", "feasible"
    elif obj < h_obj - 1e-9:
        notes.append(f"{outcome.solver}: incumbent {obj:.4f} below the {source} plan {h_obj:.4f}, which is kept")
        chosen, obj, solver_name = heuristic, h_obj, f"{outcome.solver}+{source}"
        if status == "optimal":
            status = "feasible"
    bound = _best_bound(outcome.bound, lp_b, obj, _trivial_bound(cand))
    grain = objective_grain(cand)
    if grain and bound - obj < grain * (1 - 1e-6):
        bound = obj  # every objective value is a multiple of grain: nothing better than obj exists
        if status in ("time_limit", "feasible") and solver_name == outcome.solver:
            status = "optimal"
    if status == "optimal":
        bound = obj if not math.isfinite(outcome.bound) else min(bound, max(obj, outcome.bound))
    gap = _gap(obj, bound)
    if status == "optimal" and gap > scenario.solver.mip_gap + 1e-6:
        status = "feasible"
    msg = {
        "optimal": "已证明最优 | proven optimal",
        "time_limit": f"达到时间上限，相对差距 {gap:.2%} | stopped at the time limit, relative gap {gap:.2%}",
        "feasible": f"可行方案，未证明最优，与上界相对差距 {gap:.2%} | a feasible plan, not proven optimal, "
                    f"relative gap to the bound {gap:.2%}",
    }[status]
    rep = SolveReport(status, solver_name, obj, bound, gap, build_s, solve_s, g_obj, lp_b, msg, tuple(notes),
                      n_pairs, limit, plain_b)
    return Plan(_assignments(cand, chosen), rep, cand, lp)


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


def _abs_gap(cand: Candidates) -> float:
    grain = objective_grain(cand)
    return grain * 0.999 if grain else 1e-6


def _best_bound(mip_bound: float, lp_bound: float, obj: float, trivial: float) -> float:
    cands = [b for b in (mip_bound, lp_bound, trivial) if math.isfinite(b)]
    if not cands:
        return math.nan
    return max(min(cands), obj)


def _trivial_bound(cand: Candidates) -> float:
    """Every project on its best site (locked ones on theirs), capacity ignored: needs no solver."""
    pairs = cand.pairs
    if pairs.empty:
        return 0.0
    locked = pairs["locked"].to_numpy(bool)
    locked_p = np.isin(pairs["p"].to_numpy(), pairs["p"].to_numpy()[locked])
    free = pairs.loc[~locked_p]
    best_free = free["coefficient"].clip(lower=0.0).groupby(free["p"]).max().sum()
    return float(best_free + pairs.loc[locked, "coefficient"].sum())


def _gap(obj: float, bound: float) -> float:
    if not (math.isfinite(obj) and math.isfinite(bound)):
        return math.nan
    diff = max(0.0, bound - obj)
    if diff <= 1e-9 * max(1.0, abs(bound)):
        return 0.0
    return diff / max(abs(obj), 1e-10)


def _objective(cand: Candidates, chosen: np.ndarray | None) -> float:
    if chosen is None or len(chosen) == 0:
        return 0.0
    return float(cand.pairs["coefficient"].to_numpy(float)[chosen].sum())


def _violations(cand: Candidates, chosen: np.ndarray) -> list[str]:
    pairs = cand.pairs.iloc[chosen]
    out = []
    if pairs["p"].duplicated().any():
        out.append("a project on two sites")
    use = pairs.groupby("s")["need"].sum()
    cap = cand.sites["capacity"].to_numpy(float)
    for s, u in use.items():
        if u > cap[int(s)] * (1 + 1e-7) + 1e-6:
            out.append(f"site {cand.sites.at[int(s), 'site_id']} over capacity")
    lk = cand.pairs.index[cand.pairs["locked"]].to_numpy()
    if len(np.setdiff1d(lk, chosen)):
        out.append("a lock not honoured")
    return out


def _assignments(cand: Candidates, chosen: np.ndarray) -> pd.DataFrame:
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


def _groups(keys: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(key, row positions) per distinct key, in key order."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    uniq, starts = np.unique(keys[order], return_index=True)
    bounds = [*starts[1:], len(order)]
    return [(int(u), order[a:b]) for u, a, b in zip(uniq, starts, bounds, strict=True)]


__all__ = [
    "LpBound", "Plan", "SolveReport", "build_model", "check_locks", "eligible_pairs", "greedy_allocation",
    "lp_relaxation", "plan_violations", "solve_allocation",
]


@functools.cache
def _silence_highs_banner() -> None:
    """HiGHS prints its banner on stdout when the process creates its first solver, whatever the
    options; it would end up in the CLI's output and in piped reports. Create that first one with the
    stdout file descriptor pointed at /dev/null (once per process)."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
