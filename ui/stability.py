"""The reference plan of a run in the app: an earlier run (kept in this session) whose placements the next
run changes as little as possible, and the share of the objective the planner would give up for that.

The widgets own their session keys (``sc_ref_key``, ``sc_loss``); :func:`reference_of` gives the chosen
plan to :func:`ui.state.run_allocation`, :func:`loss_share` the scenario's ``[stability] max_loss_share``.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from zq_land import AllocationResult, t

from . import state

REF_KEY: Final = "sc_ref_key"
LOSS_KEY: Final = "sc_loss"  # percent


def render_picker(lang: str) -> None:
    """The reference-plan choice and the tolerance slider (scenario page)."""
    kept = state.kept_results()
    keys = ["", *[k.key for k in kept]]
    labels = {"": t("sc.reference_none", lang), **{k.key: k.label for k in kept}}
    if st.session_state.get(REF_KEY) not in keys:
        st.session_state[REF_KEY] = ""
    st.selectbox(t("sc.reference", lang), keys, key=REF_KEY, format_func=lambda k: labels.get(k, k),
                 help=t("sc.reference_help", lang))
    st.slider(t("sc.loss", lang), min_value=0.0, max_value=10.0, step=0.5, key=LOSS_KEY,
              help=t("sc.loss_help", lang), disabled=not st.session_state.get(REF_KEY))


def reference_key() -> str:
    """The cache key of the chosen reference run ("" for none)."""
    key = st.session_state.get(REF_KEY) or ""
    result = state.result_by_key(key)
    return key if result is not None and not result.interim else ""


def reference_of() -> pd.DataFrame | None:
    """The chosen reference run's plan (``project_id``, ``site_id``; None = unplaced), or None."""
    result = state.result_by_key(reference_key() or None)
    if result is None:
        return None
    ref = result.assignments[["project_id", "site_id"]].copy()
    ref["site_id"] = ref["site_id"].where(ref["site_id"].astype(str) != "", None)
    return ref


def loss_share() -> float:
    """The slider's percent as a share (0 without a reference)."""
    if not reference_key():
        return 0.0
    return float(st.session_state.get(LOSS_KEY, 0.0) or 0.0) / 100.0


def render_result_notes(result: AllocationResult, lang: str) -> None:
    """The results page: every warning (count, then the list) and the moves against the reference."""
    if result.warnings:
        with st.expander(t("res.warnings", lang, n=len(result.warnings)), expanded=len(result.warnings) <= 3):
            for w in result.warnings:
                zh, _, en = w.partition(" | ")
                st.warning(en if lang == "en" and en else zh)
    kept, moved = result.kept_and_moved
    if kept is None or result.moves is None:
        return
    proven = t("res.moves_proven", lang) if result.solve.status == "optimal" else ""
    st.info(t("res.moves", lang, kept=kept, moved=moved, proven=proven))
    if len(result.moves):
        m = result.moves
        st.dataframe(pd.DataFrame({
            "project_id": m["project_id"], "name": m["name"], "reference_site_id": m["reference_site_id"],
            "site_id": m["site_id"], "change": m["change"],
            "buys": m["buys_zh"] if lang == "zh" else m["buys_en"],
        }), hide_index=True, key="tbl_moves")
