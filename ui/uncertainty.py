"""The uncertainty page (不确定性): sampled pipelines solved on Dask, and the Pareto front.

The planner sets how many samples, the seed and the landing probabilities (each project's own ``p_land``
column wins; the page sets the default and the rates by landing mode), runs the sweep with a progress bar
and a cancel button, and reads the chance each plot is used (a map), P10/P50/P90 of the placed
investment, the land needed at 90 %, and the robust plan. Below, the front of investment against
revitalization and supplier distance, each point's plan one click away. Everything is computed by
``zq_land.studies`` (through the public API); this page only wires widgets to it.
"""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any, Final, cast

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from zq_land import (
    DASK_ENV,
    UNITS,
    Basemap,
    InputError,
    ParetoResult,
    Scenario,
    SweepResult,
    chance_map,
    code_label,
    landing_probabilities,
    run_pareto,
    run_sweep,
    scenario_from_dict,
    sites_map,
    t,
)

from . import state, workspace
from .common import num, plain, show_problems

MODES: Final = ("land", "lease", "platform", "land_or_lease")
SWEEP: Final = "_unc_sweep"
PARETO: Final = "_unc_pareto"
RUNNING: Final = "_unc_running"
MAP_HEIGHT: Final = 560


def render(lang: str, data: state.DataSet, *, basemap: str, tianditu_key: str | None, offline: bool) -> None:
    """Draw the uncertainty page."""
    st.subheader(t("unc.header", lang))
    st.caption(t("unc.help", lang))
    _defaults()
    _settings(lang)
    scenario = _scenario(lang, data)
    if scenario is None:
        return
    _probabilities(lang, data, scenario)
    _run(lang, data, scenario, "sweep")
    result = st.session_state.get(SWEEP)
    if isinstance(result, SweepResult):
        _sweep_results(lang, data, result, basemap=basemap, tianditu_key=tianditu_key, offline=offline)
    st.divider()
    st.subheader(t("unc.pareto_header", lang))
    st.caption(t("unc.pareto_help", lang))
    st.number_input(t("unc.levels", lang), min_value=1, max_value=8, step=1, key="unc_levels",
                    help=t("unc.levels_help", lang))
    _run(lang, data, scenario, "pareto")
    front = st.session_state.get(PARETO)
    if isinstance(front, ParetoResult):
        _pareto_results(lang, data, front, basemap=basemap, tianditu_key=tianditu_key, offline=offline)


def sweep_scenario(data: state.DataSet) -> Scenario:
    """The scenario page's scenario with this page's landing probabilities as its ``[uncertainty]``.

    Raises
    ------
    InputError
        When a setting of either page is invalid.
    """
    from .scenario import build_scenario

    base = build_scenario(data)
    s = st.session_state
    d = base.to_dict()
    d.pop("sites", None)
    d.pop("projects", None)
    by_mode = {m: float(s[f"unc_p_{m}"]) for m in MODES if s.get(f"unc_p_{m}") is not None}
    d["uncertainty"] = {**{k: v for k, v in d.get("uncertainty", {}).items() if k != "p_land_by_mode"},
                        "p_land": float(s.get("unc_p_default", 1.0)), "p_land_by_mode": by_mode}
    return scenario_from_dict(d).with_(sites=base.sites, projects=base.projects)


# --- sections -------------------------------------------------------------------------------------

def _defaults() -> None:
    """First visit: the sample size, seed and the report's landing rates (lease 28/37)."""
    s = st.session_state
    s.setdefault("unc_samples", 200)
    s.setdefault("unc_seed", 0)
    s.setdefault("unc_workers", max(1, os.cpu_count() or 1))
    s.setdefault("unc_scheduler", os.environ.get(DASK_ENV, ""))
    s.setdefault("unc_p_default", 0.927)
    s.setdefault("unc_p_lease", 0.757)
    for m in MODES:
        s.setdefault(f"unc_p_{m}", None)
    s.setdefault("unc_levels", 3)


def _settings(lang: str) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.number_input(t("unc.samples", lang), min_value=10, max_value=5000, step=10, key="unc_samples",
                    help=t("unc.samples_help", lang))
    c2.number_input(t("unc.seed", lang), min_value=0, max_value=2**31 - 1, step=1, key="unc_seed",
                    help=t("unc.seed_help", lang))
    c3.number_input(t("unc.workers", lang), min_value=1, max_value=64, step=1, key="unc_workers",
                    help=t("unc.workers_help", lang))
    c4.text_input(t("unc.scheduler", lang), key="unc_scheduler", placeholder="tcp://10.0.0.5:8786",
                  help=t("unc.scheduler_help", lang))
    st.markdown(f"**{t('unc.p_header', lang)}**")
    cols = st.columns(len(MODES) + 1)
    cols[0].number_input(t("unc.p_default", lang), min_value=0.0, max_value=1.0, step=0.01, format="%.3f",
                         key="unc_p_default", help=t("unc.p_default_help", lang))
    for col, m in zip(cols[1:], MODES, strict=True):
        col.number_input(t("unc.p_mode", lang, mode=code_label("mode", m, lang)), min_value=0.0, max_value=1.0,
                         step=0.01, format="%.3f", key=f"unc_p_{m}", help=t("unc.p_mode_help", lang))


def _scenario(lang: str, data: state.DataSet) -> Scenario | None:
    try:
        return sweep_scenario(data)
    except InputError as exc:
        st.error(t("run.invalid", lang))
        show_problems(exc.report, lang, key="tbl_unc_invalid")
        return None


def _probabilities(lang: str, data: state.DataSet, scenario: Scenario) -> None:
    probs = landing_probabilities(data.projects, scenario.uncertainty)
    pj = data.projects
    mean = float(probs["p_land"].mean()) if len(probs) else 0.0
    expected = float((probs["p_land"] * pd.to_numeric(pj["investment_yi"], errors="coerce").fillna(0)).sum())
    with st.expander(t("unc.p_table", lang, mean=f"{mean:.1%}", invest=num(expected, 1))):
        view = pd.DataFrame({"project_id": pj["project_id"], "name": pj["name"], "mode": pj["mode"],
                             "investment_yi": pj["investment_yi"], "p_land": probs["p_land"],
                             "p_land_source": probs["p_land_source"]})
        st.dataframe(_view(view, lang, percent=("p_land",)), hide_index=True, width="stretch", key="tbl_unc_p")


def _run(lang: str, data: state.DataSet, scenario: Scenario, kind: str) -> None:
    """The run button, or while running: a cancel button and the progress bar (the run happens here)."""
    s = st.session_state
    if s.get(RUNNING) != kind:
        st.button(t(f"unc.run_{kind}", lang), type="primary", key=f"btn_unc_run_{kind}", on_click=_start,
                  args=(kind,), disabled=s.get(RUNNING) is not None)
        return
    st.button(t("unc.cancel", lang), key=f"btn_unc_cancel_{kind}", on_click=_cancel, args=(lang,))
    bar = st.progress(0.0, text=t("unc.starting", lang))

    def progress(stage: str, done: int, total: int) -> None:  # a cancel click stops the script here
        bar.progress(done / max(total, 1), text=t(f"unc.stage_{stage}", lang, done=done, total=total))

    engine: dict[str, Any] = {"workers": int(s["unc_workers"]), "scheduler": (s["unc_scheduler"] or "").strip()
                              or None}
    if engine["scheduler"]:
        engine["workers"] = None
    try:
        if kind == "sweep":
            s[SWEEP] = run_sweep(scenario, samples=int(s["unc_samples"]), seed=int(s["unc_seed"]),
                                 sites=data.sites, projects=data.projects, on_progress=progress, **engine)
            workspace.record_sweep(s[SWEEP].summary, s[SWEEP].files())
        else:
            s[PARETO] = run_pareto(scenario, levels=int(s["unc_levels"]), sites=data.sites,
                                   projects=data.projects, on_progress=progress, **engine)
    except InputError as exc:
        st.error(t("run.failed", lang))
        show_problems(exc.report, lang, key=f"tbl_unc_failed_{kind}")
        return
    except Exception as exc:  # a failed sweep or cluster is shown, never a traceback (a cancel is no Exception)
        st.error(t("run.crashed", lang, error=plain(f"{type(exc).__name__}: {exc}", limit=500)))
        return
    finally:
        s[RUNNING] = None  # whatever happened, the next run of the page does not start it again
    st.rerun()


def _start(kind: str) -> None:
    st.session_state[RUNNING] = kind


def _cancel(lang: str) -> None:
    st.session_state[RUNNING] = None
    state.flash("info", t("unc.cancelled", lang))


def _sweep_results(lang: str, data: state.DataSet, result: SweepResult, *, basemap: str,
                   tianditu_key: str | None, offline: bool) -> None:
    sm = result.summary
    inv = sm["investment_placed_yi"]
    st.markdown(f"**{t('unc.result_header', lang, n=sm['samples_solved'], total=sm['samples'])}**")
    c = st.columns(5)
    c[0].metric(t("unc.p10", lang), num(inv["p10"], 2), help=t("unc.pxx_help", lang))
    c[1].metric(t("unc.p50", lang), num(inv["p50"], 2))
    c[2].metric(t("unc.p90", lang), num(inv["p90"], 2))
    c[3].metric(t("unc.land90", lang), num(sm["land_needed_90_mu"], 1), help=t("unc.land90_help", lang))
    rob, alla = sm["robust_plan"]["regret"], sm["all_arrive"]["regret"]
    c[4].metric(t("unc.regret", lang), num(rob["mean"], 2), help=t("unc.regret_help", lang,
                                                                    all=num(alla["mean"], 2)))
    st.caption(t("unc.run_line", lang, workers=sm["workers"], seconds=f"{sm['seconds']:.1f}",
                 seed=sm["seed"], failed=sm["failures"]["count"]))
    for w in sm["warnings"]:
        st.warning(plain(w, limit=2000))
    st.markdown(f"**{t('unc.map', lang)}**")
    m = chance_map(data.sites, result.sites, lang=lang, basemap=basemap, tianditu_key=tianditu_key,
                   offline=offline)
    st_folium(m, key="folium_unc", returned_objects=[], use_container_width=True, height=MAP_HEIGHT)
    tab_sites, tab_projects, tab_robust = st.tabs([t("unc.tab_sites", lang), t("unc.tab_projects", lang),
                                                   t("unc.tab_robust", lang)])
    with tab_sites:
        st.dataframe(_view(result.sites, lang, percent=("p_used", "p_full")), hide_index=True,
                     width="stretch", key="tbl_unc_sites")
    with tab_projects:
        st.dataframe(_view(result.projects, lang, percent=("p_land", "p_arrived", "p_placed",
                                                           "p_placed_if_arrived", "top_site_share")),
                     hide_index=True, width="stretch", key="tbl_unc_projects")
    with tab_robust:
        st.caption(t("unc.robust_help", lang, placed=sm["robust_plan"]["projects_placed"]))
        st.dataframe(_view(result.robust_plan, lang, percent=("p_land", "p_realised")), hide_index=True,
                     width="stretch", key="tbl_unc_robust")
        placed = result.robust_plan[result.robust_plan["site_id"] != ""]
        st.button(t("unc.pin_robust", lang), key="btn_unc_pin_robust", on_click=_pin_plan,
                  args=(list(zip(placed["project_id"], placed["site_id"], strict=True)), lang))
    st.download_button(t("unc.download", lang), _zip(result.files()), file_name="zq_land_sweep.zip",
                       mime="application/zip", key="dl_unc_sweep", on_click="ignore")


def _pareto_results(lang: str, data: state.DataSet, front: ParetoResult, *, basemap: str,
                    tianditu_key: str | None, offline: bool) -> None:
    files = front.files(lang=lang)
    st.image(files["pareto.png"], caption=t("unc.pareto_chart", lang))
    pts = front.points
    st.dataframe(_view(pts.drop(columns=["plan"]), lang), hide_index=True, width="stretch",
                 key="tbl_unc_pareto")
    with_plan = [int(i) for i in front.plans]
    if not with_plan:
        return
    state.fit_choice("unc_point", with_plan)
    point = st.selectbox(t("unc.point", lang), with_plan, key="unc_point", format_func=lambda i: _point_label(
        pts, i, lang))
    plan = front.plans[int(point)]
    merged = plan.merge(data.projects[["project_id", "investment_yi"]], on="project_id", how="left")
    m = sites_map(data.sites, assignments=merged.assign(site_id=merged["site_id"].replace("", None)),
                  projects=data.projects, lang=lang, basemap=cast(Basemap, basemap), tianditu_key=tianditu_key,
                  offline=offline)
    st_folium(m, key="folium_unc_point", returned_objects=[], use_container_width=True, height=MAP_HEIGHT)
    st.dataframe(_view(plan, lang), hide_index=True, width="stretch", key="tbl_unc_plan")
    placed = plan[plan["site_id"] != ""]
    st.button(t("unc.pin_point", lang, point=point), key="btn_unc_pin_point", on_click=_pin_plan,
              args=(list(zip(placed["project_id"], placed["site_id"], strict=True)), lang))
    st.download_button(t("unc.download_pareto", lang), _zip(files), file_name="zq_land_pareto.zip",
                       mime="application/zip", key="dl_unc_pareto", on_click="ignore")


# --- helpers --------------------------------------------------------------------------------------

def _pin_plan(pairs: list[tuple[str, str]], lang: str) -> None:
    """Lock every placement of a plan (the scenario page's lock table), so a run reproduces it."""
    state.set_pairs("locks", pairs)
    state.flash("success", t("unc.pinned", lang, n=len(pairs)))


def _point_label(pts: pd.DataFrame, i: int, lang: str) -> str:
    row = pts.loc[pts["point"] == i].iloc[0]
    km = "–" if pd.isna(row["mean_supplier_km"]) else f"{row['mean_supplier_km']:.2f}"
    return t("unc.point_label", lang, point=i, invest=num(row["investment_placed_yi"], 2),
             revit=num(row["revitalized_mu"], 1), km=km)


def _view(df: pd.DataFrame, lang: str, *, percent: tuple[str, ...] = ()) -> pd.DataFrame:
    """A study table as shown: shares in %, coded values and headers in ``lang`` (``unc.col_*``)."""
    out = df.copy()
    for c in percent:
        out[c] = (pd.to_numeric(out[c], errors="coerce") * 100).round(1)
    for c in ("mode", "kind"):
        if c in out.columns:
            out[c] = out[c].map(lambda v, c=c: code_label(c, v, lang))
    for c in ("status", "tie_break"):
        if c in out.columns:
            out[c] = out[c].map(lambda v: _status(str(v), lang))
    if "unit" in out.columns:
        out["unit"] = out["unit"].map(lambda u: UNITS[str(u)].pick(lang))
    if "p_land_source" in out.columns:
        out["p_land_source"] = out["p_land_source"].map(lambda v: t(f"unc.source_{v}", lang))
    if "on_front" in out.columns:
        out["on_front"] = out["on_front"].map(lambda v: t("res.yes", lang) if bool(v) else "")
    return out.rename(columns={c: t(f"unc.col_{c}", lang) for c in out.columns})


def _status(value: str, lang: str) -> str:
    for family in ("result_status", "status", "solve", "unc.status"):
        try:
            return t(f"{family}.{value}" if family != "unc.status" else f"unc.status_{value}", lang)
        except KeyError:
            continue
    return value


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()
