"""Each allocation rule excludes exactly the pairs it should, counted and explained with numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from engine_factory import make_projects, make_sites, scenario

from benchmarks.generate import make_instance
from zq_land._errors import InputError
from zq_land.engine.eligibility import RULES, eligible_pairs, why_not
from zq_land.engine.rules import resolve_anchor


def pairs_of(sites, projects, sc=None) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    c = eligible_pairs(sites, projects, sc or scenario())
    return set(zip(c.pairs["project_id"], c.pairs["site_id"], strict=True))


def codes(reasons) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.code for r in reasons]


def one_of_each_kind():  # type: ignore[no-untyped-def]
    return make_sites(
        [
            {"site_id": "L", "kind": "land", "area_mu": 100.0},
            {"site_id": "F", "kind": "factory", "floor_area_m2": 10_000.0},
            {"site_id": "PF", "kind": "platform", "floor_area_m2": 5_000.0},
        ]
    )


def test_kind_fits_mode() -> None:
    projects = make_projects(
        [
            {"project_id": "land", "mode": "land", "land_need_mu": 10.0},
            {"project_id": "lease", "mode": "lease", "floor_need_m2": 1000.0},
            {"project_id": "plat", "mode": "platform", "floor_need_m2": 500.0},
            {"project_id": "either", "mode": "land_or_lease", "land_need_mu": 10.0, "floor_need_m2": 1000.0},
            {"project_id": "either_land_only", "mode": "land_or_lease", "land_need_mu": 10.0},
        ]
    )
    assert pairs_of(one_of_each_kind(), projects) == {
        ("land", "L"),
        ("lease", "F"),
        ("plat", "PF"),
        ("either", "L"),
        ("either", "F"),
        ("either_land_only", "L"),
    }
    c = eligible_pairs(one_of_each_kind(), projects, scenario())
    counts = c.rule_counts.set_index("project_id")["kind_mode"]
    assert counts.to_dict() == {"land": 2, "lease": 2, "plat": 2, "either": 1, "either_land_only": 2}
    either = c.pairs[c.pairs["project_id"] == "either"].set_index("site_id")
    assert (either.at["L", "unit"], either.at["L", "need"]) == ("mu", 10.0)
    assert (either.at["F", "unit"], either.at["F", "need"]) == ("m2", 1000.0)
    assert either.at["F", "use_floor_m2"] == 1000.0 and either.at["F", "use_land_mu"] == 0.0


def test_why_not_kind_mode_in_both_languages() -> None:
    projects = make_projects([{"project_id": "P", "mode": "lease", "floor_need_m2": 1000.0}])
    r = why_not("P", "L", one_of_each_kind(), projects, scenario())
    assert codes(r) == ["kind_mode"]
    assert "“租赁”" in r[0].text_zh and "“土地”" in r[0].text_zh
    assert r[0].text_en == "a 'lease' project cannot use a 'land' site"


def test_industry_list_on_the_site() -> None:
    sites = make_sites(
        [
            {"site_id": "ANY", "area_mu": 50.0},
            {"site_id": "NEV", "area_mu": 50.0, "industries": "nev_parts;battery"},
            {"site_id": "FOOD", "area_mu": 50.0, "industries": "food"},
        ]
    )
    projects = make_projects([{"project_id": "P", "industry": "battery", "land_need_mu": 5.0}])
    assert pairs_of(sites, projects) == {("P", "ANY"), ("P", "NEV")}
    r = why_not("P", "FOOD", sites, projects, scenario())
    assert codes(r) == ["industry"]
    assert r[0].text_en == "the site allows only food and beverage; the project is in batteries and storage"
    assert "食品饮料" in r[0].text_zh and "新能源电池/储能" in r[0].text_zh


def test_capacity_uses_the_usable_land_ratio() -> None:
    sites = make_sites([{"site_id": "S", "area_mu": 60.0}])
    projects = make_projects([{"project_id": "P", "land_need_mu": 50.0}])
    assert pairs_of(sites, projects) == {("P", "S")}
    half = scenario(policy={"usable_land_ratio": 0.8})  # 48 mu usable
    assert pairs_of(sites, projects, half) == set()
    r = why_not("P", "S", sites, projects, half)
    assert codes(r) == ["capacity"]
    assert r[0].text_en == "the site holds 48.0 mu (area x usable ratio 0.8) but 50.0 mu are needed"
    assert r[0].text_zh.startswith("地块容量为 48.0 亩")


def test_exact_fit_is_allowed() -> None:
    sites = make_sites([{"site_id": "F", "kind": "factory", "floor_area_m2": 2000.0}])
    projects = make_projects([{"project_id": "P", "mode": "lease", "floor_need_m2": 2000.0}])
    assert pairs_of(sites, projects) == {("P", "F")}


def test_intensity_floor_from_site_or_scenario() -> None:
    sites = make_sites(
        [
            {"site_id": "HIGH", "area_mu": 100.0, "min_invest_wan_per_mu": 500.0},
            {"site_id": "NONE", "area_mu": 100.0},
            {"site_id": "FAC", "kind": "factory", "floor_area_m2": 9000.0, "min_invest_wan_per_mu": 900.0},
        ]
    )
    # 1.2 亿元 on 30 mu = 400 万元/亩
    projects = make_projects(
        [
            {
                "project_id": "P",
                "mode": "land_or_lease",
                "investment_yi": 1.2,
                "land_need_mu": 30.0,
                "floor_need_m2": 5000.0,
            }
        ]
    )
    assert pairs_of(sites, projects) == {("P", "NONE"), ("P", "FAC")}  # the floor binds land only
    strict = scenario(policy={"default_min_invest_wan_per_mu": 450.0})
    assert pairs_of(sites, projects, strict) == {("P", "FAC")}
    r = why_not("P", "HIGH", sites, projects, scenario())
    assert codes(r) == ["intensity"]
    assert r[0].text_zh == "投资强度 400 万元/亩，低于地块下限 500 万元/亩"
    lenient = scenario(policy={"default_min_invest_wan_per_mu": 300.0})
    assert pairs_of(sites, projects, lenient) == {("P", "NONE"), ("P", "FAC")}  # the site's own floor wins


def test_occupied_sites_are_never_allocated() -> None:
    sites = make_sites(
        [
            {"site_id": "XP", "area_mu": 3000.0, "status": "occupied"},
            {"site_id": "OK", "area_mu": 30.0, "status": "inefficient"},
        ]
    )
    projects = make_projects([{"project_id": "P", "land_need_mu": 5.0}])
    assert pairs_of(sites, projects) == {("P", "OK")}
    assert codes(why_not("P", "XP", sites, projects, scenario())) == ["status_occupied"]


def test_availability_date() -> None:
    sites = make_sites(
        [
            {"site_id": "LATE", "area_mu": 30.0, "available_from": "2023-06-01"},
            {"site_id": "NOW", "area_mu": 30.0, "available_from": "2022-03-01"},
        ]
    )
    projects = make_projects([{"project_id": "P", "land_need_mu": 5.0}])
    sc = scenario(policy={"as_of": dt.date(2022, 12, 31)})
    assert pairs_of(sites, projects, sc) == {("P", "NOW")}
    r = why_not("P", "LATE", sites, projects, sc)
    assert codes(r) == ["not_available"]
    assert r[0].text_en == "the site is available from 2023-06-01, after the scenario date 2022-12-31"
    later = scenario(policy={"as_of": "2023-07-01"})
    assert pairs_of(sites, projects, later) == {("P", "NOW"), ("P", "LATE")}


def test_forbidden_pairs_and_excluded_sites_and_projects() -> None:
    sites = make_sites(
        [
            {"site_id": "A", "area_mu": 30.0},
            {"site_id": "B", "area_mu": 30.0},
            {"site_id": "C", "area_mu": 30.0},
        ]
    )
    projects = make_projects(
        [{"project_id": "P", "land_need_mu": 5.0}, {"project_id": "Q", "land_need_mu": 5.0}]
    )
    sc = scenario(forbid=[{"project": "P", "site": "A"}], exclude_sites=["B"], exclude_projects=["Q"])
    assert pairs_of(sites, projects, sc) == {("P", "C")}
    assert codes(why_not("P", "A", sites, projects, sc)) == ["forbidden"]
    assert codes(why_not("P", "B", sites, projects, sc)) == ["excluded_site"]
    assert codes(why_not("Q", "C", sites, projects, sc)) == ["excluded_project"]
    counts = eligible_pairs(sites, projects, sc).rule_counts.set_index("project_id")
    assert counts.at["P", "forbidden"] == 1 and counts.at["P", "excluded_site"] == 1
    assert bool(counts.at["Q", "excluded_project"]) and counts.at["Q", "n_eligible"] == 0


def test_every_failing_rule_is_listed_with_numbers() -> None:
    sites = make_sites(
        [
            {
                "site_id": "S",
                "area_mu": 10.0,
                "status": "occupied",
                "industries": "food",
                "min_invest_wan_per_mu": 800.0,
            }
        ]
    )
    projects = make_projects(
        [{"project_id": "P", "industry": "metal", "land_need_mu": 20.0, "investment_yi": 1.0}]
    )
    sc = scenario(forbid=[{"project": "P", "site": "S"}], exclude_sites=["S"])
    assert codes(why_not("P", "S", sites, projects, sc)) == [
        "industry",
        "capacity",
        "intensity",
        "status_occupied",
        "forbidden",
        "excluded_site",
    ]


def test_rule_counts_and_largest_capacity_passing_the_other_rules() -> None:
    sites = make_sites(
        [
            {"site_id": "BIG_FOOD", "area_mu": 90.0, "industries": "food"},
            {"site_id": "S40", "area_mu": 40.0},
            {"site_id": "S30", "area_mu": 30.0},
            {"site_id": "FAC", "kind": "factory", "floor_area_m2": 5000.0},
        ]
    )
    projects = make_projects([{"project_id": "P", "industry": "metal", "land_need_mu": 55.0}])
    c = eligible_pairs(sites, projects, scenario())
    row = c.rule_counts.set_index("project_id").loc["P"]
    assert c.pairs.empty
    assert (row["kind_mode"], row["industry"], row["capacity"]) == (1, 1, 2)
    assert row["n_sites"] == 4 and row["n_eligible"] == 0
    assert row["max_cap_mu"] == 40.0  # BIG_FOOD fails industry, so 90 mu does not count
    assert np.isnan(row["max_cap_m2"])
    assert set(RULES) <= set(c.rule_counts.columns)


def test_coefficients_follow_the_scaling_of_the_weights() -> None:
    sites = make_sites(
        [
            {"site_id": "OLD", "area_mu": 50.0, "status": "inefficient"},
            {"site_id": "F", "kind": "factory", "floor_area_m2": 5000.0, "status": "inefficient"},
        ]
    )
    projects = make_projects(
        [
            {"project_id": "L", "land_need_mu": 20.0, "investment_yi": 4.0, "priority": 2.0},
            {"project_id": "R", "mode": "lease", "floor_need_m2": 2000.0, "investment_yi": 1.0},
        ]
    )
    sc = scenario(weights={"investment": 1.0, "projects": 0.5, "revitalization": 1.0, "priority": 0.1})
    c = eligible_pairs(sites, projects, sc)
    per_project, per_mu = 2.5, 4.0 / 20.0
    assert c.scales == {"per_project": per_project, "per_mu": per_mu}
    coef = dict(zip(c.pairs["project_id"], c.pairs["coefficient"], strict=True))
    assert coef["L"] == pytest.approx(4.0 + 0.5 * per_project + 0.1 * per_project * 2.0 + 20.0 * per_mu)
    assert coef["R"] == pytest.approx(1.0 + 0.5 * per_project + 2000 * 15 / 10_000 * per_mu)
    only = eligible_pairs(sites, projects, scenario())
    assert only.pairs["coefficient"].tolist() == [4.0, 1.0]


def test_anchor_positions_in_documented_order() -> None:
    sites = make_sites(
        [
            {
                "site_id": "BASE",
                "name": "小鹏汽车肇庆基地",
                "area_mu": 3000.0,
                "status": "occupied",
                "lon": 112.83,
                "lat": 23.30,
            },
            {
                "site_id": "CATL",
                "area_mu": 1000.0,
                "status": "occupied",
                "anchor": "瑞庆时代",
                "lon": 112.86,
                "lat": 23.31,
            },
            {"site_id": "S", "area_mu": 40.0, "lon": 112.83, "lat": 23.32},
        ]
    )
    from zq_land.engine.eligibility import _site_frame

    st = _site_frame(sites, scenario())
    assert resolve_anchor("XPeng", st, scenario()) == [(112.83, 23.30)]  # by name alias
    assert resolve_anchor("Ruiqing CATL", st, scenario()) == [(112.86, 23.31)]  # by anchor column
    pinned = scenario(anchors={"XPeng": [112.9, 23.4]})
    assert resolve_anchor("小鹏", st, pinned) == [(112.9, 23.4)]  # the scenario wins
    assert resolve_anchor("XPeng", st, scenario(anchors={"XPeng": "S"})) == [(112.83, 23.32)]
    with pytest.raises(InputError, match="anchor 'XPeng' points to unknown site NOPE"):
        resolve_anchor("XPeng", st, scenario(anchors={"XPeng": "NOPE"}))
    projects = make_projects(
        [
            {"project_id": "P", "land_need_mu": 5.0, "anchor": "小鹏汽车"},
            {"project_id": "Q", "land_need_mu": 5.0},
        ]
    )
    c = eligible_pairs(sites, projects, scenario())
    d = c.pairs.set_index("project_id")["distance_km"]
    assert d["P"] == pytest.approx(2.224, abs=0.01)  # 0.02 degree of latitude
    assert np.isnan(d["Q"])


def test_why_not_explains_an_eligible_pair_against_a_plan() -> None:
    sites = make_sites([{"site_id": "S", "area_mu": 10.0}, {"site_id": "T", "area_mu": 10.0}])
    projects = make_projects(
        [{"project_id": "A", "land_need_mu": 8.0}, {"project_id": "B", "land_need_mu": 6.0}]
    )
    import pandas as pd

    plan = pd.DataFrame({"project_id": ["A", "B"], "site_id": ["S", None]})
    full = why_not("B", "S", sites, projects, scenario(), result_assignments=plan)
    assert codes(full) == ["site_full"]
    assert full[0].text_en == "the site is full: A use 8.0 of 10.0 mu, 2.0 left, 6.0 needed"
    assert codes(why_not("B", "T", sites, projects, scenario(), result_assignments=plan)) == ["not_chosen"]
    assert codes(why_not("A", "S", sites, projects, scenario(), result_assignments=plan)) == ["assigned"]
    assert codes(why_not("A", "T", sites, projects, scenario())) == ["eligible"]
    with pytest.raises(InputError, match="unknown site id NOPE"):
        why_not("A", "NOPE", sites, projects, scenario())
    with pytest.raises(InputError, match="unknown project id ZZ"):
        why_not("ZZ", "S", sites, projects, scenario())


def test_missing_need_is_a_kind_mode_failure_not_a_capacity_one() -> None:
    projects = make_projects([{"project_id": "P", "mode": "land"}])
    r = why_not("P", "L", one_of_each_kind(), projects, scenario())
    assert codes(r) == ["kind_mode"]
    assert r[0].text_en == "the project has no land need (mu), so it cannot use a land site"


def test_pairs_match_a_plain_python_reading_of_the_rules() -> None:
    sites, projects = make_instance(30, 25, seed=5)
    sc = scenario(policy={"usable_land_ratio": 0.9, "default_min_invest_wan_per_mu": 100.0})
    got = pairs_of(sites, projects, sc)
    want = set()
    for p in projects.to_dict("records"):
        for s in sites.to_dict("records"):
            kinds = {
                "land": ["land"],
                "lease": ["factory"],
                "platform": ["platform"],
                "land_or_lease": ["land", "factory"],
            }[p["mode"]]
            if s["kind"] not in kinds or s["status"] == "occupied":
                continue
            need = p["land_need_mu"] if s["kind"] == "land" else p["floor_need_m2"]
            cap = s["area_mu"] * 0.9 if s["kind"] == "land" else s["floor_area_m2"]
            if np.isnan(need) or need > cap:
                continue
            if s["industries"] and p["industry"] not in s["industries"].split(";"):
                continue
            floor = s["min_invest_wan_per_mu"] if not np.isnan(s["min_invest_wan_per_mu"]) else 100.0
            if s["kind"] == "land" and p["investment_yi"] * 10_000 / p["land_need_mu"] < floor:
                continue
            want.add((p["project_id"], s["site_id"]))
    assert got == want
    assert len(want) > 20


def test_one_capacity_for_the_rules_and_the_site_table() -> None:
    """What a site holds is the same number wherever a planner reads it: in the rules and in the
    result's site table (free capacity), usable-land ratio 0.8 here; occupied sites hold nothing new."""
    from zq_land.engine.results import allocate
    from zq_land.engine.rules import site_capacity

    sites, projects = make_instance(40, 20, seed=3)
    sc = scenario(policy={"usable_land_ratio": 0.8}, solver={"time_limit_s": 10})
    res = allocate(sc, sites=sites, projects=projects)
    rules = eligible_pairs(sites, projects, sc).sites.set_index("site_id")["capacity"]
    table = res.site_use.set_index("site_id")
    free_sites = table["status"] != "occupied"
    assert np.allclose(table.loc[free_sites, "capacity"], rules[table.index[free_sites]])
    assert (table.loc[~free_sites, "capacity"] == 0).all()
    land = sites["kind"] == "land"
    cap, unit = site_capacity(sites["kind"], sites["area_mu"], sites["floor_area_m2"], usable_land_ratio=0.8)
    assert np.allclose(cap[land.to_numpy()], sites.loc[land, "area_mu"].fillna(0) * 0.8)
    assert set(unit[land.to_numpy()]) == {"mu"} and set(unit[~land.to_numpy()]) <= {"m2"}


def test_the_locks_rules_evaluated_together_give_each_pair_its_own_reasons() -> None:
    """check_locks evaluates its locks' rules once (pairs_failures): each pair gets what pair_failures gives it
    alone, on the 2022 sample (its locks, and seeded pairs of every rule's failures) under a scenario that also
    excludes and forbids."""
    from pathlib import Path

    from zq_land import load_scenario, read_projects, read_sites
    from zq_land.engine.eligibility import pair_failures, pairs_failures

    root = Path(__file__).resolve().parents[1]
    sc = load_scenario(root / "scenarios" / "review_2022_recorded.toml")
    sites, projects = read_sites(sc.sites), read_projects(sc.projects)
    sc = sc.with_(exclude_projects=(str(projects["project_id"].iat[3]),),
                  forbid=((str(projects["project_id"].iat[5]), str(sites["site_id"].iat[7])),))
    cand = eligible_pairs(sites, projects, sc)
    st, pj = cand.sites, cand.projects
    p_pos = {p: i for i, p in enumerate(pj["project_id"])}
    s_pos = {s: j for j, s in enumerate(st["site_id"])}
    rng = np.random.default_rng(18)
    pairs = [(p_pos[p], s_pos[s]) for p, s in sc.locks]
    pairs += [(int(p), int(s)) for p, s in zip(rng.integers(0, len(pj), 60), rng.integers(0, len(st), 60),
                                               strict=True)]
    pairs += [(3, 0), (5, 7), (5, 7)]  # the excluded project, the forbidden pair (twice)
    together = pairs_failures(st, pj, sc, pairs)
    alone = [pair_failures(st, pj, sc, p, s) for p, s in pairs]
    assert together == alone
    assert sum(map(bool, alone)) >= 10  # failing pairs are among them, not only eligible ones
    assert {r.code for rs in alone for r in rs} >= {"kind_mode", "excluded_project", "forbidden"}
