"""The Excel workbooks: a result's (assignments, site use, unplaced with reasons, KPIs, solver figures) and a
comparison's, with bold frozen headers, column widths and number formats, written fast at city scale.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import zipfile
from typing import Any, NamedTuple

import pandas as pd

from ..engine.results import AllocationResult, Comparison
from ..text import STATUS_WORDS, UNITS
from .tables import (
    assignment_frame,
    candidates_frame,
    efficiency_frame,
    kpi_frame,
    labelled,
    moves_frame,
    site_use_frame,
    solver_frame,
    spreadsheet_safe,
    unplaced_frame,
    warnings_frame,
)


def workbook_bytes(result: AllocationResult, *, lang: str = "zh") -> bytes:
    """The Excel workbook: assignments, site use, unplaced with reasons, KPIs, solver figures."""
    zh = lang == "zh"
    sheets: list[tuple[str, pd.DataFrame]] = [
        ("分配结果" if zh else "Assignments", labelled(assignment_frame(result, lang=lang), lang)),
        ("载体使用" if zh else "Site use", labelled(site_use_frame(result, lang=lang), lang)),
        ("未落位项目" if zh else "Unplaced", labelled(unplaced_frame(result, lang=lang), lang)),
        ("指标" if zh else "KPIs", kpi_frame(result, lang=lang)),
        ("求解信息" if zh else "Solver", solver_frame(result, lang=lang)),
        ("数据问题" if zh else "Data issues", warnings_frame(result, lang=lang)),
    ]
    eff, cand = efficiency_frame(result, lang=lang), candidates_frame(result, lang=lang)
    if eff is not None:
        sheets.insert(4, ("亩均效益" if zh else "Per mu", eff))
    if cand is not None:
        sheets.insert(5 if eff is not None else 4, ("盘活候选(D类)" if zh else "D-grade sites", cand))
    if result.moves is not None:
        sheets.append(("与参考方案的调整" if zh else "Moves vs reference", moves_frame(result, lang=lang)))
    return _workbook(sheets)


def comparison_workbook_bytes(cmp: Comparison, *, lang: str = "zh") -> bytes:
    """KPI deltas and moved projects of two scenarios, as an Excel workbook."""
    zh = lang == "zh"
    k = cmp.kpis.copy()
    k["kpi"] = k["label_zh"] if zh else k["label_en"]
    k = k[["kpi", "a", "b", "delta"]]
    mv = cmp.moved.copy()
    mv["change"] = mv["change"].map(lambda c: STATUS_WORDS[c].pick(lang) if c in STATUS_WORDS else c)
    return _workbook([
        ("指标对比" if zh else "KPI deltas", labelled(k, lang)),
        ("调整的项目" if zh else "Moved projects", labelled(mv, lang)),
    ])


def _workbook(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
    """The workbook of ``sheets``: bold frozen header, column widths, number formats by column.

    openpyxl spends tens of microseconds per cell (its cell objects, then its XML serialiser), seconds
    for a city-scale run. So openpyxl writes each sheet's header, layout and styles, while the data
    rows are rendered directly as the XML openpyxl writes for them (inline strings, ``"%.16g"``
    numbers, each column's style id) and spliced into its package: every part but the timestamps of
    ``docProps/core.xml`` is byte for byte what :func:`_workbook_cellwise` writes. A value this path
    does not render (dates, formula or error-code text, illegal characters, text over Excel's limit)
    sends the whole workbook through :func:`_workbook_cellwise`.
    """
    from openpyxl.cell.cell import Cell
    from openpyxl.utils import get_column_letter

    sheets = [(title, spreadsheet_safe(df)) for title, df in sheets]  # no user text becomes a formula
    cells: list[list[list[str]]] = []
    xml = _CellXml()
    for _, df in sheets:
        cols = _sheet_cells(df, xml)
        if cols is None:
            return _workbook_cellwise(sheets)
        cells.append(cols)
    splices: dict[int, _Splice] = {}
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for k, ((title, df), cols) in enumerate(zip(sheets, cells, strict=True), start=1):
            df.head(0).to_excel(xw, sheet_name=title[:31], index=False)
            ws = xw.sheets[title[:31]]
            fmts = _format_sheet(ws, df)
            if not len(df) or not len(df.columns):
                continue
            # openpyxl numbers cell styles in the order it meets them while saving: this sheet's header
            # style, then the number formats of its first data row from left to right (all rows alike)
            _ = ws.cell(row=1, column=1).style_id
            styles = []
            for j, fmt in enumerate(fmts, start=1):
                c = Cell(ws, row=2, column=j)  # not added to the sheet: only registers the style
                if fmt:
                    c.number_format = fmt
                styles.append(f' s="{c.style_id}"' if c.has_style else "")
            last = get_column_letter(len(df.columns))
            splices[k] = _Splice(xml.dimension(f"A1:{last}1"), xml.dimension(f"A1:{last}{len(df) + 1}"),
                                 _rows_xml(cols, styles, first_row=2))
    return _splice_rows(buf.getvalue(), splices) or _workbook_cellwise(sheets)


def _workbook_cellwise(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
    """The workbook written cell by cell by pandas and openpyxl (any value; slow for large tables)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for title, df in sheets:
            df.to_excel(xw, sheet_name=title[:31], index=False)
            ws = xw.sheets[title[:31]]
            for j, fmt in enumerate(_format_sheet(ws, df), start=1):
                if fmt:
                    for cell in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                        cell[0].number_format = fmt
    return buf.getvalue()


def _format_sheet(ws: Any, df: pd.DataFrame) -> list[str | None]:
    """Freeze the header row, size the columns, embolden the header; the number format of each column."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    fmts: list[str | None] = []
    for j, col in enumerate(df.columns, start=1):
        values = [str(col), *("" if pd.isna(v) else str(v) for v in df[col].head(200))]
        width = max(_display_width(v) for v in values)
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
        fmts.append(_number_format(str(col), df[col]))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    return fmts


def _sheet_cells(df: pd.DataFrame, cell: _CellXml) -> list[list[str]] | None:
    """Per column, the XML of each data cell after its reference (``<c r="B7"`` + this), or None."""
    out = []
    for j in range(len(df.columns)):
        col = cell.column(df.iloc[:, j])
        if col is None:
            return None
        out.append(col)
    return out


class _CellXml:
    """Values as pandas (``ExcelFormatter._format_value``, ``ExcelWriter._value_with_fmt``) and then
    openpyxl (``Cell._bind_value``, then ``etree_write_cell`` or ``lxml_write_cell``) write them, None for
    what only openpyxl may.

    openpyxl serialises with lxml when it is installed (``openpyxl.LXML``), else with the standard
    library, and the bytes differ: lxml writes ASCII (``&#20013;`` for 中, ``&#13;`` for a carriage
    return), closes an empty cell with ``></c>`` and marks any text with outer spaces ``xml:space``;
    the standard library writes UTF-8, ``<c ... />`` and marks only text that is not all spaces.
    """

    def __init__(self) -> None:
        from openpyxl.cell import _writer
        from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
        from pandas.api.types import is_bool, is_float, is_integer, is_scalar

        self.lxml = _writer.write_cell is _writer.lxml_write_cell
        self.EMPTY = ' t="inlineStr"></c>' if self.lxml else ' t="inlineStr" />'
        self.error_codes = frozenset(ERROR_CODES)
        self.illegal = ILLEGAL_CHARACTERS_RE.search
        self.is_bool, self.is_float, self.is_integer, self.is_scalar = is_bool, is_float, is_integer, is_scalar

    def column(self, s: pd.Series) -> list[str] | None:
        values = s.to_numpy()
        if values.dtype.kind == "f":  # NaN is written as "", infinities as text
            return [self.EMPTY if v != v else self.number(v) for v in values.tolist()]
        if values.dtype.kind in "iu":
            return [f' t="n"><v>{v:.16g}</v></c>' for v in values.tolist()]
        out = []
        seen: dict[str, str | None] = {}  # codes, statuses and names repeat down a column
        for v in s:  # as pandas' Excel writer iterates a column
            if type(v) is str:
                part = seen.get(v, "")
                if part == "":
                    part = seen[v] = self.text(v)
            else:
                part = self.value(v)
            if part is None:
                return None
            out.append(part)
        return out

    def value(self, val: Any) -> str | None:
        if self.is_scalar(val) and pd.isna(val):
            return self.EMPTY
        if getattr(val, "tzinfo", None) is not None:
            return None
        if self.is_integer(val):
            return f' t="n"><v>{int(val):.16g}</v></c>'
        if self.is_float(val):
            return self.number(float(val))
        if self.is_bool(val):
            return f' t="b"><v>{1 if val else 0}</v></c>'
        if isinstance(val, (datetime.date, datetime.timedelta)):
            return None
        return self.text(str(val))

    def number(self, v: float) -> str:
        if v in (math.inf, -math.inf):  # pandas writes infinities as the text "inf"
            return f' t="inlineStr"><is><t>{"inf" if v > 0 else "-inf"}</t></is></c>'
        return f' t="n"><v>{v:.16g}</v></c>'

    def text(self, text: str) -> str | None:
        if not text:
            return self.EMPTY
        if (len(text) > 32767 or (len(text) > 1 and text[0] == "=") or text in self.error_codes
                or self.illegal(text)):
            return None
        esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        stripped = text.strip()
        if self.lxml:
            esc = esc.replace("\r", "&#13;").encode("ascii", "xmlcharrefreplace").decode("ascii")
            space = ' xml:space="preserve"' if stripped != text else ""
        else:
            space = ' xml:space="preserve"' if stripped and stripped != text else ""
        return f' t="inlineStr"><is><t{space}>{esc}</t></is></c>'

    def dimension(self, ref: str) -> str:
        """The sheet's ``<dimension>`` element as openpyxl writes it."""
        return f'<dimension ref="{ref}"/>' if self.lxml else f'<dimension ref="{ref}" />'


def _rows_xml(cols: list[list[str]], styles: list[str], *, first_row: int) -> str:
    """``<row>`` elements of the data: each cell is ``<c r="{column}{row}"{style}`` + its XML."""
    from openpyxl.utils import get_column_letter

    heads = [f'<c r="{get_column_letter(j)}' for j in range(1, len(cols) + 1)]
    tails = [f'"{st}' for st in styles]
    out = []
    for i, row in enumerate(zip(*cols, strict=True), start=first_row):
        r = str(i)
        out.append(f'<row r="{r}">' + "".join([h + r + t + c for h, t, c in zip(heads, tails, row, strict=True)])
                   + "</row>")
    return "".join(out)


class _Splice(NamedTuple):
    header_dimension: str  # the header-only sheet's <dimension>
    dimension: str  # the full sheet's
    rows: str  # the <row> elements of the data


def _splice_rows(package: bytes, splices: dict[int, _Splice]) -> bytes | None:
    """Insert each sheet's data rows after its header row and set its dimension; None when the package
    does not have the layout expected (then the caller writes the workbook cell by cell)."""
    if not splices:
        return package
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    done = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        for info in src.infolist():
            data = src.read(info)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            sp = splices.get(int(m.group(1))) if m else None
            if sp is not None:
                xml = data.decode("utf-8")
                if xml.count(sp.header_dimension) != 1 or xml.count("<row ") != 1 \
                        or xml.count("</row></sheetData>") != 1:
                    return None
                xml = xml.replace(sp.header_dimension, sp.dimension)
                data = xml.replace("</row></sheetData>", "</row>" + sp.rows + "</sheetData>").encode("utf-8")
                done.add(info.filename)
            dst.writestr(info, data)
    return out.getvalue() if len(done) == len(splices) else None


def _number_format(col: str, s: pd.Series) -> str | None:
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return None
    if "率" in col or "tilisation" in col or "占比" in col:
        return "0.0%"
    if UNITS["yi"].zh in col or UNITS["yi"].en in col:  # the headers' unit, in either language
        return "#,##0.00"
    if UNITS["m2"].zh in col or UNITS["m2"].en in col:
        return "#,##0"
    if pd.api.types.is_integer_dtype(s):
        return "0"
    return "#,##0.0#"


def _display_width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)
