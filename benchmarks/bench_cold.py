"""Cold solves on the sample, as the app runs them: ``python -m benchmarks.bench_cold [--repeats N] [--json F]``.

Cases: the bundled scenarios (all but the timeline) as they are, the hard case of issue 18 (the 2022
review re-optimised with a usable-land ratio of 0.7 and an intensity floor of 500 万元/亩), and seeded random
weightings and policies (usable ratio 0.5-0.9, intensity floor none or 0-800, random weights) on the bundled
bases. Each case is solved ``N`` times by ``allocate`` on the loaded sample with no earlier plan (a cold
solve), and printed: the seconds of each run (and the split: preparing, the LP bounds, the canonical HiGHS
solve), the status, the objective and whether every run gave the same plan (SHA-256 of
``assignments.csv``). ``--json`` writes the figures and plans' hashes for a before/after comparison
(``--compare OLD.json``: same status, objective and plan per case).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HARD = "hard: optimised, ratio 0.7, floor 500"


def cases(n_random: int = 20) -> list[tuple[str, Any]]:
    """(name, Scenario) of every case, the same on every run."""
    import numpy as np

    from zq_land.scenario import Weights, load_scenario

    bases = {p.stem: load_scenario(p) for p in sorted((ROOT / "scenarios").glob("*.toml"))
             if p.stem != "review_2022_timeline"}
    out: list[tuple[str, Any]] = list(bases.items())
    opt = bases["review_2022_optimised"]
    out.append((HARD, dataclasses.replace(opt, policy=dataclasses.replace(
        opt.policy, usable_land_ratio=0.7, default_min_invest_wan_per_mu=500.0))))
    for stem, base in bases.items():  # the same policy on the other bases (no locks: they would not fit)
        if stem != "review_2022_optimised":
            out.append((f"{stem}, ratio 0.7, floor 500", dataclasses.replace(base, locks=(), policy=dataclasses.replace(
                base.policy, usable_land_ratio=0.7, default_min_invest_wan_per_mu=500.0))))
    rng = np.random.default_rng(18)
    names = sorted(bases)
    for i in range(n_random):
        base = bases[names[int(rng.integers(len(names)))]]
        v = rng.choice([0, 0, 0.3, 0.5, 1, 2], size=5)
        ratio = float(np.round(rng.uniform(0.5, 0.9), 2))
        floor = None if rng.random() < 0.25 else float(rng.choice([0, 100, 200, 300, 400, 500, 600, 700, 800]))
        sc = dataclasses.replace(
            base, locks=(), weights=Weights(investment=float(max(v[0], 0.3)), projects=float(v[1]),
                                  revitalization=float(v[2]), proximity=float(v[3]), priority=float(v[4])),
            policy=dataclasses.replace(base.policy, usable_land_ratio=ratio, default_min_invest_wan_per_mu=floor))
        out.append((f"r{i:02d} {base.name[:14]} ratio {ratio} floor {floor}", sc))
    return out


def _instrument() -> dict[str, float]:
    """Time the pipeline's steps (preparing, the LP bounds, the canonical solve) of the next solves."""
    from zq_land.engine import pipeline

    acc: dict[str, float] = {}

    def timed(key: str, fn: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                acc[key] = acc.get(key, 0.0) + time.perf_counter() - t
        return wrapper

    pipeline._prepare = timed("prepare", pipeline._prepare)
    pipeline._SmallModel.bound = timed("bound", pipeline._SmallModel.bound)  # type: ignore[method-assign]
    pipeline.solve_canonical = timed("canonical", pipeline.solve_canonical)
    return acc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--random", type=int, default=20)
    ap.add_argument("--only", default=None, help="cases whose name contains this")
    ap.add_argument("--json", default=None)
    ap.add_argument("--compare", default=None)
    args = ap.parse_args(argv)
    from zq_land import allocate, assignments_csv_bytes, read_projects, read_sites

    acc = _instrument()
    all_cases = [c for c in cases(args.random) if args.only is None or args.only in c[0]]
    sc0 = all_cases[0][1]
    sites, projects = read_sites(sc0.sites), read_projects(sc0.projects)
    allocate(sc0, sites=sites, projects=projects)  # imports and first-call costs out of the figures
    old = json.loads(Path(args.compare).read_text()) if args.compare else {}
    rows: dict[str, Any] = {}
    print(f"{'case':<52} {'s (runs)':<18} {'prep':>5} {'bound':>5} {'highs':>5} {'status':<8} {'objective':>10} "
          f"plans")
    for name, sc in all_cases:
        secs, hashes, parts = [], [], []
        res = None
        for _ in range(args.repeats):
            acc.clear()
            t = time.perf_counter()
            res = allocate(sc, sites=sites, projects=projects)
            secs.append(time.perf_counter() - t)
            parts.append(dict(acc))
            hashes.append(hashlib.sha256(assignments_csv_bytes(res)).hexdigest())
        assert res is not None
        med = {k: statistics.median(p.get(k, 0.0) for p in parts) for k in ("prepare", "bound", "canonical")}
        row = {"secs": secs, "parts": med, "status": res.solve.status, "objective": res.solve.objective,
               "plan": hashes[0], "plans": len(set(hashes)), "pairs": res.solve.n_pairs}
        rows[name] = row
        flag = ""
        if name in old:
            o = old[name]
            same_obj = abs(o["objective"] - row["objective"]) <= 1e-6 * max(1.0, abs(o["objective"]))
            flag = " same plan" if o["plan"] == row["plan"] else (" SAME OBJ, other plan" if same_obj
                                                                   else " OBJECTIVE DIFFERS")
            flag += f" (was {min(o['secs']):.2f}-{max(o['secs']):.2f} s)"
        print(f"{name:<52} {'/'.join(f'{s:.2f}' for s in secs):<18} {med['prepare']:>5.2f} {med['bound']:>5.2f} "
              f"{med['canonical']:>5.2f} {row['status']:<8} {row['objective']:>10.4f} {row['plans']}{flag}",
              flush=True)
    allsecs = [max(r["secs"]) for r in rows.values()]
    print(f"slowest run per case: median {statistics.median(allsecs):.2f} s, max {max(allsecs):.2f} s, "
          f"{sum(s < 1.0 for s in allsecs)} of {len(allsecs)} under 1 s; "
          f"{sum(r['plans'] == 1 for r in rows.values())} of {len(rows)} one plan")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
