"""Reading the project pipeline (CSV or Excel): find the header row, match the headers, parse and check
every value, and assemble the canonical projects table (``attrs["rows"]`` keeps each project's row).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ValidationReport
from .._gc import gc_paused
from ..engine.rules import needs_of_mode
from ..text import column_label
from ..vocab import (
    INDUSTRY_LOOKUP,
    INDUSTRY_ZH,
    MODE_LOOKUP,
    MODE_ZH,
    MODES,
    PROJECT_COLUMNS,
    PROJECT_EFFICIENCY_HEADERS,
    PROJECT_HEADERS,
    canonical_anchor,
)
from .containers import PROJECT_EXTENSIONS, csv_rows, size_ok, xlsx_rows
from .headers import (
    HEADER_SEARCH_ROWS,
    find_header,
    header_names,
    match_headers,
    refuse_duplicate_headers,
    require_columns,
)
from .result import ReadResult, mapping_choices, read_result
from .values import (
    check_ids,
    code_column,
    date_column,
    efficiency_columns,
    is_missing,
    number_column,
    probability_column,
    text_column,
    text_of,
)

#: Columns a project list must have (or have mapped).
PROJECT_REQUIRED: tuple[str, ...] = ("project_id", "investment_yi", "mode")


class RowNumbers(list[int]):  # a list, as attrs["rows"] always was
    """The file's row of each project (``attrs["rows"]``): a list whose deep copy is a plain copy.

    pandas deep-copies a frame's ``attrs`` into every frame derived from it; element by element, the row
    numbers of 4,000 projects cost a second and a half over one city-scale eligibility check alone. They
    are ints, which a deep copy would not copy either.
    """

    def __deepcopy__(self, memo: dict[int, object]) -> RowNumbers:
        return RowNumbers(self)


def read_projects(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """Read and validate the project pipeline (CSV or Excel) into the canonical projects table.

    Parameters
    ----------
    path
        ``.csv`` (UTF-8, UTF-8 with BOM, GBK/GB18030: detected) or ``.xlsx``.
    columns
        The user's header mapping ``{their header: canonical column}``.
    sheet
        Excel worksheet; default the first.
    encoding
        CSV encoding; default detected.
    report
        When given, every problem found (warnings included) is appended to it.

    Returns
    -------
    pandas.DataFrame
        Columns as in docs/ARCHITECTURE.md, then the user's extra columns; ``attrs["rows"]`` holds
        each project's spreadsheet row number.

    Raises
    ------
    InputError
        With the report of every problem of the file when any is an error.
    """
    result = check_projects(path, columns=columns, sheet=sheet, encoding=encoding)
    if report is not None:
        report.extend(result.report)
    return result.table_or_raise(path, "无法读取项目文件", "the projects file could not be read")


def check_projects(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
) -> ReadResult[pd.DataFrame]:
    """Read a project list as :func:`read_projects` does, without raising for bad data.

    Returns
    -------
    ReadResult
        The table (None when refused), the report, and the headers a planner may map.
    """
    path = Path(path)
    rep = ValidationReport()
    with gc_paused():  # cells read one by one by the ten thousand (zq_land._gc)
        df, headers, complete = _read_projects(path, str(path), columns, sheet, encoding, rep)
    return read_result(df, rep, headers, complete=complete)



def summarize_projects(df: pd.DataFrame) -> str:
    """One line describing a projects table: counts by mode and total investment."""
    counts = df["mode"].value_counts()
    parts = ", ".join(f"{m} {int(counts.get(m, 0))}" for m in MODES)
    sheet = f"; worksheet '{df.attrs['sheet']}'" if df.attrs.get("sheet") else ""
    return f"{len(df)} projects ({parts}); investment {df['investment_yi'].sum():,.2f} 亿元{sheet}"



def _read_projects(
    path: Path,
    file: str,
    columns: Mapping[str, str] | None,
    sheet: str | None,
    encoding: str | None,
    rep: ValidationReport,
) -> tuple[pd.DataFrame | None, tuple[str, ...], bool]:
    """The table (or None), the headers a planner may map, and whether every required column was found."""
    if not path.is_file():
        rep.error(file, "找不到项目文件", "projects file not found", found=str(path))
        return None, (), True
    if not size_ok(path, file, rep):
        return None, (), True
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        rows = csv_rows(path, file, encoding, rep)
    elif suffix in (".xlsx", ".xlsm"):
        info: dict[str, Any] = {}
        rows = xlsx_rows(path, file, sheet, rep, info)
        if rows is not None:
            _say_which_sheet(info, sheet, columns, file, rep)
    else:
        hint_zh = "；.xls 请在 Excel 中另存为 .xlsx" if suffix == ".xls" else ""
        hint_en = "; save a .xls as .xlsx in Excel" if suffix == ".xls" else ""
        rep.error(
            file,
            f"不支持的文件类型“{path.suffix}”；可用：.csv、.xlsx{hint_zh}",
            f"unsupported file type '{path.suffix}'; accepted: .csv, .xlsx{hint_en}",
            found=path.suffix,
            expected=", ".join(PROJECT_EXTENSIONS),
        )
        return None, (), True
    if rows is None:
        return None, (), True
    if not any(any(not is_missing(c) for c in r) for r in rows):
        rep.error(file, "文件是空的：没有表头也没有数据", "the file is empty: no header and no data")
        return None, (), True
    found = find_header(rows, columns)
    if found is None:
        first = next(r for r in rows if any(not is_missing(c) for c in r))
        seen = ", ".join(text_of(c) for c in first if not is_missing(c))
        known = ", ".join(PROJECT_COLUMNS)
        rep.error(
            file,
            f"前 {HEADER_SEARCH_ROWS} 行中找不到可识别的表头；文件中的列：{seen}；可识别：{known}"
            "（或用列映射指定）",
            f"no known header in the first {HEADER_SEARCH_ROWS} rows; columns found: {seen}; known: "
            f"{known} (or map your columns)",
            row=rows.index(first) + 1,
            found=seen,
            expected=known,
        )
        return None, tuple(text_of(c) for c in first if not is_missing(c)), False
    hidx, header = found
    body = rows[hidx + 1 :]
    width = max([len(header), *(len(r) for r in body)])
    names = header_names(header, width, body)
    refuse_duplicate_headers(header, hidx + 1, file, rep)
    records: list[list[Any]] = []
    row_numbers: list[int] = []
    for k, r in enumerate(body):
        cells = list(r) + [None] * (width - len(r))
        if all(is_missing(c) for c in cells):
            continue  # blank rows between data are fine
        records.append([cells[j] for j in names])
        row_numbers.append(hidx + 2 + k)
    raw = pd.DataFrame(records, columns=list(names.values()), dtype=object)
    if raw.empty:
        rep.error(file, "表头下没有任何项目数据", "no project rows under the header", row=hidx + 1)
        return None, (), True
    mapping = match_headers(
        list(raw.columns), {**PROJECT_HEADERS, **PROJECT_EFFICIENCY_HEADERS}, mapping=columns, truncated=False,
        file=file, report=rep,
    )
    complete = require_columns(PROJECT_REQUIRED, mapping.values(), list(raw.columns), file, rep)
    headers = mapping_choices(raw.columns, mapping, complete=complete)
    table = _project_values(raw, mapping, row_numbers, file, rep)
    if suffix in (".xlsx", ".xlsm"):
        table.attrs["sheet"] = str(info.get("sheet", ""))
    return table, headers, complete



def _project_values(
    raw: pd.DataFrame, mapping: Mapping[str, str], rows: list[int], file: str, rep: ValidationReport
) -> pd.DataFrame:
    src = {canon: col for col, canon in mapping.items()}
    n = len(raw)

    def col(canon: str) -> list[Any]:
        return list(raw[src[canon]]) if canon in src else [None] * n

    ids = text_column(col("project_id"), None, rows, "project_id", file, rep)
    if "project_id" in src:
        check_ids(
            ids,
            rows,
            "project_id",
            file,
            rep,
            what_zh="项目",
            what_en="project",
            empty_zh="该行有数据但没有 project_id（项目编号）",
            empty_en="this row has values but no project_id",
        )
    out = pd.DataFrame(index=range(n))
    out["project_id"] = ids
    out["name"] = text_column(col("name"), ids, rows, "name", file, rep)
    if "industry" in src:
        industry = code_column(
            col("industry"),
            ids,
            rows,
            "industry",
            INDUSTRY_LOOKUP,
            INDUSTRY_ZH,
            file,
            rep,
            required=False,
            default="other",
            warn_default=True,
        )
    else:
        industry = ["other"] * n
        rep.warn(
            file,
            "没有 industry（产业类别）列：所有项目按“其他”(other) 处理",
            "no 'industry' column: every project is taken as 'other'",
            column="industry",
        )
    out["industry"] = industry
    out["anchor"] = [canonical_anchor(v) for v in text_column(col("anchor"), ids, rows, "anchor", file, rep)]
    out["investment_yi"] = number_column(
        col("investment_yi"),
        ids,
        rows,
        "investment_yi",
        file,
        rep,
        minimum=0.0,
        required="investment_yi" in src,
    )
    modes = code_column(col("mode"), ids, rows, "mode", MODE_LOOKUP, MODE_ZH, file, rep, required="mode" in src)
    out["mode"] = modes
    land = number_column(col("land_need_mu"), ids, rows, "land_need_mu", file, rep, minimum=0.0)
    floor = number_column(col("floor_need_m2"), ids, rows, "floor_need_m2", file, rep, minimum=0.0)
    for i, m in enumerate(modes):
        for need in needs_of_mode(m):
            v = (land if need == "land_need_mu" else floor)[i]
            if not (v > 0):
                unit = "亩" if need == "land_need_mu" else "平方米"
                rep.error(
                    file,
                    f"落地方式为“{MODE_ZH[m]}”({m}) 的项目须填写 {column_label(need)} > 0（{unit}）",
                    f"a project with mode '{m}' needs {need} > 0",
                    row=rows[i],
                    item_id=ids[i] or None,
                    column=need,
                    found="" if v != v else f"{v:g}",
                    expected="> 0",
                )
    out["land_need_mu"] = [v if v > 0 else np.nan for v in land]
    out["floor_need_m2"] = [v if v > 0 else np.nan for v in floor]
    meetings = number_column(col("review_meeting"), ids, rows, "review_meeting", file, rep, minimum=0.0)
    for i, v in enumerate(meetings):
        if v != v:
            continue
        if not float(v).is_integer():
            zh, en, expected = (f"review_meeting（评审批次）须为整数，实际为 {v:g}",
                                f"review_meeting must be a whole number, found {v:g}", "integer")
        elif v > 100_000:
            zh, en, expected = (f"review_meeting（评审批次）数值过大：{v:g}",
                                f"review_meeting is implausibly large: {v:g}", "1..100000")
        else:
            continue
        rep.error(file, zh, en, row=rows[i], item_id=ids[i] or None, column="review_meeting", found=f"{v:g}",
                  expected=expected)
    out["review_meeting"] = pd.array(
        [int(v) if v == v and float(v).is_integer() and v <= 100_000 else pd.NA for v in meetings], dtype="Int64"
    )
    prio = number_column(col("priority"), ids, rows, "priority", file, rep, minimum=None)
    out["priority"] = [0.0 if v != v else v for v in prio]
    out["p_land"] = probability_column(col("p_land"), ids, rows, "p_land", file, rep)
    out["needed_by"] = date_column(col("needed_by"), ids, rows, "needed_by", file, rep).to_numpy("datetime64[ns]")
    out = out.astype(
        {"investment_yi": float, "land_need_mu": float, "floor_need_m2": float, "priority": float, "p_land": float}
    )
    # the 亩均 figures, only when the file has them (files without keep their table as it was)
    present = [c for c in PROJECT_EFFICIENCY_HEADERS if c in src]
    for name, values in efficiency_columns(col, present, ids, rows, file, rep).items():
        out[name] = np.asarray(values, dtype=float)
    for c in raw.columns:
        if c not in mapping:
            name = c if c not in (*PROJECT_COLUMNS, *PROJECT_EFFICIENCY_HEADERS) else f"{c}_orig"
            out[name] = raw[c].to_numpy()
    out.attrs["rows"] = RowNumbers(rows)
    out.attrs["source_file"] = file
    return out


def _say_which_sheet(
    info: Mapping[str, Any], asked: str | None, columns: Mapping[str, str] | None, file: str, rep: ValidationReport
) -> None:
    """Warn which sheet was read when the workbook has several, and which others also look like the list."""
    read = str(info.get("sheet", ""))
    others: Mapping[str, list[list[Any]]] = info.get("others", {})
    if not others:
        return
    hidden = set(info.get("hidden", ()))
    alike = [name for name, rows in others.items() if find_header(rows, columns) is not None]
    if asked is None:
        skipped = [n for n in hidden if n != read]
        why_zh = f"（隐藏的工作表 {', '.join(skipped)} 未读取）" if skipped else ""
        why_en = f" (hidden sheet(s) {', '.join(skipped)} not read)" if skipped else ""
        rep.warn(file, f"读取的是当前可见的工作表“{read}”{why_zh}", f"read the active visible worksheet "
                 f"'{read}'{why_en}", column="sheet", found=read)
    if alike:
        tags = [f"{n}{'（隐藏）' if n in hidden else ''}" for n in alike]
        tags_en = [f"'{n}'{' (hidden)' if n in hidden else ''}" for n in alike]
        rep.warn(file, f"其他工作表也像项目清单：{', '.join(tags)}；本次读取“{read}”，可用 sheet / --sheet 指定",
                 f"other worksheets also look like project lists: {', '.join(tags_en)}; read '{read}'; choose "
                 "with sheet = / --sheet", column="sheet", found=", ".join(alike))
