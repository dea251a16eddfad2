"""What the store's commands share (``runs``, ``decisions``, ``import``, and ``solve --store``): the
``--store`` option, opening the store, recording a run.

The store comes from ``--store URL`` or ``ZQ_LAND_STORE``; without either ``solve`` writes only files.
Every store problem (a bad URL, an unknown id, an unreachable server, a conflict) is an ``InputError``:
a bilingual message and exit 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .. import AllocationResult, Store

STORE_HELP = "a .gpkg file or a postgresql:// URL (default: $ZQ_LAND_STORE) / 存储：.gpkg 文件或 postgresql:// 地址"


def add_store_arguments(p: argparse.ArgumentParser) -> None:
    """``--store`` and ``--label`` on ``solve``: record the run in a store (or ``ZQ_LAND_STORE``)."""
    p.add_argument("--store", help=STORE_HELP + "; records the run and prints its id")
    p.add_argument("--label", help="the run's name in the store (default: the scenario's name)")


def open_store_for(args: argparse.Namespace) -> Store | None:
    """The store ``solve`` records into (opened before solving, so a bad URL fails at once), or None."""
    from .. import env_store_url

    url = getattr(args, "store", None) or env_store_url()
    if not url:
        return None  # no store: SQLAlchemy and the store's modules stay unloaded
    from .. import open_store

    return open_store(url)


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


def leaf(sub: argparse._SubParsersAction, name: str, help_: str) -> argparse.ArgumentParser:
    """An action of a store command (``runs list``, ``decisions add``, ...), with its ``--store``."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
    p.add_argument("--store", help=STORE_HELP)
    p.set_defaults(msg_lang="both")
    return p


def date_arg(text: str) -> dt.date:
    """An argparse type: a date ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def opened(args: argparse.Namespace) -> Store:
    """The command's store (``--store`` or ``ZQ_LAND_STORE``): ``with opened(args) as store`` closes it."""
    from .. import open_store

    return open_store(_url(args))


def _url(args: argparse.Namespace) -> str:
    from .. import env_store_url, input_error

    url = getattr(args, "store", None) or env_store_url()
    if not url:
        raise input_error("<command line>",
                          "请用 --store 指定存储（.gpkg 文件或 postgresql:// 地址），或设置 ZQ_LAND_STORE",
                          "give the store with --store (a .gpkg file or a postgresql:// URL) or set ZQ_LAND_STORE",
                          column="--store")
    return str(url)
