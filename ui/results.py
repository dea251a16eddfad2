"""The results page: KPI cards, the result map, assignments, unplaced projects with reasons, "why not
this site", pins and forbids, charts and downloads. Everything is read from a kept
:class:`~zq_land.AllocationResult`; nothing here solves unless the planner presses a run button.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Final

import pandas as pd
import streamlit as st

from zq_land import (
    UNITS,
    AllocationResult,
    InputError,
    assignments_csv_bytes,
    audit_bundle_bytes,
    candidates_frame,
    code_label,
    efficiency_frame,
    header,
    kpi_header,
    labelled,
    result_brief_bytes,
    scenario_label,
    sites_geojson_bytes,
    soffice_path,
    standalone_html,
    t,
    workbook_bytes,
)

from . import alternatives, mapview, state
from .common import num, plain

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
#: The sections below the map and the selected plot, as tabs (one screen instead of four).
RESULT_TABS: Final = ("assignments", "unplaced", "alternatives", "site_use", "charts", "downloads")
#: Seconds between the looks of an interim plan's page at its solve (the final plan then replaces it)
PROVING_POLL_S: Final = 1.0


def render(lang: str, data: state.DataSet, *, basemap: str, tianditu_key: str | None, offline: bool) -> None:
    """Draw the results page."""
    current = state.current_result()
    if current is None:
        st.info(t("res.none", lang))
        _rerun_button(lang, data)
        return
    key, result = current  # a better interim plan is put in place by watch_solves, drawn above the pages first
    st.subheader(t("res.header", lang, name=plain(scenario_label(result.scenario.name, lang))))
    # notes that come and go (an interim plan's, a stale result's) each in a slot that is always there: the map
    # and the tabs below keep their place, and the tab the planner opened stays open when the final plan comes
    with st.container():
        _stale_note(lang, data, key)
        if result.interim:
            _interim_note(result, lang)
    kpi_cards(result, lang)
    from .stability import render_result_notes

    with st.container():
        render_result_notes(result, lang)
    mapview.render(result, lang, data, basemap=basemap, tianditu_key=tianditu_key, offline=offline)
    sections = dict(zip(RESULT_TABS, st.tabs([t(f"res.tab_{name}", lang) for name in RESULT_TABS]), strict=True))
    with sections["assignments"]:
        _assignments(result, lang)
    with sections["unplaced"]:
        _unplaced(result, lang)
    with sections["alternatives"]:
        if result.interim:  # its alternatives are those of a plan about to be replaced
            st.caption(t("res.interim_later", lang))
        else:
            alternatives.render(result, key, lang)
    with sections["site_use"]:
        _site_use(result, lang)
        _efficiency(result, lang)
    with sections["charts"]:
        _charts(result, lang)
    with sections["downloads"]:
        if result.interim:  # an output set is the run's result, never a plan shown on the way
            st.subheader(t("res.downloads", lang))
            st.caption(t("res.interim_later", lang))
        else:
            _downloads(result, lang, basemap=basemap, tianditu_key=tianditu_key)


def _interim_note(result: AllocationResult, lang: str) -> None:
    """What an interim plan is (:func:`watch_solves` puts the final plan in its place)."""
    rep = result.solve
    gap = "–" if rep.gap != rep.gap else f"{float(rep.gap):.2%}"
    st.info(t("res.interim", lang, objective=num(rep.objective, 2), bound=num(rep.bound, 2), gap=gap))


def watch_solves(lang: str) -> None:
    """While a solve that showed an interim plan is under way, above every page: how long it has run, and a clock
    (every ``PROVING_POLL_S``) that puts the final plan in place when the solve ends, wherever the planner is, and
    on the results page a better interim plan when the solver has found one (at most every
    ``state.INTERIM_REFRESH_S``)."""
    if not state.solving_now():
        return

    @st.fragment(run_every=PROVING_POLL_S)
    def watch() -> None:
        current = state.current_result()
        on_results = state.page_of_label(st.session_state.get(state.NAV)) == "results"
        if state.settle_solves(lang) or (on_results and current is not None and state.refresh_interim(current[0])):
            st.rerun()  # the whole page, with the final plan or a better interim one
        jobs = state.solving_now()
        if jobs:
            job = jobs.get(current[0]) if current is not None else None
            started = job.started if job is not None else min(j.started for j in jobs.values())
            st.caption(t("res.interim_clock", lang, seconds=f"{time.monotonic() - started:.0f}"))

    watch()


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
    gap_text = "–" if gap is None or gap != gap else f"{float(gap):.2%}"  # no bound: no gap
    row2[3].metric(t("kpi.status", lang), _status_text(state.status_of(result), lang),
                   help=t("kpi.status_help", lang, gap=gap_text, seconds=f"{float(rep.solve_seconds):.1f}"))
    # plain words on the page; what score and bound mean, and the solver's own message, on hover
    st.caption(t("kpi.solver_line", lang, gap=gap_text, objective=num(rep.objective, 2), bound=num(rep.bound, 2),
                 seconds=f"{float(rep.solve_seconds):.1f}"),
               help=t("kpi.solver_help", lang, message=rep.message.pick(lang)))


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
    return labelled(df, lang, codes=("status", "site_kind", "industry", "mode", "anchor"))


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
    reason = header("reason", lang)
    st.dataframe(view, hide_index=True, width="stretch", key="tbl_unplaced",
                 column_config={reason: st.column_config.TextColumn(reason, width="large")})
    with st.expander(t("res.unplaced_full", lang)):  # a table cell cuts a reason of 300 characters
        sep = "：" if lang == "zh" else ": "
        for pid, name, text in zip(df["project_id"], df["name"], df["reason"], strict=True):
            name, pid, text = plain(name), plain(pid), plain(text, limit=2000)  # user text, as typed
            st.markdown(f"- **{name}**（{pid}）{sep}{text}" if lang == "zh" else f"- **{name}** ({pid}){sep}{text}")


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
    # capacity, used and free are in each row's unit (亩 or 平方米); the share in %
    use_col = header("utilisation", lang)
    shown = use_col + ("（%）" if lang == "zh" else " (%)")
    view = view.rename(columns={use_col: shown})
    formats = {header("capacity", lang): "%.1f", header("used", lang): "%.1f", header("free", lang): "%.1f",
               shown: "%.1f", header("n_projects", lang): "%d", header("investment_yi", lang): "%.2f"}
    config = {col: st.column_config.NumberColumn(col, format=fmt) for col, fmt in formats.items() if col in view}
    st.dataframe(view, hide_index=True, width="stretch", key="tbl_site_use", column_config=config)


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
        return standalone_html(mapview.map_of(result, lang, basemap=basemap, tianditu_key=tianditu_key, lines=False,
                                              title=True))

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
