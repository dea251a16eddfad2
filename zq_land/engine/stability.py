"""Plans a review meeting can rely on: the canonical choice among optimal plans, and the fewest moves
against a reference plan.

**The canonical plan.** Many allocations are equally good (a project indifferent between two vacant
plots). Which one a planner gets must not depend on which solver thread finished first nor on the plans
an app session solved before. Small models are therefore solved by one HiGHS run in a fixed
configuration (one thread, seed 0, no start plan) whose objective carries a tie-break too small to
change the optimum, so that among optimal plans it prefers, in this order:

1. the placements of the reference plan, when there is one (fewest moves; proven when the status is
   ``optimal``: the kept count is part of what the solver proves);
2. each project on a site early in the order of ``site_id`` (a fixed, documented steer: it decides between
   plans the rules and weights leave equal; it is not part of the proof).

Why the perturbation is safe: with every objective value a multiple of ``unit`` (the objective's grain,
:func:`~zq_land.engine.model.objective_grain`, e.g. 0.01 亿元), a kept placement earns
``eps = unit / (n_ref + 2)`` and the site order at most ``0.45 eps`` in total; so no plan can buy a worse
objective with them, and an absolute gap of ``0.1 eps`` proves both the optimum and the kept count
(0.45 + 0.1 < 1).

**Minimal change.** With ``max_loss_share`` > 0, or an objective without a round grain (where the bonus
could trade a sliver of objective for a kept placement), the optimum is found first and a second solve keeps
at least (1 - share) of it (a row on the objective) and maximises the kept placements, with the same
site-order steer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from .._errors import input_error
from ..text import Text
from .eligibility import Candidates
from .model import objective_grain

#: The objective's unit when its values are no multiples of a round grain (weighted objectives): ties are
#: then steered the same way, and the optimum is the optimum to within this many 亿元 (a relative 3e-6 on
#: the sample's weighted objectives, finer than HiGHS's default gap of 1e-4).
FALLBACK_UNIT: Final = 1e-3
#: Moves a planner can read: the three changes of ``moves.csv``.
CHANGES: Final = ("moved", "unplaced", "newly_placed")
#: Chinese headers a reference plan may carry instead of ``project_id`` / ``site_id``.
REFERENCE_ALIASES: Final = {"项目编号": "project_id", "地块编号": "site_id", "载体编号": "site_id"}
MOVE_COLUMNS: Final = ("project_id", "name", "reference_site_id", "site_id", "change", "buys_zh", "buys_en")


@dataclass(frozen=True)
class TieBreak:
    """The perturbed objective of the canonical solve and the gap that proves it."""

    cost: np.ndarray  # per pair: coefficient + kept bonus + site-order steer
    abs_gap: float
    unit: float
    kept: np.ndarray  # bool per pair: the reference plan's placement
    n_ref: int  # projects the reference placed that are in the data


def site_order_preference(cand: Candidates) -> np.ndarray:
    """Per pair, in [0, 1): 1 - rank of its site by ``site_id`` / number of sites (earlier sites higher)."""
    ids = cand.sites["site_id"].astype(str).to_numpy()
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    s = cand.pairs["s"].to_numpy(np.int64)
    return 1.0 - rank[s] / max(1, len(ids))


def kept_pairs(cand: Candidates, reference: pd.DataFrame | None) -> tuple[np.ndarray, int]:
    """Which pairs are the reference plan's placements, and how many projects of the data it placed."""
    n = len(cand.pairs)
    if reference is None or not len(reference):
        return np.zeros(n, dtype=bool), 0
    placed = reference[reference["site_id"].notna() & (reference["site_id"].astype(str) != "")]
    ref = dict(zip(placed["project_id"].astype(str), placed["site_id"].astype(str), strict=True))
    known = set(cand.projects["project_id"].astype(str))
    n_ref = sum(1 for p in ref if p in known)
    pid = cand.pairs["project_id"].astype(str).to_numpy()
    sid = cand.pairs["site_id"].astype(str).to_numpy()
    mask = np.fromiter((ref.get(p) == s for p, s in zip(pid, sid, strict=True)), dtype=bool, count=n)
    return mask, n_ref


def tie_break(cand: Candidates, reference: pd.DataFrame | None = None, *, kept_bonus: bool = True) -> TieBreak:
    """The canonical objective (see the module's docstring); ``kept_bonus=False`` leaves the reference's
    placements out of it (they are then maximised by :func:`second_stage`)."""
    coef = cand.pairs["coefficient"].to_numpy(float)
    unit = objective_grain(cand) or FALLBACK_UNIT
    kept, n_ref = kept_pairs(cand, reference)
    n_p = max(1, int(cand.pairs["p"].nunique()) if len(cand.pairs) else 1)
    eps = unit / ((n_ref if kept_bonus else 0) + 2)
    steer = 0.45 * eps / n_p * site_order_preference(cand)  # < eps / 2 summed over any plan
    cost = coef + (eps * kept if kept_bonus else 0.0) + steer
    # the gap well under the steer: HiGHS then proves in 1-4 s on the sample, against 5-12 s when the steer is
    # below the gap (measured on the three weighted bundled scenarios; chaotic, but the ratio held)
    return TieBreak(cost, 0.1 * eps, unit, kept, n_ref)


def second_stage(cand: Candidates, tb: TieBreak) -> tuple[np.ndarray, float]:
    """The objective of the minimal-change solve: kept placements, then the objective and the site order as
    steers worth less than one placement together; its proving absolute gap."""
    coef = cand.pairs["coefficient"].to_numpy(float)
    scale = float(np.abs(coef).sum()) or 1.0
    n_p = max(1, int(cand.pairs["p"].nunique()))
    return tb.kept * 1.0 + 0.25 * coef / scale + 0.2 / n_p * site_order_preference(cand), 0.499


def read_reference(path: str | Path) -> pd.DataFrame:
    """A reference plan: a CSV with ``project_id`` and ``site_id`` (empty = unplaced), such as an earlier
    ``assignments.csv`` (UTF-8, with or without BOM).

    Raises
    ------
    InputError
        When the file is missing, unreadable, or lacks a column, or names a project twice.
    """
    file = str(path)
    df = None
    for encoding in ("utf-8-sig", "gb18030"):  # an assignments.csv, or a table saved by Excel in China
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
            break
        except FileNotFoundError:
            raise input_error(file, "找不到参考方案文件", "the reference plan file does not exist") from None
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise input_error(file, f"参考方案不是可读的 CSV：{exc}", f"the reference plan is not a readable CSV: "
                              f"{exc}") from None
    if df is None:
        raise input_error(file, "参考方案须为 UTF-8 或 GBK 编码的 CSV",
                          "the reference plan must be a CSV in UTF-8 or GBK")
    df = df.rename(columns={c: REFERENCE_ALIASES.get(str(c).strip(), str(c).strip()) for c in df.columns})
    missing = [c for c in ("project_id", "site_id") if c not in df.columns]
    if missing:
        raise input_error(file, f"参考方案缺少列 {', '.join(missing)}（应含 project_id 与 site_id）",
                          f"the reference plan lacks the column(s) {', '.join(missing)} (it needs project_id and "
                          "site_id)", column=missing[0])
    df = df[["project_id", "site_id"]].copy()
    df["project_id"] = df["project_id"].str.strip()
    df["site_id"] = df["site_id"].str.strip().replace("", None)
    dup = df["project_id"][df["project_id"].duplicated()]
    if len(dup):
        pid = str(dup.iloc[0])
        raise input_error(file, f"参考方案中项目 {pid} 出现多次", f"project {pid} appears more than once in the "
                          "reference plan", row=int(dup.index[0]) + 2, item_id=pid, column="project_id")
    return df.reset_index(drop=True)


def moves_against(assignments: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Every project placed differently from the reference plan (``MOVE_COLUMNS`` but the ``buys`` words).

    ``moved``: placed in both, on another site; ``unplaced``: placed in the reference, now not;
    ``newly_placed``: placed now, not in the reference. Projects unknown to the data are left out.
    """
    ref = reference.set_index("project_id")["site_id"]
    a = assignments[["project_id", "name", "site_id"]].copy()
    a["site_id"] = a["site_id"].fillna("").astype(str)
    a["reference_site_id"] = a["project_id"].map(ref).fillna("").astype(str)
    m = a.loc[a["site_id"] != a["reference_site_id"]].copy()
    m["change"] = np.select([m["reference_site_id"] == "", m["site_id"] == ""], ["newly_placed", "unplaced"],
                            default="moved")
    return m[["project_id", "name", "reference_site_id", "site_id", "change"]].reset_index(drop=True)


def kept_and_moved(moves: pd.DataFrame, reference: pd.DataFrame, project_ids: pd.Series) -> tuple[int, int]:
    """(kept, moved) of the reference's placed projects that are in the data."""
    known = set(project_ids.astype(str))
    ref_placed = {p for p, s in zip(reference["project_id"], reference["site_id"], strict=True)
                  if s is not None and p in known}
    moved = int(moves["change"].isin(["moved", "unplaced"]).sum())
    return len(ref_placed) - moved, moved


def what_moves_buy(moves: pd.DataFrame, assignments: pd.DataFrame, reference: pd.DataFrame,
                   site_status: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``buys_zh`` / ``buys_en`` for each move: the project that took its reference site's room, or the
    objective term the move gains (a placement, investment, revitalized land or a shorter supplier distance).
    ``site_status`` (site id -> status) tells whether a move leaves vacant land for inefficient land.
    """
    status = dict(site_status or {})
    a = assignments.set_index("project_id")
    ref = reference.set_index("project_id")["site_id"].dropna()
    newcomers: dict[str, list[str]] = {}
    for pid, sid in zip(assignments["project_id"], assignments["site_id"].fillna(""), strict=True):
        if sid and ref.get(pid) != sid:
            newcomers.setdefault(str(sid), []).append(str(pid))
    zh, en = [], []
    for row in moves.itertuples(index=False):
        took = [p for p in newcomers.get(str(row.reference_site_id), []) if p != row.project_id]
        if row.change == "newly_placed":
            inv = float(a.at[row.project_id, "investment_yi"]) if "investment_yi" in a.columns else 0.0
            t = Text(f"新增落位，投资 {inv:,.2f} 亿元", f"newly placed: {inv:,.2f} 亿元 of investment")
        elif took:
            names = "、".join(took[:3]) + ("等" if len(took) > 3 else "")
            more = " and others" if len(took) > 3 else ""
            t = Text(f"腾出原地块 {row.reference_site_id} 给 {names}",
                     f"frees site {row.reference_site_id} for {', '.join(took[:3])}{more}")
        elif row.change == "unplaced":
            t = Text("让出容量以提高方案总得分", "gives up its room to raise the plan's score")
        elif status.get(str(row.site_id)) == "inefficient" and status.get(str(row.reference_site_id)) != "inefficient":
            t = Text("改用低效用地，增加盘活面积", "moves onto inefficient land: more land revitalized")
        else:
            t = _term_gain(a, row)
        zh.append(t.zh)
        en.append(t.en)
    out = moves.copy()
    out["buys_zh"] = zh
    out["buys_en"] = en
    return out


def _term_gain(a: pd.DataFrame, row: object) -> Text:
    """What a move between two sites buys in the objective's terms (a supplier's distance), else nothing."""
    dist = a.at[row.project_id, "distance_km"] if "distance_km" in a.columns else np.nan  # type: ignore[attr-defined]
    if pd.notna(dist):
        return Text(f"距配套龙头 {float(dist):.1f} 公里", f"{float(dist):.1f} km from its anchor")
    return Text("与原方案同等（为容纳其他项目而调整）", "equal value: moved to make room in the plan")
