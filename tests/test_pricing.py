"""Column generation of the LP (zq_land.engine.pricing): its bound is a true bound at every round, it ends at
the LP's optimum, and the model it prices is the one built whole."""

from __future__ import annotations

import time

import highspy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import make_instance
from zq_land.engine import heuristics as heur
from zq_land.engine import pricing
from zq_land.engine.eligibility import eligible_pairs
from zq_land.scenario import Scenario, SolverSettings, Weights

SC = Scenario(name="t", weights=Weights(investment=1.0), solver=SolverSettings(time_limit_s=30))


def _arrays(n_p: int, n_s: int, seed: int, tightness: float = 1.2) -> heur.PairArrays:
    sites, projects = make_instance(n_p, n_s, seed=seed, tightness=tightness)
    return heur.PairArrays.of(eligible_pairs(sites, projects, SC))


def _solve(model: object, *, mip: bool = False) -> float:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    if mip:
        h.setOptionValue("mip_rel_gap", 0.0)
    h.passModel(model)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("cuts", [True, False])
def test_the_pair_model_is_the_model_built_whole(seed: int, cuts: bool) -> None:
    """Every pair's column made on demand gives the LP of heuristics.highs_lp (same rows, same optimum)."""
    a = _arrays(60, 120, seed)
    whole, _, _ = heur.highs_lp(a, relax=True, cuts=cuts)
    m = pricing.PairLp(a, rows="binding", cuts=cuts)
    assert m.n_rows == whole.num_row_
    np.testing.assert_allclose(m.row_upper, np.asarray(whole.row_upper_))
    assert _solve(m.highs_model(np.arange(m.n))) == pytest.approx(_solve(whole), rel=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_column_generation_ends_at_the_lp_optimum(seed: int) -> None:
    a = _arrays(120, 240, seed, tightness=1.1)
    m = pricing.PairLp(a, cuts=True)
    start = pricing.initial_columns(m, 2, heur.best_fit_plan(a, improve_rounds=0))
    got = pricing.column_generation(m, start, until=time.monotonic() + 30)
    full = _solve(m.highs_model(np.arange(m.n)))
    assert got.exact
    assert got.bound == pytest.approx(full, rel=1e-7)
    assert len(got.cols) < m.n  # it did not need every pair
    assert got.lp_objective == pytest.approx(got.bound, rel=1e-9)  # the restricted LP proves it


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.0, 3.0), rounds=st.integers(0, 3))
def test_the_dual_bound_is_never_below_the_proven_optimum(seed: int, scale: float, rounds: int) -> None:
    """For any prices y >= 0 (random ones, or those of a restricted LP stopped after a few rounds), the
    bound is at least the MIP's proven optimum: no plan is ever told it is nearer the best than it is."""
    a = _arrays(25, 40, seed % 50, tightness=1.3)
    m = pricing.PairLp(a, cuts=True)
    best, _, _ = heur.highs_lp(a, relax=False)
    optimum = _solve(best, mip=True)
    rng = np.random.default_rng(seed)
    y = scale * rng.random(m.n_rows)
    assert m.dual_bound(y, m.reduced_costs(y)) >= optimum - 1e-7
    if rounds:
        start = pricing.initial_columns(m, 1, np.zeros(0, np.int64))
        got = pricing.column_generation(m, start, until=time.monotonic() + 10, max_rounds=rounds)
        assert got.bound >= optimum - 1e-7


def test_locked_pairs_are_priced_as_chosen() -> None:
    """A locked pair (lower bound 1) counts at its own value, even a negative one, and the project's other
    pairs are out: the bound stays above the optimum of the model with the lock."""
    a = _arrays(40, 60, 5)
    locked = a.locked.copy()
    k = int(np.argmin(a.coef))  # lock the least valuable pair
    locked[k] = True
    a2 = heur.PairArrays(a.p, a.s, a.need, a.coef, locked, a.cap, a.n_p, a.n_s, a.p_order, a.p_start,
                         a.s_order, a.s_start)
    m = pricing.PairLp(a2, cuts=True)
    best, _, _ = heur.highs_lp(a2, relax=False)
    optimum = _solve(best, mip=True)
    for y in (np.zeros(m.n_rows), np.full(m.n_rows, 0.5)):
        assert m.dual_bound(y, m.reduced_costs(y)) >= optimum - 1e-7


def test_no_time_gives_no_bound() -> None:
    a = _arrays(30, 60, 1)
    m = pricing.PairLp(a)
    got = pricing.column_generation(m, pricing.initial_columns(m, 2, np.zeros(0, np.int64)),
                                    until=time.monotonic() - 1)
    assert np.isnan(got.bound) and got.rounds == 0 and not got.exact


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), slack=st.floats(0.0, 0.05))
def test_reduced_cost_fixing_keeps_every_better_plan(seed: int, slack: float) -> None:
    """The MIP over the pairs reduced-cost fixing leaves proves the full model's optimum: against any
    incumbent at or below the optimum (the optimum less a random slack), no pair of an optimal plan goes."""
    a = _arrays(30, 50, seed % 60, tightness=1.3)
    full, _, _ = heur.highs_lp(a, relax=False)
    optimum = _solve(full, mip=True)
    m = pricing.PairLp(a, cuts=True)
    lp = pricing.column_generation(m, pricing.initial_columns(m, 2, np.zeros(0, np.int64)),
                                   until=time.monotonic() + 10)
    assert lp.exact
    keep = m.unfixed(lp.y, optimum * (1 - slack))
    assert _solve(m.highs_model(keep, integer=True), mip=True) == pytest.approx(optimum, rel=1e-9, abs=1e-9)


def test_zone_scale_solves_are_canonical_and_optimal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pruned canonical solve (forced on a 150 x 300 instance) proves the same optimum as the full
    one, and the same inputs give the same plan on every run."""
    from zq_land.engine import pipeline

    sites, projects = make_instance(150, 300, seed=6, tightness=1.2)
    plain = pipeline.solve_allocation(sites, projects, SC)
    monkeypatch.setattr(pipeline, "ZONE_PAIRS", 100)
    runs = [pipeline.solve_allocation(sites, projects, SC) for _ in range(3)]
    assert all(r.report.status == "optimal" for r in [plain, *runs])
    assert runs[0].report.objective == pytest.approx(plain.report.objective, abs=1e-9)
    first = runs[0].assignments.to_csv()
    assert all(r.assignments.to_csv() == first for r in runs[1:])
    assert runs[0].report.lp_bound == pytest.approx(plain.report.lp_bound, rel=1e-9)  # the same cut LP bound
    assert runs[0].report.lp_bound_plain == pytest.approx(plain.report.lp_bound_plain, rel=1e-9)
