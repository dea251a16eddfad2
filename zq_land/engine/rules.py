"""Every allocation rule of ``shared/SCHEMA.md``, by name, in one place.

The eligibility arrays, the model and its checks, the heuristics, the reasons, the KPIs, the maps and
the readers all call these functions; none of them writes a rule again. Each function works on scalars
and numpy arrays alike (it broadcasts), so the rules cost the same at city scale as for one pair.

============================  =====================================================================
rule                          function
============================  =====================================================================
mode -> site kinds            :data:`MODE_KINDS`, :func:`kind_fits_mode`, :func:`needs_of_mode`
a project's need on a site    :func:`need_on_site` (land: ``land_need_mu``, floor: ``floor_need_m2``)
what a site can hold          :func:`site_capacity` (usable-land ratio, occupied, the area source)
whether a need fits           :func:`fits` (the one tolerance, :data:`FIT_TOL`)
investment intensity          :func:`intensity_wan_per_mu`, :func:`below_intensity_floor`
per-mu efficiency (亩均)       :func:`space_mu`, :func:`per_mu`, :func:`below_per_mu_floor`, :func:`grades_by_share`
industries a site allows      :func:`industry_set`
where a site is               :func:`site_points`
where an anchor is            :func:`resolve_anchor`, :func:`anchor_points`
distance to an anchor         :func:`nearest_anchor` (great-circle km, :func:`zq_land.geo.haversine_km`)
when a project needs its site :func:`project_dates` (``needed_by``, else its meeting's date, else as-of)
whether a site is ready then  :func:`available_by` (``available_from`` on or before that date)
============================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import geo
from .._errors import input_error
from ..vocab import ANCHOR_ALIASES, GRADES, INDUSTRY_SEPARATORS, M2_PER_MU, WAN_PER_YI, canonical_anchor, norm_token

if TYPE_CHECKING:
    from ..scenario import Scenario

#: Site kinds each project mode may use.
MODE_KINDS: Final[Mapping[str, tuple[str, ...]]] = {
    "land": ("land",), "lease": ("factory",), "platform": ("platform",), "land_or_lease": ("land", "factory"),
}
#: The need column of a project that a site of each kind serves, and the unit of that kind's capacity.
KIND_NEED: Final[Mapping[str, str]] = {"land": "land_need_mu", "factory": "floor_need_m2", "platform": "floor_need_m2"}
KIND_UNIT: Final[Mapping[str, str]] = {"land": "mu", "factory": "m2", "platform": "m2"}
#: The fit tolerance: a need fits into ``room`` when ``need <= room * (1 + FIT_TOL) + FIT_TOL``, a
#: billionth of the room plus a billionth of a unit. It absorbs the float noise of summing needs (a
#: few 1e-13 at the sample's sizes, 1e-12 at city scale), never a real overfill: needs are quoted
#: to 0.1 mu or 1 m2.
FIT_TOL: Final = 1e-9
#: An intensity counts as below a floor when it is more than this (万元/亩) under it: the figure is
#: derived (investment / need), and floors are quoted in whole 万元/亩.
INTENSITY_TOL: Final = 1e-6

AreaSource = Literal["declared", "geometry", "smaller"]
FloatArray = npt.NDArray[np.float64]
Point = tuple[float, float]


def kind_fits_mode(mode: npt.ArrayLike, kind: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether a project of ``mode`` may use a site of ``kind`` (broadcast: modes (P, 1) x kinds (S,))."""
    # A table of the distinct modes x kinds, indexed by broadcasting: comparing (P, S) object arrays
    # took 5 s at 2,000 projects x 50,000 sites.
    mode_a, kind_a = np.asarray(mode, dtype=object), np.asarray(kind, dtype=object)
    modes, m_at = np.unique(mode_a.astype(str), return_inverse=True)
    kinds, k_at = np.unique(kind_a.astype(str), return_inverse=True)
    table = np.array([[k in MODE_KINDS.get(m, ()) for k in kinds] for m in modes], dtype=bool).reshape(
        len(modes), len(kinds))
    shape = np.broadcast_shapes(mode_a.shape, kind_a.shape)
    return np.broadcast_to(table[m_at.reshape(mode_a.shape), k_at.reshape(kind_a.shape)], shape).copy()


def needs_of_mode(mode: str) -> tuple[str, ...]:
    """The need columns a project of ``mode`` must fill (``land_or_lease``: both)."""
    return tuple(dict.fromkeys(KIND_NEED[k] for k in MODE_KINDS.get(mode, ())))


def need_on_site(kind: npt.ArrayLike, land_need_mu: npt.ArrayLike, floor_need_m2: npt.ArrayLike) -> FloatArray:
    """What a project needs on a site of ``kind``: its land need (mu) on land, its floor need (m2) on a
    factory or platform (broadcasts; NaN where the project gives none)."""
    is_land = np.asarray(kind, dtype=object) == "land"
    return np.asarray(np.where(is_land, np.asarray(land_need_mu, float), np.asarray(floor_need_m2, float)), float)


def site_unit(kind: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """The unit of a site's capacity: ``mu`` for land, ``m2`` for factory and platform floor."""
    return np.where(np.asarray(kind, dtype=object) == "land", "mu", "m2")


def site_capacity(
    kind: Any, area_mu: Any, floor_area_m2: Any, *, usable_land_ratio: float = 1.0, status: Any = None,
    area_source: AreaSource = "declared", area_mu_geom: Any = None,
) -> tuple[FloatArray, npt.NDArray[np.str_]]:
    """What each site can hold, and in which unit.

    Land holds its area (mu) times the usable-land ratio, factories and platforms their floor area (m2);
    a missing figure holds nothing.

    Parameters
    ----------
    usable_land_ratio
        The scenario's share of a plot projects may use (``policy.usable_land_ratio``).
    status
        The sites' statuses: when given, an ``occupied`` site holds nothing (it takes no new project).
        The eligibility rules leave it out (their own rule excludes occupied sites, and a capacity rule
        failing there too would count each such site twice in the reasons).
    area_source
        The land area used: ``"declared"`` (``area_mu``, which the readers fill from the geometry when
        the file has none), ``"geometry"`` (``area_mu_geom``) or ``"smaller"`` (the smaller of both).

    Returns
    -------
    tuple
        ``(capacity, unit)`` arrays.
    """
    if area_source not in ("declared", "geometry", "smaller"):
        raise ValueError(f"area_source must be 'declared', 'geometry' or 'smaller', got {area_source!r}")
    is_land = np.asarray(kind, dtype=object) == "land"
    area = _floats(area_mu)
    if area_source != "declared":
        if area_mu_geom is None:
            raise ValueError(f"area_source {area_source!r} needs area_mu_geom")
        geom = _floats(area_mu_geom)
        area = geom if area_source == "geometry" else np.fmin(area, geom)
    cap = np.where(is_land, np.nan_to_num(area) * usable_land_ratio, np.nan_to_num(_floats(floor_area_m2)))
    if status is not None:
        cap = np.where(np.asarray(status, dtype=object) == "occupied", 0.0, cap)
    return cap, site_unit(kind)


def fits(need: Any, room: Any) -> Any:
    """Whether ``need`` fits into ``room`` (a site's capacity, or what is left of it), within :data:`FIT_TOL`.

    The one tolerance of every capacity check: the eligibility rule, the model's capacity rows, the locks,
    the heuristics, the reasons and the audit of a plan. Broadcasts; a bool for scalars.
    """
    return need <= room * (1 + FIT_TOL) + FIT_TOL


def intensity_wan_per_mu(investment_yi: Any, land_mu: Any) -> FloatArray:
    """Investment intensity in 万元 per mu of land (NaN where there is no land); broadcasts."""
    inv = np.asarray(investment_yi, dtype=float)
    land = np.asarray(land_mu, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(land > 0, inv * WAN_PER_YI / np.where(land > 0, land, 1.0), np.nan), float)


def below_intensity_floor(intensity: Any, floor: Any) -> Any:
    """Whether an intensity is under a floor (万元/亩; a NaN floor is no floor), within :data:`INTENSITY_TOL`."""
    floor_a = np.asarray(floor, dtype=float)
    with np.errstate(invalid="ignore"):
        return ~np.isnan(floor_a) & (np.asarray(intensity, dtype=float) < floor_a - INTENSITY_TOL)


def space_mu(kind: Any, land_mu: Any, floor_m2: Any) -> FloatArray:
    """The space a project uses, in mu: its land on a ``land`` site, its floor (m2 / 666.67) on a factory or
    platform (the per-mu figures of leasing and platform projects are per mu of floor, as the revitalization
    weight counts them); NaN where it uses none. Broadcasts."""
    is_land = np.asarray(kind, dtype=object) == "land"
    land = np.asarray(land_mu, dtype=float)
    floor = np.asarray(floor_m2, dtype=float) / M2_PER_MU
    out = np.where(is_land, land, floor)
    return np.asarray(np.where(out > 0, out, np.nan), float)


def per_mu(value: Any, mu: Any) -> FloatArray:
    """A figure per mu (亩均: 万元 of output or tax per mu, jobs per mu); NaN where the figure or the space is
    missing or the space is 0. Broadcasts."""
    v = np.asarray(value, dtype=float)
    m = np.asarray(mu, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(m > 0, v / np.where(m > 0, m, 1.0), np.nan), float)


def below_per_mu_floor(value_per_mu: Any, floor: Any) -> Any:
    """Whether a per-mu figure (亩均税收 or 亩均产值, 万元/亩) is under a floor: a NaN floor is no floor, and a
    missing figure is not checked (the readers and the run warn about it), within :data:`INTENSITY_TOL`."""
    v = np.asarray(value_per_mu, dtype=float)
    return ~np.isnan(v) & np.asarray(below_intensity_floor(v, floor), bool)


def grades_by_share(values: Any, shares: Sequence[float], *, ids: Sequence[str] | None = None) -> list[str]:
    """A-D grades (亩均论英雄) of ``values`` by rank, higher is better: the top ``shares[0]`` are A, the next
    ``shares[1]`` B, and so on (Zhejiang: 25/45/25/5 %). Grade boundaries are the cumulative shares times the
    number of graded items, rounded half up; equal values share the better grade; ties in rank are broken
    by ``ids``. Missing values get no grade (``""``).
    """
    v = np.asarray(values, dtype=float)
    out = [""] * len(v)
    known = [i for i in range(len(v)) if np.isfinite(v[i])]
    key_ids = list(ids) if ids is not None else [f"{i:09d}" for i in range(len(v))]
    known.sort(key=lambda i: (-v[i], key_ids[i]))
    n = len(known)
    cum = np.cumsum(np.asarray(shares, dtype=float))
    cum = cum / cum[-1] if len(cum) and cum[-1] > 0 else cum
    bounds = [int(np.floor(c * n + 0.5)) for c in cum]
    prev_value, prev_grade = None, ""
    for rank, i in enumerate(known):
        k = next((j for j, b in enumerate(bounds) if rank < b), len(GRADES) - 1)
        grade = GRADES[min(k, len(GRADES) - 1)]
        if prev_value is not None and v[i] == prev_value:
            grade = prev_grade
        out[i] = grade
        prev_value, prev_grade = v[i], grade
    return out


def industry_set(text: object) -> frozenset[str]:
    """The industry codes a site allows (its ``industries``, ``;``-separated); empty = any industry."""
    return frozenset(t.strip() for t in INDUSTRY_SEPARATORS.split(str(text or "")) if t.strip())


def site_points(sites: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    """Where each site is, in degrees: its ``lon``/``lat`` (the readers' representative point, computed in a
    metric CRS), else the representative point of its geometry; NaN when neither is known.

    The point a distance to an anchor is measured from, and the one a map draws the supplier line from.
    """
    n = len(sites)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    if "lon" in sites.columns and "lat" in sites.columns:
        lon = pd.to_numeric(sites["lon"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(sites["lat"], errors="coerce").to_numpy(float)
    missing = ~(np.isfinite(lon) & np.isfinite(lat))
    geom = sites.geometry if isinstance(sites, gpd.GeoDataFrame) and "geometry" in sites.columns else None
    if missing.any() and geom is not None and geom.crs is not None:
        sub = gpd.GeoDataFrame(geometry=geom[missing])
        usable = ~(sub.geometry.isna() | sub.geometry.is_empty).to_numpy()
        if usable.any():
            lo, la = geo.representative_lonlat(sub[usable])
            idx = np.flatnonzero(missing)[usable]
            lon, lat = lon.copy(), lat.copy()
            lon[idx], lat[idx] = lo, la
    return lon, lat


def resolve_anchor(name: str, sites: pd.DataFrame, scenario: Scenario | None) -> list[Point]:
    """Where an anchor is: (lon, lat) points.

    (a) the scenario's ``[anchors]`` entry (a site id, or ``[lon, lat]``), else (b) the points of the
    ``occupied`` sites whose ``anchor`` column names it, else (c) those of the occupied sites whose
    ``name`` contains one of its aliases (compared after :func:`zq_land.vocab.norm_token`).

    Raises
    ------
    InputError
        When the scenario places the anchor on a site id that does not exist.
    """
    canon = canonical_anchor(name)
    lon, lat = site_points(sites)
    ids = sites["site_id"].astype(str).to_numpy() if "site_id" in sites.columns else np.array([], dtype=str)
    for key, where in (scenario.anchors if scenario is not None else ()):
        if canonical_anchor(key) != canon:
            continue
        if isinstance(where, tuple):
            return [(float(where[0]), float(where[1]))]
        hit = ids == str(where)
        if not hit.any():
            raise input_error(str(scenario.source or "<scenario>") if scenario else "<scenario>",
                              f"链主“{key}”的位置指向不存在的地块 {where}",
                              f"anchor '{key}' points to unknown site {where}",
                              column=f"anchors.{key}", found=str(where))
        return _points(lon[hit], lat[hit])
    occupied = _column(sites, "status", "vacant") == "occupied"
    anchors = np.array([canonical_anchor(a) for a in _column(sites, "anchor", "")], dtype=object)
    hit = occupied & (anchors == canon)
    if not hit.any():
        aliases = [norm_token(a) for a in [canon, *ANCHOR_ALIASES.get(canon, [])] if a]
        names = _column(sites, "name", "")
        for i in np.flatnonzero(occupied):
            hit[i] = any(a in norm_token(names[i]) for a in aliases)
    return _points(lon[hit], lat[hit])


def anchor_points(names: Iterable[str], sites: pd.DataFrame, scenario: Scenario | None) -> dict[str, tuple[Point, ...]]:
    """Every anchor of ``names`` (canonical, sorted) with its points (:func:`resolve_anchor`); unknown
    anchors map to no point. The points a run measures its distances to, and the ones its map draws."""
    out: dict[str, tuple[Point, ...]] = {}
    wanted = sorted({canonical_anchor(n) for n in names} - {""})
    if not wanted:
        return out
    # Only occupied sites and the sites the scenario names can hold an anchor: resolving on them alone
    # gives the same points (124 anchors over 50,000 sites took 10 s resolved on the whole table).
    keep = np.zeros(len(sites), dtype=bool)
    if "status" in sites.columns:
        keep |= sites["status"].astype(str).to_numpy() == "occupied"
    named = {str(w) for _k, w in (scenario.anchors if scenario is not None else ()) if not isinstance(w, tuple)}
    if named and "site_id" in sites.columns:
        keep |= sites["site_id"].astype(str).isin(named).to_numpy()
    candidates = sites[keep]
    for name in wanted:
        out[name] = tuple(resolve_anchor(name, candidates, scenario))
    return out


def nearest_anchor(points: Sequence[Point], lon: Any, lat: Any) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Great-circle km from each (lon, lat) to the nearest of an anchor's ``points``, and which point that is.

    NaN distance (and index -1) where there is no point or the position is unknown.
    """
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if not len(points):
        return np.full(lon_a.shape, np.nan), np.full(lon_a.shape, -1, dtype=np.int64)
    d = np.stack([geo.haversine_km(lon_a, lat_a, lo, la) for lo, la in points])
    known = np.isfinite(d).any(axis=0)
    idx = np.where(known, np.argmin(np.where(np.isfinite(d), d, np.inf), axis=0), -1)
    return np.where(known, d.min(axis=0, initial=np.inf, where=np.isfinite(d)), np.nan), idx.astype(np.int64)


def project_dates(
    review_meeting: Any, needed_by: Any, meetings: Mapping[int, Any], default: Any,
) -> npt.NDArray[np.datetime64]:
    """The date by which each project needs its site (``datetime64[ns]``).

    A project's ``needed_by`` when given, else the date of its ``review_meeting`` in the scenario's
    ``[meetings]``, else ``default`` (the scenario's ``policy.as_of``, or today). The availability rule
    (:func:`available_by`) compares the sites' ``available_from`` with this date.
    """
    meeting = pd.to_numeric(pd.Series(np.asarray(review_meeting, dtype=object).ravel()), errors="coerce")
    meeting_a = meeting.to_numpy(float)
    out = np.full(len(meeting_a), np.datetime64(pd.Timestamp(default).to_datetime64(), "ns"))
    for number, date in meetings.items():
        out[meeting_a == int(number)] = np.datetime64(pd.Timestamp(date).to_datetime64(), "ns")
    need = pd.to_datetime(pd.Series(np.asarray(needed_by, dtype=object)), errors="coerce")
    if isinstance(need.dtype, pd.DatetimeTZDtype):
        need = need.dt.tz_localize(None)
    need_a = need.to_numpy("datetime64[ns]")
    if len(need_a) == len(out):
        out = np.where(np.isnat(need_a), out, need_a)
    return out


def available_by(available_from: Any, when: Any) -> npt.NDArray[np.bool_]:
    """Whether a site (``available_from``; NaT = available now) is ready by ``when`` (broadcasts: dates of
    projects (P, 1) x sites (S,)). A site released on the meeting's own day counts as available."""
    avail = np.asarray(available_from, dtype="datetime64[ns]")
    return np.isnat(avail) | (avail <= np.asarray(when, dtype="datetime64[ns]"))


def _floats(values: Any) -> FloatArray:
    return pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce").to_numpy(float)


def _column(df: pd.DataFrame, name: str, default: str) -> npt.NDArray[np.object_]:
    if name not in df.columns:
        return np.full(len(df), default, dtype=object)
    return np.array([default if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in df[name]],
                    dtype=object)


def _points(lon: FloatArray, lat: FloatArray) -> list[Point]:
    return [(float(a), float(b)) for a, b in zip(lon, lat, strict=True) if np.isfinite(a) and np.isfinite(b)]
