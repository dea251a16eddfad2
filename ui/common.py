"""Small display helpers shared by the pages: problem tables, coded values and headers in the UI language."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
import streamlit as st

from zq_land import HEADERS, INDUSTRY_ZH, KIND_ZH, MODE_ZH, STATUS_ZH, Problem, ValidationReport, t

#: Coded columns and the Chinese names of their codes.
CODED: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "industry": INDUSTRY_ZH, "mode": MODE_ZH, "kind": KIND_ZH, "site_kind": KIND_ZH,
    "site_status": STATUS_ZH,
})


def problems_frame(
    problems: Iterable[Problem], lang: str, *, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The problems as a table: severity, file, row, id, column and the message in ``lang``.

    ``names`` maps the path a reader saw (a temporary upload) to the name the planner knows.
    """
    names = names or {}
    rows = []
    for p in problems:
        d = p.as_dict()
        file = str(d["file"] or "")
        rows.append({
            t("prob.severity", lang): t(f"prob.{p.severity}", lang),
            t("prob.file", lang): names.get(file, Path(file).name if file else ""),
            t("prob.row", lang): "" if d["row"] is None else str(d["row"]),
            t("prob.id", lang): d["id"] or "",
            t("prob.column", lang): d["column"] or "",
            t("prob.message", lang): d["message_zh"] if lang == "zh" else d["message_en"],
        })
    cols = [t(f"prob.{c}", lang) for c in ("severity", "file", "row", "id", "column", "message")]
    return pd.DataFrame(rows, columns=cols)


def show_problems(report: ValidationReport | Iterable[Problem], lang: str, *, key: str | None = None,
                  names: Mapping[str, str] | None = None) -> None:
    """Show a report as a readable table (never a traceback); nothing when it is empty."""
    problems = list(report)
    if not problems:
        return
    message = t("prob.message", lang)
    st.dataframe(problems_frame(problems, lang, names=names), hide_index=True, width="stretch", key=key,
                 column_config={message: st.column_config.TextColumn(message, width="large")})


def coded(column: str, value: Any, lang: str) -> str:
    """A coded value (``land``, ``nev_parts`` ...) as shown: its Chinese name, or the code in English."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    if lang == "en":
        return text
    if column == "status":
        try:
            return t(f"result_status.{text}", lang)
        except KeyError:
            return STATUS_ZH.get(text, text)
    table = CODED.get(column)
    return table.get(text, text) if table else text


def labelled(df: pd.DataFrame, lang: str, *, codes: Iterable[str] = ()) -> pd.DataFrame:
    """``df`` with coded columns translated and headers in ``lang`` (the exports' headers)."""
    out = df.copy()
    for col in codes:
        if col in out.columns:
            out[col] = out[col].map(lambda v, c=col: coded(c, v, lang))
    i = 0 if lang == "zh" else 1
    return out.rename(columns={c: HEADERS[c][i] for c in out.columns if c in HEADERS})


def num(value: Any, digits: int = 1) -> str:
    """A number with thousands separators, or an en dash when missing."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(f):
        return "–"
    return f"{f:,.{digits}f}"
