"""Small display helpers shared by the pages: problem tables and numbers (headers and coded values in words
come from :func:`zq_land.labelled` and :func:`zq_land.code_label`)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from zq_land import Problem, ValidationReport, t

#: What Streamlit's Markdown (and its ``:color[...]``, ``:emoji:`` and ``$math$`` extensions) acts on inside a
#: line; ``( )`` only after ``]`` and ``.``, ``-`` only at a line's start, so they are left as typed.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>$~|!:&])")
#: What starts a block (heading, list, quote, rule) at the start of the text.
_BLOCK_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def plain(text: object, *, limit: int = 200) -> str:
    """User text (a scenario, project, site or file name) safe inside a Markdown string: every character
    Markdown would act on is escaped, line breaks become spaces, and very long text is cut with "…".

    Names are the planners' (or an attacker's): ``![x](http://evil/p.png)`` in a scenario name fetched an
    image; rendered through this it is shown as typed.
    """
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = _MARKDOWN_SPECIAL.sub(r"\\\1", s)
    s = re.sub(r"(?i)\bwww\.", lambda m: m.group()[:-1] + "\\.", s)  # no autolink either
    return _BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], s)


def short_name(name: str, *, limit: int = 60) -> str:
    """A file name to show: long names (a 200-character Chinese upload name) cut in the middle, suffix kept."""
    if len(name) <= limit:
        return name
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    keep = limit - len(suffix) - 1
    return name[: keep] + "…" + suffix


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
            t("prob.message", lang): p.message.pick(lang),
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


def num(value: Any, digits: int = 1) -> str:
    """A number with thousands separators, or an en dash when missing."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(f):
        return "–"
    return f"{f:,.{digits}f}"
