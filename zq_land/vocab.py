"""The controlled vocabulary of the data contract (``shared/SCHEMA.md``), in English and Chinese.

Readers normalise every header and coded value to the English canonical form listed here; the
UI and the exports translate back with the Chinese names.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal, get_args

# --- units -------------------------------------------------------------------------------------
M2_PER_MU: Final = 10_000 / 15  # 666.67 m2
MU_PER_M2: Final = 15 / 10_000
WAN_PER_YI: Final = 10_000  # 1 亿元 = 10,000 万元

# --- coded values --------------------------------------------------------------------------------
Kind = Literal["land", "factory", "platform"]
Status = Literal["vacant", "inefficient", "occupied"]
Mode = Literal["land", "lease", "platform", "land_or_lease"]

KINDS: Final[tuple[str, ...]] = get_args(Kind)
STATUSES: Final[tuple[str, ...]] = get_args(Status)
MODES: Final[tuple[str, ...]] = get_args(Mode)

KIND_ZH: Final = {"land": "土地", "factory": "厂房", "platform": "平台"}
STATUS_ZH: Final = {"vacant": "空闲", "inefficient": "低效", "occupied": "已占用"}
MODE_ZH: Final = {"land": "供地", "lease": "租赁", "platform": "平台", "land_or_lease": "供地或租赁"}

INDUSTRY_ZH: Final = {
    "nev_vehicle": "新能源汽车整车",
    "nev_parts": "汽车零部件",
    "battery": "新能源电池/储能",
    "electronics": "电子信息",
    "equipment": "先进装备制造",
    "new_materials": "新材料",
    "metal": "金属加工",
    "building_materials": "建筑材料",
    "food": "食品饮料",
    "biomed": "生物医药",
    "furniture": "家具制造",
    "energy_saving": "节能环保",
    "culture": "文化创意",
    "other": "其他",
}
INDUSTRIES: Final[tuple[str, ...]] = tuple(INDUSTRY_ZH)

#: NEV chain: vehicles, parts and batteries (the report's "新能源汽车及汽车零部件").
NEV_INDUSTRIES: Final = frozenset({"nev_vehicle", "nev_parts", "battery"})
#: Zhaoqing's "4+4" modern industrial system: four emerging industries (NEV and parts, electronic
#: information, biomedicine, advanced equipment) and four traditional strengths (metal processing,
#: building materials, furniture, food and beverage). Batteries count with the NEV chain.
FOUR_PLUS_FOUR: Final = frozenset(
    {
        "nev_vehicle", "nev_parts", "battery", "electronics", "biomed", "equipment",
        "metal", "building_materials", "furniture", "food",
    }
)

# Extra spellings accepted on input (beyond the code and its Chinese name), all compared after
# :func:`norm_token`.
_KIND_EXTRA = {"land": ["土地", "地块", "用地"], "factory": ["厂房", "factory", "标准厂房租赁", "lease"],
               "platform": ["平台", "孵化器", "载体", "incubator"]}
_STATUS_EXTRA = {"vacant": ["空闲", "闲置", "free", "空地", "未利用"], "inefficient": ["低效", "低效用地", "盘活"],
                 "occupied": ["已占用", "占用", "已用", "anchor", "龙头"]}
_MODE_EXTRA = {"land": ["供地", "用地", "拿地", "土地"], "lease": ["租赁", "租赁厂房", "factory", "租用"],
               "platform": ["平台", "进驻平台", "孵化"], "land_or_lease": ["供地或租赁", "供地/租赁", "either",
                                                               "land/lease", "land or lease"]}
_INDUSTRY_EXTRA = {
    "nev_vehicle": ["新能源汽车", "整车", "nev", "新能源整车"],
    "nev_parts": ["汽车零部件", "零部件", "auto_parts", "新能源汽车零部件", "parts"],
    "battery": ["新能源电池", "储能", "电池", "动力电池", "新能源电池及储能"],
    "electronics": ["电子信息", "电子", "electronic"],
    "equipment": ["先进装备制造", "装备制造", "先进装备", "machinery"],
    "new_materials": ["新材料", "materials"],
    "metal": ["金属加工", "金属", "metals", "metal_processing"],
    "building_materials": ["建筑材料", "建材"],
    "food": ["食品饮料", "食品", "food_beverage"],
    "biomed": ["生物医药", "医药", "biomedicine", "pharma"],
    "furniture": ["家具制造", "家具"],
    "energy_saving": ["节能环保", "环保", "energy"],
    "culture": ["文化创意", "文创", "creative"],
    "other": ["其他", "其它"],
}

#: Chain leaders ("链主") and the names under which planners write them.
ANCHOR_ALIASES: Final = {
    "XPeng": ["小鹏", "小鹏汽车", "xpeng", "xpeng motors", "小鹏汽车肇庆基地"],
    "Ruiqing CATL": ["瑞庆时代", "广东瑞庆时代", "瑞庆", "catl", "ruiqing", "ruiqing catl", "宁德时代"],
}

# --- headers ----------------------------------------------------------------------------------
SITE_HEADERS: Final = {
    "site_id": ["site_id", "地块编号", "编号", "id", "siteid", "site"],
    "name": ["name", "地块名称", "名称", "site_name"],
    "kind": ["kind", "类型", "type", "载体类型"],
    "area_mu": ["area_mu", "面积_亩", "面积(亩)", "用地面积", "面积亩", "area"],
    "floor_area_m2": ["floor_area_m2", "建筑面积", "可租面积", "建筑面积(平方米)", "floor_area", "floor_m2"],
    "status": ["status", "状态"],
    "industries": ["industries", "允许产业", "产业", "industry"],
    "min_invest_wan_per_mu": ["min_invest_wan_per_mu", "投资强度下限", "投资强度", "min_invest"],
    "zone": ["zone", "片区", "园区"],
    "available_from": ["available_from", "可供日期", "available"],
    "anchor": ["anchor", "龙头", "链主", "龙头企业"],
}
PROJECT_HEADERS: Final = {
    "project_id": ["project_id", "项目编号", "编号", "id", "projectid"],
    "name": ["name", "项目名称", "名称", "project_name"],
    "industry": ["industry", "产业类别", "产业", "行业"],
    "anchor": ["anchor", "配套龙头", "链主", "龙头"],
    "investment_yi": ["investment_yi", "投资额(亿元)", "计划投资(亿元)", "投资额", "计划投资", "investment"],
    "mode": ["mode", "落地方式"],
    "land_need_mu": ["land_need_mu", "用地需求(亩)", "用地(亩)", "用地需求", "land_need"],
    "floor_need_m2": ["floor_need_m2", "厂房需求(平方米)", "面积需求(平方米)", "厂房需求", "floor_need"],
    "review_meeting": ["review_meeting", "评审批次", "评审会"],
    "priority": ["priority", "优先级"],
    "p_land": ["p_land", "落地概率", "落地可能性", "落地率"],
    "needed_by": ["needed_by", "需用日期", "用地日期", "需求日期", "要求交地日期"],
}

#: Per-mu efficiency (亩均) columns, optional in both files: a project's expected annual output and tax (万元)
#: and jobs; on a site, the figures of the firm already there (occupied or inefficient plots, for the A-D
#: grading) and the plot's per-mu floors. Kept apart from the headers above so that the tables of files
#: without them stay exactly as they were (the columns are added only when the file has them).
PROJECT_EFFICIENCY_HEADERS: Final = {
    "output_wan": ["output_wan", "预计产值(万元)", "年产值(万元)", "产值(万元)", "预计年产值", "产值", "output"],
    "tax_wan": ["tax_wan", "预计税收(万元)", "年税收(万元)", "税收(万元)", "预计年税收", "税收", "tax"],
    "jobs": ["jobs", "就业人数", "就业(人)", "用工人数", "就业", "employees"],
}
SITE_EFFICIENCY_HEADERS: Final = {
    "output_wan": ["output_wan", "现状产值(万元)", "年产值(万元)", "产值(万元)", "现状产值", "产值", "output"],
    "tax_wan": ["tax_wan", "现状税收(万元)", "年税收(万元)", "税收(万元)", "现状税收", "税收", "tax"],
    "jobs": ["jobs", "现状就业(人)", "就业人数", "就业(人)", "就业", "employees"],
    "min_tax_wan_per_mu": ["min_tax_wan_per_mu", "亩均税收下限", "亩均税收下限(万元/亩)", "min_tax"],
    "min_output_wan_per_mu": ["min_output_wan_per_mu", "亩均产值下限", "亩均产值下限(万元/亩)", "min_output"],
}
PROJECT_EFFICIENCY_COLUMNS: Final[tuple[str, ...]] = tuple(PROJECT_EFFICIENCY_HEADERS)
SITE_EFFICIENCY_COLUMNS: Final[tuple[str, ...]] = tuple(SITE_EFFICIENCY_HEADERS)
#: The money columns of the efficiency figures (万元) and the count column (人).
EFFICIENCY_MONEY: Final = ("output_wan", "tax_wan")
EFFICIENCY_COUNT: Final = ("jobs",)
#: The A-D grades (亩均论英雄: A develop first, B encourage, C regulate, D rectify); their default shares are
#: ``scenario.DEFAULT_GRADE_SHARES``.
GRADES: Final = ("A", "B", "C", "D")

#: Column names in the sites and projects tables as the rest of the package sees them.
SITE_COLUMNS: Final[tuple[str, ...]] = tuple(SITE_HEADERS)
PROJECT_COLUMNS: Final[tuple[str, ...]] = tuple(PROJECT_HEADERS)

_FULLWIDTH_PUNCT = str.maketrans({"（": "(", "）": ")", "，": ",", "、": ",", "；": ";", "：": ":", "　": " "})


def norm_token(text: object) -> str:
    """Fold a header or coded value for comparison: NFKC, full-width punctuation, case, spaces."""
    s = unicodedata.normalize("NFKC", str(text)).translate(_FULLWIDTH_PUNCT).strip().lower()
    s = re.sub(r"[\s\-]+", "_", s)
    return s.replace("_(", "(")


def _lookup(canon_zh: dict[str, str], extra: dict[str, list[str]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, zh in canon_zh.items():
        for alias in [code, zh, *extra.get(code, [])]:
            table.setdefault(norm_token(alias), code)
    return table


KIND_LOOKUP: Final = _lookup(KIND_ZH, _KIND_EXTRA)
STATUS_LOOKUP: Final = _lookup(STATUS_ZH, _STATUS_EXTRA)
MODE_LOOKUP: Final = _lookup(MODE_ZH, _MODE_EXTRA)
INDUSTRY_LOOKUP: Final = _lookup(INDUSTRY_ZH, _INDUSTRY_EXTRA)
ANCHOR_LOOKUP: Final = _lookup({k: k for k in ANCHOR_ALIASES}, ANCHOR_ALIASES)

INDUSTRY_SEPARATORS: Final = re.compile(r"[;,、，；|/]+")


def canonical_anchor(text: object) -> str:
    """The canonical name of a chain leader (``"小鹏汽车"`` -> ``"XPeng"``); unknown names kept as given."""
    if text is None:
        return ""
    s = str(text).strip()
    if not s or s.lower() == "nan":
        return ""
    return ANCHOR_LOOKUP.get(norm_token(s), s)


def header_lookup(headers: dict[str, list[str]]) -> dict[str, str]:
    """Folded alias -> canonical column name."""
    table: dict[str, str] = {}
    for col, aliases in headers.items():
        for alias in aliases:
            table.setdefault(norm_token(alias), col)
    return table
