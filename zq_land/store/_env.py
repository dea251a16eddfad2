"""Where the store is and who writes to it, from the environment: no SQLAlchemy, no pandas, so that ``solve``
without ``--store`` can ask whether a store is configured without loading the store itself."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Final

#: Where the app keeps its store unless ``ZQ_LAND_STORE`` says otherwise (relative to app.py).
DEFAULT_STORE: Final = Path("workspace") / "zq_land.gpkg"
ENV_STORE: Final = "ZQ_LAND_STORE"
ENV_USER: Final = "ZQ_LAND_USER"
#: ``ZQ_LAND_STORE`` values that turn the store off
_OFF: Final = frozenset({"", "off", "none", "no", "0", "false"})


def env_store_url() -> str | None:
    """``ZQ_LAND_STORE``, or None when it is unset or ``off`` (then the command line writes only files)."""
    value = os.environ.get(ENV_STORE, "").strip()
    return None if value.lower() in _OFF else value


def default_store_url(app_dir: str | Path | None = None) -> str | None:
    """The app's store: ``ZQ_LAND_STORE`` when set, else ``workspace/zq_land.gpkg`` in ``app_dir``; None
    when ``ZQ_LAND_STORE=off``."""
    value = os.environ.get(ENV_STORE, "").strip()
    if value and value.lower() in _OFF:
        return None
    return value or str(Path(app_dir or ".") / DEFAULT_STORE)


def current_user() -> str:
    """Who is saving: ``ZQ_LAND_USER``, else the login name."""
    name = os.environ.get(ENV_USER, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
