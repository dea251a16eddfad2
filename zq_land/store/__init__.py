"""The workspace store: data sets, scenarios, runs and decisions in one GeoPackage file or in PostGIS.

>>> store = open_store("workspace/zq_land.gpkg")        # or "postgresql://user@host/db"
>>> run_id = store.save_run(result)
>>> same = store.load_run(run_id)                        # an AllocationResult equal to ``result``

See ``docs/STORE.md`` for the schema, the two back ends, backups, migrations and concurrency.

The names are imported on first use (module ``__getattr__``): asking where the store is
(:func:`env_store_url`, :func:`default_store_url`) loads no SQLAlchemy, so ``solve`` without a store does not
pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_MODULES: dict[str, tuple[str, ...]] = {
    "._env": ("DEFAULT_STORE", "ENV_STORE", "ENV_USER", "current_user", "default_store_url", "env_store_url"),
    "._decisions": ("Decision", "add_decision", "adopt_run", "decision_locks", "list_decisions",
                    "supersede_decision"),
    "._schema": ("SCHEMA_VERSION", "SRID"),
    "._store": ("DataSetInfo", "DecisionConflict", "RunInfo", "Store", "StoreError", "SweepInfo", "open_store",
                "record_sweep"),
}
_EXPORTS: dict[str, str] = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "DEFAULT_STORE",
    "ENV_STORE",
    "ENV_USER",
    "SCHEMA_VERSION",
    "SRID",
    "DataSetInfo",
    "Decision",
    "DecisionConflict",
    "RunInfo",
    "Store",
    "StoreError",
    "SweepInfo",
    "add_decision",
    "adopt_run",
    "current_user",
    "decision_locks",
    "default_store_url",
    "env_store_url",
    "list_decisions",
    "open_store",
    "record_sweep",
    "supersede_decision",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:  # what mypy and editors see; at run time the names come from __getattr__
    from ._decisions import Decision, add_decision, adopt_run, decision_locks, list_decisions, supersede_decision
    from ._env import DEFAULT_STORE, ENV_STORE, ENV_USER, current_user, default_store_url, env_store_url
    from ._schema import SCHEMA_VERSION, SRID
    from ._store import (
        DataSetInfo,
        DecisionConflict,
        RunInfo,
        Store,
        StoreError,
        SweepInfo,
        open_store,
        record_sweep,
    )
