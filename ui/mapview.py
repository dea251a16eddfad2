"""The result map with the selected plot beside it: a click on a plot (or the map's search) selects it in the
panel, which shows its projects and free room, why any project is not on it, and pins or forbids the pair.

The map is built once per result, language, basemap and line toggle and reruns nothing while panned:
``st_folium`` returns only the last clicked feature (``returned_objects``), whose ``properties["id"]`` is the
site id the map carries in every feature.
"""

from __future__ import annotations

from typing import Any, Final, cast

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from zq_land import UNITS, AllocationResult, Basemap, InputError, result_map, t, why_not

from . import state
from .common import num, plain, show_problems

MAP_HEIGHT: Final = 620
SITE_KEY: Final = "res_why_site"
PROJECT_KEY: Final = "res_why_project"
LAST_CLICK: Final = "_res_map_last_click"
#: Reason codes after which a pin can be honoured (the pair passes every rule; others may have to move).
PINNABLE: Final = frozenset({"eligible", "not_chosen", "assigned", "site_full"})


def render(result: AllocationResult, lang: str, data: state.DataSet, *, basemap: str, tianditu_key: str | None,
           offline: bool) -> None:
    """The map (left) and the selected plot's panel (right), in one view."""
    st.subheader(t("res.map", lang))
    _map_and_panel(result, lang, data, basemap=basemap, tianditu_key=tianditu_key, offline=offline)


@st.fragment
def _map_and_panel(result: AllocationResult, lang: str, data: state.DataSet, *, basemap: str,
                   tianditu_key: str | None, offline: bool) -> None:
    # A fragment: a click on the map or a choice in the panel reruns only this part of the page (measured in the
    # browser test: the click's panel came in 1.15-1.6 s with the whole page rerun on a shared machine).
    lines = st.toggle(t("res.lines", lang), key="opt_lines", help=t("res.lines_help", lang))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        m = map_of(result, lang, basemap=basemap, tianditu_key=tianditu_key, lines=lines, offline=offline)
        out = st_folium(m, key="folium_result", returned_objects=["last_active_drawing"],
                        use_container_width=True, height=MAP_HEIGHT)
        st.caption(t("res.map_help", lang))
    _take_click(out, result)
    with right:
        _panel(result, lang, data)


def map_of(result: AllocationResult, lang: str, *, basemap: str, tianditu_key: str | None, lines: bool,
           offline: bool = True, title: bool = False) -> Any:
    """The result's map; ``title`` puts the scenario, date and figures on it (a standalone file)."""
    extra: dict[str, Any] = {} if title else {"title": None}
    return result_map(result, lang=lang, basemap=cast(Basemap, basemap), tianditu_key=tianditu_key,
                      show_supplier_lines=lines, offline=offline, **extra)


def _take_click(out: Any, result: AllocationResult) -> None:
    """A new click on a plot selects it in the panel (an old click never overrides a later choice there)."""
    feature = (out or {}).get("last_active_drawing") if isinstance(out, dict) else None
    props = feature.get("properties") if isinstance(feature, dict) else None
    sid = str(props.get("id", "")) if isinstance(props, dict) else ""
    s = st.session_state
    if sid and sid != s.get(LAST_CLICK) and sid in set(result.sites["site_id"].astype(str)):
        s[SITE_KEY] = sid
    s[LAST_CLICK] = sid or s.get(LAST_CLICK)


def _panel(result: AllocationResult, lang: str, data: state.DataSet) -> None:
    sites = result.sites
    site_names = dict(zip(sites["site_id"].astype(str), sites["name"].astype(str), strict=True))
    state.fit_choice(SITE_KEY, site_names)
    st.markdown(f"**{t('res.panel_site', lang)}**")
    sid = st.selectbox(t("res.why_site", lang), list(site_names), key=SITE_KEY,
                       format_func=lambda s: _named(site_names.get(s, ""), s, lang),
                       help=t("res.panel_site_help", lang))
    if sid:
        _site_facts(result, sid, lang)
    _why_not_and_pins(result, sid, lang, data)


def _site_facts(result: AllocationResult, sid: str, lang: str) -> None:
    use = result.site_use[result.site_use["site_id"].astype(str) == sid]
    site = result.sites[result.sites["site_id"].astype(str) == sid].iloc[0]
    kind = t(f"kind.{site['kind']}", lang)
    status = t(f"status.{site['status']}", lang)
    sep = "，" if lang == "zh" else ", "
    # names are the planners' text: shown as typed (plain), never as Markdown
    st.markdown(f"#### {plain(_named(str(site['name']), sid, lang))}")
    st.markdown(kind + sep + status + (sep + plain(site["zone"]) if str(site.get("zone", "") or "") else ""))
    if len(use):
        u = use.iloc[0]
        unit = str(u["unit"])
        digits = 1 if unit == "mu" else 0
        unit_word = UNITS[unit].pick(lang) if unit in UNITS else unit
        cap = float(u["capacity"])
        share = f"{100.0 * float(u['used']) / cap:.0f} %" if cap > 0 else "–"
        c1, c2, c3 = st.columns(3)
        c1.metric(t("res.panel_capacity", lang, unit=unit_word), num(cap, digits))
        c2.metric(t("res.panel_used", lang, unit=unit_word), num(u["used"], digits))
        c3.metric(t("res.panel_free", lang, unit=unit_word), num(u["free"], digits))
        st.caption(t("res.panel_share", lang, share=share))
    a = result.assignments
    here = a[a["site_id"].fillna("").astype(str) == sid]
    st.markdown(t("res.panel_projects", lang, n=len(here)))
    if len(here):
        need_mu = pd.to_numeric(here.get("land_need_mu"), errors="coerce")
        need_m2 = pd.to_numeric(here.get("floor_need_m2"), errors="coerce")
        land = str(site["kind"]) == "land"
        view = pd.DataFrame({
            t("res.panel_col_project", lang): [_named(n, p, lang) for n, p in zip(here["name"], here["project_id"],
                                                                                 strict=True)],
            t("res.panel_col_invest", lang): [num(v, 2) for v in here["investment_yi"]],
            t("res.panel_col_need", lang, unit=UNITS["mu" if land else "m2"].pick(lang)):
                [num(v, 1 if land else 0) for v in (need_mu if land else need_m2)],
        })
        st.dataframe(view, hide_index=True, width="stretch", key="tbl_panel_projects")


def _why_not_and_pins(result: AllocationResult, sid: str | None, lang: str, data: state.DataSet) -> None:
    st.markdown(f"**{t('res.why', lang)}**")
    st.caption(t("res.why_help", lang))
    projects = result.assignments
    names = dict(zip(projects["project_id"].astype(str), projects["name"].astype(str), strict=True))
    state.fit_choice(PROJECT_KEY, names)
    pid = st.selectbox(t("res.why_project", lang), list(names), key=PROJECT_KEY,
                       format_func=lambda p: _named(names.get(p, ""), p, lang))
    if pid and sid:
        where = projects.loc[projects["project_id"].astype(str) == pid, "site_id"]
        now = str(where.iloc[0]) if len(where) and str(where.iloc[0]) not in ("", "nan", "None") else ""
        st.markdown(t("res.now_on", lang, site=plain(now)) if now else t("res.now_unplaced", lang))
        try:
            reasons = why_not(pid, sid, result.sites, result.projects, result.scenario,
                              result_assignments=result.assignments)
        except InputError as exc:
            show_problems(exc.report, lang, key="tbl_why_problems")
            reasons = []
        for r in reasons:
            st.markdown(f"- {plain(r.text_zh if lang == 'zh' else r.text_en, limit=2000)}")
        pinnable = bool(reasons) and all(r.code in PINNABLE for r in reasons)
        b1, b2, b3 = st.columns(3)
        # a pin or forbid changes the scenario: the whole page reruns (it then says the result is stale)
        if b1.button(t("res.pin", lang, project=plain(pid), site=plain(sid)), key="btn_pin", disabled=not pinnable,
                     help=None if pinnable else t("res.pin_refused", lang)):
            _pin(pid, sid, lang)
            st.rerun()
        if b2.button(t("res.forbid", lang, project=plain(pid), site=plain(sid)), key="btn_forbid"):
            _forbid(pid, sid, lang)
            st.rerun()
        with b3:
            _rerun_button(lang, data)
        if not pinnable and reasons:
            st.caption(t("res.pin_refused", lang))
    locks, forbids = state.pairs("locks"), state.pairs("forbid")
    st.caption(t("res.pairs_now", lang, locks=len(locks), forbid=len(forbids)))


def _rerun_button(lang: str, data: state.DataSet) -> None:
    from .scenario import run_current

    if st.button(t("res.rerun", lang), key="btn_rerun_pins"):
        if run_current(lang, data):  # the failure's reason shows here, beside the button
            st.rerun()
        st.warning(t("res.rerun_failed_old", lang))


def _pin(project_id: str, site_id: str, lang: str) -> None:
    state.pin(project_id, site_id)
    state.flash("info", t("res.pinned", lang, project=plain(project_id), site=plain(site_id)))


def _forbid(project_id: str, site_id: str, lang: str) -> None:
    state.forbid(project_id, site_id)
    state.flash("info", t("res.forbidden", lang, project=plain(project_id), site=plain(site_id)))


def _named(name: str, code: str, lang: str) -> str:
    name = str(name or "").strip()
    if not name or name == code:
        return code
    return f"{name}（{code}）" if lang == "zh" else f"{name} ({code})"
