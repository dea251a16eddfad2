"""``python -m zq_land solve [SCENARIO.toml] [--sites F] [--projects F] [--reference OLD.csv] --out DIR``: solve a
scenario and write its outputs (``assignments.csv``, ``assignments.xlsx``, ``sites.geojson``, ``map.html``,
``summary.json``, ``scenario.toml``, ``moves.csv`` with a reference, and the replayable ``audit.zip``) into
``DIR``, all or none. Every warning of the readers is printed (a count and the first lines)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._store import add_store_arguments, open_store_for, record_run

if TYPE_CHECKING:
    import pandas as pd

    from .. import AllocationResult, Scenario, Stability


#: The longest time limit accepted (a day), as for ``solver.time_limit_s`` in a scenario.
MAX_TIME_LIMIT_S = 86_400.0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "solve",
        help="run an allocation scenario and write its outputs / 运行配置情景并导出结果",
        description="Solve a scenario and write assignments.csv, assignments.xlsx, sites.geojson, map.html, "
        "summary.json and an audit copy of the scenario into --out.",
    )
    p.add_argument("scenario", nargs="?", help="scenario TOML (optional when --sites and --projects are given)")
    p.add_argument("--sites", help="sites file: overrides the scenario's")
    p.add_argument("--projects", help="projects file: overrides the scenario's")
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--solver", choices=["highs", "cbc"], help="override the scenario's solver")
    p.add_argument("--time-limit", type=float, help="seconds, counted from the start of the command (reading "
                   "included, writing the outputs not); overrides the scenario's time_limit_s")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of reasons and Excel headers")
    p.add_argument("--quiet", action="store_true", help="print only the one-line result")
    p.add_argument("--start", action="append", default=[], metavar="ASSIGNMENTS.csv",
                   help="an earlier run's assignments.csv to start from (repeatable; large models): it is repaired "
                   "to this scenario and only used when better than the tool's own first plans; small models are "
                   "solved canonically and a start never changes their plan (to move the fewest projects of an "
                   "earlier plan, use --reference)")
    p.add_argument("--reference", metavar="ASSIGNMENTS.csv",
                   help="a reference plan (project_id, site_id; e.g. an earlier assignments.csv): move the fewest "
                   "of its placed projects while keeping the optimum (or the share --max-loss-share allows); "
                   "overrides the scenario's [stability] reference")
    p.add_argument("--max-loss-share", type=float, metavar="SHARE",
                   help="share of the optimum (0 to 1) that may be given up for fewer moves; default the "
                   "scenario's [stability] max_loss_share, else 0")
    p.add_argument("--area-source", choices=["declared", "geometry", "smaller"],
                   help="which area is a plot's capacity: the declared (land register; the default), the "
                   "geometry's, or the smaller; overrides the scenario's policy.area_source")
    p.add_argument("--alternatives", type=int, default=0, metavar="K",
                   help="also write alternatives.csv: each placed project's K next-best sites with the exact "
                   "objective lost there (and selection_frequency.csv) / 每个项目的备选地块及其损失")
    add_store_arguments(p)
    p.set_defaults(func=run, msg_lang="both")


def scenario_for_cli(path: str | None, sites: str | None, projects: str | None) -> Scenario:
    """A scenario from a TOML file and/or the --sites/--projects flags (flags win)."""
    from .. import Scenario, input_error, load_scenario

    if path:
        sc = load_scenario(path)
    elif sites and projects:
        sc = Scenario(name="cli")
    else:
        raise input_error("<command line>", "请给出情景文件，或同时给出 --sites 与 --projects",
                          "give a scenario file, or both --sites and --projects", column="scenario")
    changes: dict[str, object] = {}
    if sites:
        changes["sites"] = Path(sites)
    if projects:
        changes["projects"] = Path(projects)
    return sc.with_(**changes) if changes else sc


def run(args: argparse.Namespace) -> int:
    from .. import (
        OutputHelper,
        allocate,
        alongside_solver,
        input_error,
        output_folder_lock,
        prepare_outputs,
        write_outputs,
    )

    sc = scenario_for_cli(args.scenario, args.sites, args.projects)
    solver = sc.solver
    if args.solver:
        solver = replace(solver, name=args.solver)
    if args.time_limit is not None:
        if not 0 < args.time_limit <= MAX_TIME_LIMIT_S:  # also refuses nan and inf
            raise input_error("<command line>", f"--time-limit 须为大于 0、不超过 {MAX_TIME_LIMIT_S:g} 的秒数",
                              f"--time-limit must be seconds > 0 and at most {MAX_TIME_LIMIT_S:g}",
                              column="--time-limit", found=str(args.time_limit))
        solver = replace(solver, time_limit_s=float(args.time_limit))
    sc = sc.with_(solver=solver, stability=stability_for_cli(sc, args.reference, args.max_loss_share))
    if args.area_source:
        sc = sc.with_(policy=replace(sc.policy, area_source=args.area_source))
    protect = [p for p in (args.sites, args.projects, args.scenario, args.reference, *args.start) if p]
    store = open_store_for(args)  # before solving: a bad store URL fails at once
    starts = [read_start(f) for f in args.start]
    with output_folder_lock(args.out), contextlib.ExitStack() as stack:  # before solving: a bad --out fails at once
        # the workbook and the map in a helper process (python -m zq_land only), forked once pandas and GeoPandas
        # are loaded (it shares them): it loads their own libraries on the other core while this process reads
        # and solves, and renders them while this one writes the rest
        helper = OutputHelper.start() if started_as_command() else None
        if helper is not None:
            stack.callback(helper.close)
        # beside HiGHS: what writing the outputs needs (without a helper; with one, it has loaded it)
        with alongside_solver(prepare_outputs) if helper is None else contextlib.nullcontext():
            result = allocate(sc, starts=starts, started=getattr(args, "started", None))
        print(one_line(result))
        extra, summary_extra = alternatives_of(result, args)
        sent = helper is not None and helper.send(result, args.lang)
        # one set, all or nothing: the alternatives and their figures in summary.json are part of it
        paths = write_outputs(result, args.out, lang=args.lang, protect=protect, extra=extra,
                              summary_extra=summary_extra, rendered=helper.collect if sent and helper else None)
    print_warnings(result.warnings, args.lang)
    print_reference(result)
    record_run(store, result, args)
    if not args.quiet:
        print_unplaced(result, args.lang)
        print(f"outputs / 输出: {Path(args.out)}/ " + ", ".join(paths))
    return 0


def started_as_command() -> bool:
    """True in the process ``python -m zq_land`` started (not for callers of ``main``, such as the tests)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == "zq_land.__main__"


def stability_for_cli(sc: Scenario, reference: str | None, max_loss_share: float | None) -> Stability:
    """The scenario's ``[stability]`` with the --reference / --max-loss-share flags applied (flags win)."""
    from .. import input_error

    st = sc.stability
    if reference:
        st = replace(st, reference=Path(reference))
    if max_loss_share is not None:
        if not 0.0 <= max_loss_share <= 1.0:
            raise input_error("<command line>", "--max-loss-share 须在 0 到 1 之间", "--max-loss-share must be "
                              "from 0 to 1", column="--max-loss-share", found=str(max_loss_share), expected="0..1")
        st = replace(st, max_loss_share=float(max_loss_share))
    return st


#: How many warnings ``solve`` prints in full (all of them are in summary.json and the workbook).
SHOWN_WARNINGS = 5


def print_warnings(warnings: tuple[str, ...] | list[str], lang: str) -> None:
    """A count of the run's warnings and the first few, in ``lang``."""
    if not warnings:
        return
    print(f"⚠ {len(warnings)} 个警告 warnings (全部见 all in summary.json, assignments.xlsx 数据问题):")
    for w in warnings[:SHOWN_WARNINGS]:
        print(f"  {w}")
    if len(warnings) > SHOWN_WARNINGS:
        print(f"  … 另有 {len(warnings) - SHOWN_WARNINGS} 个 / {len(warnings) - SHOWN_WARNINGS} more")


def print_reference(r: AllocationResult) -> None:
    kept, moved = r.kept_and_moved
    if kept is None:
        return
    proven = "已证明最少 proven fewest" if r.solve.status == "optimal" else "未证明 not proven"
    print(f"与参考方案 vs reference: 保留 kept {kept}, 调整 moved {moved} ({proven}; "
          f"max_loss_share {r.scenario.stability.max_loss_share:g})")


def alternatives_of(result: AllocationResult, args: argparse.Namespace) -> tuple[dict[str, bytes], dict[str, Any]]:
    """``--alternatives K``: alternatives.csv and selection_frequency.csv (by name), and their figures for
    summary.json; nothing without the flag."""
    from .. import alternatives_files, alternatives_summary, input_error, run_alternatives

    k = int(getattr(args, "alternatives", 0) or 0)
    if k == 0:
        return {}, {}
    if k < 0:
        raise input_error("<command line>", "--alternatives 须为正整数", "--alternatives must be a positive number",
                          column="--alternatives", found=str(k))
    alt = run_alternatives(result.sites, result.projects, result.scenario, result.assignments, k=k,
                           time_limit_s=min(5.0, result.scenario.solver.time_limit_s),
                           budget_s=max(30.0, 4 * result.scenario.solver.time_limit_s))
    print(f"备选地块 / alternatives: {len(alt.table)} rows for {alt.table['project_id'].nunique()} projects, "
          f"{alt.solves} re-solves, {alt.seconds:.1f} s")
    return alternatives_files(alt, lang=args.lang), {"alternatives": alternatives_summary(alt)}


def read_start(path: str) -> pd.DataFrame:
    """An earlier run's ``assignments.csv`` (``project_id``, ``site_id``; an empty site is unplaced)."""
    import pandas as pd

    from .. import input_error, unescape_cell

    file = str(path)
    if Path(path).is_dir():
        raise input_error(file, "起始方案须为文件（assignments.csv），而不是文件夹",
                          "the start plan must be a file (an assignments.csv), not a folder", column="--start")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise input_error(file, "找不到起始方案文件", "the start plan file does not exist", column="--start") from None
    except OSError as exc:
        raise input_error(file, f"无法读取起始方案：{exc.strerror or exc}",
                          f"cannot read the start plan: {exc.strerror or exc}", column="--start") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise input_error(file, f"起始方案不是可读的 UTF-8 CSV：{exc}",
                          f"the start plan is not a readable UTF-8 CSV: {exc}") from None
    missing = [c for c in ("project_id", "site_id") if c not in df.columns]
    if missing:
        raise input_error(file, f"起始方案缺少列 {', '.join(missing)}（应为本工具导出的 assignments.csv）",
                          f"the start plan lacks the column(s) {', '.join(missing)} (expected an "
                          "assignments.csv written by this tool)", column=missing[0])
    df = df[["project_id", "site_id"]].copy()
    for c in df.columns:  # the export escapes ids that would be formulas ('=P1); read them as written
        df[c] = df[c].map(unescape_cell)
    df["site_id"] = df["site_id"].str.strip().replace("", None)
    return df


def one_line(r: AllocationResult) -> str:
    k, s = r.kpis, r.solve
    gap = "" if s.gap is None or s.gap != s.gap else f", gap {100 * float(s.gap):.3g}%"
    return (f"{r.scenario.name}: {s.status} ({s.solver}{gap}) — placed {k['projects_placed']}/{k['projects_total']} "
            f"projects, {k['investment_placed_yi']:.2f}/{k['investment_total_yi']:.2f} 亿元; "
            f"land {k['land_placed_mu']:.1f} mu, floor {k['floor_placed_m2']:,.0f} m2; "
            f"revitalized {k['revitalized_land_mu']:.1f} mu + {k['revitalized_floor_m2']:,.0f} m2; "
            f"{s.solve_seconds:.2f} s")


def print_unplaced(r: AllocationResult, lang: str) -> None:
    if not len(r.unplaced):
        print("所有项目均已落位 / every project is placed")
        return
    print(f"未落位项目 / unplaced projects ({len(r.unplaced)}):")
    for row in r.unplaced.itertuples():
        reason = row.reason_zh if lang == "zh" else row.reason_en
        print(f"  {row.project_id} {row.name}: {reason}")
