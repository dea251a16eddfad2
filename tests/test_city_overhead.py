"""The city-scale fast paths write what the plain ones wrote: ``geojson_text`` is geopandas' ``to_json``
character for character, and ``spreadsheet_safe``'s skip of a clean column changes nothing."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon

from zq_land.outputs.files import geojson_text
from zq_land.outputs.tables import _FORMULA_RE, _ILLEGAL_RE, spreadsheet_safe

SQUARE = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)], [[(0.2, 0.2), (0.4, 0.2), (0.4, 0.4)]])
ODD = [SQUARE, MultiPolygon([SQUARE, Polygon([(5, 5), (6, 5), (6, 6)])]), None, Polygon(), Point(1, 2),
       LineString([(0, 0), (1, 1)]), Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1)]),
       GeometryCollection([SQUARE, Point(0, 0)]), MultiPolygon(), Polygon([(0.1, 1 / 3), (2.5e-7, 1e12), (7, 8)])]


def _frame(geoms: list[object]) -> gpd.GeoDataFrame:
    n = len(geoms)
    return gpd.GeoDataFrame({"site_id": [f"S{i}" for i in range(n)], "x": np.linspace(0, 1, n),
                             "t": ["a", None, np.nan, "é", 1.5, 2, pd.NaT, "", "q", "w"][:n] + ["z"] * (n - 10),
                             "k": np.arange(n)}, geometry=geoms, crs=4326)


@pytest.mark.parametrize("rows", [list(range(len(ODD))), [2, 3], [], [0]])
def test_geojson_text_is_geopandas_to_json(rows: list[int]) -> None:
    g = _frame(ODD).iloc[rows]
    assert geojson_text(g) == g.to_json(drop_id=True, ensure_ascii=False)
    only = g[["geometry"]]
    assert geojson_text(only) == only.to_json(drop_id=True, ensure_ascii=False)


coord = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def polygons(draw: st.DrawFn) -> Polygon | MultiPolygon:
    def one() -> Polygon:
        pts = draw(st.lists(st.tuples(coord, coord), min_size=3, max_size=6))
        return Polygon(pts)
    return MultiPolygon([one() for _ in range(draw(st.integers(2, 3)))]) if draw(st.booleans()) else one()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(polygons(), st.none()), min_size=1, max_size=8))
def test_geojson_text_property(geoms: list[object]) -> None:
    g = gpd.GeoDataFrame({"v": range(len(geoms))}, geometry=geoms, crs=4326)
    assert geojson_text(g) == g.to_json(drop_id=True, ensure_ascii=False)


def _plain_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``spreadsheet_safe`` as it was before the skip of clean columns."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype != object and not pd.api.types.is_string_dtype(s):
            continue
        text = s.map(lambda v: isinstance(v, str))
        if not text.any():
            continue
        t = s[text].astype(str).str.replace(_ILLEGAL_RE, "", regex=True)
        risky = t.str.contains(_FORMULA_RE, regex=True)
        t = t.where(~risky, "'" + t)
        out[c] = s.where(~text, t)
    return out


cell = st.one_of(st.text(alphabet=st.sampled_from(list("ab=+-@\t\r\x01\x7f 中'")), max_size=4), st.none(),
                 st.floats(allow_nan=True), st.integers(-5, 5))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=6))
def test_spreadsheet_safe_skip_changes_nothing(rows: list[list[object]]) -> None:
    df = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=object)
    df["n"] = range(len(df))
    df["s"] = pd.array(["=x" if i % 2 else "y" for i in range(len(df))], dtype="string")
    pd.testing.assert_frame_equal(spreadsheet_safe(df), _plain_safe(df))


# The readers' shortcuts (a plain float read at once, the code and text of a repeated cell remembered) say
# what the full path says: a numpy float and a str subclass take the full path, so each is the reference.
class _Str(str):
    pass


number = st.one_of(st.floats(), st.integers(-10**6, 10**13), st.sampled_from([0.0, -0.0, 1e-7, 1e12, 5e6]))
code_text = st.sampled_from(["land", "厂房", "Factory", " land ", "", "-", "nan", "无", "bogus", "平台", "LAND"])


@settings(max_examples=80, deadline=None)
@given(st.lists(number, max_size=12), st.sampled_from([None, 0.0]), st.sampled_from(["area_mu", "investment_yi"]))
def test_number_column_shortcut_says_what_the_full_path_says(values: list[float], minimum: float | None,
                                                              column: str) -> None:
    from zq_land._errors import ValidationReport
    from zq_land.io.values import number_column

    ids, rows = [f"S{i}" for i in range(len(values))], list(range(2, len(values) + 2))
    fast, full = ValidationReport(), ValidationReport()
    got = number_column(values, ids, rows, column, "f", fast, minimum=minimum)
    want = number_column([np.float64(v) for v in values], ids, rows, column, "f", full, minimum=minimum)
    np.testing.assert_array_equal(np.asarray(got, dtype=float), np.asarray(want, dtype=float))
    assert fast.problems == full.problems


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(code_text, st.none(), st.just(3.0)), max_size=12), st.booleans())
def test_code_and_text_columns_remember_only_what_they_may(values: list[object], required: bool) -> None:
    from zq_land._errors import ValidationReport
    from zq_land.io.values import code_column, text_column
    from zq_land.vocab import KIND_LOOKUP, KIND_ZH

    ids, rows = [f"S{i}" for i in range(len(values))], list(range(2, len(values) + 2))
    plain = [_Str(v) if isinstance(v, str) else v for v in values]
    for fn in (lambda vals, rep: code_column(vals, ids, rows, "kind", KIND_LOOKUP, KIND_ZH, "f", rep,
                                             required=required, default="land", warn_default=True),
               lambda vals, rep: text_column(vals, ids, rows, "zone", "f", rep)):
        fast, full = ValidationReport(), ValidationReport()
        assert fn(values, fast) == fn(plain, full)
        assert fast.problems == full.problems


def test_project_rows_deep_copy_cheaply_and_stay_a_list(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import copy
    import pickle

    from zq_land.io import read_projects
    from zq_land.io.projects import RowNumbers

    rows = RowNumbers([2, 3, 5])
    dup = copy.deepcopy(rows)
    assert dup == [2, 3, 5] and dup is not rows and isinstance(dup, list)
    assert pickle.loads(pickle.dumps(rows)) == [2, 3, 5]
    f = tmp_path / "p.csv"
    f.write_text("project_id,name,industry,mode,investment_yi,land_need_mu\n"
                 "P1,a,other,land,1,10\nP2,b,other,land,2,20\n", encoding="utf-8")
    df = read_projects(f)
    derived = df[df["investment_yi"] > 0].copy()  # pandas deep-copies attrs into derived frames
    assert derived.attrs["rows"] == [2, 3] and derived.attrs["rows"] is not df.attrs["rows"]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_chosen_pairs_find_what_the_merge_finds(data: st.DataObject) -> None:
    """The assignments' distances by the pairs' positions equal the left merge on the ids they replaced,
    also for a plan that placed a project off its pairs (a lock) and for projects with no pair at all."""
    from types import SimpleNamespace

    from zq_land.engine.results import _chosen_pairs

    n_p, n_s = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    cells = sorted(data.draw(st.sets(st.tuples(st.integers(0, n_p - 1), st.integers(0, n_s - 1)))))
    pairs = pd.DataFrame({"project_id": [f"P{p}" for p, _ in cells], "site_id": [f"S{s}" for _, s in cells],
                          "p": np.array([p for p, _ in cells], dtype=np.int64),
                          "s": np.array([s for _, s in cells], dtype=np.int64),
                          "distance_km": np.arange(len(cells), dtype=float) + 0.5})
    chosen = [data.draw(st.sampled_from(["", *(f"S{s}" for s in range(n_s))])) for _ in range(n_p)]
    out = pd.DataFrame({"project_id": [f"P{p}" for p in range(n_p)], "site_id": chosen})
    cands = SimpleNamespace(pairs=pairs, projects=pd.DataFrame({"project_id": out["project_id"]}),
                            sites=pd.DataFrame({"site_id": [f"S{s}" for s in range(n_s)]}))
    rows = _chosen_pairs(out, cands)  # type: ignore[arg-type]
    assert rows is not None
    got = np.where(rows >= 0, pairs["distance_km"].to_numpy()[np.maximum(rows, 0)] if len(pairs) else 0.0, np.nan)
    want = out.merge(pairs[["project_id", "site_id", "distance_km"]], on=["project_id", "site_id"], how="left")
    np.testing.assert_array_equal(got, want["distance_km"].to_numpy(float))
