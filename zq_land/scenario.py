"""Scenarios: validated, immutable values loaded from TOML.

A scenario names its input files (relative to the TOML file), the objective weights, the policy
defaults, the planner's locks, forbidden pairs and exclusions, and the solver settings. Unknown keys
are refused with a message, so a typo (``weigths``) cannot silently change a result.

How the objective weights are scaled (so that a weight means something to a planner): every term is
counted in 亿元 of placed investment.

* ``investment``: each 亿元 of planned investment placed counts ``w`` 亿元. With only this weight
  (w = 1) the objective is exactly the investment placed.
* ``projects``: each project placed counts ``w`` x the pipeline's mean investment per project.
* ``revitalization``: each mu of inefficient land put to use counts ``w`` x the pipeline's mean
  investment per mu (investment of the land-seeking projects / their land need); a square metre of
  inefficient factory floor counts as 1/666.67 mu.
* ``proximity``: a penalty of ``w`` x the pipeline's mean investment per project for every
  ``proximity_reference_km`` (default 10 km) between a supplier's site and its anchor.
* ``priority``: each project placed counts ``w`` x mean investment per project x its ``priority``.
* ``tax`` (亩均税收): a placed project's expected annual tax (``tax_wan``, 万元) above what its space (its land,
  or its floor at 666.67 m2 to the mu) would yield at the pipeline's tax per mu counts ``w`` x the pipeline's
  investment per 万元 of tax (both over the projects that give a tax). A project at the average tax per mu adds
  nothing; one above it adds, one below it costs, in proportion to the land it takes: the term is per mu, as
  亩均论英雄. A project without a tax figure adds nothing.

Per-mu policy (``[policy]``): ``default_min_tax_wan_per_mu`` and ``default_min_output_wan_per_mu`` (亩均税收
and 亩均产值 floors, 万元/亩, for land plots without their own ``min_tax_wan_per_mu`` / ``min_output_wan_per_mu``);
``grade_shares`` (A-D shares, default ``[0.25, 0.45, 0.25, 0.05]``) and ``grade_by`` (``"tax"`` or
``"output"``, per mu) for the A-D grading of the sites.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ._errors import ValidationReport, input_error

SolverName = Literal["highs", "cbc"]

_TOP_KEYS = {
    "name", "description", "sites", "projects", "weights", "policy", "solver", "locks", "forbid",
    "exclude_sites", "exclude_projects", "anchors", "columns", "sheet", "uncertainty", "meetings",
    "stability",
}
_WEIGHT_KEYS = {"investment", "projects", "revitalization", "proximity", "priority", "tax"}
_POLICY_KEYS = {"usable_land_ratio", "default_min_invest_wan_per_mu", "as_of", "proximity_reference_km",
                "default_min_tax_wan_per_mu", "default_min_output_wan_per_mu", "grade_shares", "grade_by",
                "area_source"}
_STABILITY_KEYS = {"reference", "max_loss_share"}
#: Which area is a plot's capacity: the land register's (declared, the default), the geometry's, or the smaller.
AREA_SOURCES = ("declared", "geometry", "smaller")
#: Zhejiang's A-D shares (亩均论英雄): A top 25 %, B next 45 %, C next 25 %, D bottom 5 %.
DEFAULT_GRADE_SHARES: tuple[float, float, float, float] = (0.25, 0.45, 0.25, 0.05)
_SOLVER_KEYS = {"name", "time_limit_s", "mip_gap", "threads", "warm_start"}
#: The largest weight accepted: weights multiply 亿元 figures; 1e308 overflowed the objective to infinity.
MAX_WEIGHT = 1e6

_UNCERTAINTY_KEYS = {"p_land", "p_land_by_mode", "p_land_by_industry", "investment_range", "need_range"}


@dataclass(frozen=True)
class Weights:
    investment: float = 1.0
    projects: float = 0.0
    revitalization: float = 0.0
    proximity: float = 0.0
    priority: float = 0.0
    tax: float = 0.0

    def only_investment(self) -> bool:
        return self.investment > 0 and not any(
            (self.projects, self.revitalization, self.proximity, self.priority, self.tax)
        )


@dataclass(frozen=True)
class Policy:
    usable_land_ratio: float = 1.0
    default_min_invest_wan_per_mu: float | None = None
    as_of: dt.date | None = None
    proximity_reference_km: float = 10.0
    default_min_tax_wan_per_mu: float | None = None
    default_min_output_wan_per_mu: float | None = None
    grade_shares: tuple[float, float, float, float] = DEFAULT_GRADE_SHARES
    grade_by: Literal["tax", "output"] = "tax"
    #: the land area that is a plot's capacity: ``declared`` (the register; default), ``geometry``, ``smaller``
    area_source: Literal["declared", "geometry", "smaller"] = "declared"


@dataclass(frozen=True)
class Stability:
    """``[stability]``: a reference plan to move the fewest projects of, and the share of the optimum that
    may be given up for fewer moves (0 = keep the optimum)."""

    reference: Path | None = None
    max_loss_share: float = 0.0


@dataclass(frozen=True)
class SolverSettings:
    name: SolverName = "highs"
    time_limit_s: float = 60.0
    mip_gap: float = 0.0
    threads: int | None = None
    warm_start: bool = True


@dataclass(frozen=True)
class Uncertainty:
    """How uncertain the pipeline is (``[uncertainty]``), for sweeps (``zq_land.studies.sampling``).

    A project's landing probability is its own ``p_land`` column when filled, else its mode's entry of
    ``p_land_by_mode``, else its industry's entry of ``p_land_by_industry``, else ``p_land``. The ranges
    are factors on the planned investment and needs, drawn uniformly per project and sample.
    """

    p_land: float = 1.0
    p_land_by_mode: tuple[tuple[str, float], ...] = ()
    p_land_by_industry: tuple[tuple[str, float], ...] = ()
    investment_range: tuple[float, float] | None = None
    need_range: tuple[float, float] | None = None

    def is_default(self) -> bool:
        return self == Uncertainty()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"p_land": self.p_land}
        if self.p_land_by_mode:
            out["p_land_by_mode"] = dict(self.p_land_by_mode)
        if self.p_land_by_industry:
            out["p_land_by_industry"] = dict(self.p_land_by_industry)
        if self.investment_range is not None:
            out["investment_range"] = list(self.investment_range)
        if self.need_range is not None:
            out["need_range"] = list(self.need_range)
        return out


@dataclass(frozen=True)
class Scenario:
    """One allocation scenario. Build with :func:`load_scenario` or :func:`scenario_from_dict`."""

    name: str = "scenario"
    description: str = ""
    sites: Path | None = None
    projects: Path | None = None
    weights: Weights = field(default_factory=Weights)
    policy: Policy = field(default_factory=Policy)
    solver: SolverSettings = field(default_factory=SolverSettings)
    locks: tuple[tuple[str, str], ...] = ()
    forbid: tuple[tuple[str, str], ...] = ()
    exclude_sites: frozenset[str] = frozenset()
    exclude_projects: frozenset[str] = frozenset()
    #: anchor name -> site id (str) or (lon, lat) in EPSG:4326
    anchors: tuple[tuple[str, str | tuple[float, float]], ...] = ()
    #: user column name -> canonical column, per table
    site_columns: tuple[tuple[str, str], ...] = ()
    project_columns: tuple[tuple[str, str], ...] = ()
    project_sheet: str | None = None
    source: Path | None = None
    uncertainty: Uncertainty = field(default_factory=Uncertainty)
    #: ``[meetings]``: each review meeting's number and date, in meeting order
    meetings: tuple[tuple[int, dt.date], ...] = ()
    stability: Stability = field(default_factory=Stability)

    @property
    def meeting_dates(self) -> dict[int, dt.date]:
        """Review meeting number -> its date (``[meetings]``; empty when the scenario has none)."""
        return dict(self.meetings)

    def with_(self, **changes: Any) -> Scenario:
        """A changed copy (scenarios are immutable)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain TOML-ready data (paths as given, relative to the scenario file)."""
        base = self.source.parent if self.source else None

        def rel(p: Path | None) -> str | None:
            if p is None:
                return None
            if base is not None:
                try:
                    return str(p.relative_to(base))
                except ValueError:
                    return str(p)
            return str(p)

        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        if self.sites is not None:
            out["sites"] = rel(self.sites)
        if self.projects is not None:
            out["projects"] = rel(self.projects)
        if self.project_sheet:
            out["sheet"] = self.project_sheet
        if self.exclude_sites:
            out["exclude_sites"] = sorted(self.exclude_sites)
        if self.exclude_projects:
            out["exclude_projects"] = sorted(self.exclude_projects)
        # the tax weight only when set, so that scenarios without it read (and hash) as before
        out["weights"] = {k: getattr(self.weights, k) for k in sorted(_WEIGHT_KEYS) if k != "tax" or self.weights.tax}
        pol: dict[str, Any] = {
            "usable_land_ratio": self.policy.usable_land_ratio,
            "proximity_reference_km": self.policy.proximity_reference_km,
        }
        if self.policy.default_min_invest_wan_per_mu is not None:
            pol["default_min_invest_wan_per_mu"] = self.policy.default_min_invest_wan_per_mu
        if self.policy.as_of is not None:
            pol["as_of"] = self.policy.as_of
        for key in ("default_min_tax_wan_per_mu", "default_min_output_wan_per_mu"):
            if getattr(self.policy, key) is not None:
                pol[key] = getattr(self.policy, key)
        if self.policy.grade_shares != DEFAULT_GRADE_SHARES:
            pol["grade_shares"] = list(self.policy.grade_shares)
        if self.policy.grade_by != "tax":
            pol["grade_by"] = self.policy.grade_by
        if self.policy.area_source != "declared":
            pol["area_source"] = self.policy.area_source
        out["policy"] = pol
        sol: dict[str, Any] = {
            "name": self.solver.name,
            "time_limit_s": self.solver.time_limit_s,
            "mip_gap": self.solver.mip_gap,
            "warm_start": self.solver.warm_start,
        }
        if self.solver.threads is not None:
            sol["threads"] = self.solver.threads
        out["solver"] = sol
        if self.anchors:
            out["anchors"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.anchors}
        if self.site_columns or self.project_columns:
            out["columns"] = {
                "sites": dict(self.site_columns),
                "projects": dict(self.project_columns),
            }
        if self.locks:
            out["locks"] = [{"project": p, "site": s} for p, s in self.locks]
        if self.forbid:
            out["forbid"] = [{"project": p, "site": s} for p, s in self.forbid]
        if not self.uncertainty.is_default():
            out["uncertainty"] = self.uncertainty.to_dict()
        if self.meetings:
            out["meetings"] = {str(k): v for k, v in self.meetings}
        if self.stability != Stability():
            stab: dict[str, Any] = {"max_loss_share": self.stability.max_loss_share}
            if self.stability.reference is not None:
                stab["reference"] = rel(self.stability.reference)
            out["stability"] = stab
        return out

    def to_toml(self) -> str:
        return dumps_toml(self.to_dict())

    def content_key(self) -> str:
        """A hash of everything that changes the result (for caching by scenario content)."""
        data = self.to_dict()
        data.pop("name", None)
        data.pop("description", None)
        data["sites"] = str(self.sites)
        data["projects"] = str(self.projects)
        return hashlib.sha256(dumps_toml(data).encode()).hexdigest()[:16]


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file; paths in it are resolved against its folder."""
    path = Path(path)
    if not path.is_file():
        raise input_error(path, "找不到情景文件", "scenario file not found")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except RecursionError:  # tomllib recurses once per nesting level: a hostile file exhausts the stack
        raise input_error(path, "情景文件嵌套过深，不是有效的情景", "the scenario file is nested too deeply to be a "
                          "scenario", found="nesting") from None
    except tomllib.TOMLDecodeError as exc:
        raise input_error(path, f"情景文件不是有效的 TOML：{exc}", f"not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise input_error(path, "情景文件须为 UTF-8 编码", "scenario file must be UTF-8") from None
    return scenario_from_dict(data, source=path)


def scenario_from_dict(data: Mapping[str, Any], *, source: str | Path | None = None) -> Scenario:
    """Validate plain data (as parsed from TOML) into a :class:`Scenario`; every problem reported."""
    file = str(source or "<scenario>")
    base = Path(source).parent if source else Path(".")
    rep = ValidationReport()

    def unknown(section: str, keys: set[str], allowed: set[str]) -> None:
        for k in sorted(keys - allowed):
            where = f"{section}.{k}" if section else k
            rep.error(
                file, f"未知的设置项“{where}”，可用：{', '.join(sorted(allowed))}",
                f"unknown key '{where}'; allowed: {', '.join(sorted(allowed))}", column=where, found=k,
            )

    unknown("", set(data), _TOP_KEYS)

    def number(section: str, key: str, value: Any, *, lo: float = 0.0, hi: float = math.inf,
               default: float = 0.0) -> float:
        """The value when valid; else the problem is reported and ``default`` returned."""
        col = f"{section}.{key}"
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            rep.error(file, f"“{col}”须为数字，实际为 {value!r}", f"'{col}' must be a number, got {value!r}",
                      column=col, found=repr(value))
            return default
        if not lo <= value <= hi:
            rng = f"[{lo:g}, {hi:g}]" if hi < MAX_WEIGHT else f">= {lo:g}" if value < lo else f"<= {hi:g}"
            rep.error(file, f"“{col}”须为 {rng}，实际为 {value}", f"'{col}' must be {rng}, got {value}",
                      column=col, found=str(value), expected=rng)
            return default
        return float(value)

    def table(key: str) -> Mapping[str, Any]:
        val = data.get(key, {})
        if not isinstance(val, Mapping):
            rep.error(file, f"“{key}”须为表（[{key}]）", f"'{key}' must be a table ([{key}])", column=key)
            return {}
        return val

    def path_of(key: str) -> Path | None:
        return path_of_value(key, data.get(key))

    def path_of_value(key: str, val: Any) -> Path | None:
        if val is None:
            return None
        if not isinstance(val, str) or not val.strip():
            rep.error(file, f"“{key}”须为文件路径", f"'{key}' must be a file path", column=key, found=repr(val))
            return None
        p = Path(val)
        return p if p.is_absolute() else (base / p)

    name = data.get("name", Path(file).stem if source else "scenario")
    if not isinstance(name, str):
        rep.error(file, "“name”须为文字", "'name' must be text", column="name")
        name = str(name)
    description = str(data.get("description", ""))

    w_raw = table("weights")
    unknown("weights", set(w_raw), _WEIGHT_KEYS)
    wdefaults = Weights()
    weights = Weights(**{k: number("weights", k, w_raw[k], hi=MAX_WEIGHT) if k in w_raw else getattr(wdefaults, k)
                         for k in _WEIGHT_KEYS})
    if not any(getattr(weights, k) for k in _WEIGHT_KEYS - {"proximity"}):
        rep.error(file, "至少一个正向权重（investment、projects、revitalization 或 priority）须大于 0",
                  "at least one of the weights investment, projects, revitalization, priority must be > 0",
                  column="weights")

    p_raw = table("policy")
    unknown("policy", set(p_raw), _POLICY_KEYS)
    ratio = number("policy", "usable_land_ratio", p_raw.get("usable_land_ratio", 1.0), lo=0.0, hi=1.0,
                   default=1.0)
    if "usable_land_ratio" in p_raw and ratio == 0:
        rep.error(file, "“policy.usable_land_ratio”须大于 0", "'policy.usable_land_ratio' must be > 0",
                  column="policy.usable_land_ratio", found="0")
    floor = p_raw.get("default_min_invest_wan_per_mu")
    floor_v = None if floor is None else number("policy", "default_min_invest_wan_per_mu", floor)
    as_of_raw = p_raw.get("as_of")
    as_of: dt.date | None = None
    if isinstance(as_of_raw, dt.datetime):
        as_of = as_of_raw.date()
    elif isinstance(as_of_raw, dt.date):
        as_of = as_of_raw
    elif isinstance(as_of_raw, str):
        try:
            as_of = dt.date.fromisoformat(as_of_raw)
        except ValueError:
            rep.error(file, f"“policy.as_of”须为日期（如 2022-12-31），实际为 {as_of_raw!r}",
                      f"'policy.as_of' must be a date such as 2022-12-31, got {as_of_raw!r}", column="policy.as_of")
    elif as_of_raw is not None:
        rep.error(file, "“policy.as_of”须为日期", "'policy.as_of' must be a date", column="policy.as_of")
    ref_km = number("policy", "proximity_reference_km", p_raw.get("proximity_reference_km", 10.0), lo=1e-3,
                    default=10.0)
    floors = {key: None if p_raw.get(key) is None else number("policy", key, p_raw[key])
              for key in ("default_min_tax_wan_per_mu", "default_min_output_wan_per_mu")}
    area_source = p_raw.get("area_source", "declared")
    if area_source not in AREA_SOURCES:
        rep.error(file, f"“policy.area_source”须为 {'、'.join(AREA_SOURCES)} 之一，实际为 {area_source!r}",
                  f"'policy.area_source' must be one of {', '.join(AREA_SOURCES)}, got {area_source!r}",
                  column="policy.area_source", found=repr(area_source), expected=" | ".join(AREA_SOURCES))
        area_source = "declared"
    policy = Policy(ratio if ratio > 0 else 1.0, floor_v, as_of, ref_km, floors["default_min_tax_wan_per_mu"],
                    floors["default_min_output_wan_per_mu"], *_grading(p_raw, file, rep), area_source=area_source)

    st_raw = table("stability")
    unknown("stability", set(st_raw), _STABILITY_KEYS)
    loss = number("stability", "max_loss_share", st_raw.get("max_loss_share", 0.0), lo=0.0, hi=1.0)
    stability = Stability(path_of_value("stability.reference", st_raw.get("reference")), loss)

    s_raw = table("solver")
    unknown("solver", set(s_raw), _SOLVER_KEYS)
    sname = str(s_raw.get("name", "highs")).lower()
    if sname not in ("highs", "cbc"):
        rep.error(file, f"“solver.name”须为 highs 或 cbc，实际为 {sname!r}",
                  f"'solver.name' must be 'highs' or 'cbc', got {sname!r}", column="solver.name", found=sname)
        sname = "highs"
    tl = number("solver", "time_limit_s", s_raw.get("time_limit_s", 60.0), lo=0.1, hi=86_400, default=60.0)
    gap = number("solver", "mip_gap", s_raw.get("mip_gap", 0.0), lo=0.0, hi=1.0)
    threads = s_raw.get("threads")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        rep.error(file, "“solver.threads”须为正整数", "'solver.threads' must be a positive integer",
                  column="solver.threads", found=repr(threads))
        threads = None
    elif threads is not None:
        threads = min(threads, os.cpu_count() or 1)  # 10^9 threads took 22.7 GB before it was killed
    warm = s_raw.get("warm_start", True)
    if not isinstance(warm, bool):
        rep.error(file, "“solver.warm_start”须为 true 或 false", "'solver.warm_start' must be true or false",
                  column="solver.warm_start")
        warm = True
    solver = SolverSettings(sname, tl, gap, threads, warm)  # type: ignore[arg-type]

    def pairs(key: str) -> tuple[tuple[str, str], ...]:
        raw = data.get(key, [])
        out: list[tuple[str, str]] = []
        if isinstance(raw, Mapping):  # [locks] P001 = "S01"
            for p, s in raw.items():
                if not isinstance(s, str | int):
                    rep.error(file, f"“{key}.{p}”须为地块编号", f"'{key}.{p}' must be a site id", column=key, item_id=p)
                    continue
                out.append((str(p), str(s)))
            return tuple(out)
        if not isinstance(raw, list):
            rep.error(file, f"“{key}”须为 [[{key}]] 列表", f"'{key}' must be a list of [[{key}]] entries", column=key)
            return ()
        for i, entry in enumerate(raw, start=1):
            if not isinstance(entry, Mapping) or set(entry) != {"project", "site"}:
                rep.error(file, f"“{key}”第 {i} 项须只含 project 与 site", f"entry {i} of '{key}' must have exactly "
                          "'project' and 'site'", column=key, row=i, found=repr(entry))
                continue
            out.append((str(entry["project"]), str(entry["site"])))
        return tuple(out)

    locks = pairs("locks")
    forbid = pairs("forbid")

    def idset(key: str) -> frozenset[str]:
        raw = data.get(key, [])
        if not isinstance(raw, list):
            rep.error(file, f"“{key}”须为编号列表", f"'{key}' must be a list of ids", column=key)
            return frozenset()
        return frozenset(str(x) for x in raw)

    excl_sites = idset("exclude_sites")
    excl_projects = idset("exclude_projects")

    anchors: list[tuple[str, str | tuple[float, float]]] = []
    for k, v in table("anchors").items():
        if isinstance(v, str):
            anchors.append((k, v))
        elif (isinstance(v, list) and len(v) == 2 and all(isinstance(x, int | float) for x in v)
              and -180 <= v[0] <= 180 and -90 <= v[1] <= 90):
            anchors.append((k, (float(v[0]), float(v[1]))))
        else:
            rep.error(file, f"“anchors.{k}”须为地块编号或 [经度, 纬度]", f"'anchors.{k}' must be a site id or "
                      "[lon, lat] in degrees", column=f"anchors.{k}", found=repr(v))

    cols = table("columns")
    unknown("columns", set(cols), {"sites", "projects"})
    site_cols = _mapping(cols.get("sites", {}), "columns.sites", file, rep)
    proj_cols = _mapping(cols.get("projects", {}), "columns.projects", file, rep)
    sheet = data.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        rep.error(file, "“sheet”须为工作表名称", "'sheet' must be a worksheet name", column="sheet")
        sheet = None

    sites_path = path_of("sites")
    projects_path = path_of("projects")
    uncertainty = _uncertainty(table("uncertainty"), file, rep)
    meetings = _meetings(table("meetings"), file, rep)
    rep.raise_if_errors()
    return Scenario(
        name=name, description=description, sites=sites_path, projects=projects_path,
        weights=weights, policy=policy, solver=solver, locks=locks, forbid=forbid,
        exclude_sites=excl_sites, exclude_projects=excl_projects, anchors=tuple(anchors),
        site_columns=site_cols, project_columns=proj_cols, project_sheet=sheet,
        source=Path(source) if source else None, uncertainty=uncertainty, meetings=meetings,
        stability=stability,
    )


def _meetings(raw: Mapping[str, Any], file: str, rep: ValidationReport) -> tuple[tuple[int, dt.date], ...]:
    """``[meetings]``: ``"1" = 2022-01-20``, a whole meeting number (quoted key) to a date, sorted by number."""
    out: dict[int, dt.date] = {}
    for key, value in raw.items():
        col = f"meetings.{key}"
        number = int(key) if str(key).strip().isdigit() else None
        if number is None:
            rep.error(file, f"“[meetings]”的键须为评审会序号（整数，如 \"1\"），实际为 {key!r}",
                      f"the keys of [meetings] must be meeting numbers (whole numbers such as \"1\"), got {key!r}",
                      column=col, found=str(key), expected='"1" = 2022-01-20')
            continue
        date: dt.date | None = None
        if isinstance(value, dt.datetime):
            date = value.date()
        elif isinstance(value, dt.date):
            date = value
        elif isinstance(value, str):
            try:
                date = dt.date.fromisoformat(value.strip())
            except ValueError:
                date = None
        if date is None:
            rep.error(file, f"“{col}”须为日期（如 2022-01-20），实际为 {value!r}",
                      f"'{col}' must be a date such as 2022-01-20, got {value!r}", column=col, found=repr(value),
                      expected="2022-01-20")
            continue
        out[number] = date
    ordered = sorted(out.items())
    for (n1, d1), (n2, d2) in itertools.pairwise(ordered):
        if d2 < d1:
            rep.error(file, f"第 {n2} 次评审会（{d2}）早于第 {n1} 次（{d1}）：日期须随序号不减",
                      f"meeting {n2} ({d2}) is dated before meeting {n1} ({d1}): dates must not go back",
                      column=f"meetings.{n2}", found=str(d2), expected=f">= {d1}")
    return tuple(ordered)


def _grading(raw: Mapping[str, Any], file: str, rep: ValidationReport
             ) -> tuple[tuple[float, float, float, float], Literal["tax", "output"]]:
    """``policy.grade_shares`` (four shares >= 0 for A-D summing to 1, or percentages summing to 100) and
    ``policy.grade_by``."""
    shares = DEFAULT_GRADE_SHARES
    v = raw.get("grade_shares")
    if v is not None:
        ok = (isinstance(v, list) and len(v) == 4
              and all(isinstance(x, int | float) and not isinstance(x, bool) and x >= 0 for x in v))
        total = float(sum(v)) if ok else 0.0
        if ok and abs(total - 100.0) < 1e-6:
            v, total = [x / 100.0 for x in v], 1.0
        if not ok or abs(total - 1.0) > 1e-6:
            rep.error(file, f"“policy.grade_shares”须为 A、B、C、D 四档比例，合计为 1（或 100），实际为 {v!r}",
                      f"'policy.grade_shares' must be four shares for A, B, C, D summing to 1 (or 100), got {v!r}",
                      column="policy.grade_shares", found=repr(v), expected="[0.25, 0.45, 0.25, 0.05]")
        else:
            shares = (float(v[0]), float(v[1]), float(v[2]), float(v[3]))
    by = raw.get("grade_by", "tax")
    if by not in ("tax", "output"):
        rep.error(file, f"“policy.grade_by”须为 tax（亩均税收）或 output（亩均产值），实际为 {by!r}",
                  f"'policy.grade_by' must be 'tax' or 'output', got {by!r}", column="policy.grade_by",
                  found=repr(by), expected="tax, output")
        by = "tax"
    return shares, by


def _uncertainty(raw: Mapping[str, Any], file: str, rep: ValidationReport) -> Uncertainty:
    """``[uncertainty]``: probabilities in [0, 1], modes and industries by code or Chinese name, ranges as
    ``[low, high]`` factors with 0 < low <= high."""
    from .vocab import INDUSTRY_LOOKUP, MODE_LOOKUP, norm_token

    for k in sorted(set(raw) - _UNCERTAINTY_KEYS):
        rep.error(file, f"未知的设置项“uncertainty.{k}”，可用：{', '.join(sorted(_UNCERTAINTY_KEYS))}",
                  f"unknown key 'uncertainty.{k}'; allowed: {', '.join(sorted(_UNCERTAINTY_KEYS))}",
                  column=f"uncertainty.{k}", found=k)

    def prob(col: str, v: Any) -> float | None:
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
            rep.error(file, f"“{col}”须为 0 到 1 之间的概率，实际为 {v!r}",
                      f"'{col}' must be a probability from 0 to 1, got {v!r}", column=col, found=repr(v),
                      expected="0..1")
            return None
        return float(v)

    def by(key: str, lookup: Mapping[str, str]) -> tuple[tuple[str, float], ...]:
        val = raw.get(key, {})
        if not isinstance(val, Mapping):
            rep.error(file, f"“uncertainty.{key}”须为表，如 {{ lease = 0.757 }}",
                      f"'uncertainty.{key}' must be a table such as {{ lease = 0.757 }}", column=f"uncertainty.{key}")
            return ()
        out: dict[str, float] = {}
        for name, v in val.items():
            code = lookup.get(norm_token(name))
            if code is None:
                rep.error(file, f"“uncertainty.{key}”中的“{name}”不是已知的代码",
                          f"'{name}' in 'uncertainty.{key}' is not a known code", column=f"uncertainty.{key}",
                          found=str(name), expected=", ".join(sorted(set(lookup.values()))))
                continue
            p = prob(f"uncertainty.{key}.{name}", v)
            if p is not None:
                out[code] = p
        return tuple(sorted(out.items()))

    def span(key: str) -> tuple[float, float] | None:
        v = raw.get(key)
        if v is None:
            return None
        ok = (isinstance(v, list) and len(v) == 2 and all(isinstance(x, int | float) and not isinstance(x, bool)
                                                          for x in v) and 0 < v[0] <= v[1] < math.inf)
        if not ok:
            rep.error(file, f"“uncertainty.{key}”须为 [下限, 上限] 倍数，0 < 下限 <= 上限，实际为 {v!r}",
                      f"'uncertainty.{key}' must be [low, high] factors with 0 < low <= high, got {v!r}",
                      column=f"uncertainty.{key}", found=repr(v), expected="[0.8, 1.2]")
            return None
        return float(v[0]), float(v[1])

    default = prob("uncertainty.p_land", raw.get("p_land", 1.0))
    return Uncertainty(1.0 if default is None else default, by("p_land_by_mode", MODE_LOOKUP),
                       by("p_land_by_industry", INDUSTRY_LOOKUP), span("investment_range"), span("need_range"))


def _mapping(raw: Any, key: str, file: str, rep: ValidationReport) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
        rep.error(file, f"“{key}”须为“原列名 = 标准列名”的表", f"'{key}' must map your column names to "
                  "the standard ones", column=key)
        return ()
    return tuple((str(k), str(v)) for k, v in raw.items())


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Write the small subset of TOML scenarios use (tables, arrays of tables, scalars, lists)."""
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not isinstance(v, Mapping) and not _is_table_list(v)}
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    arrays = {k: v for k, v in data.items() if _is_table_list(v)}
    lines += [f"{_key(k)} = {_value(v)}" for k, v in scalars.items()]

    def emit_table(prefix: str, tab: Mapping[str, Any]) -> None:
        inner = {k: v for k, v in tab.items() if not isinstance(v, Mapping)}
        subs = {k: v for k, v in tab.items() if isinstance(v, Mapping)}
        if inner or not subs:
            lines.append("")
            lines.append(f"[{prefix}]")
            lines.extend(f"{_key(k)} = {_value(v)}" for k, v in inner.items())
        for k, v in subs.items():
            emit_table(f"{prefix}.{_key(k)}", v)

    for k, v in tables.items():
        emit_table(_key(k), v)
    for k, items in arrays.items():
        for item in items:
            lines.append("")
            lines.append(f"[[{_key(k)}]]")
            lines.extend(f"{_key(ik)} = {_value(iv)}" for ik, iv in item.items())
    return "\n".join(lines).lstrip("\n") + "\n"


def _is_table_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, Mapping) for x in v)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _value(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    # every control character as an escape: a raw tab is fine in TOML, others (NUL, CR, ESC) are not
    s = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", s)
    return f'"{s}"'
