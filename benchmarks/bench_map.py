"""Map benchmark: ``python -m benchmarks.bench_map [--sizes 500 2000 5000] [--repeat 3]``.

Times what the app does for a result map's download, end to end: ``sites_map(...)`` with an allocation's
assignments and site use, then ``standalone_html(...)`` (Leaflet inlined). Side by side, in the same run,
the baseline: raw Folium of the same parcels (``folium.GeoJson`` of the GeoDataFrame with a
``GeoJsonPopup``, rendered to HTML with CDN links). Ratios against that baseline are what to read: the
machines here are shared and noisy. Each figure is the best of ``--repeat`` runs (median alongside).

Two parcel shapes per size: the squares of :func:`benchmarks.generate.make_instance` and irregular
parcels of 24-48 vertices at the same places (real cadastral outlines have many vertices).
The allocation is a greedy plan (``greedy_allocation``) turned into the ``AllocationResult`` tables, so
that the benchmark does not wait for the solver; the map only reads those tables.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

SIZES = (500, 2000, 5000)
SEED = 20221230


def allocation_tables(sites: gpd.GeoDataFrame, projects: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(assignments, site_use)`` as in ``AllocationResult``, from a greedy plan (no solver)."""
    from zq_land.engine.eligibility import eligible_pairs
    from zq_land.engine.model import assignments_of, greedy_allocation
    from zq_land.engine.results import _assignments_table, _site_use_table
    from zq_land.scenario import Scenario, Weights

    sc = Scenario(name="bench_map", weights=Weights(investment=1.0))
    cand = eligible_pairs(sites, projects, sc)
    plan = assignments_of(cand, greedy_allocation(cand, sc))
    reasons = pd.DataFrame(columns=["project_id", "reason_code", "reason_zh", "reason_en"])
    prices = pd.DataFrame(columns=["site_id", "unit", "dual", "text_zh", "text_en"])
    assignments = _assignments_table(plan, sites, projects, cand, reasons, sc)
    return assignments, _site_use_table(assignments, sites, prices, sc)


def irregular(sites: gpd.GeoDataFrame, *, seed: int = SEED) -> gpd.GeoDataFrame:
    """The same sites with irregular outlines of 24-48 vertices inside each square (seeded)."""
    rng = np.random.default_rng(seed)
    out = []
    for g in sites.geometry.values:
        x0, y0, x1, y1 = g.bounds
        cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
        k = int(rng.integers(24, 49))
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = (0.8 * (1 + 0.12 * rng.standard_normal(k))).clip(0.5, 1.0)
        out.append(shapely.make_valid(shapely.Polygon(np.column_stack([cx + rx * r * np.cos(ang),
                                                                       cy + ry * r * np.sin(ang)]))))
    res = sites.copy()
    res["geometry"] = gpd.GeoSeries(out, crs=sites.crs).values
    return res


def _best(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), out


def measure(n_sites: int, *, shape: str, repeat: int) -> dict[str, Any]:
    """One size and shape: our standalone map and the raw Folium baseline, seconds and MB."""
    import folium

    from benchmarks.generate import make_instance
    from zq_land.outputs.maps import map_json, sites_map, standalone_html

    sites, projects = make_instance(max(50, n_sites * 2 // 5), n_sites, seed=SEED, tightness=1.1)
    if shape == "irregular":
        sites = irregular(sites)
    assignments, site_use = allocation_tables(sites, projects)

    def ours() -> tuple[str, folium.Map]:
        m = sites_map(sites, assignments=assignments, site_use=site_use)
        return standalone_html(m), m

    def raw() -> str:
        m = folium.Map(location=[23.3, 112.8], zoom_start=12)
        gdf = gpd.GeoDataFrame(sites.drop(columns=["available_from"], errors="ignore"))
        folium.GeoJson(gdf, popup=folium.GeoJsonPopup(fields=["site_id", "name", "kind", "status"])).add_to(m)
        return str(m.get_root().render())

    ours()  # warm-up: imports, Leaflet read from disk, caches
    s_min, s_med, (html, m) = _best(ours, repeat)
    r_min, r_med, raw_html = _best(raw, max(1, repeat - 1))
    feats = sum(len(fc["features"]) for fc in map_json(m))
    assert feats == n_sites, (feats, n_sites)
    vertices = int(shapely.get_num_coordinates(np.asarray(sites.geometry.values)).sum())
    mb, raw_mb = len(html.encode()) / 1e6, len(raw_html.encode()) / 1e6
    placed = int((assignments["site_id"] != "").sum())
    return {"parcels": n_sites, "shape": shape, "vertices": vertices, "placed": placed,
            "s": s_min, "s_median": s_med, "mb": mb, "raw_s": r_min, "raw_s_median": r_med, "raw_mb": raw_mb,
            "speedup": r_min / s_min if s_min else None, "size_ratio": mb / raw_mb if raw_mb else None}


def format_table(rows: list[dict[str, Any]]) -> str:
    head = ("| parcels | shape | vertices | ours s (median) | ours MB | raw Folium s (median) | raw Folium MB | "
            "speed-up | size ours/raw |\n|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        lines.append(f"| {r['parcels']:,} | {r['shape']} | {r['vertices']:,} | {r['s']:.2f} ({r['s_median']:.2f}) | "
                     f"{r['mb']:.2f} | {r['raw_s']:.2f} ({r['raw_s_median']:.2f}) | {r['raw_mb']:.2f} | "
                     f"{r['speedup']:.1f}x | {r['size_ratio']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="*", type=int, default=list(SIZES))
    ap.add_argument("--shapes", nargs="*", default=["squares", "irregular"], choices=["squares", "irregular"])
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is reported")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = ap.parse_args(argv)
    rows = []
    for n in args.sizes:
        for shape in args.shapes:
            print(f"… {n} {shape}", file=sys.stderr, flush=True)
            rows.append(measure(n, shape=shape, repeat=args.repeat))
    print(format_table(rows))
    print("\nours = sites_map(assignments, site_use) + standalone_html (Leaflet inlined, ~0.17 MB of it); "
          "raw = folium.GeoJson(GeoDataFrame, GeoJsonPopup) rendered with CDN links.")
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
