"""UI strings in Chinese and English: ``t(key, lang)`` for everything the app and the maps show.

Chinese is the default. Unknown keys raise ``KeyError`` (a typo must fail in tests, not show a raw key);
format fields are filled from keyword arguments: ``t("map.free", "en", free="12.5 mu")``.
"""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["zh", "en"]
LANGS: Final[tuple[str, ...]] = ("zh", "en")
LANG_NAMES: Final = {"zh": "中文", "en": "English"}

# key -> (Chinese, English)
STRINGS: Final[dict[str, tuple[str, str]]] = {
    # app shell
    "app.title": ("肇庆高新区产业用地配置", "Zhaoqing High-tech Zone land and factory allocation"),
    "app.subtitle": (
        "zq_land:为评审通过的项目匹配土地、租赁厂房与平台空间",
        "zq_land: matching reviewed projects to land, leased factories and platform space",
    ),
    "app.language": ("语言 / Language", "语言 / Language"),
    "app.sample_note": (
        "示例数据:地块位置为示意,位于高新区范围内,并非真实红线。",
        "Sample data: plot positions are illustrative, inside the zone's extent, not surveyed boundaries.",
    ),
    "app.sites_file": ("地块文件", "Sites file"),
    "app.no_sites": ("未找到示例地块文件:{path}", "Sample sites file not found: {path}"),
    "app.load_error": ("地块文件无法读取", "The sites file cannot be used"),
    "app.map_header": ("地块分布图", "Map of sites"),
    "app.table_header": ("地块一览", "Sites"),
    "app.basemap": ("底图", "Basemap"),
    "app.offline_hint": (
        "地图脚本由本应用提供,内网无互联网时仍可显示地块;底图瓦片需要网络。",
        "Map scripts are served by this app, so sites show without internet; basemap tiles need a network.",
    ),
    "app.static_failed": (
        "无法写入 {path}:地图脚本改从互联网加载,内网环境下地图可能无法显示。",
        "Cannot write to {path}: map scripts now load from the internet and may not show on an intranet.",
    ),
    "app.metric_sites": ("地块数", "Sites"),
    "app.metric_land": ("可供土地(亩)", "Land available (mu)"),
    "app.metric_floor": ("可租厂房/平台(平方米)", "Factory/platform floor (m2)"),
    # basemaps
    "basemap.osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap.tianditu_vec": ("天地图 矢量", "Tianditu vector"),
    "basemap.tianditu_img": ("天地图 影像", "Tianditu imagery"),
    "basemap.tianditu_vec_labels": ("天地图 矢量注记", "Tianditu vector labels"),
    "basemap.tianditu_img_labels": ("天地图 影像注记", "Tianditu imagery labels"),
    "basemap.gaode": ("高德 地图", "Gaode map"),
    "basemap.gaode_satellite": ("高德 卫星", "Gaode satellite"),
    "basemap.none": ("无底图", "No basemap"),
    # map categories (legend and layer control)
    "cat.land_vacant": ("空闲土地", "Vacant land"),
    "cat.land_inefficient": ("盘活低效用地", "Revitalized (inefficient) land"),
    "cat.factory": ("租赁厂房", "Leased factory"),
    "cat.platform": ("平台/孵化载体", "Platform / incubator"),
    "cat.occupied": ("已占用(含龙头企业)", "Occupied (incl. anchors)"),
    "cat.changed": ("项目有变化的地块", "Sites whose projects changed"),
    "cat.unchanged": ("项目未变化的地块", "Sites without change"),
    "layer.labels": ("地块名称", "Plot names"),
    "layer.anchors": ("龙头企业", "Anchors"),
    "layer.supplier_lines": ("配套企业—龙头连线", "Supplier-to-anchor lines"),
    "legend.title": ("图例", "Legend"),
    "legend.opacity": ("填充越深 = 剩余容量越多", "Darker fill = more free capacity"),
    "legend.anchor": ("龙头企业", "Anchor (chain leader)"),
    "legend.line": ("配套企业至龙头", "Supplier to anchor"),
    # popups
    "pop.site_id": ("地块编号", "Site id"),
    "pop.kind": ("类型", "Kind"),
    "pop.status": ("状态", "Status"),
    "pop.area": ("面积", "Area"),
    "pop.floor": ("建筑面积", "Floor area"),
    "pop.industries": ("允许产业", "Industries"),
    "pop.any_industry": ("不限", "any"),
    "pop.zone": ("片区", "Zone"),
    "pop.available_from": ("可供日期", "Available from"),
    "pop.anchor": ("龙头企业", "Anchor"),
    "pop.capacity": ("容量", "Capacity"),
    "pop.used": ("已配置", "Allocated"),
    "pop.free": ("剩余", "Free"),
    "pop.projects": ("落地项目", "Projects"),
    "pop.no_projects": ("暂无项目", "no project yet"),
    "pop.moved_in": ("迁入", "Moved in"),
    "pop.moved_out": ("迁出", "Moved out"),
    "pop.kept": ("不变", "Unchanged"),
    "pop.invest": ("亿元", "100M yuan"),
    "unit.mu": ("亩", "mu"),
    "unit.m2": ("平方米", "m2"),
    # kinds / statuses shown in popups and tables
    "kind.land": ("土地", "land"),
    "kind.factory": ("厂房", "factory"),
    "kind.platform": ("平台", "platform"),
    "status.vacant": ("空闲", "vacant"),
    "status.inefficient": ("低效(盘活)", "inefficient (to revitalize)"),
    "status.occupied": ("已占用", "occupied"),
    # table headers
    "col.site_id": ("地块编号", "Site id"),
    "col.name": ("名称", "Name"),
    "col.kind": ("类型", "Kind"),
    "col.status": ("状态", "Status"),
    "col.area_mu": ("面积(亩)", "Area (mu)"),
    "col.floor_area_m2": ("建筑面积(平方米)", "Floor area (m2)"),
    "col.industries": ("允许产业", "Industries"),
    "col.min_invest_wan_per_mu": ("投资强度下限(万元/亩)", "Min. intensity (10k yuan/mu)"),
    "col.zone": ("片区", "Zone"),
    "col.available_from": ("可供日期", "Available from"),
    "col.anchor": ("龙头企业", "Anchor"),
}

#: English names of the report's named plots and anchors, for map labels in English.
NAME_EN: Final = {
    "中恒地块": "Zhongheng plot",
    "原新桥钢结构厂地块": "Former Xinqiao steel-structure plant plot",
    "小鹏智能汽车配套零部件产业园": "XPeng smart-vehicle parts park",
    "小鹏汽车肇庆基地": "XPeng Motors Zhaoqing base",
    "小鹏汽车": "XPeng Motors",
    "广东瑞庆时代": "Guangdong Ruiqing CATL",
    "瑞庆时代": "Ruiqing CATL",
    "原风华地块": "Former Fenghua plot",
    "原中科瑞龙地块": "Former Zhongke Ruilong plot",
    "浩海地块": "Haohai plot",
    "涞馨地块": "Laixin plot",
}

ANCHOR_ZH: Final = {"XPeng": "小鹏汽车", "Ruiqing CATL": "瑞庆时代"}


def t(key: str, lang: str = "zh", **fields: object) -> str:
    """The UI string ``key`` in ``lang`` (``"zh"`` or ``"en"``), with ``{fields}`` filled in.

    Raises
    ------
    KeyError
        When ``key`` is not a known string.
    """
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


def anchor_label(anchor: str, lang: str = "zh") -> str:
    """Display name of a canonical anchor (``"XPeng"`` -> ``"小鹏汽车"`` in Chinese)."""
    return ANCHOR_ZH.get(anchor, anchor) if lang != "en" else anchor


def name_label(name: str, lang: str = "zh") -> str:
    """A plot's name in ``lang``: Chinese as given; English from :data:`NAME_EN` when known."""
    if lang != "en":
        return name
    if name in NAME_EN:
        return NAME_EN[name]
    for zh, en in NAME_EN.items():
        if zh in name:
            return name.replace(zh, en)
    return name
