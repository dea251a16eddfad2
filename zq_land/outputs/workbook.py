"""Exports of an :class:`~zq_land.results.AllocationResult` for a review meeting.

Every file is written atomically (a temporary file in the same folder, then a rename), and never over
a file the user gave as input. Table headers follow the language (Chinese by default); the CSV keeps the
contract's English column names (``project_id``, ``site_id``, ``status``, ``reason``) unless asked otherwise.
"""

from __future__ import annotations

import datetime
import io
import json
import math
import os
import platform
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from .._errors import input_error
from ..engine.results import AllocationResult, Comparison, kpi_rows
from ..vocab import COLUMN_ZH, INDUSTRY_ZH, KIND_ZH, MODE_ZH, STATUS_ZH

#: Header labels of exported tables: column -> (Chinese, English).
HEADERS: dict[str, tuple[str, str]] = {
    **{k: (v, k) for k, v in COLUMN_ZH.items()},
    "project_id": ("项目编号", "Project ID"),
    "name": ("项目名称", "Project"),
    "site_id": ("地块编号", "Site ID"),
    "site_name": ("载体名称", "Site"),
    "site_kind": ("载体类型", "Site kind"),
    "site_status": ("载体状态", "Site status"),
    "status": ("落位状态", "Status"),
    "reason": ("原因", "Reason"),
    "reason_zh": ("原因（中文）", "Reason (Chinese)"),
    "reason_en": ("原因（英文）", "Reason (English)"),
    "reason_code": ("原因代码", "Reason code"),
    "industry": ("产业类别", "Industry"),
    "mode": ("落地方式", "Mode"),
    "anchor": ("配套龙头", "Anchor"),
    "investment_yi": ("投资额(亿元)", "Investment (亿元)"),
    "land_need_mu": ("用地需求(亩)", "Land need (mu)"),
    "floor_need_m2": ("厂房需求(平方米)", "Floor need (m2)"),
    "review_meeting": ("评审批次", "Review meeting"),
    "zone": ("片区", "Zone"),
    "used_mu": ("使用土地(亩)", "Land used (mu)"),
    "used_m2": ("使用面积(平方米)", "Floor used (m2)"),
    "intensity_wan_per_mu": ("投资强度(万元/亩)", "Intensity (万元/亩)"),
    "distance_km": ("至龙头距离(公里)", "Distance to anchor (km)"),
    "locked": ("已锁定", "Locked"),
    "kind": ("类型", "Kind"),
    "area_mu": ("面积(亩)", "Area (mu)"),
    "floor_area_m2": ("建筑面积(平方米)", "Floor area (m2)"),
    "unit": ("单位", "Unit"),
    "capacity": ("容量", "Capacity"),
    "used": ("已用", "Used"),
    "free": ("剩余", "Free"),
    "utilisation": ("使用率", "Utilisation"),
    "n_projects": ("项目数", "Projects"),
    "projects": ("落位项目", "Projects placed"),
    "project_ids": ("项目编号列表", "Project IDs"),
    "free_mu_equiv": ("剩余(折合亩)", "Free (mu equivalent)"),
    "shadow_price": ("影子价格(亿元/单位)", "Shadow price (亿元 per unit)"),
    "shadow_price_zh": ("影子价格说明", "Shadow price (Chinese)"),
    "shadow_price_en": ("影子价格说明（英文）", "Shadow price"),
    "kpi": ("指标", "KPI"),
    "value": ("数值", "Value"),
    "site_a": ("方案A载体", "Site in A"),
    "site_b": ("方案B载体", "Site in B"),
    "change": ("变化", "Change"),
    "a": ("方案A", "A"),
    "b": ("方案B", "B"),
    "delta": ("差值(B-A)", "Delta (B-A)"),
}

ASSIGNMENT_COLUMNS = [
    "project_id", "name", "site_id", "site_name", "status", "reason", "industry", "mode", "anchor",
    "investment_yi", "land_need_mu", "floor_need_m2", "site_kind", "zone", "used_mu", "used_m2",
    "intensity_wan_per_mu", "distance_km", "locked", "review_meeting",
]
SITE_USE_COLUMNS = [
    "site_id", "name", "kind", "status", "zone", "unit", "capacity", "used", "free", "utilisation",
    "n_projects", "investment_yi", "intensity_wan_per_mu", "projects", "shadow_price",
]
UNPLACED_COLUMNS = ["project_id", "name", "industry", "mode", "investment_yi", "land_need_mu",
                    "floor_need_m2", "status", "reason_code", "reason"]
_STATUS_WORDS = {"placed": ("已落位", "placed"), "unplaced": ("未落位", "unplaced"),
                 "excluded": ("已排除", "excluded"), "moved": ("调整", "moved"),
                 "newly_placed": ("新落位", "newly placed")}


def write_outputs(
    result: AllocationResult,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    protect: Iterable[str | Path] = (),
    map_html: Callable[[AllocationResult], str] | None = None,
) -> dict[str, Path]:
    """Write every output of a run into ``out_dir`` and return their paths by name.

    ``protect`` lists input files that must never be overwritten (the scenario's inputs are always
    protected).
    """
    out = Path(out_dir)
    guard = {Path(p).resolve() for p in protect}
    for p in (result.scenario.sites, result.scenario.projects, result.scenario.source):
        if p is not None:
            guard.add(Path(p).resolve())
    if out.exists() and not out.is_dir():
        raise input_error(out, "输出位置已存在且不是文件夹", "the output path exists and is not a folder",
                          column="--out")
    out.mkdir(parents=True, exist_ok=True)

    paths = {
        "assignments.csv": out / "assignments.csv",
        "assignments.xlsx": out / "assignments.xlsx",
        "sites.geojson": out / "sites.geojson",
        "map.html": out / "map.html",
        "summary.json": out / "summary.json",
        "scenario.toml": out / "scenario.toml",
    }
    clash = [p for p in paths.values() if p.resolve() in guard]
    if clash:
        raise input_error(clash[0], "输出会覆盖输入文件，请换一个输出文件夹",
                          "an output would overwrite an input file; choose another output folder",
                          column="--out", found=str(clash[0]))

    atomic_write(paths["assignments.csv"], assignments_csv_bytes(result, lang=lang, headers="en"))
    atomic_write(paths["assignments.xlsx"], workbook_bytes(result, lang=lang))
    atomic_write(paths["sites.geojson"], sites_geojson_bytes(result))
    if map_html is None:
        from .maps import sites_map, standalone_html

        def map_html(r: AllocationResult) -> str:
            m = sites_map(r.sites, assignments=r.assignments, site_use=r.site_use, projects=r.projects,
                          lang=lang, show_supplier_lines=True)
            return standalone_html(m)

    atomic_write(paths["map.html"], map_html(result).encode("utf-8"))
    atomic_write(paths["summary.json"], summary_json_bytes(result))
    atomic_write(paths["scenario.toml"], audit_scenario_bytes(result))
    return paths


def assignments_csv_bytes(result: AllocationResult, *, lang: str = "zh", headers: str = "en") -> bytes:
    """The assignment table as CSV in UTF-8 with BOM (so Excel opens Chinese correctly).

    ``headers="en"`` keeps the contract's column names; ``headers="lang"`` labels them in ``lang``.
    """
    df = _assignment_frame(result, lang=lang, codes=headers != "en")
    if headers != "en":
        df = _label(df, lang)
    return df.to_csv(index=False).encode("utf-8-sig")


def sites_geojson_bytes(result: AllocationResult) -> bytes:
    """Every site column, ``area_mu`` filled in, and each site's used and free capacity, in EPSG:4326."""
    use = result.site_use[["site_id", "unit", "capacity", "used", "free", "utilisation", "n_projects",
                           "investment_yi", "project_ids"]]
    g = result.sites.merge(use, on="site_id", how="left")
    g = g.to_crs(4326) if g.crs is not None else g.set_crs(4326)
    for c in g.columns:
        if pd.api.types.is_datetime64_any_dtype(g[c]):
            g[c] = g[c].dt.strftime("%Y-%m-%d").where(g[c].notna(), None)
    return g.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")


def summary_json_bytes(result: AllocationResult) -> bytes:
    return json.dumps(result.summary(), ensure_ascii=False, indent=2, default=_json_default).encode("utf-8")


def audit_scenario_bytes(result: AllocationResult) -> bytes:
    """The scenario as run, with absolute input paths, their SHA-256 and the versions used, as TOML."""
    from .. import __version__

    sc = result.scenario
    lines = [
        f"# zq_land {__version__}: scenario as run, for the audit of a review meeting",
        f"# python {platform.python_version()}; " + "; ".join(f"{k} {v}" for k, v in _versions().items()),
    ]
    for key, fp in result.inputs.items():
        lines.append(f"# input {key}: {fp['path']} ({fp['bytes']} bytes) sha256 {fp['sha256']}")
    lines.append(f"# solver: {result.solve.solver}, status {result.solve.status}, "
                 f"objective {result.solve.objective}, bound {result.solve.bound}")
    data = sc.to_dict()
    if sc.sites is not None:
        data["sites"] = str(Path(sc.sites).resolve())
    if sc.projects is not None:
        data["projects"] = str(Path(sc.projects).resolve())
    from ..scenario import dumps_toml

    return ("\n".join(lines) + "\n" + dumps_toml(data)).encode("utf-8")


def workbook_bytes(result: AllocationResult, *, lang: str = "zh") -> bytes:
    """The Excel workbook: assignments, site use, unplaced with reasons, KPIs, solver figures."""
    zh = lang == "zh"
    sheets: list[tuple[str, pd.DataFrame]] = [
        ("分配结果" if zh else "Assignments", _label(_assignment_frame(result, lang=lang), lang)),
        ("载体使用" if zh else "Site use", _label(_site_use_frame(result, lang=lang), lang)),
        ("未落位项目" if zh else "Unplaced", _label(_unplaced_frame(result, lang=lang), lang)),
        ("指标" if zh else "KPIs", _kpi_frame(result, lang=lang)),
        ("求解信息" if zh else "Solver", _solver_frame(result, lang=lang)),
    ]
    return _workbook(sheets)


def comparison_workbook_bytes(cmp: Comparison, *, lang: str = "zh") -> bytes:
    """KPI deltas and moved projects of two scenarios, as an Excel workbook."""
    zh = lang == "zh"
    k = cmp.kpis.copy()
    k["kpi"] = k["label_zh"] if zh else k["label_en"]
    k = k[["kpi", "a", "b", "delta"]]
    mv = cmp.moved.copy()
    mv["change"] = mv["change"].map(lambda c: _STATUS_WORDS.get(c, (c, c))[0 if zh else 1])
    return _workbook([
        ("指标对比" if zh else "KPI deltas", _label(k, lang)),
        ("调整的项目" if zh else "Moved projects", _label(mv, lang)),
    ])


def audit_bundle_bytes(result: AllocationResult, *, lang: str = "zh", map_html: str | None = None) -> bytes:
    """A zip with the workbook, the CSV, the GeoJSON, the map, the summary and the scenario (audit copy)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("assignments.xlsx", workbook_bytes(result, lang=lang))
        z.writestr("assignments.csv", assignments_csv_bytes(result, lang=lang))
        z.writestr("sites.geojson", sites_geojson_bytes(result))
        z.writestr("summary.json", summary_json_bytes(result))
        z.writestr("scenario.toml", audit_scenario_bytes(result))
        if map_html is not None:
            z.writestr("map.html", map_html)
    return buf.getvalue()


# --- private helpers ------------------------------------------------------------------------------


def _assignment_frame(result: AllocationResult, *, lang: str, codes: bool = True) -> pd.DataFrame:
    """The assignment table; ``codes=False`` keeps the contract's coded values (placed, land, ...)."""
    df = result.assignments.copy()
    df["reason"] = df["reason_zh"] if lang == "zh" else df["reason_en"]
    cols = [c for c in ASSIGNMENT_COLUMNS if c in df.columns]
    if lang == "zh" and codes:
        df = _translate_codes(df)
    return df[cols + (["reason_en"] if lang == "zh" else [])]


def _site_use_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    df = result.site_use.copy()
    df["shadow_price"] = df["shadow_price"].round(6)
    cols = [c for c in SITE_USE_COLUMNS if c in df.columns]
    out = df[cols].rename(columns={"name": "site_name"})
    if lang == "zh":
        out = _translate_codes(out)
        out = out.assign(unit=out["unit"].map({"mu": "亩", "m2": "平方米"}))
    return out


def _unplaced_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    df = result.unplaced.copy()
    df["reason"] = df["reason_zh"] if lang == "zh" else df["reason_en"]
    out = df[[c for c in UNPLACED_COLUMNS if c in df.columns]]
    return _translate_codes(out) if lang == "zh" else out


def _kpi_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    heads = ["指标", "数值"] if lang == "zh" else ["KPI", "Value"]
    return pd.DataFrame(kpi_rows(result.kpis, lang), columns=heads)


def _solver_frame(result: AllocationResult, *, lang: str) -> pd.DataFrame:
    r = result.solve
    items = [
        ("情景", "scenario", result.scenario.name),
        ("求解状态", "status", r.status),
        ("求解器", "solver", r.solver),
        ("目标值", "objective", r.objective),
        ("上界", "bound", r.bound),
        ("相对间隙", "gap", r.gap),
        ("贪心方案目标值", "greedy objective", getattr(r, "greedy_objective", None)),
        ("线性松弛上界", "LP bound", getattr(r, "lp_bound", None)),
        ("线性松弛上界（不含装箱割）", "LP bound without packing cuts", getattr(r, "lp_bound_plain", None)),
        ("求解用时(秒)", "solve seconds", round(float(r.solve_seconds), 3)),
        ("说明", "message", getattr(r, "message", "")),
    ]
    zh = lang == "zh"
    return pd.DataFrame([{("项目" if zh else "Item"): a if zh else b, ("数值" if zh else "Value"): v}
                         for a, b, v in items])


def _translate_codes(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    maps = {"industry": INDUSTRY_ZH, "mode": MODE_ZH, "site_kind": KIND_ZH, "kind": KIND_ZH,
            "site_status": STATUS_ZH}
    for col, table in maps.items():
        if col in df.columns:
            df[col] = df[col].map(lambda v, t=table: t.get(v, v))
    if "status" in df.columns:
        words = {**{k: v[0] for k, v in _STATUS_WORDS.items()}, **STATUS_ZH}
        df["status"] = df["status"].map(lambda v: words.get(v, v))
    if "locked" in df.columns:
        df["locked"] = df["locked"].map({True: "是", False: ""})
    return df


def _label(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    i = 0 if lang == "zh" else 1
    return df.rename(columns={c: HEADERS[c][i] for c in df.columns if c in HEADERS})


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
    if "亿元" in col:
        return "#,##0.00"
    if "平方米" in col or "m2" in col:
        return "#,##0"
    if pd.api.types.is_integer_dtype(s):
        return "0"
    return "#,##0.0#"


def _display_width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("pulp", "highspy", "geopandas", "pyogrio", "shapely", "pyproj", "pandas", "folium"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "isoformat"):
        return o.isoformat()
    return str(o)
