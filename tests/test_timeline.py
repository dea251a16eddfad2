"""Issue 14: time in the rules, the timeline replay against hindsight, and the alternatives' exact losses.

Hand-solvable cases: a big project blocked by an early small one (the timeline loses 7 亿元 that hindsight
keeps), a needed-by date that opens a plot released later, and alternatives whose losses are worked out
by hand and re-solved independently (``solve_allocation`` with the pair locked).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from engine_factory import make_projects, make_sites, scenario

from zq_land import InputError, eligible_pairs, run_alternatives, run_timeline, solve_allocation, why_not
from zq_land.cli import main

MEETINGS = {"1": "2022-01-10", "2": "2022-03-01", "3": "2022-07-01"}


def blocked_year() -> tuple[pd.DataFrame, pd.DataFrame]:
    """L1 10 mu open all year; L2 6 mu and L3 3 mu (food only) released on 2022-06-01.

    Meeting 1 (01-10): A 5 mu 1 亿 can only take L1; D (food) 3 mu 0.5 亿 is needed by 06-15, so L3 is
    open to it.
    Meeting 2 (03-01): B 8 mu 8 亿 needs L1, where A left 5 mu: unplaced.
    Meeting 3 (07-01): C 6 mu 2 亿 takes L2.
    Timeline: A, D, C = 3.5 亿元. Hindsight: B on L1 (A has nowhere else by its date), D, C = 10.5 亿元.
    """
    sites = make_sites([
        {"site_id": "L1", "area_mu": 10.0, "industries": "other"},
        {"site_id": "L2", "area_mu": 6.0, "available_from": "2022-06-01", "industries": "other"},
        {"site_id": "L3", "area_mu": 3.0, "available_from": "2022-06-01", "industries": "food"},
    ])
    projects = make_projects([
        {"project_id": "A", "land_need_mu": 5.0, "investment_yi": 1.0, "review_meeting": 1},
        {"project_id": "D", "land_need_mu": 3.0, "investment_yi": 0.5, "review_meeting": 1, "industry": "food"},
        {"project_id": "B", "land_need_mu": 8.0, "investment_yi": 8.0, "review_meeting": 2},
        {"project_id": "C", "land_need_mu": 6.0, "investment_yi": 2.0, "review_meeting": 3},
    ])
    projects["needed_by"] = pd.to_datetime([None, "2022-06-15", None, None])
    return sites, projects


def write_blocked_year(folder: Path) -> Path:
    """The blocked year as files: ``sites.geojson``, ``projects.csv`` and ``year.toml`` with its meetings."""
    sites, projects = blocked_year()
    sites.to_file(folder / "sites.geojson", driver="GeoJSON")
    projects.assign(needed_by=projects["needed_by"].dt.strftime("%Y-%m-%d")).to_csv(folder / "projects.csv",
                                                                                    index=False)
    toml = ('sites = "sites.geojson"\nprojects = "projects.csv"\n[weights]\ninvestment = 1.0\n[meetings]\n'
            + "".join(f'"{k}" = {v}\n' for k, v in MEETINGS.items()))
    (folder / "year.toml").write_text(toml, encoding="utf-8")
    return folder / "year.toml"


def test_a_project_goes_only_to_a_site_available_by_its_meeting_or_needed_by_date() -> None:
    sites, projects = blocked_year()
    sc = scenario(meetings=MEETINGS)
    pairs = eligible_pairs(sites, projects, sc).pairs
    got = {(p, s) for p, s in zip(pairs["project_id"], pairs["site_id"], strict=True)}
    assert got == {("A", "L1"), ("D", "L3"), ("B", "L1"), ("C", "L1"), ("C", "L2")}
    (reason,) = why_not("A", "L2", sites, projects, sc)
    assert reason.code == "not_available"
    assert reason.text_en == "the site is available from 2022-06-01, after the date of review meeting 1, 2022-01-10"
    assert "第 1 次评审会日期 2022-01-10" in reason.text_zh
    # without its needed-by date D has nothing by its meeting; without [meetings] the scenario's date decides
    no_need = projects.drop(columns="needed_by")
    assert "D" not in set(eligible_pairs(sites, no_need, sc).pairs["project_id"])
    late = eligible_pairs(sites, no_need, scenario(policy={"as_of": dt.date(2022, 12, 31)})).pairs
    assert set(late.loc[late["project_id"] == "A", "site_id"]) == {"L1", "L2"}


def test_the_timeline_keeps_earlier_placements_and_hindsight_is_the_proven_optimum() -> None:
    sites, projects = blocked_year()
    sc = scenario(meetings=MEETINGS)
    r = run_timeline(sites, projects, sc)
    rows = r.rows.set_index("project_id")
    assert rows["site_id"].to_dict() == {"A": "L1", "D": "L3", "B": "", "C": "L2"}
    assert rows["hindsight_site_id"].to_dict() == {"A": "", "D": "L3", "B": "L1", "C": "L2"}
    assert rows.loc[["A", "D", "B", "C"], "meeting"].tolist() == [1, 1, 2, 3]
    assert "L1" in rows.at["B", "reason_en"]
    # every placement honours its project's date
    avail = dict(zip(sites["site_id"], sites["available_from"], strict=True))
    due = {"A": "2022-01-10", "D": "2022-06-15", "B": "2022-03-01", "C": "2022-07-01"}
    for pid, site in rows["site_id"].items():
        if site:
            assert pd.isna(avail[site]) or avail[site] <= pd.Timestamp(due[pid])
    s = r.summary()
    assert s["timeline"]["investment_placed_yi"] == pytest.approx(3.5)
    assert s["hindsight"]["status"] == "optimal"
    assert s["hindsight"]["investment_placed_yi"] == pytest.approx(10.5)  # B, D, C: worked out by hand
    assert s["cost_of_deciding_by_meeting"]["investment_yi"] == pytest.approx(7.0)
    assert [m["meeting"] for m in s["meetings"]] == [1, 2, 3]
    assert [m["placed"] for m in s["meetings"]] == [2, 0, 1]
    assert s["meetings"][0]["land_released_mu"] == pytest.approx(10.0)  # L2, L3 come in June
    (b,) = s["blocked"]
    assert (b["site_id"], b["blocker_id"], b["blocker_meeting"], b["project_id"], b["meeting"]) == \
        ("L1", "A", 1, "B", 2)
    assert b["text"]["en"].startswith(
        "L1 given to A at meeting 1 (2022-01-10) left no room for B at meeting 2, 8.0 亿元")
    (res,) = s["reserve"]
    assert (res["site_id"], res["hold_from_meeting"], res["hold_until_meeting"]) == ("L1", 1, 2)
    assert res["gain_yi"] == pytest.approx(7.0) and res["recommended"]


def test_committed_decisions_are_the_starting_point() -> None:
    sites, projects = blocked_year()
    r = run_timeline(sites, projects, scenario(meetings=MEETINGS), committed=[("A", "L1")], reserve=0)
    rows = r.rows.set_index("project_id")
    assert rows.at["A", "site_id"] == "L1" and rows.at["A", "committed"] and not rows.at["D", "committed"]
    assert r.hindsight["investment_placed_yi"] == pytest.approx(3.5)  # the commitment binds hindsight too: A, D, C
    assert r.cost["investment_yi"] == pytest.approx(0.0) and not r.blocked


def test_timeline_command_writes_its_files_and_refuses_undated_meetings(tmp_path: Path) -> None:
    toml = write_blocked_year(tmp_path).read_text(encoding="utf-8")
    assert main(["timeline", str(tmp_path / "year.toml"), "--out", str(tmp_path / "out")]) == 0
    raw = (tmp_path / "out" / "timeline.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(tmp_path / "out" / "timeline.csv", encoding="utf-8-sig", dtype={"site_id": str},
                        keep_default_na=False)
    assert {"meeting", "project_id", "site_id", "status"} <= set(table.columns) and len(table) == 4
    summary = json.loads((tmp_path / "out" / "timeline_summary.json").read_text(encoding="utf-8"))
    assert summary["hindsight"]["investment_placed_yi"] == pytest.approx(10.5)
    (tmp_path / "short.toml").write_text(toml.replace('"3" = 2022-07-01\n', ""), encoding="utf-8")
    assert main(["timeline", str(tmp_path / "short.toml"), "--out", str(tmp_path / "o2")]) == 2
    with pytest.raises(InputError, match=r"meetings\.3"):
        run_timeline(*blocked_year(), scenario(meetings={"1": "2022-01-10", "2": "2022-03-01"}))


def test_meetings_table_is_validated() -> None:
    sc = scenario(meetings={"2": "2022-03-01", "1": dt.date(2022, 1, 20)})
    assert sc.meetings == ((1, dt.date(2022, 1, 20)), (2, dt.date(2022, 3, 1)))
    assert "[meetings]" in sc.to_toml()
    with pytest.raises(InputError, match=r"'meetings.2' must be a date such as 2022-01-20"):
        scenario(meetings={"1": "2022-01-20", "2": "soon"})
    with pytest.raises(InputError, match=r"meeting 3 \(2022-01-01\) is dated before meeting 2"):
        scenario(meetings={"1": "2021-12-01", "2": "2022-02-01", "3": "2022-01-01"})
    with pytest.raises(InputError, match="must be meeting numbers"):
        scenario(meetings={"first": "2022-01-20"})


# --- alternatives ------------------------------------------------------------------------------------


def alternatives_toy() -> tuple[pd.DataFrame, pd.DataFrame]:
    """L1 10 mu, L2 6 mu, L3 2 mu; A 6 mu 6.6, B 5 mu 5.0, C 5 mu 5.0, D 2 mu 1.0.

    Optimum 17.6: A on L2, B and C on L1, D on L3. By hand: A on L1 leaves room for one of B, C (on L2):
    12.6, loss 5.0. D on L1 leaves one of B, C out: 12.6, loss 5.0; D on L2 pushes A out (B + C stay on
    L1): 11.0, loss 6.6.
    """
    sites = make_sites([{"site_id": "L1", "area_mu": 10.0}, {"site_id": "L2", "area_mu": 6.0},
                        {"site_id": "L3", "area_mu": 2.0}])
    projects = make_projects([
        {"project_id": "A", "land_need_mu": 6.0, "investment_yi": 6.6},
        {"project_id": "B", "land_need_mu": 5.0, "investment_yi": 5.0},
        {"project_id": "C", "land_need_mu": 5.0, "investment_yi": 5.0},
        {"project_id": "D", "land_need_mu": 2.0, "investment_yi": 1.0},
    ])
    return sites, projects


def test_alternatives_losses_match_the_hand_values_and_independent_re_solves() -> None:
    sites, projects = alternatives_toy()
    sc = scenario()
    plan = solve_allocation(sites, projects, sc)
    assert plan.status == "optimal" and plan.objective == pytest.approx(17.6)
    alt = run_alternatives(sites, projects, sc, plan.assignments, k=3)
    t = alt.table
    got = {(r.project_id, r.site_id): (r.rank, r.loss_yi) for r in t.itertuples()}
    assert got[("A", "L1")] == (1, pytest.approx(5.0))
    assert got[("D", "L1")] == (1, pytest.approx(5.0)) and got[("D", "L2")] == (2, pytest.approx(6.6))
    assert t["proven"].all() and (t["site_id"] != t["current_site_id"]).all()
    for r in t.itertuples():  # every loss re-solved independently, the pair locked
        fixed = solve_allocation(sites, projects, sc.with_(locks=((r.project_id, r.site_id),)))
        assert fixed.status == "optimal"
        assert r.loss_yi == pytest.approx(plan.objective - fixed.objective, abs=1e-6), (r.project_id, r.site_id)
    assert "L2" in alt.irreplaceable or "L1" in alt.irreplaceable
    assert alt.frequency.groupby("project_id")["share"].sum().le(1.0 + 1e-9).all()


def test_solve_alternatives_flag_writes_the_csv(tmp_path: Path) -> None:
    sites, projects = alternatives_toy()
    sites.to_file(tmp_path / "sites.geojson", driver="GeoJSON")
    projects.to_csv(tmp_path / "projects.csv", index=False)
    out = tmp_path / "out"
    code = main(["solve", "--sites", str(tmp_path / "sites.geojson"), "--projects", str(tmp_path / "projects.csv"),
                 "--out", str(out), "--alternatives", "2", "--quiet"])
    assert code == 0
    assert (out / "alternatives.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    t = pd.read_csv(out / "alternatives.csv", encoding="utf-8-sig")
    assert list(t.columns[:5]) == ["project_id", "site_id", "rank", "loss_yi", "note"]
    d = t[t["project_id"] == "D"].sort_values("rank")
    assert d["site_id"].tolist() == ["L1", "L2"] and d["loss_yi"].tolist() == pytest.approx([5.0, 6.6])
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["alternatives"]["k"] == 2


def test_the_2022_sample_year_honours_every_date_and_the_reports_placements() -> None:
    """The sample's 13 meetings with the recorded scenario's locks (the report's placements): no lock breaks
    a date, every placement is on a plot released by its project's date, hindsight is proven optimal."""
    from zq_land import MEETING_DATES_2022, load_scenario, read_projects, read_sites, sample_scenarios, sample_timeline

    year = load_scenario(sample_timeline())
    assert [d.isoformat() for _, d in year.meetings] == list(MEETING_DATES_2022) and len(year.meetings) == 13
    rec = load_scenario(sample_scenarios()["review_2022_recorded"]).with_(meetings=year.meetings)
    sites, projects = read_sites(rec.sites), read_projects(rec.projects)
    r = run_timeline(sites, projects, rec, reserve=1)
    assert len(r.rows) == 109 and r.hindsight["status"] == "optimal"
    assert r.hindsight["objective"] >= r.cost["timeline_objective"] - 1e-9
    placed = r.rows[r.rows["status"] == "placed"].merge(sites[["site_id", "available_from"]], on="site_id")
    due = projects.set_index("project_id")
    for row in placed.itertuples():
        when = due.at[row.project_id, "needed_by"]
        when = pd.Timestamp(row.date) if pd.isna(when) else when
        assert pd.isna(row.available_from) or row.available_from <= when, row.project_id
    locks = dict(rec.locks)
    kept = r.rows.set_index("project_id")["site_id"]
    assert all(kept[p] == s for p, s in locks.items())


def test_the_stores_committed_decisions_are_the_timelines_starting_point(tmp_path: Path) -> None:
    """B (8 亿元, meeting 2) committed to L1 in the workspace store: L1's room is held for it from meeting 1,
    so A finds none, and the timeline equals hindsight (10.5 亿元)."""
    write_blocked_year(tmp_path)
    store = str(tmp_path / "ws.gpkg")
    assert main(["import", "--sites", str(tmp_path / "sites.geojson"), "--projects", str(tmp_path / "projects.csv"),
                 "--store", store]) == 0
    assert main(["decisions", "add", "--project", "B", "--site", "L1", "--meeting", "2", "--store", store]) == 0
    assert main(["timeline", str(tmp_path / "year.toml"), "--out", str(tmp_path / "out"), "--store", store]) == 0
    rows = pd.read_csv(tmp_path / "out" / "timeline.csv", encoding="utf-8-sig", keep_default_na=False)
    rows = rows.set_index("project_id")
    assert rows.at["B", "site_id"] == "L1" and bool(rows.at["B", "committed"])
    assert rows.at["A", "status"] == "unplaced"
    summary = json.loads((tmp_path / "out" / "timeline_summary.json").read_text(encoding="utf-8"))
    assert summary["timeline"]["investment_placed_yi"] == pytest.approx(10.5) == \
        summary["hindsight"]["investment_placed_yi"]


def test_alternatives_equal_brute_force_re_solves_under_mixed_weights() -> None:
    """Ten projects on four plots (two inefficient), investment, projects and revitalization weighed: the
    two best losses of every placed project equal those of re-solving every one of its other plots, though
    the bound spares some of those solves."""
    import numpy as np

    rng = np.random.default_rng(0)
    sites = make_sites([{"site_id": f"S{i}", "area_mu": float(rng.integers(8, 30)),
                         "status": "inefficient" if i % 2 else "vacant"} for i in range(4)])
    projects = make_projects([{"project_id": f"P{j}", "land_need_mu": float(rng.integers(3, 12)),
                               "investment_yi": float(rng.integers(5, 60)) / 10} for j in range(10)])
    sc = scenario(weights={"investment": 1.0, "projects": 0.5, "revitalization": 0.7})
    plan = solve_allocation(sites, projects, sc)
    alt = run_alternatives(sites, projects, sc, plan.assignments, k=2)
    assert alt.pruned > 0
    pairs, a = plan.candidates.pairs, plan.assignments
    for r in a[a["placed"]].itertuples():
        others = pairs.loc[(pairs["project_id"] == r.project_id) & (pairs["site_id"] != r.site_id), "site_id"]
        fixed = [solve_allocation(sites, projects, sc.with_(locks=((r.project_id, s),))) for s in others]
        brute = sorted(plan.objective - f.objective for f in fixed)
        got = alt.for_project(r.project_id).sort_values("rank")["loss_yi"].astype(float).tolist()
        assert got == pytest.approx(brute[:2], abs=1e-6), r.project_id
