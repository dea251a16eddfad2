"""The app's "run" as a planner meets it: ``python -m benchmarks.bench_app [--read S] [--repeats N]``.

For each bundled scenario (and the hard case of issue 18: the optimised review with a usable-land ratio of 0.7
and an intensity floor of 500 万元/亩), a fresh app session (``streamlit.testing``, no browser) opens the scenario
page with those settings, and "run" is clicked:

* **at once** (the baseline): the solve ahead of the page has just started, so "run" waits for it, as long as a
  cold solve takes;
* **after reading**: ``--read`` seconds after the page showed the settings (the planner reads them), with the
  solve ahead done or under way.

Each case starts with the process's proven results emptied (a new server). Printed: the seconds from the click
to the results page of each way, their ratio, and whether both gave the same plan. The script's own rerun
(drawing the results page) is in both figures.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


class Row(NamedTuple):
    case: str
    now: float  # seconds, clicked at once (median of the repeats)
    later: float  # seconds, clicked after reading
    same: bool  # the same plan both ways


def _session(base: str, ratio: float | None, floor: float | None) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    at.session_state["nav"] = "情景"
    at.run()
    at.selectbox(key="sc_base").select(base).run()
    if ratio is not None:
        at.number_input(key="sc_ratio").set_value(ratio).run()
    if floor is not None:
        at.number_input(key="sc_floor").set_value(floor).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _click(at: Any) -> tuple[float, list[str]]:
    t = time.perf_counter()
    at.button(key="btn_run").click().run()
    took = time.perf_counter() - t
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state["results_cache"][at.session_state["current_result"]]
    return took, [str(x) for x in result.assignments["site_id"].fillna("")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--read", type=float, default=5.0, help="seconds the planner reads the settings (default 5)")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args(argv)
    from ui.state import forget_proven
    from zq_land import SCENARIO_NAMES

    cases: list[tuple[str, str, float | None, float | None]] = [(n, n, None, None) for n in SCENARIO_NAMES]
    cases.append(("hard: optimised, ratio 0.7, floor 500", "review_2022_optimised", 0.7, 500.0))
    rows = []
    print(f"{'case':40s} {'at once s':>10s} {'after ' + format(args.read, 'g') + ' s':>12s} {'ratio':>6s} same")
    for name, base, ratio, floor in cases:
        now, later, same = [], [], True
        for _ in range(args.repeats):
            forget_proven()
            at = _session(base, ratio, floor)
            t_now, plan_now = _click(at)
            forget_proven()
            at = _session(base, ratio, floor)
            time.sleep(args.read)
            t_later, plan_later = _click(at)
            now.append(t_now)
            later.append(t_later)
            same &= plan_now == plan_later
        row = Row(name, statistics.median(now), statistics.median(later), same)
        rows.append(row)
        print(f"{name:40s} {row.now:10.2f} {row.later:12.2f} {row.later / row.now:6.2f} {same}", flush=True)
    forget_proven()
    print(f"median: at once {statistics.median(r.now for r in rows):.2f} s, after reading "
          f"{statistics.median(r.later for r in rows):.2f} s; every case one plan: {all(r.same for r in rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
