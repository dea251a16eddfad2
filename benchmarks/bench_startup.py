"""Start-up benchmark: ``python -m benchmarks.bench_startup [--repeat 5] [--against DIR]``.

Times whole commands as a planner runs them (a fresh ``python`` process each, start-up and exit included):
``python -m zq_land --help`` and ``solve`` of the 2022 review as recorded and re-optimised (``--quiet``, into
a new folder each time). Side by side, in the same run, the baselines: the bare interpreter
(``python -c pass``), ``import pandas``, and *libraries*: importing what a solve that writes every output
cannot do without (GeoPandas, pyogrio, PuLP with HiGHS, Folium, openpyxl; not pyarrow). The ratios against
``import pandas`` are what to read: the machines here are shared and noisy. Each figure is the best of
``--repeat`` runs (median alongside); the runs of all commands are interleaved, so that a busy spell
slows every command alike.

For a solve, *solver* is ``summary.json``'s ``solve_seconds`` (the LP bound and the MIP, median over the
runs) and *rest* is the whole command less that: start-up, reading, eligibility, reasons, the exports and
the exit, what a faster solver would not change. *cpu* is the process's user + system time (best of the
runs): less disturbed by other work on the machine than the wall time.

``--against DIR`` runs the same commands in another checkout too (``git worktree`` or ``git archive`` of an
older commit, sharing this ``.venv``): before and after in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The libraries a solve writing every output needs (the floor no lazy import can go below), without the pyarrow
#: that pandas would import and ``python -m zq_land solve`` refuses (zq_land.__main__.NO_PYARROW).
LIBRARIES = "import sys; sys.modules['pyarrow'] = None; import geopandas, pyogrio, pulp, highspy, folium, openpyxl"
SCENARIOS = {"solve recorded": "scenarios/review_2022_recorded.toml",
             "solve optimised": "scenarios/review_2022_optimised.toml"}


def commands() -> dict[str, list[str]]:
    py = sys.executable
    out = {
        "python -c pass": [py, "-c", "pass"],
        "import pandas": [py, "-c", "import pandas"],
        "libraries": [py, "-c", LIBRARIES],
        "zq_land --help": [py, "-m", "zq_land", "--help"],
    }
    for name, toml in SCENARIOS.items():
        out[name] = [py, "-m", "zq_land", "solve", toml, "--out", "{out}", "--quiet"]
    return out


def run_once(argv: list[str], src: Path, tmp: Path) -> tuple[float, float, float | None]:
    """(wall seconds, CPU seconds, the solver's seconds from summary.json or None) of one command run in
    ``src``."""
    out = Path(tempfile.mkdtemp(dir=tmp)) / "out"
    argv = [a.replace("{out}", str(out)) for a in argv]
    env = {**os.environ, "PYTHONPATH": str(src), "ZQ_LAND_STORE": "off"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(argv, cwd=src, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {src} ({proc.returncode}):\n{proc.stderr[-2000:]}")
    solver = None
    summary = out / "summary.json"
    if summary.exists():
        solver = float(json.loads(summary.read_text(encoding="utf-8"))["solve_seconds"])
    shutil.rmtree(out.parent, ignore_errors=True)
    return wall, cpu, solver


def measure(sources: dict[str, Path], repeat: int) -> list[dict[str, object]]:
    cmds = commands()
    walls: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}
    solvers: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench_startup_") as tmp:
        for _ in range(repeat):
            for label, src in sources.items():
                for name, argv in cmds.items():
                    if label != "this" and name in ("python -c pass", "import pandas", "libraries"):
                        continue  # the baselines do not depend on the checkout
                    wall, cpu, solver = run_once(argv, src, Path(tmp))
                    walls.setdefault((label, name), []).append(wall)
                    cpus.setdefault((label, name), []).append(cpu)
                    if solver is not None:
                        solvers.setdefault((label, name), []).append(solver)
    pandas_best = min(walls[("this", "import pandas")])
    rows = []
    for (label, name), w in walls.items():
        best = min(w)
        s = solvers.get((label, name))
        solver = statistics.median(s) if s else None
        rows.append({"checkout": label, "command": name, "best_s": round(best, 3),
                     "median_s": round(statistics.median(w), 3), "vs_import_pandas": round(best / pandas_best, 2),
                     "cpu_s": round(min(cpus[(label, name)]), 3),
                     "solver_s": None if solver is None else round(solver, 3),
                     "rest_s": None if solver is None else round(best - solver, 3)})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs per command; the best is reported")
    ap.add_argument("--against", type=Path, help="another checkout to time the same commands in")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = ap.parse_args(argv)
    sources = {"this": ROOT}
    if args.against is not None:
        sources["against"] = args.against.resolve()
    for src in sources.values():
        # bytecode as an installed package has it (PYTHONDONTWRITEBYTECODE=1 would recompile every run)
        subprocess.run([sys.executable, "-m", "compileall", "-q", "zq_land"], cwd=src, capture_output=True,
                       check=False)
    rows = measure(sources, args.repeat)
    print(f"{'checkout':9} {'command':18} {'best s':>7} {'median s':>9} {'x pandas':>9} {'cpu s':>6} {'solver s':>9} "
          f"{'rest s':>7}")
    for r in rows:
        solver = "" if r["solver_s"] is None else f"{r['solver_s']:.3f}"
        rest = "" if r["rest_s"] is None else f"{r['rest_s']:.3f}"
        print(f"{r['checkout']!s:9} {r['command']!s:18} {r['best_s']:7.3f} {r['median_s']:9.3f} "
              f"{r['vs_import_pandas']:9.2f} {r['cpu_s']:6.2f} {solver:>9} {rest:>7}")
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
