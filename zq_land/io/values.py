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
from ..vocab import INDUSTRIES, INDUSTRY_LOOKUP, INDUSTRY_SEPARATORS, INDUSTRY_ZH, M2_PER_MU, WAN_PER_YI, norm_token

_NA_TEXT = {"", "nan", "none", "null", "na", "n/a", "-", "--", "—", "无", "空", "<na>", "nat"}
_UNIT_SUFFIX = re.compile(r"(万元/亩|亿元|万元|平方米|平米|m2|m²|㎡|亩|mu|元)$", re.IGNORECASE)
#: A unit written after a number, longest spellings first (compared in lower case after NFKC).
_UNIT_TOKEN = re.compile(r"(万元/亩|元/亩|亿元|万元|平方米|平米|公顷|m2|m²|㎡|ha|亩|mu|亿|万|元)$", re.IGNORECASE)
#: Each numeric column's unit, and the units a cell may carry in it with their factor to the column's unit.
COLUMN_UNITS: dict[str, str] = {
    "investment_yi": "亿元", "land_need_mu": "亩", "area_mu": "亩", "floor_need_m2": "平方米",
    "floor_area_m2": "平方米", "min_invest_wan_per_mu": "万元/亩",
}
_CONVERSIONS: dict[str, dict[str, float]] = {
    "亿元": {"亿元": 1.0, "亿": 1.0, "万元": 1.0 / WAN_PER_YI, "万": 1.0 / WAN_PER_YI, "元": 1e-8},
    "亩": {"亩": 1.0, "mu": 1.0, "平方米": 1.0 / M2_PER_MU, "平米": 1.0 / M2_PER_MU, "m2": 1.0 / M2_PER_MU,
          "m²": 1.0 / M2_PER_MU, "㎡": 1.0 / M2_PER_MU, "公顷": 15.0, "ha": 15.0},
    "平方米": {"平方米": 1.0, "平米": 1.0, "m2": 1.0, "m²": 1.0, "㎡": 1.0, "亩": M2_PER_MU, "mu": M2_PER_MU,
            "公顷": 10_000.0, "ha": 10_000.0},
    "万元/亩": {"万元/亩": 1.0, "元/亩": 1e-4},
}
#: Magnitudes beyond these are refused whatever the settings: no zone has them, and the model's
#: arithmetic would lose them (1e308 investment overflowed the objective; needs of 1e-320 vanished).
HARD_MAX = 1e12
HARD_MIN_POSITIVE = 1e-6
#: The plausible range of each column (a warning outside it, naming the row); a setting:
#: ``ZQ_LAND_PLAUSIBLE="investment_yi=0.01:500,area_mu=0.1:50000"`` changes any of them.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "investment_yi": (0.001, 5_000.0), "land_need_mu": (0.1, 20_000.0), "floor_need_m2": (10.0, 2_000_000.0),
    "area_mu": (0.01, 100_000.0), "floor_area_m2": (1.0, 5_000_000.0), "min_invest_wan_per_mu": (1.0, 100_000.0),
}
#: Control characters are removed from text cells at reading (tab and line breaks become spaces):
#: a name holding one broke the workbook after the CSV was written.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
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
    text = str(value)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else "", text)
    return text.strip()


def text_column(
    values: list[Any], ids: list[str] | None, rows: list[int], column: str, file: str, rep: ValidationReport
) -> list[str]:
    """A text column (:func:`text_of` of each cell); a warning names each cell whose control characters
    were removed."""
    known: dict[str, str] = {}  # zones, anchors and the like repeat down a column
    out = []
    for v in values:
        if type(v) is str:
            t = known.get(v)
            if t is None:
                t = known[v] = text_of(v)
            out.append(t)
        else:
            out.append(text_of(v))
    for i, v in enumerate(values):
        if isinstance(v, str) and _CONTROL.search(v):
            rep.warn(file, f"{column_label(column)} 含控制字符，已删除（制表符、换行改为空格）",
                     f"{column} held control characters; removed (tabs and line breaks became spaces)",
                     row=rows[i], item_id=(ids[i] if ids else out[i]) or None, column=column, found=repr(v)[:80])
    return out


def plausible_ranges() -> dict[str, tuple[float, float]]:
    """:data:`PLAUSIBLE` with the overrides of ``ZQ_LAND_PLAUSIBLE`` (``column=low:high``, comma separated)."""
    import os

    out = dict(PLAUSIBLE)
    for part in os.environ.get("ZQ_LAND_PLAUSIBLE", "").split(","):
        name, _, span = part.partition("=")
        low, _, high = span.partition(":")
        try:
            lo, hi = float(low), float(high)
        except ValueError:
            continue
        if name.strip() in out and math.isfinite(lo) and math.isfinite(hi) and lo <= hi:
            out[name.strip()] = (lo, hi)
    return out


def split_unit(value: object) -> tuple[object, str]:
    """A cell and the unit written after its number (``"5000万元"`` -> ``("5000", "万元")``); ``""`` when none."""
    if not isinstance(value, str):
        return value, ""
    s = unicodedata.normalize("NFKC", value).strip().replace(" ", "").replace("\u00a0", "")
    m = _UNIT_TOKEN.search(s)
    if m is None or m.start() == 0:
        return value, ""
    return s[: m.start()], m.group().lower()



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
        return float(value) if math.isfinite(value) else None  # Infinity in GeoJSON, 1e999 in a sheet
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
    if ts.tzinfo is not None:  # a GeoPackage date with a zone (2022-05-01T08:00+08:00): its own wall clock
        ts = ts.tz_localize(None)
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
    known: dict[str, str] = {}  # the codes of the texts read without a problem (a handful per column)
    for i, v in enumerate(values):
        if type(v) is str and v in known:
            out.append(known[v])
            continue
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
        if type(v) is str:
            known[v] = code
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
    unit = COLUMN_UNITS.get(column)
    plausible = plausible_ranges().get(column)
    out: list[float] = []
    lo_ok, hi_ok = plausible if plausible is not None else (-math.inf, math.inf)
    for i, v in enumerate(values):
        if type(v) is float or type(v) is int:  # a plain number with nothing to say about it: as below, at once
            f = float(v)
            if ((minimum is None or f >= minimum) and (f == 0.0 or HARD_MIN_POSITIVE <= abs(f) <= HARD_MAX)
                    and (not f > 0 or lo_ok <= f <= hi_ok)):
                out.append(f)
                continue
        where = {"row": rows[i], "item_id": ids[i] or None, "column": column}
        bare, token = split_unit(v)
        x = parse_number(bare)
        if x is None:
            rep.error(
                file,
                f"{column_label(column)} 须为（有限的）数字，实际为“{text_of(v)}”",
                f"{column} must be a number, found '{text_of(v)}'",
                found=text_of(v),
                expected="a number",
                **where,
            )
            out.append(np.nan)
            continue
        factor = 1.0
        if token:
            factor_of = _CONVERSIONS.get(unit or "", {})
            if token not in factor_of:
                expected = unit or "a plain number"
                rep.error(
                    file,
                    f"{column_label(column)} 中的单位“{token}”不属于该列（应为 {unit or '不带单位的数字'}），"
                    f"实际为“{text_of(v)}”",
                    f"the unit '{token}' cannot belong to {column} ({expected}), found '{text_of(v)}'",
                    found=text_of(v),
                    expected=expected,
                    **where,
                )
                out.append(np.nan)
                continue
            factor = factor_of[token]
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
        if factor != 1.0:
            converted = x * factor
            rep.warn(
                file,
                f"{column_label(column)} 的“{text_of(v)}”按 {converted:.6g} {unit} 读取（单位已换算）",
                f"{column} '{text_of(v)}' read as {converted:.6g} {unit} (unit converted)",
                found=text_of(v),
                expected=f"{converted:.6g}",
                **where,
            )
            x = converted
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
        if abs(x) > HARD_MAX or 0 < abs(x) < HARD_MIN_POSITIVE:
            rep.error(
                file,
                f"{column_label(column)} 的数值 {x:g} 不可信"
                f"（超出 {HARD_MIN_POSITIVE:g} 到 {HARD_MAX:g} 的可计算范围）",
                f"{column} = {x:g} is not credible (outside {HARD_MIN_POSITIVE:g} to {HARD_MAX:g}, what the tool "
                "computes with)",
                found=f"{x:g}",
                expected=f"{HARD_MIN_POSITIVE:g}..{HARD_MAX:g}",
                **where,
            )
            out.append(np.nan)
            continue
        if plausible is not None and x > 0 and not plausible[0] <= x <= plausible[1]:
            lo, hi = plausible
            rep.warn(
                file,
                f"{column_label(column)} = {x:g} {unit or ''} 超出常见范围 {lo:g} 到 {hi:g}"
                "（设置 ZQ_LAND_PLAUSIBLE），请核对",
                f"{column} = {x:g} {unit or ''} is outside the plausible range {lo:g} to {hi:g} (setting "
                "ZQ_LAND_PLAUSIBLE); please check",
                found=f"{x:g}",
                expected=f"{lo:g}..{hi:g}",
                **where,
            )
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
    known: dict[object, str] = {}  # a cell's codes by its text: 50,000 sites hold a few dozen distinct cells
    for i, v in enumerate(values):
        key = v if isinstance(v, str) or v is None else None
        if key is not None and key in known:
            out.append(known[key])
            continue
        n_problems = len(rep.problems)
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
        if key is not None and len(rep.problems) == n_problems:  # cells with problems are reported each time
            known[key] = out[-1]
    return out



def date_column(
    values: list[Any], ids: list[str], rows: list[int], column: str, file: str, rep: ValidationReport
) -> pd.Series:
    out: list[pd.Timestamp] = []
    zoned: list[int] = []
    for i, v in enumerate(values):
        d = parse_date(v)
        if getattr(v, "tzinfo", None) is not None and d is not None:
            zoned.append(i)
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
    if zoned:
        i = zoned[0]
        rep.warn(file, f"{len(zoned)} 个 {column_label(column)} 带有时区，按其当地日期读取（如“{values[i]}”）",
                 f"{len(zoned)} {column} value(s) carry a time zone; read as their local date (e.g. '{values[i]}')",
                 row=rows[i], item_id=ids[i] or None, column=column, found=str(values[i]))
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
