"""The brief's pictures, drawn offline with matplotlib: the map of placements and two charts.

The map uses the web map's colours and rule (darker fill = more free capacity, see :mod:`zq_land.outputs.maps`)
and is drawn in the sites' metric CRS, so that its scale bar is true; north is up (the grid's
convergence in the zone's Gauss-Kruger zone is under 1 degree). Figures are built on matplotlib's
object API (no pyplot state), so concurrent app sessions cannot draw into each other's figures.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from ..._errors import ZqLandError
from ...geo import metric_crs_of
from ...i18n import anchor_label, t
from ..maps import CATEGORY_COLORS, SiteFrame, free_share, site_style
from .words import w

#: CJK fonts for the pictures, best first (Debian: fonts-noto-cjk, fonts-wqy-zenhei).
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "Microsoft YaHei", "SimHei")
DPI = 200
TEXT_WIDTH_IN = 6.1  # A4 less the margins of a government document (156 mm)
FREE_COLOR = "#e6e6e6"
INK = "#222222"
#: Markers are pushed apart up to this many (the pairwise pushes grow with the square of the count).
MAX_SPREAD = 400
ANCHOR_COLOR = "#d62728"


class MissingFontError(ZqLandError):
    """No CJK font is installed: the pictures' Chinese would print as empty boxes."""


def map_png(sites: gpd.GeoDataFrame, numbers: Mapping[str, int], lang: str) -> bytes:
    """The sites coloured by kind and use, the plots holding projects numbered, anchors starred.

    ``sites`` is a run's ``sites.geojson`` (with ``capacity`` and ``free``); ``numbers`` maps the site
    ids that hold projects to their number in the brief's tables.
    """
    frame = SiteFrame.build(sites, basemap="none")
    crs = metric_crs_of(sites)
    g = gpd.GeoDataFrame(geometry=gpd.GeoSeries(frame.shapes, crs=4326), crs=4326).to_crs(crs)
    pts = gpd.GeoSeries(gpd.points_from_xy([p[1] for p in frame.points], [p[0] for p in frame.points]),
                        crs=4326).to_crs(crs)
    px, py = pts.x.to_numpy(), pts.y.to_numpy()
    cats = frame.categories()
    cap = pd.to_numeric(sites["capacity"], errors="coerce").to_numpy(float)
    free = pd.to_numeric(sites["free"], errors="coerce").to_numpy(float)

    fig = _figure(TEXT_WIDTH_IN, TEXT_WIDTH_IN * 1.12)
    ax = fig.add_axes((0.01, 0.13, 0.98, 0.86))
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():  # the map's neat line
        spine.set_color("#999999")
        spine.set_linewidth(0.6)
    styles = [site_style(k) for k in frame.style_keys([free_share(c, f) for c, f in zip(cap, free, strict=True)])]
    for dashed in (False, True):  # one call per line style: each plot call redraws the figure
        rows = [i for i, st in enumerate(styles) if bool(st.get("dashArray")) == dashed]
        if rows:
            g.iloc[rows].plot(ax=ax, facecolor=[_rgba(styles[i]["fillColor"], styles[i]["fillOpacity"]) for i in rows],
                              edgecolor=[styles[i]["color"] for i in rows], linewidth=0.8,
                              linestyle="--" if dashed else "-")
    candidates = _candidate_layer(ax, g, frame.ids, sites)
    ax.set_xlabel("")  # geopandas labels the axes with the CRS's names
    ax.set_ylabel("")
    fp = _font()
    anchors = [i for i in range(len(frame.ids)) if frame.anchors[i] and frame.statuses[i] == "occupied"]
    for i in anchors:
        ax.plot(px[i], py[i], marker="*", markersize=13, color=ANCHOR_COLOR, markeredgecolor="white",
                markeredgewidth=0.8, zorder=7)
    idx = {sid: i for i, sid in enumerate(frame.ids)}
    placed = [(n, idx[sid]) for sid, n in numbers.items() if sid in idx]
    offsets = _spread([(px[i], py[i]) for _, i in placed], min_dist=_marker_span(g))
    _pad_extent(ax, g, offsets)
    markers = []
    for (n, i), (x, y) in zip(placed, offsets, strict=True):
        if (x, y) != (px[i], py[i]):
            ax.plot([px[i], x], [py[i], y], color=INK, linewidth=0.5, zorder=7)
        markers.append(ax.annotate(
            str(n), (x, y), ha="center", va="center", fontsize=6, color=INK, fontproperties=fp, zorder=9,
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": INK, "linewidth": 0.6}))
    # names: the anchors' first, then the report's named plots by size; a name that would cover another
    # name or a number is left out (the table under the map names every numbered plot)
    titles = frame.titles(lang)
    area = g.geometry.area.to_numpy()
    named = sorted((i for i in range(len(frame.ids)) if frame.anchors[i] or frame.labels[i] is not None),
                   key=lambda i: (not frame.anchors[i], -area[i]))
    _place_labels(ax, fig, [(px[i], py[i], anchor_label(frame.anchors[i], lang) if frame.anchors[i]
                             else frame.labels[i] or titles[i]) for i in named], fp, avoid=markers)
    shown = [c for c in CATEGORY_COLORS if c in cats]
    handles: list[Patch | Line2D] = [
        Patch(facecolor=_rgba(CATEGORY_COLORS[c][0], 0.55), edgecolor=CATEGORY_COLORS[c][1], label=t(f"cat.{c}", lang))
        for c in shown
    ]
    handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor=INK,
                          markersize=7, label=w("pic.numbered", lang)))
    if anchors:
        handles.append(Line2D([], [], marker="*", linestyle="", color=ANCHOR_COLOR, markersize=10,
                              label=t("legend.anchor", lang)))
    if candidates:
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markersize=9,
                              markeredgecolor=CANDIDATE_COLOR, markeredgewidth=1.6, label=w("pic.candidate", lang)))
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.02, 0.025), ncols=3, prop=_sized(fp, 6.5),
               title=f"{t('legend.title', lang)}（{t('legend.opacity', lang)}）" if lang == "zh" else
               f"{t('legend.title', lang)} ({t('legend.opacity', lang)})",
               title_fontproperties=_sized(fp, 7), frameon=False, alignment="left", columnspacing=1.5)
    _scale_bar(ax, fp, lang)
    _north_arrow(ax, fp, lang)
    return _png(fig)


#: The outline of a D-grade site (亩均 grading), a revitalization candidate.
CANDIDATE_COLOR = "#c0392b"


def _candidate_layer(ax: Axes, g: gpd.GeoDataFrame, ids: list[str], sites: pd.DataFrame) -> int:
    """Hatch the D-grade sites (``candidate`` of the run's sites.geojson) in red; how many there are."""
    if "candidate" not in sites.columns:
        return 0
    marked = {str(sid) for sid, v in zip(sites["site_id"], sites["candidate"], strict=True)
              if v is True or str(v).lower() in ("true", "1")}
    rows = [i for i, sid in enumerate(ids) if str(sid) in marked]
    if not rows:
        return 0
    g.iloc[rows].plot(ax=ax, facecolor="none", edgecolor=CANDIDATE_COLOR, hatch="////",
                                            linewidth=1.6, zorder=6)
    # a ring as well: most plots are a few pixels wide at the zone's scale, under their number
    pts = g.iloc[rows].geometry.representative_point()
    ax.plot(pts.x.to_numpy(), pts.y.to_numpy(), linestyle="", marker="o", markersize=17, markerfacecolor="none",
            markeredgecolor=CANDIDATE_COLOR, markeredgewidth=1.8, zorder=8)
    return len(rows)


def use_chart_png(sites: pd.DataFrame, lang: str) -> bytes:
    """Used and free capacity by kind of site: land in 亩, factories and platforms in 平方米."""
    s = sites[sites["status"] != "occupied"].copy()
    s["capacity"] = pd.to_numeric(s["capacity"], errors="coerce").fillna(0.0)
    s["used"] = pd.to_numeric(s["used"], errors="coerce").fillna(0.0)
    groups = [
        ("land", [("land_vacant", (s["kind"] == "land") & (s["status"] != "inefficient")),
                  ("land_inefficient", (s["kind"] == "land") & (s["status"] == "inefficient"))]),
        ("floor", [("factory_vacant", (s["kind"] == "factory") & (s["status"] != "inefficient")),
                   ("factory_inefficient", (s["kind"] == "factory") & (s["status"] == "inefficient")),
                   ("platform", s["kind"] == "platform")]),
    ]
    fp = _font()
    fig = _figure(TEXT_WIDTH_IN, 2.6)
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15], "wspace": 0.75})
    for ax, (unit, rows) in zip(axes, groups, strict=True):
        labels, used, free, colors = [], [], [], []
        for key, mask in rows:
            cap = float(s.loc[mask, "capacity"].sum())
            if cap <= 0:
                continue
            u = float(s.loc[mask, "used"].sum())
            labels.append(w(f"pic.{key}", lang))
            used.append(u)
            free.append(max(cap - u, 0.0))
            colors.append(_CHART_COLORS[key])
        y = np.arange(len(labels))[::-1]
        ax.barh(y, used, color=colors, height=0.55)
        ax.barh(y, free, left=used, color=FREE_COLOR, height=0.55)
        fmt = _fmt_mu if unit == "land" else _fmt_m2
        top = max([a + b for a, b in zip(used, free, strict=True)], default=1.0)
        for yi, u_, f_ in zip(y, used, free, strict=True):
            share = u_ / (u_ + f_) if u_ + f_ > 0 else 0.0
            ax.text(u_ + f_ + top * 0.02, yi, f"{fmt(u_)} / {fmt(u_ + f_)} {w(f'pic.unit_{unit}', lang)}\n"
                    f"{w('pic.used', lang)} {share:.0%}",
                    va="center", fontsize=6, fontproperties=fp, color=INK)
        ax.set_yticks(y, labels, fontproperties=fp, fontsize=7)
        ax.set_xlim(0, top * 1.55)
        ax.set_xlabel(w(f"pic.axis_{unit}", lang), fontproperties=fp, fontsize=7)
        ax.tick_params(axis="x", labelsize=6)
        ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
        ax.set_title(w(f"pic.title_{unit}", lang), fontproperties=fp, fontsize=8)
        _clean(ax)
    fig.text(0.5, 0.03, w("pic.use_note", lang), ha="center", va="bottom", fontproperties=_sized(fp, 6.5),
             color="#555555")
    fig.subplots_adjust(left=0.19, right=0.97, top=0.88, bottom=0.3)
    return _png(fig)


def industry_chart_png(placed: pd.DataFrame, lang: str, *, industry_label: Callable[[str], str]) -> bytes:
    """Investment placed by industry (亿元), largest first, with the number of projects."""
    g = placed.assign(inv=pd.to_numeric(placed["investment_yi"], errors="coerce").fillna(0.0)).groupby("industry")
    df = pd.DataFrame({"inv": g["inv"].sum(), "n": g.size()}).sort_values(["inv", "n"], ascending=False)
    fp = _font()
    fig = _figure(TEXT_WIDTH_IN, 0.5 + 0.2 * max(len(df), 1))
    ax = fig.add_subplot()
    y = np.arange(len(df))[::-1]
    ax.barh(y, df["inv"], color="#1f4e8c", height=0.6)
    top = float(df["inv"].max()) if len(df) else 1.0
    for yi, inv, n in zip(y, df["inv"], df["n"], strict=True):
        ax.text(inv + top * 0.01, yi, w("pic.inv_label", lang, inv=inv, n=int(n)), va="center", fontsize=6.5,
                fontproperties=fp, color=INK)
    ax.set_yticks(y, [industry_label(str(c)) for c in df.index], fontproperties=fp, fontsize=7)
    ax.set_xlim(0, top * 1.25)
    ax.set_xlabel(w("pic.axis_inv", lang), fontproperties=fp, fontsize=7)
    ax.tick_params(axis="x", labelsize=6)
    _clean(ax)
    fig.subplots_adjust(left=0.2, right=0.98, top=1 - 0.08 / fig.get_figheight(), bottom=0.42 / fig.get_figheight())
    return _png(fig)


# --- private helpers ------------------------------------------------------------------------------


def _rescan_fonts() -> None:
    """Add the system's fonts to matplotlib's list and write it back to its cache on disk."""
    import contextlib
    from pathlib import Path

    import matplotlib
    from matplotlib import font_manager

    fm = font_manager.fontManager
    for path in font_manager.findSystemFonts():
        with contextlib.suppress(Exception):  # a font file matplotlib cannot read is skipped, as it skips them
            fm.addfont(path)
    with contextlib.suppress(OSError):
        font_manager.json_dump(fm, Path(matplotlib.get_cachedir()) / f"fontlist-v{fm.__version__}.json")


def _findfont(prop: FontProperties) -> str:
    from matplotlib import font_manager

    return str(font_manager.fontManager.findfont(prop, fallback_to_default=False))

_CHART_COLORS = {
    "land_vacant": CATEGORY_COLORS["land_vacant"][0],
    "land_inefficient": CATEGORY_COLORS["land_inefficient"][0],
    "factory_vacant": CATEGORY_COLORS["factory"][0],
    "factory_inefficient": CATEGORY_COLORS["factory"][1],
    "platform": CATEGORY_COLORS["platform"][0],
}


@functools.lru_cache(maxsize=1)
def _font_file() -> str:
    for fresh in (False, True):
        if fresh:  # matplotlib's font list is cached on disk: a font installed after it was made is not in it
            _rescan_fonts()
        for family in CJK_FONTS:
            try:
                return _findfont(FontProperties(family=family))
            except ValueError:
                continue
    raise MissingFontError("未安装中文字体，图中文字无法显示：请安装 fonts-noto-cjk 或 fonts-wqy-zenhei / "
                           "no CJK font is installed: install fonts-noto-cjk or fonts-wqy-zenhei")


def _font() -> FontProperties:
    return FontProperties(fname=_font_file())


def _sized(fp: FontProperties, size: float) -> FontProperties:
    out = fp.copy()
    out.set_size(size)
    return out


def _figure(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


def _rgba(hex_color: str, alpha: float) -> tuple[float, float, float, float]:
    h = hex_color.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, float(alpha))


def _clean(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _fmt_mu(v: float) -> str:
    return f"{v:,.1f}"


def _fmt_m2(v: float) -> str:
    return f"{v:,.0f}"


def _marker_span(g: gpd.GeoDataFrame) -> float:
    """The width of a numbered marker in metres at the map's scale (about 3.2 mm on paper)."""
    minx, miny, maxx, maxy = g.total_bounds
    span = max(maxx - minx, (maxy - miny) * 0.98) * 1.08
    return span * (3.2 / 25.4) / TEXT_WIDTH_IN


def _spread(points: list[tuple[float, float]], *, min_dist: float) -> list[tuple[float, float]]:
    """Marker positions at least ``min_dist`` apart: overlapping markers are pushed apart, a few rounds."""
    if len(points) < 2 or len(points) > MAX_SPREAD:
        return points
    xy = np.array(points, dtype=float)
    home = xy.copy()
    for _ in range(60):
        d = xy[:, None, :] - xy[None, :, :]
        dist = np.hypot(d[..., 0], d[..., 1])
        np.fill_diagonal(dist, np.inf)
        close = dist < min_dist
        if not close.any():
            break
        push = np.where(close[..., None], d / np.maximum(dist, 1e-9)[..., None] * (min_dist - dist)[..., None] / 2,
                        0.0).sum(axis=1)
        same = (dist < 1e-6).any(axis=1)  # markers on the same point: fan them out
        turn = np.arange(len(xy))[same].astype(float)
        push[same] += np.column_stack([np.cos(turn), np.sin(turn)]) * min_dist / 2
        xy += push
    moved = np.hypot(*(xy - home).T) > min_dist * 0.15
    return [tuple(p) if m else tuple(h) for p, h, m in zip(xy.tolist(), home.tolist(), moved, strict=True)]


def _place_labels(ax: Axes, fig: Figure, items: list[tuple[float, float, str]], fp: FontProperties, *,
                  avoid: list[Annotation]) -> None:
    """Each name under its point, else above, right or left of it; left out when every place is taken."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    taken = [a.get_window_extent(renderer) for a in avoid]
    frame = ax.get_window_extent(renderer)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    places = (((0, -9), "center", "top"), ((0, 9), "center", "bottom"), ((9, 0), "left", "center"),
              ((-9, 0), "right", "center"))
    for x, y, text in items:
        for offset, ha, va in places:
            label = ax.annotate(text, (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va,
                                fontsize=6.5, color=INK, fontproperties=fp, path_effects=halo, zorder=8)
            box = label.get_window_extent(renderer).expanded(1.04, 1.1)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(b) for b in taken):
                taken.append(box)
                break
            label.remove()


def _pad_extent(ax: Axes, g: gpd.GeoDataFrame, offsets: list[tuple[float, float]]) -> None:
    minx, miny, maxx, maxy = g.total_bounds
    if offsets:
        ox, oy = np.array(offsets).T
        minx, maxx = min(minx, ox.min()), max(maxx, ox.max())
        miny, maxy = min(miny, oy.min()), max(maxy, oy.max())
    w, h = maxx - minx, maxy - miny
    side = max(w, h * 0.98) * 1.08
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - side / 2, cx + side / 2)
    ax.set_ylim(cy - side * 0.51, cy + side * 0.51)
    ax.set_aspect("equal")


def _scale_bar(ax: Axes, fp: FontProperties, lang: str) -> None:
    x0, x1 = ax.get_xlim()
    target = (x1 - x0) / 5
    nice = max((n for n in (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000) if n <= target), default=100)
    bar = AnchoredSizeBar(ax.transData, nice, w("pic.km", lang, n=nice / 1000), loc="lower right",
                          pad=0.6, borderpad=0.8, sep=3, frameon=False, size_vertical=(x1 - x0) / 250,
                          fontproperties=_sized(fp, 7), color=INK)
    ax.add_artist(bar)


def _north_arrow(ax: Axes, fp: FontProperties, lang: str) -> None:
    ax.annotate(w("pic.north", lang), xy=(0.95, 0.97), xytext=(0.95, 0.87), xycoords="axes fraction",
                textcoords="axes fraction", ha="center", va="center", fontproperties=_sized(fp, 9),
                arrowprops={"facecolor": INK, "edgecolor": INK, "width": 2.5, "headwidth": 8, "headlength": 8})
