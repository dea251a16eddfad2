"""Determinism and speed of the bundled scenarios: ``python -m benchmarks.bench_determinism [--repeats N]``.

Each bundled scenario is solved ``N`` times in this process (inputs read once); printed per scenario:
the number of distinct plans (by the SHA-256 of ``assignments.csv``), the statuses, and the median and
slowest solve seconds. A second column block re-solves with the previous plan as a start (the app's
re-run after a weight change) to show that a start no longer changes the answer.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--scenarios", nargs="*", default=None)
    args = ap.parse_args(argv)
    from zq_land import allocate, assignments_csv_bytes, load_scenario, read_projects, read_sites

    paths = [Path(p) for p in args.scenarios] if args.scenarios else sorted((ROOT / "scenarios").glob("*.toml"))
    print(f"{'scenario':<28} {'plans':>5} {'status':<10} {'median s':>9} {'max s':>7} {'restart plans':>13} "
          f"{'restart s':>9}")
    for path in paths:
        sc = load_scenario(path)
        assert sc.sites is not None and sc.projects is not None
        sites, projects = read_sites(sc.sites), read_projects(sc.projects)
        hashes, secs, statuses = set(), [], set()
        last = None
        for _ in range(args.repeats):
            t = time.perf_counter()
            r = allocate(sc, sites=sites, projects=projects)
            secs.append(time.perf_counter() - t)
            hashes.add(hashlib.sha256(assignments_csv_bytes(r)).hexdigest())
            statuses.add(r.solve.status)
            last = r
        assert last is not None
        t = time.perf_counter()
        r2 = allocate(sc, sites=sites, projects=projects, starts=[last.assignments])
        restart_s = time.perf_counter() - t
        restart = hashes | {hashlib.sha256(assignments_csv_bytes(r2)).hexdigest()}
        print(f"{path.stem:<28} {len(hashes):>5} {','.join(sorted(statuses)):<10} {statistics.median(secs):>9.2f} "
              f"{max(secs):>7.2f} {len(restart):>13} {restart_s:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
