"""The app's "run" as a planner meets it: ``python -m benchmarks.bench_app [--read S] [--repeats N]``.

For each bundled scenario (and the hard case of issue 18: the optimised review with a usable-land ratio of 0.7
and an intensity floor of 500 万元/亩), a fresh app session (``streamlit.testing``, no browser) opens the scenario
page with those settings, and "run" is clicked:

* **at once** (the baseline): the solve ahead of the page has just started, so "run" waits for it, as long as a
  cold solve takes;
* **after reading**: ``--read`` seconds after the page showed the settings (the planner reads them), with the
  solve ahead done or under way.

A solve that outlasts ``ui.state.INTERIM_AFTER_S`` (``--interim``) shows the best plan found so far first, labelled
as not yet proven with its gap to the bound; the final plan replaces it when the solve ends. For the click at once
both figures are printed: the seconds to the first plan on the results page (interim or final, the figure issue 18's
"every interaction under 1 s" is read against) and to the final plan in place, with the interim plan's gap.

Each case starts with the process's proven results emptied (a new server). Printed: the seconds from the click
to the results page of each way, their ratio, and whether both gave the same plan. The script's own rerun
(drawing the results page) is in both figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


class Row(NamedTuple):
    case: str
    now: float  # seconds to the first plan shown, clicked at once (median of the repeats)
    final: float  # seconds to the final plan in place, clicked at once
    gap: float  # the interim plan's gap to its bound (nan: the final plan came first)
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


def _click(at: Any) -> tuple[float, float, float, list[str]]:
    """Seconds to the first plan shown, to the final plan in place, the first plan's gap when it was an interim
    one (else nan), and the final plan."""
    t = time.perf_counter()
    at.button(key="btn_run").click().run()
    took = time.perf_counter() - t
    assert not at.exception, [e.value for e in at.exception]
    key = at.session_state["current_result"]
    result = at.session_state["results_cache"][key]
    gap, final = float("nan"), took
    if result.interim:
        gap = float(result.solve.gap)
        at.session_state["solving"][key].future.result()  # what the page's clock then finds done
        at.run()
        final = time.perf_counter() - t
        result = at.session_state["results_cache"][key]
        assert not result.interim and not at.exception
    return took, final, gap, [str(x) for x in result.assignments["site_id"].fillna("")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--read", type=float, default=5.0, help="seconds the planner reads the settings (default 5)")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--interim", type=float, default=None,
                    help="seconds a run waits before it shows the best plan so far (default the app's)")
    args = ap.parse_args(argv)
    import ui.state
    from ui.state import forget_proven
    from zq_land import SCENARIO_NAMES

    if args.interim is not None:
        ui.state.INTERIM_AFTER_S = args.interim
        os.environ.pop(ui.state.INTERIM_ENV, None)
    cases: list[tuple[str, str, float | None, float | None]] = [(n, n, None, None) for n in SCENARIO_NAMES]
    cases.append(("hard: optimised, ratio 0.7, floor 500", "review_2022_optimised", 0.7, 500.0))
    rows = []
    print(f"interim plan after {ui.state.interim_after_s()} s")
    print(f"{'case':40s} {'first plan s':>12s} {'final s':>8s} {'its gap':>8s} "
          f"{'after ' + format(args.read, 'g') + ' s':>12s} same")
    for name, base, ratio, floor in cases:
        now, final, gaps, later, same = [], [], [], [], True
        for _ in range(args.repeats):
            forget_proven()
            at = _session(base, ratio, floor)
            t_now, t_final, gap, plan_now = _click(at)
            forget_proven()
            at = _session(base, ratio, floor)
            time.sleep(args.read)
            t_later, _, _, plan_later = _click(at)
            now.append(t_now)
            final.append(t_final)
            gaps.append(gap)
            later.append(t_later)
            same &= plan_now == plan_later
        row = Row(name, statistics.median(now), statistics.median(final), max(gaps), statistics.median(later), same)
        rows.append(row)
        gap_text = "-" if row.gap != row.gap else f"{row.gap:.2%}"
        print(f"{name:40s} {row.now:12.2f} {row.final:8.2f} {gap_text:>8s} {row.later:12.2f} {same}", flush=True)
    forget_proven()
    slowest = max(r.now for r in rows)
    print(f"median: first plan {statistics.median(r.now for r in rows):.2f} s (slowest {slowest:.2f}), "
          f"final {statistics.median(r.final for r in rows):.2f} s, after reading "
          f"{statistics.median(r.later for r in rows):.2f} s; every case one plan: {all(r.same for r in rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
