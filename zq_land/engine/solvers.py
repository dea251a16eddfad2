"""The solvers and the clock: HiGHS (PuLP or arrays), CBC, the canonical solve, deadlines, abandoning.

The time limit is kept here, not trusted to the solver: HiGHS runs in a thread of ours that is
cancelled at the limit and abandoned (its incumbent or the greedy plan returned) a few seconds later
(``GRACE_S``); a solve left running is waited for at interpreter exit, so the command line still exits
0. Each adapter returns an :class:`Outcome` (solver, status, chosen pairs, bound, message); the
pipeline (:mod:`.pipeline`) decides what to do with it. :func:`lp_relaxation` solves the LP relaxation
(its bound and capacity duals).
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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd
import pulp

from .._errors import SolverError
from ..scenario import Scenario
from ..text import EMPTY, Text
from . import heuristics as heur
from . import model as engine_model  # its ARRAY_PAIRS is read at each call (tests change it)
from . import pricing
from .eligibility import Candidates
from .model import DUAL_COLUMNS, LpBound, Status, abs_gap, build_model, plan_objective

if TYPE_CHECKING:
    from .progress import Progress
    from .stability import TieBreak

#: Seconds past the time limit after which a solver that has not stopped is abandoned.
GRACE_S: Final = 3.0
# HiGHS solves that ignored the cancel and were left running (see _abandon): process-wide by nature.
_ABANDONED: list[tuple[Any, threading.Thread]] = []
_ABANDONED_LOCK = threading.Lock()
# The task of :func:`alongside_solver` not yet started, and the thread of the one started (process-wide too).
_ALONGSIDE: dict[str, Any] = {}
_ALONGSIDE_LOCK = threading.Lock()
# After check_locks, placing only the locked projects is always feasible: a solver that says otherwise
# has failed (CBC does so when its limit stops it in presolve), and the next solver or greedy takes over.
FALSE_INFEASIBLE: Final = Text("求解器误报无可行解（仅安排锁定项目即为可行方案）",
                                "the solver reported the model infeasible, but placing only the locked projects "
                                "is feasible")
ABANDONED: Final = {name: Text(f"{name} 超时未停止，已放弃", f"{name} overran its time limit and was abandoned")
                    for name in ("HiGHS", "CBC")}
NO_PLAN: Final = Text("HiGHS 未找到方案", "HiGHS found no plan within the time limit")
#: HiGHS options of the canonical solve at zone scale (the pruned MIP) beyond :func:`new_highs`'s. Feasibility
#: jump (a primal heuristic run once after presolve) found nothing the root's own heuristics did not: on
#: 500 x 1,000 seeds 1-6 it cost 0.3-1.1 s of 0.8-4.3 s (CPU seconds, the same optima). On the 2022 sample's
#: small models it is cheap and its first plan sometimes matters (30 cold cases: 5 of them 3-5x slower without it).
#: Presolve in its "initial sweep" mode (``presolve_mode = 1``, HiGHS 1.16): the full presolve's probing of the
#: pruned MIP's ~15k binaries took 0.5-0.8 s and bought the search less than it cost; 500 x 1,000 seeds 1-10,
#: the MIP alone: 25.3 -> 17.3 s in all, faster on 9 seeds and level on one, the same optima (the canonical
#: plan among equal ones may change with it). Not for the sample's small MIPs: on ``bench_cold``'s 30 cases it
#: was slower in 11 and the median did not move.
ZONE_OPTIONS: Final[Mapping[str, object]] = {"mip_heuristic_run_feasibility_jump": False, "presolve_mode": 1}
#: Share of the time left the zone-scale proof by the site-pattern bound may take before the MIP (it converged in
#: 0.4-1.6 s at 500 x 1,000), and its step per site (its bound is at most this much per site above the pattern LP's
#: optimum: well under the canonical solve's absolute gap)
PATTERN_PROOF_SHARE: Final = 0.3
PATTERN_PROOF_TOL: Final = 1e-8
#: Share of the time left the MIP over the patterns found may take there (0.1-0.5 s at 500 x 1,000)
PATTERN_PLAN_PROOF_SHARE: Final = 0.25
PATTERN_PROOF: Final = Text("由地块组合上界证明最优", "proven optimal by the site-pattern bound")


@dataclass
class Outcome:
    solver: str
    status: Status | Literal["none"]
    chosen: np.ndarray | None
    bound: float
    message: Text = EMPTY


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
    cols = DUAL_COLUMNS
    if candidates.pairs.empty:
        return LpBound(0.0, pd.DataFrame(columns=cols))
    name = (solver or scenario.solver.name).lower()
    big = len(candidates.pairs) >= engine_model.ARRAY_PAIRS
    if _model is None and name == "highs" and big and pulp.HiGHS(msg=False).available():
        relaxed, _, cap_rows = heur.highs_lp(heur.PairArrays.of(candidates), relax=True, rows="all")
        until = time.monotonic() + (time_limit_s if time_limit_s is not None else 3600.0)
        lp = highs_lp_solve(candidates, relaxed, cap_rows, until=until)
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


def run_solver(
    name: str, model: pulp.LpProblem, cand: Candidates, greedy: np.ndarray, scenario: Scenario, *,
    deadline: float, arrays: heur.PairArrays | None = None, best: np.ndarray | None = None,
) -> Outcome:
    """One solver on the PuLP model (small models use :func:`solve_canonical` for HiGHS; this is the
    fallback path). The race of two HiGHS runs that used to decide small models is gone: which optimal plan
    won depended on the machine's load (issue 11)."""
    if name == "highs":
        warm = np.zeros(len(cand.pairs))
        warm[greedy] = 1.0
        start = warm if scenario.solver.warm_start else None
        return solve_highs(model, cand, scenario, deadline=deadline, warm=start)
    return solve_cbc(model, cand, scenario, deadline=deadline)


def solve_highs(
    model: pulp.LpProblem, cand: Candidates, scenario: Scenario, *, deadline: float, warm: np.ndarray | None,
    stop: threading.Event | None = None,
) -> Outcome:
    if not pulp.HiGHS(msg=False).available():
        raise SolverError("HiGHS (highspy) is not installed")
    import highspy

    silence_highs_banner()

    settings = scenario.solver
    remaining = max(0.05, deadline - time.monotonic())
    eng = pulp.HiGHS(msg=False, timeLimit=remaining, gapRel=settings.mip_gap, gapAbs=abs_gap(cand),
                     threads=settings.threads or 1, random_seed=0)
    eng.createAndConfigureSolver(model)
    eng.buildSolverModel(model)
    h = model.solverModel
    if warm is not None:
        idx = np.array([v.index for v in model.variables()], dtype=np.int32)
        vals = np.array([warm[int(v.name[2:])] for v in model.variables()], dtype=np.float64)
        h.setSolution(len(idx), idx, vals)
    how = run_highs(h, deadline, stop, mip=True)
    if how == "abandoned":
        return Outcome("highs", "none", None, math.nan, ABANDONED["HiGHS"])
    cancelled = how == "cancelled"
    status, sol_status = eng.findSolutionValues(model)
    model.assignStatus(status, sol_status)
    ms = h.getModelStatus()
    info = h.getInfo()
    hs = highspy.HighsModelStatus
    bound = -float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else math.nan
    if ms in (hs.kInfeasible, hs.kUnboundedOrInfeasible):
        return Outcome("highs", "none", None, math.nan, FALSE_INFEASIBLE)
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
        return Outcome("highs", "none", None, bound, Text.same(f"HiGHS status {ms}"))
    return Outcome("highs", st, chosen, bound, EMPTY if chosen is not None else NO_PLAN)


def solve_canonical(
    cand: Candidates, arrays: heur.PairArrays, scenario: Scenario, *, deadline: float,
    reference: pd.DataFrame | None = None, max_loss_share: float = 0.0, prune: bool = False,
    columns: np.ndarray | None = None, progress: Progress | None = None,
) -> Outcome:
    """The canonical plan (:mod:`.stability`): one HiGHS run in a fixed configuration (one thread, seed 0,
    no start plan, packing cuts as rows) on the objective with its tie-break; with a reference plan and
    ``max_loss_share`` > 0, a second run keeps (1 - share) of the optimum and maximises the kept placements.

    ``progress`` (:mod:`.progress`) is offered each improving plan of the MIPs as HiGHS finds it.

    Measured on the five bundled scenarios (``docs/TRUST.md``): one plan each, the whole command 0.97x the
    race's time (alternated in one run, a loaded 2-core machine); the race gave ``review_2022_recorded`` two plans.
    """
    from .stability import second_stage, tie_break

    if not pulp.HiGHS(msg=False).available():
        raise SolverError("HiGHS (highspy) is not installed")
    from .model import objective_grain

    # without a round grain the kept bonus could trade a sliver of objective for a kept placement: then the
    # optimum is found first (the plan a run without reference gives) and the kept placements maximised
    # with the objective held at it
    one_solve = objective_grain(cand) is not None and max_loss_share <= 0
    tb = tie_break(cand, reference, kept_bonus=one_solve)
    fixed = replace(scenario, solver=replace(scenario.solver, threads=1))
    pruned = _pruned(arrays, tb.cost, deadline, columns) if prune and reference is None else None
    proven, pattern_bound = None, math.nan
    keep = None if pruned is None else pruned.keep
    if pruned is not None:
        # the MIP over the pairs reduced-cost fixing leaves runs only when the pattern bound proves nothing
        # (fixing against the pattern LP's better plan as well changed the MIP's time both ways: 2.3 / 8.3 /
        # 8.3 s against 3.1 / 8.5 / 4.2 s on the three seeds of ten it did not prove)
        proven, pattern_bound = _proven_by_patterns(
            arrays, tb, pruned, deadline, abs_gap(cand) if objective_grain(cand) is not None else None)
    if proven is not None:
        first = proven
    elif keep is not None:
        # reduced-cost fixing: the MIP over the pairs that can beat the rounded LP's plan proves the optimum
        # of the full model (a deterministic function of the inputs: the same inputs give the same plan)
        small = pricing.PairLp(arrays, cuts=True, cost=tb.cost).highs_model(keep, integer=True)
        first = solve_highs_arrays(small, cand, fixed, deadline=deadline, warm=None, gap_abs=tb.abs_gap,
                                   n_cols=len(keep), options=ZONE_OPTIONS, progress=progress, index=keep)
        first = replace(first, solver="highs",
                        chosen=None if first.chosen is None else np.sort(keep[first.chosen]))
        if first.status != "optimal":  # the pattern bound, when there is one, bounds the plan's objective too
            first = replace(first, bound=float(np.fmin(first.bound, pattern_bound)))
    else:
        mip, _, _ = heur.highs_lp(arrays, relax=False, cuts=True)
        mip.col_cost_ = tb.cost.astype(np.float64)
        first = solve_highs_arrays(mip, cand, fixed, deadline=deadline, warm=None, gap_abs=tb.abs_gap,
                                   progress=progress)
        first = replace(first, solver="highs")
    if first.status == "optimal" and first.chosen is not None:
        # HiGHS's bound is the perturbed objective's; the proof says the plan's own objective is the optimum
        # (exactly with a grain, to within stability.FALLBACK_UNIT otherwise)
        first = replace(first, bound=plan_objective(cand, first.chosen))
    if first.status != "optimal" or first.chosen is None or one_solve or tb.n_ref == 0:
        return first
    mip, _, _ = heur.highs_lp(arrays, relax=False, cuts=True)
    coef = cand.pairs["coefficient"].to_numpy(float)
    z = float(coef[first.chosen].sum())
    if progress is not None:  # the optimum is known: it stands in while the fewest moves are sought
        progress.offer(first.chosen, z)
    floor = (1.0 - max_loss_share) * z - 1e-9 * max(1.0, abs(z))
    cost2, gap2 = second_stage(cand, tb)
    mip.col_cost_ = cost2.astype(np.float64)
    second = solve_highs_arrays(mip, cand, fixed, deadline=deadline, warm=first.chosen, gap_abs=gap2,
                                gap_rel=0.0, objective_floor=(coef, floor), progress=progress)
    if second.chosen is None or float(coef[second.chosen].sum()) < floor - 1e-9:
        return replace(first, message=Text("最少调整的第二次求解未给出方案，保留最优方案",
                                           "the minimal-change solve gave no plan; the optimal plan is kept"))
    # the bound stays the optimum's: the plan is proven to keep the most within the loss allowed
    return replace(second, solver="highs-min-change", bound=first.bound)


@dataclass(frozen=True)
class _Pruning:
    """What reduced-cost fixing found: the pairs left, the LP it priced them with and the LP rounded."""

    keep: np.ndarray
    lp: pricing.Priced
    plan: np.ndarray


def _pruned(
    arrays: heur.PairArrays, cost: np.ndarray, deadline: float, columns: np.ndarray | None = None
) -> _Pruning | None:
    """The pairs left by reduced-cost fixing against the rounded cut LP's plan, on the objective ``cost``;
    None when the LP does not finish in a fifth of the time left (the full model is solved then). Its column
    generation starts from ``columns`` (the pipeline's cut LP's: the same LP but for the tie-break), else from
    each project's best pairs and the unrepaired best-fit plan."""
    model = pricing.PairLp(arrays, cuts=True, cost=cost)
    start = (columns if columns is not None
             else pricing.initial_columns(model, 4, heur.best_fit_plan(arrays, improve_rounds=0)))
    until = time.monotonic() + 0.2 * (deadline - time.monotonic())
    lp = pricing.column_generation(model, start, until=until)
    if not lp.exact:
        return None
    plan = heur.round_lp(arrays, lp.x)
    return _Pruning(model.unfixed(lp.y, float(cost[plan].sum())), lp, plan)


def _proven_by_patterns(arrays: heur.PairArrays, tb: TieBreak, pruned: _Pruning, deadline: float,
                        grain_gap: float | None) -> tuple[Outcome | None, float]:
    """The canonical plan without a MIP, when the site-pattern bound (:mod:`.patterns`) on the canonical
    objective proves a plan: the rounded cut LP, the rounded pattern LP or the best plan made of the patterns
    found (:func:`~.patterns.pattern_plan`) within the canonical solve's own absolute gap of the bound (the
    criterion HiGHS's proof meets), or, with an objective grain, the plan's objective less than one grain
    below it (``grain_gap``: no plan can be a grain better; the site-order steer is then followed among the
    plans made of the patterns found). Measured on 500 x 1,000 seeds 1-10: 7 proven by a rounding in
    0.4-0.65 s, one more (seed 7) to the grain by the patterns' plan in 0.5 s more, where its MIP did not
    finish in 5 s. On seeds 4 and 9 that plan is the optimum but the bound lies a grain or more above it: the MIP
    runs as before (that plan as its start changed its time both ways, seed 9 3.1 -> 3.8 s, seed 4 1.2 -> 0.9 s;
    reduced-cost fixing against it kept 96-97 % of the pairs). Returns the proof (None when there is none) and
    the bound (nan when none)."""
    from . import patterns

    until = time.monotonic() + PATTERN_PROOF_SHARE * (deadline - time.monotonic())
    pb = patterns.pattern_bound(arrays, tb.cost, start=pruned.lp.cols, plans=(pruned.plan,), until=until,
                                tol_abs=PATTERN_PROOF_TOL)
    if not math.isfinite(pb.bound):
        return None, math.nan
    plans = [pruned.plan, heur.round_lp(arrays, pb.x)]
    values = [float(tb.cost[p].sum()) for p in plans]
    at = int(np.argmax(values))  # the first of equal ones: the same inputs give the same plan
    if pb.bound - values[at] <= tb.abs_gap:
        return Outcome("highs-patterns", "optimal", np.sort(plans[at]), pb.bound, PATTERN_PROOF), pb.bound
    if not pb.exact:
        return None, pb.bound
    made = patterns.pattern_plan(arrays, tb.cost, pb.columns,
                                 until=time.monotonic() + PATTERN_PLAN_PROOF_SHARE * (deadline - time.monotonic()))
    value = math.nan if made is None else float(tb.cost[made].sum())
    if made is None or value <= values[at]:
        return None, pb.bound
    if pb.bound - value <= tb.abs_gap or (
            grain_gap is not None and pb.bound - float(arrays.coef[made].sum()) <= grain_gap):
        return Outcome("highs-patterns", "optimal", made, pb.bound, PATTERN_PROOF), pb.bound
    return None, pb.bound


def solve_highs_arrays(
    mip: Any, cand: Candidates, scenario: Scenario, *, deadline: float, warm: np.ndarray | None,
    n_cols: int | None = None, stop: threading.Event | None = None, gap_abs: float | None = None,
    gap_rel: float | None = None, objective_floor: tuple[np.ndarray, float] | None = None,
    options: Mapping[str, object] | None = None, progress: Progress | None = None,
    index: np.ndarray | None = None,
) -> Outcome:
    """One HiGHS MIP over ``mip`` (whose columns are the pairs, or the pairs ``index`` names), within ``deadline``;
    each improving plan is offered to ``progress`` as HiGHS finds it (its callback only observes)."""
    import highspy

    settings = scenario.solver
    h = new_highs(deadline - time.monotonic(), threads=settings.threads or 1)
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    h.setOptionValue("mip_rel_gap", settings.mip_gap if gap_rel is None else gap_rel)
    h.setOptionValue("mip_abs_gap", abs_gap(cand) if gap_abs is None else gap_abs)
    h.passModel(mip)
    n = len(cand.pairs) if n_cols is None else n_cols
    if objective_floor is not None:  # sum coef x >= floor: the plan keeps that much of the optimum
        coef, floor = objective_floor
        nz = np.flatnonzero(coef != 0).astype(np.int32)
        h.addRow(float(floor), highspy.kHighsInf, len(nz), nz, coef[nz].astype(np.float64))
    if warm is not None and (settings.warm_start or objective_floor is not None):
        vals = np.zeros(n)
        vals[warm] = 1.0
        h.setSolution(n, np.arange(n, dtype=np.int32), vals)
    if progress is None:
        how = run_highs(h, deadline, stop, mip=True)
    else:
        _listen(h, progress, cand.pairs["coefficient"].to_numpy(float), index)
        with progress.solving():
            how = run_highs(h, deadline, stop if stop is not None else progress.stop, mip=True)
    if how == "abandoned":
        return Outcome("highs", "none", None, math.nan, ABANDONED["HiGHS"])
    hs = highspy.HighsModelStatus
    ms = h.getModelStatus()
    info = h.getInfo()
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else math.nan
    if ms in (hs.kInfeasible, hs.kUnboundedOrInfeasible):
        return Outcome("highs", "none", None, math.nan, FALSE_INFEASIBLE)
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
        return Outcome("highs", "none", None, bound, Text.same(f"HiGHS status {ms}"))
    return Outcome("highs", st, chosen, bound, EMPTY if chosen is not None else NO_PLAN)


def _listen(h: Any, progress: Progress, coef: np.ndarray, index: np.ndarray | None) -> None:
    """Offer HiGHS's improving plans to ``progress``: the callback runs in HiGHS's thread, reads only the plan
    HiGHS hands it and the objective's coefficients, and never fails the solve."""

    def improving(event: Any) -> None:
        with contextlib.suppress(Exception):
            x = np.flatnonzero(np.asarray(event.data_out.mip_solution, float) > 0.5)
            if index is not None:
                x = index[x]
            progress.offer(x, float(coef[x].sum()))

    h.cbMipImprovingSolution.subscribe(improving)


def solve_cbc(model: pulp.LpProblem, cand: Candidates, scenario: Scenario, *, deadline: float) -> Outcome:
    settings = scenario.solver
    fd, log = tempfile.mkstemp(prefix="zq_cbc_", suffix=".log")
    os.close(fd)
    # No MIP start for CBC: CBC 2.10 crashes (SIGSEGV) when a start (-mips) is given and the time
    # limit stops it early. A plan worse than the greedy one is replaced by it afterwards anyway.
    # CBC's clock starts after PuLP has written the MPS file and stops before the solution is read
    overhead = 0.3 + 2e-5 * len(cand.pairs)
    remaining = deadline - time.monotonic() - overhead
    eng = pulp.PULP_CBC_CMD(msg=False, timeLimit=round(max(0.1, remaining), 2), gapRel=settings.mip_gap,
                            gapAbs=abs_gap(cand), threads=settings.threads, warmStart=False, logPath=log,
                            options=["randomSeed 1", "randomCbcSeed 1"])
    try:
        if not eng.available():
            raise SolverError("CBC is not available")
        box: dict[str, Any] = {}
        thread = threading.Thread(target=_run_into, args=(model, eng, box), name="zq_land-cbc", daemon=True)
        thread.start()
        thread.join(max(0.0, deadline - time.monotonic()) + GRACE_S)
        if thread.is_alive():
            return Outcome("cbc", "none", None, math.nan, ABANDONED["CBC"])
        if "error" in box:
            raise box["error"]
        with open(log, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    finally:
        with contextlib.suppress(OSError):  # an abandoned CBC may still hold it open on some systems
            os.unlink(log)
    status, sol_status = model.status, model.sol_status
    if status == pulp.LpStatusInfeasible:
        return Outcome("cbc", "none", None, math.nan, FALSE_INFEASIBLE)
    has_sol = sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    chosen = _chosen(model, len(cand.pairs)) if has_sol else None
    stopped = "Stopped on time" in text or "Stopped on" in text
    obj = plan_objective(cand, chosen) if chosen is not None else math.nan
    bound = _cbc_bound(text, obj)
    if status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal and not stopped:
        return Outcome("cbc", "optimal", chosen, obj)
    if chosen is None:
        return Outcome("cbc", "time_limit" if stopped else "none", None, bound,
                       Text("CBC 未找到可行解", "CBC found no solution"))
    return Outcome("cbc", "time_limit" if stopped else "feasible", chosen, bound)


@contextlib.contextmanager
def alongside_solver(task: Callable[[], object]) -> Iterator[None]:
    """Run ``task`` in a thread of its own from the first HiGHS MIP inside the block; wait for it at the end.

    HiGHS releases the interpreter while it runs, so on a second core a task given here costs the solve
    nothing: the command line prepares its outputs there (imports Folium, whose templates compile at import,
    and openpyxl: 0.4-0.8 s it would otherwise spend after the solve; :func:`zq_land.prepare_outputs`).
    A task that fails is ignored (what it would have prepared is then done where it is needed, and fails there
    with its own message). Without a HiGHS MIP in the block the task does not run. One task at a time in a
    process: the task of a block opened while another is open (in any thread) is not run.
    """
    with _ALONGSIDE_LOCK:
        nested = bool(_ALONGSIDE)
        if not nested:
            _ALONGSIDE["task"] = task
    if nested:
        yield
        return
    try:
        yield
    finally:
        with _ALONGSIDE_LOCK:
            _ALONGSIDE.pop("task", None)
            thread = _ALONGSIDE.pop("thread", None)
    if thread is not None:
        thread.join()


def _start_alongside() -> None:
    with _ALONGSIDE_LOCK:
        task = _ALONGSIDE.pop("task", None)
        if task is None:
            return

        def run() -> None:
            with contextlib.suppress(Exception):
                task()

        thread = threading.Thread(target=run, name="zq-land-alongside", daemon=True)
        _ALONGSIDE["thread"] = thread
    thread.start()


def run_highs(h: Any, deadline: float, stop: threading.Event | None = None, *, mip: bool = False) -> str:
    """Run a prepared ``highspy.Highs`` under our deadline: 'done', 'cancelled' or 'abandoned'.

    A MIP (``mip``) starts the task of :func:`alongside_solver`: the LPs before it are short and have the
    interpreter's own work between them, which a task beside them would slow.

    The solve runs in a thread of ours, not ``Highs.startSolve``: that one guards "already running"
    with a lock shared by every ``Highs`` of the process, so two solves could not run at once (the two
    LPs of large models) and a solve left running after a cancel would fail every later one.
    """
    h.HandleUserInterrupt = True  # cancelSolve() then stops the simplex, IPM and MIP at their next check
    thread = threading.Thread(target=h.run, name="zq-land-highs", daemon=True)
    thread.start()
    if mip and _ALONGSIDE:
        _start_alongside()
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


def new_highs(time_limit: float, threads: int = 1) -> Any:
    import highspy

    silence_highs_banner()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", max(0.05, time_limit))
    return h


def highs_lp_solve(
    cand: Candidates, relaxed: Any, cap_rows: np.ndarray, *, until: float, with_duals: bool = True
) -> LpBound:
    """The LP relaxation (``heur.highs_lp(..., rows="all")``) solved by HiGHS: bound, duals, values."""
    import highspy

    cols = DUAL_COLUMNS
    h = new_highs(until - time.monotonic())
    h.passModel(relaxed)
    if run_highs(h, until) != "done" or h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return LpBound(math.nan, pd.DataFrame(columns=cols), status="failed")
    sol = h.getSolution()
    x = np.clip(np.asarray(sol.col_value, float), 0.0, 1.0)
    bound = float(h.getInfo().objective_function_value)
    reduced = np.asarray(sol.col_dual, float)
    if not with_duals:
        return LpBound(bound, pd.DataFrame(columns=cols), x=x, reduced=reduced)
    n_one = relaxed.num_row_ - len(cap_rows)
    duals = capacity_duals(cand, cap_rows, np.asarray(sol.row_dual, float)[n_one:],
                           np.asarray(sol.row_value, float)[n_one:])
    return LpBound(bound, duals, x=x, reduced=reduced)


def capacity_duals(cand: Candidates, sites: np.ndarray, dual: np.ndarray, used: np.ndarray) -> pd.DataFrame:
    """The shadow prices of the capacity rows of ``sites`` (``DUAL_COLUMNS``, by site id): each row's dual
    and whether the LP fills it (``used``: the need the LP places there)."""
    st = cand.sites
    cap = st["capacity"].to_numpy(float)[sites]
    return pd.DataFrame({
        "site_id": st["site_id"].to_numpy(object)[sites].astype(str),
        "unit": st["unit"].to_numpy(object)[sites].astype(str),
        "capacity": cap, "dual": np.abs(dual),
        "binding": np.abs(cap - used) <= 1e-7 * np.maximum(1.0, cap),
    }).sort_values("site_id", kind="stable").reset_index(drop=True)


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


@functools.cache
def silence_highs_banner() -> None:
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
