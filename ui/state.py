"""One user's state: the loaded data, the scenario being edited, the results kept, the page shown.

Everything lives in ``st.session_state`` under the keys named here, so two planners on one server never
see each other's files or results. Results are kept in a small per-session dict keyed by the scenario's
``content_key()`` and the SHA-256 of the input files, so running an unchanged scenario again (or
panning the map) never re-solves.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import streamlit as st

from zq_land import AllocationResult, Progress, Scenario, allocate, t

#: The app's pages (tabs), in order; labels come from ``t("page.<name>")``.
PAGES: Final[tuple[str, ...]] = ("data", "scenario", "results", "compare", "runs", "uncertainty", "timeline")
#: Session keys.
NAV: Final = "nav"
LANG: Final = "lang"
DATA: Final = "data"
RESULTS: Final = "results_cache"
HISTORY: Final = "history"
CURRENT: Final = "current_result"
GOTO: Final = "_goto_page"
FLASH: Final = "_flash"
#: Widgets whose values must survive while their tab is not shown (Streamlit forgets the state of
#: widgets that were not drawn in a run; lazy tabs draw only the open one).
PERSISTENT_PREFIXES: Final = ("sc_", "res_", "cmp_", "opt_", "colmap_", "unc_")
#: (Buttons, uploaders, editors and maps never use these prefixes: their state cannot be set.)
#: Results kept per session (oldest dropped first).
MAX_RESULTS: Final = 12
#: At most this many earlier plans (the most recent) start the solver of a new run
MAX_STARTS: Final = 4
#: Proven-optimal results kept for the whole app process (every session), by result key (oldest dropped first).
MAX_PROVEN: Final = 24
#: ... of models up to this many project x site cells (a city's results stay in their session only).
PROVEN_MAX_CELLS: Final = 2_000_000
#: The settings shown are solved ahead for models up to this many cells (the zone's scale, 500 x 1,000: 1-5 s);
#: a larger model's solve ahead would hold a core for up to its time limit at every change of a setting.
AHEAD_MAX_CELLS: Final = 600_000
#: Seconds a solve may run (counted from its start: a solve ahead may have begun before the click) before a click
#: on "run" shows the best plan found so far, labelled as not yet proven with its gap to the bound (issue 18: every
#: interaction under 1 s; the solver's first plans of the sample's slow cases are there at 0.07-0.12 s, 0.1-4 % from
#: the bound at 0.4 s; the page then takes 0.25 s, the browser 0.3 s more: 0.95-1.0 s in all, where 0.5 s gave
#: 1.06 s and 0.7 s 1.3 s); the proven plan replaces it when its solve ends. ``ZQ_LAND_INTERIM_S`` overrides it:
#: seconds, or ``off`` for "run" to wait for the solve (the tests of pages that need the final plan at once set it so).
INTERIM_AFTER_S: float | None = 0.4
INTERIM_ENV: Final = "ZQ_LAND_INTERIM_S"
#: An interim plan on the page is replaced by a better one the solver found, at most this often (seconds): each
#: redraws the page (0.2-0.3 s) and takes 0.06-0.15 s to make
INTERIM_REFRESH_S: Final = 3.0
#: Session key of the solves "run" started whose result is not yet in: {result key: Solving}
SOLVING: Final = "solving"
#: The two lists of (project, site) pairs the planner edits.
PAIR_KINDS: Final = ("locks", "forbid")


@dataclass(frozen=True)
class FileInfo:
    """Where a table came from: its file name, size and SHA-256 (for cache keys and the audit copy)."""

    name: str
    size: int
    sha256: str
    sample: bool = False

    def fingerprint(self) -> dict[str, str]:
        """The entry of ``AllocationResult.inputs`` for this file."""
        return {"path": self.name, "bytes": str(self.size), "sha256": self.sha256}


@dataclass(frozen=True)
class DataSet:
    """The sites and projects the app works on, with where each came from and the mapping used."""

    sites: gpd.GeoDataFrame
    projects: pd.DataFrame
    sites_file: FileInfo
    projects_file: FileInfo
    site_columns: tuple[tuple[str, str], ...] = ()
    project_columns: tuple[tuple[str, str], ...] = ()
    #: the readers' warnings on each file (``Problem.text("both")``): every run of the data repeats them
    sites_warnings: tuple[str, ...] = ()
    projects_warnings: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Both files' digests: part of every result's cache key."""
        return f"{self.sites_file.sha256[:16]}-{self.projects_file.sha256[:16]}"


@dataclass
class Solving:
    """A solve "run" started that is still going on: its future, where its plans are offered, what it solves."""

    future: Future[AllocationResult]
    progress: Progress
    scenario: Scenario
    data: DataSet
    started: float  # time.monotonic() at the click
    shown_at: float = 0.0  # time.monotonic() when its interim plan on the page was made


@dataclass(frozen=True)
class KeptResult:
    """A result the planner ran in this session, as listed on the compare page."""

    label: str
    key: str
    scenario_name: str
    at: str


def ss() -> Any:
    """This session's state (``st.session_state``)."""
    return st.session_state


def lang() -> str:
    """The UI language of this session (``"zh"`` by default)."""
    return str(st.session_state.get(LANG, "zh"))


def page_label(page: str, lang_: str) -> str:
    """The tab label of ``page`` in ``lang_``."""
    return t(f"page.{page}", lang_)


def page_of_label(label: str | None) -> str | None:
    """The page whose label (in either language) is ``label``."""
    for page in PAGES:
        if label in (page_label(page, "zh"), page_label(page, "en")):
            return page
    return None


def goto(page: str) -> None:
    """Open ``page`` on the next run (the tab widget's state cannot change once it is drawn)."""
    st.session_state[GOTO] = page


def apply_goto() -> None:
    """Before the tabs are drawn: open the page asked for by :func:`goto`, in the current language."""
    page = st.session_state.pop(GOTO, None)
    if page is not None:
        st.session_state[NAV] = page_label(page, lang())


def on_language_change() -> None:
    """Keep the open page when the language (and so every tab label) changes."""
    page = page_of_label(st.session_state.get(NAV))
    if page is not None:
        st.session_state[NAV] = page_label(page, lang())


def keep_widget_state() -> None:
    """Re-assign the persistent widgets' values so Streamlit keeps them while their tab is closed."""
    state = st.session_state
    for key in list(state.keys()):
        if isinstance(key, str) and key.startswith(PERSISTENT_PREFIXES):
            state[key] = state[key]


def flash(kind: str, text: str) -> None:
    """A message shown once at the top of the next run (after a callback or a rerun)."""
    st.session_state.setdefault(FLASH, []).append((kind, text))


def show_flashes() -> None:
    """Show and forget the messages left by :func:`flash`."""
    for kind, text in st.session_state.pop(FLASH, []):
        getattr(st, kind if kind in {"success", "info", "warning", "error"} else "info")(text)


def fit_choice(key: str, options: Iterable[Any], *, multi: bool = False) -> None:
    """Drop a remembered choice that is no longer among ``options`` (e.g. after new data or a new result)."""
    state = st.session_state
    if key not in state:
        return
    allowed = set(options)
    value = state[key]
    if multi:
        state[key] = [v for v in (value or []) if v in allowed]
    elif value is not None and value not in allowed:
        del state[key]


# --- locks and forbidden pairs ---------------------------------------------------------------------

def pairs(kind: str) -> list[tuple[str, str]]:
    """The current locks (``kind="locks"``) or forbidden pairs (``"forbid"``)."""
    return [(str(p[0]), str(p[1])) for p in st.session_state.get(kind, [])]


def set_pairs(kind: str, new: Iterable[tuple[str, str]]) -> None:
    """Replace the pairs of ``kind``; the editor on the scenario page starts afresh from them."""
    st.session_state[kind] = _unique(new)
    st.session_state[f"{kind}_ver"] = int(st.session_state.get(f"{kind}_ver", 0)) + 1


def pin(project_id: str, site_id: str) -> None:
    """Lock ``project_id`` to ``site_id`` (replacing its other lock, dropping a forbid of that pair)."""
    set_pairs("locks", [*(p for p in pairs("locks") if p[0] != project_id), (project_id, site_id)])
    set_pairs("forbid", [p for p in pairs("forbid") if p != (project_id, site_id)])


def forbid(project_id: str, site_id: str) -> None:
    """Forbid ``project_id`` on ``site_id`` (dropping a lock of that pair)."""
    set_pairs("forbid", [*pairs("forbid"), (project_id, site_id)])
    set_pairs("locks", [p for p in pairs("locks") if p != (project_id, site_id)])


def prune_to_ids(site_ids: Iterable[str], project_ids: Iterable[str]) -> int:
    """Drop locks, forbidden pairs and exclusions naming ids the data lacks; the number dropped."""
    sites, projects = set(site_ids), set(project_ids)
    dropped = 0
    for kind in PAIR_KINDS:
        now = pairs(kind)
        kept = [(p, s) for p, s in now if p in projects and s in sites]
        if len(kept) != len(now):
            dropped += len(now) - len(kept)
            set_pairs(kind, kept)
    for key, ids in (("sc_excl_sites", sites), ("sc_excl_projects", projects)):
        now_ids = list(st.session_state.get(key, []))
        kept_ids = [x for x in now_ids if x in ids]
        dropped += len(now_ids) - len(kept_ids)
        st.session_state[key] = kept_ids
    return dropped


def _unique(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p, s in items:
        pair = (str(p), str(s))
        if pair not in out:
            out.append(pair)
    return out


# --- results ---------------------------------------------------------------------------------------

def result_key(scenario: Scenario, data: DataSet) -> str:
    """Cache key of a run: the scenario's content, its reference run (if any) and the input files' digests."""
    from .stability import reference_key

    ref = reference_key()
    tag = '-ref' + hashlib.sha256(ref.encode()).hexdigest()[:8] if ref else ''
    return f"{scenario.content_key()}{tag}-{data.key}"


#: Proven-optimal results of this app process, by result key. When the optimum is proven the same inputs give the
#: same plan (the canonical solve takes no start plan, ``docs/TRUST.md``), so another session, a reloaded page or a
#: return to earlier settings gets the plan at once instead of solving it again (0.1-20 s on the sample cold).
_PROVEN: OrderedDict[str, AllocationResult] = OrderedDict()
_PROVEN_LOCK = threading.Lock()


def proven_result(key: str) -> AllocationResult | None:
    """The process's proven-optimal result of ``key``, or None."""
    with _PROVEN_LOCK:
        result = _PROVEN.get(key)
        if result is not None:
            _PROVEN.move_to_end(key)
        return result


def keep_proven(key: str, result: AllocationResult) -> None:
    """Keep ``result`` for every session of the process when its optimum is proven and its model is small."""
    if result.solve.status != "optimal" or len(result.projects) * len(result.sites) > PROVEN_MAX_CELLS:
        return
    with _PROVEN_LOCK:
        _PROVEN[key] = result
        _PROVEN.move_to_end(key)
        while len(_PROVEN) > MAX_PROVEN:
            _PROVEN.popitem(last=False)


def forget_proven() -> None:
    """Empty the process's proven results and forget the solves ahead under way (the tests: a fresh session
    must solve); a solve ahead still running is told to stop, and its result is not kept."""
    global _generation
    with _PROVEN_LOCK:
        _PROVEN.clear()
        _generation += 1
        _drop_ahead()


#: Solves ahead under way, by result key: the settings shown on the scenario page, solved in the background
#: while the planner reads them, so that the click on "run" finds the plan made or in the making; each with where
#: it offers the plans it finds (a click during the solve shows the best so far).
_AHEAD: dict[str, tuple[Future[AllocationResult], Progress]] = {}
#: The nice value of the threads that solve (Linux keeps one per thread, and the HiGHS threads a solve starts
#: inherit it): a page being drawn, and the browser beside it, come before a solve under way.
SOLVE_NICE: Final = 10


def _solve_in_background() -> None:
    """(A solving pool's initializer.) Lower this thread's CPU priority to ``SOLVE_NICE``; where the system cannot,
    it solves at the page's priority."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, 0, max(SOLVE_NICE, os.getpriority(os.PRIO_PROCESS, 0)))


#: The solves "run" starts (the page waits for them up to ``INTERIM_AFTER_S``, then shows the best plan so far)
_RUN_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="zq-land-run", initializer=_solve_in_background)
#: One solve ahead at a time for the process (the executor starts its thread at the first one).
_AHEAD_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zq-land-ahead", initializer=_solve_in_background)
#: Counts ``forget_proven`` calls: a solve ahead started before the last one keeps nothing.
_generation = 0


def solve_ahead(scenario: Scenario, data: DataSet) -> None:
    """Start solving ``scenario`` on ``data`` in the background (one at a time for the process: the newest settings
    go first, and the solve of older ones stops or never starts), unless its result is known or being made. Models up to
    ``AHEAD_MAX_CELLS`` only; the result is the one a click on "run" would get (no start plan, this
    session's reference run), and a proven one is kept for every session."""
    if len(data.projects) * len(data.sites) > AHEAD_MAX_CELLS:
        return
    key = result_key(scenario, data)
    if key in st.session_state.get(RESULTS, {}):
        return
    from .stability import reference_of

    reference = reference_of()
    with _PROVEN_LOCK:
        if key in _PROVEN or key in _AHEAD:
            return
        _drop_ahead()  # a guess at the newest settings beats one at older ones
        # tables of its own: pandas caches and consolidates a frame's columns in place, which the page's own
        # use of the session's tables must not meet half done
        own = _own_tables(data)
        progress = Progress()
        _AHEAD[key] = (_AHEAD_POOL.submit(_solve_ahead, key, scenario, own, reference, _generation, progress),
                       progress)


def _own_tables(data: DataSet) -> DataSet:
    """``data`` with tables of its own for a solve in another thread: pandas caches and consolidates a frame's
    columns in place, which the page's own use of the session's tables must not meet half done."""
    return dataclasses.replace(data, sites=data.sites.copy(), projects=data.projects.copy())


def _solve_ahead(key: str, scenario: Scenario, data: DataSet, reference: pd.DataFrame | None,
                 generation: int, progress: Progress) -> AllocationResult:
    try:
        result = _solve(scenario, data, starts=[], reference=reference, progress=progress)
        with _PROVEN_LOCK:
            current = generation == _generation
        if current:
            keep_proven(key, result)
        return result
    finally:
        with _PROVEN_LOCK:
            if key in _AHEAD and _AHEAD[key][1] is progress:  # still this solve's entry (not taken, not dropped)
                _AHEAD.pop(key)


def _ahead_solve(key: str) -> tuple[Future[AllocationResult], Progress] | None:
    """The solve ahead of ``key`` when it is done or running: the run takes it, and it is no longer a solve ahead
    (newer settings or another run do not stop it); None when there is none or it has not started (it is
    cancelled: the run solves now)."""
    with _PROVEN_LOCK:
        ahead = _AHEAD.pop(key, None)
        if ahead is not None and ahead[0].cancel():
            return None
    return ahead


def _stop_ahead() -> None:
    """Stop the solves ahead (the one running, for any session of the process: a click on "run" beats a guess at
    what will be run); their settings are solved again if they are run. A solve a run has taken is not one."""
    with _PROVEN_LOCK:
        _drop_ahead()


def _drop_ahead() -> None:
    """(Under ``_PROVEN_LOCK``.) Cancel the solves ahead not yet started, tell the one running to stop, forget all."""
    for key, (future, progress) in list(_AHEAD.items()):
        if not future.cancel():
            progress.cancel()
        _AHEAD.pop(key, None)


def _solve(scenario: Scenario, data: DataSet, *, starts: list[pd.DataFrame],
           reference: pd.DataFrame | None, progress: Progress | None = None) -> AllocationResult:
    result = allocate(scenario, sites=data.sites, projects=data.projects, starts=starts, reference=reference,
                      warnings=(*data.sites_warnings, *data.projects_warnings), progress=progress)
    return dataclasses.replace(result, inputs=_inputs(data))


def _inputs(data: DataSet) -> dict[str, dict[str, str]]:
    return {"sites": data.sites_file.fingerprint(), "projects": data.projects_file.fingerprint()}


def run_allocation(scenario: Scenario, data: DataSet, *, interim: bool = True) -> tuple[str, AllocationResult]:
    """The result of ``scenario`` on ``data``: from this session's cache, else the process's proven results,
    else the solve ahead of these settings or a new solve, waited for until it has run ``INTERIM_AFTER_S``. A solve that
    takes longer gives the best plan found so far (``AllocationResult.interim``, status "feasible", its gap to the
    bound stated), kept as the current result until :func:`settle_solves` puts the solve's own result in its
    place; an interim plan is never saved to the store or kept for other sessions. ``interim=False`` waits for the
    solve (the compare page's pair of runs, compared as soon as both are in).

    Raises
    ------
    InputError
        When the scenario does not fit the data (e.g. a lock names an unknown site).
    """
    cache: dict[str, AllocationResult] = st.session_state.setdefault(RESULTS, {})
    key = result_key(scenario, data)
    solving: dict[str, Solving] = st.session_state.setdefault(SOLVING, {})
    if key in cache and not cache[key].interim:
        result = dataclasses.replace(cache[key], scenario=scenario)
    elif (known := proven_result(key)) is not None:
        solving.pop(key, None)
        result = dataclasses.replace(known, scenario=scenario)
        _record(key, result, data)
    else:
        under_way = solving.pop(key, None)
        started = time.monotonic() if under_way is None else under_way.started  # the clock counts from the first click
        if under_way is not None:
            future, progress = under_way.future, under_way.progress
        elif (ahead := _ahead_solve(key)) is not None:
            future, progress = ahead
        else:
            _stop_ahead()  # a click beats a guess: the cores go to this solve
            # this session's earlier plans on the same files start the solver: after a weight change the
            # previous plan is usually optimal or close, and HiGHS then only has to prove it
            earlier = [r.assignments for k, r in reversed(cache.items())
                       if k.endswith(f"-{data.key}") and not r.interim]
            from .stability import reference_of

            progress = Progress()
            future = _RUN_POOL.submit(_solve, scenario, _own_tables(data), starts=earlier[:MAX_STARTS],
                                      reference=reference_of(), progress=progress)
        shown = _interim_or_none(future, progress) if interim else None
        if shown is None:
            result = dataclasses.replace(future.result(), scenario=scenario)  # its InputError is the run's
            keep_proven(key, result)
            _record(key, result, data)
        else:
            solving[key] = Solving(future, progress, scenario, data, started, time.monotonic())
            result = dataclasses.replace(shown, scenario=scenario, inputs=_inputs(data))
    _cache(cache, key, result)
    return key, result


def _interim_or_none(future: Future[AllocationResult], progress: Progress) -> AllocationResult | None:
    """None once ``future`` is done within ``INTERIM_AFTER_S`` of the solve's start; else the best plan found so far,
    as an interim result, as soon as there is one (a large model's solve has one once its bound is known and its
    first MIP runs), or None when the solve ends first. The wait counts from the solve's start: a solve ahead that
    began while the planner read the settings has had its chance to end in that time, and its best plan is shown at
    once."""
    after = interim_after_s()
    if after is None:
        future.exception()
        return None
    begun = progress.started
    if begun is not None:
        after = max(0.0, after - (time.monotonic() - begun))
    with contextlib.suppress(TimeoutError):
        future.exception(timeout=after)
        return None
    while True:
        interim = progress.latest()
        if interim is not None:
            return interim
        with contextlib.suppress(TimeoutError):
            future.exception(timeout=0.05)
            return None


def interim_after_s() -> float | None:
    """Seconds "run" waits before it shows the best plan so far (``ZQ_LAND_INTERIM_S``, else ``INTERIM_AFTER_S``);
    None: it waits for the solve."""
    raw = os.environ.get(INTERIM_ENV, "").strip().lower()
    if not raw:
        return INTERIM_AFTER_S
    if raw in ("off", "none", "no", "0"):
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return INTERIM_AFTER_S


def _cache(cache: dict[str, AllocationResult], key: str, result: AllocationResult) -> None:
    cache.pop(key, None)
    cache[key] = result
    while len(cache) > MAX_RESULTS:
        cache.pop(next(iter(cache)))


def _record(key: str, result: AllocationResult, data: DataSet) -> None:
    from .workspace import record_run

    record_run(key, result, data)  # every run of this session is saved (when there is a store)


def status_of(result: AllocationResult) -> str:
    """The status a result is shown with (``solve.<status>`` in the strings): ``interim`` for a plan on the way."""
    return "interim" if result.interim else result.solve.status


def solving_now() -> dict[str, Solving]:
    """The solves "run" started in this session whose result is not yet in, by result key."""
    return dict(st.session_state.get(SOLVING, {}))


def refresh_interim(key: str) -> bool:
    """Replace the interim plan of ``key`` by the better one its solve has found since (at most every
    ``INTERIM_REFRESH_S``); whether it did."""
    job = st.session_state.get(SOLVING, {}).get(key)
    cache: dict[str, AllocationResult] = st.session_state.get(RESULTS, {})
    shown = cache.get(key)
    if job is None or shown is None or not shown.interim or job.future.done():
        return False
    now = time.monotonic()
    if now - job.shown_at < INTERIM_REFRESH_S or not job.progress.value > shown.solve.objective + 1e-9:
        return False
    try:
        newer = job.progress.latest()
    except Exception:  # a better interim plan that cannot be made: the one shown stays until the final plan
        job.shown_at = now
        return False
    if newer is None or not newer.solve.objective > shown.solve.objective + 1e-9:
        return False
    cache[key] = dataclasses.replace(newer, scenario=job.scenario, inputs=_inputs(job.data))
    job.shown_at = now
    return True


def settle_solves(lang: str) -> list[str]:
    """Put the results of this session's finished solves in place of their interim plans (kept for every session
    when proven, saved to the store); the keys settled. A solve that failed takes its interim plan away and says
    why, as a solver failure of "run" does."""
    solving: dict[str, Solving] = st.session_state.get(SOLVING, {})
    cache: dict[str, AllocationResult] = st.session_state.setdefault(RESULTS, {})
    settled = []
    for key, job in list(solving.items()):
        if not job.future.done():
            continue
        solving.pop(key, None)
        settled.append(key)
        try:
            result = dataclasses.replace(job.future.result(), scenario=job.scenario)
        except Exception as exc:  # the interim plan is no result: it goes, and the planner is told why
            cache.pop(key, None)
            from .common import plain

            flash("error", t("run.crashed", lang, error=plain(f"{type(exc).__name__}: {exc}", limit=500)))
            continue
        keep_proven(key, result)
        _record(key, result, job.data)
        if key in cache:
            cache[key] = result
        else:
            _cache(cache, key, result)
        flash("success", t("run.proven", lang, seconds=f"{time.monotonic() - job.started:.1f}",
                           status=t(f"solve.{result.solve.status}", lang)))
    return settled


def keep_result(key: str, result: AllocationResult) -> KeptResult:
    """Make ``result`` the current one and list it for comparison (once per key)."""
    history: list[KeptResult] = st.session_state.setdefault(HISTORY, [])
    history[:] = [h for h in history if h.key != key and h.key in st.session_state.get(RESULTS, {})]
    at = dt.datetime.now().strftime("%H:%M:%S")
    kept = KeptResult(f"{result.scenario.name} · {at}", key, result.scenario.name, at)
    history.append(kept)
    st.session_state[CURRENT] = key
    return kept


def kept_results() -> list[KeptResult]:
    """The results of this session still in the cache, oldest first (an interim plan is not one yet: it is shown
    on the results page only, and compared, referred to or exported once its solve has ended)."""
    cache = st.session_state.get(RESULTS, {})
    return [h for h in st.session_state.get(HISTORY, []) if h.key in cache and not cache[h.key].interim]


def result_by_key(key: str | None) -> AllocationResult | None:
    """A kept result, or None."""
    if key is None:
        return None
    result = st.session_state.get(RESULTS, {}).get(key)
    return result if isinstance(result, AllocationResult) else None


def current_result() -> tuple[str, AllocationResult] | None:
    """The key and result shown on the results page, or None before the first run."""
    key = st.session_state.get(CURRENT)
    result = result_by_key(key)
    return None if result is None else (str(key), result)
