"""The 时间轴 / Timeline page under streamlit.testing: the sample's 13 meetings replayed from the page, both
languages whole, figures with units; and the alternatives of the results page."""

from __future__ import annotations

from pathlib import Path

from conftest import app_page
from streamlit.testing.v1 import AppTest

from ui.timeline import RESULT
from zq_land import TimelineResult

ROOT = Path(__file__).resolve().parents[1]


def _page(lang: str = "zh") -> AppTest:
    page: AppTest = app_page("时间轴", "Timeline", lang)
    return page


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text.replace("亿元", ""))


def test_the_year_replayed_from_the_page_in_chinese_and_in_english() -> None:
    at = _page()
    assert at.subheader[0].value == "全年评审会时间轴"
    at.button(key="tl_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state[RESULT]
    assert isinstance(result, TimelineResult) and len(result.meetings) == 13
    assert result.meetings[0]["date"] == "2022-01-20"  # the sample's illustrative dates by default
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["落位项目（个）", "落位投资（亿元）", "使用土地（亩）"]
    assert at.metric[4].value == f"{result.hindsight['investment_placed_yi']:,.2f}"
    assert at.get("component_instance")  # the map at a meeting
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value == "The year, review meeting by review meeting"
    texts = [m.label for m in at.metric] + [c.value for c in at.caption] + [b.label for b in at.button]
    assert "Investment placed (100M yuan)" in texts
    assert not [x for x in texts if _has_han(x)]


def test_the_results_page_gives_a_projects_alternatives_with_their_cost() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.session_state["nav"] = "情景"
    at.run()
    at.button(key="btn_run").click().run()
    at.session_state["nav"] = "结果"
    at.run()
    at.number_input(key="alt_k").set_value(1).run()
    at.button(key="alt_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (alt,) = at.session_state["_alt_cache"].values()
    pid = at.selectbox(key="alt_project").value
    row = alt.for_project(pid).iloc[0]
    line = f"若不在 {row['current_site_id']}：{row['site_id']}，损失 {row['loss_yi']:,.2f} 亿元"
    assert any(line in m.value for m in at.markdown), line
