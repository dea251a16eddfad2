"""``python -m zq_land report RUN_DIR|BUNDLE.zip --out brief.docx|brief.pdf [--lang]``: the review-meeting
brief of a run as Word or PDF, written atomically."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write the review-meeting brief of a run (.docx or .pdf) / 生成评审会汇报材料",
        description="Write the brief (汇报材料) of a run: RUN is a `solve --out` folder or an audit bundle "
        "(.zip); the format follows the extension of --out (.docx, editable; or .pdf, with its fonts embedded).",
    )
    p.add_argument("run", metavar="RUN_DIR|BUNDLE.zip", help="a solve --out folder or an audit bundle (.zip)")
    p.add_argument("--out", required=True, help="the brief to write: brief.docx or brief.pdf")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the brief (default: zh)")
    p.set_defaults(func=run, msg_lang="both")


def run(args: argparse.Namespace) -> int:
    from .. import (  # matplotlib and python-docx load when the brief is made
        PdfUnavailableError,
        atomic_write,
        brief_bytes,
        brief_format,
        input_error,
        read_run,
    )

    started = time.perf_counter()
    out = Path(args.out)
    fmt = brief_format(out)
    if fmt is None:
        raise input_error(out, "输出文件须以 .docx 或 .pdf 结尾", "the output must end in .docx or .pdf",
                          column="--out", found=out.suffix or out.name, expected=".docx | .pdf")
    if out.exists() and out.is_dir():
        raise input_error(out, "输出位置是一个文件夹，请给出文件名", "the output path is a folder: give a file name",
                          column="--out")
    record = read_run(args.run)
    try:
        data = brief_bytes(record, fmt=fmt, lang=args.lang)
    except PdfUnavailableError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, data)
    print(f"汇报材料已写入 / brief written: {out} ({len(data):,} bytes, {time.perf_counter() - started:.1f} s)")
    return 0
