"""The 2022 sample data reproduces every figure of the report and is usable by the allocation rules.

The files are read with plain pandas/geopandas, so that these checks do not depend on the readers.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pulp
import pytest
from shapely.geometry import box

from tools import make_sample as sample_data
from tools.make_sample import (
    PARTS_PARK_SITES,
    SAMPLE_PROJECTS,
    SAMPLE_PROJECTS_XLSX,
    SAMPLE_SCENARIOS,
    SAMPLE_SITES,
    XINQIAO_SITE,
    ZHONGHENG_SITE,
)
from zq_land.scenario import load_scenario
from zq_land.vocab import (
    ANCHOR_LOOKUP,
    FOUR_PLUS_FOUR,
    INDUSTRY_LOOKUP,
    M2_PER_MU,
    MODE_LOOKUP,
    NEV_INDUSTRIES,
    PROJECT_EFFICIENCY_HEADERS,
    PROJECT_HEADERS,
    header_lookup,
    norm_token,
)

ZHONGHENG_NAMED = ["东风灵", "同益空气能", "钰鸿机械", "南方新材料", "粤海置业", "绿岛椰谷"]
PARK_SUPPLIERS = ["长春捷翼", "中鼎", "艾诺利", "联威", "立之力"]
# name fragment -> (industry codes allowed, anchor, mode) as the report implies them
NAMED = {
    "岭南文化创意产业园": ({"culture"}, "", "land"),
    "铭利达": (NEV_INDUSTRIES, "XPeng", "land"),
    "捷翼线束": (NEV_INDUSTRIES, "XPeng", None),
    "中鼎": (NEV_INDUSTRIES, "XPeng", "land"),
    "立之力": (NEV_INDUSTRIES, "XPeng", "land"),
    "艾诺利": (NEV_INDUSTRIES, "XPeng", "land"),
    "华源科技": (NEV_INDUSTRIES, "XPeng", None),
    "长春捷翼": (NEV_INDUSTRIES, "Ruiqing CATL", "land"),
    "佑亿精密自动化": (NEV_INDUSTRIES, "Ruiqing CATL", None),
    "科成智能": (NEV_INDUSTRIES, "Ruiqing CATL", None),
    "联威": (NEV_INDUSTRIES, None, "land"),
    "中澳智慧食品": ({"food"}, None, None),
    "览讯科技": (FOUR_PLUS_FOUR, None, None),
    "威信运动用品": (FOUR_PLUS_FOUR, None, None),
    "震裕": (None, None, "lease"),
    "美呈": (None, None, "lease"),
    "麦克": (None, None, "lease"),
    "亿盛": (None, None, "lease"),
    "国能二期": (None, None, None),
    "山鹰二期": (None, None, None),
    "常旺": (None, None, None),
    "华音": (None, None, None),
    "澳科": (None, None, None),
    **{n: (None, None, "land") for n in ZHONGHENG_NAMED},
}


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def projects() -> pd.DataFrame:
    df = pd.read_csv(SAMPLE_PROJECTS, encoding="utf-8-sig", dtype={"project_id": str, "anchor": str})
    df["anchor"] = df["anchor"].fillna("")
    return df


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(SAMPLE_SITES)
    for col in ("industries", "anchor", "zone"):
        gdf[col] = gdf[col].fillna("")
    return gdf


def _one(projects: pd.DataFrame, fragment: str) -> pd.Series:
    hits = projects[projects["name"].str.contains(fragment, regex=False)]
    # 捷翼 appears in two projects (长春捷翼 and 捷翼线束); every fragment above names exactly one.
    assert len(hits) == 1, f"{fragment!r} matches {hits['name'].tolist()}"
    return hits.iloc[0]


def _site_allows(site: pd.Series, industry: str) -> bool:
    codes = [c for c in str(site["industries"]).split(";") if c]
    return not codes or industry in codes


def _admissible(project: pd.Series, site: pd.Series, *, ratio: float = 1.0) -> bool:
    """SCHEMA.md allocation rules 1-5 (no scenario date, no forbidden pairs)."""
    if site["status"] == "occupied" or not _site_allows(site, project["industry"]):
        return False
    mode, kind = project["mode"], site["kind"]
    land_ok = False
    if mode in ("land", "land_or_lease") and kind == "land":
        need = project["land_need_mu"]
        land_ok = need <= site["area_mu"] * ratio + 1e-9
        floor = site["min_invest_wan_per_mu"]
        if land_ok and not (isinstance(floor, float) and math.isnan(floor)):
            land_ok = project["investment_yi"] * 10_000 / need >= floor
    if land_ok:
        return True
    wants = {"lease": "factory", "land_or_lease": "factory", "platform": "platform"}.get(mode)
    return kind == wants and project["floor_need_m2"] <= site["floor_area_m2"]


def _need(project: pd.Series, site: pd.Series) -> float:
    return float(project["land_need_mu"] if site["kind"] == "land" else project["floor_need_m2"])


def _capacity(site: pd.Series) -> float:
    return float(site["area_mu"] if site["kind"] == "land" else site["floor_area_m2"])


def _place_all(projects: pd.DataFrame, sites: gpd.GeoDataFrame, *, locks: dict[str, str] | None = None,
               exclude: frozenset[str] = frozenset(), only: pd.Series | None = None) -> str:
    """Solve 'place every project (or every project in ``only``) at once' as a MIP; the PuLP status."""
    locks = locks or {}
    todo = projects if only is None else projects[only]
    usable = sites[~sites["site_id"].isin(exclude)]
    pairs = [
        (p.project_id, s.site_id)
        for _, p in todo.iterrows()
        for _, s in usable.iterrows()
        if _admissible(p, s) and locks.get(p.project_id, s.site_id) == s.site_id
    ]
    prob = pulp.LpProblem("place_all", pulp.LpMinimize)
    x = {k: pulp.LpVariable(f"x_{i}", cat="Binary") for i, k in enumerate(pairs)}
    prob += pulp.lpSum([])
    by_p = todo.set_index("project_id")
    by_s = usable.set_index("site_id")
    for pid in todo["project_id"]:
        prob += pulp.lpSum(v for (p, _), v in x.items() if p == pid) == 1
    for sid, site in by_s.iterrows():
        terms = [v * _need(by_p.loc[p], site) for (p, s), v in x.items() if s == sid]
        if terms:
            prob += pulp.lpSum(terms) <= _capacity(site)
    prob.solve(pulp.HiGHS(msg=False, timeLimit=60))
    return str(pulp.LpStatus[prob.status])


# --- the report's figures ----------------------------------------------------------------------


def test_109_projects(projects: pd.DataFrame) -> None:
    assert len(projects) == 109
    assert projects["project_id"].is_unique
    assert projects["name"].is_unique


def test_total_investment_192_8_yi(projects: pd.DataFrame) -> None:
    assert round(projects["investment_yi"].sum(), 1) == 192.8


def test_42_projects_over_1_yi(projects: pd.DataFrame) -> None:
    assert int((projects["investment_yi"] > 1.0).sum()) == 42


def test_36_nev_projects_invest_about_100_yi(projects: pd.DataFrame) -> None:
    nev = projects[projects["industry"].isin(NEV_INDUSTRIES)]
    assert len(nev) == 36
    assert 99.5 <= nev["investment_yi"].sum() <= 100.5


def test_19_xpeng_suppliers(projects: pd.DataFrame) -> None:
    assert int((projects["anchor"] == "XPeng").sum()) == 19


def test_10_ruiqing_catl_suppliers(projects: pd.DataFrame) -> None:
    assert int((projects["anchor"] == "Ruiqing CATL").sum()) == 10


def test_anchored_projects_are_in_the_nev_chain(projects: pd.DataFrame) -> None:
    anchored = projects[projects["anchor"] != ""]
    assert set(anchored["anchor"]) == {"XPeng", "Ruiqing CATL"}
    assert anchored["industry"].isin(NEV_INDUSTRIES).all()


def test_37_lease_projects_ask_215000_m2(projects: pd.DataFrame) -> None:
    lease = projects[projects["mode"] == "lease"]
    assert len(lease) == 37
    assert lease["floor_need_m2"].sum() == 215_000
    assert lease["land_need_mu"].isna().all()


def test_27_platform_projects_ask_89800_m2(projects: pd.DataFrame) -> None:
    plat = projects[projects["mode"] == "platform"]
    assert len(plat) == 27
    assert plat["floor_need_m2"].sum() == 89_800


def test_45_projects_need_land_about_6_land_or_lease(projects: pd.DataFrame) -> None:
    land = projects[projects["mode"].isin(["land", "land_or_lease"])]
    assert len(land) == 45
    assert (land["land_need_mu"] > 0).all()
    either = projects[projects["mode"] == "land_or_lease"]
    assert 4 <= len(either) <= 8
    assert (either["floor_need_m2"] > 0).all()


def test_modes_add_up_to_109(projects: pd.DataFrame) -> None:
    assert set(projects["mode"]) == {"land", "lease", "platform", "land_or_lease"}
    assert projects["mode"].value_counts().sum() == 109


def test_land_projects_ask_over_1200_mu(projects: pd.DataFrame) -> None:
    # "出让土地1200多亩": between 1,200 and 1,300 mu for the projects that build on granted land.
    asked = projects.loc[projects["mode"] == "land", "land_need_mu"].sum()
    assert 1200 <= asked < 1300


def test_four_plus_four_share_over_70_percent(projects: pd.DataFrame) -> None:
    assert projects["industry"].isin(FOUR_PLUS_FOUR).mean() > 0.70


def test_13_review_meetings(projects: pd.DataFrame) -> None:
    assert set(projects["review_meeting"]) == set(range(1, 14))


def test_every_industry_is_a_known_code(projects: pd.DataFrame, sites: gpd.GeoDataFrame) -> None:
    codes = set(INDUSTRY_LOOKUP.values())
    assert set(projects["industry"]) <= codes
    site_codes = {c for v in sites["industries"] for c in v.split(";") if c}
    assert site_codes <= codes


# --- named projects and plots ---------------------------------------------------------------------


@pytest.mark.parametrize("fragment", sorted(NAMED))
def test_named_project_present(projects: pd.DataFrame, fragment: str) -> None:
    row = _one(projects, fragment)
    industries, anchor, mode = NAMED[fragment]
    assert row["source"] == "report"
    if industries is not None:
        assert row["industry"] in industries
    if anchor is not None:
        assert row["anchor"] == anchor
    if mode is not None:
        assert row["mode"] == mode


def test_lingnan_park_is_16_yi(projects: pd.DataFrame) -> None:
    assert _one(projects, "岭南文化创意产业园")["investment_yi"] == 16.0


def test_filler_projects_are_plainly_illustrative(projects: pd.DataFrame) -> None:
    fillers = projects[projects["source"] == "illustrative"]
    assert len(fillers) + int((projects["source"] == "report").sum()) == 109
    assert fillers["name"].str.startswith("示例项目-").all()
    assert not projects.loc[projects["source"] == "report", "name"].str.startswith("示例").any()


NAMED_PLOTS = ["中恒地块", "原新桥钢结构厂地块", "原风华地块", "浩海", "涞馨", "原中科瑞龙地块"]


@pytest.mark.parametrize("name", NAMED_PLOTS)
def test_named_plot_present(sites: gpd.GeoDataFrame, name: str) -> None:
    hit = sites[sites["name"].str.contains(name, regex=False)]
    assert len(hit) == 1
    assert hit.iloc[0]["kind"] == "land"
    assert hit.iloc[0]["status"] in ("inefficient", "vacant")


def test_zhongheng_plot_512_mu_inefficient(sites: gpd.GeoDataFrame) -> None:
    zh = sites.set_index("site_id").loc[ZHONGHENG_SITE]
    assert zh["name"] == "中恒地块"
    assert zh["area_mu"] == 512
    assert zh["status"] == "inefficient"
    assert zh["zone"] == "中恒片区"


def test_zhongheng_14_projects_fit_512_mu_together(projects: pd.DataFrame, sites: gpd.GeoDataFrame) -> None:
    zh_site = sites.set_index("site_id").loc[ZHONGHENG_SITE]
    locks = sample_data.recorded_locks()
    zh_ids = [p for p, s in locks if s == ZHONGHENG_SITE]
    zh = projects[projects["project_id"].isin(zh_ids)]
    assert len(zh) == 14
    for frag in ZHONGHENG_NAMED:
        assert zh["name"].str.contains(frag).any(), frag
    assert zh["land_need_mu"].sum() <= 512
    assert zh["land_need_mu"].sum() >= 0.95 * 512  # the report: the 14 revitalized the 512 mu
    assert all(_admissible(p, zh_site) for _, p in zh.iterrows())


def test_lingnan_admissible_on_xinqiao_plot(projects: pd.DataFrame, sites: gpd.GeoDataFrame) -> None:
    xq = sites.set_index("site_id").loc[XINQIAO_SITE]
    assert xq["name"] == "原新桥钢结构厂地块"
    assert xq["status"] == "inefficient"
    assert _admissible(_one(projects, "岭南文化创意产业园"), xq)


def test_parts_park_phase_1_about_1048_mu_nev_only(sites: gpd.GeoDataFrame) -> None:
    park = sites[sites["site_id"].isin(PARTS_PARK_SITES)]
    assert park["area_mu"].sum() == pytest.approx(1048, rel=0.02)
    assert (park["status"] == "vacant").all()
    assert (park["zone"] == "小鹏汽车配套零部件产业园").all()
    for codes in park["industries"]:
        assert set(codes.split(";")) == {"nev_parts", "battery", "nev_vehicle", "electronics"}
    assert (park["min_invest_wan_per_mu"] >= 200).all()


def test_five_park_suppliers_fit_the_parts_park_together(
    projects: pd.DataFrame, sites: gpd.GeoDataFrame
) -> None:
    park = sites[sites["site_id"].isin(PARTS_PARK_SITES)].set_index("site_id")
    locks = dict(sample_data.recorded_locks())
    suppliers = [_one(projects, frag) for frag in PARK_SUPPLIERS]
    used = dict.fromkeys(park.index, 0.0)
    for p in suppliers:
        site_id = locks[p["project_id"]]
        assert site_id in park.index
        assert _admissible(p, park.loc[site_id]), p["name"]
        used[site_id] += p["land_need_mu"]
    assert all(used[s] <= park.loc[s, "area_mu"] for s in used)


def test_anchor_sites_xpeng_and_catl_under_5_km_apart(sites: gpd.GeoDataFrame) -> None:
    anchors = sites[sites["anchor"] != ""].set_index("anchor")
    assert set(anchors.index) == {"XPeng", "Ruiqing CATL"}
    assert (anchors["status"] == "occupied").all()
    assert anchors.loc["XPeng", "area_mu"] == pytest.approx(3000, rel=0.05)
    assert anchors.loc["Ruiqing CATL", "area_mu"] == pytest.approx(1075, rel=0.05)
    metric = anchors.to_crs("EPSG:4547")
    xpeng, catl = metric.loc["XPeng", "geometry"].centroid, metric.loc["Ruiqing CATL", "geometry"].centroid
    km = xpeng.distance(catl) / 1000
    assert 0.5 < km < 5


def test_nev_floor_space_and_parts_park_lie_near_the_anchors(sites: gpd.GeoDataFrame) -> None:
    # Suppliers can only cluster round XPeng and Ruiqing CATL if NEV space exists near them.
    metric = sites.to_crs("EPSG:4547").set_index("site_id")
    points = metric.geometry.representative_point()
    anchors = [points[s] for s in metric.index[metric["anchor"] != ""]]
    nev_only = metric[(metric["kind"] != "land") & metric["industries"].str.contains("nev_parts")]
    assert {"factory", "platform"} <= set(nev_only["kind"])
    for sid in [*nev_only.index, *PARTS_PARK_SITES]:
        assert min(points[sid].distance(a) for a in anchors) < 3_000, sid


# --- sites ------------------------------------------------------------------------------------------


def test_between_35_and_60_sites_with_unique_ids(sites: gpd.GeoDataFrame) -> None:
    assert 35 <= len(sites) <= 60
    assert sites["site_id"].is_unique
    assert set(sites["kind"]) == {"land", "factory", "platform"}
    assert set(sites["status"]) == {"vacant", "inefficient", "occupied"}
    assert sites["name"].str.len().gt(0).all() and sites["name_en"].str.len().gt(0).all()


def test_sites_file_is_wgs84(sites: gpd.GeoDataFrame) -> None:
    assert sites.crs is not None and sites.crs.to_epsg() == 4326
    assert sites.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert sites.geometry.is_valid.all()


@pytest.mark.parametrize("crs", ["EPSG:4547", "EPSG:32649"])
def test_geometry_area_matches_area_mu(sites: gpd.GeoDataFrame, crs: str) -> None:
    mu = sites.to_crs(crs).area / M2_PER_MU
    rel = (mu / sites["area_mu"] - 1).abs()
    assert rel.max() < 0.02, sites.loc[rel.idxmax(), "site_id"]


def test_sites_lie_inside_the_zone_extent(sites: gpd.GeoDataFrame) -> None:
    extent = box(112.79, 23.26, 112.86, 23.39)
    outside = sites[~sites.geometry.within(extent)]
    assert outside.empty, outside["site_id"].tolist()


def test_sites_do_not_overlap(sites: gpd.GeoDataFrame) -> None:
    metric = sites.to_crs("EPSG:4547")
    pairs = gpd.sjoin(metric, metric, predicate="intersects")
    pairs = pairs[pairs["site_id_left"] != pairs["site_id_right"]]
    assert pairs.empty, pairs[["site_id_left", "site_id_right"]].values.tolist()


def test_factory_floor_at_least_215000_m2_largely_inefficient(
    sites: gpd.GeoDataFrame, projects: pd.DataFrame
) -> None:
    fac = sites[sites["kind"] == "factory"]
    either = projects.loc[projects["mode"] == "land_or_lease", "floor_need_m2"].sum()
    assert fac["floor_area_m2"].sum() >= 215_000 + either
    assert (fac["status"] == "inefficient").mean() > 0.6
    assert (fac["status"] == "vacant").any()


def test_platform_floor_at_least_89800_m2(sites: gpd.GeoDataFrame) -> None:
    plat = sites[sites["kind"] == "platform"]
    assert plat["floor_area_m2"].sum() >= 89_800
    assert (plat["floor_area_m2"] > 0).all()


def test_investment_floors_within_calibration(sites: gpd.GeoDataFrame) -> None:
    floors = sites.loc[sites["kind"] == "land", "min_invest_wan_per_mu"].dropna()
    assert len(floors) >= 10
    assert floors.between(200, 600).all()


# --- the allocation rules can use the data ---------------------------------------------------------


def test_every_project_is_admissible_somewhere(projects: pd.DataFrame, sites: gpd.GeoDataFrame) -> None:
    homeless = [
        p["name"] for _, p in projects.iterrows() if not any(_admissible(p, s) for _, s in sites.iterrows())
    ]
    assert homeless == []


def test_land_or_lease_projects_admissible_on_land_and_in_factories(
    projects: pd.DataFrame, sites: gpd.GeoDataFrame
) -> None:
    land = sites[sites["kind"] == "land"]
    fac = sites[sites["kind"] == "factory"]
    for _, p in projects[projects["mode"] == "land_or_lease"].iterrows():
        assert any(_admissible(p, s) for _, s in land.iterrows()), p["name"]
        assert any(_admissible(p, s) for _, s in fac.iterrows()), p["name"]


def test_all_109_projects_can_be_placed_at_once(projects: pd.DataFrame, sites: gpd.GeoDataFrame) -> None:
    assert _place_all(projects, sites) == "Optimal"


def test_recorded_locks_leave_room_for_everyone(projects: pd.DataFrame, sites: gpd.GeoDataFrame) -> None:
    assert _place_all(projects, sites, locks=dict(sample_data.recorded_locks())) == "Optimal"


def test_land_saving_still_places_every_land_project(projects: pd.DataFrame, sites: gpd.GeoDataFrame) -> None:
    sc = load_scenario(SAMPLE_SCENARIOS["land_saving"])
    assert sc.exclude_sites
    status = _place_all(projects, sites, exclude=sc.exclude_sites, only=projects["mode"] == "land")
    assert status == "Optimal"


def test_capacity_is_tight_somewhere(projects: pd.DataFrame, sites: gpd.GeoDataFrame) -> None:
    # The Zhongheng plot is full once its 14 projects are on it.
    zh_ids = [p for p, s in sample_data.recorded_locks() if s == ZHONGHENG_SITE]
    used = projects.loc[projects["project_id"].isin(zh_ids), "land_need_mu"].sum()
    assert used == sites.set_index("site_id").loc[ZHONGHENG_SITE, "area_mu"]


# --- files ------------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_and_canonical_headers() -> None:
    raw = SAMPLE_PROJECTS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].split(b"\n", 1)[0].decode("utf-8").split(",")
    assert header[:9] == [c for c in PROJECT_HEADERS if c not in ("priority", "p_land", "needed_by")]  # all optional


def test_xlsx_holds_the_same_rows_as_the_csv(projects: pd.DataFrame) -> None:
    xl = pd.read_excel(SAMPLE_PROJECTS_XLSX, dtype={"项目编号": str})
    lookup = header_lookup({**PROJECT_HEADERS, **PROJECT_EFFICIENCY_HEADERS}) | {"英文名称": "name_en",
                                                                                 "数据来源": "source"}
    xl.columns = [lookup.get(norm_token(c), c) for c in xl.columns]
    assert "项目名称" not in xl.columns and "投资额(亿元)" not in xl.columns
    xl["industry"] = xl["industry"].map(lambda v: INDUSTRY_LOOKUP[norm_token(v)])
    xl["mode"] = xl["mode"].map(lambda v: MODE_LOOKUP[norm_token(v)])
    xl["anchor"] = xl["anchor"].fillna("").map(lambda v: ANCHOR_LOOKUP.get(norm_token(v), "") if v else "")
    pd.testing.assert_frame_equal(
        xl[projects.columns].reset_index(drop=True), projects.reset_index(drop=True), check_dtype=False
    )


def test_xlsx_uses_chinese_headers_and_values() -> None:
    xl = pd.read_excel(SAMPLE_PROJECTS_XLSX)
    assert list(xl.columns[:3]) == ["项目编号", "项目名称", "产业类别"]
    assert "供地" in set(xl["落地方式"]) and "小鹏汽车" in set(xl["配套龙头"].dropna())


@pytest.mark.parametrize("name", sorted(SAMPLE_SCENARIOS))
def test_sample_scenario_loads(name: str) -> None:
    sc = load_scenario(SAMPLE_SCENARIOS[name])
    assert sc.sites is not None and sc.sites.resolve() == SAMPLE_SITES.resolve()
    assert sc.projects is not None and sc.projects.resolve() == SAMPLE_PROJECTS.resolve()
    assert sc.solver.name == "highs" and sc.solver.time_limit_s == 30
    assert sc.weights.investment == 1.0
    assert sc.description


def test_scenario_weights_as_briefed() -> None:
    rec = load_scenario(SAMPLE_SCENARIOS["review_2022_recorded"])
    opt = load_scenario(SAMPLE_SCENARIOS["review_2022_optimised"])
    nev = load_scenario(SAMPLE_SCENARIOS["nev_cluster"])
    save = load_scenario(SAMPLE_SCENARIOS["land_saving"])
    assert rec.weights.only_investment()
    assert not opt.locks and (opt.weights.projects, opt.weights.revitalization) == (0.5, 0.5)
    assert nev.weights.proximity == 1.0
    assert save.weights.revitalization > 0
    assert not {ZHONGHENG_SITE, XINQIAO_SITE, *PARTS_PARK_SITES} & save.exclude_sites


def test_recorded_scenario_locks_zhongheng_lingnan_and_park_suppliers(projects: pd.DataFrame) -> None:
    sc = load_scenario(SAMPLE_SCENARIOS["review_2022_recorded"])
    locks = dict(sc.locks)
    assert len(locks) == 14 + 1 + 5
    assert sum(s == ZHONGHENG_SITE for s in locks.values()) == 14
    assert locks[_one(projects, "岭南文化创意产业园")["project_id"]] == XINQIAO_SITE
    for frag in PARK_SUPPLIERS:
        assert locks[_one(projects, frag)["project_id"]] in PARTS_PARK_SITES
    assert set(locks) <= set(projects["project_id"])


def test_generator_is_deterministic_and_files_are_current(tmp_path: Path) -> None:
    first = sample_data.write_sample_data(tmp_path / "a")
    second = sample_data.write_sample_data(tmp_path / "b")
    repo = {
        "sites": SAMPLE_SITES, "projects": SAMPLE_PROJECTS, "projects_xlsx": SAMPLE_PROJECTS_XLSX,
        "readme": sample_data.SAMPLE_README, **SAMPLE_SCENARIOS,
        "review_2022_uncertain": sample_data.SAMPLE_UNCERTAIN, "review_2022_timeline": sample_data.SAMPLE_TIMELINE,
    }
    assert set(first) == set(repo)
    for key, path in first.items():
        assert path.read_bytes() == second[key].read_bytes(), key
        assert path.read_bytes() == repo[key].read_bytes(), f"{key}: run `make sample`"


def test_another_seed_changes_only_the_fillers() -> None:
    a = sample_data.build_projects()
    b = sample_data.build_projects(seed=7)
    named_a = a[a["source"] == "report"].set_index("name")[["industry", "anchor", "investment_yi", "mode"]]
    named_b = b[b["source"] == "report"].set_index("name")[["industry", "anchor", "investment_yi", "mode"]]
    pd.testing.assert_frame_equal(named_a.sort_index(), named_b.sort_index())
    assert round(b["investment_yi"].sum(), 1) == 192.8
    fill_a = sorted(a.loc[a["source"] == "illustrative", "investment_yi"])
    fill_b = sorted(b.loc[b["source"] == "illustrative", "investment_yi"])
    assert fill_a != fill_b


def test_readers_accept_the_sample_files() -> None:
    io = pytest.importorskip("zq_land.io")
    gdf = io.read_sites(SAMPLE_SITES)
    df = io.read_projects(SAMPLE_PROJECTS)
    xl = io.read_projects(SAMPLE_PROJECTS_XLSX)
    assert len(gdf) == len(gpd.read_file(SAMPLE_SITES)) and len(df) == len(xl) == 109
    assert set(gdf.loc[gdf["anchor"] != "", "anchor"]) == {"XPeng", "Ruiqing CATL"}
    assert (df["investment_yi"].to_numpy() == xl["investment_yi"].to_numpy()).all()
    assert (df["industry"] == xl["industry"]).all() and (df["mode"] == xl["mode"]).all()
    assert (df["anchor"] == xl["anchor"]).all()
