"""The compare page: two results side by side (KPI deltas, the projects that moved, a map of the changes).

The planner picks two results kept in this session, or runs "2022 as recorded" and "optimised" on the
loaded data with one button.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final, cast

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from zq_land import (
    Basemap,
    Comparison,
    compare_map,
    compare_results,
    comparison_workbook_bytes,
    labelled,
    load_scenario,
    sample_scenarios,
    scenario_label,
    t,
)

from . import state
from .common import num

PAIR: Final = ("review_2022_recorded", "review_2022_optimised")
MAP_HEIGHT: Final = 560


def render(lang: str, data: state.DataSet, *, basemap: str, tianditu_key: str | None, offline: bool) -> None:
    """Draw the compare page."""
    st.subheader(t("cmp.header", lang))
    st.caption(t("cmp.help", lang))
    # the recorded 2022 placements lock the sample's ids: offered only on the sample
    sample = data.sites_file.sample and data.projects_file.sample
    if sample and st.button(t("cmp.run_pair", lang), key="btn_run_pair"):
        _run_pair(lang, data)
    kept = state.kept_results()
    if len(kept) < 2:
        st.info(t("cmp.need_two", lang))
        return
    labels = {h.key: f"{scenario_label(h.scenario_name, lang)} · {h.at}" for h in kept}
    keys = list(labels)
    s = st.session_state
    if s.get("cmp_a") not in labels:
        s["cmp_a"] = keys[-2]
    if s.get("cmp_b") not in labels:
        s["cmp_b"] = keys[-1]
    c1, c2 = st.columns(2)
    ka = c1.selectbox(t("cmp.a", lang), keys, key="cmp_a", format_func=lambda k: labels[k])
    kb = c2.selectbox(t("cmp.b", lang), keys, key="cmp_b", format_func=lambda k: labels[k])
    a, b = state.result_by_key(ka), state.result_by_key(kb)
    if a is None or b is None:
        st.info(t("cmp.need_two", lang))
        return
    cmp = compare_results(a, b)
    comparison_tables(cmp, lang, key="tbl_cmp")
    st.markdown(f"**{t('cmp.map', lang)}**")
    m = compare_map(b.sites, a.assignments, b.assignments, name_a=scenario_label(a.scenario.name, lang),
                    name_b=scenario_label(b.scenario.name, lang),
                    lang=lang, basemap=cast(Basemap, basemap), tianditu_key=tianditu_key, offline=offline)
    st_folium(m, key="folium_compare", returned_objects=[], use_container_width=True, height=MAP_HEIGHT)
    st.download_button(t("dl.compare", lang), functools.partial(comparison_workbook_bytes, cmp, lang=lang),
                       file_name="zq_land_comparison.xlsx", key="dl_compare", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def comparison_tables(cmp: Comparison, lang: str, *, key: str) -> None:
    """The KPI deltas and the projects that moved, as two tables (keys ``{key}_kpis``, ``{key}_moved``)."""
    st.markdown(f"**{t('cmp.kpis', lang)}**")
    st.dataframe(kpi_table(cmp, lang), hide_index=True, width="stretch", key=f"{key}_kpis")
    st.markdown(f"**{t('cmp.moved', lang, n=len(cmp.moved))}**")
    if cmp.moved.empty:
        st.success(t("cmp.none_moved", lang))
    else:
        st.dataframe(moved_table(cmp, lang), hide_index=True, width="stretch", key=f"{key}_moved")


def kpi_table(cmp: Comparison, lang: str) -> pd.DataFrame:
    """KPI deltas (B − A) with labels in ``lang``."""
    k = cmp.kpis
    keys = k["kpi"].astype(str).tolist()
    df = pd.DataFrame({
        "kpi": k["label_zh"] if lang == "zh" else k["label_en"],
        "a": [kpi_value(key, v) for key, v in zip(keys, k["a"], strict=True)],
        "b": [kpi_value(key, v) for key, v in zip(keys, k["b"], strict=True)],
        "delta": [kpi_value(key, v, signed=True) for key, v in zip(keys, k["delta"], strict=True)],
    })
    return labelled(df, lang)


#: Decimals of a KPI by the unit its key ends with (its header carries the unit); counts are whole numbers.
_KPI_DIGITS: Final = (("_yi", 2), ("_mu", 1), ("_m2", 0), ("_km", 1), ("_wan_per_mu", 1), ("objective", 2))


def kpi_value(key: str, value: object, *, signed: bool = False) -> str:
    """A KPI figure at a sensible precision: counts whole, shares in %, 亿元 to 0.01, mu to 0.1, m2 whole."""
    if value is None or isinstance(value, bool) or (isinstance(value, float) and pd.isna(value)):
        return "–" if not isinstance(value, bool) else str(value)
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    sign = "+" if signed and f > 0 else ""
    if key.endswith("_share"):
        return f"{sign}{100 * f:.1f} %"
    digits = next((d for suffix, d in _KPI_DIGITS if key.endswith(suffix)), 0)
    return sign + num(f, digits)


def moved_table(cmp: Comparison, lang: str) -> pd.DataFrame:
    """The projects whose placement differs, with the change in words."""
    df = cmp.moved.copy()
    df["change"] = df["change"].map(lambda c: t(f"change.{c}", lang))
    return labelled(df[["project_id", "name", "site_a", "site_b", "change"]], lang)


def _run_pair(lang: str, data: state.DataSet) -> None:
    from .scenario import run_and_keep

    for name in PAIR:
        scenario = load_scenario(sample_scenarios()[name]).with_(
            sites=Path(data.sites_file.name), projects=Path(data.projects_file.name), source=None)
        if not run_and_keep(scenario, data, lang, interim=False):  # both final: they are compared at once
            return
    kept = state.kept_results()
    st.session_state["cmp_a"], st.session_state["cmp_b"] = kept[-2].key, kept[-1].key
    st.rerun()
