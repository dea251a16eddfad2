"""Matching a file's headers to the canonical columns: the user's mapping, canonical names, Chinese and
English aliases, Shapefile names cut at 10 bytes; the header row of a table; duplicate and missing columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import ValidationReport
from ..text import column_label
from ..vocab import PROJECT_HEADERS, header_lookup, norm_token
from .values import is_missing, text_of

#: Header search depth for Excel/CSV title rows.
HEADER_SEARCH_ROWS = 5


@dataclass(frozen=True)
class HeaderMatch:
    """How one column of the file was recognised."""

    source: str
    canonical: str
    how: str  # "mapping" | "name" | "alias" | "truncated"



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
                f"多列都表示 {column_label(canon)}：{names}；请删除一列或用列映射指定",
                f"several columns mean {canon}: {names_en}; remove one or map one explicitly",
                column=canon,
                found=names_en,
            )
            continue
        out[top[0].source] = canon
        for _p, m in cands[1:]:
            report.warn(
                file,
                f"列“{m.source}”也可表示 {column_label(canon)}，已使用“{top[0].source}”，该列按原样保留",
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


def require_columns(
    required: Iterable[str], present: Iterable[str], found: list[Any], file: str, rep: ValidationReport
) -> bool:
    """One error per required canonical column that no column of the file provides; True when none is missing."""
    have = set(present)
    found_cols = ", ".join(map(str, found))
    complete = True
    for req in required:
        if req not in have:
            complete = False
            rep.error(
                file,
                f"缺少必需列 {column_label(req)}；文件中的列：{found_cols}",
                f"required column '{req}' is missing; columns found: {found_cols}",
                column=req,
                expected=req,
                found=found_cols,
            )
    return complete


def find_header(rows: list[list[Any]], columns: Mapping[str, str] | None) -> tuple[int, list[Any]] | None:
    lookup = header_lookup(dict(PROJECT_HEADERS))
    user = {norm_token(k) for k in (columns or {})}
    best: tuple[int, int] | None = None
    for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = sum(1 for c in r if not is_missing(c) and (norm_token(c) in lookup or norm_token(c) in user))
        if score and (best is None or score > best[1]):
            best = (i, score)
    return None if best is None else (best[0], rows[best[0]])



def refuse_duplicate_headers(header: list[Any], row: int, file: str, rep: ValidationReport) -> None:
    """Two columns under one known header name: which one is meant cannot be guessed."""
    lookup = header_lookup(dict(PROJECT_HEADERS))
    seen: dict[str, list[str]] = {}
    for c in header:
        if not is_missing(c):
            seen.setdefault(norm_token(c), []).append(text_of(c))
    for key, texts in seen.items():
        if len(texts) > 1 and key in lookup:
            rep.error(
                file,
                f"多列都表示 {column_label(lookup[key])}：{len(texts)} 列的表头都是“{texts[0]}”；请删除或改名多余的列",
                f"several columns mean {lookup[key]}: {len(texts)} columns are headed '{texts[0]}'; remove or "
                "rename the extra ones",
                row=row,
                column=texts[0],
                found=", ".join(texts),
            )



def column_letter(n: int) -> str:
    """Excel's name of the ``n``-th column (1 -> A, 27 -> AA), as ``openpyxl.utils.get_column_letter``: a CSV's
    unnamed columns are named so without loading openpyxl."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def header_names(header: list[Any], width: int, body: list[list[Any]]) -> dict[int, str]:
    """Column index -> unique header name; unnamed columns holding data get their Excel letter."""
    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    for j in range(width):
        h = text_of(header[j]) if j < len(header) else ""
        if not h:
            if not any(j < len(r) and not is_missing(r[j]) for r in body):
                continue
            h = f"column_{column_letter(j + 1)}"
        if h in seen:
            seen[h] += 1
            h = f"{h}.{seen[h]}"  # kept apart here; _header_duplicates() refuses two columns of one meaning
        else:
            seen[h] = 0
        names[j] = h
    return names
