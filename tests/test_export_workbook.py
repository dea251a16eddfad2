"""The Excel export writes, part for part, the workbook pandas and openpyxl write cell by cell.

``_reference_workbook`` is the cell-by-cell writer the export used before its data rows were rendered
directly; every part of the package but the timestamps in ``docProps/core.xml`` must be the same bytes.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import PurePosixPath

import numpy as np
import openpyxl
import pandas as pd
import pytest
from engine_factory import scenario

import zq_land.outputs.workbook as ex
from benchmarks.generate import make_instance
from zq_land.engine.results import allocate, compare_results
from zq_land.outputs.tables import spreadsheet_safe


def _reference_workbook(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for title, raw in sheets:
            df = spreadsheet_safe(raw)  # what every export does first: no text cell becomes a formula
            df.to_excel(xw, sheet_name=title[:31], index=False)
            ws = xw.sheets[title[:31]]
            ws.freeze_panes = "A2"
            for j, col in enumerate(df.columns, start=1):
                values = [str(col), *("" if pd.isna(v) else str(v) for v in df[col].head(200))]
                width = max(ex._display_width(v) for v in values)
                ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
                fmt = ex._number_format(str(col), df[col])
                if fmt:
                    for cell in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                        cell[0].number_format = fmt
            for cell in ws[1]:
                cell.font = Font(bold=True)
    return buf.getvalue()


def _parts(xlsx: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(xlsx))
    return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _assert_same_workbook(got: bytes, want: bytes) -> None:
    g, w = _parts(got), _parts(want)
    assert list(g) == list(w)
    for name in w:
        assert g[name] == w[name], name


@pytest.fixture
def no_cellwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path must not quietly hand the work back to the cell-by-cell writer."""

    def refuse(_sheets: object) -> bytes:
        raise AssertionError("fell back to the cell-by-cell writer")

    monkeypatch.setattr(ex, "_workbook_cellwise", refuse)


def _tricky() -> pd.DataFrame:
    mixed = [None, np.nan, pd.NA, 3, np.int64(4), 2.5, np.float32(1.5), True, np.bool_(False), "  lead",
             "trail ", " both ", "   ", "", 'a & b <c> "q" \'x\'', "tab\there\nnew line\r", "中文，标点", "=",
             "#REF", Decimal("1.25"), PurePosixPath("a/b"), float("inf"), -float("inf"), 10**20, pd.NaT, "x" * 300]
    n = len(mixed)
    return pd.DataFrame({
        "项目编号": [f"P{i:03d}" for i in range(n)],
        "投资额(亿元)": [1 / 3, np.nan, np.inf, -np.inf, -0.0, 1e20, 123456789.123456789, 1e-7]
        + [float(i) for i in range(n - 8)],
        "面积(平方米)": np.arange(n, dtype=np.int64) * 1000,
        "使用率": np.linspace(0, 1, n),
        "评审批次": pd.array([None if i % 3 == 0 else i for i in range(n)], dtype="Int64"),
        "已锁定": [i % 2 == 0 for i in range(n)],
        "混合": pd.Series(mixed, dtype=object),
        "类别": pd.Categorical(["a", "b", None] * (n // 3) + ["a"] * (n % 3)),
        "可空小数": pd.array([None, 1.5] * (n // 2), dtype="Float64"),
        "无符号": np.arange(n, dtype=np.uint32),
        "大整数": np.arange(n, dtype=np.int64) + 12_345_678_901_234_567,
        "空列": [np.nan] * n,
        "float32": np.arange(n, dtype=np.float32) / 3,
        7: ["number as column name"] * n,
    })


def test_tricky_values_are_written_as_pandas_and_openpyxl_write_them(no_cellwise: None) -> None:
    sheets = [
        ("数据", _tricky()),
        ("空表", _tricky().head(0)),
        ("一列", pd.DataFrame({"只有一列": ["a", "b"]})),
        ("x" * 40, pd.DataFrame({"Utilisation": [0.5, np.nan], "floor m2": [1, 2], "Investment (亿元)": [1.0, 2.0]})),
        ("没有列", pd.DataFrame(index=range(3))),
    ]
    _assert_same_workbook(ex._workbook(sheets), _reference_workbook(sheets))


@pytest.mark.parametrize("value", [
    datetime.datetime(2022, 5, 1, 8, 30), datetime.date(2022, 5, 1), pd.Timestamp("2022-12-30"),
    datetime.timedelta(days=2), "=SUM(A1:A2)", "#N/A", "#DIV/0!",
])
def test_values_only_openpyxl_writes_go_the_cell_by_cell_way(value: object) -> None:
    df = pd.DataFrame({"a": ["x", value, "y"], "投资额(亿元)": [1.0, 2.0, 3.0]})
    sheets = [("s", df), ("t", pd.DataFrame({"b": [1, 2]}))]
    _assert_same_workbook(ex._workbook(sheets), _reference_workbook(sheets))


def test_a_datetime_column_is_written_cell_by_cell() -> None:
    df = pd.DataFrame({"可供日期": pd.to_datetime(["2022-01-01", None, "2023-06-30"]), "n": [1, 2, 3]})
    _assert_same_workbook(ex._workbook([("s", df)]), _reference_workbook([("s", df)]))


def test_characters_no_workbook_holds_are_dropped() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(ex._workbook([("s", pd.DataFrame({"a": ["ok", "bell\x07"]}))])))
    assert [c.value for c in wb["s"]["A"]] == ["a", "ok", "bell"]


@pytest.mark.parametrize("value", [pd.Timestamp("2022-01-01", tz="Asia/Shanghai")])
def test_unwritable_values_fail_as_before(value: object) -> None:
    sheets = [("s", pd.DataFrame({"a": ["ok", value]}))]
    with pytest.raises(Exception) as want:
        _reference_workbook(sheets)
    with pytest.raises(type(want.value)):
        ex._workbook(sheets)


@pytest.fixture(scope="module")
def results():  # type: ignore[no-untyped-def]
    sites, projects = make_instance(60, 30, seed=5, tightness=1.67)
    a = allocate(scenario(name="a", solver={"time_limit_s": 1}), sites=sites, projects=projects)
    b = allocate(scenario(name="b", weights={"investment": 1.0, "proximity": 1.0}, exclude_projects=["P00002"],
                          solver={"time_limit_s": 1}), sites=sites, projects=projects)
    return a, b


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_results_workbook_matches_the_cell_by_cell_one(
    results, lang: str, monkeypatch: pytest.MonkeyPatch, no_cellwise: None  # type: ignore[no-untyped-def]
) -> None:
    seen: list[list[tuple[str, pd.DataFrame]]] = []
    fast = ex._workbook

    def spy(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
        seen.append(sheets)
        return fast(sheets)

    monkeypatch.setattr(ex, "_workbook", spy)
    a, b = results
    for write in (lambda: ex.workbook_bytes(a, lang=lang), lambda: ex.workbook_bytes(b, lang=lang),
                  lambda: ex.comparison_workbook_bytes(compare_results(a, b), lang=lang)):
        got = write()
        _assert_same_workbook(got, _reference_workbook(seen[-1]))
    assert len(seen) == 3
    assert len(a.unplaced) and len(a.assignments) > len(a.unplaced)  # both placed and unplaced rows
    wb = openpyxl.load_workbook(io.BytesIO(ex.workbook_bytes(a, lang=lang)))
    first = wb.worksheets[0]
    assert first.freeze_panes == "A2" and first["A1"].font.b
    assert first.max_row == len(a.assignments) + 1
