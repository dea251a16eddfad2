"""The app's first page (数据 / Data) under streamlit.testing (no browser): loads, shows the title, the sample
sites on a map and in a table, switches language. The other pages are tested in ``test_app.py``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SAMPLE = ROOT / "parcels" / "zhaoqing_hitech.geojson"

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="the sample sites are not generated yet")


def _run() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _map_args(at: AppTest) -> dict[str, Any]:
    """The arguments the page passed to the streamlit-folium component (its script and assets)."""
    comps = list(at.get("component_instance"))
    assert len(comps) == 1, "one map on the page"
    return dict(json.loads(comps[0].proto.json_args))


def test_page_loads_in_chinese_with_map_and_table() -> None:
    at = _run()
    assert at.title[0].value == "肇庆高新区产业用地配置"
    assert at.radio(key="lang").value == "zh"
    assert [m.label for m in at.metric] == [
        "地块数", "可供土地(亩)", "可租厂房/平台(平方米)", "项目数", "计划投资(亿元)"]
    assert at.metric[0].value == "40" and at.metric[3].value == "109" and at.metric[4].value == "192.8"
    assert [tab.label for tab in at.tabs] == ["数据", "情景", "结果", "对比", "方案记录", "不确定性", "时间轴"]
    table = at.dataframe[0].value
    assert len(table) == 40 and "地块编号" in table.columns
    assert "中恒地块" in set(table["名称"])
    assert set(table["类型"]) == {"土地", "厂房", "平台"}
    assert any("汽车零部件" in v for v in table["允许产业"])  # codes shown by their Chinese names
    projects = at.dataframe[1].value
    assert len(projects) == 109 and "汽车零部件" in set(projects["产业类别"])
    assert not at.error


def test_switching_to_english() -> None:
    at = _run()
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Zhaoqing High-tech Zone land and factory allocation"
    assert at.metric[0].label == "Sites"
    table = at.dataframe[0].value
    # one label for site_id everywhere (the data page said "Site id", the exports "Site ID")
    assert "Site ID" in table.columns and set(table["Kind"]) == {"land", "factory", "platform"}
    projects = at.dataframe[1].value
    assert "Project ID" in projects.columns and "nev_parts" in set(projects["Industry"])


def test_map_scripts_come_from_the_app_not_a_cdn() -> None:
    at = _run()
    args = _map_args(at)
    links = [*args["js_links"], *args["css_links"]]
    base = "../../app/static/vendor/leaflet"
    assert links == [f"{base}/leaflet.js", f"{base}/leaflet.css"]
    assert args["returned_objects"] == []  # panning the map does not rerun the page
    assert (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").exists()


def test_every_ui_string_has_chinese_and_english() -> None:
    from zq_land.i18n import STRINGS, t

    for key, (zh, en) in STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert t(key, "zh") == zh or "{" in zh
    assert t("app.no_sites", "en", path="x.geojson") == "Sample sites file not found: x.geojson"
    with pytest.raises(KeyError):
        t("app.no_such_key", "zh")
