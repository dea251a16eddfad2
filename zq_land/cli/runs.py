"""``python -m zq_land runs list|show|export|rename|delete``: the runs recorded in a store (``solve --store``,
or the app); ``runs sweeps|export-sweep|delete-sweep``: the sweeps recorded by ``sweep --store``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ._store import date_arg, leaf, opened


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("runs", help="list, show, export, rename or delete stored runs / 方案记录",
                       description="The runs recorded in a store (solve --store, or the app).")
    runs = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    ls = leaf(runs, "list", "list runs, newest first / 列出方案")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.add_argument("--dataset", type=int, help="only runs on this data set id")
    ls.add_argument("--scenario", help="only runs of this scenario name")
    ls.add_argument("--since", type=date_arg, help="only runs on or after this date (YYYY-MM-DD)")
    ls.add_argument("--until", type=date_arg, help="only runs on or before this date (YYYY-MM-DD)")
    ls.add_argument("--limit", type=int, help="at most this many runs")
    ls.set_defaults(func=_list)
    show = leaf(runs, "show", "a run's figures and unplaced projects / 查看方案")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="print the run's summary as JSON")
    show.add_argument("--lang", choices=["zh", "en"], default="zh")
    show.set_defaults(func=_show)
    export = leaf(runs, "export", "write a run's files, as solve --out does / 导出方案文件")
    export.add_argument("id", type=int)
    export.add_argument("--out", required=True, help="output folder (created if missing)")
    export.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of reasons and Excel headers")
    export.set_defaults(func=_export)
    rename = leaf(runs, "rename", "give a run a new label / 重命名方案")
    rename.add_argument("id", type=int)
    rename.add_argument("label")
    rename.set_defaults(func=_rename)
    delete = leaf(runs, "delete", "delete a run (its decisions stay) / 删除方案")
    delete.add_argument("id", type=int)
    delete.set_defaults(func=_delete)
    sweeps = leaf(runs, "sweeps", "list recorded sweeps, newest first / 列出抽样分析")
    sweeps.add_argument("--json", action="store_true", help="print a JSON list")
    sweeps.add_argument("--scenario", help="only sweeps of this scenario name")
    sweeps.add_argument("--limit", type=int, help="at most this many sweeps")
    sweeps.set_defaults(func=_sweeps)
    sx = leaf(runs, "export-sweep", "write a recorded sweep's files again / 导出抽样分析文件")
    sx.add_argument("id", type=int)
    sx.add_argument("--out", required=True, help="output folder (created if missing)")
    sx.set_defaults(func=_export_sweep)
    sd = leaf(runs, "delete-sweep", "delete a recorded sweep / 删除抽样分析")
    sd.add_argument("id", type=int)
    sd.set_defaults(func=_delete_sweep)


def _list(args: argparse.Namespace) -> int:
    with opened(args) as store:
        runs = store.list_runs(dataset_id=args.dataset, scenario=args.scenario, since=args.since, until=args.until,
                               limit=args.limit)
    if args.json:
        print(json.dumps([r.as_json() for r in runs], ensure_ascii=False, indent=2))
        return 0
    if not runs:
        print("存储中没有方案 / no runs in the store")
        return 0
    print(f"{'id':>5}  {'created (UTC)':<16}  {'status':<10} {'objective':>12}  {'placed':>9}  label / scenario")
    for r in runs:
        obj = "—" if r.objective is None else f"{r.objective:,.3f}"
        placed = f"{r.projects_placed}/{r.projects_total}"
        name = r.label if r.label == r.scenario else f"{r.label} ({r.scenario} v{r.scenario_version})"
        print(f"{r.id:>5}  {r.created:%Y-%m-%d %H:%M}  {r.status:<10} {obj:>12}  {placed:>9}  {name}"
              f"  [data set #{r.dataset_id}, {r.created_by}]")
    return 0


def _show(args: argparse.Namespace) -> int:
    from .. import strict_json_bytes
    from .solve import one_line, print_unplaced

    with opened(args) as store:
        info = store.run_info(args.id)
        result = store.load_run(args.id)
    if args.json:
        print(strict_json_bytes({**info.as_json(), "summary": result.summary()}).decode("utf-8"))
        return 0
    print(f"方案 / run #{info.id}: {info.label}")
    print(f"  情景 / scenario: {info.scenario} (v{info.scenario_version}); 数据集 / data set #{info.dataset_id}: "
          f"{info.dataset}")
    print(f"  记录于 / recorded {info.created:%Y-%m-%d %H:%M} UTC by {info.created_by} ({info.source})")
    print(one_line(result))
    print_unplaced(result, args.lang)
    return 0


def _export(args: argparse.Namespace) -> int:
    from .. import write_outputs

    with opened(args) as store:
        result = store.load_run(args.id)
    paths = write_outputs(result, args.out, lang=args.lang)
    print(f"方案 #{args.id} 已导出 / run #{args.id} exported: {Path(args.out)}/ " + ", ".join(paths))
    return 0


def _rename(args: argparse.Namespace) -> int:
    with opened(args) as store:
        store.rename_run(args.id, args.label)
    print(f"方案 #{args.id} 已重命名 / run #{args.id} renamed: {args.label.strip()}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    with opened(args) as store:
        store.delete_run(args.id)
    print(f"方案 #{args.id} 已删除 / run #{args.id} deleted")
    return 0


def _sweeps(args: argparse.Namespace) -> int:
    with opened(args) as store:
        sweeps = store.list_sweeps(scenario=args.scenario, limit=args.limit)
    if args.json:
        print(json.dumps([s.as_json() for s in sweeps], ensure_ascii=False, indent=2))
        return 0
    if not sweeps:
        print("存储中没有抽样分析 / no sweeps in the store")
        return 0
    print(f"{'id':>5}  {'created (UTC)':<16}  {'samples':>9}  {'workers':>7}  {'seconds':>8}  label / scenario")
    for s in sweeps:
        solved = f"{s.samples_solved if s.samples_solved is not None else '?'}/{s.samples}"
        secs = "—" if s.seconds is None else f"{s.seconds:.1f}"
        name = s.label if s.label == s.scenario else f"{s.label} ({s.scenario})"
        print(f"{s.id:>5}  {s.created:%Y-%m-%d %H:%M}  {solved:>9}  {s.workers or '—':>7}  {secs:>8}  {name}"
              f"  [{s.created_by}]")
    return 0


def _export_sweep(args: argparse.Namespace) -> int:
    from .. import atomic_write

    with opened(args) as store:
        _summary, files = store.load_sweep(args.id)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        atomic_write(out / Path(name).name, data)
    print(f"抽样分析 #{args.id} 已导出 / sweep #{args.id} exported: {out}/ " + ", ".join(sorted(files)))
    return 0


def _delete_sweep(args: argparse.Namespace) -> int:
    with opened(args) as store:
        store.delete_sweep(args.id)
    print(f"抽样分析 #{args.id} 已删除 / sweep #{args.id} deleted")
    return 0
