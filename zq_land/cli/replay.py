"""``python -m zq_land replay BUNDLE.zip --out DIR``: solve an audit bundle again from the inputs it holds.

Exit 0 when the plan is identical to the bundle's (byte for byte ``assignments.csv``), 1 when it differs
(the projects placed differently are printed), 2 when the bundle is damaged or a file's SHA-256 differs
from its manifest.
"""

from __future__ import annotations

import argparse

from . import EXIT_FAILURE, EXIT_OK

#: Differences printed in full (all of them are in the new outputs).
SHOWN = 20


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="re-run an audit.zip and check the plan is the same / 复算审计包并核对方案",
        description="Check every hash of an audit bundle, solve its scenario again from its own inputs, write "
        "the outputs into --out and compare the plan: exit 0 identical, 1 different, 2 damaged or tampered.",
    )
    p.add_argument("bundle", help="an audit.zip written by solve (or downloaded from the app)")
    p.add_argument("--out", required=True, help="folder for the replayed outputs")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.set_defaults(func=run, msg_lang="both")


def run(args: argparse.Namespace) -> int:
    from .. import replay_bundle

    outcome = replay_bundle(args.bundle, args.out, lang=args.lang)
    r = outcome.result
    print(f"{r.scenario.name}: {r.solve.status} ({r.solve.solver}), {r.solve.solve_seconds:.2f} s")
    if outcome.identical:
        print("方案一致 / the plan is identical to the bundle's (assignments.csv byte for byte)")
        return EXIT_OK
    d = outcome.differences
    if not len(d):
        print("方案相同，但 assignments.csv 的内容不同（原因或数值） / the same placements, but assignments.csv "
              "differs (reasons or figures)")
        return EXIT_FAILURE
    print(f"方案不同 / the plan differs: {len(d)} 个项目落位不同 projects placed differently:")
    for row in d.head(SHOWN).itertuples():
        print(f"  {row.project_id}: {row.site_in_bundle or '—'} -> {row.site_now or '—'}")
    if len(d) > SHOWN:
        print(f"  … 另有 {len(d) - SHOWN} 个 / {len(d) - SHOWN} more")
    if r.solve.status != "optimal":
        print("本次复算未证明最优（时间上限），方案可能因此不同 / this replay did not prove optimality (time limit), "
              "which may be why")
    return EXIT_FAILURE
