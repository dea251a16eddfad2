"""The timeline page (时间轴): the year replayed review meeting by review meeting, against hindsight.

The planner sets each meeting's date (the sample's 13 illustrative 2022 dates by default, or the
scenario's ``[meetings]``), runs the replay, and reads: meeting-by-meeting beside hindsight, a chart of
placements and land use by meeting, the map at any meeting, the early decisions that blocked later
projects and the plots worth holding back. ``zq_land.run_timeline`` does the work; this page wires it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final, cast

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from zq_land import MEETING_DATES_2022, Basemap, InputError, TimelineResult, run_timeline, sites_map, t

from . import state
from .common import num, show_problems

RESULT: Final = "_tl_result"
MEETINGS: Final = "_tl_meetings"
MAP_HEIGHT: Final = 520


def render(lang: str, data: state.DataSet, *, basemap: str, tianditu_key: str | None, offline: bool) -> None:
    """Draw the timeline page."""
    st.subheader(t("tl.header", lang))
    st.caption(t("tl.help", lang))
    meetings = _meeting_numbers(data)
    if not meetings:
        st.info(t("tl.no_meetings", lang))
        return
    dates = _dates_editor(lang, meetings)
    if st.button(t("tl.run", lang), type="primary", key="tl_run"):
        _run(lang, data, dates)
    result = st.session_state.get(RESULT)
    if isinstance(result, TimelineResult):
        _side_by_side(lang, result)
        _chart(lang, result)
        _map_at_meeting(lang, data, result, basemap=basemap, tianditu_key=tianditu_key, offline=offline)
        _blocked_and_reserve(lang, result)
        _table(lang, result)


def _meeting_numbers(data: state.DataSet) -> list[int]:
    if "review_meeting" not in data.projects.columns:
        return []
    m = pd.to_numeric(data.projects["review_meeting"], errors="coerce").dropna().astype(int)
    return sorted(set(m.tolist()))


def _default_dates(meetings: list[int]) -> dict[int, dt.date]:
    """The scenario's ``[meetings]``, else the sample's 2022 dates, else about monthly from 20 January."""
    from .scenario import BASE

    base = st.session_state.get(BASE)
    given = dict(getattr(base, "meetings", ()) or ())
    sample = {i: dt.date.fromisoformat(d) for i, d in enumerate(MEETING_DATES_2022, start=1)}
    out: dict[int, dt.date] = {}
    for n in meetings:
        out[n] = given.get(n) or sample.get(n) or dt.date(2022, 1, 20) + dt.timedelta(days=28 * (n - 1))
    return out


def _dates_editor(lang: str, meetings: list[int]) -> dict[int, dt.date]:
    s = st.session_state
    if not isinstance(s.get(MEETINGS), pd.DataFrame) or s[MEETINGS]["meeting"].tolist() != meetings:
        d = _default_dates(meetings)
        s[MEETINGS] = pd.DataFrame({"meeting": meetings, "date": [d[n] for n in meetings]})
    st.markdown(f"**{t('tl.dates', lang)}**")
    st.caption(t("tl.dates_help", lang))
    edited = st.data_editor(
        s[MEETINGS], key="tl_dates", hide_index=True, disabled=["meeting"], use_container_width=False,
        column_config={"meeting": st.column_config.NumberColumn(t("tl.col_meeting", lang), format="%d"),
                       "date": st.column_config.DateColumn(t("tl.col_date", lang), format="YYYY-MM-DD")},
    )
    return {int(r.meeting): r.date for r in edited.itertuples() if pd.notna(r.date)}


def _run(lang: str, data: state.DataSet, dates: dict[int, dt.date]) -> None:
    from zq_land import scenario_from_dict

    from .scenario import build_scenario

    try:
        base = build_scenario(data)
        d = base.to_dict()
        d.pop("sites", None)
        d.pop("projects", None)
        d["meetings"] = {str(k): v for k, v in sorted(dates.items())}
        sc = scenario_from_dict(d).with_(sites=base.sites, projects=base.projects)
        with st.spinner(t("tl.running", lang)):
            st.session_state[RESULT] = run_timeline(data.sites, data.projects, sc,
                                                    time_limit_s=min(30.0, sc.solver.time_limit_s))
    except InputError as exc:
        st.error(t("run.invalid", lang))
        show_problems(exc.report, lang, key="tbl_tl_invalid")


def _side_by_side(lang: str, r: TimelineResult) -> None:
    s = r.summary()
    tl, hs, cost = s["timeline"], s["hindsight"], s["cost_of_deciding_by_meeting"]
    left, right = st.columns(2)
    for col, title, fig in ((left, t("tl.by_meeting", lang), tl), (right, t("tl.hindsight", lang), hs)):
        col.markdown(f"**{title}**")
        a, b, c = col.columns(3)
        a.metric(t("tl.kpi_projects", lang), f"{fig['projects_placed']} / {tl['projects_total']}")
        b.metric(t("tl.kpi_investment", lang), num(fig["investment_placed_yi"], 2))
        c.metric(t("tl.kpi_land", lang), num(fig["land_placed_mu"], 1))
    status = t(f"tl.status_{hs['status']}", lang) if hs["status"] in ("optimal", "feasible", "time_limit") \
        else hs["status"]
    st.caption(t("tl.cost_line", lang, objective=num(cost["objective"], 2), investment=num(cost["investment_yi"], 2),
                 land=num(cost["land_mu"], 1), status=status, seconds=num(r.seconds, 1)))


def _chart(lang: str, r: TimelineResult) -> None:
    st.markdown(f"**{t('tl.chart', lang)}**")
    m = pd.DataFrame(r.meetings)
    label = t("tl.col_meeting", lang)
    inv = pd.DataFrame({label: m["meeting"].astype(str).str.zfill(2),
                        t("tl.chart_investment", lang): m["investment_placed_yi"]}).set_index(label)
    land = pd.DataFrame({label: m["meeting"].astype(str).str.zfill(2),
                         t("tl.chart_cum_land", lang): m["cumulative_land_mu"],
                         t("tl.chart_free_land", lang): m["land_free_mu"]}).set_index(label)
    a, b = st.columns(2)
    a.bar_chart(inv)
    b.line_chart(land)


def _map_at_meeting(lang: str, data: state.DataSet, r: TimelineResult, *, basemap: str, tianditu_key: str | None,
                    offline: bool) -> None:
    numbers = [m["meeting"] for m in r.meetings]
    a, b = st.columns([3, 1])
    pick = a.select_slider(t("tl.map_at", lang), options=numbers, value=numbers[-1], key="tl_map_meeting")
    hindsight = b.toggle(t("tl.map_hindsight", lang), key="tl_map_hindsight")
    standing = r.hindsight_plan.dropna(subset=["site_id"]) if hindsight else \
        r.plans.get(int(pick), pd.DataFrame(columns=["project_id", "site_id"]))
    assignments = pd.DataFrame({"project_id": data.projects["project_id"].astype(str)})
    assignments = assignments.merge(standing[["project_id", "site_id"]], on="project_id", how="left")
    assignments["site_id"] = assignments["site_id"].astype(object).where(assignments["site_id"].notna(), None)
    m = sites_map(data.sites, assignments=assignments, projects=data.projects, lang=lang,
                  basemap=cast(Basemap, basemap), tianditu_key=tianditu_key, offline=offline)
    st_folium(m, key="folium_timeline", returned_objects=[], use_container_width=True, height=MAP_HEIGHT)


def _blocked_and_reserve(lang: str, r: TimelineResult) -> None:
    st.markdown(f"**{t('tl.blocked', lang)}**")
    if not r.blocked:
        st.caption(t("tl.blocked_none", lang))
    for b in r.blocked[:10]:
        st.markdown(f"- {b['text'][lang]}")
    st.markdown(f"**{t('tl.reserve', lang)}**")
    if not r.reserve:
        st.caption(t("tl.reserve_none", lang))
    for res in r.reserve:
        mark = "✅ " if res["recommended"] else ""
        st.markdown(f"- {mark}{res['text'][lang]}")


def _table(lang: str, r: TimelineResult) -> None:
    rows = r.rows
    cols: dict[str, Any] = {
        "meeting": t("tl.col_meeting", lang), "date": t("tl.col_date", lang), "project_id": t("tl.col_project", lang),
        "name": t("tl.col_name", lang), "site_id": t("tl.col_site", lang), "status": t("tl.col_status", lang),
        "investment_yi": t("tl.col_investment", lang), "land_mu": t("tl.col_land", lang),
        "floor_m2": t("tl.col_floor", lang), "hindsight_site_id": t("tl.col_hindsight_site", lang),
        f"reason_{lang}": t("tl.col_reason", lang),
    }
    view = rows[list(cols)].rename(columns=cols)
    status = t("tl.col_status", lang)
    view[status] = [t(f"tl.{v}", lang) for v in rows["status"]]
    with st.expander(t("tl.table", lang), expanded=False):
        st.dataframe(view, hide_index=True, use_container_width=True)
    a, b = st.columns(2)
    a.download_button(t("tl.download_csv", lang), rows.to_csv(index=False).encode("utf-8-sig"),
                      file_name="timeline.csv", mime="text/csv", key="tl_dl_csv")
    summary = json.dumps(r.summary(), ensure_ascii=False, indent=2, default=str).encode("utf-8")
    b.download_button(t("tl.download_json", lang), summary, file_name="timeline_summary.json",
                      mime="application/json", key="tl_dl_json")
