"""Uncertainty sweeps: solve many sampled pipelines and say how likely each placement is.

:func:`run_sweep` reads the inputs once, solves the pipeline as if every project arrived (the
"all-arrive" plan), then solves ``samples`` sampled pipelines on a Dask cluster (each with one HiGHS
thread and no race, so the same seed gives the same plans on any number of workers), finds the robust
plan and evaluates it and the all-arrive plan on every sample. ``docs/SWEEPS.md`` defines every figure;
in short:

* ``p_placed``: the share of samples in which the project is placed (unconditional: a project that
  never arrives has 0); ``p_placed_if_arrived`` the share among the samples in which it arrived.
* ``top_site``: the site it is placed on most often; ``top_site_share``: the share of its placements
  that are on that site.
* ``p_used``: the share of samples in which a site holds at least one project; ``p_full``: in which what
  is left on it is less than the smallest need of any project of the pipeline eligible for it;
  ``mean_free``: its mean free capacity (mu or m2).
* the robust plan: one fixed plan (project -> site, each pair eligible with all projects present,
  feasible whatever the sampled needs) of the greatest mean objective over the samples, i.e. of the least
  mean regret, proven by one MIP whose coefficients are each pair's mean value over the samples. A
  sample's value of a fixed plan counts the placements of the projects that arrived in it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from .._errors import ValidationReport, input_error
from ..engine.eligibility import Candidates, eligible_pairs
from ..engine.model import build_model, check_locks, greedy_allocation
from ..engine.pipeline import solve_allocation
from ..engine.results import check_scenario_ids
from ..engine.solvers import solve_highs
from ..io import file_fingerprint
from ..outputs.files import strict_json_bytes
from ..outputs.tables import spreadsheet_safe
from ..scenario import Scenario
from .engine import Cluster, dask_cluster, run_tasks
from .sampling import SOURCES, Draw, draw_sample, landing_probabilities, sample_inputs

#: Output files of a sweep (``sweep_summary.json`` is written last and lists the others' SHA-256).
FILES: Final = ("sweep_projects.csv", "sweep_sites.csv", "sweep_samples.csv", "robust_plan.csv",
                "sweep_summary.json")
#: Stages reported to ``on_progress``.
STAGES: Final = ("samples", "robust")
#: Values are summed as integers of this many units per objective unit, so that the mean over the samples
#: is the same whatever order the workers return them in (float sums are not associative).
_EXACT: Final = 1e9

ProgressFn = Callable[[str, int, int], None]


class SweepFailed(RuntimeError):
    """No sample could be solved (each failed twice); the errors are in the message."""


@dataclass(frozen=True)
class SweepBase:
    """What every task needs, sent to each worker once: the tables, not paths to them."""

    sites: pd.DataFrame  # the sites table without geometry (the rules use lon, lat)
    projects: pd.DataFrame
    scenario: Scenario  # solver.threads = 1
    p_land: np.ndarray
    seed: int
    site_ids: np.ndarray
    pair_key: np.ndarray  # p * n_sites + s of the all-arrive candidate pairs, ascending
    capacity: np.ndarray  # per site, in its unit
    min_need: np.ndarray  # per site: the smallest need of an eligible project (inf: none)
    #: phase 2: plans to evaluate, each as positions in the all-arrive candidate pairs
    plans: tuple[np.ndarray, ...] = ()

    def draw(self, index: int) -> Draw:
        return draw_sample(index, seed=self.seed, p_land=self.p_land, uncertainty=self.scenario.uncertainty)


@dataclass(frozen=True)
class SampleOutcome:
    """One solved sample, as small as it can travel back."""

    index: int
    status: str
    objective: float
    arrived: np.ndarray  # bool per project
    site_of: np.ndarray  # site position per project, -1 when unplaced
    used: np.ndarray  # capacity used per site
    investment_arrived_yi: float
    investment_placed_yi: float
    land_used_mu: float
    floor_used_m2: float
    seconds: float
    #: each all-arrive pair's value in this sample (0 when its project did not arrive or it is not
    #: eligible) and its need here; dropped on the client once summed
    value: np.ndarray | None = None
    need: np.ndarray | None = None


@dataclass(frozen=True)
class SweepResult:
    """The tables and figures of a sweep (see the module docstring for the definitions)."""

    projects: pd.DataFrame
    sites: pd.DataFrame
    samples: pd.DataFrame
    robust_plan: pd.DataFrame
    summary: dict[str, Any]
    warnings: tuple[str, ...] = ()

    def files(self) -> dict[str, bytes]:
        """Every output file by name; the summary lists the others' SHA-256."""
        out = {
            "sweep_projects.csv": csv_bytes(self.projects),
            "sweep_sites.csv": csv_bytes(self.sites),
            "sweep_samples.csv": csv_bytes(self.samples),
            "robust_plan.csv": csv_bytes(self.robust_plan),
        }
        summary = dict(self.summary)
        summary["files"] = {k: hashlib.sha256(v).hexdigest() for k, v in out.items()}
        out["sweep_summary.json"] = strict_json_bytes(summary) + b"\n"  # never NaN or Infinity
        return out


def run_sweep(
    scenario: Scenario,
    *,
    samples: int,
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    on_progress: ProgressFn | None = None,
    on_cluster: Callable[[Cluster], None] | None = None,
    task: Callable[[int, SweepBase], SampleOutcome] | None = None,
    sites: Any = None,
    projects: pd.DataFrame | None = None,
) -> SweepResult:
    """Solve ``samples`` sampled pipelines of ``scenario`` on Dask and sum them up.

    Parameters
    ----------
    samples, seed
        How many samples, and the seed they are drawn from (sample ``i`` depends on ``(seed, i)`` only).
    workers, scheduler
        A local cluster of ``workers`` processes (default: one per core), or the running scheduler at
        ``scheduler`` (``tcp://host:port``).
    on_progress
        ``on_progress(stage, done, total)`` after each task (``stage`` in :data:`STAGES`).
    on_cluster
        Called once the cluster is up (the CLI prints its address and dashboard link).
    task
        The function that solves one sample (default :func:`solve_sample`); tests inject failures with it.
    sites, projects
        The loaded tables (as the app has them) instead of the scenario's files.

    Raises
    ------
    InputError
        When an input or the scenario is unusable (checked on this machine before any task is sent), or
        the scheduler cannot be reached.
    SweepFailed
        When no sample could be solved.
    """
    if samples < 1:
        raise input_error("<command line>", "--samples 须至少为 1", "--samples must be at least 1",
                          column="--samples", found=str(samples))
    t0 = time.perf_counter()
    sc = scenario.with_(solver=replace(scenario.solver, threads=1))
    sites, projects, warnings, inputs = _read_inputs(sc, sites, projects)
    check_scenario_ids(sc, sites, projects)
    table = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    cand = eligible_pairs(table, projects, sc)
    check_locks(cand, sc)  # bad input is refused here, before a cluster is started
    probs = landing_probabilities(projects, sc.uncertainty)
    n_sites = len(table)
    pairs = cand.pairs
    need = pairs["need"].to_numpy(float)
    min_need = np.full(n_sites, np.inf)
    np.minimum.at(min_need, pairs["s"].to_numpy(), need)
    base = SweepBase(
        sites=table, projects=projects, scenario=sc, p_land=probs["p_land"].to_numpy(float), seed=int(seed),
        site_ids=table["site_id"].astype(str).to_numpy(object),
        pair_key=(pairs["p"].to_numpy(np.int64) * n_sites + pairs["s"].to_numpy(np.int64)),
        capacity=cand.sites["capacity"].to_numpy(float), min_need=min_need,
    )
    acc = _Accumulator(len(pairs))
    with dask_cluster(workers=workers, scheduler=scheduler) as cluster:
        if on_cluster is not None:
            on_cluster(cluster)
        all_plan = solve_allocation(table, projects, sc)  # the plan of today's practice: everyone arrives
        all_pos = _plan_positions(base, cand, all_plan.assignments)
        warnings = (*warnings, *cluster.warnings)
        first = run_tasks(cluster, task or solve_sample, range(samples), shared=base, keep=acc.add,
                          on_progress=_stage(on_progress, "samples"), name="zq-land-sample")
        if not first.results:
            errors = "; ".join(f"{i}: {e}" for i, e in sorted(first.errors.items())[:3])
            raise SweepFailed(f"没有任何样本求解成功 | no sample could be solved ({errors})")
        robust_pos, robust_status = _robust_plan(cand, acc, sc)
        evaluated = run_tasks(cluster, evaluate_sample, sorted(first.results),
                              shared=replace(base, plans=(robust_pos, all_pos)),
                              on_progress=_stage(on_progress, "robust"), name="zq-land-evaluate")
        engine = {"kind": "dask", "scheduler": cluster.address, "local": cluster.local,
                  "dashboard": cluster.dashboard, "threads": cluster.threads}
        n_workers = cluster.workers
    outcomes = [first.results[i] for i in sorted(first.results)]
    values = {i: evaluated.results[i] for i in sorted(evaluated.results)}
    return _assemble(
        base=base, cand=cand, outcomes=outcomes, values=values, robust=(robust_pos, robust_status),
        all_arrive=(all_pos, all_plan), probs=probs, acc=acc,
        meta={"scenario": sc.name, "samples": int(samples), "seed": int(seed), "workers": n_workers,
              "engine": engine, "inputs": inputs, "seconds": time.perf_counter() - t0,
              "task_seconds": [o.seconds for o in outcomes],
              "failures": {"count": len(first.errors), "samples": sorted(first.errors),
                           "errors": {str(k): v for k, v in sorted(first.errors.items())}},
              "retried": first.retried, "evaluation_failures": sorted(evaluated.errors)},
        warnings=warnings,
    )


def solve_sample(index: int, base: SweepBase) -> SampleOutcome:
    """Draw sample ``index`` and solve it with the engine (one HiGHS thread): a Dask task."""
    t0 = time.perf_counter()
    draw = base.draw(index)
    projects, scenario = sample_inputs(base.projects, base.scenario, draw)
    plan = solve_allocation(base.sites, projects, scenario)
    a = plan.assignments
    placed = a["placed"].to_numpy(bool)
    s_pos = pd.Index(base.site_ids).get_indexer(a.loc[placed, "site_id"].astype(str))
    site_of = np.full(len(a), -1, dtype=np.int32)
    site_of[np.flatnonzero(placed)] = s_pos
    used = np.bincount(s_pos, weights=a.loc[placed, "need"].to_numpy(float), minlength=len(base.site_ids))
    value, need = _pair_values(base, plan.candidates)
    inv = a["investment_yi"].to_numpy(float)
    return SampleOutcome(
        index=index, status=plan.report.status, objective=float(plan.report.objective), arrived=draw.arrived,
        site_of=site_of, used=used, investment_arrived_yi=float(inv[draw.arrived].sum()),
        investment_placed_yi=float(inv[placed].sum()), land_used_mu=float(a.loc[placed, "use_land_mu"].sum()),
        floor_used_m2=float(a.loc[placed, "use_floor_m2"].sum()), seconds=time.perf_counter() - t0,
        value=value, need=need,
    )


def evaluate_sample(index: int, base: SweepBase) -> list[tuple[float, np.ndarray]]:
    """Each of ``base.plans`` kept fixed in sample ``index``: its value there and which placements held.

    A placement holds when its project arrived and the pair is still eligible with the sampled values;
    when the sampled needs on a site exceed its capacity, the placements of least value there are dropped
    (then the larger need, then the later pair) until the rest fit.
    """
    draw = base.draw(index)
    projects, scenario = sample_inputs(base.projects, base.scenario, draw)
    value, need = _pair_values(base, eligible_pairs(base.sites, projects, scenario))
    site = base.pair_key % len(base.site_ids)
    out = []
    for plan in base.plans:
        held = need[plan] > 0  # the project arrived and the pair is eligible in this sample
        for s in np.unique(site[plan][held]):
            on = np.flatnonzero(held & (site[plan] == s))
            while need[plan][on].sum() > base.capacity[s] * (1 + 1e-9) + 1e-9:
                worst = on[np.lexsort((-on, -need[plan][on], value[plan][on]))[0]]
                held[worst] = False
                on = on[on != worst]
        out.append((float(value[plan][held].sum()), held))
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as CSV in UTF-8 with BOM (Excel opens Chinese correctly); floats to 6 decimals; no text cell
    becomes a formula (:func:`zq_land.outputs.tables.spreadsheet_safe`)."""
    text = spreadsheet_safe(df).to_csv(index=False, lineterminator="\n", float_format=_float_format)
    return ("\ufeff" + text).encode("utf-8")


def write_sweep(result: SweepResult, out_dir: str | Path) -> dict[str, Path]:
    """Write the sweep's files into ``out_dir``, all or nothing (see :func:`publish_files`)."""
    from ._files import publish_files

    return publish_files(result.files(), Path(out_dir), marker="sweep_summary.json")


# --- private helpers ------------------------------------------------------------------------------


def _float_format(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".") if v == v else ""


def _stage(on_progress: ProgressFn | None, stage: str) -> Callable[[int, int], None] | None:
    if on_progress is None:
        return None
    return lambda done, total: on_progress(stage, done, total)


def _read_inputs(
    sc: Scenario, sites: Any = None, projects: pd.DataFrame | None = None
) -> tuple[Any, pd.DataFrame, tuple[str, ...], dict[str, dict[str, str]]]:
    """The scenario's sites and projects, read once here (unless given); the readers' warnings as text."""
    from ..io import read_projects, read_sites

    if sites is not None and projects is not None:
        return sites, projects, (), {}
    file = str(sc.source or "<scenario>")
    for key, path in (("sites", sc.sites), ("projects", sc.projects)):
        if path is None:
            raise input_error(file, f"情景未指定{'地块' if key == 'sites' else '项目'}文件（{key}）",
                              f"the scenario names no {key} file ('{key}')", column=key)
    assert sc.sites is not None and sc.projects is not None
    rep = ValidationReport()
    sites = read_sites(sc.sites, columns=dict(sc.site_columns) or None, report=rep)
    projects = read_projects(sc.projects, columns=dict(sc.project_columns) or None, sheet=sc.project_sheet,
                             report=rep)
    inputs = {"sites": file_fingerprint(sc.sites), "projects": file_fingerprint(sc.projects)}
    return sites, projects, tuple(p.text("both") for p in rep.warnings), inputs


def _pair_values(base: SweepBase, cand: Candidates) -> tuple[np.ndarray, np.ndarray]:
    """A sample's coefficient and need of each all-arrive pair (0 where the pair is not eligible there)."""
    k = len(base.pair_key)
    value, need = np.zeros(k), np.zeros(k)
    pairs = cand.pairs
    if pairs.empty:
        return value, need
    keys = pairs["p"].to_numpy(np.int64) * len(base.site_ids) + pairs["s"].to_numpy(np.int64)
    pos = np.searchsorted(base.pair_key, keys)
    ok = pos < k
    ok[ok] = base.pair_key[pos[ok]] == keys[ok]
    value[pos[ok]] = pairs["coefficient"].to_numpy(float)[ok]
    need[pos[ok]] = pairs["need"].to_numpy(float)[ok]
    return value, need


def _plan_positions(base: SweepBase, cand: Candidates, assignments: pd.DataFrame) -> np.ndarray:
    """A plan's placements as positions in the all-arrive candidate pairs."""
    placed = assignments[assignments["site_id"].notna()]
    index = pd.MultiIndex.from_arrays([cand.pairs["project_id"].astype(str), cand.pairs["site_id"].astype(str)])
    pos = index.get_indexer(pd.MultiIndex.from_arrays([placed["project_id"].astype(str),
                                                       placed["site_id"].astype(str)]))
    return np.sort(pos[pos >= 0]).astype(np.int64)


@dataclass
class _Accumulator:
    """Each pair's summed value (exact integers: the same whatever the order) and largest need."""

    n_pairs: int
    value_units: np.ndarray = field(init=False)
    need_max: np.ndarray = field(init=False)
    count: int = 0

    def __post_init__(self) -> None:
        self.value_units = np.zeros(self.n_pairs, dtype=np.int64)
        self.need_max = np.zeros(self.n_pairs)

    def add(self, index: int, outcome: SampleOutcome) -> SampleOutcome:
        assert outcome.value is not None and outcome.need is not None
        self.value_units += np.round(outcome.value * _EXACT).astype(np.int64)
        np.maximum(self.need_max, outcome.need, out=self.need_max)
        self.count += 1
        return replace(outcome, value=None, need=None)

    def mean_value(self) -> np.ndarray:
        return self.value_units / _EXACT / max(self.count, 1)


def _robust_plan(cand: Candidates, acc: _Accumulator, scenario: Scenario) -> tuple[np.ndarray, str]:
    """The fixed plan of greatest mean value over the samples (least mean regret): one MIP."""
    need = np.where(acc.need_max > 0, acc.need_max, cand.pairs["need"].to_numpy(float))
    robust = replace(cand, pairs=cand.pairs.assign(coefficient=acc.mean_value(), need=need))
    if robust.pairs.empty:
        return np.zeros(0, dtype=np.int64), "optimal"
    model = build_model(robust, None, scenario)
    greedy = greedy_allocation(robust, scenario)
    warm = np.zeros(len(robust.pairs))
    warm[greedy] = 1.0
    outcome = solve_highs(model, robust, scenario, deadline=time.monotonic() + scenario.solver.time_limit_s,
                           warm=warm)
    if outcome.chosen is None:
        return greedy, "feasible"
    return np.sort(outcome.chosen).astype(np.int64), str(outcome.status)


def _assemble(
    *, base: SweepBase, cand: Candidates, outcomes: list[SampleOutcome],
    values: Mapping[int, list[tuple[float, np.ndarray]]], robust: tuple[np.ndarray, str],
    all_arrive: tuple[np.ndarray, Any], probs: pd.DataFrame, acc: _Accumulator, meta: dict[str, Any],
    warnings: tuple[str, ...],
) -> SweepResult:
    n = len(outcomes)
    site_of = np.stack([o.site_of for o in outcomes])  # samples x projects
    arrived = np.stack([o.arrived for o in outcomes])
    used = np.stack([o.used for o in outcomes])  # samples x sites
    projects = _project_table(base, probs, site_of, arrived)
    sites = _site_table(base, cand, site_of, used)
    objective = np.array([o.objective for o in outcomes])
    robust_pos, robust_status = robust
    all_pos, all_plan = all_arrive
    v_rob = np.array([values[o.index][0][0] if o.index in values else np.nan for o in outcomes])
    v_all = np.array([values[o.index][1][0] if o.index in values else np.nan for o in outcomes])
    best = np.fmax(objective, np.fmax(v_rob, v_all))
    samples = pd.DataFrame({
        "sample": [o.index for o in outcomes],
        "arrived_projects": arrived.sum(axis=1),
        "investment_arrived_yi": [o.investment_arrived_yi for o in outcomes],
        "status": [o.status for o in outcomes],
        "objective": objective,
        "investment_placed_yi": [o.investment_placed_yi for o in outcomes],
        "land_used_mu": [o.land_used_mu for o in outcomes],
        "floor_used_m2": [o.floor_used_m2 for o in outcomes],
        "robust_value": v_rob, "all_arrive_value": v_all,
        "robust_regret": best - v_rob, "all_arrive_regret": best - v_all,
    })
    held = np.zeros(len(robust_pos))
    for i in values:
        held += values[i][0][1]
    robust_table = _robust_table(base, cand, probs, robust_pos, held / max(len(values), 1), acc, all_pos)
    st = samples["status"].value_counts()
    status_counts = {str(k): int(st[k]) for k in sorted(st.index)}
    out_warnings = list(warnings)
    if meta["failures"]["count"]:
        out_warnings.append(f"{meta['failures']['count']} 个样本两次求解均失败，未计入 | {meta['failures']['count']} "
                            f"sample(s) failed twice and are left out: {meta['failures']['samples']}")
    not_proven = n - status_counts.get("optimal", 0)
    if not_proven:
        out_warnings.append(f"{not_proven} 个样本未证明最优（时间上限），同一种子再次运行结果可能不同 | {not_proven} "
                            "sample(s) were not proven optimal (time limit): a rerun of the same seed may differ")
    task_s = np.asarray(meta.pop("task_seconds"), float)
    summary: dict[str, Any] = {
        "scenario": meta["scenario"], "samples": meta["samples"], "samples_solved": n,
        "workers": meta["workers"], "seconds": round(meta["seconds"], 3), "seed": meta["seed"],
        "engine": meta["engine"],
        "task_seconds": {"mean": _r(task_s.mean()), "max": _r(task_s.max()), "total": _r(task_s.sum())},
        "status_counts": status_counts,
        "failures": meta["failures"], "retried": meta["retried"],
        "p_land": {"mean": _r(probs["p_land"].mean()),
                   "sources": {s: int((probs["p_land_source"] == s).sum()) for s in SOURCES}},
        "arrived_projects": _quantiles(samples["arrived_projects"]),
        "investment_arrived_yi": _quantiles(samples["investment_arrived_yi"]),
        "investment_placed_yi": _quantiles(samples["investment_placed_yi"]),
        "land_used_mu": _quantiles(samples["land_used_mu"]),
        "land_needed_90_mu": _r(np.percentile(samples["land_used_mu"], 90)),
        "floor_used_m2": _quantiles(samples["floor_used_m2"]),
        "all_arrive": {
            "status": all_plan.report.status, "objective": _r(all_plan.report.objective),
            "projects_placed": len(all_pos),
            "investment_placed_yi": _r(float(all_plan.assignments.loc[all_plan.assignments["placed"],
                                                                      "investment_yi"].sum())),
            "regret": _regret(samples["all_arrive_regret"], best),
        },
        "robust_plan": {
            "file": "robust_plan.csv", "status": robust_status, "projects_placed": len(robust_pos),
            "criterion": "least mean regret over the samples among fixed plans (one MIP) | "
                         "在所有固定方案中，各样本平均遗憾最小（一个整数规划求得）",
            "mean_value": _r(float(np.nanmean(v_rob))) if len(values) else None,
            "regret": _regret(samples["robust_regret"], best),
        },
        "evaluation_failures": meta["evaluation_failures"],
        "inputs": meta["inputs"],
        "warnings": out_warnings,
    }
    return SweepResult(projects, sites, samples, robust_table, summary, tuple(out_warnings))


def _project_table(base: SweepBase, probs: pd.DataFrame, site_of: np.ndarray, arrived: np.ndarray) -> pd.DataFrame:
    n, n_projects = site_of.shape
    placed = site_of >= 0
    n_placed = placed.sum(axis=0)
    n_arrived = arrived.sum(axis=0)
    # (project, site, count) of every placement seen; the top site is the most frequent, the first in the
    # sites file among equals
    p_idx = np.broadcast_to(np.arange(n_projects), site_of.shape)[placed]
    seen = pd.DataFrame({"p": p_idx, "s": site_of[placed]}).value_counts().rename("n").reset_index()
    seen = seen.sort_values(["p", "n", "s"], ascending=[True, False, True], kind="stable").drop_duplicates("p")
    top = np.full(n_projects, "", dtype=object)
    top_n = np.zeros(n_projects)
    top[seen["p"].to_numpy()] = base.site_ids[seen["s"].to_numpy()]
    top_n[seen["p"].to_numpy()] = seen["n"].to_numpy()
    return pd.DataFrame({
        **_project_columns(base, probs),
        "p_land_source": probs["p_land_source"].to_numpy(object),
        "p_arrived": n_arrived / n,
        "p_placed": n_placed / n,
        "p_placed_if_arrived": np.where(n_arrived > 0, n_placed / np.maximum(n_arrived, 1), np.nan),
        "top_site": top,
        "top_site_share": np.where(n_placed > 0, top_n / np.maximum(n_placed, 1), np.nan),
    })


def _project_columns(base: SweepBase, probs: pd.DataFrame) -> dict[str, Any]:
    """The columns that name a project in the sweep's tables: id, name, mode, investment, p_land."""
    pj = base.projects
    return {
        "project_id": pj["project_id"].astype(str).to_numpy(),
        "name": pj["name"].astype(str).to_numpy() if "name" in pj.columns else "",
        "mode": pj["mode"].astype(str).to_numpy(),
        "investment_yi": pj["investment_yi"].to_numpy(float),
        "p_land": probs["p_land"].to_numpy(float),
    }


def _site_table(base: SweepBase, cand: Candidates, site_of: np.ndarray, used: np.ndarray) -> pd.DataFrame:
    n, n_sites = site_of.shape[0], len(base.site_ids)
    hit = np.zeros((n, n_sites + 1), dtype=bool)
    hit[np.broadcast_to(np.arange(n)[:, None], site_of.shape), np.where(site_of >= 0, site_of, n_sites)] = True
    free = np.maximum(base.capacity[None, :] - used, 0.0)
    full = np.isfinite(base.min_need)[None, :] & (free < base.min_need[None, :] * (1 - 1e-9))
    st = cand.sites
    return pd.DataFrame({
        "site_id": base.site_ids.astype(str),
        "name": st["name"].astype(str).to_numpy() if "name" in st.columns else "",
        "kind": st["kind"].astype(str).to_numpy(),
        "status": st["status"].astype(str).to_numpy(),
        "unit": st["unit"].astype(str).to_numpy(),
        "capacity": base.capacity,
        "p_used": hit[:, :n_sites].mean(axis=0),
        "p_full": full.mean(axis=0),
        "mean_free": free.mean(axis=0),
        "mean_used": used.mean(axis=0),
    })


def _robust_table(
    base: SweepBase, cand: Candidates, probs: pd.DataFrame, robust_pos: np.ndarray, held: np.ndarray,
    acc: _Accumulator, all_pos: np.ndarray,
) -> pd.DataFrame:
    pairs = cand.pairs
    pj = base.projects
    n = len(pj)
    site = np.full(n, "", dtype=object)
    realised = np.zeros(n)
    mean_value = np.zeros(n)
    rows = pairs["p"].to_numpy()[robust_pos]
    site[rows] = pairs["site_id"].to_numpy(object)[robust_pos]
    realised[rows] = held
    mean_value[rows] = acc.mean_value()[robust_pos]
    all_site = np.full(n, "", dtype=object)
    all_site[pairs["p"].to_numpy()[all_pos]] = pairs["site_id"].to_numpy(object)[all_pos]
    placed = site != ""
    return pd.DataFrame({
        **_project_columns(base, probs),
        "site_id": site,
        "status": np.where(placed, "placed", "unplaced"),
        "p_realised": np.where(placed, realised, np.nan),
        "mean_value": np.where(placed, mean_value, np.nan),
        "all_arrive_site_id": all_site,
    })


def _quantiles(values: pd.Series | np.ndarray) -> dict[str, float | None]:
    x = np.asarray(values, float)
    p10, p50, p90 = np.percentile(x, [10, 50, 90])
    return {"p10": _r(p10), "p50": _r(p50), "p90": _r(p90), "mean": _r(x.mean())}


def _regret(regret: pd.Series, best: np.ndarray) -> dict[str, float | None]:
    r = np.asarray(regret, float)
    ok = ~np.isnan(r)
    if not ok.any():
        return {"mean": None, "p50": None, "p90": None, "max": None, "mean_share": None}
    q = _quantiles(r[ok])
    mean_best = float(np.mean(best[ok]))
    return {"mean": q["mean"], "p50": q["p50"], "p90": q["p90"], "max": _r(r[ok].max()),
            "mean_share": _r(q["mean"] / mean_best) if mean_best and q["mean"] is not None else None}


def _r(v: float) -> float | None:
    f = float(v)
    return None if f != f else round(f, 6)
