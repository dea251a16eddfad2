"""Store benchmark: ``python -m benchmarks.bench_store [--backends gpkg postgis] [--repeat 3]``.

Targets (issue 13): listing 1,000 runs < 0.5 s; saving a 2,000 projects x 5,000 sites run < 2 s.
Measured on both back ends: a GeoPackage file, and PostGIS (``--pg URL``, else a throwaway cluster
started as the store tests start theirs). Side by side, in the same run and the same database, the
baselines: the same two tables (assignments, site use) written by plain ``DataFrame.to_sql`` and to CSV
files by ``to_csv``; the runs table read by plain ``pandas.read_sql``. Ratios against them are what to
read: the machines here are shared and noisy. Each figure is the best of ``--repeat`` (median alongside).

The run's tables come from a greedy plan on a seeded generated instance (as ``bench_map`` does), so the
benchmark does not wait a minute for the solver; the store only reads those tables. Its data set
(5,000 sites with geometry, 2,000 projects) is saved once beforehand, as the app does at upload; that
save is timed too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.bench_map import _best

N_PROJECTS, N_SITES, N_RUNS = 2000, 5000, 1000
SEED = 20221230


def big_result() -> Any:
    """An AllocationResult of 2,000 projects x 5,000 sites from a greedy plan (no solver)."""
    from benchmarks.bench_map import allocation_tables
    from benchmarks.generate import make_instance
    from zq_land import AllocationResult, Scenario, SolveReport, Text, compute_kpis

    sites, projects = make_instance(N_PROJECTS, N_SITES, seed=SEED)
    assignments, site_use = allocation_tables(sites, projects)
    kpis = compute_kpis(assignments, site_use)
    obj = float(kpis["investment_placed_yi"])
    report = SolveReport(status="feasible", solver="greedy", objective=obj, bound=obj, gap=0.0, build_seconds=0.0,
                         solve_seconds=0.0, greedy_objective=obj, lp_bound=obj, message=Text.same("bench_store"))
    prices = pd.DataFrame(columns=["site_id", "unit", "dual", "binding", "text_zh", "text_en"])
    return AllocationResult(
        scenario=Scenario(name="bench_store"), sites=sites, projects=projects, assignments=assignments,
        site_use=site_use, unplaced=assignments.loc[assignments["status"] != "placed"].reset_index(drop=True),
        kpis=kpis, solve=report, shadow_prices=prices)


def measure(url: str, result: Any, *, repeat: int) -> dict[str, Any]:
    """Save, load and list figures of one back end, with the plain-pandas baselines."""
    from zq_land.store import open_store

    row: dict[str, Any] = {"backend": "postgis" if url.startswith("postgresql") else "gpkg"}
    with open_store(url) as store:
        t, _, ds = _best(lambda: store.save_dataset(result.sites, result.projects, name="bench"), 1)
        row["save_dataset_s"] = t
        ids: list[int] = []
        row["save_run_s"], row["save_run_median_s"], _ = _best(
            lambda: ids.append(store.save_run(result, dataset_id=ds)), repeat)
        row["load_run_s"], _, loaded = _best(lambda: store.load_run(ids[-1]), repeat)
        assert len(loaded.assignments) == N_PROJECTS and len(loaded.site_use) == N_SITES
        row["to_sql_s"], _, _ = _best(lambda: _to_sql(store, result), repeat)
        with tempfile.TemporaryDirectory() as tmp:
            row["to_csv_s"], _, _ = _best(lambda: _to_csv(Path(tmp), result), repeat)
        _copy_runs(store, ids[-1], N_RUNS - len(ids))
        row["list_runs_s"], row["list_runs_median_s"], runs = _best(
            lambda: json.dumps([r.as_json() for r in store.list_runs()]), repeat)
        row["n_runs"] = len(json.loads(runs))
        row["read_sql_s"], _, _ = _best(lambda: pd.read_sql("SELECT * FROM runs", store.engine), repeat)
    row["save_vs_to_sql"] = row["save_run_s"] / row["to_sql_s"]
    row["list_vs_read_sql"] = row["list_runs_s"] / row["read_sql_s"]
    return row


def format_table(rows: list[dict[str, Any]]) -> str:
    head = ("| back end | save run (s) | to_sql (s) | to_csv (s) | ratio | load run (s) | save data set (s) | "
            "list 1,000 (s) | read_sql (s) | ratio |")
    out = [head, "|" + "---|" * 10]
    for r in rows:
        out.append(f"| {r['backend']} | {r['save_run_s']:.3f} (median {r['save_run_median_s']:.3f}) | "
                   f"{r['to_sql_s']:.3f} | {r['to_csv_s']:.3f} | {r['save_vs_to_sql']:.2f} | {r['load_run_s']:.3f} | "
                   f"{r['save_dataset_s']:.3f} | {r['list_runs_s']:.3f} (median {r['list_runs_median_s']:.3f}) | "
                   f"{r['read_sql_s']:.3f} | {r['list_vs_read_sql']:.2f} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", nargs="*", default=["gpkg", "postgis"], choices=["gpkg", "postgis"])
    ap.add_argument("--pg", help="a postgresql:// URL of an empty database with PostGIS (default: a throwaway "
                    "cluster)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is reported")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = ap.parse_args(argv)
    print(f"… building a {N_PROJECTS:,} x {N_SITES:,} result", file=sys.stderr, flush=True)
    result = big_result()
    rows = []
    with tempfile.TemporaryDirectory(prefix="zq_bench_store_") as tmp:
        for backend in args.backends:
            print(f"… {backend}", file=sys.stderr, flush=True)
            if backend == "gpkg":
                rows.append(measure(str(Path(tmp) / "bench.gpkg"), result, repeat=args.repeat))
            else:
                with _postgis(args.pg) as url:
                    if url is None:
                        print("PostgreSQL server binaries not found: postgis skipped", file=sys.stderr)
                        continue
                    rows.append(measure(url, result, repeat=args.repeat))
    print(format_table(rows))
    print(f"\nsave run = store.save_run of {N_PROJECTS:,} assignments + {N_SITES:,} site-use rows in one "
          "transaction (target < 2 s); to_sql / to_csv = the same two tables by plain pandas. list = "
          f"store.list_runs() of {N_RUNS:,} runs as JSON (target < 0.5 s); read_sql = SELECT * FROM runs.")
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0


# --- private --------------------------------------------------------------------------------------

def _to_sql(store: Any, result: Any) -> None:
    with store.engine.begin() as conn:
        result.assignments.to_sql("bench_assignments", conn, if_exists="replace", index=False)
        result.site_use.to_sql("bench_site_use", conn, if_exists="replace", index=False)


def _to_csv(folder: Path, result: Any) -> None:
    result.assignments.to_csv(folder / "assignments.csv", index=False)
    result.site_use.to_csv(folder / "site_use.csv", index=False)


def _copy_runs(store: Any, run_id: int, n: int) -> None:
    """Fill the runs table up to 1,000 rows with copies of one run's row (listing never reads the tables)."""
    from sqlalchemy import select

    runs = store.schema.table("runs")
    with store.writing() as conn:
        row = dict(conn.execute(select(runs).where(runs.c.id == run_id)).mappings().one())
        row.pop("id")
        conn.execute(runs.insert(), [{**row, "label": f"copy {i}"} for i in range(n)])


@contextlib.contextmanager
def _postgis(url: str | None) -> Iterator[str | None]:
    if url:
        yield url
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import pg_cluster

    if pg_cluster.missing_reason() is not None:
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="zq_bench_pg_"))
    try:
        with pg_cluster.running_cluster(base) as cluster:
            yield cluster.new_database()
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
