"""``python -m zq_land compare A.toml B.toml [--out DIR] [--no-reference]``: solve two scenarios and print the
KPI deltas (B - A) and the projects placed differently. B is solved with A's plan as its reference plan (the
fewest moves that keep B's optimum), unless ``--no-reference``; each moved project then says what its move buys."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .. import Comparison


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare two scenarios: KPI deltas and moved projects / 对比两个情景",
        description="Solve two scenarios and print KPI deltas (B - A) and the projects placed differently.",
    )
    p.add_argument("a", help="scenario A (TOML)")
    p.add_argument("b", help="scenario B (TOML)")
    p.add_argument("--out", help="also write comparison.xlsx and both runs' outputs into this folder")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--no-reference", action="store_true",
                   help="solve B on its own, not with A's plan as the reference to move the fewest projects of")
    p.set_defaults(func=run, msg_lang="both")


def run(args: argparse.Namespace) -> int:
    from .. import allocate, check_output_folder, compare_results, load_scenario

    if args.out:  # before solving: --out naming a file fails at once
        check_output_folder(args.out)
    a = allocate(load_scenario(args.a))
    reference = None
    if not args.no_reference:
        reference = a.assignments[["project_id", "site_id"]].copy()
        reference["site_id"] = reference["site_id"].where(reference["site_id"].astype(str) != "", None)
    b = allocate(load_scenario(args.b), reference=reference)
    cmp = compare_results(a, b)
    print(format_comparison(cmp, args.lang))
    if b.moves is not None:
        kept, moved = b.kept_and_moved
        print(f"\nB 以 A 的方案为参考 / B solved with A's plan as reference: 保留 kept {kept}, 调整 moved {moved}"
              f" ({'已证明最少 proven fewest' if b.solve.status == 'optimal' else '未证明 not proven'})")
        buys = b.moves["buys_zh"] if args.lang == "zh" else b.moves["buys_en"]
        for row, why in zip(b.moves.itertuples(), buys, strict=True):
            print(f"  {row.project_id} {row.name}: {row.reference_site_id or '—'} -> {row.site_id or '—'} — {why}")
    if args.out:
        from .. import atomic_write, comparison_workbook_bytes, write_outputs

        out = Path(args.out)
        write_outputs(a, out / "A", lang=args.lang, protect=[args.a, args.b])
        write_outputs(b, out / "B", lang=args.lang, protect=[args.a, args.b])
        atomic_write(out / "comparison.xlsx", comparison_workbook_bytes(cmp, lang=args.lang))
    return 0


def format_comparison(cmp: Comparison, lang: str) -> str:
    zh = lang == "zh"
    lines = [f"A = {cmp.name_a}    B = {cmp.name_b}", ""]
    labels = [str(x) for x in (cmp.kpis["label_zh"] if zh else cmp.kpis["label_en"])]
    w = max(_width(x) for x in labels) + 2
    lines.append(f"  {'':<{w}} {'A':>14} {'B':>14} {'B - A':>14}")
    for label, row in zip(labels, cmp.kpis.itertuples(), strict=True):
        pad = " " * (w - _width(label))
        lines.append(f"  {label}{pad} {_fmt(row.a):>14} {_fmt(row.b):>14} {_fmt(row.delta, sign=True):>14}")
    lines.append("")
    if not len(cmp.moved):
        lines.append("没有项目调整 / no project moved")
    else:
        lines.append(f"调整的项目 / projects that moved ({len(cmp.moved)}):")
        for row in cmp.moved.itertuples():
            a = row.site_a or "—"
            b = row.site_b or "—"
            lines.append(f"  {row.project_id} {row.name}: {a} -> {b} ({row.change})")
    return "\n".join(lines)


def _fmt(v: object, *, sign: bool = False) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:+d}" if sign else str(v)
    if isinstance(v, float):
        return f"{v:+,.2f}" if sign else f"{v:,.2f}"
    return str(v)


def _width(s: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)
