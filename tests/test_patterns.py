"""The site-pattern bound (zq_land.engine.patterns): its knapsacks are exact, its bound is a true bound of the
full model at every round and never above the cut LP's when it converges, and its rows cut off no plan."""

from __future__ import annotations

import itertools
import math
import time

import highspy
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from benchmarks.generate import make_instance
from zq_land.engine import heuristics as heur
from zq_land.engine import patterns, pricing
from zq_land.engine.eligibility import eligible_pairs
from zq_land.scenario import Scenario, SolverSettings, Weights

SC = Scenario(name="t", weights=Weights(investment=1.0), solver=SolverSettings(time_limit_s=30))


def _arrays(n_p: int, n_s: int, seed: int, tightness: float = 1.3) -> heur.PairArrays:
    sites, projects = make_instance(n_p, n_s, seed=seed, tightness=tightness)
    return heur.PairArrays.of(eligible_pairs(sites, projects, SC))


def _solve(model: object, *, mip: bool = False) -> tuple[float, np.ndarray]:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    if mip:
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.0)
    h.passModel(model)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value), np.asarray(h.getSolution().col_value, float)


def _brute(value: np.ndarray, need: np.ndarray, room: float) -> float:
    best = 0.0
    for r in range(1, len(value) + 1):
        for comb in itertools.combinations(range(len(value)), r):
            c = list(comb)
            if need[c].sum() <= room:
                best = max(best, float(value[c].sum()))
    return best


def _pattern_rows(a: heur.PairArrays, cost: np.ndarray | None,
                  pb: patterns.PatternBound) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The Lagrangian rows of the pattern bound's prices: per site whose valuable projects do not all fit,
    ``sum_p (c_ps - u_p) x_ps <= K_s`` over the pairs of projects not locked. Valid for every plan (a
    site's filling is worth at most K_s at these prices); the MIP's LP with them is at most the bound.

    Returns ``(row, pair, value, upper)``: rows numbered 0.. in site order, their upper bounds.
    """
    c = (a.coef if cost is None else cost).astype(np.float64)
    room, free = patterns._room(a)
    fk = np.flatnonzero(free)
    r = c[fk] - pb.u[a.p[fk]]
    s = a.s[fk]
    pos = r > 0
    tight = np.bincount(s[pos], weights=a.need[fk][pos], minlength=a.n_s) > room
    keep = tight[s] & (np.abs(r) > 1e-12)
    sites = np.flatnonzero(tight)
    row_of = np.full(a.n_s, -1, np.int64)
    row_of[sites] = np.arange(len(sites))
    order = np.argsort(s[keep], kind="stable")
    upper = pb.k[sites] + 1e-9
    return row_of[s[keep]][order], fk[keep][order], r[keep][order], upper


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 11), seed=st.integers(0, 10**6), room_share=st.floats(0.05, 1.2),
       floor_share=st.sampled_from([None, 0.5, 0.9, 1.0, 1.1]))
def test_the_knapsack_is_exact(n: int, seed: int, room_share: float, floor_share: float | None) -> None:
    """Against every subset: the best filling's value, a filling that fits and is worth it, and with a floor
    either a filling above it or the word that none exists."""
    rng = np.random.default_rng(seed)
    value = np.round(rng.normal(1.0, 1.0, n), 2)
    need = np.round(rng.uniform(0.5, 10.0, n), 1)
    if rng.random() < 0.3:  # equal needs and values: the ties of plots of one size
        need[:] = need[0]
        value = np.abs(np.round(value, 0)) + 1
    room = float(room_share * need.sum())
    best = _brute(value, need, room)
    floor = -math.inf if floor_share is None else floor_share * best
    got = patterns.best_filling(value, need, room, floor)
    assert got is not None
    val, taken = got
    if best > floor + 1e-9 * max(1.0, abs(best)):
        assert taken is not None
        assert val == pytest.approx(best, rel=1e-8, abs=1e-9)
        assert need[taken].sum() <= room + 1e-12
        assert value[taken].sum() == pytest.approx(best, rel=1e-8, abs=1e-9)
    else:
        assert val >= best - 1e-9  # at most the floor, said as an upper bound
        assert taken is None or value[taken].sum() >= best - 1e-9


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_bound_lies_between_the_optimum_and_the_cut_lp(seed: int) -> None:
    """Converged, the pattern bound is at least the MIP's proven optimum and at most the LP with packing cuts
    (it holds every valid inequality built site by site); its rows keep every plan, the optimal one included,
    and the LP with them is at most the bound."""
    a = _arrays(40, 60, seed)
    full, _, _ = heur.highs_lp(a, relax=False)
    optimum, xs = _solve(full, mip=True)
    cut_lp, _, _ = heur.highs_lp(a, relax=True, cuts=True)
    cut_bound, _ = _solve(cut_lp)
    pb = patterns.pattern_bound(a, until=time.monotonic() + 30)
    assert pb.exact
    assert optimum - 1e-7 <= pb.bound <= cut_bound + 2 * patterns.PATTERN_ABS_TOL * a.n_s  # its step per site
    rows, pairs, vals, upper = _pattern_rows(a, None, pb)
    plan = np.flatnonzero(xs > 0.5)
    lhs = np.bincount(rows, weights=vals * np.isin(pairs, plan), minlength=len(upper))
    assert np.all(lhs <= upper + 1e-9)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    relaxed, _, _ = heur.highs_lp(a, relax=True)
    h.passModel(relaxed)
    for r in range(len(upper)):
        sel = rows == r
        h.addRow(-highspy.kHighsInf, float(upper[r]), int(sel.sum()), pairs[sel].astype(np.int32), vals[sel])
    h.run()
    assert h.getInfo().objective_function_value <= pb.bound + 1e-7
    # the pattern LP's solution as pairs: each project at most once, each site within its capacity
    assert np.all(np.bincount(a.p, weights=pb.x, minlength=a.n_p) <= 1 + 1e-7)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), rounds=st.integers(1, 4), lock=st.booleans())
def test_every_round_is_a_true_bound(seed: int, rounds: int, lock: bool) -> None:
    """Stopped after any number of rounds, with or without a locked pair, the bound is never below the
    proven optimum: no plan is told it is nearer the best than it is."""
    a = _arrays(25, 40, seed % 50)
    if lock:
        locked = a.locked.copy()
        locked[int(np.argmax(a.need))] = True  # the largest need: its site has the least room left
        a = heur.PairArrays(a.p, a.s, a.need, a.coef, locked, a.cap, a.n_p, a.n_s, a.p_order, a.p_start,
                            a.s_order, a.s_start)
    full, _, _ = heur.highs_lp(a, relax=False)
    optimum, _ = _solve(full, mip=True)
    pb = patterns.pattern_bound(a, until=time.monotonic() + 10, max_rounds=rounds)
    assert pb.rounds >= 1
    assert pb.bound >= optimum - 1e-7


def test_no_time_gives_no_bound() -> None:
    a = _arrays(30, 60, 1)
    pb = patterns.pattern_bound(a, until=time.monotonic() - 1)
    assert math.isnan(pb.bound) and pb.rounds == 0 and not pb.exact


@pytest.mark.parametrize("seed", [1, 3])
def test_it_closes_the_cut_lps_gap_where_sites_take_few_projects(seed: int) -> None:
    """On generated 200 x 500 instances (a few projects to a site, as the pipeline's large models meet) the
    cut LP lies 0.03-0.3 % above the proven optimum and the pattern bound is the optimum itself; the pattern
    LP's solution rounds into a plan at that optimum."""
    a = _arrays(200, 500, seed, tightness=1.0)
    full, _, _ = heur.highs_lp(a, relax=False)
    optimum, _ = _solve(full, mip=True)
    cm = pricing.PairLp(a, rows="binding", cuts=True)
    cut = pricing.column_generation(cm, pricing.initial_columns(cm, 4, heur.best_fit_plan(a)),
                                    until=time.monotonic() + 30)
    assert cut.bound > optimum * (1 + 2e-4)
    pb = patterns.pattern_bound(a, start=cut.cols, plans=(heur.round_lp(a, cut.x),), until=time.monotonic() + 30)
    assert pb.exact
    assert optimum - 1e-7 <= pb.bound <= optimum + 2 * patterns.PATTERN_ABS_TOL * a.n_s  # its step per site
    assert a.objective(heur.round_lp(a, pb.x)) == pytest.approx(optimum, rel=1e-9)


def test_a_zone_scale_solve_is_proven_by_the_pattern_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the pattern bound is the optimum (a generated 200 x 500 instance, the zone-scale path forced),
    the canonical solve is proven without a MIP: the optimum of the full MIP, and the same plan every run."""
    from zq_land.engine import pipeline

    sites, projects = make_instance(200, 500, seed=1, tightness=1.0)
    plain = pipeline.solve_allocation(sites, projects, SC)
    monkeypatch.setattr(pipeline, "ZONE_PAIRS", 100)
    runs = [pipeline.solve_allocation(sites, projects, SC) for _ in range(2)]
    assert plain.report.status == "optimal" and plain.report.solver == "highs"
    for r in runs:
        assert r.report.status == "optimal" and r.report.solver == "highs-patterns"
        assert r.report.objective == pytest.approx(plain.report.objective, abs=1e-9)
        assert r.report.bound == pytest.approx(r.report.objective, abs=1e-9)
    assert runs[0].assignments.to_csv() == runs[1].assignments.to_csv()


def test_large_models_quote_the_pattern_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the large models' path (forced on 300 x 600) the report carries the pattern bound beside the cut
    LP's; the plan's bound is the lower of them, above the plan, and the gap is taken against it."""
    from zq_land.engine import model, pipeline

    monkeypatch.setattr(model, "ARRAY_PAIRS", 1000)
    sites, projects = make_instance(300, 600, seed=2, tightness=1.1)
    plan = pipeline.solve_allocation(sites, projects, SC, time_limit_s=20)
    rep = plan.report
    assert math.isfinite(rep.pattern_bound) and math.isfinite(rep.lp_bound)
    assert rep.pattern_bound <= rep.lp_bound + 2 * patterns.PATTERN_ABS_TOL * len(sites)
    assert rep.objective - 1e-9 <= rep.bound <= min(rep.lp_bound, rep.pattern_bound) + 1e-9
    assert rep.gap == pytest.approx((rep.bound - rep.objective) / rep.objective, abs=1e-6)
    assert any("site-pattern bound" in n.en for n in rep.fallback_notes)


def _every_filling(a: heur.PairArrays) -> tuple[np.ndarray, ...]:
    """Every set of a site's pairs (of projects not locked) that fits it: all the patterns there are."""
    room, free = patterns._room(a)
    out = []
    for s in range(a.n_s):
        ks = np.flatnonzero((a.s == s) & free)
        for r in range(1, len(ks) + 1):
            for comb in itertools.combinations(ks.tolist(), r):
                c = np.array(comb, np.int64)
                if a.need[c].sum() <= room[s]:
                    out.append(c)
    return tuple(out)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), lock=st.booleans())
def test_the_plan_made_of_every_pattern_is_the_optimum(seed: int, lock: bool) -> None:
    """Given every filling of every site, the MIP over patterns is the model itself: its plan is valid (each
    project once, each site within its capacity, the locks kept) and worth the full MIP's proven optimum."""
    a = _arrays(12, 5, seed % 200, tightness=1.6)
    if lock and a.locked.size:
        locked = a.locked.copy()
        locked[int(np.argmax(a.need))] = True
        a = heur.PairArrays(a.p, a.s, a.need, a.coef, locked, a.cap, a.n_p, a.n_s, a.p_order, a.p_start,
                            a.s_order, a.s_start)
    assume(len(a.p) > 0 and np.bincount(a.s, minlength=a.n_s).max() <= 12)  # pairs, but not too many fillings
    full, _, _ = heur.highs_lp(a, relax=False)
    optimum, _ = _solve(full, mip=True)
    plan = patterns.pattern_plan(a, a.coef, _every_filling(a), until=time.monotonic() + 30)
    assert plan is not None
    assert np.all(np.isin(np.flatnonzero(a.locked), plan))
    assert len(np.unique(a.p[plan])) == len(plan)
    used = np.bincount(a.s[plan], weights=a.need[plan], minlength=a.n_s)
    assert np.all(used <= a.cap * (1 + 1e-9) + 1e-9)
    assert a.coef[plan].sum() == pytest.approx(optimum, abs=1e-7)


def test_the_plan_made_of_the_patterns_found_is_no_worse_than_their_rounding() -> None:
    """From the patterns the bound found (200 x 500), the plan made of them is valid and worth at least the
    pattern LP's rounding; with no time left there is no plan rather than one cut short."""
    a = _arrays(200, 500, 2, tightness=1.0)
    pb = patterns.pattern_bound(a, until=time.monotonic() + 30)
    plan = patterns.pattern_plan(a, a.coef, pb.columns, until=time.monotonic() + 30)
    assert plan is not None
    assert len(np.unique(a.p[plan])) == len(plan)
    assert np.all(np.bincount(a.s[plan], weights=a.need[plan], minlength=a.n_s) <= a.cap * (1 + 1e-9) + 1e-9)
    assert a.objective(heur.round_lp(a, pb.x)) - 1e-9 <= a.objective(plan) <= pb.bound + 1e-9
    assert patterns.pattern_plan(a, a.coef, pb.columns, until=time.monotonic() - 1) is None


def test_large_models_stop_once_the_pattern_bound_proves_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the large models' path (forced on 300 x 600), a plan made of the patterns found that is less than a
    grain below the pattern bound is the optimum: the solve returns it proven, with no MIP run, worth what the
    full MIP proves."""
    from zq_land.engine import model, pipeline

    sites, projects = make_instance(300, 600, seed=1, tightness=1.1)
    plain = pipeline.solve_allocation(sites, projects, SC)
    monkeypatch.setattr(model, "ARRAY_PAIRS", 1000)
    plan = pipeline.solve_allocation(sites, projects, SC, time_limit_s=20)
    rep = plan.report
    assert plain.report.status == "optimal"
    assert rep.status == "optimal" and rep.solver == "highs-patterns"
    assert rep.objective == pytest.approx(plain.report.objective, abs=1e-9)
    assert rep.pattern_bound - rep.objective < 0.001
    assert not any(n.en.startswith("core MIP") for n in rep.fallback_notes)


@pytest.mark.slow
def test_a_zone_scale_solve_is_proven_to_the_grain_by_the_plan_made_of_patterns() -> None:
    """500 x 1,000 seed 7 (the benchmark's instance): the pattern bound lies less than a grain above the optimum,
    but neither LP rounds into it; the plan made of the patterns found reaches it, so the canonical solve is
    proven without a MIP (its MIP did not finish in a 5 s limit). Its objective is what HiGHS's own MIP on the
    full model proves, and the same inputs give the same plan."""
    import tempfile
    from pathlib import Path

    from benchmarks.bench_peers import write_case
    from zq_land import allocate, read_projects, read_sites
    from zq_land.engine import model, pipeline

    with tempfile.TemporaryDirectory() as d:
        site_file, project_file = write_case("500x1000", 7, Path(d))
        sites, projects = read_sites(site_file), read_projects(project_file)
    sc = Scenario(name="cli", solver=SolverSettings(time_limit_s=10))  # as ``python -m zq_land solve`` has it
    runs = [allocate(sc, sites=sites, projects=projects) for _ in range(2)]
    for r in runs:
        assert r.solve.status == "optimal" and r.solve.solver == "highs-patterns"
    assert runs[0].assignments.to_csv() == runs[1].assignments.to_csv()
    cand = pipeline.eligible_pairs(sites, projects, sc)
    a = heur.PairArrays.of(cand)
    full, _, _ = heur.highs_lp(a, relax=False)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_abs_gap", model.abs_gap(cand))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.passModel(full)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert runs[0].solve.objective == pytest.approx(h.getInfo().objective_function_value, abs=1e-6)
