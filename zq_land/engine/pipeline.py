"""The solve, as a short pipeline over named steps (like geopandas' ``sjoin``):

1. :func:`_prepare`: the rules give the eligible pairs, the locks are checked, the quick plans are made
   (the ratio-order greedy, the best-fit plan, the repaired earlier plans);
2. ``step.bound``: the LP relaxation (its bound, capacity duals and values), with packing cuts;
3. :func:`_choose_start`: the best of the best-fit plan, the LP rounded and an earlier plan starts the MIP;
4. ``step.search``: the MIP within the deadline;
5. :func:`_finish`: the plan a planner gets (the solver's, or the start when it is better or the solver
   failed), its status, bound, gap and the notes of what happened.

Only steps 2 and 4 differ with the model's size: :class:`_SmallModel` (PuLP models, an LP and the
canonical HiGHS solve, CBC as the fallback) and :class:`_LargeModel` (from ``ARRAY_PAIRS`` pairs on: HiGHS fed
arrays, the LP first and rounded, MIPs over the "core" pairs, the full MIP when it can get past its
presolve (``MIP_MAX_PAIRS``), which alone can prove optimality).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Protocol

import numpy as np
import pandas as pd
import pulp

from .._errors import input_error
from ..scenario import Scenario
from ..text import EMPTY, Text
from . import heuristics as heur
from . import model as engine_model  # its ARRAY_PAIRS is read at each call (tests change it)
from . import patterns, pricing
from .eligibility import Candidates, eligible_pairs
from .model import (
    DUAL_COLUMNS,
    LpBound,
    Plan,
    SolveReport,
    Status,
    assignments_of,
    best_bound,
    build_model,
    check_locks,
    greedy_allocation,
    objective_grain,
    plan_errors,
    plan_objective,
    relative_gap,
    trivial_bound,
    within_grain,
)
from .progress import INTERIM, Progress
from .solvers import (
    PATTERN_PROOF,
    Outcome,
    capacity_duals,
    highs_lp_solve,
    lp_relaxation,
    run_solver,
    silence_highs_banner,
    solve_canonical,
    solve_highs_arrays,
)

_log = logging.getLogger(__name__)


def _trace(started: float, what: str) -> None:
    """A debug line with the seconds since the call (``logging`` at DEBUG: where a solve's time goes)."""
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug("%7.3f s  %s", time.monotonic() - started, what)


#: From this many pairs small models (the canonical solve) take their LPs from arrays by column generation and
#: prune the MIP by reduced-cost fixing (500 x 1,000, 17.8k pairs: the MIP 9.5 -> 5.5 s on a loaded machine);
#: the 2022 sample (about 1,500 pairs) keeps the PuLP path, and its proven plans
ZONE_PAIRS: Final = 5_000
#: Above this many pairs HiGHS's MIP presolve alone outlasts a minute (322k pairs: 30 s presolve, no
#: root LP within 60 s): only the core MIPs run, and the plan is quoted with its gap to the LP bound.
MIP_MAX_PAIRS: Final = 150_000
#: Seconds (fixed and per pair) the full MIP needs before it can add anything: past its presolve and root
FULL_MIP_S: Final = 15.0
FULL_MIP_S_PER_PAIR: Final = 3e-4
#: Seconds the LP's rounding takes (measured 0.3-0.4 s at 319k pairs, 0.65 s at 1M): the cut LP's column
#: generation stops in time for it (it needs 1-3 s at 2,000 x 5,000 and 4,000 x 12,000; every round gives
#: a true bound, so stopping it early still gives one)
ROUND_S: Final = 0.1
ROUND_S_PER_PAIR: Final = 1.5e-6
#: The least the cut LP is given, even past the limit (a plan with a bound is worth the second or two:
#: 1,000 x 2,000 and 2,000 x 5,000 need 0.5-2 s on a quiet machine, 2-3 s on a loaded one), at most
#: ``LP_MIN_MAX_S`` (a million pairs: whatever bound its rounds reach by then; the limit is kept within 5 s)
LP_MIN_S: Final = 1.0
LP_MIN_S_PER_PAIR: Final = 4e-6
LP_MIN_MAX_S: Final = 2.5
#: Share of what is then left that the plain LP (the shadow prices) may take
PLAIN_SHARE: Final = 0.25
#: Share of what is left after the LPs that the site-pattern bound may take (1,000 x 2,000: 0.5 s, 2,000 x 5,000:
#: 1.4 s, 4,000 x 12,000: 3.0 s to converge from the cut LP's columns on 2026-12-04's machine)
PATTERN_SHARE: Final = 0.75
#: Share of what is left then that the MIP over the patterns found may take (:func:`.patterns.pattern_plan`;
#: 1,000 x 2,000: 0.8 s, 2,000 x 5,000: 0.6-1.1 s): its plan was the best known at both
PATTERN_PLAN_SHARE: Final = 0.6
#: Pairs per project, of highest value on the least contested sites, that column generation starts from
INITIAL_PER_PROJECT: Final = 4
#: Seconds per pair the best-fit plan takes at most (measured 1.8e-6 at 1M pairs, 3.8e-6 at 319k)
BEST_FIT_S_PER_PAIR: Final = 6e-6
#: Pairs per project (by reduced cost) in the core MIPs of large models, besides those the LP uses: the small
#: core first, then the large one when time is left
CORE_PER_PROJECT: Final = 10
LARGE_CORE_PER_PROJECT: Final = 25


def solve_allocation(
    sites: pd.DataFrame,
    projects: pd.DataFrame,
    scenario: Scenario,
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    starts: Sequence[pd.DataFrame] = (),
    reference: pd.DataFrame | None = None,
    progress: Progress | None = None,
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
        eligible are dropped, unknown ids ignored. On small models a start never changes the answer:
        the canonical solve (:mod:`.stability`) takes no start plan, so the same inputs give the same plan.
    reference
        A reference plan (``project_id``, ``site_id``): among the plans that keep at least
        (1 - ``scenario.stability.max_loss_share``) of the optimum, the one that moves the fewest of its
        placed projects (small models; proven when the status is ``optimal``).
    progress
        Where the plans found on the way are offered (:mod:`.progress`): the start plan once the LP bound is
        known, then each improving plan of the MIP. Listening changes nothing in the plan returned.

    Returns
    -------
    Plan

    Raises
    ------
    InputError
        When the locks contradict each other or the rules (every such lock is named), or the
        solver name is unknown.
    """
    run = _prepare(sites, projects, scenario, solver=solver, time_limit_s=time_limit_s, starts=starts,
                   reference=reference)
    if run.cand.pairs.empty:
        return _unfinished(run, _nothing_to_place(run))
    step: _Step = _LargeModel() if _is_large(run) else _SmallModel(projects)
    state = step.bound(run)
    _choose_start(run, state, noted=isinstance(step, _LargeModel))
    if progress is not None:
        run.progress = progress
        progress.attach(lambda chosen: _interim(run, state, chosen))
        progress.offer(state.start, float(run.arrays.coef[state.start].sum()))
    _trace(run.started, f"start plan: {state.source}")
    outcome = step.search(run, state)
    if progress is not None:
        progress.close()
    plan = _unfinished(run, _finish(run, outcome, state, solve_s=time.perf_counter() - state.t1))
    _trace(run.started, f"plan: {plan.report.status}, {plan.report.objective:.4f}, bound {plan.report.bound:.4f}")
    return plan


def _unfinished(run: _Run, plan: Plan) -> Plan:
    """A plan whose eligibility the deadline cut short: status ``time_limit``, no bound (the unchecked
    projects' part of it is unknown), and a note naming how many projects were not checked."""
    n = run.cand.unchecked
    if not n:
        return plan
    note = Text(f"时限已到：{n} 个项目的可用地块未检查，未参与分配", f"time limit reached: the sites of {n} "
                f"project(s) were not checked, and they were not allocated")
    rep = replace(plan.report, status="time_limit", bound=math.nan, gap=math.nan, message=note,
                  fallback_notes=(*plan.report.fallback_notes, note))
    return replace(plan, report=rep)


# --- the steps -----------------------------------------------------------------------------------


@dataclass
class _Run:
    """What every step of one solve knows: the pairs, the scenario, the clock and the quick plans."""

    cand: Candidates
    scenario: Scenario
    solver: str
    limit: float
    started: float  # time.monotonic() at the call: the limit counts from here
    t0: float  # time.perf_counter() at the call (build and solve seconds)
    arrays: heur.PairArrays
    old_greedy: np.ndarray  # the ratio-order greedy plan (the PuLP run's MIP start)
    greedy: np.ndarray  # the best-fit plan: the plan a planner is quoted as "greedy"
    g_obj: float
    prior: np.ndarray | None  # the best earlier plan, repaired to this scenario
    reference: pd.DataFrame | None = None  # the plan to move the fewest projects of
    best_fit_done: bool = True  # large models make the best-fit plan after the LP (bound first)
    progress: Progress | None = None  # where the plans found on the way are offered

    @property
    def deadline(self) -> float:
        return self.started + self.limit


@dataclass
class _State:
    """What the steps found so far: the LP, the plan the MIP starts from (and where it came from), notes."""

    lp: LpBound
    build_s: float
    t1: float  # time.perf_counter() when solving began
    notes: list[Text] = field(default_factory=list)
    start: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    source: str = "greedy"
    rounded: np.ndarray | None = None  # the LP rounded, when a step needed it before the start was chosen
    made: np.ndarray | None = None  # the best plan made of the site patterns found (large models)


class _Step(Protocol):
    def bound(self, run: _Run) -> _State: ...

    def search(self, run: _Run, state: _State) -> Outcome | None: ...


def _prepare(
    sites: pd.DataFrame, projects: pd.DataFrame, scenario: Scenario, *, solver: str | None,
    time_limit_s: float | None, starts: Sequence[pd.DataFrame], reference: pd.DataFrame | None = None,
) -> _Run:
    silence_highs_banner()
    t0 = time.perf_counter()
    started = time.monotonic()  # the limit counts from here: reading the rules and building count too
    limit = float(time_limit_s if time_limit_s is not None else scenario.solver.time_limit_s)
    # eligibility looks at the clock too: 2,000 projects x 50,000 sites took 12 s before the limit was seen
    cand = eligible_pairs(sites, projects, scenario, deadline=started + limit)
    _trace(started, f"eligibility: {len(cand.pairs):,} pairs")
    check_locks(cand, scenario)
    name = (solver or scenario.solver.name).lower()
    if name not in ("highs", "cbc"):
        raise input_error(str(scenario.source or "<scenario>"), f"未知的求解器 {solver!r}，可用 highs 或 cbc",
                          f"unknown solver {solver!r}; use 'highs' or 'cbc'", column="solver.name",
                          found=str(solver))
    arrays = heur.PairArrays.of(cand)
    later = _large(len(cand.pairs), name)
    # the ratio-order greedy is the PuLP models' MIP start; large models start from best fit (0.26 s saved
    # at 2,000 x 5,000 before the bound)
    old_greedy = greedy_allocation(cand, scenario) if not later else None
    # the greedy plan a planner is quoted: best fit in value orders (and the old ratio order), repaired; large
    # models repair it after their LP (bound first: at 4,000 x 12,000 the repair takes 2-3 s), the plan
    # unrepaired being what their column generation starts from (0.3 s at 2,000 x 5,000)
    if not len(cand.pairs):
        greedy = np.zeros(0, dtype=np.int64)
    else:
        greedy = heur.best_fit_plan(arrays, old=old_greedy, improve_rounds=0 if later else 3)
    _trace(started, "greedy plans")
    return _Run(cand, scenario, name, limit, started, t0, arrays, greedy if old_greedy is None else old_greedy,
                greedy, plan_objective(cand, greedy), _from_starts(cand, arrays, starts), reference,
                best_fit_done=not later)


def _large(n_pairs: int, solver: str, from_pairs: int | None = None) -> bool:
    """Whether a model of ``n_pairs`` is solved from arrays by HiGHS: from ``ARRAY_PAIRS`` (large models),
    or from ``from_pairs`` (the zone-scale canonical solve)."""
    at_least = engine_model.ARRAY_PAIRS if from_pairs is None else from_pairs
    return n_pairs >= at_least and solver == "highs" and pulp.HiGHS(msg=False).available()


def _is_large(run: _Run) -> bool:
    return _large(len(run.cand.pairs), run.solver)


def _choose_start(run: _Run, state: _State, *, noted: bool = True) -> None:
    """The plan the MIP starts from: the best-fit plan, the LP rounded when better, an earlier plan when
    better still (small models' canonical solve takes no start: the plan stands in only if it fails, and
    ``noted`` is False so the report does not claim a start it did not use)."""
    cand = run.cand
    state.start, state.source = run.greedy, "greedy"
    if len(state.lp.x):
        rounded = state.rounded if state.rounded is not None else heur.round_lp(run.arrays, state.lp.x)
        if plan_objective(cand, rounded) > run.g_obj + 1e-9:
            state.start, state.source = rounded, "lp-rounding"
    if len(state.lp.pattern_x):  # the pattern LP is mostly whole: its rounding is often within 0.001 % of it
        rounded = heur.round_lp(run.arrays, state.lp.pattern_x)
        if plan_objective(cand, rounded) > plan_objective(cand, state.start) + 1e-9:
            state.start, state.source = rounded, "pattern-rounding"
    if state.made is not None and plan_objective(cand, state.made) > plan_objective(cand, state.start) + 1e-9:
        state.start, state.source = state.made, "pattern-plan"
    if run.prior is not None and plan_objective(cand, run.prior) > plan_objective(cand, state.start) + 1e-9:
        state.start, state.source = run.prior, "earlier-plan"
        obj = plan_objective(cand, run.prior)
        if noted:
            state.notes.append(Text(f"从此前的方案出发（修正后目标值 {obj:.4f}）",
                                    f"started from an earlier plan (objective {obj:.4f} once repaired to this "
                                    "scenario)"))


class _SmallModel:
    """PuLP models: a quick LP (then the LP with packing cuts), then the canonical HiGHS solve (see
    :func:`~zq_land.engine.solvers.solve_canonical`: one run, fixed configuration), CBC when HiGHS fails."""

    def __init__(self, projects: pd.DataFrame) -> None:
        self.projects = projects
        self.model: pulp.LpProblem | None = None
        self.columns: np.ndarray | None = None  # the cut LP's columns at zone scale: the pruning LP starts there

    def bound(self, run: _Run) -> _State:
        cand, scenario = run.cand, run.scenario
        if self.zone_scale(run):
            return self._bound_by_pricing(run)
        self.model = build_model(cand, self.projects, scenario)
        state = _State(LpBound(math.nan), build_s=time.perf_counter() - run.t0, t1=time.perf_counter())
        # a quick LP first (a fifth of the limit at most): its duals, its bound, and the LP rounded into a
        # plan that stands in when the solvers return nothing better; then the LP with packing cuts, whose
        # bound is tighter (on the 2022 sample it equals the optimum for 5 of 6 hard weightings).
        relaxed = build_model(cand, self.projects, scenario, relax=True)
        lp = lp_relaxation(cand, scenario, solver=run.solver, time_limit_s=0.2 * run.limit, _model=relaxed)
        if math.isfinite(lp.bound) and pulp.HiGHS(msg=False).available():
            with_cuts, _, _ = heur.highs_lp(run.arrays, relax=True, cuts=True)
            cut = highs_lp_solve(cand, with_cuts, np.zeros(0, np.int64), with_duals=False,
                                 until=time.monotonic() + max(0.05, 0.1 * (run.deadline - time.monotonic())))
            if math.isfinite(cut.bound) and cut.bound < lp.bound:
                lp = replace(lp, bound=cut.bound, plain_bound=lp.bound)
        state.lp = lp
        return state

    @staticmethod
    def zone_scale(run: _Run) -> bool:
        """From ``ZONE_PAIRS`` pairs (500 x 1,000: 17.8k) the LPs are solved from arrays by column generation
        and the canonical MIP is pruned by reduced-cost fixing; below, the PuLP models as before."""
        return _large(len(run.cand.pairs), run.solver, ZONE_PAIRS)

    def _bound_by_pricing(self, run: _Run) -> _State:
        """The plain LP (its duals are the shadow prices) and the cut LP (the bound), by column generation
        from the best-fit plan: 0.1-0.2 s at 17.8k pairs, where the PuLP models took 1.5-2 s to build and
        solve. The PuLP model is built only if CBC is needed."""
        cand, arrays = run.cand, run.arrays
        state = _State(LpBound(math.nan), build_s=time.perf_counter() - run.t0, t1=time.perf_counter())
        until = time.monotonic() + 0.2 * max(0.0, run.deadline - time.monotonic())
        plain_model = pricing.PairLp(arrays, rows="all", cuts=False)
        start = pricing.initial_columns(plain_model, INITIAL_PER_PROJECT, run.greedy)
        plain = pricing.column_generation(plain_model, start, until=until)
        if not plain.exact:
            state.lp = LpBound(math.nan, pd.DataFrame(columns=DUAL_COLUMNS), status="failed")
            return state
        lp = LpBound(plain.bound, _cg_duals(cand, plain_model, plain), x=plain.x, reduced=plain.reduced)
        cut_model = pricing.PairLp(arrays, rows="binding", cuts=True)
        cut = pricing.column_generation(cut_model, plain.cols, until=until)
        self.columns = cut.cols if cut.exact else plain.cols
        if cut.exact and cut.bound < lp.bound:
            lp = replace(lp, bound=cut.bound, plain_bound=lp.bound)
        state.lp = lp
        return state

    def search(self, run: _Run, state: _State) -> Outcome | None:
        cand, scenario, model = run.cand, run.scenario, self.model
        outcome: Outcome | None = None
        for sname in [run.solver, "cbc" if run.solver == "highs" else "highs"]:
            remaining = run.deadline - time.monotonic()
            if remaining <= 0.05:
                state.notes.append(Text(f"{sname}: 时间已用完", f"{sname}: no time left"))
                outcome = outcome or Outcome(sname, "time_limit", None, math.nan, Text("时间已用完", "no time left"))
                break
            try:
                if sname == "highs" and pulp.HiGHS(msg=False).available():
                    # one solver in a fixed configuration, no race: the same inputs give the same plan
                    outcome = solve_canonical(cand, run.arrays, scenario, deadline=run.deadline,
                                              reference=run.reference,
                                              max_loss_share=scenario.stability.max_loss_share,
                                              prune=self.zone_scale(run), columns=self.columns,
                                              progress=run.progress)
                else:
                    if model is None:  # zone scale: only CBC needs the PuLP model (0.2-0.4 s at 17.8k pairs)
                        model = self.model = build_model(cand, self.projects, scenario)
                    outcome = run_solver(sname, model, cand, run.old_greedy, scenario, deadline=run.deadline,
                                         arrays=run.arrays, best=state.start)
            except Exception as exc:  # any solver failure -> the next solver, then greedy
                state.notes.append(Text.same(f"{sname}: {type(exc).__name__}: {exc}"))
                model = build_model(cand, self.projects, scenario)  # a fresh model: the failed one may be half-set
                continue
            if outcome.chosen is not None:
                break
            state.notes.append(_said(sname, outcome.message))
        if not math.isfinite(state.lp.bound):  # the quick LP did not finish: try again with what is left
            left = run.deadline - time.monotonic()
            if left > 0.05:
                state.lp = lp_relaxation(cand, scenario, solver=run.solver, time_limit_s=left,
                                         _model=build_model(cand, self.projects, scenario, relax=True))
            if not math.isfinite(state.lp.bound):
                state.notes.append(Text("LP 上界不可用（无求解器或时间已用完）",
                                        "LP bound not available (no LP solver or no time left)"))
        return outcome


class _LargeModel:
    """HiGHS fed from arrays: the bound first, then MIPs over core pairs, then the full MIP when the model
    is small enough for it.

    The LP with packing cuts is solved by column generation (:mod:`.pricing`: a true bound of the full
    model at every round, the full LP's optimum in 1-3 s at 319k-1M pairs, where solving it whole took
    4.4-24 s); the plain LP follows from its columns for the shadow prices. The cut LP rounded starts a MIP
    over the core pairs (the LP's and those of best reduced cost, with the packing cuts as rows), whose plan
    starts a larger core or the full MIP (which alone can prove optimality) when time is left.
    """

    def __init__(self) -> None:
        self.cut_model: pricing.PairLp | None = None

    def bound(self, run: _Run) -> _State:
        """Bound first: the LP with packing cuts by column generation (:mod:`.pricing`), every round a
        true bound of the full model; then the plain LP from its columns (the capacity shadow prices and
        ``lp_bound_plain``); then the best-fit plan when it was left for later (it is the fallback)."""
        cand, arrays = run.cand, run.arrays
        state = _State(LpBound(math.nan, pd.DataFrame(columns=DUAL_COLUMNS), status="skipped"),
                       build_s=time.perf_counter() - run.t0, t1=time.perf_counter())
        search_end = self.search_deadline(run)
        self.cut_model = cut_model = pricing.PairLp(arrays, rows="binding", cuts=True)
        init = pricing.initial_columns(cut_model, INITIAL_PER_PROJECT, run.greedy)
        # the cut LP may take all but the rounding's time, the time kept for the reasons and exports
        # included: without a bound nothing true can be said of the plan
        n = len(cand.pairs)
        until = run.deadline - ROUND_S - ROUND_S_PER_PAIR * n
        if not cand.unchecked:  # when the limit cut the eligibility short, there is no bound to win anyway
            until = max(until, time.monotonic() + min(LP_MIN_MAX_S, LP_MIN_S + LP_MIN_S_PER_PAIR * n))
        cut = pricing.column_generation(cut_model, init, until=until)
        _trace(run.started, f"cut LP: bound {cut.bound:.4f}, {cut.rounds} rounds, {len(cut.cols):,} pairs, "
                            f"exact {cut.exact}")
        if not math.isfinite(cut.bound):
            state.notes.append(Text("线性松弛未在时限内求得，方案没有上界",
                                    "the LP relaxation did not finish within the time limit: the plan has no bound"))
            self._best_fit_late(run, state)
            return state
        if not cut.exact:
            state.notes.append(Text(
                f"线性松弛的列生成在时限内未收敛（{cut.rounds} 轮）：上界取其对偶界 {cut.bound:.4f}",
                f"the LP's column generation did not converge within the time limit ({cut.rounds} rounds): the "
                f"bound is its dual bound {cut.bound:.4f}"))
        lp = LpBound(cut.bound, pd.DataFrame(columns=DUAL_COLUMNS), status="cuts only", x=cut.x, reduced=cut.reduced)
        # the plain LP (every capacity row): its duals are the shadow prices; from the cut LP's columns it
        # is a few rounds more
        now = time.monotonic()
        if search_end - now > 1.0:
            plain_model = pricing.PairLp(arrays, rows="all", cuts=False)
            plain = pricing.column_generation(plain_model, cut.cols,
                                              until=now + PLAIN_SHARE * (search_end - now))
            _trace(run.started, f"plain LP: bound {plain.bound:.4f}, {plain.rounds} rounds, exact {plain.exact}")
            if plain.exact:
                lp = replace(lp, duals=_cg_duals(cand, plain_model, plain), status="optimal",
                             plain_bound=plain.bound, bound=min(cut.bound, plain.bound))
        lp = self._pattern_bound(run, state, lp, cut.cols)
        state.lp = lp
        self._best_fit_late(run, state)
        return state

    @staticmethod
    def _pattern_bound(run: _Run, state: _State, lp: LpBound, cols: np.ndarray) -> LpBound:
        """The site-pattern bound (:mod:`.patterns`) from the cut LP's columns, the greedy plan and the cut LP
        rounded, in a share of the time left: every round a true bound of the full model, kept when below the cut
        LP's (2,000 x 5,000: 0.0002 % above the best plan known, in 1.4 s, where the cut LP's lies 0.07 % above)."""
        now = time.monotonic()
        budget = PATTERN_SHARE * (_LargeModel.search_deadline(run) - now)
        if budget < 0.2:
            return lp
        state.rounded = heur.round_lp(run.arrays, lp.x) if len(lp.x) else None
        plans = (run.greedy,) if state.rounded is None else (run.greedy, state.rounded)
        pb = patterns.pattern_bound(run.arrays, start=cols, plans=plans, until=now + budget)
        _trace(run.started, f"pattern bound {pb.bound:.4f}, {pb.rounds} rounds, {pb.patterns:,} patterns, "
                            f"exact {pb.exact}")
        now = time.monotonic()
        budget = PATTERN_PLAN_SHARE * (_LargeModel.search_deadline(run) - now)
        if pb.exact and budget >= 0.2:
            state.made = patterns.pattern_plan(run.arrays, run.arrays.coef, pb.columns, until=now + budget)
            _trace(run.started, "pattern plan " + ("not proven in time" if state.made is None else
                                                   f"{plan_objective(run.cand, state.made):.4f}"))
        return _with_pattern(lp, pb, state)

    @staticmethod
    def search_deadline(run: _Run) -> float:
        """When the MIPs stop: extraction, the reasons and the caller's exports follow (measured at
        2,000 x 5,000: about 2 s through ``python -m zq_land solve``)."""
        n = len(run.cand.pairs)
        return run.deadline - min(0.2 * run.limit, 1.0 + 4e-6 * n)

    @staticmethod
    def _best_fit_late(run: _Run, state: _State) -> None:
        """The best-fit plan repaired, when there is time for it (``BEST_FIT_S_PER_PAIR``); else the unrepaired
        one the LP started from stays the fallback."""
        if run.best_fit_done:
            return
        if time.monotonic() + BEST_FIT_S_PER_PAIR * len(run.cand.pairs) < run.deadline:
            run.greedy = heur.best_fit_plan(run.arrays)
            run.g_obj = plan_objective(run.cand, run.greedy)
            _trace(run.started, f"best fit {run.g_obj:.4f}")
        run.best_fit_done = True

    def search(self, run: _Run, state: _State) -> Outcome | None:
        cand, scenario, arrays, lp, notes = run.cand, run.scenario, run.arrays, state.lp, state.notes
        n = len(cand.pairs)
        mip_deadline = self.search_deadline(run)
        if (lp.pattern_bound <= lp.bound and len(state.start)
                and within_grain(lp.pattern_bound, plan_objective(cand, state.start), objective_grain(cand))):
            # no plan is a grain better than the start (the pattern bound): the MIPs have nothing to find
            return Outcome("highs-patterns", "optimal", state.start, lp.pattern_bound, PATTERN_PROOF)
        # the full MIP alone can prove optimality, but only pays when it can get well past its presolve and
        # root (1,000 x 2,000, 90k pairs: presolve 7 s, its bound below the cut LP's only after ~45 s; with the
        # packing cuts as rows the presolve took 14 s and did not stop at the limit)
        full_mip = n <= MIP_MAX_PAIRS and 0.6 * (mip_deadline - time.monotonic()) > FULL_MIP_S + FULL_MIP_S_PER_PAIR * n
        outcome: Outcome | None = None
        # MIPs over core pairs (what the LP uses, the best reduced costs, with the packing cuts as rows): much
        # better plans in seconds; no proof (pairs are left out), so each is only a start and a fallback. The
        # small core (10 a project) is often solved to its optimum in seconds (2,000 x 5,000: 18k pairs, 9 s,
        # 0.069 % below the bound, against 0.085 % for 40k pairs without cuts in 12 s); then the full MIP,
        # or when it is out of reach the large core (25 a project) from its plan, while time is left.
        # Each core solved to its optimum with time left gives way to one twice as large (25, 50, 100 a
        # project, ...): 1,000 x 2,000 proved both of its first cores in 5 s of a 40 s limit. A core that
        # holds every pair is the full model: its proof is the full model's.
        per_project, by_room, share = CORE_PER_PROJECT, False, 0.4 if full_mip else 1.0
        while len(lp.x) and len(lp.reduced):
            left = mip_deadline - time.monotonic()
            first = per_project == CORE_PER_PROJECT
            if left < (0.5 if first else 8.0) or (full_mip and not first):
                break
            keep = heur.core_pairs(arrays, lp.x, lp.reduced, state.start, per_project=per_project, by_room=by_room)
            pos = np.full(n, -1, dtype=np.int64)
            pos[keep] = np.arange(len(keep))
            core_model = (self.cut_model.highs_model(keep, integer=True) if self.cut_model is not None
                          else heur.highs_lp(arrays.take(keep), relax=False)[0])
            core = solve_highs_arrays(core_model, cand, scenario, deadline=time.monotonic() + share * left,
                                      warm=pos[state.start], n_cols=len(keep), progress=run.progress, index=keep)
            del core_model
            _trace(run.started, f"core MIP: {len(keep):,} pairs, {core.status}")
            notes.append(Text(f"核心整数规划：{len(keep):,} 个组合，{core.status}",
                              f"core MIP: {len(keep):,} pairs, {core.status}"))
            if core.chosen is not None:
                plan = np.sort(keep[core.chosen])
                better = plan_objective(cand, plan) > plan_objective(cand, state.start) + 1e-9
                if better and not plan_errors(cand, plan):
                    state.start, state.source = plan, "highs-core"
                if len(keep) == n:  # the whole model: the outcome is the full MIP's
                    outcome = replace(core, chosen=plan)
                    break
            else:
                notes.append(_said("highs (core)", core.message))
            if core.status != "optimal":
                break  # a larger core would not do better in the time left
            per_project, by_room, share = max(LARGE_CORE_PER_PROJECT, 2 * per_project), True, 1.0
        ran_full = outcome is not None  # a core held every pair
        if not ran_full and full_mip and mip_deadline - time.monotonic() > 0.5 * (FULL_MIP_S + FULL_MIP_S_PER_PAIR * n):
            ran_full = True
            mip, _, _ = heur.highs_lp(arrays, relax=False)
            outcome = solve_highs_arrays(mip, cand, scenario, deadline=mip_deadline, warm=state.start,
                                         progress=run.progress)
            del mip
            _trace(run.started, f"full MIP: {outcome.status}, bound {outcome.bound:.4f}")
            if outcome.chosen is None:
                notes.append(_said("highs", outcome.message))
                outcome = None
        if outcome is None:
            if not ran_full and any(n_.en.startswith("core MIP") for n_ in notes):
                notes.append(Text(f"{n:,} 个组合，整数规划只在核心组合上求解，方案未经全模型证明",
                                  f"{n:,} pairs: the MIP ran on the core pairs only (the LP's and those of best "
                                  "reduced cost) for lack of time or size; the plan is not proven on the full model"))
            timed_out = not len(lp.x) or time.monotonic() > mip_deadline
            outcome = Outcome("lp-core" if len(lp.x) else "greedy", "time_limit" if timed_out else "feasible",
                              state.start, math.nan)
        return outcome


# --- helpers --------------------------------------------------------------------------------------


def _said(who: str, message: Text) -> Text:
    """A solver's message as a note: ``"highs: ..."``."""
    return Text(f"{who}: {message.zh}", f"{who}: {message.en}")


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
        if best is None or plan_objective(cand, repaired) > plan_objective(cand, best) + 1e-9:
            best = repaired
    return best


def _with_pattern(lp: LpBound, pb: patterns.PatternBound, state: _State) -> LpBound:
    """The LP bound with the site-pattern bound beside it (the plan's bound is the lower of the two), and a note
    of what the latter reached."""
    if not math.isfinite(pb.bound):
        return lp
    how = ("" if pb.exact else "（未收敛，取其对偶界）", "" if pb.exact else " (not converged: its dual bound)")
    state.notes.append(Text(
        f"地块组合上界（逐地块的整数装填）{pb.bound:.4f}{how[0]}，{pb.rounds} 轮，{pb.patterns:,} 种组合",
        f"site-pattern bound (whole fillings of each site) {pb.bound:.4f}{how[1]}, {pb.rounds} rounds, "
        f"{pb.patterns:,} patterns"))
    return replace(lp, pattern_bound=pb.bound, pattern_x=pb.x)


def _cg_duals(cand: Candidates, model: pricing.PairLp, lp: pricing.Priced) -> pd.DataFrame:
    """The capacity shadow prices of an LP solved by column generation."""
    a, sites = model.a, model.cap_s
    used = np.bincount(a.s, weights=a.need * lp.x, minlength=a.n_s)[sites]
    return capacity_duals(cand, sites, lp.y[model.row_cap[sites]], used)


def _below_tol(outcome: Outcome, grain: float | None) -> float:
    """How far below the start plan a solver's plan may be and still be kept: a proven canonical optimum
    without a grain is the optimum to within ``stability.FALLBACK_UNIT`` (its tie-break), not a worse plan."""
    from .stability import FALLBACK_UNIT

    return FALLBACK_UNIT if outcome.status == "optimal" and not grain else 1e-9


def _nothing_to_place(run: _Run) -> Plan:
    report = SolveReport("optimal", "none", 0.0, 0.0, 0.0, time.perf_counter() - run.t0, 0.0, 0.0, 0.0,
                         Text("没有任何可行的项目-地块组合", "no eligible project-site pair"), n_pairs=0,
                         time_limit_s=run.limit)
    return Plan(assignments_of(run.cand, np.zeros(0, dtype=np.int64)), report, run.cand)


#: The message of a plan that comes back without a bound (the LP did not finish)
NO_BOUND: Final = Text("未能求得上界（线性松弛未完成：时间不足或没有求解器）：方案的质量未知，"
                       "放宽时间上限可得到上界与差距",
                       "no bound was computed (the LP relaxation did not finish: too little time, or no LP solver): "
                       "how good the plan is is not known; a longer time limit gives a bound and a gap")


def _trivial_note(cand: Candidates) -> Text:
    """The only bound known without an LP, named for what it is (no gap is quoted against it)."""
    b = trivial_bound(cand)
    return Text(f"唯一已知的上界是不计容量的平凡上界 {b:.4f}（每个项目都放在其最好的地块上），不据此计算差距",
                f"the only bound known is the trivial one, {b:.4f}, which ignores the capacities (every project on "
                "its best site); no gap is quoted against it")


def _interim(run: _Run, state: _State, chosen: np.ndarray) -> Plan:
    """The plan of the pairs ``chosen`` while the solve goes on (:mod:`.progress`): the report :func:`_finish`
    would give it against the bounds known, never ``optimal`` (the proof, and the canonical plan among equally
    good ones, are the solve's to give), its message saying that the solver is still at work."""
    plan = _unfinished(run, _finish(run, Outcome(run.solver, "feasible", np.sort(chosen), math.nan, EMPTY), state,
                                    solve_s=time.perf_counter() - state.t1))
    rep = plan.report
    gap = Text(f"，与上界相对差距 {rep.gap:.2%}", f"; relative gap to the bound {rep.gap:.2%}") \
        if math.isfinite(rep.gap) else EMPTY
    status: Status = "feasible" if rep.status == "optimal" else rep.status
    return replace(plan, report=replace(rep, status=status, message=Text(INTERIM.zh + gap.zh, INTERIM.en + gap.en)))


def _finish(run: _Run, outcome: Outcome | None, state: _State, *, solve_s: float) -> Plan:
    """The plan from the solver's outcome, or the start plan (greedy, LP-rounded, earlier or core MIP:
    named by ``state.source``) when it has none or a worse one."""
    cand, heuristic, lp, source = run.cand, state.start, state.lp, state.source
    n_pairs = len(cand.pairs)
    h_obj = plan_objective(cand, heuristic)
    lp_b = lp.bound
    # small models' quick LP has no cuts; large models' plain LP may not have finished ("cuts only")
    plain_b = lp.plain_bound if math.isfinite(lp.plain_bound) or lp.status == "cuts only" else lp_b
    pattern_b = lp.pattern_bound
    best_lp = float(np.fmin(lp_b, pattern_b))  # the lower of the two that are known
    notes = list(state.notes)
    grain = objective_grain(cand)
    if outcome is None or outcome.chosen is None:
        stopped = outcome is not None and (outcome.status == "time_limit" or "time" in outcome.message.en)
        status: Status = "time_limit" if stopped else "feasible"
        bound = best_bound(outcome.bound if outcome else math.nan, best_lp, h_obj, trivial_bound(cand))
        if within_grain(bound, h_obj, grain):
            bound, status = h_obj, "optimal"  # the bound proves the heuristic plan optimal
        msg = Text("求解器未给出方案，返回贪心方案", "no solver produced a plan; this is the greedy plan")
        if (status != "optimal" and not math.isfinite(best_lp)
                and not math.isfinite(outcome.bound if outcome else math.nan)):
            bound, msg = math.nan, Text(f"{NO_BOUND.zh}；{msg.zh}", f"{NO_BOUND.en}; {msg.en}")
            notes.append(_trivial_note(cand))
        if status == "optimal":
            msg = Text("求解器未给出方案，返回贪心方案，其已由上界证明最优",
                       "no solver produced a plan; this is the greedy plan, proven optimal by the bound")
        rep = SolveReport(status, "greedy", h_obj, bound, relative_gap(h_obj, bound), state.build_s, solve_s,
                          run.g_obj, lp_b, msg, tuple(notes), n_pairs, run.limit, plain_b, pattern_b)
        return Plan(assignments_of(cand, heuristic), rep, cand, lp)
    chosen = outcome.chosen
    obj = plan_objective(cand, chosen)
    solver_name = outcome.solver
    status = outcome.status if outcome.status != "none" else "feasible"
    problems = plan_errors(cand, chosen)
    if problems:
        notes.append(Text(f"{outcome.solver}：方案无效（{'；'.join(problems[:3])}），改用贪心方案",
                          f"{outcome.solver}: invalid plan ({'; '.join(problems[:3])}), greedy used"))
        chosen, obj, solver_name, status = heuristic, h_obj, "greedy", "feasible"
    elif obj < h_obj - _below_tol(outcome, grain) and solver_name != "highs-min-change":
        notes.append(Text(f"{outcome.solver}：求解器方案 {obj:.4f} 低于起始方案（{source}）{h_obj:.4f}，保留后者",
                          f"{outcome.solver}: incumbent {obj:.4f} below the {source} plan {h_obj:.4f}, which is kept"))
        chosen, obj, solver_name = heuristic, h_obj, f"{outcome.solver}+{source}"
        if status == "optimal":
            status = "feasible"
    bound = best_bound(outcome.bound, best_lp, obj, trivial_bound(cand))
    if within_grain(bound, obj, grain):
        bound = obj  # every objective value is a multiple of grain: nothing better than obj exists
        # with a reference the proof must cover the kept placements too: only the solver's own proof does
        if status in ("time_limit", "feasible") and solver_name == outcome.solver and run.reference is None:
            status = "optimal"
    if status == "optimal":
        bound = obj if not math.isfinite(outcome.bound) else min(bound, max(obj, outcome.bound))
    gap = relative_gap(obj, bound)
    min_change = solver_name == "highs-min-change"  # optimal = the fewest moves within the loss allowed
    if status == "optimal" and gap > run.scenario.solver.mip_gap + 1e-6 and not min_change:
        status = "feasible"
    if status != "optimal" and not math.isfinite(best_lp) and not math.isfinite(outcome.bound):
        # only the trivial bound (capacity ignored) is known: a gap against it says nothing true of the plan
        rep = SolveReport(status, solver_name, obj, math.nan, math.nan, state.build_s, solve_s, run.g_obj, lp_b,
                          NO_BOUND, (*notes, _trivial_note(cand)), n_pairs, run.limit, plain_b)
        return Plan(assignments_of(cand, chosen), rep, cand, lp)
    msg = {
        "optimal": Text("已证明最优", "proven optimal"),
        "time_limit": Text(f"达到时间上限，相对差距 {gap:.2%}", f"stopped at the time limit, relative gap {gap:.2%}"),
        "feasible": Text(f"可行方案，未证明最优，与上界相对差距 {gap:.2%}",
                         f"a feasible plan, not proven optimal, relative gap to the bound {gap:.2%}"),
    }[status]
    rep = SolveReport(status, solver_name, obj, bound, gap, state.build_s, solve_s, run.g_obj, lp_b, msg,
                      tuple(notes), n_pairs, run.limit, plain_b, pattern_b)
    return Plan(assignments_of(cand, chosen), rep, cand, lp)
