"""The 不确定性 / Uncertainty page under streamlit.testing: settings in both languages, a sweep and a front run
on the 2022 sample through a local Dask cluster, the chance map, and a plan pinned from the page."""

from __future__ import annotations

import json

import pytest
from conftest import app_page
from streamlit.testing.v1 import AppTest

from ui.uncertainty import PARETO, SWEEP
from zq_land.studies.pareto import ParetoResult
from zq_land.studies.sweep import SweepResult

pytestmark = pytest.mark.slow


def _page(lang: str = "zh") -> AppTest:
    page: AppTest = app_page("不确定性", "Uncertainty", lang)
    return page


def test_page_settings_in_chinese_and_in_english() -> None:
    at = _page()
    assert [s.value for s in at.subheader][:2] == ["项目落地不确定性：抽样分析", "投资、盘活与配套距离的权衡"]
    assert at.number_input(key="unc_p_lease").value == pytest.approx(0.757)  # the report's 28/37
    assert at.number_input(key="unc_p_default").value == pytest.approx(0.927)
    assert at.button(key="btn_unc_run_sweep").label == "运行抽样分析"
    probs = at.dataframe[0].value
    assert list(probs.columns) == ["项目编号", "名称", "落地方式", "投资额（亿元）", "落地概率（%）", "概率来源"]
    assert set(probs["概率来源"]) == {"按落地方式", "默认"} and 75.7 in set(probs["落地概率（%）"])
    en = _page("en")
    assert en.button(key="btn_unc_run_sweep").label == "Run the sweep"
    cols = en.dataframe[0].value.columns
    assert "Landing probability (%)" in cols  # (亿元 is the unit in both languages, as on the other pages)
    assert not any("\u4e00" <= ch <= "\u9fff" for c in cols for ch in c.replace("亿元", ""))


def test_a_sweep_and_a_front_from_the_page() -> None:
    at = _page()
    at.session_state["unc_samples"] = 12
    at.session_state["unc_workers"] = 1
    at.session_state["unc_levels"] = 1
    at.run()
    at.button(key="btn_unc_run_sweep").click().run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state[SWEEP]
    assert isinstance(result, SweepResult) and result.summary["samples_solved"] == 12
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["已落位投资 P10（亿元）", "已落位投资 P50（亿元）", "已落位投资 P90（亿元）"]
    assert at.metric[1].value == f"{result.summary['investment_placed_yi']['p50']:,.2f}"
    maps = [json.loads(c.proto.json_args) for c in at.get("component_instance")]
    legend = json.dumps("地块被使用的概率")[1:-1]  # as the map's script carries it
    assert maps and legend in maps[0]["script"]  # the chance map's legend
    sites = next(d.value for d in at.dataframe if "使用概率（%）" in d.value.columns)
    assert len(sites) == 40 and sites["使用概率（%）"].between(0, 100).all()
    at.button(key="btn_unc_pin_robust").click().run()
    placed = result.robust_plan[result.robust_plan["site_id"] != ""]
    assert len(at.session_state["locks"]) == len(placed) > 0
    at.button(key="btn_unc_run_pareto").click().run()
    assert not at.exception, [e.value for e in at.exception]
    front = at.session_state[PARETO]
    assert isinstance(front, ParetoResult) and front.points["status"].tolist() == ["optimal"]
    assert len(at.get("image")) == 1  # the chart
    assert at.selectbox(key="unc_point").value == 0


def test_an_unreachable_scheduler_is_an_error_on_the_page_not_a_loop() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    at = _page()
    at.session_state["unc_scheduler"] = f"tcp://127.0.0.1:{port}"
    at.run()
    at.button(key="btn_unc_run_sweep").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == ["无法求解"]
    assert any("无法连接 Dask 调度器" in str(d.value.to_dict()) for d in at.dataframe)
    assert at.session_state["_unc_running"] is None  # the next rerun does not try again by itself
    at.run()
    assert at.button(key="btn_unc_run_sweep").label == "运行抽样分析"
