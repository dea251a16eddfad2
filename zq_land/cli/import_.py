"""``python -m zq_land import --sites F --projects F``: read the files as ``solve`` would and save them, with
their names, sizes and SHA-256, as a data set of the store (the module is ``import_``: ``import`` is a keyword)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._store import STORE_HELP, opened
from .validate import column_pair


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="save a sites file and a projects file as a data set / 导入数据集",
                       description="Read the files as solve would and save them, with their names, sizes and "
                       "SHA-256, as a data set of the store. Prints its id.")
    p.add_argument("--sites", required=True, help="sites: .gpkg, .geojson, zipped Shapefile (.zip), .shp or folder")
    p.add_argument("--projects", required=True, help="projects: .csv (UTF-8 / GBK) or .xlsx")
    p.add_argument("--name", help="the data set's name (default: both file names)")
    p.add_argument("--map-sites-col", action="append", default=[], metavar="THEIR=CANON", type=column_pair,
                   help="map a sites column, e.g. DKBH=site_id (repeatable)")
    p.add_argument("--map-projects-col", action="append", default=[], metavar="THEIR=CANON", type=column_pair,
                   help="map a projects column (repeatable)")
    p.add_argument("--sheet", help="Excel worksheet of the projects (default: the first)")
    p.add_argument("--sites-layer", help="layer of a GeoPackage, or Shapefile name in a zip/folder")
    p.add_argument("--store", help=STORE_HELP)
    p.add_argument("--by", help="who imports (default: $ZQ_LAND_USER or the login name)")
    p.set_defaults(func=run, msg_lang="both")


def run(args: argparse.Namespace) -> int:
    from .. import file_fingerprint, input_error, read_projects, read_sites

    for key in ("sites", "projects"):
        if not Path(getattr(args, key)).exists():
            raise input_error(getattr(args, key), "找不到文件", "file not found", column=f"--{key}")
    with opened(args) as store:  # opened first: a bad URL fails before a large file is read
        sites = read_sites(args.sites, columns=dict(args.map_sites_col) or None, layer=args.sites_layer)
        projects = read_projects(args.projects, columns=dict(args.map_projects_col) or None, sheet=args.sheet)
        ds = store.save_dataset(sites, projects, files={"sites": file_fingerprint(args.sites),
                                                        "projects": file_fingerprint(args.projects)},
                                site_columns=args.map_sites_col, project_columns=args.map_projects_col,
                                name=args.name, by=args.by)
        info = store.dataset_info(ds)
    print(f"数据集 / data set #{info.id}: {info.name} — {info.n_sites} sites, {info.n_projects} projects")
    return 0
