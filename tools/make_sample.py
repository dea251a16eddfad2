"""The 2022 sample data: sites and review projects of Zhaoqing High-tech Zone, faithful to the report.

The figures (109 projects, 192.8 亿元, 42 over 1 亿元, 36 NEV projects for about 100 亿元, 19 XPeng and
10 Ruiqing CATL suppliers, 37 leasing projects for 215,000 m2, 27 platform projects for 89,800 m2,
over 1,200 mu of land, 13 review meetings) and the names come from the 2022 report; positions, shapes,
investment floors and the filler projects are illustrative (see ``parcels/README.md``).

``make sample`` (``python -m tools.make_sample``) rewrites every file, into the package data
``zq_land/data/sample/``; the output is the same, byte for byte, on every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import random
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from xml.etree import ElementTree

import geopandas as gpd
import pandas as pd
from pyproj import Transformer
from shapely.affinity import rotate, translate
from shapely.geometry import Point, Polygon, box, mapping
from shapely.geometry.polygon import orient

from zq_land.sample import MEETING_DATES_2022, sample_dir, sample_projects, sample_scenarios, sample_sites
from zq_land.vocab import (
    FOUR_PLUS_FOUR,
    INDUSTRY_ZH,
    M2_PER_MU,
    MODE_ZH,
    NEV_INDUSTRIES,
    PROJECT_HEADERS,
)

#: Where the sample lives (package data): the generator writes there, the package reads it from there.
SAMPLE_ROOT: Final = sample_dir()
SAMPLE_SITES: Final = sample_sites()
SAMPLE_PROJECTS: Final = sample_projects("csv")
SAMPLE_PROJECTS_XLSX: Final = sample_projects("xlsx")
SAMPLE_README: Final = SAMPLE_ROOT / "parcels" / "README.md"
SAMPLE_SCENARIOS: Final[dict[str, Path]] = sample_scenarios()
#: The re-optimised scenario with the report's landing rates, for ``sweep`` (not one of the app's scenarios).
SAMPLE_UNCERTAIN: Final = SAMPLE_ROOT / "scenarios" / "review_2022_uncertain.toml"
SAMPLE_TIMELINE: Final = SAMPLE_ROOT / "scenarios" / "review_2022_timeline.toml"

#: Seed of every random choice (filler sizes, review meetings, shapes).
SEED: Final = 2022
#: The zone's published extent, lon_min, lat_min, lon_max, lat_max (EPSG:4326).
ZONE_EXTENT: Final = (112.79, 23.26, 112.86, 23.39)
#: The metric CRS the shapes are drawn in (CGCS2000 3-degree Gauss-Kruger, central meridian 114 E).
METRIC_CRS: Final = "EPSG:4547"

#: The report's figures that the project table reproduces.
FIGURES_2022: Final[dict[str, float]] = {
    "projects": 109,
    "investment_total_yi": 192.8,
    "projects_over_1_yi": 42,
    "nev_projects": 36,
    "nev_investment_yi": 100.0,
    "xpeng_suppliers": 19,
    "catl_suppliers": 10,
    "lease_projects": 37,
    "lease_floor_m2": 215_000,
    "platform_projects": 27,
    "platform_floor_m2": 89_800,
    "land_projects": 45,
    "review_meetings": 13,
    "zhongheng_projects": 14,
    "zhongheng_mu": 512,
    "lingnan_investment_yi": 16.0,
    "four_plus_four_share_min": 0.70,
    "land_granted_mu_min": 1200,
}

# Site ids used by the scenarios.
ZHONGHENG_SITE: Final = "L01"
XINQIAO_SITE: Final = "L02"
PARTS_PARK_SITES: Final = ("L03", "L04", "L05")

_CSV_COLUMNS: Final = (
    "project_id", "name", "industry", "anchor", "investment_yi", "mode", "land_need_mu",
    "floor_need_m2", "review_meeting", "needed_by", "output_wan", "tax_wan", "jobs", "name_en", "source",
)
_EXTRA_ZH: Final = {"name_en": "英文名称", "source": "数据来源", "output_wan": "预计产值(万元)",
                    "tax_wan": "预计税收(万元)", "jobs": "就业人数"}
#: Illustrative 亩均 figures by industry: annual output per 万元 invested, tax as a share of output, and
#: output per worker (万元/人). Invented, between the published yardsticks: Zhaoqing parks' 153 万元/亩 of output
#: in 2016 (old firms, shared/DOMAIN.md) and the NEV city's target of 1,000 万元/亩 ("万亩千亿": 100 billion yuan
#: on 10,000 mu); the land projects come out at about 660 万元/亩 of output and 31 万元/亩 of tax. Each project's
#: figures are drawn around them from its own seeded generator, so that the other sample values do not move.
_EFFICIENCY: Final = {
    "nev_vehicle": (1.0, 0.040, 250), "nev_parts": (0.8, 0.045, 150), "battery": (0.9, 0.040, 220),
    "electronics": (1.1, 0.040, 120), "equipment": (0.75, 0.045, 130), "new_materials": (0.8, 0.045, 180),
    "metal": (0.9, 0.030, 160), "building_materials": (0.6, 0.045, 200), "food": (1.0, 0.055, 120),
    "biomed": (0.7, 0.070, 150), "furniture": (0.85, 0.035, 60), "energy_saving": (0.7, 0.045, 140),
    "culture": (0.25, 0.070, 40), "other": (0.6, 0.040, 100),
}
#: Illustrative needed-by dates: the two park suppliers passed before the parts park broke ground
#: (2022-05-30) need their land by the end of June, so the report's placements in the park hold
#: meeting by meeting too.
_NEEDED_BY: Final = {"长春捷翼项目": "2022-06-30", "艾诺利项目": "2022-06-30"}
_ANCHOR_ZH: Final = {"XPeng": "小鹏汽车", "Ruiqing CATL": "瑞庆时代"}
_SITE_COLUMNS: Final = (
    "site_id", "name", "name_en", "kind", "area_mu", "floor_area_m2", "status", "industries",
    "min_invest_wan_per_mu", "zone", "available_from", "anchor", "label",
)
#: The report's named plots: the sample marks them ``label = true``, and the map labels them.
_LABELLED: Final = ("中恒地块", "新桥钢结构", "小鹏")
_FIXED_TIME: Final = dt.datetime(2022, 12, 31, 0, 0, 0)
_XML_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def build_projects(*, seed: int = SEED) -> pd.DataFrame:
    """The 109 review projects of 2022 as a canonical projects table.

    Parameters
    ----------
    seed
        Seed of the filler projects and of the review meetings.

    Returns
    -------
    pandas.DataFrame
        The columns of ``docs/ARCHITECTURE.md`` (without ``priority``) plus ``name_en`` and
        ``source`` (``report`` for a project named in the report, ``illustrative`` for a filler).
    """
    return _projects_with_hints(seed=seed).drop(columns="site_hint")


def build_sites(*, seed: int = SEED) -> gpd.GeoDataFrame:
    """The sample sites (land, leased factories, platforms, the two anchors) in EPSG:4326.

    Shapes are drawn in EPSG:4547 with exactly the declared ``area_mu``, scattered without overlap
    inside the zone's published extent, then turned into degrees (7 decimals).
    """
    rng = random.Random(seed + 1)
    sites = _site_specs()
    geoms = _layout(sites, rng)
    records = []
    for s in sites:
        records.append({
            "site_id": s.site_id,
            "name": s.name,
            "name_en": s.name_en,
            "kind": s.kind,
            "area_mu": s.area_mu,
            "floor_area_m2": float(s.floor_m2) if s.floor_m2 is not None else math.nan,
            "status": s.status,
            "industries": s.industries,
            "min_invest_wan_per_mu": float(s.min_invest) if s.min_invest is not None else math.nan,
            "zone": s.zone,
            "available_from": s.available_from,
            "anchor": s.anchor,
            "label": any(key in s.name for key in _LABELLED),
        })
    gdf = gpd.GeoDataFrame(records, geometry=[geoms[s.site_id] for s in sites], crs="EPSG:4326")
    return gdf.sort_values("site_id", ignore_index=True)


def recorded_locks(*, seed: int = SEED) -> list[tuple[str, str]]:
    """(project_id, site_id) pairs as the report records them: Zhongheng 14, Lingnan, park suppliers."""
    df = _projects_with_hints(seed=seed)
    hinted = df[df["site_hint"] != ""]
    return [(str(r.project_id), str(r.site_hint)) for r in hinted.itertuples()]


def write_sample_data(root: str | Path | None = None, *, seed: int = SEED) -> dict[str, Path]:
    """Write every sample file under ``root`` (by default the package data, ``zq_land/data/sample``).

    Returns
    -------
    dict
        ``sites``, ``projects``, ``projects_xlsx``, ``readme`` and one entry per scenario name,
        mapped to the path written.
    """
    base = Path(root) if root is not None else SAMPLE_ROOT
    paths = {
        "sites": base / SAMPLE_SITES.relative_to(SAMPLE_ROOT),
        "projects": base / SAMPLE_PROJECTS.relative_to(SAMPLE_ROOT),
        "projects_xlsx": base / SAMPLE_PROJECTS_XLSX.relative_to(SAMPLE_ROOT),
        "readme": base / SAMPLE_README.relative_to(SAMPLE_ROOT),
    }
    paths.update({k: base / v.relative_to(SAMPLE_ROOT) for k, v in SAMPLE_SCENARIOS.items()})
    paths["review_2022_uncertain"] = base / SAMPLE_UNCERTAIN.relative_to(SAMPLE_ROOT)
    paths["review_2022_timeline"] = base / SAMPLE_TIMELINE.relative_to(SAMPLE_ROOT)
    for p in paths.values():
        p.parent.mkdir(parents=True, exist_ok=True)

    sites = build_sites(seed=seed)
    full = _projects_with_hints(seed=seed)
    projects = full.drop(columns="site_hint")
    paths["sites"].write_bytes(_sites_geojson(sites))
    paths["projects"].write_bytes(_projects_csv(projects))
    paths["projects_xlsx"].write_bytes(_projects_xlsx(projects))
    locks = [(str(r.project_id), str(r.site_hint), str(r.name)) for r in full.itertuples() if r.site_hint]
    for name, text in _scenario_texts(locks).items():
        paths[name].write_text(text, encoding="utf-8", newline="\n")
    paths["readme"].write_text(_readme(sites, projects), encoding="utf-8", newline="\n")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python tools/make_sample.py [ROOT]`` rewrites the sample files."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python tools/make_sample.py [ROOT]   (default: zq_land/data/sample)")
        return 0 if args and args[0] in ("-h", "--help") else 2
    paths = write_sample_data(args[0] if args else None)
    for key, p in paths.items():
        print(f"{key:24s} {p}")
    return 0


# --- private types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Project:
    name: str
    name_en: str
    industry: str
    anchor: str
    mode: str
    invest_fen: int  # in 0.01 亿元 (100 万元), so that sums are exact
    land_mu: int | None = None
    floor_m2: int | None = None
    source: str = "report"
    site_hint: str = ""  # the site the report (or the recorded scenario) puts it on


@dataclass(frozen=True)
class _Site:
    site_id: str
    name: str
    name_en: str
    kind: str
    area_mu: float
    status: str
    industries: str = ""
    floor_m2: int | None = None
    min_invest: int | None = None
    zone: str = ""
    available_from: str = ""
    anchor: str = ""
    aspect: float = 1.3


# --- projects ------------------------------------------------------------------------------------


def _projects_with_hints(*, seed: int = SEED) -> pd.DataFrame:
    rng = random.Random(seed)
    specs = _project_specs(rng)
    order = list(range(len(specs)))
    rng.shuffle(order)
    position = {idx: pos for pos, idx in enumerate(order)}
    meeting = {idx: 1 + position[idx] % int(FIGURES_2022["review_meetings"]) for idx in order}
    ranked = sorted(range(len(specs)), key=lambda i: (meeting[i], position[i]))
    rows = []
    for n, i in enumerate(ranked, start=1):
        p = specs[i]
        rows.append({
            "project_id": f"XM22-{n:03d}",
            "name": p.name,
            "industry": p.industry,
            "anchor": p.anchor,
            "investment_yi": p.invest_fen / 100,
            "mode": p.mode,
            "land_need_mu": float(p.land_mu) if p.land_mu is not None else math.nan,
            "floor_need_m2": float(p.floor_m2) if p.floor_m2 is not None else math.nan,
            "review_meeting": meeting[i],
            "needed_by": _NEEDED_BY.get(p.name, ""),
            "name_en": p.name_en,
            "source": p.source,
            "site_hint": p.site_hint,
        })
    df = pd.DataFrame(rows)
    df["review_meeting"] = df["review_meeting"].astype("Int64")
    _check_projects(df)
    return _with_efficiency(df, seed=seed)


def _with_efficiency(df: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """The projects with illustrative expected annual output and tax (万元) and jobs (人), placed after
    ``review_meeting``."""
    output, tax, jobs = [], [], []
    for r in df.itertuples(index=False):
        ratio, rate, per_worker = _EFFICIENCY[str(r.industry)]
        rng = random.Random(f"{seed}-efficiency-{r.project_id}")
        out = r.investment_yi * 10_000 * ratio * rng.uniform(0.6, 1.5)
        output.append(round(out))
        tax.append(max(1, round(out * rate * rng.uniform(0.5, 1.6))))
        jobs.append(max(5, round(out / per_worker * rng.uniform(0.8, 1.25))))
    at = list(df.columns).index("review_meeting") + 1
    for k, (name, values) in enumerate((("output_wan", output), ("tax_wan", tax), ("jobs", jobs))):
        df.insert(at + k, name, values)
    return df


def _project_specs(rng: random.Random) -> list[_Project]:
    """Every project: the named ones with set figures, the fillers drawn from ``rng``."""
    X, C = "XPeng", "Ruiqing CATL"
    zh, pk = ZHONGHENG_SITE, PARTS_PARK_SITES
    out: list[_Project] = []

    def land(name: str, en: str, ind: str, anc: str, mu: int, inv: float, *, src: str = "report",
             hint: str = "") -> None:
        out.append(_Project(name, en, ind, anc, "land", round(inv * 100), mu, None, src, hint))

    # Zhongheng plot: 14 projects on exactly 512 mu (6 named, 8 fillers).
    land("东风灵项目", "Dongfengling", "equipment", "", 60, 3.00, hint=zh)
    land("同益空气能项目", "Tongyi air-source heat pumps", "energy_saving", "", 45, 1.80, hint=zh)
    land("钰鸿机械项目", "Yuhong Machinery", "equipment", "", 40, 1.60, hint=zh)
    land("南方新材料项目", "Southern New Materials", "new_materials", "", 55, 2.75, hint=zh)
    land("粤海置业项目", "Yuehai Real Estate", "other", "", 70, 2.80, hint=zh)
    land("绿岛椰谷项目", "Lvdao Coconut Valley", "food", "", 35, 1.40, hint=zh)
    for ind, mu, inv in [("metal", 40, 2.20), ("furniture", 32, 1.60), ("building_materials", 28, 1.26),
                         ("food", 25, 0.95), ("biomed", 25, 0.90), ("electronics", 22, 0.88),
                         ("equipment", 20, 0.80), ("metal", 15, 0.60)]:
        land("", "", ind, "", mu, inv, src="illustrative", hint=zh)
    # Former Xinqiao steel-structure factory plot: the Lingnan park.
    land("岭南文化创意产业园", "Lingnan Cultural and Creative Industrial Park", "culture", "", 100, 16.00,
         hint=XINQIAO_SITE)
    # XPeng parts park: the five suppliers that chose or plan sites in it.
    land("长春捷翼项目", "Changchun Jieyi", "nev_parts", C, 80, 10.00, hint=pk[0])
    land("中鼎新能源汽车零部件项目", "Zhongding NEV parts", "nev_parts", X, 90, 12.00, hint=pk[0])
    land("联威项目", "Lianwei", "nev_parts", X, 45, 4.50, hint=pk[1])
    land("艾诺利项目", "Ainuoli", "nev_parts", X, 25, 2.00, hint=pk[1])
    land("立之力项目", "Lizhili", "nev_parts", X, 20, 1.60, hint=pk[1])
    # Other NEV-chain land projects.
    land("铭利达新能源关键零部件智能制造项目", "Minglida NEV key components smart manufacturing",
         "nev_parts", X, 62, 10.00)
    land("捷翼线束项目", "Jieyi wiring harness", "nev_parts", X, 35, 4.00)
    land("佑亿精密自动化项目", "Youyi Precision Automation", "battery", C, 30, 3.00)
    land("科成智能项目", "Kecheng Intelligent", "battery", C, 25, 2.50)
    land("", "", "nev_parts", X, 25, 2.50, src="illustrative")
    land("", "", "battery", C, 25, 2.80, src="illustrative")
    land("", "", "nev_vehicle", "", 25, 2.20, src="illustrative")
    # Other land projects (4+4 examples and the projects the report follows up).
    land("国能二期项目", "Guoneng phase 2", "other", "", 25, 4.50)
    land("山鹰二期项目", "Shanying phase 2", "other", "", 25, 4.80)
    land("中澳智慧食品项目", "Zhong'ao Smart Food", "food", "", 20, 3.00)
    land("览讯科技项目", "Lanxun Technology", "electronics", "", 15, 1.50)
    land("华音项目", "Huayin", "electronics", "", 15, 1.20)
    land("常旺项目", "Changwang", "metal", "", 15, 0.90)
    land("澳科项目", "Aoke", "biomed", "", 15, 1.10)
    land("威信运动用品项目", "Weixin Sporting Goods", "equipment", "", 15, 0.80)
    land("", "", "food", "", 13, 0.65, src="illustrative")
    land("", "", "furniture", "", 12, 0.60, src="illustrative")
    land("", "", "biomed", "", 12, 0.55, src="illustrative")
    land("", "", "building_materials", "", 10, 0.45, src="illustrative")

    # Land or lease: six fillers that could build or rent.
    for ind, anc, mu, m2, inv in [("nev_parts", X, 15, 7000, 1.20), ("nev_parts", X, 12, 6000, 0.90),
                                  ("battery", C, 12, 6000, 0.85), ("equipment", "", 15, 8000, 0.90),
                                  ("new_materials", "", 12, 5000, 0.70), ("electronics", "", 10, 6000, 0.60)]:
        out.append(_Project("", "", ind, anc, "land_or_lease", round(inv * 100), mu, m2, "illustrative"))

    # Leasing projects: 37 for 215,000 m2 (14 NEV, 23 others).
    def lease(name: str, en: str, ind: str, anc: str, m2: int, inv: float, src: str = "report") -> None:
        out.append(_Project(name, en, ind, anc, "lease", round(inv * 100), None, m2, src))

    lease("震裕项目", "Zhenyu", "battery", C, 20_000, 8.00)
    lease("华源科技项目", "Huayuan Technology", "nev_parts", X, 3_000, 1.50)
    lease("美呈项目", "Meicheng", "electronics", "", 9_000, 2.80)
    lease("麦克项目", "Maike", "equipment", "", 10_000, 3.00)
    lease("亿盛项目", "Yisheng", "metal", "", 6_000, 0.90)
    nev_big = _spread(rng, 8, 2540, 120, 450)
    nev_small = _spread(rng, 4, 260, 40, 95)
    other_big = _spread(rng, 1, 281, 105, 450)
    other_small = _spread(rng, 19, 1450, 40, 98)
    lease_floor = _spread(rng, 32, (215_000 - 48_000) // 100, 15, 120)
    lease_rows = (
        [("nev_parts", X, v) for v in nev_big[:5]] + [("battery", C, v) for v in nev_big[5:7]]
        + [("nev_parts", "", nev_big[7])]
        + [("nev_parts", X, nev_small[0]), ("battery", C, nev_small[1])]
        + [("nev_vehicle", "", nev_small[2]), ("battery", "", nev_small[3])]
        + [("metal", "", other_big[0])]
        + list(zip(_cycle(["electronics", "equipment", "metal", "furniture", "food", "building_materials",
                            "new_materials", "biomed", "other", "energy_saving"], 19),
                   [""] * 19, other_small, strict=True))
    )
    for (ind, anc, inv_fen), m2 in zip(lease_rows, lease_floor, strict=True):
        out.append(_Project("", "", ind, anc, "lease", inv_fen, None, m2 * 100, "illustrative"))

    # Platform projects: 27 small ones for 89,800 m2 (7 NEV, 20 others).
    # Anchored suppliers first (each worth its distance to the anchor), then the other NEV ones.
    plat_inv = _spread(rng, 4, 200, 40, 60) + _spread(rng, 3, 45, 10, 20) + _spread(rng, 20, 800, 10, 80)
    plat_floor = _spread(rng, 27, 898, 8, 70)
    plat_ind = (
        [("nev_parts", X)] * 3 + [("battery", C)] + [("nev_parts", "")] * 2 + [("battery", "")]
        + [(i, "") for i in _cycle(["electronics", "biomed", "culture", "equipment", "other", "food",
                                     "energy_saving", "new_materials", "electronics", "biomed"], 20)]
    )
    for (ind, anc), inv_fen, m2 in zip(plat_ind, plat_inv, plat_floor, strict=True):
        out.append(_Project("", "", ind, anc, "platform", inv_fen, None, m2 * 100, "illustrative"))

    # Number the fillers and give them plainly illustrative names.
    named: list[_Project] = []
    k = 0
    for p in out:
        if p.source == "illustrative":
            k += 1
            p = _Project(
                f"示例项目-{k:02d}", f"Illustrative project {k:02d}", p.industry,
                p.anchor, p.mode, p.invest_fen, p.land_mu, p.floor_m2, p.source, p.site_hint,
            )
        named.append(p)
    return named


def _check_projects(df: pd.DataFrame) -> None:
    """Fail loudly when a figure of the report is not reproduced (guards edits to the tables above)."""
    f = FIGURES_2022
    mode = df["mode"]
    nev = df["industry"].isin(NEV_INDUSTRIES)
    checks = {
        "projects": len(df) == f["projects"],
        "total": round(df["investment_yi"].sum(), 1) == f["investment_total_yi"],
        "over 1": int((df["investment_yi"] > 1.0).sum()) == f["projects_over_1_yi"],
        "nev": int(nev.sum()) == f["nev_projects"],
        "nev inv": abs(df.loc[nev, "investment_yi"].sum() - f["nev_investment_yi"]) < 0.5,
        "xpeng": int((df["anchor"] == "XPeng").sum()) == f["xpeng_suppliers"],
        "catl": int((df["anchor"] == "Ruiqing CATL").sum()) == f["catl_suppliers"],
        "lease": int((mode == "lease").sum()) == f["lease_projects"],
        "lease m2": df.loc[mode == "lease", "floor_need_m2"].sum() == f["lease_floor_m2"],
        "platform": int((mode == "platform").sum()) == f["platform_projects"],
        "platform m2": df.loc[mode == "platform", "floor_need_m2"].sum() == f["platform_floor_m2"],
        "land": int(mode.isin(["land", "land_or_lease"]).sum()) == f["land_projects"],
        "4+4": df["industry"].isin(FOUR_PLUS_FOUR).mean() > f["four_plus_four_share_min"],
        "meetings": set(df["review_meeting"]) == set(range(1, int(f["review_meetings"]) + 1)),
        "land mu": 1200 <= df.loc[mode == "land", "land_need_mu"].sum() < 1300,
        "ids": df["project_id"].is_unique and df["name"].is_unique,
    }
    failed = [k for k, ok in checks.items() if not ok]
    if failed:
        raise AssertionError(f"sample projects do not reproduce the report: {failed}")


def _spread(rng: random.Random, n: int, total: int, lo: int, hi: int) -> list[int]:
    """``n`` integers in ``[lo, hi]`` summing exactly to ``total``, random but reproducible."""
    if not n * lo <= total <= n * hi:
        raise ValueError(f"cannot spread {total} over {n} values in [{lo}, {hi}]")
    w = [rng.random() + 0.25 for _ in range(n)]
    room = total - n * lo
    vals = [min(hi, lo + round(room * x / sum(w))) for x in w]
    diff = total - sum(vals)
    i = 0
    while diff:
        j = i % n
        step = min(diff, hi - vals[j]) if diff > 0 else max(diff, lo - vals[j])
        vals[j] += step
        diff -= step
        i += 1
    return vals


def _cycle(items: list[str], n: int) -> list[str]:
    return [items[i % len(items)] for i in range(n)]


def _projects_csv(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(_CSV_COLUMNS)
    for r in df.itertuples(index=False):
        d = r._asdict()
        w.writerow([_fmt(d[c]) for c in _CSV_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _fmt(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


def _projects_xlsx(df: pd.DataFrame) -> bytes:
    """The projects with Chinese headers and Chinese coded values, as a planner's workbook."""
    from openpyxl import Workbook

    zh_header = {c: PROJECT_HEADERS[c][1] for c in PROJECT_HEADERS} | _EXTRA_ZH
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "2022评审通过项目"
    ws.append([zh_header[c] for c in _CSV_COLUMNS])
    for r in df.itertuples(index=False):
        d = r._asdict()
        row: list[object] = []
        for c in _CSV_COLUMNS:
            v = d[c]
            if c == "industry":
                v = INDUSTRY_ZH[str(v)]
            elif c == "mode":
                v = MODE_ZH[str(v)]
            elif c == "anchor":
                v = _ANCHOR_ZH.get(str(v), None)
            elif c == "review_meeting":
                v = int(v)
            elif c == "needed_by":
                v = v or None
            elif isinstance(v, float) and math.isnan(v):
                v = None
            elif c in ("land_need_mu", "floor_need_m2", "output_wan", "tax_wan", "jobs"):
                v = int(v)
            row.append(v)
        ws.append(row)
    for col, width in zip("ABCDEFGHIJKLMNO", (11, 40, 14, 10, 12, 11, 12, 15, 9, 11, 14, 14, 9, 36, 12),
                          strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "tools/make_sample.py"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps and canonical XML, so that the bytes depend neither on
    the clock nor on the XML writer openpyxl picked (lxml when installed, else the standard library's:
    they differ in namespace placement, empty tags and character references, C14N 2.0 does not)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
            if info.filename.endswith((".xml", ".rels")):
                body = _XML_DECLARATION + ElementTree.canonicalize(body.decode("utf-8")).encode("utf-8")
            dst.writestr(fixed, body)
    return out.getvalue()


# --- sites ---------------------------------------------------------------------------------------


def _site_specs() -> list[_Site]:
    park = "小鹏汽车配套零部件产业园"
    city = "新能源汽车产业城"
    nev_park = "nev_parts;battery;nev_vehicle;electronics"
    plot = "高新区工业用地"
    dw = "大旺片区"
    sites = [
        # North: the NEV industry city.
        _Site("A01", "小鹏汽车肇庆基地", "XPeng Motors Zhaoqing base", "land", 3000, "occupied",
              "nev_vehicle", zone=city, anchor="XPeng", aspect=1.3),
        _Site("A02", "广东瑞庆时代新能源科技有限公司（瑞庆时代）", "Guangdong Ruiqing CATL plant", "land",
              1075, "occupied", "battery", zone=city, anchor="Ruiqing CATL", aspect=1.4),
    ]
    for sid, letter, mu, aspect in (("L03", "A", 420, 1.1), ("L04", "B", 368, 1.0), ("L05", "C", 260, 0.9)):
        sites.append(_Site(sid, f"{park}一期{letter}区", f"XPeng parts park phase 1, plot {letter}", "land",
                           mu, "vacant", nev_park, min_invest=300, zone=park, available_from="2022-05-30",
                           aspect=aspect))
    sites += [
        _Site("L10", "新能源汽车产业城储备地块A（示例）", "NEV city reserve plot A (illustrative)", "land",
              150, "vacant", "nev_vehicle;nev_parts;battery", min_invest=500, zone=city, available_from="2022-08-01"),
        _Site("L11", "新能源汽车产业城储备地块B（示例）", "NEV city reserve plot B (illustrative)", "land",
              100, "vacant", "nev_parts;battery;electronics;equipment", min_invest=400, zone=city,
              available_from="2022-10-01"),
        # Middle: revitalized and problem plots, other industrial land.
        _Site("L01", "中恒地块", "Zhongheng plot", "land", 512, "inefficient", "", min_invest=200,
              zone="中恒片区", aspect=1.5),
        _Site("L02", "原新桥钢结构厂地块", "Former Xinqiao steel-structure factory plot", "land", 112,
              "inefficient", "culture;other", min_invest=300, zone="新桥片区", available_from="2022-09-01"),
        _Site("L06", "原风华地块", "Former Fenghua plot", "land", 90, "inefficient",
              "electronics;new_materials;equipment", min_invest=300, zone=dw, available_from="2022-07-01"),
        _Site("L07", "浩海地块", "Haohai plot", "land", 60, "vacant", "", min_invest=250, zone=dw),
        _Site("L08", "涞馨地块", "Laixin plot", "land", 45, "inefficient", "food;biomed;other",
              min_invest=200, zone=dw),
        _Site("L09", "原中科瑞龙地块", "Former Zhongke Ruilong plot", "land", 70, "inefficient", "",
              min_invest=300, zone=dw, available_from="2022-06-15"),
        _Site("L12", "电子信息产业地块（示例）", "Electronics plot (illustrative)", "land", 60,
              "vacant", "electronics;equipment", min_invest=350, zone=plot),
        _Site("L13", "先进装备制造地块（示例）", "Advanced equipment plot (illustrative)", "land", 70,
              "vacant", "equipment;metal;new_materials", min_invest=300, zone=plot),
        _Site("L14", "食品医药产业地块（示例）", "Food and biomedicine plot (illustrative)", "land", 55,
              "vacant", "food;biomed", min_invest=250, zone=plot),
        _Site("L15", "建材家具产业地块（示例）", "Building materials and furniture plot (illustrative)",
              "land", 45, "vacant", "building_materials;furniture;metal", min_invest=200, zone=plot),
        _Site("L16", "综合工业地块（示例）", "General industrial plot (illustrative)", "land", 60,
              "vacant", "", min_invest=400, zone=plot),
        _Site("L17", "节能环保产业地块（示例）", "Energy-saving plot (illustrative)", "land", 40,
              "vacant", "energy_saving;new_materials;other", min_invest=200, zone=plot),
    ]
    # South: leased factories (mostly inefficient) and incubator platforms.
    factories = [
        (40_000, "inefficient", "nev_parts;battery;equipment;electronics"),
        (36_000, "inefficient", "nev_parts;battery;nev_vehicle"),
        (28_000, "inefficient", ""),
        (26_000, "inefficient", ""),
        (24_000, "inefficient", "food;biomed"),
        (22_000, "vacant", ""),
        (20_000, "inefficient", ""),
        (20_000, "inefficient", "electronics;equipment;new_materials"),
        (18_000, "inefficient", ""),
        (18_000, "vacant", ""),
        (16_000, "inefficient", ""),
        (15_000, "inefficient", "metal;building_materials;furniture;equipment"),
        (14_000, "inefficient", ""),
        (12_000, "vacant", ""),
        (10_000, "inefficient", ""),
    ]
    for i, (m2, status, inds) in enumerate(factories, start=1):
        # The two NEV-only factories stand in the NEV industry city, near the anchors.
        fzone = city if "nev_parts" in inds else "大旺老工业区"
        zh, en = ("低效厂房", "Inefficient factory") if status == "inefficient" else ("空置厂房",
                                                                                    "Vacant factory")
        # The plot under a factory: floor area at a floor-area ratio of 1.2.
        sites.append(_Site(f"F{i:02d}", f"{zh}-{i:02d}（示例）", f"{en} {i:02d} (illustrative)", "factory",
                           round(m2 / 1.2 / M2_PER_MU), status, inds, floor_m2=m2, zone=fzone,
                           aspect=1.6))
    platforms = [
        ("科技企业孵化器", "Technology business incubator", 24_000, "vacant", ""),
        ("创新创业园", "Innovation and entrepreneurship park", 22_000, "inefficient", ""),
        ("电子信息孵化基地", "Electronics incubation base", 16_000, "vacant", "electronics;equipment"),
        ("生物医药孵化平台", "Biomedicine incubator", 12_000, "vacant", "biomed;food"),
        ("新能源汽车配套标准厂房", "NEV supplier standard factories", 20_000, "vacant", nev_park),
        ("青年创业园", "Young entrepreneurs park", 14_000, "vacant", ""),
    ]
    for i, (zh, en, m2, status, inds) in enumerate(platforms, start=1):
        # Multi-storey buildings: floor area at a floor-area ratio of 2.0.
        pzone = city if "nev_parts" in inds else "孵化平台"
        sites.append(_Site(f"P{i:02d}", f"{zh}（示例）", f"{en} (illustrative)", "platform",
                           round(m2 / 2.0 / M2_PER_MU), status, inds, floor_m2=m2, zone=pzone,
                           aspect=1.2))
    return sites


_BANDS: Final = {  # lat_min, lat_max of each band of the zone
    "north": (23.342, 23.386),
    "middle": (23.300, 23.338),
    "south": (23.262, 23.296),
}
#: Illustrative centres (lon, lat) of the two anchors, about 2.5 km apart in the north of the zone.
_ANCHOR_CENTRES: Final = {"A01": (112.812, 23.369), "A02": (112.838, 23.362)}
#: Sites of the NEV industry city stay within this distance (m) of an anchor's centre, the NEV-only
#: factories and standard factories closer still; the parts park's plots stay together.
_NEV_RADIUS_M: Final = 3_000.0
#: (anchor sites, radius in m) of the NEV-only floor space: the suppliers' standard factories between
#: the two anchors, factory F01 near XPeng, factory F02 near Ruiqing CATL.
_NEV_FLOOR_NEAR: Final = {
    "P05": (("A01", "A02"), 2_000.0), "F01": (("A01",), 2_200.0), "F02": (("A02",), 1_800.0),
}
_PARK_CENTRE: Final = (112.826, 23.352)
_PARK_RADIUS_M: Final = 1_300.0
_GAP_M: Final = 150.0  # room for a road between two sites
_MARGIN_M: Final = 150.0  # and between a site and the zone's edge


def _band_of(s: _Site) -> str:
    if s.zone in ("新能源汽车产业城", "小鹏汽车配套零部件产业园"):
        return "north"
    if s.kind == "land":
        return "middle"
    return "south"


def _layout(sites: list[_Site], rng: random.Random) -> dict[str, Polygon]:
    """Shapes of exactly ``area_mu``, scattered without overlap inside each band, in EPSG:4326.

    The two anchors sit at fixed centres; the rest are placed largest first at random points
    (rejection sampling), the NEV-city sites within ``_NEV_RADIUS_M`` of an anchor.
    """
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    to_deg = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
    lon0, _, lon1, _ = ZONE_EXTENT
    boxes: dict[str, Polygon] = {}
    for band, (lat0, lat1) in _BANDS.items():
        corners = [to_m.transform(lo, la) for lo in (lon0, lon1) for la in (lat0, lat1)]
        xmin = max(x for x, _ in corners[:2]) + _MARGIN_M
        xmax = min(x for x, _ in corners[2:]) - _MARGIN_M
        ymin = max(corners[0][1], corners[2][1]) + _MARGIN_M
        ymax = min(corners[1][1], corners[3][1]) - _MARGIN_M
        boxes[band] = box(xmin, ymin, xmax, ymax)
    anchors = {k: Point(to_m.transform(*v)) for k, v in _ANCHOR_CENTRES.items()}
    park = Point(to_m.transform(*_PARK_CENTRE))

    def near_enough(s: _Site, p: Point) -> bool:
        if s.zone == "小鹏汽车配套零部件产业园":
            return p.distance(park) <= _PARK_RADIUS_M
        if _band_of(s) != "north":
            return True
        if s.site_id in _NEV_FLOOR_NEAR:
            near, radius = _NEV_FLOOR_NEAR[s.site_id]
            return all(p.distance(anchors[a]) <= radius for a in near)
        return min(p.distance(a) for a in anchors.values()) <= _NEV_RADIUS_M

    bands = list(_BANDS)
    order = sorted(sites, key=lambda s: (s.site_id not in anchors, bands.index(_band_of(s)), -s.area_mu,
                                         s.site_id))
    placed: list[Polygon] = []
    out: dict[str, Polygon] = {}
    for s in order:
        band = boxes[_band_of(s)]
        shape = _shape(s.area_mu * M2_PER_MU, s.aspect, rng.randrange(4), rng.randrange(4))
        shape = rotate(shape, rng.uniform(-12.0, 12.0), origin="centroid")
        c = shape.centroid
        for _ in range(5000):
            if s.site_id in anchors:
                target = anchors[s.site_id]
            else:
                bx0, by0, bx1, by1 = band.bounds
                target = Point(rng.uniform(bx0, bx1), rng.uniform(by0, by1))
                if not near_enough(s, target):
                    continue
            cand = translate(shape, target.x - c.x, target.y - c.y)
            if band.contains(cand) and all(cand.distance(p) >= _GAP_M for p in placed):
                break
            if s.site_id in anchors:
                raise AssertionError(f"anchor site {s.site_id} does not fit at its centre")
        else:
            raise AssertionError(f"no room left for site {s.site_id}")
        placed.append(cand)
        ring = [to_deg.transform(px, py) for px, py in cand.exterior.coords]
        out[s.site_id] = orient(Polygon([(round(a, 7), round(b, 7)) for a, b in ring]), sign=1.0)
    return out


def _shape(area_m2: float, aspect: float, template: int, corner: int) -> Polygon:
    """A plot outline of exactly ``area_m2``: rectangle, clipped corner, L-shape or trapezoid."""
    w, h = aspect, 1.0
    if template == 0:
        pts = [(0, 0), (w, 0), (w, h), (0, h)]
    elif template == 1:
        pts = [(0, 0), (w, 0), (w, 0.7 * h), (0.7 * w, h), (0, h)]
    elif template == 2:
        pts = [(0, 0), (w, 0), (w, 0.65 * h), (0.6 * w, 0.65 * h), (0.6 * w, h), (0, h)]
    else:
        pts = [(0, 0), (w, 0), (0.88 * w, h), (0.1 * w, h)]
    poly = Polygon(pts)
    if corner % 2:  # mirror for variety
        poly = Polygon([(w - px, py) for px, py in poly.exterior.coords])
    if corner >= 2:
        poly = Polygon([(px, h - py) for px, py in poly.exterior.coords])
    k = math.sqrt(area_m2 / poly.area)
    return Polygon([(px * k, py * k) for px, py in poly.exterior.coords])


def _sites_geojson(gdf: gpd.GeoDataFrame) -> bytes:
    features = []
    for row, geom in zip(gdf.itertuples(index=False), gdf.geometry, strict=True):
        d = row._asdict()
        props: dict[str, object] = {}
        for c in _SITE_COLUMNS:
            v = d[c]
            if isinstance(v, float):
                v = None if math.isnan(v) else (int(v) if v.is_integer() else v)
            elif c == "available_from" and not v:
                v = None
            props[c] = v
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    doc = {"type": "FeatureCollection", "name": "zhaoqing_hitech", "features": features}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    # One feature per line keeps diffs readable.
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
    text = text.replace('"features":[', '"features":[\n')
    return (text + "\n").encode("utf-8")


# --- scenarios and README -------------------------------------------------------------------------


def _scenario_texts(locks: list[tuple[str, str, str]]) -> dict[str, str]:
    stamp = "# Generated by `make sample` (tools/make_sample.py): edit the generator, not this file.\n"
    files = 'sites = "../parcels/zhaoqing_hitech.geojson"\nprojects = "projects_2022.csv"\n'
    solver = '\n[solver]\nname = "highs"\ntime_limit_s = 30\nmip_gap = 0.0\n'
    lock_text = "".join(f'\n[[locks]]  # {n}\nproject = "{p}"\nsite = "{s}"\n' for p, s, n in locks)
    reserve = ", ".join(f'"{s}"' for s in ("L10", "L11", "L12", "L13", "L14", "L15", "L16", "L17"))
    texts = {
        "review_2022_recorded": (
            'name = "2022 review as recorded"\n'
            'description = "2022年评审结果（按报道记录）: the 14 Zhongheng projects on the Zhongheng plot, '
            "the Lingnan park on the former Xinqiao plot, the five named suppliers in the XPeng parts park "
            '(locked); the rest placed for the most investment."\n'
            + files + "\n[weights]\ninvestment = 1.0\n" + solver + lock_text
        ),
        "review_2022_optimised": (
            'name = "2022 review re-optimised"\n'
            'description = "同一批项目，不锁定: the same inputs with no locks; investment, number of '
            'projects and revitalized land and floor weighed together."\n'
            + files + "\n[weights]\ninvestment = 1.0\nprojects = 0.5\nrevitalization = 0.5\n" + solver
        ),
        "nev_cluster": (
            'name = "NEV cluster"\n'
            'description = "新能源汽车产业集聚: suppliers of XPeng and Ruiqing CATL pulled towards their '
            'anchor (a penalty per 10 km between a supplier and its anchor)."\n'
            + files + "\n[weights]\ninvestment = 1.0\nproximity = 1.0\n"
            + "\n[policy]\nproximity_reference_km = 10.0\n" + solver
        ),
        "land_saving": (
            'name = "land saving"\n'
            'description = "节约集约用地: the vacant reserve and general industrial plots (L10-L17) are kept '
            "back for later years and revitalizing inefficient land and factory floor is rewarded, so the "
            "projects that may build or rent (land_or_lease) are steered into leased inefficient factories, "
            "while every land project still finds a plot. The usable-land ratio stays 1.0 because the "
            'Zhongheng plot holds its 14 projects with no slack."\n'
            + files + f"exclude_sites = [{reserve}]\n"
            + "\n[weights]\ninvestment = 1.0\nrevitalization = 1.0\n" + solver
        ),
        "review_2022_timeline": (
            "# The 2022 review, meeting by meeting (`python -m zq_land timeline`). The 13 meeting dates and the\n"
            "# plots' release dates (available_from in the sites) are illustrative, not from the report: the\n"
            "# parts park is released on 2022-05-30 (ground broken; the two suppliers passed before it need their\n"
            "# land by 2022-06-30: needed_by), the former Xinqiao plot in September, the Fenghua and Zhongke\n"
            "# Ruilong plots in July and June, the NEV city's reserve plots in August and October.\n"
            'name = "2022 review meeting by meeting"\n'
            'description = "2022年13次评审会逐次决策（日期为示意）: each meeting places its projects given the '
            'earlier placements and the plots released by its date; investment only."\n'
            + files + "\n[weights]\ninvestment = 1.0\n" + solver + "\n[meetings]  # illustrative dates\n"
            + "".join(f'"{i}" = {d}\n' for i, d in enumerate(MEETING_DATES_2022, start=1))
        ),
        "review_2022_uncertain": (
            "# The 2022 review re-optimised (review_2022_optimised.toml) with the report's landing rates, for "
            "sweeps:\n# of the 37 leasing projects 28 landed (28/37 = 0.757); 101 of the 109 projects started "
            "construction\n# (101/109 = 0.927), taken as the rate of the others.\n"
            'name = "2022 review under uncertainty"\n'
            'description = "同一批项目，按报告的落地率抽样: the same inputs, each project landing with the '
            'report\'s rate."\n'
            + files + "\n[weights]\ninvestment = 1.0\nprojects = 0.5\nrevitalization = 0.5\n" + solver
            + "\n[uncertainty]\np_land = 0.927\np_land_by_mode = { lease = 0.757 }\n"
        ),
    }
    return {k: stamp + v for k, v in texts.items()}


def _readme(sites: gpd.GeoDataFrame, projects: pd.DataFrame) -> str:
    mode = projects["mode"]
    nev = projects["industry"].isin(NEV_INDUSTRIES)
    kinds = sites["kind"]
    figures = [
        ("review meetings 项目评审会", "13", f"{projects['review_meeting'].nunique()}"),
        ("projects passed 通过评审项目", "109", f"{len(projects)}"),
        ("planned investment 计划投资总额", "192.8 亿元", f"{projects['investment_yi'].sum():.1f} 亿元"),
        ("projects over 1 亿元 投资超亿元", "42", f"{int((projects['investment_yi'] > 1).sum())}"),
        ("NEV and auto-parts projects 新能源汽车及零部件", "36, about 100 亿元",
         f"{int(nev.sum())}, {projects.loc[nev, 'investment_yi'].sum():.1f} 亿元"),
        ("XPeng suppliers 小鹏汽车配套", "19", f"{int((projects['anchor'] == 'XPeng').sum())}"),
        ("Ruiqing CATL suppliers 瑞庆时代配套", "10", f"{int((projects['anchor'] == 'Ruiqing CATL').sum())}"),
        ("leasing projects 租赁类", "37, 215,000 m2",
         f"{int((mode == 'lease').sum())}, {projects.loc[mode == 'lease', 'floor_need_m2'].sum():,.0f} m2"),
        ("platform projects 平台类", "27, 89,800 m2",
         f"{int((mode == 'platform').sum())}, "
         f"{projects.loc[mode == 'platform', 'floor_need_m2'].sum():,.0f} m2"),
        ("projects needing land 供地类", "45 (109 - 37 - 27)",
         f"{int(mode.isin(['land', 'land_or_lease']).sum())} "
         f"({int((mode == 'land_or_lease').sum())} of them land_or_lease)"),
        ("land granted 出让土地", "over 1,200 mu",
         f"{projects.loc[mode == 'land', 'land_need_mu'].sum():,.0f} mu asked by the land projects"),
        ('"4+4" share "4+4"产业占比', "over 70 %",
         f"{projects['industry'].isin(FOUR_PLUS_FOUR).mean():.1%}"),
        ("Zhongheng plot 中恒地块", "14 projects, 512 mu", "14 projects, 512 mu"),
        ("Lingnan park 岭南文化创意产业园", "16 亿元", "16 亿元 on the former Xinqiao plot"),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in figures)
    floor = sites.loc[kinds == "factory", "floor_area_m2"].sum()
    plat = sites.loc[kinds == "platform", "floor_area_m2"].sum()
    n_named = int((projects["source"] == "report").sum())
    n_kind = {k: int((kinds == k).sum()) for k in ("land", "factory", "platform")}
    files = "\n".join(f"| `{a}` | {b} |" for a, b in [
        ("parcels/zhaoqing_hitech.geojson", f"{len(sites)} sites, EPSG:4326"),
        ("scenarios/projects_2022.csv",
         f"{len(projects)} projects, UTF-8 with BOM, English headers and codes"),
        ("scenarios/projects_2022.xlsx",
         "the same projects, Chinese headers and Chinese values (供地, 汽车零部件, 小鹏汽车)"),
        ("scenarios/review_2022_recorded.toml",
         "the report's placements locked (Zhongheng 14, Lingnan, the five park suppliers)"),
        ("scenarios/review_2022_optimised.toml",
         "same inputs, no locks, investment + projects + revitalization"),
        ("scenarios/nev_cluster.toml", "suppliers pulled towards XPeng and Ruiqing CATL (proximity weight)"),
        ("scenarios/land_saving.toml",
         "reserve plots kept back, revitalization rewarded: land-or-lease projects rent"),
        ("scenarios/review_2022_uncertain.toml",
         "the re-optimised scenario with the report's landing rates (lease 28/37, others 101/109), for `sweep`"),
        ("scenarios/review_2022_timeline.toml",
         "the 13 review meetings with illustrative dates, investment only, for `timeline`"),
    ])
    return f"""# Sample data: Zhaoqing High-tech Zone, 2022 review (肇庆高新区2022年项目评审)

Generated by `make sample` (`python -m tools.make_sample`) from `tools/make_sample.py`, seed {SEED},
into `zq_land/data/sample/` (package data; `parcels/` and `scenarios/` at the top of the repository
link to it); the output is the same byte for byte on every run. Edit the generator, never these files:

| file | what |
|---|---|
{files}

## What is real and what is illustrative

**Real** (from the 2022 report, `shared/seed/000_bfbf4fadcc674ada.txt`): every figure in the table
below, the names of the {n_named} named projects (`source = report`), their chain leader where the report
says it (XPeng: Minglida, Jieyi harness, Zhongding, Lizhili, Ainuoli, Huayuan; Ruiqing CATL: Changchun
Jieyi, Youyi, Kecheng), the 14 projects and 512 mu of the Zhongheng plot, the 16 亿元 Lingnan park on the
former Xinqiao steel-structure plot, the five suppliers in the XPeng parts park, the leasing projects
in production (Zhenyu, Meicheng, Maike, Yisheng), the plot names (原风华地块, 浩海, 涞馨, 原中科瑞龙地块), the
sizes of the XPeng base (about 3,000 mu), the Ruiqing CATL plant (about 1,075 mu, under 5 km from XPeng)
and the parts park's phase 1 (about 1,048 mu, here three plots of 420 + 368 + 260 mu).

**Illustrative** (invented so that the tool has something to work on; not survey data):
- every position and outline: the exact sites are not public, so the shapes are drawn, without
  overlap, inside the zone's published extent (112.79-112.86 E, 23.26-23.39 N), each with exactly its
  declared `area_mu` (drawn in EPSG:4547). The NEV industry city is put in the north (the anchors
  about 2.8 km apart, the parts park between them, the NEV-only factories and standard factories
  within 2 km of an anchor), the revitalized and other land plots in the middle, the leased factories
  and platforms in the south;
- each named project's investment, land or floor need and (where the report does not say) its
  industry and anchor (e.g. Zhenyu as a Ruiqing CATL supplier, Lianwei as an XPeng supplier, Guoneng
  and Shanying phase 2 as `other`, Weixin Sporting Goods as `equipment`);
- the {len(projects) - n_named} filler projects, named `示例项目-NN` (`source = illustrative`),
  sized so that the table reproduces the report's totals exactly;
- the review meeting of each project (drawn evenly over meetings 1-13);
- every project's expected annual output (`output_wan`, 万元), tax (`tax_wan`, 万元) and jobs (`jobs`, 人):
  the report gives none of them. They are drawn around invented ratios by industry (output per 万元
  invested, tax as a share of output, output per worker) between published yardsticks (Zhaoqing parks'
  153 万元/亩 of output in 2016; the NEV city's target of 1,000 万元/亩), so that the land projects come out
  at about 660 万元/亩 of output and 31 万元/亩 of tax, for the 亩均 (per-mu) figures, floors, the tax weight
  and the A-D grading to have something to work on: **illustrative, not any firm's figures**;
- the sites marked `（示例）` (reserve and general industrial plots, leased factories, platforms), all
  statuses, industry restrictions and investment floors (200-600 万元/亩, after the calibration notes
  in `shared/DOMAIN.md`), and the land/floor capacities of the named plots other than Zhongheng.

## Figures the projects reproduce

| figure | report | sample data |
|---|---|---|
{table}

Sites: {n_kind['land']} land plots (2 of them the occupied anchors), {n_kind['factory']}
leased factories with {floor:,.0f} m2 of floor (needed: 215,000 m2 for leasing plus the land-or-lease
projects), {n_kind['platform']} platforms with {plat:,.0f} m2 (needed: 89,800 m2). Every
project is admissible on at least one site and all {len(projects)} can be placed at once (also with the
recorded locks); the Zhongheng plot is then full (512 of 512 mu) and the Xinqiao plot nearly so
(100 of 112 mu).

## Columns

Sites (`zhaoqing_hitech.geojson`): `site_id`, `name` (Chinese), `name_en`, `kind` (`land`, `factory`,
`platform`), `area_mu` (mu; for factories and platforms the plot under the building), `floor_area_m2`
(leasable floor of factories and platforms), `status` (`vacant`, `inefficient`, `occupied`),
`industries` (codes separated by `;`, empty = any), `min_invest_wan_per_mu` (investment floor,
万元/亩, empty = none), `zone`, `available_from` (the parts park: 2022-05-30, the day ground was broken;
illustrative release dates of the former Xinqiao, Fenghua and Zhongke Ruilong plots
and the NEV city's reserve plots in the second half),
`anchor` (`XPeng` or `Ruiqing CATL` on the two occupied anchor sites), `label` (true for the report's
named plots: the map labels them by name).

Projects (`projects_2022.csv`): `project_id` (`XM22-NNN`, in review order), `name`, `industry`,
`anchor`, `investment_yi` (亿元), `mode` (`land`, `lease`, `platform`, `land_or_lease`), `land_need_mu`,
`floor_need_m2`, `review_meeting` (1-13), `needed_by` (illustrative: two early park suppliers need
their land by 2022-06-30), `output_wan` (expected annual output, 万元; illustrative),
`tax_wan` (expected annual tax, 万元; illustrative), `jobs` (people; illustrative), `name_en`, `source`
(`report` or `illustrative`). The xlsx holds the same rows under the Chinese headers 项目编号, 项目名称,
产业类别, 配套龙头, 投资额(亿元), 落地方式, 用地需求(亩), 厂房需求(平方米), 评审批次, 需用日期, 预计产值(万元),
预计税收(万元), 就业人数, 英文名称, 数据来源.

## Regenerate

```
make sample                                   # rewrites the files listed above
.venv/bin/python -m pytest tests/test_sample_data.py
```
"""


if __name__ == "__main__":
    sys.exit(main())
