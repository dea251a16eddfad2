"""Reasons for unplaced projects and the value of more capacity, as a planner reads them."""

from __future__ import annotations

import pytest
from engine_factory import make_projects, make_sites, scenario
from test_optimize import knapsack_toy

from zq_land.engine.eligibility import eligible_pairs
from zq_land.engine.pipeline import solve_allocation
from zq_land.engine.reasons import capacity_shadow_prices, unplaced_reasons
from zq_land.engine.solvers import lp_relaxation


def test_the_full_sites_are_named_with_the_projects_that_took_them() -> None:
    sites, projects = knapsack_toy()
    sc = scenario()
    plan = solve_allocation(sites, projects, sc)
    r = unplaced_reasons(plan, plan.candidates, sites, projects, sc).set_index("project_id")
    assert list(r.index) == ["A", "E"]
    assert r.at["A", "reason_code"] == "sites_full"
    assert r.at["A", "reason_en"] == (
        "the sites that admit it are full: L1 (B, C use 10.0 of 10.0 mu, 0.0 left, 6.0 needed)"
    )
    assert r.at["A", "reason_zh"] == (
        "可接纳该项目的地块均已满：L1（B、C 已用 10.0/10.0 亩，剩余 0.0，需要 6.0）"
    )
    assert "F1 (D use 2,000.0 of 3,000.0 m2, 1,000.0 left, 1,500.0 needed)" in r.at["E", "reason_en"]


def test_no_site_admits_it_quotes_the_largest_eligible_land() -> None:
    sites = make_sites(
        [
            {"site_id": "S40", "area_mu": 40.0},
            {"site_id": "S25", "area_mu": 25.0},
            {"site_id": "FOOD", "area_mu": 80.0, "industries": "food"},
            {"site_id": "F", "kind": "factory", "floor_area_m2": 9000.0},
        ]
    )
    projects = make_projects([{"project_id": "BIG", "industry": "metal", "land_need_mu": 55.0}])
    plan = solve_allocation(sites, projects, scenario())
    r = unplaced_reasons(plan).iloc[0]
    assert r["reason_code"] == "no_eligible_site"
    assert "最大的可用土地为 40.0 亩，需要 55.0 亩" in r["reason_zh"]
    assert "the largest eligible land is 40.0 mu but 55.0 mu are needed" in r["reason_en"]
    assert "共 4 个地块" in r["reason_zh"]
    assert "kind does not fit the mode: 1; industry not allowed: 1; too small: 2" in r["reason_en"]


def test_excluded_projects_say_so() -> None:
    sites, projects = knapsack_toy()
    sc = scenario(exclude_projects=["G"])
    plan = solve_allocation(sites, projects, sc)
    r = unplaced_reasons(plan, plan.candidates, sites, projects, sc).set_index("project_id")
    assert r.at["G", "reason_code"] == "excluded_project"
    assert r.at["G", "reason_en"] == "the scenario excludes this project from allocation"


def test_a_project_not_worth_placing_is_told_why() -> None:
    sites = make_sites(
        [
            {"site_id": "XP", "name": "小鹏汽车基地", "area_mu": 3000.0, "status": "occupied", "lat": 23.30},
            {"site_id": "FAR", "area_mu": 50.0, "lat": 23.70},  # about 44 km away
        ]
    )
    projects = make_projects(
        [{"project_id": "S1", "land_need_mu": 20.0, "investment_yi": 0.1, "anchor": "XPeng"}]
    )
    plan = solve_allocation(sites, projects, scenario(weights={"investment": 1.0, "proximity": 1.0}))
    r = unplaced_reasons(plan).iloc[0]
    assert plan.site_of("S1") is None
    assert r["reason_code"] == "not_chosen"
    assert "lower the objective" in r["reason_en"] and "距离惩罚" in r["reason_zh"]


def test_everyone_placed_gives_an_empty_table() -> None:
    sites = make_sites([{"site_id": "S", "area_mu": 10.0}])
    projects = make_projects([{"project_id": "P", "land_need_mu": 5.0}])
    r = unplaced_reasons(solve_allocation(sites, projects, scenario()))
    assert r.empty and list(r.columns) == ["project_id", "reason_code", "reason_zh", "reason_en"]


def test_shadow_prices_in_words() -> None:
    sites, projects = knapsack_toy()
    sc = scenario()
    cand = eligible_pairs(sites, projects, sc)
    df = capacity_shadow_prices(cand, sc).set_index("site_id")
    assert list(df.index) == ["L1", "F1", "PL"]  # most valuable first
    assert df.at["L1", "dual"] == pytest.approx(1.0)
    assert df.at["L1", "text_zh"] == "该地块每多 1 亩约值 1.000 亿元已落地投资"
    assert df.at["L1", "text_en"] == "one more mu on this plot is worth about 1.000 亿元 of placed investment"
    assert df.at["F1", "text_en"] == "1,000 more m2 here are worth about 1.000 亿元 of placed investment"
    assert not df.at["PL", "binding"]
    assert df.at["PL", "text_en"] == "capacity is not binding: more of it would not place more"
    again = capacity_shadow_prices(cand, sc, lp=lp_relaxation(cand, sc))
    assert again["dual"].tolist() == df["dual"].tolist()
