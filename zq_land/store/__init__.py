"""The workspace store: data sets, scenarios, runs and decisions in one GeoPackage file or in PostGIS.

>>> store = open_store("workspace/zq_land.gpkg")        # or "postgresql://user@host/db"
>>> run_id = store.save_run(result)
>>> same = store.load_run(run_id)                        # an AllocationResult equal to ``result``

See ``docs/STORE.md`` for the schema, the two back ends, backups, migrations and concurrency.
"""

from __future__ import annotations

from ._decisions import Decision, add_decision, adopt_run, decision_locks, list_decisions, supersede_decision
from ._schema import SCHEMA_VERSION, SRID
from ._store import (
    DEFAULT_STORE,
    ENV_STORE,
    ENV_USER,
    DataSetInfo,
    DecisionConflict,
    RunInfo,
    Store,
    StoreError,
    SweepInfo,
    current_user,
    default_store_url,
    env_store_url,
    open_store,
    record_sweep,
)

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
