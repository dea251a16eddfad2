"""read_projects on CSV (UTF-8, BOM, GBK) and Excel (title rows, blank rows, sheets), headers and values."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import PROJECT_HEADER, PROJECT_HEADER_ZH, PROJECT_ROWS, write_csv, write_xlsx
from hypothesis import given
from hypothesis import strategies as st

from zq_land._errors import ValidationReport
from zq_land.io import read_projects
from zq_land.io.values import parse_number
from zq_land.vocab import PROJECT_COLUMNS


def _check_three(df: pd.DataFrame) -> None:
    assert list(df.columns[: len(PROJECT_COLUMNS)]) == list(PROJECT_COLUMNS)
    assert df["project_id"].tolist() == ["P001", "P002", "P003"]
    assert df["name"].iat[0] == "铭利达新能源关键零部件"
    assert df["industry"].tolist() == ["nev_parts", "nev_parts", "electronics"]
    assert df["anchor"].tolist() == ["XPeng", "", "Ruiqing CATL"]
    assert df["investment_yi"].tolist() == [12.5, 1200.0, 0.3]
    assert df["mode"].tolist() == ["land", "lease", "platform"]
    assert df["land_need_mu"].iat[0] == 120.0 and math.isnan(df["land_need_mu"].iat[1])
    assert df["floor_need_m2"].tolist()[1:] == [8000.0, 1500.0]
    assert df["review_meeting"].tolist() == [1, 2, 3] and str(df["review_meeting"].dtype) == "Int64"
    assert df["priority"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_detected(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "p.csv", [PROJECT_HEADER_ZH, *PROJECT_ROWS], encoding=encoding)
    _check_three(read_projects(path))


def test_csv_english_headers_and_row_numbers(projects_csv: Path) -> None:
    df = read_projects(projects_csv)
    _check_three(df)
    assert df.attrs["rows"] == [2, 3, 4]


def test_semicolon_csv(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "\n".join(";".join(r) for r in [PROJECT_HEADER, *PROJECT_ROWS]).replace("1,200", "1200"),
        encoding="utf-8",
    )
    _check_three(read_projects(path))


def test_xlsx_with_title_row_blank_rows_and_numbers(tmp_path: Path) -> None:
    rows: list[list[object]] = [["2022年肇庆高新区评审通过项目", None, None], PROJECT_HEADER_ZH]
    rows += [PROJECT_ROWS[0], [None] * 9, PROJECT_ROWS[1], [], PROJECT_ROWS[2]]
    rows[2] = [*rows[2][:4], 12.5, *rows[2][5:]]  # a real number cell
    path = write_xlsx(tmp_path / "p.xlsx", rows, merge="A1:I1")
    df = read_projects(path)
    _check_three(df)
    assert df.attrs["rows"] == [3, 5, 7]


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [PROJECT_HEADER_ZH, *PROJECT_ROWS], sheet="项目库", extra_sheet="说明")
    _check_three(read_projects(path, sheet="项目库"))


def test_user_mapping_and_extra_columns(tmp_path: Path) -> None:
    header = [
        "编码",
        "名称",
        "行业",
        "链主",
        "总投资",
        "落地方式",
        "用地(亩)",
        "面积需求(平方米)",
        "评审会",
        "备注",
    ]
    rows = [[*r, "备注" + r[0]] for r in PROJECT_ROWS]
    path = write_csv(tmp_path / "p.csv", [header, *rows])
    df = read_projects(path, columns={"编码": "project_id", "总投资": "investment_yi"})
    _check_three(df)
    assert df["备注"].tolist() == ["备注P001", "备注P002", "备注P003"]
    assert df.columns[-1] == "备注"


def test_land_or_lease_and_priority(tmp_path: Path) -> None:
    rows = [
        [*PROJECT_HEADER, "priority"],
        ["P9", "x", "食品", "", "2", "供地或租赁", "30", "12000", "", "2.5"],
    ]
    df = read_projects(write_csv(tmp_path / "p.csv", rows))
    assert df["mode"].iat[0] == "land_or_lease" and df["industry"].iat[0] == "food"
    assert (df["land_need_mu"].iat[0], df["floor_need_m2"].iat[0]) == (30.0, 12000.0)
    assert df["priority"].iat[0] == 2.5 and df["review_meeting"].isna().all()


def test_empty_industry_is_other_with_a_warning(tmp_path: Path) -> None:
    rows = [PROJECT_HEADER, ["P1", "x", "", "", "1", "lease", "", "100", "1"]]
    rep = ValidationReport()
    df = read_projects(write_csv(tmp_path / "p.csv", rows), report=rep)
    assert df["industry"].tolist() == ["other"]
    assert [(p.row, p.item_id, p.column) for p in rep.warnings] == [(2, "P1", "industry")]


_FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99), st.booleans())
def test_numbers_as_planners_write_them(whole: int, cents: int, fullwidth: bool) -> None:
    text = f"{whole:,}.{cents:02d}"
    if fullwidth:
        text = text.translate(_FULLWIDTH)
    assert parse_number(text) == pytest.approx(whole + cents / 100)
    assert parse_number(f" {whole} 亩") == whole
    assert parse_number(f"{whole}x") is None


def test_names_are_kept_as_the_planner_wrote_them(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("项目编号,项目名称,产业类别,投资额(亿元),落地方式,用地需求(亩)\n"
                 "A1,测试（示例）项目 ,食品饮料,1.0,供地,10\n", encoding="utf-8")
    df = read_projects(p)
    assert df.loc[0, "name"] == "测试（示例）项目"  # full-width brackets kept, outer space trimmed
    assert df.loc[0, "industry"] == "food" and df.loc[0, "mode"] == "land"
