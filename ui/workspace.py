"""The app's side of the workspace store: one store per server process, shared by every session.

What is saved is shared: every data set loaded (the sample, every upload), every run when it finishes,
every decision. What is not saved stays the session's own: the scenario being edited, pins and
forbids, widget values. A new session (F5, another browser, a restarted server) starts from the store's
latest data set and reopens its newest run. Without a store (``ZQ_LAND_STORE=off``, or one that cannot
be opened) the app works as before, with a warning.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Final

import streamlit as st

from zq_land import (
    AllocationResult,
    InputError,
    Scenario,
    Store,
    decision_locks,
    default_store_url,
    open_store,
    sample_projects,
    sample_sites,
    t,
)

from . import state

APP_DIR: Final = Path(__file__).resolve().parents[1]
#: Session keys: the store's failure (shown once), run ids of this session's results, the planner's name.
ERROR: Final = "ws_error"
RUN_IDS: Final = "ws_run_ids"
STARTED: Final = "ws_started"
USER: Final = "ws_user"


def store() -> Store | None:
    """The store of this server (opened once per URL), or None when it is off or cannot be opened."""
    url = default_store_url(APP_DIR)
    if url is None:
        return None
    try:
        return _open(url)
    except InputError as exc:
        st.session_state[ERROR] = exc.report
        return None


def start_session() -> None:
    """Once per session: take the store's latest data set and reopen its newest run."""
    s = st.session_state
    if s.get(STARTED):
        return
    s[STARTED] = True
    ws = store()
    if ws is None or state.DATA in s:
        return
    try:
        ds = ws.latest_dataset_id()
        if ds is None:
            return
        s[state.DATA] = dataset_of(ws, ds)
        runs = ws.list_runs(dataset_id=ds, limit=1)
        if runs:
            open_run(runs[0].id, goto=False)
    except InputError as exc:
        s[ERROR] = exc.report


def dataset_of(ws: Store, dataset_id: int) -> state.DataSet:
    """A stored data set as the app's :class:`~ui.state.DataSet`."""
    from .data import _digest

    info = ws.dataset_info(dataset_id)
    sites, projects = ws.load_dataset(dataset_id)
    sample = {_digest(sample_sites()), _digest(sample_projects())}

    def file(name: str, size: int | None, sha: str) -> state.FileInfo:
        return state.FileInfo(name, int(size or 0), sha, sample=sha in sample)

    data = state.DataSet(sites, projects, file(info.sites_file, info.sites_bytes, info.sites_sha256),
                         file(info.projects_file, info.projects_bytes, info.projects_sha256),
                         info.site_columns, info.project_columns)
    st.session_state.setdefault("ws_dataset_ids", {})[data.key] = dataset_id
    return data


def save_dataset(data: state.DataSet) -> int | None:
    """Save the session's data set (the same files are saved once); its id, or None without a store."""
    ws = store()
    if ws is None:
        return None
    known: dict[str, int] = st.session_state.setdefault("ws_dataset_ids", {})
    if data.key in known:
        return known[data.key]
    try:
        ds = ws.save_dataset(data.sites, data.projects, files={"sites": data.sites_file.fingerprint(),
                                                               "projects": data.projects_file.fingerprint()},
                             site_columns=data.site_columns, project_columns=data.project_columns, by=user())
    except InputError as exc:
        _saving_failed(exc)
        return None
    known[data.key] = ds
    return ds


def record_run(key: str, result: AllocationResult, data: state.DataSet) -> int | None:
    """Save a run that just finished; its id (None without a store: the run still shows)."""
    ws = store()
    ds = save_dataset(data)
    if ws is None or ds is None:
        return None
    try:
        run_id = ws.save_run(result, dataset_id=ds, by=user(), source="app")
    except InputError as exc:
        _saving_failed(exc)
        return None
    st.session_state.setdefault(RUN_IDS, {})[key] = run_id
    return run_id


def record_sweep(summary: dict[str, Any], files: dict[str, bytes]) -> int | None:
    """Save a sweep that just finished (its summary and every file it offers); its id, None without a store."""
    ws = store()
    if ws is None:
        return None
    try:
        return ws.save_sweep(summary, files, by=user(), source="app")
    except InputError as exc:
        _saving_failed(exc)
        return None


def open_run(run_id: int, *, goto: bool = True) -> AllocationResult:
    """Reopen a stored run: its data set and scenario become the session's, the run the current result."""
    from .scenario import APPLY

    ws = store()
    assert ws is not None
    result = ws.load_run(run_id)
    info = ws.run_info(run_id)
    data = dataset_of(ws, info.dataset_id)
    # as the app names its inputs (a run of the command line names them by their full paths)
    result = dataclasses.replace(result, scenario=result.scenario.with_(
        sites=Path(data.sites_file.name), projects=Path(data.projects_file.name)))
    s = st.session_state
    s[state.DATA] = data
    s["sc_uploaded"] = result.scenario
    s[APPLY] = result.scenario
    key = state.result_key(result.scenario, data)
    cache: dict[str, AllocationResult] = s.setdefault(state.RESULTS, {})
    cache.pop(key, None)
    cache[key] = result
    s.setdefault(RUN_IDS, {})[key] = run_id
    state.keep_result(key, result)
    if goto:
        state.goto("results")
    return result


def lock_decisions(scenario: Scenario, data: state.DataSet) -> Scenario:
    """``scenario`` with the store's active decisions as locks (they replace the session's own lock of
    the same project)."""
    ws = store()
    if ws is None:
        return scenario
    try:
        decided = decision_locks(ws, data.projects["project_id"].astype(str), data.sites["site_id"].astype(str))
    except InputError:
        return scenario
    if not decided:
        return scenario
    taken = {p for p, _ in decided}
    locks = tuple(sorted({*(x for x in scenario.locks if x[0] not in taken), *decided}))
    return scenario.with_(locks=locks)


def run_id_of(key: str) -> int | None:
    """The store's id of a result of this session."""
    found = st.session_state.get(RUN_IDS, {}).get(key)
    return None if found is None else int(found)


def user() -> str | None:
    """The planner's name from the sidebar (else the store uses ``ZQ_LAND_USER`` or the login name)."""
    name = str(st.session_state.get(USER) or "").strip()
    return name or None


def sidebar(lang: str) -> None:
    """The store's line in the sidebar: where it is, the planner's name, a failure to open it."""
    side = st.sidebar
    side.text_input(t("ws.user", lang), key=USER, help=t("ws.user_help", lang))
    ws = store()
    if ws is not None:
        side.caption(t("ws.where", lang, url=ws.url, backend=t(f"ws.backend_{ws.backend}", lang)))
    elif default_store_url(APP_DIR) is None:
        side.caption(t("ws.off", lang))
    report = st.session_state.get(ERROR)
    if report is not None:
        side.warning(t("ws.failed", lang) + " " + "; ".join(p.message.pick(lang) for p in report.problems))


@st.cache_resource(show_spinner=False)
def _open(url: str) -> Store:
    """One store (engine and connection pool) per URL and server process."""
    return open_store(url)


def _saving_failed(exc: InputError) -> None:
    st.session_state[ERROR] = exc.report
    state.flash("warning", t("ws.save_failed", state.lang()))
