"""Property tests on the readers: random cells, encodings and header spellings never crash them.

For any project CSV / xlsx or site GeoJSON built from random values, ``read_projects`` /
``read_sites`` either

* return a table that accounts for every data row (row count, ids and row numbers preserved), or
* raise :class:`InputError` whose every problem names the file and a row or a column;

and never raise anything else. Duplicated ids must always be refused.

Two known reader bugs are kept out of the random search here and pinned as strict xfails in the
bad-input corpus instead (tests/data/bad/MANIFEST.toml): GBK bytes that also form valid UTF-8
(``projects_gbk_read_as_utf8.csv``) and ISO dates GDAL cannot hold (``sites_impossible_date.geojson``,
``sites_far_future_date.geojson``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from zq_land._errors import InputError
from zq_land.io import read_projects, read_sites
from zq_land.vocab import (
    INDUSTRY_ZH,
    KIND_ZH,
    MODE_ZH,
    PROJECT_HEADERS,
    SITE_HEADERS,
    STATUS_ZH,
)

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # reproducible in CI; the corpus holds the hand-picked cases
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ==============================================================================================
# cells
# ==============================================================================================
CHINESE = (
    "中恒地块新桥厂房孵化平台项目铭利达震裕汽车零部件电子信息食品饮料小鹏瑞庆时代租赁供地广东肇庆高新区示例"
)
FULLWIDTH_DIGITS = "０１２３４５６７８９"
#: Text a planner types: Latin, Chinese, full-width digits, punctuation that trips CSV parsers.
TEXT_ALPHABET = string.ascii_letters + string.digits + CHINESE + FULLWIDTH_DIGITS + " -_.,;、，（）()'\"/#"
ID_ALPHABET = string.ascii_uppercase + string.digits + "中恒新桥铭利达" + FULLWIDTH_DIGITS + "-_"
CODED = [
    *KIND_ZH,
    *KIND_ZH.values(),
    *STATUS_ZH,
    *STATUS_ZH.values(),
    *MODE_ZH,
    *MODE_ZH.values(),
    *INDUSTRY_ZH,
    *INDUSTRY_ZH.values(),
]

texts = st.text(TEXT_ALPHABET, min_size=1, max_size=12)
number_texts = st.one_of(
    st.integers(-(10**6), 10**7).map(str),
    st.floats(-1e6, 1e7, allow_nan=False).map(lambda x: f"{x:.3f}"),
    st.integers(0, 10**7).map(lambda n: f"{n:,}"),
    st.integers(0, 10**6).map(lambda n: str(n).translate(str.maketrans("0123456789", FULLWIDTH_DIGITS))),
    st.integers(0, 5000).map(lambda n: f"{n}亩"),
    st.sampled_from(["1e400", "NaN", "-0", "0", "1.2.3", "12,34", "约5亿"]),
)
text_cells = st.one_of(
    st.just(""), st.sampled_from(["-", "无", "nan", " "]), texts, number_texts, st.sampled_from(CODED)
)
ids = st.text(ID_ALPHABET, min_size=1, max_size=8).map(lambda s: "P" + s)
_FW = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _positive(lo: float, hi: float, units: list[str]) -> st.SearchStrategy[str]:
    """A valid positive number as a planner writes it: plain, 1,234.5, full-width, with a unit."""
    return st.tuples(
        st.floats(lo, hi, allow_nan=False).map(lambda x: round(x, 2)),
        st.sampled_from(["{:g}", "{:,.2f}", "{:.1f}"]),
        st.booleans(),
        st.sampled_from(["", *units]),
    ).map(lambda t: (t[1].format(t[0]).translate(_FW) if t[2] else t[1].format(t[0])) + t[3])


#: Valid values per project column (random forms): a table built from these must be accepted.
CLEAN_PROJECT = {
    "name": texts,
    "industry": st.one_of(st.just(""), st.sampled_from([*INDUSTRY_ZH, *INDUSTRY_ZH.values()])),
    "anchor": st.one_of(st.just(""), st.sampled_from(["XPeng", "小鹏汽车", "瑞庆时代", "Ruiqing CATL"])),
    "investment_yi": _positive(0.01, 500, ["亿元", " 亿元"]),
    # every mode is valid when both needs are given (> 0), as they always are in a clean table
    "mode": st.sampled_from([*MODE_ZH, *MODE_ZH.values(), "供地/租赁", "进驻平台", "租赁厂房"]),
    "land_need_mu": _positive(0.5, 3000, ["亩", " 亩"]),
    "floor_need_m2": _positive(10, 10**6, ["平方米", "m2", "㎡"]),
    "review_meeting": st.integers(1, 13).map(str),
    "priority": st.integers(-5, 5).map(str),
    "p_land": st.one_of(st.floats(0, 1).map(lambda v: f"{v:.3f}"), st.integers(0, 100).map(lambda v: f"{v}%")),
    "needed_by": st.one_of(st.just(""), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)).map(str)),
}


def _spellings(headers: dict[str, list[str]]) -> dict[str, st.SearchStrategy[str]]:
    """Each canonical column: its English name or any alias, maybe upper-cased or with full-width brackets."""

    def variants(alias: str) -> list[str]:
        out = [alias, alias.upper()]
        if "(" in alias:
            out.append(alias.replace("(", "（").replace(")", "）"))
        return out

    return {
        canon: st.sampled_from([v for a in aliases for v in variants(a)])
        for canon, aliases in headers.items()
    }


PROJECT_SPELLINGS = _spellings(PROJECT_HEADERS)
SITE_SPELLINGS = _spellings(SITE_HEADERS)


@st.composite
def project_tables(draw: st.DrawFn, *, typed: bool) -> tuple[list[str], list[list[Any]], list[str], bool]:
    """(header, rows, ids, clean): random header spellings in a shuffled order, random cells, given ids.

    ``typed`` cells (for xlsx) may be numbers, dates and booleans as well as text. A ``clean`` table
    has every required column and only valid values (in random forms): it must be accepted.
    """
    clean = draw(st.booleans())
    required = ["project_id", "investment_yi", "mode", "land_need_mu", "floor_need_m2"]
    base = required if clean else ["project_id"]
    optional = [c for c in PROJECT_HEADERS if c not in base]
    chosen = [*base, *draw(st.lists(st.sampled_from(optional), unique=True, max_size=len(optional)))]
    order = draw(st.permutations(chosen))
    header = [draw(PROJECT_SPELLINGS[c]) for c in order]
    n = draw(st.integers(1, 6))
    pid = draw(st.lists(ids, min_size=n, max_size=n))  # duplicates allowed: they must be refused
    cell = text_cells
    if typed:
        cell = st.one_of(
            text_cells,
            st.integers(-(10**6), 10**7),
            st.floats(-1e6, 1e7, allow_nan=False),
            st.booleans(),
            st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2035, 12, 31)),
            st.none(),
        )
    rows = []
    for i in range(n):
        if clean:
            row = [pid[i] if c == "project_id" else draw(CLEAN_PROJECT[c]) for c in order]
        else:
            row = [pid[i] if c == "project_id" else draw(cell) for c in order]
        rows.append(row)
    return header, rows, pid, clean


def _check_refusal(exc: InputError, path: Path) -> None:
    assert exc.report.problems, "an InputError with no problem"
    assert not exc.report.ok
    for p in exc.report.problems:
        assert p.file == str(path), p
        assert p.row is not None or p.column is not None, f"problem names neither row nor column: {p.text()}"
        assert path.name in p.text()


def _check_table(ids_in: list[str], ids_out: list[str], rows_out: list[int], first_row: int) -> None:
    assert ids_out == ids_in, "ids changed"
    assert rows_out == list(range(first_row, first_row + len(ids_in))), "row numbers changed"


# ==============================================================================================
# projects
# ==============================================================================================
@SETTINGS
@given(table=project_tables(typed=False), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_project_csv_is_read_whole_or_refused_with_where(
    tmp_path: Path, table: tuple[list[str], list[list[Any]], list[str], bool], encoding: str
) -> None:
    header, rows, pid, clean = table
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows([header, *rows])
    data = buf.getvalue().encode(encoding)
    if encoding == "gbk":
        # Known bug, pinned by projects_gbk_read_as_utf8.csv: GBK bytes that are valid UTF-8 too.
        try:
            data.decode("utf-8")
            assume(data.isascii())
        except UnicodeDecodeError:
            pass
    path = tmp_path / "projects.csv"
    path.write_bytes(data)
    _check_projects_read(path, pid, clean, first_row=2)


@SETTINGS
@given(table=project_tables(typed=True), title=st.booleans())
def test_project_xlsx_is_read_whole_or_refused_with_where(
    tmp_path: Path, table: tuple[list[str], list[list[Any]], list[str], bool], title: bool
) -> None:
    import openpyxl

    header, rows, pid, clean = table
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:  # a merged title row above the header, as review tables have
        ws.append(["2022年评审通过项目"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(header), 2))
    ws.append(header)
    for r in rows:
        ws.append(r)
    path = tmp_path / "projects.xlsx"
    wb.save(path)
    _check_projects_read(path, pid, clean, first_row=3 if title else 2)


def _check_projects_read(path: Path, pid: list[str], clean: bool, *, first_row: int) -> None:
    """The table is read whole (unique ids, every row, in order from ``first_row``) or refused with where."""
    try:
        df = read_projects(path)
    except InputError as exc:
        _check_refusal(exc, path)
        assert not (clean and len(set(pid)) == len(pid)), f"valid table refused:\n{exc.report.text('en')}"
        return
    assert len(set(pid)) == len(pid), "duplicate project ids were accepted"
    _check_table(pid, df["project_id"].tolist(), df.attrs["rows"], first_row)


# ==============================================================================================
# sites
# ==============================================================================================
site_cells = st.one_of(
    text_cells,
    st.integers(-(10**6), 10**7),
    st.floats(-1e6, 1e7, allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat),
)


def _industry_lists(words: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(words), max_size=3).flatmap(
        lambda codes: st.sampled_from([";", "、", ",", "，"]).map(lambda sep: sep.join(codes))
    )


valid_industries = _industry_lists([*INDUSTRY_ZH, *INDUSTRY_ZH.values(), "不限"])
industries_cells = _industry_lists([*INDUSTRY_ZH, *INDUSTRY_ZH.values(), "spaceships", "不限"])


#: Valid values per site column (random forms): a layer built from these must be accepted.
CLEAN_SITE = {
    "name": texts,
    "kind": st.sampled_from([*KIND_ZH, *KIND_ZH.values()]),
    "area_mu": st.one_of(st.none(), st.floats(0.5, 5000), _positive(0.5, 5000, ["亩"])),
    "floor_area_m2": st.one_of(st.floats(10, 10**6), _positive(10, 10**6, ["平方米", "㎡"])),
    "status": st.sampled_from([*STATUS_ZH, *STATUS_ZH.values()]),
    "industries": valid_industries,
    "min_invest_wan_per_mu": st.one_of(st.none(), st.integers(0, 2000)),
    "zone": st.one_of(st.just(""), texts),
    "available_from": st.one_of(
        st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat)
    ),
    "anchor": st.one_of(st.just(""), st.sampled_from(["XPeng", "小鹏汽车", "瑞庆时代"])),
}


@st.composite
def site_layers(draw: st.DrawFn) -> tuple[dict[str, Any], list[str], bool]:
    clean = draw(st.booleans())
    base = ["site_id", "kind", "floor_area_m2"] if clean else ["site_id", "kind"]
    optional = [c for c in SITE_HEADERS if c not in base]
    chosen = [*base, *draw(st.lists(st.sampled_from(optional), unique=True))]
    order = draw(st.permutations(chosen))
    spell = {c: draw(SITE_SPELLINGS[c]) for c in order}
    assume(len(set(spell.values())) == len(spell))
    n = draw(st.integers(1, 5))
    sid = draw(st.lists(ids.map(lambda s: "S" + s[1:]), min_size=n, max_size=n))
    features = []
    for i in range(n):
        props: dict[str, Any] = {}
        for c in order:
            if c == "site_id":
                props[spell[c]] = sid[i]
            elif clean:
                props[spell[c]] = draw(CLEAN_SITE[c])
            elif c == "industries":
                props[spell[c]] = draw(st.one_of(industries_cells, site_cells))
            else:
                props[spell[c]] = draw(site_cells)
        x, y = 112.80 + 0.01 * i, 23.30
        ring = [[x, y], [x + 0.002, y], [x + 0.002, y + 0.002], [x, y + 0.002], [x, y]]
        features.append(
            {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    return {"type": "FeatureCollection", "features": features}, sid, clean


@SETTINGS
@given(layer=site_layers(), ascii_json=st.booleans())
def test_site_geojson_is_read_whole_or_refused_with_where(
    tmp_path: Path, layer: tuple[dict[str, Any], list[str], bool], ascii_json: bool
) -> None:
    fc, sid, clean = layer
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=ascii_json), encoding="utf-8")
    try:
        gdf = read_sites(path)
    except InputError as exc:
        _check_refusal(exc, path)
        assert not (clean and len(set(sid)) == len(sid)), f"valid layer refused:\n{exc.report.text('en')}"
        return
    assert len(set(sid)) == len(sid), "duplicate site ids were accepted"
    assert gdf["site_id"].tolist() == sid
    assert len(gdf) == len(fc["features"])
    assert str(gdf.crs).upper().endswith("4326")


# ==============================================================================================
# a few fixed examples the properties rest on (fast, and readable when they fail)
# ==============================================================================================
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_chinese_headers_shuffled_full_width_digits(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(
        "落地方式,投资额（亿元）,项目编号,厂房需求(平方米)\n平台,０.３,甲-01,１５００\n租赁,1.2,甲-02,8000\n".encode(
            encoding
        )
    )
    df = read_projects(path)
    assert df["project_id"].tolist() == ["甲-01", "甲-02"]
    assert df["investment_yi"].tolist() == [0.3, 1.2]
    assert df["mode"].tolist() == ["platform", "lease"]
    assert df["floor_need_m2"].tolist() == [1500.0, 8000.0]


def test_duplicate_id_in_random_position_is_refused_with_both_rows(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "project_id,investment_yi,mode,land_need_mu\nA,1,land,5\nB,1,land,5\nA,2,land,5\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"duplicate project_id 'A': rows 2 and 4") as exc:
        read_projects(path)
    _check_refusal(exc.value, path)
