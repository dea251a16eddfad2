"""The runs page (方案记录): every run in the store, filtered by data set, scenario and date; reopen,
rename, delete, compare any two, and adopt a run's placements as review-meeting decisions (which later
runs lock). Everything here is read from or written to the store; nothing solves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import pandas as pd
import streamlit as st

from zq_land import (
    UNITS,
    InputError,
    RunInfo,
    Store,
    adopt_run,
    compare_results,
    list_decisions,
    supersede_decision,
    t,
)

from . import state, workspace
from .common import num, show_problems
from .compare import comparison_tables
from .results import _status_text

RUN_COLUMNS: Final = ("id", "label", "scenario", "dataset", "status", "objective", "placed", "investment",
                      "created", "by")


def render(lang: str, data: state.DataSet, *, basemap: str, tianditu_key: str | None, offline: bool) -> None:
    """Draw the runs page."""
    st.subheader(t("runs.header", lang))
    ws = workspace.store()
    if ws is None:
        st.info(t("runs.no_store", lang))
        return
    st.caption(t("runs.help", lang))
    runs = _filtered_runs(ws, lang)
    if not runs:
        st.info(t("runs.none", lang))
    else:
        st.caption(t("runs.rows", lang, n=len(runs)))
        st.dataframe(runs_table(runs, lang), hide_index=True, width="stretch", key="tbl_runs")
        by_id = {r.id: r for r in runs}
        state.fit_choice("runs_pick", by_id)
        pick = st.selectbox(t("runs.pick", lang), list(by_id), key="runs_pick",
                            format_func=lambda i: _run_label(by_id[i]))
        if pick is not None:
            _actions(ws, by_id[pick], lang)
        if len(runs) >= 2:
            _compare(ws, runs, lang)
    _decisions(ws, data, lang)


def runs_table(runs: list[RunInfo], lang: str) -> pd.DataFrame:
    """The runs as listed, headers in ``lang``, times in the server's local time."""
    rows = [{
        "id": r.id, "label": r.label, "scenario": f"{r.scenario} (v{r.scenario_version})",
        "dataset": f"#{r.dataset_id} {r.dataset}", "status": _status_text(r.status, lang),
        "objective": num(r.objective, 3), "placed": f"{r.projects_placed} / {r.projects_total}",
        "investment": num(r.investment_placed_yi, 2),
        "created": r.created.astimezone().strftime("%Y-%m-%d %H:%M"), "by": r.created_by,
    } for r in runs]
    df = pd.DataFrame(rows, columns=list(RUN_COLUMNS))
    names = {"investment": "col_investment"}
    return df.rename(columns={c: t("runs." + names.get(c, f"col_{c}"), lang) for c in RUN_COLUMNS})


# --- sections -------------------------------------------------------------------------------------

def _filtered_runs(ws: Store, lang: str) -> list[RunInfo]:
    datasets = {d.id: d for d in ws.datasets()}
    every = ws.list_runs()
    scenarios = sorted({r.scenario for r in every})
    state.fit_choice("runs_f_dataset", datasets, multi=True)
    state.fit_choice("runs_f_scenario", scenarios, multi=True)
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    chosen_ds = c1.multiselect(t("runs.f_dataset", lang), list(datasets), key="runs_f_dataset",
                               format_func=lambda i: f"#{i} {datasets[i].name}", placeholder=t("app.choose", lang))
    chosen_sc = c2.multiselect(t("runs.f_scenario", lang), scenarios, key="runs_f_scenario",
                               placeholder=t("app.choose", lang))
    since: dt.date | None = c3.date_input(t("runs.f_since", lang), value=None, key="runs_f_since")
    until: dt.date | None = c4.date_input(t("runs.f_until", lang), value=None, key="runs_f_until")
    runs = ws.list_runs(since=since, until=until) if since or until else every
    return [r for r in runs if (not chosen_ds or r.dataset_id in chosen_ds)
            and (not chosen_sc or r.scenario in chosen_sc)]


def _actions(ws: Store, run: RunInfo, lang: str) -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        if st.button(t("runs.open", lang), key="btn_runs_open", type="primary") and _try(
                lambda: workspace.open_run(run.id), lang):
            st.rerun()
    with c2:
        label = st.text_input(t("runs.rename", lang), value=run.label, key=f"runs_label_{run.id}")
        if st.button(t("runs.rename_btn", lang), key="btn_runs_rename") and _try(
                lambda: ws.rename_run(run.id, label), lang):
            state.flash("success", t("runs.renamed", lang, id=run.id))
            st.rerun()
    with c3:
        sure = st.checkbox(t("runs.delete_confirm", lang, id=run.id), key=f"runs_delete_ok_{run.id}")
        if st.button(t("runs.delete_btn", lang), key="btn_runs_delete", disabled=not sure) and _try(
                lambda: ws.delete_run(run.id), lang):
            state.flash("success", t("runs.deleted", lang, id=run.id))
            st.rerun()
    with st.expander(t("runs.adopt_header", lang)):
        st.caption(t("runs.adopt_help", lang))
        a1, a2, a3 = st.columns([1, 1, 2])
        meeting = a1.number_input(t("runs.meeting", lang), min_value=1, step=1, value=None, key="runs_meeting")
        day = a2.date_input(t("runs.meeting_date", lang), value=None, key="runs_meeting_date")
        note = a3.text_input(t("runs.note", lang), key="runs_adopt_note")
        if st.button(t("runs.adopt_btn", lang), key="btn_runs_adopt"):
            made: list[Any] = []

            def adopt() -> None:
                made.extend(adopt_run(ws, run.id, meeting=None if meeting is None else int(meeting),
                                      meeting_date=day, note=note, by=workspace.user()))

            if _try(adopt, lang):
                state.flash("success", t("runs.adopted", lang, n=len(made), id=run.id))
                st.rerun()


def _compare(ws: Store, runs: list[RunInfo], lang: str) -> None:
    st.markdown(f"**{t('runs.compare_header', lang)}**")
    by_id = {r.id: r for r in runs}
    ids = list(by_id)
    state.fit_choice("runs_cmp_a", ids)
    state.fit_choice("runs_cmp_b", ids)
    c1, c2 = st.columns(2)
    a = c1.selectbox(t("runs.a", lang), ids, index=min(1, len(ids) - 1), key="runs_cmp_a",
                     format_func=lambda i: _run_label(by_id[i]))
    b = c2.selectbox(t("runs.b", lang), ids, index=0, key="runs_cmp_b", format_func=lambda i: _run_label(by_id[i]))
    if a is None or b is None:
        return
    comparison_tables(compare_results(_loaded(ws, int(a)), _loaded(ws, int(b))), lang, key="tbl_runs_cmp")


def _decisions(ws: Store, data: state.DataSet, lang: str) -> None:
    active = list_decisions(ws)
    st.markdown(f"**{t('runs.decisions_header', lang, n=len(active))}**")
    if not active:
        st.caption(t("runs.no_decisions", lang))
        return
    rows = [{
        t("runs.dcol_id", lang): d.id, t("runs.dcol_project", lang): d.project_id,
        t("runs.dcol_site", lang): d.site_id,
        t("runs.dcol_need", lang): "" if d.need is None else f"{num(d.need, 1)} {UNITS[str(d.unit)].pick(lang)}",
        t("runs.dcol_meeting", lang): "" if d.meeting is None else str(d.meeting),
        t("runs.dcol_date", lang): "" if d.meeting_date is None else d.meeting_date.isoformat(),
        t("runs.dcol_by", lang): d.decided_by, t("runs.dcol_note", lang): d.note,
        t("runs.dcol_run", lang): "" if d.run_id is None else f"#{d.run_id}",
    } for d in active]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="tbl_decisions")
    ids = set(data.projects["project_id"].astype(str)), set(data.sites["site_id"].astype(str))
    st.caption(t("runs.locked_note", lang, n=sum(d.project_id in ids[0] and d.site_id in ids[1] for d in active)))
    by_id = {d.id: d for d in active}
    state.fit_choice("runs_sup_pick", by_id)
    c1, c2, c3 = st.columns([2, 1, 2])
    pick = c1.selectbox(t("runs.supersede_pick", lang), list(by_id), key="runs_sup_pick",
                        format_func=lambda i: by_id[i].describe(lang))
    site = c2.text_input(t("runs.supersede_site", lang), key="runs_sup_site")
    note = c3.text_input(t("runs.note", lang), key="runs_sup_note")
    if pick is not None and st.button(t("runs.supersede_btn", lang), key="btn_runs_supersede") and _try(
            lambda: supersede_decision(ws, int(pick), site_id=site.strip() or None, note=note, by=workspace.user()),
            lang):
        state.flash("success", t("runs.superseded", lang, id=pick))
        st.rerun()


# --- private --------------------------------------------------------------------------------------

def _try(action: Any, lang: str) -> bool:
    """Run a store action; a refusal or conflict is shown as a table, never a traceback."""
    try:
        action()
    except InputError as exc:
        st.error(t("runs.conflict", lang))
        show_problems(exc.report, lang, key="tbl_runs_problems")
        return False
    return True


def _loaded(ws: Store, run_id: int) -> Any:
    """A stored run, read once per session (runs never change but for their label)."""
    cache: dict[int, Any] = st.session_state.setdefault("ws_loaded", {})
    if run_id not in cache:
        cache[run_id] = ws.load_run(run_id)
        while len(cache) > state.MAX_RESULTS:
            cache.pop(next(iter(cache)))
    return cache[run_id]


def _run_label(r: RunInfo) -> str:
    return f"#{r.id} {r.label} · {r.created.astimezone():%Y-%m-%d %H:%M}"
