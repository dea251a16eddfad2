"""The rules of engine/rules.py on hand-written values: each rule once, as the callers all use it."""

from __future__ import annotations

import numpy as np
import pytest

from zq_land.engine import rules
from zq_land.geo import haversine_km


def test_mode_kinds_and_the_needs_a_mode_must_give() -> None:
    modes = np.array(["land", "lease", "platform", "land_or_lease"])[:, None]
    kinds = np.array(["land", "factory", "platform"])[None, :]
    assert rules.kind_fits_mode(modes, kinds).tolist() == [
        [True, False, False], [False, True, False], [False, False, True], [True, True, False]]
    assert rules.needs_of_mode("land_or_lease") == ("land_need_mu", "floor_need_m2")
    assert rules.needs_of_mode("platform") == ("floor_need_m2",) and rules.needs_of_mode("nope") == ()
    need = rules.need_on_site(np.array(["land", "factory"]), 12.0, 3000.0)
    assert need.tolist() == [12.0, 3000.0]


def test_site_capacity_ratio_occupied_and_area_source() -> None:
    kind = ["land", "land", "factory", "land"]
    area, geom = [100.0, float("nan"), 5.0, 80.0], [90.0, 40.0, 5.0, 120.0]
    floor = [float("nan"), float("nan"), 8000.0, float("nan")]
    status = ["vacant", "vacant", "vacant", "occupied"]
    cap, unit = rules.site_capacity(kind, area, floor, usable_land_ratio=0.7)
    assert cap.tolist() == pytest.approx([70.0, 0.0, 8000.0, 56.0]) and unit.tolist() == ["mu", "mu", "m2", "mu"]
    assert rules.site_capacity(kind, area, floor, status=status)[0].tolist() == [100.0, 0.0, 8000.0, 0.0]
    assert rules.site_capacity(kind, area, floor, area_source="geometry",
                               area_mu_geom=geom)[0].tolist() == [90.0, 40.0, 8000.0, 120.0]
    assert rules.site_capacity(kind, area, floor, area_source="smaller",
                               area_mu_geom=geom)[0].tolist() == [90.0, 40.0, 8000.0, 80.0]
    with pytest.raises(ValueError, match="needs area_mu_geom"):
        rules.site_capacity(kind, area, floor, area_source="smaller")
    with pytest.raises(ValueError, match="must be 'declared', 'geometry' or 'smaller'"):
        rules.site_capacity(kind, area, floor, area_source="survey", area_mu_geom=geom)  # type: ignore[arg-type]


def test_one_fit_tolerance() -> None:
    # the float noise of a sum fits; a tenth of a mu over does not, whatever the size
    assert rules.fits(0.1 + 0.2, 0.3) and rules.fits(512.0, 512.0) and rules.fits(1e6 + 1e-4, 1e6)
    assert not rules.fits(10.1, 10.0) and not rules.fits(1e6 + 0.1, 1e6)
    assert rules.fits(np.array([1.0, 2.0]), np.array([1.0, 1.5])).tolist() == [True, False]


def test_intensity_and_its_floor() -> None:
    assert rules.intensity_wan_per_mu(12.5, 125.0) == pytest.approx(1000.0)  # 12.5 亿元 on 125 mu
    assert np.isnan(rules.intensity_wan_per_mu(1.0, 0.0)) and np.isnan(rules.intensity_wan_per_mu(1.0, np.nan))
    below = rules.below_intensity_floor(np.array([400.0, 500.0, 499.9999999]), np.array([500.0, 500.0, np.nan]))
    assert below.tolist() == [True, False, False]  # a NaN floor is no floor


def test_anchor_points_and_the_nearest_one() -> None:
    pts = [(112.83, 23.30), (112.90, 23.40)]
    km, idx = rules.nearest_anchor(pts, np.array([112.84, 112.89, np.nan]), np.array([23.31, 23.39, 23.3]))
    assert idx.tolist() == [0, 1, -1] and np.isnan(km[2])
    assert km[0] == pytest.approx(float(haversine_km(112.84, 23.31, 112.83, 23.30)))
    assert rules.industry_set("nev_parts; battery") == {"nev_parts", "battery"} and not rules.industry_set("")
