"""The vectorised ``unplaced_reasons`` says word for word what a plain per-project loop says.

``_reference_reasons`` below is the straightforward implementation (one project at a time, pandas
lookups per pair) that ``zq_land.engine.reasons`` replaced for speed; it is kept here as the specification.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from engine_factory import make_projects, scenario

from benchmarks.generate import make_instance
from zq_land.engine.eligibility import Candidates
from zq_land.engine.model import Plan
from zq_land.engine.pipeline import solve_allocation
from zq_land.engine.reasons import MAX_SITES_NAMED, _no_site_text, unplaced_reasons

COLUMNS = ["project_id", "reason_code", "reason_zh", "reason_en"]


def _reference_reasons(plan: Plan, cand: Candidates) -> pd.DataFrame:
    a = plan.assignments
    unplaced = a[a["site_id"].isna()]
    if unplaced.empty:
        return pd.DataFrame(columns=COLUMNS)
    counts = cand.rule_counts.set_index("project_id")
    pj = cand.projects.set_index("project_id")
    st = cand.sites.set_index("site_id")
    placed = a[a["site_id"].notna()]
    on_site: dict[str, list[str]] = {}
    used: dict[str, float] = {}
    for sid, grp in placed.groupby("site_id", sort=True):
        on_site[str(sid)] = grp["project_id"].astype(str).tolist()
        used[str(sid)] = float(grp["need"].sum())
    pairs_by_p = {str(k): g for k, g in cand.pairs.groupby("project_id", sort=False)}
    rows: list[tuple[str, str, str, str]] = []
    for pid in unplaced["project_id"].astype(str):
        if bool(pj.at[pid, "excluded"]):
            rows.append((pid, "excluded_project", "情景排除了该项目，未参与分配",
                         "the scenario excludes this project from allocation"))
            continue
        mine = pairs_by_p.get(pid)
        if mine is None or mine.empty:
            rows.append((pid, "no_eligible_site", *_no_site_text(counts.loc[pid], pj.loc[pid])))
            continue
        rows.append((pid, *_reference_full_or_not_chosen(mine, st, on_site, used, plan)))
    return pd.DataFrame(rows, columns=COLUMNS)


def _reference_full_or_not_chosen(
    mine: pd.DataFrame, st: pd.DataFrame, on_site: dict[str, list[str]], used: dict[str, float], plan: Plan
) -> tuple[str, str, str]:
    triples = zip(mine["site_id"], mine["need"], mine["coefficient"], strict=True)
    room = [(str(s), float(n), float(c)) for s, n, c in triples
            if float(st.at[str(s), "capacity"]) - used.get(str(s), 0.0) >= n - 1e-9]
    if room:
        s, _, coef = room[0]
        if all(c <= 0 for _, _, c in room):
            return ("not_chosen",
                    f"地块 {s} 等尚有余量，但放入会降低目标值（目标系数 {coef:,.3f} ≤ 0，如距离惩罚过大）",
                    f"{s} and others have room, but placing it would lower the objective "
                    f"(its value {coef:,.3f} <= 0, e.g. the distance penalty)")
        if plan.report.status != "optimal":
            return ("not_chosen",
                    f"地块 {s} 尚有余量，但求解提前停止（{plan.report.status}），方案未证明最优",
                    f"{s} has room, but the solve stopped early ({plan.report.status}) and the plan is "
                    "not proven optimal")
        return ("not_chosen", f"地块 {s} 尚有余量，但未被选中（目标值不变）",
                f"{s} has room but was not chosen (the objective is the same either way)")
    order = mine.assign(cap=[float(st.at[str(s), "capacity"]) for s in mine["site_id"]]).sort_values(
        ["cap", "site_id"], ascending=[False, True], kind="stable")
    zh_parts, en_parts = [], []
    for s, n, cap in order[["site_id", "need", "cap"]].head(MAX_SITES_NAMED).itertuples(index=False):
        unit_zh, unit_en = ("亩", "mu") if st.at[s, "kind"] == "land" else ("平方米", "m2")
        who = on_site.get(str(s), [])
        u = used.get(str(s), 0.0)
        zh_parts.append(f"{s}（{'、'.join(who)} 已用 {u:,.1f}/{cap:,.1f} {unit_zh}，剩余 {cap - u:,.1f}，"
                        f"需要 {n:,.1f}）")
        en_parts.append(f"{s} ({', '.join(who)} use {u:,.1f} of {cap:,.1f} {unit_en}, {cap - u:,.1f} left, "
                        f"{n:,.1f} needed)")
    more = len(order) - MAX_SITES_NAMED
    tail_zh = f" 等 {len(order)} 个地块" if more > 0 else ""
    tail_en = f" and {more} more" if more > 0 else ""
    return ("sites_full", f"可接纳该项目的地块均已满：{'；'.join(zh_parts)}{tail_zh}",
            f"the sites that admit it are full: {'; '.join(en_parts)}{tail_en}")


def _instance(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tight capacities (sites full), two projects no site can hold, and cheap projects tied to the
    anchor whose distance penalty outweighs their investment (placing them lowers the objective)."""
    sites, projects = make_instance(50, 30, seed=seed, tightness=2.2)
    cheap = projects["anchor"].ne("") & (np.arange(len(projects)) % 2 == 0)
    projects.loc[cheap, "investment_yi"] = 0.01
    odd = make_projects([
        {"project_id": "HUGE", "land_need_mu": 1e6},
        {"project_id": "NOWHERE", "mode": "lease", "floor_need_m2": 1e8, "industry": "food"},
    ])
    return sites, pd.concat([projects, odd], ignore_index=True)


def _thinned(plan: Plan, every: int, status: str) -> Plan:
    """The plan with every ``every``-th placed project taken off its site (its site then has room)."""
    a = plan.assignments.copy()
    drop = a.index[a["site_id"].notna()][::every]
    a["site_id"] = a["site_id"].astype(object)
    a.loc[drop, "site_id"] = None
    a.loc[drop, "placed"] = False
    return dataclasses.replace(plan, assignments=a, report=dataclasses.replace(plan.report, status=status))


@pytest.fixture(scope="module")
def plans() -> list[Plan]:
    out = []
    for seed in (0, 1, 2):
        sites, projects = _instance(seed)
        sc = scenario(weights={"investment": 1.0, "proximity": 2.0}, exclude_projects=["P00003", "P00010"],
                      solver={"time_limit_s": 0.5})
        plan = solve_allocation(sites, projects, sc)
        out += [plan, _thinned(plan, 3, "optimal"), _thinned(plan, 4, "time_limit")]
    # roomy sites: an unplaced project has room on several, the first in the pairs' order is named
    sites, projects = make_instance(40, 30, seed=7, tightness=0.625)
    plan = solve_allocation(sites, projects, scenario(solver={"time_limit_s": 0.5}))
    out.append(_thinned(plan, 2, "time_limit"))
    # the pairs in another order: "first" and "in order" are the pairs' row order, whatever it is
    shuffled = plan.candidates.pairs.sample(frac=1.0, random_state=3).reset_index(drop=True)
    out.append(dataclasses.replace(_thinned(plan, 2, "time_limit"),
                                   candidates=dataclasses.replace(plan.candidates, pairs=shuffled)))
    return out


def test_vectorised_reasons_equal_the_per_project_reference(plans: list[Plan]) -> None:
    for plan in plans:
        got = unplaced_reasons(plan)
        want = _reference_reasons(plan, plan.candidates)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert got["project_id"].tolist() == plan.assignments.loc[
            plan.assignments["site_id"].isna(), "project_id"].tolist()


def test_the_instances_exercise_every_reason_and_wording(plans: list[Plan]) -> None:
    allr = pd.concat([unplaced_reasons(p) for p in plans], ignore_index=True)
    assert set(allr["reason_code"]) == {"excluded_project", "no_eligible_site", "sites_full", "not_chosen"}
    en = allr["reason_en"]
    assert en.str.contains("would lower the objective").any()
    assert en.str.contains("the solve stopped early").any()
    assert en.str.contains("the objective is the same either way").any()
    assert en.str.contains(r"\) and \d+ more$").any()  # more than MAX_SITES_NAMED full sites
    assert en.str.contains(r"\(P\d+(?:, P\d+)+ use ").any()  # several projects named on one site
    assert en.str.contains("the largest eligible").any()


def test_sites_full_names_the_largest_sites_first_then_by_id() -> None:
    # three equal land plots and one larger, all full: the larger first, the equal ones by id
    from engine_factory import make_sites

    sites = make_sites([{"site_id": sid, "area_mu": mu} for sid, mu in
                        (("B", 10.0), ("C", 10.0), ("A", 10.0), ("Z", 12.0))])
    projects = make_projects([{"project_id": f"Q{i}", "land_need_mu": mu, "investment_yi": 9.0}
                              for i, mu in enumerate((10.0, 10.0, 10.0, 12.0))]
                             + [{"project_id": "LATE", "land_need_mu": 4.0, "investment_yi": 0.1}])
    plan = solve_allocation(sites, projects, scenario())
    r = unplaced_reasons(plan).set_index("project_id")
    assert r.at["LATE", "reason_code"] == "sites_full"
    named = [part.split(" (")[0] for part in r.at["LATE", "reason_en"].split(": ", 1)[1].split("; ")]
    assert named == ["Z", "A", "B", "C"]
    pd.testing.assert_frame_equal(unplaced_reasons(plan), _reference_reasons(plan, plan.candidates))


def _placed_as(plan: Plan, where: dict[str, str | None]) -> Plan:
    """The plan with the projects of ``where`` moved to the given sites (None: unplaced)."""
    a = plan.assignments.copy()
    a["site_id"] = a["site_id"].astype(object)
    pairs = plan.candidates.pairs.set_index(["project_id", "site_id"])
    for pid, sid in where.items():
        i = a.index[a["project_id"] == pid][0]
        a.at[i, "site_id"] = sid
        a.at[i, "placed"] = sid is not None
        a.at[i, "need"] = np.nan if sid is None else float(pairs.at[(pid, sid), "need"])
    return dataclasses.replace(plan, assignments=a)


def test_room_is_capacity_minus_use_within_a_rounding_tolerance() -> None:
    # 0.1 + 0.2 mu in use leave 0.29999999999999993 of 0.6 mu: that is room for 0.3 mu; exactly the
    # 4.0 mu left on L2 are room for 4.0 mu, and 4.1 mu are not
    from engine_factory import make_sites

    sites = make_sites([{"site_id": "L1", "area_mu": 0.6}, {"site_id": "L2", "area_mu": 10.0}])
    projects = make_projects([{"project_id": pid, "land_need_mu": mu} for pid, mu in
                              (("A", 0.1), ("B", 0.2), ("C", 0.3), ("D", 6.0), ("E", 4.0), ("F", 4.1))])
    plan = _placed_as(solve_allocation(sites, projects, scenario()),
                      {"A": "L1", "B": "L1", "C": None, "D": "L2", "E": None, "F": None})
    r = unplaced_reasons(plan).set_index("project_id")
    assert r["reason_code"].to_dict() == {"C": "not_chosen", "E": "not_chosen", "F": "sites_full"}
    assert r.at["C", "reason_en"].startswith("L1 has room")
    assert r.at["F", "reason_en"] == "the sites that admit it are full: L2 (D use 6.0 of 10.0 mu, 4.0 left, 4.1 needed)"
    pd.testing.assert_frame_equal(unplaced_reasons(plan), _reference_reasons(plan, plan.candidates))
