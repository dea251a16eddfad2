"""Private helpers of the readers: header matching, value parsing, encoding detection.

Every helper that can find a problem writes it to a :class:`ValidationReport` (never raises), so
that a reader can gather all problems of a file before refusing it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from .._errors import ValidationReport
from ..vocab import COLUMN_ZH, INDUSTRY_SEPARATORS, header_lookup, norm_token

_NA_TEXT = {"", "nan", "none", "null", "na", "n/a", "-", "--", "—", "无", "空", "<na>", "nat"}
_UNIT_SUFFIX = re.compile(r"(万元/亩|亿元|万元|平方米|平米|m2|m²|㎡|亩|mu|元)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class HeaderMatch:
    """How one column of the file was recognised."""

    source: str
    canonical: str
    how: str  # "mapping" | "name" | "alias" | "truncated"


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


def col_label(canon: str) -> str:
    """``"area_mu (面积(亩))"``: the canonical column with its Chinese name for messages."""
    zh = COLUMN_ZH.get(canon)
    return f"{canon} ({zh})" if zh else canon


def match_headers(
    columns: Sequence[str],
    headers: Mapping[str, list[str]],
    *,
    mapping: Mapping[str, str] | None,
    truncated: bool,
    file: str,
    report: ValidationReport,
) -> dict[str, str]:
    """Map the file's column names to canonical names; problems go to ``report``.

    Priority: the user's mapping, then the exact canonical name, then a Chinese or English alias,
    then (Shapefiles only, ``truncated``) a name cut at 10 bytes that is a prefix of exactly one
    column's names. When two columns claim one canonical name at the same priority, that is an
    error; a lower-priority claimant is kept as an extra column with a warning.

    Returns
    -------
    dict
        source column -> canonical column, for the recognised columns only.
    """
    lookup = header_lookup(dict(headers))
    canon_names = list(headers)
    mapping = dict(mapping or {})
    folded = {norm_token(c): c for c in columns}
    matches: list[tuple[int, HeaderMatch]] = []
    mapped_sources: set[str] = set()
    for their, canon in mapping.items():
        canon_key = lookup.get(norm_token(canon), canon) if canon not in headers else canon
        if canon_key not in headers:
            report.error(
                file,
                f"列映射“{their}={canon}”的目标不是已知列；可用：{', '.join(canon_names)}",
                f"column mapping '{their}={canon}' targets an unknown column; known columns: "
                f"{', '.join(canon_names)}",
                column=their,
                found=canon,
                expected=", ".join(canon_names),
            )
            continue
        src = their if their in columns else folded.get(norm_token(their))
        if src is None:
            report.error(
                file,
                f"列映射中的列“{their}”不在文件中；文件中的列：{', '.join(map(str, columns))}",
                f"mapped column '{their}' is not in the file; columns found: {', '.join(map(str, columns))}",
                column=their,
                found=their,
                expected=", ".join(map(str, columns)),
            )
            continue
        matches.append((0, HeaderMatch(src, canon_key, "mapping")))
        mapped_sources.add(src)
    for col in columns:
        if col in mapped_sources:
            continue
        key = norm_token(col)
        if key in headers:
            matches.append((1, HeaderMatch(col, key, "name")))
        elif key in lookup:
            matches.append((2, HeaderMatch(col, lookup[key], "alias")))
        elif truncated and _looks_truncated(col):
            hit = _prefix_match(key, headers)
            if hit:
                matches.append((3, HeaderMatch(col, hit, "truncated")))
    out: dict[str, str] = {}
    by_canon: dict[str, list[tuple[int, HeaderMatch]]] = {}
    for prio, m in matches:
        by_canon.setdefault(m.canonical, []).append((prio, m))
    for canon, cands in by_canon.items():
        cands.sort(key=lambda pm: pm[0])
        best = cands[0][0]
        top = [m for p, m in cands if p == best]
        if len(top) > 1:
            names = "、".join(f"“{m.source}”" for m in top)
            names_en = ", ".join(f"'{m.source}'" for m in top)
            report.error(
                file,
                f"多列都表示 {col_label(canon)}：{names}；请删除一列或用列映射指定",
                f"several columns mean {canon}: {names_en}; remove one or map one explicitly",
                column=canon,
                found=names_en,
            )
            continue
        out[top[0].source] = canon
        for _p, m in cands[1:]:
            report.warn(
                file,
                f"列“{m.source}”也可表示 {col_label(canon)}，已使用“{top[0].source}”，该列按原样保留",
                f"column '{m.source}' could also mean {canon}; '{top[0].source}' is used and "
                f"'{m.source}' is kept as an extra column",
                column=m.source,
            )
    return out


def _looks_truncated(col: str) -> bool:
    # dBase field names hold 10 bytes: a name that was cut is 9-10 bytes long in the file's
    # encoding (UTF-8 Chinese: 3 bytes a character, GBK: 2).
    n_utf8 = len(col.encode("utf-8"))
    n_gbk = len(col.encode("gb18030", errors="replace"))
    return n_utf8 >= 9 or n_gbk >= 9


def _prefix_match(key: str, headers: Mapping[str, list[str]]) -> str | None:
    hits = {
        canon
        for canon, aliases in headers.items()
        for alias in aliases
        if norm_token(alias).startswith(key) and norm_token(alias) != key
    }
    return hits.pop() if len(hits) == 1 else None


def detect_text_encoding(chunks: Iterable[bytes]) -> str:
    """``utf-8`` or ``gb18030`` (a superset of GBK/GB2312) for text from a Chinese office.

    ``gb18030`` when a chunk is not valid UTF-8, and also when it is but only the GB18030 reading gives
    Chinese characters: short GBK text can be valid UTF-8 by chance (平台 = C6BD CCA8 reads as 'ƽ̨').
    """
    chunks = list(chunks)
    for chunk in chunks:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            return "gb18030"
    data = b"".join(chunks)
    if any(b >= 0x80 for b in data):
        as_utf8 = data.decode("utf-8")
        try:
            as_gb = data.decode("gb18030")
        except UnicodeDecodeError:
            return "utf-8"
        if _cjk_share(as_gb) > 0.9 and _cjk_share(as_utf8) < 0.5:
            return "gb18030"
    return "utf-8"


def _cjk_share(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are CJK ideographs or CJK punctuation."""
    high = [ch for ch in text if ord(ch) >= 0x80]
    if not high:
        return 0.0
    cjk = sum(1 for ch in high if 0x3000 <= ord(ch) <= 0x9FFF or 0xFF00 <= ord(ch) <= 0xFFEF)
    return cjk / len(high)


def cpg_to_codec(text: str) -> str | None:
    """Python codec for a Shapefile ``.cpg`` value (``UTF-8``, ``GBK``, ``936``, ``ANSI 936``...)."""
    t = text.strip().upper().replace("ANSI", "").replace("CP", "").strip()
    if not t:
        return None
    known = {
        "65001": "utf-8",
        "UTF8": "utf-8",
        "UTF-8": "utf-8",
        "936": "gb18030",
        "GBK": "gb18030",
        "GB2312": "gb18030",
        "GB18030": "gb18030",
        "54936": "gb18030",
        "950": "big5",
        "BIG5": "big5",
        "1252": "cp1252",
        "88591": "latin-1",
        "8859-1": "latin-1",
        "ISO-8859-1": "latin-1",
        "ISO8859-1": "latin-1",
        "ISO88591": "latin-1",
    }
    if t in known:
        return known[t]
    import codecs

    try:
        return codecs.lookup(t.lower()).name
    except LookupError:
        return None
