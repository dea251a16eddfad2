"""A result's tables as people read them: the columns each export shows, coded values in words, headers
in the language asked (Chinese by default).
"""

from __future__ import annotations

import pandas as pd

from ..engine.results import AllocationResult, kpi_rows
from ..vocab import COLUMN_ZH, INDUSTRY_ZH, KIND_ZH, MODE_ZH, STATUS_ZH

#: Header labels of exported tables: column -> (Chinese, English).
HEADERS: dict[str, tuple[str, str]] = {
    **{k: (v, k) for k, v in COLUMN_ZH.items()},
    "project_id": ("项目编号", "Project ID"),
    "name": ("项目名称", "Project"),
    "site_id": ("地块编号", "Site ID"),
    "site_name": ("载体名称", "Site"),
    "site_kind": ("载体类型", "Site kind"),
    "site_status": ("载体状态", "Site status"),
    "status": ("落位状态", "Status"),
    "reason": ("原因", "Reason"),
    "reason_zh": ("原因（中文）", "Reason (Chinese)"),
    "reason_en": ("原因（英文）", "Reason (English)"),
    "reason_code": ("原因代码", "Reason code"),
    "industry": ("产业类别", "Industry"),
    "mode": ("落地方式", "Mode"),
    "anchor": ("配套龙头", "Anchor"),
    "investment_yi": ("投资额(亿元)", "Investment (亿元)"),
    "land_need_mu": ("用地需求(亩)", "Land need (mu)"),
    "floor_need_m2": ("厂房需求(平方米)", "Floor need (m2)"),
    "review_meeting": ("评审批次", "Review meeting"),
    "zone": ("片区", "Zone"),
    "used_mu": ("使用土地(亩)", "Land used (mu)"),
    "used_m2": ("使用面积(平方米)", "Floor used (m2)"),
    "intensity_wan_per_mu": ("投资强度(万元/亩)", "Intensity (万元/亩)"),
    "distance_km": ("至龙头距离(公里)", "Distance to anchor (km)"),
    "locked": ("已锁定", "Locked"),
    "kind": ("类型", "Kind"),
    "area_mu": ("面积(亩)", "Area (mu)"),
    "floor_area_m2": ("建筑面积(平方米)", "Floor area (m2)"),
    "unit": ("单位", "Unit"),
    "capacity": ("容量", "Capacity"),
    "used": ("已用", "Used"),
    "free": ("剩余", "Free"),
    "utilisation": ("使用率", "Utilisation"),
    "n_projects": ("项目数", "Projects"),
    "projects": ("落位项目", "Projects placed"),
    "project_ids": ("项目编号列表", "Project IDs"),
    "free_mu_equiv": ("剩余(折合亩)", "Free (mu equivalent)"),
    "shadow_price": ("影子价格(亿元/单位)", "Shadow price (亿元 per unit)"),
    "shadow_price_zh": ("影子价格说明", "Shadow price (Chinese)"),
    "shadow_price_en": ("影子价格说明（英文）", "Shadow price"),
    "kpi": ("指标", "KPI"),
    "value": ("数值", "Value"),
    "site_a": ("方案A载体", "Site in A"),
    "site_b": ("方案B载体", "Site in B"),
    "change": ("变化", "Change"),
    "a": ("方案A", "A"),
    "b": ("方案B", "B"),
    "delta": ("差值(B-A)", "Delta (B-A)"),
}

ASSIGNMENT_COLUMNS = [
    "project_id", "name", "site_id", "site_name", "status", "reason", "industry", "mode", "anchor",
    "investment_yi", "land_need_mu", "floor_need_m2", "site_kind", "zone", "used_mu", "used_m2",
    "intensity_wan_per_mu", "distance_km", "locked", "review_meeting",
]

SITE_USE_COLUMNS = [
    "site_id", "name", "kind", "status", "zone", "unit", "capacity", "used", "free", "utilisation",
    "n_projects", "investment_yi", "intensity_wan_per_mu", "projects", "shadow_price",
]

UNPLACED_COLUMNS = ["project_id", "name", "industry", "mode", "investment_yi", "land_need_mu",
                    "floor_need_m2", "status", "reason_code", "reason"]

STATUS_WORDS = {"placed": ("已落位", "placed"), "unplaced": ("未落位", "unplaced"),
                 "excluded": ("已排除", "excluded"), "moved": ("调整", "moved"),
                 "newly_placed": ("新落位", "newly placed")}


def assignment_frame(result: AllocationResult, *, lang: str, codes: bool = True) -> pd.DataFrame:
    """The assignment table; ``codes=False`` keeps the contract's coded values (placed, land, ...)."""
    df = result.assignments.copy()
    df["reason"] = df["reason_zh"] if lang == "zh" else df["reason_en"]
    cols = [c for c in ASSIGNMENT_COLUMNS if c in df.columns]
    if lang == "zh" and codes:
        df = translate_codes(df)
    return df[cols + (["reason_en"] if lang == "zh" else [])]


def site_use_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    df = result.site_use.copy()
    df["shadow_price"] = df["shadow_price"].round(6)
    cols = [c for c in SITE_USE_COLUMNS if c in df.columns]
    out = df[cols].rename(columns={"name": "site_name"})
    if lang == "zh":
        out = translate_codes(out)
        out = out.assign(unit=out["unit"].map({"mu": "亩", "m2": "平方米"}))
    return out


def unplaced_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    df = result.unplaced.copy()
    df["reason"] = df["reason_zh"] if lang == "zh" else df["reason_en"]
    out = df[[c for c in UNPLACED_COLUMNS if c in df.columns]]
    return translate_codes(out) if lang == "zh" else out


def kpi_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    heads = ["指标", "数值"] if lang == "zh" else ["KPI", "Value"]
    return pd.DataFrame(kpi_rows(result.kpis, lang), columns=heads)


def solver_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    r = result.solve
    items = [
        ("情景", "scenario", result.scenario.name),
        ("求解状态", "status", r.status),
        ("求解器", "solver", r.solver),
        ("目标值", "objective", r.objective),
        ("上界", "bound", r.bound),
        ("相对间隙", "gap", r.gap),
        ("贪心方案目标值", "greedy objective", getattr(r, "greedy_objective", None)),
        ("线性松弛上界", "LP bound", getattr(r, "lp_bound", None)),
        ("线性松弛上界（不含装箱割）", "LP bound without packing cuts", getattr(r, "lp_bound_plain", None)),
        ("求解用时(秒)", "solve seconds", round(float(r.solve_seconds), 3)),
        ("说明", "message", getattr(r, "message", "")),
    ]
    zh = lang == "zh"
    return pd.DataFrame([{("项目" if zh else "Item"): a if zh else b, ("数值" if zh else "Value"): v}
                         for a, b, v in items])


def translate_codes(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    maps = {"industry": INDUSTRY_ZH, "mode": MODE_ZH, "site_kind": KIND_ZH, "kind": KIND_ZH,
            "site_status": STATUS_ZH}
    for col, table in maps.items():
        if col in df.columns:
            df[col] = df[col].map(lambda v, t=table: t.get(v, v))
    if "status" in df.columns:
        words = {**{k: v[0] for k, v in STATUS_WORDS.items()}, **STATUS_ZH}
        df["status"] = df["status"].map(lambda v: words.get(v, v))
    if "locked" in df.columns:
        df["locked"] = df["locked"].map({True: "是", False: ""})
    return df


def labelled(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    i = 0 if lang == "zh" else 1
    return df.rename(columns={c: HEADERS[c][i] for c in df.columns if c in HEADERS})
