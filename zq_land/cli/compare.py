"""``python -m zq_land compare A.toml B.toml [--out DIR]``: solve two scenarios and print the KPI deltas
(B - A) and the projects placed differently."""

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
    p.set_defaults(func=run, msg_lang="both")


def run(args: argparse.Namespace) -> int:
    from .. import allocate, check_output_folder, compare_results, load_scenario

    if args.out:  # before solving: --out naming a file fails at once
        check_output_folder(args.out)
    a = allocate(load_scenario(args.a))
    b = allocate(load_scenario(args.b))
    cmp = compare_results(a, b)
    print(format_comparison(cmp, args.lang))
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
