"""Command line: ``python -m zq_land validate|solve|compare``.

Exit codes: 0 success (warnings allowed), 2 bad input or usage (a message, never a traceback),
1 anything else (a one-line message; set ``ZQ_LAND_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence

from ._errors import InputError, ValidationReport

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``python -m zq_land`` exits with it)."""
    started = time.monotonic()  # a solve's time limit counts from here (imports and reading included)
    _utf8_console()
    parser = _build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 (argparse)
    args.started = started
    func: Command | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return func(args)
    except InputError as exc:
        print(_format_report(exc.report, getattr(args, "msg_lang", getattr(args, "lang", "both"))))
        print(_verdict(exc.report))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        if os.environ.get("ZQ_LAND_DEBUG") == "1":
            raise
        print(
            f"内部错误 / internal error: {type(exc).__name__}: {exc} (set ZQ_LAND_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m zq_land",
        description="Land and factory-space allocation for Zhaoqing High-tech Zone / "
        "肇庆高新区用地与厂房配置",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_validate_parser(sub)
    _add_optional_commands(sub)
    return parser


def _add_validate_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check a sites file and a projects file / 检查地块与项目文件",
        description="Read the files as `solve` would and print every problem, naming file, row or id and "
        "column. Exit 0 when usable (warnings allowed), 2 when not.",
    )
    p.add_argument(
        "--sites", required=True, help="sites: .gpkg, .geojson, zipped Shapefile (.zip), .shp or folder"
    )
    p.add_argument("--projects", help="projects: .csv (UTF-8 / GBK) or .xlsx")
    p.add_argument(
        "--map-sites-col",
        action="append",
        default=[],
        metavar="THEIR=CANON",
        type=_column_pair,
        help="map a sites column, e.g. DKBH=site_id (repeatable)",
    )
    p.add_argument(
        "--map-projects-col",
        action="append",
        default=[],
        metavar="THEIR=CANON",
        type=_column_pair,
        help="map a projects column, e.g. 总投资=investment_yi (repeatable)",
    )
    p.add_argument("--sheet", help="Excel worksheet of the projects (default: the first)")
    p.add_argument("--sites-layer", help="layer of a GeoPackage, or Shapefile name in a zip/folder")
    p.add_argument("--lang", choices=["zh", "en", "both"], default="both", help="message language")
    p.set_defaults(func=_cmd_validate)


def _add_optional_commands(sub: argparse._SubParsersAction) -> None:
    __import__(f"{__package__}._cli_sweep", fromlist=["_"]).add_sweep_parsers(sub)  # sweep, pareto (issue 15)
    # `solve` and `compare` live in _cli_run (owned by the optimisation work).
    try:
        from ._cli_run import add_compare_parser, add_solve_parser
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}._cli_run":
            raise  # a broken dependency must show, not hide the commands
        return
    add_solve_parser(sub)
    add_compare_parser(sub)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .io import check_files, summarize_projects, summarize_sites

    report, sites, projects = check_files(
        sites=args.sites,
        projects=args.projects,
        site_columns=dict(args.map_sites_col) or None,
        project_columns=dict(args.map_projects_col) or None,
        sheet=args.sheet,
        site_layer=args.sites_layer,
    )
    if report.problems:
        print(_format_report(report, args.lang))
    if sites is not None:
        print(summarize_sites(sites))
    if projects is not None:
        print(summarize_projects(projects))
    print(_verdict(report))
    return EXIT_OK if report.ok else EXIT_BAD_INPUT


def _column_pair(text: str) -> tuple[str, str]:
    their, sep, canon = text.partition("=")
    if not sep or not their.strip() or not canon.strip():
        raise argparse.ArgumentTypeError(f"expected THEIR=CANON (e.g. DKBH=site_id), got {text!r}")
    return their.strip(), canon.strip()


def _format_report(report: ValidationReport, lang: str) -> str:
    lines = []
    for p in sorted(report.problems, key=lambda p: (p.severity != "error", p.file, p.row or 0)):
        lines.append(p.text(lang))
    return "\n".join(lines)


def _verdict(report: ValidationReport) -> str:
    n_err, n_warn = len(report.errors), len(report.warnings)
    if report.ok:
        return f"可用 USABLE: 0 个错误 errors, {n_warn} 个警告 warnings"
    return f"不可用 REFUSED: {n_err} 个错误 errors, {n_warn} 个警告 warnings — 请修正后重试 / fix and retry"


def _utf8_console() -> None:
    # Chinese messages must not crash a console with a legacy code page.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")
