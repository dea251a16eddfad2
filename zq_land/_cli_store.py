"""The store's commands: ``runs``, ``decisions`` and ``import``, and ``solve --store`` (wired into
:mod:`zq_land.cli` and :mod:`zq_land._cli_run`).

The store comes from ``--store URL`` or ``ZQ_LAND_STORE``; without either ``solve`` writes only files.
Every store problem (a bad URL, an unknown id, an unreachable server, a conflict) is an ``InputError``:
a bilingual message and exit 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import input_error

if TYPE_CHECKING:
    from .results import AllocationResult
    from .store import Store

STORE_HELP = "a .gpkg file or a postgresql:// URL (default: $ZQ_LAND_STORE) / 存储：.gpkg 文件或 postgresql:// 地址"


def add_store_arguments(p: argparse.ArgumentParser) -> None:
    """``--store`` and ``--label`` on ``solve``: record the run in a store (or ``ZQ_LAND_STORE``)."""
    p.add_argument("--store", help=STORE_HELP + "; records the run and prints its id")
    p.add_argument("--label", help="the run's name in the store (default: the scenario's name)")


def open_store_for(args: argparse.Namespace) -> Store | None:
    """The store ``solve`` records into (opened before solving, so a bad URL fails at once), or None."""
    from .store import env_store_url, open_store

    url = getattr(args, "store", None) or env_store_url()
    return open_store(url) if url else None


def record_run(store: Store | None, result: AllocationResult, args: argparse.Namespace) -> int | None:
    """Save the run of ``solve`` and print its id; nothing without a store."""
    if store is None:
        return None
    try:
        run_id = store.save_run(result, label=getattr(args, "label", None), source="cli")
    finally:
        store.close()
    print(f"方案已记录 / run recorded: id {run_id} ({store.url})")
    return run_id


def add_runs_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("runs", help="list, show, export, rename or delete stored runs / 方案记录",
                       description="The runs recorded in a store (solve --store, or the app).")
    runs = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    ls = _leaf(runs, "list", "list runs, newest first / 列出方案")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.add_argument("--dataset", type=int, help="only runs on this data set id")
    ls.add_argument("--scenario", help="only runs of this scenario name")
    ls.add_argument("--since", type=_date, help="only runs on or after this date (YYYY-MM-DD)")
    ls.add_argument("--until", type=_date, help="only runs on or before this date (YYYY-MM-DD)")
    ls.add_argument("--limit", type=int, help="at most this many runs")
    ls.set_defaults(func=_cmd_runs_list)
    show = _leaf(runs, "show", "a run's figures and unplaced projects / 查看方案")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="print the run's summary as JSON")
    show.add_argument("--lang", choices=["zh", "en"], default="zh")
    show.set_defaults(func=_cmd_runs_show)
    export = _leaf(runs, "export", "write a run's files, as solve --out does / 导出方案文件")
    export.add_argument("id", type=int)
    export.add_argument("--out", required=True, help="output folder (created if missing)")
    export.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of reasons and Excel headers")
    export.set_defaults(func=_cmd_runs_export)
    rename = _leaf(runs, "rename", "give a run a new label / 重命名方案")
    rename.add_argument("id", type=int)
    rename.add_argument("label")
    rename.set_defaults(func=_cmd_runs_rename)
    delete = _leaf(runs, "delete", "delete a run (its decisions stay) / 删除方案")
    delete.add_argument("id", type=int)
    delete.set_defaults(func=_cmd_runs_delete)


def add_decisions_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("decisions", help="the placements agreed at review meetings / 评审决定",
                       description="Decisions: project -> plot, agreed at a meeting; superseded, never deleted. "
                       "Runs in the app lock the active ones.")
    dec = p.add_subparsers(dest="decisions_command", metavar="ACTION", required=True)
    ls = _leaf(dec, "list", "active decisions (--all: with the superseded) / 列出决定")
    ls.add_argument("--all", action="store_true", help="include superseded decisions")
    ls.add_argument("--project", help="only this project id")
    ls.add_argument("--site", help="only this plot id")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.set_defaults(func=_cmd_decisions_list)
    add = _leaf(dec, "add", "record a decision / 记录决定")
    add.add_argument("--project", required=True, help="project id")
    add.add_argument("--site", required=True, help="plot id")
    _decision_fields(add)
    add.set_defaults(func=_cmd_decisions_add)
    sup = _leaf(dec, "supersede", "supersede a decision, optionally by a new plot / 取代决定")
    sup.add_argument("id", type=int, help="the decision to supersede")
    sup.add_argument("--site", help="the project's new plot (omit to withdraw the decision)")
    _decision_fields(sup)
    sup.set_defaults(func=_cmd_decisions_supersede)
    adopt = _leaf(dec, "adopt", "make every placement of a run a decision / 采纳方案为决定")
    adopt.add_argument("run", type=int, help="run id")
    _decision_fields(adopt, dataset=False)
    adopt.set_defaults(func=_cmd_decisions_adopt)


def add_import_parser(sub: argparse._SubParsersAction) -> None:
    from .cli import _column_pair

    p = sub.add_parser("import", help="save a sites file and a projects file as a data set / 导入数据集",
                       description="Read the files as solve would and save them, with their names, sizes and "
                       "SHA-256, as a data set of the store. Prints its id.")
    p.add_argument("--sites", required=True, help="sites: .gpkg, .geojson, zipped Shapefile (.zip), .shp or folder")
    p.add_argument("--projects", required=True, help="projects: .csv (UTF-8 / GBK) or .xlsx")
    p.add_argument("--name", help="the data set's name (default: both file names)")
    p.add_argument("--map-sites-col", action="append", default=[], metavar="THEIR=CANON", type=_column_pair,
                   help="map a sites column, e.g. DKBH=site_id (repeatable)")
    p.add_argument("--map-projects-col", action="append", default=[], metavar="THEIR=CANON", type=_column_pair,
                   help="map a projects column (repeatable)")
    p.add_argument("--sheet", help="Excel worksheet of the projects (default: the first)")
    p.add_argument("--sites-layer", help="layer of a GeoPackage, or Shapefile name in a zip/folder")
    p.add_argument("--store", help=STORE_HELP)
    p.add_argument("--by", help="who imports (default: $ZQ_LAND_USER or the login name)")
    p.set_defaults(func=_cmd_import, msg_lang="both")


# --- commands --------------------------------------------------------------------------------------

def _cmd_runs_list(args: argparse.Namespace) -> int:
    with _store(args) as store:
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


def _cmd_runs_show(args: argparse.Namespace) -> int:
    from ._cli_run import one_line, print_unplaced

    with _store(args) as store:
        info = store.run_info(args.id)
        result = store.load_run(args.id)
    if args.json:
        print(json.dumps({**info.as_json(), "summary": result.summary()}, ensure_ascii=False, indent=2,
                         default=str))
        return 0
    print(f"方案 / run #{info.id}: {info.label}")
    print(f"  情景 / scenario: {info.scenario} (v{info.scenario_version}); 数据集 / data set #{info.dataset_id}: "
          f"{info.dataset}")
    print(f"  记录于 / recorded {info.created:%Y-%m-%d %H:%M} UTC by {info.created_by} ({info.source})")
    print(one_line(result))
    print_unplaced(result, args.lang)
    return 0


def _cmd_runs_export(args: argparse.Namespace) -> int:
    from .export import write_outputs

    with _store(args) as store:
        result = store.load_run(args.id)
    paths = write_outputs(result, args.out, lang=args.lang)
    print(f"方案 #{args.id} 已导出 / run #{args.id} exported: {Path(args.out)}/ " + ", ".join(paths))
    return 0


def _cmd_runs_rename(args: argparse.Namespace) -> int:
    with _store(args) as store:
        store.rename_run(args.id, args.label)
    print(f"方案 #{args.id} 已重命名 / run #{args.id} renamed: {args.label.strip()}")
    return 0


def _cmd_runs_delete(args: argparse.Namespace) -> int:
    with _store(args) as store:
        store.delete_run(args.id)
    print(f"方案 #{args.id} 已删除 / run #{args.id} deleted")
    return 0


def _cmd_decisions_list(args: argparse.Namespace) -> int:
    from .store import list_decisions

    with _store(args) as store:
        found = list_decisions(store, active_only=not args.all, project_id=args.project, site_id=args.site)
    if args.json:
        print(json.dumps([d.as_json() for d in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("没有决定 / no decisions")
    for d in found:
        state = "有效 active" if d.active else f"已取代 superseded → #{d.replaced_by or '-'}"
        note = f" — {d.note}" if d.note else ""
        print(f"{d.describe('zh')} [{state}]{note}")
    return 0


def _cmd_decisions_add(args: argparse.Namespace) -> int:
    from .store import add_decision

    with _store(args) as store:
        d = add_decision(store, args.project, args.site, dataset_id=args.dataset, meeting=args.meeting,
                         meeting_date=args.date, note=args.note, by=args.by)
    print(f"决定已记录 / decision recorded: {d.describe('zh')}")
    return 0


def _cmd_decisions_supersede(args: argparse.Namespace) -> int:
    from .store import supersede_decision

    with _store(args) as store:
        old, new = supersede_decision(store, args.id, site_id=args.site, dataset_id=args.dataset,
                                      meeting=args.meeting, meeting_date=args.date, note=args.note, by=args.by)
    print(f"决定 #{old.id} 已取代 / decision #{old.id} superseded")
    if new is not None:
        print(f"新决定 / new decision: {new.describe('zh')}")
    return 0


def _cmd_decisions_adopt(args: argparse.Namespace) -> int:
    from .store import adopt_run

    with _store(args) as store:
        made = adopt_run(store, args.run, meeting=args.meeting, meeting_date=args.date, note=args.note, by=args.by)
    print(f"方案 #{args.run} 的 {len(made)} 个落位已记为决定 / {len(made)} placements of run #{args.run} "
          "recorded as decisions")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from .io import read_projects, read_sites
    from .results import file_fingerprint

    for key in ("sites", "projects"):
        if not Path(getattr(args, key)).exists():
            raise input_error(getattr(args, key), "找不到文件", "file not found", column=f"--{key}")
    with _store(args) as store:  # opened first: a bad URL fails before a large file is read
        sites = read_sites(args.sites, columns=dict(args.map_sites_col) or None, layer=args.sites_layer)
        projects = read_projects(args.projects, columns=dict(args.map_projects_col) or None, sheet=args.sheet)
        ds = store.save_dataset(sites, projects, files={"sites": file_fingerprint(args.sites),
                                                        "projects": file_fingerprint(args.projects)},
                                site_columns=args.map_sites_col, project_columns=args.map_projects_col,
                                name=args.name, by=args.by)
        info = store.dataset_info(ds)
    print(f"数据集 / data set #{info.id}: {info.name} — {info.n_sites} sites, {info.n_projects} projects")
    return 0


# --- private ----------------------------------------------------------------------------------------

def _leaf(sub: argparse._SubParsersAction, name: str, help_: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
    p.add_argument("--store", help=STORE_HELP)
    p.set_defaults(msg_lang="both")
    return p


def _decision_fields(p: argparse.ArgumentParser, *, dataset: bool = True) -> None:
    if dataset:
        p.add_argument("--dataset", type=int, help="the data set whose plots and projects the decision names "
                       "(default: that of the newest run)")
    p.add_argument("--meeting", type=int, help="the review meeting's number, e.g. 5")
    p.add_argument("--date", type=_date, help="the meeting's date (YYYY-MM-DD)")
    p.add_argument("--note", default="", help="a note (who asked, conditions, ...)")
    p.add_argument("--by", help="who decides (default: $ZQ_LAND_USER or the login name)")


def _url(args: argparse.Namespace) -> str:
    from .store import env_store_url

    url = getattr(args, "store", None) or env_store_url()
    if not url:
        raise input_error("<command line>",
                          "请用 --store 指定存储（.gpkg 文件或 postgresql:// 地址），或设置 ZQ_LAND_STORE",
                          "give the store with --store (a .gpkg file or a postgresql:// URL) or set ZQ_LAND_STORE",
                          column="--store")
    return str(url)


class _store:
    """``with _store(args) as store``: the command's store, closed afterwards."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.url = _url(args)

    def __enter__(self) -> Store:
        from .store import open_store

        self.store = open_store(self.url)
        return self.store

    def __exit__(self, *exc: Any) -> None:
        self.store.close()


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None
