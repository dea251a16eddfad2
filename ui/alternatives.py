"""The results page's alternatives (备选地块): for a project, the next-best plots and what each costs.

Computed on demand by ``zq_land.run_alternatives`` (exact losses: each candidate re-solved with the pair
fixed, or proven by the bound) and kept per result in the session.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from zq_land import AllocationResult, AlternativesResult, run_alternatives, t

from .common import num

CACHE: Final = "_alt_cache"


def render(result: AllocationResult, key: str, lang: str) -> None:
    """The alternatives section of a result (``key``: the result's cache key)."""
    st.subheader(t("alt.header", lang))
    st.caption(t("alt.help", lang))
    cache: dict[str, AlternativesResult] = st.session_state.setdefault(CACHE, {})
    c1, c2 = st.columns([1, 3])
    k = int(c1.number_input(t("alt.k", lang), min_value=1, max_value=10, value=3, step=1, key="alt_k"))
    ck = f"{key}:{k}"
    if ck not in cache and c2.button(t("alt.run", lang), key="alt_run"):
        with st.spinner(t("alt.running", lang)):
            cache[ck] = run_alternatives(result.sites, result.projects, result.scenario, result.assignments, k=k,
                                         time_limit_s=min(5.0, result.scenario.solver.time_limit_s),
                                         budget_s=max(30.0, 2 * result.scenario.solver.time_limit_s))
    alt = cache.get(ck)
    if alt is None:
        return
    placed = sorted(set(alt.table["project_id"]))
    if not placed:
        st.info(t("alt.none", lang))
        return
    pid = st.selectbox(t("alt.project", lang), placed, key="alt_project")
    for r in alt.for_project(str(pid)).itertuples():
        proof = t("alt.proven", lang) if r.proven else t("alt.not_proven", lang, low=num(r.loss_bound_yi, 2))
        st.markdown(f"- {t('alt.line', lang, current=r.current_site_id, site=r.site_id, loss=num(r.loss_yi, 2))}"
                    f" ({proof})")
    irr = ", ".join(alt.irreplaceable) or "–"
    st.caption(t("alt.summary", lang, plans=alt.plans, tol=f"{alt.tolerance:.0%}", sites=irr,
                 solves=alt.solves, seconds=num(alt.seconds, 1)))
