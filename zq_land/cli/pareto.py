"""``python -m zq_land pareto SCENARIO [--levels L] --out DIR``: trace investment against revitalization and
supplier proximity by the epsilon-constraint method on Dask (each point a proven optimum and a plan).
Cluster, progress and cancel as for ``sweep`` (:mod:`zq_land.cli.sweep`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .sweep import EXIT_CANCELLED, _add_engine_options, _Bar, _scenario, _scheduler


def add_parser(sub: argparse._SubParsersAction) -> None:
    q = sub.add_parser(
        "pareto",
        help="trade-off of investment, revitalization and supplier distance (epsilon-constraint) / 帕累托前沿",
        description="Maximise the investment placed under levels of revitalized land and floor and of mean "
        "supplier-anchor distance (each point a proven optimum, solved on Dask); write pareto.csv, "
        "pareto.png, plans/point_NN.csv (each point's plan) and pareto_summary.json into --out. The "
        "scenario's inputs, rules, locks and exclusions apply; its weights do not.",
    )
    q.add_argument("scenario", help="scenario TOML")
    q.add_argument("--levels", type=int, default=4, help="levels per secondary objective (default 4: up to "
                   "16 points)")
    _add_engine_options(q)
    q.add_argument("--out", required=True, help="output folder (created if missing)")
    q.add_argument("--time-limit", type=float, help="seconds per point (default the scenario's)")
    q.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the chart")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    q.set_defaults(func=run, msg_lang="both")


def run(args: argparse.Namespace) -> int:
    """``python -m zq_land pareto``."""
    from .. import run_pareto, write_pareto

    sc = _scenario(args)
    bar = _Bar(sys.stderr, quiet=args.quiet)
    try:
        result = run_pareto(sc, levels=args.levels, workers=args.workers, scheduler=_scheduler(args),
                            on_progress=bar.update, on_cluster=bar.cluster)
    except KeyboardInterrupt:
        bar.close()
        print("已取消，未写入任何输出 / cancelled: no output written", file=sys.stderr)
        return EXIT_CANCELLED
    bar.close()
    paths = write_pareto(result, args.out, lang=args.lang)
    s = result.summary
    pts = result.points
    front = pts[pts["on_front"]]
    print(f"{s['scenario']}: {s['points_solved']}/{s['points']} points ({s['proven_optimal']} proven optimal), "
          f"{s['on_front']} on the front, in {s['seconds']:.1f} s; investment "
          f"{front['investment_placed_yi'].min():.2f}-{front['investment_placed_yi'].max():.2f} 亿元, "
          f"revitalized {front['revitalized_mu'].min():.1f}-{front['revitalized_mu'].max():.1f} mu")
    if not args.quiet:
        print(f"outputs / 输出: {Path(args.out)}/ pareto.csv, pareto.png, pareto_summary.json, "
              f"{len(paths) - 3} plans/")
    return 0
