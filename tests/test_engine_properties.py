"""Property tests: on random small instances every plan obeys every rule, and the optimum is right.

The rules are re-read here in plain Python from the input tables (not from the engine's candidate
pairs), and the optimum is checked against brute-force enumeration of every assignment.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from engine_factory import make_projects, make_sites, scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zq_land.engine.model import plan_violations
from zq_land.engine.pipeline import solve_allocation

INDS = ["nev_parts", "battery", "food"]
MODE_KINDS = {
    "land": {"land"},
    "lease": {"factory"},
    "platform": {"platform"},
    "land_or_lease": {"land", "factory"},
}


@st.composite
def instances(draw: st.DrawFn) -> dict[str, Any]:
    n_s = draw(st.integers(1, 3))
    n_p = draw(st.integers(1, 6))
    sites = []
    for j in range(n_s):
        kind = draw(st.sampled_from(["land", "land", "factory", "platform"]))
        s: dict[str, Any] = {
            "site_id": f"S{j}",
            "kind": kind,
            "status": draw(st.sampled_from(["vacant", "inefficient", "occupied", "vacant"])),
            "industries": draw(st.sampled_from(["", "", "food", "nev_parts;battery"])),
        }
        if kind == "land":
            s["area_mu"] = float(draw(st.integers(5, 60)))
            s["min_invest_wan_per_mu"] = draw(st.sampled_from([np.nan, np.nan, 200.0]))
        else:
            s["floor_area_m2"] = float(draw(st.integers(5, 60)) * 100)
        sites.append(s)
    projects = []
    for i in range(n_p):
        mode = draw(st.sampled_from(["land", "lease", "platform", "land_or_lease"]))
        p: dict[str, Any] = {
            "project_id": f"P{i}",
            "mode": mode,
            "industry": draw(st.sampled_from(INDS)),
            "investment_yi": draw(st.integers(1, 400)) / 100,
        }
        if mode in ("land", "land_or_lease"):
            p["land_need_mu"] = float(draw(st.integers(3, 40)))
        if mode in ("lease", "platform", "land_or_lease"):
            p["floor_need_m2"] = float(draw(st.integers(3, 40)) * 100)
        projects.append(p)
    pairs = [(p["project_id"], s["site_id"]) for p in projects for s in sites]
    forbid = draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True))
    ratio = draw(st.sampled_from([1.0, 0.8]))
    return {"sites": sites, "projects": projects, "forbid": forbid, "ratio": ratio}


def admits(p: dict[str, Any], s: dict[str, Any], inst: dict[str, Any]) -> bool:
    """The allocation rules of SCHEMA.md, read plainly."""
    if s["kind"] not in MODE_KINDS[p["mode"]] or s["status"] == "occupied":
        return False
    if (p["project_id"], s["site_id"]) in inst["forbid"]:
        return False
    if s["industries"] and p["industry"] not in s["industries"].split(";"):
        return False
    need = p.get("land_need_mu") if s["kind"] == "land" else p.get("floor_need_m2")
    if need is None:
        return False
    if need > capacity(s, inst):
        return False
    floor = s.get("min_invest_wan_per_mu", np.nan)
    return not (s["kind"] == "land" and not np.isnan(floor) and p["investment_yi"] * 10_000 / need < floor)


def capacity(s: dict[str, Any], inst: dict[str, Any]) -> float:
    return s["area_mu"] * inst["ratio"] if s["kind"] == "land" else s["floor_area_m2"]


def need_on(p: dict[str, Any], s: dict[str, Any]) -> float:
    return float(p["land_need_mu"] if s["kind"] == "land" else p["floor_need_m2"])


def brute_force(inst: dict[str, Any], lock: tuple[str, str] | None) -> float:
    sites = {s["site_id"]: s for s in inst["sites"]}
    options = []
    for p in inst["projects"]:
        opts: list[str | None] = [None, *[sid for sid, s in sites.items() if admits(p, s, inst)]]
        if lock and lock[0] == p["project_id"]:
            opts = [lock[1]]
        options.append(opts)
    best = -1.0
    for combo in itertools.product(*options):
        use: dict[str, float] = {}
        for p, sid in zip(inst["projects"], combo, strict=True):
            if sid is not None:
                use[sid] = use.get(sid, 0.0) + need_on(p, sites[sid])
        if all(u <= capacity(sites[sid], inst) + 1e-9 for sid, u in use.items()):
            val = sum(p["investment_yi"] for p, sid in zip(inst["projects"], combo, strict=True) if sid)
            best = max(best, val)
    return best


def check_plan(plan: Any, inst: dict[str, Any], lock: tuple[str, str] | None) -> None:
    sites = {s["site_id"]: s for s in inst["sites"]}
    projects = {p["project_id"]: p for p in inst["projects"]}
    a = plan.assignments
    assert sorted(a["project_id"]) == sorted(projects)  # one row per project, each at most once
    use: dict[str, float] = {}
    for pid, sid in zip(a["project_id"], a["site_id"], strict=True):
        if sid is None:
            continue
        p, s = projects[pid], sites[sid]
        assert admits(p, s, inst), (pid, sid)
        use[sid] = use.get(sid, 0.0) + need_on(p, s)
    for sid, u in use.items():
        assert u <= capacity(sites[sid], inst) + 1e-6, sid
    if lock:
        assert plan.site_of(lock[0]) == lock[1]
    assert plan_violations(plan) == []


def build(inst: dict[str, Any], **extra: Any) -> tuple[Any, Any, Any]:
    sc = scenario(
        forbid=[{"project": p, "site": s} for p, s in inst["forbid"]],
        policy={"usable_land_ratio": inst["ratio"]},
        **extra,
    )
    return make_sites(inst["sites"]), make_projects(inst["projects"]), sc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances(), data=st.data())
def test_plans_obey_every_rule_and_match_brute_force(inst: dict[str, Any], data: st.DataObject) -> None:
    lockable = [
        (p["project_id"], s["site_id"]) for p in inst["projects"] for s in inst["sites"] if admits(p, s, inst)
    ]
    lock = data.draw(st.sampled_from([None, *lockable]))
    extra = {"locks": [{"project": lock[0], "site": lock[1]}]} if lock else {}
    sites, projects, sc = build(inst, **extra)
    solver = data.draw(st.sampled_from(["highs", "cbc"]))
    plan = solve_allocation(sites, projects, sc, solver=solver, time_limit_s=20)
    r = plan.report
    check_plan(plan, inst, lock)
    assert r.status == "optimal"
    assert r.objective == np.float64(r.objective)
    assert abs(r.objective - brute_force(inst, lock)) < 1e-6
    placed = plan.assignments.loc[plan.assignments["placed"], "investment_yi"].sum()
    assert abs(r.objective - placed) < 1e-9  # investment only: the objective is the investment placed
    assert r.greedy_objective <= r.objective + 1e-9 <= r.lp_bound + 2e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    inst=instances(),
    w=st.tuples(
        st.sampled_from([0.5, 1.0]),
        st.sampled_from([0.0, 0.3]),
        st.sampled_from([0.0, 0.7]),
        st.sampled_from([0.0, 0.2]),
    ),
)
def test_any_weights_give_a_valid_plan_between_greedy_and_lp_bound(
    inst: dict[str, Any], w: tuple[float, float, float, float]
) -> None:
    weights = dict(zip(["investment", "projects", "revitalization", "proximity"], w, strict=True))
    sites, projects, sc = build(inst, weights=weights)
    plan = solve_allocation(sites, projects, sc, time_limit_s=20)
    r = plan.report
    check_plan(plan, inst, None)
    assert r.status == "optimal"
    assert r.greedy_objective - 1e-9 <= r.objective <= r.lp_bound + 1e-7
    assert r.objective <= r.bound + 1e-9
