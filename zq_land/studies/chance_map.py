"""A map of the sites coloured by the chance each one is used in a sweep (``p_used``).

Built from the same pieces as :func:`zq_land.maps.sites_map` (the compact site layers, popups, labels and
legend), with one layer per class of chance: never, under 25 %, 25-50 %, 50-75 %, 75 % to under 100 %,
always. Occupied sites keep their grey. Each popup shows the site's mean use and free capacity over the
samples, and its title the chance.
"""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

# the map machinery of zq_land.maps (private there: the lead re-points these on the layout change)
from zq_land import _offline
from zq_land.i18n import t
from zq_land.maps import (
    CATEGORY_COLORS,
    SITE_PATH_CLASS,
    SiteLayer,
    _add_labels_and_anchors,
    _Legend,
    _new_map,
    _Popups,
    _site_props,
    _SiteFrame,
)

#: (upper bound of p_used, key of the label, fill, outline), in the legend's order.
CLASSES: Final = (
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
    """The sites coloured by ``chances["p_used"]`` (a sweep's ``sweep_sites.csv`` table, by ``site_id``).

    ``chances`` needs ``site_id``, ``p_used``, ``unit``, ``capacity``, ``mean_used`` and ``mean_free``;
    sites it lacks are drawn as never used.
    """
    frame = _SiteFrame.build(sites, basemap=basemap)
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
        cls.append("occupied" if frame.statuses[i] == "occupied" else _class_of(p))
    m = _new_map(frame, lang=lang, basemap=basemap, tianditu_key=tianditu_key, offline=offline,
                 asset_base_url=_offline.APP_STATIC_URL, height=height)
    legend = []
    for _, key, fill, line in CLASSES:
        _add_class(m, frame, cls, props, key, fill, line, label=t(key, lang), lang=lang)
        legend.append((t(key, lang), fill, line))
    fill, line = CATEGORY_COLORS["occupied"]
    _add_class(m, frame, cls, props, "occupied", fill, line, label=t("cat.occupied", lang), lang=lang)
    _add_labels_and_anchors(m, frame, lang=lang)
    _Legend(legend, lang=lang, title=t("chance.legend", lang), with_anchor=any(frame.anchors)).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _class_of(p: float) -> str:
    for upper, key, _, _ in CLASSES:
        if p <= upper:
            return key
    return CLASSES[-1][1]


def _add_class(m: folium.Map, frame: _SiteFrame, cls: list[str], props: list[dict[str, object]], key: str,
               fill: str, line: str, *, label: str, lang: str) -> None:
    idx = [i for i, c in enumerate(cls) if c == key]
    if not idx:
        return
    style = {"fillColor": fill, "color": line, "weight": 1.5, "fillOpacity": 0.7,
             "className": f"{SITE_PATH_CLASS} zq-{key.replace('.', '-')}"}
    layer = SiteLayer([frame.ids[i] for i in idx], frame.shapes[np.asarray(idx, dtype=np.int64)],
                      [props[i] for i in idx], [style], [0] * len(idx), name=f"{label} ({len(idx)})")
    _Popups(lang).add_to(layer)
    layer.add_to(m)
