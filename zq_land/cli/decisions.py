"""``python -m zq_land decisions list|add|supersede|adopt``: the placements agreed at review meetings.

A project's decision is superseded, never deleted; runs in the app lock the active ones."""

from __future__ import annotations

import argparse
import json

from ._store import date_arg, leaf, opened


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("decisions", help="the placements agreed at review meetings / 评审决定",
                       description="Decisions: project -> plot, agreed at a meeting; superseded, never deleted. "
                       "Runs in the app lock the active ones.")
    dec = p.add_subparsers(dest="decisions_command", metavar="ACTION", required=True)
    ls = leaf(dec, "list", "active decisions (--all: with the superseded) / 列出决定")
    ls.add_argument("--all", action="store_true", help="include superseded decisions")
    ls.add_argument("--project", help="only this project id")
    ls.add_argument("--site", help="only this plot id")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.set_defaults(func=_list)
    add = leaf(dec, "add", "record a decision / 记录决定")
    add.add_argument("--project", required=True, help="project id")
    add.add_argument("--site", required=True, help="plot id")
    _decision_fields(add)
    add.set_defaults(func=_add)
    sup = leaf(dec, "supersede", "supersede a decision, optionally by a new plot / 取代决定")
    sup.add_argument("id", type=int, help="the decision to supersede")
    sup.add_argument("--site", help="the project's new plot (omit to withdraw the decision)")
    _decision_fields(sup)
    sup.set_defaults(func=_supersede)
    adopt = leaf(dec, "adopt", "make every placement of a run a decision / 采纳方案为决定")
    adopt.add_argument("run", type=int, help="run id")
    _decision_fields(adopt, dataset=False)
    adopt.set_defaults(func=_adopt)


def _list(args: argparse.Namespace) -> int:
    from .. import list_decisions

    with opened(args) as store:
        found = list_decisions(store, active_only=not args.all, project_id=args.project, site_id=args.site)
    if args.json:
        print(json.dumps([d.as_json() for d in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("没有决定 / no decisions")
    for d in found:
        state = "有效 active" if d.active else f"已取代 superseded → #{d.replaced_by or '-'}"
        note = f" — {d.note}" if d.note else ""
        print(f"{d.describe('zh')} [{state}]{note}")
    return 0


def _add(args: argparse.Namespace) -> int:
    from .. import add_decision

    with opened(args) as store:
        d = add_decision(store, args.project, args.site, dataset_id=args.dataset, meeting=args.meeting,
                         meeting_date=args.date, note=args.note, by=args.by)
    print(f"决定已记录 / decision recorded: {d.describe('zh')}")
    return 0


def _supersede(args: argparse.Namespace) -> int:
    from .. import supersede_decision

    with opened(args) as store:
        old, new = supersede_decision(store, args.id, site_id=args.site, dataset_id=args.dataset,
                                      meeting=args.meeting, meeting_date=args.date, note=args.note, by=args.by)
    print(f"决定 #{old.id} 已取代 / decision #{old.id} superseded")
    if new is not None:
        print(f"新决定 / new decision: {new.describe('zh')}")
    return 0


def _adopt(args: argparse.Namespace) -> int:
    from .. import adopt_run

    with opened(args) as store:
        made = adopt_run(store, args.run, meeting=args.meeting, meeting_date=args.date, note=args.note, by=args.by)
    print(f"方案 #{args.run} 的 {len(made)} 个落位已记为决定 / {len(made)} placements of run #{args.run} "
          "recorded as decisions")
    return 0


def _decision_fields(p: argparse.ArgumentParser, *, dataset: bool = True) -> None:
    if dataset:
        p.add_argument("--dataset", type=int, help="the data set whose plots and projects the decision names "
                       "(default: that of the newest run)")
    p.add_argument("--meeting", type=int, help="the review meeting's number, e.g. 5")
    p.add_argument("--date", type=date_arg, help="the meeting's date (YYYY-MM-DD)")
    p.add_argument("--note", default="", help="a note (who asked, conditions, ...)")
    p.add_argument("--by", help="who decides (default: $ZQ_LAND_USER or the login name)")
