"""The allocation model on hand-solvable toys, locks and forbids, solvers, limits and fallbacks."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pulp
import pytest
from engine_factory import make_projects, make_sites, scenario

from benchmarks.generate import make_instance
from zq_land._errors import InputError
from zq_land.engine.eligibility import eligible_pairs
from zq_land.engine.model import Plan, build_model, greedy_allocation, plan_violations
from zq_land.engine.pipeline import solve_allocation
from zq_land.engine.solvers import GRACE_S, _wait_abandoned, lp_relaxation


def knapsack_toy() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Greedy takes A (best 亿元 per mu) and E (best per m2) and loses: the optimum is B+C, D, G.

    land L1 10 mu: A 6 mu 6.6 / B 5 mu 5.0 / C 5 mu 5.0 -> optimum B+C = 10.0, greedy A = 6.6
    factory F1 3000 m2: D 2000 m2 2.0 / E 1500 m2 1.8 -> optimum D = 2.0, greedy E = 1.8
    platform PL 1000 m2: G 800 m2 0.5
    """
    sites = make_sites(
        [
            {"site_id": "L1", "kind": "land", "area_mu": 10.0},
            {"site_id": "F1", "kind": "factory", "floor_area_m2": 3000.0},
            {"site_id": "PL", "kind": "platform", "floor_area_m2": 1000.0},
        ]
    )
    projects = make_projects(
        [
            {"project_id": "A", "mode": "land", "land_need_mu": 6.0, "investment_yi": 6.6},
            {"project_id": "B", "mode": "land", "land_need_mu": 5.0, "investment_yi": 5.0},
            {"project_id": "C", "mode": "land", "land_need_mu": 5.0, "investment_yi": 5.0},
            {"project_id": "D", "mode": "lease", "floor_need_m2": 2000.0, "investment_yi": 2.0},
            {"project_id": "E", "mode": "lease", "floor_need_m2": 1500.0, "investment_yi": 1.8},
            {"project_id": "G", "mode": "platform", "floor_need_m2": 800.0, "investment_yi": 0.5},
        ]
    )
    return sites, projects


def placed(plan) -> dict[str, str]:  # type: ignore[no-untyped-def]
    a = plan.assignments
    return dict(zip(a.loc[a["placed"], "project_id"], a.loc[a["placed"], "site_id"], strict=True))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_knapsack_toy_known_optimum(solver: str) -> None:
    sites, projects = knapsack_toy()
    plan = solve_allocation(sites, projects, scenario(), solver=solver)
    r = plan.report
    assert r.status == "optimal"
    assert r.solver == solver
    assert r.objective == pytest.approx(12.5)
    assert r.bound == pytest.approx(12.5)
    assert r.gap == pytest.approx(0.0)
    # the reported greedy is the best-fit one in value order, repaired: A, then D (not E), then G
    assert r.greedy_objective == pytest.approx(9.1)
    assert r.lp_bound_plain == pytest.approx(14.4)
    # with the packing cuts: A (6 of 10 mu) leaves no room for B or C (5 mu each) on L1, and D (2000 of
    # 3000 m2) none for E (1500): L1 10.0 + F1 2.8 (E and half of D) + G 0.5. The plain LP places A and
    # 0.8 of B on L1 (10.6) and D with 2/3 of E on F1 (3.2)
    assert r.lp_bound == pytest.approx(13.3)
    assert placed(plan) == {"B": "L1", "C": "L1", "D": "F1", "G": "PL"}
    assert plan.assignments["project_id"].tolist() == list("ABCDEG")
    assert plan_violations(plan) == []


def test_greedy_is_beaten_on_the_toy() -> None:
    sites, projects = knapsack_toy()
    sc = scenario()
    cand = eligible_pairs(sites, projects, sc)
    chosen = cand.pairs.iloc[greedy_allocation(cand, sc)]
    assert set(zip(chosen["project_id"], chosen["site_id"], strict=True)) == {
        ("A", "L1"),
        ("E", "F1"),
        ("G", "PL"),
    }


def test_objective_equals_placed_investment_when_only_investment_counts() -> None:
    sites, projects = make_instance(40, 20, seed=3)
    plan = solve_allocation(sites, projects, scenario(weights={"investment": 1.0}), time_limit_s=20)
    a = plan.assignments
    assert plan.report.objective == pytest.approx(a.loc[a["placed"], "investment_yi"].sum(), abs=1e-9)
    assert plan_violations(plan) == []


def test_project_weight_prefers_more_projects() -> None:
    sites, projects = knapsack_toy()
    # with a big per-project reward, two projects on L1 beat A alone even more clearly, and E never wins
    plan = solve_allocation(sites, projects, scenario(weights={"investment": 1.0, "projects": 5.0}))
    mean = projects["investment_yi"].mean()
    assert placed(plan) == {"B": "L1", "C": "L1", "D": "F1", "G": "PL"}
    assert plan.report.objective == pytest.approx(12.5 + 4 * 5.0 * mean)


def test_revitalization_weight_moves_a_project_to_inefficient_land() -> None:
    sites = make_sites(
        [
            {"site_id": "NEW", "kind": "land", "area_mu": 20.0, "status": "vacant"},
            {"site_id": "OLD", "kind": "land", "area_mu": 20.0, "status": "inefficient"},
        ]
    )
    projects = make_projects([{"project_id": "P1", "land_need_mu": 10.0, "investment_yi": 3.0}])
    plan = solve_allocation(sites, projects, scenario(weights={"investment": 1.0, "revitalization": 0.5}))
    assert plan.site_of("P1") == "OLD"
    # 10 mu x 0.5 x (3.0 亿元 / 10 mu) on top of the 3.0 亿元
    assert plan.report.objective == pytest.approx(3.0 + 10 * 0.5 * 0.3)
    assert plan.assignments.loc[0, "revit_mu"] == pytest.approx(10.0)


def test_proximity_weight_pulls_a_supplier_to_its_anchor() -> None:
    sites = make_sites(
        [
            {
                "site_id": "XP",
                "name": "小鹏汽车基地",
                "kind": "land",
                "area_mu": 3000.0,
                "status": "occupied",
                "lon": 112.83,
                "lat": 23.30,
            },
            {"site_id": "FAR", "kind": "land", "area_mu": 50.0, "lon": 112.83, "lat": 23.40},
            {"site_id": "NEAR", "kind": "land", "area_mu": 50.0, "lon": 112.83, "lat": 23.31},
        ]
    )
    projects = make_projects(
        [{"project_id": "S1", "land_need_mu": 20.0, "investment_yi": 2.0, "anchor": "小鹏"}]
    )
    sc = scenario(weights={"investment": 1.0, "proximity": 0.1})
    plan = solve_allocation(sites, projects, sc)
    assert plan.site_of("S1") == "NEAR"
    d = plan.assignments.loc[0, "distance_km"]
    assert d == pytest.approx(1.11, abs=0.02)  # 0.01 degree of latitude
    assert plan.report.objective == pytest.approx(2.0 - 0.1 * 2.0 * d / 10.0)


def test_lock_forces_the_pair_and_costs_investment() -> None:
    sites, projects = knapsack_toy()
    plan = solve_allocation(sites, projects, scenario(locks=[{"project": "A", "site": "L1"}]))
    assert placed(plan) == {"A": "L1", "D": "F1", "G": "PL"}
    assert plan.report.objective == pytest.approx(9.1)
    assert bool(plan.assignments.set_index("project_id").at["A", "locked"])
    assert plan_violations(plan) == []


def test_forbid_removes_the_pair() -> None:
    sites, projects = knapsack_toy()
    plan = solve_allocation(sites, projects, scenario(forbid=[{"project": "B", "site": "L1"}]))
    assert placed(plan) == {"A": "L1", "D": "F1", "G": "PL"}
    assert plan.report.objective == pytest.approx(9.1)


def test_excluded_projects_and_sites_take_no_part_but_keep_their_row() -> None:
    sites, projects = knapsack_toy()
    plan = solve_allocation(sites, projects, scenario(exclude_projects=["B"], exclude_sites=["F1"]))
    a = plan.assignments.set_index("project_id")
    assert len(a) == 6
    assert bool(a.at["B", "excluded"]) and a.at["B", "site_id"] is None
    assert placed(plan) == {"A": "L1", "G": "PL"}  # A (6.6) beats C (5.0) alone; no factory left


def test_contradictory_locks_are_refused_naming_every_one() -> None:
    sites, projects = knapsack_toy()
    sites = make_sites(
        [
            *sites.drop(columns="geometry").to_dict("records"),
            {"site_id": "X9", "kind": "land", "area_mu": 50.0},
        ]
    )
    sc = scenario(
        locks=[
            {"project": "A", "site": "L1"},
            {"project": "B", "site": "L1"},  # 11 mu on 10
            {"project": "C", "site": "L1"},
            {"project": "C", "site": "X9"},  # C on two sites
            {"project": "D", "site": "L1"},  # a lease project on land
            {"project": "ZZ", "site": "L1"},  # unknown project
            {"project": "E", "site": "NOPE"},  # unknown site
            {"project": "G", "site": "PL"},  # forbidden below
        ],
        forbid=[{"project": "G", "site": "PL"}],
    )
    with pytest.raises(InputError) as err:
        solve_allocation(sites, projects, sc)
    text = str(err.value)
    assert "project C is locked to several sites: L1, X9" in text
    assert "项目 C 被锁定到多个地块" in text
    assert "lock D -> L1 breaks a rule (kind_mode)" in text
    assert "unknown project ZZ" in text
    assert "project E is locked to unknown site NOPE" in text
    assert "lock G -> PL breaks a rule (forbidden)" in text
    assert "the projects locked to site L1 (A, B) need 11.0 mu, more than its capacity of 10.0 mu" in text
    assert all(p.column == "locks" for p in err.value.report.problems)
    assert len(err.value.report.errors) == 6


def test_lock_on_an_excluded_site_names_the_rule() -> None:
    sites, projects = knapsack_toy()
    with pytest.raises(InputError, match=r"lock G -> PL breaks a rule \(excluded_site\)"):
        solve_allocation(
            sites, projects, scenario(locks=[{"project": "G", "site": "PL"}], exclude_sites=["PL"])
        )


def test_lock_on_an_excluded_project_is_refused() -> None:
    sites, projects = knapsack_toy()
    with pytest.raises(InputError, match=r"lock G -> PL breaks a rule \(excluded_project"):
        solve_allocation(
            sites, projects, scenario(locks=[{"project": "G", "site": "PL"}], exclude_projects=["G"])
        )


def test_build_model_shape() -> None:
    sites, projects = knapsack_toy()
    sc = scenario(locks=[{"project": "A", "site": "L1"}])
    cand = eligible_pairs(sites, projects, sc)
    model = build_model(cand, projects, sc)
    assert model.sense == pulp.LpMaximize
    assert len(model.variables()) == 6  # one pair per project on the toy
    names = set(model.constraints)
    # L1 (16 mu of candidates on 10) and F1 (3500 on 3000) can bind; PL (800 on 1000) cannot
    assert names == {"cap_0", "cap_1"}
    a = next(v for v in model.variables() if v.name == "x_0")
    assert a.lowBound == 1 and a.cat == pulp.LpInteger
    relaxed = build_model(cand, projects, sc, relax=True)
    assert set(relaxed.constraints) == {"cap_0", "cap_1", "cap_2"}
    assert all(v.cat == pulp.LpContinuous for v in relaxed.variables())


def test_lp_relaxation_duals_match_a_finite_difference() -> None:
    sites, projects = knapsack_toy()
    sc = scenario()
    lp = lp_relaxation(eligible_pairs(sites, projects, sc), sc)
    duals = lp.duals.set_index("site_id")
    assert lp.bound == pytest.approx(14.4)
    assert duals.at["L1", "dual"] == pytest.approx(1.0)  # B's 亿元 per mu at the margin
    assert duals.at["F1", "dual"] == pytest.approx(0.001)  # D's 亿元 per m2
    assert duals.at["PL", "dual"] == pytest.approx(0.0)
    bigger = sites.copy()
    bigger.loc[bigger["site_id"] == "L1", "area_mu"] = 11.0
    lp2 = lp_relaxation(eligible_pairs(bigger, projects, sc), sc)
    assert lp2.bound - lp.bound == pytest.approx(duals.at["L1", "dual"])


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_same_input_same_plan(solver: str) -> None:
    sites, projects = make_instance(40, 20, seed=3)
    sc = scenario(weights={"investment": 1.0, "revitalization": 0.3, "proximity": 0.2})
    a = solve_allocation(sites, projects, sc, solver=solver, time_limit_s=30)
    b = solve_allocation(sites, projects, sc, solver=solver, time_limit_s=30)
    assert a.report.status == b.report.status == "optimal"
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    assert a.report.objective == b.report.objective


@pytest.mark.parametrize("seed", [11, 12])
def test_highs_and_cbc_agree_on_small_random_instances(seed: int) -> None:
    sites, projects = make_instance(12, 6, seed=seed)
    h = solve_allocation(sites, projects, scenario(), solver="highs", time_limit_s=30)
    c = solve_allocation(sites, projects, scenario(), solver="cbc", time_limit_s=30)
    assert h.report.status == c.report.status == "optimal"
    assert h.report.objective == pytest.approx(c.report.objective)


@pytest.mark.slow
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_time_limit_is_kept_and_the_plan_is_valid(solver: str) -> None:
    sites, projects = make_instance(109, 50, seed=1, tightness=1.67)  # tight multi-knapsack: not proven in seconds
    limit = 1.5
    t = time.perf_counter()
    plan = solve_allocation(sites, projects, scenario(), solver=solver, time_limit_s=limit)
    elapsed = time.perf_counter() - t
    r = plan.report
    assert elapsed < limit + 5
    assert r.status in ("time_limit", "optimal")
    assert plan_violations(plan) == []
    assert r.objective >= r.greedy_objective - 1e-9
    assert r.bound >= r.objective - 1e-9
    assert not r.lp_bound < r.objective - 1e-9  # NaN when the MIP used all the time
    if r.status == "time_limit":
        assert r.gap == pytest.approx((r.bound - r.objective) / r.objective)
        assert "time limit" in r.message.en


def test_highs_that_overruns_is_abandoned_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS ignoring both its own limit and our cancel still gives a plan within limit + 5 s."""
    import highspy

    sites, projects = make_instance(109, 50, seed=1, tightness=1.67)
    original = pulp.HiGHS.createAndConfigureSolver

    def stubborn(self: pulp.HiGHS, lp: pulp.LpProblem) -> None:
        original(self, lp)
        lp.solverModel.setOptionValue("time_limit", 600.0)

    def stubborn_arrays(time_limit: float, threads: int = 1) -> highspy.Highs:
        h = new_highs(time_limit, threads)
        h.setOptionValue("time_limit", 600.0)
        return h

    from zq_land.engine import solvers

    new_highs = solvers.new_highs
    monkeypatch.setattr(pulp.HiGHS, "createAndConfigureSolver", stubborn)  # the PuLP-built model
    monkeypatch.setattr(solvers, "new_highs", stubborn_arrays)  # the models built from arrays (the race)
    monkeypatch.setattr(highspy.Highs, "cancelSolve", lambda self: None)
    t = time.perf_counter()
    try:
        plan = solve_allocation(sites, projects, scenario(), solver="highs", time_limit_s=1.0)
        elapsed = time.perf_counter() - t
    finally:
        monkeypatch.undo()
        _wait_abandoned(timeout_s=30)  # stop the abandoned solve: it must not run on behind the other tests
    assert elapsed < 1.0 + GRACE_S + 2
    r = plan.report
    assert r.status == "time_limit"
    assert r.solver == "greedy"
    assert any("overran" in n.en for n in r.fallback_notes)
    assert plan_violations(plan) == []
    assert r.objective >= r.greedy_objective - 1e-9  # the better of greedy and the LP rounded


def test_cbc_is_the_fallback_when_highs_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    sites, projects = knapsack_toy()
    monkeypatch.setattr(pulp.HiGHS, "available", lambda self: False)
    plan = solve_allocation(sites, projects, scenario(), solver="highs")
    assert plan.report.solver == "cbc"
    assert plan.report.status == "optimal"
    assert plan.report.objective == pytest.approx(12.5)
    assert any("HiGHS" in n.en for n in plan.report.fallback_notes)


def test_greedy_plan_when_no_solver_works(monkeypatch: pytest.MonkeyPatch) -> None:
    sites, projects = knapsack_toy()
    monkeypatch.setattr(pulp.HiGHS, "available", lambda self: False)
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "available", lambda self: False)
    plan = solve_allocation(sites, projects, scenario())
    r = plan.report
    assert (r.status, r.solver) == ("feasible", "greedy")
    assert r.objective == pytest.approx(9.1)
    assert "greedy" in r.message.en
    assert tuple(n.en for n in r.fallback_notes[:2]) == (
        "highs: SolverError: HiGHS (highspy) is not installed",
        "cbc: SolverError: CBC is not available",
    )
    assert "LP bound not available" in r.fallback_notes[2].en
    assert placed(plan) == {"A": "L1", "D": "F1", "G": "PL"}


def test_no_eligible_pair_is_an_empty_optimal_plan() -> None:
    sites = make_sites([{"site_id": "S", "kind": "factory", "floor_area_m2": 100.0}])
    projects = make_projects([{"project_id": "P", "mode": "land", "land_need_mu": 5.0}])
    plan = solve_allocation(sites, projects, scenario())
    assert plan.report.status == "optimal"
    assert plan.report.objective == 0.0
    assert plan.assignments["site_id"].tolist() == [None]
    assert not np.any(plan.assignments["placed"])


def test_greedy_takes_preferred_pairs_first() -> None:
    sites, projects = knapsack_toy()
    sc = scenario()
    cand = eligible_pairs(sites, projects, sc)
    prefer = cand.pairs["project_id"].isin(["B", "C", "D"]).to_numpy(float)
    chosen = cand.pairs.iloc[greedy_allocation(cand, sc, prefer=prefer)]
    assert set(chosen["project_id"]) == {"B", "C", "D", "G"}
    assert chosen["coefficient"].sum() == pytest.approx(12.5)


def test_lp_values_are_returned_per_pair() -> None:
    sites, projects = knapsack_toy()
    sc = scenario()
    lp = lp_relaxation(eligible_pairs(sites, projects, sc), sc)
    # A whole and 4/5 of B fill L1; E whole and 3/4 of D fill F1; G whole
    a, b, c, d, e, g = lp.x
    assert (a, b + c, d, e, g) == pytest.approx((1.0, 0.8, 0.75, 1.0, 1.0))


def test_without_any_solver_the_plan_says_it_has_no_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    sites, projects = knapsack_toy()
    monkeypatch.setattr(pulp.HiGHS, "available", lambda self: False)
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "available", lambda self: False)
    r = solve_allocation(sites, projects, scenario(locks=[{"project": "E", "site": "F1"}])).report
    assert r.lp_bound != r.lp_bound  # NaN: no LP solver either
    # no gap against a bound that ignores the capacities: the plan says it has none, and names that one
    assert r.bound != r.bound and r.gap != r.gap
    assert "no bound was computed" in r.message.en
    # every project on its best site, capacity ignored (E on its locked F1): A + B + C + D + E + G
    trivial = f"{6.6 + 5.0 + 5.0 + 2.0 + 1.8 + 0.5:.4f}"
    assert any(trivial in n.en and "ignores the capacities" in n.en for n in r.fallback_notes)


def test_unknown_solver_is_bad_input() -> None:
    sites, projects = knapsack_toy()
    with pytest.raises(InputError, match="unknown solver 'gurobi'; use 'highs' or 'cbc'"):
        solve_allocation(sites, projects, scenario(), solver="gurobi")


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_the_canonical_solve_proves_the_optimum_of_a_plain_solve_and_leaves_no_solver_running(seed: int) -> None:
    """Small models are solved once, in a fixed configuration (no race): the optimum is the one a plain
    HiGHS solve of the PuLP model proves, and no solver thread is left computing behind the planner's back."""
    import threading

    from zq_land.engine import solvers
    from zq_land.engine.model import build_model, plan_objective

    sites, projects = make_instance(60, 30, seed=seed)
    sc = scenario(weights={"investment": 1.0, "revitalization": 1.0, "projects": 0.3},
                  solver={"time_limit_s": 30})
    canonical = solve_allocation(sites, projects, sc)
    cand = canonical.candidates
    single = solvers.solve_highs(build_model(cand, projects, sc), cand, sc, deadline=time.monotonic() + 30, warm=None)
    assert canonical.report.status == single.status == "optimal"
    assert canonical.report.objective == pytest.approx(plan_objective(cand, single.chosen), abs=1e-3)
    assert plan_violations(canonical) == []
    time.sleep(0.3)  # a cancelled solve stops at its next interrupt check
    assert not [t for t in threading.enumerate() if t.name.startswith("zq-land-highs") and t.is_alive()]


def test_earlier_plans_start_the_solver_and_are_repaired_first() -> None:
    """A plan from other weights (and a stale one: unknown ids, a site now too small) starts the solve:
    the answer is the same proven optimum as without it, and valid under the new scenario."""
    sites, projects = make_instance(40, 20, seed=4)
    first = solve_allocation(sites, projects, scenario(weights={"investment": 1.0}))
    sc = scenario(weights={"investment": 1.0, "revitalization": 1.0}, policy={"usable_land_ratio": 0.7},
                  solver={"time_limit_s": 30})
    stale = pd.concat([first.assignments[["project_id", "site_id"]],
                       pd.DataFrame({"project_id": ["NOPE"], "site_id": ["NOWHERE"]})], ignore_index=True)
    cold = solve_allocation(sites, projects, sc)
    warm = solve_allocation(sites, projects, sc, starts=[stale, first.assignments])
    assert cold.report.status == warm.report.status == "optimal"
    assert warm.report.objective == pytest.approx(cold.report.objective, abs=1e-6)
    assert plan_violations(warm) == []
    # the earlier plan breaks the new capacities (70 % of the land usable): it could not be used as it was
    assert plan_violations(Plan(first.assignments, first.report, warm.candidates)) != []


def test_work_given_alongside_the_solver_runs_while_highs_solves_and_is_done_when_the_block_ends() -> None:
    """The command line prepares its outputs on the second core while HiGHS's MIP runs (HiGHS releases
    the interpreter): the task starts once, beside a running HiGHS, is finished when the block is left, and
    the plan is the one a solve without it gives."""
    import threading

    from zq_land import alongside_solver

    sites, projects = make_instance(60, 30, seed=3)
    sc = scenario(solver={"time_limit_s": 30})
    seen: list[tuple[str, bool]] = []

    def task() -> None:
        highs_running = any(t.name == "zq-land-highs" and t.is_alive() for t in threading.enumerate())
        time.sleep(0.2)  # longer than the solve may be: the block must still wait for it
        seen.append((threading.current_thread().name, highs_running))

    with alongside_solver(task):
        beside = solve_allocation(sites, projects, sc)
    assert seen == [("zq-land-alongside", True)]
    alone = solve_allocation(sites, projects, sc)
    assert beside.report.status == alone.report.status == "optimal"
    assert placed(beside) == placed(alone)


def test_work_alongside_that_fails_is_ignored_and_without_a_mip_it_does_not_run() -> None:
    from zq_land import alongside_solver

    sites, projects = make_instance(60, 30, seed=4)
    calls: list[int] = []

    def failing() -> None:
        calls.append(1)
        raise RuntimeError("boom")

    with alongside_solver(failing):
        plan = solve_allocation(sites, projects, scenario(solver={"time_limit_s": 30}))
    assert calls == [1] and plan.report.status == "optimal"
    with alongside_solver(lambda: calls.append(2)):  # CBC: no HiGHS MIP, the task never starts
        solve_allocation(sites, projects, scenario(solver={"name": "cbc", "time_limit_s": 30}))
    assert calls == [1]
    with alongside_solver(lambda: calls.append(3)):  # the block left without a solve forgets the task
        pass
    solve_allocation(sites, projects, scenario(solver={"time_limit_s": 30}))
    assert calls == [1]
    with alongside_solver(lambda: calls.append(4)), alongside_solver(lambda: calls.append(5)):  # one at a time
        solve_allocation(sites, projects, scenario(solver={"time_limit_s": 30}))
    assert calls == [1, 4]

