"""zq_land web app (Streamlit): load the planners' files, set a scenario, run it, see and compare results.

Pages hold no logic: reading, allocation, reasons, maps and exports are plain functions of ``zq_land``;
the ``ui`` package wires widgets to them and keeps each user's state in ``st.session_state``.
Run with ``make run`` (``streamlit run app.py``). Works without internet: Leaflet is served from
``static/`` (``[server] enableStaticServing`` in ``.streamlit/config.toml``).
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import streamlit as st

from ui import compare, data, results, runs, scenario, state, timeline, uncertainty, workspace
from ui.common import localise_widgets, show_problems
from zq_land import BASEMAPS, LANG_NAMES, LANGS, InputError, install_static_assets, t

ROOT = Path(__file__).resolve().parent
STATIC_DIR = ROOT / "static"


def main() -> None:
    """Draw the app: sidebar, title, then the pages as tabs (only the open one runs)."""
    st.set_page_config(page_title="zq_land", page_icon="🗺️", layout="wide")
    offline = _install_static_assets()
    _warm_up()
    state.keep_widget_state()
    lang, basemap, tianditu_key = _sidebar(offline)
    localise_widgets(lang)
    st.title(t("app.title", lang))
    st.caption(t("app.subtitle", lang))

    # What is shown above the pages (messages, a solve under way) goes in one slot that is always there: the tab
    # bar keeps its place in the page, and the browser never draws it anew. A tab bar drawn anew (a message above
    # it that was not there before) could later report the page it showed before "run" opened the results, and
    # the next run would open that page instead, with nothing left on it to show the final plan.
    with st.container():
        try:
            workspace.start_session()
            data.process_pending(lang)
            dataset = data.current_data()
        except InputError as exc:  # the bundled sample itself is unusable: say so, never a traceback
            st.error(t("app.load_error", lang))
            show_problems(exc.report, lang, key="tbl_sample_problems")
            return
        scenario.ensure_scenario()
        scenario.resume_interrupted_run(lang, dataset)  # a run that switching the language interrupted
        state.settle_solves(lang)  # the final plans of solves that showed an interim one
        state.apply_goto()
        state.show_flashes()
        results.watch_solves(lang)  # on every page: the final plan comes in when its solve ends

    tabs = st.tabs([state.page_label(p, lang) for p in state.PAGES], key=state.NAV, on_change="rerun")
    for tab, page in zip(tabs, state.PAGES, strict=True):
        with tab:
            if tab.open is False:
                continue
            if page == "data":
                data.render(lang, basemap=basemap, tianditu_key=tianditu_key, offline=offline)
            elif page == "scenario":
                scenario.render(lang, dataset)
            elif page == "results":
                results.render(lang, dataset, basemap=basemap, tianditu_key=tianditu_key, offline=offline)
            elif page == "runs":
                runs.render(lang, dataset, basemap=basemap, tianditu_key=tianditu_key, offline=offline)
            elif page == "uncertainty":
                uncertainty.render(lang, dataset, basemap=basemap, tianditu_key=tianditu_key, offline=offline)
            elif page == "timeline":
                timeline.render(lang, dataset, basemap=basemap, tianditu_key=tianditu_key, offline=offline)
            else:
                compare.render(lang, dataset, basemap=basemap, tianditu_key=tianditu_key, offline=offline)


def _sidebar(offline: bool) -> tuple[str, str, str | None]:
    """Language, basemap and the Tianditu key (from the sidebar, else ``ZQ_TIANDITU_KEY``)."""
    side = st.sidebar
    lang = side.radio(t("app.language"), LANGS, format_func=lambda code: LANG_NAMES[code], key=state.LANG,
                      horizontal=True, on_change=state.on_language_change)
    entered = side.text_input(t("app.tianditu_key", lang), type="password", key="tianditu_key",
                              help=t("app.tianditu_key_help", lang))
    tianditu_key = (entered or "").strip() or os.environ.get("ZQ_TIANDITU_KEY") or None
    choices = [b for b in BASEMAPS if tianditu_key or not b.startswith("tianditu")]
    state.fit_choice("basemap", choices)
    basemap = side.selectbox(
        t("app.basemap", lang), choices, key="basemap",
        format_func=lambda b: t("basemap." + ("tianditu_vec" if b == "tianditu" else b), lang),
    )
    side.caption(t("app.offline_hint", lang))
    workspace.sidebar(lang)
    if not offline:
        side.warning(t("app.static_failed", lang, path=str(STATIC_DIR)))
    return str(lang), str(basemap), tianditu_key


@st.cache_resource(show_spinner=False)
def _warm_up() -> None:
    """Do, once per server process and in the background, what the first results page would otherwise do on the
    click: import Altair for its charts (0.2-0.6 s) and turn one chart into its Vega-Lite spec (Altair then loads and
    compiles its schema, 0.1 s a chart the first time, with the run's solve holding the interpreter now and then:
    the first results page of a fresh server drew its three charts in 0.43 s, later ones in 0.03-0.08 s). Python's
    import lock makes a page that needs Altair meanwhile wait for the same import, never a half one."""
    def run() -> None:
        with contextlib.suppress(Exception):  # a failure here happens again, with its message, where it matters
            import altair as alt
            import pandas as pd

            frame = pd.DataFrame({"site_id": ["A", "B"], "kind": ["used", "free"], "value": [1.0, 2.0]})
            alt.Chart(frame).mark_bar().encode(x="site_id:N", y="value:Q", color="kind:N").to_dict()

    threading.Thread(target=run, name="zq-land-warm-up", daemon=True).start()


@st.cache_resource(show_spinner=False)
def _install_static_assets() -> bool:
    """Copy Leaflet into ``static/`` once per server process; False when the folder is not writable."""
    try:
        install_static_assets(STATIC_DIR)
    except OSError:
        return False  # the map then loads Leaflet from its CDN (needs internet), with a warning
    return True


main()
