"""Reasons in words: why each unplaced project stayed unplaced, and what more capacity would be worth.

Every sentence comes in Chinese and English with the numbers a planner would check: how many sites
each rule excluded, the largest site that would otherwise have fitted, and which projects took the
capacity of the sites that did admit a project.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

import numpy as np
import pandas as pd

from ..scenario import Scenario
from .eligibility import RULE_NAMES, RULES, Candidates
from .model import LpBound, Plan
from .rules import fits
from .solvers import lp_relaxation

#: At most this many sites are named in one "the sites are full" message.
MAX_SITES_NAMED: Final = 5
_COLUMNS: Final = ["project_id", "reason_code", "reason_zh", "reason_en"]


def unplaced_reasons(
    plan: Plan,
    candidates: Candidates | None = None,
    sites: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
) -> pd.DataFrame:
    """One reason per unplaced project.

    Codes: ``excluded_project`` (the scenario excludes it), ``not_checked`` (the time limit came before
    its sites were checked), ``no_eligible_site`` (no site admits it;
    the text counts the sites each rule excluded and quotes the largest that would otherwise fit),
    ``sites_full`` (the sites that admit it are full; names them and the projects on them) and
    ``not_chosen`` (a site has room but placing it would lower the objective, or the solve stopped
    early).

    Parameters
    ----------
    plan
        The plan to explain.
    candidates
        Defaults to ``plan.candidates``; ``sites``, ``projects`` and ``scenario`` are accepted for
        symmetry with the other engine functions and are not needed.

    Returns
    -------
    pandas.DataFrame
        ``project_id, reason_code, reason_zh, reason_en``, in the projects' order.
    """
    # Vectorised: the room left on every site and each pair's fit are computed in one go; Python only
    # loops over the unplaced projects to word their reasons.
    cand = candidates if candidates is not None else plan.candidates
    a = plan.assignments
    is_unplaced = a["site_id"].isna().to_numpy()
    if not is_unplaced.any():
        return pd.DataFrame(columns=_COLUMNS)
    unplaced_ids = a.loc[is_unplaced, "project_id"].astype(str).tolist()
    excluded = dict(zip(cand.projects["project_id"].astype(str).tolist(),
                        cand.projects["excluded"].tolist(), strict=True))
    to_explain = [pid for pid in unplaced_ids if not bool(excluded[pid])]
    full = _SiteFullness(cand.sites, a.loc[~is_unplaced])
    per_project = _pairs_by_project(cand.pairs, to_explain, full, cand.projects)
    no_site = [pid for pid in to_explain if pid not in per_project]
    counts: dict[Any, dict[str, Any]] = {}
    pj: dict[Any, dict[str, Any]] = {}
    if no_site:
        counts = cand.rule_counts.set_index("project_id").loc[no_site].to_dict("index")
        need_cols = [c for c in ("land_need_mu", "floor_need_m2") if c in cand.projects.columns]
        pj = cand.projects.set_index("project_id").loc[no_site, need_cols].to_dict("index")
    rows: list[tuple[str, str, str, str]] = []
    for pid in unplaced_ids:
        if bool(excluded[pid]):
            rows.append((pid, "excluded_project", "情景排除了该项目，未参与分配",
                         "the scenario excludes this project from allocation"))
            continue
        mine = per_project.get(pid)
        if mine is None and counts[pid].get("unchecked"):
            rows.append((pid, "not_checked", "求解时限已到，尚未检查该项目可用的地块；请延长时限",
                         "the time limit was reached before this project's sites were checked; allow more time"))
            continue
        if mine is None:
            rows.append((pid, "no_eligible_site", *_no_site_text(counts[pid], pj[pid])))
            continue
        rows.append((pid, *_full_or_not_chosen(mine, full, plan,
                                               tax_weighted=scenario is not None and scenario.weights.tax > 0)))
    return pd.DataFrame(rows, columns=_COLUMNS)


def capacity_shadow_prices(
    candidates: Candidates,
    scenario: Scenario,
    *,
    lp: LpBound | None = None,
    solver: str | None = None,
) -> pd.DataFrame:
    """What one more unit of each site's capacity is worth, from the LP relaxation's duals.

    Returns
    -------
    pandas.DataFrame
        ``site_id, unit, dual`` (亿元 per mu for land, per m2 for floor), ``binding``, ``text_zh``,
        ``text_en``; sites with the highest value first. Floor is quoted per 1,000 m2 in the texts.
    """
    lp = lp if lp is not None else lp_relaxation(candidates, scenario, solver=solver)
    df = lp.duals.copy()
    cols = ["site_id", "unit", "dual", "binding", "text_zh", "text_en"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    what_zh = "已落地投资" if scenario.weights.only_investment() else "目标值（折合亿元投资）"
    what_en = ("placed investment" if scenario.weights.only_investment()
               else "objective (in 亿元 of investment)")
    zh, en = [], []
    for unit, dual in zip(df["unit"], df["dual"], strict=True):
        if dual <= 1e-12:
            zh.append("容量未成为约束：再增加也不会多落地项目")
            en.append("capacity is not binding: more of it would not place more")
        elif unit == "mu":
            zh.append(f"该地块每多 1 亩约值 {dual:,.3f} 亿元{what_zh}")
            en.append(f"one more mu on this plot is worth about {dual:,.3f} 亿元 of {what_en}")
        else:
            zh.append(f"该载体每多 1,000 平方米约值 {dual * 1000:,.3f} 亿元{what_zh}")
            en.append(f"1,000 more m2 here are worth about {dual * 1000:,.3f} 亿元 of {what_en}")
    df["text_zh"], df["text_en"] = zh, en
    df = df.sort_values(["dual", "site_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return df[cols]


# --- helpers ----------------------------------------------------------------------------------------


def _no_site_text(c: Mapping[str, Any], p: Mapping[str, Any]) -> tuple[str, str]:
    n = int(c["n_sites"])
    parts_zh = [f"{RULE_NAMES[r].zh} {int(c[r])} 个" for r in RULES if int(c[r]) > 0]
    parts_en = [f"{RULE_NAMES[r].en}: {int(c[r])}" for r in RULES if int(c[r]) > 0]
    zh = f"没有地块可接纳该项目（共 {n} 个地块；{'，'.join(parts_zh)}；一个地块可能同时被多条规则排除）"
    en = (f"no site admits this project ({n} sites; {'; '.join(parts_en)}; a site may fail several rules)")
    if int(c["capacity"]) > 0:
        for unit, need_col, kind_zh, kind_en, u_zh, u_en in (
            ("mu", "land_need_mu", "土地", "land", "亩", "mu"),
            ("m2", "floor_need_m2", "厂房/平台", "floor", "平方米", "m2"),
        ):
            biggest = c[f"max_cap_{unit}"]
            need = p[need_col]
            if pd.notna(biggest) and pd.notna(need) and need > biggest:
                zh += f"；最大的可用{kind_zh}为 {biggest:,.1f} {u_zh}，需要 {need:,.1f} {u_zh}"
                en += (f"; the largest eligible {kind_en} is {biggest:,.1f} {u_en} "
                       f"but {need:,.1f} {u_en} are needed")
    if n == 0:
        zh, en = "没有任何地块", "there are no sites"
    return zh, en


class _SiteFullness:
    """Per site: capacity, kind, what the plan uses of it and which projects use it (in plan order)."""

    def __init__(self, sites: pd.DataFrame, placed: pd.DataFrame) -> None:
        self.index = pd.Index(sites["site_id"].astype(str))
        self.capacity = sites["capacity"].to_numpy(dtype=float)
        self.is_land = (sites["kind"] == "land").to_numpy()
        self.used = np.zeros(len(sites))
        self.on_site: dict[str, list[str]] = {}
        need = placed["need"].to_numpy(dtype=float)
        need = np.where(np.isnan(need), 0.0, need)  # Series.sum skips NaN
        who = placed["project_id"].astype(str).to_numpy()
        groups = placed.groupby("site_id", sort=False).indices
        keys = [str(sid) for sid in groups]
        for sid, pos, idx in zip(keys, self.index.get_indexer(keys), groups.values(), strict=True):
            self.on_site[sid] = who[idx].tolist()
            if pos >= 0:
                # summed in plan order exactly as Series.sum does (numpy's add.reduce)
                self.used[pos] = float(need[idx].sum())
        # every site ranked by capacity (largest first), then site id: the order full sites are named in
        ranked = pd.DataFrame({"cap": self.capacity, "sid": self.index.to_numpy()}).sort_values(
            ["cap", "sid"], ascending=[False, True], kind="stable")
        self.rank = np.empty(len(sites), dtype=np.int64)
        self.rank[ranked.index.to_numpy()] = np.arange(len(sites))


class _Mine(NamedTuple):
    """One project's eligible pairs, in ``cand.pairs`` order."""

    site_id: np.ndarray
    site_pos: np.ndarray
    need: np.ndarray
    coefficient: np.ndarray
    room: np.ndarray


def _pairs_by_project(pairs: pd.DataFrame, pids: list[str], full: _SiteFullness,
                      projects: pd.DataFrame | None = None) -> dict[str, _Mine]:
    """The pairs of the projects ``pids``, each with whether its site still has room for it (``projects``:
    the candidates' projects, whose rows the pairs' ``p`` are)."""
    if not pids or pairs.empty:
        return {}
    wanted = pd.Index(pids)
    if projects is not None and "p" in pairs.columns:
        # by the pairs' project positions: a lookup over 4,000 projects, not over 1M pairs' ids
        code_all = wanted.get_indexer(projects["project_id"].astype(str))[pairs["p"].to_numpy()]
    else:
        code_all = wanted.get_indexer(pairs["project_id"].astype(str))
    rows = np.flatnonzero(code_all >= 0)
    if rows.size == 0:
        return {}
    code = code_all[rows]
    sid = pairs["site_id"].iloc[rows].astype(str).to_numpy()
    spos = full.index.get_indexer(sid)
    if (spos < 0).any():
        raise KeyError(sid[spos < 0][0])
    need = pairs["need"].to_numpy(dtype=float)[rows]
    coef = pairs["coefficient"].to_numpy(dtype=float)[rows]
    room = fits(need, full.capacity[spos] - full.used[spos])
    order = np.argsort(code, kind="stable")  # by project, each project's pairs in their row order
    bounds = np.searchsorted(code[order], np.arange(len(pids) + 1))
    out: dict[str, _Mine] = {}
    for k, pid in enumerate(pids):
        lo, hi = bounds[k], bounds[k + 1]
        if hi > lo:
            o = order[lo:hi]
            out[pid] = _Mine(sid[o], spos[o], need[o], coef[o], room[o])
    return out


def _full_or_not_chosen(mine: _Mine, full: _SiteFullness, plan: Plan, *,
                        tax_weighted: bool = False) -> tuple[str, str, str]:
    room = np.flatnonzero(mine.room)
    if room.size:
        s, coef = str(mine.site_id[room[0]]), float(mine.coefficient[room[0]])
        if tax_weighted and all(c <= 0 for c in mine.coefficient[room].tolist()):
            return ("not_chosen",
                    f"地块 {s} 等尚有余量，但放入会降低目标值（目标系数 {coef:,.3f} ≤ 0：亩均税收低于本批项目平均，"
                    "按亩均税收权重不宜占用土地；或距离惩罚过大）",
                    f"{s} and others have room, but placing it would lower the objective (its value {coef:,.3f} "
                    "<= 0: its tax per mu is below the pipeline's average, which the tax weight charges for the "
                    "land it takes; or the distance penalty)")
        if all(c <= 0 for c in mine.coefficient[room].tolist()):
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
    n_sites = len(mine.site_id)
    named = np.argsort(full.rank[mine.site_pos], kind="stable")[:MAX_SITES_NAMED]
    zh_parts, en_parts = [], []
    for i in named.tolist():
        s, n, pos = str(mine.site_id[i]), float(mine.need[i]), int(mine.site_pos[i])
        cap = float(full.capacity[pos])
        unit_zh, unit_en = ("亩", "mu") if full.is_land[pos] else ("平方米", "m2")
        who = full.on_site.get(s, [])
        u = float(full.used[pos])
        zh_parts.append(f"{s}（{'、'.join(who)} 已用 {u:,.1f}/{cap:,.1f} {unit_zh}，剩余 {cap - u:,.1f}，"
                        f"需要 {n:,.1f}）")
        en_parts.append(f"{s} ({', '.join(who)} use {u:,.1f} of {cap:,.1f} {unit_en}, {cap - u:,.1f} left, "
                        f"{n:,.1f} needed)")
    more = n_sites - MAX_SITES_NAMED
    tail_zh = f" 等 {n_sites} 个地块" if more > 0 else ""
    tail_en = f" and {more} more" if more > 0 else ""
    return ("sites_full", f"可接纳该项目的地块均已满：{'；'.join(zh_parts)}{tail_zh}",
            f"the sites that admit it are full: {'; '.join(en_parts)}{tail_en}")
