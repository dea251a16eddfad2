"""Which project may go to which site: the allocation rules of ``shared/SCHEMA.md``, vectorised.

Every rule is evaluated on project x site arrays at once (numpy broadcasting), so a pipeline of
hundreds of projects against thousands of sites costs milliseconds. The same rule arrays drive the
candidate pairs of the optimiser, the per-project rule counts behind the "why unplaced" messages and
:func:`why_not` for a single pair, so the three can never disagree.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from .._errors import input_error
from ..scenario import Scenario
from ..text import Text, code_words
from ..vocab import INDUSTRY_ZH, KIND_ZH, MODE_ZH, MU_PER_M2, canonical_anchor
from . import rules as R

#: The rules, in the order they are reported. Each excludes a (project, site) pair on its own.
RULES: Final[tuple[str, ...]] = (
    "kind_mode", "industry", "capacity", "intensity", "tax_floor", "output_floor", "status_occupied",
    "not_available", "forbidden", "excluded_site",
)
#: Each rule's short name, as the reasons count the sites it excludes.
RULE_NAMES: Final[Mapping[str, Text]] = {
    "kind_mode": Text("类型与落地方式不符", "kind does not fit the mode"),
    "industry": Text("产业不符", "industry not allowed"),
    "capacity": Text("容量不足", "too small"),
    "intensity": Text("投资强度不足", "investment intensity too low"),
    "tax_floor": Text("亩均税收不足", "tax per mu too low"),
    "output_floor": Text("亩均产值不足", "output per mu too low"),
    "status_occupied": Text("已占用", "occupied"),
    "not_available": Text("尚不可供", "not yet available"),
    "forbidden": Text("情景禁止", "forbidden by the scenario"),
    "excluded_site": Text("情景排除地块", "site excluded by the scenario"),
}



@dataclass(frozen=True)
class Reason:
    """One reason why a project is not (or is) on a site: a code and its words."""

    code: str
    text: Text

    @property
    def text_zh(self) -> str:
        return self.text.zh

    @property
    def text_en(self) -> str:
        return self.text.en


def _reason(code: str, zh: str, en: str) -> Reason:
    return Reason(code, Text(zh, en))


@dataclass(frozen=True)
class Candidates:
    """The eligible (project, site) pairs and what the rules did.

    Attributes
    ----------
    pairs
        One row per eligible pair: ``project_id, site_id, p, s`` (positions in ``projects`` and
        ``sites``), ``unit`` ('mu' or 'm2'), ``need`` in that unit, ``use_land_mu``, ``use_floor_m2``,
        ``distance_km`` (to the project's anchor, NaN when it has none) and ``anchor_lon``,
        ``anchor_lat`` (the anchor point it is measured to), ``revit_mu`` (mu-equivalent of inefficient
        land or floor used), ``investment_yi``, ``locked`` and ``coefficient`` (its value in the
        objective, 亿元).
    rule_counts
        One row per project: how many sites each rule excludes taken alone, ``n_eligible``, and the
        largest capacity among sites passing every other rule (``max_cap_mu``, ``max_cap_m2``);
        ``unchecked`` is True for the projects whose sites the deadline left unchecked (no pairs).
    sites
        Per site: ``site_id, s, kind, status, unit, capacity, excluded, lon, lat`` and ``name``.
    projects
        The projects table as given (index 0..n-1), with ``excluded`` added.
    scales
        The objective's scale factors (亿元 per project and per mu, see ``zq_land.scenario``).
    anchors
        Each anchor of the projects (canonical name) with the points its distances are measured to
        (:func:`zq_land.engine.rules.anchor_points`).
    """

    pairs: pd.DataFrame
    rule_counts: pd.DataFrame
    sites: pd.DataFrame
    projects: pd.DataFrame
    scales: Mapping[str, float] = field(default_factory=dict)
    anchors: Mapping[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)

    @property
    def unchecked(self) -> int:
        """How many projects the deadline left unchecked (0 when every pair was checked)."""
        if "unchecked" not in self.rule_counts.columns:
            return 0
        return int(self.rule_counts["unchecked"].sum())

    @property
    def site_capacity(self) -> pd.Series:
        """Capacity per site id (mu for land, m2 for factory and platform)."""
        return pd.Series(self.sites["capacity"].to_numpy(), index=self.sites["site_id"], name="capacity")


def eligible_pairs(
    sites: pd.DataFrame, projects: pd.DataFrame, scenario: Scenario, *, deadline: float | None = None
) -> Candidates:
    """Every (project, site) pair that satisfies all allocation rules, with its objective coefficient.

    Parameters
    ----------
    sites, projects
        Canonical tables (``docs/ARCHITECTURE.md``); geometry is not needed.
    scenario
        Weights, policy, forbidden pairs, exclusions and anchors.
    deadline
        A ``time.monotonic()`` stamp: projects are checked in chunks, and those not reached by then are
        left with no pairs and ``unchecked`` in ``rule_counts`` (a run's time limit holds at any size).

    Returns
    -------
    Candidates
    """
    st = _site_frame(sites, scenario)
    pj = _project_frame(projects, scenario)
    anchors = R.anchor_points(pj["anchor"], st, scenario)
    site_inputs = _SiteInputs.of(st, scenario)
    cap = site_inputs.cap
    p_parts: list[np.ndarray] = []
    s_parts: list[np.ndarray] = []
    need_parts: list[np.ndarray] = []
    count_parts: list[pd.DataFrame] = []
    # Projects in chunks of about CHUNK_CELLS pairs: the (P, S) arrays of 2,000 projects x 50,000 sites
    # took 1e8 cells per rule (gigabytes, 32 s with 10 s in the kernel); chunks stay in the cache.
    step = max(1, CHUNK_CELLS // max(len(st), 1))
    reached = len(pj)
    for lo in range(0, len(pj), step):
        if deadline is not None and lo > 0 and time.monotonic() > deadline:
            reached = lo
            break
        pj_c = pj.iloc[lo:lo + step].reset_index(drop=True)
        rules, need, _ = _rule_arrays(st, pj_c, scenario, site_inputs)
        # True where any rule but capacity excludes (P, S), OR-ed in place: no (R, P, S) stack
        other = np.zeros(rules["capacity"].shape, dtype=bool)
        for r in RULES:
            if r != "capacity":
                other |= rules[r]
        ok = ~(other | rules["capacity"]) & ~pj_c["excluded"].to_numpy(bool)[:, None]
        p_c, s_c = np.nonzero(ok)  # row-major: sorted by project then site -> stable order
        p_parts.append(p_c + lo)
        s_parts.append(s_c)
        need_parts.append(need[p_c, s_c])
        counts_c = _rule_counts(rules, other, ok, cap, st, pj_c)
        counts_c["p"] = np.arange(lo, lo + len(pj_c), dtype=np.int64)
        count_parts.append(counts_c)
    empty_i = np.zeros(0, dtype=np.int64)
    p_idx = np.concatenate(p_parts) if p_parts else empty_i
    s_idx = np.concatenate(s_parts) if s_parts else empty_i
    need_k = np.concatenate(need_parts) if need_parts else np.zeros(0)
    if reached < len(pj):
        count_parts.append(_unchecked_counts(pj.iloc[reached:], reached, len(st)))
    counts = (pd.concat(count_parts, ignore_index=True) if count_parts
              else _rule_counts(*_rule_arrays_with_ok(st, pj, scenario, site_inputs), cap, st, pj))
    counts["unchecked"] = counts["p"].to_numpy() >= reached

    is_land = (st["kind"].to_numpy() == "land")
    inv = pj["investment_yi"].to_numpy(float)
    scales = _scales(pj)
    unit = st["unit"].to_numpy()[s_idx]
    inefficient = (st["status"].to_numpy() == "inefficient")[s_idx]
    revit = np.where(inefficient, np.where(is_land[s_idx], need_k, need_k * MU_PER_M2), 0.0)
    dist_k, alon_k, alat_k = _anchor_measures(st, pj["anchor"].to_numpy(str), anchors, p_idx, s_idx)
    prio = pj["priority"].to_numpy(float)[p_idx]
    w = scenario.weights
    coef = (
        w.investment * inv[p_idx]
        + w.projects * scales["per_project"]
        + w.priority * scales["per_project"] * prio
        + w.revitalization * scales["per_mu"] * revit
        - w.proximity * scales["per_project"] * np.nan_to_num(dist_k) / scenario.policy.proximity_reference_km
    )
    if w.tax:  # the 亩均税收 term (zq_land.scenario): tax above what the space yields at the pipeline's tax per mu
        tax_k = pj["tax_wan"].to_numpy(float)[p_idx]
        space_k = np.where(is_land[s_idx], need_k, need_k * MU_PER_M2)
        surplus = np.where(np.isnan(tax_k), 0.0, tax_k - scales.get("tax_per_mu", 0.0) * space_k)
        coef = coef + w.tax * scales.get("per_tax_wan", 0.0) * surplus
    locks = {(p, s) for p, s in scenario.locks}
    # the frames' ids are str already (_project_frame, _site_frame): taken as they are, not through numpy's
    # fixed-width strings and back (0.25 s at a million pairs)
    pid = pj["project_id"].to_numpy(object)[p_idx]
    sid = st["site_id"].to_numpy(object)[s_idx]
    pairs = pd.DataFrame(
        {
            "project_id": pid, "site_id": sid,
            "p": p_idx.astype(np.int64), "s": s_idx.astype(np.int64),
            "unit": unit, "need": need_k,
            "use_land_mu": np.where(is_land[s_idx], need_k, 0.0),
            "use_floor_m2": np.where(is_land[s_idx], 0.0, need_k),
            "distance_km": dist_k, "anchor_lon": alon_k, "anchor_lat": alat_k, "revit_mu": revit,
            "investment_yi": inv[p_idx],
            "locked": ([(a, b) in locks for a, b in zip(pid, sid, strict=True)] if locks
                       else np.zeros(len(pid), dtype=bool)),
            "coefficient": coef,
        },
        copy=False,  # the arrays are this function's own: no consolidating copy of a million rows (0.1-0.2 s)
    )
    st_out = st.assign(capacity=cap)
    return Candidates(pairs=pairs, rule_counts=counts, sites=st_out, projects=pj, scales=scales, anchors=anchors)


def why_not(
    project_id: str,
    site_id: str,
    sites: pd.DataFrame,
    projects: pd.DataFrame,
    scenario: Scenario,
    *,
    result_assignments: pd.DataFrame | None = None,
) -> list[Reason]:
    """Every rule that keeps ``project_id`` off ``site_id``, with the numbers.

    When the pair is eligible the answer says whether the project is on that site, or the site is
    full (naming the projects that took its capacity), or it was simply not chosen.

    Parameters
    ----------
    result_assignments
        A plan's assignments (``project_id``, ``site_id`` or None) to explain an eligible pair.

    Raises
    ------
    InputError
        If either id is unknown.
    """
    st = _site_frame(sites, scenario)
    pj = _project_frame(projects, scenario)
    file = str(scenario.source or "<scenario>")
    if project_id not in set(pj["project_id"]):
        raise input_error(file, f"未知的项目编号 {project_id}", f"unknown project id {project_id}",
                          item_id=project_id, column="project_id")
    if site_id not in set(st["site_id"]):
        raise input_error(file, f"未知的地块编号 {site_id}", f"unknown site id {site_id}",
                          item_id=site_id, column="site_id")
    p = int(np.flatnonzero(pj["project_id"].to_numpy() == project_id)[0])
    s = int(np.flatnonzero(st["site_id"].to_numpy() == site_id)[0])
    reasons = pair_failures(st, pj, scenario, p, s)
    if reasons:
        return reasons
    if result_assignments is None:
        return [_reason("eligible", "该项目可以进入该地块（满足全部规则）",
                       "the project may go to this site (every rule holds)")]
    return _explain_eligible(pj, st, scenario, p, s, result_assignments)


def pair_failures(st: pd.DataFrame, pj: pd.DataFrame, scenario: Scenario, p: int, s: int) -> list[Reason]:
    """The failing rules of one pair, given the prepared frames of :class:`Candidates`.

    ``st`` and ``pj`` are ``Candidates.sites`` and ``Candidates.projects`` (or any canonical tables);
    ``p`` and ``s`` are positions in them.
    """
    st1 = _site_frame(st.iloc[[s]].reset_index(drop=True), scenario)
    pj1 = _project_frame(pj.iloc[[p]].reset_index(drop=True), scenario)
    rules, need, cap = _rule_arrays(st1, pj1, scenario)
    prow, srow = pj1.iloc[0], st1.iloc[0]
    out: list[Reason] = []
    if bool(pj1["excluded"].iloc[0]):
        out.append(_reason("excluded_project", "情景排除了该项目", "the scenario excludes this project"))
    for rule in RULES:
        if rules[rule][0, 0]:
            out.append(_rule_reason(rule, prow, srow, float(need[0, 0]), float(cap[0]), scenario))
    return out


def pairs_failures(
    st: pd.DataFrame, pj: pd.DataFrame, scenario: Scenario, pairs: Sequence[tuple[int, int]]
) -> list[list[Reason]]:
    """:func:`pair_failures` of each pair ``(p, s)`` of ``pairs``, the rules evaluated once for them all.

    The frames are built once for the projects and sites the pairs name (a scenario's locks) instead of once
    a pair; every rule is a function of one project's row and one site's row, so each pair gets the reasons
    :func:`pair_failures` gives it.
    """
    if not pairs:
        return []
    ps = sorted({p for p, _ in pairs})
    ss = sorted({s for _, s in pairs})
    p_at = {p: i for i, p in enumerate(ps)}
    s_at = {s: j for j, s in enumerate(ss)}
    st1 = _site_frame(st.iloc[ss].reset_index(drop=True), scenario)
    pj1 = _project_frame(pj.iloc[ps].reset_index(drop=True), scenario)
    rules, need, cap = _rule_arrays(st1, pj1, scenario)
    excluded = pj1["excluded"].to_numpy(bool)
    out: list[list[Reason]] = []
    for p, s in pairs:
        i, j = p_at[p], s_at[s]
        prow, srow = pj1.iloc[i], st1.iloc[j]
        reasons: list[Reason] = []
        if bool(excluded[i]):
            reasons.append(_reason("excluded_project", "情景排除了该项目", "the scenario excludes this project"))
        for rule in RULES:
            if rules[rule][i, j]:
                reasons.append(_rule_reason(rule, prow, srow, float(need[i, j]), float(cap[j]), scenario))
        out.append(reasons)
    return out


# --- frames -----------------------------------------------------------------------------------------


def _site_frame(sites: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The site columns the rules need, with defaults for missing ones (index 0..n-1)."""
    n = len(sites)
    df = pd.DataFrame(index=pd.RangeIndex(n))
    df["site_id"] = _col(sites, "site_id", "").astype(str).to_numpy()
    df["name"] = _col(sites, "name", "").fillna("").astype(str).to_numpy()
    df["kind"] = _col(sites, "kind", "land").astype(str).to_numpy()
    df["status"] = _col(sites, "status", "vacant").fillna("vacant").astype(str).to_numpy()
    df["area_mu"] = pd.to_numeric(_col(sites, "area_mu", np.nan), errors="coerce").to_numpy(float)
    df["floor_area_m2"] = pd.to_numeric(_col(sites, "floor_area_m2", np.nan), errors="coerce").to_numpy(float)
    # the geometry's area (policy.area_source); the declared one where a table has none
    df["area_mu_geom"] = pd.to_numeric(_col(sites, "area_mu_geom", np.nan), errors="coerce").to_numpy(float) \
        if "area_mu_geom" in sites.columns else df["area_mu"].to_numpy(float)
    df["industries"] = _col(sites, "industries", "").fillna("").astype(str).to_numpy()
    df["min_invest_wan_per_mu"] = pd.to_numeric(
        _col(sites, "min_invest_wan_per_mu", np.nan), errors="coerce").to_numpy(float)
    for c in ("min_tax_wan_per_mu", "min_output_wan_per_mu"):
        df[c] = pd.to_numeric(_col(sites, c, np.nan), errors="coerce").to_numpy(float)
    df["available_from"] = _dates(_col(sites, "available_from", pd.NaT))
    df["anchor"] = [canonical_anchor(a) for a in _col(sites, "anchor", "").fillna("")]
    df["lon"], df["lat"] = R.site_points(sites)
    df["excluded"] = df["site_id"].isin(scenario.exclude_sites).to_numpy()
    df["s"] = np.arange(n, dtype=np.int64)
    df["unit"] = R.site_unit(df["kind"].to_numpy())
    return df


def _project_frame(projects: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    df = projects.reset_index(drop=True).copy()
    df["project_id"] = _col(df, "project_id", "").astype(str).to_numpy()
    for c, default in (("name", ""), ("industry", "other"), ("mode", "land")):
        df[c] = _col(df, c, default).fillna(default).astype(str).to_numpy()
    df["anchor"] = [canonical_anchor(a) for a in _col(df, "anchor", "").fillna("")]
    numeric = (("investment_yi", 0.0), ("land_need_mu", np.nan), ("floor_need_m2", np.nan), ("priority", 0.0),
               ("tax_wan", np.nan), ("output_wan", np.nan))
    for c, dflt in numeric:
        df[c] = pd.to_numeric(_col(df, c, dflt), errors="coerce").to_numpy(float)
    df["investment_yi"] = df["investment_yi"].fillna(0.0)
    df["priority"] = df["priority"].fillna(0.0)
    df["excluded"] = df["project_id"].isin(scenario.exclude_projects).to_numpy()
    df["review_meeting"] = pd.to_numeric(_col(df, "review_meeting", np.nan), errors="coerce").astype(float)
    df["needed_by"] = _dates(_col(df, "needed_by", pd.NaT))
    # the date each project needs its site by: the availability rule's date (rules.project_dates)
    df["need_date"] = R.project_dates(df["review_meeting"].to_numpy(float), df["needed_by"],
                                      scenario.meeting_dates, scenario.policy.as_of or dt.date.today())
    return df


def _dates(values: pd.Series) -> np.ndarray:
    out = pd.to_datetime(values, errors="coerce")
    if isinstance(out.dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_localize(None)
    return out.to_numpy("datetime64[ns]")


def _col(df: pd.DataFrame, name: str, default: Any) -> pd.Series:
    if name in df.columns:
        return df[name].reset_index(drop=True)
    return pd.Series([default] * len(df), dtype=object if isinstance(default, str) else None)




# --- rules ------------------------------------------------------------------------------------------



#: Pairs per chunk of projects in :func:`eligible_pairs` (about 4 MB per boolean rule array).
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class _SiteInputs:
    """What the rules need of the sites, computed once for every chunk of projects."""

    kind: np.ndarray
    is_land: np.ndarray
    cap: np.ndarray
    site_sets: list[frozenset[str]] | list[set[str]]
    any_ind: np.ndarray
    floor: np.ndarray
    occupied: np.ndarray
    avail: np.ndarray  # available_from (NaT = now); the rule compares it with each project's date
    excluded: np.ndarray
    s_pos: dict[str, int]
    allowed: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, st: pd.DataFrame, scenario: Scenario) -> _SiteInputs:
        kind = st["kind"].to_numpy(str)
        cap, _ = R.site_capacity(kind, st["area_mu"], st["floor_area_m2"],
                                 usable_land_ratio=scenario.policy.usable_land_ratio,
                                 area_source=scenario.policy.area_source, area_mu_geom=st["area_mu_geom"])
        site_sets = [R.industry_set(x) for x in st["industries"]]
        floor = st["min_invest_wan_per_mu"].to_numpy(float)
        if scenario.policy.default_min_invest_wan_per_mu is not None:
            floor = np.where(np.isnan(floor), scenario.policy.default_min_invest_wan_per_mu, floor)
        avail = st["available_from"].to_numpy("datetime64[ns]")
        return cls(kind, kind == "land", cap, site_sets, np.array([not x for x in site_sets], dtype=bool), floor,
                   st["status"].to_numpy(str) == "occupied", avail,
                   st["excluded"].to_numpy(bool), {sid: j for j, sid in enumerate(st["site_id"])})

    def allows(self, code: str) -> np.ndarray:
        if code not in self.allowed:
            self.allowed[code] = np.array([code in x for x in self.site_sets], dtype=bool)
        return self.allowed[code]


def _rule_arrays(
    st: pd.DataFrame, pj: pd.DataFrame, scenario: Scenario, site_inputs: _SiteInputs | None = None
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Boolean (P, S) arrays, True where a rule excludes the pair; the need (P, S); capacity (S,)."""
    si = site_inputs if site_inputs is not None else _SiteInputs.of(st, scenario)
    kind = si.kind
    land_need = pj["land_need_mu"].to_numpy(float)
    need = R.need_on_site(kind[None, :], land_need[:, None], pj["floor_need_m2"].to_numpy(float)[:, None])

    kind_ok = R.kind_fits_mode(pj["mode"].to_numpy(str)[:, None], kind[None, :])
    with np.errstate(invalid="ignore"):
        kind_ok &= np.isfinite(need) & (need > 0)

    cap = si.cap
    # a missing need is the kind/mode rule's business, not the capacity rule's
    fits = np.isnan(need) | R.fits(need, cap[None, :])

    industry = pj["industry"].to_numpy(str)
    ind_ok = np.repeat(si.any_ind[None, :], len(pj), axis=0)
    for code in np.unique(industry):
        ind_ok[industry == code] |= si.allows(str(code))[None, :]

    intensity = R.intensity_wan_per_mu(pj["investment_yi"].to_numpy(float)[:, None], land_need[:, None])
    intensity_fail = (si.is_land[None, :] & np.isfinite(land_need)[:, None]
                      & R.below_intensity_floor(intensity, si.floor[None, :]))
    per_mu_fail = {
        rule: si.is_land[None, :] & R.below_per_mu_floor(
            R.per_mu(pj[figure].to_numpy(float), land_need)[:, None], _per_mu_floor(st, scenario, figure)[None, :])
        for rule, figure in (("tax_floor", "tax_wan"), ("output_floor", "output_wan"))
    }

    late = ~R.available_by(si.avail[None, :], pj["need_date"].to_numpy("datetime64[ns]")[:, None])

    forbidden = np.zeros(need.shape, dtype=bool)
    if scenario.forbid:
        p_pos = {p: i for i, p in enumerate(pj["project_id"])}
        for p, s in scenario.forbid:
            if p in p_pos and s in si.s_pos:
                forbidden[p_pos[p], si.s_pos[s]] = True
    shape = need.shape
    rules = {
        "kind_mode": ~kind_ok,
        "industry": ~ind_ok,
        "capacity": ~fits,
        "intensity": intensity_fail,
        **per_mu_fail,
        "status_occupied": np.broadcast_to(si.occupied[None, :], shape),
        "not_available": late,
        "forbidden": forbidden,
        "excluded_site": np.broadcast_to(si.excluded[None, :], shape),
    }
    return rules, need, cap


def _unchecked_counts(pj: pd.DataFrame, first: int, n_sites: int) -> pd.DataFrame:
    """The counts' rows of projects the deadline left unchecked: no rule counted, no site eligible."""
    out = pd.DataFrame({"project_id": pj["project_id"].to_numpy(),
                        "p": np.arange(first, first + len(pj), dtype=np.int64)})
    for r in RULES:
        out[r] = np.zeros(len(pj), dtype=np.int64)
    out["n_sites"] = n_sites
    out["n_eligible"] = np.zeros(len(pj), dtype=np.int64)
    out["max_cap_mu"] = np.nan
    out["max_cap_m2"] = np.nan
    out["excluded_project"] = pj["excluded"].to_numpy(bool)
    return out


def _rule_arrays_with_ok(
    st: pd.DataFrame, pj: pd.DataFrame, scenario: Scenario, site_inputs: _SiteInputs
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The rules, ``other`` and ``ok`` of a table with no projects (the counts' empty frame)."""
    rules, need, _ = _rule_arrays(st, pj, scenario, site_inputs)
    empty = np.zeros(need.shape, dtype=bool)
    return rules, empty, empty


def _per_mu_floor(st: pd.DataFrame, scenario: Scenario, figure: str) -> np.ndarray:
    """A land plot's 亩均税收 or 亩均产值 floor (万元/亩): its own, else the scenario's default; NaN = none."""
    own = st[f"min_{figure}_per_mu"].to_numpy(float)
    default = getattr(scenario.policy, f"default_min_{figure}_per_mu")
    return own if default is None else np.where(np.isnan(own), default, own)


def _rule_counts(
    rules: Mapping[str, np.ndarray], other: np.ndarray, ok: np.ndarray, cap: np.ndarray,
    st: pd.DataFrame, pj: pd.DataFrame,
) -> pd.DataFrame:
    out = pd.DataFrame({"project_id": pj["project_id"].to_numpy(), "p": np.arange(len(pj), dtype=np.int64)})
    for r in RULES:
        a = rules[r]
        if a.ndim == 2 and a.strides[0] == 0:  # a site rule broadcast over projects: one count for all
            out[r] = np.full(a.shape[0], int(a[0].sum()) if a.shape[0] else 0, dtype=np.int64)
        else:
            out[r] = a.sum(axis=1).astype(np.int64)
    out["n_sites"] = len(st)
    out["n_eligible"] = ok.sum(axis=1).astype(np.int64)
    # ``other``: fails any rule but capacity
    is_land = st["kind"].to_numpy() == "land"
    rows = np.arange(len(pj))
    for unit, mask in (("mu", is_land), ("m2", ~is_land)):
        # the unit's sites from the largest capacity down (an unknown one first: it makes the answer unknown, as
        # a maximum over it would): each project's first site passing the other rules holds the largest. A
        # boolean gather and argmax instead of a float (P, S) array per unit (0.2 s at 4,000 x 12,000).
        sites = np.flatnonzero(mask)
        if not len(sites):
            out[f"max_cap_{unit}"] = np.nan
            continue
        key = np.where(np.isnan(cap[sites]), np.inf, cap[sites])
        order = sites[np.argsort(-key, kind="stable")]
        passing = ~other[:, order]
        first = passing.argmax(axis=1)
        c = np.where(passing[rows, first], cap[order][first], np.nan)
        out[f"max_cap_{unit}"] = np.where(np.isfinite(c), c, np.nan)
    out["excluded_project"] = pj["excluded"].to_numpy(bool)
    return out


def _scales(pj: pd.DataFrame) -> dict[str, float]:
    """亿元 per placed project and per mu of land (see ``zq_land.scenario``), over included projects."""
    inc = pj[~pj["excluded"]]
    per_project = float(inc["investment_yi"].mean()) if len(inc) else 0.0
    landers = inc[inc["mode"].isin(["land", "land_or_lease"]) & (inc["land_need_mu"] > 0)]
    need = float(landers["land_need_mu"].sum())
    per_mu = float(landers["investment_yi"].sum()) / need if need > 0 else 0.0
    if not per_project > 0:
        per_project = 1.0
    if not per_mu > 0:
        per_mu = per_project
    scales = {"per_project": per_project, "per_mu": per_mu}
    tax_wan = pd.to_numeric(inc["tax_wan"], errors="coerce") if "tax_wan" in inc.columns else None
    if tax_wan is not None and (tax_wan > 0).any():  # over the projects that give a tax
        taxed = inc[tax_wan > 0]
        tax = float(tax_wan[tax_wan > 0].sum())
        scales["per_tax_wan"] = float(taxed["investment_yi"].sum()) / tax or 1e-4  # 亿元 per 万元 of tax
        land = taxed["land_need_mu"].to_numpy(float)
        floor = pd.to_numeric(taxed["floor_need_m2"], errors="coerce").to_numpy(float)
        space = float(np.nansum(np.where(land > 0, land, floor * MU_PER_M2)))
        scales["tax_per_mu"] = tax / space if space > 0 else 0.0  # 万元 per mu of the space they ask for
    return scales


# --- anchors ----------------------------------------------------------------------------------------


def _anchor_measures(
    st: pd.DataFrame, names: np.ndarray, anchors: Mapping[str, tuple[tuple[float, float], ...]],
    p_idx: np.ndarray, s_idx: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the pairs (p_idx, s_idx): km from the site to the project's anchor and the point measured to
    (the nearest of the anchor's points, :func:`zq_land.engine.rules.nearest_anchor`); NaN without one."""
    dist = np.full(len(p_idx), np.nan)
    alon, alat = np.full(len(p_idx), np.nan), np.full(len(p_idx), np.nan)
    lon, lat = st["lon"].to_numpy(float), st["lat"].to_numpy(float)
    # each pair's anchor as a number (its project's): one integer compare per anchor over the pairs, not a
    # string compare over a million of them
    code_of = {name: k for k, name in enumerate(anchors)}
    pair_code = np.array([code_of.get(n, -1) for n in names.tolist()], dtype=np.int64)[p_idx]
    for k, pts in enumerate(anchors.values()):
        rows = np.flatnonzero(pair_code == k)
        if not pts or not len(rows):
            continue
        km, nearest = R.nearest_anchor(pts, lon, lat)  # per site, then taken for this anchor's pairs
        sites = s_idx[rows]
        known = nearest[sites] >= 0
        at = np.asarray(pts, dtype=float)[np.where(known, nearest[sites], 0)]
        dist[rows] = km[sites]
        alon[rows] = np.where(known, at[:, 0], np.nan)
        alat[rows] = np.where(known, at[:, 1], np.nan)
    return dist, alon, alat



# --- words ------------------------------------------------------------------------------------------


def _rule_reason(rule: str, prow: pd.Series, srow: pd.Series, need: float, cap: float,
                 scenario: Scenario) -> Reason:
    kind, mode = str(srow["kind"]), str(prow["mode"])
    kz, mz = KIND_ZH.get(kind, kind), MODE_ZH.get(mode, mode)
    unit_zh, unit_en = ("亩", "mu") if kind == "land" else ("平方米", "m2")
    if rule == "kind_mode":
        if kind in R.MODE_KINDS.get(mode, ()):
            need_zh = "用地需求（亩）" if kind == "land" else "厂房需求（平方米）"
            need_en = "land need (mu)" if kind == "land" else "floor need (m2)"
            return _reason(rule, f"项目未填写{need_zh}，不能使用{kz}",
                          f"the project has no {need_en}, so it cannot use a {kind} site")
        # in words in English too ("land or lease", not land_or_lease)
        return _reason(rule, f"项目落地方式为“{mz}”，不能使用“{kz}”类地块",
                      f"a '{code_words('mode', mode, 'en')}' project cannot use a '{kind}' site")
    if rule == "industry":
        ind = str(prow["industry"])
        allowed = sorted(R.industry_set(srow["industries"]))
        zh_allowed = "、".join(INDUSTRY_ZH.get(a, a) for a in allowed)
        return _reason(rule, f"地块只允许{zh_allowed}，项目产业为{INDUSTRY_ZH.get(ind, ind)}",
                      f"the site allows only {', '.join(code_words('industry', a, 'en') for a in allowed)}; "
                      f"the project is in {code_words('industry', ind, 'en')}")
    if rule == "capacity":
        ratio = scenario.policy.usable_land_ratio
        extra_zh = f"（面积×可用比例 {ratio:g}）" if kind == "land" and ratio != 1 else ""
        extra_en = f" (area x usable ratio {ratio:g})" if kind == "land" and ratio != 1 else ""
        return _reason(rule, f"地块容量为 {cap:,.1f} {unit_zh}{extra_zh}，项目需要 {need:,.1f} {unit_zh}",
                      f"the site holds {cap:,.1f} {unit_en}{extra_en} but {need:,.1f} {unit_en} are needed")
    if rule == "intensity":
        floor = srow["min_invest_wan_per_mu"]
        if pd.isna(floor):
            floor = scenario.policy.default_min_invest_wan_per_mu
        inten = float(R.intensity_wan_per_mu(prow["investment_yi"], prow["land_need_mu"]))
        return _reason(rule, f"投资强度 {inten:,.0f} 万元/亩，低于地块下限 {float(floor):,.0f} 万元/亩",
                      f"investment intensity {inten:,.0f} 万元/mu is below the site's floor of "
                      f"{float(floor):,.0f} 万元/mu")
    if rule in ("tax_floor", "output_floor"):
        figure = "tax_wan" if rule == "tax_floor" else "output_wan"
        what_zh, what_en = ("亩均税收", "tax") if rule == "tax_floor" else ("亩均产值", "output")
        floor = srow[f"min_{figure}_per_mu"]
        if pd.isna(floor):
            floor = getattr(scenario.policy, f"default_min_{figure}_per_mu")
        value = float(R.per_mu(prow[figure], prow["land_need_mu"]))
        return _reason(rule, f"{what_zh} {value:,.1f} 万元/亩，低于地块下限 {float(floor):,.1f} 万元/亩",
                      f"{what_en} per mu of {value:,.1f} 万元/mu is below the site's floor of "
                      f"{float(floor):,.1f} 万元/mu")
    if rule == "status_occupied":
        return _reason(rule, "地块已占用，不参与分配", "the site is occupied and never allocated")
    if rule == "not_available":
        when = pd.Timestamp(srow["available_from"]).date().isoformat()
        need = pd.Timestamp(prow["need_date"]).date().isoformat()
        if pd.notna(prow.get("needed_by", pd.NaT)):
            zh_by, en_by = f"项目需用日期 {need}", f"the project's needed-by date {need}"
        elif pd.notna(prow.get("review_meeting")) and int(prow["review_meeting"]) in scenario.meeting_dates:
            m = int(prow["review_meeting"])
            zh_by, en_by = f"第 {m} 次评审会日期 {need}", f"the date of review meeting {m}, {need}"
        else:
            zh_by, en_by = f"情景日期 {need}", f"the scenario date {need}"
        return _reason(rule, f"地块 {when} 才可供，晚于{zh_by}",
                      f"the site is available from {when}, after {en_by}")
    if rule == "forbidden":
        return _reason(rule, "情景禁止该项目进入该地块", "the scenario forbids this project on this site")
    return _reason(rule, "情景排除了该地块", "the scenario excludes this site")


def _explain_eligible(pj: pd.DataFrame, st: pd.DataFrame, scenario: Scenario, p: int, s: int,
                      assignments: pd.DataFrame) -> list[Reason]:
    pid, sid = str(pj.at[p, "project_id"]), str(st.at[s, "site_id"])
    placed = dict(zip(assignments["project_id"].astype(str), assignments["site_id"], strict=True))
    here = placed.get(pid)
    if here is not None and not pd.isna(here) and str(here) == sid:
        return [_reason("assigned", "该项目已安排在该地块", "the project is placed on this site")]
    _, need, cap = _rule_arrays(st.iloc[[s]].reset_index(drop=True), pj.iloc[[p]].reset_index(drop=True),
                                scenario)
    n, c = float(need[0, 0]), float(cap[0])
    on_site = [q for q, v in placed.items() if v is not None and not pd.isna(v) and str(v) == sid]
    used = _used(on_site, pj, str(st.at[s, "kind"]))
    elsewhere_zh = elsewhere_en = ""
    if here is not None and not pd.isna(here) and str(here).strip():  # "" = unplaced
        elsewhere_zh, elsewhere_en = f"；项目已安排在 {here}", f"; the project is placed on {here}"
    unit_zh, unit_en = ("亩", "mu") if st.at[s, "kind"] == "land" else ("平方米", "m2")
    if not R.fits(n, c - used):
        names = "、".join(on_site)
        return [_reason(
            "site_full",
            f"地块已满：{names} 已用 {used:,.1f}/{c:,.1f} {unit_zh}，剩余 {c - used:,.1f}，"
            f"需要 {n:,.1f}{elsewhere_zh}",
            f"the site is full: {', '.join(on_site)} use {used:,.1f} of {c:,.1f} {unit_en}, "
            f"{c - used:,.1f} left, {n:,.1f} needed{elsewhere_en}",
        )]
    return [_reason("not_chosen", f"项目可以进入该地块且尚有余量，但未被选中{elsewhere_zh}",
                   "the project may go to this site and it has room, but the plan did not choose it"
                   f"{elsewhere_en}")]


def _used(project_ids: Sequence[str], pj: pd.DataFrame, kind: str) -> float:
    rows = pj[pj["project_id"].isin(project_ids)]
    return float(rows[R.KIND_NEED[kind]].fillna(0.0).sum())
