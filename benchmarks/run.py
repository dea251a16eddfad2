"""Benchmark runner: ``make bench`` (or ``python -m benchmarks.run [--sizes ...]``).

Per size, in one run and in a fresh child process each (so peak memory is that size's own):
reading, eligibility, model build, solve, export and map times; objective, bound and gap; peak
memory; and side by side the greedy plan, a plain dense PuLP+CBC formulation (the baseline) and the
LP bound. Ratios against the baseline measured in the same run are what to read: machines here are
shared and noisy. The end-to-end ``python -m zq_land solve`` time is measured as a subprocess.
Results go to stdout and between the markers of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SIZES: dict[str, tuple[int, int, float, float]] = {
    # name: (projects, sites, tightness, time limit s)
    "sample": (109, 0, 0.0, 30.0),
    "500x1000": (500, 1000, 1.3, 30.0),
    "1000x2000": (1000, 2000, 1.1, 60.0),
    "2000x5000": (2000, 5000, 1.1, 60.0),
}
#: Other instances of each size (besides seed 20221230 of the main table), solved end to end
SWEEP_SEEDS: tuple[int, ...] = (1, 2, 3)
MARK_BEGIN = "<!-- bench:begin -->"
MARK_END = "<!-- bench:end -->"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", nargs="*", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--no-baseline", action="store_true", help="skip the dense PuLP+CBC baseline")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/PERFORMANCE.md")
    ap.add_argument("--seeds", nargs="*", type=int, default=list(SWEEP_SEEDS),
                    help="other instances of each size solved end to end through the CLI (default 1 2 3)")
    ap.add_argument("--cli-one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(_measure(args.one, baseline=not args.no_baseline)))
        return 0
    if args.cli_one:
        print(json.dumps(_cli_instance(args.cli_one[0], int(args.cli_one[1]))))
        return 0
    rows = []
    for name in args.sizes:
        cmd = [sys.executable, "-m", "benchmarks.run", "--one", name]
        if args.no_baseline:
            cmd.append("--no-baseline")
        print(f"… {name}", file=sys.stderr, flush=True)
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            rows.append({"size": name, "error": out.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    sweep = []
    for name in [n for n in args.sizes if n != "sample"]:
        for seed in args.seeds:
            print(f"… {name} seed {seed} (CLI)", file=sys.stderr, flush=True)
            cmd = [sys.executable, "-m", "benchmarks.run", "--cli-one", name, str(seed)]
            out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                sweep.append({"size": name, "seed": seed, "error": out.stderr.strip().splitlines()[-1:]})
                continue
            sweep.append(json.loads(out.stdout.strip().splitlines()[-1]))
    table = format_tables(rows)
    for r in rows:
        if r.get("rerun"):
            x = r["rerun"]
            table += (f"\nApp re-run after a weight change (`allocate` on the loaded sample, {x['runs']} runs cold: "
                      f"the 4 bundled scenarios and 16 seeded random weightings): median {x['median_s']:.2f} s, 90th "
                      f"percentile {x['p90_s']:.2f} s, slowest {x['max_s']:.2f} s; {x['under_2s']} of {x['runs']} "
                      f"under 2 s; {x['proven']} proven optimal. As a planner's session in the app (one weight changed "
                      f"at a time, the session's earlier plans as starts), {x['session_runs']} runs: median "
                      f"{x['session_median_s']:.2f} s, 90th percentile {x['session_p90_s']:.2f} s, slowest "
                      f"{x['session_max_s']:.2f} s; {x['session_under_2s']} of {x['session_runs']} under 2 s; "
                      f"{x['session_proven']} proven optimal.\n")
    if sweep:
        table += "\n" + format_sweep(sweep)
    print(table)
    if not args.no_write:
        _write_doc(table)
    return 0


def format_tables(rows: list[dict[str, Any]]) -> str:
    """Markdown tables of timings, quality and ratios."""

    def f(v: Any, nd: int = 2) -> str:
        if v is None:
            return "—"
        if isinstance(v, float):
            return f"{v:,.{nd}f}"
        return str(v)

    head = ("| size | pairs | read s | eligibility s | build s | solve s | export s | map s | map MB | "
            "end-to-end s | peak MB |\n|---|---|---|---|---|---|---|---|---|---|---|")
    t1 = [head]
    for r in rows:
        if "error" in r:
            t1.append(f"| {r['size']} | error: {r['error']} |||||||||| ")
            continue
        t1.append(f"| {r['size']} | {r['pairs']:,} | {f(r['read_s'])} | {f(r['eligibility_s'])} | {f(r['build_s'])} | "
                  f"{f(r['solve_s'])} | {f(r['export_s'])} | {f(r['map_s'])} | {f(r['map_mb'])} | "
                  f"{f(r['cli_s'])} | {f(r['peak_mb'], 0)} |")
    head2 = ("| size | status | objective | bound | gap % | vs LP bound % | vs plain LP % | greedy | vs greedy % | "
             "dense PuLP+CBC | vs dense % | build speed-up vs dense | raw Folium MB | map size vs raw |\n"
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    t2 = [head2]
    for r in rows:
        if "error" in r:
            continue
        t2.append(
            f"| {r['size']} | {r['status']} | {f(r['objective'], 3)} | {f(r['bound'], 3)} | {f(r['gap_pct'], 3)} | "
            f"{f(r['vs_lp_pct'], 3)} | {f(r.get('vs_plain_lp_pct'), 3)} | {f(r['greedy'], 3)} | "
            f"{f(r['vs_greedy_pct'], 3)} | "
            f"{f(r['dense_objective'], 3)} | "
            f"{f(r['vs_dense_pct'], 3)} | {f(r['build_speedup'], 1)} | {f(r['raw_map_mb'])} | {f(r['map_ratio'], 3)} |"
        )
    return "\n".join(t1) + "\n\n" + "\n".join(t2) + "\n"


def format_sweep(rows: list[dict[str, Any]]) -> str:
    """Other seeds of each size, end to end through ``python -m zq_land solve``: the targets' own terms."""
    out = ["| size | seed | end-to-end s | peak MB | status | objective | bound | gap % | LP bound (cuts) | "
           "vs LP bound % | plain LP bound | vs plain LP % | greedy | vs greedy % |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]

    def f(v: Any, nd: int = 3) -> str:
        return "—" if v is None else f"{v:,.{nd}f}"

    for r in rows:
        if "error" in r:
            out.append(f"| {r['size']} | {r['seed']} | error: {r['error']} |||||||||||| ")
            continue
        obj, lp, plain, g = r["objective"], r["lp_bound"], r["lp_bound_plain"], r["greedy_objective"]
        out.append(
            f"| {r['size']} | {r['seed']} | {f(r['cli_s'], 1)} | {f(r['peak_mb'], 0)} | {r['status']} | {f(obj)} | "
            f"{f(r['bound'])} | {f(100 * r['gap'] if r['gap'] is not None else None)} | {f(lp)} | "
            f"{f(100 * (lp - obj) / lp if lp else None)} | {f(plain)} | "
            f"{f(100 * (plain - obj) / plain if plain else None)} | {f(g)} | "
            f"{f(100 * (obj - g) / g if g else None)} |")
    return "\n".join(out) + "\n"


def _run_cli(sites: Path, projects: Path, out: Path, limit: float) -> tuple[subprocess.CompletedProcess[str], float]:
    """``python -m zq_land solve`` as a planner runs it, in a child process; its result and wall time."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    cli = subprocess.run(
        [sys.executable, "-m", "zq_land", "solve", "--sites", str(sites), "--projects", str(projects),
         "--out", str(out), "--time-limit", str(limit), "--quiet"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    return cli, time.perf_counter() - t


def _cli_instance(name: str, seed: int) -> dict[str, Any]:
    """One generated instance solved by the CLI as a planner would run it; its summary.json and time."""
    from benchmarks.generate import make_instance, write_instance

    n_p, n_s, tight, limit = SIZES[name]
    tmp = Path(tempfile.mkdtemp(prefix=f"zq_bench_{name}_{seed}_"))
    sp, pp = write_instance(*make_instance(n_p, n_s, seed=seed, tightness=tight), tmp, stem=f"{name}_{seed}")
    cli, elapsed = _run_cli(sp, pp, tmp / "cli", limit)
    if cli.returncode != 0:
        raise SystemExit(f"{name} seed {seed}: exit {cli.returncode}: {cli.stderr.strip()[-300:]}")
    summary = json.loads((tmp / "cli" / "summary.json").read_text(encoding="utf-8"))
    keep = ["status", "objective", "bound", "gap", "lp_bound", "lp_bound_plain", "greedy_objective"]
    return {"size": name, "seed": seed, "cli_s": elapsed,
            "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            **{k: summary.get(k) for k in keep}}


# --- one size, in a child process -----------------------------------------------------------------


def _measure(name: str, *, baseline: bool) -> dict[str, Any]:
    import geopandas as gpd

    from benchmarks.generate import make_instance, write_instance
    from zq_land.engine.eligibility import eligible_pairs
    from zq_land.engine.model import build_model
    from zq_land.engine.results import allocate
    from zq_land.io import read_projects, read_sites
    from zq_land.outputs.files import write_outputs
    from zq_land.outputs.maps import sites_map, standalone_html
    from zq_land.scenario import Scenario, SolverSettings, Weights

    n_p, n_s, tight, limit = SIZES[name]
    tmp = Path(tempfile.mkdtemp(prefix=f"zq_bench_{name}_"))
    if name == "sample":
        sp = ROOT / "parcels" / "zhaoqing_hitech.geojson"
        pp = ROOT / "scenarios" / "projects_2022.csv"
    else:
        s0, p0 = make_instance(n_p, n_s, seed=20221230, tightness=tight)
        sp, pp = write_instance(s0, p0, tmp, stem=name)
    sc = Scenario(name=name, sites=sp, projects=pp, weights=Weights(investment=1.0),
                  solver=SolverSettings(name="highs", time_limit_s=limit))
    r: dict[str, Any] = {"size": name, "time_limit_s": limit}

    t = time.perf_counter()
    sites = read_sites(sp)
    projects = read_projects(pp)
    r["read_s"] = time.perf_counter() - t

    t = time.perf_counter()
    cand = eligible_pairs(sites, projects, sc)
    r["eligibility_s"] = time.perf_counter() - t
    r["pairs"] = len(cand.pairs)
    t = time.perf_counter()
    build_model(cand, projects, sc)
    r["build_s"] = time.perf_counter() - t

    t = time.perf_counter()
    res = allocate(sc, sites=sites, projects=projects)
    r["solve_s"] = time.perf_counter() - t
    rep = res.solve
    r.update(status=rep.status, objective=rep.objective, bound=rep.bound, greedy=rep.greedy_objective,
             lp_bound=rep.lp_bound, gap_pct=None if rep.gap is None else 100 * rep.gap)
    r["vs_lp_pct"] = 100 * (rep.lp_bound - rep.objective) / rep.lp_bound if rep.lp_bound else None
    plain = rep.lp_bound_plain
    r["vs_plain_lp_pct"] = 100 * (plain - rep.objective) / plain if plain and math.isfinite(plain) else None
    g = rep.greedy_objective
    r["vs_greedy_pct"] = 100 * (rep.objective - g) / g if g else None

    out = tmp / "out"
    t = time.perf_counter()
    write_outputs(res, out, map_html=lambda _r: "")
    r["export_s"] = time.perf_counter() - t
    t = time.perf_counter()
    ours = sites_map(res.sites, assignments=res.assignments, site_use=res.site_use)
    html = standalone_html(ours)
    r["map_s"] = time.perf_counter() - t
    r["map_mb"] = len(html.encode()) / 1e6  # the standalone file, Leaflet inlined (~0.17 MB of it)
    # baseline: raw Folium of the same parcels with their attributes (no rounding, no simplification);
    # both rendered the same way (scripts by reference) so that the ratio compares the map data
    import folium

    m = folium.Map(location=[23.3, 112.8], zoom_start=12)
    raw = gpd.GeoDataFrame(sites.drop(columns=["available_from"], errors="ignore"))
    folium.GeoJson(raw, popup=folium.GeoJsonPopup(fields=["site_id", "name", "kind", "status"])).add_to(m)
    r["raw_map_mb"] = len(m.get_root().render().encode()) / 1e6
    r["map_ratio"] = len(ours.get_root().render().encode()) / 1e6 / r["raw_map_mb"]

    cli, r["cli_s"] = _run_cli(sp, pp, tmp / "cli", limit)
    r["cli_rc"] = cli.returncode

    if baseline:
        d = _dense_pulp_cbc(cand, limit)
        r.update(dense_objective=d["objective"], dense_build_s=d["build_s"], dense_solve_s=d["solve_s"],
                 dense_status=d["status"])
        r["build_speedup"] = d["build_s"] / r["build_s"] if r["build_s"] else None
        r["vs_dense_pct"] = (100 * (rep.objective - d["objective"]) / d["objective"]) if d["objective"] else None
    else:
        r.update(dense_objective=None, build_speedup=None, vs_dense_pct=None)
    if name == "sample":
        r["rerun"] = _app_reruns(sites, projects)
    r["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return r


def _app_reruns(sites: Any, projects: Any, n_random: int = 16) -> dict[str, Any]:
    """What the app does after a weight change: ``allocate`` on the loaded sample, for the bundled
    scenarios' weights and ``n_random`` seeded random weightings."""
    import dataclasses

    import numpy as np

    from zq_land.engine.results import allocate
    from zq_land.scenario import Weights, load_scenario

    base = load_scenario(ROOT / "scenarios" / "review_2022_optimised.toml")
    scenarios = [load_scenario(f) for f in sorted((ROOT / "scenarios").glob("*.toml"))]  # as bundled
    rng = np.random.default_rng(7)
    for _ in range(n_random):
        v = rng.choice([0, 0.3, 0.5, 1, 2], size=5)
        scenarios.append(dataclasses.replace(base, weights=Weights(
            investment=float(max(v[0], 0.3)), projects=float(v[1]), revitalization=float(v[2]),
            proximity=float(v[3]), priority=float(v[4]))))
    allocate(base, sites=sites, projects=projects)  # the app has run once before the change
    times, proven = [], 0
    for sc in scenarios:
        t = time.perf_counter()
        res = allocate(sc, sites=sites, projects=projects)
        times.append(time.perf_counter() - t)
        proven += res.solve.status == "optimal"
    ts = np.array(times)
    out = {"runs": len(ts), "median_s": float(np.median(ts)), "p90_s": float(np.quantile(ts, 0.9)),
           "max_s": float(ts.max()), "under_2s": int((ts < 2.0).sum()), "proven": proven}
    # a planner's session as the app runs it: one weight changed at a time, this session's earlier plans
    # (the 4 most recent) passed as starts
    history = [allocate(base, sites=sites, projects=projects)]
    now = {"investment": 1.0, "projects": 0.5, "revitalization": 0.5, "proximity": 0.0, "priority": 0.0}
    times, proven = [], 0
    for _ in range(n_random):
        key = str(rng.choice(list(now)))
        now[key] = float(rng.choice([0, 0.3, 0.5, 1, 2]))
        now["investment"] = max(now["investment"], 0.3)
        t = time.perf_counter()
        res = allocate(dataclasses.replace(base, weights=Weights(**now)), sites=sites, projects=projects,
                       starts=[h.assignments for h in history[::-1][:4]])
        times.append(time.perf_counter() - t)
        proven += res.solve.status == "optimal"
        history.append(res)
    ts = np.array(times)
    out.update(session_runs=len(ts), session_median_s=float(np.median(ts)),
               session_p90_s=float(np.quantile(ts, 0.9)), session_max_s=float(ts.max()),
               session_under_2s=int((ts < 2.0).sum()), session_proven=proven)
    return out


def _dense_pulp_cbc(cand: Any, limit: float) -> dict[str, Any]:
    """The plain formulation a newcomer writes: dicts of variables, lpSum in Python loops, CBC."""
    import pulp

    t = time.perf_counter()
    prob, x, _ = dense_pulp_model(cand)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, threads=1))
    solve_s = time.perf_counter() - t
    # PuLP leaves the LP relaxation's values in the variables when CBC stops without an integer plan
    # ("Not Solved"): count the objective only for an integer-feasible plan.
    integral = all(v.varValue is not None and abs(v.varValue - round(v.varValue)) < 1e-6 for v in x.values())
    ok = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) and integral
    obj = pulp.value(prob.objective) if ok else None
    return {"objective": float(obj) if obj is not None else None, "build_s": build_s, "solve_s": solve_s,
            "status": pulp.LpStatus[prob.status] if ok else f"{pulp.LpStatus[prob.status]} (no integer plan)"}


def dense_pulp_model(cand: Any) -> tuple[Any, dict[tuple[int, int], Any], list[tuple[int, int]]]:
    """The plain dense PuLP model of the pairs: the problem, its variables by (p, s), the keys in pair order."""
    import pulp

    pairs = cand.pairs
    sites = cand.sites
    prob = pulp.LpProblem("dense", pulp.LpMaximize)
    keys = list(zip(pairs["p"], pairs["s"], strict=True))
    x = pulp.LpVariable.dicts("x", keys, cat=pulp.LpBinary)
    coef = dict(zip(keys, pairs["coefficient"], strict=True))
    need = dict(zip(keys, pairs["need"], strict=True))
    prob += pulp.lpSum(coef[k] * x[k] for k in keys)
    for ks in _by(keys, 0).values():
        prob += pulp.lpSum(x[k] for k in ks) <= 1
    by_s = _by(keys, 1)
    cap = dict(zip(sites["s"], sites["capacity"], strict=True))
    for s, ks in by_s.items():
        prob += pulp.lpSum(need[k] * x[k] for k in ks) <= cap[s]
    for k, lk in zip(keys, pairs["locked"], strict=True):
        if lk:
            prob += x[k] == 1
    return prob, x, keys


def _by(keys: list[tuple[int, int]], i: int) -> dict[int, list[tuple[int, int]]]:
    d: dict[int, list[tuple[int, int]]] = {}
    for k in keys:
        d.setdefault(int(k[i]), []).append(k)
    return d


def _write_doc(table: str) -> None:
    doc = ROOT / "docs" / "PERFORMANCE.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else f"# Performance\n\n{MARK_BEGIN}\n{MARK_END}\n"
    if MARK_BEGIN not in text:
        text += f"\n{MARK_BEGIN}\n{MARK_END}\n"
    pre, rest = text.split(MARK_BEGIN, 1)
    _, post = rest.split(MARK_END, 1)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    body = f"{MARK_BEGIN}\nLast run: {stamp}, {os.cpu_count()} cores.\n\n{table}{MARK_END}"
    doc.write_text(pre + body + post, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
