"""The results page: KPI cards, the result map, assignments, unplaced projects with reasons, "why not
this site", pins and forbids, charts and downloads. Everything is read from a kept
:class:`~zq_land.AllocationResult`; nothing here solves unless the planner presses a run button.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final, cast

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from zq_land import (
    UNITS,
    AllocationResult,
    Basemap,
    InputError,
    assignments_csv_bytes,
    audit_bundle_bytes,
    candidates_frame,
    code_label,
    efficiency_frame,
    kpi_header,
    labelled,
    result_brief_bytes,
    result_map,
    sites_geojson_bytes,
    soffice_path,
    standalone_html,
    t,
    why_not,
    workbook_bytes,
)

from . import alternatives, state
from .common import num, plain, show_problems

MAP_HEIGHT: Final = 600
ASSIGNMENT_VIEW: Final = ("project_id", "name", "status", "site_id", "site_name", "site_kind", "zone",
                          "industry", "mode", "investment_yi", "land_need_mu", "floor_need_m2",
                          "intensity_wan_per_mu", "tax_wan_per_mu", "output_wan_per_mu", "grade", "locked", "reason")
UNPLACED_VIEW: Final = ("project_id", "name", "industry", "mode", "investment_yi", "land_need_mu",
                        "floor_need_m2", "reason")
SITE_USE_VIEW: Final = ("site_id", "name", "kind", "status", "zone", "unit", "capacity", "used", "free",
                        "utilisation", "n_projects", "investment_yi", "tax_wan_per_mu", "grade", "projects")
#: Used and free capacity in the charts.
CHART_COLORS: Final = ("#1f4e8c", "#c9d6e8")
FILTERS: Final = ("status", "site_kind", "industry", "zone")


def render(lang: str, data: state.DataSet, *, basemap: str, tianditu_key: str | None, offline: bool) -> None:
    """Draw the results page."""
    current = state.current_result()
    if current is None:
        st.info(t("res.none", lang))
        _rerun_button(lang, data)
        return
    key, result = current
    st.subheader(t("res.header", lang, name=plain(result.scenario.name)))
    _stale_note(lang, data, key)
    kpi_cards(result, lang)
    from .stability import render_result_notes

    render_result_notes(result, lang)
    _result_map(result, lang, basemap=basemap, tianditu_key=tianditu_key, offline=offline)
    _assignments(result, lang)
    _unplaced(result, lang)
    _why_not_and_pins(result, lang, data)
    alternatives.render(result, key, lang)
    _charts(result, lang)
    _site_use(result, lang)
    _efficiency(result, lang)
    _downloads(result, lang, basemap=basemap, tianditu_key=tianditu_key)


def kpi_cards(result: AllocationResult, lang: str) -> None:
    """The headline figures of a result as metric cards."""
    k = result.kpis
    rep = result.solve
    share = k.get("investment_placed_share") or 0.0
    row1 = st.columns(4)
    row1[0].metric(kpi_header("projects_placed", lang), f"{k['projects_placed']} / {k['projects_total']}")
    row1[1].metric(kpi_header("investment_placed_yi", lang), num(k["investment_placed_yi"], 2),
                   help=t("kpi.investment_help", lang, total=num(k["investment_total_yi"], 2),
                          share=f"{share:.1%}"))
    row1[2].metric(kpi_header("land_placed_mu", lang), num(k["land_placed_mu"], 1))
    row1[3].metric(kpi_header("floor_placed_m2", lang), num(k["floor_placed_m2"], 0))
    row2 = st.columns(4)
    row2[0].metric(kpi_header("revitalized_land_mu", lang), num(k["revitalized_land_mu"], 1))
    row2[1].metric(kpi_header("revitalized_floor_m2", lang), num(k["revitalized_floor_m2"], 0))
    row2[2].metric(kpi_header("intensity_wan_per_mu", lang), num(k.get("intensity_wan_per_mu"), 1))
    gap = rep.gap
    gap_text = "–" if gap is None else f"{float(gap):.2%}"
    row2[3].metric(t("kpi.status", lang), _status_text(rep.status, lang),
                   help=t("kpi.status_help", lang, gap=gap_text, seconds=f"{float(rep.solve_seconds):.1f}"))
    st.caption(t("kpi.solver_line", lang, solver=str(rep.solver).upper(), gap=gap_text,
                 objective=num(rep.objective, 3), bound=num(rep.bound, 3),
                 seconds=f"{float(rep.solve_seconds):.1f}",
                 message=rep.message.pick(lang)))


def assignment_view(
    result: AllocationResult, lang: str, filters: dict[str, list[str]] | None = None
) -> pd.DataFrame:
    """The assignment table as shown (filtered, codes and headers in ``lang``)."""
    df = result.assignments.copy()
    df["reason"] = df["reason_zh"] if lang == "zh" else df["reason_en"]
    for col, values in (filters or {}).items():
        if values:
            df = df[df[col].astype(str).isin(values)]
    df = df[[c for c in ASSIGNMENT_VIEW if c in df.columns]].copy()
    df["locked"] = df["locked"].map(lambda v: t("res.yes", lang) if bool(v) else "")
    return labelled(df, lang, codes=("status", "site_kind", "industry", "mode"))


# --- sections -------------------------------------------------------------------------------------

def _stale_note(lang: str, data: state.DataSet, key: str) -> None:
    from .scenario import build_scenario

    try:
        now = state.result_key(build_scenario(data), data)
    except (InputError, KeyError):
        return
    if now != key:
        st.warning(t("res.stale", lang))
        _rerun_button(lang, data)


def _rerun_button(lang: str, data: state.DataSet) -> None:
    from .scenario import run_current

    if st.button(t("res.rerun", lang), type="primary", key="btn_rerun") and run_current(lang, data):
        st.rerun()


def _result_map(result: AllocationResult, lang: str, *, basemap: str, tianditu_key: str | None,
                offline: bool) -> None:
    st.subheader(t("res.map", lang))
    lines = st.toggle(t("res.lines", lang), key="opt_lines", help=t("res.lines_help", lang))
    m = _map(result, lang, basemap=basemap, tianditu_key=tianditu_key, lines=lines, offline=offline)
    st_folium(m, key="folium_result", returned_objects=[], use_container_width=True, height=MAP_HEIGHT)


def _map(result: AllocationResult, lang: str, *, basemap: str, tianditu_key: str | None, lines: bool,
         offline: bool = True) -> Any:
    return result_map(result, lang=lang, basemap=cast(Basemap, basemap), tianditu_key=tianditu_key,
                      show_supplier_lines=lines, offline=offline)


def _assignments(result: AllocationResult, lang: str) -> None:
    st.subheader(t("res.assignments", lang))
    a = result.assignments
    cols = st.columns(len(FILTERS))
    chosen: dict[str, list[str]] = {}
    for box, col in zip(cols, FILTERS, strict=True):
        values = sorted({str(v) for v in a[col].fillna("") if str(v)})
        state.fit_choice(f"res_f_{col}", values, multi=True)
        with box:
            chosen[col] = st.multiselect(t(f"res.filter_{col}", lang), values, key=f"res_f_{col}",
                                         format_func=functools.partial(_coded_or_raw, col, lang=lang),
                                         placeholder=t("app.choose", lang))
    view = assignment_view(result, lang, chosen)
    st.caption(t("res.rows", lang, n=len(view), total=len(a)))
    st.dataframe(view, hide_index=True, width="stretch", key="tbl_assignments")


def _unplaced(result: AllocationResult, lang: str) -> None:
    st.subheader(t("res.unplaced", lang, n=len(result.unplaced)))
    if result.unplaced.empty:
        st.success(t("res.all_placed", lang))
        return
    df = result.unplaced.copy()
    df["reason"] = df["reason_zh"] if lang == "zh" else df["reason_en"]
    view = labelled(df[[c for c in UNPLACED_VIEW if c in df.columns]], lang, codes=("industry", "mode"))
    st.dataframe(view, hide_index=True, width="stretch", key="tbl_unplaced")


def _why_not_and_pins(result: AllocationResult, lang: str, data: state.DataSet) -> None:
    st.subheader(t("res.why", lang))
    st.caption(t("res.why_help", lang))
    projects = result.assignments
    names = dict(zip(projects["project_id"].astype(str), projects["name"].astype(str), strict=True))
    sites = result.sites
    site_names = dict(zip(sites["site_id"].astype(str), sites["name"].astype(str), strict=True))
    state.fit_choice("res_why_project", names)
    state.fit_choice("res_why_site", site_names)
    c1, c2 = st.columns(2)
    pid = c1.selectbox(t("res.why_project", lang), list(names), key="res_why_project",
                       format_func=lambda p: f"{p} · {names.get(p, '')}")
    sid = c2.selectbox(t("res.why_site", lang), list(site_names), key="res_why_site",
                       format_func=lambda s: f"{s} · {site_names.get(s, '')}")
    if pid and sid:
        where = projects.loc[projects["project_id"].astype(str) == pid, "site_id"]
        now = str(where.iloc[0]) if len(where) and str(where.iloc[0]) else ""
        st.markdown(t("res.now_on", lang, site=plain(now)) if now else t("res.now_unplaced", lang))
        try:
            reasons = why_not(pid, sid, result.sites, result.projects, result.scenario,
                              result_assignments=result.assignments)
        except InputError as exc:
            show_problems(exc.report, lang, key="tbl_why_problems")
            reasons = []
        for r in reasons:
            st.markdown(f"- {plain(r.text_zh if lang == 'zh' else r.text_en, limit=2000)}")
        b1, b2, b3 = st.columns(3)
        b1.button(t("res.pin", lang, project=plain(pid), site=plain(sid)), key="btn_pin", on_click=_pin,
                  args=(pid, sid, lang))
        b2.button(t("res.forbid", lang, project=plain(pid), site=plain(sid)), key="btn_forbid", on_click=_forbid,
                  args=(pid, sid, lang))
        with b3:
            _rerun_button_inline(lang, data)
    locks, forbids = state.pairs("locks"), state.pairs("forbid")
    st.caption(t("res.pairs_now", lang, locks=len(locks), forbid=len(forbids)))


def _rerun_button_inline(lang: str, data: state.DataSet) -> None:
    from .scenario import run_current

    if st.button(t("res.rerun", lang), key="btn_rerun_pins") and run_current(lang, data):
        st.rerun()


def _pin(project_id: str, site_id: str, lang: str) -> None:
    state.pin(project_id, site_id)
    state.flash("info", t("res.pinned", lang, project=plain(project_id), site=plain(site_id)))


def _forbid(project_id: str, site_id: str, lang: str) -> None:
    state.forbid(project_id, site_id)
    state.flash("info", t("res.forbidden", lang, project=plain(project_id), site=plain(site_id)))


def _charts(result: AllocationResult, lang: str) -> None:
    su = result.site_use
    used, free = t("res.chart_used", lang), t("res.chart_free", lang)
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"**{t('res.chart_land', lang)}**")
        land = su[(su["kind"] == "land") & (su["capacity"] > 0)].set_index("site_id")
        _bar(pd.DataFrame({used: land["used"], free: land["free"]}), lang, stack=True)
    with c2:
        st.markdown(f"**{t('res.chart_floor', lang)}**")
        floor = su[(su["kind"] != "land") & (su["capacity"] > 0)].set_index("site_id")
        _bar(pd.DataFrame({used: floor["used"], free: floor["free"]}), lang, stack=True)
    st.markdown(f"**{t('res.chart_intensity', lang)}**")
    dens = su[(su["kind"] == "land") & su["intensity_wan_per_mu"].notna()].set_index("site_id")
    _bar(pd.DataFrame({t("res.chart_intensity_axis", lang): dens["intensity_wan_per_mu"].round(1)}), lang)


def _bar(df: pd.DataFrame, lang: str, *, stack: bool = False) -> None:
    if df.empty:
        st.caption(t("res.chart_empty", lang))
    elif stack:
        st.bar_chart(df, stack=True, height=280, color=list(CHART_COLORS))
    else:
        st.bar_chart(df, height=260)


def _site_use(result: AllocationResult, lang: str) -> None:
    st.subheader(t("res.site_use", lang))
    st.caption(t("res.site_use_help", lang))
    su = result.site_use.copy()
    view = su[[c for c in SITE_USE_VIEW if c in su.columns]].copy()
    view["utilisation"] = (view["utilisation"] * 100).round(1)
    view["unit"] = view["unit"].map(lambda u: UNITS[u].pick(lang) if u in UNITS else u)
    view["status"] = view["status"].map(lambda v: t(f"status.{v}", lang))
    # the export's headers: a site's name, kind and status (not a project's)
    view = labelled(view.rename(columns={"kind": "site_kind", "status": "site_status"}), lang, name="site_name",
                    codes=("site_kind",))
    st.dataframe(view, hide_index=True, width="stretch", key="tbl_site_use")


def _efficiency(result: AllocationResult, lang: str) -> None:
    """亩均: the plan's per-mu figures, by industry, the A-D counts and the D-grade sites (nothing without
    figures in the inputs)."""
    k = result.kpis
    table = efficiency_frame(result, lang=lang)
    if table is None and "grade_counts" not in k:
        return
    st.subheader(t("eff.header", lang))
    st.caption(t("eff.help", lang))
    if table is not None:
        cards = st.columns(4)
        for col, key, digits in zip(cards, ("invest_wan_per_mu", "output_wan_per_mu", "tax_wan_per_mu", "jobs_per_mu"),
                                    (1, 1, 1, 2), strict=True):
            col.metric(kpi_header(key, lang), num(k.get(key), digits))
        totals = st.columns(3)
        for col, key in zip(totals, ("output_placed_wan", "tax_placed_wan", "jobs_placed"), strict=True):
            col.metric(kpi_header(key, lang), num(k.get(key), 0))
        st.markdown(f"**{t('eff.by_industry', lang)}**")
        st.dataframe(table, hide_index=True, width="stretch", key="tbl_efficiency")
    counts = k.get("grade_counts")
    if counts:
        pol = result.scenario.policy
        st.markdown(t("eff.grades", lang, by=t(f"eff.by_{pol.grade_by}", lang),
                      shares="/".join(f"{x:.0%}" for x in pol.grade_shares),
                      counts=", ".join(f"{g} {n}" for g, n in counts.items())))
        cand = candidates_frame(result, lang=lang)
        st.markdown(f"**{t('eff.candidates', lang)}**")
        if cand is None or cand.empty:
            st.caption(t("eff.no_candidates", lang))
        else:
            st.dataframe(cand, hide_index=True, width="stretch", key="tbl_candidates")
    for note in k.get("per_mu_warnings") or []:
        st.warning(f"{t('eff.warnings', lang)}: {note['zh'] if lang == 'zh' else note['en']}")


def _downloads(result: AllocationResult, lang: str, *, basemap: str, tianditu_key: str | None) -> None:
    st.subheader(t("res.downloads", lang))
    stem = _stem(result)

    def map_html() -> str:
        return standalone_html(_map(result, lang, basemap=basemap, tianditu_key=tianditu_key, lines=False))

    items: list[tuple[str, str, Callable[[], bytes], str, str]] = [
        ("xlsx", t("dl.workbook", lang), functools.partial(workbook_bytes, result, lang=lang), f"{stem}.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", t("dl.csv", lang),
         functools.partial(assignments_csv_bytes, result, lang=lang, headers="lang"),
         f"{stem}_assignments.csv", "text/csv"),
        ("geojson", t("dl.geojson", lang), functools.partial(sites_geojson_bytes, result),
         f"{stem}_sites.geojson", "application/geo+json"),
        ("html", t("dl.map", lang), lambda: map_html().encode("utf-8"), f"{stem}_map.html", "text/html"),
        ("zip", t("dl.audit", lang),
         lambda: audit_bundle_bytes(result, lang=lang, map_html=map_html()), f"{stem}_audit.zip",
         "application/zip"),
        ("docx", t("dl.brief_docx", lang), functools.partial(result_brief_bytes, result, fmt="docx", lang=lang),
         f"{stem}_brief.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    if soffice_path() is not None:  # the PDF is LibreOffice's rendering of the Word file
        items.append(("pdf", t("dl.brief_pdf", lang),
                      functools.partial(result_brief_bytes, result, fmt="pdf", lang=lang), f"{stem}_brief.pdf",
                      "application/pdf"))
    cols = st.columns(len(items))
    for col, (kind, label, make, name, mime) in zip(cols, items, strict=True):
        col.download_button(label, make, file_name=name, mime=mime, key=f"dl_{kind}", on_click="ignore",
                            width="stretch")


def _coded_or_raw(column: str, value: str, *, lang: str) -> str:
    return code_label(column, value, lang) or value


def _stem(result: AllocationResult) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in result.scenario.name).strip("_")
    return f"zq_land_{safe or 'result'}"


def _status_text(status: str, lang: str) -> str:
    try:
        return t(f"solve.{status}", lang)
    except KeyError:
        return status
