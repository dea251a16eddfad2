"""zq_land web app (Streamlit). First page: the bundled sample sites on a map and in a table.

Pages hold no logic: reading, maps and (later) allocation are plain functions of ``zq_land``.
Run with ``make run`` (``streamlit run app.py``). Works without internet: Leaflet is served from
``static/`` (``[server] enableStaticServing`` in ``.streamlit/config.toml``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from zq_land import _offline
from zq_land._errors import InputError
from zq_land.i18n import LANG_NAMES, LANGS, t
from zq_land.maps import Basemap, sites_map
from zq_land.vocab import INDUSTRY_ZH

from zq_land.io import read_sites

ROOT = Path(__file__).resolve().parent
SAMPLE_SITES = ROOT / "parcels" / "zhaoqing_hitech.geojson"
STATIC_DIR = ROOT / "static"
MAP_HEIGHT = 620
TABLE_COLUMNS = ("site_id", "name", "kind", "status", "area_mu", "floor_area_m2", "industries",
                 "min_invest_wan_per_mu", "zone", "available_from", "anchor")


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title="zq_land", page_icon="🗺️", layout="wide")
    offline = _install_static_assets()
    lang = st.sidebar.radio(
        t("app.language"), LANGS, format_func=lambda code: LANG_NAMES[code], key="lang", horizontal=True
    )
    st.title(t("app.title", lang))
    st.caption(t("app.subtitle", lang))

    path = SAMPLE_SITES
    if not path.exists():
        st.error(t("app.no_sites", lang, path=str(path)))
        return
    try:
        sites = load_sites(str(path), _digest(path))
    except InputError as exc:
        st.error(t("app.load_error", lang))
        st.dataframe(pd.DataFrame([p.as_dict() for p in exc.report]), hide_index=True)
        return

    basemaps = ["osm", "gaode", "gaode_satellite", "none"]
    tianditu_key = os.environ.get("ZQ_TIANDITU_KEY") or None
    if tianditu_key:
        basemaps[1:1] = ["tianditu", "tianditu_img"]
    basemap = st.sidebar.selectbox(
        t("app.basemap", lang), basemaps, key="basemap",
        format_func=lambda b: t("basemap." + ("tianditu_vec" if b == "tianditu" else b), lang),
    )
    st.sidebar.caption(t("app.offline_hint", lang))
    if not offline:
        st.sidebar.warning(t("app.static_failed", lang, path=str(STATIC_DIR)))

    _metrics(sites, lang)
    st.subheader(t("app.map_header", lang))
    st.caption(t("app.sample_note", lang))
    m = sites_map(sites, lang=lang, basemap=cast(Basemap, basemap), tianditu_key=tianditu_key,
                  offline=offline)
    st_folium(m, key="sites_map", returned_objects=[], use_container_width=True, height=MAP_HEIGHT)

    st.subheader(t("app.table_header", lang))
    st.dataframe(sites_table(sites, lang), hide_index=True, width="stretch")


@st.cache_resource(show_spinner=False)
def _install_static_assets() -> bool:
    """Copy Leaflet into ``static/`` once per server process; False when the folder is not writable."""
    try:
        _offline.install_static_assets(STATIC_DIR)
    except OSError:
        return False  # the map then loads Leaflet from its CDN (needs internet), with a warning
    return True


@st.cache_data(show_spinner=False, max_entries=8)
def load_sites(path: str, digest: str) -> gpd.GeoDataFrame:
    """The sites of ``path``; cached by the file's content digest (``digest`` is the cache key)."""
    del digest  # only part of the cache key
    return read_sites(path)


def sites_table(sites: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    """The sites as shown in the table: canonical columns, coded values and headers in ``lang``."""
    df = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    df = df[[c for c in TABLE_COLUMNS if c in df.columns]].copy()
    for col in ("kind", "status"):
        if col in df.columns:
            df[col] = df[col].map(lambda v, c=col: _coded(c, v, lang))
    if "industries" in df.columns and lang != "en":
        df["industries"] = df["industries"].map(
            lambda v: "、".join(INDUSTRY_ZH.get(code, code) for code in str(v or "").split(";") if code)
        )
    return df.rename(columns={c: t("col." + c, lang) for c in df.columns})


def _coded(column: str, value: Any, lang: str) -> str:
    try:
        return t(f"{column}.{value}", lang)
    except KeyError:
        return str(value)


def _metrics(sites: gpd.GeoDataFrame, lang: str) -> None:
    free = sites[sites["status"] != "occupied"]
    land = pd.to_numeric(free.loc[free["kind"] == "land", "area_mu"], errors="coerce").sum()
    floor = pd.to_numeric(free.loc[free["kind"] != "land", "floor_area_m2"], errors="coerce").sum()
    c1, c2, c3 = st.columns(3)
    c1.metric(t("app.metric_sites", lang), f"{len(sites):,}")
    c2.metric(t("app.metric_land", lang), f"{land:,.0f}")
    c3.metric(t("app.metric_floor", lang), f"{floor:,.0f}")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


main()
