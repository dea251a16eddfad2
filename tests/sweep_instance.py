"""A small sweep instance whose chances can be worked out by hand (shared by the sweep tests).

Site ``L1`` (10 mu, nev_parts only) is tight: ``X`` (10 亿元, p 0.3) and ``Y`` (5 亿元, p 0.8) each need
all of it, so it is used unless neither arrives (p_used = 1 - 0.7 x 0.2 = 0.86), ``X`` is placed whenever
it arrives (0.3) and ``Y`` when it arrives without ``X`` (0.8 x 0.7 = 0.56). Planning as if everyone
arrived gives ``L1`` to ``X``; the robust plan gives it to ``Y`` (mean value 0.8 x 5 = 4 > 0.3 x 10 = 3),
with a mean regret of 0.3 x 0.8 x 5 + 0.3 x 0.2 x 10 = 1.8 against 0.7 x 0.8 x 5 = 2.8 for the other.
Site ``L2`` (1,000 mu, food only) has room for all: ``A`` (p 0) is never placed, ``B`` (p 1) always, ``C``
(no p_land: the scenario's 0.5 for land projects) whenever it arrives.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import sites_frame, write_csv, write_vector

SCENARIO = """name = "hand-made sweep"
sites = "sites.geojson"
projects = "projects.csv"

[weights]
investment = 1.0

[solver]
time_limit_s = 20

[uncertainty]
p_land_by_mode = {{ land = 0.5 }}
{extra}
"""
PROJECTS = [
    ["project_id", "name", "industry", "investment_yi", "mode", "land_need_mu", "p_land"],
    ["X", "大项目", "nev_parts", "10", "land", "10", "0.3"],
    ["Y", "稳项目", "nev_parts", "5", "land", "10", "0.8"],
    ["A", "不来的项目", "food", "1", "land", "5", "0"],
    ["B", "必来的项目", "food", "2", "land", "5", "1"],
    ["C", "一半", "food", "3", "land", "5", ""],
]
#: landing probabilities in the rows' order, as the sweep must take them
P_LAND = np.array([0.3, 0.8, 0.0, 1.0, 0.5])


def write_instance(folder: Path, *, extra: str = "") -> Path:
    """The instance's files in ``folder``; returns the scenario path."""
    folder.mkdir(parents=True, exist_ok=True)
    sites = sites_frame(site_id=["L1", "L2"], name=["紧张地块", "宽裕地块"], kind=["land", "land"],
                        area_mu=[10.0, 1000.0], floor_area_m2=[None, None], status=["vacant", "vacant"],
                        industries=["nev_parts", "food"])
    write_vector(sites, folder / "sites.geojson")
    write_csv(folder / "projects.csv", PROJECTS)
    path = folder / "scenario.toml"
    path.write_text(SCENARIO.format(extra=extra), encoding="utf-8")
    return path
