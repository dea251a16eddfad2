"""A second process for the store tests: ``python tests/store_worker.py MODE URL [ARGS]``.

Modes
-----
save N GO           solve a small generated instance, print READY, wait for the file GO to appear (so that
                    two workers write at the same moment), save the run N times; prints the run ids as JSON
hang                save a run but stop in the middle of its transaction (after the first rows of
                    ``run_assignments`` are inserted), print ``MID`` and wait to be killed
decide P S GO       print READY, wait for GO, add the decision P -> S; prints {"id": ...} or
                    {"conflict": ..., "names": [...]}
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def small_result(n_projects: int = 40, n_sites: int = 80):  # type: ignore[no-untyped-def]
    """A real (solved) result of a seeded generated instance."""
    from benchmarks.generate import make_instance
    from zq_land import Scenario, SolverSettings, allocate

    sites, projects = make_instance(n_projects, n_sites, seed=7)
    return allocate(Scenario(name="worker", solver=SolverSettings(time_limit_s=20)), sites=sites, projects=projects)


def _ready_then_wait(go: str) -> None:
    print("READY", flush=True)
    while not Path(go).exists():
        time.sleep(0.005)


def main(argv: list[str]) -> int:
    from zq_land.store import DecisionConflict, add_decision, open_store

    mode, url = argv[0], argv[1]
    store = open_store(url)
    if mode == "save":
        n = int(argv[2])
        result = small_result()
        _ready_then_wait(argv[3])
        ids = [store.save_run(result, label=f"worker {i}") for i in range(n)]
        print(json.dumps(ids))
    elif mode == "hang":
        from sqlalchemy import event

        result = small_result()

        @event.listens_for(store.engine, "after_execute")
        def _pause(conn, clause, *args, **kw):  # type: ignore[no-untyped-def]
            table = getattr(clause, "table", None)
            if table is not None and table.name == "run_assignments":
                print("MID", flush=True)
                time.sleep(600)

        store.save_run(result)
    elif mode == "decide":
        pid, sid = argv[2], argv[3]
        _ready_then_wait(argv[4])
        try:
            d = add_decision(store, pid, sid, note=f"worker {pid}")
            print(json.dumps({"id": d.id}))
        except DecisionConflict as exc:
            print(json.dumps({"conflict": exc.report.text("en"), "names": [x.id for x in exc.existing]},
                             ensure_ascii=False))
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
