"""``python -m zq_land timeline SCENARIO --out DIR``: the year replayed review meeting by review meeting,
against hindsight (``docs/TIMELINE.md``). Writes ``timeline.csv`` and ``timeline_summary.json``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._store import STORE_HELP


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "timeline",
        help="replay the year meeting by meeting against hindsight / 按评审会逐次回放全年配置",
        description="At each review meeting (the scenario's [meetings] dates) place its projects given every "
        "earlier placement (kept) and the sites available by that date; solve the same projects all at once "
        "(hindsight); name the early decisions that blocked later projects and replay the plots worth holding "
        "back. Writes timeline.csv and timeline_summary.json into --out.",
    )
    p.add_argument("scenario", help="scenario TOML with a [meetings] table (\"1\" = 2022-01-20, ...)")
    p.add_argument("--sites", help="sites file: overrides the scenario's")
    p.add_argument("--projects", help="projects file: overrides the scenario's")
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--time-limit", type=float, help="seconds per solve (default the scenario's time_limit_s)")
    p.add_argument("--reserve", type=int, default=3,
                   help="how many blocked plots to replay held back (default 3; 0 = none)")
    p.add_argument("--store", help=STORE_HELP + "; its committed decisions are the starting point")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the printed lines")
    p.set_defaults(func=run, msg_lang="both")


def run(args: argparse.Namespace) -> int:
    from .. import (
        env_store_url,
        input_error,
        read_projects,
        read_sites,
        run_timeline,
        write_timeline,
    )
    from .solve import scenario_for_cli

    sc = scenario_for_cli(args.scenario, args.sites, args.projects)
    if args.time_limit is not None and args.time_limit <= 0:
        raise input_error("<command line>", "--time-limit 须大于 0", "--time-limit must be > 0",
                          column="--time-limit", found=str(args.time_limit))
    if args.reserve < 0:
        raise input_error("<command line>", "--reserve 不能为负数", "--reserve must be >= 0", column="--reserve",
                          found=str(args.reserve))
    files: dict[str, Path] = {}
    for key, path in (("sites", sc.sites), ("projects", sc.projects)):
        if path is None or not Path(path).exists():
            raise input_error(str(sc.source or "<scenario>"), f"找不到{key}文件：{path}",
                              f"the {key} file does not exist: {path}", column=key, found=str(path))
        files[key] = Path(path)
    sites = read_sites(files["sites"], columns=dict(sc.site_columns) or None)
    projects = read_projects(files["projects"], columns=dict(sc.project_columns) or None, sheet=sc.project_sheet)
    committed: list[tuple[str, str]] = []
    url = args.store or env_store_url()
    if url:  # the store's modules (SQLAlchemy) only with a store
        from .. import decision_locks, open_store

        store = open_store(url)
        try:
            committed = decision_locks(store, projects["project_id"], sites["site_id"])
        finally:
            store.close()
    result = run_timeline(sites, projects, sc, committed=committed, reserve=args.reserve,
                          time_limit_s=args.time_limit)
    names = write_timeline(result, args.out)
    s = result.summary()
    tl, hs, cost = s["timeline"], s["hindsight"], s["cost_of_deciding_by_meeting"]
    print(f"{sc.name}: {len(result.meetings)} meetings / 次评审会 — timeline placed {tl['projects_placed']}/"
          f"{tl['projects_total']}, {tl['investment_placed_yi']:.2f} 亿元, {tl['land_placed_mu']:.1f} mu; hindsight "
          f"({hs['status']}) {hs['investment_placed_yi']:.2f} 亿元, {hs['land_placed_mu']:.1f} mu; cost of deciding "
          f"by meeting {cost['objective']:.2f} 亿元 (objective); {result.seconds:.1f} s"
          + (f"; {len(committed)} committed decisions / 项已定决策" if committed else ""))
    for b in result.blocked[:5]:
        print("  " + b["text"][args.lang])
    for r in result.reserve[:3]:
        print("  " + r["text"][args.lang])
    print(f"outputs / 输出: {Path(args.out)}/ " + ", ".join(names))
    return 0
