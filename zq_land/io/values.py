"""Cell values as planners write them: missing-value spellings, numbers with thousands separators or units,
dates in Chinese or ISO form, coded values and lists of industry codes; and the column checks that report
every bad cell by row, id and column.

Every check writes its problems to a :class:`~zq_land.ValidationReport` (never raises), so that a reader
can gather all problems of a file before refusing it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ValidationReport
from ..text import column_label
from ..vocab import INDUSTRIES, INDUSTRY_LOOKUP, INDUSTRY_SEPARATORS, INDUSTRY_ZH, norm_token

_NA_TEXT = {"", "nan", "none", "null", "na", "n/a", "-", "--", "—", "无", "空", "<na>", "nat"}
_UNIT_SUFFIX = re.compile(r"(万元/亩|亿元|万元|平方米|平米|m2|m²|㎡|亩|mu|元)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_ANY_INDUSTRY = {"any", "all", "全部", "不限", "任意", "所有"}


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT, pd.NA and blank-like text ("", "-", "nan", "无")."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip().lower() in _NA_TEXT
    return False



def text_of(value: object) -> str:
    """A cell as text: integers written without ``.0``, missing as ``""``, outer spaces removed.

    The text itself is kept as the planner wrote it (full-width brackets stay full-width): names and ids
    are theirs; only coded values are folded, by :func:`zq_land.vocab.norm_token`.
    """
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()



def parse_number(value: object) -> float | None:
    """Parse a number written by a planner; None when it is not a number.

    Accepts numbers, text with thousands separators (``1,234.5``), full-width digits (``１２``),
    spaces and a trailing unit (亩, 平方米, m2, 亿元, 万元/亩). Missing values give NaN.
    """
    if is_missing(value):
        return math.nan
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    s = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "").replace("\u00a0", "")
    s = _UNIT_SUFFIX.sub("", s)
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    try:
        out = float(s)
    except ValueError:
        return None
    return out if math.isfinite(out) else None



def parse_date(value: object) -> pd.Timestamp | None:
    """Parse a date (ISO, ``2022/5/30``, ``2022年5月30日``, Excel date); NaT when missing; None if bad."""
    if is_missing(value):
        return pd.NaT
    try:
        ts = _parse_date(value)
    except (ValueError, OverflowError):  # OutOfBoundsDatetime is a ValueError
        return None
    if ts is None or pd.isna(ts):
        return ts
    return ts if 1900 <= ts.year <= 2200 else None



def _parse_date(value: object) -> pd.Timestamp | None:
    if isinstance(value, pd.Timestamp):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return pd.Timestamp(value)
    s = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日?)?", s)
    if m:
        s = f"{m.group(1)}-{m.group(2)}-{m.group(3) or 1}"
    s = s.replace("/", "-").replace(".", "-")
    if not re.fullmatch(r"\d{4}-\d{1,2}(-\d{1,2})?([ T]\d{1,2}:\d{2}(:\d{2})?)?", s):
        return None
    if s.count("-") == 1:
        s += "-1"
    try:
        return pd.Timestamp(s)
    except (ValueError, OverflowError):
        return None



def split_codes(value: object) -> list[str]:
    """Split an industries cell on ``;`` ``、`` ``,`` ``，`` (and ``|`` ``/``); blanks dropped."""
    if is_missing(value):
        return []
    return [t.strip() for t in INDUSTRY_SEPARATORS.split(str(value)) if t.strip()]



def check_ids(
    ids: list[str],
    rows: list[int],
    column: str,
    file: str,
    rep: ValidationReport,
    *,
    what_zh: str,
    what_en: str,
    empty_zh: str | None = None,
    empty_en: str | None = None,
) -> None:
    first: dict[str, int] = {}
    for i, sid in enumerate(ids):
        if not sid:
            rep.error(
                file,
                empty_zh or f"{column} 为空：每个{what_zh}都需要编号",
                empty_en or f"{column} is empty: every {what_en} needs an id",
                row=rows[i],
                column=column,
                expected="a unique id",
            )
            continue
        if sid in first:
            rep.error(
                file,
                f"{column}“{sid}”重复：第{first[sid]}行与第{rows[i]}行",
                f"duplicate {column} '{sid}': rows {first[sid]} and {rows[i]}",
                row=rows[i],
                item_id=sid,
                column=column,
                found=sid,
                expected="a unique id",
            )
        else:
            first[sid] = rows[i]



def code_column(
    values: list[Any],
    ids: list[str],
    rows: list[int],
    column: str,
    lookup: Mapping[str, str],
    zh: Mapping[str, str],
    file: str,
    rep: ValidationReport,
    *,
    required: bool,
    default: str = "",
    warn_default: bool = False,
) -> list[str]:
    accepted = ", ".join(f"{k} {v}" for k, v in zh.items())
    out: list[str] = []
    for i, v in enumerate(values):
        if is_missing(v):
            if required:
                rep.error(
                    file,
                    f"{column_label(column)} 为空；可用：{accepted}",
                    f"{column} is empty; accepted: {accepted}",
                    row=rows[i],
                    item_id=ids[i] or None,
                    column=column,
                    expected=accepted,
                )
            elif warn_default and default:
                rep.warn(
                    file,
                    f"{column_label(column)} 为空，按“{zh[default]}”({default}) 处理",
                    f"{column} is empty; taken as '{default}'",
                    row=rows[i],
                    item_id=ids[i] or None,
                    column=column,
                )
            out.append(default)
            continue
        code = lookup.get(norm_token(v))
        if code is None:
            rep.error(
                file,
                f"{column_label(column)} 的值“{text_of(v)}”无法识别；可用：{accepted}",
                f"unknown {column} '{text_of(v)}'; accepted: {accepted}",
                row=rows[i],
                item_id=ids[i] or None,
                column=column,
                found=text_of(v),
                expected=accepted,
            )
            out.append(default)
            continue
        out.append(code)
    return out



def number_column(
    values: list[Any],
    ids: list[str],
    rows: list[int],
    column: str,
    file: str,
    rep: ValidationReport,
    *,
    minimum: float | None,
    required: bool = False,
) -> list[float]:
    out: list[float] = []
    for i, v in enumerate(values):
        x = parse_number(v)
        where = {"row": rows[i], "item_id": ids[i] or None, "column": column}
        if x is None:
            rep.error(
                file,
                f"{column_label(column)} 须为数字，实际为“{text_of(v)}”",
                f"{column} must be a number, found '{text_of(v)}'",
                found=text_of(v),
                expected="a number",
                **where,
            )
            out.append(np.nan)
            continue
        if x != x:
            if required:
                rep.error(
                    file,
                    f"{column_label(column)} 为空，须填写数字",
                    f"{column} is empty; a number is required",
                    expected="a number",
                    **where,
                )
            out.append(np.nan)
            continue
        if minimum is not None and x < minimum:
            rep.error(
                file,
                f"{column_label(column)} 不能为负数，实际为 {x:g}",
                f"{column} must not be negative, found {x:g}",
                found=f"{x:g}",
                expected=f">= {minimum:g}",
                **where,
            )
            out.append(np.nan)
            continue
        out.append(x)
    return out


def probability_column(
    values: list[Any], ids: list[str], rows: list[int], column: str, file: str, rep: ValidationReport
) -> list[float]:
    """Probabilities from 0 to 1 (``0.75`` or ``75%``); NaN when empty (the scenario's default applies)."""
    share = [parse_number(str(v).strip()[:-1]) if isinstance(v, str) and str(v).strip().endswith(("%", "％"))
             else None for v in values]
    nums = number_column([v if s is None else s for v, s in zip(values, share, strict=True)], ids, rows, column,
                         file, rep, minimum=0.0)
    out = []
    for i, v in enumerate(nums):
        if share[i] is not None and v == v:
            v = v / 100.0
        if v > 1.0:
            rep.error(file, f"{column_label(column)} 须在 0 到 1 之间（或 0% 到 100%），实际为 {text_of(values[i])}",
                      f"{column} must be from 0 to 1 (or 0% to 100%), found '{text_of(values[i])}'",
                      row=rows[i], item_id=ids[i] or None, column=column, found=text_of(values[i]),
                      expected="0..1")
            v = np.nan
        out.append(v)
    return out


def industry_column(
    values: list[Any], ids: list[str], rows: list[int], file: str, rep: ValidationReport
) -> list[str]:
    accepted = ", ".join(f"{k} {v}" for k, v in INDUSTRY_ZH.items())
    out: list[str] = []
    for i, v in enumerate(values):
        codes: list[str] = []
        for tok in split_codes(v):
            if norm_token(tok) in _ANY_INDUSTRY:
                codes = []
                break
            code = INDUSTRY_LOOKUP.get(norm_token(tok))
            if code is None:
                rep.error(
                    file,
                    f"industries（允许产业）中的“{tok}”无法识别；可用：{accepted}",
                    f"unknown industry '{tok}' in industries; accepted: {accepted}",
                    row=rows[i],
                    item_id=ids[i] or None,
                    column="industries",
                    found=tok,
                    expected=accepted,
                )
            elif code not in codes:
                codes.append(code)
        out.append(";".join(sorted(codes, key=INDUSTRIES.index)))
    return out



def date_column(
    values: list[Any], ids: list[str], rows: list[int], column: str, file: str, rep: ValidationReport
) -> pd.Series:
    out: list[pd.Timestamp] = []
    for i, v in enumerate(values):
        d = parse_date(v)
        if d is None:
            rep.error(
                file,
                f"{column_label(column)} 须为日期（如 2022-05-30），实际为“{text_of(v)}”",
                f"{column} must be a date such as 2022-05-30, found '{text_of(v)}'",
                row=rows[i],
                item_id=ids[i] or None,
                column=column,
                found=text_of(v),
                expected="YYYY-MM-DD",
            )
            d = pd.NaT
        out.append(d)
    return pd.Series(pd.to_datetime(out), dtype="datetime64[ns]")


#: The units the efficiency columns accept (factor to the column's unit), and how each unit is said.
MONEY_UNITS: Mapping[str, float] = {"": 1.0, "万元": 1.0, "万": 1.0, "亿元": 10_000.0, "亿": 10_000.0}
COUNT_UNITS: Mapping[str, float] = {"": 1.0, "人": 1.0, "个": 1.0, "名": 1.0}
_NUMBER_THEN_UNIT = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)(.*)$")


def unit_number_column(
    values: list[Any],
    ids: list[str],
    rows: list[int],
    column: str,
    file: str,
    rep: ValidationReport,
    *,
    units: Mapping[str, float],
    unit_zh: str,
    whole: bool = False,
) -> list[float]:
    """A non-negative figure in a given unit (亩均 columns: output and tax in 万元, jobs in 人).

    A cell may carry one of ``units`` after the number (``350万元``, ``1.2亿元`` -> 12,000 万元, ``80人``);
    any other unit (``万元/亩``, ``亩``, ``元``) is refused, as are text, negative numbers and, when ``whole``,
    fractions. Empty cells give NaN (the figure is optional). Every problem names the row, id and column.
    """
    out: list[float] = []
    accepted = "、".join(u for u in units if u)
    accepted_en = ", ".join(u for u in units if u)
    for i, v in enumerate(values):
        where = {"row": rows[i], "item_id": ids[i] or None, "column": column}
        if is_missing(v):
            out.append(np.nan)
            continue
        x: float | None
        unit = ""
        if isinstance(v, bool):
            x = None
        elif isinstance(v, int | float):
            x = float(v) if math.isfinite(float(v)) else None
        else:
            s = unicodedata.normalize("NFKC", str(v)).strip().replace(" ", "").replace("\u00a0", "")
            m = _NUMBER_THEN_UNIT.match(s)
            x = float(m.group(1).replace(",", "")) if m else None
            unit = m.group(2) if m else ""
        if x is None:
            rep.error(file, f"{column_label(column)} 须为数字（单位：{unit_zh}），实际为“{text_of(v)}”",
                      f"{column} must be a number (in {unit_zh}), found '{text_of(v)}'",
                      found=text_of(v), expected=f"a number in {unit_zh}", **where)
            out.append(np.nan)
            continue
        if unit not in units:
            rep.error(file, f"{column_label(column)} 的单位“{unit}”不对：本列单位为{unit_zh}（可写：{accepted}），"
                      f"实际为“{text_of(v)}”",
                      f"{column} has the wrong unit '{unit}': the column is in {unit_zh} (accepted: {accepted_en}), "
                      f"found '{text_of(v)}'", found=text_of(v), expected=unit_zh, **where)
            out.append(np.nan)
            continue
        x *= units[unit]
        if x < 0:
            rep.error(file, f"{column_label(column)} 不能为负数，实际为 {x:g}",
                      f"{column} must not be negative, found {x:g}", found=f"{x:g}", expected=">= 0", **where)
            out.append(np.nan)
            continue
        if whole and not float(x).is_integer():
            rep.error(file, f"{column_label(column)} 须为整数（{unit_zh}），实际为 {x:g}",
                      f"{column} must be a whole number ({unit_zh}), found {x:g}", found=f"{x:g}",
                      expected="a whole number", **where)
            out.append(np.nan)
            continue
        out.append(x)
    return out


def efficiency_columns(
    col: Any, present: Iterable[str], ids: list[str], rows: list[int], file: str, rep: ValidationReport,
) -> dict[str, list[float]]:
    """The 亩均 columns a file has (``present``, canonical names), parsed: ``output_wan``/``tax_wan`` in 万元,
    ``jobs`` in 人, ``min_*_wan_per_mu`` floors in 万元/亩. ``col(name)`` gives a column's raw cells."""
    out: dict[str, list[float]] = {}
    for name in present:
        if name in ("output_wan", "tax_wan"):
            out[name] = unit_number_column(col(name), ids, rows, name, file, rep, units=MONEY_UNITS, unit_zh="万元")
        elif name == "jobs":
            out[name] = unit_number_column(col(name), ids, rows, name, file, rep, units=COUNT_UNITS, unit_zh="人",
                                           whole=True)
        elif name.endswith("_wan_per_mu"):
            out[name] = unit_number_column(col(name), ids, rows, name, file, rep,
                                           units={"": 1.0, "万元/亩": 1.0}, unit_zh="万元/亩")
    return out
