"""Timeline and alternatives benchmark: ``python -m benchmarks.bench_timeline [--repeat 3] [--k 3]``.

Target (issue 14): the 2022 sample's year, 13 review meetings replayed with hindsight, blocked decisions
and reserve replays, in under 10 s in all (``timeline`` command's work, reading excluded).

Baselines, measured in the same run on the same data (the machines here are shared and noisy, so read
the ratios):

* ``one_solve``: the sample's 109 projects solved once, all at once (what ``solve`` does). The timeline
  costs 13 meeting solves + hindsight + the reserve replays; ``timeline / one_solve`` says what the year
  costs against a single plan.
* ``locked_meetings``: the replay as a naive implementation writes it, every earlier placement locked
  inside each meeting's model (measured on the first ``--naive-meetings`` meetings only, as it grows with
  the year: 51 s for all 13 on this machine). The timeline takes the earlier placements off the sites'
  capacity instead; ``locked / timeline`` per meeting is the speed-up.
* alternatives: ``solve --alternatives K`` on the recorded 2022 scenario against a naive re-solve of every
  eligible alternative through ``solve_allocation`` with the pair locked (timed on ``--naive-pairs`` pairs
  and scaled to all of them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any


def _timed(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), out


def measure(*, repeat: int, k: int, naive_meetings: int, naive_pairs: int) -> dict[str, Any]:
    import zq_land as zq
    from zq_land.studies.timeline import _meetings_of, _Replay

    sc = zq.load_scenario(zq.sample_timeline())
    sites, projects = zq.read_sites(sc.sites), zq.read_projects(sc.projects)
    row: dict[str, Any] = {"meetings": len(sc.meetings), "projects": len(projects)}

    best, med, tl = _timed(lambda: zq.run_timeline(sites, projects, sc), repeat)
    row.update(timeline_s=round(best, 3), timeline_median_s=round(med, 3), target_s=10.0, within_target=best < 10.0,
               reserve_replays=len(tl.reserve), hindsight_status=tl.hindsight["status"],
               cost_of_meetings_yi=tl.cost["objective"])
    best1, _, _ = _timed(lambda: zq.solve_allocation(sites, projects, sc), repeat)
    row.update(one_solve_s=round(best1, 3), timeline_over_one_solve=round(best / best1, 2))

    # the naive replay: earlier placements locked inside each meeting's model
    meeting_of, order = _meetings_of(projects, sc)
    replay = _Replay(sites, projects, sc, meeting_of, [], None)
    steps = replay.run(order[:naive_meetings])
    fast = sum(s.seconds for s in steps)
    t = time.perf_counter()
    for i, m in enumerate(order[:naive_meetings]):
        earlier = steps[i - 1].standing if i else None
        in_play = set(projects.loc[meeting_of.to_numpy() == m, "project_id"])
        locks: tuple[tuple[str, str], ...] = ()
        if earlier is not None:
            in_play |= set(earlier["project_id"])
            locks = tuple(zip(earlier["project_id"], earlier["site_id"], strict=True))
        zq.solve_allocation(sites, projects[projects["project_id"].isin(in_play)].reset_index(drop=True),
                            sc.with_(locks=locks))
    naive = time.perf_counter() - t
    row.update(naive_meetings=naive_meetings, meetings_capacity_s=round(fast, 3), meetings_locked_s=round(naive, 3),
               locked_over_capacity=round(naive / max(fast, 1e-9), 1))

    # alternatives on the recorded scenario
    rec = zq.load_scenario(zq.sample_scenarios()["review_2022_recorded"])
    plan = zq.solve_allocation(sites, projects, rec)
    best_a, _, alt = _timed(lambda: zq.run_alternatives(sites, projects, rec, plan.assignments, k=k,
                                                        candidates=plan.candidates), repeat)
    pairs = plan.candidates.pairs
    on = plan.assignments[plan.assignments["placed"] & ~plan.assignments["locked"]]
    cand = pairs.merge(on[["project_id", "site_id"]].rename(columns={"site_id": "current"}), on="project_id")
    cand = cand[cand["site_id"] != cand["current"]]
    sample = cand.head(naive_pairs)
    t = time.perf_counter()
    for r in sample.itertuples():
        zq.solve_allocation(sites, projects, rec.with_(locks=(*rec.locks, (r.project_id, r.site_id))),
                            starts=[plan.assignments])
    per = (time.perf_counter() - t) / max(1, len(sample))
    row.update(alternatives_k=k, alternatives_s=round(best_a, 3), alternatives_rows=len(alt.table),
               alternatives_solves=alt.solves, alternatives_pruned=alt.pruned,
               alternatives_proven=int(alt.table["proven"].sum()), candidate_pairs=len(cand),
               naive_s_per_pair=round(per, 3), naive_all_pairs_s=round(per * len(cand), 1),
               naive_over_alternatives=round(per * len(cand) / best_a, 1))
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--naive-meetings", type=int, default=4)
    ap.add_argument("--naive-pairs", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    row = measure(repeat=args.repeat, k=args.k, naive_meetings=args.naive_meetings, naive_pairs=args.naive_pairs)
    if args.json:
        print(json.dumps(row, indent=2))
        return 0
    print(f"timeline, 2022 sample ({row['meetings']} meetings, {row['projects']} projects): {row['timeline_s']:.2f} s "
          f"(median {row['timeline_median_s']:.2f}; target < 10 s: {'yes' if row['within_target'] else 'NO'}); "
          f"{row['timeline_over_one_solve']}x one all-at-once solve ({row['one_solve_s']:.2f} s); hindsight "
          f"{row['hindsight_status']}, cost of deciding by meeting {row['cost_of_meetings_yi']} 亿元")
    print(f"  first {row['naive_meetings']} meetings: {row['meetings_capacity_s']:.2f} s with earlier placements "
          f"taken off capacity, {row['meetings_locked_s']:.2f} s locked in the model "
          f"({row['locked_over_capacity']}x)")
    print(f"alternatives k={row['alternatives_k']} (recorded 2022): {row['alternatives_s']:.2f} s, "
          f"{row['alternatives_rows']} rows, {row['alternatives_solves']} re-solves, {row['alternatives_pruned']} "
          f"pruned by the bound, {row['alternatives_proven']} proven; a re-solve of all {row['candidate_pairs']} "
          f"pairs through solve_allocation: ~{row['naive_all_pairs_s']} s ({row['naive_over_alternatives']}x)")
    return 0 if row["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
