"""The zone's year, meeting by meeting (issue 14): a timeline replay against hindsight.

At each review meeting the projects it passed are placed as well as the scenario's weights allow, given
every earlier meeting's placements (kept, never moved: locks) and the sites available by the meeting's
date (the availability rule, :func:`zq_land.engine.rules.project_dates`). A project left unplaced at its
meeting stays unplaced. *Hindsight* is the same projects solved all at once under the same date rules.
The difference is what deciding meeting by meeting cost; the early placements that left no room for a
project hindsight places name who blocked whom; holding a plot back from the blocker's meeting to the
blocked project's, replayed, says what a reserve would have gained.

Every solve is :func:`zq_land.engine.pipeline.solve_allocation` on the projects in play, with locks and
exclusions: the engine is not touched. Each meeting's solve weighs its own projects (the weights' scales
are the in-play projects'); the comparison with hindsight counts every plan under the full scenario's
coefficients.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import input_error
from ..engine import rules as R
from ..engine.model import Plan
from ..engine.pipeline import solve_allocation
from ..engine.reasons import unplaced_reasons
from ..outputs.files import strict_json_bytes
from ..outputs.tables import spreadsheet_safe
from ..scenario import Scenario
from ..text import Text

#: Columns of ``timeline.csv``: one row per project, at the meeting that decided it.
TIMELINE_COLUMNS = ("meeting", "date", "project_id", "name", "site_id", "status", "reason", "reason_zh", "reason_en",
                    "investment_yi", "land_mu", "floor_m2", "committed", "hindsight_site_id")


@dataclass(frozen=True)
class TimelineResult:
    """A replayed year.

    Attributes
    ----------
    rows
        ``timeline.csv``: one row per project (:data:`TIMELINE_COLUMNS`), in meeting order.
    meetings
        Per meeting: its figures (``meeting``, ``date``, ``projects``, ``placed``, ``investment_placed_yi``,
        ``land_placed_mu``, ``floor_placed_m2``, the cumulative ones, the land still free, the solve's status).
    hindsight
        The all-at-once solve: ``status``, ``objective``, ``investment_placed_yi``, ``land_placed_mu``, ...
    cost
        Hindsight minus the timeline: ``objective``, ``investment_yi``, ``land_mu``, ``projects``.
    blocked
        The early decisions that left no room for a project hindsight places (``text`` in zh and en).
    reserve
        Plots whose holding-back was replayed, the gain of each (best first).
    plans
        Meeting number -> the placements standing after that meeting (``project_id``, ``site_id``, ``meeting``).
    hindsight_plan
        The hindsight assignments (``project_id``, ``site_id``).
    """

    scenario: Scenario
    rows: pd.DataFrame
    meetings: list[dict[str, Any]]
    hindsight: dict[str, Any]
    cost: dict[str, Any]
    blocked: list[dict[str, Any]]
    reserve: list[dict[str, Any]]
    plans: Mapping[int, pd.DataFrame] = field(default_factory=dict)
    hindsight_plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """The figures of ``timeline_summary.json``."""
        placed = self.rows[self.rows["status"] == "placed"]
        return {
            "scenario": self.scenario.name,
            "meetings": self.meetings,
            "timeline": {
                "projects_total": len(self.rows),
                "projects_placed": len(placed),
                "investment_placed_yi": _r(placed["investment_yi"].sum()),
                "land_placed_mu": _r(placed["land_mu"].sum()),
                "floor_placed_m2": _r(placed["floor_m2"].sum()),
                "objective": self.cost.get("timeline_objective"),
            },
            "hindsight": self.hindsight,
            "cost_of_deciding_by_meeting": {k: v for k, v in self.cost.items() if k != "timeline_objective"},
            "blocked": self.blocked,
            "reserve": self.reserve,
            "seconds": round(self.seconds, 3),
            "warnings": list(self.warnings),
        }


def run_timeline(
    sites: pd.DataFrame,
    projects: pd.DataFrame,
    scenario: Scenario,
    *,
    committed: Sequence[tuple[str, str]] = (),
    reserve: int = 3,
    time_limit_s: float | None = None,
) -> TimelineResult:
    """Replay the year meeting by meeting, solve it in hindsight, and name what the order cost.

    Parameters
    ----------
    sites, projects
        Canonical tables; every project needs its ``review_meeting``, and every meeting its date in the
        scenario's ``[meetings]``.
    scenario
        Weights, rules, locks (kept at their project's meeting) and the meeting dates.
    committed
        Decisions already taken (project, site), e.g. the workspace store's: the starting point, kept like
        locks at their project's meeting.
    reserve
        How many plots to replay held back (the blocked cases of most investment first); 0 for none.
    time_limit_s
        Each solve's time limit (default the scenario's).

    Raises
    ------
    InputError
        When a project has no review meeting, a meeting has no date, or a lock or commitment breaks a rule.
    """
    t0 = time.perf_counter()
    pj = projects.reset_index(drop=True)
    meeting_of, order = _meetings_of(pj, scenario)
    dates = scenario.meeting_dates
    locks = _merge_locks(scenario.locks, committed)
    committed_set = set(committed)
    base = _Replay(sites, pj, scenario, meeting_of, locks, time_limit_s)
    steps = base.run(order)
    # hindsight: everything at once, same date rules, the timeline's final plan as a start
    final = steps[-1].standing if steps else pd.DataFrame(columns=["project_id", "site_id"])
    hs_scenario = scenario.with_(locks=tuple(locks))
    hind = solve_allocation(sites, pj, hs_scenario, time_limit_s=time_limit_s, starts=[final])
    coef = _coefficients(hind)
    tl_obj = _objective(final, coef)
    rows = _rows(steps, pj, dates, committed_set)
    hind_fig = _plan_figures(hind)
    placed = rows[rows["status"] == "placed"]
    cost = {
        "timeline_objective": _r(tl_obj),
        "objective": _r(hind.objective - tl_obj),
        "investment_yi": _r(hind_fig["investment_placed_yi"] - placed["investment_yi"].sum()),
        "land_mu": _r(hind_fig["land_placed_mu"] - placed["land_mu"].sum()),
        "floor_m2": _r(hind_fig["floor_placed_m2"] - placed["floor_m2"].sum()),
        "projects": int(hind_fig["projects_placed"] - len(placed)),
    }
    hind_plan = hind.assignments[["project_id", "site_id"]].copy()
    blocked = _blocked(steps, hind_plan, pj, base, dates)
    rows = _with_blockers(rows, blocked)
    hs_site = dict(zip(hind_plan["project_id"].astype(str), hind_plan["site_id"], strict=True))
    rows["hindsight_site_id"] = [s if isinstance(s, str) else "" for s in rows["project_id"].map(hs_site)]
    reserve_rows = _reserve(base, steps, blocked, order, coef, tl_obj, limit=reserve)
    meetings = _meeting_figures(steps, pj, sites, scenario, dates)
    plans = {s.meeting: s.standing for s in steps}
    warnings = tuple(w for s in steps for w in s.warnings)
    return TimelineResult(scenario, rows, meetings, hind_fig, cost, blocked, reserve_rows, plans, hind_plan,
                          time.perf_counter() - t0, warnings)


def write_timeline(result: TimelineResult, out: str | Path) -> list[str]:
    """Write ``timeline.csv`` (UTF-8 with BOM) and ``timeline_summary.json`` into ``out``; their names."""
    from ..outputs.files import atomic_write

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    csv = spreadsheet_safe(result.rows).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    atomic_write(folder / "timeline.csv", csv)
    atomic_write(folder / "timeline_summary.json", strict_json_bytes(result.summary()) + b"\n")  # no NaN
    return ["timeline.csv", "timeline_summary.json"]


# --- the replay ------------------------------------------------------------------------------------


@dataclass
class _Step:
    """One meeting: its projects' placements, and every placement standing after it."""

    meeting: int
    plan: Plan
    decided: pd.DataFrame  # project_id, site_id (None = unplaced), reason_zh, reason_en
    standing: pd.DataFrame  # project_id, site_id, meeting: every placement so far
    rejected: frozenset[str]  # every project left unplaced so far
    seconds: float
    warnings: tuple[str, ...] = ()


class _Replay:
    """The meeting-by-meeting solves, restartable from any meeting (the reserve replays reuse the start).

    Earlier placements are kept by taking what they use off their sites' capacity: each meeting's model
    holds only its own projects (0.06 s a meeting on the sample, against 1-4 s with the earlier projects
    locked in the model).
    """

    def __init__(self, sites: pd.DataFrame, projects: pd.DataFrame, scenario: Scenario,
                 meeting_of: pd.Series, locks: Sequence[tuple[str, str]], time_limit_s: float | None) -> None:
        self.sites, self.projects, self.scenario = sites, projects, scenario
        self.meeting_of = meeting_of  # project_id -> meeting number (aligned with projects)
        self.locks = list(locks)
        self.time_limit_s = time_limit_s
        kind = sites["kind"].astype(str).to_numpy()
        cap, _ = R.site_capacity(kind, sites["area_mu"], sites["floor_area_m2"],
                                 usable_land_ratio=scenario.policy.usable_land_ratio)
        self.capacity = dict(zip(sites["site_id"].astype(str), cap, strict=True))
        self.kind = dict(zip(sites["site_id"].astype(str), kind, strict=True))
        # locks and commitments are known in advance: their plots' room is held for them until their meeting
        info = projects.assign(_m=meeting_of.to_numpy()).set_index(projects["project_id"].astype(str))
        held = [(p, s) for p, s in self.locks if p in info.index and s in self.kind]
        self.held = pd.DataFrame({
            "site_id": [s for _, s in held], "meeting": [int(info.at[p, "_m"]) for p, _ in held],
            "need": [float(R.need_on_site(self.kind[s], info.at[p, "land_need_mu"], info.at[p, "floor_need_m2"]))
                     for p, s in held],
        })

    def run(self, order: Sequence[int], *, before: _Step | None = None,
            forbid: Iterable[tuple[str, str]] = ()) -> list[_Step]:
        steps: list[_Step] = []
        prev = before
        extra = tuple(forbid)
        for m in order:
            prev = self._meeting(m, prev, extra)
            steps.append(prev)
        return steps

    def sites_left(self, standing: pd.DataFrame, meeting: int) -> pd.DataFrame:
        """The sites with what the standing placements use, and what later meetings' locks hold, taken off
        their capacity."""
        later = self.held[self.held["meeting"] > meeting]
        if not len(standing) and not len(later):
            return self.sites
        used = pd.concat([standing[["site_id", "need"]], later[["site_id", "need"]]]).groupby("site_id")["need"].sum()
        out = self.sites.copy()
        ids = out["site_id"].astype(str)
        take = ids.map(used).fillna(0.0).to_numpy(float)
        is_land = out["kind"].astype(str).to_numpy() == "land"
        ratio = self.scenario.policy.usable_land_ratio
        area = pd.to_numeric(out["area_mu"], errors="coerce").to_numpy(float)
        floor = pd.to_numeric(out["floor_area_m2"], errors="coerce").to_numpy(float)
        out["area_mu"] = np.where(is_land & (take > 0), np.maximum(area - take / ratio, 0.0), area)
        out["floor_area_m2"] = np.where(~is_land & (take > 0), np.maximum(floor - take, 0.0), floor)
        return out

    def _meeting(self, m: int, prev: _Step | None, forbid: tuple[tuple[str, str], ...]) -> _Step:
        t0 = time.perf_counter()
        standing = prev.standing if prev is not None else pd.DataFrame(
            {"project_id": pd.Series(dtype=str), "site_id": pd.Series(dtype=str),
             "meeting": pd.Series(dtype=int), "need": pd.Series(dtype=float)})
        rejected = prev.rejected if prev is not None else frozenset()
        ids = self.projects["project_id"].astype(str)
        now_mask = self.meeting_of.to_numpy() == m
        now = set(ids[now_mask])
        pj = self.projects[now_mask].reset_index(drop=True)
        sc = self.scenario.with_(locks=tuple((p, s) for p, s in self.locks if p in now),
                                 forbid=self.scenario.forbid + tuple(f for f in forbid if f[0] in now))
        sites = self.sites_left(standing, m)
        plan = solve_allocation(sites, pj, sc, time_limit_s=self.time_limit_s)
        full = plan.assignments
        a = full[["project_id", "site_id"]].copy()
        reasons = unplaced_reasons(plan, plan.candidates, sites, pj, sc)
        rz = dict(zip(reasons["project_id"], reasons["reason_zh"], strict=True))
        re_ = dict(zip(reasons["project_id"], reasons["reason_en"], strict=True))
        unplaced = a["site_id"].isna().to_numpy()
        a["reason_zh"] = [rz.get(p, "") + "（容量为此前评审会落位后的剩余）" if u else ""
                          for p, u in zip(a["project_id"], unplaced, strict=True)]
        a["reason_en"] = [re_.get(p, "") + " (capacities: what earlier meetings left)" if u else ""
                          for p, u in zip(a["project_id"], unplaced, strict=True)]
        new = full.loc[full["placed"], ["project_id", "site_id", "need"]].assign(meeting=m)
        new = new[["project_id", "site_id", "meeting", "need"]]
        standing = pd.concat([standing, new], ignore_index=True) if len(standing) else new.reset_index(drop=True)
        rejected = rejected | frozenset(a.loc[unplaced, "project_id"])
        warnings: tuple[str, ...] = ()
        if plan.status != "optimal":
            warnings = (f"第 {m} 次评审会的求解未证明最优（{plan.status}） / meeting {m}: the solve is not proven "
                        f"optimal ({plan.status})",)
        return _Step(m, plan, a, standing, rejected, time.perf_counter() - t0, warnings)


# --- steps of run_timeline --------------------------------------------------------------------------


def _meetings_of(pj: pd.DataFrame, scenario: Scenario) -> tuple[pd.Series, list[int]]:
    file = str(scenario.source or "<scenario>")
    raw = pd.to_numeric(pj["review_meeting"], errors="coerce") if "review_meeting" in pj.columns \
        else pd.Series(np.nan, index=pj.index)
    missing = pj.loc[raw.isna(), "project_id"].astype(str).tolist()
    if missing:
        more = f" …（+{len(missing) - 5}）" if len(missing) > 5 else ""
        raise input_error(file, f"时间轴需要每个项目的评审批次：{'、'.join(missing[:5])}{more} 没有 review_meeting",
                          f"the timeline needs each project's review meeting: {', '.join(missing[:5])}{more} "
                          "have no review_meeting", item_id=missing[0], column="review_meeting")
    meeting_of = raw.astype(int)
    order = sorted(set(meeting_of.tolist()))
    undated = [m for m in order if m not in scenario.meeting_dates]
    if undated:
        listed = ", ".join(map(str, undated))
        raise input_error(file, f"情景的 [meetings] 没有第 {listed} 次评审会的日期（如 \"{undated[0]}\" = 2022-06-30）",
                          f"the scenario's [meetings] gives no date for meeting(s) {listed} "
                          f"(e.g. \"{undated[0]}\" = 2022-06-30)", column=f"meetings.{undated[0]}",
                          expected='"N" = YYYY-MM-DD')
    return meeting_of.set_axis(pj.index), order


def _merge_locks(locks: Sequence[tuple[str, str]], committed: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The scenario's locks and the committed decisions; a commitment wins over a lock of the same project."""
    mine = {p: s for p, s in locks}
    mine.update({p: s for p, s in committed})
    return list(mine.items())


def _coefficients(plan: Plan) -> pd.Series:
    pairs = plan.candidates.pairs
    return pd.Series(pairs["coefficient"].to_numpy(float),
                     index=pd.MultiIndex.from_arrays([pairs["project_id"], pairs["site_id"]]))


def _objective(placements: pd.DataFrame, coef: pd.Series) -> float:
    if not len(placements):
        return 0.0
    keys = pd.MultiIndex.from_arrays([placements["project_id"].astype(str), placements["site_id"].astype(str)])
    return float(coef.reindex(keys).fillna(0.0).sum())


def _plan_figures(plan: Plan) -> dict[str, Any]:
    a = plan.assignments
    on = a[a["placed"]]
    rep = plan.report
    return {
        "status": rep.status, "objective": _r(rep.objective), "bound": _r(rep.bound), "gap": _r(rep.gap),
        "projects_placed": len(on), "investment_placed_yi": _r(on["investment_yi"].sum()),
        "land_placed_mu": _r(on["use_land_mu"].sum()), "floor_placed_m2": _r(on["use_floor_m2"].sum()),
        "solver": rep.solver, "solve_seconds": round(float(rep.solve_seconds), 3),
    }


def _rows(steps: Sequence[_Step], pj: pd.DataFrame, dates: Mapping[int, dt.date],
          committed: set[tuple[str, str]]) -> pd.DataFrame:
    info = pj.set_index(pj["project_id"].astype(str))
    out = []
    for st in steps:
        for r in st.decided.itertuples(index=False):
            p = info.loc[r.project_id]
            placed = r.site_id is not None and not pd.isna(r.site_id)
            kind_land = placed and _site_kind(st.plan, r.project_id) == "land"
            out.append({
                "meeting": st.meeting, "date": dates[st.meeting].isoformat(), "project_id": r.project_id,
                "name": str(p.get("name", "")), "site_id": r.site_id if placed else "",
                "status": "placed" if placed else "unplaced",
                "reason": "" if placed else r.reason_zh, "reason_zh": r.reason_zh, "reason_en": r.reason_en,
                "investment_yi": float(p["investment_yi"]),
                "land_mu": float(p["land_need_mu"]) if kind_land else 0.0,
                "floor_m2": float(p["floor_need_m2"]) if placed and not kind_land else 0.0,
                "committed": placed and (r.project_id, r.site_id) in committed,
            })
    return pd.DataFrame(out, columns=list(TIMELINE_COLUMNS))


def _with_blockers(rows: pd.DataFrame, blocked: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """An unplaced project's reason names the earlier decision that blocked it, when one did."""
    first: dict[str, Mapping[str, Any]] = {}
    for b in blocked:
        first.setdefault(b["project_id"], b)
    if not first:
        return rows
    out = rows.copy()
    for i, pid in enumerate(out["project_id"]):
        hit = first.get(pid)
        if hit is not None:
            out.at[i, "reason_zh"] = f"{hit['text']['zh']}。{out.at[i, 'reason_zh']}"
            out.at[i, "reason_en"] = f"{hit['text']['en']}. {out.at[i, 'reason_en']}"
            out.at[i, "reason"] = out.at[i, "reason_zh"]
    return out


def _site_kind(plan: Plan, project_id: str) -> str:
    a = plan.assignments
    unit = a.loc[a["project_id"] == project_id, "unit"]
    return "land" if len(unit) and unit.iloc[0] == "mu" else "floor"


def _meeting_figures(steps: Sequence[_Step], pj: pd.DataFrame, sites: pd.DataFrame, scenario: Scenario,
                     dates: Mapping[int, dt.date]) -> list[dict[str, Any]]:
    """Per meeting: what it decided, what stands after it, and the land still free on the sites released."""
    inv = dict(zip(pj["project_id"].astype(str), pd.to_numeric(pj["investment_yi"]), strict=True))
    kind = sites["kind"].astype(str).to_numpy()
    cap, _ = R.site_capacity(kind, sites["area_mu"], sites["floor_area_m2"],
                             usable_land_ratio=scenario.policy.usable_land_ratio, status=sites["status"])
    avail = pd.to_datetime(sites["available_from"], errors="coerce").to_numpy("datetime64[ns]") \
        if "available_from" in sites.columns else np.full(len(sites), np.datetime64("NaT"), "datetime64[ns]")
    is_land = kind == "land"
    out = []
    cum_inv = cum_land = cum_floor = 0.0
    for st in steps:
        a = st.plan.assignments
        now = a[a["project_id"].isin(set(st.decided["project_id"])) & a["placed"]]
        n_now = len(st.decided)
        inv_now = float(now["investment_yi"].sum())
        land_now, floor_now = float(now["use_land_mu"].sum()), float(now["use_floor_m2"].sum())
        cum_inv, cum_land, cum_floor = cum_inv + inv_now, cum_land + land_now, cum_floor + floor_now
        when = np.datetime64(pd.Timestamp(dates[st.meeting]).to_datetime64(), "ns")
        released = R.available_by(avail, when) & (sites["status"].astype(str).to_numpy() != "occupied")
        land_open = float(cap[released & is_land].sum())
        rep = st.plan.report
        out.append({
            "meeting": st.meeting, "date": dates[st.meeting].isoformat(), "projects": n_now,
            "placed": len(now), "unplaced": int(n_now - len(now)),
            "investment_decided_yi": _r(sum(inv.get(p, 0.0) for p in st.decided["project_id"])),
            "investment_placed_yi": _r(inv_now), "land_placed_mu": _r(land_now), "floor_placed_m2": _r(floor_now),
            "cumulative_investment_yi": _r(cum_inv), "cumulative_land_mu": _r(cum_land),
            "cumulative_floor_m2": _r(cum_floor), "land_released_mu": _r(land_open),
            "land_free_mu": _r(land_open - cum_land),
            "status": rep.status, "objective": _r(rep.objective), "seconds": round(st.seconds, 3),
        })
    return out


def _blocked(steps: Sequence[_Step], hind: pd.DataFrame, pj: pd.DataFrame, replay: _Replay,
             dates: Mapping[int, dt.date]) -> list[dict[str, Any]]:
    """The projects hindsight places that the timeline left unplaced because earlier meetings filled the
    plot hindsight gives them: the earlier placements whose removal alone would have made room (else all
    earlier ones on that plot)."""
    if not steps:
        return []
    cap, kinds = replay.capacity, replay.kind
    info = pj.set_index(pj["project_id"].astype(str))
    standing = steps[-1].standing
    hind_site = dict(zip(hind["project_id"], hind["site_id"], strict=True))
    out: list[dict[str, Any]] = []
    for st in steps:
        for pid in st.decided.loc[st.decided["site_id"].isna(), "project_id"]:
            site = hind_site.get(pid)
            if site is None or pd.isna(site):
                continue
            need_col = R.KIND_NEED[kinds[site]]
            need = float(info.at[pid, need_col])
            earlier = standing[(standing["site_id"] == site) & (standing["meeting"] < st.meeting)]
            if not len(earlier):
                continue
            used = dict(zip(earlier["project_id"], earlier["need"].astype(float), strict=True))
            room = cap[site] - sum(used.values())
            if R.fits(need, room):
                continue  # it lost to its own meeting's projects, not to an earlier decision
            alone = [q for q, u in used.items() if R.fits(need, room + u)]
            blockers = alone or list(used)
            meet = dict(zip(earlier["project_id"], earlier["meeting"], strict=True))
            inv = float(info.at[pid, "investment_yi"])
            unit_zh, unit_en = ("亩", "mu") if kinds[site] == "land" else ("平方米", "m2")
            for q in blockers[:3]:
                mq = int(meet[q])
                zh = (f"{site} 于第 {mq} 次评审会（{dates[mq]}）给了 {q}（{_name(info, q)}），"
                      f"第 {st.meeting} 次评审会的 {pid}（{_name(info, pid)}）已无处可落，{inv:,.1f} 亿元"
                      f"（需 {need:,.1f} {unit_zh}，余 {room:,.1f}）")
                en = (f"{site} given to {q} at meeting {mq} ({dates[mq]}) left no room for {pid} at meeting "
                      f"{st.meeting}, {inv:,.1f} 亿元 ({need:,.1f} {unit_en} needed, {room:,.1f} left)")
                out.append({"site_id": site, "blocker_id": q, "blocker_meeting": mq, "project_id": pid,
                            "meeting": int(st.meeting), "investment_yi": _r(inv), "need": _r(need),
                            "room": _r(room), "unit": "mu" if kinds[site] == "land" else "m2",
                            "text": Text(zh, en).as_dict()})
    out.sort(key=lambda b: (-b["investment_yi"], b["meeting"], b["site_id"], b["blocker_id"]))
    return out


def _reserve(replay: _Replay, steps: Sequence[_Step], blocked: Sequence[Mapping[str, Any]], order: Sequence[int],
             coef: pd.Series, base_obj: float, *, limit: int) -> list[dict[str, Any]]:
    """Replay the year with each of the most valuable blocked plots held back from the blocker's meeting
    until the blocked project's (no new project goes there in between); the gain under the full objective."""
    seen: dict[tuple[str, int, int], None] = {}
    for b in blocked:
        seen.setdefault((b["site_id"], b["blocker_meeting"], b["meeting"]), None)
    out: list[dict[str, Any]] = []
    by_meeting = {s.meeting: i for i, s in enumerate(steps)}
    ids = replay.projects["project_id"].astype(str)
    for site, m_from, m_to in list(seen)[: max(0, limit)]:
        i = by_meeting[m_from]
        held = ids[(replay.meeting_of.to_numpy() >= m_from) & (replay.meeting_of.to_numpy() < m_to)]
        forbid = [(p, site) for p in held]
        before = steps[i - 1] if i > 0 else None
        rest = replay.run(order[i:], before=before, forbid=forbid)
        obj = _objective(rest[-1].standing, coef)
        placed = rest[-1].standing
        inv_new = float(pd.to_numeric(replay.projects.set_index(ids).loc[placed["project_id"], "investment_yi"]).sum())
        inv_old = float(pd.to_numeric(replay.projects.set_index(ids).loc[steps[-1].standing["project_id"],
                                                                         "investment_yi"]).sum())
        gain = obj - base_obj
        zh = (f"把 {site} 从第 {m_from} 次留到第 {m_to} 次评审会：目标值 {'+' if gain >= 0 else ''}{gain:,.2f} 亿元，"
              f"投资 {'+' if inv_new >= inv_old else ''}{inv_new - inv_old:,.2f} 亿元")
        en = (f"holding {site} back from meeting {m_from} to meeting {m_to}: objective {gain:+,.2f} 亿元, "
              f"investment {inv_new - inv_old:+,.2f} 亿元")
        out.append({"site_id": site, "hold_from_meeting": int(m_from), "hold_until_meeting": int(m_to),
                    "gain_yi": _r(gain), "investment_gain_yi": _r(inv_new - inv_old), "recommended": bool(gain > 1e-6),
                    "text": Text(zh, en).as_dict()})
    out.sort(key=lambda r: -r["gain_yi"])
    return out


def _name(info: pd.DataFrame, pid: str) -> str:
    return str(info.at[pid, "name"]) if "name" in info.columns else pid


def _r(v: Any) -> float:
    f = float(v)
    return round(f, 6) if np.isfinite(f) else f
