"""Maps: one shape per site, labels, legend, popups, GCJ-02 display shift, offline HTML, size at scale."""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, box

from zq_land._errors import InputError
from zq_land.geo import haversine_km
from zq_land.outputs import _offline
from zq_land.outputs.maps import (
    ArrowsLayer,
    LinesLayer,
    MarkersLayer,
    PlotLabels,
    SiteLayer,
    compare_map,
    display_geometry,
    map_json,
    popup_text,
    sites_map,
    standalone_html,
)

LON, LAT = 112.825, 23.33
OUT = Path(__file__).resolve().parents[1] / "test-output" / "maps"


def _sites() -> gpd.GeoDataFrame:
    """Six sites of every category, one a MultiPolygon, in the canonical column order."""
    d = 0.004  # ~400 m
    geoms = [
        box(LON, LAT, LON + d, LAT + d),
        box(LON + 0.01, LAT, LON + 0.01 + d, LAT + d),
        box(LON + 0.02, LAT, LON + 0.02 + d / 2, LAT + d / 2),
        box(LON + 0.03, LAT, LON + 0.03 + d / 2, LAT + d / 2),
        box(LON, LAT + 0.02, LON + 2 * d, LAT + 0.02 + 2 * d),
        MultiPolygon([box(LON + 0.04, LAT, LON + 0.042, LAT + 0.002),
                      box(LON + 0.045, LAT, LON + 0.047, LAT + 0.002)]),
    ]
    df = pd.DataFrame({
        "site_id": ["L1", "L2", "F1", "P1", "A1", "L3"],
        "name": ["中恒地块", "空地-02", "低效厂房-01", "孵化平台", "小鹏汽车肇庆基地", "原新桥钢结构厂地块"],
        "kind": ["land", "land", "factory", "platform", "land", "land"],
        "area_mu": [300.0, 120.0, 20.0, 10.0, 3000.0, 40.0],
        "floor_area_m2": [np.nan, np.nan, 12000.0, 5000.0, np.nan, np.nan],
        "status": ["inefficient", "vacant", "inefficient", "vacant", "occupied", "inefficient"],
        "industries": ["nev_parts;battery", "", "", "electronics", "nev_vehicle", "culture"],
        "min_invest_wan_per_mu": [np.nan] * 6,
        "zone": ["中恒", "", "大旺老工业区", "", "新能源汽车产业城", ""],
        "available_from": pd.to_datetime([pd.NaT] * 6),
        "anchor": ["", "", "", "", "XPeng", ""],
        # the map labels the plots the data marks (and anchors); English names where the data has them
        "label": [True, False, False, False, False, True],
        "name_en": ["Zhongheng plot", None, None, None, "XPeng Motors Zhaoqing base",
                    "Former Xinqiao steel-structure plant plot"],
    })
    rep = [g.representative_point() for g in geoms]
    df["lon"] = [p.x for p in rep]
    df["lat"] = [p.y for p in rep]
    return gpd.GeoDataFrame(df, geometry=geoms, crs="EPSG:4326")


def _assignments() -> pd.DataFrame:
    return pd.DataFrame({
        "project_id": ["P01", "P02", "P03", "P04"],
        "name": ["东风灵", "同益空气能", "捷翼线束", "未落地项目"],
        "site_id": ["L1", "L1", "F1", ""],
        "status": ["placed", "placed", "placed", "unplaced"],
        "investment_yi": [2.0, 1.5, 3.0, 0.5],
        "anchor": ["", "", "XPeng", ""],
        "used_mu": [100.0, 50.0, 0.0, 0.0],
        "used_m2": [0.0, 0.0, 8000.0, 0.0],
    })


def _layers(m: folium.Map) -> dict[str, SiteLayer]:
    return {c.layer_name: c for c in m._children.values() if isinstance(c, SiteLayer)}


def _layer_of(m: folium.Map, site_id: str) -> tuple[str, SiteLayer, dict]:
    for name, gj in _layers(m).items():
        for f in gj.data["features"]:
            if f["id"] == site_id:
                return name, gj, f
    raise AssertionError(f"{site_id} not on the map")


def _rendered(m: folium.Map) -> str:
    """The map's HTML with JSON \\uXXXX escapes decoded, as the browser will see the text."""
    html = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html)


def _label_texts(m: folium.Map) -> set[str]:
    """The labels shown at every zoom (anchors, plots the data marks)."""
    layer = _groups(m).get("地块名称")
    assert layer is None or isinstance(layer, PlotLabels)
    return set(layer.always) if layer is not None else set()


def _groups(m: folium.Map) -> dict[str, folium.map.Layer]:
    """The map's overlays other than site layers (labels, anchors, supplier lines), by name."""
    return {c.layer_name: c for c in m._children.values()
            if isinstance(c, (MarkersLayer, PlotLabels, LinesLayer, ArrowsLayer, folium.FeatureGroup))}


# --- one shape per site ---------------------------------------------------------------------------

def test_every_site_is_exactly_one_feature() -> None:
    sites = _sites()
    m = sites_map(sites)
    feats = [f for fc in map_json(m) for f in fc["features"]]
    assert sorted(f["id"] for f in feats) == sorted(sites["site_id"])
    multi = next(f for f in feats if f["id"] == "L3")
    assert multi["geometry"]["type"] == "MultiPolygon"
    assert len(multi["geometry"]["coordinates"]) == 2  # both parts kept, still one feature


def test_sites_are_grouped_by_kind_and_use() -> None:
    m = sites_map(_sites())
    assert _layer_of(m, "L1")[0].startswith("盘活低效用地")
    assert _layer_of(m, "L2")[0].startswith("空闲土地")
    assert _layer_of(m, "F1")[0].startswith("租赁厂房")
    assert _layer_of(m, "P1")[0].startswith("平台")
    assert _layer_of(m, "A1")[0].startswith("已占用")
    assert len(_layers(m)) == 5  # one layer per category, not one per site


def test_labels_anchor_marker_and_legend_present() -> None:
    m = sites_map(_sites())
    labels = _label_texts(m)
    assert {"中恒地块", "原新桥钢结构厂地块", "小鹏汽车"} <= labels  # the anchor by its short name
    assert "空地-02" not in labels  # an ordinary plot gets no permanent label, only one from zoom 15 on
    every = {it[2] for it in _groups(m)["地块名称"].items}
    assert every == {"中恒地块", "空地-02", "低效厂房-01", "孵化平台", "小鹏汽车", "原新桥钢结构厂地块"}
    anchors = _groups(m)["龙头企业"]
    assert isinstance(anchors, MarkersLayer) and [text for _, _, text in anchors.items] == ["小鹏汽车"]
    html = _rendered(m)
    assert html.count('"zq-anchor"') == 1 and "zq-label" in html
    assert "zq-legend" in html and "图例" in html and "已配置容量占比" in html and "已用 90 % 以上" in html
    assert "L.control.layers" in html


def test_english_labels_and_legend() -> None:
    html = _rendered(sites_map(_sites(), lang="en"))
    assert "Zhongheng plot" in html and "Legend" in html and "Vacant land" in html
    assert "图例" not in html and "空闲土地" not in html and "中恒地块" not in html


def test_popup_lists_projects_and_free_capacity() -> None:
    m = sites_map(_sites(), assignments=_assignments())
    _, gj, f = _layer_of(m, "L1")
    popup = popup_text(f["properties"])
    assert "- 东风灵（P01） · 2 亿元" in popup and "- 同益空气能（P02）" in popup and "落地项目（2）" in popup
    assert "地块编号：L1" in popup  # Chinese punctuation in the Chinese popup
    assert "容量 300.0 · 已配置 150.0 · 剩余 150.0 亩" in popup  # 300 mu - 100 - 50
    assert "未落地项目" not in json.dumps([fc for fc in map_json(m)], ensure_ascii=False)
    assert "已用 50 %" in popup
    # filled by how full the plot is: half used vs nothing used; outlined by kind
    _, gj2, f2 = _layer_of(m, "L2")
    assert gj.style_function(f)["fillColor"] == "#41b6c4" and gj2.style_function(f2)["fillColor"] == "#ffffd4"
    assert gj.style_function(f)["color"] == "#f28e2b" and gj2.style_function(f2)["color"] == "#2e9e44"


def test_site_use_table_drives_free_capacity() -> None:
    use = pd.DataFrame(
        {"site_id": ["L2"], "capacity": [120.0], "used": [120.0], "free": [0.0], "unit": ["mu"]}
    )
    m = sites_map(_sites(), site_use=use)
    _, gj, f = _layer_of(m, "L2")
    assert "剩余 0.0 亩" in popup_text(f["properties"])
    _, gj1, f1 = _layer_of(m, "L1")
    assert gj.style_function(f)["fillColor"] == "#225ea8"  # full: the darkest class
    assert gj1.style_function(f1)["fillColor"] == "#ffffd4"  # nothing on it


def test_user_text_is_escaped_by_the_popup_script() -> None:
    sites = _sites()
    sites.loc[1, "name"] = "<script>alert(1)</script>"
    m = sites_map(sites)
    html = m.get_root().render()
    assert "<script>alert(1)" not in html  # the name travels as JSON data ...
    assert "bindPopup" in html and "&lt;" in html  # ... and the popup script escapes it when shown


def test_popup_text_in_english() -> None:
    m = sites_map(_sites(), assignments=_assignments(), lang="en")
    text = popup_text(_layer_of(m, "F1")[2]["properties"], "en")
    assert text.splitlines()[0] == "低效厂房-01"  # no English name known: kept as given
    assert "Kind: factory · Status: inefficient (to revitalize)" in text
    assert "Capacity 12,000 · Allocated 8,000 · Free 4,000 m2" in text
    assert "- 捷翼线束 (P03) · 3 100M yuan" in text


# --- supplier lines -------------------------------------------------------------------------------

def test_supplier_lines_are_a_toggle_off_by_default() -> None:
    m = sites_map(_sites(), assignments=_assignments())
    group = _groups(m)["配套企业—龙头连线"]
    assert isinstance(group, LinesLayer)
    assert group.show is False and group.overlay is True
    lines = group.lines
    assert len(lines) == 1  # only 捷翼线束 supplies XPeng
    (lat0, lon0), (lat1, lon1), tip = lines[0]
    assert tip == "捷翼线束 → XPeng"
    html = _rendered(m)
    assert f".addTo({m.get_name()})" in html and f"{group.get_name()}.addTo" not in html  # not shown at opening
    sites = _sites().set_index("site_id")
    assert (lon0, lat0) == pytest.approx((sites.at["F1", "lon"], sites.at["F1", "lat"]), abs=1e-6)
    assert (lon1, lat1) == pytest.approx((sites.at["A1", "lon"], sites.at["A1", "lat"]), abs=1e-6)
    on = sites_map(_sites(), assignments=_assignments(), show_supplier_lines=True)
    assert _groups(on)["配套企业—龙头连线"].show is True


def test_anchor_taken_from_projects_table() -> None:
    assign = _assignments().drop(columns=["anchor"])
    projects = pd.DataFrame({"project_id": ["P03"], "anchor": ["小鹏汽车"]})
    m = sites_map(_sites(), assignments=assign, projects=projects)
    assert "配套企业—龙头连线" in _groups(m)
    assert "配套企业—龙头连线" not in _groups(sites_map(_sites(), assignments=assign))


# --- GCJ-02 ---------------------------------------------------------------------------------------

def test_gaode_shifts_overlay_about_600m_ese_and_leaves_input_untouched() -> None:
    sites = _sites()
    before = sites.copy()
    osm = _layer_of(sites_map(sites, basemap="osm"), "L1")[2]
    gaode = _layer_of(sites_map(sites, basemap="gaode"), "L1")[2]
    c0 = shapely.geometry.shape(osm["geometry"]).centroid
    c1 = shapely.geometry.shape(gaode["geometry"]).centroid
    dist_m = float(haversine_km(c0.x, c0.y, c1.x, c1.y)) * 1000
    east = (c1.x - c0.x) * 111_320 * math.cos(math.radians(c0.y))
    north = (c1.y - c0.y) * 110_574
    bearing = math.degrees(math.atan2(east, north)) % 360
    assert 500 <= dist_m <= 700
    assert 95 <= bearing <= 135  # east-south-east
    pd.testing.assert_frame_equal(pd.DataFrame(sites.drop(columns="geometry")),
                                  pd.DataFrame(before.drop(columns="geometry")))
    assert sites.geometry.geom_equals_exact(before.geometry, tolerance=0).all()


def test_gaode_offers_only_gaode_tiles() -> None:
    html = _rendered(sites_map(_sites(), basemap="gaode"))
    assert "autonavi.com" in html and "openstreetmap" not in html


# --- basemaps and bad options ----------------------------------------------------------------------

def test_tianditu_layers_with_key() -> None:
    html = _rendered(sites_map(_sites(), basemap="tianditu", tianditu_key="KEY123"))
    for layer in ("vec_w", "cva_w", "img_w", "cia_w"):
        assert f"tianditu.gov.cn/{layer}/wmts" in html
    assert "tk=KEY123" in html


def test_tianditu_without_key_is_refused() -> None:
    with pytest.raises(InputError, match="Tianditu basemap needs a key"):
        sites_map(_sites(), basemap="tianditu")


def test_unknown_basemap_is_refused() -> None:
    with pytest.raises(InputError, match="unknown basemap: google"):
        sites_map(_sites(), basemap="google")  # type: ignore[arg-type]


def test_sites_without_required_columns_are_refused() -> None:
    with pytest.raises(InputError, match=r"缺少列.*status"):
        sites_map(_sites().drop(columns=["status"]))


def test_empty_sites_are_refused() -> None:
    with pytest.raises(InputError, match="the sites table is empty"):
        sites_map(_sites().iloc[:0])


def test_site_without_geometry_is_refused_by_id() -> None:
    sites = _sites()
    sites.loc[2, "geometry"] = None
    with pytest.raises(InputError, match="id F1"):
        sites_map(sites)


def test_projected_sites_are_drawn_in_degrees() -> None:
    sites = _sites().to_crs(4526)
    feats = [f for fc in map_json(sites_map(sites)) for f in fc["features"]]
    x, y = shapely.geometry.shape(feats[0]["geometry"]).centroid.coords[0]
    assert 112.7 < x < 112.9 and 23.2 < y < 23.4


# --- compare --------------------------------------------------------------------------------------

def test_compare_map_highlights_sites_whose_projects_changed() -> None:
    a = _assignments()
    b = a.copy()
    b.loc[b["project_id"] == "P02", "site_id"] = "L2"  # 同益 moves from L1 to L2
    b.loc[b["project_id"] == "P04", ["site_id", "status"]] = ["P1", "placed"]  # newly placed
    m = compare_map(_sites(), a, b, name_a="recorded", name_b="optimised")
    layers = {n.split("（")[0]: gj for n, gj in _layers(m).items()}
    ids = {n: sorted(f["id"] for f in gj.data["features"]) for n, gj in layers.items()}
    assert ids["有项目迁出的地块"] == ["L1"] and ids["新迁入项目的地块"] == ["L2", "P1"]
    assert ids["项目未变化的地块"] == ["F1"] and ids["两次均无项目的地块"] == ["A1", "L3"]
    feats = [f for gj in layers.values() for f in gj.data["features"]]
    pop = {f["id"]: popup_text(f["properties"]) for f in feats}
    # exactly one arrow: the project that moved from one site to another (not the newly placed one)
    arrows = _groups(m)["项目迁移（旧地块→新地块）（1）"]
    assert isinstance(arrows, ArrowsLayer) and len(arrows.arrows) == 1
    (start, end, tip), = arrows.arrows
    pts = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in feats}
    assert pts["L1"].contains(Point(start[1], start[0])) and pts["L2"].contains(Point(end[1], end[0]))
    assert tip == "同益空气能：中恒地块 → 空地-02"
    assert "迁出" in pop["L1"] and "同益空气能" in pop["L1"] and "东风灵" in pop["L1"]
    assert "迁入" in pop["L2"] and "同益空气能" in pop["L2"]
    total = sum(len(fc["features"]) for fc in map_json(m))
    assert total == len(_sites())
    assert "recorded → optimised" in _rendered(m)


# --- offline HTML ---------------------------------------------------------------------------------

def test_standalone_html_needs_no_internet() -> None:
    m = sites_map(_sites(), assignments=_assignments())
    doc = standalone_html(m)
    assert not re.search(r"<script[^>]*\bsrc=[\"']https?:", doc, re.I)
    assert not re.search(r"<link[^>]*\bhref=[\"']https?:", doc, re.I)
    assert not re.search(r"<script[^>]*\bsrc=", doc, re.I)  # nothing external at all
    assert f"Leaflet {_offline.leaflet_version()}" in doc or _offline.leaflet_version() in doc
    assert ".leaflet-pane" in doc  # the CSS
    assert "url(images/" not in doc and "data:image/png;base64," in doc
    assert doc.index('<meta charset="utf-8"/>') < 200  # before the big inline blocks
    assert '"L1"' in doc and "中恒地块" in doc  # the sites' data travels in the file (UTF-8 JSON)
    # the map keeps its own (app static) links for later use in the app
    assert m.default_js == _offline.asset_links()[0]


def test_standalone_html_after_an_online_render_and_with_foreign_plugins() -> None:
    m = sites_map(_sites(), offline=False)
    m.get_root().render()  # leaves CDN links (jQuery, Bootstrap, ...) in the figure's header
    doc = standalone_html(m)
    assert "cdn.jsdelivr.net" not in doc and "code.jquery.com" not in doc
    from folium.plugins import MarkerCluster

    MarkerCluster().add_to(m)
    with pytest.raises(ValueError, match=r"cannot be inlined.*markercluster"):
        standalone_html(m)


def test_offline_links_are_per_map_not_global() -> None:
    cdn_js = list(folium.Map.default_js)
    m = sites_map(_sites())
    assert m.default_js == [("leaflet", "../../app/static/vendor/leaflet/leaflet.js")]
    assert m.default_css == [("leaflet_css", "../../app/static/vendor/leaflet/leaflet.css")]
    assert folium.Map.default_js == cdn_js and folium.Map().default_js == cdn_js
    online = sites_map(_sites(), offline=False)
    assert online.default_js == cdn_js


def test_install_static_assets(tmp_path: Path) -> None:
    dest = _offline.install_static_assets(tmp_path)
    assert (dest / "leaflet.js").stat().st_size > 100_000
    assert (dest / "leaflet.css").read_text().count(".leaflet-") > 50
    assert (dest / "images" / "layers.png").exists()
    again = _offline.install_static_assets(tmp_path)  # idempotent
    assert again == dest and not list(dest.rglob("*.tmp"))


def test_display_geometry_rounds_and_simplifies() -> None:
    circle = Point(LON, LAT).buffer(0.001, quad_segs=256)  # ~110 m radius, 1,025 vertices
    wiggly = gpd.GeoSeries([circle], crs="EPSG:4326")
    out = display_geometry(wiggly)[0]
    coords = shapely.get_coordinates(out)
    assert len(coords) < len(shapely.get_coordinates(circle)) / 3
    assert np.allclose(coords, np.round(coords, 6), atol=0, rtol=0)
    assert out.symmetric_difference(circle).area / circle.area < 0.01
    assert shapely.get_coordinates(wiggly.iloc[0]).shape[0] == 1025  # input untouched


# --- size at scale --------------------------------------------------------------------------------

def _generated_parcels(n: int, *, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` irregular parcels (24-48 raw vertices each) on a grid inside the zone; seeded."""
    rng = np.random.default_rng(seed)
    side = math.ceil(math.sqrt(n))
    geoms = []
    for i in range(n):
        cx, cy = 112.79 + (i % side) * 0.0011, 23.27 + (i // side) * 0.0011
        k = int(rng.integers(24, 49))
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = 0.0004 * (1 + 0.15 * rng.standard_normal(k)).clip(0.6, 1.4)
        ring = np.column_stack([cx + r * np.cos(ang), cy + r * np.sin(ang)])
        geoms.append(shapely.Polygon(ring).buffer(0))
    kinds = rng.choice(["land", "factory", "platform"], size=n, p=[0.6, 0.3, 0.1])
    df = pd.DataFrame({
        "site_id": [f"G{i:05d}" for i in range(n)],
        "name": [f"地块{i}" for i in range(n)],
        "kind": kinds,
        "area_mu": rng.uniform(5, 80, n).round(1),
        "floor_area_m2": np.where(kinds == "land", np.nan, rng.uniform(1000, 20000, n).round()),
        "status": rng.choice(["vacant", "inefficient"], size=n),
        "industries": "",
        "min_invest_wan_per_mu": np.nan,
        "zone": "",
        "available_from": pd.NaT,
        "anchor": "",
    })
    return gpd.GeoDataFrame(df, geometry=geoms, crs="EPSG:4326")


def _generated_assignments(sites: gpd.GeoDataFrame, n: int, *, seed: int = 11) -> pd.DataFrame:
    """``n`` placed projects on random sites (some sites get several, most none) and a few unplaced."""
    rng = np.random.default_rng(seed)
    on = rng.choice(sites["site_id"].to_numpy(), size=n)
    placed = pd.DataFrame({
        "project_id": [f"Q{i:05d}" for i in range(n)],
        "name": [f"项目{i}" for i in range(n)],
        "site_id": on,
        "status": "placed",
        "investment_yi": rng.uniform(0.1, 20, n).round(2),
        "anchor": "",
        "used_mu": rng.uniform(1, 5, n).round(1),
        "used_m2": 0.0,
    })
    unplaced = pd.DataFrame({"project_id": ["Q-X1", "Q-X2"], "name": ["无处落地甲", "无处落地乙"],
                             "site_id": ["", None], "status": "unplaced", "investment_yi": 1.0, "anchor": "",
                             "used_mu": 0.0, "used_m2": 0.0})
    return pd.concat([placed, unplaced], ignore_index=True)


def _max_hausdorff_m(a: gpd.GeoSeries, b: gpd.GeoSeries) -> float:
    """Largest Hausdorff distance in metres between matching rows (a metric CRS, densified edges)."""
    from zq_land.geo import metric_crs_of

    crs = metric_crs_of(gpd.GeoDataFrame(geometry=a))
    ga, gb = np.asarray(a.to_crs(crs).values), np.asarray(b.to_crs(crs).values)
    return float(np.max(shapely.hausdorff_distance(ga, gb, densify=0.05)))


def test_holes_and_multipolygons_survive_the_compact_encoding() -> None:
    sites = _sites()
    outer = box(LON, LAT, LON + 0.004, LAT + 0.004)
    sites.loc[0, "geometry"] = outer.difference(box(LON + 0.001, LAT + 0.001, LON + 0.002, LAT + 0.002))
    sites.loc[1, "geometry"] = MultiPolygon([box(LON + 0.01, LAT, LON + 0.011, LAT + 0.001),
                                             box(LON + 0.012, LAT, LON + 0.013, LAT + 0.001).difference(
                                                 box(LON + 0.0122, LAT + 0.0002, LON + 0.0125, LAT + 0.0005))])
    feats = {f["id"]: f for fc in map_json(sites_map(sites)) for f in fc["features"]}
    drawn = gpd.GeoSeries([shapely.geometry.shape(feats[s]["geometry"]) for s in sites["site_id"]], crs=4326)
    assert drawn.is_valid.all()
    assert len(feats["L1"]["geometry"]["coordinates"]) == 2  # shell and hole
    assert feats["L2"]["geometry"]["type"] == "MultiPolygon"
    assert [len(p) for p in feats["L2"]["geometry"]["coordinates"]] == [1, 2]
    assert _max_hausdorff_m(sites.geometry, drawn) < 1.0
    assert drawn.iloc[0].area == pytest.approx(sites.geometry.iloc[0].area, rel=1e-3)


def test_user_text_cannot_break_the_page_script() -> None:
    """Names with template syntax, a closing script tag or line separators reach the page as data."""
    sites = _sites()
    odd = ["{{ 1 + 1 }} 地块", "{% if x %}a{% endif %}", "</script><script>alert(1)</script>", "a\u2028b{#c#}"]
    sites.loc[[1, 2, 3, 5], "name"] = odd
    sites.loc[5, "name"] = odd[3] + "新桥钢结构"  # a labelled plot: its label carries the text too
    m = sites_map(sites, assignments=_assignments())
    doc = standalone_html(m)
    assert "</script><script>alert" not in doc and "\u2028" not in doc.replace("\\u2028", "")
    assert "{{ 1 + 1 }}" in doc.replace("\\u003c", "<")  # not evaluated by a template engine
    names = {f["id"]: f["properties"]["n"] for fc in map_json(m) for f in fc["features"]}
    assert names["L2"] == odd[0] and names["F1"] == odd[1] and names["P1"] == odd[2]
    assert odd[3] + "新桥钢结构" in _label_texts(m)


@pytest.mark.slow
def test_5000_parcels_one_feature_each_within_1m_with_their_projects() -> None:
    sites = _generated_parcels(5000)
    assign = _generated_assignments(sites, 1800)
    t0 = time.perf_counter()
    m = sites_map(sites, assignments=assign)
    doc = standalone_html(m)
    seconds = time.perf_counter() - t0
    size = len(doc.encode("utf-8"))
    feats = [f for fc in map_json(m) for f in fc["features"]]
    # one feature (one Leaflet path) per site, no site twice
    assert [f["id"] for f in feats] != [] and sorted(f["id"] for f in feats) == sorted(sites["site_id"])
    # every drawn outline within 1 m of its site (after simplification and rounding)
    by_id = {f["id"]: f for f in feats}
    drawn = gpd.GeoSeries([shapely.geometry.shape(by_id[s]["geometry"]) for s in sites["site_id"]], crs=4326)
    worst = _max_hausdorff_m(sites.geometry, drawn)
    assert 0.0 < worst <= 1.0, worst
    assert shapely.get_num_coordinates(np.asarray(drawn.values)).sum() < shapely.get_num_coordinates(
        np.asarray(sites.geometry.values)).sum()  # simplified
    # every site's popup lists exactly its placed projects, with their investment
    placed = assign[assign["status"] == "placed"]
    for sid, grp in placed.groupby("site_id"):
        text = popup_text(by_id[sid]["properties"])
        assert f"落地项目（{len(grp)}）" in text, text
        for name, pid, inv in zip(grp["name"], grp["project_id"], grp["investment_yi"], strict=True):
            assert f"- {name}（{pid}） · {inv:g} 亿元" in text
    assert sum(len(f["properties"].get("p", [])) for f in feats) == len(placed)
    assert "无处落地" not in doc
    # the file works offline and stays small
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?https?:", doc, re.I)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", doc, re.I)
    assert not re.search(r"@import\s+(url\()?[\"']?https?:", doc, re.I)
    raw = sites.to_json(drop_id=True).encode("utf-8")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "size_5000.json").write_text(json.dumps({
        "parcels": 5000, "html_bytes": size, "build_seconds": round(seconds, 2),
        "raw_geojson_bytes": len(raw), "bytes_per_parcel": round(size / 5000), "max_offset_m": round(worst, 3),
    }, indent=1))
    print(f"\n5,000 parcels: {size / 1e6:.2f} MB HTML, built in {seconds:.2f} s, outlines within {worst:.2f} m")
    assert size < 4_000_000 < len(raw)  # the raw GeoJSON alone is larger than the whole page


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_standalone_file_draws_every_parcel_offline_in_chromium(tmp_path: Path) -> None:
    """The page itself decodes the compact layers: one path per site, popups, labels; no request leaves."""
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    sites = _generated_parcels(2000)
    sites.loc[0, "geometry"] = MultiPolygon([box(112.789, 23.269, 112.7893, 23.2693),
                                             box(112.7895, 23.269, 112.7898, 23.2693)])
    sites.loc[1, "name"] = "中恒地块 </script>{{x}}"
    sites["label"] = sites.index == 1  # the plot the data marks for a permanent label
    assign = _generated_assignments(sites, 600)
    assign.loc[0, "site_id"] = sites.loc[1, "site_id"]
    path = tmp_path / "map.html"
    path.write_text(standalone_html(sites_map(sites, assignments=assign)), encoding="utf-8")
    errors: list[str] = []
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("pageerror", lambda e: errors.append(str(e)))

            def route(r: object) -> None:
                url = r.request.url  # type: ignore[attr-defined]
                if url.startswith(("file:", "data:", "about:")):
                    r.continue_()  # type: ignore[attr-defined]
                else:
                    outside.append(url)
                    r.abort()  # type: ignore[attr-defined]

            page.route("**/*", route)
            page.goto(path.as_uri(), wait_until="domcontentloaded")
            page.wait_for_function("document.querySelectorAll('path.zq-site').length >= 2000", timeout=30_000)
            assert page.locator(".leaflet-overlay-pane path").count() == 2000  # lines are off
            assert page.locator("path.zq-site").count() == 2000
            assert page.locator(".zq-legend").count() == 1 and page.locator(".leaflet-control-layers").count() == 1
            assert "中恒地块 </script>{{x}}" in page.locator(".leaflet-marker-pane").inner_text()
            popup = page.evaluate("""() => {
                var paths = document.querySelectorAll("path.zq-site");
                for (var i = 0; i < Math.min(paths.length, 300); i++) {  // until a site with projects
                    paths[i].dispatchEvent(new MouseEvent("click", {bubbles: true, clientX: 600, clientY: 450}));
                    var c = document.querySelector(".leaflet-popup-content");
                    if (c && c.innerText.indexOf("落地项目") >= 0) { return c.innerText; }
                }
                return null;
            }""")
            assert popup and "地块编号" in popup and "亿元" in popup, popup  # formatted by the page's script
        finally:
            browser.close()
    assert not errors, errors
    assert not [u for u in outside if u.split("?", 1)[0].endswith((".js", ".css"))], outside


# --- the map draws what the run used ---------------------------------------------------------------

def _run_with_anchor_point(**policy: float):  # type: ignore[no-untyped-def]
    from engine_factory import make_projects, make_sites, scenario

    from zq_land.engine.results import allocate

    sites = make_sites([
        {"site_id": "XP", "name": "小鹏汽车肇庆基地", "area_mu": 3000.0, "status": "occupied", "anchor": "XPeng",
         "lon": 112.83, "lat": 23.30},
        {"site_id": "L1", "area_mu": 100.0, "lon": 112.84, "lat": 23.33},
        {"site_id": "F1", "kind": "factory", "floor_area_m2": 10_000.0, "lon": 112.85, "lat": 23.32},
    ])
    projects = make_projects([
        {"project_id": "P1", "name": "铭利达", "land_need_mu": 20.0, "anchor": "小鹏汽车", "investment_yi": 2.0},
        {"project_id": "P2", "name": "捷翼线束", "mode": "lease", "floor_need_m2": 3000.0, "anchor": "XPeng"},
        {"project_id": "P3", "land_need_mu": 10.0},
    ])
    sc = scenario(weights={"investment": 1.0, "proximity": 0.1}, anchors={"XPeng": [112.90, 23.40]},
                  policy=policy, solver={"time_limit_s": 10})
    return allocate(sc, sites=sites, projects=projects)


def test_supplier_lines_end_where_the_objective_measured() -> None:
    """[anchors] XPeng = [112.90, 23.40]: the objective measures to that point, and so does the map (it drew
    the lines to the occupied XPeng site before, 1.1 km long for a 12.3 km distance in the objective)."""
    from zq_land.outputs.maps import result_map

    result = _run_with_anchor_point()
    assert result.anchor_points["XPeng"] == ((112.90, 23.40),)
    a = result.assignments.set_index("project_id")
    lines = _groups(result_map(result))["配套企业—龙头连线"]
    assert isinstance(lines, LinesLayer) and len(lines.lines) == 2
    sites = result.sites.set_index("site_id")
    for (lat0, lon0), (lat1, lon1), tip in lines.lines:
        pid = {"铭利达 → XPeng": "P1", "捷翼线束 → XPeng": "P2"}[tip]
        sid = a.at[pid, "site_id"]
        assert (lon1, lat1) == pytest.approx((112.90, 23.40), abs=1e-6)  # the scenario's point
        assert (lon0, lat0) == pytest.approx((sites.at[sid, "lon"], sites.at[sid, "lat"]), abs=1e-6)
        length = float(haversine_km(lon0, lat0, lon1, lat1))
        assert length == pytest.approx(a.at[pid, "distance_km"], abs=1e-3)
        to_site = float(haversine_km(lon0, lat0, sites.at["XP", "lon"], sites.at["XP", "lat"]))
        assert abs(length - to_site) > 1.0  # not the occupied site's point
    stars = _groups(result_map(result))["龙头企业"]
    assert isinstance(stars, MarkersLayer) and [it[:2] for it in stars.items] == [(23.40, 112.90)]


def test_the_maps_free_capacity_is_the_site_use_tables() -> None:
    """usable_land_ratio 0.7: capacity, use and free room on the map are the run's (rules.site_capacity with
    the scenario's ratio), through the result's site-use table and through the rules alone."""
    from zq_land.outputs.maps import result_map

    result = _run_with_anchor_point(usable_land_ratio=0.7)
    use = result.site_use.set_index("site_id")
    assert use.at["L1", "capacity"] == pytest.approx(70.0)
    maps = {"result": result_map(result),
            "rules": sites_map(result.sites, assignments=result.assignments, usable_land_ratio=0.7)}
    for how, m in maps.items():
        drawn = {f["id"]: f["properties"].get("u") for fc in map_json(m) for f in fc["features"]}
        for sid in ("L1", "F1"):
            fmt = "{:,.1f}" if use.at[sid, "unit"] == "mu" else "{:,.0f}"
            want = [fmt.format(use.at[sid, c]) for c in ("capacity", "used", "free")]
            assert drawn[sid][:3] == want, (how, sid)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_the_page_draws_each_layer_as_the_data_says(tmp_path: Path) -> None:
    """map.js decodes the compact layers in the page: each site layer's features (ids, parts, rings, every
    vertex within 1e-6 degree), the supplier lines' ends (the run's anchor point) and the markers are those
    of the data the map was built from (no Python copy of the decoder)."""
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    sites = _sites()
    outer = box(LON, LAT, LON + 0.004, LAT + 0.004)
    sites.loc[0, "geometry"] = outer.difference(box(LON + 0.001, LAT + 0.001, LON + 0.002, LAT + 0.002))  # a hole
    sites = gpd.GeoDataFrame(pd.concat([sites, _generated_parcels(300)], ignore_index=True), crs=4326)
    m = sites_map(sites, assignments=_assignments(), anchor_points={"XPeng": ((112.90, 23.40),)},
                  show_supplier_lines=True)
    path = tmp_path / "map.html"
    path.write_text(standalone_html(m), encoding="utf-8")
    layers = _layers(m)
    groups = _groups(m)
    lines, stars, labels = groups["配套企业—龙头连线"], groups["龙头企业"], groups["地块名称"]
    assert isinstance(lines, LinesLayer) and isinstance(stars, MarkersLayer) and isinstance(labels, PlotLabels)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto(path.as_uri(), wait_until="load")
            drawn = page.evaluate("(names) => names.map((n) => window[n].toGeoJSON(false))",
                                  [layer.get_name() for layer in layers.values()])
            ends = page.evaluate("(n) => window[n].getLayers().map((l) => l.getLatLngs().map((p) => [p.lat, p.lng]))",
                                 lines.get_name())
            points = page.evaluate("(names) => names.map((n) => window[n].getLayers().map((l) => "
                                   "[l.getLatLng().lat, l.getLatLng().lng]))", [stars.get_name(), labels.get_name()])
        finally:
            browser.close()
    for layer, got in zip(layers.values(), drawn, strict=True):
        want = {f["id"]: f["geometry"] for f in layer.data["features"]}
        page_geoms = {f["id"]: f["geometry"] for f in got["features"]}
        assert list(page_geoms) == list(want)  # one feature per site, in order
        for sid, geom in want.items():
            g = page_geoms[sid]
            assert g["type"] == geom["type"], sid
            polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
            page_polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
            assert [len(r) for p in page_polys for r in p] == [len(r) for p in polys for r in p], sid
            for want_ring, page_ring in zip((r for p in polys for r in p), (r for p in page_polys for r in p),
                                            strict=True):
                assert np.allclose(np.asarray(page_ring), np.asarray(want_ring), atol=1e-6, rtol=0), sid
    assert sum(len(f["features"]) for f in drawn) == len(sites)
    assert np.allclose(ends, [[a, b] for a, b, _ in lines.lines], atol=1e-6, rtol=0)
    assert ends[0][1] == pytest.approx([23.40, 112.90], abs=1e-6)  # the run's anchor point
    assert np.allclose(points[0], [it[:2] for it in stars.items], atol=1e-6, rtol=0)
    assert np.allclose(points[1], [it[:2] for it in labels.items], atol=1e-6, rtol=0)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_the_page_labels_by_zoom_searches_selects_and_draws_moves(tmp_path: Path) -> None:
    """In Chromium: each plot's projects appear on its label when zoomed in (and not at the opening zoom), the
    search box finds a project and zooms to its plot, a click selects a plot, the title and the difference
    map's arrow are drawn."""
    pytest.importorskip("playwright")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from zq_land.outputs.maps import LABEL_ZOOM_LIST

    a = _assignments()
    b = a.copy()
    b.loc[b["project_id"] == "P02", "site_id"] = "L2"
    result = tmp_path / "map.html"
    result.write_text(standalone_html(sites_map(_sites(), assignments=a, title="优化方案：项目落位图",
                                                subtitle="2026-12-02")), encoding="utf-8")
    diff = tmp_path / "diff.html"
    diff.write_text(standalone_html(compare_map(_sites(), a, b, name_a="记录", name_b="优化")), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto(result.as_uri(), wait_until="load")
            assert page.title() == "优化方案：项目落位图"
            assert "2026-12-02" in page.locator(".zq-title").inner_text()
            pane = page.locator(".leaflet-marker-pane")
            assert "东风灵" not in pane.inner_text()  # the opening zoom shows names, not project lists
            for sid, names in (("L1", ["东风灵", "同益空气能"]), ("F1", ["捷翼线束"])):
                # zoom in on the plot; the page's own opening fit may still land after the first request on
                # a busy machine, so the view is asked for again until it holds and the labels are drawn
                with contextlib.suppress(PlaywrightError):
                    page.wait_for_function(
                        "([sid, z, names]) => { var m = zqMap.map, p = zqMap.sites[sid];"
                        " if (m.getZoom() !== z) { m.setView(p.getBounds().getCenter(), z, {animate: false});"
                        " return false; }"
                        " var t = document.querySelector('.leaflet-marker-pane').innerText;"
                        " return names.every(n => t.includes(n)); }",
                        arg=[sid, LABEL_ZOOM_LIST + 1, names], timeout=10_000, polling=200)
                text = pane.inner_text()
                assert all(n in text for n in names), (sid, text)
            # search a project: the map zooms to its plot, selects it and opens its popup
            page.evaluate("zqMap.map.setZoom(12, {animate: false})")
            box_ = page.locator(".zq-search-input")
            box_.fill("捷翼")
            box_.press("Enter")
            page.wait_for_selector(".leaflet-popup-content")
            assert "低效厂房-01" in page.locator(".leaflet-popup-content").inner_text()
            assert page.evaluate("zqMap.map.getZoom()") >= 15
            box_.fill("空地-02")  # a plot by its name
            box_.press("Enter")
            page.locator(".leaflet-popup-content", has_text="空地-02").first.wait_for()
            box_.fill("没有这个")
            box_.press("Enter")
            assert page.locator(".zq-search-note").inner_text() == "没有找到匹配的地块或项目"
            # a click on a plot selects it (magenta outline)
            page.evaluate("zqMap.sites['L2'].fire('click', {latlng: zqMap.sites['L2'].getBounds().getCenter()})")
            assert page.evaluate("zqMap.sites['L2'].options.color") == "#e6007e"
            assert page.evaluate("zqMap.sites['F1'].options.color") != "#e6007e"
            page.goto(diff.as_uri(), wait_until="load")
            assert page.locator("path.zq-arrow").count() == 1 and page.locator(".zq-arrow-head").count() == 1
            assert page.locator("path.zq-lost").count() == 1 and page.locator("path.zq-gained").count() == 1
        finally:
            browser.close()


def test_the_offline_context_layer_frames_the_zone_and_stays_small() -> None:
    """The districts near the sites (shifted back from GCJ-02: the zone's extent lies inside Sihui) and the zone's
    published extent travel in the map; sites far from Zhaoqing get no such layer."""
    from zq_land.outputs.maps import ContextLayer, context_layer

    m = sites_map(_sites())
    (layer,) = [c for c in m._children.values() if isinstance(c, ContextLayer)]
    assert "四会市" in layer.names and "肇庆高新区（公布范围）" in layer.names
    shapes = dict(zip(layer.names, layer.shapes, strict=True))
    zone, sihui = shapes["肇庆高新区（公布范围）"], shapes["四会市"]
    assert zone.bounds == pytest.approx((112 + 47 / 60, 23.25, 112 + 52 / 60, 23.4))
    assert sihui.intersection(zone).area / zone.area > 0.6  # the zone (Dawang) lies in Sihui
    assert not sihui.contains(Point(112.45, 23.9))  # Guangning's county seat is not in it
    assert len(layer.payload) < 40_000
    assert "Sihui" in context_layer((112.8, 23.3, 112.85, 23.35), lang="en").names  # type: ignore[union-attr]
    assert context_layer((116.3, 39.9, 116.4, 40.0), lang="zh") is None  # Beijing: nothing to frame
