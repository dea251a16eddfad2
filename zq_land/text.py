"""Words the tool shows: one bilingual text type, and one table of labels and units.

:class:`Text` is a text in Chinese and English; the problems of the readers, the reasons a project is
unplaced, the solver's messages and notes and every label are Texts, so nothing is ever stored as a
``"中文 | English"`` string for a page to split again. :data:`LABELS` gives every column of a table the
tool shows (and :data:`KPI_LABELS` every KPI) its label and unit; the app, the exports, the command
line and the maps take their headers from it, so a column is called the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from .vocab import INDUSTRY_ZH, KIND_ZH, MODE_ZH, STATUS_ZH

LangChoice = Literal["zh", "en", "both"]


@dataclass(frozen=True)
class Text:
    """A text in Chinese and English."""

    zh: str
    en: str

    @classmethod
    def same(cls, text: str) -> Text:
        """A text that reads the same in both languages (an id, a solver's own message)."""
        return cls(text, text)

    def pick(self, lang: str) -> str:
        """The text in ``lang``: ``"zh"`` (also the default for anything else), ``"en"``, or ``"both"``
        (``"中文 | English"``, for a console that shows both)."""
        if lang == "en":
            return self.en
        if lang == "both":
            return self.zh if self.zh == self.en else f"{self.zh} | {self.en}"
        return self.zh

    def __str__(self) -> str:
        return self.pick("both")

    def as_dict(self) -> dict[str, str]:
        """``{"zh": ..., "en": ...}`` (for JSON)."""
        return {"zh": self.zh, "en": self.en}


#: No text (a message not given).
EMPTY: Final = Text("", "")


@dataclass(frozen=True)
class Label:
    """What a column or KPI is called, and its unit (a key of :data:`UNITS`, or None)."""

    text: Text
    unit: str | None = None

    def header(self, lang: str) -> str:
        """The header as shown: ``投资额(亿元)`` in Chinese, ``Investment (100M yuan)`` in English."""
        name = self.text.pick(lang)
        if self.unit is None:
            return name
        unit = UNITS[self.unit].pick(lang)
        return f"{name} ({unit})" if lang == "en" else f"{name}({unit})"


def _l(zh: str, en: str, unit: str | None = None) -> Label:
    return Label(Text(zh, en), unit)


#: Units, by key.
UNITS: Final[Mapping[str, Text]] = {
    "yi": Text("亿元", "100M yuan"),
    "wan_per_mu": Text("万元/亩", "10k yuan/mu"),
    "mu": Text("亩", "mu"),
    "m2": Text("平方米", "m2"),
    "km": Text("公里", "km"),
    "mu_equiv": Text("折合亩", "mu equivalent"),
    "yi_per_unit": Text("亿元/单位", "100M yuan per unit"),
    "wan": Text("万元", "10k yuan"),
    "wan_per_year": Text("万元/年", "10k yuan/year"),
    "people": Text("人", "people"),
    "people_per_mu": Text("人/亩", "people/mu"),
}

#: Every column the tool shows, by key. A key means one thing: the name of a project is ``project_name``,
#: of a site ``site_name`` (``name`` where the table says which); ``status`` is a project's placement,
#: ``site_status`` a site's vacancy; ``anchor`` is the chain leader a project supplies, ``site_anchor``
#: the one on a site.
LABELS: Final[Mapping[str, Label]] = {
    "site_id": _l("地块编号", "Site ID"),
    "project_id": _l("项目编号", "Project ID"),
    "name": _l("名称", "Name"),
    "project_name": _l("项目名称", "Project"),
    "site_name": _l("载体名称", "Site"),
    "kind": _l("类型", "Kind"),
    "site_kind": _l("载体类型", "Site kind"),
    "status": _l("落位状态", "Status"),
    "site_status": _l("状态", "Status"),
    "area_mu": _l("面积", "Area", "mu"),
    "floor_area_m2": _l("建筑面积", "Floor area", "m2"),
    "industries": _l("允许产业", "Industries"),
    "min_invest_wan_per_mu": _l("投资强度下限", "Min. intensity", "wan_per_mu"),
    "zone": _l("片区", "Zone"),
    "available_from": _l("可供日期", "Available from"),
    "anchor": _l("配套龙头", "Anchor"),
    "site_anchor": _l("龙头企业", "Anchor"),
    "industry": _l("产业类别", "Industry"),
    "investment_yi": _l("投资额", "Investment", "yi"),
    "mode": _l("落地方式", "Mode"),
    "land_need_mu": _l("用地需求", "Land need", "mu"),
    "floor_need_m2": _l("厂房需求", "Floor need", "m2"),
    "review_meeting": _l("评审批次", "Review meeting"),
    "priority": _l("优先级", "Priority"),
    "p_land": _l("落地概率", "Landing probability"),
    "needed_by": _l("需用日期", "Needed by"),
    "reason": _l("原因", "Reason"),
    "reason_zh": _l("原因（中文）", "Reason (Chinese)"),
    "reason_en": _l("原因（英文）", "Reason (English)"),
    "reason_code": _l("原因代码", "Reason code"),
    "used_mu": _l("使用土地", "Land used", "mu"),
    "used_m2": _l("使用面积", "Floor used", "m2"),
    "intensity_wan_per_mu": _l("投资强度", "Intensity", "wan_per_mu"),
    "distance_km": _l("至龙头距离", "Distance to anchor", "km"),
    "locked": _l("已锁定", "Locked"),
    "unit": _l("单位", "Unit"),
    "capacity": _l("容量", "Capacity"),
    "used": _l("已配置", "Allocated"),
    "free": _l("剩余", "Free"),
    "utilisation": _l("使用率", "Utilisation"),
    "n_projects": _l("项目数", "Projects"),
    "projects": _l("落位项目", "Projects placed"),
    "project_ids": _l("项目编号列表", "Project IDs"),
    "free_mu_equiv": _l("剩余", "Free", "mu_equiv"),
    "shadow_price": _l("影子价格", "Shadow price", "yi_per_unit"),
    "shadow_price_zh": _l("影子价格说明", "Shadow price (Chinese)"),
    "shadow_price_en": _l("影子价格说明（英文）", "Shadow price (in words)"),
    "kpi": _l("指标", "KPI"),
    "value": _l("数值", "Value"),
    "site_a": _l("方案A载体", "Site in A"),
    "site_b": _l("方案B载体", "Site in B"),
    "change": _l("变化", "Change"),
    "a": _l("方案A", "A"),
    "b": _l("方案B", "B"),
    "delta": _l("差值(B-A)", "Delta (B-A)"),
    # per-mu efficiency (亩均); a site's figures are those of the firm on it, a project's its expected ones
    "output_wan": _l("年产值", "Annual output", "wan_per_year"),
    "tax_wan": _l("年税收", "Annual tax", "wan_per_year"),
    "jobs": _l("就业", "Jobs", "people"),
    "min_tax_wan_per_mu": _l("亩均税收下限", "Min. tax per mu", "wan_per_mu"),
    "min_output_wan_per_mu": _l("亩均产值下限", "Min. output per mu", "wan_per_mu"),
    "space_mu": _l("占用面积", "Space used", "mu_equiv"),
    "invest_wan_per_mu": _l("亩均投资", "Investment per mu", "wan_per_mu"),
    "output_wan_per_mu": _l("亩均产值", "Output per mu", "wan_per_mu"),
    "tax_wan_per_mu": _l("亩均税收", "Tax per mu", "wan_per_mu"),
    "jobs_per_mu": _l("亩均就业", "Jobs per mu", "people_per_mu"),
    "grade": _l("亩均评级", "Per-mu grade"),
    "candidate": _l("盘活候选", "Revitalization candidate"),
    "firm_output_wan": _l("现状企业年产值", "Existing firm's output", "wan_per_year"),
    "firm_tax_wan": _l("现状企业年税收", "Existing firm's tax", "wan_per_year"),
}

#: Every KPI of a result (``AllocationResult.kpis``), in display order.
KPI_LABELS: Final[Mapping[str, Label]] = {
    "projects_total": _l("项目总数", "Projects in total"),
    "projects_placed": _l("已落位项目", "Projects placed"),
    "projects_unplaced": _l("未落位项目", "Projects unplaced"),
    "investment_total_yi": _l("计划投资总额", "Investment in total", "yi"),
    "investment_placed_yi": _l("已落位投资", "Investment placed", "yi"),
    "investment_placed_share": _l("已落位投资占比", "Share of investment placed"),
    "land_placed_mu": _l("供地面积", "Land used", "mu"),
    "floor_placed_m2": _l("使用厂房/平台面积", "Floor used", "m2"),
    "revitalized_land_mu": _l("盘活低效土地", "Inefficient land revitalized", "mu"),
    "revitalized_floor_m2": _l("盘活低效厂房", "Inefficient floor revitalized", "m2"),
    "intensity_wan_per_mu": _l("供地投资强度", "Intensity of land projects", "wan_per_mu"),
    "mean_supplier_anchor_km": _l("配套企业至龙头平均距离", "Mean supplier-anchor distance", "km"),
    "placed_land": _l("供地类落位", "Placed on land"),
    "placed_lease": _l("租赁厂房落位", "Placed in leased factories"),
    "placed_platform": _l("平台落位", "Placed in platforms"),
    "placed_nev": _l("新能源汽车及零部件落位", "NEV and parts projects placed"),
    "placed_four_plus_four": _l("“4+4”产业落位", "'4+4' industry projects placed"),
    "sites_used": _l("使用的载体数", "Sites used"),
    # per-mu efficiency (亩均), present when the projects carry the figures
    "output_placed_wan": _l("落位项目年产值", "Annual output placed", "wan_per_year"),
    "tax_placed_wan": _l("落位项目年税收", "Annual tax placed", "wan_per_year"),
    "jobs_placed": _l("落位项目就业", "Jobs placed", "people"),
    "space_placed_mu": _l("落位项目占用面积", "Space used by placed projects", "mu_equiv"),
    "invest_wan_per_mu": _l("亩均投资", "Investment per mu", "wan_per_mu"),
    "output_wan_per_mu": _l("亩均产值", "Output per mu", "wan_per_mu"),
    "tax_wan_per_mu": _l("亩均税收", "Tax per mu", "wan_per_mu"),
    "jobs_per_mu": _l("亩均就业", "Jobs per mu", "people_per_mu"),
    "sites_graded": _l("参与亩均评级的载体", "Sites graded"),
    "grade_d_sites": _l("D类载体（盘活候选）", "D-grade sites (revitalization candidates)"),
}
#: A project's placement (the ``status`` column of the assignments) and its change between two results.
STATUS_WORDS: Final[Mapping[str, Text]] = {
    "placed": Text("已落位", "placed"), "unplaced": Text("未落位", "unplaced"),
    "excluded": Text("已排除", "excluded"), "moved": Text("调整", "moved"),
    "newly_placed": Text("新落位", "newly placed"),
}
#: Coded columns and the Chinese names of their codes (in English a code is shown as it is).
CODE_NAMES: Final[Mapping[str, Mapping[str, str]]] = {
    "industry": INDUSTRY_ZH, "mode": MODE_ZH, "kind": KIND_ZH, "site_kind": KIND_ZH, "site_status": STATUS_ZH,
    "status": {**{k: v.zh for k, v in STATUS_WORDS.items()}, **STATUS_ZH},
}
#: Coded columns and the English words of their codes, for text written for readers (the brief): in a
#: table of the data an English code is shown as it is (:func:`code_label`), in a document it is said.
CODE_WORDS_EN: Final[Mapping[str, Mapping[str, str]]] = {
    "industry": {
        "nev_vehicle": "NEV vehicles", "nev_parts": "auto parts", "battery": "batteries and storage",
        "electronics": "electronics", "equipment": "advanced equipment", "new_materials": "new materials",
        "metal": "metal processing", "building_materials": "building materials", "food": "food and beverage",
        "biomed": "biomedicine", "furniture": "furniture", "energy_saving": "energy saving",
        "culture": "culture and creative", "other": "other",
    },
    "mode": {"land": "land grant", "lease": "lease", "platform": "platform", "land_or_lease": "land or lease"},
}
#: What the input tables' canonical columns mean, where the shown tables name it otherwise.
_INPUT_KEYS: Final[Mapping[str, str]] = {"status": "site_status"}


def header(key: str, lang: str) -> str:
    """The header of column ``key`` in ``lang`` (the key itself when the table does not know it)."""
    label = LABELS.get(key)
    return label.header(lang) if label is not None else key


def headers(columns: Iterable[object], lang: str) -> dict[object, str]:
    """``{column: header}`` for the known ones of ``columns`` (for ``DataFrame.rename``)."""
    return {c: LABELS[c].header(lang) for c in columns if isinstance(c, str) and c in LABELS}


def kpi_header(key: str, lang: str) -> str:
    """The label of KPI ``key`` in ``lang``, with its unit."""
    label = KPI_LABELS.get(key)
    return label.header(lang) if label is not None else key


def code_label(column: str, value: object, lang: str) -> str:
    """A coded value (``land``, ``nev_parts``, ``placed`` ...) as shown in ``lang``: its Chinese name, or
    the code itself in English; "" for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    table = CODE_NAMES.get(column)
    return table.get(text, text) if table is not None and lang != "en" else text


def code_words(column: str, value: object, lang: str) -> str:
    """A coded value said in words in ``lang``: its Chinese name (as :func:`code_label`), or its English words
    (:data:`CODE_WORDS_EN`; the code itself when it has none)."""
    text = code_label(column, value, lang)
    return CODE_WORDS_EN.get(column, {}).get(text, text) if lang == "en" else text


def column_label(canon: str, lang: str = "zh") -> str:
    """A canonical input column with its name, for messages and the mapping step:
    ``"area_mu (面积(亩))"`` (English: the column alone, it is English already)."""
    label = LABELS.get(_INPUT_KEYS.get(canon, canon))
    if label is None or lang == "en":
        return canon
    return f"{canon} ({label.header('zh')})"
