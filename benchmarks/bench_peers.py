"""zq_land against its peers on the same instances, in one run: ``python -m benchmarks.bench_peers``.

Per (size, seed, time limit), each solver runs in its own child process, with the same limit counted
from the process start (reading and eligibility included, as ``python -m zq_land solve --time-limit``
counts it), and its own wall time and peak memory (``os.wait4`` of that child, grandchildren waited for
included, so CBC's binary counts):

* ``zq``: the CLI end to end (``python -m zq_land solve --time-limit L``), its summary.json;
* ``highs``: a plain highspy MIP on the same eligible pairs and coefficients (zq_land's own
  ``eligible_pairs`` and ``heuristics.highs_lp(relax=False)``, the CLI's default scenario), 2 threads,
  the same optimality criterion as zq_land (absolute gap: the objective's grain); no start, no cuts;
* ``cpsat``: OR-Tools CP-SAT (requirements-bench.txt), 2 workers, objective scaled to integers
  (1e4 per unit), capacity rows scaled per site so that every CP-SAT plan fits in zq_land's terms;
* ``cbc``: the plain PuLP formulation of ``benchmarks.run`` solved by CBC (2 threads).

Every peer's plan is checked with ``zq_land.engine.model.plan_errors`` and valued with
``plan_objective``. Each plan's gap is taken against the best bound known in the run: the least of
zq_land's bound, its cut LP bound, HiGHS's dual bound, CP-SAT's (rescaled) and CBC's. Results: one JSON
line per (size, seed, limit) appended to benchmarks/results/peers.jsonl as soon as it is measured (a
long run survives a crash), tables on stdout and between the markers of docs/PERFORMANCE.md ("Against
peers"), with the verdicts of the issue's targets 1, 2, 3 and 6.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "peers.jsonl"
DOC = ROOT / "docs" / "PERFORMANCE.md"
MARK_BEGIN = "<!-- bench-peers:begin -->"
MARK_END = "<!-- bench-peers:end -->"
SECTION = "## Against peers (`python -m benchmarks.bench_peers`)"
PEERS = ("zq", "highs", "cpsat", "cbc")
#: size name -> (projects, sites, tightness)
SIZES: dict[str, tuple[int, int, float]] = {
    "500x1000": (500, 1000, 1.3),
    "1000x2000": (1000, 2000, 1.1),
    "2000x5000": (2000, 5000, 1.1),
    "4000x12000": (4000, 12000, 1.1),
    "5000x20000": (5000, 20000, 1.1),
}
#: ``make bench``: (size, seeds, limits); about 30-40 minutes with the four solvers on 2 cores
DEFAULT_MATRIX: list[tuple[str, tuple[int, ...], tuple[float, ...]]] = [
    ("500x1000", (1, 2), (5.0,)),
    ("1000x2000", (1, 2), (5.0, 40.0)),
    ("2000x5000", (1, 2), (5.0, 20.0)),
    ("4000x12000", (1,), (60.0,)),
    ("5000x20000", (1,), (120.0,)),
]
FULL_MATRIX: list[tuple[str, tuple[int, ...], tuple[float, ...]]] = [
    (name, (1, 2), (5.0, 20.0, 60.0, 120.0)) for name in SIZES
]
QUICK_MATRIX: list[tuple[str, tuple[int, ...], tuple[float, ...]]] = [("500x1000", (1,), (10.0,))]
#: CP-SAT objective units per unit of zq_land's objective
CPSAT_OBJ_SCALE = 1e4
#: CP-SAT capacity rows: each site's room becomes about this many integer units
CPSAT_CAP_UNITS = 1e6
#: a child still running this long after its limit (at least 30 s, else the limit again) is killed
#: (status "killed"): HiGHS's presolve does not look at the clock (47 s at 1,000 x 2,000 with a 5 s limit)
KILL_AFTER_MIN_S = 30.0


def kill_after(limit: float) -> float:
    return limit + max(KILL_AFTER_MIN_S, limit)


# --- instances ------------------------------------------------------------------------------------


def size_of(name: str) -> tuple[int, int, float]:
    """``500x1000`` (a named size), or ``PxS`` / ``PxS@tightness`` (tightness 1.1 by default)."""
    if name in SIZES:
        return SIZES[name]
    dims, _, tight = name.partition("@")
    n_p, _, n_s = dims.partition("x")
    return int(n_p), int(n_s), float(tight or 1.1)


def write_case(name: str, seed: int, folder: Path) -> tuple[Path, Path]:
    from benchmarks.generate import make_instance, write_instance

    n_p, n_s, tight = size_of(name)
    return write_instance(*make_instance(n_p, n_s, seed=seed, tightness=tight), folder,
                          stem=f"{name.replace('@', '_')}_{seed}")


# --- children -------------------------------------------------------------------------------------


def run_child(cmd: list[str], *, timeout: float, cwd: Path) -> dict[str, Any]:
    """Run ``cmd``; its exit code, wall time, peak RSS (MB, this child and the children it waited for),
    stdout and stderr. Killed after ``timeout`` seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        killed = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t > timeout and not killed:
                p.kill()
                killed = True
            time.sleep(0.02)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        return {"rc": p.returncode, "wall_s": wall, "peak_mb": usage.ru_maxrss / 1024, "killed": killed,
                "stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace")}


def run_zq(sites: Path, projects: Path, limit: float, work: Path) -> dict[str, Any]:
    """The CLI as a planner runs it; its summary.json's figures."""
    out = work / "zq_out"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "zq_land", "solve", "--sites", str(sites), "--projects", str(projects),
           "--out", str(out), "--time-limit", f"{limit:g}", "--quiet"]
    c = run_child(cmd, timeout=kill_after(limit), cwd=ROOT)
    r: dict[str, Any] = {"solver": "zq", "time_s": c["wall_s"], "peak_mb": c["peak_mb"]}
    if c["rc"] != 0 or not (out / "summary.json").exists():
        return {**r, "status": "killed" if c["killed"] else f"error (exit {c['rc']})",
                "error": c["stderr"].strip()[-400:]}
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    r.update(status=s.get("status"), objective=s.get("objective"), bound=_finite(s.get("bound")),
             gap=_finite(s.get("gap")), lp_bound=_finite(s.get("lp_bound")),
             lp_bound_plain=_finite(s.get("lp_bound_plain")), greedy=s.get("greedy_objective"),
             solve_s=s.get("solve_seconds"), valid=True,
             notes=[n.get("en") for n in s.get("notes") or [] if isinstance(n, dict)])
    return r


def run_peer(peer: str, sites: Path, projects: Path, limit: float, work: Path, *,
             solver_limit: bool = False) -> dict[str, Any]:
    """One peer in its own child process (``--child``); its JSON plus wall time and peak memory."""
    res = work / f"{peer}.json"
    res.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.bench_peers", "--child", peer, "--sites-file", str(sites),
           "--projects-file", str(projects), "--limit", f"{limit:g}", "--json", str(res),
           "--t0", repr(time.time())]
    if solver_limit:
        cmd.append("--solver-limit")
    c = run_child(cmd, timeout=kill_after(limit), cwd=ROOT)
    r: dict[str, Any] = {"solver": peer, "time_s": c["wall_s"], "peak_mb": c["peak_mb"]}
    if c["rc"] != 0 or not res.exists():
        err = c["stderr"].strip().splitlines()
        return {**r, "status": "killed" if c["killed"] else f"error (exit {c['rc']})",
                "error": "\n".join(err[-3:])[-400:]}
    return {**r, **json.loads(res.read_text(encoding="utf-8"))}


def _finite(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def child_main(args: argparse.Namespace) -> int:
    """In the child: read, eligibility (as the CLI does), the peer's solve, the plan checked."""
    t0 = float(args.t0) if args.t0 else time.time()
    from dataclasses import replace

    from zq_land.cli.solve import scenario_for_cli
    from zq_land.engine.eligibility import eligible_pairs
    from zq_land.engine.heuristics import PairArrays
    from zq_land.engine.model import plan_errors, plan_objective
    from zq_land.io import read_projects, read_sites

    sc = scenario_for_cli(None, args.sites_file, args.projects_file)
    sc = sc.with_(solver=replace(sc.solver, time_limit_s=float(args.limit)))
    sites = read_sites(sc.sites)
    projects = read_projects(sc.projects)
    cand = eligible_pairs(sites, projects, sc)
    arrays = PairArrays.of(cand)
    prep_s = time.time() - t0
    limit = float(args.limit) if args.solver_limit else float(args.limit) - (time.time() - t0)
    limit = max(0.5, limit)
    t = time.perf_counter()
    if args.child == "highs":
        out = solve_highs(cand, arrays, limit)
    elif args.child == "cpsat":
        out = solve_cpsat(cand, arrays, limit)
    elif args.child == "cbc":
        out = solve_cbc(cand, limit, Path(args.json).with_suffix(".cbc.log"))
    else:
        raise SystemExit(f"unknown peer {args.child!r}")
    out["solve_s"] = time.perf_counter() - t
    chosen = out.pop("chosen", None)
    out.update(prep_s=prep_s, solver_limit_s=limit, pairs=len(cand.pairs))
    if chosen is not None:
        errs = plan_errors(cand, chosen)
        out.update(objective=plan_objective(cand, chosen), valid=not errs, plan_errors=errs[:5])
    else:
        out.update(objective=None, valid=None)
    Path(args.json).write_text(json.dumps(out), encoding="utf-8")
    return 0


# --- the peers' models ----------------------------------------------------------------------------


def solve_highs(cand: Any, a: Any, limit: float) -> dict[str, Any]:
    """The plain MIP of zq_land's pairs (``heuristics.highs_lp``) in highspy: no start, no cuts."""
    import highspy
    import numpy as np

    from zq_land.engine.heuristics import highs_lp
    from zq_land.engine.model import abs_gap

    lp, _, _ = highs_lp(a, relax=False)
    h = highspy.Highs()
    log = os.environ.get("ZQ_PEERS_HIGHS_LOG")  # where HiGHS's own log goes, to see where its time went
    h.setOptionValue("output_flag", bool(log))
    if log:
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", log)
    h.setOptionValue("threads", 2)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", limit)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", abs_gap(cand))
    h.passModel(lp)
    h.run()
    ms = h.getModelStatus()
    info = h.getInfo()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    chosen = np.flatnonzero(np.asarray(h.getSolution().col_value) > 0.5) if has_plan else None
    status = {highspy.HighsModelStatus.kOptimal: "optimal",
              highspy.HighsModelStatus.kTimeLimit: "time_limit"}.get(ms, h.modelStatusToString(ms))
    if status == "time_limit" and has_plan:
        status = "feasible"
    return {"status": status, "bound": _finite(info.mip_dual_bound), "chosen": chosen,
            "nodes": int(info.mip_node_count)}


def solve_cpsat(cand: Any, a: Any, limit: float) -> dict[str, Any]:
    """CP-SAT with integer data: objective round(coef * 1e4); per binding site, needs rounded up and the
    room (zq_land's capacity with its fit tolerance) rounded down, so every CP-SAT plan fits."""
    import numpy as np
    from ortools.sat.python import cp_model

    from zq_land.engine.rules import FIT_TOL

    n = len(a.p)
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{k}") for k in range(n)]
    for p in range(a.n_p):
        ks = a.of_project(p)
        if len(ks) > 1:
            m.add_at_most_one(x[int(k)] for k in ks)
    for s in a.binding_sites():
        ks = a.of_site(int(s))
        room = float(a.cap[s]) * (1 + FIT_TOL) + FIT_TOL
        scale = CPSAT_CAP_UNITS / max(room, 1e-9)
        need = np.ceil(a.need[ks] * scale).astype(np.int64)
        m.add(cp_model.LinearExpr.weighted_sum([x[int(k)] for k in ks], need.tolist())
              <= math.floor(room * scale))
    for k in np.flatnonzero(a.locked):
        m.add(x[int(k)] == 1)
    c_int = np.round(a.coef * CPSAT_OBJ_SCALE).astype(np.int64)
    m.maximize(cp_model.LinearExpr.weighted_sum(x, c_int.tolist()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.random_seed = 0
    st = solver.solve(m)
    has_plan = st in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    chosen = None
    if has_plan:
        sol = np.asarray(solver.response_proto.solution, dtype=np.int64)[:n]
        chosen = np.flatnonzero(sol > 0)
    # the rescaled bound plus the most the rounding of the objective can hide (each project is placed at
    # most once): an upper bound of the scaled model; the capacity rounding makes it a bound of a very
    # slightly smaller model (each site's room loses at most one part in 1e6 per project), so approximate
    under = np.maximum(a.coef - c_int / CPSAT_OBJ_SCALE, 0.0)
    slack = np.zeros(a.n_p)
    np.maximum.at(slack, a.p, under)
    # without a plan (UNKNOWN) CP-SAT's objective bound is not one (0 was seen with plans of 488 known)
    bound = solver.best_objective_bound / CPSAT_OBJ_SCALE + float(slack.sum()) if has_plan else None
    status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible",
              cp_model.UNKNOWN: "time_limit", cp_model.MODEL_INVALID: "model_invalid"}[st]
    return {"status": status, "bound": _finite(bound), "bound_approx": True, "chosen": chosen,
            "ortools": _ortools_version()}


def _ortools_version() -> str:
    import ortools

    return str(ortools.__version__)


def solve_cbc(cand: Any, limit: float, log: Path) -> dict[str, Any]:
    """``benchmarks.run``'s dense PuLP formulation, solved by CBC (2 threads, zq_land's absolute gap)."""
    import numpy as np
    import pulp

    from benchmarks.run import dense_pulp_model
    from zq_land.engine.model import abs_gap

    t = time.perf_counter()
    prob, x, keys = dense_pulp_model(cand)
    build_s = time.perf_counter() - t
    prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, threads=2, gapRel=0.0, gapAbs=abs_gap(cand),
                                 logPath=str(log)))
    integral = all(v.varValue is not None and abs(v.varValue - round(v.varValue)) < 1e-6 for v in x.values())
    ok = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) and integral
    chosen = None
    if ok:
        row = {k: i for i, k in enumerate(zip(cand.pairs["p"], cand.pairs["s"], strict=True))}
        chosen = np.sort(np.array([row[k] for k in keys if x[k].varValue > 0.5], dtype=np.int64))
    status = ("optimal" if prob.sol_status == pulp.LpSolutionOptimal and ok else
              "feasible" if ok else pulp.LpStatus[prob.status] + " (no integer plan)")
    return {"status": status, "bound": cbc_bound(log), "chosen": chosen, "build_s": build_s}


def cbc_bound(log: Path) -> float | None:
    """CBC's best possible objective from its log (PuLP hands CBC ``-max``: the values are as maximised)."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return None
    bound = None
    for line in text.splitlines():
        low = line.strip().lower()
        if low.startswith("lower bound:") or low.startswith("upper bound:"):
            with contextlib.suppress(ValueError):
                bound = abs(float(line.split(":", 1)[1]))  # CBC minimises -objective internally
    if bound is None and "Optimal solution found" in text:
        for line in text.splitlines():
            if line.strip().lower().startswith("objective value:"):
                bound = abs(float(line.split(":", 1)[1]))
    return bound


# --- one case, and the verdicts --------------------------------------------------------------------


def measure(name: str, seed: int, limit: float, peers: list[str], files: tuple[Path, Path], work: Path, *,
            solver_limit: bool = False) -> dict[str, Any]:
    """Every peer on one instance and limit; bounds compared, gaps against the best bound."""
    sp, pp = files
    rec: dict[str, Any] = {"size": name, "seed": seed, "limit_s": limit, "tightness": size_of(name)[2],
                           "solvers": {}}
    for peer in peers:
        print(f"… {name} seed {seed} limit {limit:g} s: {peer}", file=sys.stderr, flush=True)
        if peer == "zq":
            r = run_zq(sp, pp, limit, work)
        elif peer == "cpsat" and not cpsat_available():
            r = {"solver": peer, "status": "not installable"}
        else:
            r = run_peer(peer, sp, pp, limit, work, solver_limit=solver_limit)
        if "time_s" in r:
            r["over_limit_s"] = r["time_s"] - limit
        rec["solvers"][peer] = r
    compare(rec)
    return rec


def compare(rec: dict[str, Any]) -> None:
    """The best bound of the record and each plan's gap against it (in place)."""
    bounds: dict[str, float] = {}
    objs = []
    for name, r in rec["solvers"].items():
        if r.get("bound") is not None:
            bounds[name] = float(r["bound"])
        if name == "zq" and r.get("lp_bound") is not None:
            bounds["zq cut LP"] = float(r["lp_bound"])
        if r.get("objective") is not None and r.get("valid"):
            objs.append(float(r["objective"]))
    top = max(objs) if objs else None
    # a "bound" below a plan that passed plan_errors is no bound: reported, never used as the best
    wrong = {k: b for k, b in bounds.items() if top is not None and b < top * (1 - 1e-6) - 1e-6}
    bounds = {k: b for k, b in bounds.items() if k not in wrong}
    best = min(bounds.values()) if bounds else None
    rec["best_bound"] = best
    rec["best_bound_from"] = min(bounds, key=lambda k: bounds[k]) if bounds else None
    rec["best_objective"] = top
    rec.pop("warning", None)
    if wrong:
        rec["warning"] = "bound below a valid plan (not used): " + ", ".join(f"{k} {b:.6f}" for k, b in wrong.items())
    for r in rec["solvers"].values():
        obj = r.get("objective")
        r["gap_best"] = (best - obj) / abs(best) if best and obj is not None and r.get("valid") else None


def verdicts(recs: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Targets 1, 2, 3 and 6 of issue 18 read off the records: (target, verdict, figures)."""
    out: list[tuple[str, str, str]] = []

    def zq(r: dict[str, Any]) -> dict[str, Any]:
        return dict(r["solvers"].get("zq", {}))

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{100 * v:.3f} %"

    # 1: 500x1000 proven optimal by a 5 s limit, no slower than CP-SAT
    t1 = [r for r in recs if r["size"] == "500x1000" and r["limit_s"] == 5.0]
    if t1:
        miss, figs = [], []
        for r in t1:
            z, c = zq(r), r["solvers"].get("cpsat", {})
            figs.append(f"seed {r['seed']}: zq {z.get('status')} {z.get('time_s', math.nan):.1f} s, CP-SAT "
                        f"{c.get('status')} {c.get('time_s', math.nan):.1f} s")
            if z.get("status") != "optimal":
                miss.append(f"seed {r['seed']} not proven")
            elif c.get("status") == "optimal" and z["time_s"] > c["time_s"]:
                miss.append(f"seed {r['seed']} {z['time_s'] - c['time_s']:.1f} s slower than CP-SAT")
        out.append(("1: 500x1000 proven in a 5 s limit, no slower than CP-SAT",
                    "met" if not miss else "not met: " + "; ".join(miss), "; ".join(figs)))
    # 2: any limit >= 5 s at 1000x2000 and 2000x5000: a real bound, gap < 1 %
    t2 = [r for r in recs if r["size"] in ("1000x2000", "2000x5000") and r["limit_s"] >= 5.0]
    if t2:
        gaps = [(r, zq(r).get("gap") if zq(r).get("bound") is not None else None) for r in t2]
        bad = [f"{r['size']} s{r['seed']} {r['limit_s']:g} s: {'no bound' if g is None else pct(g)}"
               for r, g in gaps if g is None or g >= 0.01]
        worst = max((g for _, g in gaps if g is not None), default=None)
        out.append(("2: limit >= 5 s at 1000x2000, 2000x5000: a real bound, gap < 1 %",
                    "met" if not bad else "not met: " + "; ".join(bad),
                    f"{len(t2)} runs, worst own gap {pct(worst)}, worst vs best bound "
                    f"{pct(max((zq(r).get('gap_best') or 0) for r in t2))}"))
    # 3: 2000x5000 within 0.05 % of the bound in 20 s; proofs where direct HiGHS proves (1000x2000 in 40 s)
    t3 = [r for r in recs if r["size"] == "2000x5000" and r["limit_s"] == 20.0]
    proofs = [r for r in recs if r["solvers"].get("highs", {}).get("status") == "optimal"]
    if t3 or proofs:
        bad = [f"s{r['seed']}: {pct(zq(r).get('gap_best'))}" for r in t3
               if zq(r).get("gap_best") is None or zq(r)["gap_best"] > 0.0005]
        unproven = [f"{r['size']} s{r['seed']} {r['limit_s']:g} s" for r in proofs if zq(r).get("status") != "optimal"]
        t40 = [r for r in recs if r["size"] == "1000x2000" and r["limit_s"] == 40.0]
        unproven += [f"1000x2000 s{r['seed']} 40 s" for r in t40
                     if zq(r).get("status") != "optimal" and r not in proofs]
        figs = ["2000x5000 20 s vs best bound: " + ", ".join(f"s{r['seed']} {pct(zq(r).get('gap_best'))}"
                                                          for r in t3) if t3 else "no 2000x5000 20 s run",
                f"HiGHS proved {len(proofs)} case(s), zq {sum(zq(r).get('status') == 'optimal' for r in proofs)}"]
        verdict = _verdict(([f"gap > 0.05 % ({', '.join(bad)})"] if bad else [])
                           + ([f"not proven: {', '.join(unproven)}"] if unproven else []),
                           [] if t3 else ["2000x5000 at 20 s"])
        out.append(("3: 2000x5000 within 0.05 % in 20 s; proofs where HiGHS proves, 1000x2000 in 40 s", verdict,
                    "; ".join(figs)))
    # 6: 4000x12000 60 s within 0.5 % of a real bound; every limit kept within 5 s; 5000x20000 1 % in 120 s, < 8 GB
    if recs:
        bad = []
        figs = []
        for r in recs:
            z = zq(r)
            if r["size"] == "4000x12000" and r["limit_s"] == 60.0:
                g = z.get("gap") if z.get("bound") is not None else None
                figs.append(f"4000x12000 s{r['seed']}: own gap {pct(g)}")
                if g is None or g > 0.005:
                    bad.append(f"4000x12000 s{r['seed']} gap {pct(g)}")
            if r["size"] == "5000x20000" and r["limit_s"] == 120.0:
                g = z.get("gap") if z.get("bound") is not None else None
                figs.append(f"5000x20000 s{r['seed']}: own gap {pct(g)}, {z.get('peak_mb', math.nan):,.0f} MB")
                if g is None or g > 0.01 or z.get("peak_mb", math.inf) >= 8192:
                    bad.append(f"5000x20000 s{r['seed']} gap {pct(g)} / {z.get('peak_mb', math.nan):,.0f} MB")
        over = [(z.get("over_limit_s"), r) for r in recs if (z := zq(r)).get("over_limit_s") is not None]
        worst = max(over, key=lambda t: t[0]) if over else None
        if worst is not None:
            figs.append(f"largest overrun {worst[0]:+.1f} s ({worst[1]['size']} {worst[1]['limit_s']:g} s)")
            bad += [f"{r['size']} s{r['seed']} {r['limit_s']:g} s over by {o:.1f} s" for o, r in over if o > 5.0]
        missing = [f"{n} at {lim:g} s" for n, lim in (("4000x12000", 60.0), ("5000x20000", 120.0))
                   if not any(r["size"] == n and r["limit_s"] == lim for r in recs)]
        out.append(("6: 4000x12000 0.5 % in 60 s; limits kept within 5 s; 5000x20000 1 % in 120 s under 8 GB",
                    _verdict(bad, missing), "; ".join(figs)))
    return out


def _verdict(bad: list[str], missing: list[str]) -> str:
    if bad:
        return "not met: " + "; ".join(bad)
    return f"met where measured (not in this run: {', '.join(missing)})" if missing else "met"


# --- tables ----------------------------------------------------------------------------------------


def format_rows(recs: list[dict[str, Any]]) -> str:
    def f(v: Any, nd: int = 3) -> str:
        return "—" if v is None else f"{v:,.{nd}f}" if isinstance(v, float) else str(v)

    out = ["| size | seed | limit s | solver | status | objective | own bound | own gap % | gap vs best bound % | "
           "time s | solver s | over limit s | peak MB |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in recs:
        for name, s in r["solvers"].items():
            obj = s.get("objective")
            if s.get("valid") is False:
                obj = f"{obj:,.3f} (invalid plan)"
            bound = s.get("bound")
            b = f(bound) + (" ≈" if s.get("bound_approx") and bound is not None else "")
            g = s.get("gap_best")
            g = 0.0 if g is not None and abs(g) < 1e-9 else g
            own = s.get("gap")
            if own is None and bound is not None and isinstance(obj, float) and s.get("valid"):
                own = (bound - obj) / abs(bound) if bound else None
            out.append(f"| {r['size']} | {r['seed']} | {r['limit_s']:g} | {name} | {s.get('status')} | {f(obj)} | "
                       f"{b} | {f(None if own is None else 100 * own)} | {f(None if g is None else 100 * g)} | "
                       f"{f(s.get('time_s'), 1)} | {f(s.get('solve_s'), 1)} | "
                       f"{f(s.get('over_limit_s'), 1)} | {f(s.get('peak_mb'), 0)} |")
        best = r.get("best_bound")
        note = f" ({r['warning']})" if r.get("warning") else ""
        out.append(f"| | | | best bound | {r.get('best_bound_from') or '—'}{note} | | {f(best)} | | | | | | |")
    return "\n".join(out) + "\n"


def format_verdicts(recs: list[dict[str, Any]]) -> str:
    out = ["| target | verdict | figures |", "|---|---|---|"]
    out += [f"| {t} | {v} | {x} |" for t, v, x in verdicts(recs)]
    return "\n".join(out) + "\n"


def report(recs: list[dict[str, Any]], header: str) -> str:
    return f"{header}\n\n{format_verdicts(recs)}\n{format_rows(recs)}"


def write_doc(table: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    if MARK_BEGIN not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{MARK_BEGIN}\n{MARK_END}\n"
    pre, rest = text.split(MARK_BEGIN, 1)
    _, post = rest.split(MARK_END, 1)
    DOC.write_text(f"{pre}{MARK_BEGIN}\n{table}{MARK_END}{post}", encoding="utf-8")


def cpsat_available() -> bool:
    try:
        import ortools.sat.python.cp_model  # noqa: F401
    except ImportError:
        return False
    return True


def _git_rev() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# --- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="*", help="sizes (500x1000 ... or PxS[@tightness]); with --seeds and "
                    "--limits: every combination (default: the make-bench matrix)")
    ap.add_argument("--seeds", nargs="*", type=int, default=[1, 2])
    ap.add_argument("--limits", nargs="*", type=float, default=[5.0, 20.0, 60.0])
    ap.add_argument("--peers", nargs="*", default=list(PEERS), choices=list(PEERS))
    ap.add_argument("--quick", action="store_true", help="500x1000 seed 1, limit 10 s")
    ap.add_argument("--full", action="store_true", help="every size, seeds 1 2, limits 5 20 60 120 (hours)")
    ap.add_argument("--solver-limit", action="store_true",
                    help="give the peers' solvers the whole limit (default: the limit less their reading and "
                    "eligibility, counted from the process start as the CLI counts it)")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/PERFORMANCE.md")
    ap.add_argument("--results", type=Path, default=RESULTS, help="JSON lines appended here (default %(default)s)")
    ap.add_argument("--from-results", metavar="RUN_ID",
                    help="no solving: the tables of run RUN_ID ('last' for the latest) from --results")
    ap.add_argument("--child", choices=["highs", "cpsat", "cbc"], help=argparse.SUPPRESS)
    ap.add_argument("--sites-file", help=argparse.SUPPRESS)
    ap.add_argument("--projects-file", help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--json", help=argparse.SUPPRESS)
    ap.add_argument("--t0", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args)
    if args.from_results:
        lines = [json.loads(x) for x in args.results.read_text(encoding="utf-8").splitlines() if x.strip()]
        run_id = lines[-1]["run"] if args.from_results == "last" else args.from_results
        recs = [x for x in lines if x.get("run") == run_id]
        for r in recs:
            compare(r)  # with this version's rules
        table = report(recs, f"Run {run_id} (commit {recs[0].get('commit')}, {recs[0].get('cores')} cores), "
                       f"tables rebuilt from benchmarks/results/{args.results.name}.")
        print(table)
        if not args.no_write:
            write_doc(table)
        return 0
    if args.quick:
        matrix = QUICK_MATRIX
    elif args.full:
        matrix = FULL_MATRIX
    elif args.sizes:
        matrix = [(s, tuple(args.seeds), tuple(args.limits)) for s in args.sizes]
    else:
        matrix = DEFAULT_MATRIX
    run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    commit = _git_rev()
    args.results.parent.mkdir(parents=True, exist_ok=True)
    recs = []
    with tempfile.TemporaryDirectory(prefix="zq_peers_") as tmp:
        work = Path(tmp)
        for name, seeds, limits in matrix:
            for seed in seeds:
                files = write_case(name, seed, work / "inst")
                for limit in limits:
                    rec = measure(name, seed, limit, list(args.peers), files, work, solver_limit=args.solver_limit)
                    rec.update(run=run_id, commit=commit, cores=os.cpu_count())
                    recs.append(rec)
                    with args.results.open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps(rec) + "\n")
                for f in files:
                    f.unlink(missing_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    table = report(recs, f"Last run: {stamp}, commit {commit}, {os.cpu_count()} cores, run id {run_id} "
                   f"(raw: benchmarks/results/{args.results.name}).")
    print(table)
    if not args.no_write:
        write_doc(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
