"""The scenario page: start from a sample scenario or a TOML file, set weights, policy, solver, locks
and forbidden pairs, save the scenario as TOML, and run it.

The scenario is rebuilt from the widgets on every run through :func:`zq_land.scenario.scenario_from_dict`,
so the app validates exactly as the command line does. The input paths of a loaded scenario are
ignored: the app always solves the data loaded on the data page.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st

from zq_land import (
    SCENARIO_NAMES,
    InputError,
    Scenario,
    ValidationReport,
    header,
    load_scenario,
    sample_scenarios,
    scenario_description,
    scenario_from_dict,
    scenario_label,
    t,
)

from . import state
from .common import plain, short_name, show_problems

WEIGHTS: Final = ("investment", "projects", "revitalization", "proximity", "priority", "tax")
SOLVERS: Final = ("highs", "cbc")
UPLOADED: Final = "uploaded"
BASE: Final = "sc_base_obj"
APPLY: Final = "_apply_base"


def ensure_scenario() -> None:
    """Give a new session the first sample scenario ("2022 as recorded") to start from."""
    if BASE not in st.session_state:
        first = SCENARIO_NAMES[0]
        apply_base(_sample(first))
        st.session_state["sc_base"] = first
    pending = st.session_state.pop(APPLY, None)
    if isinstance(pending, Scenario):
        apply_base(pending)
        st.session_state["sc_base"] = UPLOADED


def apply_base(scenario: Scenario) -> None:
    """Fill the scenario widgets, the lock table and the forbidden pairs from ``scenario``."""
    s = st.session_state
    s[BASE] = scenario
    s["sc_name"] = scenario.name
    for k in WEIGHTS:
        s[f"sc_w_{k}"] = float(getattr(scenario.weights, k))
    s["sc_ratio"] = float(scenario.policy.usable_land_ratio)
    floor = scenario.policy.default_min_invest_wan_per_mu
    s["sc_floor"] = None if floor is None else float(floor)
    tax_floor = scenario.policy.default_min_tax_wan_per_mu
    s["sc_tax_floor"] = None if tax_floor is None else float(tax_floor)
    s["sc_solver"] = scenario.solver.name
    s["sc_time"] = float(scenario.solver.time_limit_s)
    s["sc_gap"] = float(scenario.solver.mip_gap)
    s["sc_excl_sites"] = sorted(scenario.exclude_sites)
    s["sc_excl_projects"] = sorted(scenario.exclude_projects)
    state.set_pairs("locks", scenario.locks)
    state.set_pairs("forbid", scenario.forbid)


def build_scenario(data: state.DataSet) -> Scenario:
    """The scenario as set on this page, for ``data`` (validated like a TOML file).

    Raises
    ------
    InputError
        With a report of every invalid setting.
    """
    s = st.session_state
    base: Scenario = s[BASE]
    d: dict[str, Any] = base.to_dict()
    for key in ("sites", "projects", "columns", "sheet", "stability"):
        d.pop(key, None)  # a TOML's reference file is not the app's: its reference is a kept run
    d["name"] = str(s.get("sc_name") or base.name)
    d["weights"] = {k: float(s.get(f"sc_w_{k}", 0.0) or 0.0) for k in WEIGHTS}
    policy = dict(d.get("policy", {}))
    policy["usable_land_ratio"] = float(s.get("sc_ratio", 1.0))
    floor = s.get("sc_floor")
    if floor is None:
        policy.pop("default_min_invest_wan_per_mu", None)
    else:
        policy["default_min_invest_wan_per_mu"] = float(floor)
    tax_floor = s.get("sc_tax_floor")
    if tax_floor is None:
        policy.pop("default_min_tax_wan_per_mu", None)
    else:
        policy["default_min_tax_wan_per_mu"] = float(tax_floor)
    d["policy"] = policy
    solver = dict(d.get("solver", {}))
    solver.update(name=str(s.get("sc_solver", "highs")), time_limit_s=float(s.get("sc_time", 60.0)),
                  mip_gap=float(s.get("sc_gap", 0.0)))
    d["solver"] = solver
    for kind in state.PAIR_KINDS:
        rows = [{"project": p, "site": site} for p, site in state.pairs(kind)]
        if rows:
            d[kind] = rows
        else:
            d.pop(kind, None)
    d["exclude_sites"] = sorted(s.get("sc_excl_sites", []))
    d["exclude_projects"] = sorted(s.get("sc_excl_projects", []))
    from .stability import loss_share

    if loss_share() > 0:
        d["stability"] = {"max_loss_share": loss_share()}
    if data.site_columns or data.project_columns:
        d["columns"] = {"sites": dict(data.site_columns), "projects": dict(data.project_columns)}
    scenario = scenario_from_dict(d, source=None)
    from .workspace import lock_decisions

    scenario = lock_decisions(scenario, data)  # the decisions agreed at review meetings bind every run
    return scenario.with_(sites=Path(data.sites_file.name), projects=Path(data.projects_file.name))


def parse_scenario_toml(filename: str, data: bytes) -> tuple[Scenario | None, ValidationReport]:
    """A scenario from an uploaded TOML file, or None and the report of what is wrong with it."""
    rep = ValidationReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        rep.error(filename, "情景文件须为 UTF-8 编码", "a scenario file must be UTF-8")
        return None, rep
    try:
        raw = tomllib.loads(text)
    except RecursionError:  # a deeply nested file exhausts tomllib's stack
        rep.error(filename, "情景文件嵌套过深，不是有效的情景",
                  "the scenario file is nested too deeply to be a scenario")
        return None, rep
    except tomllib.TOMLDecodeError as exc:
        rep.error(filename, f"情景文件不是有效的 TOML：{exc}", f"not valid TOML: {exc}")
        return None, rep
    try:
        return scenario_from_dict(raw, source=Path(filename).name), rep
    except InputError as exc:
        return None, exc.report


def run_current(lang: str, data: state.DataSet) -> bool:
    """Run the scenario as set, with visible progress; the result becomes the current one."""
    try:
        scenario = build_scenario(data)
    except InputError as exc:
        st.error(t("run.invalid", lang))
        show_problems(exc.report, lang, key="tbl_run_invalid")
        return False
    return run_and_keep(scenario, data, lang)


#: The run under way (its scenario and the data's key) until its result is kept: a rerun that interrupts
#: it (the language switched, another click) starts it again instead of losing it silently.
PENDING_RUN = "run_pending"


def run_and_keep(scenario: Scenario, data: state.DataSet, lang: str, *, interim: bool = True) -> bool:
    """Solve ``scenario`` on ``data`` in a status box and keep the result; False (and a table) on failure. A solve
    that outlasts ``state.interim_after_s()`` keeps the best plan found so far, until its own result replaces it
    (``interim=False``: wait for the solve)."""
    st.session_state[PENDING_RUN] = (scenario, data.key)
    with st.status(t("run.running", lang, name=plain(scenario_label(scenario.name, lang))), expanded=True) as box:
        st.write(t("run.step_solve", lang, solver=scenario.solver.name,
                   limit=f"{scenario.solver.time_limit_s:g}"))
        try:
            key, result = state.run_allocation(scenario, data, interim=interim)
        except InputError as exc:
            st.session_state.pop(PENDING_RUN, None)
            box.update(label=t("run.failed", lang), state="error")
            show_problems(exc.report, lang, key=f"tbl_run_failed_{scenario.content_key()}")
            return False
        except Exception as exc:  # a solver crash is shown, never a traceback
            st.session_state.pop(PENDING_RUN, None)
            box.update(label=t("run.failed", lang), state="error")
            st.error(t("run.crashed", lang, error=plain(f"{type(exc).__name__}: {exc}", limit=500)))
            return False
        # Kept before the next Streamlit call: a rerun requested meanwhile is raised there, and the
        # result must not be lost with it.
        state.keep_result(key, result)
        st.session_state.pop(PENDING_RUN, None)
        done = t("run.done", lang, name=plain(scenario_label(scenario.name, lang)),
                 status=t(f"solve.{state.status_of(result)}", lang))
        state.flash("info" if result.interim else "success", t("run.interim", lang) if result.interim else done)
        box.update(label=done, state="complete", expanded=False)
    return True


def resume_interrupted_run(lang: str, data: state.DataSet) -> None:
    """Start again a run that a rerun interrupted before its result was kept (then show the results)."""
    pending = st.session_state.get(PENDING_RUN)
    if pending is None:
        return
    scenario, data_key = pending
    if data_key != data.key:  # the data changed meanwhile: the run is moot
        st.session_state.pop(PENDING_RUN, None)
        return
    if run_and_keep(scenario, data, lang):
        state.goto("results")
        st.rerun()


def render(lang: str, data: state.DataSet) -> None:
    """Draw the scenario page."""
    s = st.session_state
    st.subheader(t("sc.header", lang))
    options = [*SCENARIO_NAMES, *([UPLOADED] if isinstance(s.get("sc_uploaded"), Scenario) else [])]
    st.selectbox(t("sc.base", lang), options, key="sc_base", format_func=lambda k: _base_label(k, lang),
                 on_change=_on_base_change)
    base: Scenario = s[BASE]
    if base.description:
        st.caption(plain(scenario_description(base.name, base.description, lang), limit=2000))
    st.text_input(t("sc.name", lang), key="sc_name")

    c1, c2, c3 = st.columns(3)
    with c1:
        st.markdown(f"**{t('sc.weights', lang)}**")
        for k in WEIGHTS:
            st.number_input(t(f"sc.w_{k}", lang), min_value=0.0, step=0.1, key=f"sc_w_{k}",
                            help=t(f"sc.w_{k}_help", lang))
    with c2:
        st.markdown(f"**{t('sc.policy', lang)}**")
        st.number_input(t("sc.ratio", lang), min_value=0.05, max_value=1.0, step=0.05, key="sc_ratio",
                        help=t("sc.ratio_help", lang))
        st.number_input(t("sc.floor", lang), min_value=0.0, step=10.0, key="sc_floor",
                        placeholder=t("sc.floor_none", lang), help=t("sc.floor_help", lang))
        st.number_input(t("sc.tax_floor", lang), min_value=0.0, step=5.0, key="sc_tax_floor",
                        placeholder=t("sc.floor_none", lang), help=t("sc.tax_floor_help", lang))
        site_ids = [str(x) for x in data.sites["site_id"]]
        project_ids = [str(x) for x in data.projects["project_id"]]
        s["sc_excl_sites"] = [x for x in s.get("sc_excl_sites", []) if x in site_ids]
        s["sc_excl_projects"] = [x for x in s.get("sc_excl_projects", []) if x in project_ids]
        st.multiselect(t("sc.excl_sites", lang), site_ids, key="sc_excl_sites",
                       placeholder=t("app.choose", lang))
        st.multiselect(t("sc.excl_projects", lang), project_ids, key="sc_excl_projects",
                       placeholder=t("app.choose", lang))
    with c3:
        st.markdown(f"**{t('sc.solver', lang)}**")
        st.selectbox(t("sc.solver_name", lang), SOLVERS, key="sc_solver", format_func=lambda x: x.upper())
        st.number_input(t("sc.time_limit", lang), min_value=1.0, max_value=3600.0, step=5.0, key="sc_time")
        st.number_input(t("sc.gap", lang), min_value=0.0, max_value=1.0, step=0.01, format="%.3f",
                        key="sc_gap", help=t("sc.gap_help", lang))

    e1, e2 = st.columns(2)
    with e1:
        st.markdown(f"**{t('sc.locks', lang)}**")
        st.caption(t("sc.locks_help", lang))
        pairs_editor("locks", lang, project_ids, site_ids, names=_names(data))
    with e2:
        st.markdown(f"**{t('sc.forbid', lang)}**")
        st.caption(t("sc.forbid_help", lang))
        pairs_editor("forbid", lang, project_ids, site_ids, names=_names(data))
    from .stability import render_picker

    render_picker(lang)

    try:
        scenario: Scenario | None = build_scenario(data)
    except InputError as exc:
        scenario = None
        st.error(t("run.invalid", lang))
        show_problems(exc.report, lang, key="tbl_sc_invalid")
    if scenario is not None:
        state.solve_ahead(scenario, data)  # while the planner reads the settings: "run" then finds the plan made

    b1, b2 = st.columns([1, 1])
    with b1:
        clicked = st.button(t("sc.run", lang), type="primary", key="btn_run", disabled=scenario is None)
        if clicked and run_current(lang, data):
            state.goto("results")
            st.rerun()
    with b2:
        if scenario is not None:
            st.download_button(t("sc.save", lang), scenario.to_toml().encode("utf-8"),
                               file_name=_toml_name(scenario), mime="application/toml", key="dl_toml",
                               on_click="ignore")
    _toml_loader(lang)


def pairs_editor(kind: str, lang: str, project_ids: list[str], site_ids: list[str], *,
                 names: tuple[Mapping[str, str], Mapping[str, str]] = ({}, {})) -> list[tuple[str, str]]:
    """An editable table of (project, site) pairs with selectboxes of ids; returns the pairs as edited.

    ``names`` (project names, site names by id) label the choices; the table keeps the ids.
    """
    project_label = functools.partial(_label, names[0])
    site_label = functools.partial(_label, names[1])

    s = st.session_state
    ed_key = f"{kind}_ed_{int(s.get(f'{kind}_ver', 0))}"
    if ed_key not in s:  # a fresh editor (new version, or its state was dropped): start from the pairs
        s[f"{kind}_base"] = state.pairs(kind)
    base = pd.DataFrame(s[f"{kind}_base"], columns=["project_id", "site_id"], dtype=object)
    edited = st.data_editor(
        base, key=ed_key, num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "project_id": st.column_config.SelectboxColumn(header("project_id", lang), options=project_ids,
                                                           format_func=project_label),
            "site_id": st.column_config.SelectboxColumn(header("site_id", lang), options=site_ids,
                                                        format_func=site_label),
        },
    )
    rows: list[tuple[str, str]] = []
    incomplete = 0
    for p, site in edited.itertuples(index=False):
        if _filled(p) and _filled(site):
            rows.append((str(p), str(site)))
        elif _filled(p) or _filled(site):
            incomplete += 1
    if incomplete:
        st.warning(t("sc.incomplete_rows", lang, n=incomplete))
    s[kind] = list(dict.fromkeys(rows))
    return list(s[kind])


# --- private --------------------------------------------------------------------------------------

def _names(data: state.DataSet) -> tuple[dict[str, str], dict[str, str]]:
    """Project names and site names by id."""
    return (dict(zip(data.projects["project_id"].astype(str), data.projects["name"].astype(str), strict=True)),
            dict(zip(data.sites["site_id"].astype(str), data.sites["name"].astype(str), strict=True)))


def _label(names: Mapping[str, str], value: object) -> str:
    return f"{value} · {names[str(value)]}" if str(value) in names else str(value)


def _on_base_change() -> None:
    key = st.session_state.get("sc_base")
    if key == UPLOADED and isinstance(st.session_state.get("sc_uploaded"), Scenario):
        apply_base(st.session_state["sc_uploaded"])
    elif key in SCENARIO_NAMES:
        apply_base(_sample(key))


def _sample(key: str) -> Scenario:
    """A bundled sample scenario; the default scenario when its file is missing or broken."""
    try:
        return load_scenario(sample_scenarios()[key])
    except InputError:
        return Scenario(name=key)


def _base_label(key: str, lang: str) -> str:
    if key == UPLOADED:
        sc = st.session_state.get("sc_uploaded")
        return t("sc.base_uploaded", lang, name=getattr(sc, "name", ""))
    return t(f"sample.{key}", lang)


def _toml_loader(lang: str) -> None:
    file = st.file_uploader(t("sc.load", lang), type=["toml"], key="up_toml")
    if file is None:
        return
    sig = (file.file_id, file.name)
    if st.session_state.get("up_toml_done") == sig:
        report = st.session_state.get("up_toml_report")
        if isinstance(report, ValidationReport) and report.problems:
            st.error(t("sc.load_refused", lang, name=plain(short_name(file.name))))
            show_problems(report, lang, key="tbl_toml_problems")
        return
    st.session_state["up_toml_done"] = sig
    scenario, report = parse_scenario_toml(file.name, file.getvalue())
    st.session_state["up_toml_report"] = report
    if scenario is not None:
        st.session_state["sc_uploaded"] = scenario
        st.session_state[APPLY] = scenario
        state.flash("success", t("sc.loaded", lang, name=plain(scenario_label(scenario.name, lang))))
    st.rerun()


def _toml_name(scenario: Scenario) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in scenario.name).strip("_")
    return f"{safe or 'scenario'}.toml"


def _filled(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and pd.isna(v)) and str(v).strip() != ""
