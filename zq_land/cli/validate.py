"""``python -m zq_land validate --sites F [--projects F]``: read the files as ``solve`` would and print every
problem; exit 0 when they are usable (warnings allowed), 2 when not."""

from __future__ import annotations

import argparse

from . import EXIT_BAD_INPUT, EXIT_OK, format_report, verdict


def add_parser(sub: argparse._SubParsersAction) -> None:
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
        type=column_pair,
        help="map a sites column, e.g. DKBH=site_id (repeatable)",
    )
    p.add_argument(
        "--map-projects-col",
        action="append",
        default=[],
        metavar="THEIR=CANON",
        type=column_pair,
        help="map a projects column, e.g. 总投资=investment_yi (repeatable)",
    )
    p.add_argument("--sheet", help="Excel worksheet of the projects (default: the first)")
    p.add_argument("--sites-layer", help="layer of a GeoPackage, or Shapefile name in a zip/folder")
    p.add_argument("--lang", choices=["zh", "en", "both"], default="both", help="message language")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import check_files, summarize_projects, summarize_sites

    report, sites, projects = check_files(
        sites=args.sites,
        projects=args.projects,
        site_columns=dict(args.map_sites_col) or None,
        project_columns=dict(args.map_projects_col) or None,
        sheet=args.sheet,
        site_layer=args.sites_layer,
    )
    if report.problems:
        print(format_report(report, args.lang))
    if sites is not None:
        print(summarize_sites(sites))
    if projects is not None:
        print(summarize_projects(projects))
    print(verdict(report))
    return EXIT_OK if report.ok else EXIT_BAD_INPUT


def column_pair(text: str) -> tuple[str, str]:
    their, sep, canon = text.partition("=")
    if not sep or not their.strip() or not canon.strip():
        raise argparse.ArgumentTypeError(f"expected THEIR=CANON (e.g. DKBH=site_id), got {text!r}")
    return their.strip(), canon.strip()
