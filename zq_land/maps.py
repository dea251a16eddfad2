"""Folium maps of the sites, their projects and the difference between two allocations, usable offline.

Every site becomes exactly one Leaflet vector path (one GeoJSON feature; a MultiPolygon is one path),
drawn in one GeoJSON layer per category so that the HTML stays small. Coordinates are rounded to
6 decimals (~0.1 m) and simplified by ~1 m for display only; the sites passed in are never changed.
With a Gaode basemap the overlay is shifted to GCJ-02 for display, as Gaode tiles are drawn in it.

The maps load only Leaflet itself (no jQuery, Bootstrap or icon fonts). With ``offline=True`` the
map references Leaflet under the app's static folder (see :mod:`zq_land._offline`), and
:func:`standalone_html` writes a single HTML file with Leaflet inlined.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from zq_land import _offline
from zq_land._errors import input_error
from zq_land.geo import shift_geometry_gcj02, wgs84_to_gcj02
from zq_land.i18n import anchor_label, name_label, t
from zq_land.vocab import ANCHOR_ALIASES, INDUSTRY_ZH, canonical_anchor

Basemap = Literal["osm", "tianditu", "tianditu_img", "gaode", "gaode_satellite", "none"]
BASEMAPS: Final[tuple[str, ...]] = ("osm", "tianditu", "tianditu_img", "gaode", "gaode_satellite", "none")

#: Category -> (fill colour, outline colour). Order is the legend's order.
CATEGORY_COLORS: Final = {
    "land_vacant": ("#2e9e44", "#1b6b2c"),
    "land_inefficient": ("#f28e2b", "#b35900"),
    "factory": ("#3a78c2", "#1f4e8c"),
    "platform": ("#9b59b6", "#6c3483"),
    "occupied": ("#8c8c8c", "#4d4d4d"),
}
COMPARE_COLORS: Final = {"changed": ("#e41a1c", "#a50f15"), "unchanged": ("#bdbdbd", "#737373")}
SITE_PATH_CLASS: Final = "zq-site"
LINE_PATH_CLASS: Final = "zq-line"
#: Parts of names of the report's named plots; such sites (and anchors) get a permanent label.
NAMED_PLOT_KEYS: Final = ("中恒地块", "新桥钢结构", "小鹏")
#: Display rounding (6 decimals ~ 0.1 m) and simplification (~1 m in degrees of latitude).
COORD_DECIMALS: Final = 6
SIMPLIFY_DEG: Final = 1.0 / 111_320.0

_TIANDITU_URL: Final = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
    "&TILECOL={{x}}&tk={key}"
)
_REQUIRED: Final = ("site_id", "kind", "status")


def sites_map(
    sites: gpd.GeoDataFrame,
    *,
    assignments: pd.DataFrame | None = None,
    site_use: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
    lang: str = "zh",
    basemap: Basemap = "osm",
    tianditu_key: str | None = None,
    show_supplier_lines: bool = False,
    offline: bool = True,
    asset_base_url: str = _offline.APP_STATIC_URL,
    height: int | str = "100%",
) -> folium.Map:
    """A map of the sites coloured by kind and use, with their projects, anchors and a legend.

    Parameters
    ----------
    sites
        The canonical sites table (``zq_land.io.read_sites``); any CRS, drawn in EPSG:4326.
    assignments
        One row per project with at least ``project_id``, ``name``, ``site_id`` ("" or NaN = unplaced);
        optional ``investment_yi``, ``anchor``, ``used_mu``, ``used_m2``.
    site_use
        Per-site use with ``site_id`` and ``capacity``, ``used``, ``free`` (as in ``AllocationResult``);
        when missing, use is summed from ``assignments`` (``used_mu``/``used_m2``, else the projects' needs).
    projects
        The projects table; gives ``anchor`` and the needs when ``assignments`` lacks them.
    lang
        ``"zh"`` or ``"en"``: every label, legend entry and popup follows it.
    basemap
        The basemap shown first. Tianditu needs ``tianditu_key``; with Gaode the overlay is shifted
        to GCJ-02 for display.
    show_supplier_lines
        Whether the supplier-to-anchor lines are on at opening (the layer control toggles them).
    offline
        Reference Leaflet from the app's static folder (``asset_base_url``) instead of a CDN.

    Returns
    -------
    folium.Map
    """
    frame = _SiteFrame.build(sites, basemap=basemap)
    assign = _placed_assignments(assignments, projects)
    use = _site_use(frame.sites, assign, site_use)
    by_site = {sid: grp for sid, grp in assign.groupby("site_id", sort=False)} if len(assign) else {}

    cats = frame.sites.apply(_category, axis=1).tolist()
    features: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORY_COLORS}
    for i, row in enumerate(frame.sites.itertuples(index=False)):
        sid = str(row.site_id)
        u = use.get(sid)
        share = None if u is None or not u["capacity"] > 0 else max(0.0, min(1.0, u["free"] / u["capacity"]))
        props = _site_props(row, frame.label_text(i, lang), u, by_site.get(sid), lang=lang)
        features[cats[i]].append(_feature(sid, frame.shapes[i], props, _site_style(row, cats[i], share)))

    m = _new_map(frame, lang=lang, basemap=basemap, tianditu_key=tianditu_key, offline=offline,
                 asset_base_url=asset_base_url, height=height)
    for cat, feats in features.items():
        if feats:
            _add_geojson(m, feats, name=f"{t('cat.' + cat, lang)} ({len(feats)})", lang=lang)
    _add_labels_and_anchors(m, frame, lang=lang)
    lines = _supplier_lines(frame, assign)
    if lines:
        group = folium.FeatureGroup(name=t("layer.supplier_lines", lang), show=show_supplier_lines)
        for (lat0, lon0), (lat1, lon1), tip in lines:
            folium.PolyLine([(lat0, lon0), (lat1, lon1)], color="#d62728", weight=2, dash_array="6 4",
                            opacity=0.8, tooltip=tip, class_name=LINE_PATH_CLASS).add_to(group)
        group.add_to(m)
    legend = [(t("cat." + c, lang), *CATEGORY_COLORS[c]) for c in CATEGORY_COLORS if features[c]]
    has_anchor = bool((frame.sites["anchor"] != "").any())
    _Legend(legend, lang=lang, opacity_note=True, with_lines=bool(lines), with_anchor=has_anchor).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def compare_map(
    sites: gpd.GeoDataFrame,
    assignments_a: pd.DataFrame,
    assignments_b: pd.DataFrame,
    *,
    name_a: str = "A",
    name_b: str = "B",
    lang: str = "zh",
    basemap: Basemap = "osm",
    tianditu_key: str | None = None,
    offline: bool = True,
    asset_base_url: str = _offline.APP_STATIC_URL,
    height: int | str = "100%",
) -> folium.Map:
    """A map of what differs between two allocations: sites whose projects changed are highlighted.

    Each site's popup lists the projects that moved in (placed there in B, not in A), moved out and
    stayed. Assignments are tables as for :func:`sites_map`.

    Returns
    -------
    folium.Map
    """
    frame = _SiteFrame.build(sites, basemap=basemap)
    a = _placed_assignments(assignments_a, None)
    b = _placed_assignments(assignments_b, None)
    names = {**dict(zip(a["project_id"], a["name"], strict=True)),
             **dict(zip(b["project_id"], b["name"], strict=True))}
    in_a = {s: set(g["project_id"]) for s, g in a.groupby("site_id")} if len(a) else {}
    in_b = {s: set(g["project_id"]) for s, g in b.groupby("site_id")} if len(b) else {}

    features: dict[str, list[dict[str, Any]]] = {"changed": [], "unchanged": []}
    for i, row in enumerate(frame.sites.itertuples(index=False)):
        sid = str(row.site_id)
        pa, pb = in_a.get(sid, set()), in_b.get(sid, set())
        cat = "changed" if pa != pb else "unchanged"
        fill, line = COMPARE_COLORS[cat]
        style = {"fillColor": fill, "color": line, "weight": 3 if cat == "changed" else 1,
                 "fillOpacity": 0.55 if cat == "changed" else 0.25,
                 "className": f"{SITE_PATH_CLASS} zq-{cat}"}
        props = _site_props(row, frame.label_text(i, lang), None, None, lang=lang)
        for key, ids in (("in", pb - pa), ("out", pa - pb), ("kept", pa & pb)):
            if ids:
                props[key] = [[names.get(p, p), p] for p in sorted(ids)]
        features[cat].append(_feature(sid, frame.shapes[i], props, style))

    m = _new_map(frame, lang=lang, basemap=basemap, tianditu_key=tianditu_key, offline=offline,
                 asset_base_url=asset_base_url, height=height)
    for cat, feats in features.items():
        if feats:
            _add_geojson(m, feats, name=f"{t('cat.' + cat, lang)} ({len(feats)})", lang=lang)
    _add_labels_and_anchors(m, frame, lang=lang)
    legend = [(t("cat." + c, lang), *COMPARE_COLORS[c]) for c in COMPARE_COLORS]
    title = f"{t('legend.title', lang)}: {_esc(name_a)} → {_esc(name_b)}"
    _Legend(legend, lang=lang, title=title, with_anchor=bool((frame.sites["anchor"] != "").any())).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def standalone_html(m: folium.Map) -> str:
    """The map as one HTML document that opens in a browser with no internet.

    Leaflet's JS and CSS (with its images) are inlined; no ``<script src>`` or stylesheet link to an
    http(s) URL remains. Basemap tiles still need a network; the sites do not.

    Raises
    ------
    ValueError
        When the map uses a plugin whose assets cannot be inlined (anything besides Leaflet).
    """
    saved_js, saved_css = m.default_js, m.default_css
    header = m.get_root().header  # type: ignore[attr-defined]
    own = {name for name, _ in [*saved_js, *saved_css, *folium.Map.default_js, *folium.Map.default_css]}
    links = {k: el for k, el in header._children.items()
             if type(el).__name__ in {"JavascriptLink", "CssLink"}}
    stale = [k for k, el in links.items() if k in own or _offline.is_known_asset(el.url)]
    for key in stale:  # the map's own links a previous render (e.g. in the app) left in the figure
        del header._children[key]
    try:
        m.default_js, m.default_css = [], []
        doc = m.get_root().render()
    finally:
        m.default_js, m.default_css = saved_js, saved_css
    remote = _REMOTE_ASSET.findall(doc)
    if remote:
        raise ValueError(f"the map needs assets that cannot be inlined: {sorted(set(remote))}")
    head = '<meta charset="utf-8"/>\n' + _offline.inline_head()
    return re.sub(r"<head>", lambda _: "<head>\n" + head, doc, count=1)


def popup_text(props: Mapping[str, Any], lang: str = "zh") -> str:
    """Plain text of a site's popup data (``properties`` of a map feature): what the browser shows."""
    lab = _popup_labels(lang)
    kind = lab["kinds"].get(props["k"], props["k"])
    status = lab["statuses"].get(props["s"], props["s"])
    lines = [str(props["n"]),
             f"{lab['site_id']}: {props['id']} · {lab['kind']}: {kind} · {lab['status']}: {status}"]
    if "a" in props:
        lines.append(f"{lab['area']}: {props['a']} {lab['mu']}")
    if "f" in props:
        lines.append(f"{lab['floor']}: {props['f']} {lab['m2']}")
    if "z" in props:
        lines.append(f"{lab['zone']}: {props['z']}")
    lines.append(f"{lab['industries']}: {props.get('i') or lab['any']}")
    if "an" in props:
        lines.append(f"{lab['anchor']}: {props['an']}")
    if "u" in props:
        cap, used, free, unit = props["u"]
        lines.append(f"{lab['capacity']} {cap} · {lab['used']} {used} · {lab['free']} {free} {lab[unit]}")
    for key in ("p", "in", "out", "kept"):
        if key in props:
            lines.append(f"{lab['lists'][key]} ({len(props[key])})")
            for item in props[key]:
                inv = f" · {item[2]} {lab['yi']}" if len(item) > 2 and item[2] else ""
                lines.append(f"- {item[0]} ({item[1]}){inv}")
    return "\n".join(lines)


def map_json(m: folium.Map) -> list[dict[str, Any]]:
    """The GeoJSON FeatureCollections a map draws, one per site layer (for checks and tests)."""
    return [child.data for child in m._children.values() if isinstance(child, folium.GeoJson)]


def display_geometry(
    geoms: gpd.GeoSeries, *, gcj02: bool = False
) -> np.ndarray:
    """Geometries as drawn: EPSG:4326, simplified by ~1 m, rounded to 6 decimals, optionally GCJ-02.

    The input is not changed. Returns an array of shapely geometries, one per input row.
    """
    g = geoms.to_crs(4326) if geoms.crs is not None and not geoms.crs.equals("EPSG:4326") else geoms
    arr = np.asarray(g.values, dtype=object)
    simple = shapely.simplify(arr, SIMPLIFY_DEG, preserve_topology=True)
    bad = shapely.is_empty(simple) | shapely.is_missing(simple)
    simple = np.where(bad, arr, simple)
    if gcj02:
        simple = np.array([shift_geometry_gcj02(s) for s in simple], dtype=object)
    return shapely.transform(simple, lambda c: np.round(c, COORD_DECIMALS))


# ------------------------------------------------------------------------------------------------
# private helpers

_LABEL_CSS: Final = ("display:inline-block;transform:translate(-50%,14px);white-space:nowrap;"
                     "font-weight:bold;font-size:12px;color:#222;"
                     "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff")
_REMOTE_ASSET: Final = re.compile(
    r"<(?:script[^>]*\bsrc|link[^>]*\bhref)\s*=\s*[\"'](https?://[^\"']+)[\"']", re.IGNORECASE
)


@dataclass
class _SiteFrame:
    """Sites in EPSG:4326 with their display shapes and label points (GCJ-02 shifted for Gaode)."""

    sites: pd.DataFrame
    shapes: np.ndarray
    points: list[tuple[float, float]]  # (lat, lon) as drawn
    bounds: tuple[float, float, float, float]
    named: list[bool] = field(default_factory=list)

    @classmethod
    def build(cls, sites: gpd.GeoDataFrame, *, basemap: str) -> _SiteFrame:
        _check_sites(sites)
        gcj = basemap.startswith("gaode")
        shapes = display_geometry(sites.geometry, gcj02=gcj)
        table = pd.DataFrame(sites.drop(columns=sites.geometry.name)).reset_index(drop=True)
        for col, default in (("name", ""), ("anchor", ""), ("zone", ""), ("industries", "")):
            if col not in table.columns:
                table[col] = default
            table[col] = table[col].fillna(default).astype(str)
        lon, lat = _label_lonlat(sites, table)
        if gcj:
            lon, lat = wgs84_to_gcj02(lon, lat)
        points = [(round(float(y), COORD_DECIMALS), round(float(x), COORD_DECIMALS))
                  for x, y in zip(lon, lat, strict=True)]
        b = shapely.total_bounds(shapes)
        named = [bool(a) or any(k in n for k in NAMED_PLOT_KEYS)
                 for n, a in zip(table["name"], table["anchor"], strict=True)]
        return cls(table, shapes, points, (float(b[0]), float(b[1]), float(b[2]), float(b[3])), named)

    def label_text(self, i: int, lang: str) -> str:
        row = self.sites.iloc[i]
        name = str(row["name"])
        name_en = str(row["name_en"] or "").strip() if "name_en" in self.sites.columns else ""
        if lang == "en" and name_en not in ("", "nan", "None"):
            return name_en
        return name_label(name, lang) if name else str(row["site_id"])


def _check_sites(sites: object) -> None:
    if not isinstance(sites, gpd.GeoDataFrame):
        raise input_error("sites", "地块数据不是带几何的表格(GeoDataFrame)", "sites must be a GeoDataFrame",
                          found=type(sites).__name__, expected="GeoDataFrame")
    missing = [c for c in _REQUIRED if c not in sites.columns]
    if missing:
        raise input_error("sites", f"地块数据缺少列:{', '.join(missing)}",
                          f"the sites table lacks column(s): {', '.join(missing)}", column=missing[0])
    if len(sites) == 0:
        raise input_error("sites", "地块数据为空,没有可显示的地块",
                          "the sites table is empty: nothing to draw")
    empty = sites.geometry.is_empty | sites.geometry.isna()
    if empty.any():
        sid = str(sites.loc[empty, "site_id"].iloc[0])
        raise input_error("sites", "地块没有几何图形,无法在地图上显示", "the site has no geometry to draw",
                          item_id=sid, column="geometry")


def _label_lonlat(sites: gpd.GeoDataFrame, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    g = sites.geometry
    if g.crs is not None and not g.crs.equals("EPSG:4326"):
        g = g.to_crs(4326)
    rep = shapely.point_on_surface(np.asarray(g.values, dtype=object))
    lon = np.asarray(shapely.get_x(rep), dtype=float)
    lat = np.asarray(shapely.get_y(rep), dtype=float)
    if {"lon", "lat"} <= set(table.columns):
        tl = pd.to_numeric(table["lon"], errors="coerce").to_numpy(dtype=float)
        ta = pd.to_numeric(table["lat"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(tl) & np.isfinite(ta)
        lon, lat = np.where(ok, tl, lon), np.where(ok, ta, lat)
    return lon, lat


def _placed_assignments(assignments: pd.DataFrame | None, projects: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["project_id", "name", "site_id", "investment_yi", "anchor", "used_mu", "used_m2"]
    if assignments is None or len(assignments) == 0:
        return pd.DataFrame(columns=cols)
    for col in ("project_id", "site_id"):
        if col not in assignments.columns:
            raise input_error("assignments", f"分配结果缺少列:{col}",
                              f"the assignments table lacks column {col}", column=col)
    a = assignments.copy()
    a["site_id"] = a["site_id"].fillna("").astype(str).str.strip()
    a = a[(a["site_id"] != "") & (a["site_id"].str.lower() != "nan")]
    if "status" in a.columns:
        a = a[a["status"].fillna("placed").astype(str).isin(["placed", ""])]
    a["project_id"] = a["project_id"].astype(str)
    if projects is not None and len(projects):
        p = projects.copy()
        p["project_id"] = p["project_id"].astype(str)
        extra = [c for c in ("name", "investment_yi", "anchor", "land_need_mu", "floor_need_m2")
                 if c in p.columns and c not in a.columns]
        if extra:
            a = a.merge(p[["project_id", *extra]], on="project_id", how="left")
    if "name" not in a.columns:
        a["name"] = a["project_id"]
    a["name"] = a["name"].fillna("").astype(str)
    a["anchor"] = a["anchor"].fillna("").astype(str) if "anchor" in a.columns else ""
    return a.reset_index(drop=True)


def _site_use(
    sites: pd.DataFrame, assign: pd.DataFrame, site_use: pd.DataFrame | None
) -> dict[str, dict[str, Any]]:
    """site_id -> {capacity, used, free, unit} for every site that can hold projects."""
    out: dict[str, dict[str, Any]] = {}
    if site_use is not None and len(site_use) and {"site_id", "capacity", "used"} <= set(site_use.columns):
        for r in site_use.itertuples(index=False):
            cap, used = float(getattr(r, "capacity", 0) or 0), float(getattr(r, "used", 0) or 0)
            free = getattr(r, "free", cap - used)
            unit = str(getattr(r, "unit", "") or "")
            out[str(r.site_id)] = {"capacity": cap, "used": used, "free": max(float(free), 0.0), "unit": unit}
    used_by_site: dict[str, tuple[float, float]] = {}
    if len(assign):
        mu = _num_col(assign, "used_mu", "land_need_mu")
        m2 = _num_col(assign, "used_m2", "floor_need_m2")
        tmp = pd.DataFrame({"site_id": assign["site_id"], "mu": mu, "m2": m2}).groupby("site_id").sum()
        used_by_site = {str(k): (float(v.mu), float(v.m2)) for k, v in tmp.iterrows()}
    for r in sites.itertuples(index=False):
        sid = str(r.site_id)
        if sid in out or r.status == "occupied":
            continue
        is_land = r.kind == "land"
        cap = _float(getattr(r, "area_mu", np.nan) if is_land else getattr(r, "floor_area_m2", np.nan))
        if not math.isfinite(cap):
            continue
        mu, m2 = used_by_site.get(sid, (0.0, 0.0))
        used = mu if is_land else m2
        out[sid] = {"capacity": cap, "used": used, "free": max(cap - used, 0.0),
                    "unit": "mu" if is_land else "m2"}
    return out


def _num_col(df: pd.DataFrame, *names: str) -> pd.Series:
    for name in names:
        if name in df.columns:
            return pd.to_numeric(df[name], errors="coerce").fillna(0.0)
    return pd.Series(0.0, index=df.index)


def _float(v: object) -> float:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return f


def _category(row: pd.Series) -> str:
    if row["status"] == "occupied":
        return "occupied"
    if row["kind"] == "land":
        return "land_inefficient" if row["status"] == "inefficient" else "land_vacant"
    return "platform" if row["kind"] == "platform" else "factory"


def _site_style(row: Any, cat: str, free_share: float | None) -> dict[str, Any]:
    fill, line = CATEGORY_COLORS[cat]
    # Darker fill = more free capacity; steps of 0.1 keep the number of distinct styles small.
    opacity = 0.45 if free_share is None else round(0.12 + 0.6 * free_share, 1)
    style: dict[str, Any] = {"fillColor": fill, "color": line, "weight": 1.5, "fillOpacity": opacity,
                             "className": f"{SITE_PATH_CLASS} zq-{cat}"}
    if row.kind != "land" and row.status == "inefficient":
        style["dashArray"] = "5 3"  # a factory being revitalized
    return style


def _feature(sid: str, geom: Any, props: dict[str, Any], style: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": sid, "geometry": shapely.geometry.mapping(geom),
            "properties": props, "style": style}


def _add_geojson(m: folium.Map, feats: list[dict[str, Any]], *, name: str, lang: str) -> None:
    # Styles stay out of the feature properties (smaller HTML): folium groups equal styles into one map.
    styles = {f["id"]: f.pop("style") for f in feats}
    data = {"type": "FeatureCollection", "features": feats}
    layer = folium.GeoJson(data, name=name, style_function=lambda f: styles[f["id"]], zoom_on_click=False)
    _Popups(lang).add_to(layer)
    layer.add_to(m)


def _site_props(
    row: Any, title: str, use: dict[str, Any] | None, placed: pd.DataFrame | None, *, lang: str
) -> dict[str, Any]:
    """Compact popup data of one site (short keys, empty ones left out); the browser formats it."""
    props: dict[str, Any] = {"id": str(row.site_id), "n": title, "k": str(row.kind), "s": str(row.status)}
    area, floor = _float(getattr(row, "area_mu", np.nan)), _float(getattr(row, "floor_area_m2", np.nan))
    if math.isfinite(area):
        props["a"] = f"{area:,.1f}"
    if math.isfinite(floor):
        props["f"] = f"{floor:,.0f}"
    if row.zone:
        props["z"] = str(row.zone)
    inds = [s for s in str(row.industries).split(";") if s.strip()]
    if inds:
        props["i"] = "、".join(INDUSTRY_ZH.get(s, s) for s in inds) if lang != "en" else ", ".join(inds)
    if row.anchor:
        props["an"] = anchor_label(str(row.anchor), lang)
    if use is not None:
        fmt = "{:,.1f}" if use["unit"] == "mu" else "{:,.0f}"
        props["u"] = [fmt.format(use["capacity"]), fmt.format(use["used"]), fmt.format(use["free"]),
                      "mu" if use["unit"] == "mu" else "m2"]
    if placed is not None and len(placed):
        props["p"] = [
            [str(r.name or r.project_id), str(r.project_id),
             f"{inv:g}" if math.isfinite(inv := _float(getattr(r, "investment_yi", np.nan))) else ""]
            for r in placed.itertuples(index=False)
        ]
    return props


def _popup_labels(lang: str) -> dict[str, Any]:
    keys = ("site_id", "kind", "status", "area", "floor", "zone", "industries", "anchor", "capacity", "used",
            "free")
    lab: dict[str, Any] = {k: t("pop." + k, lang) for k in keys}
    lab.update(any=t("pop.any_industry", lang), none=t("pop.no_projects", lang), yi=t("pop.invest", lang),
               mu=t("unit.mu", lang), m2=t("unit.m2", lang))
    lab["kinds"] = {k: t("kind." + k, lang) for k in ("land", "factory", "platform")}
    lab["statuses"] = {k: t("status." + k, lang) for k in ("vacant", "inefficient", "occupied")}
    lab["lists"] = {"p": t("pop.projects", lang), "in": t("pop.moved_in", lang),
                    "out": t("pop.moved_out", lang), "kept": t("pop.kept", lang)}
    return lab


class _Popups(MacroElement):
    """Popup and hover tooltip of every feature of the parent GeoJson, formatted in the browser.

    Only the data travels per site (see :func:`_site_props`); labels are sent once per layer. All
    text is escaped here, so user names cannot inject HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var T = {{ this.labels|tojson }};
            function e(s) {
                return String(s == null ? "" : s).replace(/[&<>"']/g, function(c) {
                    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
                });
            }
            function list(key, p) {
                var items = p[key];
                if (!items) { return ""; }
                var li = items.map(function(it) {
                    return "<li>" + e(it[0]) + " (" + e(it[1]) + ")"
                        + (it[2] ? " · " + e(it[2]) + " " + e(T.yi) : "") + "</li>";
                }).join("");
                return "<b>" + e(T.lists[key]) + "</b> (" + items.length + ")"
                    + "<ul style='margin:0;padding-left:16px;max-height:160px;overflow:auto'>" + li + "</ul>";
            }
            function html(p) {
                var h = "<div class='zq-popup'><b>" + e(p.n) + "</b><br>" + e(T.site_id) + ": " + e(p.id)
                    + " · " + e(T.kind) + ": " + e(T.kinds[p.k] || p.k)
                    + " · " + e(T.status) + ": " + e(T.statuses[p.s] || p.s) + "<br>";
                var facts = [];
                if (p.a) { facts.push(e(T.area) + ": " + e(p.a) + " " + e(T.mu)); }
                if (p.f) { facts.push(e(T.floor) + ": " + e(p.f) + " " + e(T.m2)); }
                if (p.z) { facts.push(e(T.zone) + ": " + e(p.z)); }
                if (facts.length) { h += facts.join(" · ") + "<br>"; }
                h += e(T.industries) + ": " + e(p.i || T.any) + "<br>";
                if (p.an) { h += e(T.anchor) + ": " + e(p.an) + "<br>"; }
                if (p.u) {
                    h += e(T.capacity) + " " + e(p.u[0]) + " · " + e(T.used) + " " + e(p.u[1])
                        + " · <b>" + e(T.free) + " " + e(p.u[2]) + "</b> " + e(T[p.u[3]]) + "<br>";
                }
                var lists = list("p", p) + list("in", p) + list("out", p) + list("kept", p);
                if (lists) { h += lists; }
                else if (p.s !== "occupied") { h += "<i>" + e(T.none) + "</i>"; }
                return h + "</div>";
            }
            {{ this._parent.get_name() }}.bindPopup(function(layer) {
                return html(layer.feature.properties);
            }, {maxWidth: 380});
            {{ this._parent.get_name() }}.bindTooltip(function(layer) {
                return e(layer.feature.properties.n);
            }, {sticky: true});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._name = "ZqPopups"
        self.labels = _popup_labels(lang)


def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def _new_map(
    frame: _SiteFrame, *, lang: str, basemap: str, tianditu_key: str | None, offline: bool,
    asset_base_url: str, height: int | str,
) -> folium.Map:
    if basemap not in BASEMAPS:
        raise input_error("map", f"未知底图:{basemap}", f"unknown basemap: {basemap}", column="basemap",
                          found=str(basemap), expected=", ".join(BASEMAPS))
    if basemap.startswith("tianditu") and not tianditu_key:
        raise input_error("map", "天地图底图需要密钥(tk)", "the Tianditu basemap needs a key (tk)",
                          column="tianditu_key")
    x0, y0, x1, y1 = frame.bounds
    m = folium.Map(location=[(y0 + y1) / 2, (x0 + x1) / 2], zoom_start=13, tiles=None, control_scale=True,
                   height=height, prefer_canvas=False, font_size="0.8rem")
    if offline:
        # Per instance, never on the class: a Streamlit server shares the folium module between users.
        m.default_js, m.default_css = _offline.asset_links(asset_base_url)
    for layer in _base_layers(basemap, tianditu_key, lang):
        layer.add_to(m)
    m.fit_bounds([[y0, x0], [y1, x1]], padding=(10, 10))
    return m


def _base_layers(basemap: str, key: str | None, lang: str) -> list[folium.map.Layer]:
    """Base layers offered in the control; the chosen one shown. Gaode is offered alone (GCJ-02 overlay)."""
    if basemap == "none":
        return []
    if basemap.startswith("gaode"):
        import xyzservices.providers as xyz

        specs = [("gaode", xyz.Gaode.Normal), ("gaode_satellite", xyz.Gaode.Satellite)]
        return [folium.TileLayer(tiles=p.build_url(), attr=p.attribution, name=t(f"basemap.{code}", lang),
                                 max_zoom=18, show=code == basemap) for code, p in specs]
    layers: list[folium.map.Layer] = [folium.TileLayer("OpenStreetMap", name=t("basemap.osm", lang),
                                                       show=basemap == "osm")]
    if key:
        for code, base, labels in (("tianditu", "vec", "cva"), ("tianditu_img", "img", "cia")):
            label = t("basemap." + ("tianditu_vec" if code == "tianditu" else code), lang)
            group = folium.FeatureGroup(name=label, overlay=False, show=basemap == code)
            for layer in (base, labels):
                folium.TileLayer(tiles=_TIANDITU_URL.format(layer=layer, key=key), attr="© 天地图 Tianditu",
                                 subdomains="01234567", max_native_zoom=18, max_zoom=20).add_to(group)
            layers.append(group)
    return layers


def _add_labels_and_anchors(m: folium.Map, frame: _SiteFrame, *, lang: str) -> None:
    labels = folium.FeatureGroup(name=t("layer.labels", lang), show=True)
    anchors = folium.FeatureGroup(name=t("layer.anchors", lang), show=True)
    n_labels = n_anchors = 0
    rows = list(frame.sites.itertuples(index=False))
    order = sorted(range(len(rows)), key=lambda i: not rows[i].anchor)  # anchors' labels win overlaps
    for i in order:
        row = rows[i]
        lat, lon = frame.points[i]
        if row.anchor:
            star = ("<div style='width:22px;height:22px;border-radius:11px;background:#c0392b;color:#fff;"
                    "font-size:15px;line-height:22px;text-align:center;border:2px solid #fff;"
                    "box-shadow:0 0 3px #000'>★</div>")
            folium.Marker((lat, lon), icon=folium.DivIcon(html=star, icon_size=(26, 26), icon_anchor=(13, 13),
                                                           class_name="zq-anchor"),
                          tooltip=_esc(anchor_label(str(row.anchor), lang))).add_to(anchors)
            n_anchors += 1
        if frame.named[i]:
            text = _esc(anchor_label(str(row.anchor), lang) if row.anchor else frame.label_text(i, lang))
            label = (f"<div style='{_LABEL_CSS}'>{text}</div>")
            folium.Marker((lat, lon), icon=folium.DivIcon(html=label, icon_size=(0, 0), class_name="zq-label")
                          ).add_to(labels)
            n_labels += 1
    if n_labels:
        labels.add_to(m)
        _Declutter().add_to(m)
    if n_anchors:
        anchors.add_to(m)


def _anchor_points(frame: _SiteFrame) -> dict[str, tuple[float, float]]:
    pts: dict[str, tuple[float, float]] = {}
    occ = frame.sites["status"] == "occupied"
    for i in np.flatnonzero(occ.to_numpy()):
        a = str(frame.sites.iloc[i]["anchor"])
        if a and a not in pts:
            pts[a] = frame.points[i]
    for anchor, aliases in ANCHOR_ALIASES.items():
        if anchor in pts:
            continue
        for i in np.flatnonzero(occ.to_numpy()):
            name = str(frame.sites.iloc[i]["name"]).lower()
            if any(alias.lower() in name for alias in aliases):
                pts[anchor] = frame.points[i]
                break
    return pts


def _supplier_lines(
    frame: _SiteFrame, assign: pd.DataFrame
) -> list[tuple[tuple[float, float], tuple[float, float], str]]:
    if not len(assign):
        return []
    anchors = _anchor_points(frame)
    where = {str(s): frame.points[i] for i, s in enumerate(frame.sites["site_id"])}
    lines = []
    for r in assign.itertuples(index=False):
        a = canonical_anchor(r.anchor)
        if a in anchors and str(r.site_id) in where:
            lines.append((where[str(r.site_id)], anchors[a], _esc(f"{r.name} → {a}")))
    return lines


class _Declutter(MacroElement):
    """Hide plot labels that would overlap an earlier one (anchors first), again after every zoom."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) {
            var tries = 0;
            function declutter() {
                var shown = [], unsized = false;
                var els = Array.prototype.slice.call(map.getContainer().querySelectorAll(".zq-label > div"));
                els.forEach(function(el) {
                    el.style.visibility = "visible";
                    var r = el.getBoundingClientRect();
                    if (r.width === 0) { unsized = true; return; }
                    var hit = shown.some(function(o) {
                        return r.left < o.right && r.right > o.left && r.top < o.bottom && r.bottom > o.top;
                    });
                    if (hit) { el.style.visibility = "hidden"; } else { shown.push(r); }
                });
                // inside a host page the frame may not be laid out yet: look again shortly
                if ((unsized || tries < 3) && tries++ < 40) { setTimeout(declutter, 250); }
            }
            map.on("zoomend moveend resize overlayadd", declutter);
            map.whenReady(function() { setTimeout(declutter, 0); });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ZqDeclutter"


class _Legend(MacroElement):
    """A legend drawn as a Leaflet control (bottom right), so it works in any host page."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "zq-legend");
                div.style.cssText = "background:rgba(255,255,255,0.92);padding:6px 9px;border-radius:4px;"
                    + "box-shadow:0 1px 4px rgba(0,0,0,0.35);font-size:12px;line-height:18px;color:#222";
                div.innerHTML = {{ this.body|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        entries: Iterable[tuple[str, str, str]],
        *,
        lang: str,
        title: str | None = None,
        opacity_note: bool = False,
        with_lines: bool = False,
        with_anchor: bool = True,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        rows = [f"<b>{title or t('legend.title', lang)}</b>"]
        for label, fill, line in entries:
            swatch = (f"display:inline-block;width:14px;height:11px;margin-right:6px;background:{fill};"
                      f"border:1.5px solid {line};opacity:0.85")
            rows.append(f"<div><span style='{swatch}'></span>{_esc(label)}</div>")
        if with_anchor:
            rows.append("<div><span style='color:#c0392b;margin-right:6px'>★</span>"
                        f"{t('legend.anchor', lang)}</div>")
        if with_lines:
            rows.append("<div><span style='display:inline-block;width:14px;border-top:2px dashed #d62728;"
                        f"margin-right:6px;vertical-align:middle'></span>{t('legend.line', lang)}</div>")
        if opacity_note:
            rows.append(f"<div style='color:#555'>{t('legend.opacity', lang)}</div>")
        self.body = "".join(rows)


__all__ = [
    "BASEMAPS", "compare_map", "display_geometry", "map_json", "popup_text", "sites_map", "standalone_html",
]
